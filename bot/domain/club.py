"""Club reads: checkpoints, who is where, and the end-of-club summary. Pure rules, no I/O.

Progress is compared as a fraction of the book when the two sides use different units (pages
against percent); when that needs a page count the book does not have, the comparison is
skipped rather than guessed, so nobody is called "behind" on a hunch.
"""

from __future__ import annotations

import enum
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.errors import Conflict, InvalidInput

MAX_LABEL_LENGTH = 100  # club_checkpoints.label is String(100)
_EPSILON = 1e-9

ReachKind = Literal["page", "percent"]


def format_day(day: date) -> str:
    """E.g. "3 Mar 2026" (English month names, independent of the process locale)."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{day.day} {months[day.month - 1]} {day.year}"


@dataclass(frozen=True, slots=True)
class CheckpointReach:
    """How far a checkpoint goes: up to a page, or up to a percent of the book."""

    kind: ReachKind
    value: float

    def as_percent(self, page_count: int | None) -> float | None:
        if self.kind == "percent":
            return self.value
        if not page_count:
            return None
        return min(100.0, self.value * 100.0 / page_count)

    def describe(self) -> str:
        if self.kind == "page":
            return f"p. {int(self.value)}"
        return f"{self.value:g}%"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A stop in the club's schedule: "Part One, up to p. 110, by 3 March"."""

    label: str
    reach: CheckpointReach
    due_on: date
    id: int | None = field(default=None, compare=False)

    def describe(self) -> str:
        return f"{self.label} — {self.reach.describe()} — by {format_day(self.due_on)}"


# --- validation --------------------------------------------------------------------------


def clean_label(text: str) -> str:
    """Strip control characters and collapse whitespace; raise if empty or over 100 chars."""
    kept = "".join(" " if ch.isspace() else ch for ch in text if _allowed(ch))
    label = " ".join(kept.split())
    if not label:
        raise InvalidInput("Give the checkpoint a label, e.g. “Part One” or “Chapters 1–5”.")
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidInput(
            f"A checkpoint label can be at most {MAX_LABEL_LENGTH} characters "
            f"(this one has {len(label)}). Try something shorter, e.g. “Part One”."
        )
    return label


def _allowed(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] != "C"


def validate_club_dates(starts_on: date | None, ends_on: date | None) -> None:
    """A club cannot end before it starts."""
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise InvalidInput(
            f"The end date ({format_day(ends_on)}) is before the start date "
            f"({format_day(starts_on)}). Pick an end on or after the start."
        )


def make_checkpoint(
    label: str,
    *,
    due_on: date,
    page: int | None = None,
    percent: float | None = None,
    page_count: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    existing: Sequence[Checkpoint] = (),
) -> Checkpoint:
    """Validate a new checkpoint for ``/club schedule add`` against the club and its schedule.

    Rules: exactly one of ``page``/``percent``; a page within the book (1 … page count when
    known); a percent above 0 and at most 100; due on or after the club's start (and not after
    its end); a label not already used; and consistent with the other checkpoints — one due
    later may not reach less far.
    """
    clean = clean_label(label)
    reach = _make_reach(page, percent, page_count)
    if starts_on is not None and due_on < starts_on:
        raise InvalidInput(
            f"The checkpoint is due {format_day(due_on)}, before the club starts "
            f"({format_day(starts_on)}). Pick a date on or after the start."
        )
    if ends_on is not None and due_on > ends_on:
        raise InvalidInput(
            f"The checkpoint is due {format_day(due_on)}, after the club ends "
            f"({format_day(ends_on)}). Pick a date on or before the end."
        )
    new = Checkpoint(clean, reach, due_on)
    for other in existing:
        if other.label.casefold() == clean.casefold():
            raise Conflict(f"There is already a checkpoint called “{other.label}”.")
        _check_order(new, other, page_count)
    return new


