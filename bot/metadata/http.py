"""Client manners shared by the metadata sources (the pieces live in
:mod:`bot.metadata.resilience` and :mod:`bot.metadata.body`).

Open Library asks clients to identify themselves and to stay under 3 requests/s (1/s when
anonymous); both sources answer 429 and 5xx under load. :class:`SourceHttp` wraps a shared
``httpx.AsyncClient`` for one source and adds, in this order around every GET:

1. request coalescing: identical concurrent GETs (same URL and params) share one flight;
2. a circuit breaker: after repeated failures the source is left alone for a cool-down;
3. per request (each redirect hop too): the rate limiter, then retries with exponential
   backoff on 429, 5xx and timeouts, honouring ``Retry-After`` up to a cap;
4. per attempt: a deadline on the whole exchange (httpx's timeouts are per read, so a body
   dripping a byte at a time would never end), and the limits of :mod:`bot.metadata.body`.

Credentials (Google's API key) travel in headers, never in URLs, and only to the origin the
request was made to. A source whose requests wait on it longer than ``stall_after`` seconds
(on the wire, or told to come back later) reports itself *stalled*, so the catalogue can ask
the next source too; waiting for our own rate limiter is not a stall.

Time is injected (``clock`` for monotonic seconds, ``sleep`` to wait) so tests never sleep;
the deadline and the stall watch race real I/O, so they use the event loop's own clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from bot import __version__
from bot.metadata.body import (
    ACCEPT_ENCODING,
    MAX_BODY_BYTES,
    is_json_type,
    media_type,
    parse_json,
    read_body,
)
from bot.metadata.errors import (
    BadResponse,
    MetadataError,
    RateLimited,
    SourceUnavailable,
    redact_url,
)
from bot.metadata.resilience import (
    RETRY_AFTER_CAP,
    CircuitBreaker,
    Clock,
    Coalescer,
    RateLimiter,
    RetryPolicy,
    Sleep,
    parse_retry_after,
)

__all__ = [
    "DEFAULT_STALL_AFTER",
    "RETRY_AFTER_CAP",
    "CircuitBreaker",
    "Clock",
    "Coalescer",
    "JsonObject",
    "Params",
    "RateLimiter",
    "RetryPolicy",
    "Sleep",
    "SourceHttp",
    "WallClock",
    "make_http_client",
    "parse_retry_after",
    "user_agent",
    "utcnow",
]

log = logging.getLogger(__name__)

WallClock = Callable[[], datetime]
JsonObject = dict[str, object]
Params = Mapping[str, str | int]
Headers = Mapping[str, str]

PROJECT_URL = "https://github.com/marginalia-bot"
MAX_REDIRECTS = 5
DEFAULT_STALL_AFTER = 1.5
NOT_FOUND_STATUSES = frozenset((404, 410))
# Google reports exhausted quotas as 403 with one of these reasons
_QUOTA_REASONS = frozenset(
    ("rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded", "quotaExceeded")
)


def make_http_client() -> httpx.AsyncClient:
    """The one shared HTTP client for metadata sources (timeouts keep commands responsive)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=2.0, read=4.0, write=4.0, pool=2.0),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        follow_redirects=True,
    )


