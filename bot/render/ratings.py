"""Ratings as Discord shows them: /rate replies, the /ratings card with its distribution chart
(a PNG drawn with matplotlib) and a text version of the same chart, the /scale cards.

The chart is drawn with matplotlib's object-oriented API on an Agg canvas (no pyplot, so no
global figure state): :func:`distribution_png` is safe to run in a worker thread and must be,
since drawing takes tens of milliseconds — call it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import discord

from bot.domain.book import Book
from bot.domain.discord_limits import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
)
from bot.domain.markdown import clip, inert, inert_heading
from bot.domain.scale import RatingScale, StepChangePlan
from bot.domain.stars import allowed_values_text
from bot.domain.words import plural
from bot.render._kit import OwnerView
from bot.services.ratings import LabelChange, RateResult, RatingSummary

RATING_COLOUR: Final = discord.Colour.gold()
CHART_FILENAME: Final = "ratings.png"
BAR_WIDTH: Final = 12  # text bars, in block characters, for the busiest value
_BAR_COLOUR: Final = "#c9a227"
_MINE_COLOUR: Final = "#7856a0"


def _book_title(book: Book) -> str:
    """For titles: Markdown renders there, spoiler tags are not dependable."""
    return inert_heading(book.display_title, 200)


def rated_embed(book: Book, result: RateResult) -> discord.Embed:
    """The reply to /rate: the value with its label, what it replaced, the server's average."""
    verb = "re-rated" if result.previous is not None else "rated"
    embed = discord.Embed(
        title=clip(f"You {verb} {_book_title(book)}", EMBED_TITLE_LIMIT),
        description=f"{result.stars.display()} — {inert(result.label)}",
        colour=RATING_COLOUR,
    )
    if result.previous is not None and result.previous != result.stars:
        embed.description = f"{embed.description}\n(was {result.previous.display()})"
    summary = result.summary
    if summary.average_text is not None:
        embed.add_field(
            name="This server",
            value=f"★ {summary.average_text} average from {plural(summary.count, 'rating')}",
        )
    embed.set_footer(text="Rate again any time to change it. /ratings shows the whole picture.")
    return embed


def distribution_lines(summary: RatingSummary) -> list[str]:
    """The chart as text, highest value first: number, bar, count and the value's label.

    This is the accessible fallback: it is always in the card, and is all there is when the
    image cannot be drawn.
    """
    rows = summary.rows()
    busiest = max((count for _, count in rows), default=0)
    lines: list[str] = []
    for stars, count in reversed(rows):
        filled = round(count / busiest * BAR_WIDTH) if busiest else 0
        if count and not filled:
            filled = 1
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        mine = " ← you" if summary.mine == stars else ""
        off_step = "" if stars.is_on_step(summary.scale.step) else " (off the current step)"
        label = inert(summary.scale.label_for(stars))
        lines.append(f"`{stars.as_number():>4} {bar} {count:>3}` {label}{off_step}{mine}")
    return lines


def ratings_embed(book: Book, summary: RatingSummary, *, with_chart: bool) -> discord.Embed:
    """The /ratings card. With ``with_chart`` it shows the attached :data:`CHART_FILENAME`."""
    embed = discord.Embed(
        title=clip(f"Ratings of {_book_title(book)}", EMBED_TITLE_LIMIT), colour=RATING_COLOUR
    )
    if book.cover_url:
        embed.set_thumbnail(url=book.cover_url)
    if summary.count == 0:
        embed.description = "Nobody on this server has rated this book yet. Be the first: `/rate`."
    else:
        embed.description = clip("\n".join(distribution_lines(summary)), EMBED_DESCRIPTION_LIMIT)
        embed.add_field(name="Average", value=f"★ {summary.average_text}")
        embed.add_field(name="Ratings", value=f"{summary.count:,}")
    if summary.mine is not None:
        mine = f"{summary.mine.display()} — {inert(summary.scale.label_for(summary.mine))}"
    else:
        mine = "Not rated yet — use `/rate`."
    embed.add_field(name="Your rating", value=mine, inline=False)
    if with_chart and summary.count:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    embed.set_footer(text=f"This server rates in {summary.scale.step.noun}.")
    return embed


def distribution_png(summary: RatingSummary) -> bytes:
    """A horizontal bar chart of the distribution as PNG bytes (the member's value in purple).

    Only numbers are drawn (no member or book text), so nothing user-written reaches
    matplotlib's text engine.
    """
    # matplotlib is imported here, not at import: ~40 MB, paid only once a chart is drawn
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = summary.rows()
    figure = Figure(figsize=(6.0, max(2.2, 0.32 * len(rows) + 0.8)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    counts = [count for _, count in rows]
    colours = [_MINE_COLOUR if stars == summary.mine else _BAR_COLOUR for stars, _ in rows]
    bars = axes.barh(positions, counts, color=colours, height=0.7)
    axes.set_yticks(positions, [f"{stars.as_number()} ★" for stars, _ in rows])
    axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=3, fontsize=8)
    axes.set_xlim(0, max(max(counts, default=0), 1) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("members")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    average = summary.average_text
    axes.set_title(
        plural(summary.count, "rating") + (f", average {average}" if average else ""),
        fontsize=10,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# --- the scale --------------------------------------------------------------------------


def scale_embed(scale: RatingScale) -> discord.Embed:
    lines = []
    for stars, label in reversed(scale.entries()):
        custom = " *(custom)*" if scale.is_custom(stars) else ""
        lines.append(f"{stars.display()} — {inert(label)}{custom}")
    embed = discord.Embed(
        title="This server's rating scale",
        description="\n".join(lines),
        colour=RATING_COLOUR,
    )
    embed.add_field(
        name="Step",
        value=f"Members rate in {scale.step.noun}: {allowed_values_text(scale.step)}.",
        inline=False,
    )
    embed.set_footer(
        text="Admins: /scale set stars label changes a label; /scale step whole|half|quarter."
    )
    return embed


def label_changed_embed(change: LabelChange) -> discord.Embed:
    if change.is_default:
        text = f"{change.stars.display()} shows its default label again: {inert(change.label)}"
    else:
        text = (
            f"{change.stars.display()} is now labelled {inert(change.label)}\n"
            f"(was: {inert(change.previous_label)})"
        )
    embed = discord.Embed(title="Scale label updated", description=text, colour=RATING_COLOUR)
    embed.set_footer(text="Setting a value's default text again removes the custom label.")
    return embed


def step_changed_embed(plan: StepChangePlan) -> discord.Embed:
    title = (
        f"The scale now uses {plan.new_step.noun}" if plan.changes_anything else "Nothing to change"
    )
    return discord.Embed(title=title, description=plan.explanation, colour=RATING_COLOUR)


#: what a star menu calls: (the member's interaction, the chosen value, e.g. "4.5")
StarsPicked = Callable[[discord.Interaction[Any], str], Awaitable[None]]


class StarsView(OwnerView):
    """One menu of the server's star values (best first) for the member who asked; picking
    one rates (the wrap-up's **Rate it**)."""

    def __init__(
        self, owner_id: int, choices: Sequence[tuple[str, str]], picked: StarsPicked
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=600.0)
        self.picked = picked
        menu: discord.ui.Select[StarsView] = discord.ui.Select(
            placeholder="Your rating",
            options=[
                discord.SelectOption(label=name[:100], value=value) for name, value in choices[:25]
            ],
        )
        menu.callback = self._chose  # type: ignore[method-assign]
        self.menu = menu
        self.add_item(menu)

    async def _chose(self, interaction: discord.Interaction[Any]) -> None:
        await self.picked(interaction, self.menu.values[0])
