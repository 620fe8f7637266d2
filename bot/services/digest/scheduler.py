"""The scheduler: finds the due guilds on each tick and posts their digests concurrently,
each in its own task, with retries and failure reports (see :mod:`.posting`)."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from bot.db import digest as repo
from bot.db.digest import DigestRun, DigestSettings
from bot.domain.clock import Clock
from bot.domain.digest import Digest
from bot.domain.schedule import DigestSchedule, due_week
from bot.errors import new_error_code
from bot.services.digest.build import schedule_of
from bot.services.digest.posting import (
    CLAIM_LEASE,
    Claim,
    DigestPoster,
    FailureKind,
    FailureReport,
    PostingFailed,
    RunTicket,
)
from bot.services.digest.service import DigestService

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 16


class Spawner(Protocol):
    def __call__(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]: ...


class Action(enum.Enum):
    FIRST = "first"
    RETRY = "retry"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    guild_id: int
    week_key: str
    status: Literal["posted", "failed", "abandoned", "stale", "skipped"]
    message_id: int | None = None
    error: str | None = None


def decide(run: DigestRun | None, now: datetime, lease: timedelta = CLAIM_LEASE) -> Action | None:
    """What a due week's run needs: a first post, a retry, giving up a claim older than
    ``lease``, or nothing (posted, abandoned, not yet time to retry, or being posted)."""
    if run is None:
        return Action.FIRST
    if run.status == "failed" and (run.next_attempt_at is None or run.next_attempt_at <= now):
        return Action.RETRY
    if run.status == "claimed" and now - run.claimed_at >= lease:
        return Action.STALE
    return None


class DigestScheduler:
    """Finds the due guilds on each :meth:`tick` and posts their digests concurrently.

    ``owns_guild`` says which guilds this process posts for (its shards' guilds);
    ``spawn`` starts a background task (the bot's, so failures are logged and tasks are
    cancelled on close). Call :meth:`tick` every minute or so; the first call after a start
    is the catch-up of a slot missed while the bot was down (same week only).
    """

    def __init__(
        self,
        service: DigestService,
        poster: DigestPoster,
        *,
        owns_guild: Callable[[int], bool] = lambda _guild_id: True,
        concurrency: int = DEFAULT_CONCURRENCY,
        spawn: Spawner | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.service = service
        self.poster = poster
        self.owns_guild = owns_guild
        self._slots = asyncio.Semaphore(concurrency)
        self._spawn = spawn or self._own_spawn
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def clock(self) -> Clock:
        return self.service.clock

    def _own_spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        return asyncio.create_task(coro, name=name)

    async def tick(self) -> list[asyncio.Task[RunOutcome]]:
        """Start a task for every due guild of this process that needs one; return them."""
        now = self.clock.now()
        due: list[tuple[DigestSettings, DigestSchedule, str]] = []
        async with self.service.database.read() as conn:
            for settings in await repo.enabled_settings(conn):
                guild_id = settings.guild_id
                if guild_id in self._in_flight or not self.owns_guild(guild_id):
                    continue
                schedule = schedule_of(settings)
                if schedule is None:
                    continue
                week = due_week(schedule, now, not_before=settings.configured_at)
                if week is not None:
                    due.append((settings, schedule, week))
            runs = await repo.runs_for(
                conn, {s.guild_id for s, _, _ in due}, {week for _, _, week in due}
            )
        started: list[asyncio.Task[RunOutcome]] = []
        for settings, schedule, week in due:
            action = decide(runs.get((settings.guild_id, week)), now, self.service.posting.lease)
            if action is None:
                continue
            self._in_flight.add(settings.guild_id)
            task = self._spawn(
                self._guarded(settings, schedule, week, action),
                name=f"digest:{settings.guild_id}:{week}",
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started.append(task)
        if started:
            log.info("digest tick: %d guilds due", len(started))
        return started

    async def drain(self) -> None:
        """Wait for every task started so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def run_once(self) -> list[RunOutcome]:
        """One tick and its tasks, awaited (tests and tools)."""
        tasks = await self.tick()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return [r for r in results if isinstance(r, RunOutcome)]

    async def _guarded(
        self, settings: DigestSettings, schedule: DigestSchedule, week: str, action: Action
    ) -> RunOutcome:
        try:
            async with self._slots:
                if action is Action.STALE:
                    return await self._give_up_stale(settings, schedule, week)
                return await self._post(settings, schedule, week, action)
        except Exception as exc:  # e.g. the database was unavailable: the next tick retries
            log.exception("guild=%s digest %s: scheduler step failed", settings.guild_id, week)
            return RunOutcome(settings.guild_id, week, "skipped", error=repr(exc))
        finally:
            self._in_flight.discard(settings.guild_id)

    async def _post(
        self, settings: DigestSettings, schedule: DigestSchedule, week: str, action: Action
    ) -> RunOutcome:
        guild_id = settings.guild_id
        channel_id = settings.channel_id
        assert channel_id is not None  # enabled_settings only returns complete schedules
        content: Digest | PostingFailed
        try:
            built = await self.service.build(
                guild_id, now=self.clock.now(), timezone=schedule.timezone
            )
            content = built.digest
        except Exception as exc:  # a bug or a database problem: retried with backoff
            content = PostingFailed(FailureKind.INTERNAL, f"{type(exc).__name__}: {exc}")
            log.exception(
                "guild=%s digest for %s could not be built (error code %s)",
                guild_id,
                week,
                content.code,
            )
        claim = Claim.FIRST if action is Action.FIRST else Claim.RETRY
        ticket = RunTicket(guild_id, week, channel_id, schedule)
        delivery = await self.service.posting.deliver(ticket, claim, content, self.poster)
        if delivery.status == "not_claimed":
            return RunOutcome(guild_id, week, "skipped")
        if delivery.status == "posted":
            log.info("guild=%s digest %s posted (message %s)", guild_id, week, delivery.message_id)
            return RunOutcome(guild_id, week, "posted", message_id=delivery.message_id)
        failure = delivery.failure
        assert failure is not None
        if delivery.attempts == 1:
            await self._report(
                settings,
                FailureReport(
                    guild_id=guild_id,
                    week_key=week,
                    channel_id=channel_id,
                    kind=failure.kind,
                    code=failure.code,
                    attempts=delivery.attempts,
                    next_attempt_at=delivery.retry_at,
                    http_status=failure.http_status,
                ),
            )
        status: Literal["failed", "abandoned"] = "failed" if delivery.retry_at else "abandoned"
        return RunOutcome(guild_id, week, status, error=str(failure))

    async def _give_up_stale(
        self, settings: DigestSettings, schedule: DigestSchedule, week: str
    ) -> RunOutcome:
        guild_id = settings.guild_id
        now = self.clock.now()
        detail = "the bot stopped while posting; the digest may not have been posted"
        async with self.service.database.write() as conn:
            won = await repo.abandon_stale(
                conn,
                guild_id,
                week,
                claimed_before=now - self.service.posting.lease,
                error=detail,
            )
        if not won:
            return RunOutcome(guild_id, week, "skipped")
        code = new_error_code()
        log.warning(
            "guild=%s digest %s: %s (not re-sent; error code %s)", guild_id, week, detail, code
        )
        await self._report(
            settings,
            FailureReport(
                guild_id=guild_id,
                week_key=week,
                channel_id=settings.channel_id or 0,
                kind=FailureKind.INTERNAL,
                code=code,
                attempts=0,
                next_attempt_at=None,
                maybe_posted=True,
            ),
        )
        return RunOutcome(guild_id, week, "stale", error=detail)

    async def _report(self, settings: DigestSettings, report: FailureReport) -> None:
        if settings.modlog_channel_id is None:
            return
        try:
            await self.poster.report_failure(settings.modlog_channel_id, report)
        except Exception:
            log.warning(
                "guild=%s could not report the digest failure to the moderators' log channel",
                settings.guild_id,
                exc_info=True,
            )
