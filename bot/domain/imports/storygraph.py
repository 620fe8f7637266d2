"""The StoryGraph library export.

Quirks handled: quarter-star ratings ("4.25", "5.0"); ``Dates Read`` listing every read as
``2021/03/01-2021/03/15``, comma-separated, newest or oldest first, where a single date is a
finish date and ``2024/01/05-`` a read still open; ``Last Date Read`` as a fallback;
``ISBN/UID`` holding a non-ISBN id (ASIN, StoryGraph UID) for some books; statuses
``read``, ``currently-reading``, ``to-read``, ``did-not-finish``, ``paused`` and empty (a book
only owned or tagged); ``Tags`` as custom shelves; reviews possibly in HTML. The older
variant with ``Author`` and ``ISBN`` instead of ``Authors`` and ``ISBN/UID`` is accepted.
StoryGraph's ``Read Count`` counts finished reads only.
"""

from __future__ import annotations

import re
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
    MAX_READS_PER_BOOK,
    parse_bool,
    parse_isbns,
    parse_shelves,
)
from bot.domain.imports.records import (
    ImportRow,
    ReadRange,
    RowProblem,
    derive_readings,
    let_other_threads_run,
    sort_ranges,
)
from bot.domain.reading import ReadingStatus

__all__ = [
    "STORYGRAPH_COLUMNS",
    "STORYGRAPH_REQUIRED",
    "parse_dates_read",
    "parse_storygraph",
]

#: The header of a current StoryGraph export, in order.
STORYGRAPH_COLUMNS: tuple[str, ...] = (
    "Title",
    "Authors",
    "Contributors",
    "ISBN/UID",
    "Format",
    "Read Status",
    "Date Added",
    "Last Date Read",
    "Dates Read",
    "Read Count",
    "Moods",
    "Pace",
    "Character- or Plot-Driven?",
    "Strong Character Development?",
    "Loveable Characters?",
    "Diverse Characters?",
    "Flawed Characters?",
    "Star Rating",
    "Review",
    "Content Warnings",
    "Content Warning Description",
    "Tags",
    "Owned?",
)
#: Columns without which a file is not a StoryGraph export ("Author" may stand for
#: "Authors" in older files).
STORYGRAPH_REQUIRED: tuple[str, ...] = ("Title", "Authors", "Read Status")

_STATUSES: dict[str, ReadingStatus] = {
    "read": ReadingStatus.FINISHED,
    "currently-reading": ReadingStatus.READING,
    "to-read": ReadingStatus.WANT_TO_READ,
    "did-not-finish": ReadingStatus.DID_NOT_FINISH,
    "paused": ReadingStatus.PAUSED,
}

_READING, _PAUSED, _DNF = (
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.DID_NOT_FINISH,
)
_DATE_TOKEN = re.compile(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}")
_DASH = re.compile(r"[-–—]|\bto\b")


def parse_dates_read(text: str, today: date | None, log: RowLog) -> list[ReadRange]:
    """``Dates Read`` → ranges, in the file's order. Unreadable parts are noted and left out."""
    ranges: list[ReadRange] = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        tokens = list(_DATE_TOKEN.finditer(chunk))
        if not tokens or len(tokens) > 2:
            log.note(f'dates read "{chunk[:40]}" is not a date or a date range; left out')
            continue
        dates = [file_date(t.group(), "a read date", today, log) for t in tokens]
        if len(tokens) == 2:
            ranges.append((dates[0], dates[1]))
            continue
        before = chunk[: tokens[0].start()]
        after = chunk[tokens[0].end() :]
        if _DASH.search(after) and not _DASH.search(before):
            ranges.append((dates[0], None))  # "2024/01/05-": started, not finished
        else:
            ranges.append((None, dates[0]))  # a single date is the day it was finished
    return ranges


def _row(
    number: int, cells: Mapping[str, str], today: date | None, log: RowLog
) -> ImportRow | None:
    title = clean_title(cells.get("Title", ""), log)
    if title is None:
        return None
    uid = cells.get("ISBN/UID", cells.get("ISBN", "")).strip()
    isbn13, isbn10, invalid = parse_isbns(uid)
    source_id = uid if invalid else None  # not an ISBN: StoryGraph's own id or an ASIN

    raw_status = cells.get("Read Status", "").strip()
    status = _STATUSES.get(raw_status.lower().replace(" ", "-"))
    if raw_status and status is None:
        log.note(f'read status "{raw_status[:30]}" is unknown; status left out')

    ranges = parse_dates_read(cells.get("Dates Read", ""), today, log)
    if not ranges:
        last = file_date(cells.get("Last Date Read", ""), "last date read", today, log)
        if last is not None:
            ranges = [(None, last)]
    checked = checked_ranges(ranges, log)
    # derive_readings counts the current or abandoned read-through too
    unfinished = status in (_READING, _PAUSED, _DNF)
    most = MAX_READS_PER_BOOK - 1 if unfinished else MAX_READS_PER_BOOK
    finished_reads = count(cells.get("Read Count", ""), "read count", most, log)
    readings = derive_readings(status, checked, finished_reads + (1 if unfinished else 0))

    review, spoilers = review_parts(cells.get("Review", ""), False, log)
    shelves, shelf_notes = parse_shelves(cells.get("Tags", ""), frozenset())
    for note in shelf_notes:
        log.note(note)
    warnings = content_warnings(
        [cells.get("Content Warnings", ""), cells.get("Content Warning Description", "")], log
    )
    owned = parse_bool(cells["Owned?"]) if "Owned?" in cells else None
    return ImportRow(
        row_number=number,
        title=title,
        authors=authors([cells.get("Authors", cells.get("Author", ""))], log),
        isbn13=isbn13,
        isbn10=isbn10,
        source_id=source_id,
        rating_quarters=rating(cells.get("Star Rating", ""), log),
        status=status,
        read_ranges=sort_ranges(checked),
        readings=readings,
        read_count=sum(1 for r in readings if r.status is not ReadingStatus.WANT_TO_READ),
        shelves=tuple(s.display for s in shelves),
        review=review,
        spoilers=spoilers,
        content_warnings=warnings,
        date_added=file_date(cells.get("Date Added", ""), "date added", today, log),
        owned=owned,
    )


def parse_storygraph(
    table: CsvTable, today: date | None
) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row of a StoryGraph export table (columns already checked)."""
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for index, (number, cells) in enumerate(table.rows):
        let_other_threads_run(index)
        log = RowLog(number, problems)
        row = _row(number, cells, today, log)
        for note in table.cut_notes(number):
            log.note(note)
        if row is not None:
            rows.append(row)
    return rows, problems
