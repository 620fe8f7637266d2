"""Readings (one row per read-through) and their dated progress events.

Every function takes the ``guild_id`` and filters on it: a member's readings in one server
are invisible from another. Rules (which status may follow which, what a correction is)
live in :mod:`bot.domain.reading` and :mod:`bot.services.reading`; this module only reads
and writes rows.

The *current* reading of a book is the member's open one (want-to-read, reading, paused)
when there is one, otherwise the most recent; see :func:`current`. Importers and the
digest may reuse everything here.

Length (~425 lines): readings and their events share the row mapping and the member scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, case, func, select
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import progress_events, readings
from bot.domain.reading import EventKind, Progress, ProgressMode, ReadingStatus

__all__ = [
    "OPEN_STATUSES",
    "ProgressEvent",
    "Reading",
    "add_event",
    "add_event_to",
    "current",
    "current_numbered",
    "current_per_book",
    "delete",
    "events_for",
    "finished_in",
    "get",
    "insert",
    "insert_reading",
    "numbered_current",
    "open_readings",
    "readings_of_book",
    "save",
    "save_reading",
]

#: Statuses of a reading that is not closed (a progress update or status change acts on it).
OPEN_STATUSES: tuple[str, ...] = (
    ReadingStatus.WANT_TO_READ.value,
    ReadingStatus.READING.value,
    ReadingStatus.PAUSED.value,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """One read-through as stored. ``page_count_override`` is the member's edition."""

    id: int
    guild_id: int
    user_id: int
    book_id: int
    status: ReadingStatus
    started_on: date | None
    finished_on: date | None
    page_count_override: int | None
    progress_page: int | None
    progress_percent: float | None
    progress_mode: ProgressMode | None
    source: str
    created_at: datetime
    updated_at: datetime
    progress_chapter: int | None = None  # the chapter last logged; never derived from pages

    def page_count(self, book_pages: int | None) -> int | None:
        """The page count that applies: the member's edition, else the book's own."""
        if self.page_count_override is not None:
            return self.page_count_override
        return book_pages if book_pages is not None and book_pages > 0 else None

    def progress(self, book_pages: int | None) -> Progress | None:
        """Where the member stands, or None before the first update."""
        if self.progress_mode is None or (
            self.progress_page is None and self.progress_percent is None
        ):
            return None
        return Progress(
            page=self.progress_page,
            percent=self.progress_percent,
            page_count=self.page_count(book_pages),
            mode=self.progress_mode,
        )

    def with_progress(self, progress: Progress) -> Reading:
        return replace(
            self,
            progress_page=progress.page,
            progress_percent=progress.percent,
            progress_mode=progress.mode,
        )


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One dated entry of a reading's history."""

    id: int
    reading_id: int
    kind: EventKind
    page: int | None
    percent: float | None
    pages_delta: int
    note: str | None
    occurred_at: datetime
    chapter: int | None = None


