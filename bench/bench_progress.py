"""/progress update end to end through the local Discord server, at 1, 10 and 100 concurrent
members.

The real MarginaliaBot runs against the local Discord rig (gateway + REST) on a migrated
SQLite file. Each request is a ``/progress update`` slash-command interaction from one of
100 members (a picked ``book:ID`` value and a page: mostly forward, every tenth a backward
correction, every fifth with a note), timed from sending it until the bot's interaction
callback reaches the rig. Reported per level: p50/p99 latency, throughput, failed requests
(the member got the "something went wrong" reply), and the share of request time spent
inside database transactions, with the read and write transactions per request.

Baseline, same run: ReadingService.update_progress in-process at the same concurrency (no
Discord, no book resolution). The rig runs in the bot's own event loop, so the end-to-end
figures include the rig's work too; the Database queues SQLite writers in-process (FIFO),
so at 100 concurrent members most of the latency is the queue for the one writer.

Prints figures only; it never asserts times.

Run: .venv/bin/python -m bench.bench_progress
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections import defaultdict
from pathlib import Path

from bench._harness import TimedDatabase, answered, bot_on_rig, report, run_level
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import SystemClock
from bot.services.reading import ReadingService

LEVELS = (1, 10, 100)
REQUESTS_PER_LEVEL = 400
MEMBERS = 100
PAGES = 5000
BASELINE_GUILD = 1  # not the rig's guild: the baseline's readings are its own


class Pages:
    """Each member's next page: seven pages on, and every tenth update three pages back."""

    def __init__(self) -> None:
        self.count: dict[int, int] = defaultdict(int)
        self.page: dict[int, int] = defaultdict(int)

    def next(self, member: int) -> int:
        self.count[member] += 1
        step = -3 if self.count[member] % 10 == 0 else 7
        self.page[member] = max(0, min(PAGES - 1, self.page[member] + step))
        return self.page[member]


async def _book(database: Database) -> Book:
    async with database.write() as conn:
        return await book_repo.upsert(
            conn,
            Book(title="The Long Book", authors=("A. Author",), page_count=PAGES),
            SystemClock().now(),
        )


async def _end_to_end(database: TimedDatabase, url: str, book_id: int) -> dict[int, float]:
    pages = Pages()
    p50: dict[int, float] = {}
    async with bot_on_rig(database, url, members=MEMBERS) as running:

        async def update(index: int) -> bool:
            member = index % MEMBERS
            options: dict[str, object] = {
                "book": f"book:{book_id}",
                "page": pages.next(member),
            }
            if index % 5 == 0:
                options["note"] = f"note number {index}"
            result = await running.rig.slash(
                running.guild, running.members[member], "progress update", options
            )
            return answered(result)

        await run_level(10, 100, update)  # warm-up: caches, first readings
        for level in LEVELS:
            database.reset()
            run = await run_level(level, REQUESTS_PER_LEVEL, update)
            p50[level] = report(f"end to end, {level:>3} concurrent", run, database)
    return p50


async def _service_only(database: TimedDatabase, book: Book, p50: dict[int, float]) -> None:
    """The same updates in-process, given the stored Book as the cog passes it."""
    pages = Pages()
    service = ReadingService(database, SystemClock())

    async def update(index: int) -> bool:
        member = index % MEMBERS
        try:
            await service.update_progress(
                BASELINE_GUILD, 10_000 + member, book, page=pages.next(member)
            )
        except Exception:
            return False
        return True

    for level in LEVELS:
        database.reset()
        run = await run_level(level, REQUESTS_PER_LEVEL, update)
        base = report(f"service only, {level:>3} concurrent", run, database)
        print(f"{'':<40} ratio p50 end-to-end/service-only = {p50[level] / base:.1f}x")


async def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # failures are counted, not logged
    print(
        f"/progress update: {REQUESTS_PER_LEVEL} requests per level, {MEMBERS} members, "
        "SQLite (WAL), through the local Discord server"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = TimedDatabase.from_url(url)
        assert isinstance(database, TimedDatabase)
        await migrate.upgrade(database)
        book = await _book(database)
        assert book.id is not None
        p50 = await _end_to_end(database, url, book.id)
        await _service_only(database, book, p50)
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
