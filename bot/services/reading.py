"""Reading progress: ``/progress update|start|pause|finish|abandon|show|history``.

Each command is one write transaction: load the book and the member's current reading,
plan with :mod:`bot.domain.reading`, then write the reading and append its dated events.

Dates. "Today" is the member's own calendar date: in their zone (``/me timezone``; default
the server's digest zone, else UTC — :mod:`bot.domain.member_zone`), read inside each
command's unit of work. A date option ("2007-01", "15 March 2025") may go back as far as
1900 but never past the member's today. An event dated today gets the current instant;
a back-dated event is stamped at 12:00 UTC of its date, the instant that falls on that same
calendar day from UTC−11 to UTC+11, so the history (shown with Discord timestamps in each
member's own zone) and the weekly digest put it on the day the member gave.

Page counts. A reading uses the book's page count unless the member gives their edition's
with ``edition_pages`` (on ``/progress update`` or ``/progress start``); that override stays
with the reading, and a re-read inherits it from the member's previous reading of the book.

Length (~600 lines): every /progress command shares the loading, planning and event
rules here; /progress update, the hot path, is one unit of work (:func:`_update_progress`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from bot.db import books as book_repo
from bot.db import readings as reading_repo
from bot.db.engine import AsyncConnection, Connection, Database
from bot.db.readings import ProgressEvent, Reading
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.dates import PAST, parse_date
from bot.domain.markdown import inert
from bot.domain.progress_gate import MAX_CHAPTER
from bot.domain.reading import (
    EARLIEST_DATE,
    EventKind,
    Progress,
    ReadingStatus,
    check_transition,
    format_date,
    is_complete,
    pages_delta,
    plan_progress_update,
    plan_status_change,
    progress_event_kind,
    resolve_progress,
    validate_dates,
)
from bot.domain.spoilers import (
    sanitize_user_text,
)
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.members import member_zone, member_zone_in

__all__ = [
    "MAX_CHAPTER",
    "MAX_EDITION_PAGES",
    "MAX_NOTE_LENGTH",
    "BookHistory",
    "CurrentReadings",
    "ProgressResult",
    "ReadingHistory",
    "ReadingService",
    "ReadingView",
    "StatusResult",
    "check_edition_pages",
    "check_progress_input",
    "check_status_date",
    "clean_note",
    "event_instant",
]

#: Characters in a progress note (the column holds 500; a note is a line, not a review).
MAX_NOTE_LENGTH = 300
#: The largest edition a member may declare (the same bound as ``/book add pages``).
MAX_EDITION_PAGES = 50_000
#: Noon UTC: the same calendar day in every zone from UTC−11 to UTC+11.
BACKDATED_TIME = time(12, 0, tzinfo=UTC)


def event_instant(day: date, now: datetime, today: date) -> datetime:
    """When an event dated ``day`` happened: now if it is the member's ``today``, else noon
    UTC that day."""
    if day == today:
        return now
    return datetime.combine(day, BACKDATED_TIME)


@dataclass(frozen=True, slots=True)
class ReadingView:
    """A reading with its book, and its place among the member's readings of that book."""

    reading: Reading
    book: Book
    number: int = 1  # 1: first reading of the book; 2: the first re-read…

    @property
    def page_count(self) -> int | None:
        return self.reading.page_count(self.book.page_count)

    @property
    def progress(self) -> Progress | None:
        return self.reading.progress(self.book.page_count)

    @property
    def edition_differs(self) -> bool:
        """The member reads an edition whose page count differs from the book's."""
        override = self.reading.page_count_override
        return override is not None and override != self.book.page_count


@dataclass(frozen=True, slots=True)
class ProgressResult:
    """What ``/progress update`` did. ``progress`` is None only after a chapter-only update
    of a reading that has no page or percent yet."""

    view: ReadingView
    progress: Progress | None
    previous: Progress | None
    kind: EventKind  # "progress", or "correction" when it went backwards
    pages_delta: int
    started: bool  # this update started the reading (a new one, or a want-to-read)
    resumed: bool  # it was paused
    finished: bool  # the last page or 100 %: the reading is now finished
    note: str | None
    chapter: int | None = None  # the chapter logged with this update, if any


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What a status command (start, pause, finish, abandon, want-to-read) did."""

    view: ReadingView
    event_kind: EventKind
    day: date
    new_reading: bool


@dataclass(frozen=True, slots=True)
class CurrentReadings:
    """``/progress show``: the member's open readings."""

    reading: tuple[ReadingView, ...]
    paused: tuple[ReadingView, ...]
    want_to_read: int


