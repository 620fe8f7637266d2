"""The weekly digest: settings, building one guild's digest, and the scheduler that posts it
once per guild per week.

Posting goes through an injected :class:`DigestPoster` (the Discord side lives in the cog),
names through a :class:`~bot.services.clubs.MemberDirectory`; nothing here imports discord.

Once per guild per week — the crash semantics
=============================================

The row ``digest_runs(guild_id, week_key)`` is claimed (INSERT, primary key) *after* the
digest is built and *before* it is sent, and marked ``posted`` once Discord returned the
message. If the process dies between "sent" and "recorded", the row stays ``claimed``.

**The claim wins: at most once.** A claim older than :data:`CLAIM_LEASE` that no task of
this process is working on is never re-sent automatically; it is marked ``abandoned`` and
reported to the moderators' log channel (and the log) as "may not have been posted", with
the hint that ``/digest send-now`` posts it (asking for confirmation first). Why this side:

* a duplicate digest in a community channel is visible to everyone and cannot be undone by
  the bot after a restart, while a missing one is a rare, reported, one-command fix;
* the alternative — look at the channel's recent messages for our digest before re-posting
  — needs Read Message History in the digest channel (not otherwise required), is a guess
  (messages can be deleted or pushed out of the page fetched), and still races with a
  delayed send.

The window is small: building (queries, names, chart data) happens before the claim, so a
crash while building leaves no row and the next tick simply tries again.

Failures
========

A failed send (channel deleted → 404/10003, missing permissions → 403/50013, Discord 5xx
or any other error from the poster) is recorded (``failed``, ``attempts``, ``last_error``,
``next_attempt_at``) and retried with :func:`~bot.domain.schedule.retry_backoff` until the
guild's week ends (then ``abandoned``). It is reported to the moderators' log channel once,
on the first failure of the week. Guilds are processed concurrently with a bound
(:data:`DEFAULT_CONCURRENCY`), each in its own task, so one guild's failure or slowness never
delays another's.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from bot.db import clubs as club_repo
from bot.db import digest as repo
from bot.db.clubs import ClubRecord, MemberReading
from bot.db.digest import (
    DigestRun,
    DigestSettings,
    MemberActivity,
    RatingRow,
    ReviewRow,
)
from bot.db.engine import Database
from bot.domain.clock import Clock
from bot.domain.club import Checkpoint, next_checkpoint
from bot.domain.digest import (
    LEADERBOARD_SIZE,
    MIN_STREAK_DAYS,
    ClubWeek,
    Digest,
    DigestInputs,
    MemberWeek,
    NewRating,
    NewReview,
    compose_digest,
)
from bot.domain.schedule import (
    DigestSchedule,
    TimeWindow,
    digest_window,
    due_week,
    next_attempt_at,
    next_run,
    week_key,
)
from bot.domain.words import message_url
from bot.errors import Conflict, InvalidInput, new_error_code
from bot.services.clubs import MemberDirectory, author_text, fallback_name, member_progress

log = logging.getLogger(__name__)

#: A claim older than this, with no task of this process on it, was left by a process that
#: stopped mid-post. Far longer than any send (discord.py's own retries included).
CLAIM_LEASE = timedelta(minutes=15)
DEFAULT_CONCURRENCY = 16
#: At most this many member names are looked up per digest: the ones a digest can show.
NAME_BUDGET = 300
#: How far back a reading streak is traced (longer streaks show as this many days).
STREAK_LOOKBACK_DAYS = 31


# --- the posting interface -------------------------------------------------------------------


class FailureKind(enum.StrEnum):
    CHANNEL_MISSING = "channel_missing"  # 404 / 10003 Unknown Channel, or not visible
    FORBIDDEN = "forbidden"  # 403 / 50001 Missing Access, 50013 Missing Permissions
    DISCORD_ERROR = "discord_error"  # 5xx or another HTTP error
    INTERNAL = "internal"  # the digest could not be prepared (a bug; logged)


class PostingFailed(Exception):
    """What a :class:`DigestPoster` raises when Discord refused or failed the post.

    ``detail`` is for the log only (Discord's or an exception's own text can hold paths,
    queries, tokens); members and moderators are told ``kind`` in words, Discord's HTTP
    status, and ``code``, which the log line carries too.
    """

    def __init__(
        self,
        kind: FailureKind,
        detail: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
    ) -> None:
        self.kind = kind
        self.detail = detail
        self.http_status = http_status
        self.code = code or new_error_code()
        super().__init__(f"{kind} (error code {self.code}): {detail}")


@dataclass(frozen=True, slots=True)
class FailureReport:
    """What the moderators' log channel is told (once per guild per week): no exception
    text, only the kind of failure, Discord's HTTP status and the logged error code."""

    guild_id: int
    week_key: str
    channel_id: int
    kind: FailureKind
    code: str
    attempts: int
    next_attempt_at: datetime | None  # None: no more tries this week
    maybe_posted: bool = False  # a stale claim: the process stopped while posting
    http_status: int | None = None


