"""``/me show`` and ``/me timezone``'s reply: a member's own settings in this server."""

from __future__ import annotations

from typing import Final

import discord

from bot.domain.member_zone import ZoneSource
from bot.domain.reading import format_date
from bot.services.members import MemberSettings

__all__ = ["MEMBER_COLOUR", "member_settings_embed", "zone_line", "zone_set_text"]

MEMBER_COLOUR: Final = discord.Colour.dark_teal()


def zone_line(settings: MemberSettings) -> str:
    """The member's zone and where it comes from."""
    name = settings.zone.name
    if settings.zone.source is ZoneSource.OWN:
        return f"{name} (yours, set with `/me timezone`)"
    if settings.zone.source is ZoneSource.SERVER:
        return (
            f"{name} (this server's digest zone: you have not set your own; `/me timezone` sets it)"
        )
    return f"{name} (the default: neither you nor this server set one; `/me timezone` sets yours)"


def member_settings_embed(settings: MemberSettings) -> discord.Embed:
    embed = discord.Embed(title="Your settings in this server", colour=MEMBER_COLOUR)
    embed.add_field(name="Time zone", value=zone_line(settings), inline=False)
    embed.add_field(
        name="Your today",
        value=(
            f"{format_date(settings.today)}: the date of your progress entries, the latest "
            "date you can back-date to, and the year of your goal."
        ),
        inline=False,
    )
    return embed


def zone_set_text(settings: MemberSettings) -> str:
    return (
        f"Your time zone is now **{settings.zone.name}**: today is "
        f"{format_date(settings.today)} for your progress dates, back-dating and goals."
    )
