"""/digest setup|preview|send-now|off, the Discord side of posting, and the scheduler loop.

The loop wakes every minute; its first run after the bot is ready is the catch-up of a slot
missed while the bot was down. It posts only for the guilds this process has (its shards),
so several shard processes never post for the same guild — and the database claim would
stop them if they tried.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.app import MarginaliaBot
from bot.domain.digest import Digest
from bot.domain.schedule import WEEKDAY_NAMES
from bot.domain.words import jump_url
from bot.errors import InvalidInput
from bot.render._kit import OwnerView
from bot.render.digest import (
    NEEDED_PERMISSIONS,
    chart_file,
    confirm_text,
    digest_embeds,
    failure_report_embed,
    off_text,
    posted_text,
    send_failed_text,
    setup_embed,
)
from bot.services.digest import (
    DigestScheduler,
    FailureKind,
    FailureReport,
    PostingFailed,
    SendNowResult,
)
from bot.shards import serves_guild
from cogs._book_option import respond
from cogs._checks import ADMIN_DEFAULT, guild_id_of, guild_of, require_admin
from cogs._timezone_option import timezone_autocomplete

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
CHARTS_AT_ONCE = 2  # chart drawing holds the GIL: more threads only thrash
_NO_MENTIONS = discord.AllowedMentions.none()


class DiscordDigestPoster:
    """Renders a digest (embeds + chart drawn in a thread) and sends it; turns Discord's
    refusals into :class:`PostingFailed` so the service can record and retry them."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot
        self.chart_turn = asyncio.Semaphore(CHARTS_AT_ONCE)

    async def _channel(self, guild_id: int, channel_id: int) -> discord.abc.Messageable:
        channel: Any = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden) as exc:
                raise _refused(FailureKind.CHANNEL_MISSING, exc) from None
            except discord.HTTPException as exc:
                raise _refused(FailureKind.DISCORD_ERROR, exc) from None
        owner = getattr(getattr(channel, "guild", None), "id", None)
        if not isinstance(channel, discord.abc.Messageable) or owner != guild_id:
            raise PostingFailed(FailureKind.CHANNEL_MISSING, "not a text channel of this server")
        return channel

    async def post_digest(self, guild_id: int, channel_id: int, digest: Digest) -> int:
        channel = await self._channel(guild_id, channel_id)
        try:
            chart = await chart_file(digest, turn=self.chart_turn)
        except Exception:  # a digest without its picture beats no digest
            log.exception("guild=%s digest chart could not be drawn", guild_id)
            chart = None
        embeds = digest_embeds(digest, chart=chart is not None)
        extra: dict[str, Any] = {"file": chart} if chart is not None else {}
        try:
            message = await channel.send(embeds=embeds, allowed_mentions=_NO_MENTIONS, **extra)
        except discord.Forbidden as exc:
            raise _refused(FailureKind.FORBIDDEN, exc) from None
        except discord.NotFound as exc:
            raise _refused(FailureKind.CHANNEL_MISSING, exc) from None
        except discord.HTTPException as exc:
            raise _refused(FailureKind.DISCORD_ERROR, exc) from None
        return message.id

    async def report_failure(self, modlog_channel_id: int, report: FailureReport) -> None:
        channel = await self._channel(report.guild_id, modlog_channel_id)
        await channel.send(embed=failure_report_embed(report), allowed_mentions=_NO_MENTIONS)


def _refused(kind: FailureKind, exc: discord.HTTPException) -> PostingFailed:
    """Discord's refusal for the log (its text in full), its HTTP status for the message."""
    detail = f"HTTP {exc.status} (code {exc.code}): {exc.text or exc.response.reason}"[:300]
    return PostingFailed(kind, detail, http_status=exc.status)


class ConfirmRepost(OwnerView):
    """ "Post again anyway?" for a second /digest send-now in the same week."""

    refusal = "Only the admin who ran /digest send-now can confirm it."

    def __init__(self, cog: DigestCog, owner_id: int) -> None:
        super().__init__(owner_id=owner_id, timeout=300)
        self.cog = cog

    @discord.ui.button(
        label="Post again", style=discord.ButtonStyle.danger, custom_id="digest:repost:confirm"
    )
    async def again(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmRepost]
    ) -> None:
        require_admin(interaction, "post the digest")
        guild_id = guild_id_of(interaction)
        self.stop()
        await interaction.response.edit_message(content="Posting the digest again…", view=None)
        result = await self.cog.send_now(guild_id, force=True)
        await interaction.edit_original_response(content=self.cog.posted_reply(guild_id, result))

    @discord.ui.button(
        label="Cancel", style=discord.ButtonStyle.secondary, custom_id="digest:repost:cancel"
    )
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmRepost]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was posted.", view=None)