class DigestPoster(Protocol):
    """The Discord side: render and send a digest; tell the moderators about a failure."""

    async def post_digest(self, guild_id: int, channel_id: int, digest: Digest) -> int:
        """Post ``digest`` in the channel and return the message id, or raise
        :class:`PostingFailed`."""
        ...

    async def report_failure(self, modlog_channel_id: int, report: FailureReport) -> None:
        """Tell the moderators; may raise (the caller logs and moves on)."""
        ...


class Spawner(Protocol):
    def __call__(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]: ...


# --- building one digest ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekData:
    """One guild's raw week, straight from the aggregation queries."""

    guild_id: int
    today: date
    activity: tuple[MemberActivity, ...] = ()
    streaks: Mapping[int, int] = field(default_factory=dict)
    goals: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    reviews: tuple[ReviewRow, ...] = ()
    ratings: tuple[RatingRow, ...] = ()
    opted_out: frozenset[int] = frozenset()
    club: ClubRecord | None = None
    club_readings: tuple[MemberReading, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()


@dataclass(frozen=True, slots=True)
class BuiltDigest:
    guild_id: int
    digest: Digest
    window: TimeWindow
    timezone: str


def schedule_of(settings: DigestSettings) -> DigestSchedule | None:
    """The stored schedule, or None when incomplete (or its zone vanished from tzdata)."""
    if settings.weekday is None or settings.hour is None or settings.timezone is None:
        return None
    try:
        return DigestSchedule(settings.weekday, settings.hour, settings.timezone)
    except InvalidInput:
        log.warning("guild=%s stored digest schedule is invalid", settings.guild_id)
        return None


def _zone_name(settings: DigestSettings) -> str:
    schedule = schedule_of(settings)
    return schedule.timezone if schedule is not None else "UTC"


def names_wanted(data: WeekData, budget: int = NAME_BUDGET) -> list[int]:
    """The members whose names the digest can show, most visible first, at most ``budget``.

    The digest shows at most a screenful of each list, so for a 5,000-member server only
    the top readers, streaks, goals, reviewers and club finishers need a real name.
    """
    hidden = data.opted_out
    readers = sorted(
        (a for a in data.activity if a.pages > 0 or a.started or a.finished),
        key=lambda a: (-max(a.pages, 0), -a.finished, -a.started, a.user_id),
    )
    streaks = sorted(
        (u for u, days in data.streaks.items() if days >= MIN_STREAK_DAYS),
        key=lambda u: (-data.streaks[u], u),
    )
    goals = sorted(data.goals, key=lambda u: (-data.goals[u][0] / data.goals[u][1], u))
    finishers = sorted(r.user_id for r in data.club_readings if r.status == "finished")
    others = sorted(r.user_id for r in data.club_readings)
    tiers: list[Iterable[int]] = [
        [r.user_id for r in data.reviews][:50],
        [a.user_id for a in readers][:150],
        streaks[: LEADERBOARD_SIZE + 5],
        goals[: LEADERBOARD_SIZE + 5],
        finishers[:30],
        [r.user_id for r in data.reviews],
        [a.user_id for a in readers],
        finishers,
        others,
    ]
    wanted: dict[int, None] = {}
    for tier in tiers:
        for user_id in tier:
            if user_id not in hidden:
                wanted.setdefault(user_id, None)
                if len(wanted) >= budget:
                    return list(wanted)
    return list(wanted)


def assemble_inputs(
    data: WeekData, names: Mapping[int, str], window: TimeWindow, timezone: str
) -> DigestInputs:
    """The domain's DigestInputs from raw rows; unknown names get a neutral placeholder."""

    def name(user_id: int) -> str:
        return names.get(user_id) or fallback_name(user_id)

    activity = {a.user_id: a for a in data.activity}
    streaks = {u: d for u, d in data.streaks.items() if d > 0}
    user_ids = sorted(set(activity) | set(streaks) | set(data.goals))
    members = []
    for user_id in user_ids:
        act = activity.get(user_id)
        goal = data.goals.get(user_id)
        members.append(
            MemberWeek(
                user_id=user_id,
                display_name=name(user_id),
                pages_read=act.pages if act else 0,
                books_started=act.started if act else 0,
                books_finished=act.finished if act else 0,
                streak_days=streaks.get(user_id, 0),
                goal_done=goal[0] if goal else None,
                goal_target=goal[1] if goal else None,
            )
        )
    reviews = tuple(
        NewReview(
            review_id=r.review_id,
            book_title=r.book_title,
            book_author=author_text(r.book_authors),
            quarters=r.quarters,
            reviewer_id=r.user_id,
            reviewer_name=name(r.user_id),
            jump_url=message_url(data.guild_id, r.channel_id, r.message_id),
        )
        for r in data.reviews
    )
    ratings = tuple(
        NewRating(r.user_id, r.book_id, r.book_title, author_text(r.book_authors), r.quarters)
        for r in data.ratings
    )
    club = None
    if data.club is not None:
        pages = data.club.page_count
        club = ClubWeek(
            title=data.club.title,
            author=author_text(data.club.authors),
            page_count=pages,
            members=tuple(member_progress(r, name(r.user_id), pages) for r in data.club_readings),
            next_checkpoint=next_checkpoint(data.checkpoints, data.today),
        )
    return DigestInputs(
        window=window,
        timezone=timezone,
        members=tuple(members),
        reviews=reviews,
        ratings=ratings,
        club=club,
    )


# --- settings and interactive use ------------------------------------------------------------


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
    def __init__(self, database: Database, clock: Clock, directory: MemberDirectory) -> None:
        self.database = database
        self.clock = clock
        self.directory = directory

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

    async def _load_week(
        self, guild_id: int, window: TimeWindow, now: datetime, timezone: str | None
    ) -> tuple[WeekData, str]:
        """Every aggregation of the week in one read transaction (one consistent snapshot);
        the guild's zone is read there too unless the caller knows it."""
        async with self.database.read() as conn:
            if timezone is None:
                timezone = _zone_name(await repo.get_settings(conn, guild_id))
            local_now = now.astimezone(ZoneInfo(timezone))
            today = local_now.date()
            offset = local_now.utcoffset() or timedelta()
            activity = await repo.member_activity(conn, guild_id, window.start, window.end)
            streaks = await repo.reading_streaks(
                conn,
                guild_id,
                since=now - timedelta(days=STREAK_LOOKBACK_DAYS),
                until=now,
                today=today,
                timezone=timezone,
                offset_minutes=int(offset.total_seconds() // 60),
            )
            goals = await repo.goal_progress(conn, guild_id, today.year)
            reviews = await repo.new_reviews(conn, guild_id, window.start, window.end)
            ratings = await repo.new_ratings(conn, guild_id, window.start, window.end)
            opted_out = await repo.opted_out(conn, guild_id)
            club = await club_repo.active_club(conn, guild_id)
            readings: list[MemberReading] = []
            checkpoints: list[Checkpoint] = []
            if club is not None:
                readings = await club_repo.member_readings(
                    conn, guild_id, club.book_id, club.created_at
                )
                checkpoints = await club_repo.checkpoints(conn, club.id)
        data = WeekData(
            guild_id=guild_id,
            today=today,
            activity=tuple(activity),
            streaks=streaks,
            goals=goals,
            reviews=tuple(reviews),
            ratings=tuple(ratings),
            opted_out=opted_out,
            club=club,
            club_readings=tuple(readings),
            checkpoints=tuple(checkpoints),
        )
        return data, timezone

    async def build(
        self, guild_id: int, *, now: datetime | None = None, timezone: str | None = None
    ) -> BuiltDigest:
        """The digest that would be posted at ``now`` (default: the clock's now), covering
        the seven days before it. ``timezone`` (the guild's digest zone) is read from its
        settings unless given (the scheduler has them already)."""
        now = now or self.clock.now()
        window = digest_window(now)
        data, timezone = await self._load_week(guild_id, window, now, timezone)
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
        sent unless ``force`` (the admin confirmed). Raises :class:`PostingFailed` when
        Discord refuses; a fresh claim is then released so the scheduled post still happens.
        """
        now = self.clock.now()
        settings = await self.settings(guild_id)
        channel_id = settings.channel_id
        if channel_id is None:
            raise InvalidInput(
                "The digest has no channel yet. Set it up first with "
                "/digest setup channel weekday hour timezone."
            )
        schedule = schedule_of(settings)
        week = week_key(now.astimezone(ZoneInfo(_zone_name(settings))))
        async with self.database.read() as conn:
            run = await repo.get_run(conn, guild_id, week)
        if run is not None and run.status == "claimed" and now - run.claimed_at < CLAIM_LEASE:
            raise Conflict(
                "This week's digest is being posted right now. Look in the digest channel "
                "in a minute."
            )
        done_already = run is not None and run.status in ("posted", "abandoned", "claimed")
        if done_already and not force:
            return SendNowResult("already_posted", week, channel_id, previous=run)
        built = await self.build(guild_id, now=now)
        if done_already:
            message_id = await poster.post_digest(guild_id, channel_id, built.digest)
            async with self.database.write() as conn:
                await repo.record_repost(
                    conn, guild_id, week, channel_id=channel_id, message_id=message_id, now=now
                )
            return SendNowResult("posted", week, channel_id, message_id, previous=run)
        fresh = run is None
        async with self.database.write() as conn:
            if fresh:
                claimed = await repo.claim(conn, guild_id, week, channel_id, now)
            else:
                claimed = await repo.claim_retry(
                    conn, guild_id, week, channel_id, now, due_only=False
                )
        if not claimed:
            raise Conflict("This week's digest is being posted right now.")
        try:
            message_id = await poster.post_digest(guild_id, channel_id, built.digest)
        except Exception as exc:
            if isinstance(exc, PostingFailed):
                log.warning("guild=%s digest send-now failed: %s", guild_id, exc)
            async with self.database.write() as conn:
                if fresh:
                    await repo.release(conn, guild_id, week)
                else:
                    attempts = run.attempts + 1 if run is not None else 1
                    retry_at = (
                        next_attempt_at(schedule, week, attempts, now)
                        if schedule is not None
                        else None
                    )
                    await repo.mark_failed(
                        conn, guild_id, week, error=_error_text(exc), next_attempt_at=retry_at
                    )
            raise
        async with self.database.write() as conn:
            await repo.mark_posted(
                conn, guild_id, week, channel_id=channel_id, message_id=message_id, now=now
            )
        return SendNowResult("posted", week, channel_id, message_id, previous=run)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, PostingFailed):
        return str(exc)[:500]
    return f"{FailureKind.INTERNAL}: {type(exc).__name__}: {exc}"[:500]


# --- the scheduler ---------------------------------------------------------------------------


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


def decide(run: DigestRun | None, now: datetime) -> Action | None:
    """What a due week's run needs: a first post, a retry, giving up a stale claim, or
    nothing (posted, abandoned, not yet time to retry, or being posted)."""
    if run is None:
        return Action.FIRST
    if run.status == "failed" and (run.next_attempt_at is None or run.next_attempt_at <= now):
        return Action.RETRY
    if run.status == "claimed" and now - run.claimed_at >= CLAIM_LEASE:
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
        # The scheduler's own writes take turns: with SQLite, sixteen tasks racing for the
        # write lock make a convoy (each holder also waits for the busy event loop) that
        # can outlast the busy timeout; queueing here costs nothing with PostgreSQL either.
        self._write_turn = asyncio.Lock()

    @property
    def clock(self) -> Clock:
        return self.service.clock

    def _writing(self) -> asyncio.Lock:
        return self._write_turn

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
            action = decide(runs.get((settings.guild_id, week)), now)
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
        database = self.service.database
        built: BuiltDigest | None = None
        build_error: PostingFailed | None = None
        try:
            built = await self.service.build(
                guild_id, now=self.clock.now(), timezone=schedule.timezone
            )
        except Exception as exc:  # a bug or a database problem: retried with backoff
            build_error = PostingFailed(FailureKind.INTERNAL, f"{type(exc).__name__}: {exc}")
            log.exception(
                "guild=%s digest for %s could not be built (error code %s)",
                guild_id,
                week,
                build_error.code,
            )
        now = self.clock.now()
        async with self._writing(), database.write() as conn:
            if action is Action.FIRST:
                claimed = await repo.claim(conn, guild_id, week, channel_id, now)
            else:
                claimed = await repo.claim_retry(conn, guild_id, week, channel_id, now)
        if not claimed:
            return RunOutcome(guild_id, week, "skipped")
        if build_error is not None:
            return await self._record_failure(settings, schedule, week, build_error)
        assert built is not None
        try:
            message_id = await self.poster.post_digest(guild_id, channel_id, built.digest)
        except PostingFailed as exc:
            return await self._record_failure(settings, schedule, week, exc)
        except Exception as exc:  # not Discord's refusal: a bug on this side
            failure = PostingFailed(FailureKind.INTERNAL, f"{type(exc).__name__}: {exc}")
            log.exception(
                "guild=%s digest post failed unexpectedly (error code %s)", guild_id, failure.code
            )
            return await self._record_failure(settings, schedule, week, failure)
        await self._record_posted(guild_id, week, channel_id, message_id)
        log.info("guild=%s digest %s posted (message %s)", guild_id, week, message_id)
        return RunOutcome(guild_id, week, "posted", message_id=message_id)

    async def _record_posted(
        self, guild_id: int, week: str, channel_id: int, message_id: int
    ) -> None:
        """Record a sent digest. It is never re-sent, even if recording keeps failing: the
        claim then stays and is reported later as "may not have been posted"."""
        for attempt in range(3):
            try:
                async with self._writing(), self.service.database.write() as conn:
                    await repo.mark_posted(
                        conn,
                        guild_id,
                        week,
                        channel_id=channel_id,
                        message_id=message_id,
                        now=self.clock.now(),
                    )
                return
            except Exception:
                log.exception(
                    "guild=%s digest %s was sent but not recorded (try %d)",
                    guild_id,
                    week,
                    attempt + 1,
                )
                await asyncio.sleep(0.5 * (attempt + 1))

    async def _record_failure(
        self,
        settings: DigestSettings,
        schedule: DigestSchedule,
        week: str,
        failure: PostingFailed,
    ) -> RunOutcome:
        guild_id = settings.guild_id
        now = self.clock.now()
        async with self._writing(), self.service.database.write() as conn:
            run = await repo.get_run(conn, guild_id, week)
            attempts_before = run.attempts if run is not None else 0
            retry_at = next_attempt_at(schedule, week, attempts_before + 1, now)
            attempts = await repo.mark_failed(
                conn, guild_id, week, error=str(failure), next_attempt_at=retry_at
            )
        attempts = attempts or attempts_before + 1
        log.warning(
            "guild=%s digest %s failed (attempt %d): %s; %s",
            guild_id,
            week,
            attempts,
            failure,
            f"retry at {retry_at.isoformat()}" if retry_at else "giving up for this week",
        )
        if attempts == 1:
            await self._report(
                settings,
                FailureReport(
                    guild_id=guild_id,
                    week_key=week,
                    channel_id=settings.channel_id or 0,
                    kind=failure.kind,
                    code=failure.code,
                    attempts=attempts,
                    next_attempt_at=retry_at,
                    http_status=failure.http_status,
                ),
            )
        status: Literal["failed", "abandoned"] = "failed" if retry_at else "abandoned"
        return RunOutcome(guild_id, week, status, error=str(failure))

    async def _give_up_stale(
        self, settings: DigestSettings, schedule: DigestSchedule, week: str
    ) -> RunOutcome:
        guild_id = settings.guild_id
        now = self.clock.now()
        detail = "the bot stopped while posting; the digest may not have been posted"
        async with self._writing(), self.service.database.write() as conn:
            won = await repo.abandon_stale(
                conn, guild_id, week, claimed_before=now - CLAIM_LEASE, error=detail
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
