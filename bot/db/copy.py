"""`marginalia copy-db`: every row of one database into a new, empty one (SQLite → PostgreSQL).

The target is migrated to head first when it has no tables. The rows are then written in
ONE target transaction, table by table in foreign-key order (``metadata.sorted_tables``),
read from one source transaction (a consistent snapshot). Before it commits, every table's
row count in the target is checked against the source's; on PostgreSQL each id sequence is
moved past the copied ids (explicit ids do not advance it). Any failure rolls the target
back: it is left with no rows, as it was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import metadata

BATCH_ROWS = 1000


class CopyRefused(Exception):
    """The copy cannot start (nothing was written); the message is one line."""


class CopyFailed(Exception):
    """The copy failed part way and the target was rolled back; the message is one line."""


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int


async def _count(conn: AsyncConnection, table: Table) -> int:
    return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _table_names(database: Database) -> list[str]:
    async with database.read() as conn:
        return await conn.run_sync(lambda c: inspect(c).get_table_names())


async def _insert(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Write one batch of rows, ids included (a test replaces this to fail part way)."""
    await conn.execute(table.insert(), list(rows))


async def _copy_table(src: AsyncConnection, dst: AsyncConnection, table: Table) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = await src.stream(select(table).order_by(*order))
    copied = 0
    async for partition in result.partitions(BATCH_ROWS):
        rows = [dict(row._mapping) for row in partition]
        await _insert(dst, table, rows)
        copied += len(rows)
    return copied


async def _advance_sequences(dst: AsyncConnection) -> None:
    """PostgreSQL: each serial id's sequence continues after the largest copied id (rows
    inserted with explicit ids leave it at 1). SQLite takes max(rowid) + 1 by itself."""
    if dst.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        largest = select(func.max(column)).scalar_subquery()
        await dst.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, column.name),
                    func.coalesce(largest, 1),
                    largest.is_not(None),
                )
            )
        )


async def _prepare_target(target: Database) -> None:
    """Migrate a target with no tables to head; refuse one at another revision."""
    head = migrate.head_revision()
    await target.check()
    revision = await migrate.current_revision(target)
    if revision is None:
        if await _table_names(target):
            raise CopyRefused(
                "the target database has tables but no Marginalia schema; give copy-db a "
                "new, empty database. Nothing was written."
            )
        await migrate.upgrade(target)
    elif revision != head:
        migrate.refuse_newer(revision)
        raise CopyRefused(
            f"the target database is at schema {revision!r}, not {head!r}; give copy-db a "
            "new, empty database. Nothing was written."
        )


async def copy_database(source: Database, target: Database) -> list[TableCopy]:
    """Copy every row of ``source`` into ``target`` (see the module's docstring).

    Raises :class:`CopyRefused` (source not at head, target not empty) or
    :class:`CopyFailed` (target rolled back); DatabaseStartupError when either cannot be
    opened.
    """
    head = migrate.head_revision()
    await source.check()
    revision = await migrate.current_revision(source)
    migrate.refuse_newer(revision)
    if revision != head:
        raise CopyRefused(
            f"the source database is at schema {revision or 'empty'!r}, not {head!r}; run "
            "`marginalia migrate` on it first. Nothing was written."
        )
    await _prepare_target(target)
    tables = metadata.sorted_tables
    copied: list[TableCopy] = []
    current = ""
    try:
        async with source.read() as src, target.write() as dst:
            filled = [t.name for t in tables if await _count(dst, t)]
            if filled:
                raise CopyRefused(
                    f"the target database is not empty ({', '.join(filled[:3])}"
                    f"{' …' if len(filled) > 3 else ''} have rows); copy-db only fills a new, "
                    "empty database. Nothing was written."
                )
            for table in tables:
                current = table.name
                expected = await _count(src, table)
                await _copy_table(src, dst, table)
                found = await _count(dst, table)
                if found != expected:
                    raise CopyFailed(
                        f"{table.name}: {found} rows in the target, {expected} in the source; "
                        "the target was rolled back: nothing was written."
                    )
                copied.append(TableCopy(table.name, found))
            current = "sequences"
            await _advance_sequences(dst)
    except DBAPIError as exc:
        original = getattr(exc, "orig", None) or exc
        detail = str(original).splitlines()[0] if str(original) else type(original).__name__
        raise CopyFailed(
            f"copying {current} failed ({detail}); the target was rolled back: nothing was written."
        ) from None
    return copied
