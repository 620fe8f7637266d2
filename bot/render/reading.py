"""Reading progress, shelves, goals and stats as Discord shows them.

Dates are Discord timestamps (``<t:…:D>``) so each member sees them in their own zone and
language. A reading's dates (start, finish) are calendar dates, shown as noon UTC of that
date — the same day from UTC−11 to UTC+11, like the events a back-dated command records
(see :mod:`bot.services.reading`). Titles, author names, shelf names, member names and
notes are user-written or remote text: every one goes through ``inert`` (shown as typed,
Markdown escaped, a member's own ``||…||`` kept hidden; ``inert_heading`` in titles) and, for
another member's notes, a spoiler span, since a note may say what happened on page 200.
Composed text is shortened with ``clip``, which never cuts inside an escape or a span.

Length (~530 lines): one module for the four reading cards (progress, shelves, goals,
stats), which share the date, note and title rules above; split it when one of them grows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Final

import discord

from bot.db.readings import ProgressEvent
from bot.domain.book import Book
from bot.domain.discord_limits import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
)
from bot.domain.markdown import clip, inert, inert_heading, plain
from bot.domain.reading import ReadingStatus, format_progress, progress_bar
from bot.domain.spoilers import (
    wrap_spoiler,
)
from bot.domain.words import book_line, ordinal, plural
from bot.errors import InvalidInput
from bot.render._kit import OwnerView, PagerView
from bot.render.charts import STATS_CHART_FILENAME
from bot.services.goals import GoalStatus
from bot.services.reading import (
    BookHistory,
    CurrentReadings,
    ProgressResult,
    ReadingView,
    StatusResult,
)
from bot.services.shelves import CustomShelfChange, ShelfContents, ShelfOverview
from bot.services.stats import ReadingStats

__all__ = [
    "RateInviteView",
    "current_pages",
    "date_stamp",
    "goal_embed",
    "history_pages",
    "instant_stamp",
    "member_target",
    "paged",
    "progress_embed",
    "shelf_change_embed",
    "shelf_overview_embed",
    "shelf_pages",
    "stats_embed",
    "status_embed",
    "want_removed_embed",
]

READING_COLOUR: Final = discord.Colour.from_rgb(120, 86, 160)
FINISHED_COLOUR: Final = discord.Colour.green()
BAR_WIDTH: Final = 12
#: Room kept free in a page's description (a page is one embed).
PAGE_LIMIT: Final = 3800
_NOON: Final = time(12, 0, tzinfo=UTC)


# --- small pieces ---------------------------------------------------------------------------


def date_stamp(day: date) -> str:
    """A calendar date as a Discord timestamp (long date), e.g. ``<t:1199188800:D>``."""
    return instant_stamp(datetime.combine(day, _NOON))


def instant_stamp(when: datetime, style: str = "D") -> str:
    return f"<t:{int(when.timestamp())}:{style}>"


def _title(book: Book, limit: int | None = None) -> str:
    return inert(book.display_title, limit)


def _heading_title(book: Book) -> str:
    return inert_heading(book.display_title, 200)


def _book_line(book: Book) -> str:
    return book_line(f"**{_title(book, 200)}**", inert(book.author_line, 120), sep=" — ")


def _progress_text(view: ReadingView) -> str:
    progress = view.progress
    chapter = view.reading.progress_chapter
    in_chapter = f"chapter {chapter:,}" if chapter is not None else None
    if progress is None:
        return f"`{progress_bar(0, BAR_WIDTH)}` {in_chapter or 'no pages logged yet'}"
    where = progress.format() + (f" · {in_chapter}" if in_chapter else "")
    return f"`{progress_bar(progress.fraction, BAR_WIDTH)}` {where}"


def _whose(name: str | None) -> str:
    """ "Your" or "alice's" (``name`` None means the member asking)."""
    return "Your" if name is None else f"{inert_heading(name, 80)}'s"


def _edition_note(view: ReadingView) -> str | None:
    if view.edition_differs:
        return f"Page count: your edition, {view.page_count:,} pages."
    return None


def _paginate(blocks: Sequence[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Join blocks with newlines into pages of at most ``limit`` characters (a block longer
    than a page is trimmed, never split, so a line is never cut in half)."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        block = clip(block, limit)
        candidate = f"{current}\n{block}" if current else block
        if len(candidate) > limit and current:
            pages.append(current)
            current = block
        else:
            current = candidate
    if current or not pages:
        pages.append(current)
    return pages


def _page_embeds(
    title: str, pages: Sequence[str], colour: discord.Colour, footer: str | None = None
) -> list[discord.Embed]:
    embeds = []
    for index, text in enumerate(pages, start=1):
        embed = discord.Embed(title=clip(title, EMBED_TITLE_LIMIT), description=text, colour=colour)
        parts = [f"Page {index} of {len(pages)}"] if len(pages) > 1 else []
        if footer:
            parts.append(footer)
        if parts:
            embed.set_footer(text=" · ".join(parts))
        embeds.append(embed)
    return embeds


# --- /progress update and status changes ----------------------------------------------------


def progress_embed(result: ProgressResult) -> discord.Embed:
    view = result.view
    book = view.book
    lines = [_progress_text(view)]
    if result.kind == "correction" and result.previous is not None:
        lines.append(
            f"Corrected from {result.previous.format()} — recorded as a correction in your history."
        )
    elif result.pages_delta > 0 and result.previous is not None:
        lines.append(f"+{plural(result.pages_delta, 'page')} since your last update.")
    if result.started:
        again = f" — your {ordinal(view.number)} reading of this book" if view.number > 1 else ""
        when = f" {date_stamp(view.reading.started_on)}" if view.reading.started_on else ""
        lines.append(f"Started{when}{again}.")
    elif result.resumed:
        lines.append("Resumed: this book was paused.")
    if result.note:
        lines.append(f"Note: “{inert(result.note)}”")
    if result.finished:
        lines.append("")
        lines.append(f"🎉 **Finished!** {_rating_invite()}")
    embed = discord.Embed(
        title=clip(("Finished: " if result.finished else "") + _heading_title(book), 256),
        description="\n".join(lines),
        colour=FINISHED_COLOUR if result.finished else READING_COLOUR,
    )
    footer = _edition_note(view)
    if view.page_count is None and result.progress and result.progress.percent is None:
        footer = (
            "This book has no page count here, so no percentage: add `edition_pages` "
            "with your copy's page count."
        )
    if footer:
        embed.set_footer(text=footer)
    return embed


def _rating_invite(*, with_menu: bool = True) -> str:
    if with_menu:
        return "How was it? Pick your rating below, or rate it any time with `/rate`."
    return "How was it? Rate it with `/rate`."


def status_embed(result: StatusResult, *, with_rating_menu: bool = False) -> discord.Embed:
    """The reply to a status change; ``with_rating_menu`` when a :class:`RateInviteView`
    goes with a finish."""
    view = result.view
    title = _title(view.book)
    when = date_stamp(result.day)
    again = f" (your {ordinal(view.number)} reading of it)" if view.number > 1 else ""
    colour = READING_COLOUR
    kind = result.event_kind
    if kind == "want":
        text = f"Added **{title}** to your want-to-read shelf."
    elif kind == "start":
        text = f"Started **{title}** on {when}{again}.\nLog pages with `/progress update`."
    elif kind == "resume":
        text = f"Back to **{title}**: resumed on {when}.\n{_progress_text(view)}"
    elif kind == "pause":
        text = f"Paused **{title}** on {when}.\n{_progress_text(view)}"
    elif kind == "abandon":
        text = (
            f"Marked **{title}** did-not-finish on {when}{again}.\n{_progress_text(view)}\n"
            "It stays in your history; `/progress start` gives it another try."
        )
    else:
        colour = FINISHED_COLOUR
        invite = _rating_invite(with_menu=with_rating_menu)
        text = f"🎉 Finished **{title}** on {when}{again}.\n{invite}"
    embed = discord.Embed(description=text, colour=colour)
    note = _edition_note(view)
    if note:
        embed.set_footer(text=note)
    return embed


def want_removed_embed(book: Book) -> discord.Embed:
    return discord.Embed(
        description=f"Took **{_title(book)}** off your want-to-read shelf.", colour=READING_COLOUR
    )


class RateInviteView(OwnerView):
    """A select of the server's star values, offered when a reading is finished."""

    refusal = "This menu belongs to someone else's reading; rate with `/rate`."

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        on_rate: Callable[[discord.Interaction[Any], str], Awaitable[None]],
        *,
        owner_id: int,
        timeout: float = 600,
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self.on_rate = on_rate
        select: discord.ui.Select[RateInviteView] = discord.ui.Select(
            placeholder="Rate it…",
            options=[
                discord.SelectOption(label=plain(label, 100), value=value)
                for label, value in list(options)[:25]
            ],
        )
        select.callback = self._picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def _picked(self, interaction: discord.Interaction[Any]) -> None:
        self.stop()
        await self.on_rate(interaction, self.select.values[0])


