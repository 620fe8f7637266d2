"""Shelves: ``/shelf show|add|remove``.

A member has the five status shelves (the status of their current reading of each book)
and up to :data:`MAX_CUSTOM_SHELVES` shelves of their own. Adding a book to a status shelf
changes the reading's status exactly as the matching ``/progress`` command would (so
"finished" logs a finish today); removing one is only possible from want-to-read, the one
status that records nothing read. A custom shelf is created by adding its first book and
disappears with its last, so no empty shelf lingers against the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import books as book_repo
from bot.db import readings as reading_repo
from bot.db import shelves as shelf_repo
from bot.db.engine import AsyncConnection, Database
from bot.db.shelves import Shelf
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.markdown import inert
from bot.domain.reading import ReadingStatus
from bot.domain.shelves import (
    MAX_BOOKS_PER_SHELF,
    MAX_CUSTOM_SHELVES,
    STATUS_SHELVES,
    shelf_key,
    status_for_shelf_name,
    validate_shelf_name,
)
from bot.domain.text import clean_line, search_key
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.reading import (
    ReadingService,
    ReadingView,
    StatusResult,
    load_book,
    load_books,
)

__all__ = [
    "CustomShelfChange",
    "ShelfChoice",
    "ShelfContents",
    "ShelfOverview",
    "ShelfService",
    "StatusShelf",
]

#: Books listed per shelf in the overview (the rest is counted).
OVERVIEW_SAMPLE = 3


@dataclass(frozen=True, slots=True)
class StatusShelf:
    status: ReadingStatus
    count: int
    sample: tuple[ReadingView, ...]


@dataclass(frozen=True, slots=True)
class ShelfOverview:
    """``/shelf show`` without a shelf: every shelf with its count and a few books."""

    status_shelves: tuple[StatusShelf, ...]
    custom: tuple[Shelf, ...]
    custom_samples: dict[int, tuple[Book, ...]]


@dataclass(frozen=True, slots=True)
class ShelfContents:
    """One shelf's books. For status shelves ``readings`` is filled, else ``books``."""

    name: str
    status: ReadingStatus | None
    readings: tuple[ReadingView, ...] = ()
    books: tuple[Book, ...] = ()

    @property
    def count(self) -> int:
        return len(self.readings) if self.status is not None else len(self.books)


@dataclass(frozen=True, slots=True)
class CustomShelfChange:
    """What ``/shelf add`` or ``/shelf remove`` did to a custom shelf."""

    shelf: Shelf
    book: Book
    created: bool = False  # the shelf was made for this book
    deleted: bool = False  # the shelf went with its last book


@dataclass(frozen=True, slots=True)
class ShelfChoice:
    name: str
    value: str