@dataclass(frozen=True, slots=True)
class ReadingHistory:
    view: ReadingView
    events: tuple[ProgressEvent, ...]


@dataclass(frozen=True, slots=True)
class BookHistory:
    """``/progress history``: every reading of a book, oldest first, with every event."""

    book: Book
    readings: tuple[ReadingHistory, ...]


def check_progress_input(
    page: int | None,
    percent: float | None,
    edition_pages: int | None = None,
    chapter: int | None = None,
) -> None:
    """The checks that need no book: nothing given, negative page, percent off 0–100, a
    chapter below 1, a bad edition size. Cogs call it before the book lookup so a mistake
    fails fast. A chapter alone is an update (the page or percent stays as it was)."""
    check_edition_pages(edition_pages)
    if chapter is not None and not 1 <= chapter <= MAX_CHAPTER:
        raise InvalidInput(f"`chapter` is a whole number from 1 to {MAX_CHAPTER:,}.")
    if chapter is not None and page is None and percent is None:
        return
    if page is None and percent is None:
        raise InvalidInput(
            "Give a page, a percent or a chapter, e.g. `page: 120`, `percent: 45` or `chapter: 7`."
        )
    resolve_progress(page, percent, None)


def check_edition_pages(edition_pages: int | None) -> None:
    if edition_pages is not None and not 1 <= edition_pages <= MAX_EDITION_PAGES:
        raise InvalidInput(
            f"`edition_pages` is the page count of your copy: a whole number from 1 to "
            f"{MAX_EDITION_PAGES:,} (you gave {edition_pages})."
        )


_DATE_NAMES: dict[ReadingStatus, str] = {
    ReadingStatus.WANT_TO_READ: "",
    ReadingStatus.READING: "start ",
    ReadingStatus.PAUSED: "pause ",
    ReadingStatus.FINISHED: "finish ",
    ReadingStatus.DID_NOT_FINISH: "stop ",
}


def check_status_date(on: str | None, target: ReadingStatus, today: date) -> date:
    """The date of a status command: ``on`` parsed (today when None), never in the future
    nor before 1900. How it relates to the reading's own dates is checked with the reading."""
    day = parse_date(on, today, without_year=PAST) if on is not None else today
    what = _DATE_NAMES[target]
    if day > today:
        raise InvalidInput(
            f"The {what}date {format_date(day)} is in the future. Dates can go back as far "
            "as you like (e.g. `January 2007`), but not forward."
        )
    if day < EARLIEST_DATE:
        raise InvalidInput(
            f"The {what}date {format_date(day)} is too long ago to be right "
            f"(the earliest is {format_date(EARLIEST_DATE)})."
        )
    return day


def clean_note(note: str | None) -> str | None:
    """A note on one line, control characters stripped, at most MAX_NOTE_LENGTH."""
    if note is None:
        return None
    cleaned = sanitize_user_text(note, MAX_NOTE_LENGTH, field="The note", multiline=False)
    return cleaned or None


def _check_page_fits(page: int | None, count: int | None, *, own_edition: bool) -> None:
    if page is None or count is None or page <= count:
        return
    if own_edition:
        raise InvalidInput(
            f"Your edition has {count} pages (your `edition_pages`), so page {page} is past "
            f"the end. If that count was wrong, give the right one with `edition_pages`."
        )
    raise InvalidInput(
        f"This book has {count} pages, so page {page} is past the end. If your copy is "
        f"longer, add `edition_pages` with its page count (e.g. `edition_pages: {page + 20}`), "
        "or give a percent instead."
    )


def _check_event_day(day: date, reading: Reading, what: str) -> None:
    """A pause, resume or abandon date must not come before the reading started."""
    if reading.started_on is not None and day < reading.started_on:
        raise InvalidInput(
            f"The {what} date {format_date(day)} is before this reading started "
            f"({format_date(reading.started_on)}). Give a date on or after the start."
        )