def member_target(
    interaction: discord.Interaction[Any], member: discord.Member | discord.User | None
) -> tuple[int, str | None]:
    """(user id, display name) of whose data to show; the name is None for the member's own.

    The member option resolves within the interaction's server, and every query is scoped
    to that server, so another member's data is only ever shown where it was recorded.
    """
    if member is None or member.id == interaction.user.id:
        return interaction.user.id, None
    if member.bot:
        raise InvalidInput(f"{member.display_name} is a bot, and bots keep no reading log.")
    return member.id, member.display_name


def paged(pages: Sequence[discord.Embed], *, owner_id: int) -> dict[str, Any]:
    """Reply keywords for a list of page embeds: the first page, with buttons if needed."""
    if len(pages) > 1:
        return {"embed": pages[0], "view": PagerView.of_embeds(pages, owner_id=owner_id)}
    return {"embed": pages[0]}


# --- /progress show and /progress history ---------------------------------------------------


def _current_block(view: ReadingView) -> str:
    reading = view.reading
    parts = [_book_line(view.book), _progress_text(view)]
    since = []
    if reading.started_on is not None:
        since.append(f"started {date_stamp(reading.started_on)}")
    since.append(f"updated {instant_stamp(reading.updated_at, 'R')}")
    if view.edition_differs:
        since.append(f"edition of {view.page_count:,} pages")
    parts.append(" · ".join(since))
    return "\n".join(parts) + "\n"


