"""/settings show, /settings review-channel, /settings modlog-channel, /settings club-channel,
/settings moderator-role."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.errors import InvalidInput
from bot.render.settings import SETTINGS_COLOUR, settings_embed
from cogs._checks import guild_id_of, require_admin

# What the bot needs in a channel to post reviews or reports there.
POSTING_PERMISSIONS = ("view_channel", "send_messages", "embed_links")


def check_bot_can_post(channel: discord.TextChannel, *, threads: bool = False) -> None:
    """Refuse a channel the bot cannot post in (InvalidInput saying what to grant)."""
    me = channel.guild.me
    if me is None:  # the bot's own member is not cached: Discord will tell us when posting
        return
    permissions = channel.permissions_for(me)
    needed = (*POSTING_PERMISSIONS, "create_public_threads") if threads else POSTING_PERMISSIONS
    missing = [name for name in needed if not getattr(permissions, name)]
    if missing:
        names = ", ".join(name.replace("_", " ").title() for name in missing)
        raise InvalidInput(
            f"I can't use {channel.mention}: I lack {names} there. Grant me those in the "
            "channel's permissions, or choose another channel."
        )


class Settings(commands.Cog):
    settings = app_commands.Group(
        name="settings", description="This server's Marginalia settings.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.settings

    @settings.command(name="show", description="Every setting of this server in one card.")
    async def show(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        overview = await self.service.overview(guild_id)
        guild = interaction.guild
        role_id = overview.settings.moderator_role_id
        # a deleted role counts as none; a server not loaded yet cannot tell, so trust it
        role_exists = guild is None or role_id is None or guild.get_role(role_id) is not None
        embed = settings_embed(
            overview,
            guild_name=guild.name if guild else None,
            moderator_role_exists=role_exists,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(name="review-channel", description="Admins: choose where reviews are posted.")
    @app_commands.describe(
        channel="The channel for new reviews; leave it out to post where /review write is used"
    )
    async def review_channel(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        channel: discord.TextChannel | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        require_admin(interaction, "choose the review channel")
        if channel is not None:
            check_bot_can_post(channel, threads=True)
        await self.service.set_review_channel(guild_id, channel.id if channel else None)
        text = (
            f"New reviews will be posted in {channel.mention}."
            if channel
            else "New reviews will be posted in the channel where `/review write` is used."
        )
        embed = discord.Embed(title="Review channel set", description=text, colour=SETTINGS_COLOUR)
        embed.set_footer(text="Reviews already posted stay where they are.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(
        name="club-channel", description="Admins: choose where club votes and reminders go."
    )
    @app_commands.describe(
        channel="The club's channel; leave it out to use the channel of the latest /club pick"
    )
    async def club_channel(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        channel: discord.TextChannel | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        require_admin(interaction, "choose the club channel")
        if channel is not None:
            check_bot_can_post(channel)
        await self.service.set_club_channel(guild_id, channel.id if channel else None)
        text = (
            f"Club votes, their results and meeting reminders will be posted in {channel.mention}."
            if channel
            else "Club votes and reminders will go to the channel where /club pick was last used."
        )
        embed = discord.Embed(title="Club channel set", description=text, colour=SETTINGS_COLOUR)
        embed.set_footer(text="A vote already open stays where it is.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(
        name="modlog-channel", description="Admins: choose where flags and failures are reported."
    )
    @app_commands.describe(channel="The moderators' log channel; leave it out to stop reporting")
    async def modlog_channel(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        channel: discord.TextChannel | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        require_admin(interaction, "choose the moderators' log channel")
        if channel is not None:
            check_bot_can_post(channel)
        await self.service.set_modlog_channel(guild_id, channel.id if channel else None)
        text = (
            f"Flags and posting failures will be reported in {channel.mention}."
            if channel
            else "Flags will be recorded but reported nowhere."
        )
        embed = discord.Embed(
            title="Moderator log channel set", description=text, colour=SETTINGS_COLOUR
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(
        name="moderator-role", description="Admins: members with this role count as moderators."
    )
    @app_commands.describe(role="The moderators' role; leave it out for none")
    async def moderator_role(
        self, interaction: discord.Interaction[MarginaliaBot], role: discord.Role | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        require_admin(interaction, "choose the moderator role")
        if role is not None:
            check_moderator_role(role)
        await self.service.set_moderator_role(guild_id, role.id if role else None)
        text = (
            f"Members with {role.mention} now count as moderators: they can pick the club "
            "read, manage its schedule and remove anyone's review."
            if role
            else "No moderator role: moderators are the members with Manage Server or Manage "
            "Messages from their roles."
        )
        embed = discord.Embed(title="Moderator role set", description=text, colour=SETTINGS_COLOUR)
        embed.set_footer(text="Admins (Manage Server) can always do what moderators can.")
        await interaction.response.send_message(embed=embed, ephemeral=True)


def check_moderator_role(role: discord.Role) -> None:
    """Refuse a role that cannot sensibly mark moderators (InvalidInput saying why)."""
    if role.is_default():
        raise InvalidInput(
            "@everyone can't be the moderator role: that would make every member a moderator. "
            "Choose a role only your moderators have."
        )
    if role.managed:
        raise InvalidInput(
            f"{role.mention} belongs to a bot or an integration, so no member can be given "
            "it. Choose a role your moderators have."
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Settings(bot))
