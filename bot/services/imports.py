"""Importing a Goodreads or StoryGraph export into one member's data in one server.

The steps, and why they are in this order:

1. **Parse** the bytes in a thread (a 9 MB file takes a second or two); any file-level
   problem raises :class:`~bot.domain.imports.ImportFileError` before anything is touched.
2. **Match books locally** (a read transaction): by ISBN, then by exact title (the series
   suffix Goodreads adds, "(The Locked Tomb #1)", ignored) and first author.
3. **Ask the catalogue** for the rest, outside any transaction: at most
   ``lookup_concurrency`` requests in flight (the catalogue's own rate limiter spaces them),
   each ISBN or title asked once per run, and no new request once ``lookup_budget_s`` is
   spent or the catalogue is unreachable. A book the catalogue does not know is kept with
   the file's details (``source='import'``) and listed as *unmatched*.
4. **Write** in ONE transaction: the catalogue's books, the file-made books, the server's
   book links, then the member's ratings, readings with their events, reviews and shelves,
   each as one bulk statement. A failure rolls everything back.

Matching rules, so that importing the same file twice changes nothing:

- **Rating**: the file's exact value is kept when it is already stored; otherwise it is
  rounded half up to the server's step (:func:`~bot.domain.stars.round_to_step`) and
  replaces the stored one.
- **Readings** (:func:`reconcile_readings`): a file reading matches a stored one with the
  same status whose dates agree (a date the file lacks matches any); a stored reading the
  file takes further (an open reading now finished, a missing date now known) is updated;
  the rest are added. A book keeps at most one open (want-to-read / reading / paused)
  reading, and an open reading stays the latest one.
- **Review**: an imported review is updated in place; a review written here in Discord is
  never overwritten (the file's is left out with a note unless it says the same).
- **Shelves**: the file's custom shelves, plus an ``owned`` shelf for owned books; books are
  added, never removed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Final, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import imports as repo
from bot.db.engine import Database
from bot.db.imports import (
    ImportWrites,
    MemberLibrary,
    NewEvent,
    NewReading,
    ReadingUpdate,
    ReviewText,
    StoredReading,
)
from bot.domain.book import Book
from bot.domain.book_match import BookQuery, author_matches
from bot.domain.clock import Clock
from bot.domain.imports import (
    KIND_NAMES,
    MAX_IMPORT_BYTES,
    ImportFileError,
    ImportKind,
    ImportRow,
    RowProblem,
    parse_import,
)
from bot.domain.reading import ALLOWED_TRANSITIONS, ReadingStatus, ReadThrough
from bot.domain.review import CONTENT_WARNINGS_MAX
from bot.domain.shelves import MAX_BOOKS_PER_SHELF, MAX_CUSTOM_SHELVES, shelf_key
from bot.domain.stars import RatingStep, round_to_step
from bot.domain.text import search_key, trim
from bot.errors import CatalogueUnavailable, Conflict, InvalidInput

log = logging.getLogger(__name__)

__all__ = [
    "LOOKUP_BUDGET_S",
    "LOOKUP_CONCURRENCY",
    "OWNED_SHELF",
    "ImportCatalogue",
    "ImportReport",
    "ImportService",
    "UnmatchedRow",
    "check_upload_size",
    "reconcile_readings",
    "same_book",
]

#: Catalogue requests in flight at once during an import.
LOOKUP_CONCURRENCY: Final = 3
#: Seconds of catalogue look-ups an import from Discord may spend (an interaction's reply
#: must come within 15 minutes); books not looked up by then keep the file's details.
LOOKUP_BUDGET_S: Final = 120.0
#: The custom shelf owned books go on (neither export has another place for "owned").
OWNED_SHELF: Final = "owned"
_SEARCH_LIMIT: Final = 5
_LOCAL_CANDIDATES: Final = 100
# Goodreads puts the series after the title: "Gideon the Ninth (The Locked Tomb #1)".
_SERIES_SUFFIX = re.compile(r"\s*\([^()]*#\s*\d[\d.\-–]*\)\s*$")
_OPEN = frozenset(s for s in ReadingStatus if not s.is_terminal)
_NOTHING = "nothing to import: no status, rating, review or shelf"
#: Why a row's book was kept with the file's details (:attr:`UnmatchedRow.why`).
NO_MATCH: Final = "no match in Open Library or Google Books"
UNREACHABLE: Final = "the book catalogue was unreachable"
NOT_LOOKED_UP: Final = "not looked up: the catalogue answers slowly, so the import did not wait"

T = TypeVar("T")


class ImportCatalogue(Protocol):
    """What an import asks of the metadata layer (:class:`bot.metadata.catalogue.Catalogue`)."""

    async def search(self, query: str, limit: int = ...) -> list[Book]: ...

    async def by_isbn(self, isbn: str) -> Book | None: ...


def check_upload_size(size: int) -> None:
    """Refuse an attachment by its announced size, before downloading it."""
    if size <= 0:
        raise ImportFileError("The file is empty.")
    if size > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"The file is {size / (1024 * 1024):.1f} MB; the largest file that can be imported "
            f"is {MAX_IMPORT_BYTES / (1024 * 1024):.1f} MB. Split it into smaller files "
            "(keep the header line in each)."
        )


# --- the report --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnmatchedRow:
    """A row whose book neither this server nor the catalogue knew: it was imported with
    the file's title, author and ISBN (``why`` says why the catalogue did not help)."""

    row: int
    title: str
    authors: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import did. ``imported`` rows added a book to the member's data,
    ``updated`` rows changed data the member had, ``skipped`` rows changed nothing (already
    up to date, unreadable, or a repeat of an earlier row); ``unmatched`` is a subset of the
    first two (books kept with the file's details)."""

    kind: ImportKind
    imported: int
    updated: int
    skipped: int
    unmatched: tuple[UnmatchedRow, ...]
    problems: tuple[RowProblem, ...]
    step: RatingStep
    rounded_ratings: int = 0
    catalogue_unreachable: bool = False
    not_looked_up: int = 0
    catalogue_requests: int = 0

    @property
    def rows(self) -> int:
        return self.imported + self.updated + self.skipped

    @property
    def site(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def changed(self) -> bool:
        return bool(self.imported or self.updated)


# --- book matching -----------------------------------------------------------------------


def _title_keys(title: str) -> set[str]:
    keys = {search_key(title), search_key(_SERIES_SUFFIX.sub("", title))}
    keys.discard("")
    return keys


def _lookup_key(row: ImportRow) -> str:
    """The search key a row's title is looked up by (series suffix left out)."""
    return search_key(row.title_without_series) or search_key(row.title)


def same_book(row: ImportRow, book: Book) -> bool:
    """Whether ``book`` is the row's book: the same title (ignoring a series suffix and
    case, accents and punctuation; the book's title with its subtitle counts too) and,
    when the row names one, its first author among the book's authors."""
    theirs = _title_keys(book.title)
    if book.subtitle:
        theirs.add(search_key(book.display_title))
    if not _title_keys(row.title) & theirs:
        return False
    return not row.authors or author_matches(BookQuery(row.title, row.authors[0]), book)


def _has_content(row: ImportRow) -> bool:
    return bool(
        row.rating_quarters is not None
        or row.readings
        or row.review
        or row.spoilers
        or row.shelves
        or row.owned
    )


def _book_from_row(row: ImportRow) -> Book:
    return Book(
        title=row.title,
        authors=row.authors,
        first_year=row.year,
        page_count=row.page_count if row.page_count and row.page_count > 0 else None,
        isbn13=row.isbn13,
        isbn10=row.isbn10,
        isbns=(row.isbn13,) if row.isbn13 else (),
        source="import",
    )


async def _match_locally(conn: AsyncConnection, rows: Sequence[ImportRow]) -> dict[int, int]:
    """Row number → book id for the rows this database already has a book for."""
    isbn_ids = await repo.book_ids_by_isbn(conn, [r.isbn13 for r in rows if r.isbn13])
    found: dict[int, int] = {}
    candidates: dict[str, list[Book]] = {}
    for row in rows:
        if row.isbn13 and row.isbn13 in isbn_ids:
            found[row.row_number] = isbn_ids[row.isbn13]
            continue
        key = _lookup_key(row)
        if key not in candidates:
            candidates[key] = await repo.books_by_title_prefix(conn, key, _LOCAL_CANDIDATES)
        match = next((b for b in candidates[key] if same_book(row, b)), None)
        if match is not None and match.id is not None:
            found[row.row_number] = match.id
    return found


class _Skipped:
    """A look-up that was not made (catalogue down, or the time budget spent)."""


_SKIPPED: Final = _Skipped()


class _Lookups:
    """Catalogue look-ups for one import: bounded concurrency, one request per distinct
    question, and none once the catalogue is down or the budget is spent."""

    def __init__(
        self,
        catalogue: ImportCatalogue,
        concurrency: int,
        budget_s: float | None,
        monotonic: Callable[[], float],
    ) -> None:
        self._catalogue = catalogue
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._monotonic = monotonic
        self._deadline = None if budget_s is None else monotonic() + budget_s
        self._tasks: dict[tuple[str, str], asyncio.Task[object]] = {}
        self.requests = 0
        self.unreachable = False

    async def _call(self, ask: Callable[[], Awaitable[T]]) -> T | _Skipped:
        async with self._slots:
            if self.unreachable:
                return _SKIPPED
            if self._deadline is not None and self._monotonic() >= self._deadline:
                return _SKIPPED
            self.requests += 1
            try:
                return await ask()
            except CatalogueUnavailable:
                self.unreachable = True
                return _SKIPPED

    def _shared(self, key: tuple[str, str], ask: Callable[[], Awaitable[T]]) -> Awaitable[object]:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._call(ask))
            self._tasks[key] = task
        return task

    async def by_isbn(self, isbn: str) -> Book | _Skipped | None:
        async def ask() -> Book | None:
            try:
                return await self._catalogue.by_isbn(isbn)
            except InvalidInput:
                return None

        found = await self._shared(("isbn", isbn), ask)
        return found if isinstance(found, Book | _Skipped) else None

    async def search(self, query: str) -> list[Book] | _Skipped:
        async def ask() -> list[Book]:
            return await self._catalogue.search(query, _SEARCH_LIMIT)

        found = await self._shared(("search", search_key(query)), ask)
        if isinstance(found, _Skipped):
            return found
        return [b for b in found if isinstance(b, Book)] if isinstance(found, list) else []

    async def close(self) -> None:
        pending = [t for t in self._tasks.values() if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def _with_isbn(book: Book, isbn13: str | None) -> Book:
    """The book with the row's ISBN filed too, so the next import finds it locally."""
    if isbn13 is None or isbn13 in book.isbns:
        return book
    return replace(book, isbns=(*book.isbns, isbn13))


async def _ask_catalogue(lookups: _Lookups, row: ImportRow) -> Book | str:
    """The catalogue's book for the row, or why there is none."""
    skipped = False
    if row.isbn13:
        found = await lookups.by_isbn(row.isbn13)
        if isinstance(found, Book):
            return _with_isbn(found, row.isbn13)
        skipped = isinstance(found, _Skipped)
    query = BookQuery(row.title_without_series, row.authors[0] if row.authors else None)
    results = await lookups.search(query.remote_query)
    if isinstance(results, _Skipped):
        skipped = True
    else:
        match = next((b for b in results if same_book(row, b)), None)
        if match is not None:
            return _with_isbn(match, row.isbn13)
    if not skipped:
        return NO_MATCH
    return UNREACHABLE if lookups.unreachable else NOT_LOOKED_UP


# --- readings ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadingPlan:
    """How a book's readings in a file compare with the stored ones."""

    matched: int = 0
    updates: tuple[tuple[StoredReading, ReadThrough], ...] = ()
    inserts: tuple[ReadThrough, ...] = ()
    left_out_open: int = 0  # open readings of the file not added: one is open here already
    move_to_end: tuple[int, ...] = ()  # stored open readings to keep after the new ones


def _as_read(stored: StoredReading) -> ReadThrough:
    return ReadThrough(stored.status, stored.started_on, stored.finished_on)


def _agrees(wanted: ReadThrough, stored: StoredReading) -> bool:
    """Same status, and every date the file gives is the stored one."""
    return (
        wanted.status is stored.status
        and (wanted.started_on is None or wanted.started_on == stored.started_on)
        and (wanted.finished_on is None or wanted.finished_on == stored.finished_on)
    )


def _fits(start: date | None, finish: date | None) -> bool:
    return start is None or finish is None or finish >= start


def _takes_further(stored: StoredReading, wanted: ReadThrough) -> ReadThrough | None:
    """The stored reading updated by the file's, when the file's continues it: the same
    status with a missing date filled in, or an allowed status change of an open reading.
    None when they are different read-throughs."""
    if wanted.started_on and stored.started_on and wanted.started_on != stored.started_on:
        return None
    if wanted.status is stored.status:
        if wanted.finished_on and stored.finished_on and wanted.finished_on != stored.finished_on:
            return None
        finish = stored.finished_on or wanted.finished_on
    elif stored.status in _OPEN and (stored.status, wanted.status) in ALLOWED_TRANSITIONS:
        finish = wanted.finished_on or stored.finished_on
    else:
        return None
    start = stored.started_on or wanted.started_on
    merged = ReadThrough(wanted.status, start, finish)
    if not _fits(start, finish) or merged == _as_read(stored):
        return None
    return merged


def _known_dates(read: ReadThrough) -> int:
    return (read.started_on is not None) + (read.finished_on is not None)


def reconcile_readings(
    stored: Sequence[StoredReading], wanted: Sequence[ReadThrough]
) -> ReadingPlan:
    """Compare one book's readings in a file (oldest first) with the stored ones (by id).

    1. Each file reading, most precisely dated first, matches an unused stored reading that
       agrees with it (an exact one preferred).
    2. Each file reading left, oldest first, updates the first unused stored reading it
       takes further (:func:`_takes_further`); the others are added.
    3. A book has one open reading at most: when a stored one is still open, the file's open
       readings are not added, and the stored one is moved after the added ones so it stays
       the latest.
    """
    used: set[int] = set()
    left: list[ReadThrough] = []
    matched = 0
    for index in sorted(range(len(wanted)), key=lambda i: -_known_dates(wanted[i])):
        read = wanted[index]
        fitting = [s for s in stored if s.id not in used and _agrees(read, s)]
        if not fitting:
            left.append(read)
            continue
        best = next((s for s in fitting if _as_read(s) == read), fitting[0])
        used.add(best.id)
        matched += 1
    left.sort(key=lambda r: wanted.index(r))
    updates: list[tuple[StoredReading, ReadThrough]] = []
    inserts: list[ReadThrough] = []
    for read in left:
        target = next(
            (s for s in stored if s.id not in used and _takes_further(s, read) is not None), None
        )
        if target is None:
            inserts.append(read)
            continue
        used.add(target.id)
        merged = _takes_further(target, read)
        assert merged is not None
        updates.append((target, merged))
    final_status = {s.id: s.status for s in stored} | {s.id: m.status for s, m in updates}
    still_open = [s.id for s in stored if final_status[s.id] in _OPEN]
    left_out = 0
    if still_open:
        kept = [r for r in inserts if r.status not in _OPEN]
        left_out = len(inserts) - len(kept)
        inserts = kept
    move = tuple(still_open) if still_open and inserts else ()
    return ReadingPlan(matched, tuple(updates), tuple(inserts), left_out, move)


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, day_time(12), tzinfo=UTC)


def _events_of_new(read: ReadThrough) -> tuple[NewEvent, ...]:
    """Dated events for an added reading; undated steps leave no event (they are history,
    not this week's activity)."""
    events: list[NewEvent] = []
    if read.started_on is not None and read.status is not ReadingStatus.WANT_TO_READ:
        events.append(NewEvent("start", _at_noon(read.started_on)))
    if read.finished_on is not None:
        if read.status is ReadingStatus.FINISHED:
            events.append(NewEvent("finish", _at_noon(read.finished_on)))
        elif read.status is ReadingStatus.DID_NOT_FINISH:
            events.append(NewEvent("abandon", _at_noon(read.finished_on)))
    return tuple(events)


def _event_of_update(
    stored: StoredReading, merged: ReadThrough, now: datetime
) -> tuple[NewEvent, ...]:
    """The status change an update records, dated by the file when it can be."""
    if merged.status is stored.status:
        return ()
    kind = ALLOWED_TRANSITIONS[(stored.status, merged.status)]
    day = None
    if kind in ("finish", "abandon"):
        day = merged.finished_on
    elif kind == "start":
        day = merged.started_on
    return (NewEvent(kind, _at_noon(day) if day is not None else now),)


# --- planning one import -----------------------------------------------------------------


def _same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


@dataclass
class _Planner:
    """Turns rows (already matched to book ids) into writes, row by row."""

    library: MemberLibrary
    step: RatingStep
    now: datetime
    writes: ImportWrites = field(default_factory=ImportWrites)
    problems: list[RowProblem] = field(default_factory=list)
    rounded: int = 0
    _shelf_sizes: dict[str, int] = field(default_factory=dict)
    _shelved: set[tuple[str, int]] = field(default_factory=set)
    _full_shelves: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        by_id = {s.id: s.key for s in self.library.shelves.values()}
        self._shelf_sizes = {s.key: s.size for s in self.library.shelves.values()}
        self._shelved = {(by_id[s], b) for s, b in self.library.shelved if s in by_id}

    def _note(self, row: ImportRow, reason: str) -> None:
        self.problems.append(RowProblem(row.row_number, trim(row.title, 80), reason))

    def rating(self, row: ImportRow, book_id: int) -> bool:
        wanted = row.rating_quarters
        stored = self.library.ratings.get(book_id)
        if wanted is None or stored == wanted:
            return False
        value = round_to_step(wanted, self.step)
        if value == stored:
            return False
        if value != wanted:
            self.rounded += 1
        if stored is None:
            self.writes.rating_inserts.append((book_id, value))
        else:
            self.writes.rating_updates.append((book_id, value))
        self.library.ratings[book_id] = value
        return True

    def readings(self, row: ImportRow, book_id: int) -> bool:
        plan = reconcile_readings(self.library.readings.get(book_id, ()), row.readings)
        for stored, merged in plan.updates:
            self.writes.reading_updates.append(
                ReadingUpdate(
                    stored.id,
                    book_id,
                    merged.status,
                    merged.started_on,
                    merged.finished_on,
                    _event_of_update(stored, merged, self.now),
                )
            )
        for read in plan.inserts:
            self.writes.reading_inserts.append(
                NewReading(
                    book_id, read.status, read.started_on, read.finished_on, _events_of_new(read)
                )
            )
        self.writes.readings_to_move.extend(plan.move_to_end)
        if plan.left_out_open:
            self._note(
                row,
                "you are already reading (or want to read) this book here; the file's "
                "current status was left out",
            )
        return bool(plan.updates or plan.inserts)

    def review(self, row: ImportRow, book_id: int) -> bool:
        if not row.review and not row.spoilers:
            if row.content_warnings:
                self._note(row, "content warnings without a review are not kept")
            return False
        warnings = row.content_warnings
        if warnings and len(warnings) > CONTENT_WARNINGS_MAX:
            warnings = trim(warnings, CONTENT_WARNINGS_MAX)
            self._note(row, f"content warnings shortened to {CONTENT_WARNINGS_MAX:,} characters")
        text = ReviewText(
            book_id,
            self.library.ratings.get(book_id),
            row.review or "",
            row.spoilers,
            warnings,
        )
        stored = self.library.reviews.get(book_id)
        if stored is None:
            self.writes.review_inserts.append(text)
            return True
        same_words = _same_text(stored.body, text.body) and _same_text(
            stored.spoilers, text.spoilers
        )
        if stored.source != "import":
            if not same_words:
                self._note(
                    row,
                    "you wrote a review of this book here already; the file's review was "
                    "left out (yours stays as it is)",
                )
            return False
        if same_words and (stored.quarters, stored.content_warnings) == (
            text.quarters,
            text.content_warnings,
        ):
            return False
        self.writes.review_updates.append((stored.id, text))
        return True

    def shelves(self, row: ImportRow, book_id: int) -> bool:
        names = list(row.shelves) + ([OWNED_SHELF] if row.owned else [])
        changed = False
        for name in names:
            key = shelf_key(name)
            if (key, book_id) in self._shelved:
                continue
            if key not in self._shelf_sizes:
                if len(self._shelf_sizes) >= MAX_CUSTOM_SHELVES:
                    self._note(
                        row,
                        f'shelf "{name}" left out: you have {MAX_CUSTOM_SHELVES} shelves, the '
                        "most one member can have",
                    )
                    continue
                self.writes.new_shelves.append((name, key))
                self._shelf_sizes[key] = 0
            if self._shelf_sizes[key] >= MAX_BOOKS_PER_SHELF:
                if key not in self._full_shelves:
                    self._full_shelves.add(key)
                    self._note(
                        row,
                        f'shelf "{name}" is full ({MAX_BOOKS_PER_SHELF:,} books); this and '
                        "later books were not added to it",
                    )
                continue
            self._shelf_sizes[key] += 1
            self._shelved.add((key, book_id))
            self.writes.shelf_adds.append((key, book_id))
            changed = True
        return changed

    def row(self, row: ImportRow, book_id: int) -> bool:
        """Plan one row; True when it changes anything."""
        # the rating goes first: an imported review carries it
        changes = [
            self.rating(row, book_id),
            self.readings(row, book_id),
            self.review(row, book_id),
            self.shelves(row, book_id),
        ]
        return any(changes)


# --- the service -------------------------------------------------------------------------


@dataclass
class _Matched:
    """Rows with their books, and the rows whose books were made from the file."""

    book_of: dict[int, int] = field(default_factory=dict)  # row number → book id
    unmatched: dict[int, str] = field(default_factory=dict)  # row number → why


class ImportService:
    def __init__(
        self,
        database: Database,
        catalogue: ImportCatalogue,
        clock: Clock,
        *,
        lookup_concurrency: int = LOOKUP_CONCURRENCY,
        lookup_budget_s: float | None = LOOKUP_BUDGET_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.catalogue = catalogue
        self.clock = clock
        self.lookup_concurrency = lookup_concurrency
        self.lookup_budget_s = lookup_budget_s
        self._monotonic = monotonic
        self._running: set[tuple[int, int]] = set()

    async def import_file(
        self, guild_id: int, user_id: int, data: bytes, kind: ImportKind
    ) -> ImportReport:
        """Import an export file for one member of one server; nothing changes on error."""
        member = (guild_id, user_id)
        if member in self._running:
            raise Conflict(
                "An import of yours is still running in this server; wait for its reply, "
                "then send the next file."
            )
        self._running.add(member)
        try:
            return await self._import(guild_id, user_id, data, kind)
        finally:
            self._running.discard(member)

    async def _import(
        self, guild_id: int, user_id: int, data: bytes, kind: ImportKind
    ) -> ImportReport:
        # the latest date anywhere on Earth: a member's "today" is never refused as future
        today = (self.clock.now() + timedelta(hours=14)).date()
        parsed = await asyncio.to_thread(parse_import, data, kind, today=today)
        rows = tuple(r for r in parsed.rows if _has_content(r))
        empty = tuple(
            RowProblem(r.row_number, trim(r.title, 80), _NOTHING, skipped=True)
            for r in parsed.rows
            if not _has_content(r)
        )
        async with self.database.read() as conn:
            local = await _match_locally(conn, rows)
        lookups = _Lookups(
            self.catalogue, self.lookup_concurrency, self.lookup_budget_s, self._monotonic
        )
        try:
            remote = await self._ask(lookups, [r for r in rows if r.row_number not in local])
        finally:
            await lookups.close()
        now = self.clock.now()
        async with self.database.write() as conn:
            matched = await self._store_books(conn, guild_id, rows, local, remote, now)
            await repo.link_books(conn, guild_id, user_id, matched.book_of.values(), now)
            library = await repo.member_library(conn, guild_id, user_id)
            step = (await settings_repo.get(conn, guild_id)).rating_step
            planner = _Planner(library, step, now)
            counts = self._plan(rows, matched, planner)
            await repo.apply_writes(conn, guild_id, user_id, planner.writes, now)
        imported, updated, skipped = counts
        skipped += len(parsed.skipped) + len(empty)
        by_number = {r.row_number: r for r in rows}
        unmatched = tuple(
            UnmatchedRow(n, by_number[n].title, by_number[n].authors, why)
            for n, why in sorted(matched.unmatched.items())
        )
        problems = sorted((*parsed.problems, *empty, *planner.problems), key=lambda p: p.row)
        report = ImportReport(
            kind=kind,
            imported=imported,
            updated=updated,
            skipped=skipped,
            unmatched=unmatched,
            problems=tuple(problems),
            step=step,
            rounded_ratings=planner.rounded,
            catalogue_unreachable=lookups.unreachable,
            not_looked_up=sum(1 for u in unmatched if u.why == NOT_LOOKED_UP),
            catalogue_requests=lookups.requests,
        )
        log.info(
            "import guild=%s user=%s kind=%s rows=%d imported=%d updated=%d skipped=%d "
            "unmatched=%d lookups=%d",
            guild_id,
            user_id,
            kind,
            report.rows,
            imported,
            updated,
            skipped,
            len(unmatched),
            lookups.requests,
        )
        return report

    async def _ask(self, lookups: _Lookups, rows: Sequence[ImportRow]) -> dict[int, Book | str]:
        """Row number → the catalogue's book, or why there is none."""
        answers = await asyncio.gather(*(_ask_catalogue(lookups, row) for row in rows))
        return {row.row_number: answer for row, answer in zip(rows, answers, strict=True)}

    async def _store_books(
        self,
        conn: AsyncConnection,
        guild_id: int,
        rows: Sequence[ImportRow],
        local: dict[int, int],
        remote: dict[int, Book | str],
        now: datetime,
    ) -> _Matched:
        matched = _Matched(dict(local))
        stored: dict[Book, int] = {}
        for number, answer in remote.items():
            if isinstance(answer, Book):
                if answer not in stored:
                    book = await book_repo.upsert(conn, answer, now)
                    assert book.id is not None
                    stored[answer] = book.id
                matched.book_of[number] = stored[answer]
        # rows no source knows: look again (another import may have added the book since),
        # then make one book per distinct ISBN or title and author
        rest = [r for r in rows if r.row_number not in matched.book_of]
        matched.book_of.update(await _match_locally(conn, rest))
        rest = [r for r in rest if r.row_number not in matched.book_of]
        first_of: dict[tuple[str, ...], ImportRow] = {}
        for row in rest:
            author = search_key(row.authors[0]) if row.authors else ""
            key = ("isbn", row.isbn13) if row.isbn13 else ("title", _lookup_key(row), author)
            first_of.setdefault(key, row)
        originals = list(first_of.values())
        ids = await repo.insert_books(conn, [_book_from_row(r) for r in originals], now, guild_id)
        made = {r.row_number: book_id for r, book_id in zip(originals, ids, strict=True)}
        for row in rest:
            author = search_key(row.authors[0]) if row.authors else ""
            key = ("isbn", row.isbn13) if row.isbn13 else ("title", _lookup_key(row), author)
            matched.book_of[row.row_number] = made[first_of[key].row_number]
        for row in originals:  # later rows of the same book are skipped as repeats
            why = remote.get(row.row_number)
            matched.unmatched[row.row_number] = why if isinstance(why, str) else ""
        return matched

    @staticmethod
    def _plan(
        rows: Iterable[ImportRow], matched: _Matched, planner: _Planner
    ) -> tuple[int, int, int]:
        """(imported, updated, skipped) after planning every row; a later row of a book an
        earlier row already had is skipped."""
        imported = updated = skipped = 0
        first_row: dict[int, int] = {}
        for row in rows:
            book_id = matched.book_of[row.row_number]
            if book_id in first_row:
                planner.problems.append(
                    RowProblem(
                        row.row_number,
                        trim(row.title, 80),
                        f"the same book as row {first_row[book_id]} (another edition?); "
                        "only that row was imported",
                        skipped=True,
                    )
                )
                skipped += 1
                continue
            first_row[book_id] = row.row_number
            had = planner.library.has_book(book_id)
            if not planner.row(row, book_id):
                skipped += 1
            elif had:
                updated += 1
            else:
                imported += 1
        return imported, updated, skipped
