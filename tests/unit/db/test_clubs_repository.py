"""The clubs repository on a real database: what it tells the service in words of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import books as book_repo
from bot.db import clubs as club_repo
from bot.db.engine import Database
from bot.domain.book import Book

GUILD = 1001
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


async def test_a_second_active_club_is_refused_as_active_club_exists(database: Database) -> None:
    """The partial unique index's IntegrityError does not leave the repository: the
    service sees ActiveClubExists (and never imports SQLAlchemy to catch it)."""

    async def create(conn: AsyncConnection, book_id: int) -> int:
        return await club_repo.create_club(
            conn,
            guild_id=GUILD,
            book_id=book_id,
            channel_id=None,
            starts_on=None,
            ends_on=None,
            created_by=7,
            now=NOW,
        )

    async with database.write() as conn:
        book = await book_repo.upsert(conn, Book(title="Middlemarch", source="manual"), NOW)
        assert book.id is not None
        await create(conn, book.id)
    with pytest.raises(club_repo.ActiveClubExists):
        async with database.write() as conn:
            await create(conn, book.id)
    async with database.read() as conn:
        active = await club_repo.active_club(conn, GUILD)
    assert active is not None and active.book_id == book.id
