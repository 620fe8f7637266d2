"""/club pick, /club schedule add, /club status, /club end, /club nominate, /club
nominations, /club suggest, /club vote start|status|close (the vote's Discord side and its
buttons are in cogs/_votes.py; the vote closes itself on :meth:`Clubs.vote_loop`'s tick),
/club rooms on|off|join (checkpoint rooms; their Discord side is cogs/_rooms.py),
/club question add|list (discussion questions posted in the rooms), /club guard add|off (the
spoiler guard, an AutoMod rule; its Discord side is cogs/_guard.py), /club nudges on|off
(the nudges go out on :meth:`Clubs.nudge_loop`'s tick), /club meeting add|list|cancel,
/club reminders on|off (their Discord side is cogs/_meetings.py; reminders are posted by
cogs/meetings.py's loop).

Length (~660 lines): every ``/club`` subcommand has to be defined in the cog that owns the
``club`` group, so this is the one place for them; each command is a few lines calling its
service, and the Discord-side work lives in cogs/_votes.py, cogs/_rooms.py, cogs/_guard.py
and cogs/_meetings.py.

``/club status`` is for everyone, so the ``club`` group cannot carry Discord's default
permissions (they apply to a whole top-level command); pick, schedule and end check for a
moderator here, on the server side (cogs/_checks.py).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Final

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.domain.markdown import inert, spoiler_span
from bot.domain.meetings import MAX_MEETINGS_IN_SERIES, Repeat
from bot.render.clubs import announcement_embed, ended_embed, schedule_embed, status_embed
from bot.render.meetings import added_embed, cancelled_text, meetings_embed, reminders_text
from bot.render.nominations import (
    SuggestionsView,
    nominated_embed,
    nominations_embed,
    suggestions_embed,
)
from bot.render.pace import nudge_embed
from bot.render.questions import QuestionReviewView, question_added_embed, questions_embed
from bot.render.ratings import StarsView, rated_embed
from bot.render.votes import (
    BallotView,
    ballot_embed,
    ballot_kept_embed,
    vote_opened_reply,
    vote_status_line,
)
from bot.services.nominations import check_pitch
from bot.services.questions import MAX_QUESTION_LENGTH
from bot.shards import serves_guild
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of, guild_of, is_moderator, require_moderator
from cogs._guard import DiscordGuardBoard
from cogs._meetings import (
    DiscordMeetings,
    checkpoint_autocomplete,
    meeting_autocomplete,
    meeting_id,
    meeting_place,
    where_autocomplete,
)
from cogs._rooms import DiscordRoomBoard, joined_text
from cogs._votes import CLUB_ITEMS, DiscordVoteBoard, rate_it_view

log = logging.getLogger(__name__)

EVERYONE_CAN = "Everyone can use /club status."
EVERYONE_MEETS = "Everyone can see them with /club meeting list."
VOTE_TICK_SECONDS: Final = 60.0
NUDGE_TICK_SECONDS: Final = 900.0
STYLE_CHOICES: Final = [
    app_commands.Choice(name="poll — a Discord poll (up to 10 nominees)", value="poll"),
    app_commands.Choice(name="ranked — rank up to three, instant runoff", value="ranked"),
]


class Clubs(commands.Cog):
    club = app_commands.Group(
        name="club",
        description="The server's club read: pick it, schedule it, see where everyone is.",
        guild_only=True,
    )
    schedule = app_commands.Group(
        name="schedule", description="The club read's checkpoints.", parent=club
    )
    vote = app_commands.Group(
        name="vote", description="Vote on the club's next read among the nominations.", parent=club
    )
    question = app_commands.Group(
        name="question", description="Discussion questions for the checkpoint rooms.", parent=club
    )
    guard = app_commands.Group(
        name="guard",
        description="The spoiler guard: block words outside the rooms while the read runs.",
        parent=club,
    )
    nudges = app_commands.Group(
        name="nudges",
        description="A private nudge two days before a checkpoint when you are behind.",
        parent=club,
    )
    rooms = app_commands.Group(
        name="rooms",
        description="Checkpoint rooms: a private thread per checkpoint, open as you reach it.",
        parent=club,
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.clubs
        self.nominations = bot.services.nominations
        self.votes = bot.services.votes
        self.board = DiscordVoteBoard(bot)
        self.room_service = bot.services.rooms
        self.room_board = DiscordRoomBoard(bot)
        self.questions = bot.services.questions
        self.guards = bot.services.guard
        self.guard_board = DiscordGuardBoard(bot)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*CLUB_ITEMS)
        self.vote_loop.start()
        self.nudge_loop.start()

    async def cog_unload(self) -> None:
        self.vote_loop.cancel()
        self.nudge_loop.cancel()
        self.bot.remove_dynamic_items(*CLUB_ITEMS)

    @tasks.loop(seconds=VOTE_TICK_SECONDS)
    async def vote_loop(self) -> None:
        """Close due votes (also ones that came due while the bot was down) of the guilds
        this process serves; the database makes each close once across processes."""
        try:
            await self.votes.close_due(self.board, partial(serves_guild, self.bot))
        except Exception:
            log.exception("closing due votes failed; trying again in %.0f s", VOTE_TICK_SECONDS)

    @vote_loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @tasks.loop(seconds=NUDGE_TICK_SECONDS)
    async def nudge_loop(self) -> None:
        try:
            await self.send_nudges()
        except Exception:
            log.exception("sending nudges failed; trying again in %.0f s", NUDGE_TICK_SECONDS)

    @nudge_loop.before_loop
    async def _wait_for_nudges(self) -> None:
        await self.bot.wait_until_ready()

    async def send_nudges(self) -> int:
        """Send the due nudges (claimed once in the database); a member whose DMs are closed
        is skipped quietly — nobody sees that as an error. How many were delivered."""
        sent = 0
        for nudge in await self.bot.services.nudges.due(partial(serves_guild, self.bot)):
            guild = self.bot.get_guild(nudge.guild_id)
            try:
                user = self.bot.get_user(nudge.user_id) or await self.bot.fetch_user(nudge.user_id)
                await user.send(
                    embed=nudge_embed(nudge.report, guild.name if guild else None),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except (discord.Forbidden, discord.NotFound) as closed:
                log.debug("nudge to %d not delivered: %s", nudge.user_id, closed)
                continue
            sent += 1
        return sent

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
        # with checkpoint rooms on, the new checkpoint gets its room (after the answer)
        if await self.room_service.checkpoint_added(guild_id, self.room_board):
            await self.questions.post_ready(guild_id, self.room_board)
            await self.guards.refresh(guild_id, self.guard_board)  # the new room is exempt

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
        await self.room_service.close_club_rooms(ended.view.club.id, self.room_board)
        await self.guards.remove(guild_id, ended.view.club.id, self.guard_board)
        await interaction.followup.send(
            embed=ended_embed(ended),
            view=rate_it_view(ended.view.club.book_id),
            allowed_mentions=discord.AllowedMentions.none(),
        )

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
        await self.votes.nominations_open(guild_id)

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
            await self.votes.nominations_open(guild_id)
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
        name="reminders", description="Pings before meetings you are Interested in.", parent=club
    )

    @meeting.command(name="add", description="Moderators: schedule a meeting (a Discord event).")
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

    # --- checkpoint rooms ----------------------------------------------------------------------

    @rooms.command(name="on", description="Moderators: open a private room per checkpoint.")
    async def rooms_on(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await require_moderator(interaction, "turn checkpoint rooms on", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await self.service.require_active(guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.channel_id is not None
        done = await self.room_service.turn_on(guild_id, interaction.channel_id, self.room_board)
        await self.questions.post_ready(guild_id, self.room_board)  # approved ones waiting
        await self.guards.refresh(guild_id, self.guard_board)  # guarded words allowed there
        await interaction.followup.send(
            f"Checkpoint rooms are on in <#{done.channel_id}>: {done.rooms} room(s) "
            f"({done.opened} opened now). {done.members_added} member place(s) given to those "
            "who have reached a checkpoint; everyone else joins as their progress gets there "
            "(or with /club rooms join).",
            ephemeral=True,
        )

    @rooms.command(name="off", description="Moderators: archive and lock the checkpoint rooms.")
    async def rooms_off(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await require_moderator(interaction, "turn checkpoint rooms off", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await self.service.require_active(guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        closed = await self.room_service.turn_off(guild_id, self.room_board)
        await interaction.followup.send(
            f"Checkpoint rooms are off: {closed} room(s) archived and locked.", ephemeral=True
        )

    @rooms.command(name="join", description="Join every checkpoint room your progress has reached.")
    async def rooms_join(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        if not await self.room_service.rooms_enabled(guild_id):
            await interaction.response.send_message(
                "The club read has no checkpoint rooms. A moderator can turn them on with "
                "/club rooms on.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        joined = await self.room_service.sync_member(
            guild_id, interaction.user.id, self.room_board, again=True
        )
        text = joined_text(joined) or (
            "Your logged progress has not reached a checkpoint yet. Log it with "
            "/progress update, and you join its room."
        )
        await interaction.followup.send(text, ephemeral=True)

    # --- nudges --------------------------------------------------------------------------------

    @nudges.command(name="on", description="Get a private nudge when you fall behind the schedule.")
    async def nudges_on(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self.bot.services.nudges.set(guild_id_of(interaction), interaction.user.id, True)
        await interaction.response.send_message(
            "Nudges are on: if you are behind the club's schedule two days before a "
            "checkpoint, I send you one direct message with your pace. Nobody else is told.",
            ephemeral=True,
        )

    @nudges.command(name="off", description="No more nudges from the club read.")
    async def nudges_off(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self.bot.services.nudges.set(guild_id_of(interaction), interaction.user.id, False)
        await interaction.response.send_message("Nudges are off.", ephemeral=True)

    # --- the spoiler guard ---------------------------------------------------------------------

    @guard.command(name="add", description="Moderators: block spoiler words outside the rooms.")
    @app_commands.describe(
        words="Names or phrases that give the book away, separated by commas",
    )
    async def guard_add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        words: app_commands.Range[str, 1, 1000],
    ) -> None:
        await require_moderator(interaction, "set the spoiler guard", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await self.guards.add(guild_id, words, self.guard_board)
        shown = ", ".join(f"“{w}”" for w in done.words[:20])
        more = f" and {len(done.words) - 20} more" if len(done.words) > 20 else ""
        await interaction.followup.send(
            f"The spoiler guard blocks {len(done.words)} word(s) ({done.added} new): "
            f"{spoiler_span(shown + more)} — everywhere but the checkpoint rooms and the "
            f"review channel ({done.exempt} exempt). It ends with the read (/club end) or "
            "/club guard off.",
            ephemeral=True,
        )

    @guard.command(name="off", description="Moderators: remove the spoiler guard.")
    async def guard_off(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await require_moderator(interaction, "turn the spoiler guard off", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = await self.guards.off(guild_id, self.guard_board)
        text = (
            f"The spoiler guard is off ({removed} word(s) no longer blocked)."
            if removed
            else "There was no spoiler guard to turn off."
        )
        await interaction.followup.send(text, ephemeral=True)

    # --- discussion questions ------------------------------------------------------------------

    async def _checkpoint_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        typed = current.casefold().strip()
        return [
            app_commands.Choice(name=c.label[:100], value=str(c.checkpoint_id))
            for c in await self.questions.checkpoints(interaction.guild_id)
            if typed in c.label.casefold()
        ][:25]

    @question.command(name="add", description="Propose a discussion question for a checkpoint.")
    @app_commands.describe(
        checkpoint="The part of the book it is about (its room is where it will be posted)",
        text=f"The question (up to {MAX_QUESTION_LENGTH} characters)",
    )
    async def question_add(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        checkpoint: app_commands.Range[str, 1, 100],
        text: app_commands.Range[str, 1, 2000],
    ) -> None:
        added = await self.questions.add(
            guild_id_of(interaction), interaction.user.id, checkpoint, text
        )
        await interaction.response.send_message(embed=question_added_embed(added), ephemeral=True)

    @question_add.autocomplete("checkpoint")
    async def question_checkpoint(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._checkpoint_choices(interaction, current)

    @question.command(name="list", description="The discussion questions (moderators decide).")
    async def question_list(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        moderator = await is_moderator(interaction)
        found = await self.questions.listed(guild_id, interaction.user.id, moderator=moderator)
        embed = questions_embed(found, moderator=moderator)
        if not moderator or not any(q.status == "pending" for q in found):
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return

        async def decide(
            clicked: discord.Interaction[Any], question_id: int, approve: bool
        ) -> None:
            await require_moderator(clicked, "decide on questions")
            await self.questions.decide(
                guild_id, question_id, approve=approve, board=self.room_board
            )
            now = await self.questions.listed(guild_id, clicked.user.id, moderator=True)
            await clicked.response.edit_message(
                embed=questions_embed(now, moderator=True),
                view=QuestionReviewView(clicked.user.id, now, decide),
            )

        view = QuestionReviewView(interaction.user.id, found, decide)
        await respond(interaction, embed=embed, view=view, ephemeral=True)

    # --- the vote on the next read -----------------------------------------------------------

    @vote.command(name="start", description="Moderators: close nominations and open the vote.")
    @app_commands.describe(
        style="A Discord poll (up to 10 nominees) or a ranked vote (default: poll when it fits)",
        closes='How long it is open, e.g. "3 days" or "36 hours", or its last day (default 3 days)',
    )
    @app_commands.choices(style=STYLE_CHOICES)
    async def vote_start(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        style: app_commands.Choice[str] | None = None,
        closes: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await require_moderator(interaction, "start the vote", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        plan = await self.votes.plan(guild_id, style.value if style else None, closes)
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel_id = interaction.channel_id
        assert channel_id is not None  # a guild command always has a channel
        opened = await self.votes.start(plan, fallback_channel_id=channel_id, board=self.board)
        await interaction.followup.send(
            vote_opened_reply(opened, plan.style_reason), ephemeral=True
        )

    @vote.command(name="status", description="Whether a vote is open and when it closes.")
    async def vote_status(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        running = await self.votes.running(guild_id_of(interaction))
        text = (
            vote_status_line(*running)
            if running is not None
            else "There is no vote open. A moderator can start one with /club vote start."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @vote.command(name="close", description="Moderators: close the vote now and announce it.")
    async def vote_close(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await require_moderator(interaction, "close the vote", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        closed = await self.votes.close_now(guild_id, self.board)
        where = f"<#{closed.vote.channel_id}>" if closed is not None else "the club channel"
        await interaction.followup.send(f"The vote is closed; the result is in {where}.")

    async def open_ballot(self, interaction: discord.Interaction[Any], vote_id: int) -> None:
        """**Vote**: the member's ballot, privately."""
        guild_id = guild_id_of(interaction)
        user_id = interaction.user.id
        form = await self.votes.ballot_form(guild_id, vote_id, user_id)

        async def submit(clicked: discord.Interaction[Any], ranking: list[int]) -> None:
            vote, ranked = await self.votes.cast(guild_id, vote_id, user_id, ranking)
            await clicked.response.edit_message(embed=ballot_kept_embed(vote, ranked), view=None)

        await interaction.response.send_message(
            embed=ballot_embed(form), view=BallotView(form, user_id, submit), ephemeral=True
        )

    async def start_winner(self, interaction: discord.Interaction[Any], vote_id: int) -> None:
        """**Start this read**: what /club pick does, with the vote's winner."""
        await require_moderator(interaction, "start the club read", instead=EVERYONE_CAN)
        guild_id = guild_id_of(interaction)
        book_id = await self.votes.winner_of(guild_id, vote_id)
        await self.service.check_pick(guild_id, start=None, end=None)
        book = await self.bot.services.books.get(guild_id, book_id)
        view = await self.service.pick(
            guild_id,
            interaction.user.id,
            book,
            start=None,
            end=None,
            channel_id=interaction.channel_id,
        )
        await interaction.response.send_message(embed=announcement_embed(view))

    async def rate_prompt(self, interaction: discord.Interaction[Any], book_id: int) -> None:
        """**Rate it** on the wrap-up: the server's star values in a menu, privately."""
        guild_id = guild_id_of(interaction)
        book = await self.bot.services.books.get(guild_id, book_id)
        ratings = self.bot.services.ratings
        choices = await ratings.star_choices(guild_id, "")

        async def chosen(picked: discord.Interaction[Any], stars: str) -> None:
            result = await ratings.rate(guild_id, picked.user.id, book_id, stars)
            await picked.response.edit_message(embed=rated_embed(book, result), view=None)

        view = StarsView(interaction.user.id, [(c.name, c.value) for c in choices], chosen)
        await interaction.response.send_message(
            f"How many stars for “{inert(book.display_title, 200)}”?", view=view, ephemeral=True
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Clubs(bot))
