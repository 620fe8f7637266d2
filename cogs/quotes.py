"""/quote add|list|random, the message menu **Save as quote**, and the quotes' buttons.

The Discord glue only: the rules live in :class:`~bot.services.quotes.QuoteService`, the
embeds and the form in :mod:`bot.render.quotes`. The buttons are
:class:`discord.ui.DynamicItem` subclasses whose custom ids carry what they act on
(``quote:like:123``, ``quote:further:<book>:<member>``), registered when the cog loads, so
a Like on a quote posted before a restart still works.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Final, Self

import discord
from discord import app_commands
from discord.ext import commands
from discord.ext.commands.bot import BotBase

from bot.app import MarginaliaBot
from bot.db.quotes import StoredQuote
from bot.domain.book import Book
from bot.domain.progress_gate import MAX_CHAPTER, MAX_PAGE
from bot.domain.quote import NOTE_MAX, TEXT_MAX, parse_position
from bot.domain.text import is_blank
from bot.errors import InvalidInput
from bot.render._kit import PagerView
from bot.render.quotes import (
    QuoteForm,
    further_on_embeds,
    further_on_warning,
    quote_embed,
    quote_list_pages,
    random_embed,
)
from bot.render.reading import member_target
from bot.services.quotes import QuoteContext
from bot.tree import handle_interaction_error
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of

COG_NAME: Final = "Quotes"
NO_MENTIONS = discord.AllowedMentions.none()
Interaction = discord.Interaction[Any]
_ID = r"[0-9]{1,20}"


# --- the buttons ------------------------------------------------------------------------------


async def _dispatch(interaction: Interaction, call: Callable[[Quotes], Awaitable[None]]) -> None:
    """Run a button's action through the shared error chain (discord.py only logs errors
    raised by dynamic items, so the member would otherwise get no answer)."""
    try:
        client = interaction.client
        cog = client.get_cog(COG_NAME) if isinstance(client, BotBase) else None
        if not isinstance(cog, Quotes):
            raise RuntimeError("the quotes cog is not loaded")
        await call(cog)
    except Exception as error:
        await handle_interaction_error(interaction, error)


class _QuoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"(?!)",  # never matches: only the subclasses below are registered
):
    kind: ClassVar[str]

    async def act(self, cog: Quotes, interaction: Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: Interaction) -> None:
        await _dispatch(interaction, lambda cog: self.act(cog, interaction))


class LikeButton(_QuoteButton, template=rf"quote:like:(?P<id>{_ID})"):
    def __init__(self, quote_id: int, likes: int = 0) -> None:
        label = f"Like · {likes:,}" if likes else "Like"
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="❤️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"quote:like:{quote_id}",
            )
        )
        self.quote_id = quote_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]))

    async def act(self, cog: Quotes, interaction: Interaction) -> None:
        await cog.like(interaction, self.quote_id)


class FurtherOnButton(
    _QuoteButton,
    template=rf"quote:further:(?P<book>{_ID}):(?P<member>{_ID})(?P<anyway>:anyway)?",
):
    """Shows the quotes further on than the viewer: first the warning, then (``anyway``)
    the quotes. ``member`` 0 means every member's quotes."""

    def __init__(self, book_id: int, member_id: int, *, anyway: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Reveal anyway" if anyway else "Show the quotes further on",
                emoji="👁️",
                style=discord.ButtonStyle.danger if anyway else discord.ButtonStyle.secondary,
                custom_id=f"quote:further:{book_id}:{member_id}" + (":anyway" if anyway else ""),
            )
        )
        self.book_id = book_id
        self.member_id = member_id
        self.anyway = anyway

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["book"]), int(match["member"]), anyway=bool(match["anyway"]))

    async def act(self, cog: Quotes, interaction: Interaction) -> None:
        await cog.further_on(interaction, self.book_id, self.member_id or None, self.anyway)


QUOTE_ITEMS: Final = (LikeButton, FurtherOnButton)


