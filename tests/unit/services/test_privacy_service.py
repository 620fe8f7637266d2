"""PrivacyService: forgetting a member in one server (and only there), the digest choice,
and purging a server's data 30 days after the bot left it (FakeClock)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select

from bot.db import books as book_repo
from bot.db import digest as digest_repo
from bot.db import guild_settings as settings_repo
from bot.db import quotes as quote_repo
from bot.db import ratings as rating_repo
from bot.db import reviews as review_repo
from bot.db.engine import Database
from bot.db.schema import (
    books,
    club_checkpoints,
    clubs,
    command_sync_state,
    goals,
    guild_books,
    member_privacy,
    member_settings,
    metadata,
    progress_events,
    quote_likes,
    quotes,
    readings,
    review_flags,
    review_likes,
    shelf_books,
    shelves,
)
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.progress_gate import Position
from bot.domain.review import ReviewDraft
from bot.services.privacy import RETENTION, PrivacyService
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD
from tests.support.ids import WEDNESDAY_NOON as NOW


@pytest.fixture
def service(database: Database, clock: FakeClock) -> PrivacyService:
    return PrivacyService(database, clock)


async def _member_data(database: Database, guild_id: int, user_id: int, book_id: int) -> int:
    """A rating, a posted review, a reading with an event, a shelf, a goal, a digest
    choice; returns the review id."""
    async with database.write() as conn:
        await book_repo.link_guild(conn, guild_id, book_id, user_id, NOW)
        await rating_repo.put(conn, guild_id, user_id, book_id, 14, NOW)
        review_id = await review_repo.insert(
            conn, guild_id, user_id, book_id, ReviewDraft(body="Mine."), NOW
        )
        await review_repo.set_posted(conn, guild_id, review_id, 900 + guild_id, [5000 + user_id])
        await review_repo.claim_thread(conn, guild_id, review_id, 7000 + user_id)
        await review_repo.add_strays(conn, guild_id, review_id, [(950, 6000 + user_id)])
        reading = await conn.execute(
            readings.insert().values(
                guild_id=guild_id,
                user_id=user_id,
                book_id=book_id,
                status="reading",
                started_on=date(2026, 11, 1),
                progress_chapter=4,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        await conn.execute(
            progress_events.insert().values(
                reading_id=reading.inserted_primary_key[0],  # type: ignore[index]
                guild_id=guild_id,
                user_id=user_id,
                book_id=book_id,
                kind="start",
                occurred_at=NOW,
            )
        )
        shelf = await conn.execute(
            shelves.insert().values(
                guild_id=guild_id, user_id=user_id, name="faves", name_key="faves", created_at=NOW
            )
        )
        await conn.execute(
            shelf_books.insert().values(
                shelf_id=shelf.inserted_primary_key[0],  # type: ignore[index]
                book_id=book_id,
                added_at=NOW,
            )
        )
        await conn.execute(
            goals.insert().values(
                guild_id=guild_id, user_id=user_id, year=2026, target=12, updated_at=NOW
            )
        )
        await conn.execute(
            member_privacy.insert().values(
                guild_id=guild_id, user_id=user_id, digest_opt_in=False, updated_at=NOW
            )
        )
        await conn.execute(
            member_settings.insert().values(
                guild_id=guild_id, user_id=user_id, timezone="Pacific/Auckland", updated_at=NOW
            )
        )
    return review_id


@pytest.fixture
async def seeded(database: Database) -> dict[str, int]:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn,
            Book(title="Dune", authors=("Frank Herbert",), source="manual"),
            NOW,
            created_by_guild_id=GUILD,
        )
    assert book.id is not None
    ids = {
        "book": book.id,
        "alice": await _member_data(database, GUILD, ALICE, book.id),
        "bob": await _member_data(database, GUILD, BOB, book.id),
        "alice_elsewhere": await _member_data(database, OTHER_GUILD, ALICE, book.id),
    }
    async with database.write() as conn:
        await review_repo.add_like(conn, ids["bob"], ALICE, NOW)  # Alice likes Bob's review
        await review_repo.add_flag(conn, ids["bob"], ALICE, "spam", NOW)
        await review_repo.add_like(conn, ids["alice"], BOB, NOW)  # Bob likes Alice's
        await review_repo.add_flag(conn, ids["alice"], BOB, "other", NOW)
        await review_repo.add_like(conn, ids["alice_elsewhere"], BOB, NOW)
    for who, guild_id, name in (
        (ALICE, GUILD, "alice"),
        (BOB, GUILD, "bob"),
        (ALICE, OTHER_GUILD, "alice_elsewhere"),
    ):
        for n, position in enumerate((Position.at_page(3), Position.end())):
            quote_id = await database.run_write(
                quote_repo.insert_quote,
                guild_id=guild_id,
                user_id=who,
                book_id=book.id,
                text=f"{name} quote {n}",
                note=None,
                position=position,
                now=NOW,
            )
            ids[f"{name}_quote_{n}"] = quote_id
    # Alice's first quote is posted; the second one is not
    await database.run_write(quote_repo.set_message, GUILD, ids["alice_quote_0"], 990, 8000)
    await database.run_write(quote_repo.put_like, ids["bob_quote_0"], ALICE, NOW)  # given
    await database.run_write(quote_repo.put_like, ids["alice_quote_0"], ALICE, NOW)  # her own
    await database.run_write(quote_repo.put_like, ids["alice_quote_0"], BOB, NOW)  # received
    await database.run_write(quote_repo.put_like, ids["alice_quote_1"], BOB, NOW)
    await database.run_write(quote_repo.put_like, ids["alice_elsewhere_quote_0"], BOB, NOW)
    await database.run_write(quote_repo.put_like, ids["alice_elsewhere_quote_1"], ALICE, NOW)
    return ids


async def _rows(database: Database, table: Table, **where: Any) -> list[dict[str, Any]]:
    async with database.read() as conn:
        query = select(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return [dict(r) for r in (await conn.execute(query)).mappings()]


async def _guild_rows(database: Database, guild_id: int) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with database.read() as conn:
        for table in metadata.sorted_tables:
            if "guild_id" in table.c:
                rows = await conn.execute(select(table).where(table.c.guild_id == guild_id))
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def test_forget_me_deletes_everything_of_the_member_here_only(
    database: Database, service: PrivacyService, seeded: dict[str, int]
) -> None:
    other_before = await _guild_rows(database, OTHER_GUILD)
    preview, posts, quote_posts = await service.preview(GUILD, ALICE)
    result = await service.forget(GUILD, ALICE)
    assert result.deleted == preview and posts == 1 and quote_posts == 1
    deleted = result.deleted
    assert (deleted.ratings, deleted.reviews, deleted.readings, deleted.progress_events) == (
        1,
        1,
        1,
        1,
    )
    assert (deleted.shelves, deleted.shelf_entries, deleted.goals, deleted.privacy) == (1, 1, 1, 1)
    assert (deleted.likes, deleted.flags) == (1, 1)
    assert (deleted.likes_received, deleted.flags_received) == (1, 1)
    assert deleted.settings == 1 and deleted.other == 0  # the time zone, listed by name
    [post] = result.posts
    assert post.channel_id == 901 and post.message_ids == (5000 + ALICE,)
    assert post.thread_id == 7000 + ALICE
    assert post.strays == ((950, 6000 + ALICE),)  # a failed post's leftovers go too
    # quotes: her 2, the 3 likes on them (hers included), her like on Bob's quote
    assert (deleted.quotes, deleted.quote_likes_received, deleted.quote_likes) == (2, 3, 1)
    assert result.quote_posts == ((990, 8000),)
    assert {q["text"] for q in await _rows(database, quotes, guild_id=GUILD)} == {
        "bob quote 0",
        "bob quote 1",
    }
    # in the other server her quotes and the likes on them (her own too) stay
    assert len(await _rows(database, quotes, guild_id=OTHER_GUILD, user_id=ALICE)) == 2
    assert sorted(
        (r["quote_id"], r["user_id"]) for r in await _rows(database, quote_likes)
    ) == sorted(
        [
            (seeded["alice_elsewhere_quote_0"], BOB),
            (seeded["alice_elsewhere_quote_1"], ALICE),
        ]
    )

    for table in metadata.sorted_tables:
        if {"guild_id", "user_id"} <= set(table.c.keys()):
            assert await _rows(database, table, guild_id=GUILD, user_id=ALICE) == [], table.name
    assert await _rows(database, review_likes, user_id=ALICE) == []
    assert await _rows(database, review_flags, user_id=ALICE) == []
    assert [r["user_id"] for r in await _rows(database, review_likes)] == [BOB]  # elsewhere
    # Bob keeps his data in the server; Alice keeps hers in the other server
    assert len(await _rows(database, readings, guild_id=GUILD, user_id=BOB)) == 1
    assert await _guild_rows(database, OTHER_GUILD) == other_before
    # the book stays in the server's catalogue, without her name on it
    assert {r["added_by"] for r in await _rows(database, guild_books, guild_id=GUILD)} == {None}
    again, _, _ = await service.preview(GUILD, ALICE)
    assert again.empty


async def test_digest_choice(database: Database, service: PrivacyService) -> None:
    assert await service.digest_opt_in(GUILD, ALICE)
    assert await service.set_digest(GUILD, ALICE, False)
    assert not await service.set_digest(GUILD, ALICE, False)  # already so
    async with database.read() as conn:
        assert await digest_repo.opted_out(conn, GUILD) == frozenset({ALICE})
        assert await digest_repo.opted_out(conn, OTHER_GUILD) == frozenset()
    assert await service.set_digest(GUILD, ALICE, True)
    assert await service.digest_opt_in(GUILD, ALICE)


async def _add_club(database: Database, guild_id: int, book_id: int) -> None:
    async with database.write() as conn:
        club = await conn.execute(
            clubs.insert().values(
                guild_id=guild_id, book_id=book_id, created_by=ALICE, created_at=NOW
            )
        )
        await conn.execute(
            club_checkpoints.insert().values(
                club_id=club.inserted_primary_key[0],  # type: ignore[index]
                label="Part One",
                reach_kind="page",
                reach_value=100,
                due_on=date(2026, 12, 1),
                created_at=NOW,
            )
        )
        await conn.execute(
            command_sync_state.insert().values(
                scope=str(guild_id), payload_hash="x" * 64, synced_at=NOW
            )
        )


async def test_a_guild_is_purged_30_days_after_the_bot_left(
    database: Database, service: PrivacyService, clock: FakeClock, seeded: dict[str, int]
) -> None:
    await _add_club(database, GUILD, seeded["book"])
    other_before = await _guild_rows(database, OTHER_GUILD)
    await service.guild_left(GUILD)
    [settings] = await _rows(database, settings_repo.guild_settings, guild_id=GUILD)
    assert settings["left_at"] == NOW
    clock.advance(RETENTION - timedelta(minutes=1))
    assert await service.purge_due() == []
    assert await _rows(database, readings, guild_id=GUILD)
    clock.advance(minutes=1)
    [purge] = await service.purge_due()
    assert purge.guild_id == GUILD and purge.total > 0
    assert purge.rows["review_likes"] == 2 and purge.rows["club_checkpoints"] == 1
    assert purge.rows["member_settings"] == 2  # Alice's and Bob's time zones
    assert purge.rows["quotes"] == 4 and purge.rows["quote_likes"] == 4
    # the other server's quotes and the likes on them stay (likes have no guild_id)
    assert len(await _rows(database, quotes, guild_id=OTHER_GUILD)) == 2
    assert len(await _rows(database, quote_likes)) == 2
    assert all(rows == [] for rows in (await _guild_rows(database, GUILD)).values())
    assert await _rows(database, command_sync_state, scope=str(GUILD)) == []
    assert await _rows(database, shelf_books, book_id=seeded["book"]) != []  # the other guild's
    assert await _guild_rows(database, OTHER_GUILD) == other_before
    [book] = await _rows(database, books)
    assert book["created_by_guild_id"] is None  # the shared metadata stays
    assert await service.purge_due() == []


async def test_rejoining_within_30_days_keeps_everything(
    database: Database, service: PrivacyService, clock: FakeClock, seeded: dict[str, int]
) -> None:
    before = await _guild_rows(database, GUILD)
    await service.guild_left(GUILD)
    clock.advance(days=29)
    assert await service.guild_joined(GUILD)
    clock.advance(days=60)
    assert await service.purge_due() == []
    after = await _guild_rows(database, GUILD)
    assert {k: v for k, v in after.items() if k != "guild_settings"} == {
        k: v for k, v in before.items() if k != "guild_settings"
    }


async def test_leaving_twice_keeps_the_first_date_and_a_present_guild_is_never_purged(
    database: Database, service: PrivacyService, clock: FakeClock, seeded: dict[str, int]
) -> None:
    await service.guild_left(GUILD)
    clock.advance(days=3)
    await service.guild_left(GUILD)
    [settings] = await _rows(database, settings_repo.guild_settings, guild_id=GUILD)
    assert settings["left_at"] == NOW
    clock.advance(days=40)
    assert await service.purge_due(present={GUILD}) == []  # the bot is there after all
    [settings] = await _rows(database, settings_repo.guild_settings, guild_id=GUILD)
    assert settings["left_at"] is None
    assert await _rows(database, readings, guild_id=GUILD)


async def test_reconcile_catches_up_with_what_happened_offline(
    database: Database, service: PrivacyService, seeded: dict[str, int]
) -> None:
    await service.guild_left(GUILD)
    # the bot is in GUILD again; OTHER_GUILD is gone, but served by another process
    await service.reconcile([GUILD], owns=lambda guild_id: False)
    assert (await _rows(database, settings_repo.guild_settings, guild_id=GUILD))[0][
        "left_at"
    ] is None
    assert await _rows(database, settings_repo.guild_settings, guild_id=OTHER_GUILD) == []
    await service.reconcile([GUILD], owns=lambda guild_id: True)
    [other] = await _rows(database, settings_repo.guild_settings, guild_id=OTHER_GUILD)
    assert other["left_at"] == NOW


async def test_only_the_process_serving_a_server_purges_it(
    database: Database, service: PrivacyService, clock: FakeClock, seeded: dict[str, int]
) -> None:
    """Several processes (SPEC §13): each purges only the servers of its own shards, so a
    server is purged by exactly one of them."""
    await service.guild_left(GUILD)
    clock.advance(days=31)
    assert await service.purge_due(owns=lambda guild_id: guild_id != GUILD) == []
    assert await _rows(database, readings, guild_id=GUILD)
    [purge] = await service.purge_due(owns=lambda guild_id: guild_id == GUILD)
    assert purge.guild_id == GUILD
    assert not await _rows(database, readings, guild_id=GUILD)
