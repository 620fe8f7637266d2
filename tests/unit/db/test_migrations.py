"""Migrations: idempotent, transactional, dry-run safe, and in step with schema.py."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import DefaultClause, MetaData, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import book_isbns, metadata
from bot.errors import DatabaseStartupError


async def test_upgrade_twice_is_a_noop(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        first = await migrate.upgrade(db)
        assert first.before is None
        assert first.after == migrate.head_revision()
        second = await migrate.upgrade(db)
        assert not second.changed
    finally:
        await db.close()


def _drift(target: MetaData) -> Callable[[Connection], list[Any]]:
    """The differences between the migrated database and ``target``, as env.py compares."""

    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": migrate.compare_server_default,
            },
        )
        return list(compare_metadata(context, target))

    return diff


async def test_metadata_and_migrations_do_not_drift(database: Database) -> None:
    async with database.read() as conn:
        differences = await conn.run_sync(_drift(metadata))
    assert differences == [], f"schema.py and migrations differ: {differences}"


async def test_drift_in_a_json_default_is_found(database: Database) -> None:
    """JSON defaults are compared as JSON (PostgreSQL cannot compare json values with =),
    and a changed one is still reported."""
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["books"].c.authors.server_default = DefaultClause(text("'{}'"))
    async with database.read() as conn:
        differences = await conn.run_sync(_drift(changed))
    assert len(differences) == 1, differences
    [[change]] = differences
    assert change[0] == "modify_default"
    assert (change[2], change[3]) == ("books", "authors")


async def test_every_table_created_and_foreign_keys_enforced(database: Database) -> None:
    async with database.read() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(metadata.tables) <= tables
    with pytest.raises(IntegrityError):
        async with database.write() as conn:
            await conn.execute(book_isbns.insert().values(isbn13="9780000000002", book_id=999))


@pytest.mark.sqlite_only(reason="PRAGMAs tune SQLite's file, locking and durability")
async def test_sqlite_pragmas(database: Database) -> None:
    async with database.read() as conn:
        fk = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        sync = (await conn.execute(text("PRAGMA synchronous"))).scalar()
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
    assert fk == 1
    assert journal == "wal"
    assert sync == 1  # NORMAL
    assert busy == 5000


async def test_dry_run_prints_sql_and_changes_nothing(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        sql = await migrate.dry_run_sql(db)
        assert "CREATE TABLE books" in sql
        assert await migrate.current_revision(db) is None
        async with db.read() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert tables == []
    finally:
        await db.close()


async def test_dry_run_when_up_to_date_is_empty(database: Database) -> None:
    assert await migrate.dry_run_sql(database) == ""


async def test_failing_migration_leaves_previous_version(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken 0002 must roll back everything it did, DDL included."""
    scripts = tmp_path / "migrations"
    source = migrate._script_location()
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text((source / "env.py").read_text())
    (scripts / "script.py.mako").write_text((source / "script.py.mako").read_text())
    for path in (source / "versions").glob("0*.py"):
        (scripts / "versions" / path.name).write_text(path.read_text())
    (scripts / "versions" / "0099_broken.py").write_text(
        "from alembic import op\n"
        "import sqlalchemy as sa\n"
        f"revision = '0099_broken'\ndown_revision = {migrate.head_revision()!r}\n"
        "branch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.execute('INSERT INTO no_such_table VALUES (1)')\n"
        "def downgrade():\n    pass\n"
    )
    db = Database.from_url(database_url)
    try:
        await migrate.upgrade(db)
        good = await migrate.current_revision(db)
        monkeypatch.setattr(migrate, "_script_location", lambda: scripts)
        with pytest.raises(DatabaseStartupError):
            await migrate.upgrade(db)
        assert await migrate.current_revision(db) == good
        async with db.read() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "half_done" not in tables
    finally:
        await db.close()


@pytest.mark.sqlite_only(reason="a damaged database file")
async def test_corrupted_file_is_reported_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    garbage = b"this is not a sqlite database at all" * 200
    path.write_bytes(garbage)
    db = Database.from_url(f"sqlite:///{path}")
    try:
        with pytest.raises(DatabaseStartupError) as info:
            await migrate.upgrade(db)
    finally:
        await db.close()
    assert "not a readable SQLite database" in str(info.value)
    assert path.read_bytes() == garbage


