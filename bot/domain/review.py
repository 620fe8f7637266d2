"""Reviews before they are stored: the draft, how far its spoilers reach, and review files.

A review has a spoiler-free part (``body``) and an optional spoiler part whose *reach* says
how far into the book it goes: a page, a percent, or the ending (the default). A member
whose progress has not reached it is warned before revealing (the shared progress gate,
:mod:`bot.domain.progress_gate`).

Length (~430 lines): the draft, the spoiler reach and the review-file parser share the
limits and the marker rules.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Final

from bot.domain.discord_limits import (
    EMBED_TITLE_LIMIT,
    MODAL_TEXT_INPUT_LIMIT,
)
from bot.domain.markdown import inert, plain
from bot.domain.progress_gate import MAX_PAGE, Position, position_reached
from bot.domain.spoilers import (
    quote,
    sanitize_user_text,
)
from bot.domain.stars import Stars
from bot.domain.text import is_blank
from bot.errors import InvalidInput

HEADLINE_MAX: Final = EMBED_TITLE_LIMIT  # 256
BODY_MAX: Final = MODAL_TEXT_INPUT_LIMIT  # 4,000 from the modal
# Content warnings are shown behind a spoiler tag in one embed field: the limit leaves room
# for the tags, and the wrapped text is checked against the field limit as well.
CONTENT_WARNINGS_MAX: Final = 1000
RECOMMENDED_FOR_MAX: Final = 256
REVIEW_FILE_MAX_BYTES: Final = 100_000  # 100 KB: a long essay, well under Discord's upload cap
REVIEW_FILE_EXTENSIONS: Final = (".txt", ".md")
# A file's text can be as long as its bytes (ASCII); this bounds body and spoilers from files.
REVIEW_FILE_MAX_CHARS: Final = REVIEW_FILE_MAX_BYTES

# The line that starts the spoiler part of a review file. Members write it many ways
# ("--- spoilers ---", "— Spoilers below —", "**Spoilers**", "=== spoilers ==="): once the
# decoration around it is set aside, these words mark the spoilers. A short line that names
# spoilers but is not one of them is refused rather than guessed (never posted in view).
_MARKER_DECORATION = "-‐‑‒–—―=*_#~>|:.!•·[](){}<> \t"
_MARKER_WORDS: Final = frozenset(
    {
        "spoiler",
        "spoilers",
        "spoilers below",
        "spoilers ahead",
        "spoilers follow",
        "spoilers from here",
        "spoilers start here",
        "spoilers begin",
        "spoilers begin here",
        "spoiler warning",
        "spoiler section",
        "here be spoilers",
        "major spoilers",
        "spoilers beyond this point",
    }
)
_SPOILER_WORD = re.compile(r"spoil", re.IGNORECASE)
_NEAR_MISS_MAX = 60  # longer lines that mention spoilers are sentences, not markers

# --- spoiler reach ------------------------------------------------------------------------


class ReviewOrder(StrEnum):
    """How /review list orders a book's reviews."""

    NEWEST = "newest"
    MOST_LIKED = "most-liked"


class ReachKind(StrEnum):
    PAGE = "page"
    PERCENT = "percent"
    ENDING = "ending"


_REACH_HINT: Final = 'Use a page ("p250"), a percent ("60%") or "ending".'
_ENDING_WORDS: Final = frozenset(
    {"ending", "end", "the end", "the ending", "finish", "finished", "whole book", "all"}
)
_PAGE = re.compile(r"(?:p|pp|pg|page|pages)?\s*\.?\s*(\d+(?:[.,]\d+)?)")
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|percent|per\s*cent|pc)")


