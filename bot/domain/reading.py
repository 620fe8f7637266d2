"""Reading progress rules: statuses and their transitions, progress maths, dates.

A *reading* is one read-through of a book. Its status moves along a fixed table (below);
``finished`` and ``did-not-finish`` are terminal, so reading a book again (or trying again
after giving up) starts a NEW reading and the old one stays in the book's history.

Nothing here touches Discord or the database, and nothing reads the clock: every rule that
depends on the date takes ``today`` as a parameter (the member's local date, chosen by the
caller).

Length (~440 lines): the status table, progress maths and dates are one rule set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from bot.domain.dates import MONTH_NAMES
from bot.errors import InvalidInput

__all__ = [
    "ALLOWED_TRANSITIONS",
    "EARLIEST_DATE",
    "INITIAL_STATUSES",
    "PERCENT_TOLERANCE",
    "EventKind",
    "Progress",
    "ProgressMode",
    "ReadThrough",
    "ReadingStatus",
    "StatusPlan",
    "check_transition",
    "format_date",
    "format_progress",
    "is_complete",
    "is_correction",
    "page_to_percent",
    "pages_delta",
    "percent_to_page",
    "plan_progress_update",
    "plan_status_change",
    "progress_bar",
    "progress_event_kind",
    "resolve_progress",
    "validate_dates",
]


class ReadingStatus(StrEnum):
    """The status of one reading; the values are what the database stores."""

    WANT_TO_READ = "want-to-read"
    READING = "reading"
    PAUSED = "paused"
    FINISHED = "finished"
    DID_NOT_FINISH = "did-not-finish"

    @property
    def label(self) -> str:
        """Human label, e.g. "Did not finish"."""
        return _LABELS[self]

    @property
    def is_terminal(self) -> bool:
        """A terminal reading is closed: reading the book again starts a new reading."""
        return self in (ReadingStatus.FINISHED, ReadingStatus.DID_NOT_FINISH)

    @property
    def is_active(self) -> bool:
        """Started and not closed (reading or paused)."""
        return self in (ReadingStatus.READING, ReadingStatus.PAUSED)


_LABELS: dict[ReadingStatus, str] = {
    ReadingStatus.WANT_TO_READ: "Want to read",
    ReadingStatus.READING: "Reading",
    ReadingStatus.PAUSED: "Paused",
    ReadingStatus.FINISHED: "Finished",
    ReadingStatus.DID_NOT_FINISH: "Did not finish",
}

# What ``progress_events.kind`` records.
EventKind = Literal[
    "progress", "correction", "start", "pause", "resume", "finish", "abandon", "want"
]

_W, _R, _P, _F, _D = (
    ReadingStatus.WANT_TO_READ,
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.FINISHED,
    ReadingStatus.DID_NOT_FINISH,
)

#: Every allowed status change of ONE reading, with the event it records. Every pair not
#: listed is refused, with a message saying what to do instead:
#:
#: ==================  =============================================================
#: from                may go to (event recorded)
#: ==================  =============================================================
#: (no reading)        want-to-read (want), reading (start), finished (finish, a
#:                     past read logged after the fact), did-not-finish (abandon)
#: want-to-read        reading (start), finished (finish), did-not-finish (abandon)
#: reading             paused (pause), finished (finish), did-not-finish (abandon)
#: paused              reading (resume), finished (finish), did-not-finish (abandon)
#: finished            nothing: terminal; a re-read is a new reading
#: did-not-finish      nothing: terminal; trying again is a new reading
#: ==================  =============================================================
#:
#: Refused on purpose: any status to itself (nothing would change); want-to-read → paused
#: and a new reading as paused (nothing to pause yet); reading/paused → want-to-read (a
#: started reading cannot be un-started: pause it, or mark it did-not-finish and want it
#: again as a new reading); anything out of finished or did-not-finish.
ALLOWED_TRANSITIONS: dict[tuple[ReadingStatus | None, ReadingStatus], EventKind] = {
    (None, _W): "want",
    (None, _R): "start",
    (None, _F): "finish",
    (None, _D): "abandon",
    (_W, _R): "start",
    (_W, _F): "finish",
    (_W, _D): "abandon",
    (_R, _P): "pause",
    (_R, _F): "finish",
    (_R, _D): "abandon",
    (_P, _R): "resume",
    (_P, _F): "finish",
    (_P, _D): "abandon",
}

#: Statuses a brand-new reading may start in.
INITIAL_STATUSES: frozenset[ReadingStatus] = frozenset(
    new for (old, new) in ALLOWED_TRANSITIONS if old is None
)


def check_transition(old: ReadingStatus | None, new: ReadingStatus) -> EventKind:
    """Check that one reading may move from ``old`` to ``new`` (``None``: a new reading).

    Returns the progress-event kind to record; raises :class:`InvalidInput` with a
    message that says what to do instead.
    """
    kind = ALLOWED_TRANSITIONS.get((old, new))
    if kind is not None:
        return kind
    raise InvalidInput(_refusal(old, new))


def _refusal(old: ReadingStatus | None, new: ReadingStatus) -> str:
    if old is None:  # only "paused" is refused for a new reading
        return "You can't pause a book you haven't started. Start it first."
    if old == new:
        return f"This reading is already marked **{old.label.lower()}**; nothing to change."
    if old.is_terminal:
        verb = "finished" if old is ReadingStatus.FINISHED else "marked did-not-finish"
        return (
            f"You already {verb} this reading, so it is closed. Starting the book again "
            "records a re-read as a new reading; the old one stays in your history."
        )
    if old is ReadingStatus.WANT_TO_READ:  # → paused
        return "You can't pause a book you haven't started. Start it first."
    # reading/paused → want-to-read
    return (
        "This reading has already started, so it can't go back to want-to-read. "
        "Pause it, or mark it did-not-finish if you have put it aside for good."
    )


@dataclass(frozen=True, slots=True)
class StatusPlan:
    """What a service should do for a status command or a progress update."""

    creates_reading: bool  # True: insert a new reading (none yet, or the latest is closed)
    from_status: ReadingStatus | None  # status of the reading being changed (None if new)
    to_status: ReadingStatus
    event_kind: EventKind


def plan_status_change(latest: ReadingStatus | None, target: ReadingStatus) -> StatusPlan:
    """Plan ``/progress start|pause|finish|abandon`` (and want-to-read) for a book.

    ``latest`` is the status of the member's most recent reading of the book, or ``None``.
    When it is terminal (finished / did-not-finish) the command starts a NEW reading (a
    re-read, or another try) instead of reopening the old one; "pause" then is refused.
    Otherwise the latest reading changes status if :func:`check_transition` allows it.
    """
    if latest is None or latest.is_terminal:
        return StatusPlan(True, None, target, check_transition(None, target))
    return StatusPlan(False, latest, target, check_transition(latest, target))


def plan_progress_update(latest: ReadingStatus | None) -> StatusPlan:
    """Plan the status side of ``/progress update``: the reading ends up ``reading``.

    No reading, or a closed one: a new reading is started (a re-read after a finished one).
    want-to-read: that reading starts. paused: it resumes. reading: nothing changes
    (``event_kind`` is "progress"; the caller records "correction" for backward moves).
    Finishing on the last page is a separate :func:`check_transition` to ``finished``.
    """
    reading = ReadingStatus.READING
    if latest is None or latest.is_terminal:
        return StatusPlan(True, None, reading, "start")
    if latest is reading:
        return StatusPlan(False, latest, reading, "progress")
    return StatusPlan(False, latest, reading, check_transition(latest, reading))


@dataclass(frozen=True, slots=True)
class ReadThrough:
    """One reading as imports and exports see it: a status with optional dates."""

    status: ReadingStatus
    started_on: date | None = None
    finished_on: date | None = None


# --- progress ----------------------------------------------------------------------------

ProgressMode = Literal["page", "percent"]

#: When both a page and a percent are given, they may disagree by this many percentage
#: points (or by one page, whichever is larger) before the update is refused.
PERCENT_TOLERANCE = 2.0


@dataclass(frozen=True, slots=True)
class Progress:
    """A validated progress point. ``mode`` says which value the member gave.

    With a known ``page_count`` both values are filled (the other one derived); without
    one, only what was given is known.
    """

    page: int | None
    percent: float | None
    page_count: int | None
    mode: ProgressMode

    @property
    def fraction(self) -> float | None:
        """How far through the book, 0..1, or None when it cannot be known."""
        if self.percent is not None:
            return self.percent / 100
        if self.page is not None and self.page_count:
            return min(self.page / self.page_count, 1.0)
        return None

    def format(self) -> str:
        return format_progress(self.page, self.percent, self.page_count)


def _known_count(page_count: int | None) -> int | None:
    return page_count if page_count is not None and page_count > 0 else None


def page_to_percent(page: int, page_count: int) -> float:
    """Percent of the book at ``page`` (not rounded), capped at 100."""
    if page_count <= 0:
        raise ValueError("page_count must be positive")
    return min(max(page, 0) * 100 / page_count, 100.0)


def percent_to_page(percent: float, page_count: int) -> int:
    """The page reached at ``percent``: rounded half up, within 0..page_count, and short
    of the last page until 100 % (99.9 % of 263 pages is p. 262, not the end)."""
    if page_count <= 0:
        raise ValueError("page_count must be positive")
    page = min(max(math.floor(percent * page_count / 100 + 0.5), 0), page_count)
    if percent < 100 and page == page_count:
        page = page_count - 1
    return page


def resolve_progress(page: int | None, percent: float | None, page_count: int | None) -> Progress:
    """Validate a progress update and fill in what can be derived.

    Refused (``InvalidInput``): neither value; a negative page; a percent outside 0–100 (or
    not a number); a page past ``page_count``; page and percent that disagree by more than
    :data:`PERCENT_TOLERANCE` points (or one page). ``page_count`` None or ≤ 0 is unknown.
    """
    count = _known_count(page_count)
    if page is not None and page < 0:
        raise InvalidInput(f"The page can't be negative (you gave {page}).")
    if percent is not None and not (math.isfinite(percent) and 0 <= percent <= 100):
        raise InvalidInput(f"A percent must be between 0 and 100 (you gave {percent:g}).")
    if page is not None and count is not None and page > count:
        raise InvalidInput(
            f"This book has {count} pages, so page {page} is past the end. "
            "If your edition is longer, give a percent instead."
        )
    if percent is None:
        if page is None:
            raise InvalidInput("Give a page or a percent, e.g. `page: 120` or `percent: 45`.")
        derived_percent = page_to_percent(page, count) if count is not None else None
        return Progress(page, derived_percent, count, "page")
    if page is None:
        derived_page = percent_to_page(percent, count) if count is not None else None
        return Progress(derived_page, float(percent), count, "percent")
    if count is None:
        return Progress(page, float(percent), None, "page")
    derived = page_to_percent(page, count)
    if abs(derived - percent) > max(PERCENT_TOLERANCE, 100 / count):
        raise InvalidInput(
            f"Page {page} of {count} is {_display_percent(derived)} %, not {percent:g} %. "
            "Give just the page or just the percent."
        )
    return Progress(page, derived, count, "page")


def _display_percent(percent: float) -> int:
    """Whole percent for display: floored, so 99.6 % never shows as a finished 100 %."""
    return min(math.floor(percent + 1e-9), 100)


def format_progress(page: int | None, percent: float | None, page_count: int | None) -> str:
    """ "p. 120 of 263 · 46 %", or "46 %" / "p. 120" when the rest is unknown."""
    count = _known_count(page_count)
    if percent is None and page is not None and count is not None:
        percent = page_to_percent(page, count)
    parts: list[str] = []
    if page is not None:
        parts.append(f"p. {page} of {count}" if count is not None else f"p. {page}")
    if percent is not None:
        parts.append(f"{_display_percent(percent)} %")
    return " · ".join(parts) if parts else "no progress yet"


_EIGHTHS = " ▏▎▍▌▋▊▉"  # index n: a block n/8 wide (index 0 unused)
_FULL = "█"
_EMPTY = "░"


def progress_bar(fraction: float | None, width: int = 12) -> str:
    """A bar of exactly ``width`` characters, in eighths of a block: "█████▍░░░░░░".

    ``fraction`` is clamped to 0..1 (None or NaN count as 0). The bar is only full at 1,
    and any progress above 0 shows at least one eighth.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    f = 0.0 if fraction is None or math.isnan(fraction) else min(max(fraction, 0.0), 1.0)
    total = width * 8
    eighths = math.floor(f * total)
    if f < 1 and eighths >= total:
        eighths = total - 1
    if f > 0 and eighths == 0:
        eighths = 1
    full, rest = divmod(eighths, 8)
    bar = _FULL * full
    if rest:
        bar += _EIGHTHS[rest]
    return bar + _EMPTY * (width - len(bar))


