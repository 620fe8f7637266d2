"""SettingsService and the settings repository on a real SQLite database; the settings card."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest

from bot.db import guild_settings as settings_repo
from bot.db.engine import Database
from bot.db.guild_settings import GuildSettings
from bot.db.schema import guild_settings
from bot.domain.clock import FakeClock
from bot.domain.scale import RatingScale
from bot.domain.stars import RatingStep
from bot.render.settings import digest_line, settings_embed
from bot.services.settings import SettingsOverview, SettingsService
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


# --- the card ------------------------------------------------------------------------------


def _card(settings: GuildSettings, scale: RatingScale | None = None) -> dict[str, str]:
    embed = settings_embed(SettingsOverview(settings, scale or RatingScale()), guild_name="Club")
    return {field.name or "": field.value or "" for field in embed.fields}


def test_card_shows_defaults_in_words() -> None:
    card = _card(GuildSettings(guild_id=GUILD))
    assert set(card) == {
        "Review channel",
        "Moderator log",
        "Moderator role",
        "Rating scale",
        "Weekly digest",
    }
    assert card["Moderator role"].startswith("Not set: moderators are members with Manage")
    assert "where `/review write` is used" in card["Review channel"]
    assert "reported nowhere" in card["Moderator log"]
    assert card["Rating scale"].startswith("Half stars (0.5, 1, 1.5")
    assert "default labels" in card["Rating scale"]
    assert card["Weekly digest"].startswith("Off.")


def test_card_shows_configured_values() -> None:
    settings = GuildSettings(
        guild_id=GUILD,
        review_channel_id=11,
        modlog_channel_id=22,
        moderator_role_id=44,
        digest_channel_id=33,
        digest_weekday=6,
        digest_hour=8,
        digest_timezone="America/New_York",
        digest_enabled=True,
    )
    card = _card(settings, RatingScale(RatingStep.QUARTER, {13: "Solid", 20: "Wow"}))
    assert card["Review channel"] == "<#11>"
    assert card["Moderator log"].startswith("<#22>")
    assert card["Moderator role"].startswith("<@&44>")
    assert "Quarter stars" in card["Rating scale"] and "2 custom labels" in card["Rating scale"]
    assert card["Weekly digest"] == "On: every Sunday at 08:00 (America/New\\_York) in <#33>."


def test_card_treats_a_deleted_moderator_role_as_none() -> None:
    overview = SettingsOverview(GuildSettings(guild_id=GUILD, moderator_role_id=44), RatingScale())
    embed = settings_embed(overview, moderator_role_exists=False)
    [line] = [f.value or "" for f in embed.fields if f.name == "Moderator role"]
    assert line.startswith("Not set (the role chosen before was deleted)")
    assert "<@&44>" not in line


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


def test_digest_line_when_switched_off_keeps_the_schedule() -> None:
    base = GuildSettings(guild_id=GUILD, digest_weekday=0, digest_hour=18, digest_channel_id=5)
    assert digest_line(base).startswith("Off (last schedule: every Monday at 18:00 in <#5>)")
    assert digest_line(replace(base, digest_enabled=True)) == "On: every Monday at 18:00 in <#5>."


def test_card_title_escapes_the_server_name() -> None:
    embed = settings_embed(
        SettingsOverview(GuildSettings(guild_id=GUILD), RatingScale()), guild_name="**Bold** _x_"
    )
    assert embed.title == "Settings of \\*\\*Bold\\*\\* \\_x\\_"
