"""``/progress pace``: the member's own pace through the club read, shown to them alone.

Numbers only (positions, days, amounts a day), never anyone else's progress or any text
from reviews or quotes; the book title and checkpoint label are escaped member text.
"""

from __future__ import annotations

import math

import discord

from bot.domain import words
from bot.domain.club import Checkpoint, format_day
from bot.domain.club_pace import ClubPace
from bot.domain.markdown import inert_heading
from bot.render.clubs import CLUB_COLOUR, book_line, checkpoint_line
from bot.services.clubs import PaceReport

__all__ = ["pace_embed", "pace_lines"]


def _amount(kind: str, value: float) -> str:
    if kind == "page":
        return words.plural(max(0, math.ceil(value - 1e-9)), "page")
    return f"{max(0.0, value):.1f} %"


def _position(kind: str, value: float) -> str:
    return f"p. {math.floor(value + 1e-9):,}" if kind == "page" else f"{value:.1f} %"


def _missed(pace: ClubPace) -> str | None:
    if not pace.overdue:
        return None
    passed = words.plural(pace.overdue, "checkpoint")
    return f"⚠️ You have not reached {passed} whose date has passed."


def pace_lines(report: PaceReport) -> list[str]:
    """What the card says, line by line (the card's description)."""
    pace = report.pace
    if pace.state == "done":
        return ["✅ You have finished the book — no pace to keep."]
    if pace.state == "ahead":
        return ["✅ You are past every checkpoint still to come. Read on at your own pace."]
    checkpoint: Checkpoint | None = pace.checkpoint
    assert checkpoint is not None
    lines = [f"Next: {checkpoint_line(checkpoint)}"]
    if pace.state == "unknown":
        other = "pages" if checkpoint.reach.kind == "percent" else "a percent"
        lines.append(
            f"This checkpoint is measured in {checkpoint.reach.kind}s and the book's page "
            f"count is unknown, so your progress cannot be compared with it. Log {other} "
            "with /progress update to see your pace."
        )
        return lines
    assert pace.position is not None and pace.left is not None and pace.per_day is not None
    kind = checkpoint.reach.kind
    if not report.logged:
        lines.append("You have not logged any progress on this book yet (/progress update).")
    else:
        lines.append(f"You are at {_position(kind, pace.position)}.")
    if pace.days_left == 0:
        lines.append(
            f"Its date ({format_day(checkpoint.due_on)}) has passed: "
            f"{_amount(kind, pace.left)} to go."
        )
    else:
        days = words.plural(pace.days_left, "day")
        lines.append(
            f"{_amount(kind, pace.left)} to go in {days} (today included): "
            f"about **{_amount(kind, pace.per_day)} a day**."
        )
    if pace.expected is not None:
        steady = f"a steady reader would be at {_position(kind, pace.expected)} today"
        verdict = "On track" if pace.state == "on-track" else "Behind"
        lines.append(f"{verdict}: {steady}.")
    elif pace.state == "on-track":
        lines.append("On track.")
    missed = _missed(pace)
    if missed:
        lines.append(missed)
    return lines


def pace_embed(report: PaceReport) -> discord.Embed:
    embed = discord.Embed(
        title="Your pace",
        description="\n".join(
            [book_line(report.view.club, report.view.author), *pace_lines(report)]
        ),
        colour=CLUB_COLOUR,
    )
    embed.set_footer(text=f"Only you can see this · your today: {format_day(report.view.today)}")
    return embed


def nudge_embed(report: PaceReport, server: str | None) -> discord.Embed:
    """The nudge's direct message: the member's own pace, two days before a checkpoint."""
    where = f" on {inert_heading(server, 100)}" if server else ""
    embed = discord.Embed(
        title=f"A nudge for the club read{where}",
        description="\n".join(
            [book_line(report.view.club, report.view.author), *pace_lines(report)]
        ),
        colour=CLUB_COLOUR,
    )
    embed.set_footer(text="Only you get this. Turn nudges off with /club nudges off in the server.")
    return embed