def current_pages(current: CurrentReadings, name: str | None = None) -> list[discord.Embed]:
    """``/progress show``: reading first, then paused; ``name`` None for the member's own."""
    blocks: list[str] = []
    if current.reading:
        blocks.append(f"__Reading ({len(current.reading)})__")
        blocks += [_current_block(v) for v in current.reading]
    if current.paused:
        blocks.append(f"__Paused ({len(current.paused)})__")
        blocks += [_current_block(v) for v in current.paused]
    if not blocks:
        blocks.append(
            "Nothing in progress."
            + (
                " Start a book with `/progress start` or `/progress update`."
                if name is None
                else ""
            )
        )
    footer = None
    if current.want_to_read:
        footer = f"{plural(current.want_to_read, 'book')} on the want-to-read shelf (/shelf show)"
    return _page_embeds(f"{_whose(name)} current reads", _paginate(blocks), READING_COLOUR, footer)


_EVENT_LABELS: Final[dict[str, str]] = {
    "want": "Added to want-to-read",
    "start": "Started",
    "resume": "Resumed",
    "pause": "Paused",
    "finish": "Finished 🎉",
    "abandon": "Stopped: did not finish",
}


def _event_line(event: ProgressEvent, page_count: int | None, *, own: bool) -> str:
    when = instant_stamp(event.occurred_at)
    if event.kind in ("progress", "correction"):
        if event.page is None and event.percent is None and event.chapter is not None:
            what = f"chapter {event.chapter:,}"
        else:
            what = format_progress(event.page, event.percent, page_count)
            if event.chapter is not None:
                what += f" · chapter {event.chapter:,}"
        if event.kind == "correction":
            what = f"Correction: back to {what}"
        elif event.pages_delta > 0:
            what += f" (+{plural(event.pages_delta, 'page')})"
    else:
        what = _EVENT_LABELS.get(event.kind, event.kind.capitalize())
        if event.kind == "abandon" and (event.page is not None or event.percent is not None):
            what += f" at {format_progress(event.page, event.percent, page_count)}"
    line = f"{when} · {what}"
    if event.note:
        line += f" — “{inert(event.note)}”" if own else f" — note: {wrap_spoiler(event.note)}"
    return line


