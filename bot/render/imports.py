"""The reply to an import (counts, unmatched rows, notes, the rounding rule) and the text
that comes with ``/export``'s files.

Short reports fit in one embed. When the unmatched rows or the notes do not fit, the embed
shows the first ones and the whole list comes as ``import-report.txt``
(:func:`report_text`, which is also what ``marginalia import`` prints).
"""

from __future__ import annotations

import io
from typing import Final

import discord

from bot.domain.discord_limits import (
    EMBED_FIELD_VALUE_LIMIT,
)
from bot.domain.imports import RowProblem
from bot.domain.markdown import inert, plain
from bot.domain.stars import RatingStep
from bot.domain.words import plural
from bot.services.exports import MemberExport
from bot.services.imports import ImportReport, UnmatchedRow

__all__ = [
    "IMPORT_COLOUR",
    "REPORT_FILENAME",
    "REPORT_FILE_LINES",
    "export_message",
    "import_embed",
    "needs_report_file",
    "report_file",
    "report_text",
    "rounding_rule",
]

IMPORT_COLOUR: Final = discord.Colour.dark_green()
REPORT_FILENAME: Final = "import-report.txt"
#: Lines of each list shown in the embed; longer lists come as the report file.
SHOWN_LINES: Final = 10
#: Lines of each list in the report file (~1 MB at most: well within Discord's upload limit).
REPORT_FILE_LINES: Final = 10_000

_EXAMPLES: Final[dict[RatingStep, str]] = {
    RatingStep.WHOLE: "2.5 → 3, 3.25 → 3, 0.5 → 1",
    RatingStep.HALF: "3.25 → 3.5, 3.75 → 4",
    RatingStep.QUARTER: "no rounding needed",
}


def rounding_rule(step: RatingStep) -> str:
    """How ratings between this server's steps are rounded, in words."""
    return (
        f"rounded half up to the nearest {step.noun.removesuffix('s')} "
        f"(this server's step; {_EXAMPLES[step]})"
    )


def _unmatched_line(row: UnmatchedRow) -> str:
    author = f" by {', '.join(row.authors[:2])}" if row.authors else ""
    why = f" — {row.why}" if row.why else ""
    # shortened before escaping, so a member's ||…|| in a title becomes a placeholder first
    return f"Row {row.row}: {plain(row.title, 80)}{author}{why}"


def _counts(report: ImportReport) -> str:
    return (
        f"**{report.imported:,}** imported · **{report.updated:,}** updated · "
        f"**{report.skipped:,}** skipped · **{len(report.unmatched):,}** unmatched"
    )


def needs_report_file(report: ImportReport) -> bool:
    return len(report.unmatched) > SHOWN_LINES or len(report.problems) > SHOWN_LINES


def _listing(lines: list[str], more: int) -> str:
    """Safe lines that fit one embed field, with a pointer to the file for the rest."""
    tail = f"\n… and {more:,} more in {REPORT_FILENAME}" if more else ""
    out: list[str] = []
    size = len(tail)
    for line in lines:
        safe = inert(line)
        if size + len(safe) + 1 > EMBED_FIELD_VALUE_LIMIT - 60:
            more += len(lines) - len(out)
            tail = f"\n… and {more:,} more in {REPORT_FILENAME}"
            break
        out.append(safe)
        size += len(safe) + 1
    return "\n".join(out) + tail


