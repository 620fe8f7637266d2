"""What the buttons on a posted review do: Like, Reveal spoilers (with the progress
warning), Discuss (the review's thread), Flag (and its reason), and the form button."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

import discord

from bot.app import MarginaliaBot
from bot.errors import InvalidInput
from bot.render.reviews import (
    FLAG_QUESTION,
    modlog_flag_embed,
    reveal_messages,
    reveal_warning_text,
    review_modal,
)
from cogs._checks import (
    guild_id_of,
)
from cogs.reviews._buttons import (
    flag_view,
    reveal_anyway_view,
    review_view,
)
from cogs.reviews._publisher import ReviewPublisher

NO_MENTIONS = discord.AllowedMentions.none()
Interaction = discord.Interaction[Any]


class ButtonActions:
    """The :class:`~cogs.reviews._buttons.ReviewActions` of the reviews cog."""

    def __init__(self, bot: MarginaliaBot, publisher: ReviewPublisher) -> None:
        self.service = bot.services.reviews
        self.drafts = bot.services.review_drafts
        self.books = bot.services.books
        self.publisher = publisher
        # one thread creation at a time per review (the database keeps the first one anyway)
        self._thread_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

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
            channel = self.publisher.channel(guild_id, result.review.channel_id)
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
            await interaction.response.send_message(
                reveal_warning_text(check),
                view=reveal_anyway_view(review_id),
                ephemeral=True,
            )
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
            thread = await self.publisher.thread_for(context, interaction)
        joined = False
        if not thread.archived:
            with contextlib.suppress(discord.HTTPException):
                await thread.add_user(interaction.user)
                joined = True
        note = " — you're added to it." if joined else "."
        await interaction.followup.send(
            f"The discussion of this review is in {thread.mention}{note}", ephemeral=True
        )

    async def flag(self, interaction: Interaction, review_id: int) -> None:
        context = await self.service.context(guild_id_of(interaction), review_id)
        if context.review.user_id == interaction.user.id:
            raise InvalidInput(
                "That's your own review: change it with `/review edit` or remove it with "
                "`/review delete`."
            )
        await interaction.response.send_message(
            FLAG_QUESTION, view=flag_view(review_id), ephemeral=True
        )

    async def flag_reason(self, interaction: Interaction, review_id: int, reason: str) -> None:
        guild_id = guild_id_of(interaction)
        result = await self.service.flag(guild_id, review_id, interaction.user.id, reason)
        await interaction.response.defer()
        if not result.new:
            text = (
                "You have flagged this review already; a member's flags count once. "
                "The moderators have it."
            )
        elif await self.publisher.report(guild_id, modlog_flag_embed(result, interaction.user.id)):
            text = "Thanks — the moderators have been told."
        else:
            text = "Thanks — your flag is recorded for the moderators."
        await interaction.edit_original_response(content=text, view=None)

    async def open_draft(self, interaction: Interaction, draft_id: int) -> None:
        """The "Open the form" / "Fix it" button: the form again, holding the draft."""
        draft = await self.drafts.own(guild_id_of(interaction), interaction.user.id, draft_id)
        book = await self.books.get(draft.guild_id, draft.book_id)
        await interaction.response.send_modal(review_modal(draft, book))
