"""Spoiler-safe text: cleaning what members type, spoiler spans, and splitting long text.

How member text is made inert (escaped, with its own ``||…||`` parts kept hidden) is
:mod:`bot.domain.markdown`; this module cleans input, wraps the spoiler part of a review in
closed spans and splits long text into pages that each render correctly on their own: a
page break never leaves a span open or an escape dangling, and a member's own spoiler span
cut by a page break is closed on one page and reopened on the next.

Empty spoilers never happen: text with nothing visible wraps to ``""``, never ``||||``.
Newlines stay inside a span (Discord spoilers span lines); long text is split at paragraph,
line, sentence or word boundaries into several spans, each closed on its own page.

Lengths are counted in code points, as Discord's API does (``len``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence, Sized
from typing import Final, TypeVar

from bot.domain.discord_limits import EMBED_TOTAL_LIMIT, EMBEDS_PER_MESSAGE
from bot.domain.markdown import inert, inert_range, spoiler_segments, spoiler_span
from bot.domain.text import is_blank, strip_control_chars
from bot.errors import InvalidInput

# Shortest limit for which a spoiler page can always hold at least one character:
# "||" + "\\|" + ZWSP + "||" is the worst single-character span.
MIN_SPOILER_PAGE: Final = 8

# --- cleaning -----------------------------------------------------------------------------


def sanitize_user_text(
    text: str, max_len: int, *, field: str = "Text", multiline: bool = True
) -> str:
    """Clean what a member typed and check its length.

    NFC-normalises, strips control characters (keeping ``\\n`` and ``\\t`` unless
    ``multiline`` is false, when whitespace runs collapse to one space), normalises newlines
    and strips the ends. Raises :class:`InvalidInput` naming ``field`` and the limit when the
    cleaned text is longer than ``max_len`` code points. May return ``""``.
    """
    cleaned = strip_control_chars(unicodedata.normalize("NFC", text), keep_newlines=multiline)
    if not multiline:
        cleaned = re.sub(r"\s+", " ", cleaned)
    cleaned = cleaned.strip()
    if len(cleaned) > max_len:
        over = len(cleaned) - max_len
        raise InvalidInput(
            f"{field} is too long: {len(cleaned):,} characters, the limit is {max_len:,}. "
            f"Shorten it by {over:,} character{'s' if over != 1 else ''}."
        )
    return cleaned


def quote(text: str, max_len: int = 40) -> str:
    """User text quoted inside a message (e.g. an error): one line, shortened, made safe."""
    line = " ".join(strip_control_chars(text, keep_newlines=False).split())
    if len(line) > max_len:
        line = line[: max_len - 1] + "…"
    return f"“{inert(line, at_line_start=False)}”"


# --- spans ---------------------------------------------------------------------------------


def wrap_spoiler(text: str) -> str:
    """``text`` as one Discord spoiler span that cannot be closed early or escaped from.

    Returns ``""`` when ``text`` has nothing visible (so ``||||`` never appears).
    """
    return spoiler_span(text)


P = TypeVar("P", bound=Sized)

# --- splitting ----------------------------------------------------------------------------

_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")
_SPACE = re.compile(r"\s")
_ZWJ: Final = "\u200d"


def paginate(text: str, limit: int) -> list[str]:
    """Split member text into pages of at most ``limit`` characters once made inert.

    Breaks at a paragraph, else a line, else a sentence end, else a space (each only if it
    leaves the page at least half full; a space anywhere otherwise), else between two
    characters without splitting an emoji or accent. Whitespace at a break and at both ends is
    dropped, and so is a page with nothing visible on it; nothing else is: the pages, shown,
    and joined with the dropped whitespace, are the text. A ``||…||`` span the member typed
    stays hidden on every page it reaches. Blank text gives ``[]``.
    """
    if limit < MIN_SPOILER_PAGE:
        # an escaped character takes two; a member's one-character spoiler span takes seven
        raise ValueError(f"a page needs a limit of at least {MIN_SPOILER_PAGE}")
    segments = spoiler_segments(text)
    return _split(text, limit, lambda start, stop: inert_range(text, segments, start, stop))


def paginate_spoiler(text: str, limit: int) -> list[str]:
    """Split ``text`` into spoiler spans of at most ``limit`` characters each, tags included.

    Each page is one complete span from :func:`wrap_spoiler`; the boundaries are chosen as
    in :func:`paginate`. Blank text gives ``[]``.
    """
    if limit < MIN_SPOILER_PAGE:
        raise ValueError(f"a spoiler page needs a limit of at least {MIN_SPOILER_PAGE}")
    return _split(text, limit, lambda start, stop: wrap_spoiler(text[start:stop]))


def group_for_messages(
    pages: Sequence[P],
    *,
    reserved_first: int = 0,
    reserved_each: int = 0,
    total_limit: int = EMBED_TOTAL_LIMIT,
    per_message: int = EMBEDS_PER_MESSAGE,
) -> list[list[P]]:
    """Group embed pages into messages, in order, within Discord's per-message budget.

    Each inner list becomes one message with one embed per page. ``reserved_first`` and
    ``reserved_each`` are the characters the other embed parts (title, fields, footer…) take
    in the first message and in every message. Raises ValueError if a page cannot fit even
    on its own, rather than dropping it.
    """
    messages: list[list[P]] = []
    current: list[P] = []
    used = reserved_first + reserved_each
    for page in pages:
        if current and (len(current) == per_message or used + len(page) > total_limit):
            messages.append(current)
            current, used = [], reserved_each
        if used + len(page) > total_limit:
            raise ValueError(f"a page of {len(page)} characters cannot fit in one message")
        current.append(page)
        used += len(page)
    if current:
        messages.append(current)
    return messages


def _split(text: str, limit: int, render: Callable[[int, int], str]) -> list[str]:
    pages: list[str] = []
    end_of_text = len(text.rstrip())
    pos = 0
    while True:
        while pos < end_of_text and text[pos].isspace():
            pos += 1
        if pos >= end_of_text:
            return pages
        window = min(end_of_text - pos, limit)
        while True:
            cut = end_of_text if pos + window >= end_of_text else _cut(text, pos, pos + window)
            stop = pos + len(text[pos:cut].rstrip())
            rendered = render(pos, stop)
            if len(rendered) <= limit:
                break
            # Escaping lengthens text roughly in proportion (up to twice), so shrinking in
            # proportion is a good guess; the page shrinks by at least one character each
            # round, so this ends.
            size = cut - pos
            if size <= 1:
                raise ValueError(f"limit {limit} is too small to hold {text[pos]!r}")
            window = min(size - 1, max(1, size * limit // len(rendered)))
        if not is_blank(rendered):
            pages.append(rendered)
        pos = cut


def _cut(text: str, start: int, stop: int) -> int:
    """Where to end a page that starts at ``start`` and may not extend past ``stop``."""
    # A break at `stop` itself is allowed (the page then ends exactly at the limit), so the
    # search looks one character further; `half` keeps pages from being needlessly short.
    area = text[start : stop + 1]
    half = (stop - start) // 2
    for pattern, at_end in ((_PARAGRAPH, False), (_LINE, False), (_SENTENCE, True)):
        found = _last_break(pattern, area, at_end, minimum=max(half, 1), maximum=stop - start)
        if found is not None:
            return start + found
    found = _last_break(_SPACE, area, False, minimum=1, maximum=stop - start)
    if found is not None:
        return start + found
    return _hard_cut(text, start, stop)


def _last_break(
    pattern: re.Pattern[str], area: str, at_end: bool, *, minimum: int, maximum: int
) -> int | None:
    best: int | None = None
    for match in pattern.finditer(area):
        offset = match.end() if at_end else match.start()
        if minimum <= offset <= maximum:
            best = offset
    return best


def _hard_cut(text: str, start: int, stop: int) -> int:
    """``stop``, moved back (by at most 32) so as not to split a grapheme cluster."""
    for cut in range(stop, max(start, stop - 32), -1):
        if not _joins(text, cut):
            return cut
    return stop


def _joins(text: str, cut: int) -> bool:
    """True if cutting before ``text[cut]`` would split a user-perceived character."""
    if cut <= 0 or cut >= len(text):
        return False
    before, after = text[cut - 1], text[cut]
    if before == _ZWJ or _is_extending(after):
        return True
    if _is_regional_indicator(before) and _is_regional_indicator(after):
        run = 0
        index = cut - 1
        while index >= 0 and _is_regional_indicator(text[index]):
            run += 1
            index -= 1
        return run % 2 == 1
    return False


def _is_extending(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