def _reading(row: RowMapping) -> Reading:
    mode = row["progress_mode"]
    return Reading(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        book_id=int(row["book_id"]),
        status=ReadingStatus(row["status"]),
        started_on=row["started_on"],
        finished_on=row["finished_on"],
        page_count_override=row["page_count_override"],
        progress_page=row["progress_page"],
        progress_percent=(
            float(row["progress_percent"]) if row["progress_percent"] is not None else None
        ),
        progress_mode=cast(ProgressMode, mode) if mode is not None else None,
        source=str(row["source"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        progress_chapter=row["progress_chapter"],
    )


def _event(row: RowMapping) -> ProgressEvent:
    return ProgressEvent(
        id=int(row["id"]),
        reading_id=int(row["reading_id"]),
        kind=cast(EventKind, row["kind"]),
        page=row["page"],
        percent=float(row["percent"]) if row["percent"] is not None else None,
        pages_delta=int(row["pages_delta"]),
        note=row["note"],
        occurred_at=row["occurred_at"],
        chapter=row["chapter"],
    )


def _member(guild_id: int, user_id: int) -> Select[Any]:
    return select(readings).where(readings.c.guild_id == guild_id, readings.c.user_id == user_id)


async def get(conn: AsyncConnection, guild_id: int, reading_id: int) -> Reading | None:
    query = select(readings).where(readings.c.guild_id == guild_id, readings.c.id == reading_id)
    row = (await conn.execute(query)).mappings().first()
    return _reading(row) if row else None


async def current(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> Reading | None:
    """The member's open reading of the book, else their most recent one, else None."""
    query = (
        _member(guild_id, user_id)
        .where(readings.c.book_id == book_id)
        .order_by(case((readings.c.status.in_(OPEN_STATUSES), 0), else_=1), readings.c.id.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).mappings().first()
    return _reading(row) if row else None


def numbered_current(
    conn: Connection, guild_id: int, user_id: int, book_id: int
) -> tuple[Reading, int] | None:
    """:func:`current` with its number among the member's readings of the book (1 for the
    first, 2 for the first re-read…), in one statement: the hot path of every update."""
    earlier = readings.alias("earlier")
    number = (
        select(func.count())
        .where(
            earlier.c.guild_id == readings.c.guild_id,
            earlier.c.user_id == readings.c.user_id,
            earlier.c.book_id == readings.c.book_id,
            earlier.c.id <= readings.c.id,
        )
        .scalar_subquery()
    )
    query = (
        select(readings, number.label("reading_number"))
        .where(
            readings.c.guild_id == guild_id,
            readings.c.user_id == user_id,
            readings.c.book_id == book_id,
        )
        .order_by(case((readings.c.status.in_(OPEN_STATUSES), 0), else_=1), readings.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return (_reading(row), int(row["reading_number"])) if row else None


async def current_numbered(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> tuple[Reading, int] | None:
    """:func:`numbered_current` for callers holding an ``AsyncConnection``."""
    return await conn.run_sync(numbered_current, guild_id, user_id, book_id)


async def readings_of_book(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> list[Reading]:
    """Every reading of the book by the member, oldest first (re-reads follow)."""
    query = _member(guild_id, user_id).where(readings.c.book_id == book_id).order_by(readings.c.id)
    return [_reading(row) for row in (await conn.execute(query)).mappings()]


async def open_readings(
    conn: AsyncConnection,
    guild_id: int,
    user_id: int,
    statuses: Sequence[ReadingStatus] = (ReadingStatus.READING, ReadingStatus.PAUSED),
) -> list[Reading]:
    """The member's readings in ``statuses``, most recently touched first."""
    query = (
        _member(guild_id, user_id)
        .where(readings.c.status.in_([s.value for s in statuses]))
        .order_by(readings.c.updated_at.desc(), readings.c.id.desc())
    )
    return [_reading(row) for row in (await conn.execute(query)).mappings()]


async def current_per_book(conn: AsyncConnection, guild_id: int, user_id: int) -> list[Reading]:
    """The current reading (see :func:`current`) of every book the member has one of,
    most recently touched first: what the status shelves show."""
    open_id = case((readings.c.status.in_(OPEN_STATUSES), readings.c.id))
    chosen = (
        select(func.coalesce(func.max(open_id), func.max(readings.c.id)))
        .where(readings.c.guild_id == guild_id, readings.c.user_id == user_id)
        .group_by(readings.c.book_id)
        .scalar_subquery()
    )
    query = (
        select(readings)
        .where(readings.c.id.in_(chosen))
        .order_by(readings.c.updated_at.desc(), readings.c.id.desc())
    )
    return [_reading(row) for row in (await conn.execute(query)).mappings()]


async def finished_in(
    conn: AsyncConnection,
    guild_id: int,
    user_id: int,
    start: date | None = None,
    end: date | None = None,
) -> list[Reading]:
    """Finished readings with ``start <= finished_on < end`` (either bound may be open;
    with no bounds, every finished reading, dated or not), oldest finish first."""
    query = _member(guild_id, user_id).where(readings.c.status == ReadingStatus.FINISHED.value)
    if start is not None:
        query = query.where(readings.c.finished_on >= start)
    if end is not None:
        query = query.where(readings.c.finished_on < end)
    query = query.order_by(readings.c.finished_on.is_(None), readings.c.finished_on, readings.c.id)
    return [_reading(row) for row in (await conn.execute(query)).mappings()]


def insert_reading(
    conn: Connection,
    *,
    guild_id: int,
    user_id: int,
    book_id: int,
    status: ReadingStatus,
    now: datetime,
    started_on: date | None = None,
    finished_on: date | None = None,
    page_count_override: int | None = None,
    source: str = "discord",
) -> Reading:
    """A new reading (a first read, a re-read or another try) with no progress yet."""
    result = conn.execute(
        readings.insert().values(
            guild_id=guild_id,
            user_id=user_id,
            book_id=book_id,
            status=status.value,
            started_on=started_on,
            finished_on=finished_on,
            page_count_override=page_count_override,
            source=source,
            created_at=now,
            updated_at=now,
        )
    )
    reading_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return Reading(
        id=reading_id,
        guild_id=guild_id,
        user_id=user_id,
        book_id=book_id,
        status=status,
        started_on=started_on,
        finished_on=finished_on,
        page_count_override=page_count_override,
        progress_page=None,
        progress_percent=None,
        progress_mode=None,
        source=source,
        created_at=now,
        updated_at=now,
    )


async def insert(conn: AsyncConnection, **values: Any) -> Reading:
    """:func:`insert_reading` for callers holding an ``AsyncConnection``."""
    return await conn.run_sync(lambda sync: insert_reading(sync, **values))


def save_reading(conn: Connection, reading: Reading, now: datetime) -> Reading:
    """Write the reading's status, dates, edition and progress; returns it as stored."""
    conn.execute(
        readings.update()
        .where(readings.c.id == reading.id, readings.c.guild_id == reading.guild_id)
        .values(
            status=reading.status.value,
            started_on=reading.started_on,
            finished_on=reading.finished_on,
            page_count_override=reading.page_count_override,
            progress_page=reading.progress_page,
            progress_percent=reading.progress_percent,
            progress_mode=reading.progress_mode,
            progress_chapter=reading.progress_chapter,
            updated_at=now,
        )
    )
    return replace(reading, updated_at=now)


async def save(conn: AsyncConnection, reading: Reading, now: datetime) -> Reading:
    """:func:`save_reading` for callers holding an ``AsyncConnection``."""
    return await conn.run_sync(save_reading, reading, now)


async def delete(conn: AsyncConnection, guild_id: int, reading_id: int) -> None:
    """Delete a reading and its events (events first: no reliance on ON DELETE CASCADE)."""
    await conn.execute(
        progress_events.delete().where(
            progress_events.c.guild_id == guild_id, progress_events.c.reading_id == reading_id
        )
    )
    await conn.execute(
        readings.delete().where(readings.c.guild_id == guild_id, readings.c.id == reading_id)
    )


def add_event_to(
    conn: Connection,
    reading: Reading,
    kind: EventKind,
    occurred_at: datetime,
    *,
    page: int | None = None,
    percent: float | None = None,
    pages_delta: int = 0,
    note: str | None = None,
    chapter: int | None = None,
) -> None:
    """Append a dated event to the reading's history (never updated afterwards)."""
    conn.execute(
        progress_events.insert().values(
            reading_id=reading.id,
            guild_id=reading.guild_id,
            user_id=reading.user_id,
            book_id=reading.book_id,
            kind=kind,
            page=page,
            percent=percent,
            pages_delta=pages_delta,
            note=note,
            chapter=chapter,
            occurred_at=occurred_at,
        )
    )


async def add_event(
    conn: AsyncConnection,
    reading: Reading,
    kind: EventKind,
    occurred_at: datetime,
    **details: Any,
) -> None:
    """:func:`add_event_to` for callers holding an ``AsyncConnection``."""
    await conn.run_sync(lambda sync: add_event_to(sync, reading, kind, occurred_at, **details))


async def events_for(
    conn: AsyncConnection, guild_id: int, reading_ids: Iterable[int]
) -> dict[int, list[ProgressEvent]]:
    """Each reading's events in the order they happened (ties: the order they were logged)."""
    ids = list(reading_ids)
    out: dict[int, list[ProgressEvent]] = {i: [] for i in ids}
    if not ids:
        return out
    query = (
        select(progress_events)
        .where(progress_events.c.guild_id == guild_id, progress_events.c.reading_id.in_(ids))
        .order_by(progress_events.c.occurred_at, progress_events.c.id)
    )
    for row in (await conn.execute(query)).mappings():
        event = _event(row)
        out[event.reading_id].append(event)
    return out
