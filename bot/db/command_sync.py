"""The hash of the command tree last synced to Discord, per scope (global or a guild)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_or_update
from bot.db.schema import command_sync_state


async def get_hash(conn: AsyncConnection, scope: str) -> str | None:
    result = await conn.execute(
        select(command_sync_state.c.payload_hash).where(command_sync_state.c.scope == scope)
    )
    return result.scalar_one_or_none()


async def set_hash(conn: AsyncConnection, scope: str, payload_hash: str, now: datetime) -> None:
    # an upsert: several processes (shards) may sync at the same time
    values = {"scope": scope, "payload_hash": payload_hash, "synced_at": now}
    await conn.execute(insert_or_update(conn, command_sync_state, values, ["scope"]))