class ReadingService:
    """Readings and their history for one bot; every method is scoped to a guild."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def today(self, guild_id: int, user_id: int) -> date:
        """The member's today (in their own zone)."""
        async with self.database.read() as conn:
            zone = await member_zone(conn, guild_id, user_id)
        return zone.today(self.clock.now())

    async def check_date(
        self, guild_id: int, user_id: int, on: str | None, target: ReadingStatus
    ) -> None:
        """A status command's date checked before any lookup (see :func:`check_status_date`),
        so a mistake fails fast; nothing to check when ``on`` is None (today)."""
        if on is not None:
            check_status_date(on, target, await self.today(guild_id, user_id))

    # --- /progress update ---------------------------------------------------------------

    async def update_progress(
        self,
        guild_id: int,
        user_id: int,
        book: Book | int,
        *,
        page: int | None = None,
        percent: float | None = None,
        note: str | None = None,
        edition_pages: int | None = None,
        chapter: int | None = None,
    ) -> ProgressResult:
        """Log where the member is; start (or resume) the reading if needed, finish it on
        the last page or at 100 %. Going backwards is recorded as a correction. ``chapter``
        is kept as given (never derived from pages); alone, it leaves the page as it was.

        ``book`` is a stored Book (a cog has it from resolving the option, which saves a
        query on this hot path) or a book id.
        """
        check_progress_input(page, percent, edition_pages, chapter)
        cleaned_note = clean_note(note)
        now = self.clock.now()
        return await self.database.run_write(
            _update_progress,
            guild_id,
            user_id,
            book,
            page=page,
            percent=percent,
            note=cleaned_note,
            edition_pages=edition_pages,
            chapter=chapter,
            now=now,
        )

    # --- /progress start|pause|finish|abandon, and want-to-read (shelves) ---------------

    async def change_status(
        self,
        guild_id: int,
        user_id: int,
        book: Book | int,
        target: ReadingStatus,
        *,
        on: str | None = None,
        edition_pages: int | None = None,
    ) -> StatusResult:
        """Move the member's current reading of the book to ``target`` on the date ``on``
        (a date option's text; today when None). A closed reading is never reopened: the
        command starts a new reading (a re-read) instead, as the domain plans it."""
        check_edition_pages(edition_pages)
        now = self.clock.now()
        async with self.database.write() as conn:
            today = (await member_zone(conn, guild_id, user_id)).today(now)
            day = check_status_date(on, target, today)
            book, book_id = await _stored(conn, book)
            latest, number = await _current(conn, guild_id, user_id, book_id)
            plan = plan_status_change(latest.status if latest else None, target)
            if plan.creates_reading or latest is None:
                _refuse_same_day_duplicate(latest, target, day)
                override = edition_pages
                if override is None and latest is not None:
                    override = latest.page_count_override
                reading = await reading_repo.insert(
                    conn,
                    guild_id=guild_id,
                    user_id=user_id,
                    book_id=book_id,
                    status=ReadingStatus.WANT_TO_READ,
                    now=now,
                    page_count_override=override,
                )
                number += 1
            else:
                reading = latest
                if edition_pages is not None:
                    reading = replace(reading, page_count_override=edition_pages)
            reading = await self._apply(
                conn, reading, book, plan.event_kind, target, day, now, today
            )
        return StatusResult(
            view=ReadingView(reading, book, number),
            event_kind=plan.event_kind,
            day=day,
            new_reading=plan.creates_reading,
        )

    async def _apply(
        self,
        conn: AsyncConnection,
        reading: Reading,
        book: Book,
        kind: EventKind,
        target: ReadingStatus,
        day: date,
        now: datetime,
        today: date,
    ) -> Reading:
        """Set the status and dates of ``reading`` for ``kind`` and log the event
        (``today``: the member's)."""
        at = event_instant(day, now, today)
        if kind == "want":
            reading = replace(reading, status=target)
            await reading_repo.add_event(conn, reading, kind, now)
        elif kind == "start":
            validate_dates(day, reading.finished_on, today)
            reading = replace(reading, status=target, started_on=day)
            await reading_repo.add_event(conn, reading, kind, at)
        elif kind in ("resume", "pause"):
            _check_event_day(day, reading, "resume" if kind == "resume" else "pause")
            reading = replace(reading, status=target)
            await reading_repo.add_event(conn, reading, kind, at)
        elif kind == "abandon":
            _check_event_day(day, reading, "stop")
            reading = replace(reading, status=target, finished_on=day)
            progress = reading.progress(book.page_count)
            await reading_repo.add_event(
                conn,
                reading,
                kind,
                at,
                page=progress.page if progress else None,
                percent=progress.percent if progress else None,
            )
        else:  # finish
            validate_dates(reading.started_on, day, today)
            count = reading.page_count(book.page_count)
            previous = reading.progress(book.page_count)
            done = (
                resolve_progress(count, None, count) if count else resolve_progress(None, 100, None)
            )
            reading = replace(reading, status=target, finished_on=day).with_progress(done)
            await reading_repo.add_event(
                conn,
                reading,
                kind,
                at,
                page=done.page,
                percent=done.percent,
                pages_delta=pages_delta(previous, done, count),
            )
        return await reading_repo.save(conn, reading, now)

    async def remove_want_to_read(self, guild_id: int, user_id: int, book_id: int) -> Book:
        """Take a book off the want-to-read shelf: its untouched want-to-read reading goes.

        Started readings are history and stay; they leave their shelf by changing status.
        """
        async with self.database.write() as conn:
            book = await load_book(conn, book_id)
            latest = await reading_repo.current(conn, guild_id, user_id, book_id)
            if latest is None or latest.status is not ReadingStatus.WANT_TO_READ:
                raise NotFound(
                    f"{_title(book)} is not on your want-to-read shelf, so there is nothing "
                    "to remove."
                )
            await reading_repo.delete(conn, guild_id, latest.id)
        return book

    # --- /progress show, /progress history -------------------------------------------

    async def current(self, guild_id: int, user_id: int) -> CurrentReadings:
        """The member's open readings, most recently touched first."""
        async with self.database.read() as conn:
            open_ = await reading_repo.open_readings(
                conn,
                guild_id,
                user_id,
                (ReadingStatus.READING, ReadingStatus.PAUSED, ReadingStatus.WANT_TO_READ),
            )
            started = [r for r in open_ if r.status is not ReadingStatus.WANT_TO_READ]
            books = await load_books(conn, [r.book_id for r in started])
        views = [ReadingView(r, books[r.book_id]) for r in started if r.book_id in books]
        return CurrentReadings(
            reading=tuple(v for v in views if v.reading.status is ReadingStatus.READING),
            paused=tuple(v for v in views if v.reading.status is ReadingStatus.PAUSED),
            want_to_read=len(open_) - len(started),
        )

    async def history(self, guild_id: int, user_id: int, book_id: int) -> BookHistory:
        """Every reading of the book by the member (oldest first), each with its events."""
        async with self.database.read() as conn:
            book = await load_book(conn, book_id)
            found = await reading_repo.readings_of_book(conn, guild_id, user_id, book_id)
            events = await reading_repo.events_for(conn, guild_id, [r.id for r in found])
        return BookHistory(
            book=book,
            readings=tuple(
                ReadingHistory(ReadingView(r, book, n), tuple(events[r.id]))
                for n, r in enumerate(found, start=1)
            ),
        )


