"""Cell-level parsing shared by the Goodreads and StoryGraph readers.

Every helper either returns a clean value or raises :class:`FieldError` with a short,
member-facing reason; the readers turn that into a :class:`RowProblem` and carry on.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

from bot.domain import isbn as isbn_rules
from bot.domain.book import MAX_PAGE_COUNT
from bot.domain.shelves import (
    MAX_CUSTOM_SHELVES,
    ShelfName,
    status_for_shelf_name,
    validate_shelf_name,
)
from bot.domain.stars import MAX_QUARTERS, RatingStep, round_to_step
from bot.domain.text import clean_line, strip_control_chars
from bot.errors import InvalidInput

__all__ = [
    "EARLIEST_YEAR",
    "MAX_AUTHORS",
    "MAX_AUTHOR_LENGTH",
    "MAX_CONTENT_WARNINGS_LENGTH",
    "MAX_IMPORT_READINGS",
    "MAX_NOTES_PER_ROW",
    "MAX_PAGE_COUNT",
    "MAX_READS_PER_BOOK",
    "MAX_REVIEW_LENGTH",
    "MAX_TITLE_LENGTH",
    "FieldError",
    "format_file_date",
    "guard_formula",
    "parse_bool",
    "parse_count",
    "parse_file_date",
    "parse_isbns",
    "parse_rating",
    "parse_shelves",
    "parse_year",
    "split_authors",
    "strip_controls",
    "unguard_formula",
]

MAX_TITLE_LENGTH = 512  # books.title
MAX_AUTHOR_LENGTH = 200
MAX_REVIEW_LENGTH = 50_000  # per part (spoiler-free text, spoilers)
MAX_CONTENT_WARNINGS_LENGTH = 2_000
#: Authors kept per book (anthologies list dozens).
MAX_AUTHORS = 10
#: Read-throughs of one book one import records (read count, dated reads listed).
MAX_READS_PER_BOOK = 100
#: Read-throughs one file may hold in all (a file over it is refused: split it).
MAX_IMPORT_READINGS = 100_000
#: Problems listed per row; further ones are counted in one last note.
MAX_NOTES_PER_ROW = 10


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (CSV injection).

    Text that already starts with quotes before a formula character gets one more, so
    :func:`unguard_formula` gives every text back exactly.
    """
    return "'" + text if text.lstrip("'").startswith(_FORMULA_START) else text


def unguard_formula(text: str) -> str:
    """Undo :func:`guard_formula` ("'Salem's Lot" and other text stay as they are)."""
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


# What bot.domain.text.strip_control_chars changes: control characters (but tab and
# newline), other line breaks, bidi controls, a stray BOM. Most cells have none of them.
_NEEDS_STRIPPING = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def strip_controls(text: str) -> str:
    """:func:`bot.domain.text.strip_control_chars`, with a fast path for clean text."""
    return strip_control_chars(text) if _NEEDS_STRIPPING.search(text) else text


class FieldError(ValueError):
    """One cell could not be used; the message says why, for the member."""


_FILE_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")


def parse_file_date(text: str) -> date | None:
    """A date as exports write it: ``2020/10/25`` (also ``2020-10-25``, ``2020/1/5``)."""
    value = text.strip()
    if not value:
        return None
    match = _FILE_DATE.fullmatch(value)
    if match is None:
        raise FieldError(f'"{value[:30]}" is not a date')
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise FieldError(f'"{value}" is not a real date') from None


def format_file_date(d: date | None) -> str:
    """``2020/10/25``, as Goodreads and StoryGraph write dates; "" for None."""
    return "" if d is None else f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


_WHOLE_NUMBER = re.compile(r"\+?(\d+)(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?\d*[.,]\d+")
# More digits than this is over every limit; the digits are never turned into a number.
_MAX_DIGITS = 12


def parse_count(text: str, what: str, maximum: int) -> int:
    """A whole number from 0 to ``maximum`` (empty means 0).

    Only plain digits are read (``"3"``, ``"3.0"``): exponents such as ``1e999999999`` would
    make a number too large to build, so they are refused before any arithmetic.
    """
    value = text.strip()
    if not value:
        return 0
    match = _WHOLE_NUMBER.fullmatch(value)
    if match is None:
        if value.startswith("-") and _WHOLE_NUMBER.fullmatch(value[1:]):
            raise FieldError(f"{what} can't be negative")
        kind = "whole number" if _DECIMAL.fullmatch(value) else "number"
        raise FieldError(f'{what} "{value[:20]}" is not a {kind}')
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        raise FieldError(f"{what} {digits[:12]}… ({len(digits):,} digits) is more than {maximum:,}")
    number = int(digits)
    if number > maximum:
        raise FieldError(f"{what} {number:,} is more than {maximum:,}")
    return number


#: Publication years: Goodreads has negative years for ancient works.
EARLIEST_YEAR = -5000


