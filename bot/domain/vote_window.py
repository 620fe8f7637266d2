"""When a club vote closes (``/club vote start closes:…``, SPEC §11).

A vote is open from one hour to 32 days — a native Discord poll's limits, kept for both styles
so members learn one rule — and always a whole number of hours, since a poll's duration is
given in hours. ``closes`` is either a length ("3 days", "36 hours", "2 weeks", "48h", "3d")
or a day in the date grammar of :mod:`bot.domain.dates` ("2026-12-10", "10 December",
"tomorrow"), which means *the end of that day* in the server's zone. The vote closes on the
first whole hour from now that is not before that. Left out: three days.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.dates import DATE_HELP, NEAREST, parse_date
from bot.domain.schedule import resolve_local
from bot.errors import InvalidInput

__all__ = [
    "DEFAULT_OPEN_HOURS",
    "MAX_OPEN_HOURS",
    "MIN_OPEN_HOURS",
    "VoteWindow",
    "vote_window",
]

MIN_OPEN_HOURS: Final = 1
MAX_OPEN_HOURS: Final = 768  # 32 days, a native poll's longest
DEFAULT_OPEN_HOURS: Final = 72

_UNITS: Final = {
    **dict.fromkeys(("h", "hour", "hours"), 1),
    **dict.fromkeys(("d", "day", "days"), 24),
    **dict.fromkeys(("w", "week", "weeks"), 168),
}
_LENGTH = re.compile(r"(?:in\s+)?(\d{1,4})\s*([a-z]+)")

CLOSES_HELP: Final = (
    'Say how long it stays open, like "3 days", "36 hours" or "2 weeks", or the last day '
    f"of voting. {DATE_HELP}"
)


@dataclass(frozen=True, slots=True)
class VoteWindow:
    closes_at: datetime  # UTC
    hours: int  # how long the vote is open, a poll's duration


def _hours_of(text: str) -> int | None:
    match = _LENGTH.fullmatch(text)
    if match is None or match.group(2) not in _UNITS:
        return None
    return int(match.group(1)) * _UNITS[match.group(2)]


def vote_window(closes: str | None, now: datetime, zone: str | None) -> VoteWindow:
    """The window of a vote opened at ``now`` (UTC) in a server whose zone is ``zone``
    (None: UTC). Raises :class:`InvalidInput` with a way to write it right."""
    if closes is None or not closes.strip():
        hours = DEFAULT_OPEN_HOURS
    else:
        text = " ".join(closes.casefold().split())
        length = _hours_of(text)
        if length is not None:
            hours = length
        else:
            tz = ZoneInfo(zone or "UTC")
            try:
                last_day = parse_date(text, now.astimezone(tz).date(), without_year=NEAREST)
            except InvalidInput:
                raise InvalidInput(
                    f"I can't read “{closes[:40]}” as a closing time. {CLOSES_HELP}"
                ) from None
            end = resolve_local(datetime.combine(last_day + timedelta(days=1), time(0)), tz)
            hours = math.ceil((end - now) / timedelta(hours=1))
            if hours < MIN_OPEN_HOURS:
                raise InvalidInput(
                    f"{last_day:%-d %B %Y} is over already. Pick a later day, or a length such "
                    'as "3 days".'
                )
    if not MIN_OPEN_HOURS <= hours <= MAX_OPEN_HOURS:
        raise InvalidInput(
            f"A vote stays open from {MIN_OPEN_HOURS} hour to {MAX_OPEN_HOURS // 24} days "
            f"(that would be {hours:,} hours). {CLOSES_HELP}"
        )
    return VoteWindow(now + timedelta(hours=hours), hours)
