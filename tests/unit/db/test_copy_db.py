"""`marginalia copy-db --to URL`: a populated SQLite database into a new PostgreSQL one.

The source is always a SQLite file filled through the services (tests/support/populate.py);
the target is a new PostgreSQL database in both runs (skipped without a server, failed
under CI=true: see conftest's ``postgres_empty_url``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import copy as copy_module
from bot.db import migrate
from bot.db.copy import CopyFailed, CopyRefused, copy_database
from bot.db.engine import Database
from bot.db.schema import metadata
from bot.domain.clock import FakeClock
from bot.services.books import BookService
from tests.support.cli import run_cli
from tests.support.fakes import OfflineCatalogue
from tests.support.populate import START, populate


@pytest.fixture
async def source(tmp_path: Path) -> AsyncIterator[tuple[str, Database]]:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    database = Database.from_url(url)
    await migrate.upgrade(database)
    await populate(database)
    try:
        yield url, database
    finally:
        await database.close()


async def counts(database: Database) -> dict[str, int]:
    async with database.read() as conn:
        return {
            table.name: int(
                (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            )
            for table in metadata.sorted_tables
        }


async def rows(database: Database, table_name: str) -> list[dict[str, Any]]:
    table = metadata.tables[table_name]
    order = list(table.primary_key.columns) or list(table.columns)
    async with database.read() as conn:
        result = await conn.execute(select(table).order_by(*order))
        return [dict(row._mapping) for row in result]


async def test_copy_db_copies_every_row(
    tmp_path: Path, source: tuple[str, Database], postgres_empty_url: str
) -> None:
    source_url, source_db = source
    result = run_cli(
        tmp_path, "copy-db", "--to", postgres_empty_url, env={"DATABASE_URL": source_url}
    )
    assert result.returncode == 0, result.stderr
    expected = await counts(source_db)
    populated = [name for name, n in expected.items() if n]
    # the seeder reaches most of the schema
    for name in ("books", "ratings", "reviews", "review_likes", "review_flags", "readings"):
        assert name in populated
    assert len(populated) >= 14, expected
    target = Database.from_url(postgres_empty_url)
    try:
        assert await migrate.current_revision(target) == migrate.head_revision()
        assert await counts(target) == expected
        for name in ("books", "ratings", "reviews", "progress_events", "shelf_books", "clubs"):
            assert await rows(target, name) == await rows(source_db, name), name
        for name in populated:
            assert f"  {name:<24} {expected[name]:>9}" in result.stdout
        assert f"{sum(expected.values())} rows in {len(expected)} tables" in result.stdout
        assert "PostgreSQL at " in result.stdout

        # the id sequences continue after the copied ids
        books = BookService(target, OfflineCatalogue(), FakeClock(START))
        book, created = await books.add_manual(1001, 11, title="Orlando", author="Virginia Woolf")
        assert created
        assert book.id == max(row["id"] for row in await rows(source_db, "books")) + 1

        again = run_cli(
            tmp_path, "copy-db", "--to", postgres_empty_url, env={"DATABASE_URL": source_url}
        )
        assert again.returncode == 1
        lines = [line for line in again.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "not empty" in lines[0], again.stderr
        assert "Traceback" not in again.stderr
        assert (await counts(target))["books"] == expected["books"] + 1
    finally:
        await target.close()


async def test_a_failure_midway_leaves_the_target_empty(
    source: tuple[str, Database], postgres_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, source_db = source
    real_insert = copy_module._insert
    inserted: list[str] = []

    async def failing_insert(
        conn: AsyncConnection, table: Any, batch: Sequence[dict[str, Any]]
    ) -> None:
        if table.name == "reviews":
            raise OperationalError("INSERT INTO reviews", {}, Exception("injected failure"))
        await real_insert(conn, table, batch)
        inserted.append(table.name)

    monkeypatch.setattr(copy_module, "_insert", failing_insert)
    target = Database.from_url(postgres_empty_url)
    try:
        with pytest.raises(CopyFailed, match=r"copying reviews failed .*injected failure"):
            await copy_database(source_db, target)
        assert "books" in inserted and "ratings" in inserted  # rows were written, then undone
        assert set((await counts(target)).values()) == {0}
        monkeypatch.setattr(copy_module, "_insert", real_insert)
        copied = await copy_database(source_db, target)  # nothing left behind: it can run
        assert {t.name: t.rows for t in copied} == await counts(source_db)
    finally:
        await target.close()


async def test_an_unmigrated_source_is_refused(tmp_path: Path, postgres_empty_url: str) -> None:
    empty = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    target = Database.from_url(postgres_empty_url)
    try:
        with pytest.raises(CopyRefused, match="marginalia migrate"):
            await copy_database(empty, target)
    finally:
        await target.close()
        await empty.close()