class DigestCog(commands.Cog, name="Digest"):
    digest = app_commands.Group(
        name="digest",
        description="The weekly reading digest: when and where it is posted.",
        guild_only=True,
        default_permissions=ADMIN_DEFAULT,
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.digest
        self.poster = DiscordDigestPoster(bot)
        # this process posts for the guilds its shards have (and not ones it has left)
        self.scheduler = DigestScheduler(
            self.service, self.poster, owns_guild=partial(serves_guild, bot), spawn=bot.spawn
        )

    async def cog_load(self) -> None:
        self.scheduler_loop.start()

    async def cog_unload(self) -> None:
        self.scheduler_loop.cancel()

    @tasks.loop(seconds=TICK_SECONDS)
    async def scheduler_loop(self) -> None:
        try:
            await self.scheduler.tick()
        except Exception:
            log.exception("digest scheduler tick failed; trying again in %.0f s", TICK_SECONDS)

    @scheduler_loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    # --- commands --------------------------------------------------------------------------

    @digest.command(name="setup", description="Admins: post a weekly digest on a day and hour.")
    @app_commands.describe(
        channel="Where the digest is posted",
        weekday="The day of the week",
        hour="The hour, 0–23 on the 24-hour clock (e.g. 18 for 6 pm)",
        timezone="Your time zone, e.g. Europe/Berlin or America/New_York (start typing)",
    )
    @app_commands.choices(
        weekday=[app_commands.Choice(name=n, value=i) for i, n in enumerate(WEEKDAY_NAMES)]
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def setup_command(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        channel: discord.TextChannel,
        weekday: app_commands.Choice[int],
        hour: app_commands.Range[int, 0, 23],
        timezone: app_commands.Range[str, 1, 100],
    ) -> None:
        require_admin(interaction, "set up the digest")
        guild = guild_of(interaction)
        me = guild.me
        permissions = channel.permissions_for(me)
        needed = (
            permissions.view_channel,
            permissions.send_messages,
            permissions.embed_links,
            permissions.attach_files,
        )
        if not all(needed):
            raise InvalidInput(
                f"I cannot post the digest in {channel.mention}: I need {NEEDED_PERMISSIONS} "
                "there. Give me those permissions in that channel, or pick another one."
            )
        done = await self.service.setup(
            guild.id,
            channel_id=channel.id,
            weekday=weekday.value,
            hour=hour,
            timezone=timezone,
        )
        await interaction.response.send_message(embed=setup_embed(done), ephemeral=True)

    @digest.command(name="preview", description="See the digest as it would be posted now.")
    async def preview(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        # the group's default permissions hide it from members; this is the server-side gate
        require_admin(interaction, "preview the digest")
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self.service.settings(guild_id)
        built = await self.service.build(guild_id)
        chart = await chart_file(built.digest)
        embeds = digest_embeds(built.digest, chart=chart is not None)
        if settings.channel_id is not None and settings.enabled:
            note = f"Preview: this is what would be posted in <#{settings.channel_id}> now."
        else:
            note = "Preview: the digest is not on yet — `/digest setup` turns it on."
        extra: dict[str, Any] = {"file": chart} if chart is not None else {}
        await interaction.followup.send(content=note, embeds=embeds, ephemeral=True, **extra)

    @digest.command(name="send-now", description="Admins: post this week's digest right now.")
    async def send_now_command(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        require_admin(interaction, "post the digest")
        guild_id = guild_id_of(interaction)
        settings = await self.service.settings(guild_id)
        if settings.channel_id is None:
            raise InvalidInput(
                "The digest has no channel yet. Set it up first with "
                "/digest setup channel weekday hour timezone."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.send_now(guild_id, force=False)
        if result.status == "already_posted":
            posted_at = result.previous.posted_at if result.previous else None
            await respond(
                interaction,
                content=confirm_text(result, posted_at),
                view=ConfirmRepost(self, interaction.user.id),
                ephemeral=True,
            )
            return
        await interaction.followup.send(content=self.posted_reply(guild_id, result), ephemeral=True)

    async def send_now(self, guild_id: int, *, force: bool) -> SendNowResult:
        try:
            return await self.service.send_now(guild_id, self.poster, force=force)
        except PostingFailed as exc:
            settings = await self.service.settings(guild_id)
            raise InvalidInput(send_failed_text(exc, settings.channel_id or 0)) from None

    @staticmethod
    def posted_reply(guild_id: int, result: SendNowResult) -> str:
        link = None
        if result.message_id is not None:
            link = jump_url(guild_id, result.channel_id, result.message_id)
        return posted_text(result, link)

    @digest.command(name="off", description="Admins: stop posting the weekly digest.")
    async def off(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        require_admin(interaction, "turn the digest off")
        guild_id = guild_id_of(interaction)
        was_on = await self.service.turn_off(guild_id)
        await interaction.response.send_message(off_text(was_on), ephemeral=True)


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(DigestCog(bot))
