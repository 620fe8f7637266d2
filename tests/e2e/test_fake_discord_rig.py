"""Tests of the local Discord rig itself, with a small AutoShardedBot defined here.

The bot points discord.py at the rig the way the app does (``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY`` set before login), so these tests exercise the same
path as the app's e2e tests.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import discord.gateway
import discord.http
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from fake_discord import (
    MODERATOR_PERMISSIONS,
    BotCrashed,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    Upload,
    errors,
    running_bot,
)

BOOKS = ["Dune", "Dune Messiah", "Sabriel", "Invisible Cities", "The Left Hand of Darkness"]


class Feedback(discord.ui.Modal, title="Feedback"):
    """One classic text input (wrapped in an action row) and one inside a Label (type 18)."""

    headline: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Headline", custom_id="headline", required=False, default="untitled"
    )
    body: discord.ui.Label[Feedback] = discord.ui.Label(
        text="Review",
        component=discord.ui.TextInput(custom_id="body", style=discord.TextStyle.long),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        body = self.body.component
        assert isinstance(body, discord.ui.TextInput)
        await interaction.response.send_message(f"headline={self.headline.value} body={body.value}")


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Like", custom_id="vote:like")
    async def like(
        self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]
    ) -> None:
        await interaction.response.send_message(f"liked by {interaction.user.name}", ephemeral=True)

    @discord.ui.button(label="Review", custom_id="vote:modal")
    async def review(
        self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]
    ) -> None:
        await interaction.response.send_modal(Feedback())

    @discord.ui.select(
        custom_id="vote:pick",
        max_values=2,
        options=[discord.SelectOption(label=b, value=b) for b in BOOKS[:3]],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[VoteView]
    ) -> None:
        await interaction.response.edit_message(content=f"picked {', '.join(select.values)}")


class Book(app_commands.Group):
    """Books."""

    @app_commands.command(description="Search books")
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        await interaction.response.send_message(f"searching {query}")

    @search.autocomplete("query")
    async def search_query(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=b, value=b) for b in BOOKS if current.lower() in b.lower()]

    @app_commands.command(description="Add a book")
    async def add(
        self,
        interaction: discord.Interaction,
        title: str,
        author: str,
        pages: app_commands.Range[int, 1, 5000] | None = None,
        cover: discord.Attachment | None = None,
    ) -> None:
        size = len(await cover.read()) if cover else 0
        await interaction.response.send_message(f"{title} by {author}, {pages} pages, cover {size}")


class Club(app_commands.Group):
    """Club reads."""

    schedule = app_commands.Group(name="schedule", description="Checkpoints")

    @schedule.command(name="add", description="Add a checkpoint")
    async def schedule_add(
        self, interaction: discord.Interaction, label: str, until_page: int
    ) -> None:
        await interaction.response.send_message(f"checkpoint {label} p{until_page}")


class RigCog(commands.Cog):
    def __init__(self, bot: RigBot) -> None:
        self.bot = bot

    @app_commands.command(description="Echo text")
    async def echo(
        self,
        interaction: discord.Interaction,
        text: str,
        times: app_commands.Range[int, 1, 5] = 1,
        shout: bool = False,
        ratio: float | None = None,
        member: discord.Member | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        out = " ".join([text.upper() if shout else text] * times)
        extras = [f"ratio={ratio}" if ratio is not None else ""]
        extras.append(f"member={member.name}" if member else "")
        extras.append(f"channel={channel.name}" if channel else "")
        await interaction.response.send_message(" ".join([out, *filter(None, extras)]))

    @app_commands.command(description="A secret")
    async def whisper(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)

    @app_commands.command(description="Slow work")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="slow done")
        await interaction.followup.send("extra", ephemeral=True)

    @app_commands.command(description="Deferred then followed up")
    async def later(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("later result")

    @app_commands.command(description="Every webhook route of an interaction")
    async def lifecycle(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        original = await interaction.original_response()
        follow = await interaction.followup.send("f1", wait=True)
        await follow.edit(
            content="f1 edited", attachments=[discord.File(io.BytesIO(b"v2"), "v2.txt")]
        )
        await interaction.delete_original_response()
        await interaction.followup.send(f"done {original.id}")

    @app_commands.command(description="Vote")
    async def vote(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Vote!", view=VoteView())

    @app_commands.command(description="Open the feedback modal")
    async def feedback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @app_commands.command(description="Files")
    async def report(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "report", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "report.csv")
        )
        await interaction.followup.send(file=discord.File(io.BytesIO(b"notes"), "notes.txt"))

    @app_commands.command(description="Inspect an attachment")
    async def inspect(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(f"{file.filename} {len(data)} {data.decode()}")

    @app_commands.command(description="Post with a button and a thread")
    async def post(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        message = await channel.send("Posted", view=VoteView())
        thread = await message.create_thread(name="Discuss")
        await thread.send("first in thread")
        private = await channel.create_thread(
            name="secret", type=discord.ChannelType.private_thread
        )
        await interaction.response.send_message(f"{message.id} {thread.id} {private.id}")

    @app_commands.command(description="Announce")
    async def announce(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        try:
            await channel.send("Announcement", allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden as exc:
            await interaction.response.send_message(
                f"forbidden {exc.status} {exc.code}", ephemeral=True
            )
        else:
            await interaction.response.send_message("announced", ephemeral=True)

    @app_commands.command(description="Moderators only")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def purge(self, interaction: discord.Interaction) -> None:
        assert isinstance(interaction.user, discord.Member)
        roles = [r.name for r in interaction.user.roles[1:]]
        await interaction.response.send_message(f"purged by {roles}", ephemeral=True)

    @app_commands.command(description="DM me")
    async def dm(self, interaction: discord.Interaction) -> None:
        await interaction.user.send("hello in DM")
        await interaction.response.send_message("sent", ephemeral=True)


class RigBot(commands.AutoShardedBot):
    """A small bot configured like the app: it aims discord.py at the configured
    REST base and gateway before logging in."""

    def __init__(self, rig: FakeDiscord, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
        )
        self.api_base = rig.api_base
        self.gateway_url = rig.gateway_url
        self.joined: list[int] = []
        self.removed: list[int] = []

    async def login(self, token: str) -> None:
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        await super().login(token)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s between IDENTIFYs otherwise

    async def setup_hook(self) -> None:
        self.tree.add_command(Book())
        self.tree.add_command(Club())
        self.tree.on_error = self.on_tree_error  # type: ignore[method-assign]
        await self.add_cog(RigCog(self))
        await self.tree.sync()

    async def on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            await interaction.response.send_message("not allowed", ephemeral=True)
        else:
            raise error

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.joined.append(guild.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.removed.append(guild.id)


@dataclass
class World:
    rig: FakeDiscord
    bot: RigBot
    guild: FakeGuild
    general: FakeChannel
    reviews: FakeChannel
    mod: FakeMember
    alice: FakeMember


@pytest.fixture
async def world(fake_discord: FakeDiscord) -> AsyncIterator[World]:
    guild = fake_discord.add_guild("Book Club", channels=["general", "reviews"])
    moderators = guild.add_role("Moderator", MODERATOR_PERMISSIONS)
    mod = guild.add_member("mia", roles=[moderators])
    alice = guild.add_member("alice")
    async with running_bot(RigBot, fake_discord) as bot:
        yield World(
            fake_discord, bot, guild, guild.channel("general"), guild.channel("reviews"), mod, alice
        )


# --- connecting ------------------------------------------------------------------------------


async def test_login_ready_and_guild_create_for_two_guilds_on_two_shards() -> None:
    async with FakeDiscord(shard_count=2) as rig:
        first = rig.add_guild("First", members=["a", "b"])
        second = rig.add_guild("Second")
        async with running_bot(RigBot, rig) as bot:
            assert bot.user is not None and bot.user.id == rig.bot_user.id
            assert bot.application_id == rig.application_id
            assert sorted(g.id for g in bot.guilds) == sorted([first.id, second.id])
            assert bot.shard_count == 2
            assert sorted(i["shard"][0] for i in rig.identifies) == [0, 1]
            cached = bot.get_guild(first.id)
            assert cached is not None
            assert [cached.shard_id, bot.get_guild(second.id).shard_id] == [0, 1]  # type: ignore[union-attr]
            assert cached.member_count == 4 == len(first.members)
            assert {c.name for c in cached.text_channels} == {"general"}
            assert cached.owner_id == first.owner_id
        assert [r.path for r in rig.requests[:3]] == [
            "/users/@me",
            "/oauth2/applications/@me",
            "/applications/" + str(rig.application_id) + "/commands",
        ]
        assert rig.requests_to("GET", "/gateway/bot")
        assert discord.http.Route.BASE == "https://discord.com/api/v10"  # restored


async def test_command_sync_is_recorded_with_ids(world: World) -> None:
    rig = world.rig
    assert len(rig.command_syncs) == 1
    sync = rig.command_syncs[0]
    assert sync.guild_id is None
    assert {"book", "club", "echo", "vote", "feedback"} <= set(sync.names)
    assert all(c["id"].isdigit() for c in sync.commands)
    fetched = await world.bot.tree.fetch_commands()
    assert sorted(c.name for c in fetched) == sync.names
    # a second sync keeps the ids, and is counted
    again = await world.bot.tree.sync()
    assert len(rig.command_syncs) == 2
    assert {c.id for c in again} == {int(c["id"]) for c in sync.commands}
    guild_sync = await world.bot.tree.sync(guild=discord.Object(world.guild.id))
    assert guild_sync == [] and rig.command_syncs[-1].guild_id == world.guild.id


async def test_reconnect_resumes_the_session(world: World) -> None:
    await world.rig.reconnect()
    assert len(world.rig.resumes) == 1
    result = await world.rig.slash(world.guild, world.alice, "whisper")
    assert result.content == "psst"


async def test_guild_join_and_removal_reach_the_bot(world: World) -> None:
    rig, bot = world.rig, world.bot
    late = rig.add_guild("Late Club")
    await rig.sync()
    assert bot.get_guild(late.id) is not None
    rig.remove_bot_from_guild(late)
    await rig.sync()
    assert bot.get_guild(late.id) is None
    await rig.wait_until(lambda: bot.removed == [late.id], what="on_guild_remove")
    assert bot.joined == [late.id]


# --- slash commands ----------------------------------------------------------------------------


async def test_slash_with_typed_options_gets_a_reply(world: World) -> None:
    result = await world.rig.slash(
        world.guild,
        world.alice,
        "echo",
        {
            "text": "hi",
            "times": 2,
            "shout": True,
            "ratio": 0.5,
            "member": world.mod,
            "channel": world.reviews,
        },
    )
    assert result.callback_type == 4
    assert result.content == "HI HI ratio=0.5 member=mia channel=reviews"
    assert not result.ephemeral
    options = {o["name"]: o for o in result.payload["data"]["options"]}
    assert options["times"] == {"name": "times", "type": 4, "value": 2}
    assert options["member"]["value"] == str(world.mod.id)
    assert str(world.mod.id) in result.payload["data"]["resolved"]["members"]
    message = result.message
    assert message.type == 20 and message.interaction_metadata is not None
    assert world.rig.channel_messages(world.general) == [message]


async def test_slash_option_values_are_checked_against_the_synced_command(world: World) -> None:
    with pytest.raises(ValueError, match="above max_value"):
        await world.rig.slash(world.guild, world.alice, "echo", {"text": "x", "times": 9})
    with pytest.raises(ValueError, match="unknown options"):
        await world.rig.slash(world.guild, world.alice, "echo", {"txt": "x"})
    with pytest.raises(LookupError, match="not synced"):
        await world.rig.slash(world.guild, world.alice, "nope")


async def test_subcommands_and_groups(world: World) -> None:
    rig = world.rig
    found = await rig.slash(world.guild, world.alice, "book search", {"query": "Dune"})
    assert found.content == "searching Dune"
    added = await rig.slash(
        world.guild, world.alice, "book", {"title": "Sabriel", "author": "Nix"}, subcommand="add"
    )
    assert added.content == "Sabriel by Nix, None pages, cover 0"
    checkpoint = await rig.slash(
        world.guild,
        world.alice,
        "club",
        {"label": "Part One", "until_page": 110},
        group="schedule",
        subcommand="add",
    )
    assert checkpoint.content == "checkpoint Part One p110"
    outer = checkpoint.payload["data"]["options"][0]
    assert outer["type"] == 2 and outer["options"][0]["type"] == 1


async def test_ephemeral_reply_is_flagged(world: World) -> None:
    result = await world.rig.slash(world.guild, world.alice, "whisper")
    assert result.ephemeral and result.flags & 64
    assert result.message.ephemeral


async def test_deferred_response_edit_and_followup(world: World) -> None:
    result = await world.rig.slash(world.guild, world.alice, "slow")
    assert result.callback_type == 5
    edit = await result.wait_edit()
    assert edit.content == "slow done" and not result.message.loading
    extra = await result.wait_followup()
    assert extra.content == "extra" and extra.ephemeral
    assert extra.id != result.message.id
    assert (await result.wait_reply()).content == "slow done"


async def test_first_followup_after_thinking_replaces_the_loading_message(world: World) -> None:
    result = await world.rig.slash(world.guild, world.alice, "later")
    assert result.ephemeral  # the deferral said so
    followup = await result.wait_followup()
    assert followup is result.message and followup.content == "later result"
    assert followup.ephemeral and not followup.loading


async def test_original_and_followup_edits_and_deletes(world: World) -> None:
    result = await world.rig.slash(world.guild, world.alice, "lifecycle")
    first = await result.wait_followup()
    done = await result.wait_followup()
    assert done.content == f"done {result.message.id}"
    assert result.message.deleted and result.message.content == "first"
    assert first.content == "f1 edited" and [a.text for a in first.attachments] == ["v2"]
    [edit] = result.followup_edits
    assert edit.message is first and edit.files[0].filename == "v2.txt"
    assert world.rig.channel_messages(world.general) == [first, done]


async def test_autocomplete_returns_choices(world: World) -> None:
    choices = await world.rig.autocomplete(world.guild, world.alice, "book search", "query", "dun")
    assert [c["name"] for c in choices] == ["Dune", "Dune Messiah"]


async def test_permissions_come_from_roles(world: World) -> None:
    allowed = await world.rig.slash(world.guild, world.mod, "purge")
    assert allowed.content == "purged by ['Moderator']"
    denied = await world.rig.slash(world.guild, world.alice, "purge")
    assert denied.content == "not allowed"
    owner = await world.rig.slash(world.guild, world.guild.owner, "purge")
    assert owner.content == "purged by []"


async def test_interaction_permissions_are_those_in_the_channel(world: World) -> None:
    """As on Discord: the invoking member's ``permissions``, each resolved member's and
    ``app_permissions`` are the permissions in the interaction's channel (overwrites
    applied); the member's roles come along, for server-wide permissions."""
    manage = discord.Permissions(manage_messages=True)
    world.reviews.set_overwrite(world.alice, allow=manage)
    world.reviews.set_overwrite(world.mod, deny=discord.Permissions(send_messages=True))
    world.reviews.set_overwrite(
        world.guild.bot_role, deny=discord.Permissions(create_public_threads=True)
    )
    world.rig.dispatch_channel_update(world.reviews)
    await world.rig.sync()
    for channel in (world.reviews, world.general):
        result = await world.rig.slash(
            world.guild, world.alice, "echo", {"text": "x", "member": world.mod}, channel=channel
        )
        payload = result.payload
        member = payload["member"]
        assert member["roles"] == []
        in_channel = world.guild.permissions_for(world.alice, channel)
        assert int(member["permissions"]) == in_channel
        assert bool(in_channel & manage.value) is (channel is world.reviews)
        [resolved] = payload["data"]["resolved"]["members"].values()
        assert int(resolved["permissions"]) == world.guild.permissions_for(world.mod, channel)
        assert resolved["roles"] == [str(r) for r in world.mod.role_ids]
        app = discord.Permissions(int(payload["app_permissions"]))
        assert app.create_public_threads is (channel is world.general)


