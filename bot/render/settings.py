"""The /settings show card: every setting of a server, from every column of its settings row.

Each line says what happens when the setting is left alone, so "not set" never leaves an
admin guessing, and names the command that changes it.
"""

from __future__ import annotations

from typing import Final

import discord

from bot.db.guild_settings import GuildSettings
from bot.domain.markdown import inert_heading
from bot.domain.scale import RatingScale
from bot.domain.stars import allowed_values_text
from bot.domain.words import plural
from bot.services.settings import SettingsOverview

SETTINGS_COLOUR: Final = discord.Colour.dark_teal()
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _channel(channel_id: int | None) -> str:
    return f"<#{channel_id}>"


def review_channel_line(settings: GuildSettings) -> str:
    if settings.review_channel_id is None:
        return "Not set: reviews are posted where `/review write` is used."
    return f"{_channel(settings.review_channel_id)}"


def club_channel_line(settings: GuildSettings) -> str:
    if settings.club_channel_id is None:
        return "Not set: club votes and reminders go where `/club pick` was last used."
    return f"{_channel(settings.club_channel_id)} (club votes, results and reminders)"


def modlog_channel_line(settings: GuildSettings) -> str:
    if settings.modlog_channel_id is None:
        return (
            "Not set: flags are recorded but reported nowhere, and posting failures are only "
            "told to the member."
        )
    return f"{_channel(settings.modlog_channel_id)} (flags and posting failures)"


def moderator_role_line(settings: GuildSettings, *, role_exists: bool = True) -> str:
    """``role_exists``: whether the stored role is still one of the server's roles (a deleted
    role counts as none)."""
    everyone_else = "members with Manage Server or Manage Messages from their roles"
    if settings.moderator_role_id is None:
        return f"Not set: moderators are {everyone_else}."
    if not role_exists:
        return (
            f"Not set (the role chosen before was deleted): moderators are {everyone_else}. "
            "`/settings moderator-role` chooses another."
        )
    return f"<@&{settings.moderator_role_id}>, and {everyone_else}"


def scale_line(scale: RatingScale) -> str:
    custom = len(scale.custom_labels)
    labels = plural(custom, "custom label") if custom else "default labels"
    return f"{scale.step.noun.capitalize()} ({allowed_values_text(scale.step)}), {labels}."


def digest_line(settings: GuildSettings) -> str:
    """The weekly digest schedule in words, including a half-configured one."""
    parts: list[str] = []
    if settings.digest_weekday is not None and 0 <= settings.digest_weekday < len(WEEKDAYS):
        parts.append(f"every {WEEKDAYS[settings.digest_weekday]}")
    if settings.digest_hour is not None:
        parts.append(f"at {settings.digest_hour:02d}:00")
    if settings.digest_timezone:
        parts.append(f"({discord.utils.escape_markdown(settings.digest_timezone)})")
    if settings.digest_channel_id is not None:
        parts.append(f"in {_channel(settings.digest_channel_id)}")
    schedule = " ".join(parts)
    if settings.digest_enabled:
        return f"On: {schedule}." if schedule else "On."
    if schedule:
        return f"Off (last schedule: {schedule}). `/digest setup` turns it on."
    return "Off. `/digest setup` posts a weekly summary of the club's reading."


def settings_embed(
    overview: SettingsOverview, *, guild_name: str | None = None, moderator_role_exists: bool = True
) -> discord.Embed:
    settings = overview.settings
    title = "Server settings"
    if guild_name:
        title = f"Settings of {inert_heading(guild_name, 200)}"
    embed = discord.Embed(title=title, colour=SETTINGS_COLOUR)
    embed.add_field(name="Review channel", value=review_channel_line(settings), inline=False)
    embed.add_field(name="Moderator log", value=modlog_channel_line(settings), inline=False)
    embed.add_field(name="Club channel", value=club_channel_line(settings), inline=False)
    embed.add_field(
        name="Moderator role",
        value=moderator_role_line(settings, role_exists=moderator_role_exists),
        inline=False,
    )
    embed.add_field(name="Rating scale", value=scale_line(overview.scale), inline=False)
    embed.add_field(name="Weekly digest", value=digest_line(settings), inline=False)
    embed.set_footer(
        text=(
            "Admins change these with /settings review-channel, /settings modlog-channel, "
            "/settings club-channel, /settings moderator-role, /scale and /digest."
        )
    )
    if settings.updated_at is not None:
        embed.timestamp = settings.updated_at
    return embed
