"""The weekly digest schedule: time zones, ISO week keys, DST-safe slot instants, retries.

A guild's digest has one slot per ISO week of its *local* calendar: weekday + hour in an IANA
zone. The slot's week key ("2026-W47") is the primary key of ``digest_runs``, which is what
makes the digest post once per week even across restarts and DST changes.

DST rules (chosen so that every week has exactly one slot instant):

* a slot in a skipped hour (spring forward, e.g. 02:30 that never happens) moves to the first
  real instant after the gap (03:00 local);
* a slot in a repeated hour (fall back) is the first occurrence (``fold=0``).

Resolving a slot never moves it into the next ISO week: every gap in the tz database
(1990–2040) that touches a Monday starts at Monday 00:00 local, so the resolved instant stays
in the same local week (a test checks this for the common zones).

Length (~440 lines): the DST rules and the retry times depend on each other.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.clock import ensure_utc
from bot.domain.discord_limits import AUTOCOMPLETE_CHOICES_LIMIT
from bot.errors import InvalidInput

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Shown first in autocomplete (in this order) and used as examples in error messages.
COMMON_TIMEZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Istanbul",
    "Europe/Kyiv",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Jerusalem",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Darwin",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
)

# Region prefixes of canonical IANA names; everything else ("US/Eastern", "EST5EDT", "Etc/GMT+5")
# is a legacy alias that still validates but is ranked last in suggestions.
_CANONICAL_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
# Present in some zoneinfo trees but not zones a server should pick.
_EXCLUDED = frozenset({"localtime", "Factory", "posixrules", "posix", "right"})
MAX_TIMEZONE_LENGTH = 64  # guild_settings.digest_timezone is String(64)


@functools.cache
def _zones() -> dict[str, str]:
    """casefolded name → canonical spelling, for every usable zone."""
    names = {n for n in zoneinfo.available_timezones() if n not in _EXCLUDED}
    names.add("UTC")
    return {n.casefold(): n for n in names}


@functools.cache
def _common() -> tuple[str, ...]:
    zones = _zones()
    return tuple(n for n in COMMON_TIMEZONES if n.casefold() in zones)


def _normalise(text: str) -> str:
    cleaned = "".join(ch for ch in text if ch.isprintable()).strip()
    return "_".join(cleaned.split()).casefold()


def _is_canonical(name: str) -> bool:
    return name == "UTC" or name.startswith(_CANONICAL_AREAS)


def validate_timezone(name: str) -> str:
    """Return the canonical IANA spelling of ``name`` or raise :class:`InvalidInput`.

    Case and spaces are forgiven ("america/new york" → "America/New_York"); only names from
    the installed tz database are accepted, so nothing else ever reaches ``ZoneInfo``.
    """
    key = _normalise(name)
    found = _zones().get(key) if 0 < len(key) <= MAX_TIMEZONE_LENGTH else None
    if found is not None:
        return found
    shown = "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_TIMEZONE_LENGTH]
    close = _close_matches(key)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    lead = f"“{shown}” is not a time zone I know." if shown else "Please give a time zone."
    raise InvalidInput(
        f"{lead} Use an IANA name such as Europe/Berlin, America/New_York or Asia/Kolkata "
        f"(start typing and pick one from the list).{hint}"
    )


def _close_matches(key: str) -> list[str]:
    if not key:
        return []
    zones = _zones()
    suggestions = suggest_timezones(key, limit=2)
    if suggestions:
        return suggestions
    # Typos: compare against whole names and against the city part alone.
    by_city: dict[str, str] = {}
    for folded, name in zones.items():
        if _is_canonical(name):
            by_city.setdefault(folded.rsplit("/", 1)[-1], name)
    close = difflib.get_close_matches(key, list(zones), n=3, cutoff=0.85)
    out = [zones[c] for c in close]
    for city in difflib.get_close_matches(key.rsplit("/", 1)[-1], list(by_city), n=3, cutoff=0.85):
        if by_city[city] not in out:
            out.append(by_city[city])
    return out[:2]


def suggest_timezones(prefix: str, limit: int = AUTOCOMPLETE_CHOICES_LIMIT) -> list[str]:
    """Zone names matching what a member has typed so far, best first, at most ``limit``.

    Ranking: the curated common zones (in their curated order), then names starting with the
    text, then names with a part ("New_York", "York") starting with it, then names containing
    it; canonical names before legacy aliases, alphabetical within a rank. An empty prefix
    gives the common zones.
    """
    if limit <= 0:
        return []
    query = _normalise(prefix)
    common = _common()
    if not query:
        return list(common[:limit])
    common_rank = {n: i for i, n in enumerate(common)}
    ranked: list[tuple[int, int, int, str]] = []
    for folded, name in _zones().items():
        tier = _match_tier(folded, query)
        if tier is None:
            continue
        if name in common_rank and tier < 3:
            ranked.append((0, common_rank[name], 0, name))
        else:
            ranked.append((1 + tier, 0, 0 if _is_canonical(name) else 1, name))
    ranked.sort()
    return [r[3] for r in ranked[:limit]]


def _match_tier(folded: str, query: str) -> int | None:
    if folded.startswith(query):
        return 0
    parts = folded.split("/")
    if any(p.startswith(query) for p in parts[1:]):
        return 1
    if any(w.startswith(query) for p in parts for w in p.split("_")[1:]):
        return 2
    if query in folded:
        return 3
    return None


# --- the schedule ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When a guild's digest is due: ``weekday`` 0 = Monday … 6 = Sunday, ``hour`` 0–23 local.

    Construction validates every part (raising :class:`InvalidInput`) and stores the
    canonical zone name, so a schedule that exists is always usable.
    """

    weekday: int
    hour: int
    timezone: str

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int):
            raise InvalidInput("The weekday must be a whole number from 0 (Monday) to 6 (Sunday).")
        if not 0 <= self.weekday <= 6:
            raise InvalidInput(f"The weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}.")
        if isinstance(self.hour, bool) or not isinstance(self.hour, int):
            raise InvalidInput("The hour must be a whole number from 0 to 23 (24-hour clock).")
        if not 0 <= self.hour <= 23:
            raise InvalidInput(
                f"The hour must be 0 to 23 on the 24-hour clock (e.g. 18 for 6 pm), "
                f"not {self.hour}."
            )
        object.__setattr__(self, "timezone", validate_timezone(self.timezone))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def describe(self) -> str:
        """E.g. "Sundays at 18:00 (Europe/Berlin)"."""
        return f"{WEEKDAY_NAMES[self.weekday]}s at {self.hour:02d}:00 ({self.timezone})"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open interval of aware UTC instants, ``start <= t < end``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", ensure_utc(self.start))
        object.__setattr__(self, "end", ensure_utc(self.end))
        if self.end < self.start:
            raise ValueError("a window cannot end before it starts")

    def __contains__(self, when: object) -> bool:
        if not isinstance(when, datetime):
            return False
        return self.start <= ensure_utc(when) < self.end


