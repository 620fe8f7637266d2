"""/stats [member] [year]: books and pages finished, average rating, top authors, a chart."""

from __future__ import annotations

import asyncio
import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.render.charts import STATS_CHART_FILENAME, books_per_month_png
from bot.render.reading import member_target, stats_embed
from cogs._checks import guild_id_of

log = logging.getLogger(__name__)


class Stats(commands.Cog):
    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.stats

    @app_commands.command(name="stats", description="Books and pages finished, ratings, authors.")
    @app_commands.guild_only()
    @app_commands.describe(
        member="Whose numbers (default: yours)", year="One year (default: all time)"
    )
    async def stats(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        member: discord.Member | None = None,
        year: app_commands.Range[int, 1900, 2200] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        user_id, name = member_target(interaction, member)
        self.service.check_year(year)  # a mistake is refused before deferring
        # drawing the chart takes a while (a worker thread; the first time, the font cache)
        await interaction.response.defer(ephemeral=True, thinking=True)
        numbers = await self.service.stats(guild_id, user_id, year)
        chart: discord.File | None = None
        try:
            png = await asyncio.to_thread(
                books_per_month_png,
                [m.label for m in numbers.per_month],
                [m.books for m in numbers.per_month],
                numbers.chart_title,
            )
        except Exception:
            log.exception("could not draw the stats chart; sending the numbers alone")
        else:
            chart = discord.File(io.BytesIO(png), filename=STATS_CHART_FILENAME)
        embed = stats_embed(numbers, name, with_chart=chart is not None)
        if chart is not None:
            await interaction.followup.send(embed=embed, file=chart, ephemeral=True)
        else:
            await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Stats(bot))
