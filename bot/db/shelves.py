"""Members' own shelves ("favourites", "literature") and the books on them.

Status shelves are not stored here: they are the statuses of readings (see
:func:`bot.db.readings.current_per_book`). ``shelf_books`` carries no guild id, so every
query reaches it through ``shelves``, which does, and filters on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing
from bot.db.schema import shelf_books, shelves
from bot.domain.shelves import ShelfName

__all__ = [
    "Shelf",
    "add_book",
    "book_count",
    "book_ids_on",
    "create",
    "delete",
    "find",
    "list_for_member",
    "remove_book",
    "shelves_of_book",
]


@dataclass(frozen=True, slots=True)
class Shelf:
    id: int
    guild_id: int
    user_id: int
    name: str
    name_key: str
    created_at: datetime
    book_count: int = 0


def _shelf(row: RowMapping, count: int = 0) -> Shelf:
    return Shelf(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        name=str(row["name"]),
        name_key=str(row["name_key"]),
        created_at=row["created_at"],
        book_count=count,
    )


async def list_for_member(conn: AsyncConnection, guild_id: int, user_id: int) -> list[Shelf]:
    """The member's shelves with their book counts, by name."""
    counts = (
        select(shelf_books.c.shelf_id, func.count().label("n"))
        .group_by(shelf_books.c.shelf_id)
        .subquery()
    )
    query = (
        select(shelves, func.coalesce(counts.c.n, 0).label("book_count"))
        .outerjoin(counts, counts.c.shelf_id == shelves.c.id)
        .where(shelves.c.guild_id == guild_id, shelves.c.user_id == user_id)
        .order_by(shelves.c.name_key)
    )
    rows = (await conn.execute(query)).mappings()
    return [_shelf(row, int(row["book_count"])) for row in rows]


async def find(conn: AsyncConnection, guild_id: int, user_id: int, key: str) -> Shelf | None:
    query = select(shelves).where(
        shelves.c.guild_id == guild_id, shelves.c.user_id == user_id, shelves.c.name_key == key
    )
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        return None
    return _shelf(row, await book_count(conn, int(row["id"])))


async def create(
    conn: AsyncConnection, guild_id: int, user_id: int, name: ShelfName, now: datetime
) -> Shelf:
    result = await conn.execute(
        shelves.insert().values(
            guild_id=guild_id, user_id=user_id, name=name.display, name_key=name.key, created_at=now
        )
    )
    shelf_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return Shelf(shelf_id, guild_id, user_id, name.display, name.key, now, 0)


async def delete(conn: AsyncConnection, shelf: Shelf) -> None:
    await conn.execute(shelf_books.delete().where(shelf_books.c.shelf_id == shelf.id))
    await conn.execute(
        shelves.delete().where(shelves.c.id == shelf.id, shelves.c.guild_id == shelf.guild_id)
    )


async def book_count(conn: AsyncConnection, shelf_id: int) -> int:
    query = select(func.count()).where(shelf_books.c.shelf_id == shelf_id)
    return int((await conn.execute(query)).scalar_one())


async def add_book(conn: AsyncConnection, shelf: Shelf, book_id: int, now: datetime) -> bool:
    """Put the book on the shelf; False when it was already there (ON CONFLICT DO NOTHING,
    so also when the same book is added twice at the same time)."""
    result = await conn.execute(
        insert_missing(conn, shelf_books).values(shelf_id=shelf.id, book_id=book_id, added_at=now)
    )
    return result.rowcount == 1


async def remove_book(conn: AsyncConnection, shelf: Shelf, book_id: int) -> bool:
    """Take the book off the shelf; False when it was not on it."""
    result = await conn.execute(
        shelf_books.delete().where(
            shelf_books.c.shelf_id == shelf.id, shelf_books.c.book_id == book_id
        )
    )
    return bool(result.rowcount)


async def book_ids_on(conn: AsyncConnection, shelf: Shelf) -> list[int]:
    """The books on the shelf, most recently added first."""
    query = (
        select(shelf_books.c.book_id)
        .join(shelves, shelves.c.id == shelf_books.c.shelf_id)
        .where(shelves.c.id == shelf.id, shelves.c.guild_id == shelf.guild_id)
        .order_by(shelf_books.c.added_at.desc(), shelf_books.c.book_id.desc())
    )
    return [int(i) for i in (await conn.execute(query)).scalars()]


async def shelves_of_book(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> list[str]:
    """The names of the member's shelves that hold the book."""
    query = (
        select(shelves.c.name)
        .join(shelf_books, shelf_books.c.shelf_id == shelves.c.id)
        .where(
            shelves.c.guild_id == guild_id,
            shelves.c.user_id == user_id,
            shelf_books.c.book_id == book_id,
        )
        .order_by(shelves.c.name_key)
    )
    return [str(n) for n in (await conn.execute(query)).scalars()]
