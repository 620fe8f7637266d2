"""Goodreads and StoryGraph export files: parsing, file-level errors, export round trip.

The CSV files in tests/data/imports/ are synthetic, built on the real export headers (the
current Goodreads and StoryGraph ones, the 2019 Goodreads one with more columns after
``Read Count``, and StoryGraph's older ``Author``/``ISBN`` variant) with the quirks those
exports have: ``="…"`` ISBNs, HTML reviews with ``<spoiler>`` tags, several read ranges,
quarter stars, quoted fields holding commas and line breaks, a byte-order mark.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.exports import ExportRow, goodreads_csv, goodreads_rating
from bot.domain.imports import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportFileError,
    ImportParse,
    ImportRow,
    derive_readings,
    detect_kind,
    parse_import,
)
from bot.domain.imports.fields import guard_formula, parse_isbns, unguard_formula
from bot.domain.imports.notes import format_notes, parse_notes
from bot.domain.imports.review_html import review_from_html, review_to_html
from bot.domain.imports.storygraph import STORYGRAPH_COLUMNS
from bot.domain.isbn import isbn13_check_digit
from bot.domain.reading import ReadingStatus, ReadThrough
from bot.errors import InvalidInput

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
TODAY = date(2025, 6, 1)
W, R, P, F, D = (
    ReadingStatus.WANT_TO_READ,
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.FINISHED,
    ReadingStatus.DID_NOT_FINISH,
)
GOODREADS_HEADER = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,"
    "Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,"
    "Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,"
    "Private Notes,Read Count,Owned Copies"
)
STORYGRAPH_HEADER = ",".join(STORYGRAPH_COLUMNS)


def _parse(name: str, kind: str, today: date | None = TODAY) -> ImportParse:
    assert kind in ("goodreads", "storygraph")
    return parse_import((DATA / name).read_bytes(), kind, today=today)  # type: ignore[arg-type]


def _by_title(parse: ImportParse) -> dict[str, ImportRow]:
    return {row.title: row for row in parse.rows}


def _reasons(parse: ImportParse, row: int) -> list[str]:
    return [p.reason for p in parse.problems if p.row == row]


# --- Goodreads ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def goodreads() -> ImportParse:
    return _parse("goodreads_library_export.csv", "goodreads")


def test_goodreads_rows_and_row_numbers(goodreads: ImportParse) -> None:
    assert goodreads.kind == "goodreads"
    assert [r.row_number for r in goodreads.rows] == [2, 3, 4, 5, 6, 7, 8, 10]
    skipped = goodreads.skipped
    assert len(skipped) == 1 and skipped[0].row == 9 and "no title" in skipped[0].reason
    assert skipped[0].describe() == "Row 9: no title, so the book can't be found"


def test_goodreads_isbn_wrapping(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    gideon = rows["Gideon the Ninth (The Locked Tomb #1)"]  # "=""1250313198"""
    assert (gideon.isbn13, gideon.isbn10) == ("9781250313195", "1250313198")
    red = rows["Red Rising (Red Rising Saga #1)"]  # ="0345539788" without outer quotes
    assert (red.isbn13, red.isbn10) == ("9780345539786", "0345539788")
    monster = rows["The Housing Monster"]  # "=""""" (no ISBN)
    assert (monster.isbn13, monster.isbn10, monster.isbn) == (None, None, None)
    assert monster.source_id == "13278990"


def test_goodreads_invalid_isbn_is_noted(goodreads: ImportParse) -> None:
    quiet = _by_title(goodreads)["The Quiet Book"]
    assert quiet.isbn13 == "9781234567897" and quiet.isbn10 == "123456789X"
    assert 'ISBN "1234567890" is not a valid ISBN; left out' in _reasons(goodreads, 7)


