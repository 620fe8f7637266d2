"""Tests of the rig's club logistics (issue 12): native polls, guild scheduled events,
private threads and their members, AutoMod keyword rules, closed DMs.

Each capability is driven through the real discord.py client (a small ``discord.Client``
defined here, recording the gateway events it receives), including Discord's permission
refusals and validation errors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord.http import Route

from fake_discord import (
    MODERATOR_PERMISSIONS,
    AutoModBlocked,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeScheduledEvent,
    running_bot,
)
from fake_discord.polls import POLL_RESULT


class ClubBot(discord.Client):
    """Records the club-logistics gateway events it is sent."""

    def __init__(self, rig: FakeDiscord, *, intents: discord.Intents | None = None) -> None:
        super().__init__(intents=intents or discord.Intents.default(), guild_ready_timeout=0.05)
        self.seen: list[tuple[str, Any]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.seen]

    async def on_raw_poll_vote_add(self, event: discord.RawPollVoteActionEvent) -> None:
        self.seen.append(("vote_add", (event.user_id, event.answer_id)))

    async def on_raw_poll_vote_remove(self, event: discord.RawPollVoteActionEvent) -> None:
        self.seen.append(("vote_remove", (event.user_id, event.answer_id)))

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        self.seen.append(("message_edit", event.data))

    async def on_scheduled_event_create(self, event: discord.ScheduledEvent) -> None:
        self.seen.append(("event_create", event.name))

    async def on_scheduled_event_update(
        self, before: discord.ScheduledEvent, after: discord.ScheduledEvent
    ) -> None:
        self.seen.append(("event_update", (after.name, after.status)))

    async def on_scheduled_event_delete(self, event: discord.ScheduledEvent) -> None:
        self.seen.append(("event_delete", event.name))

    async def on_scheduled_event_user_add(
        self, event: discord.ScheduledEvent, user: discord.User
    ) -> None:
        self.seen.append(("event_user_add", (event.name, user.id)))

    async def on_scheduled_event_user_remove(
        self, event: discord.ScheduledEvent, user: discord.User
    ) -> None:
        self.seen.append(("event_user_remove", (event.name, user.id)))

    async def on_thread_member_join(self, member: discord.ThreadMember) -> None:
        self.seen.append(("thread_join", member.id))

    async def on_raw_thread_member_remove(self, event: discord.RawThreadMembersUpdate) -> None:
        self.seen.append(("thread_leave", event.thread_id))

    async def on_automod_rule_create(self, rule: discord.AutoModRule) -> None:
        self.seen.append(("rule_create", rule.name))

    async def on_automod_rule_update(self, rule: discord.AutoModRule) -> None:
        self.seen.append(("rule_update", rule.name))

    async def on_automod_rule_delete(self, rule: discord.AutoModRule) -> None:
        self.seen.append(("rule_delete", rule.name))


@dataclass
class Club:
    rig: FakeDiscord
    bot: ClubBot
    guild: FakeGuild
    general: FakeChannel
    rooms: FakeChannel
    voice: FakeChannel
    stage: FakeChannel
    mod: FakeMember
    alice: FakeMember
    bob: FakeMember

    def channel(self, fake: FakeChannel) -> Any:
        found = self.bot.get_channel(fake.id)
        assert found is not None, fake
        return found

    @property
    def dguild(self) -> discord.Guild:
        found = self.bot.get_guild(self.guild.id)
        assert found is not None
        return found


CLUB_BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    manage_threads=True,
    read_message_history=True,
    manage_events=True,
    manage_guild=True,
    connect=True,
    manage_channels=True,
    mute_members=True,
    move_members=True,
)


def _later(**delta: float) -> dt.datetime:
    return discord.utils.utcnow() + dt.timedelta(**delta)


@pytest.fixture
async def club(fake_discord: FakeDiscord) -> AsyncIterator[Club]:
    guild = fake_discord.add_guild(
        "Book Club", channels=["general", "rooms"], bot_permissions=CLUB_BOT_PERMISSIONS
    )
    voice = guild.add_voice_channel("Reading Room")
    stage = guild.add_stage_channel("Author Talk")
    moderators = guild.add_role("Moderator", MODERATOR_PERMISSIONS)
    mod = guild.add_member("mia", roles=[moderators])
    alice = guild.add_member("alice")
    bob = guild.add_member("bob")

    def factory(rig: FakeDiscord) -> ClubBot:
        # discord.py drops GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE (and the non-raw poll vote
        # events) for users it has not cached: with the members intent they are cached
        intents = discord.Intents.default()
        intents.members = True
        return ClubBot(rig, intents=intents)

    async with running_bot(
        factory, fake_discord, point_discord_py=True, fail_on_error_logs=True
    ) as bot:
        yield Club(
            fake_discord,
            bot,
            guild,
            guild.channel("general"),
            guild.channel("rooms"),
            voice,
            stage,
            mod,
            alice,
            bob,
        )


def _poll(
    question: str = "Next read?", answers: tuple[str, ...] = ("Dune", "Emma"), **kw: Any
) -> discord.Poll:
    poll = discord.Poll(
        question=question, duration=kw.pop("duration", dt.timedelta(hours=24)), **kw
    )
    for answer in answers:
        poll.add_answer(text=answer)
    return poll


def _form_errors(rig: FakeDiscord) -> str:
    """The error body of the last REST call (discord.py keeps only the messages)."""
    return json.dumps(rig.requests[-1].response)


# --- polls -------------------------------------------------------------------------------------


async def test_a_poll_message_carries_the_poll_and_member_votes_reach_the_bot(club: Club) -> None:
    rig, bot = club.rig, club.bot
    sent = await club.channel(club.general).send(poll=_poll())
    stored = rig.messages[sent.id]
    poll = rig.poll_of(stored)
    assert poll.question == "Next read?" and [a.text for a in poll.answers] == ["Dune", "Emma"]
    assert [a.answer_id for a in poll.answers] == [1, 2] and not poll.allow_multiselect
    assert sent.poll is not None and sent.poll.expires_at is not None
    assert abs((sent.poll.expires_at - sent.created_at) - dt.timedelta(hours=24)) < dt.timedelta(
        seconds=2
    )

    await rig.vote_poll(stored, club.alice, "Dune")
    await rig.vote_poll(stored, club.bob, 1)
    await rig.vote_poll(stored, club.mod, "Emma")
    await rig.sync()
    assert [v for n, v in bot.seen if n == "vote_add"] == [
        (club.alice.id, 1),
        (club.bob.id, 1),
        (club.mod.id, 2),
    ]
    assert poll.counts() == {"Dune": 2, "Emma": 1}
    # (discord.py only updates its cached poll and fires ``poll_vote_add`` for members it
    # has cached — without the members intent, listen to ``raw_poll_vote_add``)

    fetched = await club.channel(club.general).fetch_message(sent.id)
    assert fetched.poll is not None and not fetched.poll.is_finalized()
    assert {a.text: a.vote_count for a in fetched.poll.answers} == {"Dune": 2, "Emma": 1}
    voters = [u.id async for u in fetched.poll.get_answer(1).voters()]
    assert sorted(voters) == sorted([club.alice.id, club.bob.id])
    # the route pages by ascending user id with after/limit
    route = Route(
        "GET",
        "/channels/{channel_id}/polls/{message_id}/answers/{answer_id}",
        channel_id=club.general.id,
        message_id=sent.id,
        answer_id=1,
    )
    first = await bot.http.request(route, params={"limit": 1})
    assert [u["id"] for u in first["users"]] == [str(min(club.alice.id, club.bob.id))]
    rest = await bot.http.request(route, params={"after": first["users"][0]["id"]})
    assert [u["id"] for u in rest["users"]] == [str(max(club.alice.id, club.bob.id))]

    # a single-choice poll: a second answer needs the first vote removed
    with pytest.raises(ValueError, match="single-choice"):
        await rig.vote_poll(stored, club.alice, "Emma")
    await rig.unvote_poll(stored, club.alice)
    await rig.vote_poll(stored, club.alice, "Emma")
    await rig.sync()
    assert bot.names()[-2:] == ["vote_remove", "vote_add"]
    assert bot.seen[-2][1] == (club.alice.id, 1) and bot.seen[-1][1] == (club.alice.id, 2)
    assert poll.counts() == {"Dune": 1, "Emma": 2}
    with pytest.raises(ValueError, match="apps cannot vote"):
        await rig.vote_poll(stored, rig.bot_user, "Dune")


async def test_multiselect_poll_takes_several_answers(club: Club) -> None:
    sent = await club.channel(club.general).send(poll=_poll(answers=("A", "B", "C"), multiple=True))
    await club.rig.vote_poll(sent.id, club.alice, "A", "C")
    assert club.rig.poll_of(sent.id).counts() == {"A": 1, "B": 0, "C": 1}


async def test_poll_limits_are_checked_as_discord_does(club: Club) -> None:
    channel = club.channel(club.general)
    cases = [
        (_poll(question="q" * 301), "question"),
        (_poll(answers=tuple(f"book {i}" for i in range(11))), "answers"),
        (_poll(answers=("x" * 56,)), "poll_media"),
        (_poll(duration=dt.timedelta(hours=769)), "duration"),
    ]
    for poll, field in cases:
        with pytest.raises(discord.HTTPException) as info:
            await channel.send(poll=poll)
        assert info.value.status == 400 and info.value.code == 50035
        assert field in _form_errors(club.rig)
    # the limits themselves are fine: 300-character question, 10 answers of 55, 32 days
    ok = _poll(
        question="q" * 300,
        answers=tuple(f"{i}" * 55 for i in range(10)),
        duration=dt.timedelta(hours=768),
    )
    sent = await channel.send(poll=ok)
    assert len(club.rig.poll_of(sent.id).answers) == 10


async def test_a_poll_needs_send_polls(club: Club) -> None:
    club.general.set_overwrite(club.guild.bot_role, deny=discord.Permissions(send_polls=True))
    club.rig.dispatch_channel_update(club.general)
    with pytest.raises(discord.Forbidden) as info:
        await club.channel(club.general).send(poll=_poll())
    assert info.value.code == 50013
    await club.channel(club.general).send("plain text still goes")


async def test_ending_a_poll_finalizes_it_and_posts_the_results(club: Club) -> None:
    rig, bot = club.rig, club.bot
    channel = club.channel(club.general)
    sent = await channel.send(poll=_poll())
    await rig.vote_poll(sent, club.alice, "Emma")
    mark = rig.mark()
    ended = await sent.end_poll()  # POST /channels/{c}/polls/{m}/expire
    assert ended.poll is not None and ended.poll.is_finalized()
    assert rig.poll_of(sent.id).finalized
    results = await rig.wait_for_message(club.general, lambda m: m.type == POLL_RESULT, after=mark)
    assert results.author is rig.bot_user
    assert results.message_reference is not None
    assert results.message_reference["message_id"] == str(sent.id)
    fields = {f["name"]: f["value"] for f in results.embeds[0]["fields"]}
    assert fields["victor_answer_text"] == "Emma" and fields["total_votes"] == "1"
    await rig.sync()
    edits = [d for n, d in bot.seen if n == "message_edit" and d["id"] == str(sent.id)]
    assert edits and edits[-1]["poll"]["results"]["is_finalized"] is True
    with pytest.raises(ValueError, match="ended"):
        await rig.vote_poll(sent, club.bob, "Dune")
    with pytest.raises(discord.HTTPException) as again:
        await sent.end_poll()
    assert again.value.code == 520001
    plain = await channel.send("no poll here")
    with pytest.raises(discord.HTTPException) as not_poll:
        await club.bot.http.end_poll(club.general.id, plain.id)
    assert not_poll.value.code == 520006


async def test_a_poll_ends_at_its_end_time_when_the_test_says_so(club: Club) -> None:
    rig = club.rig
    sent = await club.channel(club.general).send(poll=_poll())
    await rig.vote_poll(sent, club.alice, "Dune")
    await rig.vote_poll(sent, club.bob, "Emma")
    results = await rig.end_poll(sent)
    fields = {f["name"]: f["value"] for f in results.embeds[0]["fields"]}
    assert fields["total_votes"] == "2" and "victor_answer_id" not in fields  # a tie
    fetched = await club.channel(club.general).fetch_message(sent.id)
    assert fetched.poll is not None and fetched.poll.is_finalized()
    with pytest.raises(ValueError, match="already ended"):
        await rig.end_poll(sent)


async def test_vote_events_need_the_polls_intent(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()
    alice = guild.add_member("alice")
    intents = discord.Intents.default()
    intents.polls = False

    def factory(rig: FakeDiscord) -> ClubBot:
        return ClubBot(rig, intents=intents)

    async with running_bot(factory, fake_discord, point_discord_py=True) as bot:
        channel = bot.get_channel(guild.channel("general").id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send(poll=_poll())
        await fake_discord.vote_poll(sent, alice, "Dune")
        await fake_discord.sync()
        assert "vote_add" not in bot.names()
        assert fake_discord.poll_of(sent.id).counts()["Dune"] == 1


# --- scheduled events --------------------------------------------------------------------------


async def test_scheduled_events_are_created_listed_edited_and_deleted(club: Club) -> None:
    rig, bot, guild = club.rig, club.bot, club.dguild
    start = _later(days=2)
    external = await guild.create_scheduled_event(
        name="Dune — Part One",
        start_time=start,
        end_time=start + dt.timedelta(hours=2),
        location="The Old Library",
        description="Up to p. 110",
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    stored = club.guild.scheduled_event("Dune — Part One")
    assert stored.id == external.id and stored.location == "The Old Library"
    assert stored.creator_id == rig.bot_user.id and stored.status == 1
    assert abs(stored.scheduled_start_time - start) < dt.timedelta(seconds=1)
    voice = await guild.create_scheduled_event(
        name="Dune — Part Two",
        start_time=_later(days=9),
        channel=club.channel(club.voice),
    )
    assert voice.entity_type is discord.EntityType.voice and voice.channel_id == club.voice.id
    stage = await guild.create_scheduled_event(
        name="Author talk", start_time=_later(days=3), channel=club.channel(club.stage)
    )
    assert stage.entity_type is discord.EntityType.stage_instance
    await rig.sync()
    assert [v for n, v in bot.seen if n == "event_create"] == [
        "Dune — Part One",
        "Dune — Part Two",
        "Author talk",
    ]

    await rig.mark_interested(stored, club.alice)
    await rig.mark_interested(stored, club.bob)
    await rig.mark_interested(stored, club.alice)  # again: nothing new
    await rig.sync()
    assert [v for n, v in bot.seen if n == "event_user_add"] == [
        ("Dune — Part One", club.alice.id),
        ("Dune — Part One", club.bob.id),
    ]
    fetched = await guild.fetch_scheduled_events(with_counts=True)
    assert {e.name: e.user_count for e in fetched}["Dune — Part One"] == 2
    interested = [u.id async for u in external.users()]
    assert sorted(interested) == sorted([club.alice.id, club.bob.id])
    raw = await bot.http.get_scheduled_event_users(guild.id, external.id, limit=1, with_member=True)
    assert len(raw) == 1 and raw[0]["user"]["id"] == str(min(club.alice.id, club.bob.id))
    assert "member" in raw[0] and raw[0]["guild_scheduled_event_id"] == str(external.id)
    await rig.unmark_interested(stored, club.bob)
    await rig.sync()
    assert bot.seen[-1] == ("event_user_remove", ("Dune — Part One", club.bob.id))
    assert stored.interested == [club.alice.id]

    edited = await external.edit(name="Dune — Part One (moved)", location="Café")
    assert edited.name == "Dune — Part One (moved)" and stored.location == "Café"
    started = await edited.start()
    assert started.status is discord.EventStatus.active and stored.status == 2
    with pytest.raises(discord.HTTPException) as bad:
        await bot.http.edit_scheduled_event(guild.id, external.id, status=4)  # active → canceled
    assert bad.value.code == 50035
    await rig.sync()
    assert ("event_update", ("Dune — Part One (moved)", discord.EventStatus.active)) in bot.seen

    await voice.delete()
    await rig.sync()
    assert ("event_delete", "Dune — Part Two") in bot.seen
    assert voice.id not in club.guild.scheduled_events
    with pytest.raises(discord.NotFound) as gone:
        await guild.fetch_scheduled_event(voice.id)
    assert gone.value.code == 10070


async def test_scheduled_event_fields_are_checked_as_discord_does(club: Club) -> None:
    guild, http = club.dguild, club.bot.http
    base: dict[str, Any] = {
        "name": "Meeting",
        "privacy_level": 2,
        "entity_type": 3,
        "entity_metadata": {"location": "Library"},
        "scheduled_start_time": _later(days=1).isoformat(),
        "scheduled_end_time": _later(days=1, hours=1).isoformat(),
    }
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"scheduled_start_time": _later(hours=-1).isoformat()},
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
        ),
        ({"name": "n" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"description": "d" * 1001}, "description"),
        ({"scheduled_end_time": None}, "scheduled_end_time"),
        ({"entity_metadata": {}}, "location"),
        ({"scheduled_end_time": _later(hours=1).isoformat()}, "scheduled_end_time"),
        ({"entity_type": 2, "channel_id": str(club.general.id)}, "channel_id"),
        ({"entity_type": 1, "channel_id": str(club.voice.id)}, "channel_id"),
    ]
    for change, expected in cases:
        with pytest.raises(discord.HTTPException) as info:
            await http.create_guild_scheduled_event(guild.id, **{**base, **change})
        assert info.value.status == 400 and info.value.code == 50035, change
        assert expected in _form_errors(club.rig), (change, info.value.text)
    assert club.guild.scheduled_events == {}
    await guild.create_scheduled_event(
        name="n" * 100,
        description="d" * 1000,
        start_time=_later(days=1),
        end_time=_later(days=1, hours=1),
        location="Library",
        entity_type=discord.EntityType.external,  # discord.py omits an inferred entity_type
    )


async def test_a_recurrence_rule_is_accepted_and_echoed(club: Club) -> None:
    start = _later(days=7)
    rule = {"start": start.isoformat(), "frequency": 2, "interval": 2, "by_weekday": [2]}
    route = Route("POST", "/guilds/{guild_id}/scheduled-events", guild_id=club.guild.id)
    payload = {
        "name": "Fortnightly",
        "privacy_level": 2,
        "entity_type": 2,
        "channel_id": str(club.voice.id),
        "scheduled_start_time": start.isoformat(),
        "recurrence_rule": rule,
    }
    created = await club.bot.http.request(route, json=payload)
    assert created["recurrence_rule"]["frequency"] == 2
    assert created["recurrence_rule"]["interval"] == 2
    assert created["recurrence_rule"]["by_weekday"] == [2]
    assert club.guild.scheduled_event("Fortnightly").recurrence_rule == created["recurrence_rule"]
    with pytest.raises(discord.HTTPException) as info:  # count cannot be set by an app
        await club.bot.http.request(
            route, json={**payload, "recurrence_rule": {**rule, "count": 4}}
        )
    assert info.value.code == 50035
    assert "count" in _form_errors(club.rig)


async def test_scheduled_events_need_create_or_manage_events(club: Club) -> None:
    guild, rig = club.dguild, club.rig
    role = club.guild.bot_role
    role.permissions &= ~discord.Permissions(manage_events=True).value
    rig.dispatch_role_update(role)
    with pytest.raises(discord.Forbidden) as info:
        await guild.create_scheduled_event(
            name="Meet",
            start_time=_later(days=1),
            end_time=_later(days=2),
            location="Library",
            entity_type=discord.EntityType.external,
        )
    assert info.value.code == 50013
    # Create Events: may create, and edit its own events...
    role.permissions |= discord.Permissions(create_events=True).value
    rig.dispatch_role_update(role)
    own = await guild.create_scheduled_event(
        name="Meet",
        start_time=_later(days=1),
        end_time=_later(days=2),
        location="Library",
        entity_type=discord.EntityType.external,
    )
    await own.edit(description="Bring the book")
    # ...but not someone else's (that takes Manage Events)
    theirs = FakeScheduledEvent(
        id=rig.snowflake(),
        guild_id=club.guild.id,
        name="Mia's event",
        scheduled_start_time=_later(days=1),
        entity_type=3,
        creator_id=club.mod.id,
        location="Park",
        scheduled_end_time=_later(days=2),
    )
    club.guild.scheduled_events[theirs.id] = theirs
    with pytest.raises(discord.Forbidden):
        await club.bot.http.edit_scheduled_event(guild.id, theirs.id, name="Mine now")
    with pytest.raises(discord.Forbidden):
        await club.bot.http.delete_scheduled_event(guild.id, theirs.id)
    # a voice event also needs Connect in its channel
    club.voice.set_overwrite(role, deny=discord.Permissions(connect=True))
    rig.dispatch_channel_update(club.voice)
    with pytest.raises(discord.Forbidden):
        await guild.create_scheduled_event(
            name="Voice", start_time=_later(days=1), channel=club.channel(club.voice)
        )


# --- private threads ---------------------------------------------------------------------------


async def test_private_thread_members_and_who_can_see_it(club: Club) -> None:
    rig = club.rig
    rooms = club.channel(club.rooms)
    thread = await rooms.create_thread(
        name="Dune — up to Part One", type=discord.ChannelType.private_thread, invitable=False
    )
    fake = rig.channels[thread.id]
    assert fake.type == 12 and fake.parent_id == club.rooms.id and not fake.invitable
    assert not rig.can_see_thread(club.alice, fake)
    assert rig.can_see_thread(club.mod, fake) is False  # moderators here lack Manage Threads
    assert rig.can_see_thread(club.guild.owner, fake)  # the owner has every permission

    await thread.add_user(discord.Object(club.alice.id))
    assert rig.can_see_thread(club.alice, fake) and not rig.can_see_thread(club.bob, fake)
    assert [m.id for m in rig.thread_members(fake)] == sorted([rig.bot_user.id, club.alice.id])
    members = await thread.fetch_members()
    assert sorted(m.id for m in members) == sorted([rig.bot_user.id, club.alice.id])
    listed = await club.bot.http.request(
        Route("GET", "/channels/{channel_id}/thread-members", channel_id=thread.id),
        params={"with_member": "true", "limit": 1},
    )
    assert len(listed) == 1 and "member" in listed[0]

    await thread.remove_user(discord.Object(club.alice.id))
    assert not rig.can_see_thread(club.alice, fake)
    await rig.sync()  # THREAD_MEMBERS_UPDATE (other members: GUILD_MEMBERS intent)
    assert ("thread_join", club.alice.id) in club.bot.seen
    assert ("thread_leave", thread.id) in club.bot.seen
    # someone who left the server cannot be added
    gone = club.guild.add_member("gone")
    club.guild.remove_member(gone)
    with pytest.raises(discord.NotFound) as unknown:
        await thread.add_user(discord.Object(gone.id))
    assert unknown.value.code == 10007
    # an archived thread takes no new members
    await thread.edit(archived=True)
    with pytest.raises(discord.HTTPException) as archived:
        await thread.add_user(discord.Object(club.bob.id))
    assert archived.value.code == 50083


async def test_private_threads_need_create_private_threads(club: Club) -> None:
    deny = discord.Permissions(create_private_threads=True)
    club.rooms.set_overwrite(club.guild.bot_role, deny=deny)
    club.rig.dispatch_channel_update(club.rooms)
    with pytest.raises(discord.Forbidden) as info:
        await club.channel(club.rooms).create_thread(
            name="secret", type=discord.ChannelType.private_thread
        )
    assert info.value.code == 50013
    public = await club.channel(club.rooms).create_thread(
        name="open", type=discord.ChannelType.public_thread
    )
    assert club.rig.can_see_thread(club.bob, club.rig.channels[public.id])


async def test_removing_others_from_a_public_thread_needs_manage_threads(club: Club) -> None:
    rig, role = club.rig, club.guild.bot_role
    public = await club.channel(club.rooms).create_thread(
        name="open", type=discord.ChannelType.public_thread
    )
    await public.add_user(discord.Object(club.alice.id))
    role.permissions &= ~discord.Permissions(manage_threads=True).value
    rig.dispatch_role_update(role)
    with pytest.raises(discord.Forbidden):
        await public.remove_user(discord.Object(club.alice.id))
    assert club.alice.id in rig.channels[public.id].member_ids


# --- AutoMod -----------------------------------------------------------------------------------


async def _guard(club: Club, keywords: list[str], **kw: Any) -> discord.AutoModRule:
    return await club.dguild.create_automod_rule(
        name="Spoiler guard",
        event_type=discord.AutoModRuleEventType.message_send,
        trigger=discord.AutoModTrigger(
            type=discord.AutoModRuleTriggerType.keyword, keyword_filter=keywords
        ),
        actions=[discord.AutoModRuleAction(custom_message="Post that in the checkpoint room")],
        enabled=True,
        **kw,
    )


async def test_an_automod_keyword_rule_blocks_words_outside_exempt_channels(club: Club) -> None:
    rig, bot = club.rig, club.bot
    rooms_thread = await club.channel(club.rooms).create_thread(
        name="Dune — up to Part One", type=discord.ChannelType.private_thread
    )
    rule = await _guard(
        club,
        ["gurney", "harkon*", "*atreides", "*spice*", "the baron"],
        exempt_channels=[club.channel(club.rooms)],
    )
    stored = rig.automod_rule(club.guild, "Spoiler guard")
    assert stored.keywords == ["gurney", "harkon*", "*atreides", "*spice*", "the baron"]
    assert stored.exempt_channels == [club.rooms.id] and stored.creator_id == rig.bot_user.id
    general = club.general
    blocked = {
        "Gurney dies!": True,  # whole word, any case
        "gurneys": False,  # whole word only
        "Harkonnens everywhere": True,  # prefix
        "the harkon": True,
        "naharkon": False,
        "House Atreides": True,  # suffix
        "atreidesly": False,
        "a spicey tale": True,  # anywhere
        "THE BARON falls": True,  # a phrase
        "the baronet": False,
        "nothing to see": False,
    }
    for text, expected in blocked.items():
        assert rig.automod_blocks(general, text) is expected, text
    assert not rig.automod_blocks(club.rooms, "Gurney dies!")  # the exempt channel
    assert not rig.automod_blocks(rooms_thread.id, "Gurney dies!")  # and its threads
    assert not rig.automod_blocks(general, "Gurney dies!", club.guild.owner)  # Manage Server
    match = rig.automod_match(general, "so, gurney...", club.alice)
    assert match is not None and match.keyword == "gurney"
    assert match.custom_message == "Post that in the checkpoint room"
    with pytest.raises(AutoModBlocked):
        await rig.post_user_message(general, club.alice, "Gurney dies!")
    assert not [m for m in rig.channel_messages(general) if "Gurney" in m.content]
    await rig.post_user_message(club.rooms, club.alice, "Gurney dies!")

    spoilers = club.guild.add_role("Finished")
    await rule.edit(exempt_roles=[discord.Object(spoilers.id)])
    club.guild.give_role(club.bob, spoilers)
    assert not rig.automod_blocks(general, "Gurney dies!", club.bob)
    assert rig.automod_blocks(general, "Gurney dies!", club.alice)
    await rule.edit(enabled=False)
    assert not rig.automod_blocks(general, "Gurney dies!")
    fetched = await club.dguild.fetch_automod_rules()
    assert [r.name for r in fetched] == ["Spoiler guard"] and not fetched[0].enabled
    await rule.delete()
    assert club.guild.automod_rules == {}
    await rig.sync()
    assert [n for n in bot.names() if n.startswith("rule_")] == [
        "rule_create",
        "rule_update",
        "rule_update",
        "rule_delete",
    ]


async def test_automod_limits_are_checked_as_discord_does(club: Club) -> None:
    for keywords, field in (
        (["x" * 61], "keyword_filter"),
        ([f"w{i}" for i in range(1001)], "keyword_filter"),
    ):
        with pytest.raises(discord.HTTPException) as info:
            await _guard(club, keywords)
        assert info.value.code == 50035 and field in _form_errors(club.rig)
    with pytest.raises(discord.HTTPException) as long_message:
        await club.dguild.create_automod_rule(
            name="Guard",
            event_type=discord.AutoModRuleEventType.message_send,
            trigger=discord.AutoModTrigger(
                type=discord.AutoModRuleTriggerType.keyword, keyword_filter=["a"]
            ),
            actions=[discord.AutoModRuleAction(custom_message="m" * 151)],
        )
    assert long_message.value.code == 50035 and "custom_message" in _form_errors(club.rig)
    rule = await _guard(club, ["y" * 60] + [f"w{i}" for i in range(999)])
    assert len(club.rig.automod_rule(club.guild, "Spoiler guard").keywords) == 1000
    await rule.delete()


async def test_automod_needs_manage_server(club: Club) -> None:
    role = club.guild.bot_role
    role.permissions &= ~discord.Permissions(manage_guild=True).value
    club.rig.dispatch_role_update(role)
    with pytest.raises(discord.Forbidden) as info:
        await _guard(club, ["gurney"])
    assert info.value.code == 50013
    with pytest.raises(discord.Forbidden):
        await club.dguild.fetch_automod_rules()


# --- DMs -----------------------------------------------------------------------------------------


async def test_a_member_with_closed_dms_cannot_be_messaged(club: Club) -> None:
    rig = club.rig
    rig.set_dms_open(club.alice, False)
    user = await club.bot.fetch_user(club.alice.id)
    dm = await user.create_dm()  # opening the DM channel still works
    with pytest.raises(discord.Forbidden) as info:
        await dm.send("You are two days behind")
    assert info.value.code == 50007 and info.value.status == 403
    assert rig.channel_messages(rig.dm_channel(club.alice.user)) == []
    rig.set_dms_open(club.alice)
    await dm.send("You are two days behind")
    [message] = rig.channel_messages(rig.dm_channel(club.alice.user))
    assert message.content == "You are two days behind"
