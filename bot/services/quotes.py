"""Quotes (SPEC §12): /quote add|list|random, the Save as quote form and the Like button.

Who may see a quote is the shared progress gate's rule
(:func:`bot.domain.progress_gate.progress_reached`): a quote at or before the viewer's own
progress is shown, a later one is counted and shown only on request; a quote with no
position counts as at the end of the book; any finished read-through reaches everything.
A member always sees their own quotes. Whether the posted quote shows its text in the open
is :func:`bot.domain.quote.in_opening` (the first 10 % of the book).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db import books as book_repo
from bot.db import quotes as quote_repo
from bot.db.engine import Connection, Database
from bot.db.quotes import StoredQuote
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.progress_gate import Position, ReadingProgress, progress_reached
from bot.domain.quote import QuoteDraft, in_opening
from bot.errors import InvalidInput, NotFound

__all__ = ["LikeResult", "QuoteContext", "QuoteListing", "QuoteService"]


@dataclass(frozen=True, slots=True)
class QuoteContext:
    """A quote with its book, as a post shows it."""

    quote: StoredQuote
    book: Book

    @property
    def in_the_open(self) -> bool:
        """The text may be shown without spoiler tags (within the first 10 % of the book)."""
        return in_opening(self.quote.position, self.book.page_count)


@dataclass(frozen=True, slots=True)
class QuoteListing:
    """``/quote list``: the quotes the viewer has reached, and those further on."""

    book: Book
    member_id: int | None  # only this member's quotes, if set
    shown: tuple[StoredQuote, ...]
    further_on: tuple[StoredQuote, ...]
    progress: str  # "you are on p. 120"


@dataclass(frozen=True, slots=True)
class LikeResult:
    context: QuoteContext
    liked: bool  # the member likes it now
    count: int


def _reached(
    quote: StoredQuote | quote_repo.QuoteSpot,
    viewer_id: int,
    reads: Sequence[ReadingProgress],
) -> bool:
    if quote.user_id == viewer_id:
        return True  # their own quote
    return progress_reached(quote.position, reads)[0]


class QuoteService:
    def __init__(self, database: Database, clock: Clock, rng: random.Random | None = None) -> None:
        self.database = database
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 (picking a quote, not a secret)

    # --- /quote add and the Save as quote form ------------------------------------------

    @staticmethod
    def check_input(
        text: str,
        *,
        note: str | None = None,
        page: int | None = None,
        percent: float | None = None,
        chapter: int | None = None,
    ) -> None:
        """The checks that need no book (empty or long text, two positions, a percent off
        0–100…): cogs call it before the book lookup so a mistake fails fast."""
        QuoteDraft.create(text, note=note, page=page, percent=percent, chapter=chapter)

    async def add(
        self,
        guild_id: int,
        user_id: int,
        book: Book,
        text: str,
        *,
        note: str | None = None,
        page: int | None = None,
        percent: float | None = None,
        chapter: int | None = None,
        source_channel_id: int | None = None,
        source_message_id: int | None = None,
    ) -> QuoteContext:
        """Store a quote of ``book`` (a page past the book's page count is refused)."""
        if book.id is None:
            raise NotFound("That book is not stored here; pick it from the suggestions.")
        draft = QuoteDraft.create(
            text, note=note, page=page, percent=percent, chapter=chapter, page_count=book.page_count
        )
        quote_id = await self.database.run_write(
            quote_repo.insert_quote,
            guild_id=guild_id,
            user_id=user_id,
            book_id=book.id,
            text=draft.text,
            note=draft.note,
            position=draft.position,
            now=self.clock.now(),
            source_channel_id=source_channel_id,
            source_message_id=source_message_id,
        )
        return await self.context(guild_id, quote_id)

    async def set_message(
        self, guild_id: int, quote_id: int, channel_id: int, message_id: int
    ) -> None:
        await self.database.run_write(
            quote_repo.set_message, guild_id, quote_id, channel_id, message_id
        )

    async def context(self, guild_id: int, quote_id: int) -> QuoteContext:
        return await self.database.run_read(_context, guild_id, quote_id)

    # --- /quote list ----------------------------------------------------------------------

    async def listing(
        self, guild_id: int, viewer_id: int, book_id: int, member_id: int | None = None
    ) -> QuoteListing:
        return await self.database.run_read(_listing, guild_id, viewer_id, book_id, member_id)

    # --- /quote random --------------------------------------------------------------------

    async def random(
        self, guild_id: int, viewer_id: int, book_id: int | None = None
    ) -> QuoteContext:
        """One quote the viewer has reached (of one book, if given), chosen at random."""
        spots, reads = await self.database.run_read(_spots_and_reads, guild_id, viewer_id, book_id)
        reached = [s for s in spots if _reached(s, viewer_id, reads.get(s.book_id, ()))]
        if not reached:
            if not spots:
                where = "of this book " if book_id is not None else ""
                raise NotFound(
                    f"Nobody has saved a quote {where}here yet: add one with `/quote add`."
                )
            raise NotFound(
                f"All {len(spots):,} quote{'s' if len(spots) != 1 else ''} "
                f"{'of this book ' if book_id is not None else ''}are further on than you "
                "have read. Log your progress with `/progress update`, or see them with "
                "`/quote list`."
            )
        return await self.context(guild_id, self.rng.choice(reached).id)

    # --- the Like button ------------------------------------------------------------------

    async def toggle_like(self, guild_id: int, quote_id: int, user_id: int) -> LikeResult:
        return await self.database.run_write(
            _toggle_like, guild_id, quote_id, user_id, self.clock.now()
        )


def _context(conn: Connection, guild_id: int, quote_id: int) -> QuoteContext:
    quote = quote_repo.quote_in(conn, guild_id, quote_id)
    if quote is None:
        raise NotFound("That quote no longer exists.")
    book = book_repo.book_by_id(conn, quote.book_id)
    if book is None:
        raise NotFound("That quote's book no longer exists.")
    return QuoteContext(quote, book)


def _listing(
    conn: Connection, guild_id: int, viewer_id: int, book_id: int, member_id: int | None
) -> QuoteListing:
    book = book_repo.book_by_id(conn, book_id)
    if book is None:
        raise NotFound("That book is not stored here; pick it from the suggestions.")
    quotes = quote_repo.quotes_of_book(conn, guild_id, book_id, member_id)
    reads = quote_repo.progress_by_book(conn, guild_id, viewer_id, book_id).get(book_id, [])
    shown = tuple(q for q in quotes if _reached(q, viewer_id, reads))
    further = tuple(q for q in quotes if not _reached(q, viewer_id, reads))
    _, progress = progress_reached(Position.end(), reads)  # only its "where you are"
    return QuoteListing(book, member_id, shown, further, progress)


def _spots_and_reads(
    conn: Connection, guild_id: int, viewer_id: int, book_id: int | None
) -> tuple[list[quote_repo.QuoteSpot], dict[int, list[ReadingProgress]]]:
    spots = quote_repo.quote_spots(conn, guild_id, book_id)
    return spots, quote_repo.progress_by_book(conn, guild_id, viewer_id, book_id)


def _toggle_like(
    conn: Connection, guild_id: int, quote_id: int, user_id: int, now: datetime
) -> LikeResult:
    context = _context(conn, guild_id, quote_id)
    if context.quote.user_id == user_id:
        raise InvalidInput("You can't like your own quote — but others can.")
    liked = quote_repo.liked_by(conn, quote_id, user_id)
    if liked:
        quote_repo.drop_like(conn, quote_id, user_id)
    else:
        quote_repo.put_like(conn, quote_id, user_id, now)
    return LikeResult(context, not liked, quote_repo.likes_on(conn, quote_id))
