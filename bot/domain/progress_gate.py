"""The progress gate: has a member read far enough to see something placed in a book?

One rule, used by everything that hides a part of a book from members who have not reached
it: a review's spoilers (SPEC §5), quotes (SPEC §12) and, later, club checkpoint rooms.

A :class:`Position` is where something sits in a book: a page, a percent, a chapter, or the
end of the book (a quote with no position, a review's "ending"). A member's progress is
their read-throughs of the book (:class:`ReadingProgress`, newest first).

The rule (:func:`progress_reached`):

* **Any finished read-through reaches everything.** A re-reader knows the ending, so a
  member who has finished the book once and is on p. 20 of a re-read sees what is at
  p. 250. This is deliberate: hiding what they have already read would only be noise.
* Otherwise the newest read-through counts. No read-through means nothing is reached.
* Progress at the end (100 %, or the last page of a known page count) reaches everything.
* Pages and percents convert through the page count (the reading's own edition length,
  else the book's); without one they cannot be compared and the answer is "not reached"
  (the member is asked first, never shown by guesswork).
* A chapter is kept as a chapter number: it is never converted to pages or percents. A
  chapter position is reached only by a logged chapter at or past it (or by finishing).
  Likewise a page or percent position is not reached by a logged chapter alone.

Nothing here touches Discord, the database or the clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Final

__all__ = [
    "MAX_CHAPTER",
    "MAX_PAGE",
    "Position",
    "PositionKind",
    "ReadingProgress",
    "describe_progress",
    "position_fraction",
    "position_reached",
    "progress_reached",
]

MAX_PAGE: Final = 100_000  # past the end of any book
MAX_CHAPTER: Final = 10_000  # likewise for chapters


class PositionKind(StrEnum):
    PAGE = "page"
    PERCENT = "percent"
    CHAPTER = "chapter"
    END = "end"


@dataclass(frozen=True, slots=True)
class Position:
    """Where something sits in a book. ``value`` is the page, percent or chapter; None for
    the end of the book."""

    kind: PositionKind
    value: float | None = None

    def __post_init__(self) -> None:
        if self.kind is PositionKind.END:
            if self.value is not None:
                raise ValueError("the end of the book has no value")
            return
        if self.value is None or not math.isfinite(self.value):
            raise ValueError(f"a {self.kind.value} position needs a value")
        if self.kind is PositionKind.PERCENT:
            if not 0 <= self.value <= 100:
                raise ValueError(f"a percent must be in [0, 100], got {self.value}")
        elif self.value != int(self.value) or self.value < 1:
            raise ValueError(f"a {self.kind.value} must be a whole number from 1, got {self.value}")

    @classmethod
    def end(cls) -> Position:
        return cls(PositionKind.END)

    @classmethod
    def at_page(cls, page: int) -> Position:
        return cls(PositionKind.PAGE, float(page))

    @classmethod
    def at_percent(cls, percent: float) -> Position:
        return cls(PositionKind.PERCENT, float(percent))

    @classmethod
    def at_chapter(cls, chapter: int) -> Position:
        return cls(PositionKind.CHAPTER, float(chapter))

    @classmethod
    def of(cls, page: int | None, percent: float | None, chapter: int | None) -> Position:
        """The position stored as three nullable columns (at most one set; none: the end)."""
        if page is not None:
            return cls.at_page(page)
        if percent is not None:
            return cls.at_percent(percent)
        if chapter is not None:
            return cls.at_chapter(chapter)
        return cls.end()

    @property
    def page(self) -> int | None:
        return int(self.value) if self.kind is PositionKind.PAGE and self.value else None

    @property
    def percent(self) -> float | None:
        return self.value if self.kind is PositionKind.PERCENT else None

    @property
    def chapter(self) -> int | None:
        return int(self.value) if self.kind is PositionKind.CHAPTER and self.value else None

    def describe(self) -> str:
        """How the position reads in a sentence: "p. 250", "60 %", "chapter 3", "the end"."""
        if self.kind is PositionKind.PAGE:
            return f"p. {self.page:,}"
        if self.kind is PositionKind.PERCENT and self.value is not None:
            return f"{self.value:g} %"
        if self.kind is PositionKind.CHAPTER:
            return f"chapter {self.chapter:,}"
        return "the end"


def position_fraction(position: Position, page_count: int | None) -> Fraction | None:
    """How far into the book ``position`` is, exactly (0..1), or None when unknown.

    A page needs a known page count (a page past it counts as the end); a chapter is never
    converted; the end is 1.
    """
    if position.kind is PositionKind.END:
        return Fraction(1)
    if position.kind is PositionKind.PERCENT and position.value is not None:
        return Fraction(position.value) / 100
    if position.kind is PositionKind.PAGE and position.page and page_count and page_count > 0:
        return min(Fraction(position.page, page_count), Fraction(1))
    return None


@dataclass(frozen=True, slots=True)
class ReadingProgress:
    """One of the member's read-throughs of a book, as far as the gate needs it."""

    status: str
    page: int | None
    percent: float | None
    page_count: int | None  # the reading's own edition length, else the book's
    created_at: datetime
    chapter: int | None = None


def _at_end(page: int | None, percent: float | None, page_count: int | None) -> bool:
    if percent is not None and percent >= 100:
        return True
    return page is not None and bool(page_count) and page >= (page_count or 0)


def position_reached(
    position: Position,
    page: int | None,
    percent: float | None,
    page_count: int | None,
    *,
    chapter: int | None = None,
    finished: bool = False,
) -> bool:
    """Whether one read-through's progress has reached ``position`` (rules: module doc)."""
    if finished or _at_end(page, percent, page_count):
        return True
    kind, target = position.kind, position.value
    if kind is PositionKind.END or target is None:
        return False
    if kind is PositionKind.CHAPTER:
        return chapter is not None and chapter >= target
    if kind is PositionKind.PAGE:
        if page is not None:
            return page >= target
        if percent is not None and page_count:
            return percent / 100 * page_count >= target
        return False
    if percent is not None:
        return percent >= target
    if page is not None and page_count:
        return page / page_count * 100 >= target
    return False


def describe_progress(read: ReadingProgress | None) -> str:
    """Where a member is, for a warning: "you are on p. 120 (chapter 5)"."""
    if read is None:
        return "you have not logged any progress on this book"
    if read.page is not None:
        where = f"you are on p. {read.page:,}"
    elif read.percent is not None:
        where = f"you are at {read.percent:g} %"
    elif read.chapter is not None:
        return f"you are in chapter {read.chapter:,}"
    else:
        return "you have not logged any progress on this book"
    if read.chapter is not None:
        where += f" (chapter {read.chapter:,})"
    return where


def progress_reached(position: Position, reads: Sequence[ReadingProgress]) -> tuple[bool, str]:
    """(reached, "you are on p. 120") for a member's read-throughs of the book, newest first.

    Any finished read-through reaches everything (a re-reader knows the ending); otherwise
    the newest read-through's progress counts. No read-through means not reached.
    """
    if any(r.status == "finished" for r in reads):
        return True, "you have finished the book"
    if not reads:
        return False, describe_progress(None)
    latest = reads[0]
    reached = position_reached(
        position, latest.page, latest.percent, latest.page_count, chapter=latest.chapter
    )
    return reached, describe_progress(latest)
