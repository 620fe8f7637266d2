"""ReviewService on a real SQLite database (the render alone: tests/unit/render/test_reviews.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.db import books as book_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Database
from bot.db.reviews import ReviewOrder
from bot.db.schema import readings
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.review import ReachKind, SpoilerReach
from bot.domain.stars import Stars
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.render.reviews import modlog_flag_embed, reveal_warning_text
from bot.services.reviews import (
    PAGE_SIZE,
    ReviewContext,
    ReviewForm,
    ReviewService,
)
from cogs.reviews._buttons import reveal_anyway_view
from tests.support.ids import ALICE, BOB, CAROL, GUILD, OTHER_GUILD
from tests.support.ids import SATURDAY_NOON as NOW


@pytest.fixture
def service(database: Database, clock: FakeClock) -> ReviewService:
    return ReviewService(database, clock)


@pytest.fixture
async def book(database: Database) -> Book:
    async with database.write() as conn:
        return await book_repo.upsert(
            conn, Book(title="Dune", authors=("Frank Herbert",), page_count=412), NOW
        )


async def _write(
    service: ReviewService,
    book: Book,
    user: int = ALICE,
    *,
    guild: int = GUILD,
    stars: str | None = None,
    reach: str | None = None,
    form: ReviewForm | None = None,
) -> ReviewContext:
    plan = await service.plan_write(guild, user, book, stars=stars, spoilers_reach=reach)
    draft = service.draft_from_form(plan, form or ReviewForm(body="A desert planet."))
    return await service.write(guild, user, plan, draft)


async def _reading(
    database: Database,
    book: Book,
    user: int,
    *,
    status: str = "reading",
    page: int | None = None,
    percent: float | None = None,
    created: datetime = NOW,
) -> None:
    async with database.write() as conn:
        await conn.execute(
            readings.insert().values(
                guild_id=GUILD,
                user_id=user,
                book_id=book.id,
                status=status,
                progress_page=page,
                progress_percent=percent,
                created_at=created,
                updated_at=created,
            )
        )


# --- writing --------------------------------------------------------------------------------


async def test_write_stores_the_review_and_the_rating(
    service: ReviewService, book: Book, database: Database
) -> None:
    form = ReviewForm(
        body="  Sand and \x07politics. ",
        headline="Spice must flow",
        spoilers="Paul drinks the water of life.",
        content_warnings="violence",
        recommended_for="almost anyone",
    )
    context = await _write(service, book, stars="4.5", reach="p250", form=form)
    review = context.review
    assert review.body == "Sand and politics."
    assert review.headline == "Spice must flow"
    assert review.spoiler_reach == SpoilerReach.at_page(250)
    assert review.stars == Stars(18) and context.rating_label == "Excellent, it stayed with me"
    assert review.read_number == 1 and review.likes == 0 and review.message_ids == ()
    async with database.read() as conn:
        assert await rating_repo.get(conn, GUILD, ALICE, review.book_id) == 18
        assert await book_repo.guild_knows(conn, GUILD, review.book_id)


async def test_spoilers_default_to_the_ending(service: ReviewService, book: Book) -> None:
    context = await _write(service, book, form=ReviewForm(body="Good.", spoilers="He wins."))
    assert context.review.spoiler_reach == SpoilerReach.ending()


async def test_one_review_per_member_per_book(service: ReviewService, book: Book) -> None:
    await _write(service, book)
    with pytest.raises(Conflict, match="/review edit"):
        await service.plan_write(GUILD, ALICE, book)
    # others, and the same member elsewhere, still may
    await _write(service, book, BOB)
    await _write(service, book, ALICE, guild=OTHER_GUILD)


async def test_a_reread_may_add_a_review(
    service: ReviewService, book: Book, database: Database, clock: FakeClock
) -> None:
    await _reading(database, book, ALICE, status="finished", created=NOW - timedelta(days=400))
    await _write(service, book)
    await _reading(database, book, ALICE, created=NOW + timedelta(days=1))  # the re-read
    clock.advance(days=2)
    second = await _write(service, book)
    assert second.review.read_number == 2
    with pytest.raises(Conflict):
        await service.plan_write(GUILD, ALICE, book)
    found = await service.find(GUILD, ALICE, book)
    assert found.review.id == second.review.id


@pytest.mark.parametrize(
    ("stars", "reach", "fragment"),
    [
        ("3.25", None, "between steps"),
        ("11", None, "off the scale"),
        (None, "p500", "412 pages"),
        (None, "150%", "percent of the book"),
        (None, "chapter 3", "couldn't read"),
    ],
)
async def test_bad_options_fail_before_the_form(
    service: ReviewService, book: Book, stars: str | None, reach: str | None, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await service.plan_write(GUILD, ALICE, book, stars=stars, spoilers_reach=reach)
    assert fragment in error.value.message


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        (ReviewForm(body="   "), "empty"),
        (ReviewForm(body="\x00\x01\x02"), "empty"),
        (ReviewForm(body="x" * 4001), "too long"),
        (ReviewForm(body="ok", headline="h" * 257), "headline is too long"),
        (ReviewForm(body="ok", headline="*" * 200), "headline would be"),
    ],
)
async def test_bad_forms_are_refused(
    service: ReviewService, book: Book, form: ReviewForm, fragment: str
) -> None:
    plan = await service.plan_write(GUILD, ALICE, book)
    with pytest.raises(InvalidInput) as error:
        service.draft_from_form(plan, form)
    assert fragment in error.value.message.lower()


async def test_review_from_a_file(service: ReviewService, book: Book) -> None:
    plan = await service.plan_write(GUILD, ALICE, book, spoilers_reach="60%")
    body = "Long thoughts. " * 1500
    data = f"{body}\n--- spoilers ---\nThe ending twist.\n".encode()
    draft = service.draft_from_file(plan, data, "review.md")
    context = await service.write(GUILD, ALICE, plan, draft)
    assert len(context.review.body) == len(body.strip())
    assert context.review.spoilers == "The ending twist."
    assert context.review.spoiler_reach == SpoilerReach(ReachKind.PERCENT, 60)


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"\xff\xfeh\x00i\x00", "r.txt", "UTF-16"),
        (b"caf\xe9", "r.txt", "not valid UTF-8"),
        (b"hello", "r.pdf", ".txt or .md"),
        (b"   \n", "r.txt", "empty"),
        (b"a\n--- spoilers ---\nb\n--- spoilers ---\nc", "r.md", "2 spoiler marker lines"),
    ],
)
async def test_bad_files_are_refused(
    service: ReviewService, book: Book, data: bytes, name: str, fragment: str
) -> None:
    plan = await service.plan_write(GUILD, ALICE, book)
    with pytest.raises(InvalidInput) as error:
        service.draft_from_file(plan, data, name)
    assert fragment in error.value.message


def test_file_size_is_checked_before_download() -> None:
    ReviewService.check_file_size(100_000)
    with pytest.raises(InvalidInput, match="limit is 100 KB"):
        ReviewService.check_file_size(100_001)


# --- editing and deleting -------------------------------------------------------------------


async def test_edit_keeps_stars_and_reach(service: ReviewService, book: Book) -> None:
    first = await _write(
        service, book, stars="4", reach="p100", form=ReviewForm(body="v1", spoilers="s1")
    )
    mine = await service.editable(GUILD, ALICE, book)
    assert mine.id == first.review.id
    edited = await service.edit(
        GUILD, ALICE, mine.id, ReviewForm(body="v2", spoilers="s2", headline="New")
    )
    assert (edited.review.body, edited.review.spoilers) == ("v2", "s2")
    assert edited.review.stars == Stars(16)
    assert edited.review.spoiler_reach == SpoilerReach.at_page(100)
    with pytest.raises(PermissionDenied):
        await service.edit(GUILD, BOB, mine.id, ReviewForm(body="mine now"))
    with pytest.raises(NotFound):
        await service.edit(OTHER_GUILD, ALICE, mine.id, ReviewForm(body="elsewhere"))
    with pytest.raises(InvalidInput):
        await service.edit(GUILD, ALICE, mine.id, ReviewForm(body=""))
    with pytest.raises(NotFound, match="/review write"):
        await service.editable(GUILD, BOB, book)


async def test_delete_rights(service: ReviewService, book: Book) -> None:
    await _write(service, book, ALICE)
    await _write(service, book, BOB)
    with pytest.raises(PermissionDenied, match="only delete your own"):
        await service.delete(GUILD, BOB, ALICE, book, is_moderator=False)
    removed = await service.delete(GUILD, ALICE, ALICE, book, is_moderator=False)
    assert removed.user_id == ALICE
    with pytest.raises(NotFound, match="You have no review"):
        await service.delete(GUILD, ALICE, ALICE, book, is_moderator=False)
    by_mod = await service.delete(GUILD, CAROL, BOB, book, is_moderator=True)
    assert by_mod.user_id == BOB
    assert (await service.page(GUILD, book, order=ReviewOrder.NEWEST)).total == 0


async def test_set_posted_records_every_message(service: ReviewService, book: Book) -> None:
    context = await _write(service, book)
    await service.set_posted(GUILD, context.review.id, 50, [500, 501, 502])
    stored = (await service.context(GUILD, context.review.id)).review
    assert stored.channel_id == 50 and stored.message_ids == (500, 501, 502)
    await service.set_posted(GUILD, context.review.id, 50, [])
    assert (await service.context(GUILD, context.review.id)).review.message_ids == ()


# --- buttons --------------------------------------------------------------------------------


async def test_like_toggles_once_per_member(service: ReviewService, book: Book) -> None:
    review_id = (await _write(service, book)).review.id
    liked = await service.toggle_like(GUILD, review_id, BOB)
    assert liked.liked and liked.count == 1
    assert (await service.toggle_like(GUILD, review_id, CAROL)).count == 2
    unliked = await service.toggle_like(GUILD, review_id, BOB)
    assert not unliked.liked and unliked.count == 1
    with pytest.raises(InvalidInput, match="your own review"):
        await service.toggle_like(GUILD, review_id, ALICE)
    with pytest.raises(NotFound):
        await service.toggle_like(OTHER_GUILD, review_id, BOB)
    assert (await service.context(GUILD, review_id)).review.likes == 1


async def test_flags_count_once_per_member(service: ReviewService, book: Book) -> None:
    review_id = (await _write(service, book)).review.id
    first = await service.flag(GUILD, review_id, BOB, "spoilers")
    assert first.new and first.count == 1 and first.modlog_channel_id is None
    assert first.reason == "Spoilers outside the spoiler part"
    again = await service.flag(GUILD, review_id, BOB, "spam")
    assert not again.new and again.count == 1
    third = await service.flag(GUILD, review_id, CAROL, "other")
    assert third.count == 2
    with pytest.raises(InvalidInput, match="Pick one"):
        await service.flag(GUILD, review_id, CAROL, "'; DROP TABLE reviews; --")
    with pytest.raises(InvalidInput, match="your own review"):
        await service.flag(GUILD, review_id, ALICE, "spam")
    with pytest.raises(NotFound):
        await service.flag(OTHER_GUILD, review_id, BOB, "spam")
    embed = modlog_flag_embed(third, CAROL)
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Flags so far"] == "2 members" and fields["Flagged by"] == f"<@{CAROL}>"


async def test_reveal_check_uses_reading_progress(
    service: ReviewService, book: Book, database: Database
) -> None:
    form = ReviewForm(body="ok", spoilers="The twist.")
    review_id = (await _write(service, book, reach="p250", form=form)).review.id
    nothing = await service.check_reveal(GUILD, review_id, BOB)
    assert not nothing.reached
    assert nothing.progress == "you have not logged any progress on this book"
    text, view = reveal_warning_text(nothing), reveal_anyway_view(review_id)
    assert text == (
        "This goes to p. 250; you have not logged any progress on this book — reveal anyway?"
    )
    assert [item.custom_id for item in view.children] == [f"review:reveal:{review_id}:anyway"]  # type: ignore[attr-defined]
    await _reading(database, book, BOB, page=120)
    short = await service.check_reveal(GUILD, review_id, BOB)
    assert not short.reached and short.progress == "you are on p. 120"
    assert reveal_warning_text(short) == "This goes to p. 250; you are on p. 120 — reveal anyway?"
    await _reading(database, book, CAROL, percent=70.0)  # 70 % of 412 pages is past p. 250
    assert (await service.check_reveal(GUILD, review_id, CAROL)).reached
    assert (await service.check_reveal(GUILD, review_id, ALICE)).reached  # the author


async def test_an_earlier_finished_reading_reaches_everything(
    service: ReviewService, book: Book, database: Database
) -> None:
    review_id = (
        await _write(service, book, form=ReviewForm(body="ok", spoilers="The end."))
    ).review.id
    await _reading(database, book, BOB, status="finished", created=NOW - timedelta(days=30))
    await _reading(database, book, BOB, page=10)  # a re-read, just begun
    check = await service.check_reveal(GUILD, review_id, BOB)
    assert check.reached


async def test_reveal_without_spoilers_says_so(service: ReviewService, book: Book) -> None:
    review_id = (await _write(service, book)).review.id
    with pytest.raises(NotFound, match="no spoiler part"):
        await service.check_reveal(GUILD, review_id, BOB)


async def test_thread_is_claimed_once(service: ReviewService, book: Book) -> None:
    review_id = (await _write(service, book)).review.id
    assert await service.claim_thread(GUILD, review_id, 900) == 900
    assert await service.claim_thread(GUILD, review_id, 901) == 900
    await service.forget_thread(GUILD, review_id)
    assert await service.claim_thread(GUILD, review_id, 902) == 902
    with pytest.raises(NotFound):
        await service.claim_thread(OTHER_GUILD, review_id, 903)


# --- listing and isolation ------------------------------------------------------------------


async def test_list_orders_and_pages(service: ReviewService, book: Book, clock: FakeClock) -> None:
    ids = []
    for user in range(200, 200 + PAGE_SIZE + 2):
        clock.advance(minutes=1)
        ids.append((await _write(service, book, user)).review.id)
    await service.toggle_like(GUILD, ids[0], 999)
    await service.toggle_like(GUILD, ids[0], 998)
    await service.toggle_like(GUILD, ids[2], 999)
    newest = await service.page(GUILD, book, order=ReviewOrder.NEWEST)
    assert [r.id for r in newest.reviews] == ids[::-1][:PAGE_SIZE]
    assert newest.total == PAGE_SIZE + 2 and newest.page_count == 2
    second = await service.page(GUILD, book, order=ReviewOrder.NEWEST, page=1)
    assert [r.id for r in second.reviews] == ids[1::-1]
    clamped = await service.page(GUILD, book, order=ReviewOrder.NEWEST, page=99)
    assert clamped.page == 1
    liked = await service.page(GUILD, book, order=ReviewOrder.MOST_LIKED)
    assert [r.id for r in liked.reviews][:2] == [ids[0], ids[2]]
    assert liked.reviews[0].likes == 2


async def test_nothing_leaks_across_servers(service: ReviewService, book: Book) -> None:
    context = await _write(service, book, form=ReviewForm(body="Guild one only"))
    review_id = context.review.id
    with pytest.raises(NotFound):
        await service.context(OTHER_GUILD, review_id)
    with pytest.raises(NotFound):
        await service.find(OTHER_GUILD, ALICE, book)
    with pytest.raises(NotFound):
        await service.check_reveal(OTHER_GUILD, review_id, BOB)
    with pytest.raises(NotFound):
        await service.delete(OTHER_GUILD, ALICE, ALICE, book, is_moderator=True)
    assert (await service.page(OTHER_GUILD, book, order=ReviewOrder.NEWEST)).total == 0
    assert (await service.context(GUILD, review_id)).review.body == "Guild one only"
