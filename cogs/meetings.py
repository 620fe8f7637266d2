"""The club meetings' reminder loop (SPEC §11); the ``/club meeting`` commands are in
cogs/clubs.py.

The loop wakes every minute and posts the reminders that are due (see
:mod:`bot.services.meetings`: claimed once each, so never twice, across restarts and
processes), only for the guilds this process serves. Its first run after the bot is ready
posts what fell due while it was down, if it still makes sense.
"""

from __future__ import annotations

import logging
from functools import partial

from discord.ext import commands, tasks

from bot.app import MarginaliaBot
from bot.services.meetings import ReminderOutcome
from bot.shards import serves_guild
from cogs._meetings import DiscordMeetings

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0


class MeetingReminders(commands.Cog, name="MeetingReminders"):
    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.meetings
        self.side = DiscordMeetings(bot)

    async def cog_load(self) -> None:
        self.reminder_loop.start()

    async def cog_unload(self) -> None:
        self.reminder_loop.cancel()

    async def tick(self) -> list[ReminderOutcome]:
        """Post the reminders due now for this process's guilds."""
        return await self.service.tick(self.side, partial(serves_guild, self.bot))

    @tasks.loop(seconds=TICK_SECONDS)
    async def reminder_loop(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("meeting reminders tick failed; trying again in %.0f s", TICK_SECONDS)

    @reminder_loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(MeetingReminders(bot))
