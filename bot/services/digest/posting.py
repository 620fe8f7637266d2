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

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.digest import Digest
from bot.errors import new_error_code

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


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, PostingFailed):
        return str(exc)[:500]
    return f"{FailureKind.INTERNAL}: {type(exc).__name__}: {exc}"[:500]
