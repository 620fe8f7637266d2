"""Reviews as Goodreads and StoryGraph export them (HTML) ↔ plain text with a spoiler part.

Goodreads reviews are HTML (``<br/>`` line breaks, ``<i>``, links) and hide spoilers inline
in ``<spoiler>…</spoiler>`` tags (the editor's ``[spoiler]…[/spoiler]`` is accepted too);
its ``Spoiler`` column marks a review that is spoilers as a whole. The text outside the
tags becomes the spoiler-free review, the text inside them the spoiler part.
"""

from __future__ import annotations

import html
import re

from bot.domain.imports.fields import strip_controls

__all__ = ["review_from_html", "review_to_html"]

_BBCODE_SPOILER = re.compile(r"\[(/?)spoiler\]", re.IGNORECASE)
# Exports are well-formed HTML (a "<" in the text is "&lt;"), so a tag is "<" + a letter.
_TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>", re.DOTALL)
_BLOCKS = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "pre", "table", "tr", "section", "article"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
_SKIP = frozenset(("script", "style", "head", "title"))
_MANY_BREAKS = re.compile(r"\n{3,}")
_SPOILER_GAP = "\n\n"
# Where a spoiler was cut out of the text: a placeholder mid-line, nothing at a line's edge.
_GAP = "\x00"  # control characters are stripped from the input, so this one is free
_MID_LINE_GAP = re.compile(r"(?<=\S)([ \t]*)\x00+([ \t]*)(?=[^\s\x00])")
_EDGE_GAP = re.compile(r"[ \t]*(?:\x00[ \t]*)+")


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
        for match in _TOKEN.finditer(raw):
            self._data(raw[pos : match.start()])
            pos = match.end()
            name = match.group(2)
            if name is not None:
                if match.group(1):
                    self._end(name.lower())
                else:
                    self._start(name.lower(), match.group().endswith("/>"))
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
        text = html.unescape("".join(self.body))
        if _GAP not in text:
            return text
        return "\n".join(_fill_gaps(line) if _GAP in line else line for line in text.split("\n"))

    def spoiler_texts(self) -> list[str]:
        return [html.unescape("".join(chunk)) for chunk in self.spoilers]


def _fill_gaps(line: str) -> str:
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
