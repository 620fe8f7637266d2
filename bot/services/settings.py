"""Server settings: where reviews and moderator reports go, who else counts as a moderator,
and the card that shows them all."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import guild_settings as settings_repo
from bot.db.engine import Database
from bot.db.guild_settings import GuildSettings
from bot.domain.clock import Clock
from bot.domain.scale import RatingScale


@dataclass(frozen=True, slots=True)
class SettingsOverview:
    """Everything ``/settings show`` displays."""

    settings: GuildSettings
    scale: RatingScale


class SettingsService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def get(self, guild_id: int) -> GuildSettings:
        async with self.database.read() as conn:
            return await settings_repo.get(conn, guild_id)

    async def overview(self, guild_id: int) -> SettingsOverview:
        async with self.database.read() as conn:
            settings = await settings_repo.get(conn, guild_id)
            labels = await settings_repo.custom_labels(conn, guild_id)
        return SettingsOverview(settings, RatingScale(settings.rating_step, labels))

    async def set_review_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        """Post reviews in ``channel_id``; None goes back to "where the command is used"."""
        async with self.database.write() as conn:
            await settings_repo.set_review_channel(conn, guild_id, channel_id, self.clock.now())
            return await settings_repo.get(conn, guild_id)

    async def set_club_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        """Post club announcements, votes and reminders in ``channel_id``; None goes back to
        the channel of the latest ``/club pick``."""
        async with self.database.write() as conn:
            await settings_repo.set_club_channel(conn, guild_id, channel_id, self.clock.now())
            return await settings_repo.get(conn, guild_id)

    async def set_modlog_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        """Report flags and posting failures in ``channel_id``; None stops reporting."""
        async with self.database.write() as conn:
            await settings_repo.set_modlog_channel(conn, guild_id, channel_id, self.clock.now())
            return await settings_repo.get(conn, guild_id)

    async def set_moderator_role(self, guild_id: int, role_id: int | None) -> GuildSettings:
        """Members with ``role_id`` count as moderators; None: only the permissions count."""
        async with self.database.write() as conn:
            await settings_repo.set_moderator_role(conn, guild_id, role_id, self.clock.now())
            return await settings_repo.get(conn, guild_id)

    async def moderator_role_id(self, guild_id: int) -> int | None:
        async with self.database.read() as conn:
            return (await settings_repo.get(conn, guild_id)).moderator_role_id
