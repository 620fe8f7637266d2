"""Books members make stay in the servers that link them (SPEC §10); the catalogue is shared.

A book added by hand (``/book add``) or made from an import's unmatched row in server A is
A's: server B never sees it in autocomplete, search, ``book:<id>`` values or ISBN lookups,
and an ISBN typed in A never decides what that ISBN means in B (B gets the catalogue's
record, or a book of its own).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db import books as book_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Database
from bot.db.schema import book_isbns, books
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.errors import NotFound
from bot.render.privacy import footprint_lines
from bot.services.books import BookService, Resolved
from bot.services.imports import ImportService
from bot.services.privacy import RETENTION, PrivacyService
from tests.support.books import FOX
from tests.support.fakes import ScriptedCatalogue, StubCatalogue
from tests.support.ids import ALICE, BOB
from tests.support.ids import SATURDAY_NOON as NOW
from tests.support.import_files import goodreads_csv, goodreads_row

A, B, C = 1, 2, 3
FOX_ISBN = "9780140328721"


@pytest.fixture
def catalogue() -> ScriptedCatalogue:
    return ScriptedCatalogue([FOX])


@pytest.fixture
def service(database: Database, catalogue: ScriptedCatalogue) -> BookService:
    return BookService(database, catalogue, FakeClock(NOW))


async def _book_rows(database: Database) -> list[dict[str, object]]:
    async with database.read() as conn:
        return [dict(r) for r in (await conn.execute(select(books))).mappings()]


async def test_a_hand_made_book_is_invisible_in_another_server(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    catalogue.down = True
    book, created = await service.add_manual(A, ALICE, title="Piranesi", author="Susanna Clarke")
    assert created
    assert [c.value for c in await service.autocomplete(A, "pira")] == [f"book:{book.id}"]
    assert await service.autocomplete(B, "pira") == []
    assert await service.autocomplete(B, "piranesi clarke") == []
    found, _ = await service.search(B, "Piranesi")
    assert found == []
    with pytest.raises(NotFound):
        await service.resolve(B, f"book:{book.id}")
    with pytest.raises(NotFound):
        await service.get(B, book.id or 0)
    resolved = await service.resolve(A, f"book:{book.id}")
    assert isinstance(resolved, Resolved) and resolved.book.id == book.id


async def test_the_same_title_by_hand_in_another_server_is_its_own_book(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    catalogue.down = True
    mine, _ = await service.add_manual(A, ALICE, title="Piranesi", author="Susanna Clarke")
    theirs, created = await service.add_manual(
        B, BOB, title="Piranesi", author="Susanna Clarke", pages=272
    )
    assert created and theirs.id != mine.id
    assert (await service.get(A, mine.id or 0)).page_count is None
    assert [c.value for c in await service.autocomplete(B, "pira")] == [f"book:{theirs.id}"]


async def test_an_isbn_typed_by_hand_in_one_server_is_not_captured_for_others(
    service: BookService, database: Database, catalogue: ScriptedCatalogue
) -> None:
    catalogue.down = True
    bogus, created = await service.add_manual(
        A, ALICE, title="Not Mr Fox", author="Someone", pages=5000, isbn=FOX_ISBN
    )
    assert created
    catalogue.down = False
    in_b = await service.resolve(B, FOX_ISBN)
    assert isinstance(in_b, Resolved)
    assert in_b.book.id != bogus.id
    assert (in_b.book.title, in_b.book.page_count) == ("Fantastic Mr Fox", 96)
    assert catalogue.isbn_calls == 1
    # B's own /book add with that ISBN gets the catalogue's record, not A's
    added, created_in_b = await service.add_manual(
        B, BOB, title="Whatever", author="X", isbn=FOX_ISBN
    )
    assert not created_in_b and added.id == in_b.book.id
    # A keeps its own book for that ISBN, untouched by the catalogue's
    in_a = await service.resolve(A, FOX_ISBN)
    assert isinstance(in_a, Resolved) and in_a.book.id == bogus.id
    rows = {r["id"]: r for r in await _book_rows(database)}
    assert rows[bogus.id]["title"] == "Not Mr Fox" and rows[bogus.id]["page_count"] == 5000
    assert rows[bogus.id]["source"] == "manual"
    async with database.read() as conn:
        filed = (
            await conn.execute(select(book_isbns.c.book_id).where(book_isbns.c.isbn13 == FOX_ISBN))
        ).scalar()
    assert filed == in_b.book.id


async def test_a_catalogue_record_never_merges_into_a_hand_made_one(database: Database) -> None:
    """An ISBN already filed under a server's hand-made book (before this rule) is taken
    over by the catalogue's record; the hand-made book stays as its server made it."""
    async with database.write() as conn:
        made = await book_repo.upsert(
            conn,
            Book(title="Mine", authors=("Me",), page_count=5000, isbn13=FOX_ISBN, source="manual"),
            NOW,
            created_by_guild_id=A,
        )
        assert made.id is not None
        await book_repo.link_guild(conn, A, made.id, ALICE, NOW)
        await conn.execute(book_isbns.insert().values(isbn13=FOX_ISBN, book_id=made.id))
        fox = await book_repo.upsert(conn, FOX, NOW)
        assert fox.id != made.id and fox.page_count == 96
        assert (await book_repo.get(conn, made.id or 0)) == made
        in_b = await book_repo.find_by_isbn(conn, FOX_ISBN, B)
        in_a = await book_repo.find_by_isbn(conn, FOX_ISBN, A)
    assert in_b is not None and in_b.id == fox.id
    assert in_a is not None and in_a.id == made.id


