"""The Goodreads library export (``goodreads_library_export.csv``).

Quirks handled: ISBNs wrapped as ``="0374533555"`` (or ``=""`` when missing); dates as
``2020/10/25``; ``My Rating`` 0 meaning unrated; ``Exclusive Shelf`` holding the status
(``read``, ``currently-reading``, ``to-read`` or a custom exclusive shelf such as
``did-not-finish``); ``Bookshelves`` listing custom shelves comma-separated (and repeating
the exclusive one); reviews in HTML with ``<spoiler>`` tags; older files with more columns
after ``Read Count``. Goodreads has no start dates: ``Date Read`` is the latest finish.

A custom exclusive shelf that is not a known status name (e.g. "wishlist") is imported as
a custom shelf, and the book counts as finished when it has a read date or read count,
else as want-to-read. Marginalia's own exports carry exact values in ``Private Notes``
(see :mod:`bot.domain.imports.notes`); they are used when they agree with the columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from bot.domain.imports.common import (
    RowLog,
    authors,
    checked_ranges,
    clean_title,
    content_warnings,
    count,
    file_date,
    rating,
    review_parts,
)
from bot.domain.imports.csvfile import CsvTable
from bot.domain.imports.fields import (
    MAX_PAGE_COUNT,
    MAX_READS_PER_BOOK,
    parse_bool,
    parse_isbns,
    parse_shelves,
    parse_year,
    unguard_formula,
)
from bot.domain.imports.notes import MarginaliaNotes, parse_notes
from bot.domain.imports.records import (
    ImportRow,
    ReadRange,
    RowProblem,
    derive_readings,
    latest_finish,
    let_other_threads_run,
)
from bot.domain.reading import ReadingStatus, ReadThrough
from bot.domain.shelves import status_for_shelf_name
from bot.domain.stars import RatingStep, round_to_step

__all__ = [
    "GOODREADS_COLUMNS",
    "GOODREADS_REQUIRED",
    "exclusive_shelf_status",
    "parse_goodreads",
]

#: The header of a current Goodreads export, in order.
GOODREADS_COLUMNS: tuple[str, ...] = (
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
)
#: Columns without which a file is not a Goodreads export.
GOODREADS_REQUIRED: tuple[str, ...] = ("Title", "Author", "My Rating", "Exclusive Shelf")

_MAX_COPIES = 1_000_000  # only "owned or not" is kept

_W, _R, _P, _F, _D = (
    ReadingStatus.WANT_TO_READ,
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.FINISHED,
    ReadingStatus.DID_NOT_FINISH,
)
# Exclusive-shelf names members use for the statuses Goodreads lacks (beyond the names
# shelves.status_for_shelf_name already knows).
_EXCLUSIVE_ALIASES: dict[str, ReadingStatus] = {
    "abandoned": _D,
    "gave-up": _D,
    "given-up": _D,
    "dropped": _D,
    "unfinished": _D,
    "not-finished": _D,
    "didnt-finish": _D,
    "on-hold": _P,
    "on-pause": _P,
}


def _loose(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold().replace("'", "")
    return re.sub(r"[\s_-]+", "-", folded.strip())


def exclusive_shelf_status(shelf: str) -> ReadingStatus | None:
    """The status an exclusive shelf stands for, or None for another custom shelf."""
    return _EXCLUSIVE_ALIASES.get(_loose(shelf)) or status_for_shelf_name(shelf)


def _exact_readings(
    notes: MarginaliaNotes, status: ReadingStatus, date_read: date | None, read_count: int
) -> tuple[ReadThrough, ...] | None:
    """The readings listed in Private Notes, if they still agree with the columns."""
    readings = notes.readings
    if readings is None:
        return None
    if not readings:
        agree = status is _W and read_count == 0 and date_read is None
    else:
        agree = readings[-1].status is status and latest_finish(readings) == date_read
    return readings if agree else None


def _whole_is_spoiler(flag: str, cells: Mapping[str, str], log: RowLog) -> bool:
    """The ``Spoiler`` column. A value that is neither yes nor no fails closed: the whole
    review is kept as spoilers (hidden), with a note, rather than shown to everyone."""
    whole = parse_bool(flag)
    if whole is not None:
        return whole
    if cells.get("My Review", "").strip():
        log.note(
            f'spoiler flag "{flag.strip()[:20]}" is not yes or no; the whole review is kept '
            "as spoilers"
        )
    return True


def _rating_of(cells: Mapping[str, str], notes: MarginaliaNotes, log: RowLog) -> int | None:
    quarters = rating(cells.get("My Rating", ""), log)
    exact = notes.rating_quarters
    # the exact value only stands while Goodreads' whole stars still agree with it
    if (
        quarters is not None
        and exact is not None
        and round_to_step(exact, RatingStep.WHOLE) == quarters
    ):
        return exact
    return quarters


def _row(
    number: int, cells: Mapping[str, str], today: date | None, log: RowLog
) -> ImportRow | None:
    title = clean_title(cells.get("Title", ""), log)
    if title is None:
        return None
    isbn13, isbn10, invalid = parse_isbns(cells.get("ISBN13", ""), cells.get("ISBN", ""))
    for value in invalid:
        log.note(f'ISBN "{value[:20]}" is not a valid ISBN; left out')
    notes = parse_notes(cells.get("Private Notes", ""), today)
    read_count = count(cells.get("Read Count", ""), "read count", MAX_READS_PER_BOOK, log)
    date_read = file_date(cells.get("Date Read", ""), "date read", today, log)

    shelf = cells.get("Exclusive Shelf", "").strip()
    status = exclusive_shelf_status(shelf) if shelf else None
    extra_shelf = "" if status is not None else shelf
    if status is None:
        status = _F if (date_read is not None or read_count > 0) else _W
    # Bookshelves repeats the exclusive shelf; a custom exclusive shelf stays a shelf
    leave_out = frozenset() if extra_shelf else frozenset({shelf.casefold()})
    shelves, shelf_notes = parse_shelves(
        ",".join(part for part in (extra_shelf, cells.get("Bookshelves", "")) if part), leave_out
    )
    for note in shelf_notes:
        log.note(note)

    ranges: tuple[ReadRange, ...] = checked_ranges([(None, date_read)], log)
    readings = _exact_readings(notes, status, date_read, read_count)
    if readings is None:
        readings = derive_readings(status, ranges, read_count)
    else:
        ranges = tuple(
            (r.started_on, r.finished_on) for r in readings if r.started_on or r.finished_on
        )

    review, spoilers = review_parts(
        cells.get("My Review", ""), _whole_is_spoiler(cells.get("Spoiler", ""), cells, log), log
    )
    pages = count(cells.get("Number of Pages", ""), "page count", MAX_PAGE_COUNT, log)
    latest_year = today.year + 1 if today is not None else 9999
    year = log.field(
        lambda: (
            parse_year(cells.get("Original Publication Year", ""), latest_year)
            or parse_year(cells.get("Year Published", ""), latest_year)
        ),
        None,
    )
    owned: bool | None = None
    if "Owned Copies" in cells:
        owned = count(cells["Owned Copies"], "owned copies", _MAX_COPIES, log) > 0
    return ImportRow(
        row_number=number,
        title=title,
        authors=authors([cells.get("Author", ""), cells.get("Additional Authors", "")], log),
        isbn13=isbn13,
        isbn10=isbn10,
        source_id=cells.get("Book Id", "").strip() or None,
        rating_quarters=_rating_of(cells, notes, log),
        status=status,
        read_ranges=ranges,
        readings=readings,
        read_count=sum(1 for r in readings if r.status is not _W),
        shelves=tuple(s.display for s in shelves),
        review=review,
        spoilers=spoilers,
        content_warnings=content_warnings([notes.content_warnings or ""], log),
        page_count=pages or None,
        year=year,
        date_added=file_date(cells.get("Date Added", ""), "date added", today, log),
        owned=owned,
    )


def parse_goodreads(
    table: CsvTable, today: date | None
) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row of a Goodreads export table (columns already checked)."""
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for index, (number, raw) in enumerate(table.rows):
        let_other_threads_run(index)
        cells = {name: unguard_formula(value) for name, value in raw.items()}
        log = RowLog(number, problems)
        row = _row(number, cells, today, log)
        for note in table.cut_notes(number):
            log.note(note)
        if row is not None:
            rows.append(row)
    return rows, problems
