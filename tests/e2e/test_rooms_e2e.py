"""Checkpoint rooms end to end (SPEC §11): a private thread per checkpoint, hidden from a
member until their own logged progress reaches it; moderators only; a missing permission
named; archived and locked at /club end."""

from __future__ import annotations

import discord
import pytest

from bot.app import MarginaliaBot
from fake_discord import FakeChannel
from tests.e2e.world import World, all_text

BOOK = "Middlemarch"


def _text(shown: object) -> str:
    return all_text(shown.embeds, shown.content)  # type: ignore[attr-defined]


@pytest.fixture
async def club(world: World, marginalia: MarginaliaBot) -> None:
    """Middlemarch (880 pages) as the club read in #general: Book One up to p. 100, Book Two
    up to 50 %."""
    rig = world.rig
    await rig.slash(
        world.guild,
        world.moderator,
        "book add",
        {"title": BOOK, "author": "George Eliot", "pages": 880},
    )
    picked = await rig.slash(
        world.guild, world.moderator, "club pick", {"book": BOOK}, channel=world.general
    )
    await picked.wait_reply()
    for options in (
        {"label": "Book One", "date": "2026-11-20", "until_page": 100},
        {"label": "Book Two", "date": "6 December", "until_percent": 50.0},
    ):
        await rig.slash(world.guild, world.moderator, "club schedule add", options)


def _rooms(world: World) -> list[FakeChannel]:
    return sorted(
        (t for t in world.guild.threads if t.parent_id == world.general.id), key=lambda t: t.id
    )


async def test_rooms_open_to_each_member_as_their_progress_gets_there(
    world: World, club: None
) -> None:
    rig = world.rig
    refused = await rig.slash(world.guild, world.alice, "club rooms on")
    assert refused.ephemeral and "Only moderators" in _text(refused)

    # progress logged before the rooms open counts when they open
    await rig.slash(world.guild, world.bob, "progress finish", {"book": BOOK})
    on = await rig.slash(world.guild, world.moderator, "club rooms on")
    assert "Checkpoint rooms are on" in _text(await on.wait_followup())
    one, two = _rooms(world)
    assert one.name == f"{BOOK} — up to Book One" and two.name == f"{BOOK} — up to Book Two"
    assert one.type == discord.ChannelType.private_thread.value
    assert rig.can_see_thread(world.bob, one) and rig.can_see_thread(world.bob, two)
    assert not rig.can_see_thread(world.alice, one) and not rig.can_see_thread(world.alice, two)

    not_yet = await rig.slash(
        world.guild, world.alice, "progress update", {"book": BOOK, "page": 99}
    )
    await not_yet.wait_reply()
    assert not rig.can_see_thread(world.alice, one)
    reached = await rig.slash(
        world.guild, world.alice, "progress update", {"book": BOOK, "page": 120}
    )
    told = await reached.wait_followup()
    assert told.ephemeral and f"<#{one.id}>" in told.content and f"<#{two.id}>" not in told.content
    assert rig.can_see_thread(world.alice, one) and not rig.can_see_thread(world.alice, two)

    # a chapter alone says nothing about pages: Book Two stays closed
    chapter = await rig.slash(
        world.guild, world.alice, "progress update", {"book": BOOK, "chapter": 60}
    )
    await chapter.wait_reply()
    assert not rig.can_see_thread(world.alice, two)

    joined = await rig.slash(world.guild, world.alice, "club rooms join")
    assert f"<#{one.id}>" in _text(await joined.wait_followup())

    ended = await rig.slash(world.guild, world.moderator, "club end")
    await ended.wait_reply()
    assert one.archived and one.locked and two.archived and two.locked


async def test_a_checkpoint_added_later_gets_its_room(world: World, club: None) -> None:
    rig = world.rig
    await (await rig.slash(world.guild, world.moderator, "club rooms on")).wait_followup()
    added = await rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Finale", "date": "20 December", "until_percent": 100.0},
    )
    await added.wait_reply()
    await rig.wait_until(lambda: len(_rooms(world)) == 3, what="the new checkpoint's room")
    assert _rooms(world)[-1].name == f"{BOOK} — up to Finale"


async def test_without_the_thread_permissions_nothing_is_opened(world: World, club: None) -> None:
    rig = world.rig
    world.general.set_overwrite(
        world.guild.bot_role, deny=discord.Permissions(create_private_threads=True)
    )
    rig.dispatch_channel_update(world.general)
    await rig.sync()
    refused = await rig.slash(world.guild, world.moderator, "club rooms on")
    text = _text(await refused.wait_followup())
    assert "Create Private Threads" in text and "Nothing was changed" in text
    assert _rooms(world) == []
    join = await rig.slash(world.guild, world.alice, "club rooms join")
    assert "no checkpoint rooms" in _text(join)


