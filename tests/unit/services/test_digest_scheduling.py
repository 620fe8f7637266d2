"""The digest scheduler with a fake clock on a real SQLite database.

Covers: weekly cadence across DST changes both ways in four zones (two with half-hour
offsets), catch-up after downtime, no double post after a crash between "sent" and
"recorded" (the claim wins — see bot/services/digest.py), failures recorded, retried with
backoff and reported once, and one guild's failure or hang never delaying another.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import digest as repo
from bot.db.engine import Database
from bot.domain.clock import FakeClock
from bot.domain.schedule import DigestSchedule, scheduled_instant, week_key
from bot.services.digest import (
    CLAIM_LEASE,
    FailureKind,
    PostingFailed,
)
from tests.support.digest import (
    CHANNEL,
    FakePoster,
    configure,
    run_at,
    scheduler,
)


async def get_run(database: Database, guild_id: int, week: str) -> repo.DigestRun:
    async with database.read() as conn:
        run = await repo.get_run(conn, guild_id, week)
    assert run is not None
    return run


# --- DST: weekly cadence, both directions, four zones ---------------------------------------

# Sunday slots at the hour a DST change skips (spring) or repeats (autumn) in each zone.
DST_GUILDS = {
    1: ("Europe/Berlin", 2),  # 29 Mar: 02:00→03:00 (skipped); 25 Oct: 03:00→02:00 (repeated)
    2: ("America/New_York", 2),  # 8 Mar: 02:00 skipped
    3: ("America/New_York", 1),  # 1 Nov: 01:00 repeated
    4: ("America/St_Johns", 2),  # −3:30/−2:30; 8 Mar: 02:00 skipped
    5: ("America/St_Johns", 1),  # 1 Nov: 01:00 repeated
    6: ("Australia/Adelaide", 2),  # +9:30/+10:30; 5 Apr: 02:00 repeated, 4 Oct: skipped
}

# Worked out by hand from the tz rules: a skipped slot moves to the end of the gap, a
# repeated one is its first occurrence.
TRANSITION_POSTS = {
    (1, "2026-W13"): datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 CEST
    (1, "2026-W43"): datetime(2026, 10, 25, 0, 0, tzinfo=UTC),  # 02:00 CEST (first)
    (2, "2026-W10"): datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # 03:00 EDT
    (3, "2026-W44"): datetime(2026, 11, 1, 5, 0, tzinfo=UTC),  # 01:00 EDT (first)
    (4, "2026-W10"): datetime(2026, 3, 8, 5, 30, tzinfo=UTC),  # 03:00 NDT
    (5, "2026-W44"): datetime(2026, 11, 1, 3, 30, tzinfo=UTC),  # 01:00 NDT (first)
    (6, "2026-W14"): datetime(2026, 4, 4, 15, 30, tzinfo=UTC),  # 02:00 ACDT (first)
    (6, "2026-W40"): datetime(2026, 10, 3, 16, 30, tzinfo=UTC),  # 03:00 ACDT
}


def tick_times(start: datetime, end: datetime) -> list[datetime]:
    """Every 30 min from Saturday 12:00 to Monday 12:00 UTC (where every Sunday slot of these
    zones falls), every 6 h on the other days."""
    out = []
    t = start
    while t < end:
        busy = (
            (t.weekday() == 5 and t.hour >= 12)
            or t.weekday() == 6
            or (t.weekday() == 0 and t.hour < 12)
        )
        out.append(t)
        t += timedelta(minutes=30) if busy else timedelta(hours=6)
    return out


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 13, tzinfo=UTC)),  # spring N, autumn S
        (
            datetime(2026, 9, 27, tzinfo=UTC),
            datetime(2026, 11, 9, tzinfo=UTC),
        ),  # autumn N, spring S
    ],
)
async def test_weekly_cadence_across_dst(
    database: Database, start: datetime, end: datetime
) -> None:
    clock = FakeClock(start)
    poster = FakePoster(clock)
    for guild_id, (zone, hour) in DST_GUILDS.items():
        await configure(database, guild_id, weekday=6, hour=hour, timezone=zone, at=start)
    s = scheduler(database, clock, poster)
    for t in tick_times(start, end):
        await run_at(s, clock, t)
    for guild_id, (zone, hour) in DST_GUILDS.items():
        schedule = DigestSchedule(6, hour, zone)
        posted = poster.posted(guild_id)
        weeks = [week_key(p.astimezone(schedule.zone)) for p in posted]
        assert len(weeks) == len(set(weeks)), f"guild {guild_id} posted twice in a week"
        # exactly one post per local week, at the slot itself (ticks are on the half hour)
        expected = []
        key = week_key(start.astimezone(schedule.zone))
        while (slot := scheduled_instant(schedule, key)) < end:
            if slot >= start:
                expected.append(slot)
            year, week = int(key[:4]), int(key[6:])
            key = week_key(datetime.fromisocalendar(year, week, 1) + timedelta(weeks=1))
        assert posted == expected, zone
        gaps = {b - a for a, b in itertools.pairwise(posted)}
        assert gaps <= {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=6, hours=23)}
        assert len(posted) >= 5
    checked = 0
    for (guild_id, transition_week), at in TRANSITION_POSTS.items():
        if start <= at < end:
            zone = DST_GUILDS[guild_id][0]
            assert at in poster.posted(guild_id), (zone, transition_week)
            assert week_key(at.astimezone(DigestSchedule(6, 0, zone).zone)) == transition_week
            checked += 1
    assert checked == 4
    assert poster.reports == []


# --- catch-up ----------------------------------------------------------------------------------


async def test_catch_up_after_downtime_same_week_only(database: Database) -> None:
    configured = datetime(2026, 11, 15, 10, tzinfo=UTC)  # Sunday
    clock = FakeClock(configured)
    poster = FakePoster(clock)
    await configure(database, 1, weekday=0, hour=9, timezone="Europe/Berlin", at=configured)
    s = scheduler(database, clock, poster)
    await run_at(s, clock, datetime(2026, 11, 16, 7, 55, tzinfo=UTC))  # Mon 08:55 Berlin
    assert poster.posts == []
    # down from then until Wednesday noon: the first tick back posts, once
    await run_at(s, clock, datetime(2026, 11, 18, 12, tzinfo=UTC))
    assert poster.posted(1) == [datetime(2026, 11, 18, 12, tzinfo=UTC)]
    for hours in (1, 24, 48):
        await run_at(s, clock, datetime(2026, 11, 18, 12, tzinfo=UTC) + timedelta(hours=hours))
    assert len(poster.posts) == 1
    # next week on time
    await run_at(s, clock, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert poster.posted(1)[-1] == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    # down over a whole week: the missed week is never posted late, the next one is
    await run_at(s, clock, datetime(2026, 12, 7, 8, 30, tzinfo=UTC))  # W50's slot passed
    weeks = [
        week_key(p.astimezone(DigestSchedule(0, 9, "Europe/Berlin").zone)) for p in poster.posted(1)
    ]
    assert weeks == ["2026-W47", "2026-W48", "2026-W50"]
    assert (await get_run(database, 1, "2026-W47")).status == "posted"


async def test_setting_up_after_this_weeks_slot_waits_for_the_next(database: Database) -> None:
    wednesday = datetime(2026, 11, 18, 12, tzinfo=UTC)
    clock = FakeClock(wednesday)
    poster = FakePoster(clock)
    await configure(database, 1, weekday=0, hour=9, timezone="UTC", at=wednesday)
    s = scheduler(database, clock, poster)
    await run_at(s, clock, wednesday + timedelta(minutes=1))
    await run_at(s, clock, datetime(2026, 11, 22, 23, 59, tzinfo=UTC))
    assert poster.posts == []
    await run_at(s, clock, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert len(poster.posts) == 1


# --- crash between sent and recorded ----------------------------------------------------------


async def test_crash_between_sent_and_recorded_never_posts_twice(database: Database) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)  # Sunday 18:00 UTC
    clock = FakeClock(slot - timedelta(days=3))
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())
    await configure(database, 2, weekday=6, hour=18, timezone="UTC", at=clock.now())
    before = FakePoster(clock)
    before.crash_after_send.add(1)
    await run_at(scheduler(database, clock, before), clock, slot)
    assert sorted(p.guild_id for p in before.posts) == [1, 2]
    assert (await get_run(database, 1, "2026-W47")).status == "claimed"
    assert (await get_run(database, 2, "2026-W47")).status == "posted"

    # the process restarts: a fresh scheduler on the same database
    after = FakePoster(clock)
    s = scheduler(database, clock, after)
    await run_at(s, clock, slot + timedelta(minutes=2))  # claim still within its lease
    await run_at(s, clock, slot + CLAIM_LEASE + timedelta(minutes=1))  # now stale
    for minutes in (60, 120, 240):
        await run_at(s, clock, slot + timedelta(minutes=minutes))
    assert after.posts == [], "a digest that may have been sent must not be sent again"
    run = await get_run(database, 1, "2026-W47")
    assert run.status == "abandoned" and "may not have been posted" in (run.last_error or "")
    assert len(after.reports) == 1
    assert after.reports[0].maybe_posted and after.reports[0].guild_id == 1
    # an admin's /digest send-now would ask before posting again
    result = await s.service.send_now(1, after)
    assert result.status == "already_posted" and after.posts == []
    # the next week is normal again
    await run_at(s, clock, slot + timedelta(days=7))
    assert after.posted(1) == [slot + timedelta(days=7)]


# --- failures ---------------------------------------------------------------------------------


async def test_failure_is_recorded_retried_with_backoff_and_reported_once(
    database: Database,
) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)
    clock = FakeClock(slot - timedelta(days=1))
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())
    await configure(database, 2, weekday=6, hour=18, timezone="UTC", at=clock.now())
    poster = FakePoster(clock)
    poster.fail[1] = PostingFailed(
        FailureKind.FORBIDDEN, "HTTP 403 (code 50013): Missing Permissions"
    )
    s = scheduler(database, clock, poster)
    await run_at(s, clock, slot)
    assert poster.posted(2) == [slot], "the other guild posts on time"
    run = await get_run(database, 1, "2026-W47")
    assert run.status == "failed" and run.attempts == 1
    assert run.next_attempt_at == slot + timedelta(minutes=1)
    assert "50013" in (run.last_error or "")
    delays = []
    for _ in range(3):
        retry_at = (await get_run(database, 1, "2026-W47")).next_attempt_at
        assert retry_at is not None
        await run_at(s, clock, retry_at - timedelta(seconds=1))  # not yet
        await run_at(s, clock, retry_at)
        after = await get_run(database, 1, "2026-W47")
        assert after.next_attempt_at is not None
        delays.append(after.next_attempt_at - retry_at)
    assert delays == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert (await get_run(database, 1, "2026-W47")).attempts == 4
    assert len(poster.reports) == 1
    report = poster.reports[0]
    assert report.kind is FailureKind.FORBIDDEN and report.channel_id == CHANNEL
    assert report.next_attempt_at == slot + timedelta(minutes=1)
    # the admin fixes the permissions: the next retry posts, nothing more is reported
    del poster.fail[1]
    retry_at = (await get_run(database, 1, "2026-W47")).next_attempt_at
    assert retry_at is not None
    await run_at(s, clock, retry_at)
    assert poster.posted(1) == [retry_at]
    run = await get_run(database, 1, "2026-W47")
    assert run.status == "posted" and run.attempts == 5 and run.last_error is None
    assert len(poster.reports) == 1


async def test_retries_stop_when_the_week_ends(database: Database) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)  # Sunday: the week ends at midnight
    clock = FakeClock(slot - timedelta(days=1))
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())
    poster = FakePoster(clock)
    poster.fail[1] = PostingFailed(FailureKind.CHANNEL_MISSING, "HTTP 404 (code 10003)")
    s = scheduler(database, clock, poster)
    await run_at(s, clock, slot)
    while (run := await get_run(database, 1, "2026-W47")).status == "failed":
        assert run.next_attempt_at is not None
        await run_at(s, clock, run.next_attempt_at)
    assert run.status == "abandoned" and run.next_attempt_at is None
    assert run.attempts == 11  # 1, 2, 4, … 32, then hourly until midnight
    assert len(poster.reports) == 1
    await run_at(s, clock, datetime(2026, 11, 23, 1, tzinfo=UTC))
    assert poster.posts == []


async def test_a_hanging_guild_does_not_delay_another(database: Database) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)
    clock = FakeClock(slot - timedelta(days=1))
    for guild_id in (1, 2, 3):
        await configure(database, guild_id, weekday=6, hour=18, timezone="UTC", at=clock.now())
    poster = FakePoster(clock)
    release = asyncio.Event()
    poster.hang[1] = release
    poster.fail[2] = RuntimeError("boom")  # an unexpected error, not a PostingFailed
    s = scheduler(database, clock, poster, concurrency=2)
    clock.set(slot)
    tasks = {t.get_name(): t for t in await s.tick()}
    assert set(tasks) == {"digest:1:2026-W47", "digest:2:2026-W47", "digest:3:2026-W47"}
    await asyncio.wait_for(
        asyncio.gather(tasks["digest:2:2026-W47"], tasks["digest:3:2026-W47"]), timeout=5
    )
    assert not tasks["digest:1:2026-W47"].done()  # guild 1 still hanging…
    assert poster.posted(3) == [slot]  # …while guild 3 posted and guild 2's failure was recorded
    assert (await get_run(database, 2, "2026-W47")).status == "failed"
    # a tick meanwhile retries guild 2 but does not start guild 1 again (it is in flight)
    clock.advance(minutes=20)
    assert [t.get_name() for t in await s.tick()] == ["digest:2:2026-W47"]
    release.set()
    await s.drain()
    assert poster.posted(1) == [clock.now()]
    assert (await get_run(database, 1, "2026-W47")).status == "posted"


async def test_many_due_guilds_post_with_bounded_concurrency(database: Database) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)
    clock = FakeClock(slot - timedelta(days=1))
    for guild_id in range(1, 81):
        await configure(
            database, guild_id, weekday=6, hour=18, timezone="UTC", at=clock.now(), modlog=False
        )
    poster = FakePoster(clock)
    poster.delay = 0.005
    poster.fail[7] = PostingFailed(FailureKind.DISCORD_ERROR, "HTTP 503")
    s = scheduler(database, clock, poster, concurrency=8)
    clock.set(slot)
    outcomes = await s.run_once()
    assert Counter(o.status for o in outcomes) == Counter(posted=79, failed=1)
    assert len(poster.posts) == 79
    assert 1 < poster.most_active <= 8
    assert poster.reports == []  # no modlog channel set: logged only


async def test_only_this_processes_guilds_are_posted(database: Database) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)
    clock = FakeClock(slot - timedelta(days=1))
    for guild_id in range(1, 7):
        await configure(database, guild_id, weekday=6, hour=18, timezone="UTC", at=clock.now())
    poster = FakePoster(clock)
    s = scheduler(database, clock, poster, owns_guild=lambda g: g % 2 == 0)
    await run_at(s, clock, slot)
    assert sorted(p.guild_id for p in poster.posts) == [2, 4, 6]


async def test_turned_off_guild_is_not_posted(database: Database) -> None:
    slot = datetime(2026, 11, 22, 18, tzinfo=UTC)
    clock = FakeClock(slot - timedelta(days=1))
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())
    async with database.write() as conn:
        await repo.disable(conn, 1, clock.now())
    poster = FakePoster(clock)
    await run_at(scheduler(database, clock, poster), clock, slot)
    assert poster.posts == []
