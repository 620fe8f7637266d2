"""Text rules: descriptions made Discord-safe, trimming, control characters, search keys.

Book descriptions arrive as HTML (Google Books), Markdown (Open Library renders it), or
Open Library ``{"type": "/type/text", "value": ...}`` objects, often with ``\\r\\n``.
:func:`clean_description` reduces all of them to plain paragraphs that can go into an
embed and can never ping anyone.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Final

ZWSP = "\u200b"
ELLIPSIS = "…"

# --- control characters ------------------------------------------------------------------

# Bidi embeddings, overrides and isolates can reorder the text shown *after* them (spoofing,
# even outside a spoiler); a BOM is a file artefact. All are removed from user text; other
# format characters (ZWJ in emoji…) are kept.
_FORMAT_NOISE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF],
)
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


def strip_control_chars(text: str, *, keep_newlines: bool = True) -> str:
    """Drop control characters (Unicode Cc) and bidi/BOM format characters.

    Line breaks (any convention) become ``\\n``; ``\\n`` and ``\\t`` are kept when
    ``keep_newlines``, otherwise each becomes a single space.
    """
    text = _LINE_BREAKS.sub("\n", text).translate(_FORMAT_NOISE)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


# --- mentions ----------------------------------------------------------------------------

# Invisible characters between "@" and the name are tolerated (some clients drop them), and
# there is no word boundary after it: "@everyone's" is neutralised too.
_EVERYONE = re.compile(r"@(?:[\u200b-\u200d\u2060\ufeff\u00ad]*)(everyone|here)", re.IGNORECASE)
_ENTITY_MENTION = re.compile(r"<(?=(?:@[!&]?|#)\d+>)")


def neutralise_mentions(text: str) -> str:
    """Break ``@everyone``, ``@here``, ``<@id>``, ``<@!id>``, ``<@&id>`` and ``<#id>``.

    A zero-width space inside the syntax keeps the text readable while Discord no longer
    parses it as a mention (belt and braces: every send also disables mentions). Idempotent.
    """
    text = _EVERYONE.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _ENTITY_MENTION.sub("<" + ZWSP, text)


# --- HTML --------------------------------------------------------------------------------

_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|b|i|u|s|em|strong|a|ul|ol|li|h[1-6]|blockquote|sup|sub|small|font"
    r"|table|tbody|thead|tr|td|th|pre|code|hr|img|section|article|dl|dt|dd|center)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    {
        *("p", "div", "section", "article", "blockquote", "ul", "ol", "dl", "table", "tr"),
        *("pre", "hr", "center", "h1", "h2", "h3", "h4", "h5", "h6"),
    }
)
_SKIP_TAGS = frozenset(("script", "style", "head", "title"))


class _HtmlToText(HTMLParser):
    """Collects text: blocks become paragraphs, ``<br>`` a line break, ``<li>`` a bullet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in ("dt", "dd"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # in HTML a line break in the source is just a space
            self.parts.append(data.replace("\n", " "))


def _html_to_text(text: str) -> str:
    parser = _HtmlToText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


# --- Markdown ----------------------------------------------------------------------------

# Inline constructs are looked for within 300 characters: a lazy match with no end in sight
# would otherwise rescan the rest of the line from every marker (quadratic on hostile text).
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_PROTECTED = re.compile("[\ue000-\ue07f]")

_FENCE = re.compile(r"^\s*(?:```|~~~).*$", re.MULTILINE)
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_SETEXT = re.compile(r"^ {0,3}=+[ \t]*$", re.MULTILINE)
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE)
_LINK_URL = r"\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)"
# a line that is nothing but a link (e.g. "- [publisher](https://…)") means nothing once the
# URL is dropped, so it goes entirely
_LINK_ONLY_LINE = re.compile(
    rf"^[ \t]*(?:[-*+][ \t]+)?\[[^\]\n]*\](?:{_LINK_URL}|\[[^\]\n]*\])[ \t]*$", re.MULTILINE
)
_IMAGE = re.compile(rf"!\[([^\]\n]{{0,300}})\]{_LINK_URL}")
_LINK = re.compile(rf"\[([^\]\n]{{1,300}})\]{_LINK_URL}")
_REF_LINK = re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,300}\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STRONG_STAR = re.compile(r"\*\*(?=\S)(.{1,300}?)(?<=\S)\*\*")
_STRONG_UNDERSCORE = re.compile(r"(?<!\w)__(?=\S)(.{1,300}?)(?<=\S)__(?!\w)")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.{1,300}?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.{1,300}?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.{1,300}?)(?<=\S)~~")
_CODE = re.compile(r"`+([^`\n]{1,300}?)`+")