# --- components and modals ---------------------------------------------------------------------


async def test_button_click_reaches_the_view(world: World) -> None:
    vote = await world.rig.slash(world.guild, world.alice, "vote")
    assert vote.message.custom_ids == ["vote:like", "vote:modal", "vote:pick"]
    click = await world.rig.click(vote, "vote:like", world.mod)
    assert click.content == "liked by mia" and click.ephemeral
    assert click.payload["data"] == {"custom_id": "vote:like", "component_type": 2}


async def test_select_updates_the_message(world: World) -> None:
    vote = await world.rig.slash(world.guild, world.alice, "vote")
    picked = await world.rig.select(vote, "vote:pick", ["Dune", "Sabriel"], world.alice)
    assert picked.callback_type == 7
    assert vote.message.content == "picked Dune, Sabriel"
    assert picked.message is vote.message
    with pytest.raises(ValueError, match="not options"):
        await world.rig.select(vote, "vote:pick", ["Nope"], world.alice)


async def test_modal_opened_and_submitted(world: World) -> None:
    opened = await world.rig.slash(world.guild, world.alice, "feedback")
    assert opened.callback_type == 9 and opened.modal is not None
    assert opened.modal.title == "Feedback"
    assert opened.modal.input_ids == ["headline", "body"]
    assert [c["type"] for c in opened.modal.components] == [1, 18]
    submitted = await opened.submit_modal({"body": "Loved it"})
    assert submitted.content == "headline=untitled body=Loved it"
    with pytest.raises(ValueError, match="required"):
        await world.rig.submit_modal(
            (await world.rig.slash(world.guild, world.alice, "feedback")).modal,  # type: ignore[arg-type]
            {"headline": "x"},
        )


