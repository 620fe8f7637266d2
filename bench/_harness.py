"""Shared parts of the end-to-end benches: a timed Database, the concurrency driver, the report
line, and the real MarginaliaBot running against the local Discord rig.

Usage::

    database = TimedDatabase.from_url(url)
    async with bot_on_rig(database, url, members=100) as running:
        async def call(index: int) -> bool:
            result = await running.rig.slash(running.guild, running.members[0], "rate", {...})
            return answered(result)

        database.reset()
        report("end to end", await run_level(10, 400, call), database)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from bench._stats import summary
from bot.app import MarginaliaBot
from bot.config import Settings
from bot.db.engine import Database
from fake_discord import (
    FakeDiscord,
    FakeGuild,
    FakeMember,
    InteractionResult,
    running_bot,
)

ERROR_TITLE = "Sorry, something went wrong"
UNREACHABLE_OPENLIBRARY = "http://openlibrary.invalid"
UNREACHABLE_GOOGLE_BOOKS = "http://google.invalid/books/v1"

Run = tuple[list[float], float, int]
"""(latencies in seconds, wall seconds, failures) of one level."""


class TimedDatabase(Database):
    """A Database that adds up the wall time spent inside every transaction block and every
    unit of work (a unit's time includes its wait for the database thread)."""

    seconds = 0.0
    reads = 0
    writes = 0

    def reset(self) -> None:
        self.seconds = 0.0
        self.reads = 0
        self.writes = 0

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

    async def run_read(self, unit: Any, *args: Any, **kwargs: Any) -> Any:
        """A unit of work counts as one read transaction (it is one, on a database thread)."""
        start = time.perf_counter()
        try:
            return await super().run_read(unit, *args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.reads += 1

    async def run_write(self, unit: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await super().run_write(unit, *args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.writes += 1


async def run_level(concurrency: int, total: int, call: Callable[[int], Awaitable[bool]]) -> Run:
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


def report(name: str, run: Run, database: TimedDatabase, *, db_per_request: bool = False) -> float:
    """Print the summary line and the throughput/failures/database line; return p50 in ms."""
    latencies, wall, failures = run
    row = summary(name, latencies)
    count = len(latencies)
    per_request = (
        f"  db per request={database.seconds / count * 1000:8.3f} ms" if db_per_request else ""
    )
    print(
        f"{'':<40} throughput={count / wall:7.1f} req/s  failed={failures:>3}"
        f"  db/total={database.seconds / sum(latencies):6.1%}"
        f"{per_request}"
        f"  transactions per request: {database.reads / count:.1f} read,"
        f" {database.writes / count:.1f} write"
    )
    return row["p50_ms"]


def answered(result: InteractionResult) -> bool:
    """The bot replied at once (callback type 4) and not with the "something went wrong"
    embed."""
    titles = [e.get("title") for e in result.embeds]
    return result.callback_type == 4 and ERROR_TITLE not in titles


@dataclass(frozen=True)
class RunningBot:
    """The rig, its one guild and its members, and the bot connected to it."""

    rig: FakeDiscord
    guild: FakeGuild
    members: list[FakeMember]
    bot: MarginaliaBot
    client: httpx.AsyncClient  # the bot's HTTP client (metadata sources)


@asynccontextmanager
async def bot_on_rig(database: Database, url: str, *, members: int) -> AsyncIterator[RunningBot]:
    """Start the local Discord rig with one guild ("Bench Club", #general) and ``members``
    members (m0, m1, ...), and run the real MarginaliaBot on ``database`` against it; the
    metadata sources point at unreachable addresses."""
    async with FakeDiscord(timeout=120.0) as rig:
        guild = rig.add_guild("Bench Club", channels=["general"])
        people: list[FakeMember] = [guild.add_member(f"m{i}") for i in range(members)]
        settings = Settings(
            discord_token=None,
            database_url=url,
            discord_api_base=rig.api_base,
            discord_gateway_url=rig.gateway_url,
            openlibrary_base_url=UNREACHABLE_OPENLIBRARY,
            google_books_base_url=UNREACHABLE_GOOGLE_BOOKS,
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

            async with running_bot(factory, rig) as bot:
                yield RunningBot(rig=rig, guild=guild, members=people, bot=bot, client=client)
