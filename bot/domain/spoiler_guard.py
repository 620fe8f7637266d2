"""The club's spoiler guard (SPEC §11): which words a Discord AutoMod keyword rule blocks
while the club read runs, outside the checkpoint rooms and the review channel.

Words are what a moderator types, separated by commas or new lines: names and phrases that
would give the book away ("Dorothea's will", "Casaubon dies"). AutoMod matches a keyword as a
whole word or phrase, case-insensitively; ``*`` would make it a prefix or suffix wildcard,
which a moderator rarely means, so it is refused. A keyword of one or two characters would
block ordinary talk and is refused too.
"""

from __future__ import annotations

import re
from typing import Final

from bot.domain.text import strip_control_chars
from bot.errors import InvalidInput

__all__ = ["GUARD_MESSAGE", "GUARD_RULE_NAME", "MAX_GUARD_WORDS", "merge_words", "parse_words"]

GUARD_RULE_NAME: Final = "Marginalia spoiler guard"
#: shown by Discord to a member whose message was blocked (AutoMod allows 150 characters)
GUARD_MESSAGE: Final = (
    "That may spoil the club read for others: post it in its checkpoint room "
    "(/club rooms join) or in a review."
)
MAX_GUARD_WORDS: Final = 100
MIN_WORD: Final = 3
MAX_WORD: Final = 60  # AutoMod's limit per keyword

_SEPARATORS = re.compile(r"[,\n;]+")


def parse_words(text: str) -> tuple[str, ...]:
    """The words and phrases in ``text``, cleaned, duplicates (by case) dropped."""
    found: dict[str, str] = {}
    for raw in _SEPARATORS.split(strip_control_chars(text)):
        word = " ".join(raw.split())
        if not word:
            continue
        if "*" in word:
            raise InvalidInput(
                f"“{word[:60]}” has a *: write whole words or phrases (AutoMod would read * "
                "as a wildcard and block far more)."
            )
        if len(word) < MIN_WORD:
            raise InvalidInput(
                f"“{word}” is too short to guard: it would block ordinary messages. Use words "
                f"of {MIN_WORD} characters or more."
            )
        if len(word) > MAX_WORD:
            raise InvalidInput(f"“{word[:40]}…” is longer than {MAX_WORD} characters.")
        found.setdefault(word.casefold(), word)
    if not found:
        raise InvalidInput('Give the words to guard, separated by commas: "Dorothea, the will".')
    return tuple(found.values())


def merge_words(kept: tuple[str, ...], added: tuple[str, ...]) -> tuple[str, ...]:
    """The guard's words after adding ``added`` (case-insensitive duplicates dropped)."""
    merged: dict[str, str] = {w.casefold(): w for w in kept}
    for word in added:
        merged.setdefault(word.casefold(), word)
    if len(merged) > MAX_GUARD_WORDS:
        raise InvalidInput(
            f"The guard holds at most {MAX_GUARD_WORDS} words (this would make {len(merged)})."
        )
    return tuple(merged.values())
