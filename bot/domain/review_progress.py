"""A member's read-throughs of a book as the review rules see them: which read-through a new
review belongs to. Whether the member has reached a review's spoilers is the shared progress
gate's rule (:func:`bot.domain.progress_gate.progress_reached`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.progress_gate import ReadingProgress

__all__ = ["LatestReview", "ReadingProgress", "next_read_number"]


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
