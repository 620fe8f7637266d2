"""ReviewService on a real SQLite database, and the review render (post pages, lists, cards)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.db import books as book_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Database
from bot.db.reviews import ReviewOrder, StoredReview
from bot.db.schema import readings
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.discord_limits import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
)
from bot.domain.review import ReachKind, ReviewDraft, SpoilerReach
from bot.domain.stars import Stars
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.render.reviews import (
    FlagReasonSelect,
    LikeButton,
    RevealButton,
    modlog_flag_embed,
    reveal_messages,
    reveal_warning,
    review_list_embed,
    review_messages,
    review_view,
)
from bot.services.reviews import (
    PAGE_SIZE,
    ReviewContext,
    ReviewForm,
    ReviewPage,
    ReviewService,
)
from tests.e2e.fake_discord.validation import validate_message
from tests.support.discord_markdown import formatting, visible_outside_spoilers
from tests.support.discord_markdown import spoiler_text as hidden_text

GUILD = 1
OTHER_GUILD = 2
ALICE, BOB, CAROL = 101, 102, 103
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
SPAN = re.compile(r"\|\|(.*?)\|\|", re.DOTALL)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


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


def _visible(text: str) -> str:
    """What a reader sees without revealing anything (Discord's Markdown rules)."""
    return visible_outside_spoilers(text)


def _all_text(messages: list[list[object]]) -> list[str]:
    out: list[str] = []
    for embeds in messages:
        for embed in embeds:
            data = embed.to_dict()  # type: ignore[attr-defined]
            out.append(data.get("title", ""))
            out.append(data.get("description", ""))
            out.extend(f["value"] for f in data.get("fields", []))
            out.append(data.get("footer", {}).get("text", ""))
    return out


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
    text, view = reveal_warning(nothing)
    assert text == (
        "This goes to p. 250; you have not logged any progress on this book — reveal anyway?"
    )
    assert [item.custom_id for item in view.children] == [f"review:reveal:{review_id}:anyway"]  # type: ignore[attr-defined]
    await _reading(database, book, BOB, page=120)
    short = await service.check_reveal(GUILD, review_id, BOB)
    assert not short.reached and short.progress == "you are on p. 120"
    assert reveal_warning(short)[0] == "This goes to p. 250; you are on p. 120 — reveal anyway?"
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


# --- render: the post -----------------------------------------------------------------------


def _context(body: str, spoilers: str | None = None, **extra: object) -> ReviewContext:
    review = StoredReview(
        id=7,
        guild_id=GUILD,
        user_id=ALICE,
        book_id=1,
        read_number=1,
        stars=Stars(14),
        headline=extra.get("headline"),  # type: ignore[arg-type]
        body=body,
        spoilers=spoilers,
        spoiler_reach=SpoilerReach.at_page(250) if spoilers else None,
        content_warnings=extra.get("content_warnings"),  # type: ignore[arg-type]
        recommended_for=extra.get("recommended_for"),  # type: ignore[arg-type]
        source="discord",
        channel_id=None,
        message_id=None,
        extra_message_ids=(),
        thread_id=None,
        created_at=NOW,
        updated_at=NOW,
    )
    book = Book(title="Dune", authors=("Frank Herbert",), page_count=412, id=1)
    return ReviewContext(review, book, "A page-turner")


def _check_limits(messages: list[list[object]]) -> None:
    """Every message passes Discord's checks (the local rig's copy of them)."""
    for embeds in messages:
        assert 1 <= len(embeds) <= 10
        assert sum(len(e) for e in embeds) <= EMBED_TOTAL_LIMIT  # type: ignore[arg-type]
        for embed in embeds:
            assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT  # type: ignore[attr-defined]
        validate_message({"embeds": [e.to_dict() for e in embeds]})  # type: ignore[attr-defined]


def test_every_part_at_its_limit_with_the_costliest_characters_fits() -> None:
    """Each part as long as the form allows, made of characters that escaping doubles."""
    draft = ReviewDraft.create(
        body="*" * 4000,
        headline="*" * 127,
        spoilers="|" * 4000,
        content_warnings="|" * 1000,
        recommended_for="_" * 256,
        spoiler_reach="p250",
        page_count=412,
    )
    context = _context(
        draft.body,
        draft.spoilers,
        headline=draft.headline,
        content_warnings=draft.content_warnings,
        recommended_for=draft.recommended_for,
    )
    messages = review_messages(context)
    _check_limits(messages)  # type: ignore[arg-type]
    fields = [f for embeds in messages for e in embeds for f in e.fields]
    warnings = [f.value for f in fields if f.name.startswith("Content warnings")]
    assert len(warnings) == 2 and all(len(v) <= 1024 for v in warnings)
    assert "".join(hidden_text(v) for v in warnings).replace(" ", "") == "|" * 1000


def _words(count: int, prefix: str) -> str:
    return " ".join(f"{prefix}{i}" for i in range(count))


@pytest.mark.parametrize("length", [4000, 4096, 6000, 20_000])
def test_long_reviews_continue_and_lose_nothing(length: int) -> None:
    body = ("Plain words here. " * 2000)[:length]
    spoilers = ("Secret stuff. " * 2000)[:length]
    context = _context(
        body, spoilers, headline="h" * 256, content_warnings="c" * 900, recommended_for="r" * 256
    )
    messages = review_messages(context)
    _check_limits(messages)  # type: ignore[arg-type]
    descriptions = [e.description or "" for embeds in messages for e in embeds]
    visible = "".join(_visible(d) for d in descriptions)
    hidden = "".join("".join(SPAN.findall(d)) for d in descriptions)
    assert "Secret" not in visible
    assert "".join(hidden.split()).replace("\u200b", "").count("Secretstuff.") == (
        "".join(spoilers.split()).count("Secretstuff.")
    )
    assert visible.count("Plain") == body.count("Plain")
    footers = [embeds[-1].footer.text for embeds in messages]
    if len(messages) > 1:
        assert footers[0] == f"Review #7 · part 1 of {len(messages)} — continues below"
        assert footers[-1] == f"Review #7 · part {len(messages)} of {len(messages)}"
    else:
        assert footers == ["Review #7"]
    if length >= 6000:
        assert len(messages) >= 3


_PIECES = ["||", "|", "`", "```", "\\", "@everyone", "<@1>", "\u200b", "\n", "\n\n", " ", "a", ". "]
body_text = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=50).map("".join)
spoiler_text = st.lists(st.sampled_from([*_PIECES, "X", "Y"]), max_size=50).map("".join)


