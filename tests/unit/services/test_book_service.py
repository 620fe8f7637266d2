"""BookService on a real SQLite database with a scripted catalogue (no network)."""

from __future__ import annotations

import asyncio

import pytest

from bot.db import books as book_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.errors import CatalogueUnavailable, InvalidInput, NotFound
from bot.services.books import Ambiguous, BookService, Resolved
from tests.support.books import EMMA_AUSTEN, EMMA_OTHER, FOX, MATILDA
from tests.support.fakes import ScriptedCatalogue
from tests.support.ids import GUILD, OTHER_GUILD
from tests.support.ids import SATURDAY_NOON as NOW


@pytest.fixture
def catalogue() -> ScriptedCatalogue:
    return ScriptedCatalogue([FOX, MATILDA, EMMA_AUSTEN, EMMA_OTHER])


@pytest.fixture
def service(database: Database, catalogue: ScriptedCatalogue) -> BookService:
    return BookService(database, catalogue, FakeClock(NOW))


async def test_isbn_lookup_is_cached_locally(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    first = await service.resolve(GUILD, "978-0-14-032872-1")
    assert isinstance(first, Resolved)
    assert first.book.title == "Fantastic Mr Fox"
    catalogue.down = True
    again = await service.resolve(GUILD, "0140328726")  # the ISBN-10 of the same edition
    assert isinstance(again, Resolved)
    assert again.book.id == first.book.id
    assert catalogue.isbn_calls == 1


async def test_title_by_author_resolves_remote_then_local(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    result = await service.resolve(GUILD, "matilda by dahl")
    assert isinstance(result, Resolved)
    assert result.book.authors == ("Roald Dahl",)
    catalogue.down = True
    offline = await service.resolve(GUILD, "Matilda")
    assert isinstance(offline, Resolved)
    assert offline.book.id == result.book.id


async def test_several_good_matches_ask_the_member(service: BookService) -> None:
    result = await service.resolve(GUILD, "Emma")
    assert isinstance(result, Ambiguous)
    assert {b.authors[0] for b in result.candidates} == {"Jane Austen", "Someone Else"}
    narrowed = await service.resolve(GUILD, "Emma by Austen")
    assert isinstance(narrowed, Resolved)
    assert narrowed.book.authors == ("Jane Austen",)


async def test_not_found_differs_from_unreachable(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    with pytest.raises(NotFound) as missing:
        await service.resolve(GUILD, "Zzyzx Nonexistent Title")
    assert "/book add" in missing.value.message
    catalogue.down = True
    with pytest.raises(CatalogueUnavailable) as down:
        await service.resolve(GUILD, "Another Unknown Title")
    assert "unreachable" in down.value.message


async def test_manual_add_works_offline_and_is_found(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    catalogue.down = True
    book, created = await service.add_manual(
        GUILD, 10, title="Piranesi", author="Susanna Clarke", pages=272, isbn="9781526622426"
    )
    assert created and book.source == "manual" and book.page_count == 272
    again, created_again = await service.add_manual(
        GUILD, 11, title="piranesi", author="Susanna Clarke"
    )
    assert not created_again and again.id == book.id
    resolved = await service.resolve(GUILD, "Piranesi")
    assert isinstance(resolved, Resolved) and resolved.book.id == book.id
    card = await service.card(GUILD, book)
    assert card.stats.rating_count == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  ", "author": "A"}, "title"),
        ({"title": "T", "author": ""}, "author"),
        ({"title": "T", "author": "A", "isbn": "9780140328722"}, "ISBN"),
        ({"title": "T", "author": "A", "pages": 0}, "Pages"),
        ({"title": "T", "author": "A", "year": 3000}, "year"),
    ],
)
async def test_manual_add_rejects_bad_input(
    service: BookService, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        await service.add_manual(GUILD, 1, **kwargs)  # type: ignore[arg-type]
    assert message in info.value.message


async def test_autocomplete_local_first_accent_insensitive(
    service: BookService, database: Database
) -> None:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title="Le Petit Prince", authors=("Antoine de Saint-Exupéry",)), NOW
        )
        assert book.id is not None
        await book_repo.link_guild(conn, GUILD, book.id, None, NOW)
    choices = await service.autocomplete(GUILD, "saint-exupery")
    assert choices and choices[0].value == f"book:{book.id}"
    assert "Le Petit Prince" in choices[0].name
    assert len(choices[0].name) <= 100


async def test_autocomplete_within_budget_when_catalogue_is_slow(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    catalogue.delay = 0.5
    loop = asyncio.get_running_loop()
    started = loop.time()
    choices = await service.autocomplete(GUILD, "Fantastic", budget=0.05)
    assert loop.time() - started < 0.4
    assert choices == []
    await asyncio.sleep(0.6)  # the background search finishes and fills the cache
    catalogue.down = True
    warmed = await service.autocomplete(GUILD, "Fantastic", budget=0.05)
    assert any("Fantastic Mr Fox" in c.name for c in warmed)


async def test_search_cache_avoids_second_request(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    first, reachable = await service.search(OTHER_GUILD, "zzz nothing")
    assert first == [] and reachable
    await service.search(OTHER_GUILD, "zzz nothing")
    assert catalogue.search_calls == 1


async def test_local_search_is_scoped_first_to_the_guild(database: Database) -> None:
    async with database.write() as conn:
        mine = await book_repo.upsert(
            conn, Book(title="Dune Messiah", authors=("Frank Herbert",)), NOW
        )
        theirs = await book_repo.upsert(conn, Book(title="Dune", authors=("Frank Herbert",)), NOW)
        assert mine.id and theirs.id
        await book_repo.link_guild(conn, GUILD, mine.id, None, NOW)
        found = await book_repo.search_local(conn, GUILD, "dune")
    assert [b.title for b in found] == ["Dune Messiah", "Dune"]


async def test_like_wildcards_are_literal(database: Database) -> None:
    async with database.write() as conn:
        await book_repo.upsert(conn, Book(title="Plain Title", authors=("A",)), NOW)
        assert await book_repo.search_local(conn, GUILD, "%") == []
        assert await book_repo.search_local(conn, GUILD, "_lain") == []


async def test_card_completes_description_once(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    result = await service.resolve(GUILD, "Matilda by Dahl")
    assert isinstance(result, Resolved) and result.book.description is None
    card = await service.card(GUILD, result.book)
    assert card.book.description == "About Matilda."
    catalogue.down = True
    again = await service.card(GUILD, await service.get(GUILD, card.book.id or 0))
    assert again.book.description == "About Matilda."
    assert catalogue.work_calls == 1


async def test_many_isbns_stored_once(database: Database) -> None:
    isbns = tuple(f"978000000{i:03d}0" for i in range(300))
    async with database.write() as conn:
        first = await book_repo.upsert(
            conn, Book(title="Big", ol_work_key="OL9W", isbns=isbns), NOW
        )
        other = await book_repo.upsert(
            conn, Book(title="Other", ol_work_key="OL8W", isbns=(isbns[0], "9780000009990")), NOW
        )
        assert first.id != other.id
        found = await book_repo.find_by_isbn(conn, isbns[0], GUILD)
    assert found is not None and found.id == first.id


async def test_books_added_after_the_index_loaded_are_suggested_at_once(
    service: BookService, catalogue: ScriptedCatalogue
) -> None:
    catalogue.down = True
    assert await service.autocomplete(GUILD, "pira") == []  # loads the (empty) index
    book, _ = await service.add_manual(GUILD, 1, title="Piranesi", author="Susanna Clarke")
    choices = await service.autocomplete(GUILD, "pira")
    assert [c.value for c in choices] == [f"book:{book.id}"]


async def test_books_written_elsewhere_show_up_after_refresh_soon(
    service: BookService, catalogue: ScriptedCatalogue, database: Database
) -> None:
    catalogue.down = True
    assert await service.autocomplete(GUILD, "gideon") == []
    async with database.write() as conn:
        book = await book_repo.upsert(conn, Book(title="Gideon the Ninth", source="import"), NOW)
        assert book.id is not None
        await book_repo.link_guild(conn, GUILD, book.id, None, NOW)
    service.refresh_index_soon()
    choices = await service.autocomplete(GUILD, "gideon")
    assert [c.value for c in choices] == [f"book:{book.id}"]


async def test_guild_stats_count_this_server_only(database: Database) -> None:
    from bot.db.schema import ratings, readings, reviews

    async with database.write() as conn:
        book = await book_repo.upsert(conn, Book(title="Counted", authors=("A",)), NOW)
        rows = {"book_id": book.id, "created_at": NOW, "updated_at": NOW}
        await conn.execute(
            ratings.insert(),
            [
                {**rows, "guild_id": GUILD, "user_id": 1, "quarters": 20},
                {**rows, "guild_id": GUILD, "user_id": 2, "quarters": 10},
                {**rows, "guild_id": OTHER_GUILD, "user_id": 1, "quarters": 2},
            ],
        )
        await conn.execute(
            readings.insert(),
            [
                {**rows, "guild_id": GUILD, "user_id": 1, "status": "finished"},
                {**rows, "guild_id": GUILD, "user_id": 1, "status": "finished"},
                {**rows, "guild_id": GUILD, "user_id": 2, "status": "reading"},
                {**rows, "guild_id": OTHER_GUILD, "user_id": 3, "status": "reading"},
            ],
        )
        await conn.execute(
            reviews.insert(), [{**rows, "guild_id": GUILD, "user_id": 1, "body": "x"}]
        )
        assert book.id is not None
        stats = await book_repo.guild_stats(conn, GUILD, book.id)
    assert stats == book_repo.BookStats(
        rating_count=2, rating_average_quarters=15.0, reading_now=1, finished=1, reviews=1
    )
