"""ReadingService on a real SQLite database: progress, status changes, dates, re-reads,
history, and that nothing crosses from one server to another."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import member_settings as member_repo
from bot.db import readings as reading_repo
from bot.db.engine import Database
from bot.db.schema import progress_events
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.reading import ReadingStatus
from bot.errors import Conflict, InvalidInput, NotFound
from bot.render._kit import PagerView
from bot.render.reading import history_pages, paged
from bot.services.reading import ReadingService, event_instant
from tests.support.ids import ALICE, BOB, GUILD, OTHER_GUILD
from tests.support.ids import WEDNESDAY_NOON as NOW

TODAY = date(2026, 11, 18)


@pytest.fixture
def service(database: Database, clock: FakeClock) -> ReadingService:
    return ReadingService(database, clock)


async def _book(database: Database, title: str, pages: int | None) -> int:
    async with database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title=title, authors=("Ann Author",), page_count=pages, source="manual"), NOW
        )
    assert book.id is not None
    return book.id


@pytest.fixture
async def book(database: Database) -> int:
    return await _book(database, "Dune", 400)


@pytest.fixture
async def no_pages(database: Database) -> int:
    return await _book(database, "Unpaged", None)


async def _events(database: Database, guild: int = GUILD) -> list[tuple[str, int | None, int]]:
    async with database.read() as conn:
        rows = await conn.execute(
            select(progress_events.c.kind, progress_events.c.page, progress_events.c.pages_delta)
            .where(progress_events.c.guild_id == guild)
            .order_by(progress_events.c.id)
        )
        return [(k, p, d) for k, p, d in rows.all()]


# --- /progress update -----------------------------------------------------------------------


async def test_first_update_starts_a_reading_and_derives_the_percent(
    service: ReadingService, database: Database, book: int
) -> None:
    result = await service.update_progress(GUILD, ALICE, book, page=100, note="Great so far")
    assert result.started and not result.finished and result.kind == "progress"
    assert result.progress.page == 100 and result.progress.percent == 25.0
    assert result.view.reading.status is ReadingStatus.READING
    assert result.view.reading.started_on == TODAY
    assert result.view.number == 1 and result.pages_delta == 100
    assert result.progress.format() == "p. 100 of 400 · 25 %"
    assert await _events(database) == [("start", None, 0), ("progress", 100, 100)]


async def test_percent_update_derives_the_page(service: ReadingService, book: int) -> None:
    result = await service.update_progress(GUILD, ALICE, book, percent=45)
    assert result.progress.page == 180 and result.progress.mode == "percent"


async def test_going_backwards_is_a_recorded_correction(
    service: ReadingService, database: Database, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=120)
    back = await service.update_progress(GUILD, ALICE, book, page=90)
    assert back.kind == "correction" and back.pages_delta == -30
    assert back.previous is not None and back.previous.page == 120
    assert not back.started
    assert (await _events(database))[-1] == ("correction", 90, -30)


async def test_last_page_finishes_the_reading(
    service: ReadingService, database: Database, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=350)
    done = await service.update_progress(GUILD, ALICE, book, page=400)
    assert done.finished
    assert done.view.reading.status is ReadingStatus.FINISHED
    assert done.view.reading.finished_on == TODAY
    kinds = [k for k, _, _ in await _events(database)]
    assert kinds == ["start", "progress", "progress", "finish"]


async def test_hundred_percent_finishes_a_book_without_page_count(
    service: ReadingService, no_pages: int
) -> None:
    result = await service.update_progress(GUILD, ALICE, no_pages, percent=100)
    assert result.finished and result.progress.page is None


async def test_page_without_page_count_is_kept_without_percent(
    service: ReadingService, no_pages: int
) -> None:
    result = await service.update_progress(GUILD, ALICE, no_pages, page=5000)
    assert result.progress.page == 5000 and result.progress.percent is None
    assert not result.finished


@pytest.mark.parametrize(
    ("page", "percent", "fragment"),
    [
        (None, None, "Give a page, a percent or a chapter"),
        (-1, None, "can't be negative"),
        (None, 100.5, "between 0 and 100"),
        (None, -3, "between 0 and 100"),
        (None, float("nan"), "between 0 and 100"),
        (401, None, "This book has 400 pages, so page 401 is past the end"),
        (100, 60, "Page 100 of 400 is 25 %, not 60 %"),
    ],
)
async def test_bad_progress_is_refused_and_nothing_is_written(
    service: ReadingService,
    database: Database,
    book: int,
    page: int | None,
    percent: float | None,
    fragment: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await service.update_progress(GUILD, ALICE, book, page=page, percent=percent)
    assert fragment in caught.value.message
    assert await _events(database) == []


async def test_past_the_end_suggests_edition_pages(service: ReadingService, book: int) -> None:
    with pytest.raises(InvalidInput, match="edition_pages"):
        await service.update_progress(GUILD, ALICE, book, page=450)


async def test_consistent_page_and_percent_are_accepted(service: ReadingService, book: int) -> None:
    result = await service.update_progress(GUILD, ALICE, book, page=100, percent=26)
    assert result.progress.page == 100 and result.progress.percent == 25.0


async def test_edition_pages_override_the_book_and_stay_with_the_reading(
    service: ReadingService, book: int
) -> None:
    first = await service.update_progress(GUILD, ALICE, book, page=430, edition_pages=500)
    assert first.view.page_count == 500 and first.view.edition_differs
    assert first.progress.format() == "p. 430 of 500 · 86 %"
    later = await service.update_progress(GUILD, ALICE, book, page=450)
    assert later.view.page_count == 500 and later.progress.percent == 90.0
    with pytest.raises(InvalidInput, match="Your edition has 500 pages"):
        await service.update_progress(GUILD, ALICE, book, page=501)
    done = await service.update_progress(GUILD, ALICE, book, page=500)
    assert done.finished
    # a re-read inherits the edition
    again = await service.update_progress(GUILD, ALICE, book, page=10)
    assert again.view.number == 2 and again.view.page_count == 500


@pytest.mark.parametrize("edition", [0, -5, 50_001])
async def test_bad_edition_pages(service: ReadingService, book: int, edition: int) -> None:
    with pytest.raises(InvalidInput, match="edition_pages"):
        await service.update_progress(GUILD, ALICE, book, page=1, edition_pages=edition)


async def test_notes_are_cleaned_and_length_checked(
    service: ReadingService, database: Database, book: int
) -> None:
    result = await service.update_progress(
        GUILD, ALICE, book, page=10, note="  so\x00 good\u202e\n  @everyone  "
    )
    assert result.note == "so good @everyone"
    with pytest.raises(InvalidInput, match="The note is too long"):
        await service.update_progress(GUILD, ALICE, book, page=11, note="x" * 301)
    blank = await service.update_progress(GUILD, ALICE, book, page=12, note=" \x07 ")
    assert blank.note is None


async def test_update_resumes_a_paused_reading(service: ReadingService, book: int) -> None:
    await service.update_progress(GUILD, ALICE, book, page=50)
    await service.change_status(GUILD, ALICE, book, ReadingStatus.PAUSED)
    resumed = await service.update_progress(GUILD, ALICE, book, page=60)
    assert resumed.resumed and not resumed.started
    assert resumed.view.reading.status is ReadingStatus.READING
    assert resumed.pages_delta == 10


async def test_update_after_finishing_starts_a_reread(
    service: ReadingService, clock: FakeClock, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=400)
    with pytest.raises(Conflict, match="already finished this book today"):
        await service.update_progress(GUILD, ALICE, book, page=400)
    clock.advance(days=30)
    reread = await service.update_progress(GUILD, ALICE, book, page=20)
    assert reread.started and reread.view.number == 2
    assert reread.previous is None and reread.pages_delta == 20
    history = await service.history(GUILD, ALICE, book)
    assert [h.view.reading.status for h in history.readings] == [
        ReadingStatus.FINISHED,
        ReadingStatus.READING,
    ]


async def test_want_to_read_then_update_starts_it(service: ReadingService, book: int) -> None:
    wanted = await service.change_status(GUILD, ALICE, book, ReadingStatus.WANT_TO_READ)
    assert wanted.event_kind == "want" and wanted.view.reading.started_on is None
    started = await service.update_progress(GUILD, ALICE, book, page=5)
    assert started.started and started.view.number == 1
    assert started.view.reading.started_on == TODAY


# --- status changes and dates ---------------------------------------------------------------


async def test_backdated_start_and_finish(
    service: ReadingService, database: Database, book: int
) -> None:
    started = await service.change_status(
        GUILD, ALICE, book, ReadingStatus.READING, on="January 2007"
    )
    assert started.new_reading and started.view.reading.started_on == date(2007, 1, 1)
    finished = await service.change_status(
        GUILD, ALICE, book, ReadingStatus.FINISHED, on="2007-02-15"
    )
    reading = finished.view.reading
    assert reading.status is ReadingStatus.FINISHED
    assert reading.finished_on == date(2007, 2, 15)
    assert reading.progress_page == 400 and reading.progress_percent == 100
    history = await service.history(GUILD, ALICE, book)
    [only] = history.readings
    assert [e.kind for e in only.events] == ["start", "finish"]
    assert only.events[0].occurred_at == datetime(2007, 1, 1, 12, tzinfo=UTC)
    assert only.events[1].pages_delta == 400


async def test_finish_logs_a_past_read_without_a_start(service: ReadingService, book: int) -> None:
    result = await service.change_status(GUILD, ALICE, book, ReadingStatus.FINISHED, on="2019")
    assert result.new_reading and result.event_kind == "finish"
    assert result.view.reading.started_on is None
    assert result.view.reading.finished_on == date(2019, 1, 1)


async def test_future_dates_are_refused(service: ReadingService, book: int) -> None:
    for status in (ReadingStatus.READING, ReadingStatus.FINISHED, ReadingStatus.DID_NOT_FINISH):
        with pytest.raises(InvalidInput, match="in the future"):
            await service.change_status(GUILD, ALICE, book, status, on="2026-11-19")


async def test_dates_before_the_start_are_refused(service: ReadingService, book: int) -> None:
    await service.change_status(GUILD, ALICE, book, ReadingStatus.READING, on="2026-11-10")
    with pytest.raises(InvalidInput, match="before the start date"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.FINISHED, on="2026-11-01")
    with pytest.raises(InvalidInput, match="before this reading started"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.PAUSED, on="2026-11-09")
    with pytest.raises(InvalidInput, match="before this reading started"):
        await service.change_status(
            GUILD, ALICE, book, ReadingStatus.DID_NOT_FINISH, on="2026-11-09"
        )


async def test_unreadable_and_ambiguous_dates(service: ReadingService, book: int) -> None:
    with pytest.raises(InvalidInput, match="can't read"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.READING, on="someday")
    with pytest.raises(InvalidInput, match="day-first or month-first"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.READING, on="01/02/2007")


async def test_transitions_that_are_refused(service: ReadingService, book: int) -> None:
    with pytest.raises(InvalidInput, match="haven't started"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.PAUSED)
    await service.change_status(GUILD, ALICE, book, ReadingStatus.READING)
    with pytest.raises(InvalidInput, match="already marked"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.READING)
    with pytest.raises(InvalidInput, match="can't go back to want-to-read"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.WANT_TO_READ)


async def test_pause_resume_abandon_then_try_again(
    service: ReadingService, clock: FakeClock, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=80)
    paused = await service.change_status(GUILD, ALICE, book, ReadingStatus.PAUSED)
    assert paused.event_kind == "pause"
    resumed = await service.change_status(GUILD, ALICE, book, ReadingStatus.READING)
    assert resumed.event_kind == "resume" and not resumed.new_reading
    assert resumed.view.reading.started_on == TODAY  # a resume keeps the start date
    dropped = await service.change_status(GUILD, ALICE, book, ReadingStatus.DID_NOT_FINISH)
    assert dropped.view.reading.finished_on == TODAY
    assert dropped.view.reading.progress_page == 80  # abandoning keeps where you stopped
    with pytest.raises(InvalidInput, match="haven't started"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.PAUSED)
    clock.advance(days=1)
    again = await service.change_status(GUILD, ALICE, book, ReadingStatus.READING)
    assert again.new_reading and again.view.number == 2


async def test_finishing_twice_the_same_day_is_refused_but_a_dated_reread_is_not(
    service: ReadingService, book: int
) -> None:
    await service.change_status(GUILD, ALICE, book, ReadingStatus.FINISHED)
    with pytest.raises(Conflict, match="already finished this book"):
        await service.change_status(GUILD, ALICE, book, ReadingStatus.FINISHED)
    older = await service.change_status(GUILD, ALICE, book, ReadingStatus.FINISHED, on="2020")
    assert older.new_reading and older.view.number == 2


async def test_finish_without_page_count_is_100_percent(
    service: ReadingService, no_pages: int
) -> None:
    result = await service.change_status(GUILD, ALICE, no_pages, ReadingStatus.FINISHED)
    assert result.view.reading.progress_percent == 100 and result.view.reading.progress_page is None


async def test_start_with_edition_pages(service: ReadingService, book: int) -> None:
    result = await service.change_status(
        GUILD, ALICE, book, ReadingStatus.READING, edition_pages=320
    )
    assert result.view.page_count == 320
    update = await service.update_progress(GUILD, ALICE, book, page=160)
    assert update.progress.percent == 50.0


async def test_remove_want_to_read(service: ReadingService, book: int) -> None:
    with pytest.raises(NotFound, match="not on your want-to-read shelf"):
        await service.remove_want_to_read(GUILD, ALICE, book)
    await service.change_status(GUILD, ALICE, book, ReadingStatus.WANT_TO_READ)
    removed = await service.remove_want_to_read(GUILD, ALICE, book)
    assert removed.title == "Dune"
    history = await service.history(GUILD, ALICE, book)
    assert history.readings == ()


# --- show, history, scoping -----------------------------------------------------------------


async def test_current_lists_reading_and_paused(
    service: ReadingService, database: Database, book: int, no_pages: int
) -> None:
    third = await _book(database, "Wanted", 100)
    await service.update_progress(GUILD, ALICE, book, page=40)
    await service.update_progress(GUILD, ALICE, no_pages, percent=10)
    await service.change_status(GUILD, ALICE, no_pages, ReadingStatus.PAUSED)
    await service.change_status(GUILD, ALICE, third, ReadingStatus.WANT_TO_READ)
    current = await service.current(GUILD, ALICE)
    assert [v.book.title for v in current.reading] == ["Dune"]
    assert [v.book.title for v in current.paused] == ["Unpaged"]
    assert current.want_to_read == 1


async def test_nothing_crosses_servers(
    service: ReadingService, database: Database, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=100)
    other = await service.current(OTHER_GUILD, ALICE)
    assert other.reading == () and other.paused == () and other.want_to_read == 0
    assert (await service.history(OTHER_GUILD, ALICE, book)).readings == ()
    # the same member starts fresh in the other server
    there = await service.update_progress(OTHER_GUILD, ALICE, book, page=10)
    assert there.started and there.previous is None and there.view.number == 1
    assert await _events(database, OTHER_GUILD) == [("start", None, 0), ("progress", 10, 10)]
    async with database.read() as conn:
        assert (await reading_repo.current(conn, GUILD, BOB, book)) is None


async def test_history_keeps_every_dated_event(
    service: ReadingService, clock: FakeClock, book: int
) -> None:
    await service.update_progress(GUILD, ALICE, book, page=50, note="slow start")
    clock.advance(days=2)
    await service.update_progress(GUILD, ALICE, book, page=30)
    clock.advance(days=3)
    await service.update_progress(GUILD, ALICE, book, percent=100)
    history = await service.history(GUILD, ALICE, book)
    [reading] = history.readings
    kinds = [(e.kind, e.page, e.occurred_at.date()) for e in reading.events]
    assert kinds == [
        ("start", None, TODAY),
        ("progress", 50, TODAY),
        ("correction", 30, TODAY + timedelta(days=2)),
        ("progress", 400, TODAY + timedelta(days=5)),
        ("finish", 400, TODAY + timedelta(days=5)),
    ]
    assert reading.events[1].note == "slow start"


async def test_unknown_book_is_not_found(service: ReadingService) -> None:
    with pytest.raises(NotFound):
        await service.update_progress(GUILD, ALICE, 999_999, page=1)


def test_event_instants_now_on_the_members_today_else_noon_utc() -> None:
    late = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)
    assert event_instant(date(2026, 11, 18), late, date(2026, 11, 18)) == late
    # 12:30 on the 19th in Auckland: that member's today is the 19th
    assert event_instant(date(2026, 11, 19), late, date(2026, 11, 19)) == late
    assert event_instant(date(2026, 11, 18), late, date(2026, 11, 19)) == datetime(
        2026, 11, 18, 12, tzinfo=UTC
    )
    assert event_instant(date(2007, 1, 1), late, date(2026, 11, 18)) == datetime(
        2007, 1, 1, 12, tzinfo=UTC
    )


# --- each member's own today (/me timezone) -------------------------------------------------

# 11:30 UTC on 18 November: 00:30 on the 19th in Auckland, 03:30 on the 18th in Los Angeles
NEAR_MIDNIGHT = datetime(2026, 11, 18, 11, 30, tzinfo=UTC)


async def _zones(database: Database, server: str | None = None, **members: str) -> None:
    async with database.write() as conn:
        if server is not None:
            await settings_repo.update(conn, GUILD, NOW, digest_timezone=server)
        for user, zone in members.items():
            await member_repo.set_timezone(conn, GUILD, _USERS[user], zone, NOW)


_USERS = {"alice": ALICE, "bob": BOB}


async def test_a_progress_entry_lands_on_each_members_own_date(
    service: ReadingService, database: Database, clock: FakeClock, book: int
) -> None:
    clock.set(NEAR_MIDNIGHT)
    await _zones(database, alice="Pacific/Auckland", bob="America/Los_Angeles")
    alice = await service.update_progress(GUILD, ALICE, book, page=10)
    bob = await service.update_progress(GUILD, BOB, book, page=10)
    assert alice.view.reading.started_on == date(2026, 11, 19)
    assert bob.view.reading.started_on == date(2026, 11, 18)
    # in another server Alice has no zone of her own: UTC
    elsewhere = await service.update_progress(OTHER_GUILD, ALICE, book, page=10)
    assert elsewhere.view.reading.started_on == date(2026, 11, 18)


async def test_the_servers_digest_zone_is_the_default(
    service: ReadingService, database: Database, clock: FakeClock, book: int
) -> None:
    clock.set(NEAR_MIDNIGHT)
    await _zones(database, server="Pacific/Auckland", bob="America/Los_Angeles")
    alice = await service.update_progress(GUILD, ALICE, book, page=10)
    bob = await service.update_progress(GUILD, BOB, book, page=10)
    assert alice.view.reading.started_on == date(2026, 11, 19)
    assert bob.view.reading.started_on == date(2026, 11, 18)


async def test_finishing_on_the_members_today_is_not_the_future(
    service: ReadingService, database: Database, clock: FakeClock, book: int
) -> None:
    clock.set(NEAR_MIDNIGHT)
    await _zones(database, alice="Pacific/Auckland", bob="America/Los_Angeles")
    await service.check_date(GUILD, ALICE, "19 November 2026", ReadingStatus.FINISHED)
    with pytest.raises(InvalidInput, match="in the future"):
        await service.check_date(GUILD, BOB, "19 November 2026", ReadingStatus.FINISHED)
    with pytest.raises(InvalidInput, match="in the future"):
        await service.change_status(GUILD, BOB, book, ReadingStatus.FINISHED, on="19 November 2026")
    await service.change_status(GUILD, ALICE, book, ReadingStatus.READING, on="1 November 2026")
    result = await service.change_status(
        GUILD, ALICE, book, ReadingStatus.FINISHED, on="19 November 2026"
    )
    assert result.day == date(2026, 11, 19)
    history = await service.history(GUILD, ALICE, book)
    start, finish = history.readings[0].events
    # back-dated: noon UTC of its date; dated the member's today: the current instant
    assert start.occurred_at == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert finish.occurred_at == NEAR_MIDNIGHT


async def test_a_back_dated_entry_near_midnight_keeps_the_noon_utc_rule(
    service: ReadingService, database: Database, clock: FakeClock, book: int
) -> None:
    clock.set(NEAR_MIDNIGHT)
    await _zones(database, alice="Pacific/Auckland", bob="America/Los_Angeles")
    # "yesterday" for each of them is a different date
    alice = await service.change_status(
        GUILD, ALICE, book, ReadingStatus.READING, on="18 November 2026"
    )
    bob = await service.change_status(
        GUILD, BOB, book, ReadingStatus.READING, on="17 November 2026"
    )
    assert (alice.day, bob.day) == (date(2026, 11, 18), date(2026, 11, 17))
    [alice_start] = (await service.history(GUILD, ALICE, book)).readings[0].events
    [bob_start] = (await service.history(GUILD, BOB, book)).readings[0].events
    assert alice_start.occurred_at == datetime(2026, 11, 18, 12, tzinfo=UTC)
    assert bob_start.occurred_at == datetime(2026, 11, 17, 12, tzinfo=UTC)
    # today's entry without a date: each member's own today
    today = await service.change_status(GUILD, BOB, book, ReadingStatus.PAUSED)
    assert today.day == date(2026, 11, 18)


# --- rendering: long histories are paged, never cut -----------------------------------------


async def test_a_long_history_is_paged_within_discord_limits(
    service: ReadingService, clock: FakeClock, book: int
) -> None:
    for page in range(1, 61):
        await service.update_progress(GUILD, ALICE, book, page=page, note="n" * 100)
        clock.advance(hours=1)
    history = await service.history(GUILD, ALICE, book)
    pages = history_pages(history)
    assert len(pages) > 1
    for embed in pages:
        assert len(embed) <= 6000 and len(embed.description or "") <= 4096
        assert embed.footer.text is not None and embed.footer.text.startswith("Page ")
    text = "\n".join(e.description or "" for e in pages)
    assert text.count("D> · p. ") == 60  # every update, none cut
    view = paged(pages, owner_id=ALICE)
    assert isinstance(view["view"], PagerView) and view["embed"] is pages[0]
    # another member's notes are spoilers; the member's own are quoted
    theirs = "\n".join(e.description or "" for e in history_pages(history, "bob"))
    assert "note: ||" + "n" * 100 + "||" in theirs and "“" + "n" * 100 + "”" in text


async def test_a_stored_book_can_be_passed_instead_of_its_id(
    service: ReadingService, database: Database, book: int
) -> None:
    async with database.read() as conn:
        stored = await book_repo.get(conn, book)
    assert stored is not None
    result = await service.update_progress(GUILD, ALICE, stored, page=200)
    assert result.view.book == stored and result.progress.percent == 50.0
    with pytest.raises(ValueError, match="stored first"):
        await service.update_progress(GUILD, ALICE, Book(title="Unsaved"), page=1)