def parse_year(text: str, latest: int) -> int | None:
    """A publication year from :data:`EARLIEST_YEAR` to ``latest`` (0 is no year)."""
    value = text.strip()
    if not value:
        return None
    if not re.fullmatch(r"-?\d{1,6}", value):
        raise FieldError(f'"{value[:20]}" is not a year')
    year = int(value)
    if year > latest:
        raise FieldError(f"year {year} is in the future")
    if year == 0 or year < EARLIEST_YEAR:
        raise FieldError(f"year {year} is out of range")
    return year


_TRUE = frozenset(("true", "yes", "y", "1", "spoiler", "spoilers"))
_FALSE = frozenset(("false", "no", "n", "0", ""))


def parse_bool(text: str) -> bool | None:
    """Yes/No, true/false, 1/0; empty is False; anything else None (unknown)."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


# A star rating as the exports write it: "4", "4.0", "3.75" (a decimal comma too). Nothing
# else reaches Decimal: "1e-999999999" would build a number with a billion digits.
_STARS = re.compile(r"-?(?:\d{1,3}(?:\.\d{0,6})?|\.\d{1,6})")


def parse_rating(text: str) -> tuple[int | None, str | None]:
    """Stars (whole or decimal, up to 5) → (quarter-stars or None, a note when adjusted).

    Empty or 0 means unrated. Values off the quarter grid are rounded to the nearest
    quarter (half up) and values under half a star become half a star, with a note.
    """
    value = text.strip().replace(",", ".")
    if not value:
        return None, None
    if not _STARS.fullmatch(value):
        raise FieldError(f'rating "{value[:20]}" is not a number of stars')
    stars = Fraction(Decimal(value))
    if stars == 0:
        return None, None
    exact = stars * 4
    if exact < 0 or exact > MAX_QUARTERS:
        raise FieldError(f"rating {value} is outside 0–5 stars")
    quarters = round_to_step(exact, RatingStep.QUARTER)
    if quarters != exact:
        return quarters, f"rating {value} stored as {quarters / 4:g} stars"
    return quarters, None


def parse_isbns(*cells: str) -> tuple[str | None, str | None, list[str]]:
    """(ISBN-13, ISBN-10, values that were not valid ISBNs) from cells like ``="0374533555"``."""
    valid: list[str] = []
    invalid: list[str] = []
    for cell in cells:
        cleaned = isbn_rules.clean(cell)
        if cleaned:
            (valid if isbn_rules.normalise(cleaned) else invalid).append(cleaned)
    # each cell keeps its own kind first; the other kind is derived only when missing
    isbn13 = next((v for v in valid if len(v) == 13), None)
    isbn10 = next((v for v in valid if len(v) == 10), None)
    if isbn13 is None and isbn10 is not None:
        isbn13 = isbn_rules.to_isbn13(isbn10)
    if isbn10 is None and isbn13 is not None:
        isbn10 = isbn_rules.to_isbn10(isbn13)
    return isbn13, isbn10, invalid


# Name suffixes that follow a comma but belong to the previous name: "Martin Luther King, Jr."
_NAME_SUFFIXES = frozenset(("jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md"))


def split_authors(*cells: str, limit: int = MAX_AUTHORS) -> tuple[tuple[str, ...], int]:
    """Comma-separated author names from one or more cells, in order, without repeats:
    (the first ``limit`` names, how many more names there were)."""
    names: list[str] = []
    for cell in cells:
        first_in_cell = len(names)
        for part in cell.split(","):
            name = clean_line(part)[:MAX_AUTHOR_LENGTH]
            if not name:
                continue
            if len(names) > first_in_cell and name.lower() in _NAME_SUFFIXES:
                names[-1] = f"{names[-1]}, {name}"
            else:
                names.append(name)
    seen: set[str] = set()
    unique: list[str] = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            unique.append(name)
    return tuple(unique[:limit]), max(len(unique) - limit, 0)


def parse_shelves(
    cell: str, leave_out: frozenset[str], limit: int = MAX_CUSTOM_SHELVES
) -> tuple[list[ShelfName], list[str]]:
    """Comma-separated shelf names → (valid custom shelves, reasons for the ones left out).

    Names in ``leave_out`` (case-folded; status shelves and the like) are dropped silently.
    At most ``limit`` shelves are kept (a member can't have more); the rest get one reason.
    """
    shelves: list[ShelfName] = []
    notes: list[str] = []
    keys: set[str] = set()
    over = 0
    for part in cell.split(","):
        name = strip_controls(part).strip()
        if not name or name.casefold() in leave_out or status_for_shelf_name(name):
            continue
        if len(shelves) >= limit:
            over += 1
            continue
        try:
            shelf = validate_shelf_name(name)
        except InvalidInput as exc:
            notes.append(f'shelf "{name[:40]}" left out: {exc.message}')
            continue
        if shelf.key not in keys:
            keys.add(shelf.key)
            shelves.append(shelf)
    if over:
        notes.append(
            f"{over:,} more shelf names left out: one member can have at most {limit} shelves"
        )
    return shelves, notes
