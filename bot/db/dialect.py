"""``INSERT … ON CONFLICT`` for the connection's dialect (SQLite or PostgreSQL).

Why the repositories need it: on SQLite a write transaction is the only writer, so "insert
the row unless it exists" as a SELECT then an INSERT cannot race. On PostgreSQL two
transactions can both find nothing, and the second INSERT then fails on the unique key
(IntegrityError) once the first commits. ``ON CONFLICT`` makes the insert itself decide,
atomically, on both. SQLAlchemy has it only on each dialect's own ``insert``; this module is
where the dialects are told apart (bot/db is the only place allowed to).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

Insert = postgresql.Insert | sqlite.Insert
AnyConnection = Connection | AsyncConnection  # a unit of work's, or an async transaction's


def insert_for(dialect_name: str, table: Table) -> Insert:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``/``on_conflict_do_update``
    (for statements built once per dialect)."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no ON CONFLICT insert for {dialect_name}")


def insert(conn: AnyConnection, table: Table) -> Insert:
    """The connection's dialect's INSERT (see :func:`insert_for`)."""
    return insert_for(conn.dialect.name, table)


def insert_missing(conn: AnyConnection, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING``: rows whose key exists are skipped (rowcount counts
    the rows inserted). A row another transaction has inserted but not committed is waited
    for, then skipped."""
    return insert(conn, table).on_conflict_do_nothing()


def insert_or_update(
    conn: AnyConnection,
    table: Table,
    values: Mapping[str, Any],
    key: Iterable[str],
    *,
    keep: Iterable[str] = (),
) -> Insert:
    """Insert ``values``, or update the row with the same ``key`` columns to them (all but
    the key and ``keep`` columns, e.g. ``created_at``)."""
    key_columns = list(key)
    unchanged = {*key_columns, *keep}
    statement = insert(conn, table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=key_columns,
        set_={name: statement.excluded[name] for name in values if name not in unchanged},
    )
