"""What the moderators' log channel is told about reviews: a flag, a removal, a post that
failed; and the question the flag menu asks."""

from __future__ import annotations

from typing import Final

import discord

from bot.db.reviews import StoredReview
from bot.domain.book import Book
from bot.domain.markdown import inert
from bot.domain.words import plural
from bot.render.reviews.post import book_heading, review_jump_url
from bot.services.reviews import (
    FlagResult,
)

MODLOG_COLOUR: Final = discord.Colour.orange()
EXCERPT_LENGTH: Final = 220
FLAG_QUESTION: Final = "Why should moderators look at this review?"


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    return inert(" ".join(text.split()), length)


def modlog_flag_embed(result: FlagResult, flagger_id: int) -> discord.Embed:
    review = result.context.review
    embed = discord.Embed(
        title="Review flagged",
        description=excerpt(review.body) if review.body else "*(spoiler part only)*",
        colour=MODLOG_COLOUR,
    )
    embed.set_author(name=book_heading(result.context.book))
    embed.add_field(name="Review", value=f"#{review.id} by <@{review.user_id}>")
    embed.add_field(name="Flagged by", value=f"<@{flagger_id}>")
    embed.add_field(name="Reason", value=result.reason, inline=False)
    members = plural(result.count, "member")
    embed.add_field(name="Flags so far", value=members)
    url = review_jump_url(review)
    if url:
        embed.add_field(name="Post", value=f"[Open the review]({url})")
    embed.set_footer(text="Remove it with /review delete book member (moderators).")
    return embed


def modlog_removed_embed(review: StoredReview, book: Book, moderator_id: int) -> discord.Embed:
    embed = discord.Embed(
        title="Review removed by a moderator",
        description=f"Review #{review.id} by <@{review.user_id}>, removed by <@{moderator_id}>.",
        colour=MODLOG_COLOUR,
    )
    embed.set_author(name=book_heading(book))
    return embed


def modlog_posting_failed_embed(review_id: int, channel_id: int, reason: str) -> discord.Embed:
    return discord.Embed(
        title="A review could not be posted",
        description=(
            f"Review #{review_id} could not be posted in <#{channel_id}>: {reason} "
            "Check the bot's permissions there (View Channel, Send Messages, Embed Links)."
        ),
        colour=MODLOG_COLOUR,
    )
