"""/import goodreads and /import storygraph: a member's library export as an attachment.

The attachment's size is checked before it is downloaded; the work (parsing, catalogue
look-ups, one database transaction) happens after deferring, since it can take a while.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.imports import ImportKind
from bot.errors import InvalidInput
from bot.render.imports import import_embed, needs_report_file, report_file
from bot.services.imports import check_upload_size
from cogs._checks import guild_id_of
from cogs._rooms import DiscordRoomBoard, joined_text


class Imports(commands.Cog):
    import_ = app_commands.Group(
        name="import",
        description="Bring in your Goodreads or StoryGraph library.",
        guild_only=True,
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.imports

    @import_.command(name="goodreads", description="Import your Goodreads library export (CSV).")
    @app_commands.describe(
        file="goodreads_library_export.csv: My Books → Import and export → Export Library"
    )
    async def goodreads(
        self, interaction: discord.Interaction[MarginaliaBot], file: discord.Attachment
    ) -> None:
        await self._run(interaction, file, "goodreads")

    @import_.command(name="storygraph", description="Import your StoryGraph library export (CSV).")
    @app_commands.describe(file="The CSV from Manage Account → Export StoryGraph Library")
    async def storygraph(
        self, interaction: discord.Interaction[MarginaliaBot], file: discord.Attachment
    ) -> None:
        await self._run(interaction, file, "storygraph")

    async def _run(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        file: discord.Attachment,
        kind: ImportKind,
    ) -> None:
        guild_id = guild_id_of(interaction)
        check_upload_size(file.size)  # before downloading anything
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            raise InvalidInput(
                "I couldn't download the attached file. Attach it again and resend the command."
            ) from None
        report = await self.service.import_file(guild_id, interaction.user.id, data, kind)
        self.bot.services.books.refresh_index_soon()
        files = [report_file(report)] if needs_report_file(report) else []
        await interaction.followup.send(embed=import_embed(report), files=files, ephemeral=True)
        # imported progress may reach the club read's checkpoints: their rooms open to them
        joined = await self.bot.services.rooms.sync_member(
            guild_id, interaction.user.id, DiscordRoomBoard(self.bot)
        )
        if (text := joined_text(joined)) is not None:
            await interaction.followup.send(text, ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Imports(bot))
