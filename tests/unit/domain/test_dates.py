"""The one date grammar: back-dated progress (years in the past) and club dates (nearest)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import DATE_HELP, NEAREST, PAST, YearRule, parse_date
from bot.domain.reading import validate_dates
from bot.errors import InvalidInput

MARCH = date(2026, 3, 10)  # back-dating tests: "today" is 10 March 2026
NOVEMBER = date(2026, 11, 21)  # club tests: "today" is 21 November 2026


@pytest.mark.parametrize("rule", [PAST, NEAREST])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the forms progress back-dating accepted
        ("2007-01-15", date(2007, 1, 15)),
        ("2007/01/15", date(2007, 1, 15)),
        ("2007-1-5", date(2007, 1, 5)),
        ("2007-01", date(2007, 1, 1)),
        ("2007/11", date(2007, 11, 1)),
        ("January 2007", date(2007, 1, 1)),
        ("Jan 2007", date(2007, 1, 1)),
        ("jan. 2007", date(2007, 1, 1)),
        ("SEPT 2010", date(2010, 9, 1)),
        ("15 January 2007", date(2007, 1, 15)),
        ("15th Jan 2007", date(2007, 1, 15)),
        ("January 15, 2007", date(2007, 1, 15)),
        ("  15   january   2007 ", date(2007, 1, 15)),
        ("2007", date(2007, 1, 1)),
        # the forms club dates accepted
        ("2026-03-03", date(2026, 3, 3)),
        ("2026/3/3", date(2026, 3, 3)),
        ("2026.03.03", date(2026, 3, 3)),
        ("3 March 2026", date(2026, 3, 3)),
        ("March 3, 2027", date(2027, 3, 3)),
        ("Mar. 3 2027", date(2027, 3, 3)),
    ],
)
def test_dates_with_a_year_read_the_same_for_every_use(
    rule: YearRule, text: str, expected: date
) -> None:
    assert parse_date(text, MARCH, without_year=rule) == expected
    assert parse_date(text, NOVEMBER, without_year=rule) == expected


@pytest.mark.parametrize("rule", [PAST, NEAREST])
def test_relative_days(rule: YearRule) -> None:
    assert parse_date("today", MARCH, without_year=rule) == MARCH
    assert parse_date("Yesterday", MARCH, without_year=rule) == date(2026, 3, 9)
    assert parse_date("Tomorrow", MARCH, without_year=rule) == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3rd Mar", date(2027, 3, 3)),  # nearest to 21 Nov 2026: next March
        ("1 November", date(2026, 11, 1)),  # nearest: this month
        ("  Dec   24 ", date(2026, 12, 24)),
        ("March 3", date(2027, 3, 3)),
        ("21 May", date(2027, 5, 21)),  # a tie (183 days each way): the later one
    ],
)
def test_club_dates_without_a_year_take_the_nearest(text: str, expected: date) -> None:
    assert parse_date(text, NOVEMBER, without_year=NEAREST) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 March", date(2026, 3, 3)),  # this year's, a week ago
        ("March 10", MARCH),  # today
        ("March 11", date(2025, 3, 11)),  # tomorrow's date was last year's
        ("Dec 24", date(2025, 12, 24)),
        ("29 February", date(2024, 2, 29)),  # the last leap day
    ],
)
def test_back_dates_without_a_year_take_the_latest_past_day(text: str, expected: date) -> None:
    assert parse_date(text, MARCH, without_year=PAST) == expected


@pytest.mark.parametrize("rule", [PAST, NEAREST])
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "The date is empty."),
        ("   ", "The date is empty."),
        ("soon", "I can't read “soon” as a date."),
        ("someday", "can't read"),
        ("next week", "can't read"),
        ("x" * 60, "can't read"),
        ("01/02/2007", "could be read day-first or month-first"),
        ("03/04/2020", "day-first or month-first"),
        ("2007-02-30", "February 2007 has no day 30"),
        ("31 February 2026", "February 2026 has no day 31"),
        ("31 February", "February has no day 31"),
        ("2007-13-01", "has no month 13"),
        ("2026-13-01", "has no month 13"),
        ("January February 2007", "can't read"),
        ("15 16 January 2007", "can't read"),
        ("January", "can't read"),
        ("0000-01-01", "not a real date"),
    ],
)
def test_refusals_say_what_is_wrong(rule: YearRule, text: str, needle: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date(text, MARCH, without_year=rule)
    assert needle in err.value.message


def test_unreadable_dates_show_an_example() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date("someday", NOVEMBER, without_year=NEAREST)
    assert err.value.message.endswith(DATE_HELP) and "2026-03-03" in DATE_HELP


def test_parsing_leaves_the_future_to_the_use() -> None:
    later = parse_date("January 2030", MARCH, without_year=PAST)
    assert later == date(2030, 1, 1)
    with pytest.raises(InvalidInput):
        validate_dates(later, None, MARCH)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_and_words_agree(day: date) -> None:
    iso = parse_date(day.isoformat(), MARCH, without_year=PAST)
    words = parse_date(day.strftime("%d %B %Y"), MARCH, without_year=NEAREST)
    assert iso == words == day


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)))
def test_yearless_days_follow_their_rule(today: date) -> None:
    past = parse_date("29 February", today, without_year=PAST)
    assert past <= today and (past.month, past.day) == (2, 29)
    assert today - past < timedelta(days=8 * 366)
    nearest = parse_date("1 January", today, without_year=NEAREST)
    assert abs(nearest - today) <= timedelta(days=183)
