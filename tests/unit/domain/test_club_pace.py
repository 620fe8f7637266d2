"""A member's pace towards the club's next checkpoint."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.club import Checkpoint, CheckpointReach, MemberProgress
from bot.domain.club_pace import club_pace, position_in

START = date(2026, 3, 1)
PART_ONE = Checkpoint("Part One", CheckpointReach("page", 100), date(2026, 3, 11))
PART_TWO = Checkpoint("Part Two", CheckpointReach("page", 300), date(2026, 3, 31))
HALF = Checkpoint("Half", CheckpointReach("percent", 50), date(2026, 3, 21))


def _on(page: int | None = None, percent: float | None = None, status: str = "reading"):
    return MemberProgress(1, "Ann", status, page, percent)


def test_pages_a_day_to_the_next_checkpoint_and_on_track() -> None:
    pace = club_pace(_on(page=60), [PART_TWO, PART_ONE], 400, START, date(2026, 3, 6))
    assert pace.checkpoint == PART_ONE and pace.left == 40
    assert pace.days_left == 6 and pace.per_day == pytest.approx(40 / 6)
    # a steady reader is at 50 on day 5 of 10: page 60 is on track
    assert pace.expected == pytest.approx(50) and pace.state == "on-track"


def test_behind_a_steady_reader() -> None:
    pace = club_pace(_on(page=20), [PART_ONE, PART_TWO], 400, START, date(2026, 3, 6))
    assert pace.state == "behind" and pace.overdue == 0


def test_the_steady_reader_starts_from_the_previous_checkpoint() -> None:
    pace = club_pace(_on(page=150), [PART_ONE, PART_TWO], 400, START, date(2026, 3, 21))
    assert pace.checkpoint == PART_TWO
    assert pace.expected == pytest.approx(200) and pace.state == "behind"
    assert pace.days_left == 11 and pace.per_day == pytest.approx(150 / 11)


def test_a_checkpoint_missed_makes_the_member_behind() -> None:
    pace = club_pace(_on(page=90), [PART_ONE, PART_TWO], 400, START, date(2026, 3, 12))
    assert pace.state == "behind" and pace.overdue == 1 and pace.checkpoint == PART_TWO
    after = club_pace(_on(page=250), [PART_ONE, PART_TWO], 400, START, date(2026, 4, 2))
    assert after.state == "behind" and after.checkpoint == PART_TWO and after.left == 50
    assert after.days_left == 0 and after.per_day == 50


def test_ahead_done_and_unknown() -> None:
    assert club_pace(_on(page=320), [PART_ONE, PART_TWO], 400, START, START).state == "ahead"
    assert club_pace(_on(status="finished"), [PART_ONE], 400, START, START).state == "done"
    # percent logged, page checkpoints, no page count: never a guess
    unknown = club_pace(_on(percent=30), [PART_ONE], None, START, START)
    assert unknown.state == "unknown" and unknown.checkpoint == PART_ONE


def test_units_convert_through_the_page_count() -> None:
    pace = club_pace(_on(page=100), [HALF], 400, START, date(2026, 3, 11))
    assert pace.position == 25 and pace.left == 25 and pace.state == "on-track"
    assert pace.expected == pytest.approx(25)
    assert position_in("page", _on(percent=50), 400) == 200
    assert position_in("page", _on(status="finished"), None) is None
    assert position_in("percent", _on(status="finished"), None) == 100


def test_without_a_start_date_only_missed_checkpoints_count() -> None:
    pace = club_pace(_on(page=0), [PART_ONE], 400, None, date(2026, 3, 10))
    assert pace.expected is None and pace.state == "on-track" and pace.per_day == 50


@given(
    st.integers(0, 400),
    st.dates(min_value=date(2026, 2, 1), max_value=date(2026, 5, 1)),
)
def test_reading_more_never_puts_a_member_further_behind(page: int, today: date) -> None:
    less = club_pace(_on(page=page), [PART_ONE, PART_TWO], 400, START, today)
    more = club_pace(_on(page=page + 10), [PART_ONE, PART_TWO], 400, START, today)
    rank = {"behind": 0, "on-track": 1, "ahead": 2, "done": 3}
    assert rank[more.state] >= rank[less.state]
    if less.per_day is not None and more.per_day is not None and less.checkpoint == more.checkpoint:
        assert more.per_day <= less.per_day
