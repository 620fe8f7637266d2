"""What an import file becomes, whatever site it came from: neutral rows and problems."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.domain.reading import ReadingStatus, ReadThrough
from bot.errors import InvalidInput

__all__ = [
    "ImportFileError",
    "ImportKind",
    "ImportParse",
    "ImportRow",
    "ReadRange",
    "RowProblem",
    "derive_readings",
    "latest_finish",
    "let_other_threads_run",
    "sort_ranges",
]

ImportKind = Literal["goodreads", "storygraph"]

#: Rows a long loop handles between two chances for other threads to take the GIL.
_ROWS_PER_TURN = 50


def let_other_threads_run(index: int) -> None:
    """Give up the GIL for a moment every few rows of a long loop.

    An import parses and plans in a worker thread. CPython takes the GIL from a busy thread
    only every 5 ms, and then only if the OS runs the waiting thread at once: on a busy
    machine the event loop's thread waited 100-250 ms at a time. ``sleep(0)`` hands the GIL
    over now (a few microseconds; harmless when called on the event loop itself).
    """
    if index % _ROWS_PER_TURN == _ROWS_PER_TURN - 1:
        time.sleep(0)


#: A dated read-through: (started on, finished on); either may be unknown.
ReadRange = tuple[date | None, date | None]


class ImportFileError(InvalidInput):
    """The file as a whole cannot be imported (encoding, size, not CSV, wrong export…)."""

    title = "That file can't be imported"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Something about one row the member should hear about.

    ``row`` is the row number a spreadsheet shows (the header is row 1, the first book is
    row 2). ``skipped`` rows were not imported at all; otherwise one value was left out or
    adjusted and the rest of the row was imported.
    """

    row: int
    title: str | None
    reason: str
    skipped: bool = False

    def describe(self) -> str:
        name = f" ({self.title})" if self.title else ""
        return f"Row {self.row}{name}: {self.reason}"


_SERIES_SUFFIX = re.compile(r"\s*\([^()]*#\s*\d[\d.\-–]*\)\s*$")


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One book of an import file, normalised.

    ``rating_quarters`` is 2..20 (0.5..5 stars) or None when unrated (Goodreads writes 0).
    ``status`` is the status of the latest read-through, or None when the file gives none
    (a StoryGraph book that is only owned or tagged). ``read_ranges`` are the dated
    read-throughs the file lists, oldest first. ``readings`` is the full interpretation the
    services should store, oldest first (see :func:`derive_readings`), and ``read_count``
    the number of those that are not want-to-read. ``shelves`` are custom shelves only,
    already valid display names (status shelves are in ``status``). ``review`` is the
    spoiler-free text and ``spoilers`` the part hidden behind spoiler tags (plain text, no
    HTML). ``source_id`` is the site's own id (Goodreads Book Id, StoryGraph UID).
    """

    row_number: int
    title: str
    authors: tuple[str, ...] = ()
    isbn13: str | None = None
    isbn10: str | None = None
    source_id: str | None = None
    rating_quarters: int | None = None
    status: ReadingStatus | None = None
    read_ranges: tuple[ReadRange, ...] = ()
    readings: tuple[ReadThrough, ...] = ()
    read_count: int = 0
    shelves: tuple[str, ...] = ()
    review: str | None = None
    spoilers: str | None = None
    content_warnings: str | None = None
    page_count: int | None = None
    year: int | None = None
    date_added: date | None = None
    owned: bool | None = None

    @property
    def title_without_series(self) -> str:
        """Goodreads titles carry the series: "Gideon the Ninth (The Locked Tomb #1)"."""
        return _SERIES_SUFFIX.sub("", self.title) or self.title

    @property
    def isbn(self) -> str | None:
        """The best identifier for a lookup: the ISBN-13, else the ISBN-10."""
        return self.isbn13 or self.isbn10


@dataclass(frozen=True, slots=True)
class ImportParse:
    """A parsed file: the rows that can be imported and the problems met on the way."""

    kind: ImportKind
    rows: tuple[ImportRow, ...]
    problems: tuple[RowProblem, ...] = field(default=())

    @property
    def skipped(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.skipped)


def _range_sort_key(r: ReadRange) -> tuple[bool, date]:
    # closed ranges by their finish date; an open range (still reading) goes last
    start, finish = r
    return (finish is None, finish or start or date.min)


def sort_ranges(ranges: Sequence[ReadRange]) -> tuple[ReadRange, ...]:
    """Oldest first by finish date; a range without a finish (still open) last."""
    return tuple(sorted(ranges, key=_range_sort_key))


def latest_finish(readings: Sequence[ReadThrough]) -> date | None:
    """The most recent finish date of a finished reading (Goodreads' ``Date Read``)."""
    finished = ReadingStatus.FINISHED
    dates = [r.finished_on for r in readings if r.status is finished and r.finished_on]
    return max(dates) if dates else None


def derive_readings(
    status: ReadingStatus | None, ranges: Sequence[ReadRange], read_count: int
) -> tuple[ReadThrough, ...]:
    """Turn a row's status, dated ranges and read count into read-throughs, oldest first.

    ``read_count`` counts every read-through that was started, the current or abandoned
    one included (Goodreads' meaning; callers with StoryGraph's "finished reads" count add
    one for a current or abandoned book). The rules:

    - finished: every range is a finished reading, and undated finished readings are added
      (as the oldest) until there are ``read_count`` of them, at least one;
    - reading / paused: an open range (a start, no finish) is the current reading's start;
      the other ranges and ``read_count − 1`` are earlier finished readings;
    - did-not-finish: the last range belongs to the abandoned attempt when there are more
      ranges than earlier finished reads (``read_count − 1``), so its finish is the day it
      was put down;
    - want-to-read: earlier reads (ranges, ``read_count``) are finished readings, then the
      want-to-read reading itself;
    - no status: only the reads the file proves (ranges, ``read_count``), as finished.
    """
    ordered = list(sort_ranges(ranges))
    count = max(read_count, 0)
    current: ReadThrough | None = None
    if status is ReadingStatus.FINISHED:
        earlier = max(count, 1)
    elif status is None:
        earlier = count
    elif status is ReadingStatus.WANT_TO_READ:
        earlier = count
        current = ReadThrough(status)
    elif status.is_active:
        earlier = count - 1
        start = None
        if ordered and ordered[-1][1] is None:
            start = ordered.pop()[0]
        current = ReadThrough(status, start)
    else:  # did-not-finish
        earlier = count - 1
        if ordered and len(ordered) > earlier:
            start, finish = ordered.pop()
            current = ReadThrough(status, start, finish)
        else:
            current = ReadThrough(status)
    undated = max(earlier - len(ordered), 0)
    finished = ReadingStatus.FINISHED
    readings = [ReadThrough(finished) for _ in range(undated)]
    readings += [ReadThrough(finished, start, finish) for start, finish in ordered]
    if current is not None:
        readings.append(current)
    return tuple(readings)
