"""Driving the digest scheduler: a poster that records (or fails, hangs, crashes), a guild's
schedule written straight into the database, and a scheduler run at a given moment."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.db import digest as repo
from bot.db.engine import Database
from bot.db.schema import guild_settings
from bot.domain.clock import FakeClock
from bot.domain.digest import Digest
from bot.services.digest import DigestScheduler, DigestService, FailureReport
from tests.support.fakes import NoNames

CHANNEL = 500
MODLOG = 600


class SimulatedCrash(BaseException):
    """The process dying (not an Exception: nothing in the service may catch it)."""


@dataclass(frozen=True)
class Post:
    guild_id: int
    channel_id: int
    at: datetime


class FakePoster:
    """Records posts and reports; per guild it can fail, hang, or crash after sending."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.posts: list[Post] = []
        self.reports: list[FailureReport] = []
        self.fail: dict[int, BaseException] = {}
        self.hang: dict[int, asyncio.Event] = {}
        self.crash_after_send: set[int] = set()
        self.active = 0
        self.most_active = 0
        self.delay = 0.0

    async def post_digest(self, guild_id: int, channel_id: int, digest: Digest) -> int:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            if guild_id in self.hang:
                await self.hang[guild_id].wait()
            if self.delay:
                await asyncio.sleep(self.delay)
            if guild_id in self.fail:
                raise self.fail[guild_id]
            self.posts.append(Post(guild_id, channel_id, self.clock.now()))
            if guild_id in self.crash_after_send:
                raise SimulatedCrash
            return 10_000 + len(self.posts)
        finally:
            self.active -= 1

    async def report_failure(self, modlog_channel_id: int, report: FailureReport) -> None:
        assert modlog_channel_id == MODLOG
        self.reports.append(report)

    def posted(self, guild_id: int) -> list[datetime]:
        return [p.at for p in self.posts if p.guild_id == guild_id]


async def configure(
    database: Database,
    guild_id: int,
    *,
    weekday: int,
    hour: int,
    timezone: str,
    at: datetime,
    modlog: bool = True,
) -> None:
    async with database.write() as conn:
        await repo.save_schedule(
            conn,
            guild_id,
            channel_id=CHANNEL,
            weekday=weekday,
            hour=hour,
            timezone=timezone,
            now=at,
        )
        if modlog:
            await conn.execute(
                guild_settings.update()
                .where(guild_settings.c.guild_id == guild_id)
                .values(modlog_channel_id=MODLOG)
            )


def scheduler(
    database: Database, clock: FakeClock, poster: FakePoster, **options: object
) -> DigestScheduler:
    return DigestScheduler(DigestService(database, clock, NoNames()), poster, **options)  # type: ignore[arg-type]


async def run_at(s: DigestScheduler, clock: FakeClock, when: datetime) -> None:
    clock.set(when)
    await s.run_once()
