"""Review drafts: kept before checking, continued, bounded, the member's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import books as book_repo
from bot.db import exports as export_repo
from bot.db import privacy as privacy_repo
from bot.db import review_drafts as draft_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.errors import NotFound, PermissionDenied
from bot.services.review_drafts import (
    DRAFT_RETENTION,
    MAX_DRAFTS_PER_MEMBER,
    ReviewDraftService,
    form_of,
)
from bot.services.reviews import ReviewForm, ReviewService
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def drafts(database: Database, clock: FakeClock) -> ReviewDraftService:
    return ReviewDraftService(database, clock)


async def _books(database: Database, count: int) -> list[Book]:
    async with database.write() as conn:
        return [
            await book_repo.upsert(conn, Book(title=f"Book {i}", authors=("A",)), NOW)
            for i in range(count)
        ]


async def test_text_is_kept_and_a_new_form_continues_it(
    database: Database, drafts: ReviewDraftService
) -> None:
    [book] = await _books(database, 1)
    assert book.id is not None
    opened = await drafts.open_for_write(GUILD, ALICE, book.id, stars="4", spoilers_reach=None)
    assert not opened.has_text and opened.stars == "4"
    saved = await drafts.save(GUILD, ALICE, opened.id, ReviewForm(body="half", headline="h"))
    assert form_of(saved) == ReviewForm(body="half", headline="h")
    again = await drafts.open_for_write(GUILD, ALICE, book.id, stars=None, spoilers_reach="p9")
    assert again.id == opened.id and again.body == "half"
    assert (again.stars, again.spoilers_reach) == ("4", "p9")  # options given now win


async def test_an_edit_starts_from_the_review_and_continues_its_own_draft(
    database: Database, drafts: ReviewDraftService, clock: FakeClock
) -> None:
    [book] = await _books(database, 1)
    reviews = ReviewService(database, clock)
    plan = await reviews.plan_write(GUILD, ALICE, book)
    context = await reviews.write(
        GUILD, ALICE, plan, reviews.draft_from_form(plan, ReviewForm(body="v1", headline="t"))
    )
    draft = await drafts.open_for_edit(GUILD, ALICE, context.review)
    assert (draft.review_id, draft.body, draft.headline) == (context.review.id, "v1", "t")
    await drafts.save(GUILD, ALICE, draft.id, ReviewForm(body="v2 in progress"))
    again = await drafts.open_for_edit(GUILD, ALICE, context.review)
    assert again.body == "v2 in progress"


async def test_only_the_author_may_use_a_draft_and_only_in_its_server(
    database: Database, drafts: ReviewDraftService
) -> None:
    [book] = await _books(database, 1)
    assert book.id is not None
    draft = await drafts.open_for_write(GUILD, ALICE, book.id, stars=None, spoilers_reach=None)
    with pytest.raises(PermissionDenied):
        await drafts.save(GUILD, BOB, draft.id, ReviewForm(body="not mine"))
    with pytest.raises(NotFound):
        await drafts.own(OTHER_GUILD, ALICE, draft.id)
    assert (await drafts.own(GUILD, ALICE, draft.id)).body == ""


async def test_drafts_are_bounded_in_number_and_age(
    database: Database, drafts: ReviewDraftService, clock: FakeClock
) -> None:
    books = await _books(database, MAX_DRAFTS_PER_MEMBER + 3)
    ids = []
    for book in books:
        assert book.id is not None
        draft = await drafts.open_for_write(GUILD, ALICE, book.id, stars=None, spoilers_reach=None)
        await drafts.save(GUILD, ALICE, draft.id, ReviewForm(body=f"text {book.id}"))
        ids.append(draft.id)
        clock.advance(timedelta(minutes=1))
    async with database.read() as conn:
        assert await draft_repo.count_for_member(conn, GUILD, ALICE) == MAX_DRAFTS_PER_MEMBER
        kept = {d.id for d in await draft_repo.all_for_member(conn, GUILD, ALICE)}
    assert kept == set(ids[-MAX_DRAFTS_PER_MEMBER:])  # the oldest go first
    clock.advance(DRAFT_RETENTION + timedelta(days=1))
    assert books[0].id is not None
    await drafts.open_for_write(GUILD, ALICE, books[0].id, stars=None, spoilers_reach=None)
    async with database.read() as conn:
        assert await draft_repo.count_for_member(conn, GUILD, ALICE) == 1


async def test_an_overlong_text_is_kept_within_the_form_limits(
    database: Database, drafts: ReviewDraftService
) -> None:
    [book] = await _books(database, 1)
    assert book.id is not None
    draft = await drafts.open_for_write(GUILD, ALICE, book.id, stars=None, spoilers_reach=None)
    saved = await drafts.save(GUILD, ALICE, draft.id, ReviewForm(body="x" * 10_000))
    assert len(saved.body) == 4000


async def test_drafts_are_exported_forgotten_and_purged(
    database: Database, drafts: ReviewDraftService
) -> None:
    [book] = await _books(database, 1)
    assert book.id is not None
    for guild in (GUILD, OTHER_GUILD):
        draft = await drafts.open_for_write(guild, ALICE, book.id, stars=None, spoilers_reach=None)
        await drafts.save(guild, ALICE, draft.id, ReviewForm(body=f"unsent in {guild}"))
    async with database.read() as conn:
        data = await export_repo.member_data(conn, GUILD, ALICE)
    assert [d["body"] for d in data.drafts] == [f"unsent in {GUILD}"]
    async with database.write() as conn:
        footprint = await privacy_repo.footprint(conn, GUILD, ALICE)
        assert footprint.drafts == 1
        assert (await privacy_repo.forget_member(conn, GUILD, ALICE)).drafts == 1
        assert await draft_repo.count_for_member(conn, GUILD, ALICE) == 0
        assert await draft_repo.count_for_member(conn, OTHER_GUILD, ALICE) == 1
        await privacy_repo.purge_guild(conn, OTHER_GUILD)
        assert await draft_repo.count_for_member(conn, OTHER_GUILD, ALICE) == 0
