"""QuoteService on a real database: adding, the progress gate in lists and random picks
(own quotes, chapters, re-reads), likes, and that nothing crosses servers."""

from __future__ import annotations

import random

import pytest

from bot.db import books as book_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.progress_gate import Position
from bot.errors import InvalidInput, NotFound
from bot.services.quotes import QuoteService
from bot.services.reading import ReadingService
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD
from tests.support.ids import WEDNESDAY_NOON as NOW


@pytest.fixture
def service(database: Database, clock: FakeClock) -> QuoteService:
    return QuoteService(database, clock, random.Random(7))


@pytest.fixture
def reading(database: Database, clock: FakeClock) -> ReadingService:
    return ReadingService(database, clock)


async def _book(database: Database, title: str = "Dune", pages: int | None = 400) -> Book:
    async with database.write() as conn:
        return await book_repo.upsert(
            conn, Book(title=title, authors=("Ann Author",), page_count=pages, source="manual"), NOW
        )


async def test_add_stores_the_cleaned_quote_and_knows_the_opening(
    service: QuoteService, database: Database
) -> None:
    book = await _book(database)
    early = await service.add(GUILD, ALICE, book, "  The spice must flow. ", page=40, note=" ")
    assert early.quote.text == "The spice must flow." and early.quote.note is None
    assert early.in_the_open  # p. 40 of 400: exactly 10 %
    late = await service.add(GUILD, ALICE, book, "Later", page=41)
    assert not late.in_the_open
    chapter = await service.add(GUILD, ALICE, book, "Ch", chapter=1)
    assert not chapter.in_the_open and chapter.quote.position == Position.at_chapter(1)
    with pytest.raises(InvalidInput, match="400 pages"):
        await service.add(GUILD, ALICE, book, "Too far", page=401)
    with pytest.raises(InvalidInput, match="not page and chapter"):
        await service.add(GUILD, ALICE, book, "Both", page=4, chapter=1)


async def test_the_list_shows_what_the_viewer_has_reached(
    service: QuoteService, reading: ReadingService, database: Database
) -> None:
    book = await _book(database)
    assert book.id is not None
    await service.add(GUILD, ALICE, book, "early", page=20)
    await service.add(GUILD, ALICE, book, "middle", percent=50)
    await service.add(GUILD, ALICE, book, "chapter nine", chapter=9)
    await service.add(GUILD, ALICE, book, "somewhere")  # no position: the end
    await service.add(OTHER_GUILD, ALICE, book, "elsewhere", page=1)

    nothing = await service.listing(GUILD, BOB, book.id)
    assert [q.text for q in nothing.shown] == []
    assert len(nothing.further_on) == 4
    assert nothing.progress == "you have not logged any progress on this book"

    await reading.update_progress(GUILD, BOB, book.id, page=200, chapter=8)
    halfway = await service.listing(GUILD, BOB, book.id)
    assert {q.text for q in halfway.shown} == {"early", "middle"}
    assert {q.text for q in halfway.further_on} == {"chapter nine", "somewhere"}
    assert halfway.progress == "you are on p. 200 (chapter 8)"

    await reading.update_progress(GUILD, BOB, book.id, chapter=9)
    assert {q.text for q in (await service.listing(GUILD, BOB, book.id)).further_on} == {
        "somewhere"
    }
    # Alice sees all her own quotes without any progress
    assert len((await service.listing(GUILD, ALICE, book.id)).shown) == 4
    # only one member's quotes
    assert (await service.listing(GUILD, BOB, book.id, BOB)).shown == ()


async def test_a_re_reader_reaches_everything(
    service: QuoteService, reading: ReadingService, database: Database
) -> None:
    book = await _book(database)
    assert book.id is not None
    await service.add(GUILD, ALICE, book, "the end")
    await reading.update_progress(GUILD, BOB, book.id, page=400)  # finished
    await reading.update_progress(GUILD, BOB, book.id, page=3)  # a re-read begins
    listing = await service.listing(GUILD, BOB, book.id)
    assert [q.text for q in listing.shown] == ["the end"] and not listing.further_on


async def test_random_picks_only_reached_quotes(
    service: QuoteService, reading: ReadingService, database: Database
) -> None:
    dune = await _book(database)
    other = await _book(database, "Emma", None)
    assert dune.id is not None and other.id is not None
    with pytest.raises(NotFound, match="Nobody has saved a quote"):
        await service.random(GUILD, BOB)
    await service.add(GUILD, ALICE, dune, "far", page=300)
    with pytest.raises(NotFound, match="further on than you have read"):
        await service.random(GUILD, BOB)
    await service.add(GUILD, ALICE, other, "open", percent=5)
    await reading.update_progress(GUILD, BOB, other.id, percent=6)
    for _ in range(5):
        assert (await service.random(GUILD, BOB)).quote.text == "open"
    with pytest.raises(NotFound, match="further on"):
        await service.random(GUILD, BOB, dune.id)
    assert (await service.random(GUILD, ALICE, dune.id)).quote.text == "far"  # her own


async def test_likes_toggle_and_own_quotes_cannot_be_liked(
    service: QuoteService, database: Database
) -> None:
    book = await _book(database)
    quote = (await service.add(GUILD, ALICE, book, "x")).quote
    liked = await service.toggle_like(GUILD, quote.id, BOB)
    assert liked.liked and liked.count == 1
    taken_back = await service.toggle_like(GUILD, quote.id, BOB)
    assert not taken_back.liked and taken_back.count == 0
    with pytest.raises(InvalidInput, match="your own quote"):
        await service.toggle_like(GUILD, quote.id, ALICE)
    with pytest.raises(NotFound):
        await service.toggle_like(OTHER_GUILD, quote.id, BOB)
