"""Open Library: search, works (following merges), editions, ISBN lookups, author names.

Endpoints (https://openlibrary.org/developers/api):
- ``/search.json`` — since 2025 fields such as ``isbn``, ``subject`` and
  ``number_of_pages_median`` only come back when listed in ``fields=``, so we always list them;
- ``/works/OL…W.json`` — a merged work answers ``{"type": {"key": "/type/redirect"},
  "location": "/works/OL…W"}``, which we follow a few hops;
- ``/works/OL…W/editions.json`` — for the page-count median (works have no page count);
- ``/isbn/{isbn}.json`` — answers 302 to ``/books/OL…M.json`` (followed by :class:`SourceHttp`);
- ``/authors/OL…A.json`` — names, when a work only has author keys.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from bot.domain import isbn as isbnlib
from bot.domain.book import Book
from bot.metadata.errors import BadResponse, redact_url
from bot.metadata.http import JsonObject, SourceHttp
from bot.metadata.normalise import (
    Json,
    author_name,
    book_from_ol_search_doc,
    book_from_ol_work,
    isbn13s,
    parse_author_key,
    parse_work_key,
    redirect_location,
    work_author_keys,
)

SOURCE = "openlibrary"
SEARCH_FIELDS = (
    "key",
    "title",
    "subtitle",
    "author_name",
    "author_key",
    "first_publish_year",
    "number_of_pages_median",
    "isbn",
    "subject",
    "cover_i",
    "cover_edition_key",
    "edition_count",
)
MAX_SEARCH_LIMIT = 50
MAX_AUTHORS = 5  # anthologies list dozens; the card shows three
MAX_RECORD_REDIRECTS = 3
EDITIONS_LIMIT = 50

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


async def gather_all(coros: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """Run concurrently; the first failure cancels the rest and is raised as itself.

    (A bare TaskGroup would wrap it in an ExceptionGroup, which callers catching
    :class:`~bot.metadata.errors.MetadataError` would not see.)
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coros]
    except BaseExceptionGroup as failures:
        raise _first_leaf(failures) from None
    return [t.result() for t in tasks]


async def gather_pair(first: Coroutine[Any, Any, A], second: Coroutine[Any, Any, B]) -> tuple[A, B]:
    """:func:`gather_all` for two differently typed results."""
    try:
        async with asyncio.TaskGroup() as group:
            task_a = group.create_task(first)
            task_b = group.create_task(second)
    except BaseExceptionGroup as failures:
        raise _first_leaf(failures) from None
    return task_a.result(), task_b.result()


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    leaf: BaseException = group
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf


