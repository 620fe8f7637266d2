"""A member's own settings in one server (``member_settings``): their time zone.

:func:`zone_names` reads the member's zone and the server's digest zone in one statement,
for the services that need a member's "today" inside their unit of work (the choice
between them is :func:`bot.domain.member_zone.resolve_member_zone`'s).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_or_update
from bot.db.schema import guild_settings, member_settings

__all__ = ["set_timezone", "zone_names", "zone_names_in"]


def _zone_names_query(guild_id: int, user_id: int) -> Select[Any]:
    own = (
        select(member_settings.c.timezone)
        .where(member_settings.c.guild_id == guild_id, member_settings.c.user_id == user_id)
        .scalar_subquery()
    )
    server = (
        select(guild_settings.c.digest_timezone)
        .where(guild_settings.c.guild_id == guild_id)
        .scalar_subquery()
    )
    return select(own.label("own"), server.label("server"))


def zone_names_in(conn: Connection, guild_id: int, user_id: int) -> tuple[str | None, str | None]:
    """(the member's own zone, the server's digest zone), either None when not set."""
    row = conn.execute(_zone_names_query(guild_id, user_id)).one()
    return row[0], row[1]


async def zone_names(
    conn: AsyncConnection, guild_id: int, user_id: int
) -> tuple[str | None, str | None]:
    """:func:`zone_names_in` for callers holding an ``AsyncConnection``."""
    row = (await conn.execute(_zone_names_query(guild_id, user_id))).one()
    return row[0], row[1]


async def set_timezone(
    conn: AsyncConnection, guild_id: int, user_id: int, zone: str | None, now: datetime
) -> None:
    """Store the member's zone (None: back to the default); an upsert, so the same command
    sent twice at once does not fail on the key."""
    row = {"guild_id": guild_id, "user_id": user_id, "timezone": zone, "updated_at": now}
    await conn.execute(insert_or_update(conn, member_settings, row, ["guild_id", "user_id"]))
