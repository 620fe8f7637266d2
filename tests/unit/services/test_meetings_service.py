"""Club meetings and their reminders (SPEC §11), on both backends: planning, creating the
events (all or nothing), cancelling, the reminder windows, and each reminder claimed once —
also when two claimers race."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db import guild_settings as settings_repo
from bot.db import meetings as repo
from bot.db import privacy
from bot.db.engine import Database
from bot.db.exports import member_data
from bot.db.schema import club_meeting_reminders, club_meetings, club_reminder_optins
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.meetings import Reminder, Repeat
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.clubs import ClubService
from bot.services.exports import export_json
from bot.services.meetings import EventSpec, MeetingService, Place, ReminderFailed, ReminderPost
from tests.support.fakes import DictNames
from tests.support.ids import WEDNESDAY_NOON as NOW
from tests.support.seeders import Seeder

GUILD = 1001
CLUB_CHANNEL = 555
ALICE, BOB, CAROL = 101, 102, 103
FIRST = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)  # Friday 19:00, two days ahead


class FakeDiscordSide:
    """The Discord side in memory: events, who is Interested, posted reminders."""

    def __init__(self) -> None:
        self.events: dict[int, EventSpec] = {}
        self.interested_in: dict[int, list[int]] = {}
        self.posts: list[tuple[int, ReminderPost]] = []
        self.fail_create_after: int | None = None
        self.fail_post = False
        self._next = 9000

    async def create_event(self, guild_id: int, spec: EventSpec) -> int:
        if self.fail_create_after is not None and len(self.events) >= self.fail_create_after:
            raise InvalidInput("Discord refused the event.")
        self._next += 1
        self.events[self._next] = spec
        return self._next

    async def delete_event(self, guild_id: int, event_id: int) -> None:
        self.events.pop(event_id, None)

    async def interested_counts(self, guild_id: int) -> Mapping[int, int]:
        return {e: len(self.interested_in.get(e, [])) for e in self.events}

    async def interested(self, guild_id: int, event_id: int) -> Sequence[int]:
        await asyncio.sleep(0)  # let a racing claimer run
        return list(self.interested_in.get(event_id, []))

    async def post_reminder(self, guild_id: int, channel_id: int, post: ReminderPost) -> int:
        if self.fail_post:
            raise ReminderFailed("HTTP 403 (code 50013): Missing Permissions")
        self.posts.append((channel_id, post))
        return 7000 + len(self.posts)


async def _club(database: Database, clock: FakeClock) -> None:
    seeder = Seeder(database, now=NOW)
    book_id = await seeder.book("Middlemarch", authors=("George Eliot",), pages=880)
    book = Book(title="Middlemarch", authors=("George Eliot",), page_count=880, id=book_id)
    clubs = ClubService(database, clock, DictNames({}))
    await clubs.pick(GUILD, 9, book, start=None, end=None, channel_id=CLUB_CHANNEL)


async def _series(
    service: MeetingService, side: FakeDiscordSide, count: int = 3
) -> list[repo.Meeting]:
    plan = await service.plan(
        GUILD, when="2026-11-20 19:00", checkpoint="Book One", repeat=Repeat.WEEKLY, count=count
    )
    return await service.add(GUILD, 9, plan, Place(channel_id=42), side)


async def test_planning_refuses_what_cannot_be_scheduled(
    database: Database, clock: FakeClock
) -> None:
    service = MeetingService(database, clock)
    with pytest.raises(NotFound, match="/club pick"):
        await service.plan(GUILD, when="tomorrow 19:00", checkpoint=None, repeat=None, count=None)
    await _club(database, clock)
    with pytest.raises(InvalidInput, match="already passed"):
        await service.plan(GUILD, when="today 11:00", checkpoint=None, repeat=None, count=None)
    with pytest.raises(InvalidInput, match="time of day"):
        await service.plan(GUILD, when="2026-11-20", checkpoint=None, repeat=None, count=None)
    with pytest.raises(InvalidInput, match="repeat"):
        await service.plan(GUILD, when="tomorrow 19:00", checkpoint=None, repeat=None, count=3)
    plan = await service.plan(
        GUILD, when="20 November 7pm", checkpoint=" Part  One ", repeat=Repeat.MONTHLY, count=2
    )
    assert plan.starts == (FIRST, datetime(2026, 12, 18, 19, 0, tzinfo=UTC))  # 3rd Friday
    assert plan.name == "Middlemarch — Part One"


async def test_a_series_is_created_all_or_nothing_listed_and_cancelled(
    database: Database, clock: FakeClock
) -> None:
    service, side = MeetingService(database, clock), FakeDiscordSide()
    await _club(database, clock)
    side.fail_create_after = 2
    with pytest.raises(InvalidInput):
        await _series(service, side)
    assert side.events == {}  # the two made were deleted again
    assert await service.upcoming(GUILD) == []

    side.fail_create_after = None
    meetings = await _series(service, side)
    assert [m.starts_at for m in meetings] == [FIRST + timedelta(weeks=i) for i in range(3)]
    assert len({m.series_id for m in meetings}) == 1 and meetings[0].series_id is not None
    assert {s.name for s in side.events.values()} == {"Middlemarch — Book One"}
    assert all(s.ends_at is None for s in side.events.values())  # a voice channel: no end
    side.interested_in[meetings[0].event_id] = [ALICE, BOB]
    listed = await service.listing(GUILD, side)
    assert [listed.interested[m.event_id] for m in listed.meetings] == [2, 0, 0]

    cancelled = await service.cancel(GUILD, meetings[1].id, side)
    assert cancelled.id == meetings[1].id and meetings[1].event_id not in side.events
    with pytest.raises(Conflict, match="already cancelled"):
        await service.cancel(GUILD, meetings[1].id, side)
    with pytest.raises(NotFound):
        await service.cancel(GUILD + 1, meetings[0].id, side)  # another server's
    assert [m.id for m in await service.upcoming(GUILD)] == [meetings[0].id, meetings[2].id]

    # a place outside Discord gets an end time two hours after the start
    plan = await service.plan(
        GUILD, when="2026-11-21 10:00", checkpoint=None, repeat=None, count=None
    )
    [cafe] = await service.add(GUILD, 9, plan, Place(location="Café"), side)
    assert cafe.ends_at == cafe.starts_at + timedelta(hours=2) and cafe.location == "Café"


async def test_reminders_ping_interested_members_who_opted_in_once_each(
    database: Database, clock: FakeClock
) -> None:
    service, side = MeetingService(database, clock), FakeDiscordSide()
    await _club(database, clock)
    first, second, _ = await _series(service, side)
    side.interested_in[first.event_id] = [ALICE, BOB, CAROL]
    assert await service.set_reminders(GUILD, ALICE, True)
    assert not await service.set_reminders(GUILD, ALICE, True)  # already on
    await service.set_reminders(GUILD, CAROL, True)
    await service.set_reminders(GUILD, CAROL, False)
    assert await service.reminders_on(GUILD, ALICE) and not await service.reminders_on(GUILD, CAROL)

    def everyone(guild_id: int) -> bool:
        return True

    assert await service.tick(side, everyone) == []  # more than a day ahead
    clock.set(FIRST - timedelta(hours=24))
    [outcome] = await service.tick(side, everyone)
    assert (outcome.kind, outcome.status, outcome.pinged) == (Reminder.DAY_BEFORE, "posted", 1)
    [(channel, post)] = side.posts
    assert channel == CLUB_CHANNEL and post.mentions == (ALICE,)
    assert await service.tick(side, everyone) == []
    assert await service.tick(side, lambda guild_id: False) == []  # not this process's guild

    # the bot was down from then until ten minutes into the meeting: only "starting" is due;
    # it goes to the club channel chosen meanwhile with /settings club-channel
    async with database.write() as conn:
        await settings_repo.set_club_channel(conn, GUILD, 777, NOW)
    clock.set(FIRST + timedelta(minutes=10))
    assert [(o.meeting_id, o.kind) for o in await service.tick(side, everyone)] == [
        (first.id, Reminder.STARTING)
    ]
    assert side.posts[-1][0] == 777
    # down during the whole day-before window of the second and past its grace hour: nothing
    clock.set(second.starts_at + timedelta(hours=1))
    assert await service.tick(side, everyone) == []
    async with database.read() as conn:
        assert await repo.reminder_status(conn, second.id, Reminder.DAY_BEFORE) is None
        assert await repo.reminder_status(conn, first.id, Reminder.STARTING) == "posted"
    assert len(side.posts) == 2


async def test_a_refused_reminder_is_recorded_and_not_retried(
    database: Database, clock: FakeClock
) -> None:
    service, side = MeetingService(database, clock), FakeDiscordSide()
    await _club(database, clock)
    first, *_ = await _series(service, side, count=1)
    side.fail_post = True
    clock.set(FIRST - timedelta(hours=1))
    [outcome] = await service.tick(side, lambda g: True)
    assert outcome.status == "failed"
    side.fail_post = False
    assert await service.tick(side, lambda g: True) == []
    async with database.read() as conn:
        assert await repo.reminder_status(conn, first.id, Reminder.DAY_BEFORE) == "failed"


async def test_two_claimers_racing_post_a_reminder_once(
    database: Database, clock: FakeClock
) -> None:
    side = FakeDiscordSide()
    one, other = MeetingService(database, clock), MeetingService(database, clock)
    await _club(database, clock)
    [meeting] = await _series(one, side, count=1)
    clock.set(FIRST - timedelta(hours=2))
    outcomes = await asyncio.gather(
        *(s.remind(meeting, Reminder.DAY_BEFORE, side) for s in (one, other, one, other))
    )
    assert sorted(o.status for o in outcomes) == ["not_claimed"] * 3 + ["posted"]
    assert len(side.posts) == 1

    # and straight at the repository: of two transactions inserting the claim, one wins
    async def claim() -> bool:
        async with database.write() as conn:
            return await repo.claim_reminder(
                conn, meeting.id, Reminder.STARTING, CLUB_CHANNEL, clock.now()
            )

    assert sorted(await asyncio.gather(claim(), claim())) == [False, True]


async def test_forget_me_and_the_purge_remove_reminders_and_meetings(
    database: Database, clock: FakeClock
) -> None:
    service, side = MeetingService(database, clock), FakeDiscordSide()
    await _club(database, clock)
    [meeting] = await _series(service, side, count=1)
    await service.set_reminders(GUILD, ALICE, True)
    await service.set_reminders(GUILD, BOB, True)
    clock.set(FIRST - timedelta(hours=2))
    await service.remind(meeting, Reminder.DAY_BEFORE, side)
    async with database.read() as conn:
        exported = export_json(await member_data(conn, GUILD, ALICE), GUILD, ALICE, NOW)
        assert exported["meeting_reminders"]["on"] is True
        carol = export_json(await member_data(conn, GUILD, CAROL), GUILD, CAROL, NOW)
        assert carol["meeting_reminders"] == {"on": False}
    async with database.write() as conn:
        assert (await privacy.footprint(conn, GUILD, ALICE)).reminders == 1
        assert (await privacy.forget_member(conn, GUILD, ALICE)).reminders == 1
    assert not await service.reminders_on(GUILD, ALICE) and await service.reminders_on(GUILD, BOB)
    async with database.write() as conn:
        await privacy.purge_guild(conn, GUILD)
        for table in (club_meetings, club_meeting_reminders, club_reminder_optins):
            count = await conn.execute(select(func.count()).select_from(table))
            assert count.scalar_one() == 0, table.name
