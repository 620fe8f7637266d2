"""Follows as Discord shows them: ``/following`` (with a menu to remove a follower) and the
direct message that tells a follower what the members they follow posted. Member text is
escaped; a notice carries only spoiler-free text, and a member's ``||…||`` stays closed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import discord

from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT
from bot.domain.markdown import clip, inert, inert_heading
from bot.domain.words import jump_url, plural
from bot.render._kit import OwnerView
from bot.services.follows import FollowBatch, FollowOverview

__all__ = ["RemoveFollowerView", "batch_embed", "following_embed"]

FOLLOW_COLOUR: Final = discord.Colour.teal()
SHOWN: Final = 40
#: what the menu calls: (the member's interaction, the follower to remove)
Remove = Callable[[discord.Interaction[Any], int], Awaitable[None]]


def _names(people: tuple[tuple[int, str], ...], none: str) -> str:
    if not people:
        return none
    shown = ", ".join(inert(name, 80) for _, name in people[:SHOWN])
    more = f" and {len(people) - SHOWN} more" if len(people) > SHOWN else ""
    return shown + more


def following_embed(overview: FollowOverview) -> discord.Embed:
    embed = discord.Embed(title="Follows in this server", colour=FOLLOW_COLOUR)
    embed.add_field(
        name=f"You follow ({len(overview.following)})",
        value=_names(overview.following, "Nobody yet. /follow someone to hear of their reviews."),
        inline=False,
    )
    embed.add_field(
        name=f"Following you ({len(overview.followers)})",
        value=_names(overview.followers, "Nobody yet."),
        inline=False,
    )
    dms = "on" if overview.dms else "off (/me notifications on turns them back on)"
    embed.set_footer(text=f"Direct messages about the members you follow: {dms}")
    return embed


class RemoveFollowerView(OwnerView):
    def __init__(self, owner_id: int, overview: FollowOverview, remove: Remove) -> None:
        super().__init__(owner_id=owner_id, timeout=600.0)
        self.remove = remove
        menu: discord.ui.Select[RemoveFollowerView] = discord.ui.Select(
            placeholder="Remove a follower",
            options=[
                discord.SelectOption(label=" ".join(name.split())[:100] or "?", value=str(uid))
                for uid, name in overview.followers[:25]
            ],
        )
        menu.callback = self._chose  # type: ignore[method-assign]
        self.menu = menu
        self.add_item(menu)

    async def _chose(self, interaction: discord.Interaction[Any]) -> None:
        await self.remove(interaction, int(self.menu.values[0]))


def _notice_line(batch: FollowBatch, index: int) -> str:
    notice = batch.notices[index]
    who = f"**{inert(batch.authors.get(notice.author_id, 'A member'), 80)}**"
    title = f"“{inert(notice.book_title, 150)}”"
    url = jump_url(batch.guild_id, notice.channel_id, notice.message_id)
    if notice.kind == "quote":
        return f"{who} saved a quote from {title} · [see it]({url})"
    lead = f": {inert(notice.excerpt, 220)}" if notice.excerpt else ""
    return f"{who} reviewed {title}{lead} · [read it]({url})"


def batch_embed(batch: FollowBatch, server: str | None) -> discord.Embed:
    where = f" on {inert_heading(server, 100)}" if server else ""
    lines = [_notice_line(batch, i) for i in range(len(batch.notices))]
    embed = discord.Embed(
        title=f"New from the members you follow{where}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=FOLLOW_COLOUR,
    )
    embed.set_footer(
        text=f"{plural(len(lines), 'post')} · at most one message an hour · "
        "/me notifications off stops these"
    )
    return embed