class OpenLibrary:
    """Open Library over a :class:`SourceHttp` (shared client, limiter, breaker, retries)."""

    name = SOURCE

    def __init__(self, http: SourceHttp, *, base_url: str, covers_url: str) -> None:
        self.http = http
        self._base = base_url.rstrip("/")
        self._covers = covers_url.rstrip("/")

    # --- raw records ---------------------------------------------------------------------

    async def search_docs(
        self, query: str, *, author: str | None = None, limit: int = 5
    ) -> list[JsonObject]:
        """``search.json`` docs for free text, or for a title plus author when one is given."""
        params: dict[str, str | int] = (
            {"title": query, "author": author} if author else {"q": query}
        )
        params["fields"] = ",".join(SEARCH_FIELDS)
        params["limit"] = max(1, min(limit, MAX_SEARCH_LIMIT))
        data = await self.http.get_json(f"{self._base}/search.json", params)
        if data is None:
            return []
        docs = data.get("docs")
        if not isinstance(docs, list):
            raise BadResponse(SOURCE, "search answer without a docs list")
        return [d for d in docs if isinstance(d, dict)]

    async def _record(
        self, path: str, parse_key: Callable[[object], str | None]
    ) -> JsonObject | None:
        """GET a work/author record, following ``/type/redirect`` merges a few hops."""
        seen: set[str] = set()
        for _ in range(MAX_RECORD_REDIRECTS + 1):
            doc = await self.http.get_json(f"{self._base}{path}.json")
            if doc is None or _type_key(doc) == "/type/delete":
                return None
            location = redirect_location(doc)
            if location is None:
                return doc
            seen.add(path)
            target = parse_key(location)
            if target is None:
                raise BadResponse(
                    SOURCE, f"redirect to an unexpected place: {redact_url(location)[:120]}"
                )
            path = f"/{'works' if target.endswith('W') else 'authors'}/{target}"
            if path in seen:
                raise BadResponse(SOURCE, "redirect loop between merged records")
        raise BadResponse(SOURCE, f"more than {MAX_RECORD_REDIRECTS} merge redirects")

    async def get_work(self, key: str) -> JsonObject | None:
        """The work record (after merges), or None when it does not exist."""
        return await self._record(f"/works/{key}", parse_work_key)

    async def get_editions(self, key: str, limit: int = EDITIONS_LIMIT) -> list[JsonObject]:
        """The first page of a work's editions."""
        data = await self.http.get_json(f"{self._base}/works/{key}/editions.json", {"limit": limit})
        if data is None:
            return []
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise BadResponse(SOURCE, "editions answer without an entries list")
        return [e for e in entries if isinstance(e, dict)]

    async def get_edition_by_isbn(self, isbn: str) -> JsonObject | None:
        """The edition record for an ISBN (``/isbn/…`` redirects to ``/books/OL…M.json``)."""
        return await self.http.get_json(f"{self._base}/isbn/{isbn}.json")

    async def author_names(self, keys: Sequence[str]) -> list[str]:
        """Names for author keys, fetched concurrently (the limiter keeps the pace polite)."""
        docs = await gather_all(
            [self._record(f"/authors/{k}", parse_author_key) for k in keys[:MAX_AUTHORS]]
        )
        return [name for doc in docs if doc is not None and (name := author_name(doc))]

    # --- books ---------------------------------------------------------------------------

    async def search(self, query: str, limit: int = 5, *, author: str | None = None) -> list[Book]:
        docs = await self.search_docs(query, author=author, limit=limit)
        # works with no editions at all are orphaned duplicates; keep them only if alone
        with_editions = [d for d in docs if d.get("edition_count") != 0]
        books: list[Book] = []
        seen: set[str] = set()
        for doc in with_editions or docs:
            book = book_from_ol_search_doc(doc, covers_url=self._covers)
            if book is None or (book.ol_work_key or book.title) in seen:
                continue
            seen.add(book.ol_work_key or book.title)
            books.append(book)
        return books[:limit]

    async def work(self, key: str) -> Book | None:
        """The full Book for a work key such as ``"OL45804W"``."""
        work = await self.get_work(key)
        if work is None:
            return None
        return await self._complete(work, edition=None)

    async def by_isbn(self, isbn: str) -> Book | None:
        """The Book of the work an ISBN's edition belongs to, with that edition's ISBNs first."""
        as13 = isbnlib.to_isbn13(isbn)
        if as13 is None:
            return None
        edition = await self.get_edition_by_isbn(as13)
        if edition is None:
            return None
        work_key = next(
            (k for w in _list_of_objs(edition, "works") if (k := parse_work_key(w.get("key")))),
            None,
        )
        work = await self.get_work(work_key) if work_key else None
        book = await self._complete(work, edition=edition)
        if book is None:
            return None
        return dataclasses.replace(
            book,
            isbn13=as13,
            isbn10=isbnlib.to_isbn10(as13),
            isbns=isbn13s([as13, *book.isbns]),
        )

    async def _complete(self, work: Json | None, *, edition: Json | None) -> Book | None:
        """Fetch what a work record lacks (author names, editions) concurrently, then build."""
        author_keys = work_author_keys(work or {}) or work_author_keys(edition or {})
        key = parse_work_key((work or {}).get("key"))
        names, editions = await gather_pair(
            self.author_names(author_keys),
            self.get_editions(key) if key else _no_editions(),
        )
        return book_from_ol_work(
            work,
            covers_url=self._covers,
            authors=names,
            editions=editions,
            edition=edition,
        )


async def _no_editions() -> list[JsonObject]:
    return []


def _type_key(doc: Json) -> object:
    kind = doc.get("type")
    return kind.get("key") if isinstance(kind, dict) else None


def _list_of_objs(doc: Json, key: str) -> list[Json]:
    value = doc.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
