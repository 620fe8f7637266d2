"""The shared progress gate (reviews' spoilers, quotes) and the quote rules built on it:
position maths, the 10 % opening rule, quote input checks, and gating with re-reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.progress_gate import (
    Position,
    PositionKind,
    ReadingProgress,
    position_fraction,
    position_reached,
    progress_reached,
)
from bot.domain.quote import NOTE_MAX, TEXT_MAX, QuoteDraft, in_opening, quote_position
from bot.domain.review import SpoilerReach
from bot.errors import InvalidInput

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def read(
    status: str = "reading",
    page: int | None = None,
    percent: float | None = None,
    chapter: int | None = None,
    page_count: int | None = 400,
    age_days: int = 0,
) -> ReadingProgress:
    return ReadingProgress(
        status=status,
        page=page,
        percent=percent,
        page_count=page_count,
        created_at=T0 - timedelta(days=age_days),
        chapter=chapter,
    )


# --- positions ------------------------------------------------------------------------------


def test_position_of_columns_and_describe() -> None:
    assert Position.of(None, None, None) == Position.end()
    assert Position.of(12, None, None) == Position.at_page(12)
    assert Position.of(None, 7.5, None) == Position.at_percent(7.5)
    assert Position.of(None, None, 3) == Position.at_chapter(3)
    assert Position.at_page(1250).describe() == "p. 1,250"
    assert Position.at_percent(62.5).describe() == "62.5 %"
    assert Position.at_chapter(3).describe() == "chapter 3"
    assert Position.end().describe() == "the end"
    assert Position.at_chapter(3).chapter == 3 and Position.at_chapter(3).page is None


@pytest.mark.parametrize(
    "bad",
    [
        (PositionKind.PAGE, 0),
        (PositionKind.PAGE, 2.5),
        (PositionKind.CHAPTER, 0),
        (PositionKind.PERCENT, 100.5),
        (PositionKind.PERCENT, -1),
        (PositionKind.PERCENT, float("nan")),
        (PositionKind.PAGE, None),
        (PositionKind.END, 3),
    ],
)
def test_position_refuses_impossible_values(bad: tuple[PositionKind, float | None]) -> None:
    with pytest.raises(ValueError):
        Position(*bad)


@pytest.mark.parametrize(
    ("position", "page_count", "expected"),
    [
        (Position.at_page(40), 400, Fraction(1, 10)),
        (Position.at_page(400), 400, Fraction(1)),
        (Position.at_page(500), 400, Fraction(1)),  # another edition: capped at the end
        (Position.at_page(40), None, None),  # no page count: unknown
        (Position.at_page(40), 0, None),
        (Position.at_percent(25), None, Fraction(1, 4)),
        (Position.at_percent(0), 400, Fraction(0)),
        (Position.at_chapter(2), 400, None),  # chapters are never converted
        (Position.end(), None, Fraction(1)),
    ],
)
def test_position_fraction(
    position: Position, page_count: int | None, expected: Fraction | None
) -> None:
    assert position_fraction(position, page_count) == expected


# --- reached by one read-through --------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "page", "percent", "chapter", "page_count", "expected"),
    [
        # chapters: only a logged chapter at or past it
        (Position.at_chapter(5), None, None, 4, 400, False),
        (Position.at_chapter(5), None, None, 5, 400, True),
        (Position.at_chapter(5), 399, 99.0, None, 400, False),  # pages never become chapters
        (Position.at_chapter(5), 400, None, None, 400, True),  # the last page reaches all
        (Position.at_chapter(5), None, 100.0, None, None, True),
        # pages and percents are not reached by a chapter alone
        (Position.at_page(10), None, None, 30, 400, False),
        (Position.at_percent(5), None, None, 30, 400, False),
        # pages and percents convert through the page count
        (Position.at_page(100), None, 25.0, None, 400, True),
        (Position.at_page(100), None, 24.9, None, 400, False),
        (Position.at_page(100), None, 90.0, None, None, False),  # missing page count
        (Position.at_percent(50), 200, None, None, 400, True),
        (Position.at_percent(50), 199, None, None, 400, False),
        (Position.at_percent(50), 390, None, None, None, False),
        # the end
        (Position.end(), 399, None, 9, 400, False),
        (Position.end(), None, 100.0, None, None, True),
        (Position.end(), None, None, None, None, False),
    ],
)
def test_position_reached(
    position: Position,
    page: int | None,
    percent: float | None,
    chapter: int | None,
    page_count: int | None,
    expected: bool,
) -> None:
    assert position_reached(position, page, percent, page_count, chapter=chapter) is expected


@given(
    page=st.integers(min_value=1, max_value=2000),
    target=st.integers(min_value=1, max_value=2000),
    page_count=st.one_of(st.none(), st.integers(min_value=1, max_value=2000)),
)
def test_page_against_page_needs_no_page_count(
    page: int, target: int, page_count: int | None
) -> None:
    reached = position_reached(Position.at_page(target), page, None, page_count)
    at_end = page_count is not None and page >= page_count
    assert reached is (page >= target or at_end)


@given(
    progress=st.floats(min_value=0, max_value=100),
    a=st.floats(min_value=0, max_value=100),
    b=st.floats(min_value=0, max_value=100),
)
def test_reaching_is_monotonic_in_the_target(progress: float, a: float, b: float) -> None:
    """Whoever reaches a later point reaches every earlier one."""
    low, high = sorted((a, b))
    if position_reached(Position.at_percent(high), None, progress, None):
        assert position_reached(Position.at_percent(low), None, progress, None)


# --- reached by a member (every read-through) -------------------------------------------------


def test_no_reading_reaches_nothing() -> None:
    reached, where = progress_reached(Position.at_page(1), [])
    assert not reached and "not logged any progress" in where


def test_any_finished_read_through_reaches_everything() -> None:
    """A re-reader on p. 20 who finished the book before sees what is at the end."""
    reads = [read(page=20), read(status="finished", age_days=400)]
    for position in (Position.end(), Position.at_chapter(30), Position.at_page(399)):
        assert progress_reached(position, reads) == (True, "you have finished the book")


def test_the_newest_read_through_counts_otherwise() -> None:
    # an abandoned read that got far does not count for a new read that has not
    reads = [read(page=20), read(status="did-not-finish", page=300, age_days=30)]
    assert progress_reached(Position.at_page(250), reads) == (False, "you are on p. 20")
    assert progress_reached(Position.at_page(20), reads)[0]


def test_where_the_member_is() -> None:
    assert progress_reached(Position.at_chapter(9), [read(page=120, chapter=5)]) == (
        False,
        "you are on p. 120 (chapter 5)",
    )
    assert progress_reached(Position.at_chapter(9), [read(chapter=5)]) == (
        False,
        "you are in chapter 5",
    )
    assert progress_reached(Position.end(), [read(percent=45)]) == (False, "you are at 45 %")
    assert progress_reached(Position.end(), [read(status="want-to-read")])[1] == (
        "you have not logged any progress on this book"
    )


def test_reviews_use_the_same_gate() -> None:
    assert SpoilerReach.at_page(250).position == Position.at_page(250)
    assert SpoilerReach.at_percent(60).position == Position.at_percent(60)
    assert SpoilerReach.ending().position == Position.end()


# --- the 10 % opening rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "page_count", "expected"),
    [
        (Position.at_page(40), 400, True),  # exactly 10 %: still the opening
        (Position.at_page(41), 400, False),
        (Position.at_page(1), 400, True),
        (Position.at_page(26), 263, True),  # 9.9 %
        (Position.at_page(27), 263, False),  # 10.3 %
        (Position.at_page(1), None, False),  # no page count: in tags
        (Position.at_percent(10), None, True),
        (Position.at_percent(10.01), 400, False),
        (Position.at_percent(0), None, True),
        (Position.at_chapter(1), 400, False),  # a chapter quote is always in tags
        (Position.end(), 400, False),
    ],
)
def test_in_opening(position: Position, page_count: int | None, expected: bool) -> None:
    assert in_opening(position, page_count) is expected


@given(
    page=st.integers(min_value=1, max_value=5000), count=st.integers(min_value=1, max_value=5000)
)
def test_in_opening_pages_matches_integer_maths(page: int, count: int) -> None:
    if page <= count:
        assert in_opening(Position.at_page(page), count) is (page * 10 <= count)


# --- quote input ----------------------------------------------------------------------------


def test_quote_position_none_is_the_end() -> None:
    assert quote_position(None, None, None, 300) == Position.end()


@pytest.mark.parametrize(
    ("page", "percent", "chapter", "page_count", "message"),
    [
        (12, 5.0, None, 300, "not page and percent"),
        (12, None, 3, 300, "not page and chapter"),
        (None, 5.0, 3, 300, "not percent and chapter"),
        (301, None, None, 300, "300 pages"),
        (0, None, None, 300, "start at 1"),
        (10**9, None, None, None, "past the end of any book"),
        (None, 100.5, None, 300, "between 0 and 100"),
        (None, -1.0, None, 300, "between 0 and 100"),
        (None, float("nan"), None, 300, "between 0 and 100"),
        (None, None, 0, 300, "Chapters start at 1"),
    ],
)
def test_quote_position_refusals(
    page: int | None,
    percent: float | None,
    chapter: int | None,
    page_count: int | None,
    message: str,
) -> None:
    with pytest.raises(InvalidInput, match=message):
        quote_position(page, percent, chapter, page_count)


def test_quote_position_page_without_page_count_is_kept() -> None:
    assert quote_position(900, None, None, None) == Position.at_page(900)


def test_quote_draft_text_limits() -> None:
    draft = QuoteDraft.create("  It was a bright cold day in April.\r\n", note=" ", chapter=1)
    assert draft.text == "It was a bright cold day in April."
    assert draft.note is None and draft.position == Position.at_chapter(1)
    assert len(QuoteDraft.create("x" * TEXT_MAX).text) == TEXT_MAX
    with pytest.raises(InvalidInput, match="too long"):
        QuoteDraft.create("x" * (TEXT_MAX + 1))
    with pytest.raises(InvalidInput, match="empty"):
        QuoteDraft.create(" \u200b ")
    with pytest.raises(InvalidInput, match="The note is too long"):
        QuoteDraft.create("text", note="n" * (NOTE_MAX + 1))