def quote_view(quote: StoredQuote, likes: int | None = None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(LikeButton(quote.id, quote.likes if likes is None else likes))
    return view


def _with_pages(pages: list[discord.Embed], owner_id: int) -> tuple[discord.Embed, Any]:
    """The first page and a view: Previous/Next when there are several pages."""
    if len(pages) > 1:
        return pages[0], PagerView.of_embeds(pages, owner_id=owner_id)
    return pages[0], discord.ui.View(timeout=None)


# --- the cog ----------------------------------------------------------------------------------


class Quotes(commands.Cog, name=COG_NAME):
    quote = app_commands.Group(
        name="quote", description="Passages from books, spoiler-safe.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.quotes
        self.menu = app_commands.ContextMenu(name="Save as quote", callback=self.save_as_quote)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        self.bot.add_dynamic_items(*QUOTE_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.bot.remove_dynamic_items(*QUOTE_ITEMS)

    # --- /quote add and Save as quote ---------------------------------------------------

    @quote.command(name="add", description="Save a passage of a book, and where it is.")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        text=f"The passage (up to {TEXT_MAX:,} characters)",
        page="The page it is on",
        percent="How far into the book, 0 to 100",
        chapter="The chapter it is in (give one of page, percent or chapter)",
        note="Why it matters to you (optional)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        text: app_commands.Range[str, 1, TEXT_MAX],
        page: app_commands.Range[int, 1, MAX_PAGE] | None = None,
        percent: app_commands.Range[float, 0.0, 100.0] | None = None,
        chapter: app_commands.Range[int, 1, MAX_CHAPTER] | None = None,
        note: app_commands.Range[str, 1, NOTE_MAX] | None = None,
    ) -> None:
        await self._save(interaction, book, text, note, page, percent, chapter, None)

    @app_commands.guild_only()
    async def save_as_quote(self, interaction: Interaction, message: discord.Message) -> None:
        """The message menu: the /quote add form, prefilled with the message's text."""
        text = message.content
        if is_blank(text) and message.embeds:
            text = message.embeds[0].description or ""
        if is_blank(text):
            raise InvalidInput("That message has no text to save as a quote.")
        source = (message.channel.id, message.id)

        async def on_save(
            submitted: Interaction, *, book: str, text: str, position: str, note: str
        ) -> None:
            page, percent, chapter = parse_position(position)
            await self._save(submitted, book, text, note or None, page, percent, chapter, source)

        await interaction.response.send_modal(QuoteForm(text, on_save))

    async def _save(
        self,
        interaction: Interaction,
        book: str,
        text: str,
        note: str | None,
        page: int | None,
        percent: float | None,
        chapter: int | None,
        source: tuple[int, int] | None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        # a mistake that needs no book fails before the lookup
        self.service.check_input(text, note=note, page=page, percent=percent, chapter=chapter)

        async def go(reply_to: Interaction, chosen: Book) -> None:
            context = await self.service.add(
                guild_id,
                reply_to.user.id,
                chosen,
                text,
                note=note,
                page=page,
                percent=percent,
                chapter=chapter,
                source_channel_id=source[0] if source else None,
                source_message_id=source[1] if source else None,
            )
            await self._post(reply_to, context)

        await with_book(interaction, book, go, ephemeral=False)

    async def _post(self, interaction: Interaction, context: QuoteContext) -> None:
        """Post the quote where the command was used and remember its message."""
        kwargs: dict[str, Any] = {
            "embed": quote_embed(context),
            "view": quote_view(context.quote),
            "allowed_mentions": NO_MENTIONS,
        }
        message: discord.Message
        if interaction.response.is_done():
            message = await interaction.followup.send(wait=True, **kwargs)
        else:
            await interaction.response.send_message(**kwargs)
            message = await interaction.original_response()
        await self.service.set_message(
            context.quote.guild_id, context.quote.id, message.channel.id, message.id
        )
        # the member's followers hear that they saved a quote (never its text)
        await self.bot.services.follows.quote_posted(
            context.quote.guild_id,
            context.quote.user_id,
            context.book.display_title,
            message.channel.id,
            message.id,
        )

    # --- /quote list ----------------------------------------------------------------------

    @quote.command(name="list", description="A book's quotes, up to where you have read.")
    @app_commands.describe(book=BOOK_OPTION_HELP, member="Only this member's quotes")
    @app_commands.autocomplete(book=book_autocomplete)
    async def list_quotes(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        member: discord.Member | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        member_id = member_target(interaction, member)[0] if member is not None else None

        async def go(reply_to: Interaction, chosen: Book) -> None:
            assert chosen.id is not None
            listing = await self.service.listing(guild_id, reply_to.user.id, chosen.id, member_id)
            embed, view = _with_pages(quote_list_pages(listing), reply_to.user.id)
            if listing.further_on:
                view.add_item(FurtherOnButton(chosen.id, member_id or 0))
            await respond(
                reply_to,
                embed=embed,
                view=view,
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )

        await with_book(interaction, book, go)

    async def further_on(
        self, interaction: Interaction, book_id: int, member_id: int | None, anyway: bool
    ) -> None:
        """The button under /quote list: the warning first, then (anyway) the quotes."""
        listing = await self.service.listing(
            guild_id_of(interaction), interaction.user.id, book_id, member_id
        )
        if not listing.further_on:
            await interaction.response.send_message(
                "Nothing further on any more: you have reached every quote. "
                "Run `/quote list` again to see them.",
                ephemeral=True,
            )
            return
        if not anyway:
            view = discord.ui.View(timeout=None)
            view.add_item(FurtherOnButton(book_id, member_id or 0, anyway=True))
            await interaction.response.send_message(
                further_on_warning(listing), view=view, ephemeral=True
            )
            return
        embed, view = _with_pages(further_on_embeds(listing), interaction.user.id)
        warning = interaction.message
        if warning is not None and warning.flags.ephemeral:
            await interaction.response.edit_message(content=None, embed=embed, view=view)
        else:
            await interaction.response.send_message(
                embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    # --- /quote random --------------------------------------------------------------------

    @quote.command(name="random", description="A quote you have reached, picked at random.")
    @app_commands.describe(book=BOOK_OPTION_HELP + " (optional: any book)")
    @app_commands.autocomplete(book=book_autocomplete)
    async def random(
        self, interaction: discord.Interaction[MarginaliaBot], book: str | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)

        async def show(reply_to: Interaction, book_id: int | None) -> None:
            context = await self.service.random(guild_id, reply_to.user.id, book_id)
            await respond(
                reply_to,
                embed=random_embed(context),
                view=quote_view(context.quote),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )

        if book is None or is_blank(book):
            await show(interaction, None)
            return

        async def go(reply_to: Interaction, chosen: Book) -> None:
            await show(reply_to, chosen.id)

        await with_book(interaction, book, go)

    # --- the Like button ------------------------------------------------------------------

    async def like(self, interaction: Interaction, quote_id: int) -> None:
        guild_id = guild_id_of(interaction)
        result = await self.service.toggle_like(guild_id, quote_id, interaction.user.id)
        quote = result.context.quote
        view = quote_view(quote, likes=result.count)
        # the message clicked: the post, or e.g. /quote random's reply
        await interaction.response.edit_message(view=view)
        if interaction.message is None or interaction.message.id != quote.message_id:
            channel = self._channel(guild_id, quote.channel_id)
            if channel is not None and quote.message_id is not None:
                with contextlib.suppress(discord.HTTPException):
                    await channel.get_partial_message(quote.message_id).edit(view=view)
        text = (
            "You like this quote. Click ❤️ again to take it back."
            if result.liked
            else "Like taken back."
        )
        await interaction.followup.send(text, ephemeral=True)

    def _channel(
        self, guild_id: int, channel_id: int | None
    ) -> discord.TextChannel | discord.Thread | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or channel_id is None:
            return None
        channel = guild.get_channel_or_thread(channel_id)
        return channel if isinstance(channel, discord.TextChannel | discord.Thread) else None


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Quotes(bot))
