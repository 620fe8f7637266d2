"""/book search, /book info, /book add."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.render.books import BookPickView, book_embed, search_results_embeds
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of


class Books(commands.Cog):
    book = app_commands.Group(
        name="book",
        description="Find books and see this server's numbers for them.",
        guild_only=True,
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot

    async def _show_card(self, interaction: discord.Interaction[Any], book: Book) -> None:
        guild_id = guild_id_of(interaction)
        card = await self.bot.services.books.card(guild_id, book)
        embed = book_embed(card.book, card.stats)
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        elif interaction.type == discord.InteractionType.component:
            await interaction.response.edit_message(content=None, embeds=[embed], view=None)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)

    @book.command(name="search", description="Search for a book by title, author or ISBN.")
    @app_commands.describe(query="A title, an author, “title by author”, or an ISBN")
    async def search(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        query: app_commands.Range[str, 1, 200],
    ) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        books, reachable = await self.bot.services.books.search(guild_id, query)
        embeds = search_results_embeds(query, books, reachable=reachable)
        if books:
            view = BookPickView(books, self._picked_from_search, owner_id=interaction.user.id)
            await respond(interaction, embeds=embeds, view=view, ephemeral=True)
        else:
            await interaction.followup.send(embeds=embeds, ephemeral=True)

    async def _picked_from_search(self, interaction: discord.Interaction[Any], book: Book) -> None:
        guild_id = guild_id_of(interaction)
        await self.bot.services.books.remember(guild_id, interaction.user.id, book)
        await self._show_card(interaction, book)

    @book.command(name="info", description="A book's card: details and this server's numbers.")
    @app_commands.describe(book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def info(self, interaction: discord.Interaction[MarginaliaBot], book: str) -> None:
        await with_book(interaction, book, self._show_card)

    @book.command(
        name="add", description="Add a book by hand (works even when catalogues are down)."
    )
    @app_commands.describe(
        title="The book's title",
        author="The author",
        pages="Number of pages",
        isbn="ISBN-10 or ISBN-13",
        year="Year of first publication",
    )
    async def add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        title: app_commands.Range[str, 1, 256],
        author: app_commands.Range[str, 1, 256],
        pages: app_commands.Range[int, 1, 50000] | None = None,
        isbn: app_commands.Range[str, 10, 17] | None = None,
        year: app_commands.Range[int, -3000, 3000] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        book, created = await self.bot.services.books.add_manual(
            guild_id,
            interaction.user.id,
            title=title,
            author=author,
            pages=pages,
            isbn=isbn,
            year=year,
        )
        card = await self.bot.services.books.card(guild_id, book)
        note = (
            "Added to this server's books."
            if created
            else "This book was already known; it is now on this server's list."
        )
        await respond(
            interaction, content=note, embed=book_embed(card.book, card.stats), ephemeral=True
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Books(bot))
