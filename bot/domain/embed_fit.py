"""Fitting text into Discord embeds: what one embed shows (:class:`EmbedSpec`), every way a
message's embeds would be refused (:func:`embed_limit_problems`), and titled lists of lines
packed into the embeds of one message (:func:`fit_sections`, used by the weekly digest).

Pure text, no discord import: the render layer turns an :class:`EmbedSpec` into a
``discord.Embed``. The spoiler paginator beside it (:mod:`bot.domain.spoilers`) cuts one long
text into pages; this module shares one message's budget between many short lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.discord_limits import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_PER_EMBED,
    EMBED_FOOTER_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
)
from bot.domain.words import plural

_CONTINUED = "\u200b"  # name of a field that continues the previous one (renders blank)


@dataclass(frozen=True, slots=True)
class FitSection:
    """A titled list of lines (already in their final Markdown); ``noun`` names one line's item
    for "… and N more readers"."""

    title: str
    lines: tuple[str, ...]
    noun: str = "item"


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class EmbedSpec:
    """What one embed shows; the render layer turns it into a ``discord.Embed``."""

    title: str | None = None
    description: str | None = None
    fields: tuple[EmbedField, ...] = ()
    footer: str | None = None

    @property
    def size(self) -> int:
        """Characters Discord counts towards the message's 6,000."""
        return (
            len(self.title or "")
            + len(self.description or "")
            + len(self.footer or "")
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


def embed_limit_problems(embeds: Sequence[EmbedSpec]) -> list[str]:
    """Every way ``embeds`` (one message) would be refused by Discord; empty when it fits."""
    problems = []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    total = sum(e.size for e in embeds)
    if total > EMBED_TOTAL_LIMIT:
        problems.append(f"{total} characters in all embeds > {EMBED_TOTAL_LIMIT}")
    for i, e in enumerate(embeds):
        checks = [
            ("title", len(e.title or ""), EMBED_TITLE_LIMIT),
            ("description", len(e.description or ""), EMBED_DESCRIPTION_LIMIT),
            ("footer", len(e.footer or ""), EMBED_FOOTER_LIMIT),
            ("field count", len(e.fields), EMBED_FIELDS_PER_EMBED),
        ]
        for f in e.fields:
            checks.append(("field name", len(f.name), EMBED_FIELD_NAME_LIMIT))
            checks.append(("field value", len(f.value), EMBED_FIELD_VALUE_LIMIT))
            if not f.name or not f.value:
                problems.append(f"embed {i}: empty field name or value")
        problems += [f"embed {i}: {what} {n} > {cap}" for what, n, cap in checks if n > cap]
        if e.size == 0:
            problems.append(f"embed {i}: empty")
    return problems


def fit_sections(title: str, sections: Sequence[FitSection], footer: str) -> tuple[EmbedSpec, ...]:
    """Titled sections of lines as the embeds of ONE message, within every Discord limit.

    The first section is the first embed's description under ``title``; every other section
    becomes fields (name = section title, continued in further fields at line boundaries when
    longer than 1,024), spilling into a further embed after 25 fields. The 6,000-character
    message total is shared fairly: short sections get all they need, the long ones split what
    is left. A section that does not fit keeps its first lines and ends with "… and N more
    <items>"; a line is never cut. ``footer`` goes under the last embed.
    """
    if not sections:
        raise ValueError("at least one section (the description) is needed")
    rest = sections[1:]
    title = _clip(title, EMBED_TITLE_LIMIT)
    footer = _clip(footer, EMBED_FOOTER_LIMIT)
    names = [_clip(s.title, EMBED_FIELD_NAME_LIMIT) for s in rest]
    budget = EMBED_TOTAL_LIMIT - len(title) - len(footer) - sum(map(len, names))
    caps = [EMBED_DESCRIPTION_LIMIT] + [EMBED_TOTAL_LIMIT] * len(rest)
    bodies = _share_budget(sections, caps, budget)

    fields: list[EmbedField] = []
    for name, body in zip(names, bodies[1:], strict=True):
        for i, chunk in enumerate(_chunks(body, EMBED_FIELD_VALUE_LIMIT)):
            fields.append(EmbedField(name if i == 0 else _CONTINUED, "\n".join(chunk)))
    per = EMBED_FIELDS_PER_EMBED
    groups = [fields[i : i + per] for i in range(0, len(fields), per)]
    embeds = [
        EmbedSpec(
            title=title,
            description="\n".join(bodies[0]) or None,
            fields=tuple(groups[0]) if groups else (),
        )
    ]
    embeds += [EmbedSpec(fields=tuple(g)) for g in groups[1:]]
    if len(embeds) > EMBEDS_PER_MESSAGE:  # needs > 225 fields; the budget makes it impossible
        raise ValueError("the sections do not fit in one message")
    last = embeds[-1]
    embeds[-1] = EmbedSpec(last.title, last.description, last.fields, footer)
    return tuple(embeds)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share_budget(
    sections: Sequence[FitSection], caps: Sequence[int], budget: int
) -> list[list[str]]:
    """Fit each section's lines into its share of ``budget`` characters (newlines included).

    Sections are served smallest first, each given at most an equal share of what is left;
    what a small section does not use goes to the bigger ones after it.
    """
    rendered = [list(s.lines) for s in sections]
    needs = [min(_joined_len(lines), cap) for lines, cap in zip(rendered, caps, strict=True)]
    out: list[list[str]] = [[] for _ in sections]
    remaining = budget
    order = sorted(range(len(sections)), key=lambda i: needs[i])
    for position, i in enumerate(order):
        share = min(caps[i], remaining // (len(order) - position))
        out[i] = _fit_lines(rendered[i], sections[i].noun, share)
        remaining -= _joined_len(out[i])
    return out


def _joined_len(lines: Sequence[str]) -> int:
    return sum(map(len, lines)) + max(0, len(lines) - 1)


def _more(hidden: int, noun: str) -> str:
    return f"… and {plural(hidden, f'more {noun}')}"


def _fit_lines(lines: Sequence[str], noun: str, budget: int) -> list[str]:
    """The longest prefix of ``lines`` that fits in ``budget`` together with a closing
    "… and N more" line when anything was left out. Lines longer than one field value are
    left out (and counted) rather than cut."""
    usable = [line for line in lines if len(line) <= EMBED_FIELD_VALUE_LIMIT]
    dropped = len(lines) - len(usable)
    if dropped == 0 and _joined_len(usable) <= budget:
        return list(usable)
    best: list[str] = []
    used = 0
    for k in range(len(usable) + 1):
        hidden = len(usable) - k + dropped
        tail = [_more(hidden, noun)] if hidden else []
        size = used + len(tail[0]) + (1 if k else 0) if tail else used
        if size > budget:
            break
        best = [*usable[:k], *tail]
        if k < len(usable):
            used += len(usable[k]) + (1 if k else 0)
    if not best:
        raise ValueError(f"not even one line of a {noun} list fits in {budget} characters")
    return best


def _chunks(lines: Sequence[str], limit: int) -> list[list[str]]:
    """Group lines into runs whose newline-joined length is at most ``limit``."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append(current)
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current:
        chunks.append(current)
    return chunks
