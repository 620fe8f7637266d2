"""/progress update's optional chapter: kept as given, alone or with a page, shown in
/progress show and history, and never derived from pages."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.db import books as book_repo
from bot.db.engine import Database
from bot.db.schema import progress_events
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.reading import ReadingStatus
from bot.errors import InvalidInput
from bot.render.reading import current_pages, history_pages, progress_embed
from bot.services.reading import ReadingService
from tests.support.ids import ALICE, GUILD
from tests.support.ids import WEDNESDAY_NOON as NOW

TODAY = date(2026, 11, 18)


@pytest.fixture
def service(database: Database, clock: FakeClock) -> ReadingService:
    return ReadingService(database, clock)


@pytest.fixture
async def book(database: Database) -> int:
    async with database.write() as conn:
        stored = await book_repo.upsert(
            conn, Book(title="Dune", authors=("Ann Author",), page_count=400, source="manual"), NOW
        )
    assert stored.id is not None
    return stored.id


async def _events(database: Database) -> list[tuple[str, int | None, int | None]]:
    async with database.read() as conn:
        rows = await conn.execute(
            select(progress_events.c.kind, progress_events.c.page, progress_events.c.chapter)
            .where(progress_events.c.guild_id == GUILD)
            .order_by(progress_events.c.id)
        )
        return [(k, p, c) for k, p, c in rows.all()]


async def test_a_chapter_with_a_page_is_kept_with_it(
    service: ReadingService, database: Database, book: int
) -> None:
    result = await service.update_progress(GUILD, ALICE, book, page=100, chapter=5)
    assert result.view.reading.progress_chapter == 5 and result.chapter == 5
    assert result.progress is not None and result.progress.page == 100
    assert "p. 100 of 400 · 25 % · chapter 5" in (progress_embed(result).description or "")
    assert await _events(database) == [("start", None, None), ("progress", 100, 5)]


async def test_a_chapter_alone_leaves_the_page_as_it_was(
    service: ReadingService, database: Database, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=100)
    result = await service.update_progress(GUILD, ALICE, book, chapter=7)
    reading = result.view.reading
    assert (reading.progress_page, reading.progress_chapter) == (100, 7)
    assert result.pages_delta == 0 and not result.finished and result.kind == "progress"
    # a later page without a chapter keeps the chapter last logged
    later = await service.update_progress(GUILD, ALICE, book, page=150)
    assert later.view.reading.progress_chapter == 7
    current = await service.current(GUILD, ALICE)
    [page] = current_pages(current)
    assert "chapter 7" in str(page.to_dict())
    history = await service.history(GUILD, ALICE, book)
    text = str([p.to_dict() for p in history_pages(history)])
    assert "p. 100 of 400 · 25 % · chapter 7" in text
    assert (await _events(database))[-2] == ("progress", 100, 7)


async def test_a_chapter_alone_starts_a_reading_with_no_page(
    service: ReadingService, book: int
) -> None:
    result = await service.update_progress(GUILD, ALICE, book, chapter=2)
    assert result.started and result.progress is None
    assert result.view.reading.status is ReadingStatus.READING
    assert result.view.reading.progress_page is None
    assert "chapter 2" in (progress_embed(result).description or "")


@pytest.mark.parametrize("chapter", [0, -3, 10**6])
async def test_a_bad_chapter_is_refused(service: ReadingService, book: int, chapter: int) -> None:
    with pytest.raises(InvalidInput, match="chapter"):
        await service.update_progress(GUILD, ALICE, book, chapter=chapter)


async def test_nothing_given_names_the_chapter_too(service: ReadingService, book: int) -> None:
    with pytest.raises(InvalidInput, match="a page, a percent or a chapter"):
        await service.update_progress(GUILD, ALICE, book)
