"""What `/about` shows about the running instance (no discord import)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import __version__
from bot.db import migrate
from bot.db.engine import Database


@dataclass(frozen=True)
class InstanceInfo:
    version: str
    database_backend: str
    database: str  # "SQLite at <path>" / "PostgreSQL at host:port/dbname", no credentials
    schema_version: str


async def instance_info(database: Database) -> InstanceInfo:
    revision = await migrate.current_revision(database)
    return InstanceInfo(
        version=__version__,
        database_backend=database.backend,
        database=database.description,
        schema_version=revision or "not migrated",
    )
