"""Quotes before they are stored: the text, the note, where the passage is, and whether the
posted quote may show its text in the open (SPEC §12).

Where a quote sits is a :class:`~bot.domain.progress_gate.Position`; who may see it is the
shared progress gate's rule. A quote with no position counts as at the end of the book.

The opening rule (:func:`in_opening`): a quote's text is shown in the open only when it is
within the first 10 % of the book — a percent at most 10, or a page at most a tenth of the
book's known page count (exactly 10 % is still the opening). A page of a book with no known
page count, a chapter (never converted to pages) and no position are all inside spoiler
tags.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from bot.domain.progress_gate import (
    MAX_CHAPTER,
    MAX_PAGE,
    Position,
    PositionKind,
    position_fraction,
)
from bot.domain.spoilers import quote, sanitize_user_text
from bot.domain.text import is_blank
from bot.errors import InvalidInput

__all__ = [
    "NOTE_MAX",
    "OPENING_SHARE",
    "TEXT_MAX",
    "QuoteDraft",
    "in_opening",
    "parse_position",
    "quote_position",
]

#: A quote's text: a passage, not a chapter. 1,000 characters, escaped and wrapped in spoiler
#: tags, still fits one embed description (4,096) with room to spare.
TEXT_MAX: Final = 1000
NOTE_MAX: Final = 300
#: The share of the book at the start whose quotes are shown without spoiler tags.
OPENING_SHARE: Final = Fraction(1, 10)


def in_opening(position: Position, page_count: int | None) -> bool:
    """True when the quote at ``position`` is within the first 10 % of the book."""
    if position.kind is PositionKind.CHAPTER:
        return False
    fraction = position_fraction(position, page_count)
    return fraction is not None and fraction <= OPENING_SHARE


def quote_position(
    page: int | None, percent: float | None, chapter: int | None, page_count: int | None
) -> Position:
    """Check where a member says a quote is; none given is the end of the book.

    Refused (:class:`InvalidInput`): more than one of page, percent and chapter; a page below
    1 or past the book's known page count; a percent outside 0–100; a chapter below 1.
    """
    given = [
        name
        for name, v in (("page", page), ("percent", percent), ("chapter", chapter))
        if v is not None
    ]
    if len(given) > 1:
        raise InvalidInput(
            f"Give one position, not {' and '.join(given)}: a page, a percent or a chapter."
        )
    if page is not None:
        if page < 1:
            raise InvalidInput(f"Page numbers start at 1 (you gave {page}).")
        if page > MAX_PAGE:
            raise InvalidInput(f"p. {page:,} is past the end of any book.")
        if page_count and page > page_count:
            raise InvalidInput(
                f"This book has {page_count:,} pages, so p. {page:,} is past its end. "
                "Give a percent instead if your edition is longer."
            )
        return Position.at_page(page)
    if percent is not None:
        if not (math.isfinite(percent) and 0 <= percent <= 100):
            raise InvalidInput(f"A percent must be between 0 and 100 (you gave {percent:g}).")
        return Position.at_percent(percent)
    if chapter is not None:
        if chapter < 1:
            raise InvalidInput(f"Chapters start at 1 (you gave {chapter}).")
        if chapter > MAX_CHAPTER:
            raise InvalidInput(f"Chapter {chapter:,} is past the end of any book.")
        return Position.at_chapter(chapter)
    return Position.end()


_POSITION_HINT: Final = (
    'Use a page ("p. 12"), a percent ("8%") or a chapter ("ch. 3"), or leave it empty.'
)
_PAGE_TEXT = re.compile(r"(?:p|pp|pg|page)?\s*\.?\s*(\d+)")
_PERCENT_TEXT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|percent|per\s*cent)")
_CHAPTER_TEXT = re.compile(r"(?:ch|chap|chapter)\s*\.?\s*(\d+)")


def parse_position(
    text: str | None,
) -> tuple[int | None, float | None, int | None]:
    """(page, percent, chapter) from the form's one position box: "p. 12", "12", "8%",
    "ch. 3", "chapter 3"; empty is no position (the end of the book). Checked further by
    :func:`quote_position`."""
    cleaned = " ".join((text or "").strip().lower().split())
    if not cleaned:
        return None, None, None
    if match := _PERCENT_TEXT.fullmatch(cleaned):
        return None, float(match[1].replace(",", ".")), None
    if match := _CHAPTER_TEXT.fullmatch(cleaned):
        return None, None, int(match[1])
    if match := _PAGE_TEXT.fullmatch(cleaned):
        return int(match[1]), None, None
    raise InvalidInput(
        f"I couldn't read {quote(text or '')} as a place in the book. " + _POSITION_HINT
    )


@dataclass(frozen=True, slots=True)
class QuoteDraft:
    """A quote's cleaned text and note, and where it is."""

    text: str
    note: str | None
    position: Position

    @classmethod
    def create(
        cls,
        text: str,
        *,
        note: str | None = None,
        page: int | None = None,
        percent: float | None = None,
        chapter: int | None = None,
        page_count: int | None = None,
    ) -> QuoteDraft:
        """Clean and check every part; raises :class:`InvalidInput` on the first problem."""
        clean = sanitize_user_text(text, TEXT_MAX, field="The quote")
        if is_blank(clean):
            raise InvalidInput("The quote is empty: give the passage's text.")
        clean_note: str | None = None
        if note is not None:
            clean_note = sanitize_user_text(note, NOTE_MAX, field="The note")
            if is_blank(clean_note):
                clean_note = None
        position = quote_position(page, percent, chapter, page_count)
        return cls(text=clean, note=clean_note, position=position)
