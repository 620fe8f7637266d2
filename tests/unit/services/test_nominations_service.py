"""Nominations for the club's next read and the want-to-read suggestions, on both backends."""

from __future__ import annotations

import pytest

from bot.db.engine import Database
from bot.db.exports import member_data
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.errors import Conflict, InvalidInput
from bot.services.clubs import ClubService
from bot.services.exports import export_json
from bot.services.nominations import MAX_PITCH_LENGTH, NominationService
from tests.support.fakes import DictNames
from tests.support.ids import SATURDAY_NOON as NOW
from tests.support.seeders import Seeder

GUILD = 1001
OTHER = 2002


async def _book(seeder: Seeder, title: str) -> Book:
    book_id = await seeder.book(title, authors=("An Author",), pages=300)
    return Book(title=title, authors=("An Author",), page_count=300, id=book_id)


async def test_one_nomination_per_member_and_per_book_until_a_pick(
    database: Database, clock: FakeClock
) -> None:
    seeder = Seeder(database, now=NOW)
    names = DictNames({1: "Ann", 2: "Bo"})
    service = NominationService(database, clock, names)
    dune, emma, kindred = [await _book(seeder, t) for t in ("Dune", "Emma", "Kindred")]
    first = await service.nominate(GUILD, 1, dune, "  Sand,\nworms. ")
    assert first.pitch == "Sand, worms." and first.replaced is None and first.count == 1
    again = await service.nominate(GUILD, 1, emma, None)
    assert again.replaced == "Dune" and again.count == 1
    with pytest.raises(Conflict, match="Ann already nominated “Emma”"):
        await service.nominate(GUILD, 2, emma, None)
    await service.nominate(GUILD, 2, dune, "||the end||")
    await service.nominate(OTHER, 1, kindred, None)  # another server's round
    listed = await service.nominations(GUILD)
    assert [(n.nominator, n.nomination.title) for n in listed] == [("Ann", "Emma"), ("Bo", "Dune")]
    with pytest.raises(InvalidInput, match=f"{MAX_PITCH_LENGTH} characters"):
        await service.nominate(GUILD, 1, kindred, "x" * (MAX_PITCH_LENGTH + 1))

    # the member's nomination is in their export
    async with database.read() as conn:
        data = await member_data(conn, GUILD, 2)
    exported = export_json(data, GUILD, 2, NOW)
    assert [n["pitch"] for n in exported["nominations"]] == ["||the end||"]

    clubs = ClubService(database, clock, names)
    await clubs.pick(GUILD, 9, dune, start=None, end=None, channel_id=1)
    assert await service.nominations(GUILD) == []
    assert len(await service.nominations(OTHER)) == 1
    with pytest.raises(Conflict, match="reading “Dune” right now"):
        await service.nominate(GUILD, 1, dune, None)


async def test_suggestions_count_members_never_name_them(
    database: Database, clock: FakeClock
) -> None:
    seeder = Seeder(database, now=NOW)
    service = NominationService(database, clock, DictNames({}))
    dune, emma, kindred, solo = [
        await _book(seeder, t) for t in ("Dune", "Emma", "Kindred", "Solo")
    ]
    assert dune.id and emma.id and kindred.id and solo.id
    for user in (1, 2, 3):
        await seeder.reading(GUILD, user, emma.id, status="want-to-read")
    for user in (1, 2):
        await seeder.reading(GUILD, user, dune.id, status="want-to-read")
        await seeder.reading(GUILD, user, kindred.id, status="want-to-read")
    await seeder.reading(GUILD, 3, kindred.id, status="reading")  # reading: not wanting
    await seeder.reading(GUILD, 1, solo.id, status="want-to-read")  # one member only
    await seeder.reading(OTHER, 5, solo.id, status="want-to-read")  # another server
    found = await service.suggestions(GUILD)
    assert [(s.title, s.members) for s in found] == [("Emma", 3), ("Dune", 2), ("Kindred", 2)]
    await service.nominate(GUILD, 4, emma, None)
    assert [s.title for s in await service.suggestions(GUILD)] == ["Dune", "Kindred"]
    listed = await service.nominations(GUILD)
    assert listed[0].nomination.want_to_read == 3
