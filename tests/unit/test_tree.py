"""The command tree's error chain (bot/tree.py): what a member is told, and what is logged.

A member's mistake (``UserError``) is shown as it is; a refused check says what is missing;
anything else is "Sorry, something went wrong" with an error code that is also logged,
with the exception, for the host. The reply is always ephemeral, as a first answer or a
follow-up, and a reply Discord refuses is logged, not raised.
"""

from __future__ import annotations

import asyncio
import logging
import re
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.errors import NotFound, UserError
from bot.render._kit import OwnerView
from bot.tree import (
    ERROR_COLOUR,
    MarginaliaTree,
    handle_interaction_error,
    interaction_context,
    send_ephemeral,
)

CODE = re.compile(r"error code `([0-9A-F]{8})`")


@app_commands.command(name="rate", description="Rate a book")
async def rate(interaction: discord.Interaction[Any]) -> None:
    """A command for errors to come from."""


class StarsTransformer(app_commands.Transformer):
    async def transform(self, interaction: discord.Interaction[Any], value: Any) -> Any:
        return value


class FakeResponse:
    def __init__(self, *, done: bool = False, refuse: bool = False) -> None:
        self.done = done
        self.refuse = refuse
        self.sent: list[tuple[discord.Embed, bool]] = []

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, *, embed: discord.Embed, ephemeral: bool) -> None:
        if self.refuse:
            raise discord.HTTPException(SimpleNamespace(status=404, reason="Not Found"), "gone")
        self.sent.append((embed, ephemeral))
        self.done = True


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[tuple[discord.Embed, bool]] = []

    async def send(self, *, embed: discord.Embed, ephemeral: bool) -> None:
        self.sent.append((embed, ephemeral))


class FakeInteraction:
    """The parts of discord.Interaction the error chain uses."""

    def __init__(self, *, answered: bool = False, refuse: bool = False) -> None:
        self.id = 9001
        self.guild_id = 1
        self.user = SimpleNamespace(id=101)
        self.command: Any = rate
        self.data: dict[str, Any] | None = {"name": "rate"}
        self.response = FakeResponse(done=answered, refuse=refuse)
        self.followup = FakeFollowup()

    def replies(self) -> list[tuple[discord.Embed, bool]]:
        return self.response.sent + self.followup.sent

    def only_reply(self) -> discord.Embed:
        [(embed, ephemeral)] = self.replies()
        assert ephemeral
        assert embed.colour == ERROR_COLOUR
        return embed


def _as_interaction(fake: FakeInteraction) -> discord.Interaction[Any]:
    return fake  # type: ignore[return-value]


async def _handle(error: BaseException, **fake: bool) -> FakeInteraction:
    interaction = FakeInteraction(**fake)
    await handle_interaction_error(_as_interaction(interaction), error)
    return interaction


# --- a member's mistake ---------------------------------------------------------------------


async def test_a_user_error_is_shown_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.errors")
    embed = (await _handle(NotFound("No book called “Dnue” here."))).only_reply()
    assert embed.title == "Not found"
    assert embed.description == "No book called “Dnue” here."
    assert [r.levelno for r in caplog.records] == [logging.INFO]


async def test_a_user_error_inside_an_invoke_error_is_unwrapped() -> None:
    error = app_commands.CommandInvokeError(rate, UserError("Pick a book first."))
    embed = (await _handle(error)).only_reply()
    assert embed.title == UserError.title and embed.description == "Pick a book first."


async def test_a_user_error_behind_a_transformer_is_unwrapped() -> None:
    error = app_commands.TransformerError(
        "7", discord.AppCommandOptionType.string, StarsTransformer()
    )
    error.__cause__ = UserError("Stars go from 0.5 to 5.")
    assert (await _handle(error)).only_reply().description == "Stars go from 0.5 to 5."


