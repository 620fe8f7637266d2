"""The read path of ``/quote list`` for a book with 2,000 quotes, against bare SQL, in one run.

A server where 50 members saved 2,000 quotes of one 1,000-page book (spread over every page,
a quarter of them liked three times), and a viewer half-way through it (p. 500). Measured
on the same SQLite file:

* the list's read as the service will run it: one ``Database.run_read`` unit of work with
  the repository's queries (:func:`bot.db.quotes.quotes_of_book`, the newest
  :data:`~bot.db.quotes.QUOTE_SCAN_LIMIT` quotes with their like counts, and
  :func:`bot.db.quotes.progress_by_book`, the viewer's read-throughs), then the progress
  gate (:func:`bot.domain.progress_gate.progress_reached`) keeping the quotes the viewer
  has reached;
* the same two SELECTs with the standard library's ``sqlite3`` on a plain connection,
  every row fetched (the floor: SQLite's own work).

Prints p50/p99 of each (and of the gate alone) and the ratios shipped ÷ bare. Never asserts times.

Run: .venv/bin/python -m bench.bench_quote_list [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Connection

from bench._stats import summary
from bot.db import books as book_repo
from bot.db import migrate
from bot.db import quotes as quote_repo
from bot.db.engine import Database
from bot.db.quotes import StoredQuote
from bot.db.schema import readings
from bot.domain.book import Book
from bot.domain.progress_gate import Position, ReadingProgress, progress_reached

GUILD = 1
VIEWER = 9_999
QUOTES = 2_000
MEMBERS = 50
PAGES = 1_000
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)

BARE_QUOTES = (
    "SELECT quotes.id, quotes.guild_id, quotes.user_id, quotes.book_id, quotes.text,"
    " quotes.note, quotes.page, quotes.percent, quotes.chapter, quotes.channel_id,"
    " quotes.message_id, quotes.source_channel_id, quotes.source_message_id,"
    " quotes.created_at, (SELECT count(*) FROM quote_likes"
    " WHERE quote_likes.quote_id = quotes.id) AS likes"
    " FROM quotes WHERE quotes.guild_id = ? AND quotes.book_id = ?"
    " ORDER BY quotes.created_at DESC, quotes.id DESC LIMIT ?"
)
BARE_PROGRESS = (
    "SELECT readings.book_id, readings.status, readings.progress_page,"
    " readings.progress_percent, readings.progress_chapter,"
    " coalesce(readings.page_count_override, books.page_count) AS pages, readings.created_at"
    " FROM readings JOIN books ON books.id = readings.book_id"
    " WHERE readings.guild_id = ? AND readings.user_id = ? AND readings.book_id = ?"
    " ORDER BY readings.created_at DESC, readings.id DESC"
)


def _seed(conn: Connection, book_id: int) -> None:
    rng = random.Random(12)
    for n in range(QUOTES):
        kind = n % 4
        if kind == 0:
            position = Position.at_percent(round(rng.uniform(0, 100), 1))
        elif kind == 1:
            position = Position.at_chapter(rng.randint(1, 40))
        elif kind == 2:
            position = Position.end()
        else:
            position = Position.at_page(rng.randint(1, PAGES))
        if n % 2 == 0:  # half of them by page: the common case
            position = Position.at_page(rng.randint(1, PAGES))
        quote_id = quote_repo.insert_quote(
            conn,
            guild_id=GUILD,
            user_id=100 + n % MEMBERS,
            book_id=book_id,
            text=f"Passage {n}: " + "words of the book " * rng.randint(3, 30),
            note="why it matters" if n % 5 == 0 else None,
            position=position,
            now=NOW - timedelta(minutes=QUOTES - n),
        )
        if n % 4 == 0:
            for liker in range(3):
                quote_repo.put_like(conn, quote_id, 200 + (n + liker) % MEMBERS, NOW)
    conn.execute(
        readings.insert().values(
            guild_id=GUILD,
            user_id=VIEWER,
            book_id=book_id,
            status="reading",
            started_on=date(2026, 11, 1),
            progress_page=PAGES // 2,
            progress_chapter=20,
            created_at=NOW,
            updated_at=NOW,
        )
    )


async def _prepare(url: str) -> tuple[Database, int]:
    database = Database.from_url(url)
    await migrate.upgrade(database)
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title="Middlemarch", authors=("George Eliot",), page_count=PAGES), NOW
        )
    assert book.id is not None
    await database.run_write(_seed, book.id)
    return database, book.id


def _list_unit(
    conn: Connection, book_id: int
) -> tuple[list[StoredQuote], dict[int, list[ReadingProgress]]]:
    found = quote_repo.quotes_of_book(conn, GUILD, book_id)
    return found, quote_repo.progress_by_book(conn, GUILD, VIEWER, book_id)


async def _shipped(database: Database, book_id: int, requests: int) -> tuple[list[float], int]:
    samples: list[float] = []
    shown = 0
    for _ in range(requests):
        started = time.perf_counter()
        found, progress = await database.run_read(_list_unit, book_id)
        reads = progress.get(book_id, [])
        visible = [q for q in found if progress_reached(q.position, reads)[0]]
        samples.append(time.perf_counter() - started)
        shown = len(visible)
    return samples, shown


async def _gate_alone(database: Database, book_id: int, requests: int) -> list[float]:
    found, progress = await database.run_read(_list_unit, book_id)
    reads = progress.get(book_id, [])
    samples: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        [q for q in found if progress_reached(q.position, reads)[0]]
        samples.append(time.perf_counter() - started)
    return samples


def _bare(path: Path, book_id: int, requests: int) -> tuple[list[float], int]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    samples: list[float] = []
    rows = 0
    for _ in range(requests):
        started = time.perf_counter()
        connection.execute("BEGIN")
        found = connection.execute(
            BARE_QUOTES, (GUILD, book_id, quote_repo.QUOTE_SCAN_LIMIT)
        ).fetchall()
        connection.execute(BARE_PROGRESS, (GUILD, VIEWER, book_id)).fetchall()
        connection.execute("COMMIT")
        samples.append(time.perf_counter() - started)
        rows = len(found)
    connection.close()
    return samples, rows


async def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        database, book_id = await _prepare(f"sqlite:///{path}")
        print(f"seeded {QUOTES:,} quotes in {time.perf_counter() - started:.1f} s")
        try:
            await _shipped(database, book_id, 20)  # warm-up
            _bare(path, book_id, 20)
            samples, shown = await _shipped(database, book_id, requests)
            shipped = summary("run_read + progress gate (shipped)", samples)
            gate = summary(
                "  of which the progress gate", await _gate_alone(database, book_id, requests)
            )
            samples, rows = _bare(path, book_id, requests)
            bare = summary("bare sqlite3, same SELECTs", samples)
        finally:
            await database.close()
    print(f"rows read: {rows:,}; shown to a viewer at p. {PAGES // 2}: {shown:,}")
    print(f"ratio shipped/bare p50: {shipped['p50_ms'] / bare['p50_ms']:.1f}x")
    print(f"ratio shipped/bare p99: {shipped['p99_ms'] / bare['p99_ms']:.1f}x")
    print(f"the gate's share of the shipped p50: {gate['p50_ms'] / shipped['p50_ms']:.0%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    asyncio.run(main(parser.parse_args().requests))
