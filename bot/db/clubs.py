"""Club reads (``clubs``) with their checkpoints, and where each member stands in the book.

One active club per guild is guaranteed by the partial unique index on ``clubs``; ended
clubs stay as history. Member progress comes straight from ``readings`` (the latest reading
of the club book per member), so it is always what ``/progress`` last recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import (
    books,
    club_checkpoints,
    clubs,
    guild_settings,
    ratings,
    readings,
    review_likes,
    reviews,
)
from bot.domain.club import Checkpoint, CheckpointReach


class ActiveClubExists(Exception):
    """The server has an active club read already (another one was started at the same
    moment): the partial unique index refused the second."""


@dataclass(frozen=True, slots=True)
class ClubRecord:
    """A club read with the book facts every view of it needs."""

    id: int
    guild_id: int
    book_id: int
    title: str
    authors: tuple[str, ...]
    page_count: int | None
    channel_id: int | None
    status: str
    starts_on: date | None
    ends_on: date | None
    created_by: int
    created_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class MemberReading:
    """A member's latest reading of the club book, as stored (no name: Discord knows names)."""

    user_id: int
    status: str
    page: int | None
    percent: float | None
    page_count_override: int | None


def _club_query() -> Select[Any]:
    return select(
        clubs,
        books.c.title,
        books.c.authors,
        books.c.page_count,
    ).join(books, books.c.id == clubs.c.book_id)


