"""Numbers for ``/stats``: the member's ratings and closed readings in one server."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import ratings, readings
from bot.domain.reading import ReadingStatus

__all__ = ["count_closed", "ratings_of"]


async def ratings_of(conn: AsyncConnection, guild_id: int, user_id: int) -> dict[int, int]:
    """The member's ratings in this server: book id → quarter-stars."""
    query = select(ratings.c.book_id, ratings.c.quarters).where(
        ratings.c.guild_id == guild_id, ratings.c.user_id == user_id
    )
    return {int(book): int(quarters) for book, quarters in (await conn.execute(query)).all()}


async def count_closed(
    conn: AsyncConnection,
    guild_id: int,
    user_id: int,
    status: ReadingStatus,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Readings in ``status`` closed with ``start <= finished_on < end`` (open bounds: all)."""
    query = select(func.count()).where(
        readings.c.guild_id == guild_id,
        readings.c.user_id == user_id,
        readings.c.status == status.value,
    )
    if start is not None:
        query = query.where(readings.c.finished_on >= start)
    if end is not None:
        query = query.where(readings.c.finished_on < end)
    return int((await conn.execute(query)).scalar_one())
