"""Importing a 5,000-row Goodreads file whose books are all known locally: rows/s, and the
ratio to a bare ``executemany`` of the same rows (the server's book links, ratings,
readings, their events, reviews, shelf entries) in the same run. Also a re-import of the
same file (which changes nothing) and the parse alone, for where the time goes. Prints;
never asserts times.

Run: .venv/bin/python -m bench.bench_import
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db import imports as import_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import (
    guild_books,
    progress_events,
    ratings,
    readings,
    reviews,
    shelf_books,
    shelves,
)
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.imports import parse_import
from bot.domain.imports.goodreads import GOODREADS_COLUMNS
from bot.domain.isbn import isbn13_check_digit
from bot.services.imports import ImportService

ROWS = 5_000
RUNS = 5
USER = 7
NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)
WORDS = "shadow river glass winter house garden night silver crown iron empire stone".split()
SHELVES = ["favourites", "sf", "book-club", "re-read", "classics", "owned-ebooks"]


class NoCatalogue:
    """Every book is known locally: a request would be a bug in the benchmark's premise."""

    async def search(self, query: str, limit: int = 5) -> list[Book]:
        raise AssertionError(f"catalogue asked for {query!r}")

    async def by_isbn(self, isbn: str) -> Book | None:
        raise AssertionError(f"catalogue asked for {isbn!r}")


def _isbn(n: int) -> str:
    first12 = f"978{n:09d}"
    return first12 + isbn13_check_digit(first12)


def _books(rng: random.Random) -> list[Book]:
    return [
        Book(
            title=f"{' '.join(rng.choice(WORDS).title() for _ in range(3))} {i}",
            authors=(f"Author {i % 700}",),
            isbn13=_isbn(i),
            isbns=(_isbn(i),),
            page_count=rng.randint(90, 900),
            source="manual",
        )
        for i in range(ROWS)
    ]


def _file(rng: random.Random, books: list[Book]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GOODREADS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    start = date(2015, 1, 1)
    for book in books:
        finished = start + timedelta(days=rng.randint(0, 3500))
        status = rng.choices(["read", "to-read", "currently-reading"], [70, 20, 10])[0]
        review = (
            f"Good.<br/><spoiler>It ends in {rng.choice(WORDS)}.</spoiler>"
            if rng.random() < 0.3
            else ""
        )
        writer.writerow(
            {
                "Book Id": str(rng.randint(1, 10**8)),
                "Title": book.title,
                "Author": book.authors[0],
                "ISBN13": f'="{book.isbn13}"',
                "My Rating": str(rng.randint(0, 5)),
                "Number of Pages": str(book.page_count),
                "Date Read": finished.strftime("%Y/%m/%d") if status == "read" else "",
                "Date Added": start.strftime("%Y/%m/%d"),
                "Bookshelves": ", ".join(rng.sample(SHELVES, rng.randint(0, 2))),
                "Exclusive Shelf": status,
                "My Review": review,
                "Read Count": str(rng.choice([1, 1, 1, 2]) if status != "to-read" else 0),
                "Owned Copies": str(rng.choice([0, 0, 1])),
            }
        )
    return out.getvalue().encode("utf-8")


Rows = dict[str, list[dict[str, Any]]]
Entries = list[tuple[str, int]]


async def _bare(database: Database, guild_id: int, rows: Rows, entries: Entries) -> None:
    """The same rows written with one executemany per table, no reading or matching."""
    async with database.write() as conn:
        for table in (guild_books, ratings, readings, progress_events, reviews):
            await conn.execute(
                table.insert(), [{**r, "guild_id": guild_id} for r in rows[table.name]]
            )
        shelf_ids: dict[str, int] = {}
        for name in SHELVES:
            result = await conn.execute(
                shelves.insert().values(
                    guild_id=guild_id, user_id=USER, name=name, name_key=name, created_at=NOW
                )
            )
            shelf_ids[name] = int(result.inserted_primary_key[0])  # type: ignore[index]
        await conn.execute(
            shelf_books.insert(),
            [{"shelf_id": shelf_ids[s], "book_id": b, "added_at": NOW} for s, b in entries],
        )


async def _written(database: Database, guild_id: int) -> tuple[Rows, Entries]:
    """What the import wrote for the member, as rows ready to insert again elsewhere."""
    rows: Rows = {}
    async with database.read() as conn:
        for table in (guild_books, ratings, readings, progress_events, reviews):
            found = await conn.execute(select(table).where(table.c.guild_id == guild_id))
            rows[table.name] = [
                {k: v for k, v in r.items() if k not in ("id", "guild_id")}
                for r in found.mappings()
            ]
        found_entries = await conn.execute(
            select(shelves.c.name, shelf_books.c.book_id)
            .join(shelves, shelves.c.id == shelf_books.c.shelf_id)
            .where(shelves.c.guild_id == guild_id, shelves.c.name.in_(SHELVES))
        )
        entries = [(str(s), int(b)) for s, b in found_entries.all()]
    return rows, entries


async def main() -> None:
    rng = random.Random(11)
    books = _books(rng)
    data = _file(rng, books)
    print(f"file: {ROWS:,} rows, {len(data) / 1024 / 1024:.2f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        database = Database.from_url(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await migrate.upgrade(database)
        async with database.write() as conn:
            await import_repo.insert_books(conn, books, NOW, guild_id=1)
        service = ImportService(database, NoCatalogue(), FakeClock(NOW))

        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in MEASURES}
        for run in range(RUNS):
            guild_id = 100 + run
            with _timed(samples["parse"]):
                await asyncio.to_thread(parse_import, data, "goodreads", today=NOW.date())
            with _timed(samples["import"]):
                report = await service.import_file(guild_id, USER, data, "goodreads")
            assert report.imported == ROWS and report.catalogue_requests == 0, report
            with _timed(samples["reimport"]):
                again = await service.import_file(guild_id, USER, data, "goodreads")
            assert not again.changed
            rows, entries = await _written(database, guild_id)
            with _timed(samples["bare"]):
                await _bare(database, 1000 + run, rows, entries)
        await database.close()
    _report(samples)


MEASURES = {
    "import": "import, all books known locally",
    "reimport": "re-import of the same file (no change)",
    "parse": "  parsing the file alone",
    "bare": "bare executemany of the same rows",
}


@contextlib.contextmanager
def _timed(into: list[tuple[float, float]]) -> Iterator[None]:
    """Wall time and this process's CPU time (all threads: aiosqlite's included)."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append((time.perf_counter() - wall, time.process_time() - cpu))


def _report(samples: dict[str, list[tuple[float, float]]]) -> None:
    best = {k: min(w for w, _ in v) for k, v in samples.items()}
    median = {k: statistics.median(w for w, _ in v) for k, v in samples.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in samples.items()}
    print(f"{RUNS} runs; wall time best / median, CPU time median (SQLite, one transaction)")
    for key, label in MEASURES.items():
        rate = "" if key == "parse" else f"{ROWS / best[key]:8,.0f} rows/s (best)"
        print(
            f"{label:<40} {best[key] * 1000:7.0f} / {median[key] * 1000:7.0f} ms"
            f"  cpu {cpu[key] * 1000:7.0f} ms  {rate}"
        )
    for name, get in (("wall, best", best), ("cpu, median", cpu)):
        whole = get["import"] / get["bare"]
        writing = (get["import"] - get["parse"]) / get["bare"]
        print(
            f"ratio import / bare executemany ({name}): {whole:.1f}x; "
            f"without the parse: {writing:.1f}x"
        )


if __name__ == "__main__":
    asyncio.run(main())
