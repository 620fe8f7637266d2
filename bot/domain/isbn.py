"""ISBN-10 and ISBN-13: cleaning, validation and conversion. Pure functions, no I/O.

Members type ISBNs with hyphens and spaces; Goodreads exports wrap them as ``="0140328726"``;
labels add an "ISBN-13:" prefix. :func:`normalise` accepts all of those and returns the bare
digits (with an upper-case ``X`` check digit for ISBN-10) only when the check digit is right.

Only ISBN-13s with the Bookland prefixes 978 and 979 are ISBNs; 979 numbers have no ISBN-10.
"""

from __future__ import annotations

import re

# Separators members and exports put inside ISBNs: spaces of every kind, and every dash.
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212\u00ad]+")
_LABEL = re.compile(r"^isbn(?:[\s\-]?1[03])?\s*:?\s*", re.IGNORECASE)
_ISBN10_SHAPE = re.compile(r"^\d{9}[\dX]$")
_ISBN13_SHAPE = re.compile(r"^97[89]\d{10}$")
_QUOTES = "\"'\u201c\u201d\u2018\u2019"


def clean(raw: str) -> str:
    """Strip wrapping, labels and separators, upper-case ``x``. Does not validate.

    >>> clean('="978-0-14-032872-1"')
    '9780140328721'
    """
    text = raw.strip()
    if text.startswith("="):  # spreadsheet formula wrapping: ="0140328726"
        text = text[1:].strip()
    text = text.strip(_QUOTES).strip()
    text = _LABEL.sub("", text)
    return _SEPARATORS.sub("", text).upper()


def isbn10_check_digit(first9: str) -> str:
    """The ISBN-10 check character for nine digits (``0``–``9`` or ``X``)."""
    if len(first9) != 9 or not first9.isdigit():
        raise ValueError(f"need exactly 9 digits, got {first9!r}")
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    """The ISBN-13 (EAN-13) check digit for twelve digits."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need exactly 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_isbn10(value: str) -> bool:
    """True when ``value`` (already cleaned) is a valid ISBN-10."""
    return bool(_ISBN10_SHAPE.match(value)) and isbn10_check_digit(value[:9]) == value[9]


def is_isbn13(value: str) -> bool:
    """True when ``value`` (already cleaned) is a valid 978/979 ISBN-13."""
    return bool(_ISBN13_SHAPE.match(value)) and isbn13_check_digit(value[:12]) == value[12]


def normalise(raw: str) -> str | None:
    """The cleaned ISBN-10 or ISBN-13 when ``raw`` is a valid ISBN, else None."""
    value = clean(raw)
    if is_isbn10(value) or is_isbn13(value):
        return value
    return None


def is_valid(raw: str) -> bool:
    """True when ``raw`` is a valid ISBN-10 or ISBN-13 once cleaned."""
    return normalise(raw) is not None


def to_isbn13(raw: str) -> str | None:
    """The ISBN-13 for any valid ISBN (ISBN-10s get the 978 prefix), else None."""
    value = normalise(raw)
    if value is None:
        return None
    if len(value) == 13:
        return value
    body = "978" + value[:9]
    return body + isbn13_check_digit(body)


def to_isbn10(raw: str) -> str | None:
    """The ISBN-10 for any valid ISBN, or None (invalid, or a 979 ISBN-13 which has none)."""
    value = normalise(raw)
    if value is None:
        return None
    if len(value) == 10:
        return value
    if not value.startswith("978"):
        return None
    body = value[3:12]
    return body + isbn10_check_digit(body)
