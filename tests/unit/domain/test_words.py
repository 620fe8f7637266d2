"""The shared words: counts, ordinals, name and author lists, book lines, message links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.book import Book
from bot.domain.words import (
    book_line,
    join_authors,
    join_names,
    jump_url,
    message_url,
    ordinal,
    plural,
)


@pytest.mark.parametrize(
    ("count", "noun", "irregular", "expected"),
    [
        (0, "book", None, "0 books"),
        (1, "book", None, "1 book"),
        (2, "book", None, "2 books"),
        (1234, "page", None, "1,234 pages"),
        (1, "shelf", "shelves", "1 shelf"),
        (3, "shelf", "shelves", "3 shelves"),
        (2, "like or flag", "likes and flags", "2 likes and flags"),
    ],
)
def test_plural(count: int, noun: str, irregular: str | None, expected: str) -> None:
    assert plural(count, noun, irregular) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (20, "20th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinal(number: int, expected: str) -> None:
    assert ordinal(number) == expected


@given(st.integers(min_value=0, max_value=10**6))
def test_ordinal_keeps_the_number(number: int) -> None:
    text = ordinal(number)
    assert text[:-2] == str(number) and text[-2:] in ("st", "nd", "rd", "th")


@pytest.mark.parametrize(
    ("names", "limit", "expected"),
    [
        ([], None, ""),
        (["A"], None, "A"),
        (["A", "B"], None, "A and B"),
        (["A", "B", "C"], None, "A, B and C"),
        (["A", "B", "C", "D"], 3, "A, B, C and 1 more"),
        (["A", "B", "C", "D", "E"], 2, "A, B and 3 more"),
        (["A", "B"], 2, "A and B"),
    ],
)
def test_join_names(names: list[str], limit: int | None, expected: str) -> None:
    assert join_names(names, limit) == expected


def test_join_authors_is_the_one_author_list() -> None:
    assert join_authors(()) is None
    assert join_authors(["", "  "]) is None
    assert join_authors(["A"]) == "A"
    assert join_authors(["A", "", "B"]) == "A and B"
    assert join_authors(["A", "B", "C"]) == "A, B and C"
    assert join_authors(["A", "B", "C", "D", "E"]) == "A, B, C and 2 more"
    # the book's author line and the club's author text say the same thing
    book = Book(title="T", authors=("A", "B", "C", "D"))
    assert book.author_line == join_authors(book.authors) == "A, B, C and 1 more"
    assert Book(title="T").author_line == "Unknown author"


def test_book_line() -> None:
    assert book_line("Dune", "Frank Herbert") == "Dune by Frank Herbert"
    assert book_line("Dune", None) == "Dune"
    assert book_line("Dune", "") == "Dune"
    assert book_line("**Dune**", "Frank Herbert", sep=" — ") == "**Dune** — Frank Herbert"


def test_jump_urls() -> None:
    assert jump_url(1, 2, 3) == "https://discord.com/channels/1/2/3"
    assert message_url(1, 2, 3) == jump_url(1, 2, 3)
    assert message_url(1, None, 3) is None
    assert message_url(1, 2, None) is None
