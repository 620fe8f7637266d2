"""The bot: owns the settings, database, HTTP client and clock; loads every cog in setup_hook."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from collections.abc import Coroutine
from typing import Any

import discord
import httpx
import yarl
from discord.ext import commands

from bot.command_sync import sync_commands
from bot.config import Settings
from bot.db.engine import Database
from bot.domain.clock import Clock, SystemClock
from bot.metadata.catalogue import Catalogue
from bot.services.books import BookService, CatalogueLike
from bot.tree import MarginaliaTree

log = logging.getLogger(__name__)

CLOSE_DRAIN_TIMEOUT_S = 5.0
# the names discord.py gives the tasks of event handlers and of discord.ext.tasks loops
_DISCORD_TASK_PREFIXES = ("discord.py: ", "discord-ext-tasks: ")


def apply_discord_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL when they are set.

    discord.py reads both from class attributes, so this is process-wide by necessity.
    """
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def cog_extensions() -> list[str]:
    """Every module or package in `cogs/` whose name does not start with an underscore."""
    package = importlib.import_module("cogs")
    return sorted(
        f"cogs.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )


class MarginaliaBot(commands.AutoShardedBot):
    """The Discord client. Everything it needs is handed in by ``main()``; nothing is global."""

    tree: MarginaliaTree

    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        http_client: httpx.AsyncClient,
        clock: Clock | None = None,
        catalogue: CatalogueLike | None = None,
        sync_mode: str | None = None,
        sync_guild_id: int | None = None,
        **options: Any,
    ) -> None:
        apply_discord_endpoints(settings)
        intents = discord.Intents.default()
        intents.message_content = False
        intents.members = False
        intents.presences = False
        if settings.shard_ids is not None:
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=MarginaliaTree,
            shard_count=settings.shard_count,
            **options,
        )
        self.settings = settings
        self.database = database
        self.http_client = http_client
        self.clock: Clock = clock or SystemClock()
        self.catalogue: CatalogueLike = catalogue or Catalogue.from_settings(settings, http_client)
        self.books = BookService(database, self.catalogue, self.clock)
        self.started_at = self.clock.now()
        self.sync_mode = sync_mode or settings.sync_commands
        self.sync_guild_id = sync_guild_id if sync_guild_id is not None else settings.dev_guild_id
        self.last_sync_result: str | None = None
        self._background: set[asyncio.Task[Any]] = set()

    async def setup_hook(self) -> None:
        for extension in cog_extensions():
            await self.load_extension(extension)
        log.info("loaded %d cog modules", len(cog_extensions()))
        self.last_sync_result = await sync_commands(self)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Start a background task whose failure is logged (never a bare create_task)."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)

        def _done(finished: asyncio.Task[Any]) -> None:
            self._background.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("background task %s failed", name, exc_info=finished.exception())

        task.add_done_callback(_done)
        return task

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await super().close()  # unloads the cogs, which cancel their loops
        await self._drain_discord_tasks()

    async def _drain_discord_tasks(self) -> None:
        """Let event handlers and task loops still running finish before the caller closes
        the database under them (a connection closed mid-query can hang the shutdown).

        discord.py does not track the tasks it starts for events; they are found by the
        names it gives them. Whatever is still running after CLOSE_DRAIN_TIMEOUT_S is
        cancelled.
        """
        me = asyncio.current_task()
        pending = {
            task
            for task in asyncio.all_tasks()
            if task is not me and task.get_name().startswith(_DISCORD_TASK_PREFIXES)
        }
        if not pending:
            return
        _, still_running = await asyncio.wait(pending, timeout=CLOSE_DRAIN_TIMEOUT_S)
        for task in still_running:
            log.warning("task %s still running at shutdown; cancelling it", task.get_name())
            task.cancel()
        if still_running:
            await asyncio.wait(still_running, timeout=CLOSE_DRAIN_TIMEOUT_S)

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "ready as %s (id %s) in %d guilds", user, user.id if user else "?", len(self.guilds)
        )