async def test_search_local_and_stats_see_only_this_servers_member_books(
    database: Database,
) -> None:
    async with database.write() as conn:
        made = await book_repo.upsert(
            conn, Book(title="Dune Fanfic", source="manual"), NOW, created_by_guild_id=A
        )
        assert made.id is not None
        await book_repo.link_guild(conn, A, made.id, ALICE, NOW)
        shared = await book_repo.upsert(conn, Book(title="Dune", ol_work_key="OL1W"), NOW)
        assert [b.id for b in await book_repo.search_local(conn, A, "dune")] == [made.id, shared.id]
        assert [b.id for b in await book_repo.search_local(conn, B, "dune")] == [shared.id]


async def test_an_import_in_another_server_makes_its_own_books(database: Database) -> None:
    service = ImportService(database, StubCatalogue(), FakeClock(NOW))
    data = goodreads_csv(
        goodreads_row("Gideon the Ninth", "Tamsyn Muir", isbn13="9781250313188", rating=5),
        goodreads_row("Harrow the Ninth", "Tamsyn Muir", rating=4),
    )
    await service.import_file(A, ALICE, data, "goodreads")
    made_in_a = {r["id"] for r in await _book_rows(database)}
    assert len(made_in_a) == 2
    elsewhere = await service.import_file(B, ALICE, data, "goodreads")
    assert elsewhere.imported == 2
    rows = await _book_rows(database)
    made_in_b = {r["id"] for r in rows} - made_in_a
    assert len(made_in_b) == 2
    assert {r["created_by_guild_id"] for r in rows if r["id"] in made_in_b} == {B}
    books_service = BookService(database, ScriptedCatalogue([]), FakeClock(NOW))
    [choice] = await books_service.autocomplete(B, "harrow")
    assert choice.value in {f"book:{i}" for i in made_in_b}
    async with database.read() as conn:
        by_isbn_b = await book_repo.find_by_isbn(conn, "9781250313188", B)
    assert by_isbn_b is not None and by_isbn_b.id in made_in_b
    # and again in A: nothing new (the file's books are A's already)
    again = await service.import_file(A, ALICE, data, "goodreads")
    assert again.skipped == 2 and len(await _book_rows(database)) == 4


async def test_an_import_does_not_match_another_servers_hand_made_book(
    database: Database, service: BookService, catalogue: ScriptedCatalogue
) -> None:
    catalogue.down = True
    theirs, _ = await service.add_manual(
        A, ALICE, title="Gideon the Ninth", author="Tamsyn Muir", isbn="9781250313188"
    )
    imports = ImportService(database, StubCatalogue(), FakeClock(NOW))
    by_isbn = goodreads_csv(
        goodreads_row("Gideon the Ninth", "Tamsyn Muir", isbn13="9781250313188")
    )
    by_title = goodreads_csv(goodreads_row("Gideon the Ninth", "Tamsyn Muir", rating=5))
    assert (await imports.import_file(B, BOB, by_isbn, "goodreads")).imported == 1
    assert (await imports.import_file(C, BOB, by_title, "goodreads")).imported == 1
    async with database.read() as conn:
        in_b = await book_repo.find_by_isbn(conn, "9781250313188", B)
        [in_c] = await book_repo.search_local(conn, C, "gideon")
    assert in_b is not None and in_b.id != theirs.id and in_b.source == "import"
    assert in_c.id not in (theirs.id, in_b.id)


async def test_an_isbn_from_a_members_file_is_not_filed_on_a_catalogue_record(
    database: Database,
) -> None:
    """A search match (title and author) does not prove the file's ISBN: filing it on the
    shared record would let one server's file decide what an ISBN means everywhere."""
    gideon = Book(title="Gideon the Ninth", authors=("Tamsyn Muir",), ol_work_key="OL1W")
    service = ImportService(database, StubCatalogue([gideon]), FakeClock(NOW))
    data = goodreads_csv(
        goodreads_row("Gideon the Ninth", "Tamsyn Muir", isbn13=FOX_ISBN, rating=5)
    )
    await service.import_file(A, ALICE, data, "goodreads")
    async with database.read() as conn:
        assert await book_repo.find_by_isbn(conn, FOX_ISBN, B) is None


