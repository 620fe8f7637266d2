"""/shelf show [member] [shelf], /shelf add book shelf, /shelf remove book shelf."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.domain.shelves import MAX_SHELF_NAME_LENGTH
from bot.render.reading import (
    member_target,
    paged,
    shelf_change_embed,
    shelf_overview_embed,
    shelf_pages,
    status_embed,
    want_removed_embed,
)
from bot.services.shelves import CustomShelfChange
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of

SHELF_HELP = "A status shelf (reading, want-to-read, finished…) or one of your own"


class Shelves(commands.Cog):
    shelf = app_commands.Group(
        name="shelf", description="Your status shelves and shelves of your own.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.shelves

    async def _shelf_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        # /shelf show member:… suggests that member's shelves; otherwise the member's own
        member = getattr(interaction.namespace, "member", None)
        user_id = getattr(member, "id", None) or interaction.user.id
        choices = await self.service.choices(interaction.guild_id, user_id, current)
        return [app_commands.Choice(name=c.name, value=c.value) for c in choices]

    @shelf.command(name="show", description="Your shelves (or a member's), or one shelf in full.")
    @app_commands.describe(member="Whose shelves (default: yours)", shelf=SHELF_HELP)
    async def show(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        member: discord.Member | None = None,
        shelf: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        user_id, name = member_target(interaction, member)
        if shelf is None:
            overview = await self.service.overview(guild_id, user_id)
            await interaction.response.send_message(
                embed=shelf_overview_embed(overview, name), ephemeral=True
            )
            return
        contents = await self.service.contents(guild_id, user_id, shelf)
        pages = shelf_pages(contents, name)
        await respond(interaction, **paged(pages, owner_id=interaction.user.id), ephemeral=True)

    @show.autocomplete("shelf")
    async def show_shelf(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._shelf_choices(interaction, current)

    @shelf.command(name="add", description="Put a book on a shelf (a new name makes a new shelf).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP, shelf=f"{SHELF_HELP}; up to {MAX_SHELF_NAME_LENGTH} characters"
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        shelf: app_commands.Range[str, 1, 64],
    ) -> None:
        guild_id = guild_id_of(interaction)

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            assert chosen.id is not None
            result = await self.service.add(guild_id, reply_to.user.id, chosen.id, shelf)
            if isinstance(result, CustomShelfChange):
                embed = shelf_change_embed(result, added=True)
            else:
                embed = status_embed(result)
            await respond(reply_to, embed=embed, ephemeral=True)

        await with_book(interaction, book, go)

    @add.autocomplete("shelf")
    async def add_shelf(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._shelf_choices(interaction, current)

    @shelf.command(name="remove", description="Take a book off one of your shelves.")
    @app_commands.describe(book=BOOK_OPTION_HELP, shelf=SHELF_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def remove(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        shelf: app_commands.Range[str, 1, 64],
    ) -> None:
        guild_id = guild_id_of(interaction)

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            assert chosen.id is not None
            result = await self.service.remove(guild_id, reply_to.user.id, chosen.id, shelf)
            if isinstance(result, CustomShelfChange):
                embed = shelf_change_embed(result, added=False)
            else:
                embed = want_removed_embed(result)
            await respond(reply_to, embed=embed, ephemeral=True)

        await with_book(interaction, book, go)

    @remove.autocomplete("shelf")
    async def remove_shelf(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._shelf_choices(interaction, current)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Shelves(bot))
