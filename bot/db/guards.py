"""The spoiler guard of a club read: the id of its Discord AutoMod rule and its words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import club_guards, club_rooms, guild_settings

__all__ = ["Guard", "drop_guard", "exempt_channels", "guard_of", "keep_guard"]


@dataclass(frozen=True, slots=True)
class Guard:
    club_id: int
    rule_id: int
    words: tuple[str, ...]


async def guard_of(conn: AsyncConnection, club_id: int) -> Guard | None:
    query = select(club_guards.c.rule_id, club_guards.c.words).where(
        club_guards.c.club_id == club_id
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    return Guard(club_id, int(row.rule_id), tuple(str(w) for w in row.words))


async def keep_guard(
    conn: AsyncConnection,
    *,
    club_id: int,
    guild_id: int,
    rule_id: int,
    words: Sequence[str],
    now: datetime,
) -> None:
    """Record the guard's rule and words (replacing the words of an existing one)."""
    if await guard_of(conn, club_id) is None:
        await conn.execute(
            club_guards.insert().values(
                club_id=club_id,
                guild_id=guild_id,
                rule_id=rule_id,
                words=list(words),
                created_at=now,
            )
        )
    else:
        await conn.execute(
            update(club_guards)
            .where(club_guards.c.club_id == club_id)
            .values(rule_id=rule_id, words=list(words))
        )


async def drop_guard(conn: AsyncConnection, club_id: int) -> Guard | None:
    found = await guard_of(conn, club_id)
    await conn.execute(delete(club_guards).where(club_guards.c.club_id == club_id))
    return found


async def exempt_channels(conn: AsyncConnection, guild_id: int, club_id: int) -> list[int]:
    """Where guarded words may be written: the club's checkpoint rooms and the server's
    review channel."""
    rooms = select(club_rooms.c.thread_id).where(club_rooms.c.club_id == club_id)
    found = [int(t) for t in (await conn.execute(rooms)).scalars()]
    review = select(guild_settings.c.review_channel_id).where(guild_settings.c.guild_id == guild_id)
    channel = (await conn.execute(review)).scalar_one_or_none()
    if channel is not None:
        found.append(int(channel))
    return found
