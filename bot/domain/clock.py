"""Time sources. Everything time-related takes a :class:`Clock` (or a ``now``) so tests can
control it; nothing in the domain calls ``datetime.now()`` itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable


def ensure_utc(when: datetime) -> datetime:
    """Return ``when`` as an aware UTC datetime; a naive datetime is a programming error."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {when!r}")
    return when.astimezone(UTC)


def utc_today(now: datetime) -> date:
    """The UTC calendar date of ``now`` (a member's own "today" is in their zone:
    :mod:`bot.domain.member_zone`)."""
    return now.astimezone(UTC).date()


@runtime_checkable
class Clock(Protocol):
    """Something that tells the time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (for tests and previews)."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (backwards is allowed, as after an NTP correction)."""
        self._now = ensure_utc(when)

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by ``delta`` plus the keyword amounts; returns the new time."""
        step = (delta or timedelta()) + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        if step < timedelta():
            raise ValueError("advance() only moves forward; use set() to go back")
        self._now += step
        return self._now
