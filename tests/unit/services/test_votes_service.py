"""The vote on the next read, on both backends: opening it, ballots, closing it exactly once
(on time, early, after a restart, with two closers at once), the announcement never lost."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from bot.db import votes as repo
from bot.db.engine import Database
from bot.db.exports import member_data
from bot.db.privacy import forget_member
from bot.db.votes import VoteRecord
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.exports import export_json
from bot.services.nominations import NominationService
from bot.services.votes import ANNOUNCE_LEASE, ClosedVote, OpenedVote, VoteService
from tests.support.fakes import DictNames
from tests.support.ids import SATURDAY_NOON as NOW
from tests.support.seeders import Seeder

GUILD = 1001
CHANNEL = 555


class Board:
    """A VoteBoard that records what would be posted."""

    def __init__(self, counts: Mapping[int, int] | None = None) -> None:
        self.posted: list[OpenedVote] = []
        self.announced: list[ClosedVote] = []
        self.counts = counts
        self.later_counts: list[Mapping[int, int]] = []  # what later readings return
        self.fail_post = False
        self.fail_announce = 0
        self.next_id = 9000

    async def post_vote(self, opened: OpenedVote) -> int:
        if self.fail_post:
            raise RuntimeError("Discord said no")
        self.posted.append(opened)
        self.next_id += 1
        return self.next_id

    async def poll_counts(self, vote: VoteRecord) -> Mapping[int, int] | None:
        await asyncio.sleep(0)  # let another closer run in between
        counts = self.counts
        if self.later_counts:
            self.counts = self.later_counts.pop(0)
        return counts

    async def announce(self, closed: ClosedVote) -> int:
        await asyncio.sleep(0)
        if self.fail_announce:
            self.fail_announce -= 1
            raise RuntimeError("Discord is down")
        self.announced.append(closed)
        self.next_id += 1
        return self.next_id


async def _nominate(database: Database, clock: FakeClock, titles: list[str]) -> list[Book]:
    seeder = Seeder(database, now=NOW)
    service = NominationService(database, clock, DictNames({}))
    found = []
    for user, title in enumerate(titles, start=1):
        book_id = await seeder.book(title)
        book = Book(title=title, authors=("An Author",), page_count=300, id=book_id)
        await service.nominate(GUILD, user, book, None)
        clock.advance(seconds=1)  # nomination order is the tie-break
        found.append(book)
    return found


async def test_a_ranked_vote_counts_by_instant_runoff_once(
    database: Database, clock: FakeClock
) -> None:
    dune, emma, kindred = await _nominate(database, clock, ["Dune", "Emma", "Kindred"])
    votes = VoteService(database, clock)
    board = Board()
    plan = await votes.plan(GUILD, "ranked", "2 days")
    assert plan.style == "ranked" and plan.window.hours == 48
    opened = await votes.start(plan, fallback_channel_id=CHANNEL, board=board)
    assert opened.channel_id == CHANNEL and [n.title for n in opened.nominees] == [
        "Dune",
        "Emma",
        "Kindred",
    ]
    with pytest.raises(Conflict, match="A vote is open already"):
        await votes.plan(GUILD, "ranked", None)
    with pytest.raises(Conflict, match="Nominations are closed"):
        await votes.nominations_open(GUILD)

    # 2 Dune > Emma, 2 Emma, 1 Kindred > Emma: Kindred out, Emma wins 3–2 in round two
    for user, ranking in {1: [1, 2], 2: [1, 2], 3: [2], 4: [2], 5: [3, 2]}.items():
        await votes.cast(GUILD, opened.vote_id, user, ranking)
    await votes.cast(GUILD, opened.vote_id, 4, [2, 1])  # a changed ballot replaces the first
    with pytest.raises(InvalidInput, match="ranked once"):
        await votes.cast(GUILD, opened.vote_id, 6, [1, 1])
    with pytest.raises(InvalidInput, match="at most 3"):
        await votes.cast(GUILD, opened.vote_id, 6, [1, 2, 3, 1])
    form = await votes.ballot_form(GUILD, opened.vote_id, 4)
    assert form.current == (2, 1)
    running = await votes.running(GUILD)
    assert running is not None and running[1] == 5

    assert await votes.close_due(board) == []  # not yet
    clock.advance(hours=48)
    closed = await votes.close_due(board)
    assert len(closed) == 1 and closed[0].winner is not None
    assert closed[0].winner.title == "Emma"
    assert [r.eliminated for r in closed[0].result.rounds] == [3, None]
    assert closed[0].result.ballots == 5 and not closed[0].result.tie_broken
    assert len(board.announced) == 1
    assert await votes.close_due(board) == [] and len(board.announced) == 1

    # a ballot after the close is refused; the next round of nominations may open a vote
    with pytest.raises(Conflict, match="has closed"):
        await votes.cast(GUILD, opened.vote_id, 7, [1])
    assert await votes.winner_of(GUILD, opened.vote_id) == emma.id
    await votes.nominations_open(GUILD)
    assert dune.id and kindred.id


async def test_a_poll_reads_discords_counts_and_a_tie_goes_to_the_earlier_nomination(
    database: Database, clock: FakeClock
) -> None:
    await _nominate(database, clock, ["Dune", "Emma", "Kindred"])
    votes = VoteService(database, clock)
    board = Board(counts={1: 2, 2: 4, 3: 4})
    plan = await votes.plan(GUILD, None, None)
    assert plan.style == "poll" and plan.window.hours == 72 and plan.style_reason is None
    await votes.start(plan, fallback_channel_id=CHANNEL, board=board)
    with pytest.raises(InvalidInput, match="vote in the poll"):
        await votes.ballot_form(GUILD, board.posted[0].vote_id, 1)
    closed = await votes.close_now(GUILD, board)  # early, by a moderator
    assert closed is not None and closed.early
    assert closed.winner is not None and closed.winner.title == "Emma"
    assert closed.result.tie_broken and closed.result.ballots == 10


async def test_a_deleted_poll_closes_without_a_winner(database: Database, clock: FakeClock) -> None:
    await _nominate(database, clock, ["Dune", "Emma"])
    votes = VoteService(database, clock)
    board = Board(counts=None)
    await votes.start(await votes.plan(GUILD, "poll", "1 hour"), fallback_channel_id=1, board=board)
    clock.advance(hours=2)
    (closed,) = await votes.close_due(board)
    assert closed.poll_missing
    # no votes at all: the earliest nomination, a tie decided by nomination order
    assert closed.winner is not None and closed.winner.title == "Dune"


async def test_what_cannot_be_voted_on_is_refused(database: Database, clock: FakeClock) -> None:
    votes = VoteService(database, clock)
    with pytest.raises(InvalidInput, match="no nominations so far"):
        await votes.plan(GUILD, None, None)
    await _nominate(database, clock, ["Dune"])
    with pytest.raises(InvalidInput, match="one nomination so far"):
        await votes.plan(GUILD, None, None)
    with pytest.raises(NotFound, match="no vote open"):
        await votes.close_now(GUILD, Board())


async def test_more_than_ten_nominees_only_vote_ranked(
    database: Database, clock: FakeClock
) -> None:
    await _nominate(database, clock, [f"Book {i}" for i in range(1, 12)])
    votes = VoteService(database, clock)
    with pytest.raises(InvalidInput, match="only a ranked vote is possible"):
        await votes.plan(GUILD, "poll", None)
    plan = await votes.plan(GUILD, None, None)
    assert plan.style == "ranked" and plan.style_reason and "11 nominees" in plan.style_reason


async def test_a_refused_post_opens_nothing(database: Database, clock: FakeClock) -> None:
    await _nominate(database, clock, ["Dune", "Emma"])
    votes = VoteService(database, clock)
    board = Board()
    board.fail_post = True
    plan = await votes.plan(GUILD, "ranked", None)
    with pytest.raises(RuntimeError):
        await votes.start(plan, fallback_channel_id=CHANNEL, board=board)
    assert await votes.running(GUILD) is None
    board.fail_post = False
    assert (await votes.start(plan, fallback_channel_id=CHANNEL, board=board)).vote_id


async def test_two_closers_at_once_close_and_announce_once(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[int | None] = []
    record = repo.record_result

    async def counted(conn: Any, vote_id: int, winner: int | None, result: Any) -> None:
        recorded.append(winner)
        await record(conn, vote_id, winner, result)

    monkeypatch.setattr(repo, "record_result", counted)
    await _nominate(database, clock, ["Dune", "Emma"])
    first, second = VoteService(database, clock), VoteService(database, clock)
    board = Board(counts={1: 1, 2: 3})
    board.later_counts = [{1: 5, 2: 0}]  # the second closer would read other counts
    await first.start(await first.plan(GUILD, "poll", "1 day"), fallback_channel_id=1, board=board)
    clock.advance(days=1)
    async with database.read() as conn:  # both processes found the vote due
        (due,) = await repo.due_votes(conn, clock.now())
    results = await asyncio.gather(
        first._close(due, board, early=False), second._close(due, board, early=False)
    )
    assert sum(r is not None for r in results) == 1
    assert await first.close_due(board) == [] and await second.close_due(board) == []
    assert len(board.announced) == 1
    async with database.read() as conn:
        (vote,) = await repo._votes(conn, repo.club_votes.c.guild_id == GUILD)
    assert vote.status == "closed" and vote.announcement_id is not None
    # the result is decided once, and it is the one announced
    winner = board.announced[0].winner
    assert winner is not None and recorded == [winner.book_id] == [vote.winner_book_id]


async def test_an_announcement_that_failed_is_posted_after_the_lease(
    database: Database, clock: FakeClock
) -> None:
    await _nominate(database, clock, ["Dune", "Emma"])
    votes = VoteService(database, clock)
    board = Board()
    board.fail_announce = 1
    await votes.start(
        await votes.plan(GUILD, "ranked", "1 hour"), fallback_channel_id=1, board=board
    )
    clock.advance(hours=1)
    await votes.close_due(board)
    assert board.announced == []
    await votes.close_due(board)  # the claim is fresh: nobody posts twice at once
    assert board.announced == []
    clock.advance(ANNOUNCE_LEASE + timedelta(seconds=1))
    await votes.close_due(board)
    assert len(board.announced) == 1
    clock.advance(ANNOUNCE_LEASE * 2)
    await votes.close_due(board)
    assert len(board.announced) == 1


async def test_a_vote_left_half_opened_is_dropped(database: Database, clock: FakeClock) -> None:
    (dune, emma) = await _nominate(database, clock, ["Dune", "Emma"])
    assert dune.id and emma.id
    async with database.write() as conn:  # a process stopped between writing and posting
        await repo.open_vote(
            conn,
            guild_id=GUILD,
            style="ranked",
            channel_id=1,
            book_ids=[dune.id, emma.id],
            now=clock.now(),
            closes_at=clock.now() + timedelta(days=1),
        )
    votes = VoteService(database, clock)
    with pytest.raises(Conflict):
        await votes.plan(GUILD, None, None)
    clock.advance(minutes=11)
    await votes.close_due(Board())
    assert await votes.running(GUILD) is None


async def test_ballots_are_in_the_export_and_go_with_forget_me(
    database: Database, clock: FakeClock
) -> None:
    dune, emma = await _nominate(database, clock, ["Dune", "Emma"])
    votes = VoteService(database, clock)
    opened = await votes.start(
        await votes.plan(GUILD, "ranked", None), fallback_channel_id=1, board=Board()
    )
    await votes.cast(GUILD, opened.vote_id, 42, [2, 1])
    async with database.read() as conn:
        data = await member_data(conn, GUILD, 42)
    exported = export_json(data, GUILD, 42, NOW)
    assert [b["book_ids"] for b in exported["ballots"]] == [[emma.id, dune.id]]
    async with database.write() as conn:
        await forget_member(conn, GUILD, 42)
    async with database.read() as conn:
        assert await repo.member_ballot(conn, opened.vote_id, 42) is None
        assert len(await repo.nominees(conn, opened.vote_id)) == 2  # the vote stays
