"""/follow, /unfollow, /following (issue 14), and the loop that sends followers their batch
of notices: one direct message an hour at most per follower and server
(:class:`bot.services.follows.FollowService` decides what; this sends it).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Final

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import MarginaliaBot
from bot.render.follows import RemoveFollowerView, batch_embed, following_embed
from bot.shards import serves_guild
from cogs._book_option import respond
from cogs._checks import guild_id_of

log = logging.getLogger(__name__)

BATCH_TICK_SECONDS: Final = 120.0
NO_MENTIONS: Final = discord.AllowedMentions.none()


class Follows(commands.Cog):
    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.follows

    async def cog_load(self) -> None:
        self.batch_loop.start()

    async def cog_unload(self) -> None:
        self.batch_loop.cancel()

    @tasks.loop(seconds=BATCH_TICK_SECONDS)
    async def batch_loop(self) -> None:
        try:
            await self.send_batches()
        except Exception:
            log.exception(
                "sending follow notices failed; trying again in %.0f s", BATCH_TICK_SECONDS
            )

    @batch_loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def send_batches(self) -> int:
        """Send the batches that are due; a closed DM is skipped quietly. How many went."""
        sent = 0
        for batch in await self.service.due_batches(partial(serves_guild, self.bot)):
            guild = self.bot.get_guild(batch.guild_id)
            try:
                user = self.bot.get_user(batch.user_id) or await self.bot.fetch_user(batch.user_id)
                await user.send(
                    embed=batch_embed(batch, guild.name if guild else None),
                    allowed_mentions=NO_MENTIONS,
                )
            except (discord.Forbidden, discord.NotFound) as closed:
                log.debug("follow notices to %d not delivered: %s", batch.user_id, closed)
                continue
            sent += 1
        return sent

    @app_commands.command(name="follow", description="Hear when a member posts a review or quote.")
    @app_commands.guild_only()
    @app_commands.describe(member="The member to follow (in this server)")
    async def follow(
        self, interaction: discord.Interaction[MarginaliaBot], member: discord.Member
    ) -> None:
        guild_id = guild_id_of(interaction)
        await self.service.follow(guild_id, interaction.user.id, member.id, is_bot=member.bot)
        dms = await self.service.wants_dms(guild_id, interaction.user.id)
        text = (
            f"You follow {member.mention}: when they post a review or a quote here, I send you a "
            "direct message (one an hour at most, spoiler free)."
        )
        if not dms:
            text += " Your notifications are off: /me notifications on turns them on."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="unfollow", description="Stop hearing about a member's posts.")
    @app_commands.guild_only()
    @app_commands.describe(member="The member to stop following")
    async def unfollow(
        self, interaction: discord.Interaction[MarginaliaBot], member: discord.User
    ) -> None:
        await self.service.unfollow(guild_id_of(interaction), interaction.user.id, member.id)
        await interaction.response.send_message(
            f"You no longer follow {member.mention}.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="following", description="Who you follow, and who follows you.")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        guild_id = guild_id_of(interaction)
        overview = await self.service.overview(guild_id, interaction.user.id)
        if not overview.followers:
            await interaction.response.send_message(embed=following_embed(overview), ephemeral=True)
            return

        async def remove(picked: discord.Interaction[Any], follower_id: int) -> None:
            await self.service.remove_follower(guild_id, picked.user.id, follower_id)
            now = await self.service.overview(guild_id, picked.user.id)
            view = RemoveFollowerView(picked.user.id, now, remove) if now.followers else None
            await picked.response.edit_message(embed=following_embed(now), view=view)

        view = RemoveFollowerView(interaction.user.id, overview, remove)
        await respond(interaction, embed=following_embed(overview), view=view, ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Follows(bot))
