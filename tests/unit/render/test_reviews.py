"""The review render (bot/render/reviews.py): post pages within Discord's limits, spoilers kept
inside their spans, buttons, the reveal, the list; judged by what Discord's client shows."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.db.reviews import ReviewOrder, StoredReview
from bot.domain.book import Book
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT
from bot.domain.review import ReviewDraft, SpoilerReach
from bot.domain.stars import Stars
from bot.errors import InvalidInput
from bot.render.reviews import (
    reveal_messages,
    review_list_embed,
    review_messages,
)
from bot.services.reviews import (
    ReviewContext,
    ReviewPage,
)
from cogs.reviews._buttons import (
    REVIEW_ITEMS,
    FlagReasonSelect,
    LikeButton,
    RevealButton,
    review_view,
)
from fake_discord.validation import validate_message
from tests.support.discord_markdown import formatting, visible_outside_spoilers
from tests.support.discord_markdown import spoiler_text as hidden_text
from tests.support.ids import ALICE, GUILD
from tests.support.ids import SATURDAY_NOON as NOW

SPAN = re.compile(r"\|\|(.*?)\|\|", re.DOTALL)


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


@pytest.mark.parametrize(
    "custom_id",
    [
        "review:like:7",
        "review:reveal:7",
        "review:reveal:7:anyway",
        "review:discuss:7",
        "review:flag:7",
        "review:flag-reason:7",
        "review:draft:7",
    ],
)
async def test_a_click_after_a_restart_rebuilds_the_same_item(custom_id: str) -> None:
    """discord.py rebuilds a persistent item from its custom id alone (from_custom_id): each
    custom id matches exactly one registered item, which makes the same custom id again."""
    matches = [
        (cls, match)
        for cls in REVIEW_ITEMS
        if (match := cls.__discord_ui_compiled_template__.fullmatch(custom_id))
    ]
    assert len(matches) == 1, matches
    cls, match = matches[0]
    rebuilt = await cls.from_custom_id(None, None, match)  # type: ignore[arg-type]
    assert rebuilt.custom_id == custom_id


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