def _update_progress(
    conn: Connection,
    guild_id: int,
    user_id: int,
    book: Book | int,
    *,
    page: int | None,
    percent: float | None,
    note: str | None,
    edition_pages: int | None,
    now: datetime,
    chapter: int | None = None,
) -> ProgressResult:
    """/progress update's unit of work: one transaction on a database thread."""
    today = member_zone_in(conn, guild_id, user_id).today(now)
    book, book_id = _stored_in(conn, book)
    latest, number = _current_in(conn, guild_id, user_id, book_id)
    plan = plan_progress_update(latest.status if latest else None)
    override = edition_pages
    if override is None and latest is not None:
        override = latest.page_count_override
    count = override or book.page_count
    chapter_only = page is None and percent is None
    progress: Progress | None = None
    if not chapter_only:
        _check_page_fits(page, count, own_edition=override is not None)
        progress = resolve_progress(page, percent, count)
        _refuse_finishing_twice(latest, progress, today)

    previous: Progress | None = None
    if plan.creates_reading or latest is None:
        reading = reading_repo.insert_reading(
            conn,
            guild_id=guild_id,
            user_id=user_id,
            book_id=book_id,
            status=ReadingStatus.READING,
            now=now,
            started_on=today,
            page_count_override=override,
        )
        number += 1
        reading_repo.add_event_to(conn, reading, "start", now)
    else:
        previous = latest.progress(book.page_count)
        reading = replace(latest, page_count_override=override)
        if plan.event_kind in ("start", "resume"):
            reading = replace(
                reading,
                status=ReadingStatus.READING,
                started_on=reading.started_on or today,
            )
            reading_repo.add_event_to(conn, reading, plan.event_kind, now)

    if chapter is not None:
        reading = replace(reading, progress_chapter=chapter)
    if progress is None:  # a chapter alone: the page or percent stays as it was
        progress = previous
        kind: EventKind = "progress"
        delta = 0
    else:
        kind = progress_event_kind(previous, progress)
        delta = pages_delta(previous, progress, count)
        reading = reading.with_progress(progress)
    reading_repo.add_event_to(
        conn,
        reading,
        kind,
        now,
        page=progress.page if progress else None,
        percent=progress.percent if progress else None,
        pages_delta=delta,
        note=note,
        chapter=chapter,
    )
    finished = progress is not None and not chapter_only and is_complete(progress)
    if finished:
        check_transition(reading.status, ReadingStatus.FINISHED)
        reading = replace(
            reading,
            status=ReadingStatus.FINISHED,
            finished_on=max(today, reading.started_on or today),
        )
        reading_repo.add_event_to(
            conn,
            reading,
            "finish",
            now,
            page=progress.page if progress else None,
            percent=progress.percent if progress else None,
        )
    reading = reading_repo.save_reading(conn, reading, now)
    return ProgressResult(
        view=ReadingView(reading, book, number),
        progress=progress,
        previous=previous,
        kind=kind,
        pages_delta=delta,
        started=plan.event_kind == "start",
        resumed=plan.event_kind == "resume",
        finished=finished,
        note=note,
        chapter=chapter,
    )