DIGEST_PERIOD = timedelta(days=7)


def digest_window(now_utc: datetime) -> TimeWindow:
    """The seven days the digest posted at ``now_utc`` covers: ``[now - 7 days, now)``."""
    end = ensure_utc(now_utc)
    return TimeWindow(end - DIGEST_PERIOD, end)


# --- ISO week keys -----------------------------------------------------------------------

_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})")


def week_key(local_day: date) -> str:
    """The ISO week of a *local* date or datetime, e.g. "2026-W47" (fits String(8)).

    ISO years differ from calendar years at the edges: 2021-01-03 is "2020-W53" and
    2024-12-30 is "2025-W01".
    """
    year, week, _ = local_day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_week_key(key: str) -> tuple[int, int]:
    """``"2026-W47"`` → ``(2026, 47)``; raises ValueError for malformed or impossible weeks."""
    match = _WEEK_KEY.fullmatch(key)
    if match is None:
        raise ValueError(f"not a week key: {key!r}")
    year, week = int(match[1]), int(match[2])
    date.fromisocalendar(year, week, 1)  # raises for week 0, 54, or 53 in a 52-week year
    return year, week


def shift_week(key: str, weeks: int) -> str:
    """The week key ``weeks`` weeks after (or before, if negative) ``key``."""
    year, week = parse_week_key(key)
    return week_key(date.fromisocalendar(year, week, 1) + timedelta(weeks=weeks))


