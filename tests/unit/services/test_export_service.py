"""ExportService: the Goodreads CSV and the JSON of a member's data in one server, and the
round trip export → import that must lose nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import quotes as quote_repo
from bot.db import ratings as rating_repo
from bot.db import reviews as review_repo
from bot.db.engine import Database
from bot.db.schema import (
    goals,
    member_privacy,
    member_settings,
    ratings,
    readings,
    review_flags,
    review_likes,
    reviews,
    shelf_books,
    shelves,
)
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.exports import QUOTE_COLUMNS
from bot.domain.imports import parse_import
from bot.domain.imports.goodreads import GOODREADS_COLUMNS
from bot.domain.progress_gate import Position
from bot.domain.review import ReviewDraft, SpoilerReach
from bot.domain.stars import RatingStep, Stars
from bot.errors import NotFound
from bot.services.exports import EXPORT_FORMAT, ExportService, MemberExport
from bot.services.import_books import NO_MATCH
from bot.services.imports import ImportService
from tests.support.fakes import StubCatalogue
from tests.support.ids import ALICE, BOB

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
GUILD, COPY, ELSEWHERE = 1, 2, 3
NOW = datetime(2025, 7, 1, 12, tzinfo=UTC)


def _exporter(database: Database) -> ExportService:
    return ExportService(database, FakeClock(NOW))


def _importer(database: Database) -> ImportService:
    return ImportService(database, StubCatalogue(), FakeClock(NOW))


def _files(export: MemberExport) -> tuple[str, dict[str, Any]]:
    csv_file, json_file = export.files
    assert csv_file.filename == "marginalia-2025-07-01-goodreads.csv"
    assert json_file.filename == "marginalia-2025-07-01.json"
    return csv_file.data.decode("utf-8"), json.loads(json_file.data)


BookKey = tuple[str, tuple[str, ...]]  # title and authors


@dataclass(frozen=True)
class Library:
    """A member's data in one server, by book (title and authors: a book only one server
    knows is another row in the other server), comparable between servers."""

    ratings: dict[BookKey, int]
    readings: dict[BookKey, list[tuple[str, date | None, date | None]]]
    shelves: dict[BookKey, set[str]]
    reviews: dict[BookKey, tuple[str, str | None, str | None]]


async def library(database: Database, guild_id: int, user_id: int = ALICE) -> Library:
    async with database.read() as conn:
        rated = (
            await conn.execute(
                select(ratings.c.book_id, ratings.c.quarters).where(
                    ratings.c.guild_id == guild_id, ratings.c.user_id == user_id
                )
            )
        ).all()
        read_rows = (
            await conn.execute(
                select(
                    readings.c.book_id,
                    readings.c.status,
                    readings.c.started_on,
                    readings.c.finished_on,
                )
                .where(readings.c.guild_id == guild_id, readings.c.user_id == user_id)
                .order_by(readings.c.id)
            )
        ).all()
        shelf_rows = (
            await conn.execute(
                select(shelf_books.c.book_id, shelves.c.name_key)
                .join(shelves, shelves.c.id == shelf_books.c.shelf_id)
                .where(shelves.c.guild_id == guild_id, shelves.c.user_id == user_id)
            )
        ).all()
        review_rows = (
            await conn.execute(
                select(
                    reviews.c.book_id,
                    reviews.c.body,
                    reviews.c.spoilers,
                    reviews.c.content_warnings,
                ).where(reviews.c.guild_id == guild_id, reviews.c.user_id == user_id)
            )
        ).all()
        ids = {int(r[0]) for r in (*rated, *read_rows, *shelf_rows, *review_rows)}
        keys: dict[int, BookKey] = {
            b.id: (b.title, b.authors)
            for b in await book_repo.get_many(conn, sorted(ids))
            if b.id is not None
        }
    by_book: dict[BookKey, list[tuple[str, date | None, date | None]]] = {}
    for book_id, status, start, finish in read_rows:
        by_book.setdefault(keys[int(book_id)], []).append((status, start, finish))
    on_shelves: dict[BookKey, set[str]] = {}
    for book_id, key in shelf_rows:
        on_shelves.setdefault(keys[int(book_id)], set()).add(key)
    return Library(
        ratings={keys[int(b)]: int(q) for b, q in rated},
        readings=by_book,
        shelves=on_shelves,
        reviews={keys[int(b)]: (body, spoilers, cw) for b, body, spoilers, cw in review_rows},
    )


async def _round_trip(database: Database, source: int, target: int) -> None:
    export = await _exporter(database).export(source, ALICE)
    text, _ = _files(export)
    report = await _importer(database).import_file(target, ALICE, text.encode("utf-8"), "goodreads")
    # the books the source server's members made are the source's: the target gets its own
    # (the catalogue knows none of these), with the file's details
    there = await library(database, source)
    made_there = {
        k[0] for part in (there.ratings, there.readings, there.shelves, there.reviews) for k in part
    }
    assert {u.title for u in report.unmatched} <= made_there
    assert all(u.why == NO_MATCH for u in report.unmatched)
    assert await library(database, target) == await library(database, source)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("goodreads_library_export.csv", "goodreads"),
        ("storygraph_library_export.csv", "storygraph"),
    ],
)
async def test_round_trip_of_imported_files(database: Database, name: str, kind: Any) -> None:
    for guild_id in (GUILD, COPY):
        async with database.write() as conn:
            await settings_repo.set_rating_step(conn, guild_id, RatingStep.QUARTER, NOW)
    await _importer(database).import_file(GUILD, ALICE, (DATA / name).read_bytes(), kind)
    await _round_trip(database, GUILD, COPY)


async def _book(database: Database, title: str, author: str, isbn13: str | None = None) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn,
            Book(
                title=title,
                authors=(author,),
                isbn13=isbn13,
                isbns=(isbn13,) if isbn13 else (),
                page_count=300,
                source="manual",
            ),
            NOW,
            created_by_guild_id=GUILD,
        )
        assert book.id is not None
        await book_repo.link_guild(conn, GUILD, book.id, ALICE, NOW)
    return book.id


async def _reading(
    database: Database,
    guild_id: int,
    book_id: int,
    status: str,
    started: date | None = None,
    finished: date | None = None,
) -> None:
    async with database.write() as conn:
        await conn.execute(
            readings.insert().values(
                guild_id=guild_id,
                user_id=ALICE,
                book_id=book_id,
                status=status,
                started_on=started,
                finished_on=finished,
                progress_page=120 if status == "reading" else None,
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def _shelve(database: Database, guild_id: int, name: str, book_id: int) -> None:
    async with database.write() as conn:
        shelf_id = (
            await conn.execute(
                select(shelves.c.id).where(
                    shelves.c.guild_id == guild_id,
                    shelves.c.user_id == ALICE,
                    shelves.c.name_key == name.casefold(),
                )
            )
        ).scalar()
        if shelf_id is None:
            result = await conn.execute(
                shelves.insert().values(
                    guild_id=guild_id,
                    user_id=ALICE,
                    name=name,
                    name_key=name.casefold(),
                    created_at=NOW,
                )
            )
            shelf_id = result.inserted_primary_key[0]  # type: ignore[index]
        await conn.execute(
            shelf_books.insert().values(shelf_id=shelf_id, book_id=book_id, added_at=NOW)
        )


async def _seed_discord_data(database: Database) -> dict[str, int]:
    """What a member builds with the commands: quarter and half ratings, re-reads, a DNF
    with its end date, a paused book, reviews with spoilers and content warnings, shelves."""
    async with database.write() as conn:
        await settings_repo.set_rating_step(conn, GUILD, RatingStep.QUARTER, NOW)
        await settings_repo.set_rating_step(conn, COPY, RatingStep.QUARTER, NOW)
    ids = {
        "dune": await _book(database, "Dune", "Frank Herbert", "9780441013593"),
        "left": await _book(database, "The Left Hand of Darkness", "Ursula K. Le Guin"),
        "formula": await _book(database, "=SUM(A1:A9)", "Mal Icious"),
        "paused": await _book(database, "Middlemarch", "George Eliot"),
        "dnf": await _book(database, "Ulysses", "James Joyce"),
    }
    async with database.write() as conn:
        await rating_repo.put(conn, GUILD, ALICE, ids["dune"], 15, NOW)  # 3.75
        await rating_repo.put(conn, GUILD, ALICE, ids["left"], 18, NOW)
        await rating_repo.put(conn, GUILD, ALICE, ids["dnf"], 2, NOW)
        await review_repo.insert(
            conn,
            GUILD,
            ALICE,
            ids["left"],
            ReviewDraft(
                body="Ice, kinship.\nA second line, with <b>no</b> HTML meant.",
                spoilers="Estraven dies || on the ice.",
                spoiler_reach=SpoilerReach.ending(),
                content_warnings="death, cold",
                stars=Stars(18),
            ),
            NOW,
        )
        await review_repo.insert(
            conn,
            GUILD,
            ALICE,
            ids["dune"],
            ReviewDraft(body="", spoilers="Only spoilers here.", stars=Stars(15)),
            NOW,
        )
    await _reading(database, GUILD, ids["dune"], "finished", date(2010, 1, 2), date(2010, 2, 3))
    await _reading(database, GUILD, ids["dune"], "finished", None, date(2018, 5, 6))
    await _reading(database, GUILD, ids["dune"], "reading", date(2025, 6, 1))
    await _reading(database, GUILD, ids["left"], "finished", date(2024, 1, 1), date(2024, 1, 9))
    await _reading(database, GUILD, ids["paused"], "paused", date(2025, 3, 1))
    await _reading(
        database, GUILD, ids["dnf"], "did-not-finish", date(2023, 1, 1), date(2023, 2, 1)
    )
    await _reading(database, GUILD, ids["formula"], "want-to-read")
    await _shelve(database, GUILD, "favourites", ids["left"])
    await _shelve(database, GUILD, "Owned", ids["left"])
    await _shelve(database, GUILD, "owned", ids["paused"])
    await _shelve(database, GUILD, "classics", ids["paused"])
    return ids


async def test_round_trip_of_data_made_with_the_commands(database: Database) -> None:
    await _seed_discord_data(database)
    await _round_trip(database, GUILD, COPY)
    # and back again into the first server: nothing new
    export = await _exporter(database).export(COPY, ALICE)
    text, _ = _files(export)
    report = await _importer(database).import_file(GUILD, ALICE, text.encode("utf-8"), "goodreads")
    assert (report.imported, report.updated) == (0, 0)


async def test_csv_is_goodreads_shaped_and_guarded(database: Database) -> None:
    ids = await _seed_discord_data(database)
    text, _ = _files(await _exporter(database).export(GUILD, ALICE))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == list(GOODREADS_COLUMNS)
    by_title = {r["Title"]: r for r in rows}
    assert set(by_title) == {
        "Dune",
        "The Left Hand of Darkness",
        "'=SUM(A1:A9)",  # a spreadsheet would run it otherwise
        "Middlemarch",
        "Ulysses",
    }
    dune = by_title["Dune"]
    assert dune["ISBN13"] == '="9780441013593"' and dune["My Rating"] == "4"
    assert dune["Exclusive Shelf"] == "currently-reading" and dune["Read Count"] == "3"
    assert "Marginalia rating: 3.75" in dune["Private Notes"]
    left = by_title["The Left Hand of Darkness"]
    assert left["Owned Copies"] == "1" and left["Bookshelves"] == "favourites"
    assert "<spoiler>Estraven dies" in left["My Review"]
    assert "Marginalia content warnings: death, cold" in left["Private Notes"]
    assert by_title["Ulysses"]["Exclusive Shelf"] == "did-not-finish"
    parsed = parse_import(text.encode("utf-8"), "goodreads")
    assert len(parsed.rows) == 5 and not parsed.skipped
    assert ids  # the seeding returned every book


async def test_json_holds_everything_of_the_member(database: Database) -> None:
    ids = await _seed_discord_data(database)
    async with database.write() as conn:
        bob_review = await review_repo.insert(
            conn, GUILD, BOB, ids["dune"], ReviewDraft(body="Bob's take."), NOW
        )
        await conn.execute(
            review_likes.insert().values(review_id=bob_review, user_id=ALICE, created_at=NOW)
        )
        await conn.execute(
            review_flags.insert().values(
                review_id=bob_review, user_id=ALICE, reason="spam", created_at=NOW
            )
        )
        await conn.execute(
            goals.insert().values(
                guild_id=GUILD, user_id=ALICE, year=2025, target=30, updated_at=NOW
            )
        )
        await conn.execute(
            member_privacy.insert().values(
                guild_id=GUILD, user_id=ALICE, digest_opt_in=False, updated_at=NOW
            )
        )
        await conn.execute(
            member_settings.insert().values(
                guild_id=GUILD, user_id=ALICE, timezone="Pacific/Auckland", updated_at=NOW
            )
        )
        await review_repo.set_posted(conn, GUILD, 1, 555, [9_000_000_000_000_000_001, 2])
    _, document = _files(await _exporter(database).export(GUILD, ALICE))
    assert document["format"] == EXPORT_FORMAT and document["user_id"] == str(ALICE)
    assert len(document["ratings"]) == 3 and document["ratings"][0]["stars"] == 3.75
    assert len(document["readings"]) == 7
    assert {r["status"] for r in document["readings"]} >= {"paused", "did-not-finish"}
    assert len(document["reviews"]) == 2  # Bob's is not Alice's
    posted = next(r for r in document["reviews"] if r["message_id"])
    assert posted["message_id"] == "9000000000000000001"  # as a string: JS-safe
    assert posted["extra_message_ids"] == ["2"] and posted["spoilers"].startswith("Estraven")
    assert document["likes_given"] == [
        {"review_id": bob_review, "book_id": ids["dune"], "created_at": NOW.isoformat()}
    ]
    assert document["flags_raised"][0]["reason"] == "spam"
    assert document["goals"] == [{"year": 2025, "target": 30, "updated_at": NOW.isoformat()}]
    assert document["privacy"]["digest_opt_in"] is False
    assert document["settings"] == {"timezone": "Pacific/Auckland", "updated_at": NOW.isoformat()}
    assert {s["name"] for s in document["shelves"]} == {
        "favourites",
        "Owned",
        "classics",
    }
    assert {b["title"] for b in document["books"]} >= {"Dune", "Middlemarch"}


async def test_only_this_server_and_this_member(database: Database) -> None:
    ids = await _seed_discord_data(database)
    async with database.write() as conn:
        await rating_repo.put(conn, ELSEWHERE, ALICE, ids["paused"], 20, NOW)
        await rating_repo.put(conn, GUILD, BOB, ids["paused"], 4, NOW)
    _, document = _files(await _exporter(database).export(GUILD, ALICE))
    assert ids["paused"] not in {r["book_id"] for r in document["ratings"]}
    with pytest.raises(NotFound, match="no data in this server"):
        await _exporter(database).export(COPY, ALICE)


async def test_files_too_large_to_attach_come_zipped(database: Database) -> None:
    await _seed_discord_data(database)
    export = await _exporter(database).export(GUILD, ALICE, max_file_bytes=3000)
    assert export.zipped
    [archive] = export.files
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zf:
        assert sorted(zf.namelist()) == [
            "marginalia-2025-07-01-goodreads.csv",
            "marginalia-2025-07-01.json",
        ]


async def _quote(
    database: Database,
    guild_id: int,
    user_id: int,
    book_id: int,
    text: str,
    position: Position,
    *,
    note: str | None = None,
    minutes: int = 0,
) -> int:
    return await database.run_write(
        quote_repo.insert_quote,
        guild_id=guild_id,
        user_id=user_id,
        book_id=book_id,
        text=text,
        note=note,
        position=position,
        now=NOW + timedelta(minutes=minutes),
    )


async def test_quotes_have_a_csv_of_their_own_and_are_in_the_json(database: Database) -> None:
    ids = await _seed_discord_data(database)
    quoted = await _book(database, "Quoted Only", "Anne Author", "9780000000002")
    first = await _quote(
        database,
        GUILD,
        ALICE,
        ids["dune"],
        "Fear is the mind-killer.",
        Position.at_page(8),
        note='=HYPERLINK("http://x")',
    )
    await _quote(
        database,
        GUILD,
        ALICE,
        ids["left"],
        "-1+2 light is the left hand",
        Position.at_percent(42),
        minutes=1,
    )
    await _quote(
        database, GUILD, ALICE, quoted, "@everyone chapter", Position.at_chapter(7), minutes=2
    )
    await _quote(database, GUILD, ALICE, ids["paused"], "The end.", Position.end(), minutes=3)
    await _quote(database, ELSEWHERE, ALICE, ids["dune"], "Not here", Position.end())
    bobs = await _quote(database, GUILD, BOB, ids["dune"], "Bob's line", Position.at_page(2))
    elsewhere = await _quote(database, ELSEWHERE, BOB, ids["dune"], "Far away", Position.end())
    await database.run_write(quote_repo.set_message, GUILD, first, 555, 9_000_000_000_000_000_009)
    for liker in (BOB, 77):
        await database.run_write(quote_repo.put_like, first, liker, NOW)
    await database.run_write(quote_repo.put_like, bobs, ALICE, NOW + timedelta(hours=1))
    await database.run_write(quote_repo.put_like, elsewhere, ALICE, NOW)  # another server's

    export = await _exporter(database).export(GUILD, ALICE)
    assert [f.filename for f in export.files] == [
        "marginalia-2025-07-01-goodreads.csv",
        "marginalia-2025-07-01-quotes.csv",
        "marginalia-2025-07-01.json",
    ]
    assert export.quotes == 4
    rows = list(csv.DictReader(io.StringIO(export.files[1].data.decode("utf-8"))))
    assert list(rows[0].keys()) == list(QUOTE_COLUMNS)
    assert [r["Quote"] for r in rows] == [
        "Fear is the mind-killer.",
        "'-1+2 light is the left hand",  # a spreadsheet would run these otherwise
        "'@everyone chapter",
        "The end.",
    ]
    dune, left, only, end = rows
    assert dune["Title"] == "Dune" and dune["Author"] == "Frank Herbert"
    assert dune["ISBN13"] == '="9780441013593"' and dune["Page"] == "8"
    assert dune["Position"] == "p. 8" and dune["Likes"] == "2"
    assert dune["Note"] == '\'=HYPERLINK("http://x")'
    assert dune["Message Link"] == (f"https://discord.com/channels/{GUILD}/555/9000000000000000009")
    assert left["Percent"] == "42" and left["Position"] == "42 %" and left["Message Link"] == ""
    assert only["Title"] == "Quoted Only" and only["Chapter"] == "7"
    assert only["Position"] == "chapter 7"
    assert end["Position"] == "end of the book"
    assert end["Page"] == end["Percent"] == end["Chapter"] == ""
    assert dune["Created At"] == NOW.isoformat()

    document = json.loads(export.files[2].data)
    assert [q["text"] for q in document["quotes"]] == [r["Quote"].lstrip("'") for r in rows]
    posted = document["quotes"][0]
    assert posted["message_id"] == "9000000000000000009" and posted["likes"] == 2
    assert posted["page"] == 8 and posted["message_link"] == dune["Message Link"]
    assert document["quotes"][3]["message_link"] is None
    assert "user_id" not in posted and "guild_id" not in posted
    assert document["quote_likes_given"] == [
        {
            "quote_id": bobs,
            "book_id": ids["dune"],
            "created_at": (NOW + timedelta(hours=1)).isoformat(),
        }
    ]
    # the books the quotes are of are in the books section, like every other book
    assert {quoted, ids["dune"]} <= {b["id"] for b in document["books"]}


async def test_quotes_alone_are_something_to_export(database: Database) -> None:
    book_id = await _book(database, "Quoted Only", "Anne Author")
    await _quote(database, GUILD, ALICE, book_id, "A line", Position.end())
    export = await _exporter(database).export(GUILD, ALICE)
    assert export.quotes == 1 and len(export.files) == 3
    with pytest.raises(NotFound):
        await _exporter(database).export(GUILD, BOB)


async def test_without_quotes_there_is_no_quotes_csv(database: Database) -> None:
    await _seed_discord_data(database)
    export = await _exporter(database).export(GUILD, ALICE)
    assert [f.filename for f in export.files] == [
        "marginalia-2025-07-01-goodreads.csv",
        "marginalia-2025-07-01.json",
    ]
    assert json.loads(export.files[1].data)["quotes"] == []
