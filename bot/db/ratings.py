"""Ratings: one row per member per book per server, stars as quarter-stars (2..20)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_or_update
from bot.db.schema import ratings


async def get(conn: AsyncConnection, guild_id: int, user_id: int, book_id: int) -> int | None:
    """The member's rating of the book in quarter-stars, or None."""
    result = await conn.execute(
        select(ratings.c.quarters).where(
            ratings.c.guild_id == guild_id,
            ratings.c.user_id == user_id,
            ratings.c.book_id == book_id,
        )
    )
    value = result.scalar_one_or_none()
    return int(value) if value is not None else None


async def put(
    conn: AsyncConnection,
    guild_id: int,
    user_id: int,
    book_id: int,
    quarters: int,
    now: datetime,
    *,
    source: str = "discord",
) -> int | None:
    """Set the member's rating (replacing any earlier one); returns the previous value.
    An upsert, so a second rating sent at the same moment replaces the first."""
    previous = await get(conn, guild_id, user_id, book_id)
    row = {
        "guild_id": guild_id,
        "user_id": user_id,
        "book_id": book_id,
        "quarters": quarters,
        "source": source,
        "created_at": now,
        "updated_at": now,
    }
    key = ["guild_id", "user_id", "book_id"]
    await conn.execute(insert_or_update(conn, ratings, row, key, keep=["created_at"]))
    return previous


async def distribution(conn: AsyncConnection, guild_id: int, book_id: int) -> dict[int, int]:
    """How many ratings of each quarter value the book has in this server."""
    rows = await conn.execute(
        select(ratings.c.quarters, func.count())
        .where(ratings.c.guild_id == guild_id, ratings.c.book_id == book_id)
        .group_by(ratings.c.quarters)
    )
    return {int(quarters): int(count) for quarters, count in rows.all()}


async def guild_value_counts(conn: AsyncConnection, guild_id: int) -> dict[int, int]:
    """How many ratings of each quarter value the whole server has (for step changes)."""
    rows = await conn.execute(
        select(ratings.c.quarters, func.count())
        .where(ratings.c.guild_id == guild_id)
        .group_by(ratings.c.quarters)
    )
    return {int(quarters): int(count) for quarters, count in rows.all()}
