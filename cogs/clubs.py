"""/club pick, /club schedule add, /club status, /club end, /club nominate, /club
nominations, /club suggest, /club meeting add|list|cancel, /club reminders on|off.

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
from bot.domain.meetings import MAX_MEETINGS_IN_SERIES, Repeat
from bot.render.clubs import announcement_embed, ended_embed, schedule_embed, status_embed
from bot.render.meetings import added_embed, cancelled_text, meetings_embed, reminders_text
from bot.render.nominations import (
    SuggestionsView,
    nominated_embed,
    nominations_embed,
    suggestions_embed,
)
from bot.services.nominations import check_pitch
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of, guild_of, is_moderator, require_moderator
from cogs._meetings import (
    DiscordMeetings,
    checkpoint_autocomplete,
    meeting_autocomplete,
    meeting_id,
    meeting_place,
    where_autocomplete,
)

log = logging.getLogger(__name__)

EVERYONE_CAN = "Everyone can use /club status."
EVERYONE_MEETS = "Everyone can see them with /club meeting list."


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

    # --- meetings and reminders (SPEC §11; the Discord side: cogs/_meetings.py) ------------

    meeting = app_commands.Group(
        name="meeting", description="The club's meetings, as Discord events.", parent=club
    )
    reminders = app_commands.Group(
        name="reminders",
        description="Pings before the meetings you are Interested in.",
        parent=club,
    )

    @meeting.command(
        name="add", description="Moderators: schedule a club meeting (a Discord event)."
    )
    @app_commands.describe(
        when="When, in the server's time zone, e.g. 2026-03-03 19:00 or 3 March 7pm",
        checkpoint="How far members should have read by then, e.g. Part One (no spoilers)",
        where="A voice or stage channel, or a place, e.g. The Old Library (default: this club)",
        repeat="Repeat it: one meeting per week, fortnight or month (same weekday of the month)",
        count=f"How many meetings in the series (up to {MAX_MEETINGS_IN_SERIES}; default 4)",
    )
    @app_commands.choices(repeat=[app_commands.Choice(name=r.value, value=r.value) for r in Repeat])
    @app_commands.autocomplete(checkpoint=checkpoint_autocomplete, where=where_autocomplete)
    async def meeting_add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        when: app_commands.Range[str, 1, 60],
        checkpoint: app_commands.Range[str, 1, 100] | None = None,
        where: app_commands.Range[str, 1, 100] | None = None,
        repeat: app_commands.Choice[str] | None = None,
        count: app_commands.Range[int, 1, MAX_MEETINGS_IN_SERIES] | None = None,
    ) -> None:
        await require_moderator(interaction, "schedule club meetings", instead=EVERYONE_MEETS)
        guild = guild_of(interaction)
        plan = await self.bot.services.meetings.plan(
            guild.id,
            when=when,
            checkpoint=checkpoint,
            repeat=Repeat(repeat.value) if repeat else None,
            count=count,
        )
        place = meeting_place(guild, where, plan.club.channel_id)
        await interaction.response.defer(thinking=True)
        added = await self.bot.services.meetings.add(
            guild.id, interaction.user.id, plan, place, DiscordMeetings(self.bot)
        )
        await interaction.followup.send(embed=added_embed(added))

    @meeting.command(name="list", description="The club's upcoming meetings and who is coming.")
    async def meeting_list(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self.bot.services.meetings.listing(guild_id, DiscordMeetings(self.bot))
        await interaction.followup.send(embed=meetings_embed(found), ephemeral=True)

    @meeting.command(name="cancel", description="Moderators: cancel a meeting and its event.")
    @app_commands.describe(meeting="The meeting (start typing: its date or book)")
    @app_commands.autocomplete(meeting=meeting_autocomplete)
    async def meeting_cancel(
        self, interaction: discord.Interaction[MarginaliaBot], meeting: str
    ) -> None:
        await require_moderator(interaction, "cancel club meetings", instead=EVERYONE_MEETS)
        guild_id = guild_id_of(interaction)
        found = meeting_id(interaction, meeting)
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await self.bot.services.meetings.cancel(guild_id, found, DiscordMeetings(self.bot))
        await interaction.followup.send(cancelled_text(done), ephemeral=True)

    @reminders.command(name="on", description="Ping me before the meetings I'm Interested in.")
    async def reminders_on(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self._reminders(interaction, True)

    @reminders.command(name="off", description="No more meeting pings for me.")
    async def reminders_off(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self._reminders(interaction, False)

    async def _reminders(self, interaction: discord.Interaction[MarginaliaBot], on: bool) -> None:
        guild_id = guild_id_of(interaction)
        changed = await self.bot.services.meetings.set_reminders(guild_id, interaction.user.id, on)
        await interaction.response.send_message(reminders_text(on, changed), ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Clubs(bot))
