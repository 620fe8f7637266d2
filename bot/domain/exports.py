"""A member's books as a Goodreads-compatible CSV (``/export``).

The file has Goodreads' exact header and conventions: ISBNs wrapped as ``="0374533555"``,
dates as ``2020/10/25``, the status in ``Exclusive Shelf`` (``read``, ``currently-reading``,
``to-read``, and the custom exclusive shelves ``paused`` and ``did-not-finish``), custom
shelves in ``Bookshelves``, the review as HTML with the spoiler part in ``<spoiler>`` tags.

Goodreads has whole stars only, so ``My Rating`` is the rating rounded half up to a whole
star (3.5 → 4, 3.25 → 3, 0.5 → 1). What Goodreads' columns cannot hold — the exact rating,
every reading with its start date and status, content warnings — goes into
``Private Notes`` as labelled lines (:mod:`bot.domain.imports.notes`), only when the columns
alone would not give it back. Parsing the file with the Goodreads reader therefore returns
the same ratings, statuses, readings and dates, read count, shelves, review and spoilers.

Text cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``)
are prefixed with ``'``; the Goodreads reader removes that prefix again.

The member's quotes go into a CSV of their own (:func:`quotes_csv`, one row per quote:
the book, the passage, the note, where it is, when it was saved, the posted message and
its likes), guarded against formulas the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.imports.fields import format_file_date, guard_formula
from bot.domain.imports.goodreads import GOODREADS_COLUMNS
from bot.domain.imports.notes import format_notes
from bot.domain.imports.records import ReadRange, derive_readings, latest_finish
from bot.domain.imports.review_html import review_to_html
from bot.domain.positions import position_label
from bot.domain.progress_gate import Position
from bot.domain.reading import ReadingStatus, ReadThrough
from bot.domain.stars import RatingStep, round_to_step

__all__ = [
    "EXCLUSIVE_SHELVES",
    "QUOTE_COLUMNS",
    "ExportRow",
    "QuoteExportRow",
    "goodreads_csv",
    "goodreads_rating",
    "quotes_csv",
]

#: The Goodreads exclusive shelf written for each status.
EXCLUSIVE_SHELVES: dict[ReadingStatus, str] = {
    ReadingStatus.WANT_TO_READ: "to-read",
    ReadingStatus.READING: "currently-reading",
    ReadingStatus.PAUSED: "paused",
    ReadingStatus.FINISHED: "read",
    ReadingStatus.DID_NOT_FINISH: "did-not-finish",
}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One book of a member's data. ``readings`` are the member's readings, oldest first;
    ``shelves`` the custom shelves holding the book; ``rating_quarters`` 2..20 or None."""

    title: str
    authors: tuple[str, ...] = ()
    isbn13: str | None = None
    isbn10: str | None = None
    rating_quarters: int | None = None
    readings: tuple[ReadThrough, ...] = ()
    shelves: tuple[str, ...] = ()
    review: str | None = None
    spoilers: str | None = None
    content_warnings: str | None = None
    page_count: int | None = None
    year: int | None = None
    date_added: date | None = None
    owned: bool = False

    @property
    def status(self) -> ReadingStatus | None:
        """The latest reading's status."""
        return self.readings[-1].status if self.readings else None

    @property
    def read_count(self) -> int:
        """Readings that were started (Goodreads counts the current one too)."""
        return sum(1 for r in self.readings if r.status is not ReadingStatus.WANT_TO_READ)


def goodreads_rating(quarters: int | None) -> int:
    """Whole stars for ``My Rating``: rounded half up, at least 1; 0 means unrated."""
    if quarters is None:
        return 0
    return round_to_step(quarters, RatingStep.WHOLE) // 4


def _last_first(name: str) -> str:
    if "," in name or " " not in name.strip():
        return name
    first, _, last = name.strip().rpartition(" ")
    return f"{last}, {first}"


def _isbn_cell(value: str | None) -> str:
    return f'="{value or ""}"'


def _notes(row: ExportRow, date_read: date | None) -> str:
    exact = row.rating_quarters if row.rating_quarters and row.rating_quarters % 4 else None
    status = row.status or ReadingStatus.WANT_TO_READ
    ranges: list[ReadRange] = [(None, date_read)] if date_read else []
    from_columns = derive_readings(status, ranges, row.read_count)
    readings = None if from_columns == row.readings else row.readings
    return format_notes(exact, readings, row.content_warnings)


