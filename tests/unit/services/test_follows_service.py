"""Follows on both backends: refusals, batching to one message an hour, notifications off,
two senders at once, spoiler-free excerpts, and forget-me on both sides of a follow."""

from __future__ import annotations

import asyncio

import pytest

from bot.db import follows as repo
from bot.db.engine import Database
from bot.db.exports import member_data
from bot.db.privacy import forget_member
from bot.domain.clock import FakeClock
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.exports import export_json
from bot.services.follows import FollowService, review_excerpt
from tests.support.fakes import DictNames
from tests.support.ids import SATURDAY_NOON as NOW

GUILD, OTHER = 1001, 2002
ANN, BO, CY = 1, 2, 3


def _service(database: Database, clock: FakeClock) -> FollowService:
    return FollowService(database, clock, DictNames({ANN: "Ann", BO: "Bo", CY: "Cy"}))


def test_an_excerpt_is_the_headline_or_the_start_of_the_body() -> None:
    assert review_excerpt("  Ice  and kinship ", "body") == "Ice and kinship"
    assert review_excerpt(None, "A " * 300).endswith("…")
    assert len(review_excerpt("", "x" * 500) or "") == 200
    assert review_excerpt(None, "  ") is None


async def test_follows_are_per_server_and_refuse_what_makes_no_sense(
    database: Database, clock: FakeClock
) -> None:
    service = _service(database, clock)
    with pytest.raises(InvalidInput, match="yourself"):
        await service.follow(GUILD, ANN, ANN, is_bot=False)
    with pytest.raises(InvalidInput, match="Bots"):
        await service.follow(GUILD, ANN, 99, is_bot=True)
    await service.follow(GUILD, BO, ANN, is_bot=False)
    with pytest.raises(Conflict, match="already"):
        await service.follow(GUILD, BO, ANN, is_bot=False)
    with pytest.raises(NotFound):
        await service.unfollow(OTHER, BO, ANN)  # another server: no follow there
    seen = await service.overview(GUILD, ANN)
    assert seen.followers == ((BO, "Bo"),) and seen.following == () and seen.dms


async def test_notices_go_as_one_batch_an_hour_and_never_twice(
    database: Database, clock: FakeClock
) -> None:
    service = _service(database, clock)
    await service.follow(GUILD, BO, ANN, is_bot=False)
    await service.follow(GUILD, CY, ANN, is_bot=False)
    await service.review_posted(GUILD, ANN, "Dune", "Sand", "||Paul wins||", 5, 50)
    first, second = _service(database, clock), _service(database, clock)
    batches = await asyncio.gather(first.due_batches(), second.due_batches())
    sent = sorted((b.user_id, [n.excerpt for n in b.notices]) for r in batches for b in r)
    assert sent == [(BO, ["Sand"]), (CY, ["Sand"])]
    assert await service.due_batches() == []

    clock.advance(minutes=20)
    await service.quote_posted(GUILD, ANN, "Dune", 5, 51)
    await service.review_posted(GUILD, ANN, "Emma", None, "Matchmaking.", 5, 52)
    assert await service.due_batches() == []  # within the hour: waiting
    await service.set_dms(GUILD, CY, False)
    clock.advance(minutes=41)
    [batch] = await service.due_batches()  # Cy's are dropped, not sent
    assert batch.user_id == BO and [n.kind for n in batch.notices] == ["quote", "review"]
    assert [n.excerpt for n in batch.notices] == [None, "Matchmaking."]
    assert batch.authors == {ANN: "Ann"}
    clock.advance(hours=2)
    assert await service.due_batches() == []


async def test_forget_me_takes_both_sides_of_a_follow(database: Database, clock: FakeClock) -> None:
    service = _service(database, clock)
    await service.follow(GUILD, BO, ANN, is_bot=False)
    await service.follow(GUILD, ANN, CY, is_bot=False)
    await service.review_posted(GUILD, ANN, "Dune", "Sand", "", 5, 50)
    async with database.read() as conn:
        exported = export_json(await member_data(conn, GUILD, ANN), GUILD, ANN, NOW)
    assert [f["followed_id"] for f in exported["following"]] == [CY]
    assert exported["notifications"] == {"follows": True}
    async with database.write() as conn:
        await forget_member(conn, GUILD, ANN)
    async with database.read() as conn:
        assert await repo.followers_of(conn, GUILD, ANN) == []
        assert await repo.following_of(conn, GUILD, ANN) == []
        assert await repo.pending_for(conn, GUILD, BO) == []
    assert (await service.overview(GUILD, CY)).followers == ()
