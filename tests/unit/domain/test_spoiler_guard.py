"""The spoiler guard's words: parsed, cleaned, refused when they would block ordinary talk."""

from __future__ import annotations

import pytest

from bot.domain.spoiler_guard import GUARD_MESSAGE, MAX_GUARD_WORDS, merge_words, parse_words
from bot.errors import InvalidInput


def test_words_are_split_cleaned_and_deduplicated() -> None:
    assert parse_words(" Dorothea ,the   will\nCasaubon;dorothea,, ") == (
        "Dorothea",
        "the will",
        "Casaubon",
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Give the words"),
        (" , ;", "Give the words"),
        ("dies*", "wildcard"),
        ("ok, Dorothea", "too short"),
        ("x" * 61, "longer than 60"),
    ],
)
def test_words_that_would_misfire_are_refused(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_words(text)


def test_merging_keeps_the_first_spelling_and_a_bound() -> None:
    assert merge_words(("Dorothea",), ("dorothea", "Will")) == ("Dorothea", "Will")
    many = tuple(f"word{i:03}" for i in range(MAX_GUARD_WORDS))
    with pytest.raises(InvalidInput, match="at most"):
        merge_words(many, ("another",))


def test_the_blocked_message_fits_automod() -> None:
    assert len(GUARD_MESSAGE) <= 150