def _cells(row: ExportRow) -> list[str]:
    status = row.status
    exclusive = EXCLUSIVE_SHELVES[status or ReadingStatus.WANT_TO_READ]
    date_read = latest_finish(row.readings)
    shelves = list(row.shelves)
    if status is not ReadingStatus.FINISHED:
        shelves.insert(0, exclusive)  # Goodreads lists the exclusive shelf unless it is "read"
    review_html, whole_is_spoiler = review_to_html(row.review, row.spoilers)
    year = str(row.year) if row.year is not None else ""
    author = row.authors[0] if row.authors else ""
    values = {
        "Book Id": "",
        "Title": guard_formula(row.title),
        "Author": guard_formula(author),
        "Author l-f": guard_formula(_last_first(author)),
        "Additional Authors": guard_formula(", ".join(row.authors[1:])),
        "ISBN": _isbn_cell(row.isbn10),
        "ISBN13": _isbn_cell(row.isbn13),
        "My Rating": str(goodreads_rating(row.rating_quarters)),
        "Average Rating": "",
        "Publisher": "",
        "Binding": "",
        "Number of Pages": str(row.page_count) if row.page_count else "",
        "Year Published": year,
        "Original Publication Year": year,
        "Date Read": format_file_date(date_read),
        "Date Added": format_file_date(row.date_added),
        "Bookshelves": guard_formula(", ".join(shelves)),
        "Bookshelves with positions": "",
        "Exclusive Shelf": exclusive,
        "My Review": guard_formula(review_html),
        "Spoiler": "true" if whole_is_spoiler else "",
        "Private Notes": guard_formula(_notes(row, date_read)),
        "Read Count": str(row.read_count),
        "Owned Copies": "1" if row.owned else "0",
    }
    return [values[column] for column in GOODREADS_COLUMNS]


def goodreads_csv(rows: Iterable[ExportRow]) -> str:
    """The CSV text (UTF-8 when encoded, ``\\n`` line ends, quoting only where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GOODREADS_COLUMNS)
    for row in rows:
        writer.writerow(_cells(row))
    return out.getvalue()


# --- quotes -----------------------------------------------------------------------------

#: The header of the quotes CSV.
QUOTE_COLUMNS: tuple[str, ...] = (
    "Title",
    "Author",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "Quote",
    "Note",
    "Page",
    "Percent",
    "Chapter",
    "Position",
    "Created At",
    "Message Link",
    "Likes",
)


@dataclass(frozen=True, slots=True)
class QuoteExportRow:
    """One of the member's quotes with its book."""

    title: str
    text: str
    position: Position
    created_at: datetime
    authors: tuple[str, ...] = ()
    isbn13: str | None = None
    isbn10: str | None = None
    note: str | None = None
    message_link: str | None = None
    likes: int = 0


def _quote_cells(row: QuoteExportRow) -> list[str]:
    position = row.position
    values = {
        "Title": guard_formula(row.title),
        "Author": guard_formula(row.authors[0] if row.authors else ""),
        "Additional Authors": guard_formula(", ".join(row.authors[1:])),
        "ISBN": _isbn_cell(row.isbn10),
        "ISBN13": _isbn_cell(row.isbn13),
        "Quote": guard_formula(row.text),
        "Note": guard_formula(row.note or ""),
        "Page": str(position.page) if position.page is not None else "",
        "Percent": f"{position.percent:g}" if position.percent is not None else "",
        "Chapter": str(position.chapter) if position.chapter is not None else "",
        "Position": position_label(position),
        "Created At": row.created_at.isoformat(),
        "Message Link": row.message_link or "",
        "Likes": str(row.likes),
    }
    return [values[column] for column in QUOTE_COLUMNS]


def quotes_csv(rows: Iterable[QuoteExportRow]) -> str:
    """The quotes CSV text (same conventions as :func:`goodreads_csv`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(QUOTE_COLUMNS)
    for row in rows:
        writer.writerow(_quote_cells(row))
    return out.getvalue()
