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
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from bench._stats import summary
from bot.app import MarginaliaBot
from bot.config import Settings
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import SystemClock
from bot.services.ratings import RatingService
from tests.e2e.fake_discord import FakeDiscord, FakeMember, running_bot

LEVELS = (1, 10, 100)
REQUESTS_PER_LEVEL = 400
MEMBERS = 100
VALUES = ("0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "★★★½", "4½")
BASELINE_GUILD = 1  # not the rig's guild: the baseline's ratings are its own
ERROR_TITLE = "Sorry, something went wrong"


class TimedDatabase(Database):
    """A Database that adds up the wall time spent inside every transaction block."""

    seconds = 0.0
    reads = 0
    writes = 0

    def reset(self) -> None:
        self.seconds = 0.0
        self.reads = self.writes = 0

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        start = time.perf_counter()
        try:
            async with super().read() as conn:
                yield conn
        finally:
            self.seconds += time.perf_counter() - start
            self.reads += 1

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        start = time.perf_counter()
        try:
            async with super().write() as conn:
                yield conn
        finally:
            self.seconds += time.perf_counter() - start
            self.writes += 1


async def _run_level(
    concurrency: int, total: int, call: Callable[[int], Awaitable[bool]]
) -> tuple[list[float], float, int]:
    """``total`` calls by ``concurrency`` workers: (latencies, wall seconds, failures)."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal failures
        for index in counter:
            start = time.perf_counter()
            ok = await call(index)
            latencies.append(time.perf_counter() - start)
            failures += not ok

    wall = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - wall, failures


def _report(name: str, run: tuple[list[float], float, int], database: TimedDatabase) -> float:
    latencies, wall, failures = run
    row = summary(name, latencies)
    count = len(latencies)
    print(
        f"{'':<40} throughput={count / wall:7.1f} req/s  failed={failures:>3}"
        f"  db/total={database.seconds / sum(latencies):6.1%}"
        f"  db per request={database.seconds / count * 1000:8.3f} ms"
        f"  transactions per request: {database.reads / count:.1f} read,"
        f" {database.writes / count:.1f} write"
    )
    return row["p50_ms"]


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
    async with FakeDiscord(timeout=120.0) as rig:
        guild = rig.add_guild("Bench Club", channels=["general"])
        members: list[FakeMember] = [guild.add_member(f"m{i}") for i in range(MEMBERS)]
        settings = Settings(
            discord_token=None,
            database_url=url,
            discord_api_base=rig.api_base,
            discord_gateway_url=rig.gateway_url,
            openlibrary_base_url="http://openlibrary.invalid",
            google_books_base_url="http://google.invalid/books/v1",
            sync_commands="always",
        )
        async with httpx.AsyncClient() as client:

            def factory(_: FakeDiscord) -> MarginaliaBot:
                return MarginaliaBot(
                    settings=settings,
                    database=database,
                    http_client=client,
                    guild_ready_timeout=0.05,
                )

            async with running_bot(factory, rig):

                async def rate(index: int) -> bool:
                    stars = VALUES[rng.randrange(len(VALUES))]
                    result = await rig.slash(
                        guild,
                        members[index % MEMBERS],
                        "rate",
                        {"book": f"book:{book_id}", "stars": stars},
                    )
                    titles = [e.get("title") for e in result.embeds]
                    return result.callback_type == 4 and ERROR_TITLE not in titles

                await _run_level(10, 100, rate)  # warm-up: caches, first ratings
                for level in LEVELS:
                    database.reset()
                    run = await _run_level(level, REQUESTS_PER_LEVEL, rate)
                    p50[level] = _report(f"end to end, {level:>3} concurrent", run, database)
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
        run = await _run_level(level, REQUESTS_PER_LEVEL, rate)
        base = _report(f"service only, {level:>3} concurrent", run, database)
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
