"""ShelfService on a real SQLite database: status shelves driven by readings, custom shelves
with their names and limits, and server scoping."""

from __future__ import annotations

import pytest

from bot.db import books as book_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.reading import ReadingStatus
from bot.errors import Conflict, InvalidInput, NotFound
from bot.render.reading import shelf_overview_embed
from bot.services import shelves as shelves_module
from bot.services.reading import ReadingService, StatusResult
from bot.services.shelves import CustomShelfChange, ShelfService
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD
from tests.support.ids import WEDNESDAY_NOON as NOW


@pytest.fixture
def readings(database: Database, clock: FakeClock) -> ReadingService:
    return ReadingService(database, clock)


@pytest.fixture
def service(database: Database, clock: FakeClock, readings: ReadingService) -> ShelfService:
    return ShelfService(database, clock, readings)


@pytest.fixture
async def books(database: Database) -> list[int]:
    ids: list[int] = []
    async with database.write() as conn:
        for title in ("Dune", "Emma", "Ulysses", "Beloved"):
            book = await book_repo.upsert(
                conn, Book(title=title, authors=("A",), page_count=100, source="manual"), NOW
            )
            assert book.id is not None
            ids.append(book.id)
    return ids


async def test_custom_shelf_is_created_with_its_first_book_and_goes_with_its_last(
    service: ShelfService, books: list[int]
) -> None:
    dune, emma = books[0], books[1]
    added = await service.add(GUILD, ALICE, dune, "  Favourites  ")
    assert isinstance(added, CustomShelfChange) and added.created
    assert added.shelf.name == "Favourites"
    again = await service.add(GUILD, ALICE, emma, "FAVOURITES")  # the same shelf, any case
    assert isinstance(again, CustomShelfChange) and not again.created
    with pytest.raises(Conflict, match="already on your shelf"):
        await service.add(GUILD, ALICE, dune, "favourites")
    contents = await service.contents(GUILD, ALICE, "favourites")
    assert [b.title for b in contents.books] == ["Emma", "Dune"]  # newest first
    first = await service.remove(GUILD, ALICE, emma, "Favourites")
    assert isinstance(first, CustomShelfChange) and not first.deleted
    last = await service.remove(GUILD, ALICE, dune, "Favourites")
    assert isinstance(last, CustomShelfChange) and last.deleted
    with pytest.raises(NotFound, match="no shelf called"):
        await service.contents(GUILD, ALICE, "favourites")