def history_pages(history: BookHistory, name: str | None = None) -> list[discord.Embed]:
    """``/progress history``: every reading of the book, oldest first, every event dated.
    Another member's notes are behind spoiler tags."""
    own = name is None
    blocks: list[str] = [_book_line(history.book)]
    if not history.readings:
        blocks.append(
            "No readings of this book yet."
            + (" Log one with `/progress update` or `/progress start`." if own else "")
        )
    for entry in history.readings:
        view = entry.view
        reading = view.reading
        heading = f"\n__Reading {view.number}__ · {reading.status.label}"
        start, end = reading.started_on, reading.finished_on
        if not reading.status.is_terminal:
            end = None
        if start is not None and end is not None:
            heading += f" · {date_stamp(start)} → {date_stamp(end)}"
        elif start is not None:
            heading += f" · since {date_stamp(start)}"
        elif end is not None:
            heading += f" · {date_stamp(end)}"
        blocks.append(heading)
        if view.edition_differs:
            blocks.append(f"Edition of {view.page_count:,} pages")
        if reading.status.is_active:
            blocks.append(_progress_text(view))
        blocks += [_event_line(e, view.page_count, own=own) for e in entry.events]
        if not entry.events:
            blocks.append("(no dated updates: imported or logged without them)")
    title = f"{_whose(name)} history: {_heading_title(history.book)}"
    return _page_embeds(title, _paginate(blocks), READING_COLOUR)


# --- shelves --------------------------------------------------------------------------------


def _status_entry(view: ReadingView) -> str:
    reading = view.reading
    status = reading.status
    line = f"• {_book_line(view.book)}"
    if status.is_active:
        return f"{line}\n  {_progress_text(view)}"
    if status is ReadingStatus.FINISHED and reading.finished_on is not None:
        return f"{line} · finished {date_stamp(reading.finished_on)}"
    if status is ReadingStatus.DID_NOT_FINISH:
        progress = view.progress
        where = f" at {progress.format()}" if progress is not None else ""
        when = f" {date_stamp(reading.finished_on)}" if reading.finished_on else ""
        return f"{line} · stopped{where}{when}"
    if status is ReadingStatus.WANT_TO_READ:
        return f"{line} · added {instant_stamp(reading.created_at)}"
    return line


#: Budgets that keep the overview within Discord's 6,000 characters per message.
_OVERVIEW_FIELD: Final = 600
_OVERVIEW_CUSTOM: Final = 2000


def shelf_overview_embed(overview: ShelfOverview, name: str | None = None) -> discord.Embed:
    """Every status shelf (count and a few books) and every custom shelf on one card."""
    embed = discord.Embed(title=f"{_whose(name)} shelves", colour=READING_COLOUR)
    for shelf in overview.status_shelves:
        if shelf.count:
            lines = [f"• {_book_line(v.book)}" for v in shelf.sample]
            more = shelf.count - len(shelf.sample)
            if more > 0:
                lines.append(f"…and {more:,} more")
            value = clip("\n".join(lines), _OVERVIEW_FIELD)
        else:
            value = "—"
        embed.add_field(name=f"{shelf.status.label} ({shelf.count:,})", value=value, inline=False)
    if overview.custom:
        lines = []
        for index, custom in enumerate(overview.custom):
            shown = overview.custom_samples.get(custom.id, ())
            sample = ", ".join(_title(b, 60) for b in shown)
            tail = "…" if custom.book_count > len(shown) else ""
            line = f"**{inert(custom.name)}** ({custom.book_count:,}): {sample}{tail}"
            if sum(len(x) + 1 for x in lines) + len(line) > _OVERVIEW_CUSTOM:
                lines.append(f"…and {len(overview.custom) - index} more shelves")
                break
            lines.append(line)
        embed.description = "\n".join(lines)
    elif name is None:
        embed.description = "Make shelves of your own with `/shelf add book shelf`."
    embed.set_footer(text="See one shelf in full with /shelf show shelf:<name>.")
    return embed


def shelf_pages(contents: ShelfContents, name: str | None = None) -> list[discord.Embed]:
    if contents.status is not None:
        blocks = [_status_entry(v) for v in contents.readings]
    else:
        blocks = [f"• {_book_line(b)}" for b in contents.books]
    if not blocks:
        blocks = ["This shelf is empty."]
    title = f"{_whose(name)} shelf: {inert_heading(contents.name, 100)} ({contents.count:,})"
    return _page_embeds(title, _paginate(blocks), READING_COLOUR)


