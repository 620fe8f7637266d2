"""Posting one guild's digest: the interface to Discord, the failures it reports, and the
claim that makes a week's digest go out at most once.

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

One path: the scheduler's tick and ``/digest send-now`` both post through
:class:`RunPosting` (claim → post → record). An admin's confirmed re-post claims the
finished run too (``posted``/``abandoned`` → ``claimed``), so a crash in it is handled
like any other: given up and reported once stale, never re-sent.

Failures
========

A failed send (channel deleted → 404/10003, missing permissions → 403/50013, Discord 5xx
or any other error from the poster) is recorded (``failed``, ``attempts``, ``last_error``,
``next_attempt_at``) and retried with :func:`~bot.domain.schedule.retry_backoff` until the
guild's week ends (then ``abandoned``). It is reported to the moderators' log channel once,
on the first failure of the week. Guilds are processed concurrently with a bound
(:data:`~bot.services.digest.scheduler.DEFAULT_CONCURRENCY`), each in its own task, so one
guild's failure or slowness never delays another's.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.db import digest as repo
from bot.db.digest import DigestRun
from bot.db.engine import Database
from bot.domain.clock import Clock
from bot.domain.digest import Digest
from bot.domain.schedule import DigestSchedule, next_attempt_at
from bot.errors import new_error_code
from bot.metadata.resilience import RetryPolicy

log = logging.getLogger(__name__)

#: A claim older than this, with no task of this process on it, was left by a process that
#: stopped mid-post. Far longer than any send (discord.py's own retries included).
CLAIM_LEASE = timedelta(minutes=15)


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


# --- claim → post → record ------------------------------------------------------------------

#: Recording a sent digest is retried a little (the message is out: it is never re-sent).
RECORD_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=2.0)


class Claim(enum.Enum):
    """How a week's run is taken before anything is sent."""

    FIRST = "first"  # no row yet: insert it (exactly one claimer wins, in any process)
    RETRY = "retry"  # a failed run whose retry time has come
    RETRY_NOW = "retry_now"  # a failed run, whenever (an admin's send-now)
    REPOST = "repost"  # a posted or abandoned run (or a stale claim): an admin confirmed


class OnFailure(enum.Enum):
    """What a failed post leaves behind (nothing was sent)."""

    RECORD = "record"  # ``failed`` with the next try (or ``abandoned`` when the week is over)
    RELEASE = "release"  # no row: a fresh send-now failed, the scheduled post still happens
    RESTORE = "restore"  # the run as it was before a confirmed re-post