async def test_removing_what_is_not_there(service: ShelfService, books: list[int]) -> None:
    with pytest.raises(NotFound, match="nor any shelf of your own"):
        await service.remove(GUILD, ALICE, books[0], "classics")
    await service.add(GUILD, ALICE, books[0], "classics")
    with pytest.raises(NotFound, match="not on your shelf"):
        await service.remove(GUILD, ALICE, books[1], "classics")
    with pytest.raises(NotFound, match=r"Your shelves: \*\*classics\*\*"):
        await service.remove(GUILD, ALICE, books[1], "romance")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "Give the shelf a name"),
        ("x" * 41, "at most 40 characters"),
        ("<@123> fans", "mentions"),
        ("@everyone", "mentions"),
        ("a,b", "commas"),
        ("bad\u202ename", "control or invisible"),
    ],
)
async def test_bad_shelf_names(
    service: ShelfService, books: list[int], name: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        await service.add(GUILD, ALICE, books[0], name)


async def test_status_shelves_follow_readings(
    service: ShelfService, readings: ReadingService, books: list[int]
) -> None:
    dune, emma, ulysses, beloved = books
    wanted = await service.add(GUILD, ALICE, dune, "to-read")  # Goodreads' name works too
    assert isinstance(wanted, StatusResult) and wanted.event_kind == "want"
    started = await service.add(GUILD, ALICE, emma, "Reading")
    assert isinstance(started, StatusResult) and started.event_kind == "start"
    finished = await service.add(GUILD, ALICE, ulysses, "read")
    assert isinstance(finished, StatusResult)
    assert finished.view.reading.status is ReadingStatus.FINISHED
    await readings.update_progress(GUILD, ALICE, beloved, page=10)
    await readings.change_status(GUILD, ALICE, beloved, ReadingStatus.DID_NOT_FINISH)
    overview = await service.overview(GUILD, ALICE)
    counts = {s.status: s.count for s in overview.status_shelves}
    assert counts == {
        ReadingStatus.READING: 1,
        ReadingStatus.PAUSED: 0,
        ReadingStatus.WANT_TO_READ: 1,
        ReadingStatus.FINISHED: 1,
        ReadingStatus.DID_NOT_FINISH: 1,
    }
    dnf = await service.contents(GUILD, ALICE, "DNF")
    assert dnf.status is ReadingStatus.DID_NOT_FINISH
    assert [v.book.title for v in dnf.readings] == ["Beloved"]
    assert dnf.readings[0].progress is not None and dnf.readings[0].progress.page == 10


async def test_removing_from_status_shelves(
    service: ShelfService, readings: ReadingService, books: list[int]
) -> None:
    dune, emma = books[0], books[1]
    await service.add(GUILD, ALICE, dune, "want-to-read")
    removed = await service.remove(GUILD, ALICE, dune, "Want to read")
    assert not isinstance(removed, CustomShelfChange) and removed.title == "Dune"
    assert (await service.contents(GUILD, ALICE, "want-to-read")).count == 0
    await readings.update_progress(GUILD, ALICE, emma, page=5)
    with pytest.raises(InvalidInput, match=r"status shelf.*/progress pause"):
        await service.remove(GUILD, ALICE, emma, "reading")


async def test_a_reread_moves_the_book_back_to_reading(
    service: ShelfService, readings: ReadingService, clock: FakeClock, books: list[int]
) -> None:
    await readings.update_progress(GUILD, ALICE, books[0], page=100)
    clock.advance(days=3)
    await readings.update_progress(GUILD, ALICE, books[0], page=4)
    overview = await service.overview(GUILD, ALICE)
    counts = {s.status: s.count for s in overview.status_shelves}
    assert counts[ReadingStatus.READING] == 1 and counts[ReadingStatus.FINISHED] == 0


async def test_shelf_limits(
    service: ShelfService, books: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shelves_module, "MAX_CUSTOM_SHELVES", 2)
    monkeypatch.setattr(shelves_module, "MAX_BOOKS_PER_SHELF", 2)
    await service.add(GUILD, ALICE, books[0], "one")
    await service.add(GUILD, ALICE, books[0], "two")
    with pytest.raises(Conflict, match="2 shelves of your own"):
        await service.add(GUILD, ALICE, books[0], "three")
    await service.add(GUILD, ALICE, books[1], "one")
    with pytest.raises(Conflict, match="already holds 2 books"):
        await service.add(GUILD, ALICE, books[2], "one")
    # another member (and the same member elsewhere) has their own allowance
    await service.add(GUILD, BOB, books[0], "three")
    await service.add(OTHER_GUILD, ALICE, books[0], "three")


async def test_shelves_stay_in_their_server_and_with_their_member(
    service: ShelfService, books: list[int]
) -> None:
    await service.add(GUILD, ALICE, books[0], "favourites")
    await service.add(GUILD, ALICE, books[1], "reading")
    for guild, user in ((OTHER_GUILD, ALICE), (GUILD, BOB)):
        overview = await service.overview(guild, user)
        assert overview.custom == ()
        assert all(s.count == 0 for s in overview.status_shelves)
        with pytest.raises(NotFound):
            await service.contents(guild, user, "favourites")


async def test_choices_offer_status_then_own_shelves(
    service: ShelfService, books: list[int]
) -> None:
    await service.add(GUILD, ALICE, books[0], "Favourites")
    everything = await service.choices(GUILD, ALICE, "")
    assert [c.value for c in everything][:5] == [
        "reading",
        "paused",
        "want-to-read",
        "finished",
        "did-not-finish",
    ]
    assert everything[-1].name == "Favourites (1)" and everything[-1].value == "Favourites"
    assert [c.value for c in await service.choices(GUILD, ALICE, "fav")] == ["Favourites"]
    assert [c.value for c in await service.choices(GUILD, BOB, "fav")] == []


async def test_the_overview_fits_one_message_with_many_long_shelves(
    service: ShelfService, database: Database, books: list[int]
) -> None:
    long_ids: list[int] = []
    async with database.write() as conn:
        for i in range(4):
            book = await book_repo.upsert(
                conn,
                Book(title=f"{'Long title ' * 30}{i}", authors=("B " * 60,), source="manual"),
                NOW,
            )
            assert book.id is not None
            long_ids.append(book.id)
    for i in range(50):
        for book_id in long_ids:
            await service.add(GUILD, ALICE, book_id, f"shelf number {i:02d} {'x' * 20}")
    for book_id in long_ids:
        await service.add(GUILD, ALICE, book_id, "want-to-read")
    embed = shelf_overview_embed(await service.overview(GUILD, ALICE))
    assert len(embed) <= 6000
    assert "more shelves" in (embed.description or "")
