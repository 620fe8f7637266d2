"""Running the bot as a process: start-up that waits for Discord, and a bounded shutdown.

- Discord unreachable at start-up (network not up yet, a proxy down): one log line per
  attempt and a retry after 5 s, doubling to 5 min, with jitter — forever, since a bot
  started before the network must come up by itself. A rejected token is not retried.
- SIGINT and SIGTERM start one orderly stop (SPEC §10: within 10 s, work in flight
  completed or rolled back): the bot closes (see :meth:`MarginaliaBot.close`), every task
  left is cancelled, the HTTP client and the database close, each step bounded. A watchdog
  thread ends the process if the whole stop overruns (a thread stuck in a driver call, a
  task that ignores cancellation): unfinished transactions are then rolled back by the
  database itself. A second signal exits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
import discord
import httpx

from bot.config import Settings, SyncMode
from bot.db.engine import Database
from bot.metadata.http import make_http_client
from bot.redaction import mask_url

if TYPE_CHECKING:
    from bot.app import MarginaliaBot

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1

RETRY_FIRST_S = 5.0
RETRY_MAX_S = 300.0
RETRY_JITTER = 0.2  # each wait is the nominal one ± 20 %

SHUTDOWN_LIMIT_S = 10.0  # SPEC §10
WATCHDOG_S = 9.0  # the process is ended here if it has not exited by then
# the steps after MarginaliaBot.close() (at most 6 s); with Database.close() (1 s) the
# orderly stop takes at most 8.5 s
SERVE_STOP_S = 0.5
REMAINING_TASKS_S = 0.5
HTTP_CLOSE_S = 0.5

#: what "Discord cannot be reached" looks like from discord.py and aiohttp (DNS, refused
#: connections, proxies down, timeouts, Discord's or a proxy's 5xx)
DISCORD_UNREACHABLE: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectionError,
    asyncio.TimeoutError,
    discord.DiscordServerError,
    discord.GatewayNotFound,
)


class DiscordUnreachable(Exception):
    """Discord could not be reached (for one-shot commands: the message is one line)."""


def retry_delays(
    first: float = RETRY_FIRST_S,
    cap: float = RETRY_MAX_S,
    jitter: float = RETRY_JITTER,
    rand: Callable[[float, float], float] = random.uniform,
) -> Iterator[float]:
    """first, 2×first, 4×first … up to cap, each spread by ± jitter (never above cap)."""
    nominal = first
    while True:
        yield min(cap, nominal * rand(1 - jitter, 1 + jitter))
        nominal = min(cap, nominal * 2)


def describe_unreachable(exc: BaseException) -> str:
    """One line saying where Discord was looked for and what happened."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Discord is unreachable at {mask_url(discord.http.Route.BASE)} ({detail})"


@dataclass
class _Running:
    bot: MarginaliaBot | None = None


def _new_bot(
    settings: Settings,
    database: Database,
    http_client: httpx.AsyncClient,
    *,
    sync_only: bool = False,
    guild: int | None = None,
) -> MarginaliaBot:
    from bot.app import MarginaliaBot

    return MarginaliaBot(
        settings=settings,
        database=database,
        http_client=http_client,
        sync_mode=SyncMode.ALWAYS if sync_only else None,
        sync_guild_id=guild,
        freeze_after_ready=not sync_only,
    )


async def sync_now(settings: Settings, database: Database, guild: int | None) -> int:
    """`marginalia sync`: log in (setup_hook syncs), print the result, close."""
    token = settings.require_token()
    async with make_http_client() as http_client:
        bot = _new_bot(settings, database, http_client, sync_only=True, guild=guild)
        try:
            await bot.login(token)
        except DISCORD_UNREACHABLE as exc:
            raise DiscordUnreachable(f"{describe_unreachable(exc)}; try again later.") from None
        finally:
            await bot.close()
        print(bot.last_sync_result)
    return EXIT_OK