class ShelfService:
    def __init__(self, database: Database, clock: Clock, readings: ReadingService) -> None:
        self.database = database
        self.clock = clock
        self.readings = readings

    # --- /shelf add, /shelf remove -----------------------------------------------------

    async def add(
        self, guild_id: int, user_id: int, book_id: int, shelf_name: str
    ) -> StatusResult | CustomShelfChange:
        status = status_for_shelf_name(shelf_name)
        if status is not None:
            return await self.readings.change_status(guild_id, user_id, book_id, status)
        name = validate_shelf_name(shelf_name)
        now = self.clock.now()
        async with self.database.write() as conn:
            book = await load_book(conn, book_id)
            shelf = await shelf_repo.find(conn, guild_id, user_id, name.key)
            created = shelf is None
            if shelf is None:
                owned = await shelf_repo.list_for_member(conn, guild_id, user_id)
                if len(owned) >= MAX_CUSTOM_SHELVES:
                    raise Conflict(
                        f"You already have {MAX_CUSTOM_SHELVES} shelves of your own, the most "
                        "there can be. Empty one with `/shelf remove` to make room."
                    )
                shelf = await shelf_repo.create(conn, guild_id, user_id, name, now)
            elif shelf.book_count >= MAX_BOOKS_PER_SHELF:
                raise Conflict(
                    f"**{inert(shelf.name)}** already holds {MAX_BOOKS_PER_SHELF:,} books, "
                    "the most a shelf can hold."
                )
            if not await shelf_repo.add_book(conn, shelf, book_id, now):
                raise Conflict(
                    f"**{inert(book.display_title)}** is already on your shelf "
                    f"**{inert(shelf.name)}**."
                )
        return CustomShelfChange(shelf, book, created=created)

    async def remove(
        self, guild_id: int, user_id: int, book_id: int, shelf_name: str
    ) -> CustomShelfChange | Book:
        """Take a book off a shelf. From want-to-read the untouched reading is deleted (the
        book is returned); other status shelves refuse, saying which command moves it."""
        status = status_for_shelf_name(shelf_name)
        if status is ReadingStatus.WANT_TO_READ:
            return await self.readings.remove_want_to_read(guild_id, user_id, book_id)
        if status is not None:
            raise InvalidInput(_status_removal_hint(status))
        key = shelf_key(clean_line(shelf_name))
        async with self.database.write() as conn:
            book = await load_book(conn, book_id)
            shelf = await shelf_repo.find(conn, guild_id, user_id, key)
            if shelf is None:
                raise NotFound(await _no_such_shelf(conn, guild_id, user_id, shelf_name))
            if not await shelf_repo.remove_book(conn, shelf, book_id):
                raise NotFound(
                    f"**{inert(book.display_title)}** is not on your shelf **{inert(shelf.name)}**."
                )
            deleted = shelf.book_count <= 1
            if deleted:
                await shelf_repo.delete(conn, shelf)
        return CustomShelfChange(shelf, book, deleted=deleted)

    # --- /shelf show -----------------------------------------------------------------

    async def overview(self, guild_id: int, user_id: int) -> ShelfOverview:
        async with self.database.read() as conn:
            current = await reading_repo.current_per_book(conn, guild_id, user_id)
            custom = await shelf_repo.list_for_member(conn, guild_id, user_id)
            by_status = {s: [r for r in current if r.status is s] for s in STATUS_SHELVES}
            sample_ids = {
                s: [r.book_id for r in rs[:OVERVIEW_SAMPLE]] for s, rs in by_status.items()
            }
            custom_ids = {
                shelf.id: (await shelf_repo.book_ids_on(conn, shelf))[:OVERVIEW_SAMPLE]
                for shelf in custom
            }
            wanted = [i for ids in (*sample_ids.values(), *custom_ids.values()) for i in ids]
            books = {b.id: b for b in await book_repo.get_many(conn, list(dict.fromkeys(wanted)))}
        status_shelves = tuple(
            StatusShelf(
                status,
                len(rs),
                tuple(
                    ReadingView(r, books[r.book_id])
                    for r in rs[:OVERVIEW_SAMPLE]
                    if r.book_id in books
                ),
            )
            for status, rs in by_status.items()
        )
        samples = {
            shelf_id: tuple(books[i] for i in ids if i in books)
            for shelf_id, ids in custom_ids.items()
        }
        return ShelfOverview(status_shelves, tuple(custom), samples)

    async def contents(self, guild_id: int, user_id: int, shelf_name: str) -> ShelfContents:
        """The books on one shelf (status or custom), most recent first."""
        status = status_for_shelf_name(shelf_name)
        async with self.database.read() as conn:
            if status is not None:
                current = await reading_repo.current_per_book(conn, guild_id, user_id)
                chosen = [r for r in current if r.status is status]
                books = await load_books(conn, [r.book_id for r in chosen])
                return ShelfContents(
                    name=status.label,
                    status=status,
                    readings=tuple(
                        ReadingView(r, books[r.book_id]) for r in chosen if r.book_id in books
                    ),
                )
            key = shelf_key(clean_line(shelf_name))
            shelf = await shelf_repo.find(conn, guild_id, user_id, key)
            if shelf is None:
                raise NotFound(await _no_such_shelf(conn, guild_id, user_id, shelf_name))
            ids = await shelf_repo.book_ids_on(conn, shelf)
            books = await load_books(conn, ids)
        return ShelfContents(
            name=shelf.name, status=None, books=tuple(books[i] for i in ids if i in books)
        )

    async def choices(self, guild_id: int, user_id: int, current: str) -> list[ShelfChoice]:
        """Autocomplete for a ``shelf`` option: the status shelves, then the member's own."""
        async with self.database.read() as conn:
            custom = await shelf_repo.list_for_member(conn, guild_id, user_id)
        typed = search_key(current)
        options = [ShelfChoice(s.label, s.value) for s in STATUS_SHELVES]
        options += [ShelfChoice(f"{s.name} ({s.book_count})", s.name) for s in custom]
        matching = [o for o in options if not typed or typed in search_key(o.name)]
        return matching[:25]


def _status_removal_hint(status: ReadingStatus) -> str:
    command = {
        ReadingStatus.READING: "`/progress pause`, `/progress finish` or `/progress abandon`",
        ReadingStatus.PAUSED: "`/progress start` (to resume), `/progress finish` or "
        "`/progress abandon`",
        ReadingStatus.FINISHED: "`/progress start` (to re-read it)",
        ReadingStatus.DID_NOT_FINISH: "`/progress start` (to try again)",
    }[status]
    return (
        f"**{status.label}** is a status shelf: a book moves off it when its reading changes "
        f"status, with {command}. Your reading history is kept either way."
    )


async def _no_such_shelf(conn: AsyncConnection, guild_id: int, user_id: int, name: str) -> str:
    owned = await shelf_repo.list_for_member(conn, guild_id, user_id)
    shown = inert(clean_line(name))[:60]
    if not owned:
        return (
            f"You have no shelf called “{shown}”, nor any shelf of your own yet. "
            "Make one by adding a book to it: `/shelf add book shelf`."
        )
    names = ", ".join(f"**{inert(s.name)}**" for s in owned[:20])
    return f"You have no shelf called “{shown}”. Your shelves: {names}."
