"""Books: the local metadata cache, the books each server knows, cached searches, stats.

Two kinds of books share the table. The catalogue's records (Open Library, Google Books) are
a metadata cache every server may see; their ISBNs are filed in ``book_isbns``. Books members
made (``/book add``, an import's unmatched rows; :data:`MEMBER_SOURCES`) belong to the
servers that link them in ``guild_books``: every lookup takes the server's id and sees them
only there (:func:`visible_to`), a catalogue record never merges into one, and their ISBN
(``books.isbn13``) is theirs only — it is not filed in ``book_isbns``, so it never decides
what that ISBN means in another server. (Rows filed there before this rule are ignored by
lookups and taken over by the catalogue's record when it comes.)

Length (~450 lines): the books table, its ISBNs, server links and cached searches are
one visibility rule (:func:`visible_to`), kept in one place so no query forgets it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.engine import Connection, RowMapping
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
from bot.domain.book import CATALOGUE_SOURCES, MEMBER_SOURCES, Book
from bot.domain.text import search_key


def book_from_row(row: RowMapping | Mapping[str, Any]) -> Book:
    """A ``books`` row (all its columns, as mapped by a query or as a dict) as a Book."""
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


def known_to(guild_id: int) -> ColumnElement[bool]:
    """The server links the book (its members used it)."""
    return (
        select(literal(1))
        .where(guild_books.c.guild_id == guild_id, guild_books.c.book_id == books.c.id)
        .exists()
    )


def from_catalogue() -> ColumnElement[bool]:
    return books.c.source.in_(CATALOGUE_SOURCES)


def visible_to(guild_id: int) -> ColumnElement[bool]:
    """Books a server may see: the catalogue's, and member-made books it links."""
    return or_(from_catalogue(), known_to(guild_id))


# one book as a server sees it, built once (bindparam) for the unit of work below
_BOOK_SEEN_BY = select(books).where(
    books.c.id == bindparam("book_id"),
    or_(
        from_catalogue(),
        select(literal(1))
        .where(
            guild_books.c.guild_id == bindparam("guild_id"),
            guild_books.c.book_id == books.c.id,
        )
        .exists(),
    ),
)


_BOOK_BY_ID = select(books).where(books.c.id == bindparam("book_id"))


def book_by_id(conn: Connection, book_id: int) -> Book | None:
    """The book, whoever may see it (the caller checked); a unit of work."""
    first = conn.execute(_BOOK_BY_ID, {"book_id": book_id}).mappings().first()
    return book_from_row(first) if first else None


def book_seen_by(conn: Connection, book_id: int, guild_id: int) -> Book | None:
    """The book if that server may see it (the catalogue's, or one it links); a unit of
    work for :meth:`bot.db.engine.Database.run_read`."""
    row = conn.execute(_BOOK_SEEN_BY, {"book_id": book_id, "guild_id": guild_id}).mappings()
    first = row.first()
    return book_from_row(first) if first else None


async def get(conn: AsyncConnection, book_id: int, *, guild_id: int | None = None) -> Book | None:
    """The book; with ``guild_id``, only if that server may see it (an id a member typed)."""
    query = select(books).where(books.c.id == book_id)
    if guild_id is not None:
        query = query.where(visible_to(guild_id))
    row = (await conn.execute(query)).mappings().first()
    return book_from_row(row) if row else None


async def get_many(
    conn: AsyncConnection, book_ids: Sequence[int], *, guild_id: int | None = None
) -> list[Book]:
    """Books in the order of `book_ids` (missing ids are skipped); with ``guild_id``, only
    those that server may see."""
    if not book_ids:
        return []
    query = select(books).where(books.c.id.in_(book_ids))
    if guild_id is not None:
        query = query.where(visible_to(guild_id))
    rows = (await conn.execute(query)).mappings()
    found = {row["id"]: book_from_row(row) for row in rows}
    return [found[i] for i in book_ids if i in found]


def _has_isbn(isbn13: str) -> ColumnElement[bool]:
    """The catalogue filed the ISBN under the book, or a member typed it for their book."""
    filed = select(book_isbns.c.book_id).where(book_isbns.c.isbn13 == isbn13)
    return or_(
        and_(from_catalogue(), books.c.id.in_(filed)),
        and_(books.c.source.in_(MEMBER_SOURCES), books.c.isbn13 == isbn13),
    )


async def find_by_isbn(conn: AsyncConnection, isbn13: str, guild_id: int) -> Book | None:
    """The book with that ISBN-13 as the server sees it: one it already knows first, then the
    catalogue's record; never another server's member-made book."""
    known = known_to(guild_id)
    query = (
        select(books)
        .where(_has_isbn(isbn13), or_(from_catalogue(), known))
        .order_by(case((known, 0), else_=1), case((from_catalogue(), 0), else_=1), books.c.id)
        .limit(1)
    )
    row = (await conn.execute(query)).mappings().first()
    return book_from_row(row) if row else None


