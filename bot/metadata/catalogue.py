"""The catalogue: Open Library first, Google Books when Open Library errs or finds nothing.

"Nothing found" (an empty list / None) and "every source unreachable"
(:class:`bot.errors.CatalogueUnavailable`) are kept apart, so a member is never told a book
does not exist when the truth is that nobody could be asked. Identical concurrent lookups
(fifty autocompletes for the same ISBN) share one run of the whole lookup.

Lookups are *hedged*: when Open Library stalls (a request has waited on it ``hedge_after``
seconds without an answer), Google Books is asked at the same time and the first useful
answer wins; the other lookup is cancelled. A lookup that is merely queued behind our own
rate limiter is not stalled, so a busy but healthy Open Library is not doubled up on.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

import httpx

from bot.config import Settings
from bot.domain import isbn as isbnlib
from bot.domain.book import Book
from bot.domain.discord_limits import AUTOCOMPLETE_CHOICES_LIMIT
from bot.domain.text import clean_line, neutralise_mentions, search_key, trim
from bot.errors import CatalogueUnavailable, InvalidInput
from bot.metadata.errors import MetadataError
from bot.metadata.googlebooks import GoogleBooks, credentials
from bot.metadata.http import (
    DEFAULT_STALL_AFTER,
    CircuitBreaker,
    Clock,
    Coalescer,
    RateLimiter,
    RetryPolicy,
    Sleep,
    SourceHttp,
    WallClock,
    utcnow,
)
from bot.metadata.normalise import parse_work_key
from bot.metadata.openlibrary import OpenLibrary

log = logging.getLogger(__name__)

DEFAULT_OPENLIBRARY_URL = "https://openlibrary.org"
DEFAULT_COVERS_URL = "https://covers.openlibrary.org"
DEFAULT_GOOGLE_BOOKS_URL = "https://www.googleapis.com/books/v1"
MAX_LIMIT = AUTOCOMPLETE_CHOICES_LIMIT
UNAVAILABLE_MESSAGE = (
    "The book catalogue can't be reached right now (Open Library and Google Books are not "
    "answering). Try again in a minute, or add the book by hand with /book add."
)
_VOLUME_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

R = TypeVar("R", list[Book], Book | None)
Lookup = tuple[SourceHttp, Callable[[], Coroutine[Any, Any, R]]]


def _echo(value: str) -> str:
    return neutralise_mentions(trim(clean_line(value), 40))


class Catalogue:
    """Book lookups across sources, for services and cogs.

    Build it with :meth:`from_settings` in the app, or directly (tests pass a client over
    ``httpx.MockTransport`` and a fake ``clock``/``sleep``).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        openlibrary_base_url: str = DEFAULT_OPENLIBRARY_URL,
        openlibrary_covers_url: str = DEFAULT_COVERS_URL,
        google_books_base_url: str = DEFAULT_GOOGLE_BOOKS_URL,
        google_books_api_key: str | None = None,
        contact: str | None = None,
        timeout: float = 6.0,
        retry: RetryPolicy | None = None,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        hedge_after: float = DEFAULT_STALL_AFTER,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = utcnow,
    ) -> None:
        def source(
            name: str, limiter: RateLimiter, secrets: dict[str, str] | None = None
        ) -> SourceHttp:
            breaker = CircuitBreaker(
                name, failure_threshold=failure_threshold, reset_timeout=reset_timeout, clock=clock
            )
            return SourceHttp(
                name,
                client,
                contact=contact,
                limiter=limiter,
                breaker=breaker,
                retry=retry,
                timeout=timeout,
                credentials=secrets,
                stall_after=hedge_after,
                sleep=sleep,
                wall_clock=wall_clock,
            )

        # Open Library allows 3 requests/s to clients that identify themselves with a
        # contact, 1/s otherwise; Google's per-user quota is about 100 per minute.
        ol_rate = 3.0 if contact else 1.0
        self.openlibrary = OpenLibrary(
            source("openlibrary", RateLimiter.per_second(ol_rate, clock=clock, sleep=sleep)),
            base_url=openlibrary_base_url,
            covers_url=openlibrary_covers_url,
        )
        self.google = GoogleBooks(
            source(
                "googlebooks",
                RateLimiter.per_second(1.5, clock=clock, sleep=sleep),
                credentials(google_books_api_key),
            ),
            base_url=google_books_base_url,
        )
        self._sources = (self.openlibrary, self.google)
        self._lists: Coalescer[list[Book]] = Coalescer()
        self._books: Coalescer[Book | None] = Coalescer()

    @classmethod
    def from_settings(
        cls, settings: Settings, client: httpx.AsyncClient, **options: Any
    ) -> Catalogue:
        """The catalogue as configured (``options`` are passed on, e.g. ``timeout``)."""
        api_key = settings.google_books_api_key.get() if settings.google_books_api_key else None
        return cls(
            client,
            openlibrary_base_url=settings.openlibrary_base_url,
            openlibrary_covers_url=settings.openlibrary_covers_url,
            google_books_base_url=settings.google_books_base_url,
            google_books_api_key=api_key,
            contact=settings.metadata_contact,
            **options,
        )

    # --- lookups -------------------------------------------------------------------------

    async def search(self, query: str, limit: int = 5, *, author: str | None = None) -> list[Book]:
        """Up to ``limit`` books for free text (or a title plus ``author``).

        A query that is a valid ISBN is looked up as one. Raises CatalogueUnavailable only
        when every source failed; otherwise an empty list means nothing matched.
        """
        query = clean_line(query)
        author = clean_line(author) if author else None
        author = author or None
        if not query:
            return []
        if author is None and (isbn := isbnlib.normalise(query)):
            book = await self.by_isbn(isbn)
            return [book] if book else []
        limit = max(1, min(limit, MAX_LIMIT))
        key = ("search", search_key(query), search_key(author), limit)
        return await self._lists.run(
            key,
            lambda: self._first_answer(
                [
                    (
                        self.openlibrary.http,
                        lambda: self.openlibrary.search(query, limit, author=author),
                    ),
                    (self.google.http, lambda: self.google.search(query, limit, author=author)),
                ]
            ),
        )

    async def by_isbn(self, isbn: str) -> Book | None:
        """The book an ISBN-10/13 belongs to (hyphens and spaces allowed), or None."""
        as13 = isbnlib.to_isbn13(isbn)
        if as13 is None:
            raise InvalidInput(
                f"“{_echo(isbn)}” is not a valid ISBN. An ISBN-10 has 10 characters (the last "
                "may be X), an ISBN-13 has 13 digits starting with 978 or 979; hyphens and "
                "spaces are fine."
            )
        return await self._books.run(
            ("isbn", as13),
            lambda: self._first_answer(
                [
                    (self.openlibrary.http, lambda: self.openlibrary.by_isbn(as13)),
                    (self.google.http, lambda: self.google.by_isbn(as13)),
                ]
            ),
        )

    async def work(self, ol_key: str) -> Book | None:
        """The Open Library work (``"OL45804W"``, ``"/works/OL45804W"`` or its URL), or None."""
        key = parse_work_key(ol_key)
        if key is None:
            raise InvalidInput(
                f"“{_echo(ol_key)}” is not an Open Library work key; they look like OL45804W."
            )
        return await self._books.run(
            ("work", key),
            lambda: self._first_answer(
                [(self.openlibrary.http, lambda: self.openlibrary.work(key))]
            ),
        )

    async def google_volume(self, volume_id: str) -> Book | None:
        """A Google Books volume by id (for books that came from the fallback), or None."""
        volume_id = volume_id.strip()
        if not _VOLUME_ID.match(volume_id):
            raise InvalidInput(f"“{_echo(volume_id)}” is not a Google Books volume id.")
        return await self._books.run(
            ("volume", volume_id),
            lambda: self._first_answer([(self.google.http, lambda: self.google.volume(volume_id))]),
        )

    # --- health --------------------------------------------------------------------------

    def status(self) -> dict[str, str]:
        """Each source's circuit state: ``closed`` (healthy), ``open`` or ``half-open``."""
        return {
            "openlibrary": self.openlibrary.http.breaker.state,
            "googlebooks": self.google.http.breaker.state,
        }

    async def check(self) -> dict[str, str]:
        """Ask each source one tiny question; ``"ok"`` or the reason it failed (for doctor)."""
        report: dict[str, str] = {}
        probes: dict[str, Callable[[], Coroutine[Any, Any, list[Book]]]] = {
            "openlibrary": lambda: self.openlibrary.search("the hobbit", 1),
            "googlebooks": lambda: self.google.search("the hobbit", 1),
        }
        for name, probe in probes.items():
            try:
                await probe()
            except MetadataError as exc:
                report[name] = str(exc)
            else:
                report[name] = "ok"
        return report

    # --- fallback ------------------------------------------------------------------------

    @staticmethod
    async def _first_answer(lookups: Sequence[Lookup[R]]) -> R:
        """The first non-empty answer; an empty one if some source answered; else raise.

        Sources are asked in order: the next one when the previous failed or found nothing,
        or — hedging — as soon as the previous one stalls. Losers are cancelled.
        """
        failures: list[MetadataError] = []
        answers: list[R] = []
        waiting = list(lookups)
        running: dict[asyncio.Task[R], int] = {}
        loop = asyncio.get_running_loop()
        stall: asyncio.Task[None] | None = None  # the last source asked, if another is left
        asked = ""

        def ask_next() -> None:
            nonlocal stall, asked
            source, call = waiting.pop(0)
            asked = source.name
            running[loop.create_task(call())] = len(lookups) - len(waiting)  # ask order
            if stall is not None:
                stall.cancel()
            stall = loop.create_task(source.wait_stalled()) if waiting else None

        try:
            ask_next()
            while running:
                watched: set[asyncio.Future[Any]] = set(running)
                if stall is not None:
                    watched.add(stall)
                done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
                finished = sorted((t for t in running if t in done), key=running.__getitem__)
                if not finished:  # the source being asked has stalled: hedge
                    log.info("%s is not answering; asking the next source too", asked)
                    ask_next()
                    continue
                for task in finished:
                    del running[task]
                    try:
                        answer = task.result()
                    except MetadataError as exc:
                        log.warning("metadata source failed, trying the next one: %s", exc)
                        failures.append(exc)
                        continue
                    if answer:
                        return answer
                    answers.append(answer)
                if not running and waiting:
                    ask_next()
        finally:
            losers: list[asyncio.Future[Any]] = [*running]
            if stall is not None:
                losers.append(stall)
            for loser in losers:
                loser.cancel()
            await asyncio.gather(*losers, return_exceptions=True)
        if not answers:
            raise CatalogueUnavailable(UNAVAILABLE_MESSAGE) from failures[-1]
        return answers[0]
