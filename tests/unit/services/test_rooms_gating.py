"""Room gating: which checkpoint rooms a member's own progress has reached (the one progress
gate of bot/domain/progress_gate.py), and room names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.rooms import Room
from bot.domain.club import CheckpointReach
from bot.domain.progress_gate import ReadingProgress
from bot.services.rooms import reached, room_name

T = datetime(2026, 11, 1, tzinfo=UTC)
UP_TO_P100 = Room(1, "Book One", CheckpointReach("page", 100), 11)
UP_TO_HALF = Room(2, "Book Two", CheckpointReach("percent", 50), 12)


def read(
    status: str = "reading",
    page: int | None = None,
    percent: float | None = None,
    chapter: int | None = None,
    pages: int | None = 880,
) -> ReadingProgress:
    return ReadingProgress(
        status=status, page=page, percent=percent, page_count=pages, created_at=T, chapter=chapter
    )


@pytest.mark.parametrize(
    ("reads", "one", "two"),
    [
        ([], False, False),
        ([read(page=99)], False, False),
        ([read(page=100)], True, False),
        ([read(page=440)], True, True),
        ([read(percent=11.4)], True, False),  # 11.4 % of 880 pages is past p. 100
        ([read(percent=50)], True, True),
        ([read(chapter=40)], False, False),  # a chapter is never pages
        # no page count: pages still compare with pages, never with a percent
        ([read(page=500, pages=None)], True, False),
        ([read(status="finished")], True, True),
        # a re-read at p. 20 after a finished read-through: the member has read it all
        ([read(page=20), read(status="finished")], True, True),
        # the newest read-through counts when none is finished
        ([read(page=20), read(page=300)], False, False),
    ],
)
def test_rooms_open_by_the_members_own_progress(
    reads: list[ReadingProgress], one: bool, two: bool
) -> None:
    assert (reached(UP_TO_P100, reads), reached(UP_TO_HALF, reads)) == (one, two)


def test_room_names_fit_discord_and_say_how_far() -> None:
    assert room_name("Middlemarch", "Book  One") == "Middlemarch — up to Book One"
    long = room_name("A" * 200, "Part")
    assert len(long) <= 100 and long.startswith("AAA")