@dataclass(frozen=True, slots=True)
class RunTicket:
    """One week's run of one guild: where it goes and when a failure is retried."""

    guild_id: int
    week_key: str
    channel_id: int
    schedule: DigestSchedule | None  # None: no retry time, a recorded failure is final
    previous: DigestRun | None = None  # the run as read before (for Claim.REPOST)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The end of one claim → post → record: ``posted``, ``not_claimed`` (someone else has
    the run, or it is not due) or ``failed`` (recorded as ``on_failure`` said)."""

    status: Literal["posted", "not_claimed", "failed"]
    message_id: int | None = None
    failure: PostingFailed | None = None
    error: BaseException | None = None  # what was raised (``failure`` wraps it when internal)
    attempts: int = 0  # failed attempts of the week so far, this one included (RECORD)
    retry_at: datetime | None = None


class RunPosting:
    """The one path a week's digest is posted by, for the scheduler and ``/digest send-now``
    alike: **claim** the run (a compare-and-set on its row, see :mod:`bot.db.digest`),
    **post** through the :class:`DigestPoster`, **record** the message or the failure.

    A crash (any ``BaseException``: the process dying, a cancellation) between post and
    record leaves the claim; it is never re-sent automatically but given up and reported
    once stale (module docstring). Writes queue on the database's own write serialisation;
    recording a sent digest is retried with :data:`RECORD_RETRY`.
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        record_retry: RetryPolicy = RECORD_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lease: timedelta | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        #: how old a claim must be to count as left behind (the scheduler and send-now read
        #: it here; :data:`CLAIM_LEASE` unless given, read when the path is built)
        self.lease = CLAIM_LEASE if lease is None else lease
        self.record_retry = record_retry
        self._sleep = sleep

    async def deliver(
        self,
        ticket: RunTicket,
        claim: Claim,
        content: Digest | PostingFailed,
        poster: DigestPoster,
        *,
        on_failure: OnFailure = OnFailure.RECORD,
    ) -> Delivery:
        """Claim, post ``content`` and record. ``content`` may be the failure to build the
        digest: it is then recorded like a failed post (claimed first, so only one process
        records it)."""
        if not await self._claim(ticket, claim):
            return Delivery("not_claimed")
        if isinstance(content, PostingFailed):
            return await self._failed(ticket, content, content, on_failure)
        try:
            message_id = await poster.post_digest(ticket.guild_id, ticket.channel_id, content)
        except PostingFailed as exc:
            return await self._failed(ticket, exc, exc, on_failure)
        except Exception as exc:  # not Discord's refusal: a bug on this side
            failure = PostingFailed(FailureKind.INTERNAL, f"{type(exc).__name__}: {exc}")
            log.exception(
                "guild=%s digest post failed unexpectedly (error code %s)",
                ticket.guild_id,
                failure.code,
            )
            return await self._failed(ticket, failure, exc, on_failure)
        await self._record_posted(ticket, message_id)
        return Delivery("posted", message_id=message_id)

    async def _claim(self, ticket: RunTicket, claim: Claim) -> bool:
        guild_id, week, channel_id = ticket.guild_id, ticket.week_key, ticket.channel_id
        now = self.clock.now()
        async with self.database.write() as conn:
            if claim is Claim.FIRST:
                return await repo.claim(conn, guild_id, week, channel_id, now)
            if claim is Claim.REPOST:
                return await repo.reclaim(
                    conn, guild_id, week, channel_id, now, stale_before=now - self.lease
                )
            return await repo.claim_retry(
                conn, guild_id, week, channel_id, now, due_only=claim is Claim.RETRY
            )

    async def _record_posted(self, ticket: RunTicket, message_id: int) -> None:
        """Record a sent digest. It is never re-sent, even if recording keeps failing: the
        claim then stays and is reported later as "may not have been posted"."""
        attempts = self.record_retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                async with self.database.write() as conn:
                    await repo.mark_posted(
                        conn,
                        ticket.guild_id,
                        ticket.week_key,
                        channel_id=ticket.channel_id,
                        message_id=message_id,
                        now=self.clock.now(),
                    )
                return
            except Exception:
                log.exception(
                    "guild=%s digest %s was sent but not recorded (try %d of %d)",
                    ticket.guild_id,
                    ticket.week_key,
                    attempt,
                    attempts,
                )
                if attempt < attempts:
                    await self._sleep(self.record_retry.backoff(attempt))

    async def _failed(
        self,
        ticket: RunTicket,
        failure: PostingFailed,
        error: BaseException,
        on_failure: OnFailure,
    ) -> Delivery:
        guild_id, week = ticket.guild_id, ticket.week_key
        if on_failure is not OnFailure.RECORD:
            async with self.database.write() as conn:
                if on_failure is OnFailure.RELEASE:
                    await repo.release(conn, guild_id, week)
                elif ticket.previous is not None:
                    await repo.restore(conn, ticket.previous)
            log.warning("guild=%s digest %s not posted: %s", guild_id, week, failure)
            return Delivery("failed", failure=failure, error=error)
        now = self.clock.now()
        retry_at: datetime | None = None
        async with self.database.write() as conn:
            run = await repo.get_run(conn, guild_id, week)
            attempts_before = run.attempts if run is not None else 0
            if ticket.schedule is not None:
                retry_at = next_attempt_at(ticket.schedule, week, attempts_before + 1, now)
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
        return Delivery(
            "failed", failure=failure, error=error, attempts=attempts, retry_at=retry_at
        )
