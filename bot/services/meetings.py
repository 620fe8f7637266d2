"""Club meetings and their reminders (SPEC §11): ``/club meeting add|list|cancel`` and
``/club reminders on|off``.

Each meeting is a Discord **scheduled event** (discord.py 2.7 sends no recurrence rule, so a
series is one event per meeting, at most :data:`~bot.domain.meetings.MAX_MEETINGS_IN_SERIES`).
Discord keeps who pressed Interested; the database keeps the meetings, the reminder claims
and who turned reminders on. The Discord side is a :class:`MeetingDiscord` the cog implements,
so this module imports no discord.

Reminders — once each, across restarts
======================================

The scheduler (:meth:`MeetingService.tick`, every minute in the cog, for the guilds this
process serves) posts in the club channel (``/settings club-channel``, else where the
latest ``/club pick`` was used) 24 hours before a meeting and when it starts. A
reminder is **claimed** (its row inserted, see :mod:`bot.db.meetings`), then posted, then
recorded: the claim is never taken twice, so a reminder is posted at most once, whatever
restarts or other processes do; a process dying between post and record leaves the claim,
and the reminder is not posted again (a duplicate ping is worse than a missed one).

A reminder that fell due while the bot was down is posted when it is back if it still makes
sense (:func:`~bot.domain.meetings.reminder_window`): the day-before reminder until the
meeting starts, the "starting" one up to an hour after the start. A meeting added less than
a day ahead gets its day-before reminder at the next tick. A reminder Discord refuses (the
club channel deleted, no permission) is recorded as failed and logged, not retried.

Who is pinged: members who pressed Interested on the meeting's event (fetched from Discord
when the reminder is posted: without the members intent discord.py drops the "Interested"
gateway events) **and** turned reminders on. Nobody else, no roles, never @everyone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.db import clubs as club_repo
from bot.db import digest as digest_repo
from bot.db import meetings as repo
from bot.db.clubs import ClubRecord
from bot.db.engine import Database
from bot.db.meetings import Meeting
from bot.domain.clock import Clock
from bot.domain.meetings import (
    EXTERNAL_LENGTH,
    MAX_CHECKPOINT,
    Reminder,
    Repeat,
    event_description,
    event_name,
    meeting_times,
    parse_when,
    reminder_window,
)
from bot.domain.text import clean_line
from bot.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "EventSpec",
    "MeetingDiscord",
    "MeetingList",
    "MeetingPlan",
    "MeetingService",
    "Place",
    "ReminderFailed",
    "ReminderOutcome",
    "ReminderPost",
]

log = logging.getLogger(__name__)


# --- the Discord side -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a meeting is held: a voice or stage channel, or a place outside Discord."""

    channel_id: int | None = None
    stage: bool = False
    location: str | None = None

    def __post_init__(self) -> None:
        if (self.channel_id is None) == (self.location is None):
            raise ValueError("a place is a channel or a location")


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One scheduled event to create."""

    name: str
    description: str
    starts_at: datetime
    ends_at: datetime | None
    place: Place


@dataclass(frozen=True, slots=True)
class ReminderPost:
    """One reminder to post: the meeting, which reminder, and exactly who is pinged."""

    meeting: Meeting
    kind: Reminder
    mentions: tuple[int, ...]


class ReminderFailed(Exception):
    """The Discord side could not post a reminder (``detail`` is for the log)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class MeetingDiscord(Protocol):
    """What the service needs from Discord (the cog implements it)."""

    async def create_event(self, guild_id: int, spec: EventSpec) -> int:
        """Create the scheduled event; its id. Discord's refusal raises a UserError that
        says why (a missing permission named)."""
        ...

    async def delete_event(self, guild_id: int, event_id: int) -> None:
        """Delete the scheduled event; one already gone is fine."""
        ...

    async def interested_counts(self, guild_id: int) -> Mapping[int, int]:
        """Event id → how many members pressed Interested, for the server's events."""
        ...

    async def interested(self, guild_id: int, event_id: int) -> Sequence[int]:
        """The ids of the members who pressed Interested on the event (none if it is gone)."""
        ...

    async def post_reminder(self, guild_id: int, channel_id: int, post: ReminderPost) -> int:
        """Post the reminder and return the message id, or raise :class:`ReminderFailed`."""
        ...


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingPlan:
    """A checked ``/club meeting add``: the club read, the meetings' instants, the labels."""

    club: ClubRecord
    starts: tuple[datetime, ...]
    checkpoint: str | None
    zone: ZoneInfo

    @property
    def name(self) -> str:
        return event_name(self.club.title, self.checkpoint)


