"""Import files made in the test: Goodreads and StoryGraph CSVs, from dicts or cell by cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from bot.domain.imports.goodreads import GOODREADS_COLUMNS


def csv_file(columns: Iterable[str], rows: Iterable[Mapping[str, str]]) -> bytes:
    """A CSV with ``columns`` as its header; a row's missing cells are empty."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return out.getvalue().encode("utf-8")


def goodreads_file(rows: Iterable[Mapping[str, str]]) -> bytes:
    """A Goodreads export with these rows (column name -> cell)."""
    return csv_file(GOODREADS_COLUMNS, rows)


GOODREADS_HEADER = ",".join(GOODREADS_COLUMNS)


def goodreads_csv(*rows: str) -> bytes:
    """A Goodreads export from rows already written as CSV lines (see ``goodreads_row``)."""
    return ("\n".join((GOODREADS_HEADER, *rows)) + "\n").encode("utf-8")


def goodreads_row(
    title: str,
    author: str = "Ann Author",
    *,
    isbn13: str = "",
    rating: int = 0,
    shelf: str = "read",
    shelves: str = "",
    date_read: str = "",
    review: str = "",
    notes: str = "",
    count: int = 1,
    owned: int = 0,
) -> str:
    """One line of a Goodreads export: a finished book by Ann Author, plus these cells."""
    cells = {
        "Title": title,
        "Author": author,
        "ISBN13": f'="{isbn13}"',
        "My Rating": str(rating),
        "Exclusive Shelf": shelf,
        "Bookshelves": shelves,
        "Date Read": date_read,
        "My Review": review,
        "Private Notes": notes,
        "Read Count": str(count),
        "Owned Copies": str(owned),
    }

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value

    return ",".join(cell(cells.get(column, "")) for column in GOODREADS_COLUMNS)
