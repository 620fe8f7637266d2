"""RatingService on a real SQLite database (the render alone: tests/unit/render/test_ratings.py)."""

from __future__ import annotations

import pytest

from bot.db import books as book_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.scale import DEFAULT_LABELS, RatingScale
from bot.domain.stars import RatingStep, Stars
from bot.errors import InvalidInput, NotFound
from bot.render.ratings import (
    label_changed_embed,
    rated_embed,
    scale_embed,
    step_changed_embed,
)
from bot.services.ratings import RatingService, RatingSummary
from tests.support.discord_markdown import formatting, spoiler_text, visible_outside_spoilers
from tests.support.ids import ALICE, BOB, CAROL, GUILD, OTHER_GUILD
from tests.support.ids import SATURDAY_NOON as NOW


@pytest.fixture
def service(database: Database) -> RatingService:
    return RatingService(database, FakeClock(NOW))


@pytest.fixture
async def book(database: Database) -> Book:
    async with database.write() as conn:
        return await book_repo.upsert(
            conn, Book(title="Dune", authors=("Frank Herbert",), page_count=412), NOW
        )


def _id(book: Book) -> int:
    assert book.id is not None
    return book.id


async def test_rate_then_rerate_replaces(service: RatingService, book: Book) -> None:
    first = await service.rate(GUILD, ALICE, _id(book), "3.5")
    assert first.stars == Stars(14) and first.previous is None
    assert first.label == "A page-turner"
    assert first.summary.count == 1 and first.summary.mine == Stars(14)
    again = await service.rate(GUILD, ALICE, _id(book), "★★★★½")
    assert again.stars == Stars(18) and again.previous == Stars(14)
    assert again.summary.distribution == {18: 1}
    summary = await service.summary(GUILD, ALICE, _id(book))
    assert summary.count == 1 and summary.mine == Stars(18)


