"""Members' display names from Discord, for the services that show them (clubs, digest).

The services ask a :class:`bot.services.clubs.MemberDirectory`; this is the one that asks
discord.py. It lives beside the bot, not in a cog, because the bot builds the services.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import discord

__all__ = ["NAME_LOOKUP_TIMEOUT_S", "NAME_REQUESTS_PER_LOOKUP", "GuildMemberNames"]

log = logging.getLogger(__name__)

# Discord answers REQUEST_GUILD_MEMBERS for at most 100 user ids at a time, and a shard may
# send about 120 gateway commands a minute, shared by every guild of the shard: callers
# list the most visible members first, and only the first couple of hundred are asked for.
_CHUNK = 100
NAME_REQUESTS_PER_LOOKUP = 2
NAME_LOOKUP_TIMEOUT_S = 10.0


class GuildMemberNames:
    """Display names from discord.py's member cache, then the gateway's member request by
    id (no privileged intent needed; results are cached by discord.py for next time).

    A name that cannot be found in time is simply missing; callers show a neutral
    placeholder instead of failing.
    """

    def __init__(
        self,
        bot: discord.Client,
        *,
        timeout: float = NAME_LOOKUP_TIMEOUT_S,
        max_requests: int = NAME_REQUESTS_PER_LOOKUP,
    ) -> None:
        self.bot = bot
        self.timeout = timeout
        self.max_requests = max_requests

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return {}
        names: dict[int, str] = {}
        missing: list[int] = []
        for user_id in dict.fromkeys(user_ids):
            member = guild.get_member(user_id)
            if member is not None:
                names[user_id] = member.display_name
            else:
                missing.append(user_id)
        for start in range(0, min(len(missing), _CHUNK * self.max_requests), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            try:
                found = await asyncio.wait_for(
                    guild.query_members(user_ids=chunk, limit=len(chunk), cache=True),
                    self.timeout,
                )
            except (TimeoutError, discord.ClientException, RuntimeError) as exc:
                log.warning("guild=%s member name lookup failed: %r", guild_id, exc)
                break
            for member in found:
                names[member.id] = member.display_name
        return names
