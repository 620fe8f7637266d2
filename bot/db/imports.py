"""The bulk reads and writes of one import, set-based so a 5,000-row file stays fast.

Reads load everything an import compares against in a handful of queries (the books the
file's ISBNs point at, the member's ratings, readings, reviews and shelves in the server);
writes take the lists the import service planned and run each as one ``executemany``
(inserts whose new ids are needed read them back: :func:`_insert_ids`). Nothing here
decides what to write: :mod:`bot.services.imports` does.

Length (~720 lines): the bulk statements of one import (each table's read and its
executemany write) are kept together so one transaction's SQL can be read in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Select, Table, bindparam, func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.books import from_catalogue, known_to, visible_to
from bot.db.dialect import insert_missing
from bot.db.schema import (
    book_isbns,
    books,
    guild_books,
    progress_events,
    ratings,
    readings,
    reviews,
    shelf_books,
    shelves,
)
from bot.domain.book import MEMBER_SOURCES, Book
from bot.domain.reading import EventKind, ReadingStatus
from bot.domain.text import search_key

__all__ = [
    "CHUNK",
    "ImportWrites",
    "MemberLibrary",
    "NewEvent",
    "NewReading",
    "ReadingUpdate",
    "ReviewText",
    "StoredReading",
    "StoredReviewText",
    "StoredShelf",
    "apply_writes",
    "book_ids_by_isbn",
    "books_by_title_prefix",
    "insert_books",
    "link_books",
    "member_library",
]

#: Values per ``IN (…)`` list: well under SQLite's and asyncpg's parameter limits.
CHUNK = 500
#: Rows per ``executemany``. SQLAlchemy prepares each row's parameters on the event loop
#: (~0.05 ms a row), so a 20,000-row write goes in parts with the loop free in between.
WRITE_CHUNK = 250
SOURCE = "import"

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _executemany(
    conn: AsyncConnection, statement: Executable, values: Sequence[dict[str, Any]]
) -> None:
    """``conn.execute(statement, values)`` in parts of :data:`WRITE_CHUNK` rows."""
    for part in _chunks(values, WRITE_CHUNK):
        await conn.execute(statement, list(part))


async def _insert_ids(
    conn: AsyncConnection, table: Table, values: list[dict[str, Any]]
) -> list[int]:
    """Insert the rows with one executemany and return their new ids, in order.

    On PostgreSQL: ``INSERT … RETURNING`` with the parameter order kept. Reading the ids back
    there is wrong, since another import may commit rows between this one's INSERT and its
    SELECT. On SQLite ``RETURNING`` in parameter order is several times slower than a plain
    executemany, and a write transaction is the only writer, so the new ids are exactly the
    ones above the highest id before.
    """
    if not values:
        return []
    id_column = table.c.id
    if conn.dialect.name != "sqlite":
        statement = table.insert().returning(id_column, sort_by_parameter_order=True)
        ids: list[int] = []
        for part in _chunks(values, WRITE_CHUNK):
            returned = await conn.execute(statement, list(part))
            ids += [int(i) for i in returned.scalars()]
        return ids
    before = (await conn.execute(select(func.max(id_column)))).scalar() or 0
    await _executemany(conn, table.insert(), values)
    found = await conn.execute(select(id_column).where(id_column > before).order_by(id_column))
    ids = [int(i) for i in found.scalars()]
    if len(ids) != len(values):
        raise RuntimeError(f"{table.name}: inserted {len(values)} rows, found {len(ids)}")
    return ids


# --- books -------------------------------------------------------------------------------


async def book_ids_by_isbn(
    conn: AsyncConnection, isbns: Iterable[str], guild_id: int
) -> dict[str, int]:
    """ISBN-13 → the book that edition is, as the server sees it (the rules of
    :func:`bot.db.books.find_by_isbn`: a book the server knows first, then the catalogue's
    record; never another server's member-made book), for the ISBNs that are known."""
    wanted = sorted(set(isbns))
    known = known_to(guild_id)
    ranked: dict[str, tuple[int, int, int]] = {}  # isbn → (not known, not catalogue, id)
    for part in _chunks(wanted):
        filed = (
            select(book_isbns.c.isbn13, books.c.id, known, from_catalogue())
            .join(books, books.c.id == book_isbns.c.book_id)
            .where(book_isbns.c.isbn13.in_(part), from_catalogue())
        )
        typed = select(books.c.isbn13, books.c.id, known, from_catalogue()).where(
            books.c.isbn13.in_(part), books.c.source.in_(MEMBER_SOURCES), known
        )
        for query in (filed, typed):
            for isbn, book_id, is_known, is_catalogue in (await conn.execute(query)).all():
                rank = (0 if is_known else 1, 0 if is_catalogue else 1, int(book_id))
                if str(isbn) not in ranked or rank < ranked[str(isbn)]:
                    ranked[str(isbn)] = rank
    return {isbn: rank[2] for isbn, rank in ranked.items()}


def _prefix(conn: AsyncConnection, key: str) -> ColumnElement[bool]:
    """``search_key`` starts with ``key``. On SQLite (binary collation) a range comparison
    uses the index; elsewhere LIKE is the portable spelling."""
    column = books.c.search_key
    if conn.dialect.name == "sqlite":
        return (column >= key) & (column < key + "\U0010ffff")
    return column.startswith(key, autoescape=True)


async def books_by_title_prefix(
    conn: AsyncConnection, key: str, guild_id: int, limit: int = 100
) -> list[Book]:
    """Books the server may see whose search key starts with ``key`` (a title's search
    key), lowest id first."""
    if not key:
        return []
    query = (
        select(books.c.id, books.c.title, books.c.subtitle, books.c.authors)
        .where(_prefix(conn, key), visible_to(guild_id))
        .order_by(books.c.id)
        .limit(limit)
    )
    rows = (await conn.execute(query)).mappings()
    return [
        Book(
            id=int(row["id"]),
            title=row["title"],
            subtitle=row["subtitle"],
            authors=tuple(row["authors"] or ()),
        )
        for row in rows
    ]


async def insert_books(
    conn: AsyncConnection, new: Sequence[Book], now: datetime, guild_id: int
) -> list[int]:
    """Store books made from file rows (no catalogue match) for the server ``guild_id``, in
    one statement; their ids in order. They are member-made books: their ISBN stays in
    ``books.isbn13``, where the server's next import finds it (:func:`book_ids_by_isbn`),
    and is not filed for other servers' lookups."""
    if not new:
        return []
    values: list[dict[str, Any]] = []
    for part in _chunks(new, WRITE_CHUNK):  # search keys take a while: the loop runs between
        values += [
            {
                "title": book.title,
                "subtitle": book.subtitle,
                "authors": list(book.authors),
                "first_year": book.first_year,
                "page_count": book.page_count,
                "isbn13": book.isbn13,
                "isbn10": book.isbn10,
                "subjects": [],
                "source": book.source,
                "search_key": search_key(book.title, book.subtitle, *book.authors)[:1024],
                "created_by_guild_id": guild_id,
                "created_at": now,
                "updated_at": now,
            }
            for book in part
        ]
        await asyncio.sleep(0)
    # member-made: the book's ISBN stays on its row, not filed for other servers' lookups
    return await _insert_ids(conn, books, values)


async def link_books(
    conn: AsyncConnection, guild_id: int, user_id: int, book_ids: Iterable[int], now: datetime
) -> int:
    """Mark the books as known to the server (those not yet known); returns how many.
    ON CONFLICT DO NOTHING: another member's import may link the same books meanwhile."""
    wanted = sorted(set(book_ids))
    known: set[int] = set()
    for part in _chunks(wanted):
        rows = await conn.execute(
            select(guild_books.c.book_id).where(
                guild_books.c.guild_id == guild_id, guild_books.c.book_id.in_(part)
            )
        )
        known.update(int(b) for b in rows.scalars())
    fresh = [
        {"guild_id": guild_id, "book_id": b, "added_by": user_id, "added_at": now}
        for b in wanted
        if b not in known
    ]
    if fresh:
        await _executemany(conn, insert_missing(conn, guild_books), fresh)
    return len(fresh)


# --- what the member already has ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredReading:
    id: int
    book_id: int
    status: ReadingStatus
    started_on: date | None
    finished_on: date | None


@dataclass(frozen=True, slots=True)
class ReviewText:
    """What an import writes into a review."""

    book_id: int
    quarters: int | None
    body: str
    spoilers: str | None
    content_warnings: str | None


@dataclass(frozen=True, slots=True)
class StoredReviewText:
    """The member's latest review of a book, as far as an import compares it."""

    id: int
    book_id: int
    read_number: int
    quarters: int | None
    body: str
    spoilers: str | None
    content_warnings: str | None
    source: str


@dataclass(frozen=True, slots=True)
class StoredShelf:
    id: int
    name: str
    key: str
    size: int


@dataclass
class MemberLibrary:
    """Everything of one member in one server that an import compares a file against."""

    ratings: dict[int, int] = field(default_factory=dict)  # book id → quarters
    readings: dict[int, list[StoredReading]] = field(default_factory=dict)  # oldest first
    reviews: dict[int, StoredReviewText] = field(default_factory=dict)  # latest per book
    shelves: dict[str, StoredShelf] = field(default_factory=dict)  # name key → shelf
    shelved: set[tuple[int, int]] = field(default_factory=set)  # (shelf id, book id)
    shelved_books: set[int] = field(default_factory=set)

    def has_book(self, book_id: int) -> bool:
        """Whether the member has any data on the book here."""
        return (
            book_id in self.ratings
            or book_id in self.readings
            or book_id in self.reviews
            or book_id in self.shelved_books
        )


def _reading(row: RowMapping) -> StoredReading:
    return StoredReading(
        id=int(row["id"]),
        book_id=int(row["book_id"]),
        status=ReadingStatus(row["status"]),
        started_on=row["started_on"],
        finished_on=row["finished_on"],
    )


async def _parts(conn: AsyncConnection, query: Select[Any]) -> AsyncIterator[Sequence[RowMapping]]:
    """The query's rows, :data:`WRITE_CHUNK` at a time: a member may have 20,000 readings,
    and turning them all into objects at once would hold the event loop."""
    result = await conn.stream(query)
    async for part in result.mappings().partitions(WRITE_CHUNK):
        yield part


async def member_library(conn: AsyncConnection, guild_id: int, user_id: int) -> MemberLibrary:
    """The member's ratings, readings, latest reviews and shelves in the server."""
    library = MemberLibrary()
    rating_rows = await conn.execute(
        select(ratings.c.book_id, ratings.c.quarters).where(
            ratings.c.guild_id == guild_id, ratings.c.user_id == user_id
        )
    )
    library.ratings = {int(b): int(q) for b, q in rating_rows.all()}
    reading_rows = _parts(
        conn,
        select(
            readings.c.id,
            readings.c.book_id,
            readings.c.status,
            readings.c.started_on,
            readings.c.finished_on,
        )
        .where(readings.c.guild_id == guild_id, readings.c.user_id == user_id)
        .order_by(readings.c.id),
    )
    async for part in reading_rows:
        for row in part:
            reading = _reading(row)
            library.readings.setdefault(reading.book_id, []).append(reading)
    review_rows = _parts(
        conn,
        select(
            reviews.c.id,
            reviews.c.book_id,
            reviews.c.read_number,
            reviews.c.quarters,
            reviews.c.body,
            reviews.c.spoilers,
            reviews.c.content_warnings,
            reviews.c.source,
        )
        .where(reviews.c.guild_id == guild_id, reviews.c.user_id == user_id)
        .order_by(reviews.c.read_number),
    )
    async for part in review_rows:
        for row in part:
            library.reviews[int(row["book_id"])] = StoredReviewText(
                id=int(row["id"]),
                book_id=int(row["book_id"]),
                read_number=int(row["read_number"]),
                quarters=row["quarters"],
                body=row["body"] or "",
                spoilers=row["spoilers"],
                content_warnings=row["content_warnings"],
                source=row["source"],
            )
    size = (
        select(func.count())
        .where(shelf_books.c.shelf_id == shelves.c.id)
        .correlate(shelves)
        .scalar_subquery()
    )
    shelf_rows = await conn.execute(
        select(shelves.c.id, shelves.c.name, shelves.c.name_key, size.label("size")).where(
            shelves.c.guild_id == guild_id, shelves.c.user_id == user_id
        )
    )
    for row in shelf_rows.mappings():
        shelf = StoredShelf(int(row["id"]), row["name"], row["name_key"], int(row["size"] or 0))
        library.shelves[shelf.key] = shelf
    if library.shelves:
        ids = [s.id for s in library.shelves.values()]
        entries = await conn.execute(
            select(shelf_books.c.shelf_id, shelf_books.c.book_id).where(
                shelf_books.c.shelf_id.in_(ids)
            )
        )
        library.shelved = {(int(s), int(b)) for s, b in entries.all()}
        library.shelved_books = {b for _, b in library.shelved}
    return library


# --- writes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A dated progress event recorded with an imported reading."""

    kind: EventKind
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class NewReading:
    book_id: int
    status: ReadingStatus
    started_on: date | None
    finished_on: date | None
    events: tuple[NewEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class ReadingUpdate:
    """An existing reading the file takes further (a status change or a date filled in)."""

    id: int
    book_id: int
    status: ReadingStatus
    started_on: date | None
    finished_on: date | None
    events: tuple[NewEvent, ...] = ()


@dataclass
class ImportWrites:
    """Everything one import writes, grouped so each group is one statement."""

    rating_inserts: list[tuple[int, int]] = field(default_factory=list)  # (book, quarters)
    rating_updates: list[tuple[int, int]] = field(default_factory=list)
    reading_inserts: list[NewReading] = field(default_factory=list)
    reading_updates: list[ReadingUpdate] = field(default_factory=list)
    # open readings that must stay the member's latest after older readings were added
    readings_to_move: list[int] = field(default_factory=list)
    review_inserts: list[ReviewText] = field(default_factory=list)
    review_updates: list[tuple[int, ReviewText]] = field(default_factory=list)  # (review id, …)
    new_shelves: list[tuple[str, str]] = field(default_factory=list)  # (display name, key)
    shelf_adds: list[tuple[str, int]] = field(default_factory=list)  # (shelf key, book id)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.rating_inserts,
                self.rating_updates,
                self.reading_inserts,
                self.reading_updates,
                self.readings_to_move,
                self.review_inserts,
                self.review_updates,
                self.new_shelves,
                self.shelf_adds,
            )
        )


