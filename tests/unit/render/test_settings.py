"""The settings card (bot/render/settings.py): defaults in words, values, the digest line."""

from __future__ import annotations

from dataclasses import replace

from bot.db.guild_settings import GuildSettings
from bot.domain.scale import RatingScale
from bot.domain.stars import RatingStep
from bot.render.settings import digest_line, settings_embed
from bot.services.settings import SettingsOverview
from tests.support.ids import GUILD


def _card(settings: GuildSettings, scale: RatingScale | None = None) -> dict[str, str]:
    embed = settings_embed(SettingsOverview(settings, scale or RatingScale()), guild_name="Club")
    return {field.name or "": field.value or "" for field in embed.fields}


def test_card_shows_defaults_in_words() -> None:
    card = _card(GuildSettings(guild_id=GUILD))
    assert set(card) == {
        "Review channel",
        "Moderator log",
        "Club channel",
        "Moderator role",
        "Rating scale",
        "Weekly digest",
    }
    assert card["Moderator role"].startswith("Not set: moderators are members with Manage")
    assert "where `/review write` is used" in card["Review channel"]
    assert "reported nowhere" in card["Moderator log"]
    assert "where `/club pick` was last used" in card["Club channel"]
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


def test_digest_line_when_switched_off_keeps_the_schedule() -> None:
    base = GuildSettings(guild_id=GUILD, digest_weekday=0, digest_hour=18, digest_channel_id=5)
    assert digest_line(base).startswith("Off (last schedule: every Monday at 18:00 in <#5>)")
    assert digest_line(replace(base, digest_enabled=True)) == "On: every Monday at 18:00 in <#5>."


def test_card_title_escapes_the_server_name() -> None:
    embed = settings_embed(
        SettingsOverview(GuildSettings(guild_id=GUILD), RatingScale()), guild_name="**Bold** _x_"
    )
    assert embed.title == "Settings of \\*\\*Bold\\*\\* \\_x\\_"
