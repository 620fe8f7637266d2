"""A member's pace through the club's schedule (``/progress pace``, nudges; SPEC §11).

The pace is about the **next checkpoint the member has not reached** whose date is today or
later: how much is left to it (in the checkpoint's unit, pages or percent), the reading days
left (today and the due day both count), and so how much a day. Whether the member is **on
track** compares their position with a steady reader's: one going evenly from the previous
checkpoint (or page 0 on the day the read began) to this one by its date. A checkpoint
whose date has passed unreached makes the member behind, whatever their pace.

Pages and percents convert through the book's page count; without one, a member logging
percent against page checkpoints (or the other way round) gets ``unknown`` — never a guess.
Nobody else ever sees this: it is the member's own (SPEC: nobody is named as behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.club import Checkpoint, MemberProgress, ReachKind, sort_checkpoints

__all__ = ["ClubPace", "PaceState", "club_pace", "position_in"]

PaceState = Literal["done", "ahead", "on-track", "behind", "unknown"]
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class ClubPace:
    state: PaceState
    checkpoint: Checkpoint | None = None  # the one to reach next
    position: float | None = None  # the member's, in the checkpoint's unit
    left: float | None = None  # still to read to reach it
    days_left: int = 0  # reading days up to its date, today and that day included
    per_day: float | None = None
    expected: float | None = None  # where a steady reader is today
    overdue: int = 0  # checkpoints past their date the member has not reached


def position_in(kind: ReachKind, progress: MemberProgress, page_count: int | None) -> float | None:
    """The member's position in pages or percent, or None when it cannot be known."""
    if progress.finished:
        if kind == "percent":
            return 100.0
        return float(page_count) if page_count else None
    if kind == "page":
        if progress.page is not None:
            return float(progress.page)
        if progress.percent is None:
            return 0.0
        return progress.percent * page_count / 100.0 if page_count else None
    if progress.percent is not None:
        return max(0.0, min(100.0, progress.percent))
    if progress.page is None:
        return 0.0
    return min(100.0, progress.page * 100.0 / page_count) if page_count else None


def _reach_in(kind: ReachKind, checkpoint: Checkpoint, page_count: int | None) -> float | None:
    reach = checkpoint.reach
    if reach.kind == kind:
        return reach.value
    if kind == "percent":
        return reach.as_percent(page_count)
    return reach.value * page_count / 100.0 if page_count else None


def club_pace(
    progress: MemberProgress,
    checkpoints: Sequence[Checkpoint],
    page_count: int | None,
    started_on: date | None,
    today: date,
) -> ClubPace:
    """The member's pace towards the club's next checkpoint (see the module docstring)."""
    if progress.finished:
        return ClubPace("done")
    ordered = sort_checkpoints(checkpoints)
    unreached: list[Checkpoint] = []
    for checkpoint in ordered:
        mine = position_in(checkpoint.reach.kind, progress, page_count)
        if mine is None:
            return ClubPace("unknown", checkpoint)
        if mine < checkpoint.reach.value - _EPSILON:
            unreached.append(checkpoint)
    overdue = [c for c in unreached if c.due_on < today]
    upcoming = [c for c in unreached if c.due_on >= today]
    if not upcoming:
        if not overdue:
            return ClubPace("ahead")
        late = overdue[0]
        position = position_in(late.reach.kind, progress, page_count)
        assert position is not None  # checked above for every checkpoint
        left = late.reach.value - position
        return ClubPace("behind", late, position, left, 0, left, None, len(overdue))
    target = upcoming[0]
    kind = target.reach.kind
    position = position_in(kind, progress, page_count)
    assert position is not None
    left = target.reach.value - position
    days_left = (target.due_on - today).days + 1
    expected = _steady(kind, ordered, target, page_count, started_on, today)
    behind = bool(overdue) or (expected is not None and position < expected - _EPSILON)
    return ClubPace(
        "behind" if behind else "on-track",
        target,
        position,
        left,
        days_left,
        left / days_left,
        expected,
        len(overdue),
    )


def _steady(
    kind: ReachKind,
    ordered: Sequence[Checkpoint],
    target: Checkpoint,
    page_count: int | None,
    started_on: date | None,
    today: date,
) -> float | None:
    """Where a steady reader is today on the way from the previous checkpoint to ``target``."""
    before = [c for c in ordered if c.due_on < target.due_on]
    start_day: date | None
    start: float | None
    if before:
        start_day = before[-1].due_on
        start = _reach_in(kind, before[-1], page_count)
    else:
        start_day, start = started_on, 0.0
    if start_day is None or start is None or start_day >= target.due_on:
        return None
    share = (today - start_day).days / (target.due_on - start_day).days
    share = max(0.0, min(1.0, share))
    return start + (target.reach.value - start) * share