@given(body=body_text, spoiler=spoiler_text, repeat=st.integers(1, 120))
@settings(max_examples=60, deadline=None)
def test_no_spoiler_character_is_ever_shown_outside_a_span(
    body: str, spoiler: str, repeat: int
) -> None:
    """For any texts (long ones too): every X/Y of the spoiler part is in the post, and only
    inside spoiler spans; every embed and message fits Discord's limits."""
    try:
        draft = ReviewDraft.create(
            body=body * repeat, spoilers=spoiler * repeat, content_warnings=body, from_file=True
        )
    except InvalidInput:
        assume(False)
        return
    spoilers = draft.spoilers or ""
    messages = review_messages(_context(draft.body, draft.spoilers or None))
    _check_limits(messages)  # type: ignore[arg-type]
    texts = _all_text(messages)  # type: ignore[arg-type]
    assert all("X" not in _visible(t) and "Y" not in _visible(t) for t in texts)
    inside = sum(span.count("X") + span.count("Y") for t in texts for span in SPAN.findall(t))
    assert inside == spoilers.count("X") + spoilers.count("Y")


def test_short_review_is_one_embed_with_everything() -> None:
    context = _context(
        "Loved it.",
        "Paul wins.",
        headline="Great",
        content_warnings="violence",
        recommended_for="all",
    )
    [[embed, spoilers]] = review_messages(context)
    fields = {f.name: f.value for f in embed.fields}
    assert embed.title == "Great" and embed.author.name == "Dune — Frank Herbert"
    assert fields["Reviewer"] == f"<@{ALICE}>"
    assert fields["Rating"] == "★★★½☆ 3.5 — A page-turner"
    assert fields["Content warnings"] == "||violence||"
    assert fields["Recommended for"] == "all"
    assert embed.description == "Loved it."
    # the spoiler part is never in a description that holds other text
    assert spoilers.title == "Spoilers (up to p. 250) — tap to reveal"
    assert spoilers.description == "||Paul wins.||"
    assert spoilers.footer.text == "Review #7"


