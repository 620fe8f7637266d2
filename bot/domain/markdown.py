"""Member text made inert for Discord: shown exactly as typed, never changing what is around it.

Discord renders Markdown in message content, embed titles, descriptions and field values. The
client's parser (simple-markdown with Discord's rules) matches several constructs on the *raw*
text with lazy patterns that ignore escapes: a spoiler ``||…||`` ends at the next raw ``||``,
strike-through ``~~…~~`` at the next raw ``~~``, underline and bold at the next unescaped pair.
So one unmatched marker in member text can pair with a marker in the bot's own text, or in
another member's text, and carry a spoiler out of its tags. The rule here is simple: member
text never contains a raw Markdown character.

:func:`inert` escapes every character that starts or ends a construct (``\\ * _ ~ | ` [ ] < >``
everywhere; ``#``, ``-``, ``+`` and ``1.`` list markers at the start of a line) with a
backslash, which Discord hides, so the text *shows* as typed. Mentions get a zero-width space
(:func:`~bot.domain.text.neutralise_mentions`). A bare ``https://`` link stays clickable when it
holds none of those characters; otherwise its ``:`` is escaped too, so it shows as text and
everything in it is escaped like the rest.

``||…||`` typed in a spoiler-free field is the member asking for a spoiler, so it stays one:
:func:`spoiler_segments` finds those spans exactly as Discord pairs them (lazily, left to
right), and :func:`inert` renders each as a closed spoiler span of its own. Where Discord does
not render Markdown at all (embed footers and author names, button and select labels, thread
names, modal titles, autocomplete choices), :func:`plain` puts a placeholder in their place.

Lengths: escaping adds characters, so limits are checked on the result. ``inert(text, limit)``
shortens the *raw* text until the result fits, so a cut never leaves a dangling backslash or
an unclosed spoiler span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from bot.domain.text import ELLIPSIS, is_blank, is_invisible, neutralise_mentions, trim

SPOILER_TAG: Final = "||"
ZWSP: Final = "\u200b"
HIDDEN_PLACEHOLDER: Final = "[spoiler]"

# Escaped wherever they appear.
_ALWAYS: Final = frozenset("\\*_~|`[]<>")
# Escaped at the start of a line (after blanks): headings, subtext, quotes, list bullets.
_LINE_START: Final = frozenset("#-+>")
_ORDERED_ITEM = re.compile(r"[0-9]{1,9}[.)]")
# Discord's own autolink pattern, and what a link may hold to stay clickable unescaped.
_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
_URL_SAFE = re.compile(r"[A-Za-z0-9\-.:/?#@!$&'+,;=%]+")
# What may follow a link kept clickable: only characters that are neither escaped nor taken
# into the link by Discord, then a blank in the member's own text. (At the end of the text,
# whatever the bot puts next — "**", "”", a spoiler tag — would be taken into the link.)
_URL_END = re.compile(r"[.,:;\"')]*\s")
# Discord's spoiler rule: `||`, then the shortest run up to the next `||`.
_SPOILER_SPAN = re.compile(r"\|\|([\s\S]+?)\|\|")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of member text: ``spoiler`` when the member wrapped it in ``||…||``.

    ``start``/``stop`` index the original text (tags included for a spoiler segment);
    ``inner_start``/``inner_stop`` index what is shown (the tags excluded).
    """

    start: int
    stop: int
    spoiler: bool
    inner_start: int
    inner_stop: int


def spoiler_segments(text: str) -> list[Segment]:
    """The text cut into plain and member-spoiler segments, as Discord would pair ``||``.

    A span with nothing visible inside (``|| ||``) is not treated as a spoiler: Discord shows
    an empty box there, and nothing is hidden.
    """
    segments: list[Segment] = []
    pos = 0
    for match in _SPOILER_SPAN.finditer(text):
        if not _has_visible(match.group(1)):
            continue
        if match.start() > pos:
            segments.append(Segment(pos, match.start(), False, pos, match.start()))
        segments.append(Segment(match.start(), match.end(), True, match.start(1), match.end(1)))
        pos = match.end()
    if pos < len(text):
        segments.append(Segment(pos, len(text), False, pos, len(text)))
    return segments


def has_member_spoilers(text: str) -> bool:
    return any(segment.spoiler for segment in spoiler_segments(text))


# --- escaping -----------------------------------------------------------------------------


def escape_literal(text: str, *, at_line_start: bool = True, links: bool = True) -> str:
    """``text`` with every Markdown character escaped, so it shows exactly as typed.

    ``at_line_start`` says whether the text may begin a line where it is placed (the safe
    default); list and heading markers there are escaped too. ``||`` gets no special
    meaning here: see :func:`inert`. With ``links`` False no link stays clickable.
    """
    text = neutralise_mentions(text)
    found = {m.start(): m.group(0) for m in _URL.finditer(text)}
    out: list[str] = []
    start_of_line = at_line_start
    index = 0
    length = len(text)
    while index < length:
        url = found.get(index)
        if url is not None:
            if links and _URL_SAFE.fullmatch(url) and _URL_END.match(text, index + len(url)):
                out.append(url)
            else:  # shown as text: an escaped colon stops Discord from linking it
                scheme, rest = url.split(":", 1)
                out.append(scheme + "\\:" + escape_literal(rest, at_line_start=False, links=False))
            index += len(url)
            start_of_line = False
            continue
        char = text[index]
        if start_of_line:
            if char in " \t":
                out.append(char)
                index += 1
                continue
            ordered = _ORDERED_ITEM.match(text, index)
            if ordered is not None:
                digits = ordered.group(0)
                out.append(digits[:-1] + "\\" + digits[-1])
                index = ordered.end()
                start_of_line = False
                continue
            if char in _LINE_START:
                out.append("\\" + char)
                index += 1
                start_of_line = False
                continue
        out.append("\\" + char if char in _ALWAYS else char)
        start_of_line = char == "\n"
        index += 1
    return "".join(out)