async def _existing_id(conn: AsyncConnection, book: Book) -> int | None:
    """The catalogue record ``book`` (a catalogue's answer) is already stored as, if any."""
    conditions = []
    if book.ol_work_key:
        conditions.append(books.c.ol_work_key == book.ol_work_key)
    if book.google_volume_id:
        conditions.append(books.c.google_volume_id == book.google_volume_id)
    if conditions:
        found = (
            await conn.execute(select(books.c.id).where(or_(*conditions), from_catalogue()))
        ).scalar()
        if found is not None:
            return int(found)
    isbns = [i for i in (book.isbn13, *book.isbns) if i]
    if isbns:
        by_isbn = (
            select(book_isbns.c.book_id)
            .join(books, books.c.id == book_isbns.c.book_id)
            .where(book_isbns.c.isbn13.in_(isbns), from_catalogue())
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
    """Store a book and return it with its id.

    A catalogue's record is matched with the stored catalogue records (by work key, volume
    id or any ISBN) and refreshes the match, never with an empty field; it never merges into
    a member-made book. A member-made book (source manual or import, from the server
    ``created_by_guild_id``) is always a new row, and its ISBN is not filed for lookups by
    other servers (:func:`find_by_isbn` finds it through the server's link).
    """
    values = _values(book)
    if book.member_made:
        result = await conn.execute(
            books.insert().values(
                **values, created_by_guild_id=created_by_guild_id, created_at=now, updated_at=now
            )
        )
        made = await get(conn, int(result.inserted_primary_key[0]))  # type: ignore[index]
        assert made is not None
        return made
    book_id = await _existing_id(conn, book)
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
        await _file_isbns(conn, book_id, wanted)
    stored = await get(conn, book_id)
    assert stored is not None
    return stored


async def _file_isbns(conn: AsyncConnection, book_id: int, wanted: Sequence[str]) -> None:
    """File the catalogue record's ISBNs. One already filed under another catalogue work
    stays there (Open Library data overlaps); one filed under a member-made book (before
    member-made books stopped being filed) is the catalogue's now. ON CONFLICT DO NOTHING:
    another transaction may file the same ISBN at the same time."""
    member_made = select(books.c.id).where(books.c.source.in_(MEMBER_SOURCES))
    await conn.execute(
        book_isbns.update()
        .where(book_isbns.c.isbn13.in_(wanted), book_isbns.c.book_id.in_(member_made))
        .values(book_id=book_id)
    )
    await conn.execute(
        insert_missing(conn, book_isbns), [{"isbn13": i, "book_id": book_id} for i in wanted]
    )


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
    """Prefix and word matches on title/subtitle/authors, case- and accent-insensitive,
    among the books the server may see (:func:`visible_to`).

    Books this server knows come first, then the rest of the catalogue's; within each, title
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
    known = known_to(guild_id)
    query_stmt = (
        select(books)
        .where(and_(*word_conditions), or_(from_catalogue(), known))
        .order_by(
            case((known, 0), else_=1),
            case((books.c.search_key.like(f"{escaped}%", escape="\\"), 0), else_=1),
            func.length(books.c.title),
            books.c.id,
        )
        .limit(limit)
    )
    rows = (await conn.execute(query_stmt)).mappings()
    return [book_from_row(row) for row in rows]


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


def _members_with(status: str) -> Any:
    return (
        select(func.count(func.distinct(readings.c.user_id)))
        .where(
            readings.c.guild_id == bindparam("guild_id"),
            readings.c.book_id == bindparam("book_id"),
            readings.c.status == status,
        )
        .scalar_subquery()
    )


def _rated() -> Any:
    return (ratings.c.guild_id == bindparam("guild_id")) & (
        ratings.c.book_id == bindparam("book_id")
    )


# one statement of scalar subqueries, built once (bindparam)
_GUILD_STATS = select(
    select(func.count()).where(_rated()).scalar_subquery(),
    select(func.avg(ratings.c.quarters)).where(_rated()).scalar_subquery(),
    _members_with("reading"),
    _members_with("finished"),
    select(func.count())
    .where(reviews.c.guild_id == bindparam("guild_id"), reviews.c.book_id == bindparam("book_id"))
    .scalar_subquery(),
)


def stats_in(conn: Connection, guild_id: int, book_id: int) -> BookStats:
    """This server's numbers for a book, in one statement; a unit of work."""
    row = conn.execute(_GUILD_STATS, {"guild_id": guild_id, "book_id": book_id}).one()
    return BookStats(
        rating_count=int(row[0]),
        rating_average_quarters=float(row[1]) if row[1] is not None else None,
        reading_now=int(row[2]),
        finished=int(row[3]),
        reviews=int(row[4]),
    )


async def guild_stats(conn: AsyncConnection, guild_id: int, book_id: int) -> BookStats:
    """:func:`stats_in` for callers holding an ``AsyncConnection``."""
    return await conn.run_sync(stats_in, guild_id, book_id)


# --- rows for the in-memory autocomplete index -------------------------------------------


async def index_rows(conn: AsyncConnection, after_id: int = 0) -> list[Book]:
    """Lightweight books (no description/subjects) with id > after_id, for the index (their
    source says whether every server may see them)."""
    query = select(
        books.c.id,
        books.c.title,
        books.c.subtitle,
        books.c.authors,
        books.c.first_year,
        books.c.source,
    ).where(books.c.id > after_id)
    rows = (await conn.execute(query.order_by(books.c.id))).mappings()
    return [
        Book(
            id=row["id"],
            title=row["title"],
            subtitle=row["subtitle"],
            authors=tuple(row["authors"] or ()),
            first_year=row["first_year"],
            source=row["source"],
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