def _event_rows(
    reading_id: int, book_id: int, guild_id: int, user_id: int, events: Iterable[NewEvent]
) -> list[dict[str, Any]]:
    return [
        {
            "reading_id": reading_id,
            "guild_id": guild_id,
            "user_id": user_id,
            "book_id": book_id,
            "kind": event.kind,
            "pages_delta": 0,
            "occurred_at": event.occurred_at,
        }
        for event in events
    ]


async def _write_ratings(
    conn: AsyncConnection, guild_id: int, user_id: int, writes: ImportWrites, now: datetime
) -> None:
    if writes.rating_inserts:
        await _executemany(
            conn,
            ratings.insert(),
            [
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "book_id": book_id,
                    "quarters": quarters,
                    "source": SOURCE,
                    "created_at": now,
                    "updated_at": now,
                }
                for book_id, quarters in writes.rating_inserts
            ],
        )
    if writes.rating_updates:
        statement = (
            ratings.update()
            .where(
                ratings.c.guild_id == guild_id,
                ratings.c.user_id == user_id,
                ratings.c.book_id == bindparam("b_book"),
            )
            .values(quarters=bindparam("b_quarters"), source=SOURCE, updated_at=now)
        )
        await _executemany(
            conn,
            statement,
            [{"b_book": book, "b_quarters": quarters} for book, quarters in writes.rating_updates],
        )


