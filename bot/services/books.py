"""Books: local-first search, resolution of what a member typed, manual adds, the book card.

Length (~430 lines): the autocomplete index, the catalogue's cache and the resolution of a
typed value share one service because every command naming a book goes through all three.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.db import books as book_repo
from bot.db.books import BookStats
from bot.db.engine import Database
from bot.domain import isbn as isbn_rules
from bot.domain.book import MAX_PAGE_COUNT, Book
from bot.domain.book_index import BookIndex, IndexEntry
from bot.domain.book_match import BookQuery, pick
from bot.domain.clock import Clock
from bot.domain.markdown import plain
from bot.domain.text import clean_line, search_key
from bot.errors import CatalogueUnavailable, InvalidInput, NotFound

log = logging.getLogger(__name__)

BOOK_VALUE_PREFIX = "book:"
BOOK_GONE = "That book is no longer known here; search for it again."
SEARCH_CACHE_TTL = timedelta(days=7)
AUTOCOMPLETE_BUDGET_S = 1.5
RESOLVE_BUDGET_S = 6.0
MAX_QUERY_LENGTH = 200
INDEX_REFRESH_S = 30.0
DETAILS_BUDGET_S = 1.5


class CatalogueLike(Protocol):
    """What the service needs from the metadata layer (bot.metadata.catalogue.Catalogue)."""

    async def search(self, query: str, limit: int = ...) -> list[Book]: ...

    async def by_isbn(self, isbn: str) -> Book | None: ...

    async def work(self, ol_key: str) -> Book | None: ...


@dataclass(frozen=True)
class BookChoice:
    """One autocomplete suggestion: what is shown and the value sent back."""

    name: str
    value: str


@dataclass(frozen=True)
class Resolved:
    book: Book


@dataclass(frozen=True)
class Ambiguous:
    query: str
    candidates: tuple[Book, ...]


Resolution = Resolved | Ambiguous


@dataclass(frozen=True)
class BookCard:
    book: Book
    stats: BookStats


def choice_label(book: Book) -> str:
    """≤ 100 characters: "Title — Author (1988)"."""
    year = f" ({book.first_year})" if book.first_year else ""
    author = f" — {book.author_line}" if book.authors else ""
    return plain(f"{book.display_title}{author}{year}", 100)


def book_value(book: Book) -> str:
    return f"{BOOK_VALUE_PREFIX}{book.id}"


def _value_id(raw: str) -> int | None:
    """The id in a suggestion's value ``book:<id>``, else None."""
    rest = raw[len(BOOK_VALUE_PREFIX) :]
    return int(rest) if raw.startswith(BOOK_VALUE_PREFIX) and rest.isdigit() else None


