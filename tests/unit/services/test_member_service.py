"""/me timezone and /me show on a real database: validation, the default chain, and one
zone per member per server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.db import guild_settings as settings_repo
from bot.db.engine import Database
from bot.db.schema import member_settings
from bot.domain.clock import FakeClock
from bot.domain.member_zone import ZoneSource
from bot.errors import InvalidInput
from bot.services.members import MemberService
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD

# 00:30 on 19 November in Auckland, 03:30 on the 18th in Los Angeles
NOW = datetime(2026, 11, 18, 11, 30, tzinfo=UTC)


@pytest.fixture
def service(database: Database, clock: FakeClock) -> MemberService:
    return MemberService(database, clock)


async def _stored(database: Database) -> list[tuple[int, int, str | None]]:
    async with database.read() as conn:
        rows = await conn.execute(
            select(
                member_settings.c.guild_id, member_settings.c.user_id, member_settings.c.timezone
            ).order_by(member_settings.c.guild_id, member_settings.c.user_id)
        )
        return [(g, u, z) for g, u, z in rows.all()]


async def test_utc_by_default(service: MemberService) -> None:
    shown = await service.show(GUILD, ALICE)
    assert (shown.zone.name, shown.zone.source) == ("UTC", ZoneSource.DEFAULT)
    assert shown.server_zone is None and shown.today == date(2026, 11, 18)


async def test_the_servers_digest_zone_then_the_members_own(
    service: MemberService, database: Database
) -> None:
    async with database.write() as conn:
        await settings_repo.update(conn, GUILD, NOW, digest_timezone="America/Los_Angeles")
    shown = await service.show(GUILD, ALICE)
    assert (shown.zone.name, shown.zone.source) == ("America/Los_Angeles", ZoneSource.SERVER)
    assert shown.today == date(2026, 11, 18)

    set_ = await service.set_timezone(GUILD, ALICE, "pacific/auckland")  # case forgiven
    assert (set_.zone.name, set_.zone.source) == ("Pacific/Auckland", ZoneSource.OWN)
    assert set_.server_zone == "America/Los_Angeles" and set_.today == date(2026, 11, 19)
    assert await service.show(GUILD, ALICE) == set_
    # Bob is still on the server's zone
    assert (await service.show(GUILD, BOB)).zone.source is ZoneSource.SERVER


async def test_one_zone_per_member_per_server(service: MemberService, database: Database) -> None:
    await service.set_timezone(GUILD, ALICE, "Pacific/Auckland")
    await service.set_timezone(OTHER_GUILD, ALICE, "Europe/Berlin")
    await service.set_timezone(GUILD, ALICE, "America/Los_Angeles")  # replaces the first
    assert await _stored(database) == sorted(
        [(GUILD, ALICE, "America/Los_Angeles"), (OTHER_GUILD, ALICE, "Europe/Berlin")]
    )
    assert (await service.show(OTHER_GUILD, ALICE)).zone.name == "Europe/Berlin"


@pytest.mark.parametrize("typed", ["Mars/Olympus_Mons", "Pacific/Aukland", "EST5EDT!"])
async def test_an_unknown_zone_is_refused_naming_it_and_changes_nothing(
    service: MemberService, database: Database, typed: str
) -> None:
    await service.set_timezone(GUILD, ALICE, "Europe/Berlin")
    with pytest.raises(InvalidInput) as refused:
        await service.set_timezone(GUILD, ALICE, typed)
    assert f"“{typed}” is not a time zone I know" in str(refused.value)
    assert await _stored(database) == [(GUILD, ALICE, "Europe/Berlin")]


async def test_a_typo_gets_a_suggestion(service: MemberService) -> None:
    with pytest.raises(InvalidInput, match="Did you mean Pacific/Auckland"):
        await service.set_timezone(GUILD, ALICE, "Pacific/Aukland")