def _stored_in(conn: Connection, book: Book | int) -> tuple[Book, int]:
    """The book and its id: a stored Book as it is, an id loaded (NotFound if unknown)."""
    if isinstance(book, Book):
        if book.id is None:
            raise ValueError("the book must be stored first")
        return book, book.id
    found = book_repo.book_by_id(conn, book)
    if found is None:
        raise NotFound("That book is no longer known here; search for it again.")
    return found, book


def _current_in(
    conn: Connection, guild_id: int, user_id: int, book_id: int
) -> tuple[Reading | None, int]:
    """The current reading and its number; (None, 0) when there is none. A new reading is
    then number + 1: it is only created when no reading is open, and then the current one
    is the latest."""
    found = reading_repo.numbered_current(conn, guild_id, user_id, book_id)
    return found if found is not None else (None, 0)


def _refuse_same_day_duplicate(latest: Reading | None, target: ReadingStatus, day: date) -> None:
    """Finishing (or abandoning) a closed reading logs a re-read, except on the very day the
    last one closed that way: that is a repeated command, not a second reading."""
    if latest is None or latest.status is not target or latest.finished_on != day:
        return
    verb = "finished" if target is ReadingStatus.FINISHED else "marked did-not-finish"
    raise Conflict(
        f"You already {verb} this book on {format_date(day)}. To log another read-through, "
        "give the date you finished it with the `date` option."
    )


def _refuse_finishing_twice(latest: Reading | None, progress: Progress, today: date) -> None:
    """An update to the end of a book finished today would start a re-read and finish it at
    once: almost always the same update sent twice, so it is refused."""
    if (
        latest is not None
        and latest.status is ReadingStatus.FINISHED
        and latest.finished_on == today
        and is_complete(progress)
    ):
        raise Conflict(
            "You already finished this book today. To start a re-read, log a page short of "
            "the end (e.g. `page: 1`) or use `/progress start`."
        )


async def load_book(conn: AsyncConnection, book_id: int) -> Book:
    """A stored book by id (NotFound if it is gone); shared with the shelves."""
    book = await book_repo.get(conn, book_id)
    if book is None:
        raise NotFound("That book is no longer known here; search for it again.")
    return book


async def load_books(conn: AsyncConnection, book_ids: Sequence[int]) -> dict[int, Book]:
    """Stored books by id (gone ones left out); shared with the shelves."""
    found = await book_repo.get_many(conn, list(dict.fromkeys(book_ids)))
    return {b.id: b for b in found if b.id is not None}


async def _stored(conn: AsyncConnection, book: Book | int) -> tuple[Book, int]:
    """:func:`_stored_in` for callers holding an ``AsyncConnection``."""
    return await conn.run_sync(_stored_in, book)


async def _current(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> tuple[Reading | None, int]:
    """:func:`_current_in` for callers holding an ``AsyncConnection``."""
    return await conn.run_sync(_current_in, guild_id, user_id, book_id)


def _title(book: Book) -> str:
    return f"**{inert(book.display_title)}**"
