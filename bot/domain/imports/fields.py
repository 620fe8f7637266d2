"""Cell-level parsing shared by the Goodreads and StoryGraph readers.

Every helper either returns a clean value or raises :class:`FieldError` with a short,
member-facing reason; the readers turn that into a :class:`RowProblem` and carry on.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from bot.domain import isbn as isbn_rules
from bot.domain.shelves import ShelfName, status_for_shelf_name, validate_shelf_name
from bot.domain.stars import MAX_QUARTERS, RatingStep, round_to_step
from bot.domain.text import clean_line, strip_control_chars
from bot.errors import InvalidInput

__all__ = [
    "MAX_AUTHOR_LENGTH",
    "MAX_CONTENT_WARNINGS_LENGTH",
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


def parse_count(text: str, what: str) -> int:
    """A whole number ≥ 0 (empty means 0)."""
    value = text.strip()
    if not value:
        return 0
    try:
        number = int(Decimal(value))
    except (InvalidOperation, ValueError, OverflowError):
        raise FieldError(f'{what} "{value[:20]}" is not a number') from None
    if number < 0:
        raise FieldError(f"{what} can't be negative")
    return number


def parse_year(text: str) -> int | None:
    """A publication year; Goodreads has negative years for ancient works."""
    value = text.strip()
    if not value:
        return None
    try:
        year = int(value)
    except ValueError:
        raise FieldError(f'year "{value[:20]}" is not a number') from None
    if year == 0 or not -5000 <= year <= 9999:
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


def parse_rating(text: str) -> tuple[int | None, str | None]:
    """Stars (whole or decimal, up to 5) → (quarter-stars or None, a note when adjusted).

    Empty or 0 means unrated. Values off the quarter grid are rounded to the nearest
    quarter (half up) and values under half a star become half a star, with a note.
    """
    value = text.strip().replace(",", ".")
    if not value:
        return None, None
    try:
        stars = Fraction(Decimal(value))
    except (InvalidOperation, ValueError, OverflowError):
        raise FieldError(f'rating "{value[:20]}" is not a number') from None
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


def split_authors(*cells: str) -> tuple[str, ...]:
    """Comma-separated author names from one or more cells, in order, without repeats."""
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
    return tuple(unique)


def parse_shelves(cell: str, leave_out: frozenset[str]) -> tuple[list[ShelfName], list[str]]:
    """Comma-separated shelf names → (valid custom shelves, reasons for the ones left out).

    Names in ``leave_out`` (case-folded; status shelves and the like) are dropped silently.
    """
    shelves: list[ShelfName] = []
    notes: list[str] = []
    keys: set[str] = set()
    for part in cell.split(","):
        name = strip_controls(part).strip()
        if not name or name.casefold() in leave_out or status_for_shelf_name(name):
            continue
        try:
            shelf = validate_shelf_name(name)
        except InvalidInput as exc:
            notes.append(f'shelf "{name[:40]}" left out: {exc.message}')
            continue
        if shelf.key not in keys:
            keys.add(shelf.key)
            shelves.append(shelf)
    return shelves, notes
