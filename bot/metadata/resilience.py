"""Resilience for the metadata clients: rate limiting, circuit breaking, retry policy and
``Retry-After``, and coalescing of identical concurrent calls.

Time is injected (``clock`` for monotonic seconds, ``sleep`` to wait) so tests never sleep.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

from bot.metadata.errors import CircuitOpen

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

RETRY_AFTER_CAP = 300.0  # no source may shut itself away for longer than five minutes

T = TypeVar("T")


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


def parse_retry_after(
    value: str | None, now: datetime, *, cap: float = RETRY_AFTER_CAP
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), at
    most ``cap``; None when absent or unreadable (then the usual backoff applies)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return min(float(value), cap)  # a huge number of digits is inf, not an error
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return min(cap, max(0.0, (when - now).total_seconds()))


# --- coalescing --------------------------------------------------------------------------


@dataclass(slots=True)
class _Flight(Generic[T]):
    task: asyncio.Task[T]
    waiters: int = 0


class Coalescer(Generic[T]):
    """Identical concurrent calls share one in-flight task (no caching once it is done).

    The task is shielded: a caller that gives up (e.g. an autocomplete timeout) does not
    cancel the work the other callers are waiting for. When the last caller gives up, the
    work is cancelled (a lost hedge stops using the source) and forgotten at once, so a new
    caller starts afresh instead of joining a cancelled flight.
    """

    def __init__(self) -> None:
        self._inflight: dict[Hashable, _Flight[T]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: Hashable, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        flight = self._inflight.get(key)
        if flight is None:
            flight = _Flight(asyncio.get_running_loop().create_task(factory()))
            self._inflight[key] = flight
            flight.task.add_done_callback(lambda done: self._forget(key, done))
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                if self._inflight.get(key) is flight:
                    del self._inflight[key]
                flight.task.cancel()

    def _forget(self, key: Hashable, task: asyncio.Task[T]) -> None:
        flight = self._inflight.get(key)
        if flight is not None and flight.task is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # mark as retrieved even when every waiter gave up
