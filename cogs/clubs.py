"""/club pick, /club schedule add, /club status, /club end, /club nominate, /club
nominations, /club suggest.

``/club status`` is for everyone, so the ``club`` group cannot carry Discord's default
permissions (they apply to a whole top-level command); pick, schedule and end check for a
moderator here, on the server side (cogs/_checks.py).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.render.clubs import announcement_embed, ended_embed, schedule_embed, status_embed
from bot.render.nominations import (
    SuggestionsView,
    nominated_embed,
    nominations_embed,
    suggestions_embed,
)
from bot.services.nominations import check_pitch
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of, is_moderator, require_moderator

log = logging.getLogger(__name__)

EVERYONE_CAN = "Everyone can use /club status."


class Clubs(commands.Cog):
    club = app_commands.Group(
        name="club",
        description="The server's club read: pick it, schedule it, see where everyone is.",
        guild_only=True,
    )
    schedule = app_commands.Group(
        name="schedule", description="The club read's checkpoints.", parent=club
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.clubs
        self.nominations = bot.services.nominations

    @club.command(name="pick", description="Moderators: make a book the server's current read.")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        start="When the club starts, e.g. 2026-03-01 or 1 March (default: today)",
        end="When everyone should have finished, e.g. 2026-04-30 (optional)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def pick(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        start: app_commands.Range[str, 1, 40] | None = None,
        end: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await require_moderator(interaction, "pick the club read", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await self.service.check_pick(guild_id, start=start, end=end)

        async def chosen(reply_to: discord.Interaction[Any], picked: Book) -> None:
            view = await self.service.pick(
                guild_id,
                interaction.user.id,
                picked,
                start=start,
                end=end,
                channel_id=interaction.channel_id,
            )
            await respond(reply_to, embed=announcement_embed(view))

        await with_book(interaction, book, chosen, ephemeral=False)

    @schedule.command(name="add", description="Moderators: add a checkpoint to the club read.")
    @app_commands.describe(
        label="A name for this part, e.g. “Part One” or “Chapters 1–5”",
        date="When members should get there, e.g. 2026-03-03 or 3 March",
        until_page="The page this checkpoint goes up to",
        until_percent="Or how far into the book it goes, in percent",
    )
    async def schedule_add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        label: app_commands.Range[str, 1, 100],
        date: app_commands.Range[str, 1, 40],
        until_page: app_commands.Range[int, 1, 100_000] | None = None,
        until_percent: app_commands.Range[float, 0, 100] | None = None,
    ) -> None:
        await require_moderator(interaction, "change the club's schedule", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        added, view = await self.service.add_checkpoint(
            guild_id,
            label=label,
            until_page=until_page,
            until_percent=until_percent,
            due=date,
        )
        await interaction.response.send_message(embed=schedule_embed(view, added), ephemeral=True)

    @club.command(name="status", description="Where everyone is in the club read (no spoilers).")
    async def status(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        await self.service.require_active(guild_id)  # a mistake stays ephemeral
        # names may need a gateway round trip for members discord.py has not cached yet
        await interaction.response.defer(thinking=True)
        status = await self.service.status(guild_id)
        await interaction.followup.send(embed=status_embed(status))

    @club.command(name="end", description="Moderators: close the club read with a summary.")
    async def end(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await require_moderator(interaction, "end the club read", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await self.service.require_active(guild_id)
        await interaction.response.defer(thinking=True)
        ended = await self.service.end(guild_id)
        await interaction.followup.send(embed=ended_embed(ended))

    # --- the next read: nominations and suggestions ----------------------------------------

    @club.command(name="nominate", description="Nominate a book for the club's next read.")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        pitch="Why this book, in a line or two — no spoilers (up to 300 characters)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def nominate(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        pitch: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        check_pitch(pitch)  # a too-long pitch is refused before the book is looked up

        async def chosen(reply_to: discord.Interaction[Any], picked: Book) -> None:
            done = await self.nominations.nominate(guild_id, reply_to.user.id, picked, pitch)
            await respond(
                reply_to,
                embed=nominated_embed(done, reply_to.user.id),
                allowed_mentions=discord.AllowedMentions.none(),
            )

        await with_book(interaction, book, chosen, ephemeral=False)

    @club.command(name="nominations", description="The books nominated for the next read.")
    async def list_nominations(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        # names may need a gateway round trip for members discord.py has not cached yet
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self.nominations.nominations(guild_id)
        await interaction.followup.send(embed=nominations_embed(found), ephemeral=True)

    @club.command(
        name="suggest", description="Books several members want to read (counts, never names)."
    )
    async def suggest(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.nominations.suggestions(guild_id)
        embed = suggestions_embed(found)
        if not found or not await is_moderator(interaction):
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return

        async def on_pick(clicked: discord.Interaction[Any], book_id: int) -> None:
            await require_moderator(clicked, "nominate from the suggestions")
            picked = await self.bot.services.books.get(guild_id, book_id)
            done = await self.nominations.nominate(guild_id, clicked.user.id, picked, None)
            await clicked.response.send_message(
                embed=nominated_embed(done, clicked.user.id),
                allowed_mentions=discord.AllowedMentions.none(),
            )

        view = SuggestionsView(interaction.user.id, found, on_pick)
        await respond(interaction, embed=embed, view=view, ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Clubs(bot))
