"""ImportService on a real SQLite database: Goodreads and StoryGraph files, re-imports that
change nothing, files that change nothing because they are wrong, matching books locally
and through a stub catalogue that counts its requests, and how readings are reconciled."""

from __future__ import annotations

import asyncio
import codecs
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import imports as import_repo
from bot.db import ratings as rating_repo
from bot.db import reviews as review_repo
from bot.db.engine import Database
from bot.db.imports import StoredReading
from bot.db.schema import (
    books,
    progress_events,
    ratings,
    readings,
    reviews,
    shelf_books,
    shelves,
)
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, ImportFileError
from bot.domain.imports.fields import MAX_READS_PER_BOOK
from bot.domain.reading import ReadingStatus, ReadThrough
from bot.domain.review import ReviewDraft
from bot.domain.shelves import MAX_CUSTOM_SHELVES
from bot.domain.stars import RatingStep
from bot.errors import Conflict
from bot.render.imports import import_embed, report_text
from bot.services.imports import (
    ImportReport,
    ImportService,
    check_upload_size,
    reconcile_readings,
    same_book,
)
from tests.support.fakes import StubCatalogue
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD
from tests.support.import_files import GOODREADS_HEADER as HEADER
from tests.support.import_files import goodreads_csv, goodreads_row
from tests.support.seeders import snapshot

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
NOW = datetime(2025, 7, 1, 12, tzinfo=UTC)
W, R, P, F, D = (
    ReadingStatus.WANT_TO_READ,
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.FINISHED,
    ReadingStatus.DID_NOT_FINISH,
)


def _service(
    database: Database, catalogue: StubCatalogue | None = None, **options: Any
) -> ImportService:
    return ImportService(database, catalogue or StubCatalogue(), FakeClock(NOW), **options)


def _file(name: str) -> bytes:
    return (DATA / name).read_bytes()


async def _book_id(database: Database, title: str) -> int:
    async with database.read() as conn:
        found = (await conn.execute(select(books.c.id).where(books.c.title == title))).scalar()
    assert found is not None, title
    return int(found)


async def _readings(database: Database, book_id: int, guild_id: int = GUILD) -> list[ReadThrough]:
    async with database.read() as conn:
        rows = await conn.execute(
            select(readings.c.status, readings.c.started_on, readings.c.finished_on)
            .where(readings.c.guild_id == guild_id, readings.c.user_id == ALICE)
            .where(readings.c.book_id == book_id)
            .order_by(readings.c.id)
        )
        return [ReadThrough(ReadingStatus(s), a, b) for s, a, b in rows.all()]


async def _shelves_of(database: Database, book_id: int) -> set[str]:
    async with database.read() as conn:
        rows = await conn.execute(
            select(shelves.c.name)
            .join(shelf_books, shelf_books.c.shelf_id == shelves.c.id)
            .where(shelves.c.user_id == ALICE, shelf_books.c.book_id == book_id)
        )
        return {str(name) for name in rows.scalars()}


async def _rating(database: Database, book_id: int, guild_id: int = GUILD) -> int | None:
    async with database.read() as conn:
        return await rating_repo.get(conn, guild_id, ALICE, book_id)


# --- whole files -------------------------------------------------------------------------