async def _serve(
    settings: Settings, database: Database, http_client: httpx.AsyncClient, running: _Running
) -> int:
    """Log in (retrying while Discord is unreachable) and stay connected until closed."""
    token = settings.require_token()
    delays = retry_delays()
    attempt = 0
    while True:
        bot = running.bot = _new_bot(settings, database, http_client)
        try:
            await bot.login(token)
            delays, attempt = retry_delays(), 0
            await bot.connect()
            return EXIT_OK
        except DISCORD_UNREACHABLE as exc:
            await bot.close()
            attempt += 1
            delay = next(delays)
            log.warning(
                "%s; retrying in %.0f s (attempt %d)", describe_unreachable(exc), delay, attempt
            )
            await asyncio.sleep(delay)


def _arm_watchdog(seconds: float) -> None:
    """End the process after ``seconds`` whatever is still running (a daemon thread: it
    works while the event loop or the interpreter's exit is blocked)."""

    def fire() -> None:
        log.error(
            "shutdown did not finish within %.0f s; exiting now (unfinished database work "
            "is rolled back by the database)",
            SHUTDOWN_LIMIT_S,
        )
        _flush_logs()
        os._exit(EXIT_FAILURE)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def _flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()


class _Signals:
    """SIGINT/SIGTERM → ``requested``; a second one exits at once."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.requested = asyncio.Event()
        self.name: str | None = None

    def __enter__(self) -> _Signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.loop.add_signal_handler(sig, self._on_signal, sig)
        return self

    def __exit__(self, *_: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.loop.remove_signal_handler(sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        if self.name is not None:
            log.warning("received %s again; exiting now", sig.name)
            _flush_logs()
            os._exit(EXIT_FAILURE)
        self.name = sig.name
        self.requested.set()


async def _cancel_remaining_tasks(seconds: float) -> int:
    """Cancel every task still running (background searches, coalesced metadata requests)
    and give them ``seconds`` to unwind; returns how many did not."""
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    for task in tasks:
        task.cancel()
    if not tasks:
        return 0
    _, stuck = await asyncio.wait(tasks, timeout=seconds)
    for task in stuck:
        log.warning("%s did not stop when cancelled; leaving it", task.get_name())
    return len(stuck)


async def run(settings: Settings, database: Database) -> int:
    """`marginalia run` once the database is migrated: serve until Discord closes the
    session or a signal arrives, then stop within SHUTDOWN_LIMIT_S."""
    loop = asyncio.get_running_loop()
    running = _Running()
    http_client = make_http_client()
    with _Signals(loop) as signals:
        serving = asyncio.create_task(
            _serve(settings, database, http_client, running), name="marginalia-serve"
        )
        stopping = asyncio.create_task(signals.requested.wait(), name="marginalia-signals")
        try:
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            started = loop.time()
            _arm_watchdog(WATCHDOG_S)
            stopping.cancel()
            if signals.name is not None:
                log.info(
                    "received %s; shutting down (at most %.0f s)",
                    signals.name,
                    SHUTDOWN_LIMIT_S,
                )
            if running.bot is not None:
                await running.bot.close()
            if not serving.done():  # connect() returns once the bot is closed; login may not
                await asyncio.wait({serving}, timeout=SERVE_STOP_S)
                serving.cancel()
            unfinished = await _cancel_remaining_tasks(REMAINING_TASKS_S)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(http_client.aclose(), HTTP_CLOSE_S)
            await database.close()
        failure = None if serving.cancelled() else serving.exception()
        if failure is not None:
            raise failure
        took = loop.time() - started
        if unfinished:
            # asyncio.run() cancels them once more on the way out; the watchdog ends the
            # process if even that does not stop them
            log.warning(
                "stopped in %.1f s; %d tasks did not finish (their database work is rolled back)",
                took,
                unfinished,
            )
        else:
            log.info("stopped cleanly in %.1f s", took)
    return EXIT_OK