async def _write_readings(
    conn: AsyncConnection, guild_id: int, user_id: int, writes: ImportWrites, now: datetime
) -> None:
    events: list[dict[str, Any]] = []
    if writes.reading_inserts:
        values = [
            {
                "guild_id": guild_id,
                "user_id": user_id,
                "book_id": r.book_id,
                "status": r.status.value,
                "started_on": r.started_on,
                "finished_on": r.finished_on,
                "source": SOURCE,
                "created_at": now,
                "updated_at": now,
            }
            for r in writes.reading_inserts
        ]
        ids = await _insert_ids(conn, readings, values)
        for reading, reading_id in zip(writes.reading_inserts, ids, strict=True):
            events += _event_rows(
                int(reading_id), reading.book_id, guild_id, user_id, reading.events
            )
    if writes.reading_updates:
        statement = (
            readings.update()
            .where(
                readings.c.id == bindparam("b_id"),
                readings.c.guild_id == guild_id,
                readings.c.user_id == user_id,
            )
            .values(
                status=bindparam("b_status"),
                started_on=bindparam("b_started"),
                finished_on=bindparam("b_finished"),
                updated_at=now,
            )
        )
        await _executemany(
            conn,
            statement,
            [
                {
                    "b_id": u.id,
                    "b_status": u.status.value,
                    "b_started": u.started_on,
                    "b_finished": u.finished_on,
                }
                for u in writes.reading_updates
            ],
        )
        for update in writes.reading_updates:
            events += _event_rows(update.id, update.book_id, guild_id, user_id, update.events)
    if events:
        await _executemany(conn, progress_events.insert(), events)
    for reading_id in writes.readings_to_move:
        await _move_to_end(conn, guild_id, user_id, reading_id)


