"""The quotes repository on a real database: positions round-trip, scoping, likes, and the
reader progress (with chapters) the gate is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.db import books as book_repo
from bot.db import quotes as quote_repo
from bot.db.engine import Database
from bot.db.schema import quotes, readings
from bot.domain.book import Book
from bot.domain.progress_gate import Position

GUILD, OTHER = 1001, 1002
ALICE, BOB = 11, 12
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


async def _book(database: Database) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title="Middlemarch", source="manual", page_count=800), NOW
        )
    assert book.id is not None
    return book.id


async def test_quotes_round_trip_positions_and_stay_in_their_server(database: Database) -> None:
    book_id = await _book(database)
    positions = [Position.at_page(12), Position.at_percent(62.5), Position.at_chapter(3)]
    positions.append(Position.end())
    ids = []
    for n, position in enumerate(positions):
        ids.append(
            await database.run_write(
                quote_repo.insert_quote,
                guild_id=GUILD,
                user_id=ALICE if n % 2 == 0 else BOB,
                book_id=book_id,
                text=f"passage {n}",
                note="mine" if n == 0 else None,
                position=position,
                now=NOW + timedelta(minutes=n),
                source_channel_id=5 if n == 0 else None,
                source_message_id=6 if n == 0 else None,
            )
        )
    await database.run_write(quote_repo.set_message, GUILD, ids[0], 900, 901)
    first = await database.run_read(quote_repo.quote_in, GUILD, ids[0])
    assert first is not None
    assert (first.text, first.note, first.position) == ("passage 0", "mine", positions[0])
    assert (first.channel_id, first.message_id) == (900, 901)
    assert (first.source_channel_id, first.source_message_id) == (5, 6)
    assert await database.run_read(quote_repo.quote_in, OTHER, ids[0]) is None

    of_book = await database.run_read(quote_repo.quotes_of_book, GUILD, book_id)
    assert [q.position for q in of_book] == positions[::-1]  # newest first
    alices = await database.run_read(quote_repo.quotes_of_book, GUILD, book_id, ALICE)
    assert [q.text for q in alices] == ["passage 2", "passage 0"]
    assert await database.run_read(quote_repo.quotes_of_book, OTHER, book_id) == []
    spots = await database.run_read(quote_repo.quote_spots, GUILD)
    assert [s.position for s in spots] == positions[::-1]
    assert await database.run_read(quote_repo.quote_spots, OTHER, book_id) == []


async def test_two_positions_are_refused_by_the_database(database: Database) -> None:
    book_id = await _book(database)
    with pytest.raises(IntegrityError):
        async with database.write() as conn:
            await conn.execute(
                quotes.insert().values(
                    guild_id=GUILD,
                    user_id=ALICE,
                    book_id=book_id,
                    text="x",
                    page=3,
                    chapter=2,
                    created_at=NOW,
                )
            )


async def test_likes_toggle_and_count(database: Database) -> None:
    book_id = await _book(database)
    quote_id = await database.run_write(
        quote_repo.insert_quote,
        guild_id=GUILD,
        user_id=ALICE,
        book_id=book_id,
        text="x",
        note=None,
        position=Position.end(),
        now=NOW,
    )
    await database.run_write(quote_repo.put_like, quote_id, BOB, NOW)
    await database.run_write(quote_repo.put_like, quote_id, BOB, NOW)  # a double click
    assert await database.run_read(quote_repo.likes_on, quote_id) == 1
    assert await database.run_read(quote_repo.liked_by, quote_id, BOB)
    stored = await database.run_read(quote_repo.quote_in, GUILD, quote_id)
    assert stored is not None and stored.likes == 1
    await database.run_write(quote_repo.drop_like, quote_id, BOB)
    assert await database.run_read(quote_repo.likes_on, quote_id) == 0
    assert not await database.run_read(quote_repo.liked_by, quote_id, BOB)


async def test_progress_by_book_carries_chapters_newest_first(database: Database) -> None:
    book_id = await _book(database)
    async with database.write() as conn:
        for n, (status, chapter) in enumerate([("finished", None), ("reading", 4)]):
            await conn.execute(
                readings.insert().values(
                    guild_id=GUILD,
                    user_id=BOB,
                    book_id=book_id,
                    status=status,
                    progress_page=100,
                    progress_chapter=chapter,
                    page_count_override=400 if n else None,
                    created_at=NOW + timedelta(days=n),
                    updated_at=NOW,
                )
            )
    by_book = await database.run_read(quote_repo.progress_by_book, GUILD, BOB)
    [newest, older] = by_book[book_id]
    assert (newest.status, newest.chapter, newest.page_count) == ("reading", 4, 400)
    assert (older.status, older.chapter, older.page_count) == ("finished", None, 800)
    assert await database.run_read(quote_repo.progress_by_book, GUILD, BOB, book_id) == by_book
    assert await database.run_read(quote_repo.progress_by_book, OTHER, BOB) == {}