# --- local wall time → instant -----------------------------------------------------------


def resolve_local(naive: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of wall-clock time ``naive`` in ``zone``, with the module's DST rules.

    Repeated wall times (fall back) give the first occurrence; skipped ones (spring forward)
    give the first instant after the gap, i.e. the transition itself.
    """
    if naive.tzinfo is not None:
        raise ValueError("resolve_local() takes a naive wall-clock time")
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=0 reads the time with the offset before the transition (an instant just
    # after it), fold=1 with the offset after (an instant just before it). The transition lies
    # between; find it by bisection on whole seconds (zone transitions are on whole seconds).
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = min(first, before), max(first, before)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) // 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) > naive:
            hi = mid
        else:
            lo = mid
    return hi


def scheduled_instant(schedule: DigestSchedule, key: str) -> datetime:
    """The UTC instant of the slot in local ISO week ``key``."""
    year, week = parse_week_key(key)
    day = date.fromisocalendar(year, week, schedule.weekday + 1)
    return resolve_local(datetime.combine(day, time(schedule.hour)), schedule.zone)


def week_start(schedule: DigestSchedule, key: str) -> datetime:
    """The UTC instant local week ``key`` begins (Monday 00:00 local, DST-resolved)."""
    year, week = parse_week_key(key)
    monday = date.fromisocalendar(year, week, 1)
    return resolve_local(datetime.combine(monday, time()), schedule.zone)


def week_end(schedule: DigestSchedule, key: str) -> datetime:
    """The UTC instant local week ``key`` ends (exclusive): the next week's start."""
    return week_start(schedule, shift_week(key, 1))


def current_week(schedule: DigestSchedule, now_utc: datetime) -> str:
    """The key of the local ISO week ``now_utc`` falls in."""
    return week_key(ensure_utc(now_utc).astimezone(schedule.zone))


# --- what the scheduler loop asks ------------------------------------------------------


def due_week(
    schedule: DigestSchedule, now_utc: datetime, *, not_before: datetime | None = None
) -> str | None:
    """The week whose digest is due at ``now_utc``, or None.

    Only the current local week can be due, and only once its slot has passed: a bot that was
    down at the slot still posts later that week (catch-up) but never for a week that is over.
    Posting once is the caller's part: it claims ``(guild_id, week_key)`` in ``digest_runs``.

    ``not_before`` (e.g. when the schedule was set up or re-enabled) suppresses a slot that
    happened before it, so configuring "Monday 09:00" on a Wednesday waits for next Monday
    instead of posting at once.
    """
    now = ensure_utc(now_utc)
    key = current_week(schedule, now)
    slot = scheduled_instant(schedule, key)
    if now < slot:
        return None
    if not_before is not None and slot < ensure_utc(not_before):
        return None
    return key


def next_run(schedule: DigestSchedule, now_utc: datetime) -> datetime:
    """The first slot strictly after ``now_utc`` (UTC), for display ("next digest: …")."""
    now = ensure_utc(now_utc)
    key = current_week(schedule, now)
    while True:
        slot = scheduled_instant(schedule, key)
        if slot > now:
            return slot
        key = shift_week(key, 1)


RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(minutes=60)


def retry_backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: 1, 2, 4, … 32, 60, 60 … min.

    Deterministic (no jitter): each guild's slot is its own, so retries do not stampede.
    """
    if attempts < 1:
        raise ValueError("retry_backoff() is for after at least one failed attempt")
    if attempts > 7:  # 2**6 minutes already exceeds the cap; avoid huge powers
        return RETRY_CAP
    return min(RETRY_BASE * (1 << (attempts - 1)), RETRY_CAP)


def next_attempt_at(
    schedule: DigestSchedule, key: str, attempts: int, now_utc: datetime
) -> datetime | None:
    """When to retry week ``key``'s digest after ``attempts`` failures, or None to give up.

    None means the retry would fall after the week ends; the run should be marked abandoned
    (a late digest for a finished week is never posted).
    """
    at = ensure_utc(now_utc) + retry_backoff(attempts)
    return at if at < week_end(schedule, key) else None
