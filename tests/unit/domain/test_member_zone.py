"""A member's zone: their own, else the server's digest zone, else UTC; and the "today" it
gives them near midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.member_zone import MemberZone, ZoneSource, member_today, resolve_member_zone

# 11:30 UTC on 18 November: 00:30 on the 19th in Auckland (NZDT, UTC+13), 03:30 on the
# 18th in Los Angeles (PST, UTC−8).
AUCKLAND_AFTER_MIDNIGHT = datetime(2026, 11, 18, 11, 30, tzinfo=UTC)
# 07:30 UTC on 19 November: 23:30 on the 18th in Los Angeles, 20:30 on the 19th in Auckland.
LOS_ANGELES_BEFORE_MIDNIGHT = datetime(2026, 11, 19, 7, 30, tzinfo=UTC)


def test_the_members_own_zone_comes_first() -> None:
    assert resolve_member_zone("Pacific/Auckland", "Europe/Berlin") == MemberZone(
        "Pacific/Auckland", ZoneSource.OWN
    )


def test_the_servers_digest_zone_is_the_default() -> None:
    assert resolve_member_zone(None, "Europe/Berlin") == MemberZone(
        "Europe/Berlin", ZoneSource.SERVER
    )


def test_utc_when_neither_is_set() -> None:
    assert resolve_member_zone(None, None) == MemberZone("UTC", ZoneSource.DEFAULT)
    assert resolve_member_zone("", "") == MemberZone("UTC", ZoneSource.DEFAULT)


def test_a_stored_name_the_tz_database_no_longer_knows_is_skipped() -> None:
    assert resolve_member_zone("Mars/Olympus_Mons", "Europe/Berlin").source is ZoneSource.SERVER
    assert resolve_member_zone("Mars/Olympus_Mons", "Nowhere/Else").source is ZoneSource.DEFAULT


@pytest.mark.parametrize(
    ("now", "zone", "today"),
    [
        (AUCKLAND_AFTER_MIDNIGHT, "Pacific/Auckland", date(2026, 11, 19)),
        (AUCKLAND_AFTER_MIDNIGHT, "America/Los_Angeles", date(2026, 11, 18)),
        (AUCKLAND_AFTER_MIDNIGHT, "UTC", date(2026, 11, 18)),
        (LOS_ANGELES_BEFORE_MIDNIGHT, "America/Los_Angeles", date(2026, 11, 18)),
        (LOS_ANGELES_BEFORE_MIDNIGHT, "Pacific/Auckland", date(2026, 11, 19)),
        (LOS_ANGELES_BEFORE_MIDNIGHT, "UTC", date(2026, 11, 19)),
    ],
)
def test_a_members_today_near_midnight(now: datetime, zone: str, today: date) -> None:
    assert member_today(now, zone) == today
    assert MemberZone(zone, ZoneSource.OWN).today(now) == today


def test_today_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="naive"):
        member_today(datetime(2026, 11, 18, 11, 30), "UTC")
