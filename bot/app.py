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
from discord.ext import commands

from bot.command_sync import sync_commands
from bot.config import Settings, SyncMode, apply_discord_endpoints, silence_voice_warnings
from bot.db.engine import Database
from bot.domain.clock import Clock, SystemClock
from bot.gc_tuning import freeze_long_lived_objects
from bot.members import GuildMemberNames
from bot.metadata.catalogue import Catalogue
from bot.services.books import CatalogueLike
from bot.services.registry import Services
from bot.tree import MarginaliaTree

log = logging.getLogger(__name__)

# Shutdown (SPEC §10: within 10 s, work in flight completed or rolled back). Each step of
# close() has its own bound; together they leave room for the HTTP client and the database.
GATEWAY_CLOSE_S = 1.5  # aiohttp would wait up to 30 s for the gateway's close handshake
DRAIN_GRACE_S = 2.5  # running commands may finish (and still reply) ...
CANCEL_WAIT_S = 1.0  # ... then they are cancelled, and their transactions roll back
DISCORD_CLOSE_S = 1.0  # discord.py's own close: cogs unloaded, REST session closed
# the names discord.py gives the tasks it starts for events, app commands, components and
# modals, and for discord.ext.tasks loops
_HANDLER_TASK_PREFIXES = (
    "discord.py: ",
    "CommandTree-invoker",
    "discord-ui-",
)
_LOOP_TASK_PREFIX = "discord-ext-tasks: "


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
        sync_mode: SyncMode | None = None,
        sync_guild_id: int | None = None,
        freeze_after_ready: bool = False,
        **options: Any,
    ) -> None:
        apply_discord_endpoints(settings)
        silence_voice_warnings()
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
        self.services = Services.build(database, self.clock, self.catalogue, GuildMemberNames(self))
        self.started_at = self.clock.now()
        self.sync_mode = sync_mode or settings.sync_commands
        self.sync_guild_id = sync_guild_id if sync_guild_id is not None else settings.dev_guild_id
        self.last_sync_result: str | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None
        # `marginalia run` only: tests start many bots in one process (see bot/gc_tuning.py)
        self._startup_frozen = not freeze_after_ready

    async def setup_hook(self) -> None:
        for extension in cog_extensions():
            await self.load_extension(extension)
        log.info("loaded %d cog modules", len(cog_extensions()))
        self.last_sync_result = await sync_commands(
            self.tree,
            self.database,
            self.clock,
            mode=self.sync_mode,
            guild_id=self.sync_guild_id,
        )

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
        """Stop in order, every step bounded: no new events, work in flight finishes or is
        cancelled (rolled back), then discord.py closes. Safe to call more than once."""
        if self._closing is None:
            self._closing = asyncio.create_task(self._close_in_order(), name="marginalia-close")
        await asyncio.shield(self._closing)

    async def _close_in_order(self) -> None:
        await _bounded(self._close_gateway(), GATEWAY_CLOSE_S, "closing the gateway")
        await self._drain()
        await _bounded(super().close(), DISCORD_CLOSE_S, "closing discord.py")

    async def _close_gateway(self) -> None:
        # public API: a disconnected shard stops receiving events and does not reconnect
        await asyncio.gather(
            *(shard.disconnect() for shard in self.shards.values()), return_exceptions=True
        )

    async def _drain(self) -> None:
        """Let running commands, event handlers and background tasks finish for
        DRAIN_GRACE_S, then cancel what is left; task loops are cancelled at once (they
        would never end by themselves).

        discord.py does not track the tasks it starts; they are found by their names.
        """
        me = asyncio.current_task()
        loops = set()
        work = set(self._background)
        for task in asyncio.all_tasks():
            name = task.get_name()
            if task is me or task.done():
                continue
            if name.startswith(_LOOP_TASK_PREFIX):
                loops.add(task)
            elif name.startswith(_HANDLER_TASK_PREFIXES):
                work.add(task)
        for task in loops:
            task.cancel()
        still_running: set[asyncio.Task[Any]] = set()
        if work:
            _, still_running = await asyncio.wait(work, timeout=DRAIN_GRACE_S)
        for task in still_running:
            log.warning("%s still running at shutdown; cancelling it", task.get_name())
            task.cancel()
        pending = loops | still_running
        if pending:
            _, stuck = await asyncio.wait(pending, timeout=CANCEL_WAIT_S)
            for task in stuck:
                log.warning("%s did not stop when cancelled; leaving it", task.get_name())

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "ready as %s (id %s) in %d guilds", user, user.id if user else "?", len(self.guilds)
        )
        if not self._startup_frozen:  # on_ready fires again after a reconnect
            self._startup_frozen = True
            frozen = freeze_long_lived_objects()
            log.debug("%d start-up objects left out of later garbage collections", frozen)


async def _bounded(step: Coroutine[Any, Any, Any], seconds: float, what: str) -> None:
    """Run one shutdown step for at most ``seconds``; a failure is logged, not raised, so
    the steps after it still run."""
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.warning("%s took longer than %.1f s; going on", what, seconds)
    except Exception:
        log.exception("%s failed; going on", what)
