"""Running Alembic migrations from inside the application (one transaction per upgrade)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import JSON, Column, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from bot.db.engine import Database, describe_database_error
from bot.errors import DatabaseStartupError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"

#: the PostgreSQL advisory lock an upgrade holds (any fixed bigint: "marginal" in ASCII), so
#: that two processes migrating at once (two `marginalia migrate`, or shard processes
#: starting together) run one after the other: the second waits, then finds nothing to do
MIGRATION_LOCK_KEY = 0x6D617267696E616C
# SQLite has no advisory lock: a second migrate meets the first one's write lock, waits the
# busy timeout (5 s) and would fail; it tries again for this long instead, so two processes
# started together on a slow machine both succeed (the second then has nothing to do)
SQLITE_MIGRATION_WAIT_S = 120.0
_SQLITE_RETRY_S = 0.25
log = logging.getLogger(__name__)


def _script_location() -> Path:
    try:
        import migrations

        return Path(migrations.__file__).resolve().parent
    except ImportError:  # pragma: no cover - source tree without the package
        return MIGRATIONS_DIR


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_script_location()))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _json_default(rendered: str | None) -> object:
    """The value of a rendered JSON server default: ``'[]'::json`` (PostgreSQL's reflection)
    and ``'[]'`` (SQLite's, and schema.py's) are both ``[]``."""
    if rendered is None:
        return None
    literal = re.sub(r"::jsonb?$", "", rendered.strip().strip("()"))
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        literal = literal[1:-1].replace("''", "'")
    try:
        value: object = json.loads(literal)
    except ValueError:
        return literal
    return value


def compare_server_default(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Alembic's server-default comparison (for env.py and the drift test), except on JSON
    columns: Alembic compares defaults by asking the server ``SELECT '[]'::json = '[]'``,
    and PostgreSQL has no ``=`` for json. Those are compared as JSON values here; None
    leaves every other column to Alembic."""
    if not isinstance(metadata_column.type, JSON):
        return None
    return _json_default(inspected_default) != _json_default(rendered_metadata_default)


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0] if heads else "base"


def _current(connection: Connection) -> str | None:
    """The database's revision (None: not migrated). Read directly rather than through
    Alembic's MigrationContext, which logs two lines each time it is made: a refusal
    (:class:`SchemaTooNew`) must be the only line the operator sees."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(revision) if revision is not None else None


def known_revision(revision: str | None) -> bool:
    """Whether ``revision`` (a database's) is one of migrations/versions (None: empty)."""
    if revision is None:
        return True
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


class SchemaTooNew(DatabaseStartupError):
    """The database was migrated by a newer Marginalia: this one must not touch it."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"DATABASE_URL: the database schema is at revision {revision!r}, newer than this "
            f"Marginalia knows (its newest is {head_revision()!r}); run the newer version "
            "of Marginalia that migrated it. Nothing was changed."
        )


def refuse_newer(revision: str | None) -> None:
    """Raise :class:`SchemaTooNew` when ``revision`` is not one this code knows."""
    if not known_revision(revision):
        assert revision is not None
        raise SchemaTooNew(revision)


async def check_known_schema(database: Database) -> None:
    """For processes that use the database without migrating it (import, digest preview):
    refuse, with one line, a schema newer than this code knows."""
    refuse_newer(await current_revision(database))


def lock_for_migration(connection: Connection) -> None:
    """On PostgreSQL, wait for the migration lock; it is released when the transaction
    ends (commit or rollback), so a killed process never leaves it held."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


async def current_revision(database: Database) -> str | None:
    async with database.read() as conn:
        return await conn.run_sync(_current)


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


async def upgrade(database: Database, target: str = "head") -> MigrationResult:
    """Apply pending migrations in one transaction: all of them, or none on failure.

    On PostgreSQL the transaction holds an advisory lock (:data:`MIGRATION_LOCK_KEY`) from
    before it reads the current revision, so concurrent upgrades queue. A database at a
    revision this code does not know (migrated by a newer version) is refused:
    :class:`SchemaTooNew`.
    """
    await database.check()

    def _upgrade(connection: Connection) -> MigrationResult:
        lock_for_migration(connection)
        before = _current(connection)
        refuse_newer(before)
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)
        return MigrationResult(before, _current(connection))

    deadline = time.monotonic() + SQLITE_MIGRATION_WAIT_S
    while True:
        try:
            async with database.write() as conn:
                return await conn.run_sync(_upgrade)
        except DBAPIError as exc:
            if _sqlite_locked(database, exc) and time.monotonic() < deadline:
                log.info("another process holds the database's write lock; waiting to migrate")
                await asyncio.sleep(_SQLITE_RETRY_S)
                continue
            raise DatabaseStartupError(
                describe_database_error(exc, None) + " No migration was applied."
            ) from None


def _sqlite_locked(database: Database, exc: DBAPIError) -> bool:
    return database.engine.dialect.name == "sqlite" and "database is locked" in str(exc.orig)


async def dry_run_sql(database: Database, target: str = "head") -> str:
    """The SQL that :func:`upgrade` would run now. Give it a read-only ``database``
    (``Database.from_url(url, read_only=True)``): nothing is written, not even a new file."""
    if database.missing:
        current = None
    else:
        await database.check()
        current = await current_revision(database)
        refuse_newer(current)
    if current == head_revision():
        return ""
    buffer = io.StringIO()
    cfg = alembic_config(database.url)
    cfg.output_buffer = buffer
    command.upgrade(cfg, f"{current or 'base'}:{target}", sql=True)
    return buffer.getvalue()
