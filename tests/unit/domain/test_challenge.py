"""Challenge prompts and their rules, checked against a book's metadata."""

from __future__ import annotations

import pytest

from bot.domain.book import Book
from bot.domain.challenge import MAX_PROMPTS, Prompt, PromptRule, check_rule, parse_prompts
from bot.errors import InvalidInput

CHUNKY = Book(title="Middlemarch", page_count=880, first_year=1871, subjects=("Married people",))
SLIM = Book(title="Novella", page_count=120, first_year=2005, subjects=("Fantasy fiction",))
UNKNOWN = Book(title="Mystery")


def test_prompts_are_split_and_rules_read() -> None:
    prompts = parse_prompts(
        "a book in translation;\n[pages>500] a chunky one; [before 1900]; "
        "[subject Fantasy] something magical; A BOOK IN TRANSLATION"
    )
    assert prompts == (
        Prompt("a book in translation"),
        Prompt("a chunky one", PromptRule("pages_over", "500")),
        Prompt("First published before 1900", PromptRule("before", "1900")),
        Prompt("something magical", PromptRule("subject", "Fantasy")),
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Give the prompts"),
        ("[pages<5] tiny", "can't read the rule"),
        ("x" * 151, "150 characters"),
        (";".join(f"prompt {i}" for i in range(MAX_PROMPTS + 1)), "at most 25"),
    ],
)
def test_bad_prompts_are_refused(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_prompts(text)


@pytest.mark.parametrize(
    ("rule", "book", "refusal"),
    [
        (None, UNKNOWN, None),  # the member's word
        (PromptRule("pages_over", "500"), CHUNKY, None),
        (PromptRule("pages_over", "500"), SLIM, "has 120 pages"),
        (PromptRule("pages_over", "880"), CHUNKY, "has 880 pages"),  # over, not at least
        (PromptRule("pages_over", "500"), UNKNOWN, "no page count"),
        (PromptRule("before", "1900"), CHUNKY, None),
        (PromptRule("before", "1900"), SLIM, "first published in 2005"),
        (PromptRule("after", "2000"), SLIM, None),
        (PromptRule("after", "2000"), UNKNOWN, "no publication year"),
        (PromptRule("subject", "fantasy"), SLIM, None),
        (PromptRule("subject", "fantasy"), CHUNKY, "no subject"),
        (PromptRule("subject", "fantasy"), UNKNOWN, "no subjects on record"),
    ],
)
def test_rules_are_checked_against_metadata(
    rule: PromptRule | None, book: Book, refusal: str | None
) -> None:
    if refusal is None:
        check_rule(rule, book)
    else:
        with pytest.raises(InvalidInput, match=refusal):
            check_rule(rule, book)
