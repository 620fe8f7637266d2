"""Reviews: the cog's commands (:mod:`._cog`), posting and the review's messages
(:mod:`._publisher`), the persistent buttons (:mod:`._buttons`) and what they do
(:mod:`._actions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.reviews._cog import Reviews

if TYPE_CHECKING:
    from bot.app import MarginaliaBot

__all__ = ["Reviews", "setup"]


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Reviews(bot))
