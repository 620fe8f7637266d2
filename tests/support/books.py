"""Books the tests look up: real titles with the fields a catalogue would give."""

from __future__ import annotations

from bot.domain.book import Book

FOX = Book(
    title="Fantastic Mr Fox",
    authors=("Roald Dahl",),
    first_year=1970,
    page_count=96,
    isbn13="9780140328721",
    isbns=("9780140328721",),
    ol_work_key="OL45804W",
)
MATILDA = Book(title="Matilda", authors=("Roald Dahl",), first_year=1988, ol_work_key="OL45883W")
EMMA_AUSTEN = Book(title="Emma", authors=("Jane Austen",), first_year=1815, ol_work_key="OL66534W")
EMMA_OTHER = Book(title="Emma", authors=("Someone Else",), first_year=2001, ol_work_key="OL1W")
