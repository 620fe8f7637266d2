"""/goal set count [year], /goal show [member]: the yearly reading challenge."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.goals import MAX_GOAL, MIN_GOAL
from bot.render.reading import goal_embed, member_target
from cogs._checks import guild_id_of


class Goals(commands.Cog):
    goal = app_commands.Group(
        name="goal", description="Your yearly reading challenge.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.goals

    @goal.command(name="set", description="Set how many books you mean to finish in a year.")
    @app_commands.describe(
        count=f"Books to finish ({MIN_GOAL}–{MAX_GOAL})",
        year="Which year (default: this year; next year and past years work too)",
    )
    async def set_goal(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        count: app_commands.Range[int, MIN_GOAL, MAX_GOAL],
        year: app_commands.Range[int, 1900, 2200] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        status = await self.service.set_goal(guild_id, interaction.user.id, count, year)
        await interaction.response.send_message(
            embed=goal_embed(status, status.year), ephemeral=True
        )

    @goal.command(name="show", description="This year's reading challenge and how it is going.")
    @app_commands.describe(member="Whose goal (default: yours)")
    async def show(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        member: discord.Member | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        user_id, name = member_target(interaction, member)
        year = self.bot.clock.now().year  # UTC, as every reading date
        status = await self.service.show(guild_id, user_id, year)
        await interaction.response.send_message(
            embed=goal_embed(status, year, name), ephemeral=True
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Goals(bot))
