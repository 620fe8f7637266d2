"""The hash of the command tree last synced to Discord, per scope (global or a guild)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import command_sync_state


async def get_hash(conn: AsyncConnection, scope: str) -> str | None:
    result = await conn.execute(
        select(command_sync_state.c.payload_hash).where(command_sync_state.c.scope == scope)
    )
    return result.scalar_one_or_none()


async def set_hash(conn: AsyncConnection, scope: str, payload_hash: str, now: datetime) -> None:
    table = command_sync_state
    updated = await conn.execute(
        table.update()
        .where(table.c.scope == scope)
        .values(payload_hash=payload_hash, synced_at=now)
    )
    if updated.rowcount == 0:
        await conn.execute(
            table.insert().values(scope=scope, payload_hash=payload_hash, synced_at=now)
        )
