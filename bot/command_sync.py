"""Command sync per SPEC §2: `auto` syncs only when the tree payload changed (hash in the DB).

It is handed the tree, the database and the clock (not the bot), so it depends on nothing
above it: :mod:`bot.app` calls it from ``setup_hook``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from bot.config import SyncMode
from bot.db import command_sync as sync_repo
from bot.db.engine import Database
from bot.domain.clock import Clock

log = logging.getLogger(__name__)

Tree = app_commands.CommandTree[Any]


def tree_payload(tree: Tree, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    """The JSON discord.py would PUT for this scope, sorted for a stable hash."""
    commands = tree.get_commands(guild=guild)
    payload = [command.to_dict(tree) for command in commands]
    return sorted(payload, key=lambda item: (item.get("type", 1), item["name"]))


def payload_hash(payload: list[dict[str, Any]]) -> str:
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def sync_commands(
    tree: Tree,
    database: Database,
    clock: Clock,
    *,
    mode: SyncMode,
    guild_id: int | None,
) -> str:
    """Sync ``tree`` according to ``mode`` (globally, or to ``guild_id`` only); returns a short
    description of what happened."""
    guild = discord.Object(id=guild_id) if guild_id else None
    scope = str(guild_id) if guild_id else "global"
    if guild is not None:
        tree.copy_global_to(guild=guild)
    if mode == SyncMode.NEVER:
        return "skipped (SYNC_COMMANDS=never)"
    digest = payload_hash(tree_payload(tree, guild))
    if mode == SyncMode.AUTO:
        async with database.read() as conn:
            previous = await sync_repo.get_hash(conn, scope)
        if previous == digest:
            log.info("command tree unchanged for scope %s; not syncing", scope)
            return f"unchanged ({scope})"
    synced = await tree.sync(guild=guild)
    async with database.write() as conn:
        await sync_repo.set_hash(conn, scope, digest, clock.now())
    log.info("synced %d commands to scope %s", len(synced), scope)
    return f"synced {len(synced)} commands ({scope})"
