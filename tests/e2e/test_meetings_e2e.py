"""Club meetings end to end (SPEC §11): /club meeting add|list|cancel as Discord scheduled
events, /club reminders, and the reminders posted once each — across a restart too.

The local Discord refuses an event that starts in the (real) past, so these tests set the
bot's clock to the real time first and schedule meetings a few days ahead.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import discord
import pytest

from bot.app import MarginaliaBot
from fake_discord import FakeChannel, StoredMessage
from tests.e2e.world import World, all_text, run_marginalia

BOOK = "Middlemarch"
EVENTS = discord.Permissions(manage_events=True, connect=True).value


def _now() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _first_meeting(world: World) -> datetime:
    """19:00 UTC (the server has no zone set: UTC) three days from the clock's today."""
    day = world.clock.now().date() + timedelta(days=3)
    return datetime.combine(day, time(19, 0), tzinfo=UTC)


@pytest.fixture
def voice(world: World) -> FakeChannel:
    world.clock.set(_now())
    return world.guild.add_voice_channel("Reading Room")


async def _club(world: World) -> None:
    added = await world.rig.slash(
        world.guild, world.moderator, "book add", {"title": BOOK, "author": "George Eliot"}
    )
    assert BOOK in all_text(added.embeds)
    picked = await world.rig.slash(
        world.guild, world.moderator, "club pick", {"book": BOOK}, channel=world.general
    )
    await picked.wait_reply()


async def _add_series(world: World, voice: FakeChannel) -> StoredMessage:
    first = _first_meeting(world)
    result = await world.rig.slash(
        world.guild,
        world.moderator,
        "club meeting add",
        {
            "when": f"{first:%Y-%m-%d} 19:00",
            "checkpoint": "Book One",
            "where": f"<#{voice.id}>",
            "repeat": "weekly",
            "count": 3,
        },
        channel=world.general,
    )
    return await result.wait_reply()


def _reminders(world: World) -> list[StoredMessage]:
    return [
        m for m in world.rig.channel_messages(world.general) if "discord.com/events/" in m.content
    ]


async def test_a_weekly_series_is_listed_reminded_once_and_cancelled(
    world: World, voice: FakeChannel
) -> None:
    rig, guild = world.rig, world.guild
    guild.bot_role.permissions |= EVENTS
    async with run_marginalia(world) as bot:
        await _club(world)
        added = await _add_series(world, voice)
        assert not added.ephemeral and "3 meetings scheduled" in all_text(added.embeds)
        events = sorted(guild.scheduled_events.values(), key=lambda e: e.scheduled_start_time)
        first = _first_meeting(world)
        assert [e.name for e in events] == [f"{BOOK} — Book One"] * 3
        assert [e.scheduled_start_time for e in events] == [
            first + timedelta(weeks=i) for i in range(3)
        ]
        assert {e.channel_id for e in events} == {voice.id} and events[0].entity_type == 2

        # alice and bob are Interested in the first; only alice (and ada, not Interested)
        # asked for reminders
        for member in (world.alice, world.bob):
            await rig.mark_interested(events[0], member)
        for member in (world.alice, world.admin):
            on = await rig.slash(guild, member, "club reminders on")
            assert on.ephemeral and "Reminders are on" in on.content

        listed = await rig.slash(guild, world.bob, "club meeting list")
        text = all_text((await listed.wait_reply()).embeds)
        stamp = int(first.timestamp())
        assert f"<t:{stamp}:F>" in text and f"<t:{stamp}:R>" in text
        assert "2 members interested" in text and "0 members interested" in text

        cog = _reminder_cog(bot)
        assert await cog.tick() == []  # three days ahead: nothing due
        world.clock.set(first - timedelta(hours=24) + timedelta(minutes=1))
        await cog.tick()
        [reminder] = _reminders(world)
        assert f"<@{world.alice.id}>" in reminder.content
        assert f"<@{world.bob.id}>" not in reminder.content
        assert f"<@{world.admin.id}>" not in reminder.content
        assert reminder.allowed_mentions is not None
        assert [int(u) for u in reminder.allowed_mentions["users"]] == [world.alice.id]
        assert reminder.allowed_mentions.get("parse") == []
        assert await cog.tick() == []
        assert len(_reminders(world)) == 1

    async with run_marginalia(world) as bot:  # a restart: the reminder was posted, not again
        await _reminder_cog(bot).tick()
        assert len(_reminders(world)) == 1
        world.clock.set(first + timedelta(minutes=2))
        await _reminder_cog(bot).tick()
        [_, starting] = _reminders(world)
        assert "is starting" in starting.content and f"<@{world.alice.id}>" in starting.content

        # cancel the last meeting: its event goes too
        choices = await rig.autocomplete(guild, world.moderator, "club meeting cancel", "meeting")
        assert len(choices) == 2  # the first one has started
        last = events[2]
        cancelled = await rig.slash(
            guild, world.moderator, "club meeting cancel", {"meeting": choices[-1]["value"]}
        )
        assert "Cancelled the meeting" in (await cancelled.wait_reply()).content
        assert last.id not in guild.scheduled_events
        assert len(guild.scheduled_events) == 2

        # one deleted in Discord meanwhile is cancelled all the same
        await rig.delete_scheduled_event(events[1])
        again = await rig.slash(
            guild, world.moderator, "club meeting cancel", {"meeting": choices[0]["value"]}
        )
        assert "Cancelled the meeting" in (await again.wait_reply()).content
        empty = await rig.slash(guild, world.bob, "club meeting list")
        assert "No meetings are planned" in all_text((await empty.wait_reply()).embeds)