async def _overlapping_writers(database: Database) -> list[str]:
    import asyncio

    order: list[str] = []

    async def writer(name: str) -> None:
        async with database.write() as conn:
            order.append(f"{name}-start")
            await conn.execute(text("SELECT 1"))
            await asyncio.sleep(0.01)
            order.append(f"{name}-end")

    await asyncio.gather(*(writer(str(i)) for i in range(5)))
    return order


@pytest.mark.sqlite_only(reason="SQLite has one writer; the process queues its writers")
async def test_sqlite_writes_are_serialised(database: Database) -> None:
    order = await _overlapping_writers(database)
    assert all(order[i].endswith("start") and order[i + 1].endswith("end") for i in range(0, 10, 2))


@pytest.mark.postgresql_only(reason="SQLite has one writer at a time")
async def test_postgresql_writes_run_concurrently(database: Database) -> None:
    """PostgreSQL serialises conflicting rows, not whole transactions: no process-wide lock."""
    order = await _overlapping_writers(database)
    assert [step.split("-")[1] for step in order] == ["start"] * 5 + ["end"] * 5


async def test_nested_write_fails_fast(database: Database) -> None:
    with pytest.raises(RuntimeError, match="nested write"):
        async with database.write(), database.write():
            pass


def _run_migrate(tmp_path: Path, url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["DATABASE_URL"] = url
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_two_concurrent_migrates_both_succeed(database_url: str, tmp_path: Path) -> None:
    """Two `marginalia migrate` at once on an empty database: one migrates, the other
    waits for it (PostgreSQL: the advisory lock; SQLite: BEGIN IMMEDIATE's write lock) and
    then has nothing to do. Without the lock PostgreSQL fails the second one on a duplicate
    table."""
    processes = [_run_migrate(tmp_path, database_url) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    said = sorted(out.strip() for out, _ in outputs)
    head = migrate.head_revision()
    assert said == [
        f"database already at {head}; nothing to do",
        f"database migrated from empty to {head}",
    ], said
    db = Database.from_url(database_url)
    try:
        assert await migrate.current_revision(db) == head
        async with db.read() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(metadata.tables) <= tables
    finally:
        await db.close()


_WAITING_FOR_MIGRATION_LOCK = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"
)


@pytest.mark.postgresql_only(reason="the advisory lock of `marginalia migrate`")
async def test_upgrade_waits_for_the_migration_lock(database_url: str) -> None:
    """While another session holds the migration lock, an upgrade waits (seen in pg_locks)
    and changes nothing; once the lock is released it runs to head."""
    holder = Database.from_url(database_url)
    migrating = Database.from_url(database_url)
    key = {
        "high": migrate.MIGRATION_LOCK_KEY >> 32,
        "low": migrate.MIGRATION_LOCK_KEY & 0xFFFFFFFF,
    }
    try:
        # a plain transaction: Database.write() would make the task's upgrade a nested write
        async with holder.engine.connect() as conn, conn.begin():
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": migrate.MIGRATION_LOCK_KEY}
            )
            task = asyncio.create_task(migrate.upgrade(migrating))
            waiting = 0
            for _ in range(200):
                waiting = (await conn.execute(_WAITING_FOR_MIGRATION_LOCK, key)).scalar_one()
                if waiting:
                    break
                await asyncio.sleep(0.05)
            assert waiting == 1
            assert not task.done()
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
            assert tables == []
        result = await asyncio.wait_for(task, 60)
        assert result.before is None
        assert result.after == migrate.head_revision()
    finally:
        await migrating.close()
        await holder.close()


@pytest.mark.sqlite_only(reason="SQLite's write lock (PostgreSQL queues on the advisory lock)")
async def test_a_migrate_waits_past_the_busy_timeout_for_another_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the write lock longer than the busy timeout (a first migrate
    on a slow machine) makes the migration wait and then run, not fail."""
    import sqlite3

    from bot.db import sqlite as sqlite_setup

    monkeypatch.setattr(sqlite_setup, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        upgrading = asyncio.create_task(migrate.upgrade(db))
        await asyncio.sleep(0.6)  # twelve busy timeouts
        assert not upgrading.done()
        holder.execute("ROLLBACK")
        result = await asyncio.wait_for(upgrading, 30)
        assert result.before is None and result.after == migrate.head_revision()
    finally:
        holder.close()
        await db.close()
