"""Checkpoint rooms of a club read (SPEC §11): whether the club has them, the private thread
of each checkpoint, and which members were added to which room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing
from bot.db.schema import club_checkpoints, club_room_members, club_room_settings, club_rooms
from bot.domain.club import CheckpointReach

__all__ = [
    "Room",
    "add_room",
    "added_members",
    "disable",
    "enable",
    "mark_added",
    "opened_between",
    "room_channel",
    "rooms_of",
]


@dataclass(frozen=True, slots=True)
class Room:
    checkpoint_id: int
    label: str
    reach: CheckpointReach
    thread_id: int | None  # None: the checkpoint has no room yet


async def room_channel(conn: AsyncConnection, club_id: int) -> int | None:
    """The channel of the club's rooms when it has rooms (``/club rooms on``), else None."""
    query = select(club_room_settings.c.channel_id).where(club_room_settings.c.club_id == club_id)
    found = (await conn.execute(query)).scalar_one_or_none()
    return int(found) if found is not None else None


async def enable(
    conn: AsyncConnection, club_id: int, guild_id: int, channel_id: int, now: datetime
) -> None:
    await conn.execute(
        insert_missing(conn, club_room_settings).values(
            club_id=club_id, guild_id=guild_id, channel_id=channel_id, enabled_at=now
        )
    )


async def disable(conn: AsyncConnection, club_id: int) -> list[int]:
    """The club has no rooms any more; the thread ids of its rooms (to archive)."""
    threads = select(club_rooms.c.thread_id).where(club_rooms.c.club_id == club_id)
    ids = [int(t) for t in (await conn.execute(threads)).scalars()]
    if ids:
        await conn.execute(delete(club_room_members).where(club_room_members.c.thread_id.in_(ids)))
    await conn.execute(delete(club_rooms).where(club_rooms.c.club_id == club_id))
    await conn.execute(delete(club_room_settings).where(club_room_settings.c.club_id == club_id))
    return ids


async def rooms_of(conn: AsyncConnection, club_id: int) -> list[Room]:
    """Every checkpoint of the club with its room, if it has one, in schedule order."""
    query = (
        select(
            club_checkpoints.c.id,
            club_checkpoints.c.label,
            club_checkpoints.c.reach_kind,
            club_checkpoints.c.reach_value,
            club_rooms.c.thread_id,
        )
        .outerjoin(club_rooms, club_rooms.c.checkpoint_id == club_checkpoints.c.id)
        .where(club_checkpoints.c.club_id == club_id)
        .order_by(club_checkpoints.c.due_on, club_checkpoints.c.id)
    )
    return [
        Room(
            int(cp_id),
            str(label),
            CheckpointReach(kind, float(value)),
            int(thread_id) if thread_id is not None else None,
        )
        for cp_id, label, kind, value, thread_id in (await conn.execute(query)).all()
    ]


async def add_room(
    conn: AsyncConnection,
    *,
    club_id: int,
    guild_id: int,
    checkpoint_id: int,
    thread_id: int,
    now: datetime,
) -> bool:
    """Record a checkpoint's room; False when it had one already (another process won)."""
    result = await conn.execute(
        insert_missing(conn, club_rooms).values(
            checkpoint_id=checkpoint_id,
            club_id=club_id,
            guild_id=guild_id,
            thread_id=thread_id,
            opened_at=now,
        )
    )
    return bool(result.rowcount)


async def added_members(conn: AsyncConnection, club_id: int, user_id: int) -> set[int]:
    """The threads of the club's rooms the member was added to."""
    query = (
        select(club_room_members.c.thread_id)
        .join(club_rooms, club_rooms.c.thread_id == club_room_members.c.thread_id)
        .where(club_rooms.c.club_id == club_id, club_room_members.c.user_id == user_id)
    )
    return {int(t) for t in (await conn.execute(query)).scalars()}


async def mark_added(
    conn: AsyncConnection, guild_id: int, thread_id: int, user_id: int, now: datetime
) -> None:
    await conn.execute(
        insert_missing(conn, club_room_members).values(
            thread_id=thread_id, guild_id=guild_id, user_id=user_id, added_at=now
        )
    )


async def opened_between(
    conn: AsyncConnection, club_id: int, start: datetime, end: datetime
) -> list[str]:
    """The checkpoint labels of the club's rooms opened in [start, end), in schedule order
    (for the digest: names only)."""
    query = (
        select(club_checkpoints.c.label)
        .join(club_rooms, club_rooms.c.checkpoint_id == club_checkpoints.c.id)
        .where(
            club_rooms.c.club_id == club_id,
            club_rooms.c.opened_at >= start,
            club_rooms.c.opened_at < end,
        )
        .order_by(club_checkpoints.c.due_on, club_checkpoints.c.id)
    )
    return [str(label) for label in (await conn.execute(query)).scalars()]
