"""Reading rules: the status table, progress maths, dates, re-reads, formatting."""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.schema import READING_STATUSES
from bot.domain.reading import (
    ALLOWED_TRANSITIONS,
    INITIAL_STATUSES,
    Progress,
    ReadingStatus,
    check_transition,
    format_date,
    format_progress,
    is_complete,
    is_correction,
    page_to_percent,
    pages_delta,
    percent_to_page,
    plan_progress_update,
    plan_status_change,
    progress_bar,
    progress_event_kind,
    resolve_progress,
    validate_dates,
)
from bot.errors import InvalidInput

W, R, P, F, D = (
    ReadingStatus.WANT_TO_READ,
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.FINISHED,
    ReadingStatus.DID_NOT_FINISH,
)
TODAY = date(2026, 3, 10)

# --- statuses ----------------------------------------------------------------------------

EXPECTED_ALLOWED = {
    (None, W): "want",
    (None, R): "start",
    (None, F): "finish",
    (None, D): "abandon",
    (W, R): "start",
    (W, F): "finish",
    (W, D): "abandon",
    (R, P): "pause",
    (R, F): "finish",
    (R, D): "abandon",
    (P, R): "resume",
    (P, F): "finish",
    (P, D): "abandon",
}
ALL_PAIRS = [
    (old, new) for old, new in itertools.product([None, *ReadingStatus], list(ReadingStatus))
]


def test_status_values_are_the_stored_strings() -> None:
    assert [s.value for s in ReadingStatus] == [
        "want-to-read",
        "reading",
        "paused",
        "finished",
        "did-not-finish",
    ]
    assert tuple(s.value for s in ReadingStatus) == READING_STATUSES  # the CHECK constraint
    assert D.label == "Did not finish"
    assert F.is_terminal and D.is_terminal and not R.is_terminal
    assert R.is_active and P.is_active and not W.is_active


def test_the_table_is_exactly_the_documented_one() -> None:
    assert dict(ALLOWED_TRANSITIONS) == EXPECTED_ALLOWED
    assert set(INITIAL_STATUSES) == {W, R, F, D}


@pytest.mark.parametrize(("old", "new"), sorted(EXPECTED_ALLOWED, key=str))
def test_allowed_transition(old: ReadingStatus | None, new: ReadingStatus) -> None:
    assert check_transition(old, new) == EXPECTED_ALLOWED[(old, new)]


REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED_ALLOWED]


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{o}->{n}" for o, n in REFUSED])
def test_refused_transition(old: ReadingStatus | None, new: ReadingStatus) -> None:
    with pytest.raises(InvalidInput) as err:
        check_transition(old, new)
    message = err.value.message
    assert message and len(message) < 300
    if old == new:
        assert "already" in message
    elif old is not None and old.is_terminal:
        assert "new reading" in message
    elif new is P:
        assert "Start it first" in message
    else:
        assert "Pause it" in message


def test_every_pair_is_either_allowed_or_refused() -> None:
    assert len(ALL_PAIRS) == 30
    assert len(REFUSED) + len(EXPECTED_ALLOWED) == 30


# --- re-reads ----------------------------------------------------------------------------


@pytest.mark.parametrize("closed", [F, D])
def test_starting_after_a_closed_reading_is_a_new_reading(closed: ReadingStatus) -> None:
    plan = plan_status_change(closed, R)
    assert plan.creates_reading and plan.from_status is None
    assert plan.event_kind == "start"


def test_pausing_a_closed_reading_is_refused() -> None:
    with pytest.raises(InvalidInput):
        plan_status_change(F, P)


def test_a_past_read_can_be_logged_as_finished_straight_away() -> None:
    plan = plan_status_change(None, F)
    assert plan.creates_reading and plan.event_kind == "finish"
    again = plan_status_change(F, F)  # a second (re-)read logged after the fact
    assert again.creates_reading and again.to_status is F


def test_status_change_of_an_open_reading_updates_it() -> None:
    plan = plan_status_change(R, P)
    assert not plan.creates_reading and plan.from_status is R and plan.event_kind == "pause"
    assert plan_status_change(P, R).event_kind == "resume"
    with pytest.raises(InvalidInput):
        plan_status_change(R, R)


@pytest.mark.parametrize(
    ("latest", "creates", "kind"),
    [
        (None, True, "start"),
        (F, True, "start"),
        (D, True, "start"),
        (W, False, "start"),
        (P, False, "resume"),
        (R, False, "progress"),
    ],
)
def test_progress_update_plan(latest: ReadingStatus | None, creates: bool, kind: str) -> None:
    plan = plan_progress_update(latest)
    assert plan.creates_reading is creates
    assert plan.event_kind == kind
    assert plan.to_status is R


