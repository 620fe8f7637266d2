"""The application-command tree with the error chain: domain errors → ephemeral replies."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import UserError, new_error_code

if TYPE_CHECKING:
    pass

log = logging.getLogger("bot.errors")

ERROR_COLOUR = discord.Colour.red()


def _unwrap(error: BaseException) -> BaseException:
    """The exception worth reporting: the original of an invoke error, a transformer's cause."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, UserError):
        error = error.__cause__
    return error


def _describe_check_failure(error: app_commands.AppCommandError) -> str | None:
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission to use this."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {needed} permission in this channel to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works inside a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little — try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"{error.value!r} is not a valid value for this option."
    if isinstance(error, app_commands.CheckFailure):
        return "You are not allowed to use this command here."
    return None


async def send_ephemeral(interaction: discord.Interaction[Any], embed: discord.Embed) -> None:
    """Reply ephemerally whether or not the interaction was already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


def interaction_context(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command.qualified_name if interaction.command else None
    if command is None and interaction.data is not None:
        command = str(interaction.data.get("custom_id") or interaction.data.get("name") or "?")
    return f"guild={interaction.guild_id} user={interaction.user.id} command={command}"


async def handle_interaction_error(
    interaction: discord.Interaction[Any], error: BaseException
) -> None:
    """One place that turns an exception from a command, button, select or modal into a reply."""
    cause = _unwrap(error)
    if isinstance(cause, UserError):
        log.info("%s user error: %s", interaction_context(interaction), cause.message)
        embed = discord.Embed(title=cause.title, description=cause.message, colour=ERROR_COLOUR)
        await send_ephemeral(interaction, embed)
        return
    if isinstance(cause, app_commands.AppCommandError):
        text = _describe_check_failure(cause)
        if text is not None:
            log.info("%s refused: %s", interaction_context(interaction), type(cause).__name__)
            embed = discord.Embed(title="Not allowed", description=text, colour=ERROR_COLOUR)
            await send_ephemeral(interaction, embed)
            return
    code = new_error_code()
    log.error("%s unexpected error code=%s", interaction_context(interaction), code, exc_info=cause)
    embed = discord.Embed(
        title="Sorry, something went wrong",
        description=(
            "That did not work because of a problem on our side, not yours. "
            f"If it keeps happening, tell the server admins the error code `{code}`."
        ),
        colour=ERROR_COLOUR,
    )
    await send_ephemeral(interaction, embed)


class MarginaliaTree(app_commands.CommandTree[Any]):
    """A command tree whose errors become friendly ephemeral replies (and logs)."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # name the task after the command, so a shutdown that has to cancel it says which
        # (the name keeps discord.py's prefix, by which MarginaliaBot.close finds it)
        task = asyncio.current_task()
        if task is not None and task.get_name() == "CommandTree-invoker":
            task.set_name(f"CommandTree-invoker ({interaction_context(interaction)})")
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await handle_interaction_error(interaction, error)
