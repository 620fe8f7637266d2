"""GoalService and StatsService on a real SQLite database (the chart: tests/unit/render/)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db import books as book_repo
from bot.db import member_settings as member_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.reading import ReadingStatus
from bot.errors import InvalidInput
from bot.services.goals import GoalService
from bot.services.reading import ReadingService
from bot.services.stats import StatsService, chart_months, top_authors
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD
from tests.support.ids import WEDNESDAY_NOON as NOW


@pytest.fixture
def readings(database: Database, clock: FakeClock) -> ReadingService:
    return ReadingService(database, clock)


async def _book(database: Database, title: str, author: str, pages: int | None) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title=title, authors=(author,), page_count=pages, source="manual"), NOW
        )
    assert book.id is not None
    return book.id


async def _finish(readings: ReadingService, book: int, on: str, user: int = ALICE) -> None:
    await readings.change_status(GUILD, user, book, ReadingStatus.FINISHED, on=on)


# --- goals ----------------------------------------------------------------------------------


async def test_goal_set_show_and_replace(
    database: Database, clock: FakeClock, readings: ReadingService
) -> None:
    goals = GoalService(database, clock)
    assert await goals.show(GUILD, ALICE) is None
    first = await goals.set_goal(GUILD, ALICE, 24)
    assert first.year == 2026 and first.previous_target is None and first.finished == 0
    for i, on in enumerate(("2026-01-10", "2026-03-05", "2026-06-01", "2025-12-31")):
        await _finish(readings, await _book(database, f"Book {i}", "A", 100), on)
    shown = await goals.show(GUILD, ALICE)
    assert shown is not None and shown.finished == 3  # the 2025 finish is not this year's
    assert [b.title for b in shown.recent] == ["Book 2", "Book 1", "Book 0"]
    assert shown.pace.state == "behind" and shown.pace.expected == 21
    replaced = await goals.set_goal(GUILD, ALICE, 3)
    assert replaced.previous_target == 24 and replaced.pace.state == "done"
    assert replaced.pace.describe() == "Goal reached!"
    past = await goals.set_goal(GUILD, ALICE, 1, 2025)
    assert past.finished == 1 and past.pace.state == "done"
    assert await goals.show(OTHER_GUILD, ALICE) is None
    assert await goals.show(GUILD, BOB) is None


async def test_this_year_is_the_year_of_the_members_own_today(
    database: Database, clock: FakeClock
) -> None:
    # 11:30 UTC on 31 December: already 1 January 2027 in Auckland
    clock.set(datetime(2026, 12, 31, 11, 30, tzinfo=UTC))
    async with database.write() as conn:
        await member_repo.set_timezone(conn, GUILD, ALICE, "Pacific/Auckland", NOW)
        await member_repo.set_timezone(conn, GUILD, BOB, "America/Los_Angeles", NOW)
    goals = GoalService(database, clock)
    assert (await goals.set_goal(GUILD, ALICE, 12)).year == 2027
    assert (await goals.set_goal(GUILD, BOB, 12)).year == 2026
    shown = await goals.show(GUILD, ALICE)
    assert shown is not None and shown.year == 2027


@pytest.mark.parametrize(
    ("target", "year", "fragment"),
    [(0, None, "between 1 and 1000"), (1001, None, "between 1 and 1000"), (5, 2030, "2016–2027")],
)
async def test_bad_goals(
    database: Database, clock: FakeClock, target: int, year: int | None, fragment: str
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        await GoalService(database, clock).set_goal(GUILD, ALICE, target, year)


async def test_rereads_count_towards_the_goal(
    database: Database, clock: FakeClock, readings: ReadingService
) -> None:
    book = await _book(database, "Dune", "Frank Herbert", 400)
    await _finish(readings, book, "2026-02-01")
    await _finish(readings, book, "2026-09-01")
    status = await GoalService(database, clock).set_goal(GUILD, ALICE, 10)
    assert status.finished == 2 and [b.title for b in status.recent] == ["Dune"]


# --- stats ----------------------------------------------------------------------------------


async def test_stats_for_a_year_and_all_time(
    database: Database, clock: FakeClock, readings: ReadingService
) -> None:
    dune = await _book(database, "Dune", "Frank Herbert", 400)
    messiah = await _book(database, "Dune Messiah", "Frank Herbert", 250)
    emma = await _book(database, "Emma", "Jane Austen", None)
    old = await _book(database, "Persuasion", "Jane Austen", 300)
    dropped = await _book(database, "Ulysses", "James Joyce", 700)
    await _finish(readings, dune, "2026-01-15")
    await _finish(readings, messiah, "2026-03-02")
    await _finish(readings, emma, "2026-03-20")
    await _finish(readings, old, "2024-05-05")
    await readings.update_progress(GUILD, ALICE, dropped, page=50)
    await readings.change_status(GUILD, ALICE, dropped, ReadingStatus.DID_NOT_FINISH)
    current = await _book(database, "Middlemarch", "George Eliot", 800)
    await readings.update_progress(GUILD, ALICE, current, page=12)
    async with database.write() as conn:
        await rating_repo.put(conn, GUILD, ALICE, dune, 18, NOW)  # 4.5
        await rating_repo.put(conn, GUILD, ALICE, messiah, 12, NOW)  # 3
        await rating_repo.put(conn, GUILD, ALICE, old, 20, NOW)  # 5, read in 2024
        await rating_repo.put(conn, OTHER_GUILD, ALICE, emma, 2, NOW)  # another server

    stats = StatsService(database, clock)
    year = await stats.stats(GUILD, ALICE, 2026)
    assert year.books_finished == 3
    assert year.pages_finished == 650 and year.books_without_page_count == 1
    assert year.did_not_finish == 1 and year.reading_now == 1
    assert year.rating_count == 2 and year.average_stars == 3.75
    assert year.top_authors == (("Frank Herbert", 2), ("Jane Austen", 1))
    assert [m.books for m in year.per_month] == [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert year.longest is not None and year.longest.title == "Dune"
    assert year.chart_title == "Books finished per month in 2026"

    ever = await stats.stats(GUILD, ALICE)
    assert ever.year is None and ever.books_finished == 4 and ever.pages_finished == 950
    assert ever.rating_count == 3 and ever.average_quarters == pytest.approx(50 / 3)
    assert ever.top_authors[0] == ("Frank Herbert", 2) and ("Jane Austen", 2) in ever.top_authors
    # the last twelve months: Dec 2025 … Nov 2026, so the 2024 finish is not charted
    assert (ever.per_month[0].year, ever.per_month[0].month) == (2025, 12)
    assert sum(m.books for m in ever.per_month) == 3

    nobody = await stats.stats(OTHER_GUILD, ALICE)
    assert nobody.books_finished == 0 and nobody.rating_count == 1 and nobody.longest is None


async def test_stats_year_must_not_be_in_the_future(database: Database, clock: FakeClock) -> None:
    stats = StatsService(database, clock)
    with pytest.raises(InvalidInput, match="hasn't happened yet"):
        await stats.stats(GUILD, ALICE, 2027)
    with pytest.raises(InvalidInput, match="from 1900"):
        await stats.stats(GUILD, ALICE, 1850)


async def test_edition_pages_count_in_pages_finished(
    database: Database, clock: FakeClock, readings: ReadingService
) -> None:
    book = await _book(database, "Dune", "Frank Herbert", 400)
    await readings.update_progress(GUILD, ALICE, book, page=520, edition_pages=520)
    stats = await StatsService(database, clock).stats(GUILD, ALICE, 2026)
    assert stats.books_finished == 1 and stats.pages_finished == 520


def test_chart_months_and_top_authors() -> None:
    assert chart_months(2020, date(2026, 1, 1))[0] == (2020, 1)
    months = chart_months(None, date(2026, 2, 10))
    assert months[0] == (2025, 3) and months[-1] == (2026, 2) and len(months) == 12
    books = [
        Book(title="A", authors=("Le Guin", "le guin "), id=1),
        Book(title="B", authors=("Le Guin",), id=2),
        Book(title="C", authors=("Austen",), id=3),
        Book(title="A again", authors=("Le Guin",), id=1),
    ]
    assert top_authors(books) == [("Le Guin", 2), ("Austen", 1)]


async def test_stats_year_and_months_are_the_members_own(
    database: Database, clock: FakeClock, readings: ReadingService
) -> None:
    # 31 Dec 2026 11:30 UTC is already 1 Jan 2027 in Auckland, still 31 Dec in Los Angeles
    clock.set(datetime(2026, 12, 31, 11, 30, tzinfo=UTC))
    async with database.write() as conn:
        await member_repo.set_timezone(conn, GUILD, ALICE, "Pacific/Auckland", NOW)
        await member_repo.set_timezone(conn, GUILD, BOB, "America/Los_Angeles", NOW)
    stats = StatsService(database, clock)
    stats.check_year(2027)  # before the zone is read: begun somewhere on Earth
    alice = await stats.stats(GUILD, ALICE, 2027)
    assert alice.year == 2027 and alice.books_finished == 0
    with pytest.raises(InvalidInput, match=r"2027 hasn't happened yet.*from 1900 to 2026"):
        await stats.stats(GUILD, BOB, 2027)
    # the last twelve months end with the member's own month
    ever_alice = await stats.stats(GUILD, ALICE)
    assert (ever_alice.per_month[-1].year, ever_alice.per_month[-1].month) == (2027, 1)
    ever_bob = await stats.stats(GUILD, BOB)
    assert (ever_bob.per_month[-1].year, ever_bob.per_month[-1].month) == (2026, 12)
    with pytest.raises(InvalidInput, match="2028 hasn't happened yet"):
        stats.check_year(2028)
