"""The process as a self-hoster runs it (`python -m bot run`): what reaches its log at
LOG_LEVEL=DEBUG, start-up while Discord is unreachable, and shutdown with work in flight."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.bot_process import bot_process
from tests.e2e.conftest import World, all_text
from tests.e2e.metadata_stub import serve_over_http

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
    assert "postgresql://postgres:***@127.0.0.1:5432/" in log  # the database in use