async def test_questions_are_approved_by_moderators_and_posted_in_their_room(
    world: World, club: None
) -> None:
    """alice proposes a question for Book Two (hidden in spoiler tags outside the room); a
    member cannot decide; the moderator approves it before rooms exist and rejects another;
    turning rooms on posts the approved one in Book Two's room only, without pings."""
    rig = world.rig
    typed = await rig.autocomplete(
        world.guild, world.alice, "club question add", "checkpoint", "two"
    )
    [choice] = typed
    assert choice["name"] == "Book Two"
    asked = await rig.slash(
        world.guild,
        world.alice,
        "club question add",
        {"checkpoint": choice["value"], "text": f"Was <@{world.bob.id}> right about Dorothea?"},
    )
    shown = _text(asked)
    assert asked.ephemeral and "||" in shown and "waiting" not in shown
    other = await rig.slash(
        world.guild, world.bob, "club question add", {"checkpoint": "book one", "text": "Why?"}
    )
    assert other.ephemeral
    wrong = await rig.slash(
        world.guild, world.bob, "club question add", {"checkpoint": "Book Nine", "text": "?"}
    )
    assert "Pick one of the club read's checkpoints" in _text(wrong)

    mine = await rig.slash(world.guild, world.bob, "club question list")
    assert mine.message.custom_ids == [] and "Why?" in _text(mine) and "Dorothea" not in _text(mine)

    listed = await rig.slash(world.guild, world.moderator, "club question list")
    assert listed.message.custom_ids == [
        "club:question:approve:1",
        "club:question:reject:1",
        "club:question:approve:2",
        "club:question:reject:2",
    ]
    approved = await rig.click(listed, "club:question:approve:1", world.moderator)
    assert "✅ approved" in _text(await approved.wait_edit())
    rejected = await rig.click(listed, "club:question:reject:2", world.moderator)
    await rejected.wait_edit()

    await (await rig.slash(world.guild, world.moderator, "club rooms on")).wait_followup()
    one, two = _rooms(world)
    posted = await rig.wait_for_message(two, lambda m: "Discussion question" in m.content)
    assert "Dorothea" in posted.content and posted.allowed_mentions == {"parse": []}
    assert not [m for m in rig.channel_messages(one) if "Discussion question" in m.content]


async def test_the_spoiler_guard_blocks_words_outside_the_rooms_until_the_end(
    world: World, club: None
) -> None:
    rig = world.rig
    refused = await rig.slash(world.guild, world.alice, "club guard add", {"words": "Dorothea"})
    assert "Only moderators" in _text(refused)
    no_permission = await rig.slash(
        world.guild, world.moderator, "club guard add", {"words": "Casaubon's will"}
    )
    assert "Manage Server" in _text(await no_permission.wait_followup())
    assert world.guild.automod_rules == {}

    role = world.guild.bot_role
    role.permissions |= discord.Permissions(manage_guild=True).value
    rig.dispatch_role_update(role)
    await rig.sync()
    too_short = await rig.slash(world.guild, world.moderator, "club guard add", {"words": "ok"})
    assert "too short" in _text(await too_short.wait_followup())
    added = await rig.slash(
        world.guild, world.moderator, "club guard add", {"words": "Casaubon's will, Ladislaw"}
    )
    text = _text(await added.wait_followup())
    assert "blocks 2 word(s)" in text and "||" in text
    rule = rig.automod_rule(world.guild, "Marginalia spoiler guard")
    assert sorted(rule.keywords) == ["Casaubon's will", "Ladislaw"]
    said = "So Ladislaw comes back!"
    match = rig.automod_match(world.general, said, world.alice)
    assert match is not None and "checkpoint room" in (match.custom_message or "")

    # rooms opened after the guard are exempt; more words are added to the same rule
    await (await rig.slash(world.guild, world.moderator, "club rooms on")).wait_followup()
    one, _ = _rooms(world)
    assert not rig.automod_blocks(one, said, world.alice)
    assert rig.automod_blocks(world.general, said, world.alice)
    more = await rig.slash(world.guild, world.moderator, "club guard add", {"words": "Lydgate"})
    await more.wait_followup()
    assert len(world.guild.automod_rules) == 1
    assert rig.automod_blocks(world.general, "Lydgate!", world.alice)

    ended = await rig.slash(world.guild, world.moderator, "club end")
    await ended.wait_reply()
    assert world.guild.automod_rules == {}
    assert not rig.automod_blocks(world.general, said, world.alice)


async def test_the_digest_names_the_rooms_opened_this_week(world: World, club: None) -> None:
    rig = world.rig
    await (await rig.slash(world.guild, world.moderator, "club rooms on")).wait_followup()
    world.clock.advance(minutes=1)
    setup = await rig.slash(
        world.guild,
        world.admin,
        "digest setup",
        {"channel": world.general, "weekday": 6, "hour": 18, "timezone": "UTC"},
    )
    await setup.wait_reply()
    sent = await rig.slash(world.guild, world.admin, "digest send-now")
    await sent.wait_reply()
    [digest] = [
        m
        for m in rig.channel_messages(world.general)
        if not m.ephemeral and m.embeds and "Weekly digest" in (m.embeds[0].get("title") or "")
    ]
    assert "Rooms opened** — Book One, Book Two" in "\n".join(
        f.get("value", "") for e in digest.embeds for f in e.get("fields", [])
    ) + "\n".join(e.get("description", "") for e in digest.embeds)