# --- refused checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            app_commands.MissingPermissions(["manage_guild"]),
            "You need the Manage Guild permission to use this.",
        ),
        (
            app_commands.BotMissingPermissions(["send_messages", "embed_links"]),
            "I need the Send Messages, Embed Links permission in this channel to do that.",
        ),
        (app_commands.NoPrivateMessage(), "This command only works inside a server."),
        (
            app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10.0), 4.2),
            "Slow down a little — try again in 4 s.",
        ),
        (
            app_commands.TransformerError(
                "six", discord.AppCommandOptionType.string, StarsTransformer()
            ),
            "'six' is not a valid value for this option.",
        ),
        (app_commands.CheckFailure(), "You are not allowed to use this command here."),
    ],
    ids=["member-permissions", "bot-permissions", "dm", "cooldown", "transformer", "check"],
)
async def test_a_refused_check_says_what_is_missing(
    error: app_commands.AppCommandError, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.errors")
    embed = (await _handle(error)).only_reply()
    assert embed.title == "Not allowed"
    assert embed.description == text
    assert all(r.levelno == logging.INFO for r in caplog.records)


# --- anything else --------------------------------------------------------------------------


async def test_an_unexpected_error_gets_a_code_that_is_logged_with_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    boom = RuntimeError("SELECT secret FROM tokens")
    embed = (await _handle(app_commands.CommandInvokeError(rate, boom))).only_reply()
    assert embed.title == "Sorry, something went wrong"
    match = CODE.search(embed.description or "")
    assert match is not None
    assert "SELECT" not in (embed.description or "")  # the details stay in the log
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert match.group(1) in record.getMessage()
    assert "command=rate" in record.getMessage() and "user=101" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is boom


async def test_each_unexpected_error_gets_its_own_code() -> None:
    first = (await _handle(RuntimeError("a"))).only_reply().description or ""
    second = (await _handle(RuntimeError("b"))).only_reply().description or ""
    assert CODE.findall(first) != CODE.findall(second)


# --- how the reply is sent ------------------------------------------------------------------


async def test_an_answered_interaction_gets_a_follow_up() -> None:
    interaction = await _handle(UserError("Too late."), answered=True)
    assert interaction.response.sent == []
    assert interaction.only_reply().description == "Too late."


async def test_a_refused_reply_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    interaction = FakeInteraction(refuse=True)
    await send_ephemeral(_as_interaction(interaction), discord.Embed(title="x"))
    assert interaction.replies() == []
    assert any("could not deliver" in r.getMessage() for r in caplog.records)


def test_the_context_names_the_command_or_the_component() -> None:
    interaction = FakeInteraction()
    assert interaction_context(_as_interaction(interaction)) == "guild=1 user=101 command=rate"
    interaction.command = None
    interaction.data = {"custom_id": "review:like:7"}
    assert interaction_context(_as_interaction(interaction)).endswith("command=review:like:7")
    interaction.data = None
    assert interaction_context(_as_interaction(interaction)).endswith("command=None")


# --- the tree and views use the chain -------------------------------------------------------


@pytest.fixture
def tree() -> MarginaliaTree:
    return MarginaliaTree(discord.Client(intents=discord.Intents.none()))


async def test_the_tree_sends_command_errors_through_the_chain(tree: MarginaliaTree) -> None:
    interaction = FakeInteraction()
    error = app_commands.CommandInvokeError(rate, UserError("Nope."))
    await tree.on_error(_as_interaction(interaction), error)
    assert interaction.only_reply().description == "Nope."


async def test_views_and_modals_send_errors_through_the_chain() -> None:
    interaction = FakeInteraction()
    view = OwnerView(owner_id=101)
    await view.on_error(_as_interaction(interaction), UserError("Not yours."), discord.ui.Button())
    assert interaction.only_reply().description == "Not yours."


async def test_the_invoking_task_is_named_after_the_command(tree: MarginaliaTree) -> None:
    async def invoke() -> str:
        assert await tree.interaction_check(_as_interaction(FakeInteraction()))
        task = asyncio.current_task()
        assert task is not None
        return task.get_name()

    named = await asyncio.create_task(invoke(), name="CommandTree-invoker")
    assert named == "CommandTree-invoker (guild=1 user=101 command=rate)"
    other = await asyncio.create_task(invoke(), name="something else")
    assert other == "something else"
