"""The CLI as a user runs it: `python -m bot …` in a clean folder; output and exit codes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.db import migrate
from bot.db.engine import Database
from bot.db.migrate import head_revision
from tests.support.cli import run_cli

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345"


@pytest.fixture
def cli_database(
    tmp_path: Path, database_backend: str, request: pytest.FixtureRequest
) -> tuple[dict[str, str], str]:
    """The environment for the CLI and the URL of the database it uses: on SQLite the
    default (data/marginalia.db in the working folder), on PostgreSQL a new empty one."""
    if database_backend == "sqlite":
        return {}, f"sqlite:///{tmp_path / 'data' / 'marginalia.db'}"
    url = str(request.getfixturevalue("empty_database_url"))
    return {"DATABASE_URL": url}, url


async def table_names(url: str) -> list[str]:
    database = Database.from_url(url)
    try:
        async with database.read() as conn:
            return await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await database.close()


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_run_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run")
    assert_one_clear_line(result, "DISCORD_TOKEN", "discord.com/developers")
    assert not (tmp_path / "data").exists()


def test_default_command_is_run(tmp_path: Path) -> None:
    assert_one_clear_line(run_cli(tmp_path), "DISCORD_TOKEN")


def test_garbage_database_url(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", env={"DATABASE_URL": "banana"})
    assert_one_clear_line(result, "DATABASE_URL")


def test_non_numeric_dev_guild_id(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", env={"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "my-server"})
    assert_one_clear_line(result, "DEV_GUILD_ID")


@pytest.mark.sqlite_only(reason="the folder of the database file")
@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_database_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run_cli(tmp_path, "migrate", env={"DATABASE_URL": f"sqlite:///{locked}/sub/x.db"})
    assert_one_clear_line(result, "DATABASE_URL")


@pytest.mark.sqlite_only(reason="the folder of the database file")
def test_database_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = run_cli(tmp_path, "migrate", env={"DATABASE_URL": "sqlite:///blocker/x.db"})
    assert_one_clear_line(result, "DATABASE_URL", "blocker")
    assert (tmp_path / "blocker").read_text() == "a file, not a folder"


@pytest.mark.sqlite_only(reason="a damaged database file")
def test_corrupted_database_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "data" / "marginalia.db"
    path.parent.mkdir()
    garbage = b"\x00garbage that is not sqlite" * 100
    path.write_bytes(garbage)
    result = run_cli(tmp_path, "migrate")
    assert_one_clear_line(result, "DATABASE_URL", "backup")
    assert path.read_bytes() == garbage


async def test_migrate_then_dry_run(
    tmp_path: Path, cli_database: tuple[dict[str, str], str]
) -> None:
    env, url = cli_database
    dry = run_cli(tmp_path, "migrate", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "CREATE TABLE books" in dry.stdout
    assert await table_names(url) == []
    first = run_cli(tmp_path, "migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert f"migrated from empty to {migrate.head_revision()}" in first.stdout
    assert "books" in await table_names(url)
    second = run_cli(tmp_path, "migrate", env=env)
    assert second.returncode == 0
    assert "nothing to do" in second.stdout
    again = run_cli(tmp_path, "migrate", "--dry-run", env=env)
    assert "up to date" in again.stdout


def _disk_state(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a hash of its bytes (folders: "dir")."""
    state: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        state[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return state


async def _migrated_to(path: Path, target: str) -> None:
    database = Database.from_url(f"sqlite:///{path}")
    try:
        await migrate.upgrade(database, target)
    finally:
        await database.close()


@pytest.mark.parametrize(
    "state",
    [
        "up-to-date",
        "up-to-date-odd-path",
        "old",
        "old-rollback-journal",
        "empty-file",
        "missing-file",
    ],
)
async def test_dry_run_changes_nothing_on_disk(tmp_path: Path, state: str) -> None:
    """`migrate --dry-run` neither creates, converts (WAL) nor writes anything, byte for byte."""
    folder = "my data #1 (100%)" if state.endswith("odd-path") else "data"
    db_file = tmp_path / folder / "marginalia.db"
    if state != "missing-file":
        db_file.parent.mkdir()
    if state.startswith("up-to-date"):
        await _migrated_to(db_file, "head")
    elif state.startswith("old"):
        await _migrated_to(db_file, "0001_initial")
        if state == "old-rollback-journal":  # e.g. copied from a backup made by another tool
            with contextlib.closing(sqlite3.connect(db_file)) as conn:
                conn.execute("PRAGMA journal_mode = DELETE")
    elif state == "empty-file":
        db_file.touch()
    before = _disk_state(tmp_path)

    dry = run_cli(
        tmp_path, "migrate", "--dry-run", env={"DATABASE_URL": f"sqlite:///{folder}/marginalia.db"}
    )

    assert dry.returncode == 0, dry.stderr
    assert _disk_state(tmp_path) == before
    if state.startswith("up-to-date"):
        assert "up to date" in dry.stdout
    elif state.startswith("old"):
        assert "CREATE TABLE books" not in dry.stdout
        assert f"UPDATE alembic_version SET version_num='{head_revision()}'" in dry.stdout
    else:
        assert "CREATE TABLE books" in dry.stdout


def test_doctor_reports_unreachable_metadata(
    tmp_path: Path, cli_database: tuple[dict[str, str], str]
) -> None:
    env = {
        **cli_database[0],
        "DISCORD_TOKEN": TOKEN,
        # a closed local port: refused at once
        "OPENLIBRARY_BASE_URL": "http://127.0.0.1:9",
        "GOOGLE_BOOKS_BASE_URL": "http://127.0.0.1:9",
    }
    result = run_cli(tmp_path, "migrate", env=env)
    assert result.returncode == 0
    doctor = run_cli(tmp_path, "doctor", env=env)
    assert doctor.returncode == 1
    assert "✔ database" in doctor.stdout
    assert "✔ schema" in doctor.stdout
    if not cli_database[0]:  # SQLite: the default file, relative to the working folder
        assert "✔ database       SQLite at data/marginalia.db\n" in doctor.stdout, doctor.stdout
    assert "✘ open library" in doctor.stdout
    assert TOKEN not in doctor.stdout + doctor.stderr


def _postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _postgres_reachable(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_doctor_masks_the_database_password(tmp_path: Path) -> None:
    # trust auth on the test server accepts any password
    url = "postgresql://postgres:doctor-Pa55-word@127.0.0.1:5432/postgres"
    env = {
        "DATABASE_URL": url,
        "OPENLIBRARY_BASE_URL": "http://127.0.0.1:9",
        "GOOGLE_BOOKS_BASE_URL": "http://127.0.0.1:9",
    }
    doctor = run_cli(tmp_path, "doctor", env=env)
    assert "✔ database       PostgreSQL at 127.0.0.1:5432/postgres\n" in doctor.stdout, (
        doctor.stdout
    )
    assert "doctor-Pa55-word" not in doctor.stdout + doctor.stderr
    assert "postgres:" not in doctor.stdout  # nor the user name


@pytest.mark.parametrize(
    "url",
    ["postgresql://bot:cli-Pa55-word@127.0.0.1:notaport/club", "bot:cli-Pa55-word@db/club"],
)
def test_malformed_database_url_one_line_without_password(tmp_path: Path, url: str) -> None:
    result = run_cli(tmp_path, "migrate", env={"DATABASE_URL": url})
    assert_one_clear_line(result, "DATABASE_URL")
    assert "cli-Pa55-word" not in result.stderr


def test_silent_database_server_fails_within_seconds(tmp_path: Path) -> None:
    """A PostgreSQL host that accepts the connection and never answers (a hung server, a
    half-open firewall): one clear line soon, not asyncpg's 60 s default wait."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes the handshake; nobody ever answers
        port = silent.getsockname()[1]
        url = f"postgresql://postgres:silent-Pa55@127.0.0.1:{port}/club"
        started = time.monotonic()
        result = run_cli(tmp_path, "migrate", env={"DATABASE_URL": url}, timeout=40)
        took = time.monotonic() - started
    assert_one_clear_line(result, "DATABASE_URL", "did not answer within 10 s")
    assert took < 25
    assert "silent-Pa55" not in result.stderr


def test_import_then_digest_preview(
    tmp_path: Path, cli_database: tuple[dict[str, str], str]
) -> None:
    data = Path(__file__).resolve().parent.parent / "data" / "imports"
    offline = {
        **cli_database[0],
        "OPENLIBRARY_BASE_URL": "http://127.0.0.1:9",
        "GOOGLE_BOOKS_BASE_URL": "http://127.0.0.1:9",
    }
    assert run_cli(tmp_path, "migrate", env=offline).returncode == 0
    source = next(p for p in sorted(data.glob("*.csv")) if "goodreads" in p.name)
    first = run_cli(
        tmp_path, "import", "goodreads", str(source), "--guild", "7", "--user", "8", env=offline
    )
    assert first.returncode == 0, first.stderr
    assert "Pale Fire" in first.stdout
    again = run_cli(
        tmp_path, "import", "goodreads", str(source), "--guild", "7", "--user", "8", env=offline
    )
    assert again.returncode == 0
    assert "0 imported" in again.stdout.lower() or "imported: 0" in again.stdout.lower()
    missing = run_cli(
        tmp_path, "import", "goodreads", "nope.csv", "--guild", "7", "--user", "8", env=offline
    )
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    preview = run_cli(tmp_path, "digest", "preview", "--guild", "7", env=offline)
    assert preview.returncode == 0, preview.stderr
    assert "opted out" in preview.stdout


FUTURE_REVISION = "9999_from_a_newer_marginalia"


async def _set_revision(url: str, revision: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.write() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    finally:
        await database.close()


@pytest.mark.parametrize(
    "command",
    [
        ("run",),
        ("migrate",),
        ("migrate", "--dry-run"),
        ("sync",),
        ("digest", "preview", "--guild", "7"),
        ("import", "goodreads", "missing.csv", "--guild", "7", "--user", "8"),
    ],
    ids=lambda c: "-".join(c[:2]),
)
async def test_a_schema_newer_than_the_code_is_refused(
    tmp_path: Path, cli_database: tuple[dict[str, str], str], command: tuple[str, ...]
) -> None:
    """A database migrated by a newer Marginalia (alembic_version names a revision not in
    migrations/versions): every command that opens it stops with one line, exit 2, and
    leaves it as it was."""
    env = {**cli_database[0], "DISCORD_TOKEN": TOKEN}
    assert run_cli(tmp_path, "migrate", env=env).returncode == 0
    await _set_revision(cli_database[1], FUTURE_REVISION)
    result = run_cli(tmp_path, *command, env=env)
    assert_one_clear_line(result, "newer", FUTURE_REVISION, "Nothing was changed")
    database = Database.from_url(cli_database[1])
    try:
        assert await migrate.current_revision(database) == FUTURE_REVISION
    finally:
        await database.close()


async def test_doctor_fails_a_schema_newer_than_the_code(
    tmp_path: Path, cli_database: tuple[dict[str, str], str]
) -> None:
    env = {
        **cli_database[0],
        "OPENLIBRARY_BASE_URL": "http://127.0.0.1:9",
        "GOOGLE_BOOKS_BASE_URL": "http://127.0.0.1:9",
    }
    assert run_cli(tmp_path, "migrate", env=env).returncode == 0
    await _set_revision(cli_database[1], FUTURE_REVISION)
    doctor = run_cli(tmp_path, "doctor", env=env)
    assert doctor.returncode == 1
    assert (
        f"✘ schema         DATABASE_URL: the database schema is at revision '{FUTURE_REVISION}'"
        in (doctor.stdout)
    ), doctor.stdout