async def test_modal_opened_from_a_button(world: World) -> None:
    vote = await world.rig.slash(world.guild, world.alice, "vote")
    opened = await world.rig.click(vote, "vote:modal", world.mod)
    assert opened.modal is not None
    submitted = await world.rig.submit_modal(opened.modal.custom_id, {"body": "b", "headline": "h"})
    assert submitted.content == "headline=h body=b"
    assert submitted.payload["message"]["id"] == str(vote.message.id)
    assert submitted.user is world.mod.user


# --- files, messages, threads, errors -----------------------------------------------------------


async def test_files_sent_by_the_bot_are_captured(world: World) -> None:
    result = await world.rig.slash(world.guild, world.alice, "report")
    assert result.content == "report"
    [csv] = result.attachments
    assert (csv.filename, csv.data) == ("report.csv", b"a,b\n1,2\n")
    assert csv.content_type == "text/csv; charset=utf-8"
    assert result.callback is not None and result.callback.files[0].data == b"a,b\n1,2\n"
    notes = await result.wait_followup()
    assert notes.attachments[0].text == "notes"
    followup_request = world.rig.requests_to("POST", "/webhooks/{application_id}/{token}")[0]
    assert followup_request.multipart and followup_request.files[0].filename == "notes.txt"


async def test_attachment_options_are_served_over_http(world: World) -> None:
    upload = Upload("shelf.csv", b"title\nDune\n")
    result = await world.rig.slash(world.guild, world.alice, "inspect", {"file": upload})
    assert result.content == "shelf.csv 11 title\nDune\n"
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": "Dune", "author": "Herbert", "pages": 412, "cover": Upload("c.png", b"\x89PNG")},
    )
    assert added.content == "Dune by Herbert, 412 pages, cover 4"


