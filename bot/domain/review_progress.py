"""A member's read-throughs of a book as the review rules see them: which read-through a new
review belongs to, and whether the member has reached a review's spoilers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.review import SpoilerReach, reach_reached

__all__ = ["LatestReview", "ReadingProgress", "next_read_number", "progress_reached"]


@dataclass(frozen=True, slots=True)
class ReadingProgress:
    """One of the member's read-throughs of a book, as far as the spoiler check needs it."""

    status: str
    page: int | None
    percent: float | None
    page_count: int | None  # the reading's own edition length, else the book's
    created_at: datetime


class LatestReview(Protocol):
    """What :func:`next_read_number` needs of the member's latest review of the book."""

    @property
    def read_number(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...


def next_read_number(latest: LatestReview | None, reads: Sequence[ReadingProgress]) -> int | None:
    """The read-through number a new review gets, or None if the member must edit instead.

    One review per member per book; a re-read may add one more: the member has logged more
    read-throughs than they have reviews, and the newest began after their last review.
    """
    if latest is None:
        return 1
    if len(reads) > latest.read_number and reads and reads[0].created_at > latest.created_at:
        return latest.read_number + 1
    return None


def progress_reached(reach: SpoilerReach, reads: Sequence[ReadingProgress]) -> tuple[bool, str]:
    """(reached, "you are on p. 120") for a member's readings of the book, newest first.

    Any finished read-through reaches everything (a re-reader knows the ending); otherwise
    the newest reading's progress counts. No reading means not reached.
    """
    if any(r.status == "finished" for r in reads):
        return True, "you have finished the book"
    if not reads:
        return False, "you have not logged any progress on this book"
    latest = reads[0]
    reached = reach_reached(reach, latest.page, latest.percent, latest.page_count)
    if latest.page is not None:
        where = f"you are on p. {latest.page:,}"
    elif latest.percent is not None:
        where = f"you are at {latest.percent:g} %"
    else:
        where = "you have not logged any progress on this book"
    return reached, where
