"""Yearly reading goals: one target per member per year per server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_or_update
from bot.db.schema import goals

__all__ = ["Goal", "for_member", "get", "put"]


@dataclass(frozen=True, slots=True)
class Goal:
    guild_id: int
    user_id: int
    year: int
    target: int
    updated_at: datetime


async def get(conn: AsyncConnection, guild_id: int, user_id: int, year: int) -> Goal | None:
    query = select(goals.c.target, goals.c.updated_at).where(
        goals.c.guild_id == guild_id, goals.c.user_id == user_id, goals.c.year == year
    )
    row = (await conn.execute(query)).first()
    return Goal(guild_id, user_id, year, int(row[0]), row[1]) if row else None


async def for_member(conn: AsyncConnection, guild_id: int, user_id: int) -> list[Goal]:
    """Every goal the member set in this server, newest year first."""
    query = (
        select(goals.c.year, goals.c.target, goals.c.updated_at)
        .where(goals.c.guild_id == guild_id, goals.c.user_id == user_id)
        .order_by(goals.c.year.desc())
    )
    return [
        Goal(guild_id, user_id, int(year), int(target), updated)
        for year, target, updated in (await conn.execute(query)).all()
    ]


async def put(
    conn: AsyncConnection, guild_id: int, user_id: int, year: int, target: int, now: datetime
) -> int | None:
    """Set the member's goal for ``year``; returns the previous target, if any."""
    previous = await get(conn, guild_id, user_id, year)
    row = {"guild_id": guild_id, "user_id": user_id, "year": year, "target": target}
    key = ["guild_id", "user_id", "year"]
    # an upsert: the same command sent twice at once must not fail on the key
    await conn.execute(insert_or_update(conn, goals, {**row, "updated_at": now}, key))
    return previous.target if previous is not None else None
