"""Book matching for an import: which book each row of an export file is about.

A row is matched locally first (by ISBN, then by title and first author,
:func:`match_locally`), and only then is the catalogue asked (:func:`ask_catalogue`,
through :class:`Lookups`, which bounds and de-duplicates the requests). This lives apart
from :mod:`bot.services.imports` so that the rules for "the same book" and the look-up
budget can be read, and tested, without the planner and the service around them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Final, Protocol, TypeVar

from bot.db import imports as repo
from bot.db.engine import AsyncConnection
from bot.domain.book import Book
from bot.domain.book_match import BookQuery, author_matches
from bot.domain.imports import ImportRow
from bot.domain.text import search_key
from bot.errors import CatalogueUnavailable, InvalidInput

__all__ = [
    "NOT_LOOKED_UP",
    "NO_MATCH",
    "UNREACHABLE",
    "YIELD_EVERY",
    "ImportCatalogue",
    "Lookups",
    "ask_catalogue",
    "ask_catalogue_for_all",
    "book_from_row",
    "lookup_key",
    "match_locally",
    "pause_now_and_then",
    "same_book",
]

_SEARCH_LIMIT: Final = 5
_LOCAL_CANDIDATES: Final = 100
#: Rows a loop handles between two turns of the event loop (each row is well under 0.1 ms).
YIELD_EVERY: Final = 200
# Goodreads puts the series after the title: "Gideon the Ninth (The Locked Tomb #1)".
_SERIES_SUFFIX = re.compile(r"\s*\([^()]*#\s*\d[\d.\-–]*\)\s*$")
#: Why a row's book was kept with the file's details
#: (:attr:`bot.services.imports.UnmatchedRow.why`).
NO_MATCH: Final = "no match in Open Library or Google Books"
UNREACHABLE: Final = "the book catalogue was unreachable"
NOT_LOOKED_UP: Final = "not looked up: the catalogue answers slowly, so the import did not wait"

T = TypeVar("T")


class ImportCatalogue(Protocol):
    """What an import asks of the metadata layer (:class:`bot.metadata.catalogue.Catalogue`)."""

    async def search(self, query: str, limit: int = ...) -> list[Book]: ...

    async def by_isbn(self, isbn: str) -> Book | None: ...


def _title_keys(title: str) -> set[str]:
    keys = {search_key(title), search_key(_SERIES_SUFFIX.sub("", title))}
    keys.discard("")
    return keys


def lookup_key(row: ImportRow) -> str:
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


def book_from_row(row: ImportRow) -> Book:
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


async def pause_now_and_then(index: int, every: int = YIELD_EVERY) -> None:
    """Let the event loop run other work every ``every`` items of a long loop."""
    if index % every == every - 1:
        await asyncio.sleep(0)


async def match_locally(
    conn: AsyncConnection, rows: Sequence[ImportRow], guild_id: int
) -> dict[int, int]:
    """Row number → book id for the rows the server already has a book for: the
    catalogue's records and the server's own member-made books (never another server's).

    Rows with the same title and first author are matched once; the loop lets the event
    loop run every few rows (a file may have 20,000).
    """
    isbn_ids = await repo.book_ids_by_isbn(conn, [r.isbn13 for r in rows if r.isbn13], guild_id)
    found: dict[int, int] = {}
    candidates: dict[str, list[Book]] = {}
    decided: dict[tuple[str, str | None], int | None] = {}
    for index, row in enumerate(rows):
        await pause_now_and_then(index)
        if row.isbn13 and row.isbn13 in isbn_ids:
            found[row.row_number] = isbn_ids[row.isbn13]
            continue
        question = (row.title, row.authors[0] if row.authors else None)
        if question not in decided:
            key = lookup_key(row)
            if key not in candidates:
                candidates[key] = await repo.books_by_title_prefix(
                    conn, key, guild_id, _LOCAL_CANDIDATES
                )
            match = next((b for b in candidates[key] if same_book(row, b)), None)
            decided[question] = match.id if match is not None else None
        book_id = decided[question]
        if book_id is not None:
            found[row.row_number] = book_id
    return found


class _Skipped:
    """A look-up that was not made (catalogue down, or the time budget spent)."""


_SKIPPED: Final = _Skipped()


class Lookups:
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
    """The book with the row's ISBN filed too, so the next import finds it locally. Only
    for a book the catalogue gave for that very ISBN: a title match does not prove a
    member's ISBN, and the record is shared by every server."""
    if isbn13 is None or isbn13 in book.isbns:
        return book
    return replace(book, isbns=(*book.isbns, isbn13))


async def ask_catalogue_for_all(
    lookups: Lookups, rows: Sequence[ImportRow], workers: int
) -> dict[int, Book | str]:
    """Row number → the catalogue's book, or why there is none, for every row.

    A few workers take the rows in turn (rather than one task per row: 20,000 tasks made
    at once would hold the event loop while they are created).
    """
    answers: dict[int, Book | str] = {}
    queue = iter(rows)

    async def work() -> None:
        for row in queue:
            answers[row.row_number] = await ask_catalogue(lookups, row)
            await asyncio.sleep(0)  # a skipped look-up does not wait: let others run

    await asyncio.gather(*(work() for _ in range(max(1, min(workers, len(rows))))))
    return answers


async def ask_catalogue(lookups: Lookups, row: ImportRow) -> Book | str:
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
            return match
    if not skipped:
        return NO_MATCH
    return UNREACHABLE if lookups.unreachable else NOT_LOOKED_UP