def _make_reach(page: int | None, percent: float | None, page_count: int | None) -> CheckpointReach:
    if page is not None and percent is None:
        if page < 1:
            raise InvalidInput(f"The checkpoint page must be 1 or more, not {page}.")
        if page_count is not None and page > page_count:
            raise InvalidInput(
                f"The book has {page_count} pages, so a checkpoint cannot be at p. {page}. "
                f"Use a page up to {page_count}, or until_percent."
            )
        return CheckpointReach("page", float(page))
    if percent is not None and page is None:
        if not math.isfinite(percent) or not 0 < percent <= 100:
            raise InvalidInput(
                f"The checkpoint percent must be above 0 and at most 100, not {percent:g}."
            )
        return CheckpointReach("percent", float(percent))
    raise InvalidInput(
        "Give either until_page or until_percent for the checkpoint (one of them, not both)."
    )


def _reach_pair(
    a: CheckpointReach, b: CheckpointReach, page_count: int | None
) -> tuple[float, float] | None:
    if a.kind == b.kind:
        return a.value, b.value
    pa, pb = a.as_percent(page_count), b.as_percent(page_count)
    return None if pa is None or pb is None else (pa, pb)


def _check_order(new: Checkpoint, other: Checkpoint, page_count: int | None) -> None:
    pair = _reach_pair(new.reach, other.reach, page_count)
    if pair is None or new.due_on == other.due_on:
        return
    new_value, other_value = pair
    later_but_shorter = new.due_on > other.due_on and new_value < other_value - _EPSILON
    earlier_but_longer = new.due_on < other.due_on and new_value > other_value + _EPSILON
    if later_but_shorter or earlier_but_longer:
        raise InvalidInput(
            f"This checkpoint ({new.reach.describe()} by {format_day(new.due_on)}) does not fit "
            f"with “{other.label}” ({other.reach.describe()} by {format_day(other.due_on)}): "
            "a checkpoint due later must reach at least as far."
        )


# --- where the schedule stands -----------------------------------------------------------


def sort_checkpoints(checkpoints: Iterable[Checkpoint]) -> list[Checkpoint]:
    """By due date, then how far they reach (percent before page at a tie), then label."""
    return sorted(
        checkpoints, key=lambda c: (c.due_on, c.reach.kind != "percent", c.reach.value, c.label)
    )


def next_checkpoint(checkpoints: Iterable[Checkpoint], today: date) -> Checkpoint | None:
    """The first checkpoint not yet due (due today counts as not yet due), or None."""
    return next((c for c in sort_checkpoints(checkpoints) if c.due_on >= today), None)


def last_due_checkpoint(checkpoints: Iterable[Checkpoint], today: date) -> Checkpoint | None:
    """The latest checkpoint whose due date has passed (strictly before ``today``), or None."""
    passed = [c for c in sort_checkpoints(checkpoints) if c.due_on < today]
    return passed[-1] if passed else None


def current_checkpoint(checkpoints: Iterable[Checkpoint], today: date) -> Checkpoint | None:
    """The checkpoint the club is working towards: the next one not yet due, or else the
    latest passed one (the schedule is over but the club is still on); None without any."""
    ordered = sort_checkpoints(checkpoints)
    upcoming = next_checkpoint(ordered, today)
    if upcoming is not None:
        return upcoming
    return ordered[-1] if ordered else None