def is_complete(progress: Progress) -> bool:
    """The last page (of a known page count) or 100 %."""
    if progress.page is not None and progress.page_count and progress.page >= progress.page_count:
        return True
    return progress.percent is not None and progress.percent >= 100


def _comparable(previous: Progress, new: Progress) -> tuple[float, float] | None:
    if previous.fraction is not None and new.fraction is not None:
        return previous.fraction, new.fraction
    if previous.page is not None and new.page is not None:
        return float(previous.page), float(new.page)
    return None


def is_correction(previous: Progress | None, new: Progress) -> bool:
    """True when ``new`` goes backwards from ``previous`` (recorded as a correction).

    Points that cannot be compared (a page and a percent of a book with no page count)
    are not corrections.
    """
    if previous is None:
        return False
    pair = _comparable(previous, new)
    return pair is not None and pair[1] < pair[0]


def progress_event_kind(previous: Progress | None, new: Progress) -> EventKind:
    return "correction" if is_correction(previous, new) else "progress"


def _page_of(progress: Progress, page_count: int | None) -> int | None:
    if progress.page is not None:
        return progress.page
    if progress.percent is not None and page_count is not None:
        return percent_to_page(progress.percent, page_count)
    return None


def pages_delta(previous: Progress | None, new: Progress, page_count: int | None = None) -> int:
    """Pages read between two points (negative for a correction), for weekly sums.

    No previous point counts from page 0. Percent-only points use ``page_count`` (or the
    point's own count) to find a page; when no page can be known the delta is 0.
    """
    count = _known_count(page_count) or new.page_count
    new_page = _page_of(new, count)
    if new_page is None:
        return 0
    if previous is None:
        return new_page
    old_page = _page_of(previous, _known_count(page_count) or previous.page_count)
    return 0 if old_page is None else new_page - old_page


# --- dates -------------------------------------------------------------------------------

#: Dates before this are refused as typos.
EARLIEST_DATE = date(1900, 1, 1)


def format_date(d: date) -> str:
    """ "15 January 2007"."""
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def validate_dates(started_on: date | None, finished_on: date | None, today: date) -> None:
    """Back-dating is fine; the future is not, and a reading can't end before it starts."""
    for what, d in (("start", started_on), ("finish", finished_on)):
        if d is None:
            continue
        if d > today:
            raise InvalidInput(
                f"The {what} date {format_date(d)} is in the future. "
                "Dates can go back as far as you like, but not forward."
            )
        if d < EARLIEST_DATE:
            raise InvalidInput(f"The {what} date {format_date(d)} is too long ago to be right.")
    if started_on is not None and finished_on is not None and finished_on < started_on:
        raise InvalidInput(
            f"The finish date ({format_date(finished_on)}) is before the start date "
            f"({format_date(started_on)})."
        )
