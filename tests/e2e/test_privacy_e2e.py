"""/privacy forget-me and /privacy digest, and the 30-day purge of a server the bot left,
end to end through the local Discord server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import MarginaliaBot
from bot.db import digest as digest_repo
from bot.db import quotes as quote_repo
from bot.db.schema import books, guild_settings, quote_likes, quotes, ratings, review_likes, reviews
from bot.domain.progress_gate import Position
from fake_discord import FakeMember, StoredMessage
from tests.e2e.world import World, all_text, run_marginalia

BOOK = "The Left Hand of Darkness"
TIMEOUT = 10.0


async def _setup(world: World) -> None:
    result = await world.rig.slash(
        world.guild, world.admin, "settings review-channel", {"channel": world.reviews}
    )
    assert result.ephemeral
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": BOOK, "author": "Ursula K. Le Guin", "pages": 304},
    )
    assert "Added" in added.content


async def _rate(world: World, member: FakeMember, guild: Any = None) -> None:
    result = await world.rig.slash(
        guild or world.guild, member, "rate", {"book": BOOK, "stars": "4.5"}
    )
    assert "You rated" in all_text((await result.wait_reply()).embeds)


async def _review(world: World, member: FakeMember, body: str) -> StoredMessage:
    mark = world.rig.mark()
    opened = await world.rig.slash(world.guild, member, "review write", {"book": BOOK})
    submitted = await opened.submit_modal({"review": body, "spoilers": "Estraven dies."})
    assert "is posted in" in (await submitted.wait_reply()).content
    return await world.rig.wait_for_message(world.reviews, lambda m: body in m.text, after=mark)


def _button(message: StoredMessage, label: str) -> str:
    for row in message.components:
        for component in row["components"]:
            if component.get("label") == label:
                return str(component["custom_id"])
    raise AssertionError(f"no {label!r} button in {message.components}")


async def _count(world: World, table: Any, **where: int) -> int:
    async with world.database.read() as conn:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return int((await conn.execute(query)).scalar_one())


async def _text(world: World, member: FakeMember, command: str, options: dict[str, Any]) -> str:
    result = await world.rig.slash(member.guild, member, command, options)
    reply = await result.wait_reply()
    return all_text(reply.embeds, reply.content)


async def _eventually(check: Callable[[], Any]) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not get there in time")


async def test_forget_me_leaves_nothing_of_the_member_in_that_server(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _setup(world)
    other = world.rig.add_guild("Other Club", members=[world.alice.user])
    await world.rig.sync()
    alice_elsewhere = other.members[world.alice.id]
    await _rate(world, world.alice)
    await _rate(world, world.bob)
    # a book added by hand is its server's own: the other server adds it too
    added = await world.rig.slash(
        other, alice_elsewhere, "book add", {"title": BOOK, "author": "Ursula K. Le Guin"}
    )
    assert "Added" in added.content
    await _rate(world, alice_elsewhere, other)
    alice_post = await _review(world, world.alice, "Alice's review: ice and kinship.")
    bob_post = await _review(world, world.bob, "Bob's review: slow but worth it.")
    await world.rig.click(alice_post, alice_post.custom_ids[0], world.bob)  # Bob likes hers
    await world.rig.click(bob_post, bob_post.custom_ids[0], world.alice)  # she likes his
    assert "Started" in await _text(world, world.alice, "progress start", {"book": BOOK})
    shelved = await _text(world, world.alice, "shelf add", {"book": BOOK, "shelf": "favourites"})
    assert "favourites" in shelved

    asked = await world.rig.slash(world.guild, world.alice, "privacy forget-me")
    prompt = asked.message
    text = all_text(prompt.embeds)
    assert prompt.ephemeral and "Forget everything of yours in this server?" in text
    assert "1 rating" in text and "1 review (with the 1 like or flag on them)" in text
    assert "1 reading with 1 progress update" in text and "1 shelf (1 book on it)" in text
    assert "1 like you gave" in text and "the 1 posted review in the channels" in text

    stranger = await world.rig.click(prompt, _button(prompt, "Delete everything"), world.bob)
    assert stranger.ephemeral and "belong to someone else" in stranger.content
    assert await _count(world, ratings, user_id=world.alice.id) == 2

    confirmed = await world.rig.click(prompt, _button(prompt, "Delete everything"), world.alice)
    await confirmed.wait_edit()  # the buttons go at once
    final = await confirmed.wait_edit(timeout=TIMEOUT)
    done = all_text(final.embeds)
    assert "Deleted from this server:" in done
    assert "1 rating" in done and "1 review" in done and "1 posted message" in done
    assert final.message.components == []
    assert world.rig.messages[alice_post.id].deleted
    assert not world.rig.messages[bob_post.id].deleted

    # no command in this server shows anything of hers
    card = await _text(world, world.alice, "ratings", {"book": BOOK})
    assert "Ratings\n1" in card and "← you" not in card
    listed = await _text(world, world.bob, "review list", {"book": BOOK})
    assert "Bob's review" in listed and "Alice's review" not in listed
    assert str(world.alice.id) not in listed and "1 review" in listed
    shown = await _text(world, world.bob, "review show", {"book": BOOK, "member": world.alice})
    assert "There is no review" in shown
    progress = await _text(world, world.bob, "progress show", {"member": world.alice})
    assert "Nothing in progress." in progress and BOOK not in progress
    own_shelves = await _text(world, world.alice, "shelf show", {})
    assert "favourites" not in own_shelves and BOOK not in own_shelves
    exported = await _text(world, world.alice, "export", {})
    assert "no data in this server" in exported
    again = await _text(world, world.alice, "privacy forget-me", {})
    assert "there is nothing to delete" in again
    # the like Bob gave her review went with it, and the like she gave his
    async with world.database.read() as conn:
        likes = (await conn.execute(select(review_likes.c.user_id))).scalars().all()
    assert likes == []

    # the other server keeps her data
    elsewhere = await _text(world, alice_elsewhere, "ratings", {"book": BOOK})
    assert "Ratings\n1" in elsewhere and "← you" in elsewhere
    assert await _count(world, ratings, guild_id=other.id, user_id=world.alice.id) == 1


async def test_cancel_deletes_nothing(world: World, marginalia: MarginaliaBot) -> None:
    await _setup(world)
    await _rate(world, world.alice)
    asked = await world.rig.slash(world.guild, world.alice, "privacy forget-me")
    cancelled = await world.rig.click(asked.message, _button(asked.message, "Cancel"), world.alice)
    assert "Cancelled: nothing was deleted." in (await cancelled.wait_reply()).content
    assert await _count(world, ratings, user_id=world.alice.id) == 1


async def test_forget_me_archives_and_locks_the_discussion_thread(world: World) -> None:
    """Other members wrote in the thread: it is closed, not deleted with their messages."""
    async with run_marginalia(world):
        await _setup(world)
        post = await _review(world, world.alice, "Alice's review with a thread.")
        discussed = await world.rig.click(post, post.custom_ids[2], world.bob)
        assert f"<#{post.id}>" in (await discussed.wait_reply()).content
        asked = await world.rig.slash(world.guild, world.alice, "privacy forget-me")
        confirmed = await world.rig.click(
            asked.message, _button(asked.message, "Delete everything"), world.alice
        )
        await confirmed.wait_edit()
        done = await confirmed.wait_edit(timeout=TIMEOUT)
        assert world.rig.messages[post.id].deleted
        assert await _count(world, reviews) == 0
        assert "archived and locked, not deleted" in all_text(done.embeds, done.content)
    thread = world.rig.channels[post.id]  # a thread started from a message has its id
    assert thread.is_thread and not thread.deleted
    assert thread.archived and thread.locked


async def test_digest_choice(world: World, marginalia: MarginaliaBot) -> None:
    off = await _text(world, world.alice, "privacy digest", {"setting": "off"})
    assert "left out of this server's weekly digest" in off
    async with world.database.read() as conn:
        assert await digest_repo.opted_out(conn, world.guild.id) == frozenset({world.alice.id})
    same = await _text(world, world.alice, "privacy digest", {"setting": "off"})
    assert "Digest privacy\nAlready set." in same
    on = await _text(world, world.alice, "privacy digest", {"setting": "on"})
    assert "You appear in this server's weekly digest" in on
    async with world.database.read() as conn:
        assert await digest_repo.opted_out(conn, world.guild.id) == frozenset()


async def _left_at(world: World) -> Any:
    async with world.database.read() as conn:
        return (
            await conn.execute(
                select(guild_settings.c.left_at).where(guild_settings.c.guild_id == world.guild.id)
            )
        ).scalar()


async def test_leaving_rejoining_and_the_purge_after_30_days(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _setup(world)
    await _rate(world, world.alice)
    start = world.clock.now()
    world.rig.remove_bot_from_guild(world.guild)

    async def left() -> bool:
        return await _left_at(world) == start

    await _eventually(left)
    world.clock.advance(days=20)
    world.rig.add_bot_to_guild(world.guild)

    async def back() -> bool:
        return await _left_at(world) is None

    await _eventually(back)
    cog = marginalia.get_cog("Privacy")
    assert cog is not None
    world.clock.advance(days=40)
    assert await cog.purge_now() == []  # type: ignore[attr-defined]
    assert await _count(world, ratings, guild_id=world.guild.id) == 1

    world.rig.remove_bot_from_guild(world.guild)
    gone_at = world.clock.now()

    async def left_again() -> bool:
        return await _left_at(world) == gone_at

    await _eventually(left_again)
    world.clock.advance(timedelta(days=30, seconds=-1))
    assert await cog.purge_now() == []  # type: ignore[attr-defined]
    world.clock.advance(seconds=1)
    [purge] = await cog.purge_now()  # type: ignore[attr-defined]
    assert purge.guild_id == world.guild.id and purge.rows["ratings"] == 1
    assert await _count(world, ratings, guild_id=world.guild.id) == 0
    assert await _left_at(world) is None  # the settings row went too


async def test_forget_me_deletes_the_member_s_quotes_and_their_posts(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _setup(world)
    async with world.database.read() as conn:
        book_id = int((await conn.execute(select(books.c.id))).scalar_one())
    now = datetime(2026, 11, 18, 12, tzinfo=UTC)

    async def quote(member: FakeMember, text: str) -> tuple[int, int]:
        """A quote of the member, posted by the bot as the quote service would."""
        quote_id = await world.database.run_write(
            quote_repo.insert_quote,
            guild_id=world.guild.id,
            user_id=member.id,
            book_id=book_id,
            text=text,
            note=None,
            position=Position.at_page(12),
            now=now,
        )
        sent = await marginalia.get_partial_messageable(world.reviews.id).send(text)
        await world.database.run_write(
            quote_repo.set_message, world.guild.id, quote_id, world.reviews.id, sent.id
        )
        return quote_id, sent.id

    alices, alice_message = await quote(world.alice, "Alice's passage")
    bobs, bob_message = await quote(world.bob, "Bob's passage")
    await world.database.run_write(quote_repo.put_like, alices, world.bob.id, now)
    await world.database.run_write(quote_repo.put_like, bobs, world.alice.id, now)

    asked = await world.rig.slash(world.guild, world.alice, "privacy forget-me")
    prompt = asked.message
    text = all_text(prompt.embeds)
    assert "1 quote (with the 1 like on them)" in text
    assert "1 like you gave to quotes" in text and "the 1 posted quote in the channels" in text
    confirmed = await world.rig.click(prompt, _button(prompt, "Delete everything"), world.alice)
    await confirmed.wait_edit()
    final = await confirmed.wait_edit(timeout=TIMEOUT)
    done = all_text(final.embeds)
    assert "1 quote" in done and "1 posted message" in done
    assert world.rig.messages[alice_message].deleted
    assert not world.rig.messages[bob_message].deleted
    async with world.database.read() as conn:
        left = (await conn.execute(select(quotes.c.id))).scalars().all()
        likes = (await conn.execute(select(quote_likes.c.user_id))).scalars().all()
    assert left == [bobs] and likes == []
