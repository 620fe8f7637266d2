"""/review write|edit|delete|show|list, and what the buttons on a posted review do.

The Discord glue only: options and permissions are checked here, the rules live in
:class:`~bot.services.reviews.ReviewService`, the embeds and views in
:mod:`bot.render.reviews`. Posting goes to the server's review channel, else the channel the
command was used in; a failure there is reported to the moderators' log and the member is
told where the review went (or that it is saved but not posted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Sequence
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.db.review_drafts import StoredDraft
from bot.db.reviews import StoredReview
from bot.domain.book import Book
from bot.domain.discord_limits import (
    MODAL_TEXT_INPUT_LIMIT,
)
from bot.domain.markdown import inert, plain
from bot.domain.review import CONTENT_WARNINGS_MAX, ReviewOrder
from bot.domain.text import clean_line
from bot.domain.words import jump_url
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.render.reviews import (
    REVIEW_ITEMS,
    REVIEWS_COG_NAME,
    draft_view,
    flag_prompt,
    form_draft_id,
    form_error_embed,
    link_view,
    modlog_flag_embed,
    modlog_posting_failed_embed,
    modlog_removed_embed,
    reveal_messages,
    reveal_warning,
    review_jump_url,
    review_list_embed,
    review_list_view,
    review_messages,
    review_modal,
    review_view,
    submitted_form,
)
from bot.services.reviews import (
    ReviewContext,
    ReviewForm,
    ReviewPage,
    WritePlan,
)
from bot.tree import handle_interaction_error
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import (
    guild_id_of,
    is_moderator,
    require_moderator,
    review_post_refusal,
    review_refused_text,
    thread_refusal,
)

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
THREAD_ALREADY_CREATED = 160004
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week
PostChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel
Interaction = discord.Interaction[Any]


class Reviews(commands.Cog, name=REVIEWS_COG_NAME):
    review = app_commands.Group(
        name="review", description="Reviews with spoiler-safe posts.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.reviews
        self.ratings = bot.services.ratings
        self.drafts = bot.services.review_drafts
        # one thread creation at a time per review (the database keeps the first one anyway)
        self._thread_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*REVIEW_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*REVIEW_ITEMS)

    async def _star_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        choices = await self.ratings.star_choices(interaction.guild_id, current)
        return [app_commands.Choice(name=c.name, value=c.value) for c in choices]

    # --- /review write ------------------------------------------------------------------

    @review.command(name="write", description="Review a book: a form opens (long reviews: a file).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        stars="Your rating, 0.5 to 5 on this server's step (optional)",
        spoilers_reach='How far your spoilers go: "p250", "60%" or "ending" (the default)',
        file="A .txt or .md file for long reviews; spoilers after a line --- spoilers ---",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def write(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        stars: app_commands.Range[str, 1, 40] | None = None,
        spoilers_reach: app_commands.Range[str, 1, 40] | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if stars is not None:
            await self.ratings.precheck(guild_id, stars)  # fail before any lookup
        if file is not None:
            self.service.check_file_size(file.size)

        async def go(reply_to: Interaction, chosen: Book) -> None:
            assert chosen.id is not None
            plan = await self.service.plan_write(
                guild_id, reply_to.user.id, chosen, stars=stars, spoilers_reach=spoilers_reach
            )
            if file is not None:
                await self._write_from_file(reply_to, plan, file)
                return
            draft = await self.drafts.open_for_write(
                guild_id, reply_to.user.id, chosen.id, stars=stars, spoilers_reach=spoilers_reach
            )
            await self._open_form(reply_to, draft, chosen, "Open the review form")

        await with_book(interaction, book, go)

    @write.autocomplete("stars")
    async def write_stars(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._star_choices(interaction, current)

    async def _write_from_file(
        self, interaction: Interaction, plan: WritePlan, file: discord.Attachment
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            raise InvalidInput(
                "I couldn't download the attached file. Attach it again and resend the command."
            ) from None
        draft = self.service.draft_from_file(plan, data, file.filename)
        context = await self.service.write(guild_id, interaction.user.id, plan, draft)
        await self._publish_new(interaction, context)

    # --- the form: every submission is kept as a draft first -----------------------------

    async def _open_form(
        self, interaction: Interaction, draft: StoredDraft, book: Book, label: str
    ) -> None:
        """Open the form on the draft; a modal must be the first answer, so a deferred
        interaction gets a (persistent) button that opens it instead."""
        if interaction.response.is_done():
            await interaction.followup.send(
                "The form is ready — press the button to open it. Your text is kept until "
                "the review is posted, even if you close the form.",
                view=draft_view(draft.id, label),
                ephemeral=True,
            )
        else:
            await interaction.response.send_modal(review_modal(draft, book))

    async def open_draft(self, interaction: Interaction, draft_id: int) -> None:
        """The "Open the form" / "Fix it" button: the form again, holding the draft."""
        draft = await self.drafts.own(guild_id_of(interaction), interaction.user.id, draft_id)
        book = await self.bot.services.books.get(draft.guild_id, draft.book_id)
        await interaction.response.send_modal(review_modal(draft, book))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        """Review forms are answered here, not by discord.py's modal store, so a form
        submitted after any delay or a restart is still received (the draft is in the
        database)."""
        draft_id = form_draft_id(interaction)
        if draft_id is None:
            return
        try:
            await self._submitted(interaction, draft_id, submitted_form(interaction))
        except Exception as error:
            await handle_interaction_error(interaction, error)

    async def _submitted(self, interaction: Interaction, draft_id: int, form: ReviewForm) -> None:
        guild_id = guild_id_of(interaction)
        draft = await self.drafts.save(guild_id, interaction.user.id, draft_id, form)
        book = await self.bot.services.books.get(guild_id, draft.book_id)
        try:
            if draft.review_id is None:
                plan = await self.service.plan_write(
                    guild_id,
                    interaction.user.id,
                    book,
                    stars=draft.stars,
                    spoilers_reach=draft.spoilers_reach,
                )
                checked = self.service.draft_from_form(plan, form)
                await interaction.response.defer(ephemeral=True, thinking=True)
                context = await self.service.write(guild_id, interaction.user.id, plan, checked)
            else:
                context = await self.service.edit(
                    guild_id, interaction.user.id, draft.review_id, form
                )
                await interaction.response.defer(ephemeral=True, thinking=True)
        except InvalidInput as error:
            await interaction.response.send_message(
                embed=form_error_embed(error.message),
                view=draft_view(draft.id, "Fix it"),
                ephemeral=True,
            )
            return
        await self.drafts.discard(guild_id, draft.id)
        if draft.review_id is None:
            await self._publish_new(interaction, context)
        else:
            await self._publish_edit(interaction, context)

    # --- /review edit -------------------------------------------------------------------

    @review.command(name="edit", description="Change your review of a book.")
    @app_commands.describe(book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def edit(self, interaction: discord.Interaction[MarginaliaBot], book: str) -> None:
        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            review = await self.service.editable(guild_id, reply_to.user.id, chosen)
            if (
                len(review.body) > MODAL_TEXT_INPUT_LIMIT
                or len(review.spoilers or "") > MODAL_TEXT_INPUT_LIMIT
                or len(review.content_warnings or "") > CONTENT_WARNINGS_MAX
            ):
                raise InvalidInput(
                    "This review came from a file and is longer than the form holds (4,000 "
                    "characters a field). To change it, remove it with `/review delete` and "
                    "post the new version with `/review write` and the file."
                )
            draft = await self.drafts.open_for_edit(guild_id, reply_to.user.id, review)
            await self._open_form(reply_to, draft, chosen, "Open the edit form")

        await with_book(interaction, book, go)

    # --- /review delete -----------------------------------------------------------------

    @review.command(name="delete", description="Delete your review (moderators: anyone's).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        member="Moderators: whose review to remove (default: yours)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def delete(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        member: discord.Member | None = None,
    ) -> None:
        if member is not None and member.id != interaction.user.id:
            await require_moderator(interaction, "delete another member's review")

        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            if not reply_to.response.is_done():
                await reply_to.response.defer(ephemeral=True, thinking=True)
            target = member.id if member is not None else reply_to.user.id
            review = await self.service.delete(
                guild_id,
                reply_to.user.id,
                target,
                chosen,
                is_moderator=await is_moderator(reply_to),
            )
            left = await self._delete_post(review)
            whose = "your review" if target == reply_to.user.id else f"<@{target}>'s review"
            text = f"Deleted {whose} of {inert(chosen.title, 200)}"
            if not review.message_ids:
                text += "."
            elif not left:
                text += " and its post."
            else:
                text += (
                    ". I couldn't remove every posted message (I may lack access to that "
                    "channel now); a moderator can delete them by hand."
                )
            if target != reply_to.user.id:
                await self._report(guild_id, modlog_removed_embed(review, chosen, reply_to.user.id))
            await reply_to.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

        await with_book(interaction, book, go)

    # --- /review show, /review list -----------------------------------------------------

    @review.command(name="show", description="Show a member's review of a book (default: yours).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        member="Whose review (default: yours)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def show(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        member: discord.Member | None = None,
    ) -> None:
        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            target = member.id if member is not None else reply_to.user.id
            context = await self.service.find(guild_id, target, chosen)
            messages = review_messages(context)
            if len(messages) > 1 and not reply_to.response.is_done():
                await reply_to.response.defer(ephemeral=True, thinking=True)
            link = link_view(review_jump_url(context.review))
            for index, embeds in enumerate(messages):
                extra: dict[str, Any] = {"view": link} if index == 0 and link else {}
                await respond(
                    reply_to, embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra
                )

        await with_book(interaction, book, go)

    @review.command(name="list", description="Every review of a book here, without spoilers.")
    @app_commands.describe(book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def list_reviews(
        self, interaction: discord.Interaction[MarginaliaBot], book: str
    ) -> None:
        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            page = await self.service.page(guild_id, chosen, order=ReviewOrder.NEWEST)
            extra: dict[str, Any] = {}
            if page.total > 1:

                async def load(number: int, order: ReviewOrder) -> ReviewPage:
                    return await self.service.page(guild_id, chosen, order=order, page=number)

                extra["view"] = review_list_view(page, load, owner_id=reply_to.user.id)
            await respond(
                reply_to,
                embed=review_list_embed(page),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
                **extra,
            )

        await with_book(interaction, book, go)

    # --- posting ------------------------------------------------------------------------

    def _channel(self, guild_id: int, channel_id: int | None) -> PostChannel | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or channel_id is None:
            return None
        channel = guild.get_channel_or_thread(channel_id)
        return channel if isinstance(channel, PostChannel) else None

    async def _send_post(self, channel: PostChannel, context: ReviewContext) -> list[int]:
        """Send the review's messages in order; on failure remove the part already sent."""
        sent: list[discord.Message] = []
        try:
            for index, embeds in enumerate(review_messages(context)):
                if index == 0:
                    message = await channel.send(
                        embeds=embeds,
                        view=review_view(context.review),
                        allowed_mentions=NO_MENTIONS,
                    )
                else:
                    message = await channel.send(embeds=embeds, allowed_mentions=NO_MENTIONS)
                sent.append(message)
        except discord.HTTPException:
            strays: list[tuple[int, int]] = []
            for message in sent:
                try:
                    await message.delete()
                except discord.NotFound:
                    pass
                except discord.HTTPException:
                    strays.append((channel.id, message.id))
            # what could not be removed now goes with the review when it is deleted
            review = context.review
            await self.service.add_strays(review.guild_id, review.id, strays)
            raise
        return [message.id for message in sent]

    async def _publish_new(self, interaction: Interaction, context: ReviewContext) -> None:
        """Post a review (review channel, else here) and tell the member where it went."""
        guild_id = guild_id_of(interaction)
        review = context.review
        review_channel_id, _ = await self.service.review_channel(guild_id)
        candidates: list[PostChannel] = []
        failures: list[tuple[int, str]] = []
        if review_channel_id is not None:
            configured = self._channel(guild_id, review_channel_id)
            if configured is None:
                failures.append((review_channel_id, "the channel is gone or I can't see it."))
            else:
                candidates.append(configured)
        here = interaction.channel
        if isinstance(here, PostChannel) and all(c.id != here.id for c in candidates):
            candidates.append(here)
        posted: tuple[PostChannel, list[int]] | None = None
        refused: str | None = None  # the member may not have it posted there (not reported)
        for channel in candidates:
            at_review_channel = channel.id == review_channel_id
            lacking = review_post_refusal(interaction, channel, review_channel=at_review_channel)
            if lacking is not None:
                refused = review_refused_text(channel.id, lacking, review_channel=at_review_channel)
                break
            try:
                posted = channel, await self._send_post(channel, context)
                break
            except discord.Forbidden:
                failures.append((channel.id, "I lack permission to post there."))
            except discord.HTTPException as error:
                log.warning("posting review %s in %s failed: %s", review.id, channel.id, error)
                failures.append((channel.id, f"Discord refused the message ({error.status})."))
        told = False
        for channel_id, reason in failures:
            embed = modlog_posting_failed_embed(review.id, channel_id, reason)
            told = await self._report(guild_id, embed) or told
        if posted is None and refused is not None:
            await interaction.followup.send(refused, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if posted is None:
            reasons = " ".join(f"<#{channel_id}>: {reason}" for channel_id, reason in failures)
            await interaction.followup.send(
                "Your review is saved, but I couldn't post it. "
                + (reasons or "There is no channel here I can post in.")
                + " `/review show` displays it; ask a moderator to check my permissions, then "
                "`/review edit` posts it.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        channel, ids = posted
        await self.service.set_posted(guild_id, review.id, channel.id, ids)
        url = jump_url(guild_id, channel.id, ids[0])
        title = inert(context.book.title, 200)
        text = f"Your review of {title} is posted in {channel.mention}."
        if failures:
            text += " (I couldn't post in the review channel, so it went here"
            text += "; the moderators are told.)" if told else ".)"
        if len(ids) > 1:
            text += f" It is long, so it continues over {len(ids)} messages."
        await interaction.followup.send(
            text,
            view=link_view(url) or discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def _publish_edit(self, interaction: Interaction, context: ReviewContext) -> None:
        """Update the posted messages in place (adding or removing continuations as needed);
        a post that is gone is posted again."""
        review = context.review
        channel = self._channel(review.guild_id, review.channel_id)
        if channel is None or review.message_id is None:
            await self._publish_new(interaction, context)
            return
        messages = review_messages(context)
        try:
            await channel.get_partial_message(review.message_id).edit(
                embeds=messages[0], view=review_view(review), allowed_mentions=NO_MENTIONS
            )
        except discord.NotFound:
            await self._publish_new(interaction, context)
            return
        except discord.HTTPException as error:
            await self._report(
                review.guild_id,
                modlog_posting_failed_embed(
                    review.id, channel.id, f"editing failed ({error.status})."
                ),
            )
            await interaction.followup.send(
                "Your review is updated, but I couldn't update its post. `/review show` shows the "
                "new version; a moderator can check my permissions in that channel.",
                ephemeral=True,
            )
            return
        try:
            continuations = await self._sync_continuations(channel, review, messages[1:])
        except discord.HTTPException as error:
            await interaction.followup.send(
                "Your review is updated, but I couldn't update every part of its post "
                f"(Discord said {error.status}). `/review show` shows the new version; "
                "`/review edit` again retries.",
                ephemeral=True,
            )
            return
        ids = [review.message_id, *continuations]
        await self.service.set_posted(review.guild_id, review.id, channel.id, ids)
        url = review_jump_url(review)
        await interaction.followup.send(
            f"Your review of {inert(context.book.title, 200)} is updated.",
            view=link_view(url) or discord.utils.MISSING,
            ephemeral=True,
        )

    async def _sync_continuations(
        self,
        channel: PostChannel,
        review: StoredReview,
        messages: Sequence[list[discord.Embed]],
    ) -> list[int]:
        """Edit the continuation messages that exist, send the missing ones, delete the rest."""
        old = list(review.extra_message_ids)
        ids: list[int] = []
        try:
            await self._update_continuations(channel, messages, old, ids)
        except discord.HTTPException:
            # record what is posted now (sent so far, and the old ones not reached yet), so a
            # later delete or forget-me finds every message
            assert review.message_id is not None
            posted = [review.message_id, *ids, *(i for i in old[len(ids) :] if i not in ids)]
            await self.service.set_posted(review.guild_id, review.id, channel.id, posted)
            raise
        for surplus in old[len(messages) :]:
            with contextlib.suppress(discord.HTTPException):
                await channel.get_partial_message(surplus).delete()
        return ids

    async def _update_continuations(
        self,
        channel: PostChannel,
        messages: Sequence[list[discord.Embed]],
        old: list[int],
        ids: list[int],
    ) -> None:
        """Edit the continuations that exist, send the missing ones; ``ids`` grows as it goes."""
        for index, embeds in enumerate(messages):
            if index < len(old):
                try:
                    await channel.get_partial_message(old[index]).edit(
                        embeds=embeds, allowed_mentions=NO_MENTIONS
                    )
                except discord.NotFound:
                    pass
                else:
                    ids.append(old[index])
                    continue
            sent = await channel.send(embeds=embeds, allowed_mentions=NO_MENTIONS)
            ids.append(sent.id)

    async def _delete_post(self, review: StoredReview) -> list[int]:
        """Delete the review's messages (and strays of failed posts); returns those that
        could not be deleted."""
        left: list[int] = []
        for channel_id, message_id in review.all_messages:
            messageable = self._channel(
                review.guild_id, channel_id
            ) or self.bot.get_partial_messageable(channel_id, guild_id=review.guild_id)
            try:
                await messageable.get_partial_message(message_id).delete()
            except discord.NotFound:
                continue  # already gone
            except discord.HTTPException:
                left.append(message_id)
        return left

    async def _report(self, guild_id: int, embed: discord.Embed) -> bool:
        """Post in the moderators' log channel, if one is set; True if it was delivered."""
        _, modlog_channel_id = await self.service.review_channel(guild_id)
        channel = self._channel(guild_id, modlog_channel_id)
        if channel is None:
            return False
        try:
            await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            log.warning("could not report to the modlog of guild %s: %s", guild_id, error)
            return False
        return True

    # --- the buttons (ReviewActions) ----------------------------------------------------

    async def like(self, interaction: Interaction, review_id: int) -> None:
        guild_id = guild_id_of(interaction)
        result = await self.service.toggle_like(guild_id, review_id, interaction.user.id)
        view = review_view(result.review, likes=result.count)
        on_post = (
            interaction.message is not None and interaction.message.id == result.review.message_id
        )
        if on_post:
            await interaction.response.edit_message(view=view)
        else:
            await interaction.response.defer(ephemeral=True)
            channel = self._channel(guild_id, result.review.channel_id)
            if channel is not None and result.review.message_id is not None:
                with contextlib.suppress(discord.HTTPException):
                    await channel.get_partial_message(result.review.message_id).edit(view=view)
        text = (
            "You like this review. Click ❤️ again to take it back."
            if result.liked
            else "Like taken back."
        )
        await interaction.followup.send(text, ephemeral=True)

    async def reveal(self, interaction: Interaction, review_id: int, *, anyway: bool) -> None:
        check = await self.service.check_reveal(
            guild_id_of(interaction), review_id, interaction.user.id
        )
        if not (check.reached or anyway):
            text, view = reveal_warning(check)
            await interaction.response.send_message(text, view=view, ephemeral=True)
            return
        messages = reveal_messages(check.context)
        warning = interaction.message
        if anyway and warning is not None and warning.flags.ephemeral:
            await interaction.response.edit_message(content=None, embeds=messages[0], view=None)
        else:
            await interaction.response.send_message(
                embeds=messages[0], ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        for embeds in messages[1:]:
            await interaction.followup.send(
                embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    async def discuss(self, interaction: Interaction, review_id: int) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        lock = self._thread_locks.get(review_id)
        if lock is None:
            lock = self._thread_locks[review_id] = asyncio.Lock()
        async with lock:
            context = await self.service.context(guild_id, review_id)
            thread = await self._thread_for(context, interaction)
        joined = False
        if not thread.archived:
            with contextlib.suppress(discord.HTTPException):
                await thread.add_user(interaction.user)
                joined = True
        note = " — you're added to it." if joined else "."
        await interaction.followup.send(
            f"The discussion of this review is in {thread.mention}{note}", ephemeral=True
        )

    async def _thread_for(self, context: ReviewContext, opener: Interaction) -> discord.Thread:
        """The review's thread: the stored one if it still exists, else a new one (once), if
        the member who asked may open threads there."""
        review = context.review
        guild = self.bot.get_guild(review.guild_id)
        if guild is None:
            raise NotFound("I can't see this server right now; try again in a minute.")
        if review.thread_id is not None:
            existing = await self._fetch_thread(guild, review.thread_id)
            if existing is not None:
                return existing
            await self.service.forget_thread(review.guild_id, review.id)
        channel = self._channel(review.guild_id, review.channel_id)
        if not isinstance(channel, discord.TextChannel) or review.message_id is None:
            raise Conflict(
                "This review's post is not in a channel where threads can be opened. "
                "Discuss it in the channel instead."
            )
        lacking = thread_refusal(opener, channel)
        if lacking is not None:
            raise PermissionDenied(
                f"You don't have the {lacking} permission in {channel.mention}, so I won't "
                "open a discussion thread for you. Once a member who may opens one, Discuss "
                "adds you to it."
            )
        message = channel.get_partial_message(review.message_id)
        name = plain(clean_line(f"{context.book.title} — review #{review.id}"), 100)
        try:
            thread = await message.create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except discord.HTTPException as error:
            if error.code != THREAD_ALREADY_CREATED:
                if isinstance(error, discord.Forbidden):
                    await self._report(
                        review.guild_id,
                        modlog_posting_failed_embed(
                            review.id, channel.id, "I can't open a discussion thread there."
                        ),
                    )
                    raise Conflict(
                        "I'm not allowed to open threads in that channel; the moderators are "
                        "told. Discuss it in the channel for now."
                    ) from None
                raise
            # a thread from a message has the message's id
            found = await self._fetch_thread(guild, review.message_id)
            if found is None:
                raise
            thread = found
        stored = await self.service.claim_thread(review.guild_id, review.id, thread.id)
        if stored != thread.id:
            other = await self._fetch_thread(guild, stored)
            if other is not None:
                return other
        return thread

    async def _fetch_thread(self, guild: discord.Guild, thread_id: int) -> discord.Thread | None:
        cached = guild.get_thread(thread_id)
        if cached is not None:
            return cached
        try:
            fetched = await self.bot.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None
        return fetched if isinstance(fetched, discord.Thread) else None

    async def flag(self, interaction: Interaction, review_id: int) -> None:
        context = await self.service.context(guild_id_of(interaction), review_id)
        if context.review.user_id == interaction.user.id:
            raise InvalidInput(
                "That's your own review: change it with `/review edit` or remove it with "
                "`/review delete`."
            )
        text, view = flag_prompt(review_id)
        await interaction.response.send_message(text, view=view, ephemeral=True)

    async def flag_reason(self, interaction: Interaction, review_id: int, reason: str) -> None:
        guild_id = guild_id_of(interaction)
        result = await self.service.flag(guild_id, review_id, interaction.user.id, reason)
        await interaction.response.defer()
        if not result.new:
            text = (
                "You have flagged this review already; a member's flags count once. "
                "The moderators have it."
            )
        elif await self._report(guild_id, modlog_flag_embed(result, interaction.user.id)):
            text = "Thanks — the moderators have been told."
        else:
            text = "Thanks — your flag is recorded for the moderators."
        await interaction.edit_original_response(content=text, view=None)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Reviews(bot))
