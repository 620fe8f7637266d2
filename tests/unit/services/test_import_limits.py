"""Hostile numbers and counts in import files (SPEC §10: "an import row asking for 10⁸
re-reads or a 10²⁰-page book gets a note, not an outage"): every number, count and date of
either export is checked against a limit before anything is built from it; the row gets a
note, the rest of the row and the other rows are imported, and re-importing changes nothing.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.schema import books, readings, reviews
from bot.domain.clock import FakeClock
from bot.domain.imports import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    ImportParse,
    ImportRow,
    RowProblem,
    parse_import,
)
from bot.domain.imports.fields import (
    MAX_AUTHORS,
    MAX_IMPORT_READINGS,
    MAX_NOTES_PER_ROW,
    MAX_READS_PER_BOOK,
)
from bot.domain.imports.goodreads import GOODREADS_COLUMNS
from bot.domain.imports.notes import format_notes, parse_notes
from bot.domain.imports.storygraph import STORYGRAPH_COLUMNS
from bot.domain.reading import ReadingStatus, ReadThrough
from bot.domain.shelves import MAX_CUSTOM_SHELVES
from bot.domain.stars import RatingStep
from bot.render.imports import REPORT_FILE_LINES, report_text
from bot.services.imports import ImportReport, ImportService
from tests.support.fakes import StubCatalogue
from tests.support.import_files import csv_file
from tests.support.seeders import snapshot

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
F, R = ReadingStatus.FINISHED, ReadingStatus.READING


def goodreads_file(*rows: dict[str, str]) -> bytes:
    return csv_file(GOODREADS_COLUMNS, rows)


def storygraph_file(*rows: dict[str, str]) -> bytes:
    return csv_file(STORYGRAPH_COLUMNS, rows)


def book(title: str, **cells: str) -> dict[str, str]:
    """A Goodreads row: a finished book by Ann Author, plus ``cells``."""
    return {"Title": title, "Author": "Ann Author", "Exclusive Shelf": "read", **cells}


def sg_book(title: str, **cells: str) -> dict[str, str]:
    """A StoryGraph row: a finished book by Ann Author, plus ``cells``."""
    return {"Title": title, "Authors": "Ann Author", "Read Status": "read", **cells}


def parse(data: bytes, kind: str = "goodreads") -> ImportParse:
    return parse_import(data, kind, today=TODAY)  # type: ignore[arg-type]


def only(parsed: ImportParse) -> tuple[ImportRow, list[str]]:
    (row,) = parsed.rows
    return row, [p.reason for p in parsed.problems if p.row == row.row_number]


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("100000000", f"read count 100,000,000 is more than {MAX_READS_PER_BOOK:,}"),
        ("9" * 5000, f"is more than {MAX_READS_PER_BOOK:,}"),
        ("1e8", 'read count "1e8" is not a number'),
        ("2.5", 'read count "2.5" is not a whole number'),
        ("-3", "read count can't be negative"),
    ],
)
def test_goodreads_read_count_over_the_limit_is_left_out(value: str, reason: str) -> None:
    row, reasons = only(parse(goodreads_file(book("Many", **{"Read Count": value}))))
    assert row.readings == (ReadThrough(F),)  # the status still stands: read once
    assert any(reason in r and r.endswith("left out") for r in reasons), reasons


def test_the_most_re_reads_are_kept() -> None:
    row, reasons = only(
        parse(goodreads_file(book("Loved", **{"Read Count": str(MAX_READS_PER_BOOK)})))
    )
    assert len(row.readings) == MAX_READS_PER_BOOK and reasons == []


@pytest.mark.parametrize(
    "value", ["100000000000000000000", "50001", "1e20", "1e999999999", "9" * 100_000, "2.5"]
)
def test_goodreads_page_count_out_of_range_is_left_out(value: str) -> None:
    row, reasons = only(parse(goodreads_file(book("Thick", **{"Number of Pages": value}))))
    assert row.page_count is None
    assert [r for r in reasons if r.startswith("page count")], reasons
    assert row.readings == (ReadThrough(F),)


def test_goodreads_page_count_within_range_is_kept() -> None:
    row, _ = only(parse(goodreads_file(book("Thick", **{"Number of Pages": "50000"}))))
    assert row.page_count == 50_000


@pytest.mark.parametrize("value", ["1e-999999999", "1e999999999", "4" * 10_000, "NaN", "inf"])
def test_ratings_that_are_not_plain_numbers_are_left_out(value: str) -> None:
    row, reasons = only(parse(goodreads_file(book("Rated", **{"My Rating": value}))))
    assert row.rating_quarters is None and any("rating" in r for r in reasons)
    sg_row, sg_reasons = only(
        parse(storygraph_file(sg_book("Rated", **{"Star Rating": value})), "storygraph")
    )
    assert sg_row.rating_quarters is None and any("rating" in r for r in sg_reasons)


@pytest.mark.parametrize("value", ["4", "4.0", "3,5", "3.75", "0.25"])
def test_plain_ratings_still_read(value: str) -> None:
    row, _ = only(parse(storygraph_file(sg_book("Rated", **{"Star Rating": value})), "storygraph"))
    assert row.rating_quarters is not None


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("Year Published", "9999", "year 9999 is in the future"),
        ("Original Publication Year", "2100", "year 2100 is in the future"),
        ("Year Published", "99999999999999999999", "is not a year"),
    ],
)
def test_publication_years_in_the_future_are_left_out(column: str, value: str, reason: str) -> None:
    row, reasons = only(parse(goodreads_file(book("Year", **{column: value}))))
    assert row.year is None and any(reason in r for r in reasons), reasons


@pytest.mark.parametrize("value", ["0001/01/01", "1899/12/31", "0999/05/05"])
def test_dates_far_in_the_past_are_left_out(value: str) -> None:
    row, reasons = only(
        parse(goodreads_file(book("Old", **{"Date Read": value, "Date Added": value})))
    )
    assert row.readings == (ReadThrough(F),) and row.date_added is None
    assert sum("before 1900" in r for r in reasons) == 2, reasons
    sg_row, sg_reasons = only(
        parse(storygraph_file(sg_book("Old", **{"Dates Read": value})), "storygraph")
    )
    assert sg_row.readings == (ReadThrough(F),)
    assert any("before 1900" in r for r in sg_reasons), sg_reasons


def test_storygraph_read_count_over_the_limit_is_left_out() -> None:
    data = storygraph_file(sg_book("Many", **{"Read Count": "100000000"}))
    row, reasons = only(parse(data, "storygraph"))
    assert row.readings == (ReadThrough(F),)
    assert any("read count 100,000,000 is more than" in r for r in reasons)


def test_storygraph_too_many_dated_reads_keeps_the_latest() -> None:
    years = [f"{1901 + i}/01/01-{1901 + i}/02/01" for i in range(MAX_READS_PER_BOOK + 20)]
    data = storygraph_file(sg_book("Reread", **{"Dates Read": ", ".join(years)}))
    row, reasons = only(parse(data, "storygraph"))
    assert len(row.readings) == MAX_READS_PER_BOOK
    assert row.readings[-1] == ReadThrough(F, date(2020, 1, 1), date(2020, 2, 1))
    assert any(f"only the latest {MAX_READS_PER_BOOK}" in r for r in reasons), reasons


def test_private_notes_cannot_smuggle_readings_past_the_limits() -> None:
    many = format_notes(None, (ReadThrough(F, date(2000, 1, 1), date(2000, 1, 2)),) * 5000, None)
    future = "Marginalia readings: finished 2001/01/01-2001/01/02; finished 9999/01/01-?"
    ancient = "Marginalia readings: finished 0001/01/01-2001/01/02"
    for notes in (many, future, ancient):
        cells = {"Private Notes": notes, "Date Read": "2001/01/02", "Read Count": "1"}
        row, _ = only(parse(goodreads_file(book("Noted", **cells))))
        assert row.readings == (ReadThrough(F, None, date(2001, 1, 2)),)


def test_private_notes_parse_in_linear_time() -> None:
    # each "content warnings" label used to copy the rest of the text: 2 MB took minutes
    notes = "Marginalia content warnings: x\n" * 64_000
    started = time.perf_counter()
    parsed = parse_notes(notes)
    assert time.perf_counter() - started < 2.0  # linear: ~0.05 s
    assert parsed.content_warnings is not None and parsed.content_warnings.startswith("x\n")
    # int() of this would build a billion-digit number
    assert parse_notes("Marginalia rating: 1e999999999").rating_quarters is None
    assert parse_notes("Marginalia rating: NaN").rating_quarters is None


def test_authors_and_shelves_are_capped() -> None:
    authors = ", ".join(f"Writer {i}" for i in range(5000))
    shelves = ", ".join(f"shelf-{i}" for i in range(5000))
    data = goodreads_file(
        book("Crowded", **{"Additional Authors": authors, "Bookshelves": shelves})
    )
    row, reasons = only(parse(data))
    assert len(row.authors) == MAX_AUTHORS and row.authors[0] == "Ann Author"
    assert len(row.shelves) == MAX_CUSTOM_SHELVES
    assert any("authors" in r for r in reasons) and any("shelves" in r for r in reasons)


def test_a_row_gets_a_bounded_number_of_notes() -> None:
    dates = ", ".join(["soon"] * 3000)
    row, reasons = only(
        parse(storygraph_file(sg_book("Noisy", **{"Dates Read": dates})), "storygraph")
    )
    assert row.title == "Noisy"
    assert len(reasons) == MAX_NOTES_PER_ROW + 1
    assert "more problems in this row" in reasons[-1]


def test_a_file_with_too_many_readings_is_refused() -> None:
    per_row = MAX_READS_PER_BOOK
    rows = [
        book(f"Book {i}", **{"Read Count": str(per_row)})
        for i in range(MAX_IMPORT_READINGS // per_row + 1)
    ]
    with pytest.raises(ImportFileError) as err:
        parse(goodreads_file(*rows))
    assert f"at most {MAX_IMPORT_READINGS:,} readings" in err.value.message


# --- through the service --------------------------------------------------------------------


async def _count(database: Database, table: object) -> int:
    async with database.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_hostile_numbers_through_the_service(database: Database) -> None:
    data = goodreads_file(
        book("Reread", **{"Read Count": "100000000", "My Rating": "4"}),
        book("Brick", **{"Number of Pages": "100000000000000000000", "My Rating": "5"}),
        book("Bigger", **{"Number of Pages": "1e999999999", "Year Published": "99999999"}),
        book("Ancient", **{"Date Read": "0001/01/01", "My Rating": "1e-999999999"}),
        book("Normal", **{"Number of Pages": "320", "Read Count": "2", "My Rating": "3"}),
    )
    service = ImportService(database, StubCatalogue(down=True), FakeClock(NOW))
    report = await service.import_file(1, 101, data, "goodreads")
    assert (report.imported, report.updated, report.skipped) == (5, 0, 0)
    noted = {p.row for p in report.problems}
    assert {2, 3, 4, 5} <= noted and 6 not in noted
    assert await _count(database, readings) == 1 + 1 + 1 + 1 + 2
    async with database.read() as conn:
        pages = dict((await conn.execute(select(books.c.title, books.c.page_count))).all())
    assert pages == {"Reread": None, "Brick": None, "Bigger": None, "Ancient": None, "Normal": 320}
    before = await snapshot(database)
    again = await service.import_file(1, 101, data, "goodreads")
    assert not again.changed and await snapshot(database) == before


async def test_shelves_past_the_members_limit_get_one_note_per_row(database: Database) -> None:
    rows = [
        book(f"Book {i}", Bookshelves=", ".join(f"s{i}-{j}" for j in range(MAX_CUSTOM_SHELVES)))
        for i in range(20)
    ]
    service = ImportService(database, StubCatalogue(down=True), FakeClock(NOW))
    report = await service.import_file(1, 101, goodreads_file(*rows), "goodreads")
    assert report.imported == 20
    # the first row's shelves fit; each later row gets one note, not one per shelf
    assert len(report.problems) == 19
    assert all(
        f"and {MAX_CUSTOM_SHELVES - 3} more left out: you have {MAX_CUSTOM_SHELVES} shelves"
        in p.reason
        for p in report.problems
    )


def test_the_report_file_lists_a_bounded_number_of_lines() -> None:
    problems = tuple(RowProblem(n, "Title", "a reason") for n in range(2, 50_002))
    report = ImportReport(
        kind="goodreads",
        imported=0,
        updated=0,
        skipped=0,
        unmatched=(),
        problems=problems,
        step=RatingStep.HALF,
    )
    text = report_text(report)
    assert text.count("\n") < REPORT_FILE_LINES + 20
    assert f"… and {50_000 - REPORT_FILE_LINES:,} more notes (not listed)" in text


# --- spoiler flags fail closed --------------------------------------------------------------


@pytest.mark.parametrize("flag", ["maybe", "partially", "2", "ja", "?"])
def test_an_unknown_spoiler_value_hides_the_whole_review(flag: str) -> None:
    cells = {"My Review": "Good book.<br/>The butler did it.", "Spoiler": flag}
    row, reasons = only(parse(goodreads_file(book("Mystery", **cells))))
    assert row.review is None and row.spoilers == "Good book.\nThe butler did it."
    assert f'spoiler flag "{flag}" is not yes or no; the whole review is kept as spoilers' in (
        reasons
    )


@pytest.mark.parametrize(("flag", "whole"), [("true", True), ("", False), ("false", False)])
def test_known_spoiler_values_still_read(flag: str, whole: bool) -> None:
    cells = {"My Review": "The butler did it.", "Spoiler": flag}
    row, reasons = only(parse(goodreads_file(book("Mystery", **cells))))
    assert (row.spoilers is not None) is whole and reasons == []


def test_an_unknown_spoiler_value_without_a_review_needs_no_note() -> None:
    row, reasons = only(parse(goodreads_file(book("Mystery", Spoiler="maybe"))))
    assert row.review is None and row.spoilers is None and reasons == []


async def test_an_unknown_spoiler_value_is_stored_as_spoilers(database: Database) -> None:
    cells = {"My Review": "The butler did it.", "Spoiler": "unsure", "My Rating": "4"}
    service = ImportService(database, StubCatalogue(down=True), FakeClock(NOW))
    report = await service.import_file(
        1, 101, goodreads_file(book("Mystery", **cells)), "goodreads"
    )
    assert report.imported == 1 and len(report.problems) == 1
    async with database.read() as conn:
        stored = (await conn.execute(select(reviews.c.body, reviews.c.spoilers))).one()
    assert tuple(stored) == ("", "The butler did it.")


# --- whole files ----------------------------------------------------------------------------


async def test_a_byte_order_mark_makes_no_difference(database: Database) -> None:
    data = goodreads_file(book("Plain", **{"My Rating": "4"}), book("Other", **{"My Rating": "2"}))
    service = ImportService(database, StubCatalogue(down=True), FakeClock(NOW))
    first = await service.import_file(1, 101, b"\xef\xbb\xbf" + data, "goodreads")
    assert first.imported == 2 and first.problems == ()
    before = await snapshot(database)
    again = await service.import_file(1, 101, data, "goodreads")
    assert not again.changed and await snapshot(database) == before


def test_columns_the_import_does_not_read_may_repeat() -> None:
    header = ",".join((*GOODREADS_COLUMNS, "Notes", "Notes", "", ""))
    row = "1,Extra Columns,Ann Author,,,,,4,,,,,,,,,,,read,,,,1,0,a,b,,"
    (parsed,) = parse(f"{header}\n{row}\n".encode()).rows
    assert parsed.title == "Extra Columns" and parsed.rating_quarters == 16


async def test_a_ten_megabyte_cell_is_cut_and_the_rest_imported(database: Database) -> None:
    huge = "<!--" + "x" * (10 * 1024 * 1024 - 4096)
    data = goodreads_file(
        book("First", **{"My Rating": "4"}),
        book("Huge Review", **{"My Review": huge, "My Rating": "5"}),
        book("Last", **{"My Rating": "3"}),
    )
    assert len(data) <= MAX_IMPORT_BYTES
    service = ImportService(database, StubCatalogue(down=True), FakeClock(NOW))
    report = await service.import_file(1, 101, data, "goodreads")
    assert report.imported == 3
    assert [p.row for p in report.problems] == [3, 3]  # cut, and shortened to fit a review
    assert "cell is longer than 250,000 characters" in report.problems[1].reason
    before = await snapshot(database)
    again = await service.import_file(1, 101, data, "goodreads")
    assert not again.changed and await snapshot(database) == before
