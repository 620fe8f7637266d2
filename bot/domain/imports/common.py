"""Row-level steps both readers share: the problem log, titles, texts, date sanity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.domain.imports.fields import (
    MAX_AUTHORS,
    MAX_CONTENT_WARNINGS_LENGTH,
    MAX_NOTES_PER_ROW,
    MAX_READS_PER_BOOK,
    MAX_REVIEW_LENGTH,
    MAX_TITLE_LENGTH,
    FieldError,
    parse_count,
    parse_file_date,
    parse_rating,
    split_authors,
    strip_controls,
)
from bot.domain.imports.records import ReadRange, RowProblem, sort_ranges
from bot.domain.imports.review_html import review_from_html
from bot.domain.reading import EARLIEST_DATE
from bot.domain.text import clean_line, trim

__all__ = [
    "RowLog",
    "authors",
    "checked_ranges",
    "clean_text",
    "clean_title",
    "content_warnings",
    "count",
    "file_date",
    "rating",
    "review_parts",
]

T = TypeVar("T")


class RowLog:
    """Collects the problems of one row, tagged with its number and title.

    A row gets at most :data:`MAX_NOTES_PER_ROW` notes; the ones after are counted in one
    last note, so a cell with thousands of bad values can't make a report of millions.
    """

    def __init__(self, row: int, problems: list[RowProblem]) -> None:
        self.row = row
        self.title: str | None = None
        self._problems = problems
        self._notes = 0
        self._more_at: int | None = None  # where the "more problems" note is in the list

    def note(self, reason: str) -> None:
        self._notes += 1
        if self._notes <= MAX_NOTES_PER_ROW:
            self._problems.append(RowProblem(self.row, self.title, reason))
            return
        more = self._notes - MAX_NOTES_PER_ROW
        text = f"{more:,} more problem{'s' if more > 1 else ''} in this row (not listed)"
        if self._more_at is None:
            self._more_at = len(self._problems)
            self._problems.append(RowProblem(self.row, self.title, text))
        else:  # the same note with its count raised
            self._problems[self._more_at] = RowProblem(self.row, self.title, text)

    def skip(self, reason: str) -> None:
        self._problems.append(RowProblem(self.row, self.title, reason, skipped=True))

    def field(self, parse: Callable[[], T], default: T) -> T:
        """Run one cell parser; on :class:`FieldError` note it and use ``default``."""
        try:
            return parse()
        except FieldError as exc:
            self.note(f"{exc}; left out")
            return default


def rating(raw: str, log: RowLog) -> int | None:
    """A star rating cell → quarter-stars; unreadable ratings are noted and left out."""
    try:
        quarters, adjusted = parse_rating(raw)
    except FieldError as exc:
        log.note(f"{exc}; left out")
        return None
    if adjusted:
        log.note(adjusted)
    return quarters


def clean_title(raw: str, log: RowLog) -> str | None:
    """The title on one line, trimmed to the column size; None (row skipped) when empty."""
    title = clean_line(raw)
    if not title:
        log.skip("no title, so the book can't be found")
        return None
    log.title = trim(title, 80)
    if len(title) > MAX_TITLE_LENGTH:
        title = trim(title, MAX_TITLE_LENGTH)
        log.note(f"title shortened to {MAX_TITLE_LENGTH} characters")
    return title


def clean_text(raw: str, limit: int, what: str, log: RowLog) -> str | None:
    """Multi-line text without control characters, at most ``limit`` characters."""
    text = strip_controls(raw).strip()
    if not text:
        return None
    if len(text) > limit:
        log.note(f"{what} shortened to {limit:,} characters")
        text = trim(text, limit)
    return text


def review_parts(raw: str, whole_is_spoiler: bool, log: RowLog) -> tuple[str | None, str | None]:
    """(spoiler-free review, spoilers) from exported review HTML, each None when empty."""
    if not raw.strip():
        return None, None
    body, spoilers = review_from_html(raw, whole_is_spoiler)
    return (
        clean_text(body, MAX_REVIEW_LENGTH, "review", log),
        clean_text(spoilers, MAX_REVIEW_LENGTH, "spoiler part of the review", log),
    )


def content_warnings(parts: list[str], log: RowLog) -> str | None:
    joined = "\n\n".join(p.strip() for p in parts if p.strip())
    return clean_text(joined, MAX_CONTENT_WARNINGS_LENGTH, "content warnings", log)


def file_date(raw: str, what: str, today: date | None, log: RowLog) -> date | None:
    """A date cell; unreadable dates, future ones and ones before 1900 are left out with a
    note (as ``/progress`` refuses them)."""
    try:
        value = parse_file_date(raw)
    except FieldError as exc:
        log.note(f"{what}: {exc}; left out")
        return None
    if value is not None and today is not None and value > today:
        log.note(f"{what} {raw.strip()} is in the future; left out")
        return None
    if value is not None and value < EARLIEST_DATE:
        log.note(f"{what} {raw.strip()} is before {EARLIEST_DATE.year}; left out")
        return None
    return value


def authors(cells: list[str], log: RowLog) -> tuple[str, ...]:
    """The authors of the cells, at most :data:`MAX_AUTHORS` (a note says how many more)."""
    names, more = split_authors(*cells)
    if more:
        log.note(f"{more:,} more authors left out (at most {MAX_AUTHORS} are kept)")
    return names


def count(raw: str, what: str, maximum: int, log: RowLog) -> int:
    """A whole-number cell from 0 to ``maximum``; anything else is noted and counts 0."""
    return log.field(lambda: parse_count(raw, what, maximum), 0)


def checked_ranges(ranges: list[ReadRange], log: RowLog) -> tuple[ReadRange, ...]:
    """Drop a start date that comes after its finish date (with a note), and empty ranges.
    More than :data:`MAX_READS_PER_BOOK` ranges: only the latest are kept (with a note)."""
    out: list[ReadRange] = []
    for start, finish in ranges:
        if start is not None and finish is not None and finish < start:
            log.note(f"a read finishes ({finish}) before it starts ({start}); start left out")
            start = None
        if start is not None or finish is not None:
            out.append((start, finish))
    if len(out) > MAX_READS_PER_BOOK:
        log.note(f"{len(out):,} dated reads listed; only the latest {MAX_READS_PER_BOOK} were kept")
        out = list(sort_ranges(out)[-MAX_READS_PER_BOOK:])
    return tuple(out)
