"""``/club nominate``, ``/club nominations`` and ``/club suggest`` as Discord shows them.
Titles, authors and pitches are member text: one escaped line each (a ``||…||`` in a pitch
stays a closed spoiler). Suggestions are counts only, never names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import discord

from bot.db.nominations import Suggestion
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT
from bot.domain.markdown import clip, inert
from bot.domain.words import book_line, join_authors, plural
from bot.render._kit import OwnerView
from bot.render.clubs import CLUB_COLOUR
from bot.services.nominations import NamedNomination, Nominated

__all__ = ["SuggestionsView", "nominated_embed", "nominations_embed", "suggestions_embed"]

#: what a Nominate button calls: (the moderator's interaction, the book id)
PickHandler = Callable[[discord.Interaction[Any], int], Awaitable[None]]
NOMINATE_BUTTONS: Final = 5

_LINE_BUDGET: Final = EMBED_DESCRIPTION_LIMIT - 200


def _book(title: str, authors: Sequence[str]) -> str:
    author = join_authors(authors)
    return book_line(f"**{inert(title, 200)}**", inert(author, 100) if author else None)


def _fit(lines: list[str], more: str) -> str:
    kept: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        if size + len(line) + 1 > _LINE_BUDGET:
            kept.append(more.format(n=len(lines) - i))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def nominated_embed(done: Nominated, nominator_id: int) -> discord.Embed:
    book = done.book
    lines = [f"<@{nominator_id}> nominated {_book(book.display_title, book.authors)}."]
    if done.pitch:
        lines.append(f"> {inert(done.pitch, 300)}")
    if done.replaced:
        lines.append(f"(It replaces their nomination of “{inert(done.replaced, 200)}”.)")
    lines.append(f"{plural(done.count, 'nomination')} so far · /club nominations")
    return discord.Embed(
        title="Nominated for the next read",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CLUB_COLOUR,
    )


def nominations_embed(found: Sequence[NamedNomination]) -> discord.Embed:
    if not found:
        text = "Nothing nominated yet. Nominate a book with /club nominate."
    else:
        lines = []
        for i, named in enumerate(found, start=1):
            n = named.nomination
            wanting = f" · {plural(n.want_to_read, 'member')} want to read it"
            lines.append(
                f"{i}. {_book(n.title, n.authors)} — by {inert(named.nominator, 80)}"
                f"{wanting if n.want_to_read else ''}"
            )
            if n.pitch:
                lines.append(f"  > {inert(n.pitch, 300)}")
        text = _fit(lines, "… and {n} more lines")
    embed = discord.Embed(
        title="Nominations for the next read", description=text, colour=CLUB_COLOUR
    )
    embed.set_footer(text="One nomination per member; /club pick ends the round.")
    return embed


def suggestions_embed(found: Sequence[Suggestion]) -> discord.Embed:
    if not found:
        text = (
            "No book is on several members' want-to-read shelves yet (books already "
            "nominated and the current read are left out)."
        )
    else:
        text = _fit(
            [
                f"{i}. {_book(s.title, s.authors)} — {plural(s.members, 'member')} want to read it"
                for i, s in enumerate(found, start=1)
            ],
            "… and {n} more",
        )
    embed = discord.Embed(
        title="Books several members want to read", description=text, colour=CLUB_COLOUR
    )
    embed.set_footer(text="Counts only, never names. Moderators can nominate one below.")
    return embed


class _NominateButton(discord.ui.Button["SuggestionsView"]):
    def __init__(self, number: int, book_id: int, on_pick: PickHandler) -> None:
        super().__init__(
            label=f"Nominate {number}",
            style=discord.ButtonStyle.primary,
            custom_id=f"club:suggest:{book_id}",
        )
        self.book_id = book_id
        self.on_pick = on_pick

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.on_pick(interaction, self.book_id)


class SuggestionsView(OwnerView):
    """A Nominate button per suggestion (the first five), for the moderator who asked."""

    def __init__(self, owner_id: int, found: Sequence[Suggestion], on_pick: PickHandler) -> None:
        super().__init__(
            owner_id=owner_id,
            timeout=600,
            refusal="Only the moderator who asked for these suggestions can nominate from here.",
        )
        for i, suggestion in enumerate(found[:NOMINATE_BUTTONS], start=1):
            self.add_item(_NominateButton(i, suggestion.book_id, on_pick))
