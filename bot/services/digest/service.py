"""The digest's use cases for commands and tools: settings, building, and ``send-now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.db import digest as repo
from bot.db.digest import DigestRun, DigestSettings
from bot.db.engine import Database
from bot.domain.clock import Clock
from bot.domain.digest import compose_digest
from bot.domain.schedule import (
    DigestSchedule,
    digest_window,
    next_run,
    week_key,
)
from bot.errors import Conflict, InvalidInput
from bot.services.clubs import MemberDirectory
from bot.services.digest.build import (
    BuiltDigest,
    _zone_name,
    assemble_inputs,
    load_week,
    names_wanted,
    schedule_of,
)
from bot.services.digest.posting import (
    Claim,
    DigestPoster,
    OnFailure,
    RunPosting,
    RunTicket,
)


@dataclass(frozen=True, slots=True)
class DigestSetup:
    schedule: DigestSchedule
    channel_id: int
    next_post: datetime


@dataclass(frozen=True, slots=True)
class SendNowResult:
    """``posted``: the message went out. ``already_posted``: this week's digest was posted (or
    may have been), nothing was sent; ask the admin before calling again with force."""

    status: Literal["posted", "already_posted"]
    week_key: str
    channel_id: int
    message_id: int | None = None
    previous: DigestRun | None = None


class DigestService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        directory: MemberDirectory,
        *,
        posting: RunPosting | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.directory = directory
        #: the one claim → post → record path, shared with the scheduler
        self.posting = posting or RunPosting(database, clock)

    async def settings(self, guild_id: int) -> DigestSettings:
        async with self.database.read() as conn:
            return await repo.get_settings(conn, guild_id)

    async def setup(
        self, guild_id: int, *, channel_id: int, weekday: int, hour: int, timezone: str
    ) -> DigestSetup:
        """Validate and store the schedule and switch the digest on. A slot that already
        passed this week is not posted as a catch-up: the first post is the next slot."""
        schedule = DigestSchedule(weekday, hour, timezone)
        now = self.clock.now()
        async with self.database.write() as conn:
            await repo.save_schedule(
                conn,
                guild_id,
                channel_id=channel_id,
                weekday=schedule.weekday,
                hour=schedule.hour,
                timezone=schedule.timezone,
                now=now,
            )
        return DigestSetup(schedule, channel_id, next_run(schedule, now))

    async def turn_off(self, guild_id: int) -> bool:
        """Stop the weekly digest (the schedule is kept for /settings show); False if off."""
        async with self.database.write() as conn:
            return await repo.disable(conn, guild_id, self.clock.now())

    async def build(
        self, guild_id: int, *, now: datetime | None = None, timezone: str | None = None
    ) -> BuiltDigest:
        """The digest that would be posted at ``now`` (default: the clock's now), covering
        the seven days before it. ``timezone`` (the guild's digest zone) is read from its
        settings unless given (the scheduler has them already)."""
        now = now or self.clock.now()
        window = digest_window(now)
        data, timezone = await load_week(self.database, guild_id, window, now, timezone)
        wanted = names_wanted(data)
        names = await self.directory.display_names(guild_id, wanted) if wanted else {}
        inputs = assemble_inputs(data, names, window, timezone)
        return BuiltDigest(guild_id, compose_digest(inputs, data.opted_out), window, timezone)

    async def preview_text(self, guild_id: int) -> str:
        """The digest that would be posted now, as plain text (the CLI's preview)."""
        return (await self.build(guild_id)).digest.to_text()

    async def send_now(
        self, guild_id: int, poster: DigestPoster, *, force: bool = False
    ) -> SendNowResult:
        """Post this week's digest now (it counts as this week's: the scheduled one is then
        skipped). When this week's digest was already posted — or may have been — nothing is
        sent unless ``force`` (the admin confirmed). It takes the scheduler's path
        (:class:`RunPosting`: claim → post → record). Raises :class:`PostingFailed` when
        Discord refuses (another error as raised): a fresh claim is then released so the
        scheduled post still happens, a failed run's failure is recorded, and a re-post
        leaves the run as it was.
        """
        now = self.clock.now()
        settings = await self.settings(guild_id)
        channel_id = settings.channel_id
        if channel_id is None:
            raise InvalidInput(
                "The digest has no channel yet. Set it up first with "
                "/digest setup channel weekday hour timezone."
            )
        week = week_key(now.astimezone(ZoneInfo(_zone_name(settings))))
        async with self.database.read() as conn:
            run = await repo.get_run(conn, guild_id, week)
        lease = self.posting.lease
        if run is not None and run.status == "claimed" and now - run.claimed_at < lease:
            raise Conflict(
                "This week's digest is being posted right now. Look in the digest channel "
                "in a minute."
            )
        done_already = run is not None and run.status in ("posted", "abandoned", "claimed")
        if done_already and not force:
            return SendNowResult("already_posted", week, channel_id, previous=run)
        built = await self.build(guild_id, now=now)
        if run is None:
            claim, on_failure = Claim.FIRST, OnFailure.RELEASE
        elif run.status == "failed":
            claim, on_failure = Claim.RETRY_NOW, OnFailure.RECORD
        else:
            claim, on_failure = Claim.REPOST, OnFailure.RESTORE
        ticket = RunTicket(guild_id, week, channel_id, schedule_of(settings), previous=run)
        delivery = await self.posting.deliver(
            ticket, claim, built.digest, poster, on_failure=on_failure
        )
        if delivery.status == "not_claimed":
            raise Conflict("This week's digest is being posted right now.")
        if delivery.status == "failed":
            assert delivery.error is not None
            raise delivery.error
        return SendNowResult("posted", week, channel_id, delivery.message_id, previous=run)
