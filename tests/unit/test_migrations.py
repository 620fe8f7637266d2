"""Migrations: idempotent, transactional, dry-run safe, and in step with schema.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import metadata
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


async def test_metadata_and_migrations_do_not_drift(database: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))

    async with database.read() as conn:
        differences = await conn.run_sync(diff)
    assert differences == [], f"schema.py and migrations differ: {differences}"


async def test_every_table_created_with_pragmas(database: Database) -> None:
    async with database.read() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        fk = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        sync = (await conn.execute(text("PRAGMA synchronous"))).scalar()
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
    assert set(metadata.tables) <= tables
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


async def test_writes_are_serialised_and_nesting_fails_fast(database: Database) -> None:
    import asyncio

    order: list[str] = []

    async def writer(name: str) -> None:
        async with database.write() as conn:
            order.append(f"{name}-start")
            await conn.execute(text("SELECT 1"))
            await asyncio.sleep(0.01)
            order.append(f"{name}-end")

    await asyncio.gather(*(writer(str(i)) for i in range(5)))
    assert all(order[i].endswith("start") and order[i + 1].endswith("end") for i in range(0, 10, 2))
    with pytest.raises(RuntimeError, match="nested write"):
        async with database.write(), database.write():
            pass