@dataclass(frozen=True, slots=True)
class MeetingList:
    meetings: tuple[Meeting, ...]
    interested: Mapping[int, int]  # event id → count; an event missing here is gone
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class ReminderOutcome:
    meeting_id: int
    kind: Reminder
    status: Literal["posted", "not_claimed", "failed"]
    pinged: int = 0
    message_id: int | None = None


class MeetingService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def zone(self, guild_id: int) -> ZoneInfo:
        """The server's time zone (the digest's; UTC when none is set)."""
        async with self.database.read() as conn:
            settings = await digest_repo.get_settings(conn, guild_id)
        return ZoneInfo(settings.timezone or "UTC")

    async def _active(self, guild_id: int) -> ClubRecord:
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
        if club is None:
            raise NotFound(
                "Meetings are about the club read, and there is none right now. "
                "A moderator can start one with /club pick."
            )
        return club

    async def checkpoint_labels(self, guild_id: int) -> list[str]:
        """The club read's checkpoint labels (for the autocomplete), none without a read."""
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            if club is None:
                return []
            return [c.label for c in await club_repo.checkpoints(conn, club.id)]

    async def plan(
        self,
        guild_id: int,
        *,
        when: str,
        checkpoint: str | None,
        repeat: Repeat | None,
        count: int | None,
    ) -> MeetingPlan:
        """Check ``/club meeting add`` before anything is created: a club read, a readable
        time in the future, a series of 1 to 12."""
        club = await self._active(guild_id)
        zone = await self.zone(guild_id)
        now = self.clock.now()
        label = clean_line(checkpoint) if checkpoint else None
        if label is not None and len(label) > MAX_CHECKPOINT:
            raise InvalidInput(f"Keep the checkpoint to {MAX_CHECKPOINT} characters.")
        if repeat is None and count not in (None, 1):
            raise InvalidInput("`count` is for a series: say how it repeats with `repeat`.")
        wall = parse_when(when, now.astimezone(zone).date())
        starts = meeting_times(wall, zone, repeat, count or (4 if repeat else 1))
        if starts[0] <= now:
            raise InvalidInput(
                f"<t:{int(starts[0].timestamp())}:F> has already passed. "
                "Pick a time in the future (in the server's time zone)."
            )
        return MeetingPlan(club, tuple(starts), label or None, zone)

    async def add(
        self, guild_id: int, user_id: int, plan: MeetingPlan, place: Place, side: MeetingDiscord
    ) -> list[Meeting]:
        """Create one scheduled event per meeting, then keep the meetings. If Discord refuses
        one, the events made so far are deleted again and nothing is kept."""
        name = plan.name
        description = event_description(plan.club.title, plan.checkpoint)
        created: list[int] = []
        try:
            for start in plan.starts:
                end = start + EXTERNAL_LENGTH if place.location is not None else None
                spec = EventSpec(name, description, start, end, place)
                created.append(await side.create_event(guild_id, spec))
            series = uuid.uuid4().hex if len(plan.starts) > 1 else None
            now = self.clock.now()
            rows: list[dict[str, object]] = [
                {
                    "guild_id": guild_id,
                    "club_id": plan.club.id,
                    "event_id": event_id,
                    "series_id": series,
                    "checkpoint": plan.checkpoint,
                    "channel_id": place.channel_id,
                    "location": place.location,
                    "starts_at": start,
                    "ends_at": start + EXTERNAL_LENGTH if place.location is not None else None,
                    "created_by": user_id,
                    "created_at": now,
                }
                for event_id, start in zip(created, plan.starts, strict=True)
            ]
            async with self.database.write() as conn:
                current = await club_repo.active_club(conn, guild_id)
                if current is None or current.id != plan.club.id:
                    raise Conflict("The club read changed meanwhile. Nothing was scheduled.")
                ids = await repo.add_meetings(conn, rows)
                found = [await repo.get_meeting(conn, guild_id, i) for i in ids]
        except BaseException:
            for event_id in created:
                try:
                    await side.delete_event(guild_id, event_id)
                except Exception:
                    log.exception(
                        "guild=%s event %s could not be deleted again", guild_id, event_id
                    )
            raise
        return [m for m in found if m is not None]

    async def upcoming(self, guild_id: int) -> list[Meeting]:
        async with self.database.read() as conn:
            return await repo.upcoming(conn, guild_id, self.clock.now())

    async def listing(self, guild_id: int, side: MeetingDiscord) -> MeetingList:
        """The upcoming meetings with how many pressed Interested (from Discord)."""
        meetings = await self.upcoming(guild_id)
        counts = await side.interested_counts(guild_id) if meetings else {}
        return MeetingList(tuple(meetings), counts, await self.zone(guild_id))

    async def cancel(self, guild_id: int, meeting_id: int, side: MeetingDiscord) -> Meeting:
        """Cancel an upcoming meeting and delete its event (already deleted in Discord: fine)."""
        async with self.database.write() as conn:
            meeting = await repo.get_meeting(conn, guild_id, meeting_id)
            if meeting is None or meeting.starts_at <= self.clock.now():
                raise NotFound(
                    "I don't know that upcoming meeting. Pick one from the list "
                    "(/club meeting list shows them)."
                )
            if not await repo.cancel(conn, guild_id, meeting_id):
                raise Conflict("That meeting was already cancelled.")
        await side.delete_event(guild_id, meeting.event_id)
        return meeting

    # --- reminders ------------------------------------------------------------------------

    async def set_reminders(self, guild_id: int, user_id: int, on: bool) -> bool:
        """Turn the member's reminders on or off; True when it changed."""
        async with self.database.write() as conn:
            return await repo.set_reminders(conn, guild_id, user_id, on, self.clock.now())

    async def reminders_on(self, guild_id: int, user_id: int) -> bool:
        async with self.database.read() as conn:
            return await repo.reminders_on(conn, guild_id, user_id)

    async def due(self) -> list[tuple[Meeting, Reminder]]:
        """Every reminder inside its window now and not claimed yet (any server)."""
        now = self.clock.now()
        async with self.database.read() as conn:
            # a reminder's window is within [start - 24 h, start + 1 h)
            candidates = await repo.due_meetings(
                conn, now - timedelta(hours=1), now + timedelta(hours=24)
            )
            found: list[tuple[Meeting, Reminder]] = []
            for meeting in candidates:
                for kind in Reminder:
                    opens, closes = reminder_window(meeting.starts_at, kind)
                    if opens <= now < closes and (
                        await repo.reminder_status(conn, meeting.id, kind) is None
                    ):
                        found.append((meeting, kind))
        return found

    async def remind(
        self, meeting: Meeting, kind: Reminder, side: MeetingDiscord
    ) -> ReminderOutcome:
        """Claim → post → record one reminder."""
        async with self.database.write() as conn:
            channel_id = await club_repo.club_channel(conn, meeting.guild_id)
            if not await repo.claim_reminder(conn, meeting.id, kind, channel_id, self.clock.now()):
                return ReminderOutcome(meeting.id, kind, "not_claimed")
        try:
            if channel_id is None:
                raise ReminderFailed("the club read has no channel")
            interested = await side.interested(meeting.guild_id, meeting.event_id)
            async with self.database.read() as conn:
                wanting = await repo.opted_in(conn, meeting.guild_id, interested)
            mentions = tuple(u for u in interested if u in wanting)
            post = ReminderPost(meeting, kind, mentions)
            message_id = await side.post_reminder(meeting.guild_id, channel_id, post)
        except Exception as exc:
            detail = exc.detail if isinstance(exc, ReminderFailed) else repr(exc)
            log.warning(
                "guild=%s meeting %s: the %s reminder was not posted: %s",
                meeting.guild_id,
                meeting.id,
                kind,
                detail,
            )
            async with self.database.write() as conn:
                await repo.mark_failed(conn, meeting.id, kind, detail)
            return ReminderOutcome(meeting.id, kind, "failed")
        try:
            async with self.database.write() as conn:
                await repo.mark_posted(
                    conn, meeting.id, kind, message_id, len(mentions), self.clock.now()
                )
        except Exception:  # posted: the claim stays, it is never posted again
            log.exception(
                "guild=%s meeting %s reminder posted, not recorded", meeting.guild_id, meeting.id
            )
        return ReminderOutcome(meeting.id, kind, "posted", len(mentions), message_id)

    async def tick(
        self, side: MeetingDiscord, owns_guild: Callable[[int], bool]
    ) -> list[ReminderOutcome]:
        """Post every due reminder of the guilds ``owns_guild`` accepts."""
        outcomes: list[ReminderOutcome] = []
        for meeting, kind in await self.due():
            if not owns_guild(meeting.guild_id):
                continue
            try:
                outcomes.append(await self.remind(meeting, kind, side))
            except Exception:
                log.exception("guild=%s meeting %s reminder failed", meeting.guild_id, meeting.id)
        return outcomes
