"""A member's own permissions are checked before the bot posts for them (SPEC §10).

The bot posts a member's review with its own permissions, so without a check a member could
post where they may not send messages, and Discuss could open threads for members denied
Create Public Threads. The review itself is kept when it cannot be posted.
"""

from __future__ import annotations

import discord

from bot.app import MarginaliaBot
from fake_discord import FakeChannel, FakeMember
from tests.e2e.world import World, all_text

BOOK = "Middlemarch"
THREADS_ROUTE = "/channels/{channel_id}/messages/{message_id}/threads"


async def _add_book(world: World) -> None:
    added = await world.rig.slash(
        world.guild, world.alice, "book add", {"title": BOOK, "author": "George Eliot"}
    )
    assert "Added" in added.content


async def _deny(world: World, channel: FakeChannel, member: FakeMember, **denied: bool) -> None:
    channel.set_overwrite(member, deny=discord.Permissions(**denied))
    world.rig.dispatch_channel_update(channel)
    await world.rig.sync()


async def _review_channel(world: World) -> None:
    result = await world.rig.slash(
        world.guild, world.admin, "settings review-channel", {"channel": world.reviews}
    )
    assert "set" in all_text(result.embeds)


async def _write(world: World, member: FakeMember, channel: FakeChannel) -> str:
    """Write a review from ``channel``; returns the member's final reply."""
    opened = await world.rig.slash(
        world.guild, member, "review write", {"book": BOOK}, channel=channel
    )
    assert opened.modal is not None, all_text(opened.embeds, opened.content)
    submitted = await opened.submit_modal({"review": "Provincial life, in full."})
    reply = await submitted.wait_reply()
    assert reply.ephemeral
    return reply.content or ""


def _posts(world: World, channel: FakeChannel) -> list[object]:
    return [m for m in world.rig.channel_messages(channel) if m.embeds and not m.ephemeral]


async def _kept(world: World, member: FakeMember) -> None:
    shown = await world.rig.slash(world.guild, member, "review show", {"book": BOOK})
    assert "Provincial life" in all_text((await shown.wait_reply()).embeds)


async def test_no_review_in_a_channel_where_the_member_may_not_send(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _deny(world, world.general, world.alice, send_messages=True)
    reply = await _write(world, world.alice, world.general)
    assert "saved" in reply and "Send Messages" in reply and world.general.mention in reply
    assert "/review edit" in reply
    assert _posts(world, world.general) == []
    await _kept(world, world.alice)
    # where she may send, /review edit posts it
    opened = await world.rig.slash(
        world.guild, world.alice, "review edit", {"book": BOOK}, channel=world.reviews
    )
    done = await opened.submit_modal({})
    assert "is posted in" in (await done.wait_reply()).content
    assert len(_posts(world, world.reviews)) == 1


async def test_the_review_channel_needs_only_view_channel(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _review_channel(world)
    # a read-only review channel: members read, the bot posts their reviews there
    await _deny(world, world.reviews, world.alice, send_messages=True)
    reply = await _write(world, world.alice, world.general)
    assert f"is posted in {world.reviews.mention}" in reply
    assert len(_posts(world, world.reviews)) == 1


async def test_no_review_in_a_review_channel_the_member_cannot_see(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _review_channel(world)
    await _deny(world, world.reviews, world.bob, view_channel=True)
    reply = await _write(world, world.bob, world.general)
    assert "saved" in reply and "View Channel" in reply and world.reviews.mention in reply
    assert _posts(world, world.reviews) == [] and _posts(world, world.general) == []
    await _kept(world, world.bob)


async def test_discuss_opens_no_thread_for_a_member_denied_threads(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _review_channel(world)
    await _write(world, world.alice, world.general)
    [post] = [m for m in world.rig.channel_messages(world.reviews) if m.embeds]
    await _deny(world, world.reviews, world.bob, create_public_threads=True)
    refused = await world.rig.click(post, "review:discuss:1", world.bob)
    answer = await refused.wait_reply()
    assert answer.ephemeral and "Create Public Threads" in all_text(answer.embeds, answer.content)
    assert world.rig.requests_to("POST", THREADS_ROUTE) == []
    opened = await world.rig.click(post, "review:discuss:1", world.alice)
    assert f"<#{post.id}>" in ((await opened.wait_reply()).content or "")
    # once the thread exists, joining it needs no thread-creating permission
    joined = await world.rig.click(post, "review:discuss:1", world.bob)
    assert "you're added to it" in ((await joined.wait_reply()).content or "")
    assert len(world.rig.requests_to("POST", THREADS_ROUTE)) == 1
