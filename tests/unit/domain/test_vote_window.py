"""When a club vote closes: lengths, last days in the server's zone, the poll limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.vote_window import DEFAULT_OPEN_HOURS, vote_window
from bot.errors import InvalidInput

NOW = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        (None, DEFAULT_OPEN_HOURS),
        ("  ", DEFAULT_OPEN_HOURS),
        ("3 days", 72),
        ("in 2 weeks", 336),
        ("36 Hours", 36),
        ("48h", 48),
        ("1 hour", 1),
        ("32 days", 768),
    ],
)
def test_lengths_are_whole_hours_from_now(text: str | None, hours: int) -> None:
    window = vote_window(text, NOW, None)
    assert window.hours == hours
    assert window.closes_at == NOW + timedelta(hours=hours)


def test_a_day_means_the_end_of_that_day_in_the_servers_zone() -> None:
    # the end of 3 December in Auckland (UTC+13) is 11:00 UTC on 3 December
    window = vote_window("3 December", NOW, "Pacific/Auckland")
    assert window.closes_at >= datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert window.closes_at - datetime(2026, 12, 3, 11, 0, tzinfo=UTC) < timedelta(hours=1)
    assert (window.closes_at - NOW) % timedelta(hours=1) == timedelta(0)
    # the same day in UTC ends 13 hours later
    assert vote_window("2026-12-03", NOW, None).hours == 36


def test_today_is_open_until_midnight() -> None:
    assert vote_window("today", NOW, None).hours == 12  # 12:30 → 00:30, past midnight


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0 hours", "from 1 hour to 32 days"),
        ("33 days", "792 hours"),
        ("5 weeks", "from 1 hour"),
        ("yesterday", "over already"),
        ("soonish", "can't read"),
        ("3 fortnights", "can't read"),
        ("2026-13-01", "can't read"),
    ],
)
def test_impossible_windows_are_refused_with_a_way_to_write_them(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        vote_window(text, NOW, None)
    assert says in str(refused.value)
    assert "3 days" in str(refused.value)
