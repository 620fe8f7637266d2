"""Quotes as Discord shows them: the posted quote, /quote list pages, the warning before
quotes further on, the Save as quote form.

The posted quote's text is inside spoiler tags unless it is within the first 10 % of the
book (:attr:`QuoteContext.in_the_open`); its note follows the text (hidden with it). In a
list or a reveal the viewer has reached the quotes (or asked for them), so the text is
shown as typed, made inert. Members are named by mention inside embeds, which never ping.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import discord

from bot.db.quotes import StoredQuote
from bot.domain.book import Book
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT, MODAL_TITLE_LIMIT
from bot.domain.markdown import clip, inert, inert_heading, plain
from bot.domain.progress_gate import Position, PositionKind
from bot.domain.quote import NOTE_MAX, TEXT_MAX
from bot.domain.spoilers import wrap_spoiler
from bot.domain.words import book_line
from bot.services.quotes import QuoteContext, QuoteListing
from bot.tree import handle_interaction_error

__all__ = [
    "QUOTE_COLOUR",
    "QuoteForm",
    "further_on_embeds",
    "further_on_warning",
    "position_label",
    "quote_embed",
    "quote_list_pages",
    "random_embed",
]

QUOTE_COLOUR: Final = discord.Colour(0x9B59B6)
#: what the form calls on submit: (interaction, book=, text=, position=, note=)
SaveHandler = Callable[..., Awaitable[None]]
_PAGE_BUDGET: Final = 3800  # a list page's description, with room for the header
_QUOTE_IN_LIST_MAX: Final = 2 * TEXT_MAX + 200  # a whole quote, escaped, fits one page


def position_label(position: Position) -> str:
    """ "p. 12", "8 %", "chapter 3", or "no position (counts as the end)"."""
    if position.kind is PositionKind.END:
        return "no position (counts as the end)"
    return position.describe()


def _book_heading(book: Book) -> str:
    return book_line(f"**{inert(book.display_title, 200)}**", inert(book.author_line, 120))


def quote_embed(context: QuoteContext) -> discord.Embed:
    """The posted quote: book, position, the text (in spoiler tags unless in the first
    10 %), the note, who saved it. The Like button goes with it (the cog adds it)."""
    quote, book = context.quote, context.book
    if context.in_the_open:
        text = inert(quote.text)
        note = f"\n\nNote: {inert(quote.note)}" if quote.note else ""
    else:
        text = wrap_spoiler(quote.text)
        note = f"\n\nNote: {wrap_spoiler(quote.note)}" if quote.note else ""
    lines = [
        _book_heading(book),
        f"At {position_label(quote.position)}"
        + ("" if context.in_the_open else " · hidden: click to read"),
        "",
        text + note,
        "",
        f"Saved by <@{quote.user_id}>",
    ]
    embed = discord.Embed(
        title=clip("Quote: " + inert_heading(book.display_title, 200), 256),
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=QUOTE_COLOUR,
    )
    embed.set_footer(text=f"Quote #{quote.id}")
    return embed


def random_embed(context: QuoteContext) -> discord.Embed:
    """/quote random (ephemeral: the viewer has reached it, so the text is in the open)."""
    quote, book = context.quote, context.book
    note = f"\n\nNote: {inert(quote.note)}" if quote.note else ""
    description = "\n".join(
        [
            _book_heading(book),
            f"At {position_label(quote.position)}",
            "",
            inert(quote.text) + note,
            "",
            f"Saved by <@{quote.user_id}>" + (f" · ❤️ {quote.likes:,}" if quote.likes else ""),
        ]
    )
    embed = discord.Embed(
        title="A quote you have reached",
        description=clip(description, EMBED_DESCRIPTION_LIMIT),
        colour=QUOTE_COLOUR,
    )
    embed.set_footer(text=f"Quote #{quote.id}")
    return embed


def _quote_block(quote: StoredQuote) -> str:
    likes = f" · ❤️ {quote.likes:,}" if quote.likes else ""
    note = f"\n  Note: {inert(quote.note, NOTE_MAX * 2)}" if quote.note else ""
    text = inert(quote.text, _QUOTE_IN_LIST_MAX)
    return (
        f"**{position_label(quote.position)}** · <@{quote.user_id}>{likes} · #{quote.id}\n"
        f"“{text}”{note}"
    )


def _pages(header: str, blocks: Sequence[str], title: str) -> list[discord.Embed]:
    pages: list[list[str]] = [[]]
    size = 0
    for block in blocks:
        if pages[-1] and size + len(block) + 2 > _PAGE_BUDGET:
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += len(block) + 2
    out: list[discord.Embed] = []
    for index, page in enumerate(pages):
        body = "\n\n".join([header, *page]) if header else "\n\n".join(page)
        embed = discord.Embed(
            title=title, description=clip(body, EMBED_DESCRIPTION_LIMIT), colour=QUOTE_COLOUR
        )
        if len(pages) > 1:
            embed.set_footer(text=f"Page {index + 1} of {len(pages)}")
        out.append(embed)
    return out


def _whose(listing: QuoteListing) -> str:
    return f" saved by <@{listing.member_id}>" if listing.member_id is not None else ""


def quote_list_pages(listing: QuoteListing) -> list[discord.Embed]:
    """/quote list: the quotes the viewer has reached, then "4 more further on"."""
    title = clip("Quotes: " + inert_heading(listing.book.display_title, 200), 256)
    lines = [_book_heading(listing.book)]
    if not listing.shown and not listing.further_on:
        lines.append(
            f"No quotes{_whose(listing)} yet. Save one with `/quote add` or the message "
            "menu **Apps → Save as quote**."
        )
    elif not listing.shown:
        lines.append(f"No quotes{_whose(listing)} at or before where you are.")
    if listing.further_on:
        count = len(listing.further_on)
        lines.append(
            f"**{count:,} more further on** ({listing.progress}): "
            "shown only if you ask, with the button below."
        )
    header = "\n".join(lines)
    return _pages(header, [_quote_block(q) for q in listing.shown], title)


def _furthest(quotes: Sequence[StoredQuote]) -> str:
    labels: list[str] = []
    # the end of the book last; otherwise as listed
    for quote in sorted(quotes, key=lambda q: q.position.kind is PositionKind.END):
        label = position_label(quote.position)
        if label not in labels:
            labels.append(label)
    shown = ", ".join(labels[:3]) + ("…" if len(labels) > 3 else "")
    return shown


def further_on_warning(listing: QuoteListing) -> str:
    """The same warning as Reveal spoilers: "These go to p. 250; you are on p. 120 —
    reveal anyway?" (the cog adds the Reveal anyway button)."""
    count = len(listing.further_on)
    these = "This quote goes" if count == 1 else f"These {count:,} quotes go"
    return f"{these} to {_furthest(listing.further_on)}; {listing.progress} — reveal anyway?"


