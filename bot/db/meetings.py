"""Club meetings, their reminder claims and the members who want reminders (SPEC §11).

A reminder is claimed by inserting its ``club_meeting_reminders`` row (primary key: meeting
× kind) with ``ON CONFLICT DO NOTHING``: of any number of claimers, in any process, exactly
one gets the row, and only that one posts. The row is then marked ``posted`` (or ``failed``)
and is never claimed again, so a reminder goes out at most once, restarts included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing
from bot.db.schema import books, club_meeting_reminders, club_meetings, club_reminder_optins, clubs

__all__ = [
    "Meeting",
    "add_meetings",
    "cancel",
    "claim_reminder",
    "due_meetings",
    "get_meeting",
    "mark_failed",
    "mark_posted",
    "opted_in",
    "reminder_status",
    "reminders_on",
    "set_reminders",
    "upcoming",
]


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting as stored, with its club's book title."""

    id: int
    guild_id: int
    club_id: int
    event_id: int
    series_id: str | None
    checkpoint: str | None
    channel_id: int | None  # the voice or stage channel it is held in
    location: str | None  # or the place outside Discord
    starts_at: datetime
    ends_at: datetime | None
    created_by: int
    cancelled: bool
    title: str  # the club book's


def _query() -> Select[Any]:
    return (
        select(club_meetings, books.c.title)
        .join(clubs, clubs.c.id == club_meetings.c.club_id)
        .join(books, books.c.id == clubs.c.book_id)
    )


def _meeting(row: RowMapping) -> Meeting:
    return Meeting(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        club_id=int(row["club_id"]),
        event_id=int(row["event_id"]),
        series_id=row["series_id"],
        checkpoint=row["checkpoint"],
        channel_id=row["channel_id"],
        location=row["location"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        created_by=int(row["created_by"]),
        cancelled=bool(row["cancelled"]),
        title=str(row["title"]),
    )


async def add_meetings(conn: AsyncConnection, rows: Sequence[dict[str, object]]) -> list[int]:
    """Insert meetings (column → value each); their ids, in order."""
    ids: list[int] = []
    for row in rows:
        result = await conn.execute(club_meetings.insert().values(**row))
        key = result.inserted_primary_key
        assert key is not None
        ids.append(int(key[0]))
    return ids


async def get_meeting(conn: AsyncConnection, guild_id: int, meeting_id: int) -> Meeting | None:
    query = _query().where(club_meetings.c.guild_id == guild_id, club_meetings.c.id == meeting_id)
    row = (await conn.execute(query)).mappings().one_or_none()
    return _meeting(row) if row is not None else None


async def upcoming(
    conn: AsyncConnection, guild_id: int, now: datetime, *, limit: int = 25
) -> list[Meeting]:
    """The server's meetings not cancelled that have not started yet, soonest first."""
    query = (
        _query()
        .where(
            club_meetings.c.guild_id == guild_id,
            club_meetings.c.cancelled.is_(False),
            club_meetings.c.starts_at > now,
        )
        .order_by(club_meetings.c.starts_at, club_meetings.c.id)
        .limit(limit)
    )
    return [_meeting(row) for row in (await conn.execute(query)).mappings()]


async def cancel(conn: AsyncConnection, guild_id: int, meeting_id: int) -> bool:
    """Mark the meeting cancelled; False when it was already (or is not the server's)."""
    result = await conn.execute(
        update(club_meetings)
        .where(
            club_meetings.c.guild_id == guild_id,
            club_meetings.c.id == meeting_id,
            club_meetings.c.cancelled.is_(False),
        )
        .values(cancelled=True)
    )
    return bool(result.rowcount)


async def due_meetings(
    conn: AsyncConnection, starting_after: datetime, starting_before: datetime
) -> list[Meeting]:
    """Meetings (any server, not cancelled) starting in (after, before], soonest first: the
    ones a reminder may be due for."""
    query = (
        _query()
        .where(
            club_meetings.c.cancelled.is_(False),
            club_meetings.c.starts_at > starting_after,
            club_meetings.c.starts_at <= starting_before,
        )
        .order_by(club_meetings.c.starts_at, club_meetings.c.id)
    )
    return [_meeting(row) for row in (await conn.execute(query)).mappings()]


# --- reminder claims ------------------------------------------------------------------------


async def claim_reminder(
    conn: AsyncConnection, meeting_id: int, kind: str, channel_id: int | None, now: datetime
) -> bool:
    """Claim the reminder by inserting its row; False when it exists (claimed before, by
    this process or another, whatever became of it)."""
    values = {
        "meeting_id": meeting_id,
        "kind": kind,
        "status": "claimed",
        "channel_id": channel_id,
        "claimed_at": now,
    }
    result = await conn.execute(insert_missing(conn, club_meeting_reminders).values(**values))
    return result.rowcount == 1


async def mark_posted(
    conn: AsyncConnection, meeting_id: int, kind: str, message_id: int, pinged: int, now: datetime
) -> None:
    await conn.execute(
        update(club_meeting_reminders)
        .where(
            club_meeting_reminders.c.meeting_id == meeting_id,
            club_meeting_reminders.c.kind == kind,
        )
        .values(status="posted", message_id=message_id, pinged=pinged, posted_at=now)
    )


async def mark_failed(conn: AsyncConnection, meeting_id: int, kind: str, error: str) -> None:
    await conn.execute(
        update(club_meeting_reminders)
        .where(
            club_meeting_reminders.c.meeting_id == meeting_id,
            club_meeting_reminders.c.kind == kind,
        )
        .values(status="failed", last_error=error[:300])
    )


async def reminder_status(conn: AsyncConnection, meeting_id: int, kind: str) -> str | None:
    """The claim's status, or None when the reminder was never claimed."""
    query = select(club_meeting_reminders.c.status).where(
        club_meeting_reminders.c.meeting_id == meeting_id, club_meeting_reminders.c.kind == kind
    )
    found = (await conn.execute(query)).scalar_one_or_none()
    return None if found is None else str(found)


# --- who wants reminders --------------------------------------------------------------------


async def set_reminders(
    conn: AsyncConnection, guild_id: int, user_id: int, on: bool, now: datetime
) -> bool:
    """Turn the member's reminders on or off; True when that changed something."""
    if on:
        values = {"guild_id": guild_id, "user_id": user_id, "created_at": now}
        result = await conn.execute(insert_missing(conn, club_reminder_optins).values(**values))
    else:
        result = await conn.execute(
            delete(club_reminder_optins).where(
                club_reminder_optins.c.guild_id == guild_id,
                club_reminder_optins.c.user_id == user_id,
            )
        )
    return bool(result.rowcount)


async def reminders_on(conn: AsyncConnection, guild_id: int, user_id: int) -> bool:
    query = select(
        exists().where(
            club_reminder_optins.c.guild_id == guild_id, club_reminder_optins.c.user_id == user_id
        )
    )
    return bool((await conn.execute(query)).scalar())


async def opted_in(conn: AsyncConnection, guild_id: int, user_ids: Sequence[int]) -> set[int]:
    """Which of ``user_ids`` turned reminders on in the server."""
    found: set[int] = set()
    ids = list(dict.fromkeys(user_ids))
    for start in range(0, len(ids), 500):
        query = select(club_reminder_optins.c.user_id).where(
            club_reminder_optins.c.guild_id == guild_id,
            club_reminder_optins.c.user_id.in_(ids[start : start + 500]),
        )
        found.update(int(u) for u in (await conn.execute(query)).scalars())
    return found
