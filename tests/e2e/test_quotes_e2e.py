"""Quotes end to end: /quote add posts a spoiler-safe quote with a Like button, /quote list
shows each member what they have reached (the rest after a warning), the Save as quote
message menu, /quote random, and clear ephemeral errors for bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import MarginaliaBot
from bot.db.schema import books, quotes
from fake_discord import InteractionResult, StoredMessage
from tests.e2e.world import World, all_text, run_marginalia
from tests.support.discord_markdown import spoiler_text, visible_outside_spoilers

BOOK = "Middlemarch"
PAGES = 800  # the first 10 % is p. 1–80
SECRET = "CASAUBON-DIES"


async def _add_book(world: World) -> int:
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": BOOK, "author": "George Eliot", "pages": PAGES},
    )
    assert "Added" in added.content
    async with world.database.read() as conn:
        return int((await conn.execute(select(books.c.id))).scalar_one())


async def _quote(world: World, member: Any, text: str, **options: Any) -> StoredMessage:
    """/quote add; returns the posted quote (not ephemeral, in the channel)."""
    result = await world.rig.slash(
        world.guild, member, "quote add", {"book": BOOK, "text": text, **options}
    )
    post = await result.wait_reply()
    assert not post.ephemeral, all_text(post.embeds, post.content)
    return post


async def _run(world: World, member: Any, name: str, options: dict[str, Any]) -> InteractionResult:
    result = await world.rig.slash(world.guild, member, name, options)
    await result.wait_reply()
    return result


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def _rows(world: World) -> list[dict[str, Any]]:
    async with world.database.read() as conn:
        result = await conn.execute(quotes.select().order_by(quotes.c.id))
        return [dict(r) for r in result.mappings()]


async def _posted_rows(world: World, count: int) -> list[dict[str, Any]]:
    """The quote rows once each has its posted message (stored just after the post)."""
    for _ in range(200):
        rows = await _rows(world)
        if len(rows) == count and all(r["message_id"] is not None for r in rows):
            return rows
        await asyncio.sleep(0.025)
    return await _rows(world)


# --- posting ------------------------------------------------------------------------------------


async def test_the_posted_quote_hides_its_text_unless_in_the_first_tenth(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    opening = await _quote(world, world.alice, "Miss Brooke had that kind of beauty.", page=80)
    assert opening.custom_ids == ["quote:like:1"]
    assert opening.allowed_mentions == {"parse": []}
    text = all_text(opening.embeds)
    assert "At p. 80" in text and "George Eliot" in text
    # exactly 10 %: in the open
    assert "Miss Brooke had that kind of beauty." in visible_outside_spoilers(text)

    hostile = f"{SECRET} || @everyone <@&1> ```fence``` ends with a pipe |"
    later = await _quote(world, world.alice, hostile, page=81, note="so sad")
    assert later.custom_ids == ["quote:like:2"]
    assert later.allowed_mentions == {"parse": []}
    strings = list(_strings(later.embeds))
    assert all(SECRET not in visible_outside_spoilers(s) for s in strings)
    assert sum(spoiler_text(s).count(SECRET) for s in strings) == 1
    assert all("so sad" not in visible_outside_spoilers(s) for s in strings)  # the note too
    assert not any("@everyone" in s or "<@&1>" in s for s in strings)

    chapter = await _quote(world, world.alice, "Chapter one words.", chapter=1)
    assert "Chapter one words." not in visible_outside_spoilers(all_text(chapter.embeds))
    assert "At chapter 1" in all_text(chapter.embeds)
    nowhere = await _quote(world, world.alice, "Somewhere in the book.")
    assert "no position (counts as the end)" in all_text(nowhere.embeds)
    assert "Somewhere in the book." not in visible_outside_spoilers(all_text(nowhere.embeds))

    rows = await _posted_rows(world, 4)
    assert [(r["page"], r["chapter"]) for r in rows] == [
        (80, None),
        (81, None),
        (None, 1),
        (None, None),
    ]
    assert [r["message_id"] for r in rows] == [opening.id, later.id, chapter.id, nowhere.id]
    assert all(r["channel_id"] == world.general.id for r in rows)


async def test_like_toggles_counts_and_survives_a_restart(world: World) -> None:
    async with run_marginalia(world):
        await _add_book(world)
        post = await _quote(world, world.alice, "A line.", page=10)
        liked = await world.rig.click(post, "quote:like:1", world.bob)
        assert liked.callback_type == 7
        assert post.component("quote:like:1")["label"] == "Like · 1"
        assert "You like this quote" in (await liked.wait_followup()).content
        own = await world.rig.click(post, "quote:like:1", world.alice)
        assert own.ephemeral and "your own quote" in all_text(own.embeds)
        assert post.component("quote:like:1")["label"] == "Like · 1"
    async with run_marginalia(world):  # a new process: the button still works
        await world.rig.click(post, "quote:like:1", world.moderator)
        assert post.component("quote:like:1")["label"] == "Like · 2"
        unliked = await world.rig.click(post, "quote:like:1", world.bob)
        assert "taken back" in (await unliked.wait_followup()).content
        assert post.component("quote:like:1")["label"] == "Like · 1"


# --- listing --------------------------------------------------------------------------------------


async def test_list_as_two_members_at_different_progress_and_reveal_with_warning(
    world: World, marginalia: MarginaliaBot
) -> None:
    book_id = await _add_book(world)
    await _quote(world, world.alice, "EARLY-LINE", page=20)
    await _quote(world, world.alice, "MIDDLE-LINE", percent=50)
    await _quote(world, world.alice, "CHAPTER-NINE-LINE", chapter=9)
    await _quote(world, world.alice, "ENDING-LINE")
    await _run(world, world.bob, "progress update", {"book": BOOK, "page": 400, "chapter": 8})

    listed = await _run(world, world.bob, "quote list", {"book": BOOK})
    assert listed.ephemeral
    text = all_text(listed.embeds, listed.content)
    assert "EARLY-LINE" in text and "MIDDLE-LINE" in text
    assert "CHAPTER-NINE-LINE" not in text and "ENDING-LINE" not in text
    assert "2 more further on" in text and "you are on p. 400 (chapter 8)" in text
    assert listed.message.custom_ids == [f"quote:further:{book_id}:0"]

    # the writer sees her own quotes whatever her progress
    hers = await _run(world, world.alice, "quote list", {"book": BOOK})
    assert all(
        line in all_text(hers.embeds)
        for line in ("EARLY-LINE", "MIDDLE-LINE", "CHAPTER-NINE-LINE", "ENDING-LINE")
    )
    assert hers.message.custom_ids == []

    warned = await world.rig.click(listed, f"quote:further:{book_id}:0", world.bob)
    assert warned.ephemeral
    assert warned.content == (
        "These 2 quotes go to chapter 9, no position (counts as the end); "
        "you are on p. 400 (chapter 8) — reveal anyway?"
    )
    assert warned.message.custom_ids == [f"quote:further:{book_id}:0:anyway"]
    revealed = await world.rig.click(warned, f"quote:further:{book_id}:0:anyway", world.bob)
    assert revealed.callback_type == 7
    shown = all_text(revealed.message.embeds)
    assert "CHAPTER-NINE-LINE" in shown and "ENDING-LINE" in shown and "EARLY-LINE" not in shown

    # logging chapter 9 reaches the chapter quote
    await _run(world, world.bob, "progress update", {"book": BOOK, "chapter": 9})
    again = await _run(world, world.bob, "quote list", {"book": BOOK})
    assert "CHAPTER-NINE-LINE" in all_text(again.embeds)
    assert "1 more further on" in all_text(again.embeds)

    # one member's quotes; a member with no progress sees only the count
    theirs = await _run(world, world.moderator, "quote list", {"book": BOOK, "member": world.alice})
    assert "4 more further on" in all_text(theirs.embeds)
    assert "EARLY-LINE" not in all_text(theirs.embeds)
    assert theirs.message.custom_ids == [f"quote:further:{book_id}:{world.alice.id}"]
    none = await _run(world, world.alice, "quote list", {"book": BOOK, "member": world.bob})
    assert "No quotes saved by" in all_text(none.embeds)


# --- the message menu --------------------------------------------------------------------------


async def test_save_as_quote_opens_the_form_prefilled_and_posts(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    said = await world.rig.post_user_message(
        world.general, world.bob, "We are all of us born in moral stupidity @everyone"
    )
    opened = await world.rig.message_command(world.guild, world.alice, "Save as quote", said)
    assert opened.callback_type == 9 and opened.modal is not None
    inputs = {c["custom_id"]: c for c in opened.modal.inputs}
    assert set(inputs) == {"book", "text", "position", "note"}
    assert inputs["text"]["value"] == said.content

    mistaken = await opened.submit_modal({"book": BOOK, "position": "soon"})
    assert mistaken.ephemeral and "as a place in the book" in all_text(mistaken.embeds)
    assert await _rows(world) == []

    reopened = await world.rig.message_command(world.guild, world.alice, "Save as quote", said)
    submitted = await reopened.submit_modal({"book": BOOK, "position": "p. 12"})
    post = await submitted.wait_reply()
    assert not post.ephemeral and post.custom_ids == ["quote:like:1"]
    text = all_text(post.embeds)
    assert "moral stupidity" in visible_outside_spoilers(text) and "At p. 12" in text
    assert "@everyone" not in text
    [row] = await _posted_rows(world, 1)
    assert (row["user_id"], row["page"]) == (world.alice.id, 12)
    assert (row["source_channel_id"], row["source_message_id"]) == (world.general.id, said.id)
    assert row["message_id"] == post.id

    empty = await world.rig.post_user_message(world.general, world.bob, "")
    refused = await world.rig.message_command(world.guild, world.alice, "Save as quote", empty)
    assert refused.ephemeral and "no text" in all_text(refused.embeds)


# --- random -------------------------------------------------------------------------------------


async def test_random_shows_only_a_quote_the_viewer_has_reached(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    nothing = await _run(world, world.bob, "quote random", {})
    assert nothing.ephemeral and "Nobody has saved a quote" in all_text(nothing.embeds)
    post = await _quote(world, world.alice, "LATE-LINE", page=700)
    ahead = await _run(world, world.bob, "quote random", {"book": BOOK})
    assert ahead.ephemeral and "further on than you have read" in all_text(ahead.embeds)
    assert "LATE-LINE" not in all_text(ahead.embeds)

    await _run(world, world.bob, "progress update", {"book": BOOK, "page": 750})
    picked = await _run(world, world.bob, "quote random", {})
    assert picked.ephemeral and "LATE-LINE" in all_text(picked.embeds)
    assert picked.message.custom_ids == ["quote:like:1"]
    # a like from the random pick counts on the post too
    liked = await world.rig.click(picked, "quote:like:1", world.bob)
    assert liked.callback_type == 7
    await world.rig.wait_until(
        lambda: post.component("quote:like:1")["label"] == "Like · 1", what="the post's count"
    )


# --- mistakes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"text": "   "}, "The quote is empty"),
        ({"text": "x" * 1001}, "The quote is too long: 1,001 characters, the limit is 1,000"),
        ({"page": 801}, "This book has 800 pages, so p. 801 is past its end"),
        ({"percent": 150}, "A percent must be between 0 and 100"),
        ({"percent": -1}, "A percent must be between 0 and 100"),
        ({"page": 12, "chapter": 3}, "Give one position, not page and chapter"),
        ({"page": 12, "percent": 3}, "Give one position, not page and percent"),
        ({"book": "Zzyzx Qwertyuiop Nonexistent"}, "No book matches"),
    ],
)
async def test_bad_input_gets_a_clear_ephemeral_error_and_stores_nothing(
    world: World, marginalia: MarginaliaBot, options: dict[str, Any], fragment: str
) -> None:
    await _add_book(world)
    result = await world.rig.slash(
        world.guild,
        world.alice,
        "quote add",
        {"book": BOOK, "text": "A fine line.", **options},
        validate=False,
    )
    reply = await result.wait_reply()
    assert reply.ephemeral, all_text(reply.embeds, reply.content)
    assert fragment in all_text(reply.embeds, reply.content)
    async with world.database.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(quotes))).scalar_one() == 0


# --- the weekly digest ----------------------------------------------------------------------------


async def test_the_digest_shows_the_most_liked_quote_inside_a_spoiler(
    world: World, marginalia: MarginaliaBot
) -> None:
    """A quote from the first 10 % is in the open where it was posted, but the digest is read
    by everyone: there it is always inside one spoiler span, labelled with its position."""
    await _add_book(world)
    hostile = f"~~ {SECRET} || ends here ||"
    liked = await _quote(world, world.alice, hostile, page=10)
    other = await _quote(world, world.bob, "A quote nobody liked.", page=500)
    await world.rig.click(liked, "quote:like:1", world.bob)
    await world.rig.click(liked, "quote:like:1", world.moderator)
    await world.rig.click(other, "quote:like:2", world.alice)
    world.clock.advance(minutes=1)  # the week ends now, and includes what was saved before
    setup = await world.rig.slash(
        world.guild,
        world.admin,
        "digest setup",
        {"channel": world.general, "weekday": 6, "hour": 18, "timezone": "Europe/Berlin"},
    )
    await setup.wait_reply()
    sent = await world.rig.slash(world.guild, world.admin, "digest send-now")
    assert "Posted this week's digest" in (await sent.wait_reply()).content
    digest = [
        m
        for m in world.rig.channel_messages(world.general)
        if not m.ephemeral and m.embeds and "Weekly digest" in (m.embeds[0].get("title") or "")
    ]
    assert len(digest) == 1
    strings = list(_strings(digest[0].embeds))
    text = "\n".join(strings)
    assert "Quote of the week" in text and "p. 10" in text and "2 likes" in text
    assert all(SECRET not in visible_outside_spoilers(s) for s in strings)
    assert sum(spoiler_text(s).count(SECRET) for s in strings) == 1
    assert "nobody liked" not in text
