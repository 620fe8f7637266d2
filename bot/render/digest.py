"""The weekly digest as Discord shows it: embeds (packed by
:func:`bot.domain.digest.split_for_embeds`, so every Discord limit holds), one chart image,
and the messages around it (setup replies, failure reports for the moderators).

The chart is drawn with Pillow (:mod:`bot.render.bar_chart`), in a worker thread
(:func:`chart_file` uses ``asyncio.to_thread``): a few milliseconds the event loop does not
wait for.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import discord

from bot.domain.digest import Digest, one_line, split_for_embeds
from bot.domain.schedule import DigestSchedule
from bot.render.bar_chart import horizontal_bars_png
from bot.services.digest import (
    DigestSetup,
    FailureKind,
    FailureReport,
    PostingFailed,
    SendNowResult,
)

DIGEST_COLOUR: Final = discord.Colour.dark_green()
REPORT_COLOUR: Final = discord.Colour.orange()
CHART_FILENAME: Final = "digest-chart.png"
CHART_BARS: Final = 12
NEEDED_PERMISSIONS: Final = "View Channel, Send Messages, Embed Links and Attach Files"
_BAR_COLOUR: Final = "#3a7d44"
_NAME_LIMIT: Final = 24


def digest_embeds(digest: Digest, *, chart: bool) -> list[discord.Embed]:
    """The digest as the embeds of one message; ``chart`` puts the attached image last."""
    embeds: list[discord.Embed] = []
    for spec in split_for_embeds(digest):
        embed = discord.Embed(title=spec.title, description=spec.description, colour=DIGEST_COLOUR)
        for f in spec.fields:
            embed.add_field(name=f.name, value=f.value, inline=f.inline)
        if spec.footer:
            embed.set_footer(text=spec.footer)
        embeds.append(embed)
    if chart:
        embeds[-1].set_image(url=f"attachment://{CHART_FILENAME}")
    return embeds


# --- the chart -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartData:
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    axis: str
    whole_numbers: bool = True


def chart_data(digest: Digest) -> ChartData | None:
    """Pages per member this week (top readers); the week's top-rated books when nobody
    logged pages; None for a week with neither (the digest then has no image)."""
    readers = [m for m in digest.readers if m.pages > 0][:CHART_BARS]
    if readers:
        return ChartData(
            title="Pages read this week",
            labels=tuple(one_line(m.display_name, _NAME_LIMIT) or "?" for m in readers),
            values=tuple(float(m.pages) for m in readers),
            axis="pages",
        )
    if digest.top_books:
        books = digest.top_books[:CHART_BARS]
        return ChartData(
            title="Top rated this week",
            labels=tuple(one_line(b.title, _NAME_LIMIT) or "?" for b in books),
            values=tuple(b.average_quarters / 4 for b in books),
            axis="★",
            whole_numbers=False,
        )
    return None


def chart_png(data: ChartData) -> bytes:
    """A horizontal bar chart as PNG bytes (biggest bar on top), drawn with Pillow
    (:mod:`bot.render.bar_chart` says why). Blocking for a few milliseconds: use a thread."""
    values = [
        f"{v:,.0f} {data.axis}" if data.whole_numbers else f"{round(v, 2):g}{data.axis}"
        for v in data.values
    ]
    return horizontal_bars_png(data.title, data.labels, data.values, values, _BAR_COLOUR)


async def chart_file(
    digest: Digest, *, turn: asyncio.Semaphore | None = None
) -> discord.File | None:
    """The digest's one chart as an attachment, drawn in a worker thread; None if no data.

    ``turn`` bounds how many charts are drawn at once: drawing holds the GIL, so more
    threads than that only thrash while many guilds post at the same time.
    """
    data = chart_data(digest)
    if data is None:
        return None
    if turn is None:
        png = await asyncio.to_thread(chart_png, data)
    else:
        async with turn:
            png = await asyncio.to_thread(chart_png, data)
    return discord.File(io.BytesIO(png), filename=CHART_FILENAME, description=data.title)


# --- messages around the digest --------------------------------------------------------------


def _channel(channel_id: int) -> str:
    return f"<#{channel_id}>"


def schedule_line(schedule: DigestSchedule, channel_id: int) -> str:
    return f"{schedule.describe()} in {_channel(channel_id)}"


def setup_embed(setup: DigestSetup) -> discord.Embed:
    embed = discord.Embed(
        title="Weekly digest is on",
        description=(
            f"{schedule_line(setup.schedule, setup.channel_id)}.\n"
            f"Next digest: {discord.utils.format_dt(setup.next_post, 'F')} "
            f"({discord.utils.format_dt(setup.next_post, 'R')})."
        ),
        colour=DIGEST_COLOUR,
    )
    embed.set_footer(
        text="/digest preview shows what it would say now · /digest off stops it · "
        "members who ran /privacy digest off are left out"
    )
    return embed


def off_text(was_on: bool) -> str:
    if was_on:
        return "The weekly digest is off. `/digest setup` turns it back on."
    return "The weekly digest was already off. `/digest setup` turns it on."


def failure_text(
    kind: FailureKind, channel_id: int, code: str, http_status: int | None = None
) -> str:
    """Why a digest could not be posted, what an admin can do about it, and the error code
    the log has the details under (an exception's or Discord's own text is never shown: it
    can hold paths, queries or tokens)."""
    where = _channel(channel_id)
    ref = f"error code `{code}`"
    if kind is FailureKind.CHANNEL_MISSING:
        return (
            f"the channel {where} no longer exists or I cannot see it. "
            f"Choose another one with `/digest setup`. ({ref})"
        )
    if kind is FailureKind.FORBIDDEN:
        return f"I am missing permissions in {where}: I need {NEEDED_PERMISSIONS} there. ({ref})"
    if kind is FailureKind.DISCORD_ERROR:
        status = f"HTTP {http_status}; " if http_status else ""
        return f"Discord had a problem ({status}{ref})."
    return f"something went wrong on my side ({ref}; the details are in the bot's log)."


def failure_report_embed(report: FailureReport) -> discord.Embed:
    """For the moderators' log channel, sent once per guild per week."""
    if report.maybe_posted:
        description = (
            f"I stopped while posting this week's digest ({report.week_key}) in "
            f"{_channel(report.channel_id)}, so it may or may not have been posted. I will not "
            "post it again by myself, to avoid a duplicate: if it is missing, an admin can "
            "use `/digest send-now`."
        )
    else:
        description = (
            f"I could not post this week's digest ({report.week_key}): "
            f"{failure_text(report.kind, report.channel_id, report.code, report.http_status)}"
        )
        if report.next_attempt_at is not None:
            description += (
                f"\nI will try again {discord.utils.format_dt(report.next_attempt_at, 'R')} "
                "and keep trying until the end of the week; this is the only report."
            )
        else:
            description += "\nI will not try again this week."
    return discord.Embed(
        title="Weekly digest not posted", description=description, colour=REPORT_COLOUR
    )


def send_failed_text(error: PostingFailed, channel_id: int) -> str:
    why = failure_text(error.kind, channel_id, error.code, error.http_status)
    return f"I could not post the digest: {why}"


def posted_text(result: SendNowResult, link: str | None) -> str:
    where = link or _channel(result.channel_id)
    previous = result.previous
    again = " again" if previous is not None and previous.status != "failed" else ""
    return (
        f"Posted this week's digest{again}: {where}. It counts as this week's digest, "
        "so the scheduled one will not post again this week."
    )


def confirm_text(result: SendNowResult, posted_at: datetime | None) -> str:
    previous = result.previous
    if previous is not None and previous.status == "posted":
        when = f" {discord.utils.format_dt(posted_at, 'R')}" if posted_at else ""
        return (
            f"This week's digest was already posted{when} in "
            f"{_channel(previous.channel_id or result.channel_id)}. Post it again anyway?"
        )
    return (
        "This week's digest may already have been posted (the bot stopped while posting it). "
        f"Check {_channel(result.channel_id)} first. Post it again anyway?"
    )
