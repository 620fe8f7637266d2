"""/rate, /ratings and /scale show|set|step."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.render.ratings import (
    CHART_FILENAME,
    distribution_png,
    label_changed_embed,
    rated_embed,
    ratings_embed,
    scale_embed,
    step_changed_embed,
)
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of, require_admin

log = logging.getLogger(__name__)

STARS_HELP = "0.5 to 5 on this server's step, e.g. 3.5, 3½ or ★★★½"


class Ratings(commands.Cog):
    scale = app_commands.Group(
        name="scale", description="This server's rating scale.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.ratings

    async def _star_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        choices = await self.service.star_choices(interaction.guild_id, current)
        return [app_commands.Choice(name=c.name, value=c.value) for c in choices]

    # --- /rate --------------------------------------------------------------------------

    @app_commands.command(name="rate", description="Rate a book; rating it again replaces it.")
    @app_commands.guild_only()
    @app_commands.describe(book=BOOK_OPTION_HELP, stars=STARS_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def rate(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        stars: app_commands.Range[str, 1, 40],
    ) -> None:
        guild_id = guild_id_of(interaction)
        await self.service.precheck(guild_id, stars)  # a bad value fails before any lookup
        book_id = self.bot.services.books.linked_book_id(guild_id, book)
        if book_id is not None:  # a picked suggestion: the book is read with the rating
            seen, rated = await self.service.rate_seen(
                guild_id, interaction.user.id, book_id, stars
            )
            await respond(interaction, embed=rated_embed(seen, rated), ephemeral=True)
            return

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            assert chosen.id is not None
            result = await self.service.rate(guild_id, reply_to.user.id, chosen.id, stars)
            await respond(reply_to, embed=rated_embed(chosen, result), ephemeral=True)

        await with_book(interaction, book, go)

    @rate.autocomplete("stars")
    async def rate_stars(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._star_choices(interaction, current)

    # --- /ratings -----------------------------------------------------------------------

    @app_commands.command(
        name="ratings", description="A book's ratings here: average, chart, yours, the labels."
    )
    @app_commands.guild_only()
    @app_commands.describe(book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def ratings(self, interaction: discord.Interaction[MarginaliaBot], book: str) -> None:
        await with_book(interaction, book, self._show_ratings)

    async def _show_ratings(self, interaction: discord.Interaction[Any], book: Book) -> None:
        guild_id = guild_id_of(interaction)
        assert book.id is not None  # a resolved book is stored
        if not interaction.response.is_done():
            # drawing the chart can take a while the first time (font cache)
            await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await self.service.summary(guild_id, interaction.user.id, book.id)
        chart: discord.File | None = None
        if summary.count:
            try:
                png = await asyncio.to_thread(distribution_png, summary)
            except Exception:
                log.exception("could not draw the ratings chart; sending the text version")
            else:
                chart = discord.File(io.BytesIO(png), filename=CHART_FILENAME)
        embed = ratings_embed(book, summary, with_chart=chart is not None)
        if chart is not None:
            await interaction.followup.send(embed=embed, file=chart, ephemeral=True)
        else:
            await interaction.followup.send(embed=embed, ephemeral=True)

    # --- /scale -------------------------------------------------------------------------

    @scale.command(name="show", description="The rating scale: a label for every star value.")
    async def scale_show(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        scale = await self.service.scale(guild_id)
        await interaction.response.send_message(embed=scale_embed(scale), ephemeral=True)

    @scale.command(name="set", description="Admins: give a star value this server's own label.")
    @app_commands.describe(
        stars="The star value to label, on the current step (e.g. 3.5)",
        label="The label, e.g. “A page-turner” (up to 100 characters)",
    )
    async def scale_set(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        stars: app_commands.Range[str, 1, 40],
        label: app_commands.Range[str, 1, 100],
    ) -> None:
        guild_id = guild_id_of(interaction)
        require_admin(interaction, "change the rating scale")
        change = await self.service.set_label(guild_id, stars, label)
        await interaction.response.send_message(embed=label_changed_embed(change), ephemeral=True)

    @scale_set.autocomplete("stars")
    async def scale_set_stars(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._star_choices(interaction, current)

    @scale.command(name="step", description="Admins: rate in whole, half or quarter stars.")
    @app_commands.describe(step="whole, half (the default) or quarter stars")
    async def scale_step(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        step: Literal["whole", "half", "quarter"],
    ) -> None:
        guild_id = guild_id_of(interaction)
        require_admin(interaction, "change the rating scale")
        plan = await self.service.set_step(guild_id, step)
        await interaction.response.send_message(embed=step_changed_embed(plan), ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Ratings(bot))
