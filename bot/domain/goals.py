"""The yearly reading challenge: goal validation and pace (ahead of or behind schedule)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.errors import InvalidInput

__all__ = [
    "GOAL_YEARS_BACK",
    "MAX_GOAL",
    "MIN_GOAL",
    "GoalPace",
    "goal_pace",
    "validate_goal",
]

MIN_GOAL = 1
MAX_GOAL = 1000
#: A goal may be set for this year, next year, or up to this many years back.
GOAL_YEARS_BACK = 10

PaceState = Literal["done", "ahead", "on-track", "behind", "not-started", "missed"]


def validate_goal(target: int, year: int, today: date) -> None:
    """Refuse a target outside 1–1000 books or a year outside [this year − 10, next year]."""
    if not MIN_GOAL <= target <= MAX_GOAL:
        raise InvalidInput(
            f"A reading goal is between {MIN_GOAL} and {MAX_GOAL} books (you gave {target})."
        )
    first, last = today.year - GOAL_YEARS_BACK, today.year + 1
    if not first <= year <= last:
        raise InvalidInput(
            f"Goals can be set for {first}–{last}: this year, next year, or up to "
            f"{GOAL_YEARS_BACK} years back (you gave {year})."
        )


def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


@dataclass(frozen=True, slots=True)
class GoalPace:
    """Where a member stands against a yearly goal on ``today``."""

    target: int
    finished: int
    expected: int  # books a steady pace would have finished by today (floored)
    ahead_by: int  # finished − expected: positive ahead, negative behind
    remaining: int  # books still to read to reach the target (0 once reached)
    days_left: int  # days left in the year after today (0 for a past year)
    state: PaceState

    @property
    def fraction(self) -> float:
        return min(self.finished / self.target, 1.0)

    @property
    def per_week_needed(self) -> float | None:
        """Books a week still needed to reach the goal; None when done or out of time."""
        if self.remaining == 0 or self.days_left == 0:
            return None
        return self.remaining * 7 / self.days_left

    def describe(self) -> str:
        """One line: "3 books ahead of schedule", "On track", "Goal reached!"…"""
        if self.state == "done":
            return "Goal reached!"
        if self.state == "not-started":
            return "The year hasn't started yet."
        if self.state == "missed":
            return f"Finished {self.finished} of {self.target}."
        if self.state == "on-track":
            return "On track."
        n = abs(self.ahead_by)
        books = "book" if n == 1 else "books"
        where = "ahead of" if self.state == "ahead" else "behind"
        return f"{n} {books} {where} schedule."


def goal_pace(target: int, finished: int, year: int, today: date) -> GoalPace:
    """Compare ``finished`` books with a steady pace towards ``target`` over ``year``.

    The expected count grows evenly over the year's days, today included, and is
    floored: a goal of 52 books expects the first one from 8 January. A past year expects
    the whole target; a future one expects nothing yet.
    """
    if target < MIN_GOAL:
        raise ValueError("target must be at least 1")
    days = _days_in_year(year)
    if year < today.year:
        elapsed = days
    elif year > today.year:
        elapsed = 0
    else:
        elapsed = (today - date(year, 1, 1)).days + 1
    expected = math.floor(target * elapsed / days + 1e-9)
    remaining = max(target - finished, 0)
    ahead_by = finished - expected
    state: PaceState
    if remaining == 0:
        state = "done"
    elif year > today.year:
        state = "not-started"
    elif year < today.year:
        state = "missed"
    elif ahead_by > 0:
        state = "ahead"
    elif ahead_by == 0:
        state = "on-track"
    else:
        state = "behind"
    return GoalPace(target, finished, expected, ahead_by, remaining, days - elapsed, state)
