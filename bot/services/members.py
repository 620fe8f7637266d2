"""A member's own settings in a server: ``/me timezone zone`` and ``/me show`` (SPEC §12).

The member's zone gives them their "today" (:mod:`bot.domain.member_zone`): the services
that date things for a member read it inside their own unit of work with
:func:`member_zone` (or :func:`member_zone_in` on a unit-of-work thread), so a command
needs no extra round trip from the cog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.db import member_settings as repo
from bot.db.engine import AsyncConnection, Connection, Database
from bot.domain.clock import Clock
from bot.domain.member_zone import MemberZone, resolve_member_zone
from bot.domain.schedule import validate_timezone

__all__ = ["MemberService", "MemberSettings", "member_zone", "member_zone_in"]


@dataclass(frozen=True, slots=True)
class MemberSettings:
    """``/me show``: the member's zone (and where it comes from) and the server's."""

    zone: MemberZone
    server_zone: str | None  # the server's digest zone, when one is set
    today: date  # the member's today in their zone


async def member_zone(conn: AsyncConnection, guild_id: int, user_id: int) -> MemberZone:
    """The member's zone in the server: their own, else the server's digest zone, else UTC."""
    return resolve_member_zone(*await repo.zone_names(conn, guild_id, user_id))


def member_zone_in(conn: Connection, guild_id: int, user_id: int) -> MemberZone:
    """:func:`member_zone` inside a unit of work (a database thread's connection)."""
    return resolve_member_zone(*repo.zone_names_in(conn, guild_id, user_id))


class MemberService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def set_timezone(self, guild_id: int, user_id: int, zone: str) -> MemberSettings:
        """Set the member's zone; an unknown name raises InvalidInput (naming it) and
        changes nothing. Case and spaces are forgiven, as in ``/digest setup``."""
        name = validate_timezone(zone)
        async with self.database.write() as conn:
            await repo.set_timezone(conn, guild_id, user_id, name, self.clock.now())
            return await self._settings(conn, guild_id, user_id)

    async def show(self, guild_id: int, user_id: int) -> MemberSettings:
        async with self.database.read() as conn:
            return await self._settings(conn, guild_id, user_id)

    async def _settings(self, conn: AsyncConnection, guild_id: int, user_id: int) -> MemberSettings:
        own, server = await repo.zone_names(conn, guild_id, user_id)
        zone = resolve_member_zone(own, server)
        return MemberSettings(zone, server, zone.today(self.clock.now()))
