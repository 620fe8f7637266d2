"""The project's Book: a work (editions fold into it), whatever source it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from bot.domain.words import join_authors

#: Where a book's record came from (the ``books.source`` column).
BookSource = Literal["openlibrary", "googlebooks", "manual", "import"]
#: Books from a catalogue (Open Library, Google Books): shared by every server.
CATALOGUE_SOURCES: Final[tuple[BookSource, ...]] = ("openlibrary", "googlebooks")
#: Books members made (``/book add``, an import's unmatched rows): they belong to the
#: servers that link them (``guild_books``) and are never shown to, or matched for, another.
MEMBER_SOURCES: Final[tuple[BookSource, ...]] = ("manual", "import")
#: The most pages a book can have here (a bigger number is a typo or a hostile value).
MAX_PAGE_COUNT: Final = 50_000


@dataclass(frozen=True, slots=True)
class Book:
    """Work-level metadata. ``id`` is the local database id once stored (None before)."""

    title: str
    authors: tuple[str, ...] = ()
    subtitle: str | None = None
    first_year: int | None = None
    page_count: int | None = None
    isbn13: str | None = None
    isbn10: str | None = None
    # every ISBN-13 known for the work's editions (used to find it again by ISBN)
    isbns: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    description: str | None = None
    cover_url: str | None = None
    ol_work_key: str | None = None  # e.g. "OL45804W"
    google_volume_id: str | None = None
    source: BookSource = "openlibrary"
    id: int | None = field(default=None, compare=False)

    @property
    def member_made(self) -> bool:
        """Made by a member (by hand or by an import), not a catalogue's record."""
        return self.source in MEMBER_SOURCES

    @property
    def author_line(self) -> str:
        return join_authors(self.authors) or "Unknown author"

    @property
    def display_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def links(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.ol_work_key:
            out["Open Library"] = f"https://openlibrary.org/works/{self.ol_work_key}"
        if self.google_volume_id:
            out["Google Books"] = f"https://books.google.com/books?id={self.google_volume_id}"
        return out