async def _move_to_end(conn: AsyncConnection, guild_id: int, user_id: int, reading_id: int) -> None:
    """Give a reading a new, highest id (its events follow it), so it stays the latest."""
    columns = [c for c in readings.c if c.name != "id"]
    copy = (
        readings.insert()
        .from_select(
            [c.name for c in columns],
            select(*columns).where(
                readings.c.id == reading_id,
                readings.c.guild_id == guild_id,
                readings.c.user_id == user_id,
            ),
        )
        .returning(readings.c.id)
    )
    new_id = (await conn.execute(copy)).scalar_one_or_none()
    if new_id is None:
        return
    await conn.execute(
        progress_events.update()
        .where(progress_events.c.reading_id == reading_id)
        .values(reading_id=int(new_id))
    )
    await conn.execute(readings.delete().where(readings.c.id == reading_id))


def _review_values(review: ReviewText) -> dict[str, Any]:
    return {
        "quarters": review.quarters,
        "body": review.body,
        "spoilers": review.spoilers,
        "spoiler_reach_kind": "ending" if review.spoilers else None,
        "spoiler_reach_value": None,
        "content_warnings": review.content_warnings,
    }


async def _write_reviews(
    conn: AsyncConnection, guild_id: int, user_id: int, writes: ImportWrites, now: datetime
) -> None:
    if writes.review_inserts:
        await _executemany(
            conn,
            reviews.insert(),
            [
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "book_id": r.book_id,
                    "read_number": 1,
                    "source": SOURCE,
                    "created_at": now,
                    "updated_at": now,
                    **_review_values(r),
                }
                for r in writes.review_inserts
            ],
        )
    if writes.review_updates:
        statement = (
            reviews.update()
            .where(
                reviews.c.id == bindparam("b_id"),
                reviews.c.guild_id == guild_id,
                reviews.c.user_id == user_id,
            )
            .values(
                quarters=bindparam("b_quarters"),
                body=bindparam("b_body"),
                spoilers=bindparam("b_spoilers"),
                spoiler_reach_kind=bindparam("b_reach"),
                spoiler_reach_value=None,
                content_warnings=bindparam("b_warnings"),
                updated_at=now,
            )
        )
        await _executemany(
            conn,
            statement,
            [
                {
                    "b_id": review_id,
                    "b_quarters": r.quarters,
                    "b_body": r.body,
                    "b_spoilers": r.spoilers,
                    "b_reach": "ending" if r.spoilers else None,
                    "b_warnings": r.content_warnings,
                }
                for review_id, r in writes.review_updates
            ],
        )


