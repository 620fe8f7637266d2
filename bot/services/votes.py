"""The vote on the club's next read (SPEC §11): ``/club vote start|close``, ranked ballots,
and closing exactly once — at ``closes``, after a restart, or in any of several processes.

Opening writes the vote (``opening``) before Discord is asked to post it, so two moderators
starting at once cannot both open one; a refused post removes it again. Closing is a
compare-and-set in the database (:func:`bot.db.votes.close`): whichever caller wins counts
the ballots (``ranked``) or Discord's poll counts (``poll``, read just before) and keeps the
result, so the result is decided once. The announcement is then claimed and posted; a claim
older than :data:`ANNOUNCE_LEASE` with no announcement recorded (the process stopped while
posting) is taken again, so an announcement is never lost — and re-posted only if a process
died in the moment between Discord answering and the record.

The Discord side is :class:`VoteBoard` (the cog implements it): no discord import here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal, Protocol

from bot.db import clubs as club_repo
from bot.db import digest as digest_repo
from bot.db import nominations as nomination_repo
from bot.db import votes as repo
from bot.db.engine import Database
from bot.db.votes import VoteAlreadyRunning, VoteNominee, VoteRecord
from bot.domain.clock import Clock
from bot.domain.ranked_vote import (
    InvalidBallot,
    Round,
    VoteResult,
    check_ballot,
    instant_runoff,
    most_votes,
)
from bot.domain.vote_window import VoteWindow, vote_window
from bot.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "ANNOUNCE_LEASE",
    "POLL_MAX_NOMINEES",
    "BallotForm",
    "ClosedVote",
    "OpenedVote",
    "VoteBoard",
    "VotePlan",
    "VoteService",
]

log = logging.getLogger(__name__)

Style = Literal["poll", "ranked"]
POLL_MAX_NOMINEES: Final = 10  # a native poll's answers
MAX_NOMINEES: Final = 25  # a ballot's select menu holds 25 options
ANNOUNCE_LEASE: Final = timedelta(minutes=5)
OPENING_LEASE: Final = timedelta(minutes=10)
NO_VOTE: Final = "There is no vote open. A moderator can start one with /club vote start."


@dataclass(frozen=True, slots=True)
class VotePlan:
    """A checked ``/club vote start``: what would open."""

    guild_id: int
    style: Style
    window: VoteWindow
    nominees: tuple[VoteNominee, ...]
    style_reason: str | None  # why the style is not the one asked for / the default


@dataclass(frozen=True, slots=True)
class OpenedVote:
    vote_id: int
    style: Style
    channel_id: int
    closes_at: datetime
    hours: int  # how long it is open (a poll's duration)
    nominees: tuple[VoteNominee, ...]


@dataclass(frozen=True, slots=True)
class BallotForm:
    vote: VoteRecord
    nominees: tuple[VoteNominee, ...]
    current: tuple[int, ...] | None  # the member's ranking so far (positions)


@dataclass(frozen=True, slots=True)
class ClosedVote:
    vote: VoteRecord
    nominees: tuple[VoteNominee, ...]
    result: VoteResult[int]  # over nominee positions
    early: bool  # closed by a moderator before its time
    poll_missing: bool = False  # the poll message was gone: no counts could be read

    @property
    def winner(self) -> VoteNominee | None:
        return next((n for n in self.nominees if n.position == self.result.winner), None)


class VoteBoard(Protocol):
    """What the vote needs from Discord."""

    async def post_vote(self, opened: OpenedVote) -> int:
        """Post the poll or the ballot message; its id."""
        ...

    async def poll_counts(self, vote: VoteRecord) -> Mapping[int, int] | None:
        """Final votes per answer (answer 1 is nominee position 1…) of the vote's native
        poll, ending it first if Discord has not yet; None when the poll message is gone."""
        ...

    async def announce(self, closed: ClosedVote) -> int:
        """Post the result in the vote's channel; the message's id."""
        ...


def _result_json(result: VoteResult[int], *, poll_missing: bool) -> dict[str, Any]:
    return {
        "winner": result.winner,
        "ballots": result.ballots,
        "tie_broken": result.tie_broken,
        "poll_missing": poll_missing,
        "rounds": [
            {
                "votes": [[p, n] for p, n in r.votes],
                "eliminated": r.eliminated,
                "exhausted": r.exhausted,
                "tie": r.tie,
            }
            for r in result.rounds
        ],
    }


def _result_of(data: Mapping[str, Any]) -> VoteResult[int]:
    rounds = tuple(
        Round(
            tuple((int(p), int(n)) for p, n in r["votes"]),
            None if r["eliminated"] is None else int(r["eliminated"]),
            int(r["exhausted"]),
            bool(r["tie"]),
        )
        for r in data.get("rounds", ())
    )
    winner = data.get("winner")
    return VoteResult(
        None if winner is None else int(winner),
        rounds,
        int(data.get("ballots", 0)),
        bool(data.get("tie_broken", False)),
    )


class VoteService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    # --- opening -----------------------------------------------------------------------------

    async def plan(self, guild_id: int, style: str | None, closes: str | None) -> VotePlan:
        """Check ``/club vote start`` before anything is posted: a vote not already running,
        at least two nominations, the style and the closing time."""
        async with self.database.read() as conn:
            running = await repo.running_vote(conn, guild_id)
            nominations = await nomination_repo.nominations(conn, guild_id)
            zone = (await digest_repo.get_settings(conn, guild_id)).timezone
        if running is not None:
            raise Conflict(
                f"A vote is open already; it closes <t:{int(running.closes_at.timestamp())}:R>. "
                "A moderator can close it early with /club vote close."
            )
        if len(nominations) < 2:
            have = "one nomination" if nominations else "no nominations"
            raise InvalidInput(
                f"There is {have} so far: a vote needs at least two. Members nominate books "
                "with /club nominate."
            )
        if len(nominations) > MAX_NOMINEES:  # cannot happen with one per member below 26
            raise InvalidInput(f"A vote holds at most {MAX_NOMINEES} nominees.")
        window = vote_window(closes, self.clock.now(), zone)
        nominees = tuple(
            VoteNominee(i, n.book_id, n.title, n.authors)
            for i, n in enumerate(nominations, start=1)
        )
        chosen: Style
        reason = None
        if len(nominees) > POLL_MAX_NOMINEES:
            if style == "poll":
                raise InvalidInput(
                    f"There are {len(nominees)} nominees and a Discord poll holds "
                    f"{POLL_MAX_NOMINEES} answers, so only a ranked vote is possible: run "
                    "/club vote start with style ranked (or leave style out)."
                )
            chosen = "ranked"
            if style is None:
                reason = (
                    f"A ranked vote, because a Discord poll holds only {POLL_MAX_NOMINEES} of "
                    f"the {len(nominees)} nominees."
                )
        else:
            chosen = "ranked" if style == "ranked" else "poll"
        return VotePlan(guild_id, chosen, window, nominees, reason)

    async def start(
        self, plan: VotePlan, *, fallback_channel_id: int, board: VoteBoard
    ) -> OpenedVote:
        """Open the planned vote in the club channel (the latest club read's channel, else
        ``fallback_channel_id``) and post it; a post Discord refuses opens nothing."""
        now = self.clock.now()
        try:
            async with self.database.write() as conn:
                if await repo.running_vote(conn, plan.guild_id) is not None:
                    raise VoteAlreadyRunning(plan.guild_id)
                current = await nomination_repo.nominations(conn, plan.guild_id)
                if [n.book_id for n in current] != [n.book_id for n in plan.nominees]:
                    raise Conflict(
                        "The nominations changed while the vote was being opened. "
                        "Run /club vote start again."
                    )
                channel_id = await club_repo.club_channel(conn, plan.guild_id)
                channel_id = channel_id or fallback_channel_id
                vote_id = await repo.open_vote(
                    conn,
                    guild_id=plan.guild_id,
                    style=plan.style,
                    channel_id=channel_id,
                    book_ids=[n.book_id for n in plan.nominees],
                    now=now,
                    closes_at=plan.window.closes_at,
                )
        except VoteAlreadyRunning:
            raise Conflict(
                "A vote was opened at the same moment. See it in the club channel."
            ) from None
        opened = OpenedVote(
            vote_id,
            plan.style,
            channel_id,
            plan.window.closes_at,
            plan.window.hours,
            plan.nominees,
        )
        try:
            message_id = await board.post_vote(opened)
        except BaseException:
            async with self.database.write() as conn:
                await repo.drop_opening(conn, vote_id)
            raise
        async with self.database.write() as conn:
            await repo.mark_posted(conn, vote_id, message_id)
        return opened

    async def nominations_open(self, guild_id: int) -> None:
        """Nominations close while a vote runs (:class:`Conflict` then)."""
        async with self.database.read() as conn:
            running = await repo.running_vote(conn, guild_id)
        if running is not None:
            raise Conflict(
                "Nominations are closed while the club votes; the vote closes "
                f"<t:{int(running.closes_at.timestamp())}:R>."
            )

    # --- ballots ------------------------------------------------------------------------------

    async def _open(self, guild_id: int, vote_id: int) -> VoteRecord:
        async with self.database.read() as conn:
            vote = await repo.get_vote(conn, vote_id)
        if vote is None or vote.guild_id != guild_id:
            raise NotFound("That vote is gone.")
        if vote.status != "open" or vote.closes_at <= self.clock.now():
            raise Conflict("This vote has closed; the result is posted in the club channel.")
        return vote

    async def ballot_form(self, guild_id: int, vote_id: int, user_id: int) -> BallotForm:
        vote = await self._open(guild_id, vote_id)
        if vote.style != "ranked":
            raise InvalidInput("This vote is a Discord poll: vote in the poll itself.")
        async with self.database.read() as conn:
            nominees = tuple(await repo.nominees(conn, vote_id))
            current = await repo.member_ballot(conn, vote_id, user_id)
        return BallotForm(vote, nominees, current)

    async def cast(
        self, guild_id: int, vote_id: int, user_id: int, ranking: Sequence[int]
    ) -> tuple[VoteRecord, tuple[VoteNominee, ...]]:
        """Keep the member's ranking (nominee positions, first choice first), replacing
        theirs; returns the vote and the ranked nominees in order."""
        vote = await self._open(guild_id, vote_id)
        async with self.database.write() as conn:
            nominees = {n.position: n for n in await repo.nominees(conn, vote_id)}
            try:
                kept = check_ballot(list(ranking), list(nominees))
            except InvalidBallot as invalid:
                raise InvalidInput(str(invalid)) from None
            await repo.cast_ballot(
                conn,
                vote_id=vote_id,
                guild_id=guild_id,
                user_id=user_id,
                ranking=kept,
                now=self.clock.now(),
            )
        return vote, tuple(nominees[p] for p in kept)

    async def running(self, guild_id: int) -> tuple[VoteRecord, int] | None:
        """The server's open vote and how many ballots it has (never what they say)."""
        async with self.database.read() as conn:
            vote = await repo.running_vote(conn, guild_id)
            count = await repo.ballot_count(conn, vote.id) if vote is not None else 0
        return None if vote is None else (vote, count)

    # --- closing ------------------------------------------------------------------------------

    async def close_now(self, guild_id: int, board: VoteBoard) -> ClosedVote | None:
        """``/club vote close``: close the server's open vote early and announce it. None
        when another process closed it at the same moment (it announces)."""
        async with self.database.read() as conn:
            vote = await repo.running_vote(conn, guild_id)
        if vote is None or vote.status != "open":
            raise NotFound(NO_VOTE)
        early = vote.closes_at > self.clock.now()
        return await self._close(vote, board, early=early)

    async def close_due(
        self, board: VoteBoard, owns_guild: Callable[[int], bool] = lambda _: True
    ) -> list[ClosedVote]:
        """The scheduler's tick: close every due vote of the guilds this process serves,
        announce what is unannounced (a stale claim included), drop stale openings."""
        now = self.clock.now()
        async with self.database.write() as conn:
            dropped = await repo.drop_stale_opening(conn, now - OPENING_LEASE)
        if dropped:
            log.warning("dropped %d vote(s) left half-opened by a stopped process", dropped)
        async with self.database.read() as conn:
            due = [v for v in await repo.due_votes(conn, now) if owns_guild(v.guild_id)]
        closed: list[ClosedVote] = []
        for vote in due:
            try:
                done = await self._close(vote, board, early=False)
            except Exception:
                log.exception("closing vote %d of guild %d failed", vote.id, vote.guild_id)
                continue
            if done is not None:
                closed.append(done)
        async with self.database.read() as conn:
            left = await repo.unannounced(conn, now - ANNOUNCE_LEASE)
        for vote in left:
            if owns_guild(vote.guild_id):
                await self._announce(vote.id, board, early=False)
        return closed

    async def _close(self, vote: VoteRecord, board: VoteBoard, *, early: bool) -> ClosedVote | None:
        counts: Mapping[int, int] | None = None
        if vote.style == "poll":
            counts = await board.poll_counts(vote)
        now = self.clock.now()
        async with self.database.write() as conn:
            closed = await repo.close(conn, vote.id, now, early=early)
            if closed is None:
                return None  # someone else closed it (or it was not due)
            nominees = await repo.nominees(conn, vote.id)
            positions = [n.position for n in nominees]
            if vote.style == "ranked":
                result = instant_runoff(positions, await repo.ballots(conn, vote.id))
            else:
                result = most_votes(positions, counts or {})
            winner = next((n.book_id for n in nominees if n.position == result.winner), None)
            data = _result_json(result, poll_missing=vote.style == "poll" and counts is None)
            await repo.record_result(conn, vote.id, winner, data)
        return await self._announce(vote.id, board, early=early)

    async def _announce(self, vote_id: int, board: VoteBoard, *, early: bool) -> ClosedVote | None:
        now = self.clock.now()
        async with self.database.write() as conn:
            if not await repo.claim_announcement(conn, vote_id, now, now - ANNOUNCE_LEASE):
                return None
            vote = await repo.get_vote(conn, vote_id)
            nominees = tuple(await repo.nominees(conn, vote_id))
        assert vote is not None and vote.result is not None
        closed = ClosedVote(
            vote,
            nominees,
            _result_of(vote.result),
            early,
            poll_missing=bool(vote.result.get("poll_missing")),
        )
        try:
            message_id = await board.announce(closed)
        except Exception:
            # the claim stays: the next tick after ANNOUNCE_LEASE tries again
            log.exception("announcing vote %d failed; trying again later", vote_id)
            return closed
        async with self.database.write() as conn:
            await repo.record_announcement(conn, vote_id, message_id)
        return closed

    # --- after the vote -------------------------------------------------------------------------

    async def winner_of(self, guild_id: int, vote_id: int) -> int:
        """The winning book of a closed vote of this server (for **Start this read**)."""
        async with self.database.read() as conn:
            vote = await repo.get_vote(conn, vote_id)
        if vote is None or vote.guild_id != guild_id or vote.status != "closed":
            raise NotFound("That vote is gone.")
        if vote.winner_book_id is None:
            raise NotFound("That vote has no winner to start.")
        return vote.winner_book_id
