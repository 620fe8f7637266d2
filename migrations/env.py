"""Alembic environment.

`bot.db.migrate` passes an open connection (inside one transaction) through
``config.attributes["connection"]``; offline mode (``--dry-run``) renders SQL for the URL in
``sqlalchemy.url``. Running the ``alembic`` command directly also works: it opens its own
async engine from ``sqlalchemy.url``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.migrate import compare_server_default, lock_for_migration
from bot.db.schema import metadata

config = context.config
target_metadata = metadata


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    is_sqlite = (connection.dialect.name if connection is not None else (url or "")).startswith(
        "sqlite"
    )
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        literal_binds=connection is None,
        compare_type=True,
        compare_server_default=compare_server_default,
        render_as_batch=is_sqlite,
        transaction_per_migration=False,
    )


def run_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"))
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    lock_for_migration(connection)  # already held when bot.db.migrate runs this; re-entrant
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_own_engine() -> None:
    from bot.db.engine import Database

    database = Database.from_url(config.get_main_option("sqlalchemy.url") or "")
    try:
        async with database.write() as conn:
            await conn.run_sync(_run_with)
    finally:
        await database.close()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
    else:
        asyncio.run(_run_own_engine())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
