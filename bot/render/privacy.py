"""/privacy replies: the forget-me confirmation (with its buttons), what was deleted, and
the digest choice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import discord

from bot.db.privacy import MemberFootprint
from bot.domain.words import plural
from bot.render._kit import OwnerView

__all__ = [
    "PRIVACY_COLOUR",
    "ConfirmForgetView",
    "confirm_embed",
    "digest_embed",
    "footprint_lines",
    "forgotten_embed",
]

PRIVACY_COLOUR: Final = discord.Colour.dark_grey()
WARNING_COLOUR: Final = discord.Colour.orange()
CONFIRM_TIMEOUT_S: Final = 120.0

Handler = Callable[[discord.Interaction[Any]], Awaitable[None]]


def footprint_lines(footprint: MemberFootprint) -> list[str]:
    """One line per kind of data, only the kinds there are."""
    lines: list[str] = []
    if footprint.ratings:
        lines.append(plural(footprint.ratings, "rating"))
    if footprint.reviews:
        received = footprint.likes_received + footprint.flags_received
        extra = f" (with the {plural(received, 'like or flag', 'likes and flags')} on them)"
        lines.append(plural(footprint.reviews, "review") + (extra if received else ""))
    if footprint.readings:
        events = (
            f" with {plural(footprint.progress_events, 'progress update')}"
            if footprint.progress_events
            else ""
        )
        lines.append(plural(footprint.readings, "reading") + events)
    elif footprint.progress_events:
        lines.append(plural(footprint.progress_events, "progress update"))
    if footprint.shelves or footprint.shelf_entries:
        on = "it" if footprint.shelves == 1 else "them"
        lines.append(
            f"{plural(footprint.shelves, 'shelf', 'shelves')} "
            f"({plural(footprint.shelf_entries, 'book')} on {on})"
        )
    if footprint.quotes:
        on = f" (with the {plural(footprint.quote_likes_received, 'like')} on them)"
        lines.append(
            plural(footprint.quotes, "quote") + (on if footprint.quote_likes_received else "")
        )
    if footprint.goals:
        lines.append(plural(footprint.goals, "reading goal"))
    if footprint.likes:
        lines.append(plural(footprint.likes, "like") + " you gave")
    if footprint.flags:
        lines.append(plural(footprint.flags, "flag") + " you raised")
    if footprint.quote_likes:
        lines.append(plural(footprint.quote_likes, "like") + " you gave to quotes")
    if footprint.privacy:
        lines.append("your digest choice")
    if footprint.settings:
        lines.append("your time zone")
    if footprint.reminders:
        lines.append("your meeting reminders choice")
    if footprint.books:
        lines.append(plural(footprint.books, "book") + " you added that no one else uses")
    if footprint.drafts:
        lines.append(plural(footprint.drafts, "unsent review draft"))
    if footprint.followers:
        lines.append(f"who follows you ({plural(footprint.followers, 'follower')})")
    if footprint.following:
        lines.append(f"who you follow ({plural(footprint.following, 'member')})")
    if footprint.other:
        lines.append(plural(footprint.other, "other record"))
    return lines


def confirm_embed(footprint: MemberFootprint, posts: int, quote_posts: int = 0) -> discord.Embed:
    listed = "\n".join(f"• {line}" for line in footprint_lines(footprint))
    if posts:
        listed += f"\n• the {plural(posts, 'posted review')} in the channels"
    if quote_posts:
        listed += f"\n• the {plural(quote_posts, 'posted quote')} in the channels"
    embed = discord.Embed(
        title="Forget everything of yours in this server?",
        description=(
            f"This deletes, in this server only:\n{listed}\n\n"
            "Discussion threads of your reviews hold other members' messages too: they are "
            "archived and locked, not deleted.\n\nIt can't be undone. Other servers keep "
            "your data; `/export` first if you want a copy."
        ),
        colour=WARNING_COLOUR,
    )
    embed.set_footer(text="The buttons work for two minutes.")
    return embed


def forgotten_embed(
    deleted: MemberFootprint, *, messages_deleted: int, messages_left: int, threads: int
) -> discord.Embed:
    lines = footprint_lines(deleted)
    if messages_deleted:
        lines.append(f"{plural(messages_deleted, 'posted message')} in the channels")
    body = "\n".join(f"• {line}" for line in lines) or "• nothing was stored"
    text = f"Deleted from this server:\n{body}"
    if threads:
        text += (
            f"\n\n{plural(threads, 'discussion thread')} of your reviews "
            f"{'was' if threads == 1 else 'were'} archived and locked, not deleted: other "
            "members' messages are in them. A moderator can delete them."
        )
    if messages_left:
        text += (
            f"\n\nI couldn't remove {plural(messages_left, 'posted message')} (I may no "
            "longer have access to that channel); a moderator can delete them by hand."
        )
    if deleted.privacy:
        text += "\n\nYour digest choice was reset; `/privacy digest off` leaves you out again."
    return discord.Embed(
        title="Done: you're forgotten here", description=text, colour=PRIVACY_COLOUR
    )


def digest_embed(opt_in: bool, changed: bool) -> discord.Embed:
    if opt_in:
        text = "You appear in this server's weekly digest and in `/club status`."
    else:
        text = (
            "You are left out of this server's weekly digest and `/club status`: your "
            "progress, ratings and reviews are not listed or counted there."
        )
    if not changed:
        text = "Already set. " + text
    return discord.Embed(title="Digest privacy", description=text, colour=PRIVACY_COLOUR)


class ConfirmForgetView(OwnerView):
    """Delete / Cancel for ``/privacy forget-me``; only the member who asked can press them."""

    def __init__(self, *, owner_id: int, on_confirm: Handler, on_cancel: Handler) -> None:
        super().__init__(owner_id=owner_id, timeout=CONFIRM_TIMEOUT_S)
        self._on_confirm = on_confirm
        self._on_cancel = on_cancel

    @discord.ui.button(label="Delete everything", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmForgetView]
    ) -> None:
        self.stop()
        await self._on_confirm(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmForgetView]
    ) -> None:
        self.stop()
        await self._on_cancel(interaction)
