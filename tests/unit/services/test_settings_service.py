"""SettingsService and the settings repository on a real SQLite database (the card:
tests/unit/render/test_settings.py)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from bot.db import guild_settings as settings_repo
from bot.db.engine import Database
from bot.db.guild_settings import GuildSettings
from bot.db.schema import guild_settings
from bot.domain.clock import FakeClock
from bot.domain.scale import RatingScale
from bot.domain.stars import RatingStep
from bot.services.settings import SettingsService
from tests.support.ids import GUILD, OTHER_GUILD
from tests.support.ids import SATURDAY_NOON as NOW


@pytest.fixture
def service(database: Database, clock: FakeClock) -> SettingsService:
    return SettingsService(database, clock)


def test_dataclass_covers_every_column() -> None:
    assert {f.name for f in fields(GuildSettings)} == set(guild_settings.c.keys())


async def test_defaults_without_a_row(service: SettingsService) -> None:
    settings = await service.get(GUILD)
    assert settings == GuildSettings(guild_id=GUILD)
    assert not settings.stored
    assert settings.rating_step is RatingStep.HALF
    assert settings.review_channel_id is None and settings.modlog_channel_id is None
    assert not settings.digest_enabled


async def test_set_and_clear_channels(service: SettingsService, clock: FakeClock) -> None:
    first = await service.set_review_channel(GUILD, 555)
    assert first.review_channel_id == 555 and first.stored
    assert first.created_at == NOW == first.updated_at
    clock.advance(hours=1)
    second = await service.set_modlog_channel(GUILD, 777)
    assert (second.review_channel_id, second.modlog_channel_id) == (555, 777)
    assert second.created_at == NOW and second.updated_at == clock.now()
    cleared = await service.set_review_channel(GUILD, None)
    assert cleared.review_channel_id is None and cleared.modlog_channel_id == 777


async def test_settings_never_leak_across_servers(service: SettingsService) -> None:
    await service.set_review_channel(GUILD, 555)
    await service.set_modlog_channel(GUILD, 777)
    other = await service.get(OTHER_GUILD)
    assert other == GuildSettings(guild_id=OTHER_GUILD)
    await service.set_review_channel(OTHER_GUILD, 999)
    assert (await service.get(GUILD)).review_channel_id == 555


async def test_update_refuses_unknown_or_protected_columns(database: Database) -> None:
    async with database.write() as conn:
        with pytest.raises(ValueError, match="not settable"):
            await settings_repo.update(conn, GUILD, NOW, review_channel="x")
        with pytest.raises(ValueError, match="not settable"):
            await settings_repo.update(conn, GUILD, NOW, created_at=NOW)


async def test_every_column_round_trips(database: Database) -> None:
    left = datetime(2026, 12, 1, tzinfo=UTC)
    async with database.write() as conn:
        await settings_repo.update(
            conn,
            GUILD,
            NOW,
            rating_step="quarter",
            digest_channel_id=42,
            digest_weekday=0,
            digest_hour=9,
            digest_timezone="Europe/Paris",
            digest_enabled=True,
            digest_configured_at=NOW,
            left_at=left,
        )
        stored = await settings_repo.get(conn, GUILD)
    assert stored.rating_step is RatingStep.QUARTER
    assert (stored.digest_channel_id, stored.digest_weekday, stored.digest_hour) == (42, 0, 9)
    assert stored.digest_timezone == "Europe/Paris" and stored.digest_enabled
    assert stored.digest_configured_at == NOW and stored.left_at == left


async def test_overview_carries_the_scale(service: SettingsService, database: Database) -> None:
    async with database.write() as conn:
        await settings_repo.set_rating_step(conn, GUILD, RatingStep.WHOLE, NOW)
        await settings_repo.set_label(conn, GUILD, 20, "Life-changing")
    overview = await service.overview(GUILD)
    assert overview.scale.step is RatingStep.WHOLE
    assert overview.scale.custom_labels == {20: "Life-changing"}
    assert (await service.overview(OTHER_GUILD)).scale == RatingScale()


async def test_moderator_role_is_kept_per_server(
    service: SettingsService, database: Database
) -> None:
    assert await service.moderator_role_id(GUILD) is None
    stored = await service.set_moderator_role(GUILD, 44)
    assert stored.moderator_role_id == 44
    assert await service.moderator_role_id(GUILD) == 44
    assert await service.moderator_role_id(OTHER_GUILD) is None
    await service.set_moderator_role(GUILD, None)
    assert await service.moderator_role_id(GUILD) is None
