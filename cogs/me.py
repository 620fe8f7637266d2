"""/me timezone zone, /me show: a member's own settings in this server (SPEC §12); /me
notifications on|off: whether follows send the member direct messages (issue 14)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.render.members import member_settings_embed, zone_set_text
from cogs._checks import guild_id_of
from cogs._timezone_option import timezone_autocomplete


class Me(commands.Cog):
    me = app_commands.Group(
        name="me", description="Your own settings in this server.", guild_only=True
    )
    notifications = app_commands.Group(
        name="notifications", description="Direct messages about the members you follow.", parent=me
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.members

    @me.command(name="timezone", description="Your time zone: the date of your progress entries.")
    @app_commands.describe(
        zone="Your time zone, e.g. Europe/Berlin or America/New_York (start typing)"
    )
    @app_commands.autocomplete(zone=timezone_autocomplete)
    async def timezone(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        zone: app_commands.Range[str, 1, 100],
    ) -> None:
        guild_id = guild_id_of(interaction)
        settings = await self.service.set_timezone(guild_id, interaction.user.id, zone)
        await interaction.response.send_message(zone_set_text(settings), ephemeral=True)

    @notifications.command(name="on", description="Direct messages about the members you follow.")
    async def notifications_on(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self.bot.services.follows.set_dms(guild_id_of(interaction), interaction.user.id, True)
        await interaction.response.send_message(
            "Notifications are on: when members you follow post here, I send you one direct "
            "message an hour at most.",
            ephemeral=True,
        )

    @notifications.command(name="off", description="No direct messages about members you follow.")
    async def notifications_off(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self.bot.services.follows.set_dms(
            guild_id_of(interaction), interaction.user.id, False
        )
        await interaction.response.send_message(
            "Notifications are off: I send you no direct messages about the members you follow "
            "(you still follow them; /following lists them).",
            ephemeral=True,
        )

    @me.command(name="show", description="Your settings in this server.")
    async def show(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        settings = await self.service.show(guild_id, interaction.user.id)
        await interaction.response.send_message(
            embed=member_settings_embed(settings), ephemeral=True
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Me(bot))
