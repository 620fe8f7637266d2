"""Books: the local metadata cache, the books each server knows, cached searches, stats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing, insert_or_update
from bot.db.schema import (
    book_isbns,
    books,
    guild_books,
    metadata_search_cache,
    ratings,
    readings,
    reviews,
)
from bot.domain.book import Book
from bot.domain.text import search_key


def _book_from_row(row: RowMapping) -> Book:
    return Book(
        id=row["id"],
        title=row["title"],
        subtitle=row["subtitle"],
        authors=tuple(row["authors"] or ()),
        first_year=row["first_year"],
        page_count=row["page_count"],
        isbn13=row["isbn13"],
        isbn10=row["isbn10"],
        subjects=tuple(row["subjects"] or ()),
        description=row["description"],
        cover_url=row["cover_url"],
        ol_work_key=row["ol_work_key"],
        google_volume_id=row["google_volume_id"],
        source=row["source"],
    )


def _values(book: Book) -> dict[str, Any]:
    return {
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": list(book.authors),
        "first_year": book.first_year,
        "page_count": book.page_count,
        "isbn13": book.isbn13,
        "isbn10": book.isbn10,
        "subjects": list(book.subjects),
        "description": book.description,
        "cover_url": book.cover_url,
        "ol_work_key": book.ol_work_key,
        "google_volume_id": book.google_volume_id,
        "source": book.source,
        "search_key": search_key(book.title, book.subtitle, *book.authors)[:1024],
    }


async def get(conn: AsyncConnection, book_id: int) -> Book | None:
    row = (await conn.execute(select(books).where(books.c.id == book_id))).mappings().first()
    return _book_from_row(row) if row else None


async def get_many(conn: AsyncConnection, book_ids: Sequence[int]) -> list[Book]:
    """Books in the order of `book_ids` (missing ids are skipped)."""
    if not book_ids:
        return []
    rows = (await conn.execute(select(books).where(books.c.id.in_(book_ids)))).mappings()
    found = {row["id"]: _book_from_row(row) for row in rows}
    return [found[i] for i in book_ids if i in found]


async def find_by_isbn(conn: AsyncConnection, isbn13: str) -> Book | None:
    query = (
        select(books)
        .join(book_isbns, book_isbns.c.book_id == books.c.id)
        .where(book_isbns.c.isbn13 == isbn13)
    )
    row = (await conn.execute(query)).mappings().first()
    return _book_from_row(row) if row else None


async def _existing_id(conn: AsyncConnection, book: Book) -> int | None:
    conditions = []
    if book.ol_work_key:
        conditions.append(books.c.ol_work_key == book.ol_work_key)
    if book.google_volume_id:
        conditions.append(books.c.google_volume_id == book.google_volume_id)
    if conditions:
        found = (await conn.execute(select(books.c.id).where(or_(*conditions)))).scalar()
        if found is not None:
            return int(found)
    isbns = [i for i in (book.isbn13, *book.isbns) if i]
    if isbns:
        by_isbn = (
            select(book_isbns.c.book_id)
            .join(books, books.c.id == book_isbns.c.book_id)
            .where(book_isbns.c.isbn13.in_(isbns))
        )
        if book.ol_work_key:
            # a shared ISBN never merges two different Open Library works
            by_isbn = by_isbn.where(books.c.ol_work_key.is_(None))
        found = (await conn.execute(by_isbn.limit(1))).scalar()
        if found is not None:
            return int(found)
    return None


async def upsert(
    conn: AsyncConnection, book: Book, now: datetime, *, created_by_guild_id: int | None = None
) -> Book:
    """Store a book (matched by work key, volume id or any ISBN) and return it with its id.

    Metadata from a source refreshes the stored row, but a hand-added book never loses its
    own values to an empty field.
    """
    book_id = await _existing_id(conn, book)
    values = _values(book)
    if book_id is None:
        # ON CONFLICT DO NOTHING: on PostgreSQL another transaction may be storing the same
        # work (or volume) right now; then its row is the one refreshed below
        result = await conn.execute(
            insert_missing(conn, books)
            .values(
                **values, created_by_guild_id=created_by_guild_id, created_at=now, updated_at=now
            )
            .returning(books.c.id)
        )
        new_id = result.scalar_one_or_none()
        if new_id is not None:
            book_id = int(new_id)
        else:
            book_id = await _existing_id(conn, book)
            assert book_id is not None, "a conflicting book row must be visible once committed"
            await _refresh(conn, book_id, values, now)
    else:
        await _refresh(conn, book_id, values, now)
    wanted = sorted({i for i in (book.isbn13, *book.isbns) if i})
    if wanted:
        # an ISBN already filed under another work stays there (Open Library data overlaps);
        # ON CONFLICT DO NOTHING also when another transaction files it at the same time
        await conn.execute(
            insert_missing(conn, book_isbns), [{"isbn13": i, "book_id": book_id} for i in wanted]
        )
    stored = await get(conn, book_id)
    assert stored is not None
    return stored


async def _refresh(
    conn: AsyncConnection, book_id: int, values: dict[str, Any], now: datetime
) -> None:
    """Metadata from a source refreshes the row; empty fields never overwrite stored ones."""
    keep = {k: v for k, v in values.items() if v not in (None, [], "")}
    await conn.execute(books.update().where(books.c.id == book_id).values(**keep, updated_at=now))


async def link_guild(
    conn: AsyncConnection, guild_id: int, book_id: int, user_id: int | None, now: datetime
) -> None:
    """Record that a server knows this book (its members used it); the first link stays.
    ON CONFLICT DO NOTHING: two members may use the book at the same time."""
    await conn.execute(
        insert_missing(conn, guild_books).values(
            guild_id=guild_id, book_id=book_id, added_by=user_id, added_at=now
        )
    )


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_local(
    conn: AsyncConnection, guild_id: int, query: str, limit: int = 25
) -> list[Book]:
    """Prefix and word matches on title/subtitle/authors, case- and accent-insensitive.

    Books this server knows come first, then the rest of the cache; within each, title
    prefix matches before word matches, then shorter titles.
    """
    key = search_key(query)
    if not key:
        return []
    escaped = _like_escape(key)
    words = key.split()
    word_conditions = [
        or_(
            books.c.search_key.like(f"{_like_escape(word)}%", escape="\\"),
            books.c.search_key.like(f"% {_like_escape(word)}%", escape="\\"),
        )
        for word in words
    ]
    known = (
        select(literal(1))
        .where(guild_books.c.guild_id == guild_id, guild_books.c.book_id == books.c.id)
        .exists()
    )
    query_stmt = (
        select(books)
        .where(and_(*word_conditions))
        .order_by(
            case((known, 0), else_=1),
            case((books.c.search_key.like(f"{escaped}%", escape="\\"), 0), else_=1),
            func.length(books.c.title),
            books.c.id,
        )
        .limit(limit)
    )
    rows = (await conn.execute(query_stmt)).mappings()
    return [_book_from_row(row) for row in rows]


async def guild_knows(conn: AsyncConnection, guild_id: int, book_id: int) -> bool:
    found = await conn.execute(
        select(literal(1)).where(
            guild_books.c.guild_id == guild_id, guild_books.c.book_id == book_id
        )
    )
    return found.scalar() is not None


# --- cached remote searches --------------------------------------------------------------


async def cached_search(conn: AsyncConnection, query_key: str, now: datetime) -> list[int] | None:
    row = (
        await conn.execute(
            select(metadata_search_cache.c.book_ids).where(
                metadata_search_cache.c.query_key == query_key,
                metadata_search_cache.c.expires_at > now,
            )
        )
    ).first()
    return [int(i) for i in row[0]] if row else None


async def store_search(
    conn: AsyncConnection, query_key: str, book_ids: Sequence[int], now: datetime, expires: datetime
) -> None:
    # an upsert: two members may run the same search at the same time
    values = {
        "query_key": query_key,
        "book_ids": list(book_ids),
        "fetched_at": now,
        "expires_at": expires,
    }
    await conn.execute(insert_or_update(conn, metadata_search_cache, values, ["query_key"]))


async def purge_expired_searches(conn: AsyncConnection, now: datetime) -> int:
    table = metadata_search_cache
    result = await conn.execute(table.delete().where(table.c.expires_at <= now))
    return int(result.rowcount or 0)


# --- this server's numbers for a book ----------------------------------------------------


@dataclass(frozen=True)
class BookStats:
    rating_count: int = 0
    rating_average_quarters: float | None = None
    reading_now: int = 0
    finished: int = 0
    reviews: int = 0


async def guild_stats(conn: AsyncConnection, guild_id: int, book_id: int) -> BookStats:
    """This server's numbers for a book, in one statement (scalar subqueries)."""
    rated = (ratings.c.guild_id == guild_id) & (ratings.c.book_id == book_id)
    read = (readings.c.guild_id == guild_id) & (readings.c.book_id == book_id)

    def members_with(status: str) -> Any:
        return (
            select(func.count(func.distinct(readings.c.user_id)))
            .where(read, readings.c.status == status)
            .scalar_subquery()
        )

    row = (
        await conn.execute(
            select(
                select(func.count()).where(rated).scalar_subquery(),
                select(func.avg(ratings.c.quarters)).where(rated).scalar_subquery(),
                members_with("reading"),
                members_with("finished"),
                select(func.count())
                .where(reviews.c.guild_id == guild_id, reviews.c.book_id == book_id)
                .scalar_subquery(),
            )
        )
    ).one()
    return BookStats(
        rating_count=int(row[0]),
        rating_average_quarters=float(row[1]) if row[1] is not None else None,
        reading_now=int(row[2]),
        finished=int(row[3]),
        reviews=int(row[4]),
    )


# --- rows for the in-memory autocomplete index -------------------------------------------


async def index_rows(conn: AsyncConnection, after_id: int = 0) -> list[Book]:
    """Lightweight books (no description/subjects) with id > after_id, for the index."""
    query = select(
        books.c.id,
        books.c.title,
        books.c.subtitle,
        books.c.authors,
        books.c.first_year,
        books.c.search_key,
    ).where(books.c.id > after_id)
    rows = (await conn.execute(query.order_by(books.c.id))).mappings()
    return [
        Book(
            id=row["id"],
            title=row["title"],
            subtitle=row["subtitle"],
            authors=tuple(row["authors"] or ()),
            first_year=row["first_year"],
        )
        for row in rows
    ]


async def guild_links(
    conn: AsyncConnection, since: datetime | None = None
) -> list[tuple[int, int, datetime]]:
    query = select(guild_books.c.guild_id, guild_books.c.book_id, guild_books.c.added_at)
    if since is not None:
        query = query.where(guild_books.c.added_at >= since)
    return [(int(g), int(b), a) for g, b, a in (await conn.execute(query)).all()]
