"""Meeting series and reminder times, across daylight-saving changes."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.meetings import (
    MAX_MEETINGS_IN_SERIES,
    STARTING_GRACE,
    Reminder,
    Repeat,
    meeting_times,
    parse_when,
    reminder_due,
    reminder_window,
)
from bot.errors import InvalidInput

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")


def _local(instants: list[datetime], zone: zoneinfo.ZoneInfo) -> list[str]:
    return [i.astimezone(zone).strftime("%Y-%m-%d %H:%M") for i in instants]


def test_a_weekly_series_keeps_its_wall_time_across_the_change() -> None:
    # London leaves summer time on Sunday 25 October 2026
    times = meeting_times(datetime(2026, 10, 20, 19, 0), LONDON, Repeat.WEEKLY, 3)
    assert _local(times, LONDON) == ["2026-10-20 19:00", "2026-10-27 19:00", "2026-11-03 19:00"]
    assert [t.hour for t in times] == [18, 19, 19]  # in UTC the meeting moved
    assert all(t.tzinfo is UTC for t in times)


def test_fortnightly_and_a_single_meeting() -> None:
    times = meeting_times(datetime(2026, 3, 1, 18, 30), NEW_YORK, Repeat.FORTNIGHTLY, 2)
    assert _local(times, NEW_YORK) == ["2026-03-01 18:30", "2026-03-15 18:30"]
    one = meeting_times(datetime(2026, 3, 1, 18, 30), NEW_YORK, None, 5)
    assert len(one) == 1


def test_monthly_is_the_same_weekday_of_the_same_week() -> None:
    # the second Tuesday: 13 Jan, 10 Feb, 10 Mar, 14 Apr 2026
    times = meeting_times(datetime(2026, 1, 13, 20, 0), AUCKLAND, Repeat.MONTHLY, 4)
    assert _local(times, AUCKLAND) == [
        "2026-01-13 20:00",
        "2026-02-10 20:00",
        "2026-03-10 20:00",
        "2026-04-14 20:00",
    ]
    assert {t.astimezone(AUCKLAND).weekday() for t in times} == {1}
    across_the_year = meeting_times(datetime(2026, 11, 3, 20, 0), AUCKLAND, Repeat.MONTHLY, 3)
    assert [t.astimezone(AUCKLAND).date() for t in across_the_year] == [
        date(2026, 11, 3),
        date(2026, 12, 1),
        date(2027, 1, 5),
    ]


def test_a_monthly_series_cannot_start_on_a_fifth_weekday() -> None:
    with pytest.raises(InvalidInput, match="first four weeks"):
        meeting_times(datetime(2026, 1, 29, 20, 0), LONDON, Repeat.MONTHLY, 2)


def test_a_wall_time_in_the_spring_gap_is_the_first_instant_after_it() -> None:
    # New York springs forward at 02:00 on 8 March 2026: 02:30 does not exist that day
    times = meeting_times(datetime(2026, 3, 1, 2, 30), NEW_YORK, Repeat.WEEKLY, 2)
    assert _local(times, NEW_YORK) == ["2026-03-01 02:30", "2026-03-08 03:00"]


@pytest.mark.parametrize("count", [0, MAX_MEETINGS_IN_SERIES + 1])
def test_a_series_has_a_bounded_length(count: int) -> None:
    with pytest.raises(InvalidInput, match=f"from 1 to {MAX_MEETINGS_IN_SERIES}"):
        meeting_times(datetime(2026, 3, 1, 18, 0), LONDON, Repeat.WEEKLY, count)


def test_reminders_are_24_real_hours_before_and_at_the_start() -> None:
    # Monday 26 October 2026 19:00 in London (GMT), the day after the change
    start = meeting_times(datetime(2026, 10, 26, 19, 0), LONDON)[0]
    before = reminder_due(start, Reminder.DAY_BEFORE)
    assert start - before == timedelta(hours=24)
    # on the Sunday the clocks already went back, so 24 hours before is 19:00 …
    assert before.astimezone(LONDON).strftime("%a %H:%M") == "Sun 19:00"
    # … but from summer time to winter time over the change itself, the wall time moves
    start = meeting_times(datetime(2026, 10, 25, 19, 0), LONDON)[0]
    assert (
        reminder_due(start, Reminder.DAY_BEFORE).astimezone(LONDON).strftime("%a %H:%M")
        == "Sat 20:00"
    )
    assert reminder_due(start, Reminder.STARTING) == start
    with pytest.raises(ValueError, match="aware"):
        reminder_due(datetime(2026, 10, 25, 19, 0), Reminder.STARTING)


@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)),
    st.sampled_from([LONDON, NEW_YORK, AUCKLAND]),
    st.sampled_from(list(Repeat)),
    st.integers(1, MAX_MEETINGS_IN_SERIES),
)
def test_every_meeting_of_a_series_is_later_than_the_one_before(
    first: datetime, zone: zoneinfo.ZoneInfo, repeat: Repeat, count: int
) -> None:
    first = first.replace(second=0, microsecond=0)
    if repeat is Repeat.MONTHLY and first.day > 28:
        first = first.replace(day=first.day - 7)
    times = meeting_times(first, zone, repeat, count)
    assert len(times) == count
    assert all(b - a >= timedelta(days=6) for a, b in pairwise(times))
    weekdays = {t.astimezone(zone).weekday() for t in times}
    assert len(weekdays) == 1


# --- "when" and the reminder windows -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-10 19:00", datetime(2026, 12, 10, 19, 0)),
        ("10 December 7:30pm", datetime(2026, 12, 10, 19, 30)),
        ("December 10 at 7 pm", datetime(2026, 12, 10, 19, 0)),
        ("10 Dec, 19h30", datetime(2026, 12, 10, 19, 30)),
        ("tomorrow 12am", datetime(2026, 12, 6, 0, 0)),
        ("12pm", datetime(2026, 12, 5, 12, 0)),
        ("3 March 18:00", datetime(2027, 3, 3, 18, 0)),  # the nearest 3 March
    ],
)
def test_when_is_a_day_and_a_time(text: str, expected: datetime) -> None:
    assert parse_when(text, date(2026, 12, 5)) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2026-12-10", "time of day"),
        ("tomorrow 7", "time of day"),  # a bare number could be a day
        ("tomorrow 24:00", "not a time of day"),
        ("tomorrow 13pm", "not a time of day"),
        ("someday 19:00", "could not read the day"),
    ],
)
def test_when_without_a_readable_time_is_refused(text: str, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        parse_when(text, date(2026, 12, 5))


def test_reminder_windows_close_when_they_stop_making_sense() -> None:
    start = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
    assert reminder_window(start, Reminder.DAY_BEFORE) == (start - timedelta(hours=24), start)
    assert reminder_window(start, Reminder.STARTING) == (start, start + STARTING_GRACE)