@dataclass(frozen=True, slots=True)
class SpoilerReach:
    """How far a review's spoilers go. ``value`` is the page or percent; None for the ending."""

    kind: ReachKind
    value: float | None = None

    def __post_init__(self) -> None:
        if self.kind is ReachKind.ENDING:
            if self.value is not None:
                raise ValueError("an ending reach has no value")
        elif self.value is None:
            raise ValueError(f"a {self.kind.value} reach needs a value")
        elif self.kind is ReachKind.PAGE and (self.value != int(self.value) or self.value < 1):
            raise ValueError(f"a page reach must be a whole page from 1, got {self.value}")
        elif self.kind is ReachKind.PERCENT and not 0 < self.value <= 100:
            raise ValueError(f"a percent reach must be in (0, 100], got {self.value}")

    @classmethod
    def ending(cls) -> SpoilerReach:
        return cls(ReachKind.ENDING)

    @classmethod
    def at_page(cls, page: int) -> SpoilerReach:
        return cls(ReachKind.PAGE, float(page))

    @classmethod
    def at_percent(cls, percent: float) -> SpoilerReach:
        return cls(ReachKind.PERCENT, float(percent))

    @classmethod
    def parse(cls, text: str, *, page_count: int | None = None) -> SpoilerReach:
        """Read "p250", "p. 250", "page 250", "250", "60%", "60 %" or "ending".

        With ``page_count`` known, a page past the end is refused (a percent or "ending"
        says the same thing edition-independently).
        """
        cleaned = " ".join(text.strip().lower().split())
        shown = quote(text)
        if not cleaned:
            raise InvalidInput("Say how far the spoilers go. " + _REACH_HINT)
        if cleaned in _ENDING_WORDS:
            return cls.ending()
        if match := _PERCENT.fullmatch(cleaned):
            percent = float(match[1].replace(",", "."))
            if not 0 < percent <= 100:
                raise InvalidInput(
                    f"{shown} is not a percent of the book: use more than 0 and at most 100."
                )
            return cls.at_percent(percent)
        if match := _PAGE.fullmatch(cleaned):
            number = float(match[1].replace(",", "."))
            if number != int(number):
                raise InvalidInput(f"{shown} is not a whole page number. " + _REACH_HINT)
            return cls.at_page(_check_page(int(number), page_count))
        raise InvalidInput(f"I couldn't read {shown} as how far the spoilers go. " + _REACH_HINT)

    @classmethod
    def from_db(cls, kind: str | None, value: float | None) -> SpoilerReach | None:
        """The reach stored in ``spoiler_reach_kind``/``spoiler_reach_value`` (None if none)."""
        if kind is None:
            return None
        return cls(ReachKind(kind), None if kind == ReachKind.ENDING else value)

    def to_db(self) -> tuple[str, float | None]:
        return self.kind.value, self.value

    @property
    def page(self) -> int | None:
        return int(self.value) if self.kind is ReachKind.PAGE and self.value is not None else None

    @property
    def percent(self) -> float | None:
        return self.value if self.kind is ReachKind.PERCENT else None

    @property
    def position(self) -> Position:
        """Where in the book the spoilers reach, for the progress gate."""
        if self.kind is ReachKind.PAGE and self.value is not None:
            return Position.at_page(int(self.value))
        if self.kind is ReachKind.PERCENT and self.value is not None:
            return Position.at_percent(self.value)
        return Position.end()

    def describe(self) -> str:
        """How the reach reads in a sentence: "p. 250", "60 %", "62.5 %" or "the ending"."""
        if self.kind is ReachKind.PAGE:
            return f"p. {self.page}"
        if self.kind is ReachKind.PERCENT and self.value is not None:
            return f"{self.value:g} %"
        return "the ending"


def _check_page(page: int, page_count: int | None) -> int:
    if page < 1:
        raise InvalidInput("Page numbers start at 1. " + _REACH_HINT)
    if page > MAX_PAGE:
        raise InvalidInput(f"p. {page:,} is past the end of any book. " + _REACH_HINT)
    if page_count and page > page_count:
        raise InvalidInput(
            f"This book has {page_count:,} pages, so p. {page:,} is past its end. "
            'Use a percent ("60%") or "ending" if your edition differs.'
        )
    return page


