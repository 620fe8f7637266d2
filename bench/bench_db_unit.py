"""The database path of one /rate: the shipped service against bare sqlite3, in one run.

Issue 11 §3 targets, measured here as ratios in the same run on the same file:

* ``RatingService.rate`` at 1 concurrent (the service's whole unit of work as shipped);
* the /rate unit of work alone, on the database's writer thread (what ``run_write`` runs
  after its one hop: the transaction and its statements through SQLAlchemy);
* the same unit written with the standard library's ``sqlite3`` (the floor: SQLite itself,
  the statements /rate runs — settings, labels, the previous rating, the upsert, the
  distribution — in one ``BEGIN IMMEDIATE`` transaction).

Prints p50/p99 of each and the ratio shipped ÷ bare. Never asserts times.

Run: .venv/bin/python -m bench.bench_db_unit [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._stats import summary
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import SystemClock
from bot.services.ratings import RatingService, _rate

GUILD = 1
VALUES = ("0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5")


async def _prepare(url: str) -> tuple[Database, int]:
    database = Database.from_url(url)
    await migrate.upgrade(database)
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title="The Dispossessed", authors=("Ursula K. Le Guin",)), datetime.now(UTC)
        )
    assert book.id is not None
    return database, book.id


async def _shipped(database: Database, book_id: int, requests: int) -> list[float]:
    service = RatingService(database, SystemClock())
    samples: list[float] = []
    for index in range(requests):
        started = time.perf_counter()
        await service.rate(GUILD, 1000 + index % 100, book_id, VALUES[index % len(VALUES)])
        samples.append(time.perf_counter() - started)
    return samples


def _unit_on_its_thread(database: Database, book_id: int, requests: int) -> list[float]:
    units = database._units
    assert units is not None, "SQLite file expected"
    samples: list[float] = []
    for index in range(requests):
        user, value = 3000 + index % 100, VALUES[index % len(VALUES)]
        now = datetime.now(UTC)
        started = time.perf_counter()
        units._write(lambda conn: _rate(conn, GUILD, user, book_id, value, now))  # noqa: B023
        samples.append(time.perf_counter() - started)
    return samples


def _bare(path: Path, book_id: int, requests: int) -> list[float]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    samples: list[float] = []
    for index in range(requests):
        user = 5000 + index % 100
        quarters = 2 + index % 19
        now = datetime.now(UTC).isoformat()
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("SELECT * FROM guild_settings WHERE guild_id = ?", (GUILD,)).fetchone()
        connection.execute(
            "SELECT quarters, label FROM scale_labels WHERE guild_id = ?", (GUILD,)
        ).fetchall()
        connection.execute(
            "SELECT quarters FROM ratings WHERE guild_id = ? AND user_id = ? AND book_id = ?",
            (GUILD, user, book_id),
        ).fetchone()
        connection.execute(
            "INSERT INTO ratings (guild_id, user_id, book_id, quarters, source, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 'discord', ?, ?) ON CONFLICT (guild_id, user_id,"
            " book_id) DO UPDATE SET quarters = excluded.quarters,"
            " updated_at = excluded.updated_at",
            (GUILD, user, book_id, quarters, now, now),
        )
        connection.execute(
            "SELECT quarters, count(*) FROM ratings WHERE guild_id = ? AND book_id = ?"
            " GROUP BY quarters",
            (GUILD, book_id),
        ).fetchall()
        connection.execute("COMMIT")
        samples.append(time.perf_counter() - started)
    connection.close()
    return samples


async def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        database, book_id = await _prepare(f"sqlite:///{path}")
        try:
            await _shipped(database, book_id, 50)  # warm-up
            _bare(path, book_id, 50)
            shipped = summary(
                "RatingService.rate (shipped)", await _shipped(database, book_id, requests)
            )
            unit = summary(
                "/rate unit on the writer thread",
                await asyncio.to_thread(_unit_on_its_thread, database, book_id, requests),
            )
            bare = summary("bare sqlite3, same statements", _bare(path, book_id, requests))
        finally:
            await database.close()
    print(f"ratio shipped/bare p50: {shipped['p50_ms'] / bare['p50_ms']:.1f}x")
    print(f"ratio unit/bare p50:    {unit['p50_ms'] / bare['p50_ms']:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    asyncio.run(main(parser.parse_args().requests))
