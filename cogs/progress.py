"""/progress update|start|pause|finish|abandon|show|history|pace.

Replies are ephemeral: a progress note may give the plot away, and where a member is in a
book is theirs to share. ``page``/``percent``/``edition_pages`` carry Discord min/max, and
the service checks them again (a client can send anything). Mistakes that need no book
(no page nor percent, a bad date) are refused before the book is looked up.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.domain.reading import ReadingStatus
from bot.render.pace import pace_embed
from bot.render.ratings import rated_embed
from bot.render.reading import (
    RateInviteView,
    current_pages,
    history_pages,
    member_target,
    paged,
    progress_embed,
    status_embed,
)
from bot.services.reading import (
    MAX_CHAPTER,
    MAX_EDITION_PAGES,
    MAX_NOTE_LENGTH,
    check_progress_input,
)
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of
from cogs._rooms import DiscordRoomBoard, joined_text

DATE_HELP = "When, if not today: 2007-01-15, 15 January 2007, January 2007, yesterday…"
EDITION_HELP = "Your copy's page count, if it differs from the book's (kept for this reading)"
MEMBER_HELP = "Whose reading (default: yours)"


class Progress(commands.Cog):
    progress = app_commands.Group(
        name="progress", description="Log your reading and see where you are.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.readings = bot.services.reading
        self.room_board = DiscordRoomBoard(bot)
        self.ratings = bot.services.ratings

    # --- update -------------------------------------------------------------------------

    @progress.command(
        name="update", description="Log the page, percent or chapter you have reached."
    )
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        page="The page you have reached",
        percent="How far you are, from 0 to 100",
        chapter="The chapter you have reached (kept as a chapter; alone, the page stays)",
        note=f"A short note for your history (up to {MAX_NOTE_LENGTH} characters)",
        edition_pages=EDITION_HELP,
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def update(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        page: app_commands.Range[int, 0, MAX_EDITION_PAGES] | None = None,
        percent: app_commands.Range[float, 0.0, 100.0] | None = None,
        chapter: app_commands.Range[int, 1, MAX_CHAPTER] | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE_LENGTH] | None = None,
        edition_pages: app_commands.Range[int, 1, MAX_EDITION_PAGES] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        check_progress_input(page, percent, edition_pages, chapter)

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            assert chosen.id is not None
            result = await self.readings.update_progress(
                guild_id,
                reply_to.user.id,
                chosen,
                page=page,
                percent=percent,
                note=note,
                edition_pages=edition_pages,
                chapter=chapter,
            )
            embed = progress_embed(result)
            if result.finished:
                view = await self._rating_invite(guild_id, reply_to.user.id, chosen, embed)
                await respond(reply_to, embed=embed, view=view, ephemeral=True)
            else:
                await respond(reply_to, embed=embed, ephemeral=True)
            await self.open_reached_rooms(reply_to, guild_id)

        await with_book(interaction, book, go)

    async def open_reached_rooms(
        self, interaction: discord.Interaction[Any], guild_id: int
    ) -> None:
        """After the answer: add the member to the club's checkpoint rooms their progress has
        now reached, and tell them privately (SPEC §11)."""
        joined = await self.bot.services.rooms.sync_member(
            guild_id, interaction.user.id, self.room_board
        )
        if (text := joined_text(joined)) is not None:
            await interaction.followup.send(text, ephemeral=True)

    async def _rating_invite(
        self, guild_id: int, user_id: int, book: Book, shown: discord.Embed
    ) -> RateInviteView:
        """A select of this server's star values; picking one rates the book (as /rate)."""
        assert book.id is not None
        book_id = book.id
        scale = await self.ratings.scale(guild_id)
        options = [
            (f"{stars.display()} — {label}", stars.as_number())
            for stars, label in reversed(scale.entries())
        ]

        async def rate(interaction: discord.Interaction[Any], value: str) -> None:
            result = await self.ratings.rate(guild_id, interaction.user.id, book_id, value)
            await interaction.response.edit_message(
                embeds=[shown, rated_embed(book, result)], view=None
            )

        return RateInviteView(options, rate, owner_id=user_id)

    # --- status changes -----------------------------------------------------------------

    async def _change(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        target: ReadingStatus,
        date: str | None,
        edition_pages: int | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        await self.readings.check_date(guild_id, interaction.user.id, date, target)

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            assert chosen.id is not None
            result = await self.readings.change_status(
                guild_id, reply_to.user.id, chosen, target, on=date, edition_pages=edition_pages
            )
            finished = target is ReadingStatus.FINISHED
            embed = status_embed(result, with_rating_menu=finished)
            if finished:
                view = await self._rating_invite(guild_id, reply_to.user.id, chosen, embed)
                await respond(reply_to, embed=embed, view=view, ephemeral=True)
            else:
                await respond(reply_to, embed=embed, ephemeral=True)
            await self.open_reached_rooms(reply_to, guild_id)

        await with_book(interaction, book, go)

    @progress.command(
        name="start", description="Start a book (or re-read one), today or back-dated."
    )
    @app_commands.describe(book=BOOK_OPTION_HELP, date=DATE_HELP, edition_pages=EDITION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def start(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        date: app_commands.Range[str, 1, 40] | None = None,
        edition_pages: app_commands.Range[int, 1, MAX_EDITION_PAGES] | None = None,
    ) -> None:
        await self._change(interaction, book, ReadingStatus.READING, date, edition_pages)

    @progress.command(name="pause", description="Put a book aside for now (resume with start).")
    @app_commands.describe(book=BOOK_OPTION_HELP, date=DATE_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def pause(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await self._change(interaction, book, ReadingStatus.PAUSED, date)

    @progress.command(name="finish", description="Mark a book finished, today or back-dated.")
    @app_commands.describe(book=BOOK_OPTION_HELP, date=DATE_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def finish(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await self._change(interaction, book, ReadingStatus.FINISHED, date)

    @progress.command(name="abandon", description="Stop reading a book (did not finish).")
    @app_commands.describe(book=BOOK_OPTION_HELP, date=DATE_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def abandon(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await self._change(interaction, book, ReadingStatus.DID_NOT_FINISH, date)

    # --- show, history ------------------------------------------------------------------

    @progress.command(name="show", description="Current reads with progress bars.")
    @app_commands.describe(member=MEMBER_HELP)
    async def show(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        member: discord.Member | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        user_id, name = member_target(interaction, member)
        current = await self.readings.current(guild_id, user_id)
        pages = current_pages(current, name)
        await respond(interaction, **paged(pages, owner_id=interaction.user.id), ephemeral=True)

    @progress.command(
        name="history", description="Every reading of a book and every update, dated."
    )
    @app_commands.describe(book=BOOK_OPTION_HELP, member=MEMBER_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def history(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        member: discord.Member | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        user_id, name = member_target(interaction, member)

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            assert chosen.id is not None
            found = await self.readings.history(guild_id, user_id, chosen.id)
            pages = history_pages(found, name)
            await respond(reply_to, **paged(pages, owner_id=reply_to.user.id), ephemeral=True)

        await with_book(interaction, book, go)

    # --- pace ---------------------------------------------------------------------------

    @progress.command(name="pace", description="Your pace to the club read's next checkpoint.")
    @app_commands.describe(book="The club read (the default): pace follows the club's schedule")
    @app_commands.autocomplete(book=book_autocomplete)
    async def pace(
        self, interaction: discord.Interaction[MarginaliaBot], book: str | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        clubs = self.bot.services.clubs
        if book is None:
            report = await clubs.pace(guild_id, interaction.user.id)
            await interaction.response.send_message(embed=pace_embed(report), ephemeral=True)
            return

        async def go(reply_to: discord.Interaction[Any], chosen: Book) -> None:
            report = await clubs.pace(guild_id, reply_to.user.id, chosen.id)
            await respond(reply_to, embed=pace_embed(report), ephemeral=True)

        await with_book(interaction, book, go)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Progress(bot))
