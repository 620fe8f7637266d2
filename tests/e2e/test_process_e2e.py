"""The process as a self-hoster runs it (`python -m bot run`): what reaches its log at
LOG_LEVEL=DEBUG, start-up while Discord is unreachable, and shutdown with work in flight."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from fake_discord import FakeDiscord
from tests.e2e.bot_process import BotProcess, bot_process
from tests.e2e.metadata_stub import serve_over_http
from tests.e2e.slow_bot import STALL_MARK
from tests.e2e.world import TOKEN, World, all_text

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
GOOGLE_KEY = "AIzaSyE2E-google-books-key-0123456789ab"
DB_PASSWORD = "pg-dummy-Pa55word-e2e"
SPOILER = "The lighthouse keeper was the narrator's own brother all along."


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on 127.0.0.1:5432 (trust auth: any password is
    accepted); yields its URL, with a password, for DATABASE_URL. Skips without PostgreSQL."""
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc})")
    name = f"marginalia_e2e_{secrets.token_hex(4)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_debug_log_keeps_every_secret_out(world: World, tmp_path: Path) -> None:
    """A whole session at LOG_LEVEL=DEBUG: search (Google with a key), add a book, post a
    review with a spoiler, reveal it. No log line of any logger carries the token, the
    Google key, the database password, an interaction token or the spoiler text."""
    async with (
        fresh_postgres_database() as database_url,
        serve_over_http(world.metadata) as metadata_env,
    ):
        env = {
            **world.rig.env(),
            **metadata_env,
            "DATABASE_URL": database_url,
            "GOOGLE_BOOKS_API_KEY": GOOGLE_KEY,
            "LOG_LEVEL": "DEBUG",
        }
        world.rig.timeout = 30.0  # a subprocess on a shared machine: allow for slowness
        async with bot_process(tmp_path, env) as bot:
            await world.rig.wait_until(lambda: len(world.rig.identifies) >= 1, 60, "IDENTIFY")
            await bot.wait_for_line("ready as", 30)
            await world.rig.sync()

            # Open Library finds nothing, so Google Books is asked (with the key)
            search = await world.rig.slash(
                world.guild, world.alice, "book search", {"query": "Zyzzogeton Quaffle"}
            )
            await search.wait_reply()
            assert any("google" in str(r.url) for r in world.metadata.requests)

            added = await world.rig.slash(
                world.guild,
                world.alice,
                "book add",
                {"title": "The Keeper", "author": "A. N. Author", "pages": 200},
            )
            assert "Added" in (await added.wait_reply()).text
            mark = world.rig.mark()
            opened = await world.rig.slash(
                world.guild,
                world.alice,
                "review write",
                {"book": "The Keeper", "stars": "4", "spoilers_reach": "ending"},
            )
            assert opened.modal is not None, all_text(opened.embeds, opened.content)
            submitted = await opened.submit_modal({"review": "Moody and wet.", "spoilers": SPOILER})
            await submitted.wait_reply()
            post = await world.rig.wait_for_message(
                world.general, lambda m: bool(m.embeds), after=mark
            )
            revealed = await world.rig.click(post, "review:reveal:1", world.bob)
            reply = await revealed.wait_reply()
            if "review:reveal:1:anyway" in reply.custom_ids:
                revealed = await world.rig.click(reply, "review:reveal:1:anyway", world.bob)
                reply = await revealed.wait_reply()
            assert SPOILER in reply.text
            await world.rig.sync()
            await bot.stop()

    log = bot.log
    assert bot.returncode == 0, log
    interaction_tokens = list(world.rig.interactions_by_token)
    assert len(interaction_tokens) >= 5
    leaks = {
        "the bot token": world.rig.token,
        "the Google Books key": GOOGLE_KEY,
        "the database password": DB_PASSWORD,
        "the spoiler": SPOILER,
        **{f"interaction token {i}": t for i, t in enumerate(interaction_tokens)},
    }
    found = {
        what: [line[:160] for line in bot.lines if secret in line] for what, secret in leaks.items()
    }
    leaked = {
        what: f"{len(lines)} lines, e.g. {lines[0]}" for what, lines in found.items() if lines
    }
    assert not leaked, "secrets in the log:\n" + "\n".join(f"{k}: {v}" for k, v in leaked.items())
    # ...while the DEBUG log still says what happened
    assert "DEBUG discord.gateway" in log and "INTERACTION_CREATE" in log
    assert "/interactions/" in log  # discord.py's REST lines, token masked
    assert "database: PostgreSQL at 127.0.0.1:5432/marginalia_e2e_" in log  # the one in use


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_waits_for_discord_to_become_reachable(tmp_path: Path) -> None:
    """Started before the network is up: one line per failed attempt, a retry with backoff,
    and the bot comes up by itself once Discord answers. No voice warnings either."""
    port = _free_port()  # nothing listens there yet
    rig = FakeDiscord(token=TOKEN, timeout=30.0)
    guild = rig.add_guild("Book Club", channels=["general"])
    member = guild.add_member("alice")
    env = {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
        "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/gateway",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "OPENLIBRARY_BASE_URL": "http://127.0.0.1:9",
        "GOOGLE_BOOKS_BASE_URL": "http://127.0.0.1:9",
    }
    async with bot_process(tmp_path, env) as bot:
        line = await bot.wait_for_line("Discord is unreachable", 60)
        assert f"127.0.0.1:{port}" in line and "retrying in" in line
        assert "Traceback" not in bot.log and bot.returncode is None
        try:
            await rig.start(port=port)
            await rig.wait_until(lambda: len(rig.identifies) >= 1, 60, "IDENTIFY")
            await bot.wait_for_line("ready as", 30)
            await rig.sync()
            about = await rig.slash(guild, member, "about")
            assert "Marginalia" in all_text(about.embeds)
            await bot.stop()
        finally:
            await rig.stop()
    assert bot.returncode == 0, bot.log
    assert "Traceback" not in bot.log
    assert "voice will NOT be supported" not in bot.log


