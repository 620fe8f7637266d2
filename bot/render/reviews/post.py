"""A review as Discord shows it: the post (one or more messages), the spoiler reveal and
the link to a post.

Spoiler safety lives in :mod:`bot.domain.markdown` and :mod:`bot.domain.spoilers`; this
module only arranges their output: member text goes through ``inert``/``paginate`` (escaped,
its own ``||…||`` parts kept hidden), the spoiler part only through ``paginate_spoiler`` (one
closed ``||…||`` span per page), content warnings through spoiler spans too. A spoiler page
is always an embed of its own, under a title of the bot's: no description holds both
spoiler-free text and the spoiler part. A long review continues over several embeds and
messages with "part n of m" footers; nothing is cut.

The post's persistent buttons live beside the reviews cog (cogs/reviews/_buttons.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import discord

from bot.db.reviews import StoredReview
from bot.domain.book import Book
from bot.domain.discord_limits import (
    EMBED_AUTHOR_NAME_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
)
from bot.domain.markdown import has_member_spoilers, inert, inert_heading, plain
from bot.domain.spoilers import (
    group_for_messages,
    paginate,
    paginate_spoiler,
)
from bot.domain.text import is_blank, strip_control_chars
from bot.domain.words import book_line, message_url, ordinal
from bot.services.reviews import (
    RevealCheck,
    ReviewContext,
)

REVIEW_COLOUR: Final = discord.Colour.from_rgb(120, 86, 160)
# Room kept for the "Review #123 · part 10 of 12 — continues below" footer in every message.
FOOTER_RESERVE: Final = 80


def review_jump_url(review: StoredReview) -> str | None:
    return message_url(review.guild_id, review.channel_id, review.message_id)


def book_heading(book: Book) -> str:
    """For the embed's author line, where Discord shows text raw (no Markdown)."""
    line = book_line(book.display_title, book.author_line, sep=" — ")
    return plain(line, EMBED_AUTHOR_NAME_LIMIT)


def safe_title(text: str) -> str:
    return inert_heading(text, EMBED_TITLE_LIMIT)


def rating_text(context: ReviewContext) -> str | None:
    stars = context.review.stars
    if stars is None:
        return None
    label = f" — {inert(context.rating_label, 200)}" if context.rating_label else ""
    return f"{stars.display()}{label}"


# --- the post ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostPage:
    """One embed's text: a page of the spoiler-free part, or a spoiler page under a title."""

    description: str
    title: str | None = None

    def __len__(self) -> int:
        return len(self.description) + len(self.title or "")


def shown_part(part: str | None) -> str | None:
    """An optional part of the review, or None when nothing of it would be visible (a
    stored or imported part made only of invisible characters is left out, never posted as
    a blank field)."""
    return None if part is None or is_blank(strip_control_chars(part)) else part


def _headline_in_title(context: ReviewContext) -> bool:
    """A headline with a member's own ``||…||`` part goes in the description, where spoiler
    tags work, not in the title."""
    headline = shown_part(context.review.headline)
    return headline is not None and not has_member_spoilers(headline)


def _first_embed(context: ReviewContext) -> discord.Embed:
    """The head of the post: everything but the text pages and the footer."""
    review, book = context.review, context.book
    title = review.headline if _headline_in_title(context) else None
    embed = discord.Embed(
        title=safe_title(title or f"Review of {book.display_title}"),
        colour=REVIEW_COLOUR,
    )
    embed.timestamp = review.created_at
    embed.set_author(name=book_heading(book))
    if book.cover_url:
        embed.set_thumbnail(url=book.cover_url)
    embed.add_field(name="Reviewer", value=f"<@{review.user_id}>")
    rating = rating_text(context)
    if rating:
        embed.add_field(name="Rating", value=rating)
    if review.read_number > 1:
        embed.add_field(name="Read-through", value=f"{ordinal(review.read_number)} read")
    recommended = inert(shown_part(review.recommended_for) or "", EMBED_FIELD_VALUE_LIMIT)
    if recommended:
        embed.add_field(name="Recommended for", value=recommended)
    warnings = paginate_spoiler(shown_part(review.content_warnings) or "", EMBED_FIELD_VALUE_LIMIT)
    for index, span in enumerate(warnings):
        name = "Content warnings" if index == 0 else "Content warnings (continued)"
        embed.add_field(name=name, value=span, inline=False)
    return embed