def shelf_change_embed(change: CustomShelfChange, *, added: bool) -> discord.Embed:
    shelf = f"**{inert(change.shelf.name)}**"
    book = f"**{_title(change.book)}**"
    if added:
        text = f"Put {book} on your shelf {shelf}."
        if change.created:
            text += " (A new shelf: it goes away again when its last book leaves.)"
    else:
        text = f"Took {book} off your shelf {shelf}."
        if change.deleted:
            text += " That was its last book, so the shelf is gone."
    return discord.Embed(description=text, colour=READING_COLOUR)


# --- goals and stats ------------------------------------------------------------------------


def goal_embed(status: GoalStatus | None, year: int, name: str | None = None) -> discord.Embed:
    title = f"{_whose(name)} {year} reading challenge"
    if status is None:
        hint = " Set one with `/goal set count`." if name is None else ""
        return discord.Embed(
            title=title, description=f"No goal for {year} yet.{hint}", colour=READING_COLOUR
        )
    pace = status.pace
    lines = [
        f"`{progress_bar(pace.fraction, BAR_WIDTH)}` **{status.finished:,}** of "
        f"**{status.target:,}** books · {int(pace.fraction * 100)} %",
        pace.describe(),
    ]
    if pace.state in ("ahead", "on-track", "behind"):
        lines.append(f"A steady pace would be at {plural(pace.expected, 'book')} by today.")
    if pace.per_week_needed is not None and pace.state != "not-started":
        lines.append(f"About {pace.per_week_needed:.1f} books a week to reach the goal.")
    if status.previous_target is not None and status.previous_target != status.target:
        lines.append(f"(Your goal was {status.previous_target:,}.)")
    if status.recent:
        lines.append("")
        lines.append("Latest finished:")
        lines += [f"• {_book_line(b)}" for b in status.recent]
    colour = FINISHED_COLOUR if pace.state == "done" else READING_COLOUR
    return discord.Embed(
        title=title, description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT), colour=colour
    )


def stats_embed(stats: ReadingStats, name: str | None = None, *, with_chart: bool) -> discord.Embed:
    span = str(stats.year) if stats.year is not None else "all time"
    embed = discord.Embed(title=f"{_whose(name)} reading, {span}", colour=READING_COLOUR)
    embed.add_field(name="Books finished", value=f"{stats.books_finished:,}")
    pages = f"{stats.pages_finished:,}"
    if stats.books_without_page_count:
        pages += f"\n({plural(stats.books_without_page_count, 'book')} without a page count)"
    embed.add_field(name="Pages finished", value=pages)
    embed.add_field(name="Did not finish", value=f"{stats.did_not_finish:,}")
    if stats.average_stars is not None:
        rounded = f"{stats.average_stars:.2f}".rstrip("0").rstrip(".")
        average = f"★ {rounded} from {plural(stats.rating_count, 'rating')}"
    else:
        average = "No ratings yet"
    embed.add_field(name="Average rating given", value=average)
    embed.add_field(name="Reading now", value=f"{stats.reading_now:,}")
    if stats.longest is not None:
        embed.add_field(name="Longest book", value=clip(_book_line(stats.longest), 300))
    if stats.top_authors:
        lines = [
            f"{i}. {inert(author, 100)} — {plural(n, 'book')}"
            for i, (author, n) in enumerate(stats.top_authors, start=1)
        ]
        embed.add_field(name="Top authors", value="\n".join(lines), inline=False)
    if stats.challenges_completed:
        names = ", ".join(inert(n, 100) for n in stats.challenges_completed[:10])
        embed.add_field(name="Challenges completed", value=clip(names, 1000), inline=False)
    months = " · ".join(f"{m.label} {m.books}" for m in stats.per_month)
    embed.add_field(name=stats.chart_title, value=months, inline=False)
    if with_chart:
        embed.set_image(url=f"attachment://{STATS_CHART_FILENAME}")
    if stats.year is None:
        embed.set_footer(text="Give a year for that year's numbers, e.g. /stats year:2025.")
    return embed
