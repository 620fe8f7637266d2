"""/review list: a page of a book's reviews (no spoiler text) and its pager with Sort."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.domain.markdown import inert
from bot.domain.review import ReviewOrder
from bot.render._kit import PagerView
from bot.render.reviews.modlog import excerpt
from bot.render.reviews.post import REVIEW_COLOUR, review_jump_url, safe_title, shown_part
from bot.services.reviews import (
    PAGE_SIZE,
    ReviewPage,
)


def review_list_embed(page: ReviewPage) -> discord.Embed:
    """One page of reviews: who, rating, headline, likes and a spoiler-free excerpt."""
    order = "most liked first" if page.order is ReviewOrder.MOST_LIKED else "newest first"
    embed = discord.Embed(
        title=safe_title(f"Reviews of {page.book.display_title}"), colour=REVIEW_COLOUR
    )
    if not page.reviews:
        embed.description = "No reviews on this server yet. Write the first with `/review write`."
        return embed
    blocks: list[str] = []
    for number, review in enumerate(page.reviews, start=page.page * PAGE_SIZE + 1):
        parts = [f"**{number}.** <@{review.user_id}>"]
        if review.stars is not None:
            parts.append(review.stars.display())
        parts.append(f"♥ {review.likes}")
        url = review_jump_url(review)
        if url:
            parts.append(f"[post]({url})")
        lines = [" · ".join(parts)]
        if headline := shown_part(review.headline):
            lines.append(f"**{inert(headline, 200)}**")
        if review.body:
            lines.append(excerpt(review.body))
        if review.spoilers:
            reach = review.spoiler_reach
            lines.append(
                f"*Spoilers up to {reach.describe() if reach else 'the ending'} in the post*"
            )
        blocks.append("\n".join(lines))
    # five blocks of at most ~1,000 characters each: always within the 4,096 limit, and
    # never cut (a cut could split an escape or a spoiler span)
    embed.description = "\n\n".join(blocks)
    embed.set_footer(
        text=f"Page {page.page + 1} of {page.page_count} · {page.total} reviews · {order}"
    )
    return embed


PageLoader = Callable[[int, ReviewOrder], Awaitable[ReviewPage]]


def _sort_label(order: ReviewOrder) -> str:
    return "Sort: newest first" if order is ReviewOrder.MOST_LIKED else "Sort: most liked first"


def review_list_view(page: ReviewPage, load: PageLoader, *, owner_id: int) -> PagerView:
    """Previous / Next / sort buttons for the member who ran ``/review list``."""
    current = page
    sort: discord.ui.Button[PagerView] = discord.ui.Button(
        label=_sort_label(page.order), style=discord.ButtonStyle.primary
    )

    async def turn(index: int, order: ReviewOrder | None = None) -> tuple[discord.Embed, int, int]:
        nonlocal current
        current = await load(index, current.order if order is None else order)
        sort.label = _sort_label(current.order)
        return review_list_embed(current), current.page, current.page_count

    view = PagerView(
        turn,
        owner_id=owner_id,
        page_count=page.page_count,
        index=page.page,
        refusal="These buttons belong to someone else's list; run `/review list` yourself.",
    )

    async def flip_order(interaction: discord.Interaction[Any]) -> None:
        liked = current.order is ReviewOrder.MOST_LIKED
        embed, view.index, view.page_count = await turn(
            0, ReviewOrder.NEWEST if liked else ReviewOrder.MOST_LIKED
        )
        view.sync()
        await interaction.response.edit_message(embed=embed, view=view)

    sort.callback = flip_order  # type: ignore[method-assign]
    view.add_item(sort)
    return view
