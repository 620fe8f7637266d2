"""Command sync per SPEC §2: `auto` syncs only when the tree payload changed (hash in the DB)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.db import command_sync as sync_repo

if TYPE_CHECKING:
    from bot.app import MarginaliaBot

log = logging.getLogger(__name__)


def tree_payload(bot: MarginaliaBot, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    """The JSON discord.py would PUT for this scope, sorted for a stable hash."""
    commands = bot.tree.get_commands(guild=guild)
    payload = [command.to_dict(bot.tree) for command in commands]
    return sorted(payload, key=lambda item: (item.get("type", 1), item["name"]))


def payload_hash(payload: list[dict[str, Any]]) -> str:
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def sync_commands(bot: MarginaliaBot, *, force: bool = False) -> str:
    """Sync according to `bot.sync_mode`; returns a short description of what happened."""
    mode = "always" if force else bot.sync_mode
    guild = discord.Object(id=bot.sync_guild_id) if bot.sync_guild_id else None
    scope = str(bot.sync_guild_id) if bot.sync_guild_id else "global"
    if guild is not None:
        bot.tree.copy_global_to(guild=guild)
    if mode == "never":
        return "skipped (SYNC_COMMANDS=never)"
    digest = payload_hash(tree_payload(bot, guild))
    if mode == "auto":
        async with bot.database.read() as conn:
            previous = await sync_repo.get_hash(conn, scope)
        if previous == digest:
            log.info("command tree unchanged for scope %s; not syncing", scope)
            return f"unchanged ({scope})"
    synced = await bot.tree.sync(guild=guild)
    async with bot.database.write() as conn:
        await sync_repo.set_hash(conn, scope, digest, bot.clock.now())
    log.info("synced %d commands to scope %s", len(synced), scope)
    return f"synced {len(synced)} commands ({scope})"
