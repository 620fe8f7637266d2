"""Club reads: checkpoint validation, where the schedule stands, members' standing, summary."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.club import (
    MAX_LABEL_LENGTH,
    Checkpoint,
    CheckpointReach,
    MemberProgress,
    ReachKind,
    Standing,
    clean_label,
    current_checkpoint,
    format_day,
    is_behind,
    last_due_checkpoint,
    make_checkpoint,
    next_checkpoint,
    progress_percent,
    sort_checkpoints,
    sort_members,
    standing,
    summarize_club,
    validate_club_dates,
)
from bot.errors import Conflict, InvalidInput

START = date(2026, 3, 1)
END = date(2026, 3, 31)
PAGES = 330


def cp(
    label: str, due: date, *, page: int | None = None, percent: float | None = None
) -> Checkpoint:
    kind: ReachKind = "page" if page is not None else "percent"
    value = float(page if page is not None else percent or 0)
    return Checkpoint(label, CheckpointReach(kind, value), due)


PART_ONE = cp("Part One", date(2026, 3, 8), page=110)
PART_TWO = cp("Part Two", date(2026, 3, 15), page=220)
PART_THREE = cp("Part Three", date(2026, 3, 22), percent=100)
SCHEDULE = [PART_THREE, PART_ONE, PART_TWO]  # deliberately out of order


# --- labels and dates --------------------------------------------------------------------


def test_labels_are_cleaned_and_bounded() -> None:
    assert clean_label("  Part\tOne \n ") == "Part One"
    assert clean_label("Chapters 1\u20135\x00") == "Chapters 1\u20135"
    assert clean_label("x" * MAX_LABEL_LENGTH) == "x" * MAX_LABEL_LENGTH
    with pytest.raises(InvalidInput, match="at most 100 characters \\(this one has 101\\)"):
        clean_label("x" * 101)
    with pytest.raises(InvalidInput, match="Give the checkpoint a label"):
        clean_label(" \x07\u200e ")


def test_club_dates() -> None:
    validate_club_dates(START, END)
    validate_club_dates(START, START)
    validate_club_dates(None, END)
    with pytest.raises(InvalidInput, match="31 Mar 2026\\) is before the start date \\(1 Apr"):
        validate_club_dates(date(2026, 4, 1), END)


def test_format_day() -> None:
    assert format_day(date(2026, 3, 3)) == "3 Mar 2026"
    assert format_day(date(2026, 12, 25)) == "25 Dec 2026"


# --- making checkpoints ------------------------------------------------------------------


def test_make_checkpoint_by_page_and_percent() -> None:
    made = make_checkpoint(
        " Part One ", due_on=date(2026, 3, 8), page=110, page_count=PAGES, starts_on=START
    )
    assert made == PART_ONE
    assert made.describe() == "Part One — p. 110 — by 8 Mar 2026"
    by_percent = make_checkpoint("Half", due_on=START, percent=50, page_count=None)
    assert by_percent.reach == CheckpointReach("percent", 50.0)
    assert by_percent.reach.describe() == "50%"
    # the last page and 100 % are fine; the due date may be the start day itself
    make_checkpoint("End", due_on=START, page=PAGES, page_count=PAGES, starts_on=START)
    make_checkpoint("End", due_on=END, percent=100, starts_on=START, ends_on=END)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page": 331}, "The book has 330 pages, so a checkpoint cannot be at p. 331"),
        ({"page": 0}, "page must be 1 or more, not 0"),
        ({"page": -5}, "page must be 1 or more"),
        ({"percent": 0}, "above 0 and at most 100, not 0"),
        ({"percent": 100.5}, "above 0 and at most 100, not 100.5"),
        ({"percent": float("nan")}, "above 0 and at most 100"),
        ({}, "either until_page or until_percent"),
        ({"page": 10, "percent": 10}, "either until_page or until_percent"),
        ({"page": 10, "due_on": date(2026, 2, 28)}, "before the club starts \\(1 Mar 2026\\)"),
        ({"page": 10, "due_on": date(2026, 4, 1)}, "after the club ends \\(31 Mar 2026\\)"),
    ],
)
def test_make_checkpoint_refuses(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "due_on": date(2026, 3, 8),
        "page_count": PAGES,
        "starts_on": START,
        "ends_on": END,
    }
    args.update(kwargs)
    with pytest.raises(InvalidInput, match=message):
        make_checkpoint("Part One", **args)  # type: ignore[arg-type]


def test_page_without_known_page_count_is_allowed() -> None:
    made = make_checkpoint("Far", due_on=START, page=5000, page_count=None)
    assert made.reach.describe() == "p. 5000"
    assert made.reach.as_percent(None) is None


def test_checkpoints_must_agree_with_the_schedule() -> None:
    existing = [PART_ONE, PART_TWO]
    ok = make_checkpoint(
        "Part 2½", due_on=date(2026, 3, 12), page=150, page_count=PAGES, existing=existing
    )
    assert ok.reach.value == 150
    with pytest.raises(Conflict, match="already a checkpoint called “Part One”"):
        make_checkpoint("part one", due_on=date(2026, 3, 30), page=300, existing=existing)
    with pytest.raises(InvalidInput, match="due later must reach at least as far"):
        make_checkpoint("Late", due_on=date(2026, 3, 20), page=200, existing=existing)
    with pytest.raises(InvalidInput, match=r"“Part Two” \(p\. 220 by 15 Mar 2026\)"):
        make_checkpoint("Early", due_on=date(2026, 3, 10), page=250, existing=existing)
    # across units through the page count: 50 % of 330 is p. 165, between the two
    make_checkpoint(
        "Half", due_on=date(2026, 3, 12), percent=50, page_count=PAGES, existing=existing
    )
    with pytest.raises(InvalidInput, match="does not fit"):
        make_checkpoint(
            "Most", due_on=date(2026, 3, 12), percent=90, page_count=PAGES, existing=existing
        )
    # without a page count the units cannot be compared, so there is nothing to refuse
    make_checkpoint("Most", due_on=date(2026, 3, 12), percent=90, existing=existing)
    # the same due date with different reaches is fine
    make_checkpoint("Same day", due_on=date(2026, 3, 8), page=50, existing=existing)


# --- where the schedule stands -----------------------------------------------------------


def test_sort_checkpoints() -> None:
    assert sort_checkpoints(SCHEDULE) == [PART_ONE, PART_TWO, PART_THREE]


@pytest.mark.parametrize(
    ("today", "current", "upcoming", "last_due"),
    [
        (date(2026, 2, 1), PART_ONE, PART_ONE, None),
        (date(2026, 3, 8), PART_ONE, PART_ONE, None),  # due today: still the current one
        (date(2026, 3, 9), PART_TWO, PART_TWO, PART_ONE),
        (date(2026, 3, 22), PART_THREE, PART_THREE, PART_TWO),
        (date(2026, 3, 23), PART_THREE, None, PART_THREE),  # all passed: the latest
    ],
)
def test_current_checkpoint(
    today: date,
    current: Checkpoint,
    upcoming: Checkpoint | None,
    last_due: Checkpoint | None,
) -> None:
    assert current_checkpoint(SCHEDULE, today) == current
    assert next_checkpoint(SCHEDULE, today) == upcoming
    assert last_due_checkpoint(SCHEDULE, today) == last_due


def test_no_checkpoints() -> None:
    assert current_checkpoint([], date(2026, 3, 1)) is None
    assert next_checkpoint([], date(2026, 3, 1)) is None
    assert last_due_checkpoint([], date(2026, 3, 1)) is None


# --- members -----------------------------------------------------------------------------


def member(
    user_id: int,
    status: str = "reading",
    *,
    page: int | None = None,
    percent: float | None = None,
    name: str | None = None,
) -> MemberProgress:
    return MemberProgress(user_id, name or f"Member {user_id}", status, page, percent)


@pytest.mark.parametrize(
    ("progress", "checkpoint", "page_count", "behind"),
    [
        (member(1, page=109), PART_ONE, PAGES, True),
        (member(1, page=110), PART_ONE, PAGES, False),
        (member(1, page=109), PART_ONE, None, True),  # same unit: no page count needed
        (member(1, percent=33.0), PART_ONE, PAGES, True),  # 33 % < p. 110 of 330 (33.3 %)
        (member(1, percent=34.0), PART_ONE, PAGES, False),
        (member(1, percent=10.0), PART_ONE, None, False),  # cannot compare: not behind
        (member(1, page=300), PART_THREE, PAGES, True),
        (member(1, page=300), PART_THREE, None, False),
        (member(1), PART_ONE, PAGES, True),  # nothing logged yet
        (member(1, "want-to-read"), PART_ONE, None, True),
        (member(1, "finished"), PART_THREE, PAGES, False),
        (member(1, "did-not-finish", page=3), PART_ONE, PAGES, False),
        (member(1, page=110, percent=20.0), PART_ONE, PAGES, True),  # percent is the truth
    ],
)
def test_is_behind(
    progress: MemberProgress, checkpoint: Checkpoint, page_count: int | None, behind: bool
) -> None:
    assert is_behind(progress, checkpoint, page_count) is behind


def test_progress_percent() -> None:
    assert progress_percent(member(1, "finished"), None) == 100.0
    assert progress_percent(member(1, percent=42.5), None) == 42.5
    assert progress_percent(member(1, percent=140.0), None) == 100.0
    assert progress_percent(member(1, page=165), PAGES) == 50.0
    assert progress_percent(member(1, page=500), PAGES) == 100.0
    assert progress_percent(member(1, page=165), None) is None
    assert progress_percent(member(1), PAGES) == 0.0


def test_standing_uses_the_latest_due_checkpoint() -> None:
    today = date(2026, 3, 10)  # Part One (p. 110) is due, Part Two not yet
    assert standing(member(1, page=120), SCHEDULE, PAGES, today) is Standing.ON_TRACK
    assert standing(member(1, page=100), SCHEDULE, PAGES, today) is Standing.BEHIND
    assert standing(member(1), SCHEDULE, PAGES, today) is Standing.BEHIND
    assert standing(member(1, "finished"), SCHEDULE, PAGES, today) is Standing.FINISHED
    assert standing(member(1, "did-not-finish"), SCHEDULE, PAGES, today) is Standing.ABANDONED
    before = date(2026, 3, 1)  # nothing due yet: nobody is behind
    assert standing(member(1), SCHEDULE, PAGES, before) is Standing.NOT_STARTED
    assert standing(member(1, page=5), SCHEDULE, PAGES, before) is Standing.ON_TRACK
    assert standing(member(1, page=5), [], PAGES, today) is Standing.ON_TRACK


def test_sort_members_for_status() -> None:
    members = [
        member(1, page=100, name="zoe"),
        member(2, "finished", name="Yann"),
        member(3, "did-not-finish", page=200, name="Abe"),
        member(4, name="Bea"),
        member(5, percent=90.0, name="Cal"),
        member(6, page=100, name="Ann"),
        member(7, "finished", name="ada"),
        member(8, page=1, name="Opted Out"),
    ]
    ordered = sort_members(members, PAGES, exclude=frozenset({8}))
    assert [m.user_id for m in ordered] == [7, 2, 5, 6, 1, 4, 3]
    # without a page count, page-only members are ordered by page after the percent ones
    unknown = sort_members([member(1, page=10), member(2, page=50), member(3, percent=5.0)], None)
    assert [m.user_id for m in unknown] == [3, 2, 1]


def test_summary() -> None:
    members = [
        member(1, "finished"),
        member(2, "finished"),
        member(3, "did-not-finish", page=66),  # 20 %
        member(4, page=165),  # 50 %
        member(5),  # not started: 0 %
        member(6, page=10),  # 10 of 330 pages
        member(9, "finished"),  # opted out
    ]
    summary = summarize_club(members, PAGES, exclude=frozenset({9}))
    assert summary.members == 6
    assert summary.finished == 2
    assert summary.did_not_finish == 1
    assert summary.not_started == 1
    assert summary.still_reading == 2
    assert summary.average_percent == pytest.approx((100 + 100 + 20 + 50 + 0 + 10 / 3.3) / 6)
    assert summary.completion_rate == pytest.approx(2 / 6)
    empty = summarize_club([], PAGES)
    assert empty.average_percent is None
    assert empty.completion_rate == 0.0
    # pages without a page count are left out of the average, not guessed
    partial = summarize_club([member(1, page=10), member(2, "finished")], None)
    assert partial.average_percent == 100.0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            MemberProgress,
            user_id=st.integers(1, 50),
            display_name=st.text(max_size=10),
            status=st.sampled_from(["reading", "paused", "finished", "did-not-finish"]),
            page=st.none() | st.integers(0, 400),
            percent=st.none() | st.floats(0, 100),
        ),
        max_size=30,
    ),
    st.none() | st.integers(1, 400),
    st.frozensets(st.integers(1, 50), max_size=10),
)
def test_sorting_and_summary_invariants(
    members: list[MemberProgress], page_count: int | None, excluded: frozenset[int]
) -> None:
    ordered = sort_members(members, page_count, exclude=excluded)
    kept = [m for m in members if m.user_id not in excluded]
    assert sorted(map(id, ordered)) == sorted(map(id, kept))
    summary = summarize_club(members, page_count, exclude=excluded)
    assert summary.members == len(kept)
    parts = summary.finished + summary.did_not_finish + summary.still_reading
    assert parts + summary.not_started == summary.members
    if summary.average_percent is not None:
        assert 0.0 <= summary.average_percent <= 100.0
    finished_first = [m.finished for m in ordered]
    assert finished_first == sorted(finished_first, reverse=True)
