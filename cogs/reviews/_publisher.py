"""Where a review goes and what happens to its messages: posting (the review channel, else
the channel the command was used in), editing in place with its continuation messages,
deleting, the discussion thread, and reports to the moderators' log.

A failure to post is reported to the moderators' log and the member is told where the
review went (or that it is saved but not posted).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any, Literal

import discord

from bot.app import MarginaliaBot
from bot.db.reviews import StoredReview
from bot.domain.markdown import inert, plain
from bot.domain.text import clean_line
from bot.domain.words import jump_url
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.render.reviews import (
    link_view,
    modlog_posting_failed_embed,
    review_jump_url,
    review_messages,
)
from bot.services.reviews import (
    ReviewContext,
)
from cogs._checks import (
    guild_id_of,
    review_post_refusal,
    review_refused_text,
    thread_refusal,
)
from cogs.reviews._buttons import (
    review_view,
)

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
THREAD_ALREADY_CREATED = 160004
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week
PostChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel
Interaction = discord.Interaction[Any]


class ReviewPublisher:
    """The review's messages on Discord, for the cog and its buttons."""

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.reviews

    def channel(self, guild_id: int, channel_id: int | None) -> PostChannel | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or channel_id is None:
            return None
        channel = guild.get_channel_or_thread(channel_id)
        return channel if isinstance(channel, PostChannel) else None

    async def send_post(self, channel: PostChannel, context: ReviewContext) -> list[int]:
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

    async def publish_new(self, interaction: Interaction, context: ReviewContext) -> None:
        """Post a review (review channel, else here) and tell the member where it went."""
        guild_id = guild_id_of(interaction)
        review = context.review
        review_channel_id, _ = await self.service.review_channel(guild_id)
        candidates: list[PostChannel] = []
        failures: list[tuple[int, str]] = []
        if review_channel_id is not None:
            configured = self.channel(guild_id, review_channel_id)
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
                posted = channel, await self.send_post(channel, context)
                break
            except discord.Forbidden:
                failures.append((channel.id, "I lack permission to post there."))
            except discord.HTTPException as error:
                log.warning("posting review %s in %s failed: %s", review.id, channel.id, error)
                failures.append((channel.id, f"Discord refused the message ({error.status})."))
        told = False
        for channel_id, reason in failures:
            embed = modlog_posting_failed_embed(review.id, channel_id, reason)
            told = await self.report(guild_id, embed) or told
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
        # the author's followers hear of it (spoiler-free text only) in their next batch
        await self.bot.services.follows.review_posted(
            guild_id,
            review.user_id,
            context.book.display_title,
            review.headline,
            review.body,
            channel.id,
            ids[0],
        )
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

    async def publish_edit(self, interaction: Interaction, context: ReviewContext) -> None:
        """Update the posted messages in place (adding or removing continuations as needed);
        a post that is gone is posted again."""
        review = context.review
        channel = self.channel(review.guild_id, review.channel_id)
        if channel is None or review.message_id is None:
            await self.publish_new(interaction, context)
            return
        messages = review_messages(context)
        try:
            await channel.get_partial_message(review.message_id).edit(
                embeds=messages[0], view=review_view(review), allowed_mentions=NO_MENTIONS
            )
        except discord.NotFound:
            await self.publish_new(interaction, context)
            return
        except discord.HTTPException as error:
            await self.report(
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

    async def delete_post(self, review: StoredReview) -> list[int]:
        """Delete the review's messages (and strays of failed posts); returns those that
        could not be deleted."""
        left: list[int] = []
        for channel_id, message_id in review.all_messages:
            messageable = self.channel(
                review.guild_id, channel_id
            ) or self.bot.get_partial_messageable(channel_id, guild_id=review.guild_id)
            try:
                await messageable.get_partial_message(message_id).delete()
            except discord.NotFound:
                continue  # already gone
            except discord.HTTPException:
                left.append(message_id)
        return left

    async def report(self, guild_id: int, embed: discord.Embed) -> bool:
        """Post in the moderators' log channel, if one is set; True if it was delivered."""
        _, modlog_channel_id = await self.service.review_channel(guild_id)
        channel = self.channel(guild_id, modlog_channel_id)
        if channel is None:
            return False
        try:
            await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            log.warning("could not report to the modlog of guild %s: %s", guild_id, error)
            return False
        return True

    async def thread_for(self, context: ReviewContext, opener: Interaction) -> discord.Thread:
        """The review's thread: the stored one if it still exists, else a new one (once), if
        the member who asked may open threads there."""
        review = context.review
        guild = self.bot.get_guild(review.guild_id)
        if guild is None:
            raise NotFound("I can't see this server right now; try again in a minute.")
        if review.thread_id is not None:
            existing = await self.fetch_thread(guild, review.thread_id)
            if existing is not None:
                return existing
            await self.service.forget_thread(review.guild_id, review.id)
        channel = self.channel(review.guild_id, review.channel_id)
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
                    await self.report(
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
            found = await self.fetch_thread(guild, review.message_id)
            if found is None:
                raise
            thread = found
        stored = await self.service.claim_thread(review.guild_id, review.id, thread.id)
        if stored != thread.id:
            other = await self.fetch_thread(guild, stored)
            if other is not None:
                return other
        return thread

    async def fetch_thread(self, guild: discord.Guild, thread_id: int) -> discord.Thread | None:
        cached = guild.get_thread(thread_id)
        if cached is not None:
            return cached
        try:
            fetched = await self.bot.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None
        return fetched if isinstance(fetched, discord.Thread) else None