def reach_reached(
    reach: SpoilerReach,
    page: int | None,
    percent: float | None,
    page_count: int | None,
    *,
    finished: bool = False,
) -> bool:
    """Whether a member's progress has reached ``reach``: the shared progress gate's rule
    (:func:`bot.domain.progress_gate.position_reached`) for the reach's position."""
    return position_reached(reach.position, page, percent, page_count, finished=finished)


# --- the draft ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    """A review as the member wrote it, cleaned and checked; build it with :meth:`create`.

    Empty optional parts are None. ``spoiler_reach`` is set exactly when there are spoilers.
    """

    body: str
    headline: str | None = None
    spoilers: str | None = None
    spoiler_reach: SpoilerReach | None = None
    content_warnings: str | None = None
    recommended_for: str | None = None
    stars: Stars | None = None

    @classmethod
    def create(
        cls,
        *,
        body: str,
        headline: str | None = None,
        spoilers: str | None = None,
        spoiler_reach: SpoilerReach | str | None = None,
        content_warnings: str | None = None,
        recommended_for: str | None = None,
        stars: Stars | None = None,
        from_file: bool = False,
        page_count: int | None = None,
    ) -> ReviewDraft:
        """Clean and check every part; raises :class:`InvalidInput` on the first problem.

        The body is required from the modal; a review from a file needs a body or spoilers.
        A reach given without any spoiler text is dropped (there is nothing for it to
        describe, and refusing would cost the member the text they typed).
        """
        text_max = REVIEW_FILE_MAX_CHARS if from_file else BODY_MAX
        clean_body = sanitize_user_text(body, text_max, field="The review")
        if is_blank(clean_body):
            clean_body = ""  # only invisible characters: nothing a reader would see
        clean_spoilers = _optional(spoilers, text_max, "The spoiler part")
        if not clean_body and not (from_file and clean_spoilers):
            raise InvalidInput(
                "The review is empty. Write the spoiler-free part"
                + (", or put the spoilers after a line `--- spoilers ---`." if from_file else ".")
            )
        clean_headline = _optional(headline, HEADLINE_MAX, "The headline", multiline=False)
        if clean_headline is not None:
            _check_shown(inert(plain(clean_headline)), HEADLINE_MAX, "The headline")
        # shown behind spoiler tags, over as many embed fields as the escaped text needs
        warnings = _optional(content_warnings, CONTENT_WARNINGS_MAX, "The content warnings")
        recommended = _optional(
            recommended_for, RECOMMENDED_FOR_MAX, "“Recommended for”", multiline=False
        )
        reach: SpoilerReach | None = None
        if clean_spoilers is not None:
            if isinstance(spoiler_reach, SpoilerReach):
                reach = spoiler_reach
            elif spoiler_reach is not None and spoiler_reach.strip():
                reach = SpoilerReach.parse(spoiler_reach, page_count=page_count)
            else:
                reach = SpoilerReach.ending()
        return cls(
            body=clean_body,
            headline=clean_headline,
            spoilers=clean_spoilers,
            spoiler_reach=reach,
            content_warnings=warnings,
            recommended_for=recommended,
            stars=stars,
        )

    @property
    def has_spoilers(self) -> bool:
        return self.spoilers is not None


def _optional(text: str | None, max_len: int, field: str, *, multiline: bool = True) -> str | None:
    if text is None:
        return None
    cleaned = sanitize_user_text(text, max_len, field=field, multiline=multiline)
    # text with nothing visible (zero-width or format characters only) is no text at all
    return None if is_blank(cleaned) else cleaned


def _check_shown(shown: str, limit: int, field: str) -> None:
    """Neutralising mentions and spoiler tags adds characters; the shown text must still fit."""
    if len(shown) > limit:
        raise InvalidInput(
            f"{field} would be {len(shown):,} characters once formatted for Discord (the "
            f"limit is {limit:,}; signs such as * _ ~ | count twice). Shorten it."
        )


# --- review files -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewFileText:
    """A review file's text, split at the ``--- spoilers ---`` line (not yet cleaned)."""

    body: str
    spoilers: str | None


