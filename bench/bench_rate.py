"""/rate end to end through the local Discord server, at 1, 10 and 100 concurrent members.

The real MarginaliaBot runs against the local Discord rig (gateway + REST) on a migrated
SQLite file; every request is a slash-command interaction sent by the rig and timed until the
bot's interaction callback reaches the rig. Reported per concurrency level: throughput,
p50/p99 latency, failed requests (the member got the "something went wrong" reply), and
the share of request time spent inside database transactions (the bot's Database is wrapped
to time every read/write block).

Baseline measured in the same run: RatingService.rate called in-process at the same
concurrency (no Discord). (An earlier run of this bench showed writers waiting in SQLite's
busy handler failing with "database is locked" at 100 concurrent; the engine now queues
SQLite writers on an in-process lock, so the figures below are with that lock.)

Prints figures only; it never asserts times.

Run: .venv/bin/python -m bench.bench_rate
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from pathlib import Path

from bench._harness import TimedDatabase, answered, bot_on_rig, report, run_level
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import SystemClock
from bot.services.ratings import RatingService

LEVELS = (1, 10, 100)
REQUESTS_PER_LEVEL = 400
MEMBERS = 100
VALUES = ("0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "★★★½", "4½")
BASELINE_GUILD = 1  # not the rig's guild: the baseline's ratings are its own


async def _book(database: Database) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn,
            Book(title="The Dispossessed", authors=("Ursula K. Le Guin",)),
            SystemClock().now(),
        )
    assert book.id is not None
    return book.id


async def _end_to_end(database: TimedDatabase, url: str, book_id: int) -> dict[int, float]:
    rng = random.Random(4)
    p50: dict[int, float] = {}
    async with bot_on_rig(database, url, members=MEMBERS) as running:

        async def rate(index: int) -> bool:
            stars = VALUES[rng.randrange(len(VALUES))]
            result = await running.rig.slash(
                running.guild,
                running.members[index % MEMBERS],
                "rate",
                {"book": f"book:{book_id}", "stars": stars},
            )
            return answered(result)

        await run_level(10, 100, rate)  # warm-up: caches, first ratings
        for level in LEVELS:
            database.reset()
            run = await run_level(level, REQUESTS_PER_LEVEL, rate)
            p50[level] = report(
                f"end to end, {level:>3} concurrent", run, database, db_per_request=True
            )
    return p50


async def _service_only(database: TimedDatabase, book_id: int, p50: dict[int, float]) -> None:
    rng = random.Random(5)
    service = RatingService(database, SystemClock())

    async def rate(index: int) -> bool:
        stars = VALUES[rng.randrange(len(VALUES))]
        try:
            await service.rate(BASELINE_GUILD, 10_000 + index % MEMBERS, book_id, stars)
        except Exception:
            return False
        return True

    for level in LEVELS:
        database.reset()
        run = await run_level(level, REQUESTS_PER_LEVEL, rate)
        base = report(f"service only, {level:>3} concurrent", run, database, db_per_request=True)
        print(f"{'':<40} ratio p50 end-to-end/service-only = {p50[level] / base:.1f}x")


async def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # failures are counted, not logged
    print(
        f"/rate: {REQUESTS_PER_LEVEL} requests per level, {MEMBERS} members, SQLite (WAL), "
        "through the local Discord server"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = TimedDatabase.from_url(url)
        assert isinstance(database, TimedDatabase)
        await migrate.upgrade(database)
        book_id = await _book(database)
        p50 = await _end_to_end(database, url, book_id)
        await _service_only(database, book_id, p50)
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
