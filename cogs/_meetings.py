"""The Discord side of club meetings (SPEC §11), shared by ``/club meeting …`` (cogs/clubs.py)
and the reminder loop (cogs/meetings.py): scheduled events, who pressed Interested, posting
a reminder with exactly its pings, where a meeting is held and the bot's permissions there.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import discord
from discord import app_commands

from bot.domain.meetings import check_location
from bot.errors import InvalidInput, NotFound, PermissionDenied
from bot.render.meetings import meeting_choice, reminder_messages
from bot.services.meetings import (
    EventSpec,
    MeetingService,
    Place,
    ReminderFailed,
    ReminderPost,
)
from cogs._checks import guild_id_of

log = logging.getLogger(__name__)

_CHANNEL_MENTION: Final = re.compile(r"<#(\d{15,21})>")
_EVENTS: Final = "Manage Events"
_NEEDS: Final = {
    "view_channel": "View Channel",
    "connect": "Connect",
    "manage_channels": "Manage Channels",
    "mute_members": "Mute Members",
    "move_members": "Move Members",
}
_VOICE_NEEDS: Final = ("view_channel", "connect")
_STAGE_NEEDS: Final = ("manage_channels", "mute_members", "move_members")

MeetingChannel = discord.VoiceChannel | discord.StageChannel


def _refused(exc: discord.HTTPException) -> str:
    return f"HTTP {exc.status} (code {exc.code}): {exc.text or exc.response.reason}"[:300]


class DiscordMeetings:
    """:class:`bot.services.meetings.MeetingDiscord` over discord.py."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise PermissionDenied("I can't reach this server right now. Try again in a minute.")
        return guild

    async def create_event(self, guild_id: int, spec: EventSpec) -> int:
        guild = self._guild(guild_id)
        options: dict[str, Any] = {
            "name": spec.name,
            "description": spec.description,
            "start_time": spec.starts_at,
            "privacy_level": discord.PrivacyLevel.guild_only,
        }
        if spec.place.channel_id is not None:
            options["channel"] = discord.Object(spec.place.channel_id)
            options["entity_type"] = (
                discord.EntityType.stage_instance if spec.place.stage else discord.EntityType.voice
            )
        else:
            options["entity_type"] = discord.EntityType.external
            options["location"] = spec.place.location
            options["end_time"] = spec.ends_at
        try:
            event = await guild.create_scheduled_event(**options)
        except discord.Forbidden:
            raise PermissionDenied(
                f"Discord refused to create the event: I need the {_EVENTS} permission "
                "(and, for a voice or stage channel, access to it). Nothing was scheduled."
            ) from None
        except discord.HTTPException as exc:
            log.warning("guild=%s scheduled event refused: %s", guild_id, _refused(exc))
            raise InvalidInput(
                f"Discord refused the event (HTTP {exc.status}, code {exc.code}). "
                "Nothing was scheduled."
            ) from None
        return event.id

    async def delete_event(self, guild_id: int, event_id: int) -> None:
        with contextlib.suppress(discord.NotFound):  # deleted in Discord already: fine
            await self.bot.http.delete_scheduled_event(guild_id, event_id)

    async def interested_counts(self, guild_id: int) -> Mapping[int, int]:
        events = await self._guild(guild_id).fetch_scheduled_events(with_counts=True)
        return {event.id: event.user_count or 0 for event in events}

    async def interested(self, guild_id: int, event_id: int) -> Sequence[int]:
        guild = self._guild(guild_id)
        try:
            event = await guild.fetch_scheduled_event(event_id)
            return [user.id async for user in event.users(limit=None)]
        except discord.NotFound:
            return []  # the event was deleted in Discord: nobody to ping

    async def post_reminder(self, guild_id: int, channel_id: int, post: ReminderPost) -> int:
        channel: Any = self.bot.get_channel(channel_id)
        try:
            if channel is None:
                channel = await self.bot.fetch_channel(channel_id)
            owner = getattr(getattr(channel, "guild", None), "id", None)
            if not isinstance(channel, discord.abc.Messageable) or owner != guild_id:
                raise ReminderFailed("the club channel is not a text channel of this server")
            first: int | None = None
            for content, ids in reminder_messages(post):
                mentions = discord.AllowedMentions(
                    users=[discord.Object(i) for i in ids],
                    everyone=False,
                    roles=False,
                    replied_user=False,
                )
                message = await channel.send(content, allowed_mentions=mentions)
                first = first or message.id
        except discord.HTTPException as exc:
            raise ReminderFailed(_refused(exc)) from None
        assert first is not None
        return first