def further_on_embeds(listing: QuoteListing) -> list[discord.Embed]:
    """The quotes further on, after the member said "reveal anyway"."""
    title = clip("Further on: " + inert_heading(listing.book.display_title, 200), 256)
    return _pages("", [_quote_block(q) for q in listing.further_on], title)


class QuoteForm(discord.ui.Modal):
    """The Save as quote form: book, the text (prefilled from the message), where it is, a
    note. What happens on submit is the cog's (``on_save``)."""

    def __init__(self, text: str, on_save: SaveHandler, *, timeout: float = 900) -> None:
        super().__init__(title=plain("Save as quote", MODAL_TITLE_LIMIT), timeout=timeout)
        self.on_save = on_save
        self.book: discord.ui.TextInput[QuoteForm] = discord.ui.TextInput(
            custom_id="book", max_length=200, placeholder="A title or an ISBN"
        )
        self.text: discord.ui.TextInput[QuoteForm] = discord.ui.TextInput(
            custom_id="text",
            style=discord.TextStyle.long,
            default=text[:TEXT_MAX] or None,
            max_length=TEXT_MAX,
        )
        self.position: discord.ui.TextInput[QuoteForm] = discord.ui.TextInput(
            custom_id="position",
            required=False,
            max_length=40,
            placeholder='"p. 12", "8%" or "ch. 3"; empty: the end of the book',
        )
        self.note: discord.ui.TextInput[QuoteForm] = discord.ui.TextInput(
            custom_id="note", style=discord.TextStyle.long, required=False, max_length=NOTE_MAX
        )
        for label, description, item in (
            ("Book", "Which book is it from? A title or an ISBN.", self.book),
            ("Quote", f"The passage (up to {TEXT_MAX:,} characters).", self.text),
            ("Where", "A page, a percent or a chapter. Optional.", self.position),
            ("Note", "Optional: why it matters to you.", self.note),
        ):
            self.add_item(discord.ui.Label(text=label, description=description, component=item))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.on_save(
            interaction,
            book=self.book.value,
            text=self.text.value,
            position=self.position.value,
            note=self.note.value,
        )

    async def on_error(  # type: ignore[override]  # Modal's own signature, not BaseView's
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await handle_interaction_error(interaction, error)
