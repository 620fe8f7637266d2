"""Server reading challenges (issue 14): prompts, the rules some prompts carry, and checking a
book against them.

A moderator writes the prompts in one option, separated by ``;`` or new lines, 1 to 25 of
them. A prompt may begin with a rule in square brackets, checked against the book's
metadata when a member fills it:

- ``[pages>500]`` — more than 500 pages (``[pages over 500]`` too);
- ``[before 1900]`` / ``[after 2000]`` — first published before / after that year;
- ``[subject fantasy]`` — one of the book's subjects contains the word (case-insensitive).

Any other prompt ("a book a member recommended") is the member's word. A rule the book's
metadata cannot answer (no page count, no year, no subjects on record) is not guessed: the
fill is refused with what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.book import Book
from bot.domain.text import strip_control_chars
from bot.errors import InvalidInput

__all__ = [
    "MAX_PROMPTS",
    "MAX_PROMPT_LENGTH",
    "Prompt",
    "PromptRule",
    "check_rule",
    "parse_prompts",
]

MAX_PROMPTS: Final = 25
MAX_PROMPT_LENGTH: Final = 150

RuleKind = Literal["pages_over", "before", "after", "subject"]

_SEPARATORS = re.compile(r"[;\n]+")
_RULE = re.compile(r"^\[([^\]]{1,60})\]\s*(.*)$", re.DOTALL)
_PAGES = re.compile(r"pages\s*(?:>|over)\s*(\d{1,6})", re.IGNORECASE)
_YEAR = re.compile(r"(before|after)\s+(-?\d{1,4})", re.IGNORECASE)
_SUBJECT = re.compile(r"subject\s+(.{2,40})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PromptRule:
    kind: RuleKind
    value: str  # a number for pages and years, a word for a subject

    def describe(self) -> str:
        if self.kind == "pages_over":
            return f"more than {int(self.value):,} pages"
        if self.kind == "before":
            return f"first published before {self.value}"
        if self.kind == "after":
            return f"first published after {self.value}"
        return f"a subject with “{self.value}”"


@dataclass(frozen=True, slots=True)
class Prompt:
    text: str
    rule: PromptRule | None = None


def _rule_of(inside: str) -> PromptRule:
    inside = " ".join(inside.split())
    if match := _PAGES.fullmatch(inside):
        return PromptRule("pages_over", str(int(match.group(1))))
    if match := _YEAR.fullmatch(inside):
        kind: RuleKind = "before" if match.group(1).lower() == "before" else "after"
        return PromptRule(kind, str(int(match.group(2))))
    if match := _SUBJECT.fullmatch(inside):
        return PromptRule("subject", match.group(1).strip())
    raise InvalidInput(
        f"I can't read the rule [{inside}]. Rules are [pages>500], [before 1900], "
        "[after 2000] or [subject fantasy]; or leave the brackets out."
    )


def parse_prompts(text: str) -> tuple[Prompt, ...]:
    """The prompts of ``/challenge create``: cleaned, each with its rule, 1 to 25."""
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for raw in _SEPARATORS.split(strip_control_chars(text)):
        part = " ".join(raw.split())
        if not part:
            continue
        rule = None
        if match := _RULE.match(part):
            rule = _rule_of(match.group(1))
            part = match.group(2).strip() or rule.describe().capitalize()
        if len(part) > MAX_PROMPT_LENGTH:
            raise InvalidInput(
                f"Keep each prompt to {MAX_PROMPT_LENGTH} characters (“{part[:40]}…” is longer)."
            )
        if part.casefold() in seen:
            continue
        seen.add(part.casefold())
        prompts.append(Prompt(part, rule))
    if not prompts:
        raise InvalidInput(
            'Give the prompts, separated by semicolons: "a book in translation; '
            '[pages>500] a chunky one; [before 1900] a classic".'
        )
    if len(prompts) > MAX_PROMPTS:
        raise InvalidInput(f"A challenge has at most {MAX_PROMPTS} prompts ({len(prompts)} given).")
    return tuple(prompts)


def check_rule(rule: PromptRule | None, book: Book) -> None:
    """Refuse (:class:`InvalidInput`, saying why) a book the prompt's rule does not allow."""
    if rule is None:
        return
    title = book.display_title
    if rule.kind == "pages_over":
        if not book.page_count:
            raise InvalidInput(f"“{title}” has no page count on record, so I can't check it.")
        if book.page_count <= int(rule.value):
            raise InvalidInput(
                f"“{title}” has {book.page_count:,} pages; this prompt wants {rule.describe()}."
            )
        return
    if rule.kind in ("before", "after"):
        if book.first_year is None:
            raise InvalidInput(f"“{title}” has no publication year on record, so I can't check it.")
        year = int(rule.value)
        ok = book.first_year < year if rule.kind == "before" else book.first_year > year
        if not ok:
            raise InvalidInput(
                f"“{title}” was first published in {book.first_year}; this prompt wants "
                f"{rule.describe()}."
            )
        return
    word = rule.value.casefold()
    if not book.subjects:
        raise InvalidInput(f"“{title}” has no subjects on record, so I can't check it.")
    if not any(word in subject.casefold() for subject in book.subjects):
        raise InvalidInput(f"“{title}” has no subject with “{rule.value}”.")
