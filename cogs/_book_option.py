"""The shared `book` option: autocomplete and resolution of a typed value, for every cog.

Usage in a command::

    @app_commands.autocomplete(book=book_autocomplete)
    async def rate(self, interaction, book: str, stars: str) -> None:
        async def go(interaction: Interaction, chosen: Book) -> None:
            ...  # reply with `respond(interaction, ...)`: it may be a select-menu interaction,
                 # or one that was deferred while the catalogue was slow
        await with_book(interaction, book, go)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.domain.markdown import inert
from bot.render._kit import OwnerView
from bot.render.books import BookPickView
from bot.services.books import Ambiguous, Resolution, Resolved
from cogs._checks import guild_id_of

# the description of every `book` option (the same words everywhere the option appears)
BOOK_OPTION_HELP = "Start typing a title; pick a suggestion or type an ISBN"

# Discord drops an interaction that is not answered within 3 s; defer well before that.
DEFER_AFTER_S = 2.0

BookHandler = Callable[[discord.Interaction[Any], Book], Awaitable[None]]


async def book_autocomplete(
    interaction: discord.Interaction[MarginaliaBot], current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    choices = await interaction.client.services.books.autocomplete(interaction.guild_id, current)
    return [app_commands.Choice(name=c.name, value=c.value) for c in choices]


async def respond(interaction: discord.Interaction[Any], **kwargs: Any) -> None:
    """Send the reply whether the interaction is fresh or was deferred. An :class:`OwnerView`
    sent with it is told its message, so it can show its buttons disabled when it times out."""
    view = kwargs.get("view")
    if interaction.response.is_done():
        if isinstance(view, OwnerView):
            view.message = await interaction.followup.send(wait=True, **kwargs)
        else:
            await interaction.followup.send(**kwargs)
    else:
        sent = await interaction.response.send_message(**kwargs)
        if isinstance(view, OwnerView) and isinstance(sent.resource, discord.Message):
            view.message = sent.resource


async def with_book(
    interaction: discord.Interaction[MarginaliaBot],
    text: str,
    handler: BookHandler,
    *,
    ephemeral: bool = True,
    defer_if_slow: bool = True,
) -> None:
    """Resolve `text` to a book, asking the member with a select menu when several match.

    If resolving takes long (the catalogue is slow), the interaction is deferred first so
    Discord does not drop it; `handler` must then reply with a follow-up (`respond` does).
    """
    bot = interaction.client
    guild_id = guild_id_of(interaction)
    task: asyncio.Task[Resolution] = asyncio.create_task(bot.services.books.resolve(guild_id, text))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_S)
    if not done and defer_if_slow and not interaction.response.is_done():
        with contextlib.suppress(discord.HTTPException):
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    resolution = await task
    if isinstance(resolution, Resolved):
        await bot.services.books.remember(guild_id, interaction.user.id, resolution.book)
        await handler(interaction, resolution.book)
        return
    assert isinstance(resolution, Ambiguous)

    async def picked(select_interaction: discord.Interaction[Any], book: Book) -> None:
        await bot.services.books.remember(guild_id, select_interaction.user.id, book)
        await handler(select_interaction, book)

    view = BookPickView(resolution.candidates, picked, owner_id=interaction.user.id)
    await respond(
        interaction,
        content=(f"Several books match “{inert(resolution.query, 200)}”. Which one?"),
        view=view,
        ephemeral=True,
    )
