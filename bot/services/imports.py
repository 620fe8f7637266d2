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

An import never holds the event loop (every other server's commands run meanwhile): the
parse and the planning run in worker threads that give up the GIL every few rows; the loops
that stay on the event loop (local matching, catalogue look-ups, reading the member's
library, the bulk writes in parts of a few hundred rows) let it run in between. Every limit
(file size, rows, readings, each number of each row) is checked by the parse, before any of
this starts.

Matching rules, so that importing the same file twice changes nothing:

- **Rating**: the file's exact value is kept when it is already stored; otherwise it is
  rounded half up to the server's step (:func:`~bot.domain.stars.round_to_step`) and
  replaces the stored one.
- **Readings** (:func:`~bot.services.import_readings.reconcile_readings`): a file reading
  matches a stored one with the same status whose dates agree (a date the file lacks
  matches any); a stored reading the file takes further (an open reading now finished, a
  missing date now known) is updated; the rest are added. A book keeps at most one open
  (want-to-read / reading / paused) reading, and an open reading stays the latest one.
- **Review**: an imported review is updated in place; a review written here in Discord is
  never overwritten (the file's is left out with a note unless it says the same).
- **Shelves**: the file's custom shelves, plus an ``owned`` shelf for owned books; books are
  added, never removed.

Length (~550 lines): the four steps below are one use case whose order is the point;
row parsing is in :mod:`bot.domain.imports`, the book and reading plans in
:mod:`bot.services.import_books` and :mod:`bot.services.import_readings`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import imports as repo
from bot.db.engine import AsyncConnection, Database
from bot.db.imports import (
    ImportWrites,
    MemberLibrary,
    NewReading,
    ReadingUpdate,
    ReviewText,
)
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.imports import (
    KIND_NAMES,
    MAX_IMPORT_BYTES,
    ImportFileError,
    ImportKind,
    ImportRow,
    RowProblem,
    let_other_threads_run,
    parse_import,
)
from bot.domain.markdown import plain
from bot.domain.review import CONTENT_WARNINGS_MAX
from bot.domain.shelves import MAX_BOOKS_PER_SHELF, MAX_CUSTOM_SHELVES, OWNED_SHELF, shelf_key
from bot.domain.stars import RatingStep, round_to_step
from bot.domain.text import search_key, trim
from bot.errors import Conflict
from bot.services.import_books import (
    NO_MATCH,
    NOT_LOOKED_UP,
    UNREACHABLE,
    ImportCatalogue,
    Lookups,
    ask_catalogue_for_all,
    book_from_row,
    lookup_key,
    match_locally,
    same_book,
)
from bot.services.import_readings import (
    ReadingPlan,
    event_of_update,
    events_of_new,
    reconcile_readings,
)

log = logging.getLogger(__name__)

__all__ = [
    "LOOKUP_BUDGET_S",
    "LOOKUP_CONCURRENCY",
    "NOT_LOOKED_UP",
    "NO_MATCH",
    "UNREACHABLE",
    "ImportCatalogue",
    "ImportReport",
    "ImportService",
    "ReadingPlan",
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
_NOTHING = "nothing to import: no status, rating, review or shelf"


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


# --- planning one import -----------------------------------------------------------------


def _has_content(row: ImportRow) -> bool:
    return bool(
        row.rating_quarters is not None
        or row.readings
        or row.review
        or row.spoilers
        or row.shelves
        or row.owned
    )


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
        self.problems.append(RowProblem(row.row_number, plain(row.title, 80), reason))

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
                    event_of_update(stored, merged, self.now),
                )
            )
        for read in plan.inserts:
            self.writes.reading_inserts.append(
                NewReading(
                    book_id, read.status, read.started_on, read.finished_on, events_of_new(read)
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
        no_room: list[str] = []
        for name in names:
            key = shelf_key(name)
            if (key, book_id) in self._shelved:
                continue
            if key not in self._shelf_sizes:
                if len(self._shelf_sizes) >= MAX_CUSTOM_SHELVES:
                    no_room.append(name)
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
        if no_room:  # one note per row, however many shelves the row names
            listed = ", ".join(f'"{n}"' for n in no_room[:3])
            more = f" and {len(no_room) - 3:,} more" if len(no_room) > 3 else ""
            self._note(
                row,
                f"shel{'f' if len(no_room) == 1 else 'ves'} {listed}{more} left out: you have "
                f"{MAX_CUSTOM_SHELVES} shelves, the most one member can have",
            )
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


def _same_book_key(row: ImportRow) -> tuple[str, ...]:
    """Rows of a file with the same key become one book: the ISBN, else title and author."""
    if row.isbn13:
        return ("isbn", row.isbn13)
    return ("title", lookup_key(row), search_key(row.authors[0]) if row.authors else "")


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
            RowProblem(r.row_number, plain(r.title, 80), _NOTHING, skipped=True)
            for r in parsed.rows
            if not _has_content(r)
        )
        async with self.database.read() as conn:
            local = await match_locally(conn, rows, guild_id)
        lookups = Lookups(
            self.catalogue, self.lookup_concurrency, self.lookup_budget_s, self._monotonic
        )
        try:
            remote = await ask_catalogue_for_all(
                lookups, [r for r in rows if r.row_number not in local], self.lookup_concurrency
            )
        finally:
            await lookups.close()
        now = self.clock.now()
        async with self.database.write() as conn:
            matched = await self._store_books(conn, guild_id, rows, local, remote, now)
            await repo.link_books(conn, guild_id, user_id, matched.book_of.values(), now)
            library = await repo.member_library(conn, guild_id, user_id)
            step = (await settings_repo.get(conn, guild_id)).rating_step
            planner = _Planner(library, step, now)
            # pure computation over 20,000 rows at most: off the event loop
            counts = await asyncio.to_thread(self._plan, rows, matched, planner)
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
        matched.book_of.update(await match_locally(conn, rest, guild_id))
        rest = [r for r in rest if r.row_number not in matched.book_of]
        keys = await asyncio.to_thread(lambda: [_same_book_key(row) for row in rest])
        first_of: dict[tuple[str, ...], ImportRow] = {}
        for row, key in zip(rest, keys, strict=True):
            first_of.setdefault(key, row)
        originals = list(first_of.values())
        new_books = await asyncio.to_thread(lambda: [book_from_row(r) for r in originals])
        ids = await repo.insert_books(conn, new_books, now, guild_id)
        made = {r.row_number: book_id for r, book_id in zip(originals, ids, strict=True)}
        for row, key in zip(rest, keys, strict=True):
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
        for index, row in enumerate(rows):
            let_other_threads_run(index)  # this runs in a worker thread
            book_id = matched.book_of[row.row_number]
            if book_id in first_row:
                planner.problems.append(
                    RowProblem(
                        row.row_number,
                        plain(row.title, 80),
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
