"""Nominations for the club's next read and the want-to-read counts behind ``/club suggest``.

A server has one round of nominations at a time: one nomination per member (a second one
replaces the first) and one per book, both held by unique constraints so two members
nominating the same book at the same moment cannot both succeed. ``/club pick`` ends the
round (:func:`clear`). Want-to-read counts are of *members* (distinct) whose reading of the
book in this server is on the want-to-read shelf; never who they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import books, club_nominations, clubs, readings

__all__ = [
    "BookAlreadyNominated",
    "Nomination",
    "Suggestion",
    "clear",
    "current_club_book",
    "member_nominations",
    "nominate",
    "nominations",
    "suggestions",
]

WANT_TO_READ = "want-to-read"


class BookAlreadyNominated(Exception):
    """Another member nominated this book (at the same moment): the unique constraint
    refused the second; the transaction is only good for rolling back."""


@dataclass(frozen=True, slots=True)
class Nomination:
    id: int
    user_id: int
    book_id: int
    title: str
    authors: tuple[str, ...]
    pitch: str | None
    created_at: datetime
    want_to_read: int  # members of the server with it on their want-to-read shelf


@dataclass(frozen=True, slots=True)
class Suggestion:
    book_id: int
    title: str
    authors: tuple[str, ...]
    members: int  # how many members want to read it (never who)


def _wanting(guild_id: int) -> Any:
    """Per book: how many distinct members of the guild have it as want-to-read."""
    return (
        select(
            readings.c.book_id,
            func.count(func.distinct(readings.c.user_id)).label("members"),
        )
        .where(readings.c.guild_id == guild_id, readings.c.status == WANT_TO_READ)
        .group_by(readings.c.book_id)
        .subquery()
    )


async def nominations(conn: AsyncConnection, guild_id: int) -> list[Nomination]:
    """The round's nominations, oldest first (the order ties are decided in)."""
    wanting = _wanting(guild_id)
    query = (
        select(
            club_nominations,
            books.c.title,
            books.c.authors,
            func.coalesce(wanting.c.members, 0).label("members"),
        )
        .join(books, books.c.id == club_nominations.c.book_id)
        .outerjoin(wanting, wanting.c.book_id == club_nominations.c.book_id)
        .where(club_nominations.c.guild_id == guild_id)
        .order_by(club_nominations.c.created_at, club_nominations.c.id)
    )
    return [
        Nomination(
            id=int(row["id"]),
            user_id=int(row["user_id"]),
            book_id=int(row["book_id"]),
            title=str(row["title"]),
            authors=tuple(str(a) for a in (row["authors"] or ())),
            pitch=row["pitch"],
            created_at=row["created_at"],
            want_to_read=int(row["members"]),
        )
        for row in (await conn.execute(query)).mappings()
    ]


async def member_nominations(
    conn: AsyncConnection, guild_id: int, user_id: int
) -> list[Nomination]:
    """The member's nomination in the server (zero or one), for /export."""
    return [n for n in await nominations(conn, guild_id) if n.user_id == user_id]


async def nominate(
    conn: AsyncConnection,
    guild_id: int,
    user_id: int,
    book_id: int,
    pitch: str | None,
    now: datetime,
) -> int | None:
    """Make ``book_id`` the member's nomination (replacing theirs). Returns the id of the
    member who already nominated that book (nothing is changed), else None.

    Raises :class:`BookAlreadyNominated` when another member's nomination of the book was
    written at the same moment.
    """
    holder = (
        await conn.execute(
            select(club_nominations.c.user_id).where(
                club_nominations.c.guild_id == guild_id, club_nominations.c.book_id == book_id
            )
        )
    ).scalar_one_or_none()
    if holder is not None and int(holder) != user_id:
        return int(holder)
    await conn.execute(
        delete(club_nominations).where(
            club_nominations.c.guild_id == guild_id, club_nominations.c.user_id == user_id
        )
    )
    try:
        await conn.execute(
            club_nominations.insert().values(
                guild_id=guild_id, user_id=user_id, book_id=book_id, pitch=pitch, created_at=now
            )
        )
    except IntegrityError:
        raise BookAlreadyNominated from None
    return None


async def current_club_book(conn: AsyncConnection, guild_id: int) -> int | None:
    """The book of the server's active club read, if there is one."""
    query = select(clubs.c.book_id).where(clubs.c.guild_id == guild_id, clubs.c.status == "active")
    found = (await conn.execute(query)).scalar_one_or_none()
    return int(found) if found is not None else None


async def clear(conn: AsyncConnection, guild_id: int) -> int:
    """End the round (the next read was picked): every nomination of the server goes."""
    result = await conn.execute(
        delete(club_nominations).where(club_nominations.c.guild_id == guild_id)
    )
    return int(result.rowcount or 0)


async def suggestions(
    conn: AsyncConnection, guild_id: int, *, at_least: int = 2, limit: int = 10
) -> Sequence[Suggestion]:
    """Books at least ``at_least`` members want to read, most wanted first, leaving out the
    current club read and books already nominated."""
    wanting = _wanting(guild_id)
    nominated = select(club_nominations.c.book_id).where(club_nominations.c.guild_id == guild_id)
    reading_now = select(clubs.c.book_id).where(
        and_(clubs.c.guild_id == guild_id, clubs.c.status == "active")
    )
    query = (
        select(books.c.id, books.c.title, books.c.authors, wanting.c.members)
        .join(wanting, wanting.c.book_id == books.c.id)
        .where(
            wanting.c.members >= at_least,
            books.c.id.not_in(nominated),
            books.c.id.not_in(reading_now),
        )
        .order_by(wanting.c.members.desc(), books.c.title, books.c.id)
        .limit(limit)
    )
    return [
        Suggestion(
            book_id=int(book_id),
            title=str(title),
            authors=tuple(str(a) for a in (authors or ())),
            members=int(members),
        )
        for book_id, title, authors, members in (await conn.execute(query)).all()
    ]