_UNICODE_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def parse_review_file(
    data: bytes, filename: str, max_bytes: int = REVIEW_FILE_MAX_BYTES
) -> ReviewFileText:
    """Check and decode an attached ``.txt``/``.md`` review, and split off the spoilers.

    The file must be UTF-8 (a BOM is allowed) and at most ``max_bytes``. The spoiler part
    starts after a line ``--- spoilers ---`` (any case, spaces around tolerated); at most one
    such line is allowed.
    """
    name = _shown_filename(filename)
    if PurePath(filename.replace("\\", "/")).suffix.lower() not in REVIEW_FILE_EXTENSIONS:
        raise InvalidInput(f"Attach the review as a .txt or .md file ({name} is neither).")
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{name} is {_kilobytes(len(data))}; the limit is {_kilobytes(max_bytes)}. "
            "Split the review or shorten it."
        )
    if not data.strip():
        raise InvalidInput(f"{name} is empty.")
    text = _decode_utf8(data, name)
    markers: list[tuple[int, int, int]] = []  # (line number, start, end of the line)
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        kind = _marker_kind(line)
        if kind == "marker":
            markers.append((number, offset, offset + len(line)))
        elif kind == "near-miss":
            raise InvalidInput(
                f"Line {number:,} of {name} ({quote(line, 60)}) looks like a spoiler marker, "
                "but I can't tell. Make it exactly `--- spoilers ---` if the spoiler part "
                "starts there, or reword it; nothing was posted."
            )
        offset += len(line) + 1
    if len(markers) > 1:
        lines = ", ".join(f"{number:,}" for number, _, _ in markers)
        raise InvalidInput(
            f"{name} has {len(markers)} spoiler marker lines (lines {lines}). Keep only the "
            "one where the spoiler part begins."
        )
    if not markers:
        return ReviewFileText(body=text, spoilers=None)
    _, start, end = markers[0]
    spoilers = text[end:]
    return ReviewFileText(body=text[:start], spoilers=spoilers if spoilers.strip() else None)


def _marker_kind(line: str) -> str | None:
    """ "marker" for a spoiler marker line, "near-miss" for a short decorated line naming
    spoilers that is not one, None for ordinary text."""
    if not _SPOILER_WORD.search(line):
        return None
    stripped = line.strip()
    words = " ".join(stripped.strip(_MARKER_DECORATION).lower().split())
    if words in _MARKER_WORDS:
        return "marker"
    lead = stripped[: len(stripped) - len(stripped.lstrip(_MARKER_DECORATION))]
    trail = stripped[len(stripped.rstrip(_MARKER_DECORATION)) :]
    # sentence punctuation at the end is not decoration: "No spoilers here." is text
    decorated = bool(lead.strip()) or bool(trail.strip(" .!?:"))
    if decorated and len(stripped) <= _NEAR_MISS_MAX:
        return "near-miss"
    return None


def _decode_utf8(data: bytes, name: str) -> str:
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            raise InvalidInput(
                f"{name} is saved as {encoding}. Save it as UTF-8 and attach it again."
            )
    if b"\x00" in data:
        raise InvalidInput(
            f"{name} contains NUL bytes, so it is not UTF-8 text (perhaps UTF-16 or a binary "
            "file). Save it as plain UTF-8 text and attach it again."
        )
    try:
        text = data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name} is not valid UTF-8: byte 0x{data[exc.start]:02x} on line {line:,} "
            f"({exc.reason}). Save it as UTF-8 and attach it again."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _shown_filename(filename: str) -> str:
    return quote(PurePath(filename.replace("\\", "/")).name or "file", 80)


def _kilobytes(size: int) -> str:
    return f"{size / 1000:,.1f} KB".replace(".0 KB", " KB")
