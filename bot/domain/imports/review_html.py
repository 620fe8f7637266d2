"""Reviews as Goodreads and StoryGraph export them (HTML) ↔ plain text with a spoiler part.

Goodreads reviews are HTML (``<br/>`` line breaks, ``<i>``, links) and hide spoilers inline
in ``<spoiler>…</spoiler>`` tags (the editor's ``[spoiler]…[/spoiler]`` is accepted too);
its ``Spoiler`` column marks a review that is spoilers as a whole. The text outside the
tags becomes the spoiler-free review, the text inside them the spoiler part.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import NamedTuple

from bot.domain.imports.fields import strip_controls

__all__ = ["review_from_html", "review_to_html"]

_BBCODE_SPOILER = re.compile(r"\[(/?)spoiler\]", re.IGNORECASE)
# Exports are well-formed HTML (a "<" in the text is "&lt;"), so a tag is "<" + a letter.
# Only the opening is a pattern (matched where a "<" is, so it never scans past the name);
# the closing ">" and "-->" are found with str.find (see _tokens).
_TAG_OPEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b")
_BLOCKS = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "pre", "table", "tr", "section", "article"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
_SKIP = frozenset(("script", "style", "head", "title"))
_MANY_BREAKS = re.compile(r"\n{3,}")
_SPOILER_GAP = "\n\n"
# Where a spoiler was cut out of the text: a placeholder mid-line, nothing at a line's edge.
_GAP = "\x00"  # control characters are stripped from the input, so this one is free
# Linear: a match may only start after a non-space (or at the start of a run of spaces), so
# a long run of spaces is tried once, not once per space; runs of gaps are one gap first.
_GAP_RUN = re.compile(r"\x00(?:[ \t]*\x00)+")
_MID_LINE_GAP = re.compile(r"(?<=[^\s\x00])([ \t]*)\x00([ \t]*)(?=[^\s\x00])")
_EDGE_GAP = re.compile(r"(?<![ \t])[ \t]*\x00[ \t]*")
# html.unescape turns "&#99…9;" into int("99…9"): past 4,300 digits that raises ValueError.
_LONG_DECIMAL_REF = re.compile(r"&#(\d{8,});?")
_MAX_CODE_POINT_DIGITS = 7  # 0x10FFFF is 1114111


class _Token(NamedTuple):
    start: int
    end: int
    name: str | None  # None for a comment
    closing: bool
    self_closing: bool


def _tokens(raw: str) -> Iterator[_Token]:
    """The comments and tags of ``raw``, in order, in linear time.

    A tag is ``<name`` up to the next ``>``; a comment ``<!--`` up to the next ``-->``.
    Once no ``>`` (or ``-->``) follows a place, none follows any later place either, so
    the search is not repeated: an unclosed ``<a`` or ``<!--`` costs one scan, not one
    per ``<`` after it. An unclosed ``<spoiler`` still opens a spoiler (what follows was
    meant to be hidden), the rest is text.
    """
    pos = 0
    tags_close = comments_close = True
    while (lt := raw.find("<", pos)) != -1:
        pos = lt + 1
        if raw.startswith("<!--", lt):
            end = raw.find("-->", lt + 4) if comments_close else -1
            if end != -1:
                pos = end + 3
                yield _Token(lt, pos, None, False, False)
                continue
            comments_close = False
        match = _TAG_OPEN.match(raw, lt)
        if match is None:
            continue
        name, closing = match.group(2).lower(), bool(match.group(1))
        end = raw.find(">", match.end()) if tags_close else -1
        if end != -1:
            pos = end + 1
            yield _Token(lt, pos, name, closing, raw[end - 1] == "/")
            continue
        tags_close = False
        if name == "spoiler" and not closing:
            pos = match.end()
            yield _Token(lt, pos, name, False, False)


def _unescape(text: str) -> str:
    """:func:`html.unescape`, safe from character references with thousands of digits."""

    def too_long(match: re.Match[str]) -> str:
        digits = match.group(1).lstrip("0")
        if len(digits) > _MAX_CODE_POINT_DIGITS:
            return "\ufffd"  # what unescape gives for any number past 0x10FFFF
        return f"&#{digits or 0};"

    if "&#" in text:
        text = _LONG_DECIMAL_REF.sub(too_long, text)
    return html.unescape(text)


class _Splitter:
    """Walks the tags once, sending text outside ``<spoiler>`` to ``body`` and inside to
    ``spoilers`` (one list per spoiler section)."""

    def __init__(self) -> None:
        self.body: list[str] = []
        self.spoilers: list[list[str]] = []
        self._spoiler_depth = 0
        self._skip_depth = 0

    def _out(self) -> list[str]:
        return self.spoilers[-1] if self._spoiler_depth else self.body

    def feed(self, raw: str) -> None:
        pos = 0
        for token in _tokens(raw):
            self._data(raw[pos : token.start])
            pos = token.end
            if token.name is not None:
                if token.closing:
                    self._end(token.name)
                else:
                    self._start(token.name, token.self_closing)
        self._data(raw[pos:])

    def _start(self, tag: str, self_closing: bool) -> None:
        if tag in _SKIP and not self_closing:
            self._skip_depth += 1
        elif tag == "spoiler":
            if self_closing:
                return
            if self._spoiler_depth == 0:
                self.spoilers.append([])
                self.body.append(_GAP)
            self._spoiler_depth += 1
        elif tag == "br":
            self._out().append("\n")
        elif tag == "li":
            self._out().append("\n- ")
        elif tag in _BLOCKS:
            self._out().append("\n\n")

    def _end(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(self._skip_depth - 1, 0)
        elif tag == "spoiler":
            self._spoiler_depth = max(self._spoiler_depth - 1, 0)
        elif tag in _BLOCKS:
            self._out().append("\n\n")

    def _data(self, text: str) -> None:
        if text and not self._skip_depth:
            self._out().append(text)  # entities are decoded once per part, at the end

    def body_text(self) -> str:
        """The text outside the spoilers; where one stood mid-sentence, "(spoiler)"."""
        text = _unescape("".join(self.body))
        if _GAP not in text:
            return text
        return "\n".join(_fill_gaps(line) if _GAP in line else line for line in text.split("\n"))

    def spoiler_texts(self) -> list[str]:
        return [_unescape("".join(chunk)) for chunk in self.spoilers]


def _fill_gaps(line: str) -> str:
    line = _GAP_RUN.sub(_GAP, line)
    return _EDGE_GAP.sub("", _MID_LINE_GAP.sub(r"\1(spoiler)\2", line))


def _tidy(text: str) -> str:
    text = strip_controls(text).replace("\u00a0", " ")
    if " \n" in text or "\t\n" in text:
        text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _MANY_BREAKS.sub("\n\n", text)
    return text.strip()


def review_from_html(raw: str, whole_review_is_spoiler: bool = False) -> tuple[str, str]:
    """(spoiler-free text, spoiler text) from an exported review; either may be "".

    Line breaks in the source (``<br/>``, raw newlines) are kept, block elements become
    paragraphs, other markup is dropped and entities decoded. A spoiler cut out of the middle
    of a line leaves "(spoiler)" behind so the sentence still reads. When the whole review
    is marked as a spoiler, everything goes into the spoiler part.
    """
    splitter = _Splitter()
    splitter.feed(_BBCODE_SPOILER.sub(r"<\1spoiler>", strip_controls(raw)))
    body = _tidy(splitter.body_text())
    spoilers = _SPOILER_GAP.join(
        part for part in (_tidy(chunk) for chunk in splitter.spoiler_texts()) if part
    )
    if whole_review_is_spoiler:
        return "", _SPOILER_GAP.join(part for part in (body, spoilers) if part)
    return body, spoilers


def _text_to_html(text: str) -> str:
    escaped = html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br/>")
    # a literal "[spoiler]" in the text must not read back as a spoiler tag
    return _BBCODE_SPOILER.sub(lambda m: "&#91;" + m.group()[1:], escaped)


def review_to_html(review: str | None, spoilers: str | None) -> tuple[str, bool]:
    """(``My Review`` HTML, ``Spoiler`` flag) the way Goodreads writes them.

    The spoiler-free text comes first, then the spoiler part in ``<spoiler>`` tags after a
    blank line. A review that is only spoilers is also flagged as a spoiler as a whole.
    """
    body = (review or "").strip()
    hidden = (spoilers or "").strip()
    parts: list[str] = []
    if body:
        parts.append(_text_to_html(body))
    if hidden:
        parts.append(f"<spoiler>{_text_to_html(hidden)}</spoiler>")
    return "<br/><br/>".join(parts), bool(hidden and not body)