async def test_channel_message_button_and_threads(world: World) -> None:
    rig = world.rig
    result = await rig.slash(world.guild, world.alice, "post", {"channel": world.reviews})
    message_id, thread_id, private_id = map(int, result.content.split())
    posted = await rig.wait_for_message(world.reviews, lambda m: m.content == "Posted")
    assert posted.id == message_id and posted.thread_id == thread_id == message_id
    thread = rig.channels[thread_id]
    assert thread.type == 11 and thread.parent_id == world.reviews.id
    assert [m.content for m in rig.channel_messages(thread)] == ["first in thread"]
    assert rig.channels[private_id].type == 12
    assert rig.requests_to("POST", "/channels/{channel_id}/threads")
    click = await rig.click(posted, "vote:like", world.alice)
    assert click.content == "liked by alice"


async def test_injected_403_reaches_the_bot_as_forbidden(world: World) -> None:
    rig = world.rig
    rule = rig.fail("POST", "/channels/{channel_id}/messages", errors.MISSING_PERMISSIONS)
    result = await rig.slash(world.guild, world.alice, "announce", {"channel": world.reviews})
    assert result.content == "forbidden 403 50013"
    assert rule.hits == 1 and rule.exhausted
    assert rig.requests[-2].injected and rig.requests[-2].response["code"] == 50013
    again = await rig.slash(world.guild, world.alice, "announce", {"channel": world.reviews})
    assert again.content == "announced"
    sent = rig.requests_to("POST", f"/channels/{world.reviews.id}/messages")[-1]
    assert sent.json["allowed_mentions"] == {"parse": []}


