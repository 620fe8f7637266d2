"""A member's own time zone and the "today" it gives them (SPEC §12, ``/me timezone``).

A member's "today" — the date of a progress entry, the latest date a back-dated entry may
take, the current year of a goal — is the calendar date in their zone. The zone is the
first of: the one they set with ``/me timezone``, the server's digest zone, UTC. A stored
name the installed tz database no longer knows is skipped as if it were not set, so a
member is never locked out by a tz database update.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.clock import ensure_utc
from bot.domain.schedule import validate_timezone
from bot.errors import InvalidInput

__all__ = ["DEFAULT_ZONE", "MemberZone", "ZoneSource", "member_today", "resolve_member_zone"]

DEFAULT_ZONE = "UTC"


class ZoneSource(StrEnum):
    """Where a member's zone comes from."""

    OWN = "own"  # set with /me timezone
    SERVER = "server"  # the server's digest zone
    DEFAULT = "default"  # neither: UTC


@dataclass(frozen=True, slots=True)
class MemberZone:
    """The zone a member's dates are in, and why."""

    name: str
    source: ZoneSource

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.name)

    def today(self, now: datetime) -> date:
        """The member's calendar date at the instant ``now``."""
        return member_today(now, self.name)


def member_today(now: datetime, zone_name: str) -> date:
    """The calendar date in ``zone_name`` at the instant ``now`` (aware)."""
    return ensure_utc(now).astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return validate_timezone(name)
    except InvalidInput:
        return None


def resolve_member_zone(own: str | None, server: str | None) -> MemberZone:
    """The member's zone: their own, else the server's digest zone, else UTC."""
    found = _known(own)
    if found is not None:
        return MemberZone(found, ZoneSource.OWN)
    found = _known(server)
    if found is not None:
        return MemberZone(found, ZoneSource.SERVER)
    return MemberZone(DEFAULT_ZONE, ZoneSource.DEFAULT)