@pytest.mark.parametrize(
    ("text", "quarters"), [("3", 12), ("3½", 14), ("3.5/5", 14), ("★★★½", 14), (" 5 stars ", 20)]
)
async def test_rate_accepts_every_notation(
    service: RatingService, book: Book, text: str, quarters: int
) -> None:
    result = await service.rate(GUILD, ALICE, _id(book), text)
    assert result.stars.quarters == quarters


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("3.25", "between steps"),
        ("6", "off the scale"),
        ("0", "off the scale"),
        ("-1", "couldn't read"),
        ("", "Give a star rating"),
        ("great", "couldn't read"),
        ("9" * 5000, "couldn't read"),
        ("@everyone", "couldn't read"),
        ("3.5\x00\x07", "couldn't read"),
    ],
)
async def test_bad_values_are_refused_with_the_allowed_values(
    service: RatingService, book: Book, text: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await service.rate(GUILD, ALICE, _id(book), text)
    assert fragment in error.value.message
    assert "0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5" in error.value.message
    assert "@everyone" not in error.value.message  # quoted input is neutralised
    assert await service.summary(GUILD, ALICE, _id(book)) == RatingSummary(RatingScale())


async def test_precheck_refuses_unreadable_values_without_the_step(
    service: RatingService,
) -> None:
    await service.set_step(GUILD, "whole")
    await service.precheck(GUILD, "3.5")  # readable: the step is checked when rating
    with pytest.raises(InvalidInput) as error:
        await service.precheck(GUILD, "ten")
    assert "in whole stars: 1, 2, 3, 4, 5" in error.value.message
    with pytest.raises(InvalidInput, match="off the scale"):
        await service.precheck(GUILD, "0.25")


async def test_average_and_distribution(service: RatingService, book: Book) -> None:
    for user, value in ((ALICE, "4"), (BOB, "4"), (CAROL, "2.5")):
        await service.rate(GUILD, user, _id(book), value)
    summary = await service.summary(GUILD, BOB, _id(book))
    assert summary.count == 3
    assert summary.average_quarters == pytest.approx((16 + 16 + 10) / 3)
    assert summary.average_text == "3.5"
    assert summary.mine == Stars(16)
    assert dict(summary.distribution) == {16: 2, 10: 1}
    rows = dict(summary.rows())
    assert len(rows) == 10 and rows[Stars(16)] == 2 and rows[Stars(2)] == 0


async def test_ratings_are_per_server(service: RatingService, book: Book) -> None:
    await service.rate(GUILD, ALICE, _id(book), "5")
    other = await service.summary(OTHER_GUILD, ALICE, _id(book))
    assert other.count == 0 and other.mine is None
    await service.rate(OTHER_GUILD, ALICE, _id(book), "1")
    assert (await service.summary(GUILD, ALICE, _id(book))).mine == Stars(20)


async def test_step_change_never_rewrites_ratings(
    service: RatingService, book: Book, database: Database
) -> None:
    await service.rate(GUILD, ALICE, _id(book), "3.5")
    await service.rate(GUILD, BOB, _id(book), "4")
    plan = await service.set_step(GUILD, "whole")
    assert plan.changes_anything and plan.total == 2 and plan.off_step_count == 1
    assert plan.off_step[0].stars == Stars(14) and plan.off_step[0].nearest == Stars(16)
    assert "nothing is rewritten" in plan.explanation
    async with database.read() as conn:
        assert await rating_repo.get(conn, GUILD, ALICE, _id(book)) == 14
    summary = await service.summary(GUILD, ALICE, _id(book))
    assert summary.scale.step is RatingStep.WHOLE
    assert Stars(14) in dict(summary.rows())  # the off-step value still shows
    assert summary.average_text == "3.75"
    with pytest.raises(InvalidInput, match="whole stars"):
        await service.rate(GUILD, CAROL, _id(book), "3.5")
    embed = step_changed_embed(plan)
    assert embed.title == "The scale now uses whole stars"
    assert "3.5" in (embed.description or "")


async def test_quarter_step_and_same_step(service: RatingService, book: Book) -> None:
    same = await service.set_step(GUILD, "half")
    assert not same.changes_anything
    await service.set_step(GUILD, "quarter")
    result = await service.rate(GUILD, ALICE, _id(book), "3¼")
    assert result.stars == Stars(13) and result.label == DEFAULT_LABELS[13]
    with pytest.raises(InvalidInput, match="rating step"):
        await service.set_step(GUILD, "tenths")
    assert (await service.scale(OTHER_GUILD)).step is RatingStep.HALF


async def test_custom_labels(service: RatingService) -> None:
    change = await service.set_label(GUILD, "5", "  Life-\nchanging  ")
    assert change.label == "Life- changing" and change.previous_label == "Blew me away"
    assert not change.is_default
    assert (await service.scale(GUILD)).label_for(20) == "Life- changing"
    assert (await service.scale(OTHER_GUILD)).label_for(20) == "Blew me away"
    reset = await service.set_label(GUILD, "5", "Blew me away")
    assert reset.is_default
    assert (await service.scale(GUILD)).custom_labels == {}
    assert "default label again" in (label_changed_embed(reset).description or "")


@pytest.mark.parametrize(
    ("stars", "label", "fragment"),
    [
        ("3.25", "Fine", "between steps"),
        ("3.5", "   ", "empty"),
        ("3.5", "\x00\x01", "empty"),
        ("3.5", "x" * 101, "too long"),
        ("seven", "x", "couldn't read"),
    ],
)
async def test_bad_labels_are_refused(
    service: RatingService, stars: str, label: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await service.set_label(GUILD, stars, label)
    assert fragment in error.value.message
    assert (await service.scale(GUILD)).custom_labels == {}


async def test_hostile_label_is_shown_harmlessly(service: RatingService) -> None:
    await service.set_label(GUILD, "4", "@everyone <@123> ||boo|| `code`")
    embed = scale_embed(await service.scale(GUILD))
    text = embed.description or ""
    assert "@everyone" not in text and "<@123>" not in text
    shown = visible_outside_spoilers(text)
    assert "boo" not in shown and "boo" in spoiler_text(text)  # the admin's ||…|| stays hidden
    assert "`code`" in shown  # shown as typed, not as code
    assert "code" not in formatting(text) and "em" in formatting(text)  # only "*(custom)*"


async def test_star_choices_filter_and_label(service: RatingService) -> None:
    everything = await service.star_choices(GUILD, "")
    assert [c.value for c in everything][:3] == ["5", "4.5", "4"] and len(everything) == 10
    assert everything[0].name == "★★★★★ 5 — Blew me away"
    assert {c.value for c in await service.star_choices(GUILD, "3")} == {"3", "3.5"}
    assert [c.value for c in await service.star_choices(GUILD, "page")] == ["3.5"]
    assert await service.star_choices(GUILD, "zzz") == []
    await service.set_step(GUILD, "quarter")
    assert len(await service.star_choices(GUILD, "")) == 19


# --- what a rating answers ------------------------------------------------------------------


async def test_rated_embed_mentions_the_previous_value(service: RatingService, book: Book) -> None:
    await service.rate(GUILD, ALICE, _id(book), "3")
    result = await service.rate(GUILD, ALICE, _id(book), "4")
    embed = rated_embed(book, result)
    assert embed.title == "You re-rated Dune"
    assert "★★★★☆ 4 — Really good, I'd recommend it" in (embed.description or "")
    assert "(was ★★★☆☆ 3)" in (embed.description or "")


# --- /rate with a picked suggestion: the book read in the rating's own unit of work ---------


async def test_rate_seen_reads_the_book_with_the_rating(service: RatingService, book: Book) -> None:
    seen, result = await service.rate_seen(GUILD, ALICE, _id(book), "4")
    assert seen == book
    assert result.stars == Stars(16) and result.previous is None and result.summary.count == 1
    _, again = await service.rate_seen(GUILD, ALICE, _id(book), "3.5")
    assert again.previous == Stars(16) and again.summary.distribution == {14: 1}


async def test_rate_seen_refuses_a_book_the_server_may_not_see(
    service: RatingService, database: Database
) -> None:
    async with database.write() as conn:
        theirs = await book_repo.upsert(
            conn, Book(title="Only Theirs", source="manual"), NOW, created_by_guild_id=OTHER_GUILD
        )
        await book_repo.link_guild(conn, OTHER_GUILD, _id(theirs), BOB, NOW)
    with pytest.raises(NotFound, match="no longer known here"):
        await service.rate_seen(GUILD, ALICE, _id(theirs), "4")
    with pytest.raises(NotFound):  # an id no book has
        await service.rate_seen(GUILD, ALICE, _id(theirs) + 1000, "4")
    async with database.read() as conn:
        assert await rating_repo.get(conn, GUILD, ALICE, _id(theirs)) is None


async def test_rate_seen_checks_the_book_before_the_step(
    service: RatingService, database: Database, book: Book
) -> None:
    await service.set_step(GUILD, "whole")
    with pytest.raises(NotFound):
        await service.rate_seen(GUILD, ALICE, _id(book) + 1000, "3.5")
    with pytest.raises(InvalidInput, match="between steps"):
        await service.rate_seen(GUILD, ALICE, _id(book), "3.5")
    async with database.read() as conn:  # the refused value wrote nothing
        assert await rating_repo.get(conn, GUILD, ALICE, _id(book)) is None
