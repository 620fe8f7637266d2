"""Row-level steps both readers share: the problem log, titles, texts, date sanity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.domain.imports.fields import (
    MAX_CONTENT_WARNINGS_LENGTH,
    MAX_REVIEW_LENGTH,
    MAX_TITLE_LENGTH,
    FieldError,
    parse_file_date,
    parse_rating,
    strip_controls,
)
from bot.domain.imports.records import ReadRange, RowProblem
from bot.domain.imports.review_html import review_from_html
from bot.domain.text import clean_line, trim

__all__ = [
    "RowLog",
    "checked_ranges",
    "clean_text",
    "clean_title",
    "content_warnings",
    "file_date",
    "rating",
    "review_parts",
]

T = TypeVar("T")


class RowLog:
    """Collects the problems of one row, tagged with its number and title."""

    def __init__(self, row: int, problems: list[RowProblem]) -> None:
        self.row = row
        self.title: str | None = None
        self._problems = problems

    def note(self, reason: str) -> None:
        self._problems.append(RowProblem(self.row, self.title, reason))

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
    """A date cell; unreadable or future dates are left out with a note."""
    try:
        value = parse_file_date(raw)
    except FieldError as exc:
        log.note(f"{what}: {exc}; left out")
        return None
    if value is not None and today is not None and value > today:
        log.note(f"{what} {raw.strip()} is in the future; left out")
        return None
    return value


def checked_ranges(ranges: list[ReadRange], log: RowLog) -> tuple[ReadRange, ...]:
    """Drop a start date that comes after its finish date (with a note), and empty ranges."""
    out: list[ReadRange] = []
    for start, finish in ranges:
        if start is not None and finish is not None and finish < start:
            log.note(f"a read finishes ({finish}) before it starts ({start}); start left out")
            start = None
        if start is not None or finish is not None:
            out.append((start, finish))
    return tuple(out)
