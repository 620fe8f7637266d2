"""The foundation end to end: login, command sync (and not re-syncing), /about, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import MarginaliaBot
from bot.db.migrate import head_revision
from tests.e2e.world import World, all_text, run_marginalia

SNAPSHOT = Path(__file__).parent / "snapshots" / "commands.json"


async def test_about_reply_arrives(
    world: World, marginalia: MarginaliaBot, database_backend: str
) -> None:
    result = await world.rig.slash(world.guild, world.alice, "about")
    assert result.ephemeral
    text = all_text(result.embeds)
    assert "Marginalia" in text
    url = make_url(marginalia.database.url)
    if database_backend == "sqlite":
        where = f"SQLite at {url.database}"
    else:
        where = f"PostgreSQL at {url.host}:{url.port or 5432}/{url.database}"
    assert f"{where}, schema {head_revision()}" in text
    assert f"{url.username}@" not in text
    if url.password:
        assert url.password not in text
    assert "Servers\n1" in text
    assert result.callback.data.get("allowed_mentions", {}).get("parse") == []


async def test_sync_auto_only_when_tree_changed(world: World) -> None:
    async with run_marginalia(world):
        pass
    assert len(world.rig.command_syncs) == 1
    async with run_marginalia(world):
        pass
    assert len(world.rig.command_syncs) == 1, "an unchanged tree must not be synced again"
    async with run_marginalia(world, sync_commands="always"):
        pass
    assert len(world.rig.command_syncs) == 2
    async with run_marginalia(world, dev_guild_id=world.guild.id):
        pass
    assert len(world.rig.command_syncs) == 3
    assert world.rig.command_syncs[-1].guild_id == world.guild.id


def _normalise(commands: list[dict[str, object]]) -> list[dict[str, object]]:
    drop = {"id", "application_id", "version", "guild_id"}
    return sorted(
        ({k: v for k, v in c.items() if k not in drop} for c in commands),
        key=lambda c: str(c["name"]),
    )


async def test_synced_command_payload_matches_snapshot(world: World) -> None:
    """The command names and options are a contract (SPEC): changing them is deliberate.
    Regenerate with UPDATE_SNAPSHOTS=1 after an intended change."""
    async with run_marginalia(world):
        pass
    payload = _normalise(world.rig.command_syncs[-1].commands)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(
            json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    if not SNAPSHOT.exists():  # never written and compared with itself
        pytest.fail(f"{SNAPSHOT} is missing: run once with UPDATE_SNAPSHOTS=1 and commit it")
    expected = json.loads(SNAPSHOT.read_text())
    assert payload == expected


async def test_bot_runs_as_a_user_starts_it(
    world: World, tmp_path: Path, empty_database_url: str
) -> None:
    """`python -m bot run` in a subprocess, configured only through the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env.update(world.rig.env())
    env.update(
        {
            "DATABASE_URL": empty_database_url,
            "OPENLIBRARY_BASE_URL": "http://127.0.0.1:9",
            "GOOGLE_BOOKS_BASE_URL": "http://127.0.0.1:9",
            "LOG_LEVEL": "INFO",
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await world.rig.wait_until(lambda: len(world.rig.command_syncs) >= 1, 60, "command sync")
        await world.rig.wait_until(lambda: len(world.rig.identifies) >= 1, 30, "IDENTIFY")
        await world.rig.sync()  # the bot has parsed READY and GUILD_CREATE
        result = await world.rig.slash(world.guild, world.alice, "about", timeout=30)
        assert "Marginalia" in all_text(result.embeds)
    finally:
        started = asyncio.get_running_loop().time()
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        except TimeoutError:
            process.kill()
            raise
    took = asyncio.get_running_loop().time() - started
    log = stderr.decode()
    assert process.returncode == 0, log
    assert took < 10, f"SIGINT to exit took {took:.1f} s (SPEC §10: within 10 s)"
    assert "stopped cleanly" in log
    assert f"database migrated from empty to {head_revision()}" in log
    assert world.rig.token not in log
    assert "Traceback" not in log
