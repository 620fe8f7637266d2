"""Yearly reading goals: validation and pace."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.goals import MAX_GOAL, MIN_GOAL, goal_pace, validate_goal
from bot.errors import InvalidInput

TODAY = date(2026, 7, 2)  # day 183 of 365


@pytest.mark.parametrize(("target", "year"), [(1, 2026), (1000, 2026), (52, 2027), (12, 2016)])
def test_valid_goals(target: int, year: int) -> None:
    validate_goal(target, year, TODAY)


@pytest.mark.parametrize(
    ("target", "year", "needle"),
    [
        (0, 2026, "between 1 and 1000 books (you gave 0)"),
        (-3, 2026, "between 1 and 1000"),
        (1001, 2026, "between 1 and 1000"),
        (10, 2028, "2016–2027"),
        (10, 2015, "up to 10 years back"),
    ],
)
def test_invalid_goals(target: int, year: int, needle: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_goal(target, year, TODAY)
    assert needle in err.value.message


def test_limits() -> None:
    assert (MIN_GOAL, MAX_GOAL) == (1, 1000)


def test_pace_behind() -> None:
    pace = goal_pace(52, 20, 2026, TODAY)
    assert pace.expected == 26  # 52 × 183 / 365 = 26.07
    assert pace.ahead_by == -6 and pace.state == "behind"
    assert pace.remaining == 32 and pace.days_left == 182
    assert pace.describe() == "6 books behind schedule."
    assert pace.per_week_needed == pytest.approx(32 * 7 / 182)


def test_pace_ahead_and_on_track() -> None:
    assert goal_pace(52, 27, 2026, TODAY).describe() == "1 book ahead of schedule."
    on_track = goal_pace(52, 26, 2026, TODAY)
    assert on_track.state == "on-track" and on_track.describe() == "On track."


def test_pace_first_days_of_the_year() -> None:
    assert goal_pace(52, 0, 2026, date(2026, 1, 7)).expected == 0
    assert goal_pace(52, 0, 2026, date(2026, 1, 8)).expected == 1
    assert goal_pace(12, 0, 2026, date(2026, 1, 1)).state == "on-track"


def test_pace_end_of_year_expects_the_target() -> None:
    pace = goal_pace(12, 11, 2026, date(2026, 12, 31))
    assert pace.expected == 12 and pace.ahead_by == -1 and pace.days_left == 0
    assert pace.per_week_needed is None


def test_pace_leap_year() -> None:
    pace = goal_pace(366, 0, 2024, date(2024, 12, 31))
    assert pace.expected == 366


def test_pace_done_past_and_future() -> None:
    done = goal_pace(10, 12, 2026, TODAY)
    assert done.state == "done" and done.remaining == 0 and done.describe() == "Goal reached!"
    assert done.fraction == 1.0 and done.per_week_needed is None
    missed = goal_pace(10, 7, 2025, TODAY)
    assert missed.state == "missed" and missed.expected == 10 and missed.days_left == 0
    assert missed.describe() == "Finished 7 of 10."
    future = goal_pace(10, 0, 2027, TODAY)
    assert future.state == "not-started" and future.expected == 0
    assert future.describe() == "The year hasn't started yet."


def test_pace_needs_a_target() -> None:
    with pytest.raises(ValueError):
        goal_pace(0, 0, 2026, TODAY)


@settings(max_examples=100, deadline=None)
@given(
    target=st.integers(1, 1000),
    finished=st.integers(0, 1200),
    day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
)
def test_pace_invariants(target: int, finished: int, day: date) -> None:
    pace = goal_pace(target, finished, 2026, day)
    assert 0 <= pace.expected <= target
    assert pace.ahead_by == finished - pace.expected
    assert pace.remaining == max(target - finished, 0)
    assert 0 <= pace.fraction <= 1
    assert pace.describe()