def spoiler_span(text: str) -> str:
    """``text`` as exactly one Discord spoiler span, or ``""`` when nothing in it is visible.

    Every pipe inside is escaped, so no ``||`` can close the span early; an escaped pipe at
    the very end gets a space after it, so the closing tag's pipes cannot pair with it
    (``\\|||`` would close one pipe early) — a space, not a zero-width character, because
    some clients drop invisible characters before parsing.
    """
    if not _has_visible(text):
        return ""
    inner = escape_literal(text)  # a span's text is parsed as if it began a line
    if "".join(char for char in inner if not is_invisible(char)).endswith("|"):
        inner += " "
    return f"{SPOILER_TAG}{inner}{SPOILER_TAG}"


def inert(text: str, limit: int | None = None, *, at_line_start: bool = True) -> str:
    """Member text for a Markdown context: shown as typed, its ``||…||`` parts kept hidden.

    With ``limit``, the text is shortened (on a word boundary, with "…") until the result
    fits; the result is never longer than ``limit``, never ends inside an escape, and a
    member's spoiler span cut short stays a closed span (its start is never shown plainly).
    """
    segments = spoiler_segments(text)
    whole = "".join(_render_segments(text, segments, 0, len(text), at_line_start))
    if limit is None or len(whole) <= limit:
        return whole
    size = min(len(text), limit)
    while size > 1:
        cut = _cut_index(text, size)
        rendered = "".join(_render_segments(text, segments, 0, cut, at_line_start)) + ELLIPSIS
        if len(rendered) <= limit:
            return rendered
        size = min(size - 1, max(1, size - (len(rendered) - limit)))
    return ELLIPSIS


def _cut_index(text: str, size: int) -> int:
    """Where :func:`~bot.domain.text.trim` would cut ``text`` to fit ``size`` with "…"."""
    cut = size - 1
    head = text[:cut]
    boundary = max(head.rfind(" "), head.rfind("\n"))
    if boundary >= cut // 2:
        cut = boundary
    return len(text[:cut].rstrip(" \t\n,;:–—-"))


def inert_range(text: str, segments: list[Segment], start: int, stop: int) -> str:
    """:func:`inert` of ``text[start:stop]`` where the segments were found on the whole text,
    so a member spoiler cut by a page break stays hidden on both pages."""
    return "".join(_render_segments(text, segments, start, stop, True))


def _render_segments(
    text: str, segments: list[Segment], start: int, stop: int, at_line_start: bool
) -> Iterator[str]:
    first = True
    for segment in segments:
        if segment.stop <= start or segment.start >= stop:
            continue
        if segment.spoiler:
            piece = text[max(segment.inner_start, start) : min(segment.inner_stop, stop)]
            rendered = spoiler_span(piece)
        else:
            piece = text[max(segment.start, start) : min(segment.stop, stop)]
            rendered = escape_literal(piece, at_line_start=at_line_start or not first)
        if rendered:
            yield rendered
            first = False


def plain(text: str, limit: int | None = None) -> str:
    """Member text for a place where Discord shows text raw (footers, author names, labels,
    thread names, modal titles, autocomplete): member spoiler spans become a placeholder."""
    segments = spoiler_segments(text)
    if any(segment.spoiler for segment in segments):
        text = "".join(
            HIDDEN_PLACEHOLDER if segment.spoiler else text[segment.start : segment.stop]
            for segment in segments
        )
    return text if limit is None else trim(text, limit)


def inert_heading(text: str, limit: int) -> str:
    """Member text for an embed title or field name: Markdown is rendered there, spoiler tags
    are not dependable, so the member's ``||…||`` parts become a placeholder and the rest is
    escaped."""
    return inert(plain(text), limit)


def clip(markdown: str, limit: int) -> str:
    """Shorten *composed* Markdown (the bot's text around inert member text) to ``limit``
    characters with "…", never inside an escape or a spoiler span: a cut inside a span
    drops the whole span, so nothing hidden is left open."""
    if len(markdown) <= limit:
        return markdown
    budget = max(0, limit - len(ELLIPSIS))
    safe = 0  # the longest prefix that ends outside any escape or span
    open_at: int | None = None
    index = 0
    while index < len(markdown):
        if markdown[index] == "\\":
            step = 2
        elif markdown.startswith(SPOILER_TAG, index):
            step = 2
            open_at = index if open_at is None else None
        else:
            step = 1
        if index + step > budget:
            break
        index += step
        if open_at is None:
            safe = index
    return markdown[:safe].rstrip() + ELLIPSIS


def _has_visible(text: str) -> bool:
    return not is_blank(text)