def import_embed(report: ImportReport) -> discord.Embed:
    """The reply: counts first, then what the member may want to check."""
    title = f"{report.site} import " + ("done" if report.changed else "— nothing new")
    lines = [_counts(report)]
    if not report.changed and report.rows:
        lines.append("Everything in this file is already here; nothing was changed.")
    if report.unmatched:
        lines.append(
            "Unmatched books were not found in the book catalogue; they were imported with "
            "the title, author and ISBN from your file."
        )
    if report.rounded_ratings:
        lines.append(
            f"{plural(report.rounded_ratings, 'rating')} between this server's steps "
            f"{'was' if report.rounded_ratings == 1 else 'were'} {rounding_rule(report.step)}."
        )
    if report.catalogue_unreachable:
        lines.append(
            "The book catalogue could not be reached, so books this server did not know "
            "were kept with your file's details."
        )
    elif report.not_looked_up:
        lines.append(
            f"The book catalogue answered slowly: {plural(report.not_looked_up, 'book')} "
            "were kept with your file's details instead of waiting."
        )
    embed = discord.Embed(title=title, description="\n\n".join(lines), colour=IMPORT_COLOUR)
    if report.unmatched:
        shown = [_unmatched_line(u) for u in report.unmatched[:SHOWN_LINES]]
        embed.add_field(
            name="Unmatched",
            value=_listing(shown, len(report.unmatched) - len(shown)),
            inline=False,
        )
    if report.problems:
        shown = [p.describe() for p in report.problems[:SHOWN_LINES]]
        embed.add_field(
            name="Notes",
            value=_listing(shown, len(report.problems) - len(shown)),
            inline=False,
        )
    embed.set_footer(text="Importing the same file again changes nothing. /export gives it back.")
    return embed


def _problem_line(problem: RowProblem) -> str:
    return ("skipped — " if problem.skipped else "") + problem.describe()


def report_text(report: ImportReport) -> str:
    """The whole report as plain text (for the attached file and the command line)."""
    lines = [
        f"{report.site} import",
        f"Rows: {report.rows:,}",
        f"Imported: {report.imported:,}",
        f"Updated: {report.updated:,}",
        f"Skipped: {report.skipped:,}",
        f"Unmatched: {len(report.unmatched):,}",
    ]
    if report.rounded_ratings:
        lines.append(f"Ratings rounded: {report.rounded_ratings:,}, {rounding_rule(report.step)}")
    if report.catalogue_unreachable:
        lines.append("The book catalogue was unreachable; unknown books keep the file's details.")
    lines.append(f"Catalogue requests: {report.catalogue_requests:,}")
    if report.unmatched:
        lines += ["", "Unmatched (imported with the file's title, author and ISBN):"]
        lines += [f"  {_unmatched_line(u)}" for u in report.unmatched[:REPORT_FILE_LINES]]
        lines += _not_listed(len(report.unmatched), "unmatched rows")
    if report.problems:
        lines += ["", "Notes:"]
        lines += [f"  {_problem_line(p)}" for p in report.problems[:REPORT_FILE_LINES]]
        lines += _not_listed(len(report.problems), "notes")
    return "\n".join(lines) + "\n"


def _not_listed(count: int, what: str) -> list[str]:
    more = count - REPORT_FILE_LINES
    return [f"  … and {more:,} more {what} (not listed)"] if more > 0 else []


def report_file(report: ImportReport) -> discord.File:
    data = report_text(report).encode("utf-8")
    return discord.File(io.BytesIO(data), filename=REPORT_FILENAME)


def export_message(export: MemberExport) -> str:
    """The text sent with the ``/export`` files."""
    zipped = " (zipped together: one by one they are larger than Discord's upload limit)"
    quotes = f", {plural(export.quotes, 'quote')}" if export.quotes else ""
    quotes_file = (
        "• the **quotes.csv** lists your quotes with their books, positions and likes;\n"
        if export.quotes
        else ""
    )
    return (
        f"Your data in this server: {plural(export.books, 'book')}, "
        f"{plural(export.ratings, 'rating')}, {plural(export.reviews, 'review')}, "
        f"{plural(export.readings, 'reading')}, {plural(export.shelves, 'shelf', 'shelves')}"
        f"{quotes}{zipped if export.zipped else ''}.\n"
        "• the **goodreads.csv** is in Goodreads' format: Goodreads and StoryGraph import it, "
        "and `/import goodreads` brings it back here without loss;\n"
        f"{quotes_file}"
        "• the **.json** holds everything stored about you here, progress updates, goals, "
        "likes and flags included."
    )