# --- members -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """One member's reading of the club book. ``status`` is a reading status
    ("want-to-read", "reading", "paused", "finished", "did-not-finish")."""

    user_id: int
    display_name: str
    status: str = "reading"
    page: int | None = None
    percent: float | None = None

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def abandoned(self) -> bool:
        return self.status == "did-not-finish"


def progress_percent(progress: MemberProgress, page_count: int | None) -> float | None:
    """How far through the book (0–100), or None when it cannot be known."""
    if progress.finished:
        return 100.0
    if progress.percent is not None:
        return max(0.0, min(100.0, progress.percent))
    if progress.page is not None:
        return max(0.0, min(100.0, progress.page * 100.0 / page_count)) if page_count else None
    return 0.0  # nothing logged yet


def is_behind(progress: MemberProgress, checkpoint: Checkpoint, page_count: int | None) -> bool:
    """True when the member has not reached ``checkpoint`` yet.

    Finished and abandoned readings are never behind. A member with no progress yet is behind
    any checkpoint. When units differ and the book's page count is unknown, this is False.
    """
    if progress.finished or progress.abandoned:
        return False
    reach = checkpoint.reach
    if reach.kind == "page" and progress.percent is None:
        return (progress.page or 0) < reach.value - _EPSILON
    if reach.kind == "percent" and progress.page is None:
        return (progress.percent or 0.0) < reach.value - _EPSILON
    mine = progress_percent(progress, page_count)
    target = reach.as_percent(page_count)
    if mine is None or target is None:
        return False
    return mine < target - _EPSILON


class Standing(enum.StrEnum):
    """A member's place in the club read, for ``/club status`` (spoiler-free by nature)."""

    FINISHED = "finished"
    ON_TRACK = "on track"
    BEHIND = "behind"
    NOT_STARTED = "not started"
    ABANDONED = "did not finish"


def standing(
    progress: MemberProgress,
    checkpoints: Iterable[Checkpoint],
    page_count: int | None,
    today: date,
) -> Standing:
    """Behind means short of the latest checkpoint already due; the upcoming one is still fair."""
    if progress.finished:
        return Standing.FINISHED
    if progress.abandoned:
        return Standing.ABANDONED
    last = last_due_checkpoint(checkpoints, today)
    if last is not None and is_behind(progress, last, page_count):
        return Standing.BEHIND
    if not progress.page and not progress.percent:
        return Standing.NOT_STARTED
    return Standing.ON_TRACK


def sort_members(
    members: Iterable[MemberProgress],
    page_count: int | None,
    *,
    exclude: frozenset[int] = frozenset(),
) -> list[MemberProgress]:
    """Order for ``/club status``: finished, then furthest along first, then not started, then
    did-not-finish; ties by name. Members in ``exclude`` (opted out) are left out."""

    def key(m: MemberProgress) -> tuple[int, float, str, int]:
        pct = progress_percent(m, page_count)
        if m.finished:
            group, depth = 0, 0.0
        elif m.abandoned:
            group, depth = 4, 0.0
        elif pct is not None and pct > 0:
            group, depth = 1, -pct
        elif m.page:  # pages known, book length unknown
            group, depth = 2, -float(m.page)
        else:
            group, depth = 3, 0.0
        return group, depth, m.display_name.casefold(), m.user_id

    return sorted((m for m in members if m.user_id not in exclude), key=key)


@dataclass(frozen=True, slots=True)
class ClubSummary:
    """The numbers ``/club end`` announces."""

    members: int
    finished: int
    did_not_finish: int
    still_reading: int
    not_started: int
    # mean progress of members whose progress is known (finished = 100); None if nobody's is
    average_percent: float | None

    @property
    def completion_rate(self) -> float:
        return self.finished / self.members if self.members else 0.0


def summarize_club(
    members: Iterable[MemberProgress],
    page_count: int | None,
    *,
    exclude: frozenset[int] = frozenset(),
) -> ClubSummary:
    """Count finishers, did-not-finish and the rest; average everyone's progress, DNF included
    at the point they stopped. Opted-out members (``exclude``) are not counted at all."""
    counted = [m for m in members if m.user_id not in exclude]
    finished = sum(1 for m in counted if m.finished)
    dnf = sum(1 for m in counted if m.abandoned)
    not_started = sum(
        1 for m in counted if not (m.finished or m.abandoned) and not m.page and not m.percent
    )
    percents = [p for m in counted if (p := progress_percent(m, page_count)) is not None]
    return ClubSummary(
        members=len(counted),
        finished=finished,
        did_not_finish=dnf,
        still_reading=len(counted) - finished - dnf - not_started,
        not_started=not_started,
        average_percent=sum(percents) / len(percents) if percents else None,
    )