def user_agent(contact: str | None = None) -> str:
    """``Marginalia/<version> (+<project url>; <contact>)`` — how Open Library wants to be asked."""
    details = f"+{PROJECT_URL}; {contact}" if contact else f"+{PROJECT_URL}"
    return f"Marginalia/{__version__} ({details})"


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- the per-source client ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one attempt brought back; ``body`` is read only when it will be decoded."""

    status: int
    url: httpx.URL
    location: str | None
    retry_after: str | None
    body: bytes | None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


class SourceHttp:
    """Polite JSON GETs against one metadata source over a shared ``httpx.AsyncClient``.

    :meth:`get_json` returns the decoded JSON object, None for 404/410, and raises
    :class:`SourceUnavailable` (or a subclass) / :class:`BadResponse` otherwise. Coalesced
    callers receive the same dict: treat it as read-only. ``credentials`` are headers sent
    only to the origin of the URL asked for (not to a redirect's other host).
    """

    def __init__(
        self,
        name: str,
        client: httpx.AsyncClient,
        *,
        contact: str | None = None,
        limiter: RateLimiter,
        breaker: CircuitBreaker,
        retry: RetryPolicy | None = None,
        timeout: float = 6.0,
        credentials: Mapping[str, str] | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        stall_after: float = DEFAULT_STALL_AFTER,
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = utcnow,
    ) -> None:
        self.name = name
        self.limiter = limiter
        self.breaker = breaker
        self.retry = retry or RetryPolicy()
        self._client = client
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self._deadline = timeout  # for a whole attempt: connect, headers and body
        self._headers = {
            "User-Agent": user_agent(contact),
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._credentials = dict(credentials or {})
        self._max_body = max_body_bytes
        self._stall_after = stall_after
        self._stalls = 0
        self._stalled = asyncio.Event()
        self._coalescer: Coalescer[JsonObject | None] = Coalescer()

    async def get_json(self, url: str, params: Params | None = None) -> JsonObject | None:
        key = (url, tuple(sorted((k, str(v)) for k, v in (params or {}).items())))
        return await self._coalescer.run(key, lambda: self._guarded(url, params))

    # --- stalls --------------------------------------------------------------------------

    @property
    def stalled(self) -> bool:
        """Some request has waited on this source for ``stall_after`` seconds and counting."""
        return self._stalls > 0

    async def wait_stalled(self) -> None:
        """Return once the source is stalled (at once if it already is)."""
        await self._stalled.wait()

    @contextlib.contextmanager
    def _watch(self) -> Iterator[None]:
        """Time spent in this block is spent waiting on the source."""
        flagged = False

        def flag() -> None:
            nonlocal flagged
            flagged = True
            self._stalls += 1
            self._stalled.set()

        timer = asyncio.get_running_loop().call_later(self._stall_after, flag)
        try:
            yield
        finally:
            timer.cancel()
            if flagged:
                self._stalls -= 1
                if not self._stalls:
                    self._stalled.clear()

    # --- requests ------------------------------------------------------------------------

    async def _guarded(self, url: str, params: Params | None) -> JsonObject | None:
        self.breaker.before_call()
        try:
            result = await self._follow(url, params)
        except MetadataError:
            self.breaker.record_failure()
            raise
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.record_success()
        return result

    async def _follow(self, url: str, params: Params | None) -> JsonObject | None:
        # Redirects are followed here rather than by httpx so every hop is rate limited.
        origin = _origin(httpx.URL(url))
        for _ in range(MAX_REDIRECTS + 1):
            headers = self._headers
            if self._credentials and _origin(httpx.URL(url)) == origin:
                headers = {**headers, **self._credentials}
            answer = await self._request(url, params, headers)
            if answer.location is None:
                return self._decode(answer)
            url = answer.location
            params = None  # the Location is complete
        raise BadResponse(self.name, f"more than {MAX_REDIRECTS} redirects")

    async def _request(self, url: str, params: Params | None, headers: Headers) -> _Answer:
        attempts = self.retry.attempts
        path = httpx.URL(url).path
        for attempt in range(1, attempts + 1):
            await self.limiter.acquire()  # our own pace: not a wait on the source
            with self._watch():
                try:
                    async with asyncio.timeout(self._deadline):
                        answer = await self._attempt(url, params, headers)
                except (httpx.TimeoutException, TimeoutError) as exc:
                    if attempt == attempts:
                        raise SourceUnavailable(self.name, f"timed out ({path})") from exc
                    delay = self.retry.backoff(attempt)
                    log.info(
                        "%s timed out on %s; retry %d in %.1fs", self.name, path, attempt, delay
                    )
                    await self._sleep(delay)
                    continue
                except httpx.HTTPError as exc:
                    raise SourceUnavailable(
                        self.name, f"unreachable: {type(exc).__name__} ({path})"
                    ) from exc

                status = answer.status
                if status != 429 and status < 500:
                    return answer
                wait = self._retry_delay(answer, attempt)
                if attempt == attempts or wait is None:
                    raise self._overloaded(answer, path)
                log.info(
                    "%s answered %d on %s; retry %d in %.1fs",
                    self.name,
                    status,
                    path,
                    attempt,
                    wait,
                )
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns/raises

    async def _attempt(self, url: str, params: Params | None, headers: Headers) -> _Answer:
        request = self._client.build_request(
            "GET", url, params=params, headers=headers, timeout=self._timeout
        )
        response = await self._client.send(request, stream=True, follow_redirects=False)
        try:
            return await self._read(response)
        finally:
            await response.aclose()

    async def _read(self, response: httpx.Response) -> _Answer:
        """Status and headers, plus the body when it is worth reading (bounded)."""
        status = response.status_code
        path = response.url.path
        location = self._location(response) if response.is_redirect else None
        kind = media_type(response)
        body: bytes | None = None
        if location or status == 429 or status >= 500 or status in NOT_FOUND_STATUSES:
            pass  # nothing in the body is needed
        elif "html" in kind:
            raise BadResponse(
                self.name, f"HTTP {status} with an HTML page instead of JSON ({path})"
            )
        elif is_json_type(kind):
            body = await read_body(response, self.name, max_bytes=self._max_body)
        elif 200 <= status < 300:
            raise BadResponse(self.name, f"content type {kind[:40]} instead of JSON ({path})")
        return _Answer(status, response.url, location, response.headers.get("retry-after"), body)

    def _location(self, response: httpx.Response) -> str:
        """Where a redirect points, if that is a web address."""
        raw = response.headers["location"].strip()
        try:
            target = response.url.join(raw) if raw else None
        except httpx.InvalidURL:
            target = None
        if target is None or target.scheme not in ("http", "https") or not target.host:
            where = redact_url(raw)[:80]
            raise BadResponse(self.name, f"redirect to an unusable location {where!r}")
        return str(target)

    def _retry_delay(self, answer: _Answer, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when it is not worth waiting."""
        retry_after = parse_retry_after(answer.retry_after, self._wall_clock())
        if retry_after is None:
            return self.retry.backoff(attempt)
        if retry_after > self.retry.max_retry_after:
            self.breaker.hold(retry_after)
            return None
        return retry_after

    def _overloaded(self, answer: _Answer, path: str) -> SourceUnavailable:
        status = answer.status
        retry_after = parse_retry_after(answer.retry_after, self._wall_clock())
        if status == 429:
            return RateLimited(self.name, f"rate limited (HTTP 429, {path})", retry_after)
        return SourceUnavailable(self.name, f"server error (HTTP {status}, {path})")

    def _decode(self, answer: _Answer) -> JsonObject | None:
        status = answer.status
        path = answer.url.path
        if status in NOT_FOUND_STATUSES:
            return None
        ok = 200 <= status < 300
        if answer.body is None:  # an error page that is neither JSON nor HTML
            raise BadResponse(self.name, f"unexpected HTTP {status} ({path})")
        if answer.body.lstrip()[:1] == b"<":
            raise BadResponse(
                self.name, f"HTTP {status} with an HTML page instead of JSON ({path})"
            )
        data: object = None
        try:
            data = parse_json(answer.body, self.name, path)
        except BadResponse:
            if ok:
                raise
        if not ok:
            reason = _google_error_reason(data)
            if status == 403 and reason in _QUOTA_REASONS:
                raise RateLimited(self.name, f"quota exceeded ({reason}, {path})")
            raise BadResponse(self.name, f"unexpected HTTP {status} ({reason or path})")
        if not isinstance(data, dict):
            raise BadResponse(self.name, f"expected a JSON object, got {type(data).__name__}")
        return data


def _google_error_reason(data: object) -> str | None:
    """``error.errors[0].reason`` of a Google API error body, else ``error.status``."""
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if not isinstance(error, dict):
        return None
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason = errors[0].get("reason")
        if isinstance(reason, str):
            return reason
    status = error.get("status")
    return status if isinstance(status, str) else None
