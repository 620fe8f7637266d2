"""Nudges (SPEC §11): who opted in, per server, and the claim of each nudge sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing
from bot.db.schema import club_nudge_optins, club_nudges_sent

__all__ = ["claim_nudge", "opted_in", "set_opt_in", "wants_nudges"]


async def set_opt_in(
    conn: AsyncConnection, guild_id: int, user_id: int, on: bool, now: datetime
) -> None:
    if on:
        await conn.execute(
            insert_missing(conn, club_nudge_optins).values(
                guild_id=guild_id, user_id=user_id, enabled_at=now
            )
        )
    else:
        await conn.execute(
            delete(club_nudge_optins).where(
                club_nudge_optins.c.guild_id == guild_id, club_nudge_optins.c.user_id == user_id
            )
        )


async def wants_nudges(conn: AsyncConnection, guild_id: int, user_id: int) -> bool:
    query = select(club_nudge_optins.c.user_id).where(
        club_nudge_optins.c.guild_id == guild_id, club_nudge_optins.c.user_id == user_id
    )
    return (await conn.execute(query)).first() is not None


async def opted_in(conn: AsyncConnection, guild_id: int) -> list[int]:
    query = (
        select(club_nudge_optins.c.user_id)
        .where(club_nudge_optins.c.guild_id == guild_id)
        .order_by(club_nudge_optins.c.user_id)
    )
    return [int(u) for u in (await conn.execute(query)).scalars()]


async def claim_nudge(
    conn: AsyncConnection, checkpoint_id: int, guild_id: int, user_id: int, now: datetime
) -> bool:
    """Claim the nudge for this checkpoint and member: True for the one caller that may send
    it (in any process, across restarts)."""
    result = await conn.execute(
        insert_missing(conn, club_nudges_sent).values(
            checkpoint_id=checkpoint_id, guild_id=guild_id, user_id=user_id, sent_at=now
        )
    )
    return bool(result.rowcount)
