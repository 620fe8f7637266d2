"""Database.run_write / run_read: one unit of work, one transaction, on either backend."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.db import guild_settings as settings_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Connection, Database
from bot.db.schema import ratings
from bot.domain.clock import FakeClock
from bot.errors import InvalidInput
from bot.services.ratings import RatingService

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
GUILD = 77


async def _book(database: Database) -> int:
    from bot.db import books as book_repo
    from bot.domain.book import Book

    async with database.write() as conn:
        book = await book_repo.upsert(conn, Book(title="Kindred", authors=("Octavia Butler",)), NOW)
    assert book.id is not None
    return book.id


def _count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(ratings)).scalar_one())


async def test_a_unit_commits_when_it_returns(database: Database) -> None:
    book_id = await _book(database)
    previous = await database.run_write(rating_repo.put_rating, GUILD, 1, book_id, 14, NOW)
    assert previous is None
    assert await database.run_read(rating_repo.rating_of, GUILD, 1, book_id) == 14
    async with database.read() as conn:  # the async path sees the same row
        assert await rating_repo.get(conn, GUILD, 1, book_id) == 14


async def test_a_unit_that_raises_writes_nothing_and_the_error_reaches_the_caller(
    database: Database,
) -> None:
    book_id = await _book(database)

    def half_done(conn: Connection) -> None:
        rating_repo.put_rating(conn, GUILD, 2, book_id, 10, NOW)
        raise InvalidInput("changed my mind")

    with pytest.raises(InvalidInput, match="changed my mind"):
        await database.run_write(half_done)
    assert await database.run_read(_count) == 0


async def test_a_cancelled_caller_does_not_cut_a_unit_in_half(database: Database) -> None:
    """Cancelling the awaiting task (a shutdown, a timeout) leaves the unit whole: both
    rows or none, never one."""
    book_id = await _book(database)
    started = threading.Event()

    def two_rows(conn: Connection) -> None:
        rating_repo.put_rating(conn, GUILD, 3, book_id, 8, NOW)
        started.set()
        threading.Event().wait(0.3)  # the caller is cancelled while the unit runs
        rating_repo.put_rating(conn, GUILD, 4, book_id, 8, NOW)

    task = asyncio.ensure_future(database.run_write(two_rows))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(50):
        if await database.run_read(_count) == 2:
            break
        await asyncio.sleep(0.05)
    assert await database.run_read(_count) == 2


async def test_concurrent_rates_of_one_member_leave_one_rating_and_a_true_history(
    database: Database,
) -> None:
    """Fifty /rate at once for one member: each sees the one before it (no lost update),
    on SQLite's writer thread as on PostgreSQL's row locks."""
    book_id = await _book(database)
    service = RatingService(database, FakeClock(NOW))
    values = [str(1 + (i % 9) * 0.5) for i in range(50)]
    results = await asyncio.gather(*(service.rate(GUILD, 9, book_id, v) for v in values))
    assert sum(1 for r in results if r.previous is None) == 1
    assert await database.run_read(_count) == 1
    assert all(r.summary.count == 1 for r in results)


async def test_an_off_step_rating_is_refused_inside_the_unit(database: Database) -> None:
    book_id = await _book(database)
    async with database.write() as conn:
        from bot.domain.stars import RatingStep

        await settings_repo.set_rating_step(conn, GUILD, RatingStep.WHOLE, NOW)
    service = RatingService(database, FakeClock(NOW))
    with pytest.raises(InvalidInput):
        await service.rate(GUILD, 5, book_id, "3.5")
    assert await database.run_read(_count) == 0
    assert (await service.rate(GUILD, 5, book_id, "4")).stars.quarters == 16


async def test_a_nested_unit_is_refused_rather_than_deadlocking(database: Database) -> None:
    async with database.write():
        with pytest.raises(RuntimeError, match="nested write"):
            await database.run_write(_count)


async def test_sqlite_units_run_in_real_transactions(database: Database) -> None:
    """On SQLite a write unit holds the write lock from its start (BEGIN IMMEDIATE, so two
    writers queue instead of failing on a lock upgrade) and a read unit is one snapshot;
    the BEGIN is the units' own, so their engine has no per-statement event to dispatch."""
    if database.backend != "sqlite":
        pytest.skip("SQLite's units of work")
    assert database._units is not None
    assert not database._units.engine._has_events

    def state(conn: Connection) -> tuple[bool, bool]:
        raw = conn.connection.driver_connection
        assert raw is not None
        in_transaction = bool(raw.in_transaction)
        # another connection may not start writing while this unit runs (only if it holds
        # the write lock: a plain BEGIN takes none until the first write)
        other = database._units.engine.raw_connection()  # type: ignore[union-attr]
        try:
            other.driver_connection.execute("PRAGMA busy_timeout = 0")
            try:
                other.driver_connection.execute("BEGIN IMMEDIATE")
            except Exception:
                locked = True
            else:
                other.driver_connection.execute("ROLLBACK")
                locked = False
        finally:
            other.close()
        return in_transaction, locked

    assert await database.run_write(state) == (True, True)
    assert await database.run_read(state) == (True, False)


async def test_a_cancelled_read_that_has_not_started_is_skipped_a_write_is_not() -> None:
    from bot.db.sqlite import Workers

    workers = Workers(1, "test-worker")
    release = threading.Event()
    ran: list[str] = []
    try:
        busy = asyncio.create_task(workers.run(release.wait, skip_if_cancelled=False))
        await asyncio.sleep(0.05)  # the one thread is busy now
        read = asyncio.create_task(workers.run(lambda: ran.append("read"), skip_if_cancelled=True))
        write = asyncio.create_task(
            workers.run(lambda: ran.append("write"), skip_if_cancelled=False)
        )
        await asyncio.sleep(0)
        read.cancel()
        write.cancel()
        release.set()
        assert await busy is True
        with pytest.raises(asyncio.CancelledError):
            await write
        with pytest.raises(asyncio.CancelledError):
            await read
        assert await workers.run(lambda: "after", skip_if_cancelled=True) == "after"
        assert ran == ["write"]  # the write ran whole although nobody waited for it
        with pytest.raises(ZeroDivisionError):  # an error reaches the caller
            await workers.run(lambda: 1 / 0, skip_if_cancelled=False)
    finally:
        release.set()
        workers.close()
