"""Quotes with their likes, and the reading progress the gate checks (SPEC §12).

Sync functions over statements built once (``bindparam``), for units of work
(:meth:`bot.db.engine.Database.run_write` / ``run_read``). Likes have no ``guild_id`` of
their own: every query on them goes through the quote, and the quote is always looked up
with its ``guild_id``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql.dml import Insert

from bot.db.dialect import insert_for
from bot.db.schema import books, quote_likes, quotes, readings
from bot.domain.progress_gate import Position, ReadingProgress

__all__ = [
    "QUOTE_SCAN_LIMIT",
    "QuoteSpot",
    "StoredQuote",
    "drop_like",
    "insert_quote",
    "liked_by",
    "likes_on",
    "progress_by_book",
    "put_like",
    "quote_in",
    "quote_spots",
    "quotes_of_book",
    "set_message",
]

#: At most this many quotes are looked at for one list or random pick (newest first).
QUOTE_SCAN_LIMIT: Final = 2000


@dataclass(frozen=True, slots=True)
class StoredQuote:
    """A quote as stored, with its like count."""

    id: int
    guild_id: int
    user_id: int
    book_id: int
    text: str
    note: str | None
    position: Position
    channel_id: int | None
    message_id: int | None
    source_channel_id: int | None
    source_message_id: int | None
    created_at: datetime
    likes: int = 0


@dataclass(frozen=True, slots=True)
class QuoteSpot:
    """Where one quote is, for choosing among quotes without loading their text."""

    id: int
    book_id: int
    user_id: int
    position: Position


_LIKES = (
    select(func.count())
    .where(quote_likes.c.quote_id == quotes.c.id)
    .correlate(quotes)
    .scalar_subquery()
    .label("likes")
)
_QUOTE = select(quotes, _LIKES).where(
    quotes.c.guild_id == bindparam("guild_id"), quotes.c.id == bindparam("quote_id")
)
_OF_BOOK = (
    select(quotes, _LIKES)
    .where(quotes.c.guild_id == bindparam("guild_id"), quotes.c.book_id == bindparam("book_id"))
    .order_by(quotes.c.created_at.desc(), quotes.c.id.desc())
    .limit(QUOTE_SCAN_LIMIT)
)
_OF_BOOK_BY = (
    select(quotes, _LIKES)
    .where(
        quotes.c.guild_id == bindparam("guild_id"),
        quotes.c.book_id == bindparam("book_id"),
        quotes.c.user_id == bindparam("user_id"),
    )
    .order_by(quotes.c.created_at.desc(), quotes.c.id.desc())
    .limit(QUOTE_SCAN_LIMIT)
)
_SPOT_COLUMNS = (
    quotes.c.id,
    quotes.c.book_id,
    quotes.c.user_id,
    quotes.c.page,
    quotes.c.percent,
    quotes.c.chapter,
)
_SPOTS = (
    select(*_SPOT_COLUMNS)
    .where(quotes.c.guild_id == bindparam("guild_id"))
    .order_by(quotes.c.id.desc())
    .limit(QUOTE_SCAN_LIMIT)
)
_SPOTS_OF_BOOK = (
    select(*_SPOT_COLUMNS)
    .where(quotes.c.guild_id == bindparam("guild_id"), quotes.c.book_id == bindparam("book_id"))
    .order_by(quotes.c.id.desc())
    .limit(QUOTE_SCAN_LIMIT)
)
_SET_MESSAGE = (
    update(quotes)
    .where(quotes.c.guild_id == bindparam("g"), quotes.c.id == bindparam("q"))
    .values(channel_id=bindparam("channel"), message_id=bindparam("message"))
)
_INSERT = insert(quotes).returning(quotes.c.id)
_LIKE_COUNT = select(func.count()).where(quote_likes.c.quote_id == bindparam("quote_id"))
_LIKED = select(func.count()).where(
    quote_likes.c.quote_id == bindparam("quote_id"), quote_likes.c.user_id == bindparam("user_id")
)
_UNLIKE = delete(quote_likes).where(
    quote_likes.c.quote_id == bindparam("quote_id"), quote_likes.c.user_id == bindparam("user_id")
)
_PROGRESS = (
    select(
        readings.c.book_id,
        readings.c.status,
        readings.c.progress_page,
        readings.c.progress_percent,
        readings.c.progress_chapter,
        func.coalesce(readings.c.page_count_override, books.c.page_count).label("pages"),
        readings.c.created_at,
    )
    .join(books, books.c.id == readings.c.book_id)
    .where(readings.c.guild_id == bindparam("guild_id"), readings.c.user_id == bindparam("user_id"))
    .order_by(readings.c.created_at.desc(), readings.c.id.desc())
)
_PROGRESS_OF_BOOK = _PROGRESS.where(readings.c.book_id == bindparam("book_id"))


@functools.cache
def _insert_like(dialect_name: str) -> Insert:
    return insert_for(dialect_name, quote_likes).on_conflict_do_nothing()


def _position(row: RowMapping) -> Position:
    return Position.of(row["page"], row["percent"], row["chapter"])


def _from_row(row: RowMapping) -> StoredQuote:
    return StoredQuote(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        book_id=int(row["book_id"]),
        text=row["text"],
        note=row["note"],
        position=_position(row),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        source_channel_id=row["source_channel_id"],
        source_message_id=row["source_message_id"],
        created_at=row["created_at"],
        likes=int(row["likes"] or 0),
    )


def insert_quote(
    conn: Connection,
    *,
    guild_id: int,
    user_id: int,
    book_id: int,
    text: str,
    note: str | None,
    position: Position,
    now: datetime,
    source_channel_id: int | None = None,
    source_message_id: int | None = None,
) -> int:
    """Store a quote; returns its id (the posted message is set later, :func:`set_message`)."""
    values: dict[str, Any] = {
        "guild_id": guild_id,
        "user_id": user_id,
        "book_id": book_id,
        "text": text,
        "note": note,
        "page": position.page,
        "percent": position.percent,
        "chapter": position.chapter,
        "channel_id": None,
        "message_id": None,
        "source_channel_id": source_channel_id,
        "source_message_id": source_message_id,
        "created_at": now,
    }
    return int(conn.execute(_INSERT, values).scalar_one())


def set_message(
    conn: Connection, guild_id: int, quote_id: int, channel_id: int, message_id: int
) -> None:
    """Remember the posted quote's message."""
    conn.execute(
        _SET_MESSAGE, {"g": guild_id, "q": quote_id, "channel": channel_id, "message": message_id}
    )