def _reminder_cog(bot: MarginaliaBot) -> Any:
    # discord.py loads extensions as fresh module objects: no isinstance against the cog class
    cog = bot.get_cog("MeetingReminders")
    assert cog is not None
    return cog


async def test_members_cannot_add_or_cancel_meetings(
    world: World, voice: FakeChannel, marginalia: MarginaliaBot
) -> None:
    world.guild.bot_role.permissions |= EVENTS
    world.rig.dispatch_role_update(world.guild.bot_role)
    await _club(world)
    refused = await world.rig.slash(
        world.guild, world.alice, "club meeting add", {"when": "tomorrow 19:00"}
    )
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)
    refused = await world.rig.slash(
        world.guild, world.alice, "club meeting cancel", {"meeting": "1"}
    )
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)
    assert world.guild.scheduled_events == {}


async def test_without_manage_events_nothing_is_created(
    world: World, voice: FakeChannel, marginalia: MarginaliaBot
) -> None:
    await _club(world)
    refused = await world.rig.slash(
        world.guild,
        world.moderator,
        "club meeting add",
        {"when": "tomorrow 19:00", "where": "The Old Library", "repeat": "weekly"},
    )
    assert refused.ephemeral and "Manage Events" in all_text(refused.embeds)
    assert world.guild.scheduled_events == {}
    assert "No meetings are planned" in all_text(
        (
            await (await world.rig.slash(world.guild, world.bob, "club meeting list")).wait_reply()
        ).embeds
    )


async def test_a_meeting_at_a_place_ends_two_hours_later(
    world: World, voice: FakeChannel, marginalia: MarginaliaBot
) -> None:
    world.guild.bot_role.permissions |= EVENTS
    world.rig.dispatch_role_update(world.guild.bot_role)
    no_club = await world.rig.slash(
        world.guild, world.moderator, "club meeting add", {"when": "tomorrow 19:00"}
    )
    assert no_club.ephemeral and "/club pick" in all_text(no_club.embeds)
    await _club(world)
    past = await world.rig.slash(
        world.guild, world.moderator, "club meeting add", {"when": "yesterday 19:00"}
    )
    assert past.ephemeral and "already passed" in all_text(past.embeds)
    first = _first_meeting(world)
    added = await world.rig.slash(
        world.guild,
        world.moderator,
        "club meeting add",
        {"when": f"{first:%Y-%m-%d} 7pm", "where": "The Old Library"},
    )
    text = all_text((await added.wait_reply()).embeds)
    assert "Meeting scheduled" in text and "2 hours after the start" in text
    [event] = world.guild.scheduled_events.values()
    assert event.name == BOOK and event.location == "The Old Library"
    assert event.scheduled_start_time == first
    assert event.scheduled_end_time == first + timedelta(hours=2)


async def test_where_offers_the_voice_channels_and_names_what_a_stage_needs(
    world: World, voice: FakeChannel
) -> None:
    stage = world.guild.add_stage_channel("Author Talk")
    world.guild.bot_role.permissions |= EVENTS
    async with run_marginalia(world):
        await _club(world)
        choices = await world.rig.autocomplete(
            world.guild, world.moderator, "club meeting add", "where", "talk"
        )
        assert [c["value"] for c in choices] == [f"<#{stage.id}>", "talk"]
        refused = await world.rig.slash(
            world.guild,
            world.moderator,
            "club meeting add",
            {"when": "tomorrow 19:00", "where": f"<#{stage.id}>"},
        )
        text = all_text(refused.embeds)
        assert refused.ephemeral and "Manage Channels, Mute Members, Move Members" in text
        assert world.guild.scheduled_events == {}
        by_name = await world.rig.slash(
            world.guild,
            world.moderator,
            "club meeting add",
            {"when": "tomorrow 19:00", "where": "#reading room"},
        )
        assert "Meeting scheduled" in all_text((await by_name.wait_reply()).embeds)
        [event] = world.guild.scheduled_events.values()
        assert event.channel_id == voice.id


async def test_the_digest_tells_of_the_next_meeting(
    world: World, voice: FakeChannel, marginalia: MarginaliaBot
) -> None:
    world.guild.bot_role.permissions |= EVENTS
    world.rig.dispatch_role_update(world.guild.bot_role)
    await _club(world)
    first = _first_meeting(world)
    added = await world.rig.slash(
        world.guild,
        world.moderator,
        "club meeting add",
        {"when": f"{first:%Y-%m-%d} 7pm", "where": "The Old Library", "checkpoint": "Book One"},
    )
    await added.wait_reply()
    [event] = world.guild.scheduled_events.values()
    setup = await world.rig.slash(
        world.guild,
        world.admin,
        "digest setup",
        {"channel": world.general, "weekday": 6, "hour": 18, "timezone": "UTC"},
    )
    await setup.wait_reply()
    await (await world.rig.slash(world.guild, world.admin, "digest send-now")).wait_reply()
    [digest] = [
        m
        for m in world.rig.channel_messages(world.general)
        if not m.ephemeral and m.embeds and "Weekly digest" in (m.embeds[0].get("title") or "")
    ]
    text = all_text(digest.embeds)
    assert "The club meets" in text and "19:00 (UTC) about Book One at The Old Library" in text
    assert f"discord.com/events/{world.guild.id}/{event.id}" in text
