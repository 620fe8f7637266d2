"""The one entry point: bytes of an uploaded export → :class:`ImportParse`.

File-level problems raise :class:`ImportFileError`; row-level problems are collected in
``ImportParse.problems`` (row number and reason) and never stop the other rows.
"""

from __future__ import annotations

from datetime import date

from bot.domain.imports.csvfile import REEXPORT_HINT, CsvTable, decode_upload, read_table
from bot.domain.imports.fields import MAX_IMPORT_READINGS
from bot.domain.imports.goodreads import GOODREADS_COLUMNS, GOODREADS_REQUIRED, parse_goodreads
from bot.domain.imports.records import ImportFileError, ImportKind, ImportParse
from bot.domain.imports.storygraph import (
    STORYGRAPH_COLUMNS,
    STORYGRAPH_REQUIRED,
    parse_storygraph,
)

__all__ = ["KIND_NAMES", "detect_kind", "parse_import"]

KIND_NAMES: dict[ImportKind, str] = {"goodreads": "Goodreads", "storygraph": "StoryGraph"}

# Columns only one of the two exports has; two of them are enough to recognise a file.
_SIGNATURES: dict[ImportKind, frozenset[str]] = {
    "goodreads": frozenset(
        ("Book Id", "Author l-f", "My Rating", "Exclusive Shelf", "Bookshelves", "My Review")
    ),
    "storygraph": frozenset(
        ("ISBN/UID", "Read Status", "Star Rating", "Dates Read", "Last Date Read", "Moods")
    ),
}


def detect_kind(header: tuple[str, ...]) -> ImportKind | None:
    """Which export a header looks like, or None."""
    columns = set(header)
    best: ImportKind | None = None
    best_hits = 1
    for kind, signature in _SIGNATURES.items():
        hits = len(signature & columns)
        if hits > best_hits:
            best, best_hits = kind, hits
    return best


def _missing(kind: ImportKind, table: CsvTable) -> list[str]:
    if kind == "goodreads":
        return [c for c in GOODREADS_REQUIRED if not table.has(c)]
    missing = [c for c in STORYGRAPH_REQUIRED if not table.has(c)]
    if "Authors" in missing and table.has("Author"):  # the older StoryGraph export
        missing.remove("Authors")
    return missing


def _check_repeats(kind: ImportKind, table: CsvTable) -> None:
    """A column the reader uses may be in the header once only: which one would it be?"""
    used = set(GOODREADS_COLUMNS if kind == "goodreads" else STORYGRAPH_COLUMNS)
    used |= {"Author", "ISBN"}  # the older StoryGraph export's names
    twice = [name for name in table.repeated if name in used]
    if twice:
        raise ImportFileError(
            f'The column "{twice[0][:40]}" appears twice in the header, so I can\'t tell which '
            f"one holds your data. {REEXPORT_HINT}"
        )


def _check_columns(kind: ImportKind, table: CsvTable) -> None:
    missing = _missing(kind, table)
    if not missing:
        return
    name = KIND_NAMES[kind]
    looks_like = detect_kind(table.header)
    columns = ", ".join(f'"{c}"' for c in missing)
    message = f"This is not a {name} export: the column{'s' if len(missing) > 1 else ''} "
    message += f"{columns} {'are' if len(missing) > 1 else 'is'} missing."
    if looks_like is not None and looks_like != kind:
        message += (
            f" It looks like a {KIND_NAMES[looks_like]} export; "
            f"import it as {KIND_NAMES[looks_like]} instead."
        )
    else:
        message += (
            " Upload the library export CSV from Goodreads (My Books → Import and export → "
            "Export Library) or from StoryGraph (Manage Account → Export StoryGraph Library)."
        )
    raise ImportFileError(message)


def parse_import(data: bytes, kind: ImportKind, *, today: date | None = None) -> ImportParse:
    """Parse an uploaded Goodreads or StoryGraph export.

    ``today`` (the member's date), when given, leaves out dates in the future with a note.
    Raises :class:`ImportFileError` for: a file over the size, row or reading limit, an
    empty file, binary data (a NUL byte anywhere), text that is not UTF-8 (with or without
    BOM), broken CSV, missing columns (naming them, and the other export when the file is
    that one), a column it reads that the header has twice, and a header with no books.
    """
    table = read_table(decode_upload(data))
    _check_columns(kind, table)
    _check_repeats(kind, table)
    if not table.rows:
        raise ImportFileError(
            f"The file has the {KIND_NAMES[kind]} columns but no books under them."
        )
    parse = parse_goodreads if kind == "goodreads" else parse_storygraph
    rows, problems = parse(table, today)
    readings = sum(len(row.readings) for row in rows)
    if readings > MAX_IMPORT_READINGS:
        raise ImportFileError(
            f"The file lists {readings:,} readings (read-throughs, re-reads included); one "
            f"import can take at most {MAX_IMPORT_READINGS:,} readings. Split it into smaller "
            "files (keep the header line in each)."
        )
    return ImportParse(kind, tuple(rows), tuple(problems))
