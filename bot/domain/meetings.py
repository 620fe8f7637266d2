"""When the club meets, and when the bot reminds members (SPEC §11).

A meeting series keeps its **wall-clock time in the server's zone**: a weekly 19:00 meeting
is at 19:00 before and after a daylight-saving change (its UTC instant moves by an hour).
``monthly`` repeats on the same weekday of the same week of the month (the "second Tuesday"),
as Discord's own monthly recurrence does; a series may not start on a fifth weekday, which
most months lack. A wall time that does not exist on a day (the spring-forward gap) becomes
the first instant after the gap; a repeated one (fall back) the first of the two.

Reminders are posted **24 hours before** a meeting — 24 real hours, so across a change the
reminder's wall time differs from the meeting's by an hour — and **when it starts**.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.dates import DATE_HELP, NEAREST, parse_date
from bot.domain.markdown import plain
from bot.domain.schedule import resolve_local
from bot.domain.text import clean_line
from bot.errors import InvalidInput

__all__ = [
    "EXTERNAL_LENGTH",
    "MAX_MEETINGS_IN_SERIES",
    "REMINDER_LEAD",
    "STARTING_GRACE",
    "Reminder",
    "Repeat",
    "check_location",
    "event_description",
    "event_name",
    "meeting_times",
    "parse_when",
    "reminder_due",
    "reminder_window",
]

MAX_MEETINGS_IN_SERIES = 12  # each meeting is its own scheduled event (Discord allows 100)
REMINDER_LEAD = timedelta(hours=24)
#: how long after its start a meeting's "starting" reminder is still posted (the bot was down)
STARTING_GRACE = timedelta(hours=1)
#: a meeting at a place outside Discord needs an end time there: this long after its start
EXTERNAL_LENGTH = timedelta(hours=2)
MAX_LOCATION = 100  # Discord's limit for an external event's location
MAX_EVENT_NAME = 100
MAX_CHECKPOINT = 100


class Repeat(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class Reminder(StrEnum):
    DAY_BEFORE = "day_before"
    STARTING = "starting"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _days(first: date, repeat: Repeat | None, count: int) -> list[date]:
    if repeat is None:
        return [first]
    if repeat is Repeat.WEEKLY or repeat is Repeat.FORTNIGHTLY:
        step = 7 if repeat is Repeat.WEEKLY else 14
        return [first + timedelta(days=step * i) for i in range(count)]
    n = (first.day - 1) // 7 + 1
    if n == 5:
        raise InvalidInput(
            "A monthly meeting repeats on the same weekday of the same week (say, the second "
            "Tuesday); most months have no fifth one. Start the series in the first four weeks."
        )
    days = []
    for i in range(count):
        year, month = divmod(first.month - 1 + i, 12)
        days.append(_nth_weekday(first.year + year, month + 1, first.weekday(), n))
    return days


def meeting_times(
    first: datetime, zone: zoneinfo.ZoneInfo, repeat: Repeat | None = None, count: int = 1
) -> list[datetime]:
    """The UTC instants of a series whose first meeting is at wall time ``first`` (naive) in
    ``zone``: ``count`` meetings (1 without ``repeat``), each at the same wall time."""
    if first.tzinfo is not None:
        raise ValueError("meeting_times() takes a naive wall-clock time")
    if repeat is None:
        count = 1
    elif not 1 <= count <= MAX_MEETINGS_IN_SERIES:
        raise InvalidInput(f"A series has from 1 to {MAX_MEETINGS_IN_SERIES} meetings.")
    wall = time(first.hour, first.minute)
    return [
        resolve_local(datetime.combine(d, wall), zone) for d in _days(first.date(), repeat, count)
    ]


def reminder_due(starts_at: datetime, reminder: Reminder) -> datetime:
    """When a meeting's reminder is due (UTC)."""
    if starts_at.tzinfo is None:
        raise ValueError("reminder_due() takes an aware instant")
    start = starts_at.astimezone(UTC)
    return start - REMINDER_LEAD if reminder is Reminder.DAY_BEFORE else start


def reminder_window(starts_at: datetime, reminder: Reminder) -> tuple[datetime, datetime]:
    """[from, until): when a reminder may be posted. It is due at :func:`reminder_due`; one
    that fell due while the bot was down is posted when it is back, as long as it still
    makes sense: the day-before one until the meeting starts (then the "starting" one takes
    over), the "starting" one until :data:`STARTING_GRACE` after the start. Outside its
    window a reminder is skipped, never posted late."""
    due = reminder_due(starts_at, reminder)
    start = starts_at.astimezone(UTC)
    return due, (start if reminder is Reminder.DAY_BEFORE else start + STARTING_GRACE)


# --- "when": a date of bot/domain/dates.py and a time of day ------------------------------

WHEN_HELP: Final = (
    'Write the day and the time, e.g. "2026-03-03 19:00", "3 March 7:30pm" or "tomorrow 18:00" '
    "(in the server's time zone)."
)
_TIME = re.compile(
    r"(?:^|\s+)(?:at\s+)?(?P<hour>\d{1,2})(?:(?::|h)(?P<minute>\d{2}))?\s*(?P<half>am|pm)?$"
)


def parse_when(text: str, today: date) -> datetime:
    """The naive wall-clock time ``text`` names: a date (the grammar of
    :mod:`bot.domain.dates`, a day without a year being the nearest one) and a time of day,
    ``19:00``, ``19h30``, ``7pm`` or ``7:30 pm``; a time alone is today. Raises
    :class:`InvalidInput` with an example."""
    raw = " ".join(text.split())
    match = _TIME.search(raw.casefold())
    if match is None or (match["minute"] is None and match["half"] is None):
        raise InvalidInput(f"I could not find the time of day in “{raw[:60]}”. {WHEN_HELP}")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"] is not None:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"“{match[0].strip()}” is not a time of day. {WHEN_HELP}")
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"“{match[0].strip()}” is not a time of day. {WHEN_HELP}")
    day_text = raw[: match.start()].strip().removesuffix(",").strip()
    try:
        day = parse_date(day_text, today, without_year=NEAREST) if day_text else today
    except InvalidInput:
        raise InvalidInput(
            f"I could not read the day “{day_text[:60]}”. {WHEN_HELP} {DATE_HELP}"
        ) from None
    return datetime.combine(day, time(hour, minute))


# --- what a meeting's Discord event says ------------------------------------------------


def event_name(title: str, checkpoint: str | None) -> str:
    """A meeting's event name: the club book and the checkpoint, nothing else (spoiler free:
    no member text beyond the checkpoint's label, member spoiler spans hidden)."""
    name = f"{plain(title)} — {plain(checkpoint)}" if checkpoint else plain(title)
    return plain(name, MAX_EVENT_NAME)


def event_description(title: str, checkpoint: str | None) -> str:
    until = f", up to {plain(checkpoint, MAX_CHECKPOINT)}" if checkpoint else ""
    return plain(
        f"Club meeting about “{plain(title, 300)}”{until}. Press Interested to RSVP; "
        "/club reminders on gets you a ping the day before and when it starts.",
        1000,
    )


def check_location(text: str) -> str:
    cleaned = clean_line(text)
    if not cleaned:
        raise InvalidInput("Say where the meeting is: a voice or stage channel, or a place.")
    if len(cleaned) > MAX_LOCATION:
        raise InvalidInput(
            f"Discord keeps a place of up to {MAX_LOCATION} characters "
            f"(this one has {len(cleaned)}). Shorten it."
        )
    return cleaned
