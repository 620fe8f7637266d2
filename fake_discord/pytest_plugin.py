"""pytest fixtures and the ``running_bot`` helper.

Make them available to a test directory with a ``conftest.py`` containing::

    from fake_discord.pytest_plugin import fake_discord  # noqa: F401
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from .errors import BotCrashed
from .server import FakeDiscord, WaitTimeout

ClientT = TypeVar("ClientT", bound=discord.Client)
BotFactory = Callable[[FakeDiscord], ClientT | Awaitable[ClientT]]


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started :class:`FakeDiscord` on 127.0.0.1 (stopped after the test)."""
    rig = FakeDiscord()
    await rig.start()
    try:
        yield rig
    finally:
        await rig.stop()


def point_discord_py_at(rig: FakeDiscord) -> None:
    """Aim discord.py's REST base and default gateway at ``rig`` — what the app does with
    ``DISCORD_API_BASE``/``DISCORD_GATEWAY_URL``. (``running_bot`` restores the originals.)"""
    discord.http.Route.BASE = rig.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(rig.gateway_url)


@contextlib.asynccontextmanager
async def running_bot(
    factory: BotFactory[ClientT],
    rig: FakeDiscord,
    *,
    token: str | None = None,
    point_discord_py: bool = False,
    ready_timeout: float = 10.0,
    close_timeout: float = 5.0,
    strict: bool = True,
    fail_on_error_logs: bool = False,
) -> AsyncIterator[ClientT]:
    """Run the bot ``factory(rig)`` builds (sync or async factory) against ``rig``.

    Starts ``bot.start(token)`` in a task, waits until the bot is ready *and* every guild
    the bot is in is in its cache, yields the bot, then closes it. The test fails with
    :class:`BotCrashed` (the bot's exception as ``__cause__``) as soon as the bot task dies
    — while starting, during any ``rig`` wait, or by the end of the block (the rig first
    makes sure the bot processed every event it was sent).

    Args:
        token: defaults to ``rig.token``.
        point_discord_py: set ``Route.BASE``/``DEFAULT_GATEWAY`` here, for bots that do not
            read ``DISCORD_API_BASE``/``DISCORD_GATEWAY_URL`` themselves. Either way both are
            restored on exit.
        strict: fail at exit if the bot called routes the rig does not serve.
        fail_on_error_logs: fail at exit if anything logged at ERROR (e.g. "Ignoring
            exception in command ...").

    Tip: give test bots ``guild_ready_timeout=0.05`` (discord.py otherwise waits 2 s after
    the last GUILD_CREATE before ``on_ready``).
    """
    saved_base = discord.http.Route.BASE
    saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if point_discord_py:
        point_discord_py_at(rig)
    logs_before = len(rig.error_logs)
    try:
        built = factory(rig)
        bot: ClientT = await built if inspect.isawaitable(built) else built
        identifies_before = len(rig.identifies)
        task = asyncio.create_task(bot.start(token or rig.token), name="bot.start")
        rig.watch_bot(task)
        try:
            await _wait_ready(bot, task, rig, identifies_before, ready_timeout)
        except BaseException:
            await _shutdown(bot, task, rig, close_timeout)
            raise
        try:
            yield bot
        except BaseException:
            await _shutdown(bot, task, rig, close_timeout)
            raise
        if not task.done():
            with contextlib.suppress(ConnectionError, BotCrashed):
                await rig.sync()
        rig.check_bot()
        problem = await _shutdown(bot, task, rig, close_timeout)
        if problem is not None:
            raise BotCrashed(f"the bot did not stop cleanly: {problem!r}") from problem
        if strict and rig.unhandled:
            calls = ", ".join(f"{r.method} {r.path}" for r in rig.unhandled)
            raise AssertionError(f"the bot called routes the fake Discord does not serve: {calls}")
        if fail_on_error_logs and len(rig.error_logs) > logs_before:
            raise AssertionError(f"errors were logged:{rig.diagnostics()}")
    finally:
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway


async def _wait_ready(
    bot: discord.Client,
    task: asyncio.Task[None],
    rig: FakeDiscord,
    identifies_before: int,
    timeout: float,
) -> None:
    # Client._ready only exists once login() ran; an IDENTIFY proves it did.
    await rig.wait_until(
        lambda: len(rig.identifies) > identifies_before, timeout, "the bot to IDENTIFY"
    )
    ready = asyncio.ensure_future(bot.wait_until_ready())
    ready.add_done_callback(lambda _: rig._notify())
    try:
        await rig.wait_until(ready.done, timeout, "on_ready")
    finally:
        ready.cancel()
    await rig.sync()
    missing = [g for g in rig.guilds.values() if g.bot_present and bot.get_guild(g.id) is None]
    if missing:
        raise WaitTimeout(f"the bot is ready but lacks guilds {missing}{rig.diagnostics()}")


async def _shutdown(
    bot: discord.Client, task: asyncio.Task[None], rig: FakeDiscord, timeout: float
) -> BaseException | None:
    """Close the bot and wait for its task; return what went wrong, if anything."""
    rig.expect_bot_stop()
    problem: BaseException | None = None
    if not bot.is_closed():
        try:
            await asyncio.wait_for(bot.close(), timeout)
        except Exception as exc:
            problem = exc
    if not task.done():
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError as exc:
            task.cancel()
            problem = problem or exc
        except Exception as exc:
            problem = problem or exc
    return problem