async def test_channel_overwrites_deny_the_bot(world: World) -> None:
    rig = world.rig
    world.reviews.set_overwrite(world.guild.bot_role, deny=discord.Permissions(send_messages=True))
    rig.dispatch_channel_update(world.reviews)
    result = await rig.slash(world.guild, world.alice, "announce", {"channel": world.reviews})
    assert result.content == "forbidden 403 50013"


async def test_rate_limits_are_retried_and_5xx_surface(world: World) -> None:
    rig = world.rig
    rule = rig.fail("POST", "/channels/*/messages", errors.rate_limited(0.01))
    result = await rig.slash(world.guild, world.alice, "announce", {"channel": world.reviews})
    assert result.content == "announced" and rule.hits == 1
    calls = rig.requests_to("POST", f"/channels/{world.reviews.id}/messages")
    assert [c.status for c in calls] == [429, 200]
    rig.fail("POST", "/channels/*/messages", errors.SERVICE_UNAVAILABLE_NO_RETRY)
    channel = world.bot.get_channel(world.reviews.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("x")


async def test_members_intent_chunks_and_member_events(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild(members=["a", "b"])
    intents = discord.Intents.default()
    intents.members = True

    def factory(rig: FakeDiscord) -> RigBot:
        return RigBot(rig, intents=intents)

    async with running_bot(factory, fake_discord) as bot:
        cached = bot.get_guild(guild.id)
        assert cached is not None and cached.chunked and len(cached.members) == 4
        late = guild.add_member("late")
        await fake_discord.sync()
        assert cached.get_member(late.id) is not None
        assert cached.member_count == 5 == len(guild.members)
        found = await cached.query_members("la")  # REQUEST_GUILD_MEMBERS → GUILD_MEMBERS_CHUNK
        assert [m.id for m in found] == [late.id]
        assert len(await cached.chunk()) == 5


async def test_direct_message(world: World) -> None:
    result = await world.rig.slash(world.guild, world.alice, "dm")
    assert result.content == "sent"
    dm = world.rig.dm_channel(world.alice.user)
    [message] = world.rig.channel_messages(dm)
    assert message.content == "hello in DM"


async def test_slash_in_the_bots_dm(world: World) -> None:
    result = await world.rig.slash(None, world.alice, "whisper")
    assert result.content == "psst"
    assert result.payload["context"] == 1 and "member" not in result.payload
    assert result.channel is world.rig.dm_channel(world.alice.user)


async def test_unknown_routes_fail_the_test(fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild()
    with pytest.raises(AssertionError, match="does not serve: GET /voice/regions"):
        async with running_bot(RigBot, fake_discord) as bot:
            with pytest.raises(discord.NotFound):
                await bot.http.request(discord.http.Route("GET", "/voice/regions"))


# --- the bot dying -----------------------------------------------------------------------------


async def test_bot_death_fails_the_waiting_call(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()
    with pytest.raises(BotCrashed) as info:
        async with running_bot(RigBot, fake_discord):
            # a GUILD_ROLE_CREATE without "role": discord.py's parser raises KeyError
            await fake_discord.dispatch(
                "GUILD_ROLE_CREATE", {"guild_id": str(guild.id)}, guild_id=guild.id
            )
            await fake_discord.slash(guild, guild.owner, "whisper")
    assert isinstance(info.value.__cause__, KeyError)


async def test_bot_death_fails_the_block_even_if_nothing_waits(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()
    with pytest.raises(BotCrashed):
        async with running_bot(RigBot, fake_discord):
            await fake_discord.dispatch(
                "GUILD_ROLE_CREATE", {"guild_id": str(guild.id)}, guild_id=guild.id
            )


async def test_bot_failing_to_start_fails_fast(fake_discord: FakeDiscord) -> None:
    class BadToken(RigBot):
        async def login(self, token: str) -> None:
            await super().login("wrong-token")

    with pytest.raises(BotCrashed) as info:
        async with running_bot(BadToken, fake_discord):
            pass
    assert isinstance(info.value.__cause__, discord.LoginFailure)