def test_goodreads_ratings(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    assert rows["Gideon the Ninth (The Locked Tomb #1)"].rating_quarters is None  # 0 = unrated
    assert rows["Red Rising (Red Rising Saga #1)"].rating_quarters == 20
    assert rows["Pale Fire"].rating_quarters == 8
    assert rows["Ancient Words"].rating_quarters == 18  # a decimal My Rating is accepted


def test_goodreads_statuses_and_readings(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    gideon = rows["Gideon the Ninth (The Locked Tomb #1)"]
    assert gideon.status is F
    assert gideon.read_ranges == ((None, date(2020, 10, 25)),)
    assert gideon.readings == (ReadThrough(F, None, date(2020, 10, 25)),)
    red = rows["Red Rising (Red Rising Saga #1)"]
    assert red.read_count == 2  # read twice: one undated read before the dated one
    assert red.readings == (ReadThrough(F), ReadThrough(F, None, date(2025, 3, 14)))
    monster = rows["The Housing Monster"]
    assert monster.status is R and monster.readings == (ReadThrough(R),)
    omens = rows["Good Omens: The Nice and Accurate Prophecies of Agnes Nutter, Witch"]
    assert omens.status is W and omens.readings == (ReadThrough(W),) and omens.read_count == 0


def test_goodreads_custom_exclusive_shelves(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    pale = rows["Pale Fire"]  # exclusive shelf "did-not-finish"
    assert pale.status is D and pale.shelves == ()
    assert pale.readings == (ReadThrough(D, None, date(2019, 5, 2)),)
    quiet = rows["The Quiet Book"]  # "on-hold"
    assert quiet.status is P and quiet.readings == (ReadThrough(P),)
    whole = rows["Whole Spoiler"]  # "wishlist": kept as a shelf; read once, so finished
    assert whole.status is F and whole.shelves == ("wishlist",)


def test_goodreads_shelves(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    assert rows["Red Rising (Red Rising Saga #1)"].shelves == ("sf", "space-opera")
    omens = rows["Good Omens: The Nice and Accurate Prophecies of Agnes Nutter, Witch"]
    assert omens.shelves == ("funny",)  # "to-read" is the status, not a shelf
    assert rows["Ancient Words"].shelves == ("classics", "fiction")  # same key once
    quiet = rows["The Quiet Book"]
    assert quiet.shelves == ('"quotes"',)
    assert any("bad<@123>name" in r and "mentions" in r for r in _reasons(goodreads, 7))


def test_goodreads_reviews_and_spoilers(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    red = rows["Red Rising (Red Rising Saga #1)"]
    assert red.review == "Awesome.\nLoved Darrow & Sevro.\n\nStill great."
    assert red.spoilers == "Eo dies in chapter one."
    quiet = rows["The Quiet Book"]  # marked spoiler as a whole, and tagged
    assert (quiet.review, quiet.spoilers) == (None, "The butler did it.")
    whole = rows["Whole Spoiler"]  # marked spoiler as a whole, no tags
    assert (whole.review, whole.spoilers) == (None, "It is all a dream.")
    ancient = rows["Ancient Words"]  # the editor's [spoiler] form, mid-sentence
    assert (ancient.review, ancient.spoilers) == ("A (spoiler) appears.", "wooden horse")


def test_goodreads_quoted_commas_and_newlines(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    omens = rows["Good Omens: The Nice and Accurate Prophecies of Agnes Nutter, Witch"]
    assert omens.authors == ("Terry Pratchett", "Neil Gaiman", "Someone Else, Jr.")
    assert rows["Pale Fire"].review == 'Gave up.\nI tried, twice.\n\nNot for me, "sadly".'


def test_goodreads_other_columns(goodreads: ImportParse) -> None:
    rows = _by_title(goodreads)
    red = rows["Red Rising (Red Rising Saga #1)"]
    assert (red.page_count, red.year, red.date_added, red.owned) == (
        382,
        2014,
        date(2024, 12, 1),
        True,
    )
    assert rows["The Quiet Book"].owned is True  # 2 copies
    assert rows["Pale Fire"].year == 1962  # the original publication year wins
    assert rows["Ancient Words"].year == -750
    assert rows["Whole Spoiler"].page_count is None
    assert rows["Gideon the Ninth (The Locked Tomb #1)"].title_without_series == (
        "Gideon the Ninth"
    )


def test_goodreads_row_problems_do_not_stop_the_row(goodreads: ImportParse) -> None:
    assert 'date read: "2022/13/45" is not a real date; left out' in _reasons(goodreads, 8)
    assert 'read count "abc" is not a number; left out' in _reasons(goodreads, 10)
    assert "date added 2025/06/30 is in the future; left out" in _reasons(goodreads, 5)
    assert all(not p.skipped for p in goodreads.problems if p.row != 9)


def test_goodreads_2019_export_with_bom_and_extra_columns() -> None:
    raw = (DATA / "goodreads_library_export_2019.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    parse = parse_import(raw, "goodreads", today=TODAY)
    assert not parse.problems
    sub, patisserie = parse.rows
    assert (
        sub.title == "Subcutanean"
        and sub.isbn is None
        and sub.readings == (ReadThrough(F, None, date(2020, 3, 6)),)
    )
    assert patisserie.authors == ("Mélanie Dupuis", "Anne Cazor")
    assert patisserie.read_count == 2 and patisserie.readings == (ReadThrough(F), ReadThrough(F))
    assert patisserie.review is not None
    assert patisserie.review.startswith("The good:\n - Well illustrated\n")


# --- StoryGraph --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def storygraph() -> ImportParse:
    return _parse("storygraph_library_export.csv", "storygraph", today=date(2026, 1, 1))


def test_storygraph_basics(storygraph: ImportParse) -> None:
    rows = _by_title(storygraph)
    assert len(storygraph.rows) == 9 and not storygraph.skipped
    home = rows["Always Coming Home"]
    assert home.authors == ("Ursula K. Le Guin", "Todd Barton", "Margaret Chodos-Irvine")
    assert home.isbn13 == "9780520227354" and home.status is W and home.rating_quarters is None
    assert home.owned is False and home.date_added == date(2021, 5, 10)


def test_storygraph_quarter_stars(storygraph: ImportParse) -> None:
    rows = _by_title(storygraph)
    assert rows["A Psalm for the Wild-Built"].rating_quarters == 19  # 4.75
    assert rows["Re-read Book"].rating_quarters == 13  # 3.25
    assert rows["Dnf Book"].rating_quarters == 4  # 1.0
    assert rows["Paused Book"].rating_quarters == 2  # 0.25 → half a star, with a note
    assert "rating 0.25 stored as 0.5 stars" in _reasons(storygraph, 7)
    assert rows["Bad Dates"].rating_quarters == 13  # 3.3 → 3.25
    assert rows["Odd Status"].rating_quarters is None
    assert "rating 7 is outside 0–5 stars; left out" in _reasons(storygraph, 9)


def test_storygraph_read_ranges(storygraph: ImportParse) -> None:
    rows = _by_title(storygraph)
    psalm = rows["A Psalm for the Wild-Built"]
    assert psalm.readings == (ReadThrough(F, date(2025, 1, 5), date(2025, 1, 9)),)
    reread = rows["Re-read Book"]  # "2022/10/29-2022/11/28, 2021/09/14": newest first
    assert reread.read_ranges == (
        (None, date(2021, 9, 14)),
        (date(2022, 10, 29), date(2022, 11, 28)),
    )
    assert reread.readings == (
        ReadThrough(F, None, date(2021, 9, 14)),
        ReadThrough(F, date(2022, 10, 29), date(2022, 11, 28)),
    )
    assert reread.read_count == 2
    kindle = rows["Kindle Only"]  # "2025/07/02-": started, still reading
    assert kindle.status is R and kindle.readings == (ReadThrough(R, date(2025, 7, 2)),)
    dnf = rows["Dnf Book"]
    assert dnf.readings == (ReadThrough(D, date(2024, 5, 10), date(2024, 6, 1)),)
    paused = rows["Paused Book"]
    assert paused.status is P and paused.readings == (ReadThrough(P),)


def test_storygraph_uid_and_missing_isbn(storygraph: ImportParse) -> None:
    rows = _by_title(storygraph)
    kindle = rows["Kindle Only"]
    assert kindle.isbn is None and kindle.source_id == "B0851JCZYV"
    assert rows["Dnf Book"].isbn is None and rows["Dnf Book"].source_id is None
    paused = rows["Paused Book"]  # a 979 ISBN-13 with hyphens: no ISBN-10 exists
    assert (paused.isbn13, paused.isbn10) == ("9791090636071", None)


def test_storygraph_review_tags_warnings(storygraph: ImportParse) -> None:
    rows = _by_title(storygraph)
    psalm = rows["A Psalm for the Wild-Built"]
    assert psalm.review == 'Lovely.\nMade me want tea, "badly".'
    assert psalm.spoilers is None
    assert psalm.content_warnings == "Grief\n\nMild: grief, loss"
    assert psalm.shelves == ("cozy", "solarpunk") and psalm.owned is True
    assert rows["Re-read Book"].review == "First line\n\nSecond bold line"
    assert rows["Kindle Only"].shelves == ("fantasy",)  # "to-read" is a status name


def test_storygraph_no_status_and_unknown_status(storygraph: ImportParse) -> None:
    rows = _by_title(storygraph)
    tagged = rows["Tagged Only Book"]
    assert tagged.status is None and tagged.readings == () and tagged.read_count == 0
    assert tagged.shelves == ("management", "spanish") and tagged.owned is True
    odd = rows["Odd Status"]
    assert odd.status is None
    assert 'read status "wishlisted" is unknown; status left out' in _reasons(storygraph, 9)


def test_storygraph_bad_dates(storygraph: ImportParse) -> None:
    bad = _by_title(storygraph)["Bad Dates"]
    assert bad.readings == (ReadThrough(F, None, date(2024, 3, 1)),)
    reasons = _reasons(storygraph, 10)
    assert 'dates read "yesterday" is not a date or a date range; left out' in reasons
    assert any("finishes (2024-03-01) before it starts (2024-03-10)" in r for r in reasons)


def test_storygraph_future_dates_are_left_out() -> None:
    parse = _parse("storygraph_library_export.csv", "storygraph", today=date(2025, 6, 1))
    kindle = _by_title(parse)["Kindle Only"]
    assert kindle.readings == (ReadThrough(R),)
    assert "a read date 2025/07/02 is in the future; left out" in _reasons(parse, 5)
    no_today = _parse("storygraph_library_export.csv", "storygraph", today=None)
    assert _by_title(no_today)["Kindle Only"].readings == (ReadThrough(R, date(2025, 7, 2)),)


def test_storygraph_older_variant() -> None:
    parse = _parse("storygraph_library_export_old.csv", "storygraph")
    (row,) = parse.rows
    assert row.authors == ("Tim Hwang",)
    assert (row.isbn13, row.isbn10) == ("9780374538651", "0374538654")
    assert row.rating_quarters == 20 and row.status is F and row.owned is None
    assert row.readings == (ReadThrough(F, None, date(2021, 6, 1)),)  # from Last Date Read


def test_storygraph_read_count_counts_finished_reads_only() -> None:
    text = (
        f"{STORYGRAPH_HEADER}\n"
        'Again,An Author,,,,currently-reading,2024/01/01,2023/05/01,"2023/04/01-2023/05/01",1,'
        ",,,,,,,,,,,,No\n"
    )
    (row,) = parse_import(text.encode(), "storygraph").rows
    assert row.readings == (
        ReadThrough(F, date(2023, 4, 1), date(2023, 5, 1)),
        ReadThrough(R),
    )
    assert row.read_count == 2


# --- file-level errors -------------------------------------------------------------------


def _error(data: bytes, kind: str = "goodreads") -> str:
    with pytest.raises(ImportFileError) as err:
        parse_import(data, kind)  # type: ignore[arg-type]
    assert isinstance(err.value, InvalidInput)
    return err.value.message


def test_binary_junk() -> None:
    junk = random.Random(7).randbytes(4000)
    assert "not a CSV text file" in _error(junk)
    assert "not a CSV text file" in _error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "not a CSV text file" in _error(b"Title,Author\nabc\x00def,x\n")


def test_latin1_bytes_are_refused_not_guessed() -> None:
    text = f"{GOODREADS_HEADER}\n1,Café au lait,Zoé Auteur,,,,,0,,,,,,,,,,,read,,,,1,0\n"
    message = _error(text.encode("latin-1"))
    assert "not UTF-8" in message and "0xE9 on line 2" in message
    assert "CSV UTF-8" in message


def test_utf16_zip_and_web_page() -> None:
    assert "UTF-16" in _error(GOODREADS_HEADER.encode("utf-16"))
    assert "ZIP archive" in _error(b"PK\x03\x04\x14\x00\x00\x00\x08\x00")
    assert "web page" in _error(b"<!DOCTYPE html><html><body>Export</body></html>")


@pytest.mark.parametrize("data", [b"", b"  \r\n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"])
def test_empty_file(data: bytes) -> None:
    assert _error(data) == "The file is empty."


def test_header_only() -> None:
    message = _error(f"{GOODREADS_HEADER}\n\n".encode())
    assert message == "The file has the Goodreads columns but no books under them."
    assert "StoryGraph columns" in _error(f"{STORYGRAPH_HEADER}\r\n".encode(), "storygraph")


def test_storygraph_file_given_as_goodreads() -> None:
    message = _error((DATA / "storygraph_library_export.csv").read_bytes(), "goodreads")
    assert 'the columns "Author", "My Rating", "Exclusive Shelf" are missing' in message
    assert "It looks like a StoryGraph export; import it as StoryGraph instead." in message


def test_goodreads_file_given_as_storygraph() -> None:
    message = _error((DATA / "goodreads_library_export.csv").read_bytes(), "storygraph")
    # Goodreads' "Author" passes for the older StoryGraph column; "Read Status" does not
    assert 'the column "Read Status" is missing' in message
    assert "It looks like a Goodreads export; import it as Goodreads instead." in message


def test_unknown_csv() -> None:
    message = _error(b"name,email\nAda,ada@example.com\n")
    assert "This is not a Goodreads export" in message
    assert "Export Library" in message
    one_missing = _error(b"Title,Author,My Rating\nX,Y,3\n")
    assert 'the column "Exclusive Shelf" is missing' in one_missing


def test_semicolon_separated() -> None:
    message = _error(GOODREADS_HEADER.replace(",", ";").encode() + b"\n1;T;A\n")
    assert "semicolons or tabs" in message


def test_oversize_file() -> None:
    message = _error(b"a" * (MAX_IMPORT_BYTES + 1))
    assert "10.0 MB" in message and "largest file" in message


def test_too_many_rows() -> None:
    row = "1,T,A,,,,,0,,,,,,,,,,,to-read,,,,0,0\n"
    data = (GOODREADS_HEADER + "\n" + row * (MAX_IMPORT_ROWS + 1)).encode()
    assert len(data) < MAX_IMPORT_BYTES
    assert "more than 20,000 books" in _error(data)


def test_exactly_the_row_limit_is_fine() -> None:
    row = "1,T,A,,,,,0,,,,,,,,,,,to-read,,,,0,0\n"
    data = (GOODREADS_HEADER + "\n" + row * MAX_IMPORT_ROWS).encode()
    assert len(parse_import(data, "goodreads").rows) == MAX_IMPORT_ROWS


def test_truncated_quoted_field() -> None:
    data = f'{GOODREADS_HEADER}\n1,"Unfinished title,A\n'.encode()
    assert "not valid CSV near row 2" in _error(data)


def test_rows_shorter_or_longer_than_the_header() -> None:
    data = f"{GOODREADS_HEADER}\n1,Short,Ann,,,,,4,,,,,,,,,,,read\n".encode()
    data += b"2,Long,Bob,,,,,3,,,,,,,,,,,read,,,,1,0,extra,cells\n"
    short, long_ = parse_import(data, "goodreads").rows
    assert short.rating_quarters == 16 and short.status is F and short.owned is False
    assert long_.title == "Long" and long_.read_count == 1


def test_detect_kind() -> None:
    assert detect_kind(tuple(GOODREADS_HEADER.split(","))) == "goodreads"
    assert detect_kind(tuple(STORYGRAPH_COLUMNS)) == "storygraph"
    assert detect_kind(("Title", "Author")) is None


# --- helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ranges", "count", "expected"),
    [
        (F, [], 0, (ReadThrough(F),)),
        (F, [], 3, (ReadThrough(F),) * 3),
        (R, [], 0, (ReadThrough(R),)),
        (R, [(date(2020, 1, 1), None)], 1, (ReadThrough(R, date(2020, 1, 1)),)),
        (
            R,
            [(None, date(2019, 1, 1))],
            1,
            (ReadThrough(F, None, date(2019, 1, 1)), ReadThrough(R)),
        ),
        (D, [], 2, (ReadThrough(F), ReadThrough(D))),
        (W, [], 1, (ReadThrough(F), ReadThrough(W))),
        (None, [], 0, ()),
        (None, [(None, date(2019, 1, 1))], 0, (ReadThrough(F, None, date(2019, 1, 1)),)),
    ],
)
def test_derive_readings(
    status: ReadingStatus | None,
    ranges: list[tuple[date | None, date | None]],
    count: int,
    expected: tuple[ReadThrough, ...],
) -> None:
    assert derive_readings(status, ranges, count) == expected


def test_isbn_cells_keep_their_own_kind() -> None:
    # an ISBN-10 of another edition is kept rather than replaced by the 13's conversion
    assert parse_isbns('="9780345539786"', '="0141185260"') == (
        "9780345539786",
        "0141185260",
        [],
    )
    assert parse_isbns('=""', '="0-14-118526-0"') == ("9780141185262", "0141185260", [])
    assert parse_isbns("B0851JCZYV") == (None, None, ["B0851JCZYV"])


@pytest.mark.parametrize(
    "text", ["=1+1", "+cmd", "-2", "@SUM(A1)", "'=x", "''-x", "'Salem's Lot", "plain", ""]
)
def test_formula_guard_round_trip(text: str) -> None:
    guarded = guard_formula(text)
    assert not guarded.startswith(("=", "+", "-", "@"))
    assert unguard_formula(guarded) == text


def test_review_html_round_trip_of_tricky_text() -> None:
    body = 'A <b>literal</b> tag & an "[spoiler]" mention\nsecond line'
    spoilers = "It was [/spoiler] the <spoiler> all along"
    html, whole = review_to_html(body, spoilers)
    assert not whole
    assert review_from_html(html) == (body, spoilers)
    only, whole = review_to_html(None, "secret")
    assert whole and review_from_html(only, whole) == ("", "secret")
    assert review_to_html(None, None) == ("", False)


def test_review_html_cleaning() -> None:
    html = (
        "<p>Para one &amp; more.</p><p>Para two<br>line</p><ul><li>a</li><li>b</li></ul>"
        "<script>alert(1)</script>end <spoiler>x</spoiler><spoiler>y</spoiler>"
    )
    body, spoilers = review_from_html(html)
    assert body == "Para one & more.\n\nPara two\nline\n\n- a\n- b\n\nend"
    assert spoilers == "x\n\ny"


def test_notes_round_trip_and_tolerance() -> None:
    readings = (ReadThrough(F, date(2021, 3, 1), date(2021, 3, 15)), ReadThrough(R))
    text = format_notes(15, readings, "violence\ngrief")
    assert text == (
        "Marginalia rating: 3.75\n"
        "Marginalia readings: finished 2021/03/01-2021/03/15; reading ?-?\n"
        "Marginalia content warnings: violence\ngrief"
    )
    notes = parse_notes("My own note\n" + text)
    assert notes.rating_quarters == 15 and notes.readings == readings
    assert notes.content_warnings == "violence\ngrief"
    assert parse_notes("Marginalia readings: none").readings == ()
    broken = parse_notes("Marginalia rating: lots\nMarginalia readings: finished soon")
    assert broken.rating_quarters is None and broken.readings is None
    assert parse_notes("Marginalia rating: 3.3").rating_quarters is None
    assert parse_notes("Marginalia readings: finished 2021/02/30-?").readings is None
    backwards = "Marginalia readings: finished 2021/03/02-2021/03/01"
    assert parse_notes(backwards).readings is None
    assert parse_notes("Ask Lina about it") == parse_notes("")


# --- export → import ---------------------------------------------------------------------


def _round_trip(rows: list[ExportRow]) -> tuple[ImportRow, ...]:
    return parse_import(goodreads_csv(rows).encode(), "goodreads", today=date(2100, 1, 1)).rows


def _assert_same(exported: ExportRow, imported: ImportRow) -> None:
    assert imported.title == exported.title
    assert imported.authors == exported.authors
    assert (imported.isbn13, imported.isbn10) == (exported.isbn13, exported.isbn10)
    assert imported.rating_quarters == exported.rating_quarters
    assert imported.status is exported.status or (exported.status is None and imported.status is W)
    assert imported.readings == exported.readings
    assert imported.read_count == exported.read_count
    assert imported.shelves == exported.shelves
    assert imported.review == exported.review
    assert imported.spoilers == exported.spoilers
    assert imported.content_warnings == exported.content_warnings
    assert imported.page_count == exported.page_count
    assert imported.year == exported.year
    assert imported.date_added == exported.date_added
    assert imported.owned is exported.owned


EXAMPLES = [
    ExportRow(
        "Dune",
        ("Frank Herbert",),
        "9780441013593",
        "0441013597",
        15,
        (ReadThrough(F, date(2020, 1, 1), date(2020, 2, 1)), ReadThrough(R, date(2024, 1, 1))),
        ("favourites", "Sci-Fi Classics"),
        'Great.\nReally <great> & long, "quoted".',
        "Paul wins",
        "violence\nsand",
        600,
        1965,
        date(2019, 1, 1),
        True,
    ),
    ExportRow("Only Wanted", ("A. Writer", "B. Writer"), readings=(ReadThrough(W),)),
    ExportRow("Only Shelved", shelves=("to buy",)),
    ExportRow("=cmd|' /C calc'!A0", ("@attacker",), rating_quarters=2),
    ExportRow(
        "Dropped Twice",
        readings=(ReadThrough(D, date(2018, 1, 1)), ReadThrough(D, None, date(2020, 1, 1))),
        spoilers="everything",
    ),
    ExportRow("Read Once Long Ago", readings=(ReadThrough(F),), rating_quarters=10),
    ExportRow(
        "Paused",
        readings=(ReadThrough(F, None, date(2001, 5, 5)), ReadThrough(P, date(2022, 2, 2))),
        review="- a dash first",
    ),
]


def test_export_header_and_conventions() -> None:
    text = goodreads_csv(EXAMPLES)
    lines = text.splitlines()
    assert lines[0] == GOODREADS_HEADER
    assert '"=""0441013597""","=""9780441013593""",4,' in lines[1]  # 3.75 → 4 stars
    assert "2020/02/01,2019/01/01" in lines[1]  # Date Read, Date Added
    assert '"currently-reading, favourites, Sci-Fi Classics"' in lines[1]
    assert "<spoiler>Paul wins</spoiler>" in text
    assert "'=cmd" in text and "'@attacker" in text
    assert goodreads_csv([]) == GOODREADS_HEADER + "\n"


@pytest.mark.parametrize(
    ("quarters", "stars"),
    [(None, 0), (2, 1), (4, 1), (10, 3), (13, 3), (14, 4), (15, 4), (18, 5), (20, 5)],
)
def test_goodreads_rating_rounding(quarters: int | None, stars: int) -> None:
    assert goodreads_rating(quarters) == stars


def test_export_then_import_loses_nothing() -> None:
    imported = _round_trip(EXAMPLES)
    assert len(imported) == len(EXAMPLES)
    for exported, row in zip(EXAMPLES, imported, strict=True):
        _assert_same(exported, row)


def test_simple_rows_need_no_private_notes() -> None:
    simple = ExportRow(
        "Plain",
        ("Someone",),
        rating_quarters=12,
        readings=(ReadThrough(F, None, date(2020, 5, 5)),),
    )
    line = goodreads_csv([simple]).splitlines()[1]
    assert "Marginalia" not in line
    _assert_same(simple, _round_trip([simple])[0])


def test_a_stale_exact_rating_yields_to_goodreads() -> None:
    # exported at 3.75 (4 stars); the member then changed it to 2 stars on Goodreads
    text = goodreads_csv([ExportRow("X", rating_quarters=15, readings=(ReadThrough(F),))])
    edited = text.replace(",4,,,,", ",2,,,,")
    (row,) = parse_import(edited.encode(), "goodreads").rows
    assert row.rating_quarters == 8


def test_stale_readings_yield_to_goodreads() -> None:
    # exported while reading; then marked read on Goodreads
    exported = ExportRow("Y", readings=(ReadThrough(R, date(2024, 1, 1)),))
    text = goodreads_csv([exported]).replace("currently-reading", "read")
    (row,) = parse_import(text.encode(), "goodreads").rows
    assert row.status is F and row.readings == (ReadThrough(F),)


# Property: any data the bot can hold survives export → import.

_WORD = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Cf"),
        blacklist_characters=",",
    ),
    min_size=1,
    max_size=8,
)


def _words(max_words: int) -> st.SearchStrategy[str]:
    return st.lists(_WORD, min_size=1, max_size=max_words).map(" ".join)


# an author called just "Jr." or "II" would be read back as part of the previous name
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md"}
_AUTHOR = _words(3).filter(lambda s: s.lower() not in _SUFFIXES)


def _paragraphs() -> st.SearchStrategy[str]:
    line = st.lists(_WORD | st.sampled_from(["a,b", "[spoiler]", "&amp;", "<i>"]), min_size=1)
    return st.lists(
        st.tuples(line.map(" ".join), st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=4
    ).map(lambda parts: "".join(text + sep for text, sep in parts).strip())


_DATES = st.dates(date(1950, 1, 1), date(2090, 12, 31))


@st.composite
def _reading(draw: st.DrawFn) -> ReadThrough:
    status = draw(st.sampled_from(list(ReadingStatus)))
    start = draw(st.none() | _DATES)
    finish = None
    if status.is_terminal:
        finish = draw(st.none() | _DATES)
        if start and finish and finish < start:
            start, finish = finish, start
    return ReadThrough(status, start, finish)


_SHELF = st.from_regex(r"[a-z][a-z0-9 ]{0,10}[a-z0-9]", fullmatch=True).filter(
    lambda s: "  " not in s and s not in {"read", "reading", "paused", "finished", "dnf", "tbr"}
)


@st.composite
def _isbns(draw: st.DrawFn) -> tuple[str | None, str | None]:
    if draw(st.booleans()):
        return None, None
    body = "978" + draw(st.from_regex(r"[0-9]{9}", fullmatch=True))
    isbn13 = body + isbn13_check_digit(body)
    from bot.domain.isbn import to_isbn10

    return isbn13, to_isbn10(isbn13)


@st.composite
def _export_row(draw: st.DrawFn) -> ExportRow:
    isbn13, isbn10 = draw(_isbns())
    return ExportRow(
        title=draw(_words(6)),
        authors=tuple(draw(st.lists(_AUTHOR, max_size=3, unique_by=str.casefold))),
        isbn13=isbn13,
        isbn10=isbn10,
        rating_quarters=draw(st.none() | st.integers(2, 20)),
        readings=tuple(draw(st.lists(_reading(), max_size=4))),
        shelves=tuple(draw(st.lists(_SHELF, max_size=3, unique_by=str.casefold))),
        review=draw(st.none() | _paragraphs()),
        spoilers=draw(st.none() | _paragraphs()),
        content_warnings=draw(st.none() | _paragraphs()),
        page_count=draw(st.none() | st.integers(1, 5000)),
        year=draw(st.none() | st.integers(-3000, 2100).filter(bool)),
        date_added=draw(st.none() | _DATES),
        owned=draw(st.booleans()),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_export_row(), min_size=1, max_size=4))
def test_export_import_round_trip_property(rows: list[ExportRow]) -> None:
    imported = _round_trip(rows)
    assert len(imported) == len(rows)
    for exported, row in zip(rows, imported, strict=True):
        _assert_same(exported, row)


# --- robustness --------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(["goodreads", "storygraph"]), body=st.text(max_size=400))
def test_any_rows_parse_or_fail_cleanly(kind: str, body: str) -> None:
    header = GOODREADS_HEADER if kind == "goodreads" else STORYGRAPH_HEADER
    try:
        parse = parse_import(f"{header}\n{body}".encode(), kind, today=TODAY)  # type: ignore[arg-type]
    except ImportFileError:
        return
    for row in parse.rows:
        assert row.title and "\x00" not in (row.review or "")
        assert row.rating_quarters is None or 2 <= row.rating_quarters <= 20


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_fail_cleanly(data: bytes) -> None:
    try:
        parse_import(data, "goodreads")
    except ImportFileError as err:
        assert err.message


def test_long_and_dirty_cells_are_cleaned() -> None:
    title = "Long " * 200
    review = "x" * 60_000
    data = (
        f'{GOODREADS_HEADER}\n1,"{title}",Ann\x07 Author,,,,,4,,,,,,,,,,,read,"{review}",,,1,0\n'
    ).encode()
    parse = parse_import(data, "goodreads")
    (row,) = parse.rows
    assert len(row.title) <= 512 and row.title.endswith("…")
    assert row.authors == ("Ann Author",)
    assert row.review is not None and len(row.review) <= 50_000
    reasons = _reasons(parse, 2)
    assert "title shortened to 512 characters" in reasons
    assert "review shortened to 50,000 characters" in reasons
