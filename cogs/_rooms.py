"""The Discord side of checkpoint rooms (SPEC §11): :class:`DiscordRoomBoard` opens private
threads in the club channel, adds members to them, archives and locks them. Used by the clubs
cog (``/club rooms``, ``/club end``) and the progress and import cogs (a member reaching a
checkpoint joins its room)."""

from __future__ import annotations

import logging
from typing import Final

import discord

from bot.app import MarginaliaBot
from bot.db.questions import Question
from bot.errors import PermissionDenied
from bot.render.questions import question_post
from bot.services.rooms import JoinedRoom

log = logging.getLogger(__name__)

#: what a private thread room needs, as Discord names the permissions
NEEDED: Final = (
    ("view_channel", "View Channel"),
    ("create_private_threads", "Create Private Threads"),
    ("manage_threads", "Manage Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),
)


class DiscordRoomBoard:
    """:class:`bot.services.rooms.RoomBoard` over discord.py."""

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot

    async def _text_channel(self, channel_id: int) -> discord.TextChannel | None:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def _thread(self, thread_id: int) -> discord.Thread | None:
        thread = self.bot.get_channel(thread_id)
        if thread is None:
            try:
                thread = await self.bot.fetch_channel(thread_id)
            except (discord.NotFound, discord.Forbidden):
                return None
        return thread if isinstance(thread, discord.Thread) else None

    async def missing_permissions(self, channel_id: int) -> list[str]:
        channel = await self._text_channel(channel_id)
        if channel is None:
            return ["a text channel I can see (the club channel is gone or not a text channel)"]
        permissions = channel.permissions_for(channel.guild.me)
        return [name for flag, name in NEEDED if not getattr(permissions, flag)]

    async def open_room(self, channel_id: int, name: str) -> int:
        channel = await self._text_channel(channel_id)
        if channel is None:
            raise PermissionDenied(
                f"<#{channel_id}> is gone or is not a text channel: choose another with "
                "/settings club-channel."
            )
        thread = await channel.create_thread(
            name=name, type=discord.ChannelType.private_thread, invitable=False
        )
        return thread.id

    async def add_member(self, thread_id: int, user_id: int) -> bool:
        thread = await self._thread(thread_id)
        if thread is None:
            return False
        try:
            await thread.add_user(discord.Object(user_id))
        except discord.NotFound:
            return False
        return True

    async def post_question(self, thread_id: int, question: Question) -> int:
        thread = await self._thread(thread_id)
        if thread is None:
            raise PermissionDenied("That checkpoint's room is gone; turn rooms off and on again.")
        message = await thread.send(
            question_post(question), allowed_mentions=discord.AllowedMentions.none()
        )
        return message.id

    async def close_room(self, thread_id: int) -> None:
        thread = await self._thread(thread_id)
        if thread is None:
            return
        try:
            await thread.edit(archived=True, locked=True)
        except discord.HTTPException as error:
            log.warning("could not archive checkpoint room %d: %s", thread_id, error)


def joined_text(joined: list[JoinedRoom]) -> str | None:
    """What a member is told, privately, when their progress opened rooms to them."""
    if not joined:
        return None
    rooms = ", ".join(f"<#{room.thread_id}>" for room in joined)
    noun = "its discussion room" if len(joined) == 1 else "their discussion rooms"
    return f"🔓 You have reached a checkpoint of the club read: you are now in {noun}, {rooms}."