# --- progress ----------------------------------------------------------------------------


def test_resolve_page_with_page_count() -> None:
    p = resolve_progress(120, None, 263)
    assert p.page == 120 and p.mode == "page" and p.page_count == 263
    assert p.percent == pytest.approx(45.627, abs=1e-3)


def test_resolve_percent_with_page_count() -> None:
    p = resolve_progress(None, 50, 263)
    assert p.mode == "percent" and p.percent == 50.0 and p.page == 132


def test_resolve_without_page_count_keeps_what_was_given() -> None:
    assert resolve_progress(120, None, None) == Progress(120, None, None, "page")
    assert resolve_progress(None, 30.5, 0) == Progress(None, 30.5, None, "percent")
    assert resolve_progress(10, 12.0, None) == Progress(10, 12.0, None, "page")


def test_resolve_both_consistent_within_tolerance() -> None:
    p = resolve_progress(120, 47, 263)  # 45.6 % by the page; 1.4 points off is fine
    assert p.page == 120 and p.percent == pytest.approx(45.63, abs=0.01)
    assert resolve_progress(1, 40, 2).page == 1  # one page of a 2-page book is 50 points


@pytest.mark.parametrize(
    ("page", "percent", "count", "needle"),
    [
        (None, None, 263, "Give a page or a percent"),
        (-1, None, 263, "can't be negative"),
        (-5, None, None, "can't be negative"),
        (None, -0.5, 263, "between 0 and 100"),
        (None, 100.5, None, "between 0 and 100"),
        (None, math.nan, 263, "between 0 and 100"),
        (None, math.inf, 263, "between 0 and 100"),
        (264, None, 263, "263 pages, so page 264 is past the end"),
        (120, 80, 263, "Page 120 of 263 is 45 %, not 80 %"),
    ],
)
def test_resolve_refusals(
    page: int | None, percent: float | None, count: int | None, needle: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        resolve_progress(page, percent, count)
    assert needle in err.value.message


def test_conversions() -> None:
    assert page_to_percent(0, 100) == 0
    assert page_to_percent(263, 263) == 100
    assert page_to_percent(300, 263) == 100  # capped
    assert percent_to_page(100, 263) == 263
    assert percent_to_page(0.1, 263) == 0
    assert percent_to_page(99.9, 263) == 262  # the last page only at 100 %
    assert percent_to_page(50, 3) == 2  # 1.5 rounds half up
    with pytest.raises(ValueError):
        page_to_percent(1, 0)
    with pytest.raises(ValueError):
        percent_to_page(1, -1)


@settings(max_examples=150, deadline=None)
@given(count=st.integers(1, 5000), data=st.data())
def test_page_percent_page_round_trip(count: int, data: st.DataObject) -> None:
    page = data.draw(st.integers(0, count))
    assert percent_to_page(page_to_percent(page, count), count) == page


@settings(max_examples=150, deadline=None)
@given(count=st.integers(1, 5000), percent=st.floats(0, 100))
def test_percent_to_page_stays_in_the_book(count: int, percent: float) -> None:
    page = percent_to_page(percent, count)
    assert 0 <= page <= count
    assert abs(page_to_percent(page, count) - percent) <= 100 / count + 1e-9
    assert (page == count) == (percent >= 100)


@settings(max_examples=150, deadline=None)
@given(
    page=st.one_of(st.none(), st.integers(-10, 6000)),
    percent=st.one_of(st.none(), st.floats(-10, 110), st.just(math.nan)),
    count=st.one_of(st.none(), st.integers(-1, 5000)),
)
def test_resolve_either_refuses_or_gives_a_valid_point(
    page: int | None, percent: float | None, count: int | None
) -> None:
    try:
        p = resolve_progress(page, percent, count)
    except InvalidInput:
        return
    assert p.page is not None or p.percent is not None
    if p.page is not None:
        assert p.page >= 0
        if p.page_count:
            assert p.page <= p.page_count
    if p.percent is not None:
        assert 0 <= p.percent <= 100
    assert p.fraction is None or 0 <= p.fraction <= 1
    if p.page_count:  # both known once the page count is
        assert p.page is not None and p.percent is not None


def test_is_complete() -> None:
    assert is_complete(resolve_progress(263, None, 263))
    assert is_complete(resolve_progress(None, 100, None))
    assert is_complete(resolve_progress(None, 100, 263))
    assert not is_complete(resolve_progress(262, None, 263))
    assert not is_complete(resolve_progress(500, None, None))  # unknown length
    assert not is_complete(resolve_progress(None, 99.9, 263))


def test_corrections_and_deltas() -> None:
    p120 = resolve_progress(120, None, 263)
    p100 = resolve_progress(100, None, 263)
    half = resolve_progress(None, 50, 263)
    assert not is_correction(None, p120)
    assert is_correction(p120, p100) and progress_event_kind(p120, p100) == "correction"
    assert not is_correction(p100, p120) and progress_event_kind(p100, p120) == "progress"
    assert not is_correction(p120, p120)
    assert pages_delta(None, p120) == 120
    assert pages_delta(p100, p120) == 20
    assert pages_delta(p120, p100) == -20
    assert pages_delta(p120, half) == 12  # 50 % of 263 is p. 132
    # percent-only points of a book without a page count
    a, b = resolve_progress(None, 40, None), resolve_progress(None, 30, None)
    assert is_correction(a, b) and pages_delta(a, b) == 0
    assert pages_delta(a, b, page_count=200) == -20
    # page vs percent with no page count cannot be compared
    page_only = resolve_progress(50, None, None)
    assert not is_correction(page_only, b) and pages_delta(page_only, b) == 0
    assert not is_correction(b, page_only)


@settings(max_examples=100, deadline=None)
@given(count=st.integers(1, 2000), data=st.data())
def test_deltas_add_up(count: int, data: st.DataObject) -> None:
    pages = data.draw(st.lists(st.integers(0, count), min_size=1, max_size=8))
    points = [resolve_progress(p, None, count) for p in pages]
    total = pages_delta(None, points[0]) + sum(
        pages_delta(a, b) for a, b in itertools.pairwise(points)
    )
    assert total == pages[-1]


# --- formatting --------------------------------------------------------------------------


def test_format_progress() -> None:
    assert format_progress(120, None, 263) == "p. 120 of 263 · 45 %"
    assert format_progress(121, 46.0, 263) == "p. 121 of 263 · 46 %"
    assert format_progress(None, 46.0, None) == "46 %"
    assert format_progress(120, None, None) == "p. 120"
    assert format_progress(120, 46.2, None) == "p. 120 · 46 %"
    assert format_progress(None, None, 263) == "no progress yet"
    assert format_progress(262, None, 263) == "p. 262 of 263 · 99 %"  # never a false 100 %
    assert format_progress(263, None, 263) == "p. 263 of 263 · 100 %"
    assert resolve_progress(120, None, 263).format() == "p. 120 of 263 · 45 %"


@pytest.mark.parametrize(
    ("fraction", "width", "bar"),
    [
        (0.0, 10, "░░░░░░░░░░"),
        (None, 4, "░░░░"),
        (math.nan, 4, "░░░░"),
        (1.0, 10, "██████████"),
        (1.7, 3, "███"),
        (-1.0, 3, "░░░"),
        (0.5, 10, "█████░░░░░"),
        (0.55, 10, "█████▌░░░░"),
        (0.001, 5, "▏░░░░"),  # any progress shows
        (0.9999, 5, "████▉"),  # only 1 is full
    ],
)
def test_progress_bar(fraction: float | None, width: int, bar: str) -> None:
    assert progress_bar(fraction, width) == bar


@settings(max_examples=100, deadline=None)
@given(fraction=st.floats(allow_nan=True), width=st.integers(1, 40))
def test_progress_bar_has_the_width(fraction: float, width: int) -> None:
    assert len(progress_bar(fraction, width)) == width


def test_progress_bar_width_must_be_positive() -> None:
    with pytest.raises(ValueError):
        progress_bar(0.5, 0)


# --- dates -------------------------------------------------------------------------------


def test_validate_dates_accepts_back_dating() -> None:
    validate_dates(date(2007, 1, 1), date(2007, 1, 31), TODAY)
    validate_dates(None, None, TODAY)
    validate_dates(TODAY, TODAY, TODAY)
    validate_dates(None, date(1999, 5, 5), TODAY)


@pytest.mark.parametrize(
    ("start", "finish", "needle"),
    [
        (date(2026, 3, 11), None, "start date 11 March 2026 is in the future"),
        (None, date(2027, 1, 1), "finish date 1 January 2027 is in the future"),
        (date(2020, 1, 5), date(2020, 1, 1), "is before the start date (5 January 2020)"),
        (date(1850, 1, 1), None, "too long ago"),
    ],
)
def test_validate_dates_refusals(start: date | None, finish: date | None, needle: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_dates(start, finish, TODAY)
    assert needle in err.value.message


def test_format_date() -> None:
    assert format_date(date(2007, 1, 15)) == "15 January 2007"
