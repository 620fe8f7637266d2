"""/export: the member's data in this server as a Goodreads-compatible CSV and a full JSON."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.render.imports import export_message
from cogs._checks import guild_id_of

# room for the multipart envelope around a file that is just under the limit
_UPLOAD_MARGIN = 64 * 1024


class Export(commands.Cog):
    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.exports

    @app_commands.command(
        name="export", description="Your data in this server: a Goodreads CSV and a full JSON."
    )
    @app_commands.guild_only()
    async def export(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.export(
            guild_id,
            interaction.user.id,
            max_file_bytes=interaction.filesize_limit - _UPLOAD_MARGIN,
        )
        files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in result.files]
        await interaction.followup.send(
            export_message(result),
            files=files,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Export(bot))