def _protect(match: re.Match[str]) -> str:
    return chr(0xE000 + ord(match.group(1)))


def _restore(match: re.Match[str]) -> str:
    return chr(ord(match.group(0)) - 0xE000)


def _markdown_to_text(text: str) -> str:
    # backslash escapes are set aside first so "\*" stays a literal asterisk
    text = _ESCAPE.sub(_protect, text)
    text = _FENCE.sub("", text)
    text = _REF_DEFINITION.sub("", text)
    text = _LINK_ONLY_LINE.sub("", text)
    text = _HEADING.sub(r"\1", text)
    text = _SETEXT.sub("", text)
    text = _RULE.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("• ", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _STRONG_STAR.sub(r"\1", text)
    text = _STRONG_UNDERSCORE.sub(r"\1", text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDERSCORE.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    return _PROTECTED.sub(_restore, text)


# --- whitespace and the public cleaner ---------------------------------------------------

_INLINE_SPACE = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


def _collapse_whitespace(text: str) -> str:
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        inner = value.get("value")
        return inner if isinstance(inner, str) else ""
    return ""


def clean_description(value: object) -> str:
    """Plain, Discord-safe text from an HTML/Markdown string or an ``{type, value}`` object.

    Paragraphs survive (one blank line between them), runs of spaces collapse, links keep
    their label and lose their URL, mention syntax is neutralised. Anything that is not text
    (None, numbers, lists) gives "".
    """
    text = strip_control_chars(_as_text(value))
    if not text.strip():
        return ""
    if _HTML_TAG.search(text):
        text = _html_to_text(text)
        text = _markdown_to_text(text)
    else:
        text = html.unescape(_markdown_to_text(text))
    text = strip_control_chars(text)  # entities may have decoded to control characters
    return neutralise_mentions(_collapse_whitespace(text))


def clean_line(value: object) -> str:
    """One line of plain text (titles, names): no control characters, single spaces."""
    text = strip_control_chars(_as_text(value))
    return _INLINE_SPACE.sub(" ", text.replace("\n", " ").replace("\t", " ")).strip()


def trim(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut on a word boundary plus "…".

    The result is never longer than ``limit``. A single huge word is cut mid-word rather
    than dropped.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= (limit - 1) // 2:
        cut = cut[:boundary]
    return cut.rstrip(" \t\n,;:–—-") + ELLIPSIS


# --- search keys -------------------------------------------------------------------------

# letters NFKD does not decompose, spelled as readers type them without the accent
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "þ": "th", "ð": "d"})
_FOLD_WIDE = {"æ": "ae", "œ": "oe"}
_APOSTROPHES = re.compile("['\u2019\u02bc\u2018`´]")


def _is_accent(ch: str) -> bool:
    """A combining mark that readers leave out when typing, i.e. not part of the letter.

    Kana voicing marks (ド is not ト) and the vowel signs of Indic scripts are kept.
    """
    if not unicodedata.combining(ch):
        return False
    code = ord(ch)
    return not (code in (0x3099, 0x309A) or 0x0900 <= code <= 0x0DFF)


def search_key(*parts: str | None) -> str:
    """Lower-case, accent-free, punctuation-free words for case/accent-insensitive search.

    ``search_key("Les Misérables", "Victor Hugo") == "les miserables victor hugo"``.
    Apostrophes vanish rather than split words, so "Children's" matches "childrens".
    Letters of every script are kept.
    """
    text = " ".join(p for p in parts if p)
    # NFKD before casefold too: compatibility letters (𝑨, ﬁ) only fold once decomposed
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    text = "".join(ch for ch in text if not _is_accent(ch)).translate(_FOLD)
    text = unicodedata.normalize("NFC", text)  # re-join the marks that were kept
    for letter, spelled in _FOLD_WIDE.items():
        text = text.replace(letter, spelled)
    text = _APOSTROPHES.sub("", text)
    return " ".join("".join(ch if _is_word_char(ch) else " " for ch in text).split())


def _is_word_char(ch: str) -> bool:
    # marks still present are part of a letter (Indic vowel signs), not punctuation
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


# --- invisible characters ----------------------------------------------------------------


def is_invisible(char: str) -> bool:
    """Format characters (Cf: ZWSP, ZWJ, word joiner, soft hyphen, …) and the invisible
    fillers and variation selectors that render as nothing on their own."""
    return unicodedata.category(char) == "Cf" or char in _INVISIBLE_OTHERS


_INVISIBLE_OTHERS: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)


def is_blank(text: str) -> bool:
    """True when nothing in ``text`` would be visible (only whitespace and format chars)."""
    return all(char.isspace() or is_invisible(char) for char in text)
