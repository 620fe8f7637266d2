"""Client manners shared by the metadata sources.

Open Library asks clients to identify themselves and to stay under 3 requests/s (1/s when
anonymous); both sources answer 429 and 5xx under load. :class:`SourceHttp` wraps a shared
``httpx.AsyncClient`` for one source and adds, in this order around every GET:

1. request coalescing: identical concurrent GETs (same URL and params) share one flight;
2. a circuit breaker: after repeated failures the source is left alone for a cool-down;
3. per request (each redirect hop too): the rate limiter, then retries with exponential
   backoff on 429, 5xx and timeouts, honouring ``Retry-After`` up to a cap.

Time is injected (``clock`` for monotonic seconds, ``sleep`` to wait) so tests never sleep.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import httpx

from bot import __version__
from bot.metadata.errors import (
    BadResponse,
    CircuitOpen,
    MetadataError,
    RateLimited,
    SourceUnavailable,
)

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
WallClock = Callable[[], datetime]
JsonObject = dict[str, object]
Params = Mapping[str, str | int]

PROJECT_URL = "https://github.com/marginalia-bot"
MAX_REDIRECTS = 5
NOT_FOUND_STATUSES = frozenset((404, 410))
# Google reports exhausted quotas as 403 with one of these reasons
_QUOTA_REASONS = frozenset(
    ("rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded", "quotaExceeded")
)

T = TypeVar("T")


def user_agent(contact: str | None = None) -> str:
    """``Marginalia/<version> (+<project url>; <contact>)`` — how Open Library wants to be asked."""
    details = f"+{PROJECT_URL}; {contact}" if contact else f"+{PROJECT_URL}"
    return f"Marginalia/{__version__} ({details})"


def _utcnow() -> datetime:
    return datetime.now(UTC)


# --- rate limiting -----------------------------------------------------------------------


class RateLimiter:
    """At most ``max_calls`` requests in any window of ``period`` seconds.

    Each caller reserves the earliest free slot synchronously (no lock is held across the
    wait), so waiters are served in arrival order. ``max_calls=1`` is a plain minimum
    interval; a cancelled waiter's slot is simply left unused.
    """

    def __init__(self, max_calls: int, period: float, *, clock: Clock, sleep: Sleep) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._slots: collections.deque[float] = collections.deque(maxlen=max_calls)

    @classmethod
    def per_second(cls, rate: float, *, clock: Clock, sleep: Sleep) -> RateLimiter:
        """Evenly spaced requests: ``rate`` per second, no bursts."""
        return cls(1, 1.0 / rate, clock=clock, sleep=sleep)

    def reserve(self) -> float:
        """Book the next free slot and return its time (on the limiter's clock)."""
        now = self._clock()
        slot = now
        if len(self._slots) == self.max_calls:
            slot = max(now, self._slots[0] + self.period)
        self._slots.append(slot)
        return slot

    async def acquire(self) -> float:
        """Wait for the next free slot; returns the slot time."""
        slot = self.reserve()
        delay = slot - self._clock()
        if delay > 0:
            await self._sleep(delay)
        return slot


# --- circuit breaker ---------------------------------------------------------------------


class CircuitBreaker:
    """Closed → open after ``failure_threshold`` consecutive failures → half-open after
    ``reset_timeout``, when one trial call is let through: success closes, failure re-opens.
    """

    def __init__(
        self, name: str, *, failure_threshold: int = 5, reset_timeout: float = 30.0, clock: Clock
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._failures = 0
        self._open_until: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        if self._open_until is None:
            return "closed"
        return "open" if self._clock() < self._open_until else "half-open"

    def before_call(self) -> None:
        """Raise :class:`CircuitOpen` unless a call may go out now."""
        state = self.state
        if state == "closed":
            return
        if state == "half-open" and not self._trial_in_flight:
            self._trial_in_flight = True
            return
        raise CircuitOpen(self.name, "too many recent failures; not retrying yet")

    def record_success(self) -> None:
        self._failures = 0
        self._open_until = None
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_in_flight or self._failures >= self.failure_threshold:
            self._extend(self._clock() + self.reset_timeout)
        self._trial_in_flight = False

    def release(self) -> None:
        """The call was abandoned (cancelled) without an outcome: free the trial slot."""
        self._trial_in_flight = False

    def hold(self, seconds: float) -> None:
        """Stay open for ``seconds`` (the source told us when to come back)."""
        self._extend(self._clock() + seconds)
        self._trial_in_flight = False

    def _extend(self, until: float) -> None:
        self._open_until = until if self._open_until is None else max(self._open_until, until)


# --- retries -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries per request; waits ``base_delay * 2**n`` capped at ``max_delay``.

    A ``Retry-After`` longer than ``max_retry_after`` is not waited out: the request fails
    at once and the circuit stays open for that long, so nobody knocks before then.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 4.0
    max_retry_after: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


# --- coalescing --------------------------------------------------------------------------


class Coalescer(Generic[T]):
    """Identical concurrent calls share one in-flight task (no caching once it is done).

    The task is shielded: a caller that gives up (e.g. an autocomplete timeout) does not
    cancel the work the other callers are waiting for.
    """

    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: Hashable, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(factory())
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    def _forget(self, key: Hashable, task: asyncio.Task[T]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # mark as retrieved even when every waiter gave up


# --- the per-source client ---------------------------------------------------------------


class SourceHttp:
    """Polite JSON GETs against one metadata source over a shared ``httpx.AsyncClient``.

    :meth:`get_json` returns the decoded JSON object, None for 404/410, and raises
    :class:`SourceUnavailable` (or a subclass) / :class:`BadResponse` otherwise. Coalesced
    callers receive the same dict: treat it as read-only.
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
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = _utcnow,
    ) -> None:
        self.name = name
        self.limiter = limiter
        self.breaker = breaker
        self.retry = retry or RetryPolicy()
        self._client = client
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self._headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
        self._coalescer: Coalescer[JsonObject | None] = Coalescer()

    async def get_json(self, url: str, params: Params | None = None) -> JsonObject | None:
        key = (url, tuple(sorted((k, str(v)) for k, v in (params or {}).items())))
        return await self._coalescer.run(key, lambda: self._guarded(url, params))

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
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._request(url, params)
            if not response.is_redirect:
                return self._decode(response)
            url = str(response.url.join(response.headers["location"]))
            params = None  # the Location is complete
        raise BadResponse(self.name, f"more than {MAX_REDIRECTS} redirects")

    async def _request(self, url: str, params: Params | None) -> httpx.Response:
        attempts = self.retry.attempts
        path = httpx.URL(url).path
        for attempt in range(1, attempts + 1):
            await self.limiter.acquire()
            try:
                response = await self._client.get(
                    url,
                    params=params,
                    headers=self._headers,
                    timeout=self._timeout,
                    follow_redirects=False,
                )
            except httpx.TimeoutException as exc:
                if attempt == attempts:
                    raise SourceUnavailable(self.name, f"timed out ({path})") from exc
                delay = self.retry.backoff(attempt)
                log.info("%s timed out on %s; retry %d in %.1fs", self.name, path, attempt, delay)
                await self._sleep(delay)
                continue
            except httpx.HTTPError as exc:
                raise SourceUnavailable(
                    self.name, f"unreachable: {type(exc).__name__} ({path})"
                ) from exc

            status = response.status_code
            if status != 429 and status < 500:
                return response
            wait = self._retry_delay(response, attempt)
            if attempt == attempts or wait is None:
                raise self._overloaded(response, path)
            log.info(
                "%s answered %d on %s; retry %d in %.1fs", self.name, status, path, attempt, wait
            )
            await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns/raises

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when it is not worth waiting."""
        retry_after = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
        if retry_after is None:
            return self.retry.backoff(attempt)
        if retry_after > self.retry.max_retry_after:
            self.breaker.hold(retry_after)
            return None
        return retry_after

    def _overloaded(self, response: httpx.Response, path: str) -> SourceUnavailable:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
        if status == 429:
            return RateLimited(self.name, f"rate limited (HTTP 429, {path})", retry_after)
        return SourceUnavailable(self.name, f"server error (HTTP {status}, {path})")

    def _decode(self, response: httpx.Response) -> JsonObject | None:
        status = response.status_code
        path = response.url.path
        if status in NOT_FOUND_STATUSES:
            return None
        content_type = response.headers.get("content-type", "").lower()
        body = response.content
        if "html" in content_type or body.lstrip()[:1] == b"<":
            raise BadResponse(
                self.name, f"HTTP {status} with an HTML page instead of JSON ({path})"
            )
        try:
            data = json.loads(body)
        except ValueError as exc:
            if 200 <= status < 300:
                raise BadResponse(self.name, f"invalid JSON ({path})") from exc
            data = None
        if not 200 <= status < 300:
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
