"""How well a book matches what a member typed: "title", or "title by author"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.book import Book
from bot.domain.text import search_key

_BY = re.compile(r"\s+by\s+", re.IGNORECASE)

EXACT = 3
PREFIX = 2
WORDS = 1
NONE = 0


@dataclass(frozen=True)
class BookQuery:
    title: str
    author: str | None = None

    @classmethod
    def parse(cls, text: str) -> BookQuery:
        """Split "The Hobbit by Tolkien" at the last " by " (titles may contain "by")."""
        parts = _BY.split(text.strip())
        if len(parts) >= 2 and parts[-1].strip() and " by ".join(parts[:-1]).strip():
            return cls(title=" by ".join(parts[:-1]).strip(), author=parts[-1].strip())
        return cls(title=text.strip())

    @property
    def remote_query(self) -> str:
        return f"{self.title} {self.author}" if self.author else self.title


def title_score(query: BookQuery, book: Book) -> int:
    wanted = search_key(query.title)
    candidates = {search_key(book.title), search_key(book.display_title)}
    if wanted in candidates:
        return EXACT
    if any(c.startswith(wanted) for c in candidates):
        return PREFIX
    title_words = set(search_key(book.display_title).split())
    if wanted and set(wanted.split()) <= title_words:
        return WORDS
    return NONE


def author_matches(query: BookQuery, book: Book) -> bool:
    if not query.author:
        return True
    wanted = set(search_key(query.author).split())
    return any(wanted <= set(search_key(author).split()) for author in book.authors) or any(
        search_key(author).startswith(search_key(query.author)) for author in book.authors
    )


def rank(query: BookQuery, books: list[Book]) -> list[tuple[int, Book]]:
    """Matching books with their score, best first (stable for equal scores)."""
    scored = [(title_score(query, b), b) for b in books if author_matches(query, b)]
    scored = [(s, b) for s, b in scored if s > NONE]
    return sorted(scored, key=lambda pair: -pair[0])


def pick(query: BookQuery, books: list[Book]) -> tuple[Book | None, list[Book]]:
    """(the one clear match, or None; the candidates worth offering in a menu)."""
    ranked = rank(query, books)
    if not ranked:
        return None, []
    best = ranked[0][0]
    top = [b for s, b in ranked if s == best]
    distinct = {(search_key(b.title), tuple(search_key(a) for a in b.authors)) for b in top}
    if len(top) == 1 or (best == EXACT and len(distinct) == 1):
        return top[0], []
    return None, [b for _, b in ranked][:5]
