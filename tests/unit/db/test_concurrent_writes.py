"""Two write transactions doing the same "insert unless it exists" at once.

SQLite has one writer, so a check-then-insert inside a write transaction cannot race. On
PostgreSQL the second transaction's check does not see the first one's uncommitted row, its
INSERT waits for the first to commit, then fails on the unique key — unless the repository
inserts with ``ON CONFLICT``. :func:`overlapping` forces exactly that interleaving; each case
runs one repository write twice that way and checks that both succeed and the state is right.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from bot.db import books as books_repo
from bot.db import command_sync as command_sync_repo
from bot.db import digest as digest_repo
from bot.db import goals as goals_repo
from bot.db import guild_settings as settings_repo
from bot.db import imports as imports_repo
from bot.db import privacy as privacy_repo
from bot.db import ratings as ratings_repo
from bot.db import reviews as reviews_repo
from bot.db import shelves as shelves_repo
from bot.db.engine import Database
from bot.db.schema import (
    book_isbns,
    books,
    command_sync_state,
    goals,
    guild_books,
    guild_settings,
    member_privacy,
    metadata_search_cache,
    ratings,
    review_flags,
    review_likes,
    scale_labels,
    shelf_books,
)
from bot.domain.book import Book
from bot.domain.review import ReviewDraft
from bot.domain.shelves import validate_shelf_name
from tests.support.ids import WEDNESDAY_NOON as NOW

GUILD, ALICE, BOB = 10, 20, 30
ISBN = "9780140328721"

Write = Callable[[AsyncConnection], Awaitable[Any]]


async def _wait_for_a_lock_waiter(database: Database) -> None:
    """Until a session of this database waits on a lock (at most ~2 s)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with database.engine.connect() as conn:
        for _ in range(100):
            waiting = (await conn.execute(query)).scalar_one()
            await conn.rollback()  # pg_stat_activity is a snapshot per transaction
            if waiting:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first one's row")


async def overlapping(database: Database, write: Write) -> tuple[Any, Any]:
    """Run ``write`` in two write transactions: the second starts after the first has written
    and before it commits. The first commits once the second is waiting on its row (on
    PostgreSQL; SQLite's second writer waits for the first to finish)."""
    written = asyncio.Event()
    release = asyncio.Event()

    async def first() -> Any:
        async with database.write() as conn:
            result = await write(conn)
            written.set()
            await release.wait()
        return result

    async def second() -> Any:
        async with database.write() as conn:
            return await write(conn)

    first_task = asyncio.create_task(first())
    await written.wait()
    second_task = asyncio.create_task(second())
    if database.backend == "postgresql":  # SQLite's second writer waits for the first anyway
        await _wait_for_a_lock_waiter(database)
    release.set()
    return await first_task, await second_task


async def _count(database: Database, table: Any) -> int:
    async with database.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _a_book(conn: AsyncConnection) -> int:
    stored = await books_repo.upsert(conn, Book(title="Fantastic Mr Fox", source="manual"), NOW)
    assert stored.id is not None
    return stored.id


@dataclass
class Case:
    name: str
    prepare: Callable[[AsyncConnection], Awaitable[Any]]  # returns what ``write`` needs
    write: Callable[[AsyncConnection, Any], Awaitable[Any]]
    table: Any
    rows: int  # rows of ``table`` afterwards


async def _nothing(conn: AsyncConnection) -> None:
    return None


async def _review(conn: AsyncConnection) -> int:
    book_id = await _a_book(conn)
    return await reviews_repo.insert(conn, GUILD, ALICE, book_id, ReviewDraft(body="Sly."), NOW)


async def _shelf(conn: AsyncConnection) -> tuple[shelves_repo.Shelf, int]:
    book_id = await _a_book(conn)
    shelf = await shelves_repo.create(conn, GUILD, ALICE, validate_shelf_name("Foxes"), NOW)
    return shelf, book_id


async def _upsert_work(conn: AsyncConnection, _: None) -> int | None:
    book = Book(title="Fantastic Mr Fox", ol_work_key="OL45804W", isbn13=ISBN, isbns=(ISBN,))
    return (await books_repo.upsert(conn, book, NOW)).id


async def _insert_imported(conn: AsyncConnection, _: None) -> list[int]:
    book = Book(title="Imported Fox", isbn13=ISBN, source="import")
    return await imports_repo.insert_books(conn, [book], NOW, GUILD)


