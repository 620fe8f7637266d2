"""Ratings: one row per member per book per server, stars as quarter-stars (2..20).

The queries are plain sync functions over statements built once (``bindparam``), for units
of work (:meth:`bot.db.engine.Database.run_write`); SQLAlchemy then finds their compiled
form in its cache instead of building and hashing a new statement on every call. The
``async`` functions at the end run the same queries for callers still holding an
``AsyncConnection``.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from bot.db.dialect import insert_for
from bot.db.schema import ratings

_RATING = select(ratings.c.quarters).where(
    ratings.c.guild_id == bindparam("guild_id"),
    ratings.c.user_id == bindparam("user_id"),
    ratings.c.book_id == bindparam("book_id"),
)
_DISTRIBUTION = (
    select(ratings.c.quarters, func.count())
    .where(ratings.c.guild_id == bindparam("guild_id"), ratings.c.book_id == bindparam("book_id"))
    .group_by(ratings.c.quarters)
)
_GUILD_VALUE_COUNTS = (
    select(ratings.c.quarters, func.count())
    .where(ratings.c.guild_id == bindparam("guild_id"))
    .group_by(ratings.c.quarters)
)


# the member's rating, locked until the transaction ends (PostgreSQL; SQLite's writer is
# alone anyway and SQLAlchemy leaves FOR UPDATE out there)
_RATING_FOR_UPDATE = _RATING.with_for_update()
_UPDATE = (
    update(ratings)
    .where(
        ratings.c.guild_id == bindparam("g"),
        ratings.c.user_id == bindparam("u"),
        ratings.c.book_id == bindparam("b"),
    )
    .values(
        quarters=bindparam("quarters"),
        source=bindparam("source"),
        updated_at=bindparam("now", type_=ratings.c.updated_at.type),
    )
)


@functools.cache
def _insert_new(dialect_name: str) -> ReturningInsert[Any]:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING``: a row only if the member had none."""
    return (
        insert_for(dialect_name, ratings)
        .on_conflict_do_nothing(index_elements=["guild_id", "user_id", "book_id"])
        .returning(ratings.c.quarters)
    )


def rating_of(conn: Connection, guild_id: int, user_id: int, book_id: int) -> int | None:
    """The member's rating of the book in quarter-stars, or None."""
    value = conn.execute(
        _RATING, {"guild_id": guild_id, "user_id": user_id, "book_id": book_id}
    ).scalar_one_or_none()
    return int(value) if value is not None else None


def put_rating(
    conn: Connection,
    guild_id: int,
    user_id: int,
    book_id: int,
    quarters: int,
    now: datetime,
    *,
    source: str = "discord",
) -> int | None:
    """Set the member's rating (replacing any earlier one); returns the previous value.

    Two ratings of one book by one member sent at the same moment: the second waits for the
    first (its row lock, or the unique key of a row just inserted) and reports the first as
    its previous value, on PostgreSQL as on SQLite."""
    key = {"guild_id": guild_id, "user_id": user_id, "book_id": book_id}
    previous = conn.execute(_RATING_FOR_UPDATE, key).scalar_one_or_none()
    if previous is None:
        row = {**key, "quarters": quarters, "source": source, "created_at": now, "updated_at": now}
        if conn.execute(_insert_new(conn.dialect.name), row).first() is not None:
            return None
        # another transaction rated it first and has committed: that is the previous value
        previous = conn.execute(_RATING_FOR_UPDATE, key).scalar_one()
    conn.execute(
        _UPDATE,
        {
            "g": guild_id,
            "u": user_id,
            "b": book_id,
            "quarters": quarters,
            "source": source,
            "now": now,
        },
    )
    return int(previous)


def distribution_of(conn: Connection, guild_id: int, book_id: int) -> dict[int, int]:
    """How many ratings of each quarter value the book has in this server."""
    rows = conn.execute(_DISTRIBUTION, {"guild_id": guild_id, "book_id": book_id})
    return {int(quarters): int(count) for quarters, count in rows.all()}


def value_counts_of(conn: Connection, guild_id: int) -> dict[int, int]:
    """How many ratings of each quarter value the whole server has (for step changes)."""
    rows = conn.execute(_GUILD_VALUE_COUNTS, {"guild_id": guild_id})
    return {int(quarters): int(count) for quarters, count in rows.all()}


# --- the same queries for an AsyncConnection -------------------------------------------------


async def get(conn: AsyncConnection, guild_id: int, user_id: int, book_id: int) -> int | None:
    return await conn.run_sync(rating_of, guild_id, user_id, book_id)


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
    return await conn.run_sync(
        lambda sync: put_rating(sync, guild_id, user_id, book_id, quarters, now, source=source)
    )


async def distribution(conn: AsyncConnection, guild_id: int, book_id: int) -> dict[int, int]:
    return await conn.run_sync(distribution_of, guild_id, book_id)


async def guild_value_counts(conn: AsyncConnection, guild_id: int) -> dict[int, int]:
    return await conn.run_sync(value_counts_of, guild_id)