class BookService:
    def __init__(self, database: Database, catalogue: CatalogueLike, clock: Clock) -> None:
        self.database = database
        self.catalogue = catalogue
        self.clock = clock
        self._warming: dict[str, asyncio.Task[list[Book]]] = {}
        self._index = BookIndex()
        self._linked: set[tuple[int, int]] = set()  # (guild, book) links known to be stored
        self._index_lock = asyncio.Lock()
        self._index_loaded = False
        self._index_max_id = 0
        self._index_links_since: datetime | None = None
        self._index_refreshed = float("-inf")

    # --- the in-memory autocomplete index -----------------------------------------------

    def _index_entry(self, book: Book) -> IndexEntry:
        assert book.id is not None
        return IndexEntry(
            book_id=book.id,
            key=search_key(book.title, book.subtitle, *book.authors),
            label=choice_label(book),
            title_length=len(book.display_title),
            shared=not book.member_made,
        )

    async def _fresh_index(self) -> BookIndex:
        """Load the index once, then pick up books/links written by other processes every
        INDEX_REFRESH_S seconds (this process's own writes are indexed at once)."""
        if time.monotonic() - self._index_refreshed < INDEX_REFRESH_S:
            return self._index
        async with self._index_lock:
            if time.monotonic() - self._index_refreshed < INDEX_REFRESH_S:
                return self._index
            async with self.database.read() as conn:
                new_books = await book_repo.index_rows(conn, self._index_max_id)
                links = await book_repo.guild_links(conn, self._index_links_since)
            if not self._index_loaded:
                self._index.load([self._index_entry(b) for b in new_books], [])
                self._index_loaded = True
            else:
                for book in new_books:
                    self._index.add(self._index_entry(book))
            for guild_id, book_id, added_at in links:
                self._index.link(guild_id, book_id)
                if self._index_links_since is None or added_at > self._index_links_since:
                    self._index_links_since = added_at
            if new_books:
                self._index_max_id = max(self._index_max_id, *(b.id or 0 for b in new_books))
            self._index_refreshed = time.monotonic()
        return self._index

    async def _local_candidates(self, guild_id: int, text: str, limit: int) -> list[Book]:
        """Local matches through the in-memory index (no table scan); when it has none, the
        database is asked too, for a book another process stored since the last refresh."""
        index = await self._fresh_index()
        ids = [e.book_id for e in index.search(guild_id, search_key(text), limit=limit)]
        async with self.database.read() as conn:
            if ids:
                return await book_repo.get_many(conn, ids, guild_id=guild_id)
            return await book_repo.search_local(conn, guild_id, text, limit=limit)

    def refresh_index_soon(self) -> None:
        """Pick up books and links written outside this service (an import) on the next
        autocomplete instead of after the periodic refresh."""
        self._index_refreshed = float("-inf")

    def _indexed(self, book: Book, guild_id: int | None = None) -> Book:
        if book.id is not None and self._index_loaded:
            self._index.add(self._index_entry(book))
            if guild_id is not None:
                self._index.link(guild_id, book.id)
        return book

    # --- remote search, cached ----------------------------------------------------------

    async def _remote_search(self, query: str, limit: int) -> list[Book]:
        """Search the catalogue, store every result, cache the result list for a while.
        Shared by every server: only the catalogue's records come back.

        Raises CatalogueUnavailable when every source is down.
        """
        key = f"{search_key(query)}|{limit}"[:300]
        now = self.clock.now()
        async with self.database.read() as conn:
            cached = await book_repo.cached_search(conn, key, now)
            if cached is not None:
                found = await book_repo.get_many(conn, cached)
                return [b for b in found if not b.member_made]
        found = await self.catalogue.search(query, limit)
        stored: list[Book] = []
        async with self.database.write() as conn:
            for book in found:
                stored.append(self._indexed(await book_repo.upsert(conn, book, now)))
            ids = [b.id for b in stored if b.id is not None]
            await book_repo.store_search(conn, key, ids, now, now + SEARCH_CACHE_TTL)
        return stored

    def _remote_task(self, query: str, limit: int) -> asyncio.Task[list[Book]]:
        """One background search per query; it keeps running (and fills the cache) even if
        the caller stops waiting, so the next keystroke finds the answer locally."""
        key = f"{search_key(query)}|{limit}"
        task = self._warming.get(key)
        if task is None:
            task = asyncio.create_task(self._remote_search(query, limit), name=f"search:{key}")
            self._warming[key] = task
            task.add_done_callback(lambda t: self._finish_warming(key, t))
        return task

    def _finish_warming(self, key: str, task: asyncio.Task[list[Book]]) -> None:
        self._warming.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.info("background search %r failed: %s", key, task.exception())

    # --- autocomplete -------------------------------------------------------------------

    async def autocomplete(
        self, guild_id: int, current: str, *, budget: float = AUTOCOMPLETE_BUDGET_S
    ) -> list[BookChoice]:
        """Local books first (instant); then the cache and the catalogue within `budget`."""
        text = clean_line(current)[:MAX_QUERY_LENGTH]
        index = await self._fresh_index()
        local = index.search(guild_id, search_key(text), limit=25) if text else []
        choices = [BookChoice(e.label, f"{BOOK_VALUE_PREFIX}{e.book_id}") for e in local]
        if len(choices) >= 10 or len(search_key(text)) < 3:
            return choices[:25]
        task = self._remote_task(text, 10)
        done, _ = await asyncio.wait({task}, timeout=budget)
        if task in done and task.exception() is None:
            seen = {c.value for c in choices}
            for book in task.result():
                if book_value(book) not in seen:
                    choices.append(BookChoice(choice_label(book), book_value(book)))
        return choices[:25]

    # --- resolution of a typed value ----------------------------------------------------

    async def resolve(self, guild_id: int, text: str) -> Resolution:
        """A picked suggestion, an ISBN, "title by author" or a title → one book or a choice.

        Raises NotFound (with a hint about /book add) or CatalogueUnavailable.
        """
        raw = clean_line(text)[:MAX_QUERY_LENGTH]
        if not raw:
            raise InvalidInput("Type a book title, “title by author”, or an ISBN.")
        if (book_id := _value_id(raw)) is not None:
            return Resolved(await self.get(guild_id, book_id))
        isbn13 = isbn_rules.to_isbn13(raw) if isbn_rules.is_valid(raw) else None
        if isbn13 is not None:
            return Resolved(await self._by_isbn(guild_id, isbn13, raw))
        query = BookQuery.parse(raw)
        local = await self._local_candidates(guild_id, query.title, 25)
        one, several = pick(query, local)
        if one is not None:
            return Resolved(one)
        if several:
            return Ambiguous(raw, tuple(several))
        try:
            remote = await asyncio.wait_for(
                asyncio.shield(self._remote_task(query.remote_query, 10)), RESOLVE_BUDGET_S
            )
        except TimeoutError:
            raise CatalogueUnavailable(
                "The book catalogue is too slow to answer right now. Try again in a minute, "
                "or add the book by hand with /book add."
            ) from None
        except CatalogueUnavailable:
            raise CatalogueUnavailable(
                f"“{raw}” is not among this server's books and the book catalogue is "
                "unreachable right now. Try again later, or add it with /book add."
            ) from None
        one, several = pick(query, remote)
        if one is not None:
            return Resolved(one)
        if several:
            return Ambiguous(raw, tuple(several))
        if remote:
            return Ambiguous(raw, tuple(remote[:5]))
        raise NotFound(
            f"No book matches “{raw}”. Check the spelling, try “title by author” or an ISBN, "
            "or add it by hand with /book add."
        )

    async def _by_isbn(self, guild_id: int, isbn13: str, raw: str) -> Book:
        async with self.database.read() as conn:
            local = await book_repo.find_by_isbn(conn, isbn13, guild_id)
        if local is not None:
            return local
        try:
            found = await asyncio.wait_for(self.catalogue.by_isbn(isbn13), RESOLVE_BUDGET_S)
        except (TimeoutError, CatalogueUnavailable):
            raise CatalogueUnavailable(
                f"ISBN {raw} is not in this server's books and the book catalogue is "
                "unreachable right now. Try again later, or add it with /book add."
            ) from None
        if found is None:
            raise NotFound(
                f"No book has the ISBN {raw}. Check the digits, or add it with /book add."
            )
        async with self.database.write() as conn:
            return self._indexed(await book_repo.upsert(conn, found, self.clock.now()))

    async def get(self, guild_id: int, book_id: int) -> Book:
        """A book the server may see (a ``book:<id>`` value can be typed by hand)."""
        book = await self.database.run_read(book_repo.book_seen_by, book_id, guild_id)
        if book is None:
            raise NotFound(BOOK_GONE)
        return book

    def linked_book_id(self, guild_id: int, text: str) -> int | None:
        """The id of a picked suggestion already linked to this server (resolving it is just
        ``book_seen_by``, remembering it writes nothing: a command may read it in its own
        unit of work, one hop to the database thread instead of two), else None."""
        book_id = _value_id(clean_line(text)[:MAX_QUERY_LENGTH])
        return book_id if (guild_id, book_id) in self._linked else None

    async def remember(self, guild_id: int, user_id: int | None, book: Book) -> None:
        """Mark the book as known to this server (it then comes first in autocomplete)."""
        if book.id is None:
            raise ValueError("book must be stored first")
        if (guild_id, book.id) in self._linked:
            return  # every command that names a book calls this: skip the write when known
        async with self.database.write() as conn:
            if book.member_made and not await book_repo.guild_knows(conn, guild_id, book.id):
                # another server's own book never becomes this one's by being named here
                raise NotFound(BOOK_GONE)
            await book_repo.link_guild(conn, guild_id, book.id, user_id, self.clock.now())
        self._linked.add((guild_id, book.id))
        self._indexed(book, guild_id)

    # --- commands -----------------------------------------------------------------------

    async def search(self, guild_id: int, query: str, limit: int = 5) -> tuple[list[Book], bool]:
        """(matches, catalogue_reachable): local matches topped up from the catalogue."""
        text = clean_line(query)[:MAX_QUERY_LENGTH]
        if len(search_key(text)) < 2:
            raise InvalidInput("Type at least two letters (a title, an author or an ISBN).")
        if isbn_rules.is_valid(text):
            resolution = await self.resolve(guild_id, text)
            assert isinstance(resolution, Resolved)
            return [resolution.book], True
        local = await self._local_candidates(guild_id, text, limit)
        reachable = True
        results = list(local)
        if len(results) < limit:
            try:
                remote = await asyncio.wait_for(
                    asyncio.shield(self._remote_task(text, 10)), RESOLVE_BUDGET_S
                )
            except (TimeoutError, CatalogueUnavailable):
                remote, reachable = [], False
            known = {b.id for b in results}
            results.extend(b for b in remote if b.id not in known)
        return results[:limit], reachable

    async def add_manual(
        self,
        guild_id: int,
        user_id: int,
        *,
        title: str,
        author: str,
        pages: int | None = None,
        isbn: str | None = None,
        year: int | None = None,
    ) -> tuple[Book, bool]:
        """Add a book by hand (works offline). Returns (book, created)."""
        clean_title = clean_line(title)
        clean_author = clean_line(author)
        if not clean_title or len(clean_title) > 256:
            raise InvalidInput("The title must be 1–256 characters.")
        if not clean_author or len(clean_author) > 256:
            raise InvalidInput("The author must be 1–256 characters.")
        if pages is not None and not 1 <= pages <= MAX_PAGE_COUNT:
            raise InvalidInput(f"Pages must be a whole number from 1 to {MAX_PAGE_COUNT:,}.")
        this_year = self.clock.now().year
        if year is not None and not -3000 <= year <= this_year + 1:
            raise InvalidInput(f"The year must be between -3000 and {this_year + 1}.")
        isbn13: str | None = None
        isbn10: str | None = None
        if isbn:
            if not isbn_rules.is_valid(isbn):
                raise InvalidInput(
                    f"“{isbn}” is not a valid ISBN-10 or ISBN-13 (check the last digit)."
                )
            isbn13 = isbn_rules.to_isbn13(isbn)
            isbn10 = isbn_rules.to_isbn10(isbn)
        now = self.clock.now()
        async with self.database.write() as conn:
            if isbn13 is not None:
                existing = await book_repo.find_by_isbn(conn, isbn13, guild_id)
                if existing is not None and existing.id is not None:
                    await book_repo.link_guild(conn, guild_id, existing.id, user_id, now)
                    return existing, False
            query = BookQuery(clean_title, clean_author)
            local = await book_repo.search_local(conn, guild_id, clean_title, limit=25)
            one, _ = pick(query, local)
            if one is not None and search_key(one.title) == search_key(clean_title):
                assert one.id is not None
                await book_repo.link_guild(conn, guild_id, one.id, user_id, now)
                return one, False
            book = await book_repo.upsert(
                conn,
                Book(
                    title=clean_title,
                    authors=(clean_author,),
                    page_count=pages,
                    first_year=year,
                    isbn13=isbn13,
                    isbn10=isbn10,
                    isbns=(isbn13,) if isbn13 else (),
                    source="manual",
                ),
                now,
                created_by_guild_id=guild_id,
            )
            assert book.id is not None
            await book_repo.link_guild(conn, guild_id, book.id, user_id, now)
        return self._indexed(book, guild_id), True

    async def card(self, guild_id: int, book: Book) -> BookCard:
        """The book with this server's numbers; a search result without a description is
        completed from its Open Library work once (then served from the cache)."""
        assert book.id is not None
        book_id = book.id
        if book.description is None and book.ol_work_key:
            book = await self._with_work_details(book)
        stats = await self.database.run_read(book_repo.stats_in, guild_id, book_id)
        return BookCard(book, stats)

    async def _with_work_details(self, book: Book) -> Book:
        if book.ol_work_key is None:
            return book
        try:
            detailed = await asyncio.wait_for(
                self.catalogue.work(book.ol_work_key), DETAILS_BUDGET_S
            )
        except (TimeoutError, CatalogueUnavailable, InvalidInput):
            return book
        if detailed is None:
            return book
        async with self.database.write() as conn:
            return self._indexed(await book_repo.upsert(conn, detailed, self.clock.now()))