def _club_from_row(row: RowMapping) -> ClubRecord:
    return ClubRecord(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        book_id=int(row["book_id"]),
        title=str(row["title"]),
        authors=tuple(str(a) for a in (row["authors"] or ())),
        page_count=row["page_count"],
        channel_id=row["channel_id"],
        status=str(row["status"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        created_by=int(row["created_by"]),
        created_at=row["created_at"],
        ended_at=row["ended_at"],
    )


async def active_club(conn: AsyncConnection, guild_id: int) -> ClubRecord | None:
    """The guild's current club read, or None."""
    query = _club_query().where(clubs.c.guild_id == guild_id, clubs.c.status == "active")
    row = (await conn.execute(query)).mappings().first()
    return _club_from_row(row) if row else None


async def get_club(conn: AsyncConnection, guild_id: int, club_id: int) -> ClubRecord | None:
    query = _club_query().where(clubs.c.guild_id == guild_id, clubs.c.id == club_id)
    row = (await conn.execute(query)).mappings().first()
    return _club_from_row(row) if row else None


async def create_club(
    conn: AsyncConnection,
    *,
    guild_id: int,
    book_id: int,
    channel_id: int | None,
    starts_on: date | None,
    ends_on: date | None,
    created_by: int,
    now: datetime,
) -> int:
    """Insert an active club; the partial unique index refuses a second active one
    (:class:`ActiveClubExists`; the transaction is then only good for rolling back)."""
    try:
        result = await conn.execute(
            clubs.insert().values(
                guild_id=guild_id,
                book_id=book_id,
                channel_id=channel_id,
                status="active",
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=created_by,
                created_at=now,
            )
        )
    except IntegrityError:
        raise ActiveClubExists(guild_id) from None
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def end_club(conn: AsyncConnection, club_id: int, now: datetime) -> bool:
    """Close an active club; False when it was already ended."""
    result = await conn.execute(
        clubs.update()
        .where(clubs.c.id == club_id, clubs.c.status == "active")
        .values(status="ended", ended_at=now)
    )
    return result.rowcount == 1


async def checkpoints(conn: AsyncConnection, club_id: int) -> list[Checkpoint]:
    rows = await conn.execute(
        select(club_checkpoints)
        .where(club_checkpoints.c.club_id == club_id)
        .order_by(club_checkpoints.c.due_on, club_checkpoints.c.id)
    )
    return [
        Checkpoint(
            label=str(row["label"]),
            reach=CheckpointReach(row["reach_kind"], float(row["reach_value"])),
            due_on=row["due_on"],
            id=int(row["id"]),
        )
        for row in rows.mappings()
    ]


async def add_checkpoint(
    conn: AsyncConnection, club_id: int, checkpoint: Checkpoint, now: datetime
) -> int:
    result = await conn.execute(
        club_checkpoints.insert().values(
            club_id=club_id,
            label=checkpoint.label,
            reach_kind=checkpoint.reach.kind,
            reach_value=checkpoint.reach.value,
            due_on=checkpoint.due_on,
            created_at=now,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def member_readings(
    conn: AsyncConnection, guild_id: int, book_id: int, since: datetime
) -> list[MemberReading]:
    """Each member's latest reading of ``book_id`` that belongs to this club read.

    A reading belongs when it is still open (want-to-read, reading, paused) or was touched
    since the club began (``since``), so a finish logged years before the club does not
    count as finishing the club. One set-based query: latest reading id per member.
    """
    latest = (
        select(func.max(readings.c.id).label("id"))
        .where(readings.c.guild_id == guild_id, readings.c.book_id == book_id)
        .group_by(readings.c.user_id)
        .subquery()
    )
    query = (
        select(
            readings.c.user_id,
            readings.c.status,
            readings.c.progress_page,
            readings.c.progress_percent,
            readings.c.page_count_override,
        )
        .join(latest, latest.c.id == readings.c.id)
        .where(
            or_(
                readings.c.status.in_(("want-to-read", "reading", "paused")),
                readings.c.updated_at >= since,
            )
        )
    )
    rows = await conn.execute(query)
    return [
        MemberReading(
            user_id=int(user_id),
            status=str(status),
            page=page,
            percent=float(percent) if percent is not None else None,
            page_count_override=override,
        )
        for user_id, status, page, percent, override in rows.all()
    ]


async def member_reading(
    conn: AsyncConnection, guild_id: int, book_id: int, user_id: int
) -> MemberReading | None:
    """The member's latest reading of ``book_id`` in the guild, or None."""
    query = (
        select(
            readings.c.user_id,
            readings.c.status,
            readings.c.progress_page,
            readings.c.progress_percent,
            readings.c.page_count_override,
        )
        .where(
            readings.c.guild_id == guild_id,
            readings.c.book_id == book_id,
            readings.c.user_id == user_id,
        )
        .order_by(readings.c.id.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    user, status, page, percent, override = row
    return MemberReading(
        user_id=int(user),
        status=str(status),
        page=page,
        percent=float(percent) if percent is not None else None,
        page_count_override=override,
    )


async def past_clubs(conn: AsyncConnection, guild_id: int, limit: int = 10) -> Sequence[ClubRecord]:
    """The guild's ended clubs, newest first (the history a server keeps)."""
    query = (
        _club_query()
        .where(clubs.c.guild_id == guild_id, clubs.c.status == "ended")
        .order_by(clubs.c.ended_at.desc(), clubs.c.id.desc())
        .limit(limit)
    )
    return [_club_from_row(row) for row in (await conn.execute(query)).mappings()]


async def club_channel(conn: AsyncConnection, guild_id: int) -> int | None:
    """Where club announcements, votes and reminders go: the server's club channel
    (``/settings club-channel``), else the channel of its latest club read (``/club pick``
    was used there), else None."""
    chosen = (
        await conn.execute(
            select(guild_settings.c.club_channel_id).where(guild_settings.c.guild_id == guild_id)
        )
    ).scalar_one_or_none()
    if chosen is not None:
        return int(chosen)
    query = (
        select(clubs.c.channel_id)
        .where(clubs.c.guild_id == guild_id, clubs.c.channel_id.is_not(None))
        .order_by(clubs.c.created_at.desc(), clubs.c.id.desc())
        .limit(1)
    )
    found = (await conn.execute(query)).scalar_one_or_none()
    return int(found) if found is not None else None


# --- the wrap-up at /club end ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrapUpReview:
    """A review of the club book written during the read, with its likes; only its
    spoiler-free parts (headline, body) are read here."""

    review_id: int
    user_id: int
    headline: str | None
    body: str
    likes: int
    channel_id: int | None
    message_id: int | None


async def ratings_since(
    conn: AsyncConnection, guild_id: int, book_id: int, since: datetime, exclude: frozenset[int]
) -> tuple[float | None, int]:
    """(average in quarter-stars, count) of the server's ratings of the book given or
    changed since ``since``, leaving out the members in ``exclude``."""
    query = select(func.avg(ratings.c.quarters), func.count()).where(
        ratings.c.guild_id == guild_id,
        ratings.c.book_id == book_id,
        ratings.c.updated_at >= since,
    )
    if exclude:
        query = query.where(ratings.c.user_id.not_in(sorted(exclude)))
    average, count = (await conn.execute(query)).one()
    return (float(average) if average is not None else None), int(count)


async def most_liked_reviews(
    conn: AsyncConnection,
    guild_id: int,
    book_id: int,
    since: datetime,
    exclude: frozenset[int],
    limit: int = 3,
) -> list[WrapUpReview]:
    """The book's reviews posted in the server since ``since``, most liked first (ties: the
    earlier review), reviews without likes included after those with likes."""
    likes = (
        select(review_likes.c.review_id, func.count().label("likes"))
        .group_by(review_likes.c.review_id)
        .subquery()
    )
    query = (
        select(
            reviews.c.id,
            reviews.c.user_id,
            reviews.c.headline,
            reviews.c.body,
            func.coalesce(likes.c.likes, 0).label("likes"),
            reviews.c.channel_id,
            reviews.c.message_id,
        )
        .outerjoin(likes, likes.c.review_id == reviews.c.id)
        .where(
            reviews.c.guild_id == guild_id,
            reviews.c.book_id == book_id,
            reviews.c.created_at >= since,
            reviews.c.message_id.is_not(None),
        )
        .order_by(func.coalesce(likes.c.likes, 0).desc(), reviews.c.created_at, reviews.c.id)
        .limit(limit)
    )
    if exclude:
        query = query.where(reviews.c.user_id.not_in(sorted(exclude)))
    found = [
        WrapUpReview(
            review_id=int(row.id),
            user_id=int(row.user_id),
            headline=row.headline,
            body=str(row.body or ""),
            likes=int(row.likes),
            channel_id=row.channel_id,
            message_id=row.message_id,
        )
        for row in (await conn.execute(query)).all()
    ]
    return found


async def active_clubs(conn: AsyncConnection) -> list[ClubRecord]:
    """Every server's current club read (for the nudges' tick)."""
    query = _club_query().where(clubs.c.status == "active").order_by(clubs.c.id)
    return [_club_from_row(row) for row in (await conn.execute(query)).mappings()]
