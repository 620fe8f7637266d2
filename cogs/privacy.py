"""/privacy forget-me and /privacy digest; keeping and purging the data of servers the bot
leaves (``left_at`` on leaving, cleared on joining, purged by a periodic task after
:data:`~bot.services.privacy.RETENTION`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import MarginaliaBot
from bot.db.privacy import PostedReview
from bot.render.privacy import (
    ConfirmForgetView,
    confirm_embed,
    digest_embed,
    forgotten_embed,
)
from bot.services.privacy import GuildPurge
from bot.shards import client_owns_guild
from cogs._checks import guild_id_of

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
PURGE_EVERY_HOURS = 1.0


class Privacy(commands.Cog):
    privacy = app_commands.Group(
        name="privacy",
        description="Your data in this server: forget it, or stay out of digests.",
        guild_only=True,
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.privacy

    async def cog_load(self) -> None:
        self.purge_loop.start()

    async def cog_unload(self) -> None:
        self.purge_loop.cancel()

    # --- /privacy forget-me -------------------------------------------------------------

    @privacy.command(
        name="forget-me", description="Delete everything of yours in this server (asks first)."
    )
    async def forget_me(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        footprint, posts, quote_posts = await self.service.preview(guild_id, interaction.user.id)
        if footprint.empty:
            await interaction.response.send_message(
                "Nothing of yours is stored in this server; there is nothing to delete.",
                ephemeral=True,
            )
            return
        view = ConfirmForgetView(
            owner_id=interaction.user.id, on_confirm=self._confirmed, on_cancel=self._cancelled
        )
        await interaction.response.send_message(
            embed=confirm_embed(footprint, posts, quote_posts), view=view, ephemeral=True
        )
        if await view.wait():  # timed out: say so instead of leaving dead buttons
            try:
                await interaction.edit_original_response(
                    content="Nothing was deleted (no answer in time).", embed=None, view=None
                )
            except discord.HTTPException:
                log.debug("could not close an expired forget-me prompt")

    async def _cancelled(self, interaction: Interaction) -> None:
        await interaction.response.edit_message(
            content="Cancelled: nothing was deleted.", embed=None, view=None
        )

    async def _confirmed(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.edit_message(
            content="Deleting everything of yours in this server…", embed=None, view=None
        )
        result = await self.service.forget(guild_id, interaction.user.id)
        deleted, left, threads = await self._delete_posts(guild_id, result.posts)
        quotes_deleted, quotes_left = await self._delete_messages(guild_id, result.quote_posts)
        deleted, left = deleted + quotes_deleted, left + quotes_left
        await interaction.edit_original_response(
            content=None,
            embed=forgotten_embed(
                result.deleted, messages_deleted=deleted, messages_left=left, threads=threads
            ),
        )

    async def _delete_posts(
        self, guild_id: int, posts: tuple[PostedReview, ...]
    ) -> tuple[int, int, int]:
        """Delete the reviews' messages, close their threads: (deleted, left, threads)."""
        deleted = left = threads = 0
        for post in posts:
            messages = list(post.strays)
            if post.channel_id is not None:
                messages[:0] = [(post.channel_id, m) for m in post.message_ids]
            gone, kept = await self._delete_messages(guild_id, messages)
            deleted, left = deleted + gone, left + kept
            if post.thread_id is not None and await self._close_thread(post.thread_id):
                threads += 1
        return deleted, left, threads

    async def _delete_messages(
        self, guild_id: int, messages: Sequence[tuple[int, int]]
    ) -> tuple[int, int]:
        """Delete posted messages (channel id, message id): (deleted, left)."""
        deleted = left = 0
        for channel_id, message_id in messages:
            channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
            try:
                await channel.get_partial_message(message_id).delete()
            except discord.NotFound:
                deleted += 1  # already gone
            except discord.HTTPException as error:
                log.warning("could not delete posted message %s: %s", message_id, error)
                left += 1
            else:
                deleted += 1
        return deleted, left

    async def _close_thread(self, thread_id: int) -> bool:
        """Archive and lock a review's discussion thread: other members wrote in it too, so
        it is not the leaving member's to delete."""
        try:
            channel = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
            if isinstance(channel, discord.Thread):
                await channel.edit(archived=True, locked=True)
                return True
        except discord.NotFound:
            return False
        except discord.HTTPException as error:
            log.warning("could not archive review thread %s: %s", thread_id, error)
        return False

    # --- /privacy digest ----------------------------------------------------------------

    @privacy.command(name="digest", description="Appear in the weekly digest and /club status.")
    @app_commands.describe(setting="on: appear (the default); off: be left out")
    async def digest(
        self, interaction: discord.Interaction[MarginaliaBot], setting: Literal["on", "off"]
    ) -> None:
        guild_id = guild_id_of(interaction)
        opt_in = setting == "on"
        changed = await self.service.set_digest(guild_id, interaction.user.id, opt_in)
        await interaction.response.send_message(embed=digest_embed(opt_in, changed), ephemeral=True)

    # --- servers joined and left --------------------------------------------------------

    def _owns(self, guild_id: int) -> bool:
        """Whether this process's shards serve the server (in it now or not)."""
        return client_owns_guild(self.bot, guild_id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        try:
            await self.service.guild_left(guild.id)
        except Exception:
            log.exception("could not record leaving guild=%s", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        try:
            await self.service.guild_joined(guild.id)
        except Exception:
            log.exception("could not record joining guild=%s", guild.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Catch up with servers joined or left while the bot was offline."""
        try:
            await self.service.reconcile([g.id for g in self.bot.guilds], self._owns)
        except Exception:
            log.exception("could not reconcile the servers the bot is in")

    async def purge_now(self) -> list[GuildPurge]:
        """Purge the servers left more than 30 days ago (the loop's body; tests call it)."""
        return await self.service.purge_due({g.id for g in self.bot.guilds}, self._owns)

    @tasks.loop(hours=PURGE_EVERY_HOURS)
    async def purge_loop(self) -> None:
        try:
            await self.purge_now()
        except Exception:
            log.exception("purging the data of departed guilds failed")

    @purge_loop.before_loop
    async def _until_ready(self) -> None:
        # only once connected does the bot know which servers it is in (those are kept)
        await self.bot.wait_until_ready()


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Privacy(bot))
