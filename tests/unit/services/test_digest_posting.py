"""The one claim → post → record path (bot/services/digest/posting.py), taken by the
scheduler's tick and by /digest send-now alike: recording a sent digest is retried and never
re-sends it, a failed post leaves what its caller asked for, and a confirmed re-post claims
the run like any other post (so a crash in it is reported, never re-sent)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db import digest as repo
from bot.db.engine import Database
from bot.domain.clock import FakeClock
from bot.errors import Conflict
from bot.metadata.resilience import RetryPolicy
from bot.services.digest import (
    CLAIM_LEASE,
    DigestScheduler,
    DigestService,
    FailureKind,
    PostingFailed,
    RunPosting,
)
from tests.support.digest import (
    CHANNEL,
    FakePoster,
    SimulatedCrash,
    configure,
    get_run,
    run_at,
)
from tests.support.fakes import NoNames

SLOT = datetime(2026, 11, 22, 18, tzinfo=UTC)  # a Sunday
WEEK = "2026-W47"


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make(
    database: Database, clock: FakeClock, poster: FakePoster, sleeps: Sleeps | None = None
) -> DigestScheduler:
    posting = RunPosting(
        database, clock, record_retry=RetryPolicy(attempts=3), sleep=sleeps or Sleeps()
    )
    service = DigestService(database, clock, NoNames(), posting=posting)
    return DigestScheduler(service, poster)  # type: ignore[arg-type]


async def setup_guild(database: Database, clock: FakeClock) -> None:
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())


def failing_mark_posted(monkeypatch: pytest.MonkeyPatch, failures: int | None) -> list[int]:
    """``repo.mark_posted`` fails ``failures`` times (None: always); returns the call log."""
    real = repo.mark_posted
    calls: list[int] = []

    async def flaky(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if failures is None or len(calls) <= failures:
            raise OSError("disk I/O error")
        return await real(*args, **kwargs)

    monkeypatch.setattr(repo, "mark_posted", flaky)
    return calls


async def test_recording_a_sent_digest_is_retried_with_the_retry_policy(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(SLOT - timedelta(days=1))
    await setup_guild(database, clock)
    poster, sleeps = FakePoster(clock), Sleeps()
    s = make(database, clock, poster, sleeps)
    calls = failing_mark_posted(monkeypatch, failures=2)
    clock.set(SLOT)
    (outcome,) = await s.run_once()
    assert outcome.status == "posted" and len(poster.posts) == 1
    assert len(calls) == 3 and sleeps.delays == [0.5, 1.0]
    assert (await get_run(database, 1, WEEK)).status == "posted"


async def test_a_record_that_keeps_failing_never_resends(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(SLOT - timedelta(days=1))
    await setup_guild(database, clock)
    poster, sleeps = FakePoster(clock), Sleeps()
    s = make(database, clock, poster, sleeps)
    failing_mark_posted(monkeypatch, failures=None)
    await run_at(s, clock, SLOT)
    assert len(poster.posts) == 1 and sleeps.delays == [0.5, 1.0]  # no wait after the last
    assert (await get_run(database, 1, WEEK)).status == "claimed"
    monkeypatch.undo()
    for minutes in (5, 16, 60):
        await run_at(s, clock, SLOT + timedelta(minutes=minutes))
    assert len(poster.posts) == 1
    assert (await get_run(database, 1, WEEK)).status == "abandoned"
    assert [r.maybe_posted for r in poster.reports] == [True]


async def test_send_now_takes_over_a_failed_scheduled_run(database: Database) -> None:
    clock = FakeClock(SLOT - timedelta(days=1))
    await setup_guild(database, clock)
    poster = FakePoster(clock)
    s = make(database, clock, poster)
    poster.fail[1] = PostingFailed(FailureKind.FORBIDDEN, "HTTP 403 (code 50013)")
    await run_at(s, clock, SLOT)
    assert (await get_run(database, 1, WEEK)).attempts == 1
    # still refused: the failure is recorded as the tick would, and raised
    clock.set(SLOT + timedelta(seconds=10))
    with pytest.raises(PostingFailed):
        await s.service.send_now(1, poster)
    run = await get_run(database, 1, WEEK)
    assert run.status == "failed" and run.attempts == 2
    assert run.next_attempt_at == clock.now() + timedelta(minutes=2)
    # the admin fixed the permissions: send-now posts, the next tick does not post again
    del poster.fail[1]
    result = await s.service.send_now(1, poster)
    assert result.status == "posted" and poster.posted(1) == [clock.now()]
    run = await get_run(database, 1, WEEK)
    assert run.status == "posted" and run.attempts == 3 and run.message_id == result.message_id
    await run_at(s, clock, SLOT + timedelta(hours=1))
    assert len(poster.posts) == 1
    assert len(poster.reports) == 1  # the scheduled failure's, once


async def test_a_failed_repost_leaves_the_run_as_it_was(database: Database) -> None:
    clock = FakeClock(SLOT)
    await setup_guild(database, clock)
    poster = FakePoster(clock)
    s = make(database, clock, poster)
    first = await s.service.send_now(1, poster)
    before = await get_run(database, 1, WEEK)
    poster.fail[1] = PostingFailed(FailureKind.DISCORD_ERROR, "HTTP 503")
    clock.advance(minutes=5)
    with pytest.raises(PostingFailed):
        await s.service.send_now(1, poster, force=True)
    assert await get_run(database, 1, WEEK) == before
    assert before.message_id == first.message_id
    del poster.fail[1]
    again = await s.service.send_now(1, poster, force=True)
    run = await get_run(database, 1, WEEK)
    assert again.status == "posted" and run.status == "posted"
    assert run.message_id == again.message_id != first.message_id


async def test_a_repost_claims_the_run_like_any_post(database: Database) -> None:
    clock = FakeClock(SLOT)
    await setup_guild(database, clock)
    poster = FakePoster(clock)
    s = make(database, clock, poster)
    await s.service.send_now(1, poster)
    release = asyncio.Event()
    poster.hang[1] = release
    repost = asyncio.create_task(s.service.send_now(1, poster, force=True))
    while (await get_run(database, 1, WEEK)).status != "claimed":
        await asyncio.sleep(0.01)
    with pytest.raises(Conflict, match="being posted"):
        await s.service.send_now(1, poster, force=True)
    release.set()
    assert (await repost).status == "posted"
    assert len(poster.posts) == 2


async def test_a_crash_during_a_repost_is_reported_not_resent(database: Database) -> None:
    clock = FakeClock(SLOT)
    await setup_guild(database, clock)
    poster = FakePoster(clock)
    s = make(database, clock, poster)
    await s.service.send_now(1, poster)
    poster.crash_after_send.add(1)
    with pytest.raises(SimulatedCrash):
        await s.service.send_now(1, poster, force=True)
    assert (await get_run(database, 1, WEEK)).status == "claimed"
    # the process restarts
    after = FakePoster(clock)
    s = make(database, clock, after)
    await run_at(s, clock, SLOT + CLAIM_LEASE + timedelta(minutes=1))
    assert after.posts == []
    run = await get_run(database, 1, WEEK)
    assert run.status == "abandoned" and run.channel_id == CHANNEL
    assert [r.maybe_posted for r in after.reports] == [True]