# --- /club meeting add: where, and may the bot make the event there ------------------------


def _missing(permissions: discord.Permissions, names: Sequence[str]) -> list[str]:
    return [_NEEDS[n] for n in names if not getattr(permissions, n)]


def meeting_place(guild: discord.Guild, where: str | None, club_channel_id: int | None) -> Place:
    """Where a meeting is held, from ``where``: a voice or stage channel (picked from the
    autocomplete, typed as ``#name`` or ``<#id>``), else a place outside Discord; without it,
    the club channel, as a place. Refuses, naming the permission, when the bot may not make
    an event there (Manage Events, or Create Events; plus what the channel needs)."""
    me = guild.me
    allowed = me.guild_permissions
    if not (allowed.manage_events or allowed.create_events):
        raise PermissionDenied(
            f"I need the **{_EVENTS}** permission to schedule meetings as Discord events. "
            "Give my role that permission in Server Settings → Roles, then try again. "
            "Nothing was scheduled."
        )
    channel = _channel(guild, where) if where else None
    if channel is None:
        if where:
            return Place(location=check_location(where))
        club = guild.get_channel(club_channel_id) if club_channel_id else None
        return Place(location=check_location(f"#{club.name}" if club else "The club channel"))
    permissions = channel.permissions_for(me)
    stage = isinstance(channel, discord.StageChannel)
    missing = _missing(permissions, _STAGE_NEEDS if stage else _VOICE_NEEDS)
    if not (permissions.manage_events or permissions.create_events):
        missing.insert(0, _EVENTS)
    if missing:
        raise PermissionDenied(
            f"I can't hold a meeting in {channel.mention}: I need "
            f"{', '.join(missing)} there. Nothing was scheduled."
        )
    return Place(channel_id=channel.id, stage=stage)


def _channel(guild: discord.Guild, where: str) -> MeetingChannel | None:
    text = where.strip()
    found: Any = None
    if match := _CHANNEL_MENTION.fullmatch(text):
        found = guild.get_channel(int(match[1]))
        if not isinstance(found, MeetingChannel):
            raise InvalidInput(
                "A meeting is held in a voice or stage channel, or at a place: "
                f"<#{match[1]}> is neither."
            )
        return found
    name = text.removeprefix("#").casefold()
    channels: list[MeetingChannel] = [*guild.voice_channels, *guild.stage_channels]
    return next((c for c in channels if c.name.casefold() == name), None)


async def where_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    typed = current.casefold().removeprefix("#")
    channels = [*interaction.guild.voice_channels, *interaction.guild.stage_channels]
    choices = [
        app_commands.Choice(
            name=f"{'🎙️' if isinstance(c, discord.StageChannel) else '🔊'} {c.name}"[:100],
            value=f"<#{c.id}>",
        )
        for c in channels
        if typed in c.name.casefold()
    ][:24]
    if current.strip() and not current.startswith("<#"):
        choices.append(
            app_commands.Choice(name=f"At a place: {current}"[:100], value=current[:100])
        )
    return choices


async def meeting_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    service: MeetingService = interaction.client.services.meetings
    zone = await service.zone(interaction.guild_id)
    typed = current.casefold()
    choices = []
    for meeting in await service.upcoming(interaction.guild_id):
        label = meeting_choice(meeting, zone)
        if typed in label.casefold():
            choices.append(app_commands.Choice(name=label, value=str(meeting.id)))
    return choices[:25]


async def checkpoint_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    service: MeetingService = interaction.client.services.meetings
    typed = current.casefold()
    labels = await service.checkpoint_labels(interaction.guild_id)
    return [
        app_commands.Choice(name=label[:100], value=label[:100])
        for label in labels
        if typed in label.casefold()
    ][:25]


def meeting_id(interaction: discord.Interaction[Any], value: str) -> int:
    """The meeting an autocomplete value names (its id); anything else is not one."""
    guild_id_of(interaction)
    if not value.strip().isdigit():
        raise NotFound(
            "Pick the meeting from the list that appears as you type "
            "(/club meeting list shows them)."
        )
    return int(value)
