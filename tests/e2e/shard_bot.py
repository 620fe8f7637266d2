"""`python -m bot run` with the digest scheduler's clock sped up, for the several-process
tests: it (and the club vote's closing loop) ticks every second instead of every minute, a
claim goes stale after ``SHARD_BOT_LEASE_S`` seconds instead of 15 minutes, and the
autocomplete index looks for other processes' books every 3 s instead of 30 s.
``SHARD_BOT_STALL_GUILD`` (a guild id) makes the digest post for that guild stop dead once
its claim is written — a stand-in for a process killed in the middle of posting. Everything
else is the real process.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from typing import Any

STALL_MARK = "shard_bot: the digest is claimed and being posted; stalling"
TICK_S = 1.0
INDEX_REFRESH_S = 3.0  # the autocomplete index's refresh (30 s in the real bot)


def _speed_up() -> None:
    # cogs are loaded by discord.py as fresh module objects, so patch what they use:
    # the bot (to retune the cog's loop once loaded) and the service module
    import bot.services.books as book_service
    import bot.services.digest as digest_service
    import bot.services.digest.posting as digest_posting
    from bot.app import MarginaliaBot

    book_service.INDEX_REFRESH_S = INDEX_REFRESH_S  # type: ignore[misc]

    lease = float(os.environ.get("SHARD_BOT_LEASE_S", "2"))
    # read by RunPosting when the cog builds it: one lease for the scheduler and send-now
    digest_posting.CLAIM_LEASE = timedelta(seconds=lease)  # type: ignore[misc]
    real_setup_hook = MarginaliaBot.setup_hook

    async def setup_hook(self: MarginaliaBot) -> None:
        await real_setup_hook(self)
        for cog in self.cogs.values():
            for name in ("scheduler_loop", "vote_loop"):
                loop = getattr(cog, name, None)
                if loop is not None:
                    loop.change_interval(seconds=TICK_S)

    MarginaliaBot.setup_hook = setup_hook  # type: ignore[method-assign]

    stall_guild = os.environ.get("SHARD_BOT_STALL_GUILD")
    if not stall_guild:
        return
    real_init = digest_service.DigestScheduler.__init__

    def init(self: digest_service.DigestScheduler, service: Any, poster: Any, **kw: Any) -> None:
        real_post = poster.post_digest

        async def stalled_post(guild_id: int, *args: Any) -> int:
            if guild_id == int(stall_guild):
                print(STALL_MARK, file=sys.stderr, flush=True)
                await asyncio.sleep(3600)
            result: int = await real_post(guild_id, *args)
            return result

        poster.post_digest = stalled_post
        real_init(self, service, poster, **kw)

    digest_service.DigestScheduler.__init__ = init  # type: ignore[method-assign]


if __name__ == "__main__":  # never when imported (the tests import STALL_MARK)
    from bot.cli import main

    _speed_up()
    raise SystemExit(main())
