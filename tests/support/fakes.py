"""Stand-ins for what a service is given: metadata catalogues and member directories.

The digest scheduler's poster lives in tests/support/digest.py, beside the helpers that
drive the scheduler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.domain.book import Book
from bot.errors import CatalogueUnavailable

# --- catalogues (what BookService and ImportService look books up in) ----------------------


class ScriptedCatalogue:
    """A stand-in with the Catalogue's methods; counts calls; can be down or slow."""

    def __init__(self, books: list[Book]) -> None:
        self.books = books
        self.down = False
        self.delay = 0.0
        self.search_calls = 0
        self.isbn_calls = 0
        self.work_calls = 0

    async def search(self, query: str, limit: int = 10) -> list[Book]:
        self.search_calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise CatalogueUnavailable("down")
        words = query.lower().split()
        return [
            b
            for b in self.books
            if all(w in (b.title + " " + " ".join(b.authors)).lower() for w in words)
        ][:limit]

    async def by_isbn(self, isbn: str) -> Book | None:
        self.isbn_calls += 1
        if self.down:
            raise CatalogueUnavailable("down")
        return next((b for b in self.books if isbn in b.isbns), None)

    async def work(self, ol_key: str) -> Book | None:
        self.work_calls += 1
        if self.down:
            raise CatalogueUnavailable("down")
        book = next((b for b in self.books if b.ol_work_key == ol_key), None)
        if book is None:
            return None
        return replace(book, description=f"About {book.title}.")


class StubCatalogue:
    """Counts requests and how many are in flight at once; knows the books it is given."""

    def __init__(self, known: Sequence[Book] = (), *, down: bool = False) -> None:
        self.known = list(known)
        self.down = down
        self.calls: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def _request(self, kind: str, value: str) -> None:
        self.calls.append((kind, value))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.001)
        finally:
            self.in_flight -= 1
        if self.down:
            raise CatalogueUnavailable("down")

    async def search(self, query: str, limit: int = 5) -> list[Book]:
        await self._request("search", query)
        words = query.lower().split()
        return [b for b in self.known if all(w in f"{b.title} {b.authors}".lower() for w in words)]

    async def by_isbn(self, isbn: str) -> Book | None:
        await self._request("isbn", isbn)
        return next((b for b in self.known if isbn in b.isbns), None)


class OfflineCatalogue:
    """No metadata source: every book is added by hand."""

    async def search(self, query: str, limit: int = 5) -> list[Book]:
        return []

    async def by_isbn(self, isbn: str) -> Book | None:
        return None

    async def work(self, ol_key: str) -> Book | None:
        return None


# --- member directories (the display names the digest and clubs show) ----------------------


class DictNames:
    """A MemberDirectory from a dict; records what was asked."""

    def __init__(self, names: Mapping[int, str]) -> None:
        self.names = dict(names)
        self.asked: list[int] = []

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        self.asked.extend(user_ids)
        return {u: self.names[u] for u in user_ids if u in self.names}


class NoNames:
    """A MemberDirectory that knows nobody."""

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        return {}


class NumberedNames:
    """A MemberDirectory that names everyone "member <id>"."""

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        return {user_id: f"member {user_id}" for user_id in user_ids}