def _spoiler_title(context: ReviewContext, *, continued: bool) -> str:
    reach = context.review.spoiler_reach
    where = reach.describe() if reach else "the ending"
    more = ", continued" if continued else ""
    return f"Spoilers (up to {where}{more}) — tap to reveal"


def description_pages(context: ReviewContext, limit: int) -> list[PostPage]:
    """The spoiler-free pages (a headline holding a member's spoiler tags on top), then the
    spoiler pages, each alone in its embed under a title."""
    review = context.review
    text = review.body
    headline = shown_part(review.headline)
    if headline and not _headline_in_title(context):
        text = f"{headline}\n\n{text}" if text else headline
    pages = [PostPage(page) for page in paginate(text, limit)] if text else []
    if review.spoilers:
        first_title = _spoiler_title(context, continued=False)
        later_title = _spoiler_title(context, continued=True)
        spans = paginate_spoiler(review.spoilers, limit - len(later_title))
        pages.extend(
            PostPage(span, first_title if index == 0 else later_title)
            for index, span in enumerate(spans)
        )
    return pages


def review_messages(context: ReviewContext) -> list[list[discord.Embed]]:
    """The post as messages of embeds, in order; the first message carries the head.

    Every embed fits Discord's limits (4,096-character descriptions, 6,000 characters and
    10 embeds per message), counted after escaping.
    """
    head = _first_embed(context)
    reserved_first = len(head)
    limit = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - reserved_first - FOOTER_RESERVE)
    pages = description_pages(context, limit)
    if pages and pages[0].title is None:
        head.description = pages.pop(0).description
        reserved_first = len(head)
    groups = group_for_messages(
        [PostPage(""), *pages], reserved_first=reserved_first, reserved_each=FOOTER_RESERVE
    )
    messages: list[list[discord.Embed]] = []
    for index, group in enumerate(groups):
        embeds: list[discord.Embed] = []
        for position, page in enumerate(group):
            if index == 0 and position == 0:
                embeds.append(head)
            else:
                embed = discord.Embed(description=page.description, colour=REVIEW_COLOUR)
                if page.title:
                    embed.title = page.title
                embeds.append(embed)
        embeds[-1].set_footer(text=_footer(context.review.id, index, len(groups)))
        messages.append(embeds)
    return messages


def _footer(review_id: int, index: int, total: int) -> str:
    if total == 1:
        return f"Review #{review_id}"
    more = " — continues below" if index + 1 < total else ""
    return f"Review #{review_id} · part {index + 1} of {total}{more}"


def link_view(url: str | None, label: str = "Go to the post") -> discord.ui.View | None:
    if url is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=label, url=url))
    return view


# --- the spoiler reveal ------------------------------------------------------------------


def reveal_messages(context: ReviewContext) -> list[list[discord.Embed]]:
    """The spoiler part as plain text (for the member who asked, ephemerally)."""
    review = context.review
    reach = review.spoiler_reach
    title = safe_title(
        f"Spoilers — {shown_part(review.headline) or context.book.display_title}"
        + (f" (up to {reach.describe()})" if reach else "")
    )
    limit = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE)
    pages = paginate(review.spoilers or "", limit)
    groups = group_for_messages(pages, reserved_first=len(title), reserved_each=FOOTER_RESERVE)
    messages: list[list[discord.Embed]] = []
    for index, group in enumerate(groups):
        embeds = [discord.Embed(description=page, colour=REVIEW_COLOUR) for page in group]
        if index == 0:
            embeds[0].title = title
        embeds[-1].set_footer(text=_footer(review.id, index, len(groups)))
        messages.append(embeds)
    return messages


def reveal_warning_text(check: RevealCheck) -> str:
    """ "This goes to p. 250; you are on p. 120 — reveal anyway?" (the cog adds the button)."""
    reach = check.context.review.spoiler_reach
    where = reach.describe() if reach else "the ending"
    return f"This goes to {where}; {check.progress} — reveal anyway?"