async def test_goodreads_file(database: Database) -> None:
    report = await _service(database).import_file(
        GUILD, ALICE, _file("goodreads_library_export.csv"), "goodreads"
    )
    assert (report.imported, report.updated, report.skipped) == (8, 0, 1)
    assert len(report.unmatched) == 8  # the stub catalogue knows none of them
    assert any("no title" in p.reason and p.skipped for p in report.problems)

    red_rising = await _book_id(database, "Red Rising (Red Rising Saga #1)")
    assert await _rating(database, red_rising) == 20
    assert await _readings(database, red_rising) == [
        ReadThrough(F),
        ReadThrough(F, None, date(2025, 3, 14)),
    ]
    assert await _shelves_of(database, red_rising) == {"sf", "space-opera", "owned"}
    async with database.read() as conn:
        review = await review_repo.latest_for(conn, GUILD, ALICE, red_rising)
        events = (
            await conn.execute(
                select(progress_events.c.kind, progress_events.c.occurred_at).where(
                    progress_events.c.book_id == red_rising
                )
            )
        ).all()
    assert review is not None and review.source == "import"
    assert "Loved Darrow & Sevro." in review.body and "Eo dies" not in review.body
    assert review.spoilers == "Eo dies in chapter one."
    assert review.stars is not None and review.stars.quarters == 20
    assert events == [("finish", datetime(2025, 3, 14, 12, tzinfo=UTC))]

    pale_fire = await _book_id(database, "Pale Fire")
    assert await _readings(database, pale_fire) == [ReadThrough(D, None, date(2019, 5, 2))]
    housing = await _book_id(database, "The Housing Monster")
    assert await _readings(database, housing) == [ReadThrough(R)]
    omens = await _book_id(
        database, "Good Omens: The Nice and Accurate Prophecies of Agnes Nutter, Witch"
    )
    assert await _readings(database, omens) == [ReadThrough(W)]
    assert await _shelves_of(database, omens) == {"funny"}
    quiet = await _book_id(database, "The Quiet Book")
    assert await _readings(database, quiet) == [ReadThrough(P)]
    whole_spoiler = await _book_id(database, "Whole Spoiler")
    assert await _shelves_of(database, whole_spoiler) == {"wishlist"}
    async with database.read() as conn:
        review = await review_repo.latest_for(conn, GUILD, ALICE, whole_spoiler)
    assert review is not None and review.body == "" and review.spoilers == "It is all a dream."


async def test_storygraph_file_rounds_to_the_servers_step(database: Database) -> None:
    report = await _service(database).import_file(
        GUILD, ALICE, _file("storygraph_library_export.csv"), "storygraph"
    )
    assert (report.imported, report.updated, report.skipped) == (8, 0, 1)
    assert report.step is RatingStep.HALF
    # 4.75 → 5, 3.25 → 3.5, 3.3 (read as 3.25) → 3.5
    assert report.rounded_ratings == 3
    psalm = await _book_id(database, "A Psalm for the Wild-Built")
    reread = await _book_id(database, "Re-read Book")
    assert await _rating(database, psalm) == 20
    assert await _rating(database, reread) == 14
    assert await _readings(database, reread) == [
        ReadThrough(F, None, date(2021, 9, 14)),
        ReadThrough(F, date(2022, 10, 29), date(2022, 11, 28)),
    ]
    async with database.read() as conn:
        review = await review_repo.latest_for(conn, GUILD, ALICE, psalm)
    assert review is not None and review.content_warnings is not None
    assert "Grief" in review.content_warnings and "Mild: grief, loss" in review.content_warnings
    tagged = await _book_id(database, "Tagged Only Book")
    assert await _shelves_of(database, tagged) == {"management", "spanish", "owned"}
    assert await _readings(database, tagged) == []
    text = import_embed(report).description or ""
    assert "3 ratings between this server's steps were rounded half up" in text
    assert "3.25 → 3.5, 3.75 → 4" in text


async def test_quarter_step_server_keeps_exact_ratings(database: Database) -> None:
    async with database.write() as conn:
        await settings_repo.set_rating_step(conn, GUILD, RatingStep.QUARTER, NOW)
    report = await _service(database).import_file(
        GUILD, ALICE, _file("storygraph_library_export.csv"), "storygraph"
    )
    assert report.rounded_ratings == 0
    assert await _rating(database, await _book_id(database, "A Psalm for the Wild-Built")) == 19


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("goodreads_library_export.csv", "goodreads"),
        ("goodreads_library_export_2019.csv", "goodreads"),
        ("storygraph_library_export.csv", "storygraph"),
        ("storygraph_library_export_old.csv", "storygraph"),
    ],
)
async def test_reimport_changes_nothing(database: Database, name: str, kind: Any) -> None:
    catalogue = StubCatalogue()
    service = _service(database, catalogue)
    first = await service.import_file(GUILD, ALICE, _file(name), kind)
    assert first.imported > 0
    before = await snapshot(database)
    asked = len(catalogue.calls)
    again = await service.import_file(GUILD, ALICE, _file(name), kind)
    assert (again.imported, again.updated, again.unmatched) == (0, 0, ())
    assert again.skipped == first.rows
    assert not again.changed and again.catalogue_requests == 0
    assert len(catalogue.calls) == asked  # every book is found locally now
    assert await snapshot(database) == before
    assert "nothing new" in (import_embed(again).title or "")


