"""What Marginalia keeps in a Goodreads export's ``Private Notes`` so a re-import is exact.

Goodreads' columns cannot hold everything: ``My Rating`` has whole stars only, there is no
start date, no per-reading status and no content warnings. The export writes those extra
facts as labelled lines in ``Private Notes`` (readable by a person who imports the file into
Goodreads), and the Goodreads reader takes them back when they still agree with the columns:

    Marginalia rating: 3.75
    Marginalia readings: finished 2021/03/01-2021/03/15; reading 2023/01/02-?
    Marginalia content warnings: violence, grief
    (the content warnings run to the end of the notes, so they may span lines)

``?`` is an unknown date; ``Marginalia readings: none`` says the book has no reading (it is
only on custom shelves).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, DecimalException

from bot.domain.imports.fields import (
    MAX_READS_PER_BOOK,
    FieldError,
    format_file_date,
    parse_file_date,
)
from bot.domain.reading import EARLIEST_DATE, ReadingStatus, ReadThrough
from bot.domain.stars import MAX_QUARTERS, MIN_QUARTERS

__all__ = ["MarginaliaNotes", "format_notes", "parse_notes"]

_RATING = "Marginalia rating:"
_READINGS = "Marginalia readings:"
_WARNINGS = "Marginalia content warnings:"
_LINE = re.compile(r"^Marginalia (rating|readings|content warnings):[ \t]?", re.MULTILINE)
_READING = re.compile(r"([a-z-]+) (\?|[\d/]+)-(\?|[\d/]+)")


@dataclass(frozen=True, slots=True)
class MarginaliaNotes:
    """What was found; None for each line that was absent or unreadable."""

    rating_quarters: int | None = None
    readings: tuple[ReadThrough, ...] | None = None
    content_warnings: str | None = None


def _format_reading(r: ReadThrough) -> str:
    start = format_file_date(r.started_on) or "?"
    finish = format_file_date(r.finished_on) or "?"
    return f"{r.status.value} {start}-{finish}"


def format_notes(
    rating_quarters: int | None,
    readings: Sequence[ReadThrough] | None,
    content_warnings: str | None,
) -> str:
    """The ``Private Notes`` text; pass None for what the columns already say exactly."""
    lines: list[str] = []
    if rating_quarters is not None:
        lines.append(f"{_RATING} {Decimal(rating_quarters) / 4}")
    if readings is not None:
        listed = "; ".join(_format_reading(r) for r in readings) or "none"
        lines.append(f"{_READINGS} {listed}")
    if content_warnings:
        lines.append(f"{_WARNINGS} {content_warnings}")
    return "\n".join(lines)


def _parse_rating(text: str) -> int | None:
    try:
        quarters = Decimal(text.strip()) * 4
        # bounds first: int() of "1e999999999" would build a billion-digit number
        if not MIN_QUARTERS <= quarters <= MAX_QUARTERS:
            return None
    except DecimalException:  # unreadable, NaN (which does not compare), overflow
        return None
    return int(quarters) if quarters == quarters.to_integral_value() else None


def _parse_date(text: str, today: date | None) -> date | None:
    """A reading's date; FieldError when unreadable or outside 1900 … today."""
    if text == "?":
        return None
    day = parse_file_date(text)
    if day is not None and (day < EARLIEST_DATE or (today is not None and day > today)):
        raise FieldError(f"{text} is out of range")
    return day


def _parse_readings(text: str, today: date | None) -> tuple[ReadThrough, ...] | None:
    text = text.strip()
    if text == "none":
        return ()
    items = text.split(";", MAX_READS_PER_BOOK)
    if len(items) > MAX_READS_PER_BOOK:
        return None  # more than one import records: the columns say what can be said
    readings: list[ReadThrough] = []
    for item in items:
        match = _READING.fullmatch(item.strip())
        if match is None:
            return None
        try:
            status = ReadingStatus(match.group(1))
            start = _parse_date(match.group(2), today)
            finish = _parse_date(match.group(3), today)
        except (ValueError, FieldError):
            return None
        if start is not None and finish is not None and finish < start:
            return None
        readings.append(ReadThrough(status, start, finish))
    return tuple(readings)


def parse_notes(notes: str, today: date | None = None) -> MarginaliaNotes:
    """Read the labelled lines back; other text in the notes is ignored.

    Readings are taken only when every one is readable, dated from 1900 to ``today`` (when
    given) and there are at most :data:`~bot.domain.imports.fields.MAX_READS_PER_BOOK`.
    """
    found: dict[str, str] = {}
    for match in _LINE.finditer(notes):
        label = match.group(1)
        if label in found:
            continue
        end = len(notes) if label == "content warnings" else notes.find("\n", match.end())
        found[label] = notes[match.end() : end if end != -1 else len(notes)].strip()
    rating = _parse_rating(found["rating"]) if "rating" in found else None
    readings = _parse_readings(found["readings"], today) if "readings" in found else None
    warnings = found.get("content warnings") or None
    return MarginaliaNotes(rating, readings, warnings)
