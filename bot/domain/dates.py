"""The one grammar for dates members type: back-dated progress (``/progress start date:…``)
and club dates (``/club pick start:…``, checkpoints' ``date:``). Members learn one syntax.

Accepted (case-insensitive, English month names, "Sept" too):

- "today", "yesterday", "tomorrow";
- "2026-03-03", "2026/3/3", "2026.03.03"; a month "2026-03"; a year "2026";
- "3 March 2026", "3rd Mar 2026", "March 3, 2026", "Mar. 3 2026";
- a month of a year "March 2026" (the 1st of it; a year alone is 1 January);
- a day without a year, "3 March" or "March 3": which year is up to the use
  (:data:`PAST` for back-dating: the latest such day not after today; :data:`NEAREST` for
  plans: the nearest such day, a later one on a tie).

Day-first or month-first numbers such as "01/02/2007" are refused as ambiguous. Whether a
date is allowed for its use (not in the future, an end after the start…) is the caller's rule.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final, Literal

from bot.errors import InvalidInput

YearRule = Literal["past", "nearest"]
PAST: Final[YearRule] = "past"
NEAREST: Final[YearRule] = "nearest"

MAX_DATE_TEXT: Final = 40  # the options are Range[str, 1, 40]

MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS: Final[dict[str, int]] = {
    **{name.casefold(): n for n, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].casefold(): n for n, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
_RELATIVE: Final = {"today": 0, "yesterday": -1, "tomorrow": 1}

DATE_HELP: Final = (
    'Write it like "2026-03-03", "3 March 2026", "March 2026", "March 3", "today" or "yesterday".'
)

_NUMERIC = re.compile(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?")
_YEAR = re.compile(r"\d{4}")
_AMBIGUOUS = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
_YEARS_BACK = 8  # far enough to find a 29 February


def parse_date(text: str, today: date, *, without_year: YearRule) -> date:
    """The date ``text`` names (see the module's grammar), ``today`` being the member's day.
    A day typed without a year gets one by ``without_year``. Raises :class:`InvalidInput`
    with an example of what works."""
    raw = " ".join("".join(ch for ch in text if ch.isprintable()).split())
    folded = raw.casefold()
    if not raw:
        raise InvalidInput(f"The date is empty. {DATE_HELP}")
    if len(raw) > MAX_DATE_TEXT:
        raise _unreadable(raw)
    if folded in _RELATIVE:
        return today + timedelta(days=_RELATIVE[folded])
    if match := _NUMERIC.fullmatch(raw):
        year, month, day = match[1], match[2], match[3]
        return _make(raw, int(year), int(month), int(day) if day else 1)
    if _YEAR.fullmatch(raw):
        return _make(raw, int(raw), 1, 1)
    if _AMBIGUOUS.fullmatch(raw):
        raise InvalidInput(
            f"“{raw}” could be read day-first or month-first. "
            'Write it like "2026-03-03" or "3 March 2026".'
        )
    return _parse_words(raw, today, without_year)


def _parse_words(raw: str, today: date, rule: YearRule) -> date:
    words = [w.strip(".") for w in raw.casefold().replace(",", " ").split()]
    words = [w for w in words if w]
    month_at = [i for i, w in enumerate(words) if w in _MONTHS]
    if len(month_at) != 1:
        raise _unreadable(raw)
    month = _MONTHS[words[month_at[0]]]
    year: int | None = None
    if words and _YEAR.fullmatch(words[-1]) and len(words) - 1 != month_at[0]:
        year = int(words.pop())
    others = [w for i, w in enumerate(words) if i != month_at[0]]
    if not others:
        if year is None:  # "March" alone: which one?
            raise _unreadable(raw)
        return _make(raw, year, month, 1)
    day_match = _DAY.fullmatch(others[0]) if len(others) == 1 else None
    if day_match is None:
        raise _unreadable(raw)
    day = int(day_match[1])
    if year is not None:
        return _make(raw, year, month, day)
    return _without_year(raw, month, day, today, rule)


def _without_year(raw: str, month: int, day: int, today: date, rule: YearRule) -> date:
    if rule == PAST:
        years = range(today.year, today.year - _YEARS_BACK, -1)
    else:
        years = range(today.year - 1, today.year + 2)
    candidates = []
    for year in years:
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if rule == PAST:
        candidates = [d for d in candidates if d <= today]
        if candidates:
            return max(candidates)
    elif candidates:
        return min(candidates, key=lambda d: (abs(d - today), d < today))
    raise InvalidInput(f"“{raw}” is not a real date: {MONTH_NAMES[month - 1]} has no day {day}.")


def _make(raw: str, year: int, month: int, day: int) -> date:
    if year < 1:
        raise InvalidInput(f"“{raw}” is not a real date. {DATE_HELP}")
    if not 1 <= month <= 12:
        raise InvalidInput(f"“{raw}” has no month {month}. {DATE_HELP}")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"“{raw}” is not a real date: {MONTH_NAMES[month - 1]} {year} has no day {day}."
        ) from None


def _unreadable(raw: str) -> InvalidInput:
    shown = raw if len(raw) <= MAX_DATE_TEXT else raw[: MAX_DATE_TEXT - 1] + "…"
    return InvalidInput(f"I can't read “{shown}” as a date. {DATE_HELP}")