async def test_a_second_member_and_a_second_server_get_their_own_data(database: Database) -> None:
    service = _service(database)
    data = _file("goodreads_library_export.csv")
    first = await service.import_file(GUILD, ALICE, data, "goodreads")
    books_before = (await snapshot(database))["books"]
    bob = await service.import_file(GUILD, BOB, data, "goodreads")
    assert bob.unmatched == ()  # the books are known here now
    assert (await snapshot(database))["books"] == books_before
    elsewhere = await service.import_file(OTHER_GUILD, ALICE, data, "goodreads")
    assert bob.imported == elsewhere.imported == 8
    # the books GUILD's file made are GUILD's: the other server makes its own
    assert len(elsewhere.unmatched) == len(first.unmatched) > 0
    made = [r for r in (await snapshot(database))["books"] if r not in books_before]
    assert len(made) == len(first.unmatched)


# --- files that must change nothing ------------------------------------------------------


def _many_rows(count: int) -> bytes:
    return goodreads_csv(*(goodreads_row(f"Book {i}") for i in range(count)))


def _xlsx() -> bytes:
    """A spreadsheet workbook (what a spreadsheet program saves), named .csv by the member."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
        workbook.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return out.getvalue()


def _nul_deep_inside() -> bytes:
    rows = [goodreads_row(f"Book {i}") for i in range(400)] + [goodreads_row("Bad\x00Book")]
    return goodreads_csv(*rows)


def _repeated_column() -> bytes:
    return (HEADER + ",My Rating\n" + goodreads_row("Twice Rated", rating=4) + ",1\n").encode()


def _too_many_readings() -> bytes:
    per_book = MAX_READS_PER_BOOK
    return goodreads_csv(
        *(goodreads_row(f"Book {i}", count=per_book) for i in range(1 + 100_000 // per_book))
    )


BAD_FILES: list[tuple[str, bytes, str]] = [
    ("xlsx named .csv", _xlsx(), "ZIP archive (or a spreadsheet workbook)"),
    ("NUL byte deep inside", _nul_deep_inside(), "a NUL byte on line 402"),
    ("repeated column", _repeated_column(), 'The column "My Rating" appears twice'),
    ("too many readings", _too_many_readings(), "at most 100,000 readings"),
    ("empty", b"", "empty"),
    ("blank lines", b"\n\n  \n", "empty"),
    ("binary", bytes(range(256)) * 4, "binary"),
    ("zip", b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    ("utf-16", codecs.BOM_UTF16_LE + HEADER.encode("utf-16-le"), "UTF-16"),
    (
        "windows-1252",
        goodreads_csv(goodreads_row("Café Society")).replace("é".encode(), b"\xe9"),
        "UTF-8",
    ),
    ("web page", b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
    ("semicolons", HEADER.replace(",", ";").encode() + b"\nA;B\n", "semicolons"),
    ("broken quotes", goodreads_csv('1,"Unclosed, Ann Author'), "not valid CSV"),
    ("header only", goodreads_csv(), "no books"),
    ("storygraph as goodreads", _file("storygraph_library_export.csv"), "StoryGraph export"),
    ("other CSV", b"name,email\nann,ann@example.org\n", "not a Goodreads export"),
    ("too many rows", _many_rows(MAX_IMPORT_ROWS + 1), "more than 20,000"),
    ("too large", b"x" * (MAX_IMPORT_BYTES + 1), "largest file"),
]


@pytest.mark.parametrize(("what", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
async def test_bad_files_change_nothing(
    database: Database, what: str, data: bytes, message: str
) -> None:
    service = _service(database)
    await service.import_file(GUILD, ALICE, _file("goodreads_library_export.csv"), "goodreads")
    before = await snapshot(database)
    with pytest.raises(ImportFileError) as raised:
        await service.import_file(GUILD, ALICE, data, "goodreads")
    assert message in raised.value.message
    assert await snapshot(database) == before


async def test_a_failure_while_writing_rolls_everything_back(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await snapshot(database)

    async def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_repo, "_write_shelves", broken)
    with pytest.raises(RuntimeError):
        await _service(database).import_file(
            GUILD, ALICE, _file("goodreads_library_export.csv"), "goodreads"
        )
    assert await snapshot(database) == before  # not even the books it had made


@pytest.mark.parametrize(("size", "message"), [(0, "empty"), (MAX_IMPORT_BYTES + 1, "10.0 MB")])
def test_upload_size_is_checked_before_downloading(size: int, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        check_upload_size(size)
    check_upload_size(MAX_IMPORT_BYTES)


async def test_hostile_text_is_stored_as_text(database: Database) -> None:
    review = "@everyone look <@123> ||not a spoiler|| `code` <script>alert(1)</script>"
    data = goodreads_csv(
        goodreads_row('=HYPERLINK("http://evil")', rating=4, review=review, shelves="ok, <@&9>")
    )
    report = await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    assert report.imported == 1
    book_id = await _book_id(database, '=HYPERLINK("http://evil")')
    async with database.read() as conn:
        stored = await review_repo.latest_for(conn, GUILD, ALICE, book_id)
    assert stored is not None and "<@123>" in stored.body and "alert(1)" not in stored.body
    assert await _shelves_of(database, book_id) == {"ok"}
    assert any("mentions" in p.reason for p in report.problems)


async def test_one_import_at_a_time_per_member(database: Database) -> None:
    gate = asyncio.Event()

    class Slow(StubCatalogue):
        async def by_isbn(self, isbn: str) -> Book | None:
            await gate.wait()
            return None

    service = _service(database, Slow())
    data = goodreads_csv(goodreads_row("Slow Book", isbn13="9780140328721"))
    first = asyncio.create_task(service.import_file(GUILD, ALICE, data, "goodreads"))
    await asyncio.sleep(0.05)
    with pytest.raises(Conflict, match="still running"):
        await service.import_file(GUILD, ALICE, data, "goodreads")
    other_member = asyncio.create_task(service.import_file(GUILD, BOB, data, "goodreads"))
    gate.set()
    assert (await first).imported == 1
    assert (await other_member).imported == 1


# --- matching books ----------------------------------------------------------------------


def _isbn13(n: int) -> str:
    from bot.domain.isbn import isbn13_check_digit

    first12 = f"978{n:09d}"
    return first12 + isbn13_check_digit(first12)


async def test_catalogue_requests_are_bounded_and_cached(database: Database) -> None:
    catalogue = StubCatalogue()
    rows = [goodreads_row(f"Unknown {i}", isbn13=_isbn13(i)) for i in range(60)]
    rows += [goodreads_row(f"Unknown {i}", isbn13=_isbn13(i)) for i in range(10)]  # repeats
    rows += [goodreads_row("No Isbn Tale", "Ann Author") for _ in range(5)]
    service = _service(database, catalogue, lookup_concurrency=3)
    report = await service.import_file(GUILD, ALICE, goodreads_csv(*rows), "goodreads")
    isbn_calls = [v for k, v in catalogue.calls if k == "isbn"]
    search_calls = [v for k, v in catalogue.calls if k == "search"]
    assert len(isbn_calls) == len(set(isbn_calls)) == 60  # each ISBN asked once
    assert len(search_calls) == len(set(search_calls)) == 61  # each title once
    assert catalogue.max_in_flight <= 3
    assert report.catalogue_requests == len(catalogue.calls)
    assert report.imported == 61 and report.skipped == 14  # repeats of the same book
    assert len(report.unmatched) == 61


async def test_catalogue_down_stops_asking_and_keeps_the_files_books(database: Database) -> None:
    catalogue = StubCatalogue(down=True)
    rows = [goodreads_row(f"Unknown {i}", isbn13=_isbn13(i)) for i in range(40)]
    report = await _service(database, catalogue).import_file(
        GUILD, ALICE, goodreads_csv(*rows), "goodreads"
    )
    assert len(catalogue.calls) <= 3  # the requests already in flight, then none
    assert report.catalogue_unreachable and report.imported == 40
    assert {u.why for u in report.unmatched} == {"the book catalogue was unreachable"}
    assert "could not be reached" in (import_embed(report).description or "")
    async with database.read() as conn:
        sources = set((await conn.execute(select(books.c.source))).scalars())
    assert sources == {"import"}


async def test_lookup_budget_limits_how_long_an_import_asks(database: Database) -> None:
    ticks = iter(range(1000))
    catalogue = StubCatalogue()
    service = _service(database, catalogue, lookup_budget_s=5, monotonic=lambda: float(next(ticks)))
    rows = [goodreads_row(f"Unknown {i}", isbn13=_isbn13(i)) for i in range(30)]
    report = await service.import_file(GUILD, ALICE, goodreads_csv(*rows), "goodreads")
    assert 0 < len(catalogue.calls) < 10
    assert report.imported == 30 and report.not_looked_up > 20
    assert "answered slowly" in (import_embed(report).description or "")


async def test_a_catalogue_match_is_stored_and_found_locally_next_time(
    database: Database,
) -> None:
    fox = Book(
        title="Fantastic Mr Fox",
        authors=("Roald Dahl",),
        ol_work_key="OL45804W",
        isbn13="9780140328721",
        isbns=("9780140328721",),
        page_count=96,
    )
    gideon = Book(title="Gideon the Ninth", authors=("Tamsyn Muir",), ol_work_key="OL1W")
    catalogue = StubCatalogue([fox, gideon])
    data = goodreads_csv(
        goodreads_row("Fantastic Mr Fox", "Roald Dahl", isbn13="9780140328721", rating=4),
        goodreads_row("Gideon the Ninth (The Locked Tomb #1)", "Tamsyn Muir", isbn13=_isbn13(5)),
    )
    service = _service(database, catalogue)
    report = await service.import_file(GUILD, ALICE, data, "goodreads")
    assert report.imported == 2 and report.unmatched == ()
    async with database.read() as conn:
        stored = {b.title: b for b in await book_repo.get_many(conn, [1, 2])}
        by_isbn = await book_repo.find_by_isbn(conn, _isbn13(5), OTHER_GUILD)
    assert stored["Fantastic Mr Fox"].source == "openlibrary"
    # found by title: the file's ISBN is not filed on the shared record (the catalogue did
    # not say it is this book's); the next import finds the book by title
    assert by_isbn is None
    asked = len(catalogue.calls)
    again = await service.import_file(GUILD, ALICE, data, "goodreads")
    assert again.skipped == 2 and len(catalogue.calls) == asked


async def test_local_matching_by_title_and_author(database: Database) -> None:
    async with database.write() as conn:
        for book in (
            Book(title="Dune Messiah", authors=("Frank Herbert",), source="manual"),
            Book(title="Gideon the Ninth", authors=("Tamsyn Muir",), source="manual"),
            Book(title="Emma", authors=("Jane Austen",), source="manual"),
        ):
            made = await book_repo.upsert(conn, book, NOW, created_by_guild_id=GUILD)
            assert made.id is not None
            await book_repo.link_guild(conn, GUILD, made.id, BOB, NOW)
    catalogue = StubCatalogue()
    data = goodreads_csv(
        goodreads_row("Gideon the Ninth (The Locked Tomb #1)", "Tamsyn Muir", rating=5),
        goodreads_row("Dune", "Frank Herbert", rating=4),  # not "Dune Messiah"
        goodreads_row("Emma", "Someone Else", rating=3),  # another author's Emma
    )
    report = await _service(database, catalogue).import_file(GUILD, ALICE, data, "goodreads")
    assert [u.title for u in report.unmatched] == ["Dune", "Emma"]
    assert await _rating(database, await _book_id(database, "Gideon the Ninth")) == 20
    assert await _rating(database, await _book_id(database, "Dune Messiah")) is None


def test_same_book_rules() -> None:
    from bot.domain.imports import ImportRow

    row = ImportRow(row_number=2, title="Good Omens (Good Omens #1)", authors=("Terry Pratchett",))
    assert same_book(row, Book(title="Good Omens", authors=("Neil Gaiman", "Terry Pratchett")))
    assert same_book(row, Book(title="GOOD OMENS", authors=("Pratchett, Terry",)))
    assert not same_book(row, Book(title="Good Omens", authors=("Neil Gaiman",)))
    assert not same_book(row, Book(title="Good Omens 2", authors=("Terry Pratchett",)))
    subtitled = ImportRow(row_number=3, title="Good Omens: The Nice Prophecies", authors=())
    assert same_book(
        subtitled, Book(title="Good Omens", subtitle="The Nice Prophecies", authors=("X",))
    )


async def test_the_same_book_twice_in_a_file_is_imported_once(database: Database) -> None:
    data = goodreads_csv(
        goodreads_row("Twice Told", isbn13=_isbn13(7), rating=5),
        goodreads_row("Twice Told", isbn13=_isbn13(7), rating=1),
    )
    report = await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    assert (report.imported, report.skipped) == (1, 1)
    assert any("the same book as row 2" in p.reason for p in report.problems)
    assert await _rating(database, await _book_id(database, "Twice Told")) == 20


# --- the member's existing data ----------------------------------------------------------


async def _book(database: Database, title: str = "Known Book") -> int:
    """A book added by hand in GUILD (so known to it)."""
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn,
            Book(title=title, authors=("Ann Author",), source="manual"),
            NOW,
            created_by_guild_id=GUILD,
        )
        assert book.id is not None
        await book_repo.link_guild(conn, GUILD, book.id, ALICE, NOW)
    return book.id


async def test_existing_discord_data_is_updated_not_duplicated(database: Database) -> None:
    book_id = await _book(database)
    async with database.write() as conn:
        await rating_repo.put(conn, GUILD, ALICE, book_id, 14, NOW)
        await review_repo.insert(
            conn, GUILD, ALICE, book_id, ReviewDraft(body="Written here."), NOW
        )
        await conn.execute(
            readings.insert().values(
                guild_id=GUILD,
                user_id=ALICE,
                book_id=book_id,
                status="reading",
                started_on=date(2025, 6, 1),
                created_at=NOW,
                updated_at=NOW,
            )
        )
    data = goodreads_csv(
        goodreads_row("Known Book", rating=4, date_read="2025/06/20", review="From Goodreads.")
    )
    report = await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    assert (report.imported, report.updated) == (0, 1)
    assert await _rating(database, book_id) == 16
    # the reading started here is finished, not doubled
    assert await _readings(database, book_id) == [
        ReadThrough(F, date(2025, 6, 1), date(2025, 6, 20))
    ]
    async with database.read() as conn:
        review = await review_repo.latest_for(conn, GUILD, ALICE, book_id)
        kinds = (await conn.execute(select(progress_events.c.kind))).scalars().all()
    assert review is not None and review.body == "Written here."  # never overwritten
    assert any("review of this book here already" in p.reason for p in report.problems)
    assert kinds == ["finish"]


async def test_an_open_reading_here_stays_the_latest(database: Database) -> None:
    book_id = await _book(database)
    async with database.write() as conn:
        result = await conn.execute(
            readings.insert().values(
                guild_id=GUILD,
                user_id=ALICE,
                book_id=book_id,
                status="reading",
                started_on=date(2025, 6, 1),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        reading_id = result.inserted_primary_key[0]  # type: ignore[index]
        await conn.execute(
            progress_events.insert().values(
                reading_id=reading_id,
                guild_id=GUILD,
                user_id=ALICE,
                book_id=book_id,
                kind="start",
                occurred_at=NOW,
            )
        )
    # Goodreads: read once before (2019), and "currently-reading" again
    notes = "Marginalia readings: finished ?-2019/05/02; reading ?-?"
    data = goodreads_csv(
        goodreads_row(
            "Known Book", shelf="currently-reading", notes=notes, count=2, date_read="2019/05/02"
        )
    )
    report = await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    assert report.updated == 1
    assert await _readings(database, book_id) == [
        ReadThrough(F, None, date(2019, 5, 2)),
        ReadThrough(R, date(2025, 6, 1)),
    ]
    async with database.read() as conn:
        latest = (
            await conn.execute(select(readings.c.id).order_by(readings.c.id.desc()).limit(1))
        ).scalar_one()
        event_reading = (
            await conn.execute(
                select(progress_events.c.reading_id).where(progress_events.c.kind == "start")
            )
        ).scalar_one()
    assert event_reading == latest  # the event moved with its reading
    again = await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    assert again.skipped == 1


async def test_shelf_limit_is_respected(database: Database) -> None:
    async with database.write() as conn:
        await conn.execute(
            shelves.insert(),
            [
                {
                    "guild_id": GUILD,
                    "user_id": ALICE,
                    "name": f"s{i}",
                    "name_key": f"s{i}",
                    "created_at": NOW,
                }
                for i in range(MAX_CUSTOM_SHELVES)
            ],
        )
    data = goodreads_csv(goodreads_row("Shelved", shelves="s1, brand-new", rating=3))
    report = await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    assert report.imported == 1
    assert await _shelves_of(database, await _book_id(database, "Shelved")) == {"s1"}
    assert any('"brand-new" left out' in p.reason for p in report.problems)


async def test_report_text_lists_every_unmatched_row(database: Database) -> None:
    rows = [goodreads_row(f"Obscure {i}") for i in range(30)]
    report = await _service(database).import_file(GUILD, ALICE, goodreads_csv(*rows), "goodreads")
    text = report_text(report)
    assert all(f"Obscure {i} by Ann Author" in text for i in range(30))
    embed = import_embed(report)
    unmatched = next(f for f in embed.fields if f.name == "Unmatched")
    assert unmatched.value is not None and "20 more in import-report.txt" in unmatched.value
    assert len(embed) <= 6000


def test_report_counts_add_up() -> None:
    report = ImportReport("goodreads", 3, 2, 1, (), (), RatingStep.HALF)
    assert report.rows == 6 and report.changed and report.site == "Goodreads"


# --- reconciling readings ----------------------------------------------------------------


def _stored(*reads: ReadThrough) -> list[StoredReading]:
    return [
        StoredReading(i + 1, 1, r.status, r.started_on, r.finished_on) for i, r in enumerate(reads)
    ]


D1, D2, D3 = date(2020, 1, 1), date(2020, 2, 1), date(2021, 3, 1)


def test_reconcile_matches_with_unknown_dates_as_wildcards() -> None:
    stored = _stored(ReadThrough(F, D1, D2), ReadThrough(F, None, D3))
    plan = reconcile_readings(stored, [ReadThrough(F), ReadThrough(F, None, D3)])
    assert (plan.matched, plan.updates, plan.inserts) == (2, (), ())


def test_reconcile_counts_undated_readings() -> None:
    plan = reconcile_readings(_stored(ReadThrough(F)), [ReadThrough(F)] * 3)
    assert plan.matched == 1 and plan.inserts == (ReadThrough(F), ReadThrough(F))


def test_reconcile_fills_in_a_date_that_became_known() -> None:
    stored = _stored(ReadThrough(F))
    plan = reconcile_readings(stored, [ReadThrough(F, None, D2)])
    assert plan.updates == ((stored[0], ReadThrough(F, None, D2)),) and plan.inserts == ()


def test_reconcile_finishes_an_open_reading() -> None:
    stored = _stored(ReadThrough(W))
    plan = reconcile_readings(stored, [ReadThrough(F, D1, D2)])
    assert plan.updates == ((stored[0], ReadThrough(F, D1, D2)),)


def test_reconcile_refuses_a_finish_before_the_start() -> None:
    stored = _stored(ReadThrough(R, D3))
    plan = reconcile_readings(stored, [ReadThrough(F, None, D1)])
    assert plan.updates == () and plan.inserts == (ReadThrough(F, None, D1),)
    assert plan.move_to_end == (1,)


def test_reconcile_keeps_one_open_reading() -> None:
    stored = _stored(ReadThrough(R, D3))
    plan = reconcile_readings(stored, [ReadThrough(W)])
    assert plan.inserts == () and plan.left_out_open == 1 and plan.move_to_end == ()


def test_reconcile_does_not_turn_a_finished_reading_into_another() -> None:
    stored = _stored(ReadThrough(F, D1, D2))
    plan = reconcile_readings(stored, [ReadThrough(D, None, D3)])
    assert plan.updates == () and plan.inserts == (ReadThrough(D, None, D3),)


def test_reconcile_is_idempotent_after_applying_the_plan() -> None:
    wanted = [ReadThrough(F), ReadThrough(F, None, D2), ReadThrough(R, D3)]
    stored = _stored(ReadThrough(W))
    plan = reconcile_readings(stored, wanted)
    after = [m for _, m in plan.updates] + list(plan.inserts)
    again = reconcile_readings(_stored(*after), wanted)
    assert (again.updates, again.inserts, again.matched) == ((), (), 3)


async def test_ratings_table_and_review_quarters_agree(database: Database) -> None:
    data = _file("goodreads_library_export.csv")
    await _service(database).import_file(GUILD, ALICE, data, "goodreads")
    async with database.read() as conn:
        pairs = (
            await conn.execute(
                select(ratings.c.quarters, reviews.c.quarters).join(
                    reviews,
                    (reviews.c.book_id == ratings.c.book_id)
                    & (reviews.c.user_id == ratings.c.user_id),
                )
            )
        ).all()
    assert pairs and all(a == b for a, b in pairs)


# --- the command line --------------------------------------------------------------------


async def test_command_line_import(database: Database, tmp_path: Path) -> None:
    import io as text_io

    from bot.config import load_settings
    from bot.import_cli import EXIT_FAILURE, EXIT_OK, run_import

    settings = load_settings(environ={}, env_file=None)
    library = tmp_path / "goodreads_library_export.csv"
    library.write_bytes(_file("goodreads_library_export.csv"))
    out, err = text_io.StringIO(), text_io.StringIO()

    async def run(kind: str, path: Path, guild: int = GUILD) -> int:
        return await run_import(
            settings,
            database,
            kind,
            path,
            guild,
            ALICE,
            out=out,
            err=err,
            clock=FakeClock(NOW),
            catalogue=StubCatalogue(),
        )

    assert await run("goodreads", library) == EXIT_OK
    assert "Imported: 8" in out.getvalue() and "Row 10 (Ancient Words)" in out.getvalue()
    before = await snapshot(database)
    assert await run("Goodreads", library) == EXIT_OK
    assert out.getvalue().count("Imported: 0") == 1
    assert await run("storygraph", library) == EXIT_FAILURE
    assert "It looks like a Goodreads export" in err.getvalue()
    assert "Nothing was changed." in err.getvalue()
    assert await run("librarything", library) == EXIT_FAILURE
    assert await run("goodreads", tmp_path / "missing.csv") == EXIT_FAILURE
    assert "cannot read" in err.getvalue()
    assert await run("goodreads", library, guild=0) == EXIT_FAILURE
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES + 1)  # sparse: its size is refused before reading
    assert await run("goodreads", huge) == EXIT_FAILURE
    assert "largest file" in err.getvalue()
    assert await snapshot(database) == before
