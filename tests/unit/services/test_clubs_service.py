"""Club reads on a real SQLite database: pick, schedule, status, end, and typed dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.db import member_settings as member_repo
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.club import Standing
from bot.errors import Conflict, InvalidInput, NotFound
from bot.render.pace import pace_lines
from bot.services.clubs import ClubService, fallback_name
from tests.support.fakes import DictNames
from tests.support.ids import SATURDAY_NOON as NOW
from tests.support.seeders import Seeder

GUILD = 1001
OTHER_GUILD = 2002
TODAY = NOW.date()


@pytest.fixture
def seeder(database: Database) -> Seeder:
    return Seeder(database, now=NOW)


def service(
    database: Database, clock: FakeClock, names: dict[int, str] | None = None
) -> ClubService:
    return ClubService(database, clock, DictNames(names or {}))


async def stored_book(seeder: Seeder, title: str = "Middlemarch", pages: int | None = 880) -> Book:
    book_id = await seeder.book(title, authors=("George Eliot",), pages=pages)
    return Book(title=title, authors=("George Eliot",), page_count=pages, id=book_id)


def test_fallback_name() -> None:
    assert fallback_name(123456789) == "member …6789"


# --- pick / schedule / end ---------------------------------------------------------------------


async def test_pick_one_active_club_per_guild(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    clubs = service(database, clock)
    book = await stored_book(seeder)
    view = await clubs.pick(GUILD, 7, book, start=None, end="31 Jan 2027", channel_id=55)
    assert view.club.title == "Middlemarch" and view.club.starts_on == TODAY
    assert view.club.ends_on == date(2027, 1, 31) and view.club.channel_id == 55
    with pytest.raises(Conflict, match="already reading “Middlemarch”"):
        await clubs.pick(GUILD, 7, book, start=None, end=None, channel_id=55)
    other = await clubs.pick(OTHER_GUILD, 8, book, start=None, end=None, channel_id=66)
    assert other.club.guild_id == OTHER_GUILD  # another server has its own club


async def test_pick_refuses_bad_dates(database: Database, seeder: Seeder, clock: FakeClock) -> None:
    clubs = service(database, clock)
    book = await stored_book(seeder)
    with pytest.raises(InvalidInput, match="before the start"):
        await clubs.pick(GUILD, 7, book, start="2026-12-10", end="2026-12-01", channel_id=1)
    with pytest.raises(InvalidInput, match="already passed"):
        await clubs.pick(GUILD, 7, book, start="2026-10-01", end="2026-11-01", channel_id=1)
    with pytest.raises(InvalidInput, match="can't read"):
        await clubs.pick(GUILD, 7, book, start="next week-ish", end=None, channel_id=1)


async def test_checkpoints_are_validated_and_sorted(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    clubs = service(database, clock)
    with pytest.raises(NotFound, match="/club pick"):
        await clubs.add_checkpoint(GUILD, label="x", until_page=1, until_percent=None, due="today")
    book = await stored_book(seeder, pages=880)
    await clubs.pick(GUILD, 7, book, start="2026-11-21", end="2027-01-31", channel_id=1)
    with pytest.raises(InvalidInput, match="880 pages"):
        await clubs.add_checkpoint(
            GUILD, label="Too far", until_page=900, until_percent=None, due="2026-12-01"
        )
    with pytest.raises(InvalidInput, match="before the club starts"):
        await clubs.add_checkpoint(
            GUILD, label="Early", until_page=10, until_percent=None, due="2026-11-01"
        )
    with pytest.raises(InvalidInput, match="after the club ends"):
        await clubs.add_checkpoint(
            GUILD, label="Late", until_page=10, until_percent=None, due="2027-02-10"
        )
    with pytest.raises(InvalidInput, match="either until_page or until_percent"):
        await clubs.add_checkpoint(
            GUILD, label="Both", until_page=10, until_percent=5.0, due="2026-12-01"
        )
    _, view = await clubs.add_checkpoint(
        GUILD, label="Book Two", until_page=400, until_percent=None, due="2026-12-20"
    )
    added, view = await clubs.add_checkpoint(
        GUILD, label="Book One", until_percent=20.0, until_page=None, due="2026-12-06"
    )
    assert added.reach.describe() == "20%"
    assert [c.label for c in view.checkpoints] == ["Book One", "Book Two"]
    assert view.current is not None and view.current.label == "Book One"
    with pytest.raises(InvalidInput, match="must reach at least as far"):
        await clubs.add_checkpoint(
            GUILD, label="Odd", until_page=100, until_percent=None, due="2027-01-10"
        )
    with pytest.raises(Conflict, match="already a checkpoint"):
        await clubs.add_checkpoint(
            GUILD, label="book one", until_page=500, until_percent=None, due="2027-01-10"
        )


async def test_status_sorted_spoiler_free_and_private(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await stored_book(seeder, pages=400)
    names = {1: "Finn", 2: "Ada", 3: "Bea", 4: "Cy", 5: "Hidden", 6: "Old"}
    clubs = service(database, clock, names)
    await clubs.pick(GUILD, 9, book, start="2026-11-01", end=None, channel_id=1)
    await clubs.add_checkpoint(
        GUILD, label="Part One", until_page=100, until_percent=None, due="2026-11-15"
    )
    await clubs.add_checkpoint(
        GUILD, label="Part Two", until_page=250, until_percent=None, due="2026-11-29"
    )
    assert book.id is not None
    await seeder.reading(GUILD, 1, book.id, status="finished", finished_on=TODAY)
    await seeder.reading(GUILD, 2, book.id, page=200)
    await seeder.reading(GUILD, 3, book.id, page=50)  # behind Part One
    await seeder.reading(GUILD, 4, book.id, status="want-to-read")
    await seeder.reading(GUILD, 5, book.id, page=300)
    await seeder.opt_out(GUILD, 5)
    await seeder.reading(GUILD, 6, book.id, status="finished", updated_at=NOW - timedelta(days=900))
    await seeder.reading(GUILD, 7, book.id, page=10, override=100)  # another edition: 10 %
    await seeder.reading(OTHER_GUILD, 8, book.id, page=399)
    status = await clubs.status(GUILD)
    shown = [(m.progress.display_name, m.standing) for m in status.members]
    assert shown == [
        ("Finn", Standing.FINISHED),
        ("Ada", Standing.ON_TRACK),
        ("Bea", Standing.BEHIND),
        ("member …0007", Standing.BEHIND),  # 10 % < 25 % (p. 100 of 400)
        ("Cy", Standing.BEHIND),  # not started, but Part One is past due
    ]
    assert status.behind == 3
    assert status.summary.members == 5 and status.summary.finished == 1
    assert status.view.current is not None and status.view.current.label == "Part Two"
    percents = {m.progress.user_id: m.percent for m in status.members}
    assert percents[2] == 50.0 and percents[7] == pytest.approx(10.0)


async def test_end_summarises_and_keeps_history(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await stored_book(seeder, pages=200)
    clubs = service(database, clock, {1: "A", 2: "B"})
    await clubs.pick(GUILD, 9, book, start=None, end=None, channel_id=1)
    assert book.id is not None
    await seeder.reading(GUILD, 1, book.id, status="finished", finished_on=TODAY)
    await seeder.reading(GUILD, 2, book.id, page=100)
    ended = await clubs.end(GUILD)
    assert ended.summary.members == 2 and ended.summary.finished == 1
    assert ended.summary.average_percent == pytest.approx(75.0)
    with pytest.raises(NotFound, match="The last one was “Middlemarch”"):
        await clubs.status(GUILD)
    with pytest.raises(NotFound):
        await clubs.end(GUILD)
    # a new club can start after the last one ended
    again = await clubs.pick(GUILD, 9, book, start=None, end=None, channel_id=1)
    assert again.club.status == "active"


# --- /progress pace ----------------------------------------------------------------------------


async def test_pace_towards_the_next_checkpoint_by_the_members_today(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    clubs = service(database, clock)
    with pytest.raises(NotFound, match="no club read"):
        await clubs.pace(GUILD, 3)
    book = await stored_book(seeder, pages=400)
    other = await stored_book(seeder, "Emma", pages=300)
    assert book.id is not None and other.id is not None
    await clubs.pick(GUILD, 9, book, start="2026-11-11", end=None, channel_id=1)
    with pytest.raises(NotFound, match="no checkpoints yet"):
        await clubs.pace(GUILD, 3)
    await clubs.add_checkpoint(
        GUILD, label="Part One", until_page=100, until_percent=None, due="2026-11-21"
    )
    await clubs.add_checkpoint(
        GUILD, label="Part Two", until_page=300, until_percent=None, due="2026-12-11"
    )
    with pytest.raises(InvalidInput, match="club is reading “Middlemarch”"):
        await clubs.pace(GUILD, 3, other.id)

    # nothing logged: Part One is due today (Saturday), 100 pages in one day, behind
    fresh = await clubs.pace(GUILD, 3, book.id)
    assert not fresh.logged and fresh.pace.state == "behind"
    assert fresh.pace.checkpoint is not None and fresh.pace.checkpoint.label == "Part One"
    assert fresh.pace.days_left == 1 and fresh.pace.per_day == 100
    assert "not logged any progress" in "\n".join(pace_lines(fresh))

    await seeder.reading(GUILD, 3, book.id, page=150)
    ahead = await clubs.pace(GUILD, 3)
    assert ahead.pace.state == "on-track" and ahead.pace.checkpoint is not None
    assert ahead.pace.checkpoint.label == "Part Two" and ahead.pace.left == 150
    text = "\n".join(pace_lines(ahead))
    assert "150 pages to go in 21 days" in text and "about **8 pages a day**" in text
    assert "On track: a steady reader would be at p. 100 today" in text

    # in Auckland it is already Sunday: Part One's date has passed for them
    async with database.write() as conn:
        await member_repo.set_timezone(conn, GUILD, 4, "Pacific/Auckland", NOW)
    clock.set(NOW.replace(hour=13))
    await seeder.reading(GUILD, 4, book.id, page=90)
    late = await clubs.pace(GUILD, 4)
    assert late.view.today == TODAY + timedelta(days=1)
    assert late.pace.state == "behind" and late.pace.overdue == 1
    assert "not reached 1 checkpoint whose date has passed" in "\n".join(pace_lines(late))

    await seeder.reading(GUILD, 5, book.id, status="finished", finished_on=TODAY)
    done = await clubs.pace(GUILD, 5)
    assert done.pace.state == "done" and "finished the book" in pace_lines(done)[0]
