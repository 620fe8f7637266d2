"""Book embeds: the card (/book info), search results, the pick-a-book menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.db.books import BookStats
from bot.domain.book import Book
from bot.domain.discord_limits import (
    EMBED_DESCRIPTION_LIMIT as EMBED_DESCRIPTION,
)
from bot.domain.discord_limits import (
    EMBED_FIELD_VALUE_LIMIT as FIELD_VALUE,
)
from bot.domain.discord_limits import (
    EMBED_TITLE_LIMIT as TITLE,
)
from bot.domain.markdown import clip, inert, inert_heading, plain
from bot.domain.words import plural
from bot.render._kit import OwnerView

BOOK_COLOUR = discord.Colour.from_rgb(120, 86, 160)
MAX_SUBJECTS = 5


def _stars(quarters: float) -> str:
    value = quarters / 4
    return f"{value:.2f}".rstrip("0").rstrip(".")


def book_embed(
    book: Book, stats: BookStats | None = None, *, description_limit: int = 1500
) -> discord.Embed:
    embed = discord.Embed(
        title=inert_heading(book.display_title, TITLE),
        colour=BOOK_COLOUR,
        url=next(iter(book.links.values()), None),
    )
    if book.description:
        embed.description = inert(book.description, min(description_limit, EMBED_DESCRIPTION))
    embed.add_field(name="Author", value=inert(book.author_line, FIELD_VALUE))
    if book.first_year:
        embed.add_field(name="First published", value=str(book.first_year))
    if book.page_count:
        embed.add_field(name="Pages", value=str(book.page_count))
    if book.subjects:
        subjects = ", ".join(book.subjects[:MAX_SUBJECTS])
        embed.add_field(name="Subjects", value=inert(subjects, FIELD_VALUE), inline=False)
    if book.isbn13 or book.isbn10:
        embed.add_field(name="ISBN", value=" / ".join(i for i in (book.isbn13, book.isbn10) if i))
    if stats is not None:
        embed.add_field(name="On this server", value=server_numbers(stats), inline=False)
    links = " · ".join(f"[{name}]({url})" for name, url in book.links.items())
    if links:
        embed.add_field(name="Links", value=links, inline=False)
    if book.cover_url:
        embed.set_thumbnail(url=book.cover_url)
    source = {"openlibrary": "Open Library", "googlebooks": "Google Books"}.get(book.source)
    embed.set_footer(text=f"Metadata: {source}" if source else "Added by hand")
    return embed


def server_numbers(stats: BookStats) -> str:
    if stats.rating_count and stats.rating_average_quarters is not None:
        rated = (
            f"★ {_stars(stats.rating_average_quarters)} average from "
            f"{plural(stats.rating_count, 'rating')}"
        )
    else:
        rated = "No ratings yet"
    parts = [
        rated,
        f"{stats.reading_now} reading now",
        f"{stats.finished} finished",
        plural(stats.reviews, "review"),
    ]
    return " · ".join(parts)


def search_results_embeds(
    query: str, books: Sequence[Book], *, reachable: bool
) -> list[discord.Embed]:
    header = discord.Embed(
        title=clip(f"Books matching “{inert_heading(query, 200)}”", TITLE), colour=BOOK_COLOUR
    )
    if not books:
        header.description = (
            "The book catalogue is unreachable right now and no book on this server matches. "
            "Try again later, or add the book by hand with `/book add`."
            if not reachable
            else "No book matches. Check the spelling, or add it by hand with `/book add`."
        )
        return [header]
    header.description = "Pick one below to open its card." + (
        "\n*The book catalogue is unreachable; showing this server's books only.*"
        if not reachable
        else ""
    )
    embeds = [header]
    for book in books:
        item = discord.Embed(title=inert_heading(book.display_title, TITLE), colour=BOOK_COLOUR)
        year = f" ({book.first_year})" if book.first_year else ""
        item.description = inert(book.author_line + year, 300)
        if book.cover_url:
            item.set_thumbnail(url=book.cover_url)
        embeds.append(item)
    return embeds


def _option_label(book: Book) -> str:
    return plain(book.display_title, 100)


def _option_description(book: Book) -> str:
    year = f" ({book.first_year})" if book.first_year else ""
    return plain(f"{book.author_line}{year}", 100)


BookPicked = Callable[[discord.Interaction[Any], Book], Awaitable[None]]


class BookPickView(OwnerView):
    """A select menu of candidate books; picking one calls `on_pick` with that interaction."""

    refusal = "This menu belongs to someone else's command."

    def __init__(
        self, books: Sequence[Book], on_pick: BookPicked, *, owner_id: int, timeout: float = 180
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self.books = {str(b.id): b for b in books if b.id is not None}
        self.on_pick = on_pick
        select: discord.ui.Select[BookPickView] = discord.ui.Select(
            placeholder="Which book did you mean?",
            options=[
                discord.SelectOption(
                    label=_option_label(b), description=_option_description(b), value=key
                )
                for key, b in list(self.books.items())[:25]
            ],
        )
        select.callback = self._picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def _picked(self, interaction: discord.Interaction[Any]) -> None:
        book = self.books.get(self.select.values[0])
        self.stop()
        if book is not None:
            await self.on_pick(interaction, book)
