"""Google Books: the fallback source (https://developers.google.com/books/docs/v1/using).

``/volumes?q=…`` answers ``{"kind": "books#volumes", "totalItems": 0}`` — with no ``items``
key at all — when nothing matched. ``country=US`` is always sent: without it, anonymous
requests from hosts Google cannot geolocate are refused with a 403.

The API key goes in the ``X-Goog-Api-Key`` header, which Google APIs accept in place of the
``key=`` query parameter (https://cloud.google.com/docs/authentication/api-keys-use): URLs
end up in logs (httpx logs each request's URL at INFO), headers do not.
"""

from __future__ import annotations

import dataclasses

from bot.domain import isbn as isbnlib
from bot.domain.book import Book
from bot.metadata.errors import BadResponse
from bot.metadata.http import JsonObject, SourceHttp
from bot.metadata.normalise import book_from_google_volume

SOURCE = "googlebooks"
MAX_RESULTS = 40  # the API's maximum for maxResults
API_KEY_HEADER = "X-Goog-Api-Key"


def credentials(api_key: str | None) -> dict[str, str]:
    """The headers that carry the API key (none without one), for the source's SourceHttp."""
    return {API_KEY_HEADER: api_key} if api_key else {}


def build_query(query: str, author: str | None = None) -> str:
    """Free text, or ``intitle:``/``inauthor:`` terms (one per word) when an author is given."""
    words = query.replace('"', " ").split()
    if not author:
        return " ".join(words)
    terms = [f"intitle:{w}" for w in words]
    terms += [f"inauthor:{w}" for w in author.replace('"', " ").split()]
    return " ".join(terms)


class GoogleBooks:
    """Google Books over a :class:`SourceHttp` (which carries the optional API key, see
    :func:`credentials`)."""

    name = SOURCE

    def __init__(self, http: SourceHttp, *, base_url: str) -> None:
        self.http = http
        self._base = base_url.rstrip("/")

    @staticmethod
    def _params(**extra: str | int) -> dict[str, str | int]:
        return {"country": "US", **extra}

    # --- raw records ---------------------------------------------------------------------

    async def search_items(self, q: str, limit: int = 5) -> list[JsonObject]:
        """Volume resources matching a Google query string (may be empty)."""
        params = self._params(q=q, maxResults=max(1, min(limit, MAX_RESULTS)), printType="books")
        data = await self.http.get_json(f"{self._base}/volumes", params)
        if data is None:
            return []
        items = data.get("items", [])  # absent when totalItems is 0
        if not isinstance(items, list):
            raise BadResponse(SOURCE, "volumes answer with items that are not a list")
        return [i for i in items if isinstance(i, dict)]

    async def get_volume(self, volume_id: str) -> JsonObject | None:
        return await self.http.get_json(f"{self._base}/volumes/{volume_id}", self._params())

    # --- books ---------------------------------------------------------------------------

    async def search(self, query: str, limit: int = 5, *, author: str | None = None) -> list[Book]:
        q = build_query(query, author)
        if not q:
            return []
        books: list[Book] = []
        seen: set[str] = set()
        for item in await self.search_items(q, limit):
            book = book_from_google_volume(item)
            if book is None or (book.google_volume_id or book.title) in seen:
                continue
            seen.add(book.google_volume_id or book.title)
            books.append(book)
        return books[:limit]

    async def by_isbn(self, isbn: str) -> Book | None:
        """The volume for an ISBN, preferring one that really lists that ISBN."""
        as13 = isbnlib.to_isbn13(isbn)
        if as13 is None:
            return None
        books = [
            b
            for item in await self.search_items(f"isbn:{as13}", 3)
            if (b := book_from_google_volume(item))
        ]
        if not books:
            return None
        book = next((b for b in books if as13 in b.isbns), books[0])
        if as13 in book.isbns:
            return dataclasses.replace(book, isbn13=as13, isbn10=isbnlib.to_isbn10(as13))
        return book

    async def volume(self, volume_id: str) -> Book | None:
        data = await self.get_volume(volume_id)
        return book_from_google_volume(data) if data is not None else None
