"""The shared time-zone option: autocomplete of IANA names, for ``/digest setup`` and
``/me timezone``."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.domain.schedule import suggest_timezones

__all__ = ["timezone_autocomplete"]


async def timezone_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current)]
