"""Club reads as Discord shows them: the announcement, the schedule, the status card, the
end-of-club summary. Only numbers and names are shown — never review or quote text — so
everything here is spoiler-free by construction. Member-supplied text (names, titles,
labels) is one clean, Markdown-escaped line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import discord

from bot.db.clubs import ClubRecord
from bot.domain import words
from bot.domain.club import Checkpoint, ClubSummary, Standing, format_day
from bot.domain.digest import escape_markdown, one_line
from bot.domain.discord_limits import EMBED_FIELD_VALUE_LIMIT
from bot.domain.markdown import clip, inert
from bot.domain.words import message_url
from bot.services.clubs import ClubEnded, ClubStatus, ClubView, MemberStanding, WrapUpEntry

CLUB_COLOUR: Final = discord.Colour.blurple()
BAR_WIDTH: Final = 10
MAX_STATUS_LINES: Final = 40
_DESCRIPTION_BUDGET: Final = 3800  # of Discord's 4,096, leaving room for the "… more" line

_STANDING_MARK: Final = {
    Standing.FINISHED: "✅ finished",
    Standing.ON_TRACK: "on track",
    Standing.BEHIND: "⚠️ behind",
    Standing.NOT_STARTED: "not started",
    Standing.ABANDONED: "did not finish",
}


def _text(value: str, limit: int) -> str:
    """One line of member text, at most ``limit`` characters before escaping (so at most
    twice that after): a ``||…||`` part becomes a placeholder, the rest shows as typed."""
    return escape_markdown(one_line(value, limit))


def book_line(club: ClubRecord, author: str | None) -> str:
    title = words.book_line(f"**{_text(club.title, 200)}**", _text(author, 100) if author else None)
    pages = f" · {club.page_count:,} pages" if club.page_count else ""
    return f"{title}{pages}"


def dates_line(club: ClubRecord) -> str | None:
    if club.starts_on and club.ends_on:
        return f"From {format_day(club.starts_on)} to {format_day(club.ends_on)}"
    if club.starts_on:
        return f"From {format_day(club.starts_on)}"
    if club.ends_on:
        return f"Until {format_day(club.ends_on)}"
    return None


def checkpoint_line(checkpoint: Checkpoint) -> str:
    return (
        f"**{_text(checkpoint.label, 100)}** — up to {checkpoint.reach.describe()} — "
        f"by {format_day(checkpoint.due_on)}"
    )


def progress_bar(percent: float | None) -> str:
    if percent is None:
        return "`" + "?" * BAR_WIDTH + "`"
    filled = round(max(0.0, min(100.0, percent)) / 100 * BAR_WIDTH)
    return "`" + "█" * filled + "░" * (BAR_WIDTH - filled) + "`"


def announcement_embed(view: ClubView) -> discord.Embed:
    lines = [book_line(view.club, view.author)]
    if (dates := dates_line(view.club)) is not None:
        lines.append(dates)
    embed = discord.Embed(
        title="📚 New club read", description="\n".join(lines), colour=CLUB_COLOUR
    )
    embed.set_footer(
        text="Log your reading with /progress update · /club status shows where everyone is"
    )
    return embed


def schedule_embed(view: ClubView, added: Checkpoint) -> discord.Embed:
    lines = []
    current = view.current
    for checkpoint in view.checkpoints:
        marker = " ← now" if current is not None and checkpoint == current else ""
        lines.append(f"{checkpoint_line(checkpoint)}{marker}")
    embed = discord.Embed(
        title=f"Checkpoint added: {_text(added.label, 100)}",
        description=clip("\n".join(lines), 4096),
        colour=CLUB_COLOUR,
    )
    embed.set_footer(text=f"Schedule of {one_line(view.club.title, 150)}")
    return embed


def _member_line(member: MemberStanding) -> str:
    name = _text(member.progress.display_name, 40) or "?"
    pct = f"{member.percent:.0f}%" if member.percent is not None else "p. ?"
    if member.progress.page is not None and member.percent is None:
        pct = f"p. {member.progress.page}"
    return f"{progress_bar(member.percent)} {pct:>4} **{name}** · {_STANDING_MARK[member.standing]}"


def _fit(lines: Sequence[str], budget: int, limit: int) -> list[str]:
    shown: list[str] = []
    used = 0
    for line in lines[:limit]:
        if used + len(line) + 1 > budget:
            break
        shown.append(line)
        used += len(line) + 1
    hidden = len(lines) - len(shown)
    if hidden:
        shown.append(f"… and {words.plural(hidden, 'more member')}")
    return shown


def summary_line(summary: ClubSummary) -> str:
    parts = [words.plural(summary.members, "member")]
    if summary.finished:
        parts.append(f"{summary.finished:,} finished")
    if summary.still_reading:
        parts.append(f"{summary.still_reading:,} reading")
    if summary.not_started:
        parts.append(f"{summary.not_started:,} not started")
    if summary.did_not_finish:
        parts.append(f"{summary.did_not_finish:,} did not finish")
    if summary.average_percent is not None:
        parts.append(f"{summary.average_percent:.0f}% on average")
    return " · ".join(parts)


def status_embed(status: ClubStatus) -> discord.Embed:
    view = status.view
    head = [book_line(view.club, view.author)]
    if (dates := dates_line(view.club)) is not None:
        head.append(dates)
    current = view.current
    if current is not None:
        head.append(f"Checkpoint: {checkpoint_line(current)}")
    head.append("")
    members = [_member_line(m) for m in status.members]
    if not members:
        members = ["Nobody has logged progress on this book yet. Start with /progress update."]
    budget = _DESCRIPTION_BUDGET - sum(len(line) + 1 for line in head)
    body = head + _fit(members, budget, MAX_STATUS_LINES)
    embed = discord.Embed(
        title=f"Club read: {_text(view.club.title, 200)}",
        description="\n".join(body),
        colour=CLUB_COLOUR,
    )
    summary = summary_line(status.summary)
    if status.behind:
        summary += f" · {status.behind:,} behind the last checkpoint"
    embed.add_field(name="Together", value=clip(summary, 1024), inline=False)
    embed.set_footer(text="Spoiler-free: progress only. Members who opted out are not shown.")
    return embed


def ended_embed(ended: ClubEnded) -> discord.Embed:
    view = ended.view
    summary = ended.summary
    lines = [book_line(view.club, view.author)]
    if (dates := dates_line(view.club)) is not None:
        lines.append(dates)
    lines.append("")
    lines.append(summary_line(summary))
    if summary.members:
        lines.append(f"Completion: {summary.completion_rate:.0%} finished the book.")
    lines.append(_club_rating(ended))
    embed = discord.Embed(
        title="🏁 Club read ended", description="\n".join(lines), colour=CLUB_COLOUR
    )
    if ended.reviews:
        guild_id = view.club.guild_id
        shown = [_wrap_up_review(entry, guild_id) for entry in ended.reviews]
        embed.add_field(
            name="Most liked reviews",
            value=clip("\n".join(shown), EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.set_footer(
        text="Thanks for reading together! Rate it with the button below; "
        "a moderator can /club pick the next one."
    )
    return embed


def _club_rating(ended: ClubEnded) -> str:
    if ended.rating_average is None or not ended.rating_count:
        return "Club rating: no ratings were given during the read."
    stars = f"{ended.rating_average / 4:.2f}".rstrip("0").rstrip(".")
    count = words.plural(ended.rating_count, "rating")
    return f"Club rating: ★ {stars} average from {count} given during the read."


def _wrap_up_review(entry: WrapUpEntry, guild_id: int) -> str:
    """A review's spoiler-free parts on one line: who, headline, the start of the body (its
    spoilers are in another column and never read here), likes, a link."""
    review = entry.review
    parts = [f"**{inert(entry.reviewer, 80)}**"]
    if review.headline and review.headline.strip():
        parts.append(f"*{inert(' '.join(review.headline.split()), 120)}*")
    body = " ".join(review.body.split())
    if body:
        parts.append(inert(body, 160))
    tail = f"❤️ {review.likes:,}"
    url = message_url(guild_id, review.channel_id, review.message_id)
    if url:
        tail += f" · [review]({url})"
    return " — ".join(parts) + f" · {tail}"