async def test_sigint_stops_the_retries_at_once(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
        "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/gateway",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    async with bot_process(tmp_path, env) as bot:
        await bot.wait_for_line("Discord is unreachable", 60)
        took = await bot.stop()
    assert took < 5, bot.log
    assert bot.returncode == 0, bot.log
    assert "Traceback" not in bot.log


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[tuple[str, list[asyncio.StreamReader]]]:
    """A metadata server that accepts connections and never answers; yields its URL and
    the connections it holds."""
    held: list[asyncio.StreamReader] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(reader)
        with contextlib.suppress(ConnectionError):
            await reader.read()  # until the client goes away
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", held
    finally:
        server.close()


@contextlib.asynccontextmanager
async def bot_with_stuck_work(
    world: World, tmp_path: Path, stall: str
) -> AsyncIterator[BotProcess]:
    """The slow bot, running, with /rate stalled inside its write transaction (``stall``:
    see tests/e2e/slow_bot.py) and /book search waiting on a server that never answers."""
    world.rig.timeout = 30.0
    async with silent_server() as (metadata_url, held):
        env = {
            **world.rig.env(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "OPENLIBRARY_BASE_URL": metadata_url,
            "GOOGLE_BOOKS_BASE_URL": metadata_url,
            "SLOW_BOT_STALL": stall,
        }
        async with bot_process(tmp_path, env, module="tests.e2e.slow_bot") as bot:
            await world.rig.wait_until(lambda: len(world.rig.identifies) >= 1, 60, "IDENTIFY")
            await bot.wait_for_line("ready as", 30)
            await world.rig.sync()
            added = await world.rig.slash(
                world.guild, world.alice, "book add", {"title": "Stuck", "author": "A. Writer"}
            )
            assert "Added" in (await added.wait_reply()).text
            await world.rig.slash(
                world.guild, world.alice, "rate", {"book": "Stuck", "stars": "4"}, wait=False
            )
            await world.rig.slash(
                world.guild, world.bob, "book search", {"query": "Nobody Answers"}, wait=False
            )
            await bot.wait_for_line(STALL_MARK, 30)
            await world.rig.wait_until(lambda: bool(held), 30, "a metadata request in flight")
            yield bot


def _assert_rating_rolled_back(db_file: Path) -> None:
    with contextlib.closing(sqlite3.connect(db_file)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM ratings").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM books").fetchone() == (1,)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_shutdown_with_work_in_flight_is_bounded(
    world: World, tmp_path: Path, sig: signal.Signals
) -> None:
    """A command stuck inside its write transaction and another waiting on a metadata server
    that never answers: the signal still ends the process within 10 s, with a clean log,
    and the unfinished write is rolled back."""
    async with bot_with_stuck_work(world, tmp_path, "sleep") as bot:
        took = await bot.stop(sig, timeout=30)

    log = bot.log
    assert took < 10, f"shutdown took {took:.1f} s:\n{log}"
    assert bot.returncode == 0, log
    assert "Traceback" not in log
    assert f"received {sig.name}; shutting down" in log
    assert "command=rate) still running at shutdown; cancelling it" in log
    assert "stopped cleanly" in log
    _assert_rating_rolled_back(tmp_path / "bot.db")


async def test_shutdown_leaves_a_query_no_cancellation_interrupts(
    world: World, tmp_path: Path
) -> None:
    """A statement running for minutes on the database's writer thread: no cancellation
    reaches it. The handler waiting for it is cancelled at once, the process still ends
    within 10 s (the thread does not hold the exit), and SQLite rolls the open transaction
    back."""
    async with bot_with_stuck_work(world, tmp_path, "query") as bot:
        took = await bot.stop(signal.SIGINT, timeout=30)

    log = bot.log
    assert took < 10, f"shutdown took {took:.1f} s:\n{log}"
    assert bot.returncode == 0, log
    assert "Traceback" not in log
    assert "command=rate) still running at shutdown; cancelling it" in log
    assert "stopped cleanly" in log
    _assert_rating_rolled_back(tmp_path / "bot.db")


async def test_shutdown_ends_a_handler_that_ignores_cancellation(
    world: World, tmp_path: Path
) -> None:
    """A handler that swallows every cancellation would hold asyncio.run()'s clean-up
    forever: the watchdog ends the process before 10 s, with one line saying so."""
    async with bot_with_stuck_work(world, tmp_path, "stubborn") as bot:
        took = await bot.stop(signal.SIGTERM, timeout=30)

    log = bot.log
    assert took < 10, f"shutdown took {took:.1f} s:\n{log}"
    assert bot.returncode == 1, log
    assert "Traceback" not in log
    assert "shutdown did not finish within 10 s; exiting now" in log
    # the rating's unit of work had committed before the handler stalled: it is kept whole
    with contextlib.closing(sqlite3.connect(tmp_path / "bot.db")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM ratings").fetchone() == (1,)


async def test_a_second_process_on_one_sqlite_file_is_refused(
    tmp_path: Path, database_url: str, database_backend: str
) -> None:
    """SQLite is for one process: a second `marginalia run` on the same file stops with one
    line (exit 2) while the first keeps running; after the first is killed with SIGKILL its
    lock file stays behind but does not block the next start. On PostgreSQL several
    processes on one database are the point: the second one starts too."""
    port = _free_port()  # Discord unreachable: each process gets past the database, then waits
    env = {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
        "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/gateway",
        "DATABASE_URL": database_url,
    }
    async with bot_process(tmp_path, env) as first:
        await first.wait_for_line("Discord is unreachable", 60)
        async with bot_process(tmp_path, env) as second:
            if database_backend == "postgresql":
                await second.wait_for_line("Discord is unreachable", 60)
                return
            await asyncio.wait_for(second.process.wait(), 60)
        assert second.returncode == 2, second.log
        lines = [line for line in second.log.splitlines() if line.strip()]
        assert len(lines) == 1, second.log
        assert "another Marginalia is already running" in lines[0]
        assert f"process {first.process.pid}" in lines[0]
        assert first.returncode is None
        first.process.kill()  # SIGKILL: no clean-up runs
        await first.process.wait()
    assert (tmp_path / "marginalia.db.lock").exists()
    async with bot_process(tmp_path, env) as third:
        await third.wait_for_line("Discord is unreachable", 60)
        assert "already running" not in third.log
        await third.stop()
    assert third.returncode == 0, third.log