# --- member-made books go with the data that used them -------------------------------------


async def _made(database: Database, guild_id: int, user_id: int, title: str) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title=title, source="manual"), NOW, created_by_guild_id=guild_id
        )
        assert book.id is not None
        await book_repo.link_guild(conn, guild_id, book.id, user_id, NOW)
    return book.id


async def _rate(database: Database, guild_id: int, user_id: int, book_id: int) -> None:
    async with database.write() as conn:
        await rating_repo.put(conn, guild_id, user_id, book_id, 12, NOW)


async def _ids(database: Database) -> set[int]:
    return {int(r["id"]) for r in await _book_rows(database)}  # type: ignore[call-overload]


async def test_the_purge_takes_the_servers_own_books_along(database: Database) -> None:
    clock = FakeClock(NOW)
    alone = await _made(database, A, ALICE, "Only A's")
    await _rate(database, A, ALICE, alone)
    shared = await _made(database, A, ALICE, "Linked by B too")  # linked by B before the rule
    async with database.write() as conn:
        await book_repo.link_guild(conn, B, shared, BOB, NOW)
        await conn.execute(book_isbns.insert().values(isbn13=FOX_ISBN, book_id=alone))
        catalogue_book = await book_repo.upsert(conn, Book(title="Dune", ol_work_key="OL1W"), NOW)
        assert catalogue_book.id is not None
        await book_repo.link_guild(conn, A, catalogue_book.id, ALICE, NOW)
    imported = await ImportService(database, StubCatalogue(), clock).import_file(
        A,
        ALICE,
        goodreads_csv(goodreads_row("Harrow the Ninth", "Tamsyn Muir", rating=4)),
        "goodreads",
    )
    assert len(imported.unmatched) == 1
    assert len(await _ids(database) - {alone, shared, catalogue_book.id}) == 1  # Harrow
    privacy = PrivacyService(database, clock)
    await privacy.guild_left(A)
    clock.advance(RETENTION + timedelta(days=1))
    [purge] = await privacy.purge_due()
    assert purge.rows["books"] == 2  # "Only A's" and Harrow
    assert await _ids(database) == {shared, catalogue_book.id}
    async with database.read() as conn:
        assert (await conn.execute(select(book_isbns))).all() == []
        kept = await book_repo.get(conn, shared)
    assert kept is not None and kept.title == "Linked by B too"


async def test_forget_me_takes_the_members_own_unused_books_along(database: Database) -> None:
    privacy = PrivacyService(database, FakeClock(NOW))
    only_hers = await _made(database, A, ALICE, "Only hers")
    await _rate(database, A, ALICE, only_hers)
    bob_rated = await _made(database, A, ALICE, "Bob rated it")
    await _rate(database, A, BOB, bob_rated)
    linked_in_b = await _made(database, A, ALICE, "Linked in B")
    async with database.write() as conn:
        await book_repo.link_guild(conn, B, linked_in_b, BOB, NOW)
    bobs_own = await _made(database, A, BOB, "Bob's own")
    catalogue_id = await _catalogue_book(database, A, ALICE)
    preview, _, _ = await privacy.preview(A, ALICE)
    assert preview.books == 1
    assert "1 book you added that no one else uses" in footprint_lines(preview)
    result = await privacy.forget(A, ALICE)
    assert result.deleted == preview
    assert await _ids(database) == {bob_rated, linked_in_b, bobs_own, catalogue_id}


async def _catalogue_book(database: Database, guild_id: int, user_id: int) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(conn, Book(title="Dune", ol_work_key="OL1W"), NOW)
        assert book.id is not None
        await book_repo.link_guild(conn, guild_id, book.id, user_id, NOW)
    return book.id


async def test_only_a_linked_picked_value_skips_resolution(service: BookService) -> None:
    """``linked_book_id`` names a ``book:<id>`` value only once this server's link to the
    book is stored (a command then reads the book in its own unit of work); anything else
    goes through :meth:`BookService.resolve`."""
    book, _ = await service.add_manual(A, ALICE, title="Piranesi", author="Susanna Clarke")
    value = f"book:{book.id}"
    assert service.linked_book_id(A, value) is None  # the link is not known to be stored yet
    await service.remember(A, ALICE, book)
    assert service.linked_book_id(A, value) == book.id
    assert service.linked_book_id(A, f"  {value} ") == book.id
    assert service.linked_book_id(B, value) is None  # not linked there
    assert service.linked_book_id(A, "Piranesi") is None
    assert service.linked_book_id(A, "book:x1") is None
    resolved = await service.resolve(C, FOX_ISBN)
    assert (
        isinstance(resolved, Resolved)
        and service.linked_book_id(C, f"book:{resolved.book.id}") is None
    )
    await service.remember(C, BOB, resolved.book)
    assert service.linked_book_id(C, f"book:{resolved.book.id}") == resolved.book.id