HOSTILE = [
    "end||@everyone <@&1> ||",
    "```\n||code||\n```",
    "\u200b|\u200b|escape",
    "trailing pipe |",
    "back slash \\",
    "||",
    "@here <@!123> <#5>",
]


@pytest.mark.parametrize("spoiler", HOSTILE)
def test_hostile_spoilers_stay_inside_one_span(spoiler: str) -> None:
    context = _context(f"Body with @everyone and {spoiler}", f"SECRET {spoiler} SECRET")
    messages = review_messages(context)
    texts = _all_text(messages)  # type: ignore[arg-type]
    joined = "\n".join(texts)
    assert all("SECRET" not in _visible(text) for text in texts)
    assert sum(hidden_text(text).count("SECRET") for text in texts) == 2
    assert "@everyone" not in joined and "@here" not in joined
    assert not re.search(r"<@[!&]?\d+>|<#\d+>", joined.replace(f"<@{ALICE}>", ""))
    kinds = {kind for text in texts for kind in formatting(text)}
    assert not kinds & {"code", "codeblock", "strike", "link"}


def test_buttons_carry_the_review_id() -> None:
    context = _context("ok", "spoiler")
    view = review_view(context.review, likes=3)
    ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
    assert ids == ["review:like:7", "review:reveal:7", "review:discuss:7", "review:flag:7"]
    assert view.children[0].item.label == "Like · 3"  # type: ignore[attr-defined]
    assert view.timeout is None
    no_spoilers = review_view(_context("ok").review)
    assert "review:reveal:7" not in [i.custom_id for i in no_spoilers.children]  # type: ignore[attr-defined]
    assert LikeButton.__discord_ui_compiled_template__.fullmatch("review:like:7")
    assert RevealButton.__discord_ui_compiled_template__.fullmatch("review:reveal:7:anyway")
    assert not LikeButton.__discord_ui_compiled_template__.fullmatch("review:like:7x")
    select = FlagReasonSelect(7)
    assert [o.value for o in select.item.options] == [
        "spoilers",
        "harassment",
        "spam",
        "off-topic",
        "other",
    ]


def test_reveal_shows_the_spoilers_plainly_and_safely() -> None:
    context = _context("ok", "He dies. @everyone ||x||" + " more" * 3000)
    messages = reveal_messages(context)
    _check_limits(messages)  # type: ignore[arg-type]
    first = messages[0][0]
    assert first.title == "Spoilers — Dune (up to p. 250)"
    # the member's own ||x|| stays a spoiler inside the revealed text; the rest is as typed
    assert (first.description or "").startswith("He dies. @\u200beveryone ||x||")


def test_list_embed_shows_no_spoilers() -> None:
    context = _context("Visible body " * 40, "HIDDEN PLOT", headline="@everyone read this")
    page = ReviewPage(context.book, (context.review,), ReviewOrder.NEWEST, 0, 1)
    embed = review_list_embed(page)
    text = embed.description or ""
    assert "HIDDEN" not in text and "Spoilers up to p. 250 in the post" in text
    assert "@everyone" not in text and "Visible body" in text and text.count("…") == 1
    assert embed.footer.text == "Page 1 of 1 · 1 reviews · newest first"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200d\ufeff", "\u2060 \u00ad", "\x00\x07"])
def test_parts_that_clean_down_to_nothing_still_make_a_postable_review(invisible: str) -> None:
    """A headline, content warning or recommended-for made only of invisible or control
    characters (issue 9 item 7): Discord refuses an embed field with an empty value, so the
    post must either drop the part or show something, never send a blank field."""
    context = _context(
        "A fine book.",
        "Snape kills Dumbledore.",
        headline=invisible,
        content_warnings=invisible,
        recommended_for=invisible,
    )
    messages = review_messages(context)
    _check_limits(messages)  # type: ignore[arg-type]
    for embeds in messages:
        for embed in embeds:
            for field in embed.fields:
                assert (field.value or "").strip("\u200b\u200d\ufeff\u2060\u00ad \x00\x07")