async def _write_shelves(
    conn: AsyncConnection, guild_id: int, user_id: int, writes: ImportWrites, now: datetime
) -> None:
    shelf_ids: dict[str, int] = {}
    if writes.new_shelves:
        statement = shelves.insert().returning(
            shelves.c.id, shelves.c.name_key, sort_by_parameter_order=True
        )
        rows = await conn.execute(
            statement,
            [
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "name": name,
                    "name_key": key,
                    "created_at": now,
                }
                for name, key in writes.new_shelves
            ],
        )
        shelf_ids.update({str(key): int(i) for i, key in rows.all()})
    if not writes.shelf_adds:
        return
    missing = sorted({key for key, _ in writes.shelf_adds} - shelf_ids.keys())
    if missing:
        rows = await conn.execute(
            select(shelves.c.name_key, shelves.c.id).where(
                shelves.c.guild_id == guild_id,
                shelves.c.user_id == user_id,
                shelves.c.name_key.in_(missing),
            )
        )
        shelf_ids.update({str(key): int(i) for key, i in rows.all()})
    await _executemany(
        conn,
        shelf_books.insert(),
        [
            {"shelf_id": shelf_ids[key], "book_id": book_id, "added_at": now}
            for key, book_id in writes.shelf_adds
        ],
    )


async def apply_writes(
    conn: AsyncConnection, guild_id: int, user_id: int, writes: ImportWrites, now: datetime
) -> None:
    """Run every planned write; call inside the import's one write transaction."""
    await _write_ratings(conn, guild_id, user_id, writes, now)
    await _write_readings(conn, guild_id, user_id, writes, now)
    await _write_reviews(conn, guild_id, user_id, writes, now)
    await _write_shelves(conn, guild_id, user_id, writes, now)