CASES = [
    Case("books.upsert (the work)", _nothing, _upsert_work, books, 1),
    Case("books.upsert (its ISBNs)", _nothing, _upsert_work, book_isbns, 1),
    Case(
        "books.link_guild",
        _a_book,
        lambda conn, book: books_repo.link_guild(conn, GUILD, book, ALICE, NOW),
        guild_books,
        1,
    ),
    Case(
        "imports.link_books",
        _a_book,
        lambda conn, book: imports_repo.link_books(conn, GUILD, ALICE, [book], NOW),
        guild_books,
        1,
    ),
    Case(
        "books.store_search",
        _a_book,
        lambda conn, book: books_repo.store_search(
            conn, "fox", [book], NOW, NOW + timedelta(days=1)
        ),
        metadata_search_cache,
        1,
    ),
    Case(
        "command_sync.set_hash",
        _nothing,
        lambda conn, _: command_sync_repo.set_hash(conn, "global", "abc", NOW),
        command_sync_state,
        1,
    ),
    Case(
        "guild_settings.update",
        _nothing,
        lambda conn, _: settings_repo.update(conn, GUILD, NOW, review_channel_id=5),
        guild_settings,
        1,
    ),
    Case(
        "digest.save_schedule",
        _nothing,
        lambda conn, _: digest_repo.save_schedule(
            conn, GUILD, channel_id=5, weekday=0, hour=9, timezone="UTC", now=NOW
        ),
        guild_settings,
        1,
    ),
    Case(
        "guild_settings.set_label",
        _nothing,
        lambda conn, _: settings_repo.set_label(conn, GUILD, 20, "Perfect"),
        scale_labels,
        1,
    ),
    Case(
        "ratings.put",
        _a_book,
        lambda conn, book: ratings_repo.put(conn, GUILD, ALICE, book, 8, NOW),
        ratings,
        1,
    ),
    Case(
        "goals.put",
        _nothing,
        lambda conn, _: goals_repo.put(conn, GUILD, ALICE, 2026, 12, NOW),
        goals,
        1,
    ),
    Case(
        "privacy.set_digest_opt_in",
        _nothing,
        lambda conn, _: privacy_repo.set_digest_opt_in(conn, GUILD, ALICE, False, NOW),
        member_privacy,
        1,
    ),
    Case(
        "reviews.add_like",
        _review,
        lambda conn, review: reviews_repo.add_like(conn, review, BOB, NOW),
        review_likes,
        1,
    ),
    Case(
        "reviews.add_flag",
        _review,
        lambda conn, review: reviews_repo.add_flag(conn, review, BOB, "spoilers", NOW),
        review_flags,
        1,
    ),
    Case(
        "shelves.add_book",
        _shelf,
        lambda conn, shelf_book: shelves_repo.add_book(conn, *shelf_book, NOW),
        shelf_books,
        1,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_the_same_write_twice_at_once(database: Database, case: Case) -> None:
    async with database.write() as conn:
        given = await case.prepare(conn)
    first, second = await overlapping(database, lambda conn: case.write(conn, given))
    assert await _count(database, case.table) == case.rows
    if isinstance(first, bool):  # "added": exactly one of the two did it
        assert (first, second) == (True, False)
    if case.write is _upsert_work:
        assert first == second  # the second found the first's book


async def test_two_imports_of_one_unmatched_book_at_once_make_two_books(
    database: Database,
) -> None:
    """Two imports of the same unmatched book at once: two member-made books, each keeping
    the ISBN on its own row; nothing is filed for other servers' lookups."""

    async def one() -> Any:
        async with database.write() as conn:
            return await _insert_imported(conn, None)

    # nothing shared is written (no ISBN filing), so on PostgreSQL they need not wait
    first, second = await asyncio.gather(one(), one())
    assert second != first
    async with database.read() as conn:
        assert (await conn.execute(select(book_isbns.c.book_id))).all() == []
        isbns = (await conn.execute(select(books.c.isbn13).order_by(books.c.id))).scalars()
        assert len(set(isbns.all())) == 1


class _CommitsOtherAfterInsert:
    """An AsyncConnection that, right after its first INSERT into ``table``, lets another
    transaction commit (and waits until it has)."""

    def __init__(
        self, conn: AsyncConnection, table: Any, other_commits: Callable[[], Awaitable[None]]
    ) -> None:
        self._conn = conn
        self._table = table
        self._other_commits: Callable[[], Awaitable[None]] | None = other_commits

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        result = await self._conn.execute(statement, *args, **kwargs)
        other_commits = self._other_commits
        if other_commits and isinstance(statement, Insert) and statement.table is self._table:
            self._other_commits = None
            await other_commits()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.mark.postgresql_only(reason="SQLite has one writer: nothing else commits meanwhile")
async def test_an_import_gets_its_own_new_ids_when_another_commits_meanwhile(
    database: Database,
) -> None:
    """Two members of one server import at the same instant; the other import commits between
    this one's INSERT and its reading back of the new ids."""
    written, commit, committed = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def other() -> list[int]:
        async with database.write() as conn:
            ids = await imports_repo.insert_books(conn, [Book(title="Other")], NOW, GUILD)
            written.set()
            await commit.wait()
        committed.set()
        return ids

    async def let_other_commit() -> None:
        commit.set()
        await committed.wait()

    other_task = asyncio.create_task(other())
    await written.wait()
    async with database.write() as conn:
        proxy: Any = _CommitsOtherAfterInsert(conn, books, let_other_commit)
        mine = await imports_repo.insert_books(proxy, [Book(title="Mine")], NOW, GUILD)
    theirs = await other_task
    async with database.read() as conn:
        titles = dict((await conn.execute(select(books.c.id, books.c.title))).all())
    assert [titles[i] for i in mine] == ["Mine"]
    assert [titles[i] for i in theirs] == ["Other"]