def quote_in(conn: Connection, guild_id: int, quote_id: int) -> StoredQuote | None:
    row = conn.execute(_QUOTE, {"guild_id": guild_id, "quote_id": quote_id}).mappings().first()
    return _from_row(row) if row is not None else None


def quotes_of_book(
    conn: Connection, guild_id: int, book_id: int, user_id: int | None = None
) -> list[StoredQuote]:
    """The book's quotes in this server (only ``user_id``'s, if given), newest first."""
    if user_id is None:
        result = conn.execute(_OF_BOOK, {"guild_id": guild_id, "book_id": book_id})
    else:
        result = conn.execute(
            _OF_BOOK_BY, {"guild_id": guild_id, "book_id": book_id, "user_id": user_id}
        )
    return [_from_row(row) for row in result.mappings()]


def quote_spots(conn: Connection, guild_id: int, book_id: int | None = None) -> list[QuoteSpot]:
    """Where the server's quotes are (of one book, if given), newest first."""
    if book_id is None:
        result = conn.execute(_SPOTS, {"guild_id": guild_id})
    else:
        result = conn.execute(_SPOTS_OF_BOOK, {"guild_id": guild_id, "book_id": book_id})
    return [
        QuoteSpot(int(row["id"]), int(row["book_id"]), int(row["user_id"]), _position(row))
        for row in result.mappings()
    ]


def progress_by_book(
    conn: Connection, guild_id: int, user_id: int, book_id: int | None = None
) -> dict[int, list[ReadingProgress]]:
    """The member's read-throughs in this server (of one book, if given), newest first per
    book, as the progress gate needs them."""
    params: dict[str, Any] = {"guild_id": guild_id, "user_id": user_id}
    if book_id is None:
        result = conn.execute(_PROGRESS, params)
    else:
        result = conn.execute(_PROGRESS_OF_BOOK, {**params, "book_id": book_id})
    out: dict[int, list[ReadingProgress]] = defaultdict(list)
    for row in result.mappings():
        out[int(row["book_id"])].append(
            ReadingProgress(
                status=row["status"],
                page=row["progress_page"],
                percent=row["progress_percent"],
                page_count=row["pages"],
                created_at=row["created_at"],
                chapter=row["progress_chapter"],
            )
        )
    return dict(out)


# --- likes ----------------------------------------------------------------------------------


def likes_on(conn: Connection, quote_id: int) -> int:
    return int(conn.execute(_LIKE_COUNT, {"quote_id": quote_id}).scalar_one())


def liked_by(conn: Connection, quote_id: int, user_id: int) -> bool:
    return bool(conn.execute(_LIKED, {"quote_id": quote_id, "user_id": user_id}).scalar_one())


def put_like(conn: Connection, quote_id: int, user_id: int, now: datetime) -> None:
    """Like the quote; a like that exists already (a double click) stays as it is."""
    conn.execute(
        _insert_like(conn.dialect.name),
        {"quote_id": quote_id, "user_id": user_id, "created_at": now},
    )


def drop_like(conn: Connection, quote_id: int, user_id: int) -> None:
    conn.execute(_UNLIKE, {"quote_id": quote_id, "user_id": user_id})
