"""/about: version, uptime, servers, database backend and schema version, latency."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.services.about import instance_info


class About(commands.Cog):
    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="About this bot: version, uptime, database.")
    async def about(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        info = await instance_info(self.bot.database)
        latency = self.bot.latency
        latency_text = (
            "n/a" if math.isnan(latency) or math.isinf(latency) else f"{latency * 1000:.0f} ms"
        )
        embed = discord.Embed(
            title="Marginalia",
            description=(
                "A book-club bot: ratings, spoiler-safe reviews, reading progress and a weekly "
                "digest."
            ),
            colour=discord.Colour.dark_teal(),
        )
        embed.add_field(name="Version", value=info.version)
        embed.add_field(
            name="Up since", value=discord.utils.format_dt(self.bot.started_at, style="R")
        )
        embed.add_field(name="Servers", value=str(len(self.bot.guilds)))
        embed.add_field(name="Database", value=f"{info.database}, schema {info.schema_version}")
        embed.add_field(name="Latency", value=latency_text)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(About(bot))
