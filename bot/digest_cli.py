"""``marginalia digest preview --guild ID``: print the digest that would be posted now.

It is built by the same :class:`~bot.services.digest.DigestService` the bot posts with, so
the text is the digest's own (:meth:`~bot.domain.digest.Digest.to_text`). Member names come
from Discord's REST API when ``DISCORD_TOKEN`` is set (no gateway connection is opened);
without a token, or when Discord cannot be reached, neutral placeholders stand in for them
and a note says so on stderr.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

import discord

from bot.config import Settings, apply_discord_endpoints, silence_voice_warnings
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.clock import Clock, SystemClock
from bot.services.clubs import MemberDirectory
from bot.services.digest import DigestService

EXIT_OK = 0
EXIT_FAILURE = 1
_LOOKUPS_AT_ONCE = 5


class NoNames:
    """A directory that knows nobody: every member shows as a placeholder."""

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        return {}


class RestMemberNames:
    """Names through ``GET /guilds/{id}/members/{user}`` (no privileged intent needed)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        slots = asyncio.Semaphore(_LOOKUPS_AT_ONCE)
        names: dict[int, str] = {}

        async def one(user_id: int) -> None:
            async with slots:
                try:
                    data = await self.client.http.get_member(guild_id, user_id)
                except discord.HTTPException:
                    return
            user = data.get("user") or {}
            name = data.get("nick") or user.get("global_name") or user.get("username")
            if name:
                names[user_id] = str(name)

        await asyncio.gather(*(one(u) for u in user_ids))
        return names


async def run_digest_preview(
    settings: Settings,
    database: Database,
    guild_id: int,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Clock | None = None,
    directory: MemberDirectory | None = None,
) -> int:
    """Print guild ``guild_id``'s digest as it would be posted now; return the exit status.

    ``directory`` replaces the name lookup (tests); by default names come from Discord's
    REST API when a token is configured.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if guild_id <= 0:
        print("marginalia: --guild must be a server id (a positive number)", file=err)
        return EXIT_FAILURE
    if await migrate.current_revision(database) != migrate.head_revision():
        print(
            "marginalia: the database is not up to date; run `marginalia migrate` first",
            file=err,
        )
        return EXIT_FAILURE
    clock = clock or SystemClock()
    if directory is not None:
        text = await DigestService(database, clock, directory).preview_text(guild_id)
        out.write(text)
        return EXIT_OK
    client = await _rest_client(settings, err)
    try:
        names: MemberDirectory = RestMemberNames(client) if client is not None else NoNames()
        text = await DigestService(database, clock, names).preview_text(guild_id)
    finally:
        if client is not None:
            await client.close()
    out.write(text)
    return EXIT_OK


async def _rest_client(settings: Settings, err: TextIO) -> discord.Client | None:
    """A logged-in REST-only client, or None (with a note) when names cannot be looked up."""
    if not settings.discord_token:
        print("note: DISCORD_TOKEN is not set; member names are placeholders", file=err)
        return None
    apply_discord_endpoints(settings)
    silence_voice_warnings()
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(settings.require_token())
    except (discord.HTTPException, discord.LoginFailure, OSError) as exc:
        await client.close()
        print(
            f"note: Discord could not be reached ({type(exc).__name__}); "
            "member names are placeholders",
            file=err,
        )
        return None
    return client
