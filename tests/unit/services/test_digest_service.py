"""The digest's content from a real SQLite database: numbers, privacy, limits, send-now.

``Seeder`` writes rows straight into the schema (the progress/ratings/reviews features are
other modules; the digest reads their tables), so these tests fix exactly what happened in
the week and check the digest says it.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from bot.db import digest as digest_repo
from bot.db import quotes as quote_repo
from bot.db.engine import Database
from bot.db.schema import (
    progress_events,
)
from bot.digest_cli import run_digest_preview
from bot.domain.clock import FakeClock
from bot.domain.digest import (
    Digest,
    reading_streak,
    split_for_embeds,
)
from bot.domain.embed_fit import embed_limit_problems
from bot.domain.progress_gate import Position
from bot.errors import Conflict, InvalidInput
from bot.render.digest import chart_data, digest_embeds
from bot.services.digest import (
    NAME_BUDGET,
    DigestService,
    FailureKind,
    PostingFailed,
    WeekData,
    names_wanted,
)
from tests.support.discord_markdown import spoiler_count, spoiler_text, visible_outside_spoilers
from tests.support.fakes import DictNames
from tests.support.ids import SUNDAY_EVENING
from tests.support.seeders import BODY, HEADLINE, SPOILER, WARNING, Seeder, event

GUILD = 1001
OTHER_GUILD = 2002
NOW = SUNDAY_EVENING
WEEK_START = NOW - timedelta(days=7)


# --- a generated week for 30 members ----------------------------------------------------------


@dataclass
class Expected:
    pages: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    started: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    finished: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    ratings: list[tuple[int, int, int]] = field(default_factory=list)  # user, book, quarters
    reviews: list[int] = field(default_factory=list)  # reviewer ids
    opted_out: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)
    book_titles: dict[int, str] = field(default_factory=dict)


MEMBERS = [100 + i for i in range(30)]


async def generate_week(seeder: Seeder, seed: int = 7) -> Expected:
    """30 members: pages on random days, starts, finishes, ratings, reviews (with spoiler
    text), three opted out, plus noise outside the window and in another guild."""
    rng = random.Random(seed)
    expected = Expected()
    expected.names = {u: f"Reader{u}" for u in MEMBERS}
    expected.opted_out = {MEMBERS[3], MEMBERS[11], MEMBERS[20]}
    titles = ["Sabriel", "Invisible Cities", "Dune", "Piranesi", "Kindred"]
    book_ids = [await seeder.book(t, authors=(f"Author of {t}",)) for t in titles]
    expected.book_titles = dict(zip(book_ids, titles, strict=True))
    rows: list[dict[str, Any]] = []
    for user in MEMBERS:
        book = rng.choice(book_ids)
        reading = await seeder.reading(GUILD, user, book)
        for _ in range(rng.randint(0, 8)):
            when = WEEK_START + timedelta(minutes=rng.randint(1, 7 * 24 * 60 - 1))
            pages = rng.randint(-5, 60)
            rows.append(event(GUILD, user, reading, book, when, pages=pages))
            expected.pages[user] += pages
        if rng.random() < 0.4:
            rows.append(
                event(GUILD, user, reading, book, WEEK_START + timedelta(days=1), kind="start")
            )
            expected.started[user] += 1
        if rng.random() < 0.3:
            rows.append(
                event(GUILD, user, reading, book, NOW - timedelta(hours=3), kind="finish", pages=10)
            )
            expected.pages[user] += 10
            expected.finished[user] += 1
        # noise: before the window, and the same member in another guild
        rows.append(event(GUILD, user, reading, book, WEEK_START - timedelta(minutes=1), pages=999))
        rows.append(event(OTHER_GUILD, user, reading, book, NOW - timedelta(hours=1), pages=777))
        if rng.random() < 0.5:
            quarters = rng.randint(2, 20)
            await seeder.rate(GUILD, user, book, quarters, NOW - timedelta(days=2))
            expected.ratings.append((user, book, quarters))
        if rng.random() < 0.3:
            await seeder.review(GUILD, user, book, NOW - timedelta(days=1))
            expected.reviews.append(user)
    await seeder.review(GUILD, MEMBERS[0], book_ids[0], WEEK_START - timedelta(hours=1))  # too old
    await seeder.review(OTHER_GUILD, MEMBERS[1], book_ids[0], NOW - timedelta(hours=1))  # elsewhere
    await seeder.events(rows)
    for user in expected.opted_out:
        await seeder.opt_out(GUILD, user)
    return expected


def _digest_text(digest: Digest) -> str:
    specs = split_for_embeds(digest)
    parts = [digest.to_text()]
    for spec in specs:
        parts += [spec.title or "", spec.description or "", spec.footer or ""]
        parts += [f"{f.name}\n{f.value}" for f in spec.fields]
    return "\n".join(parts)


@pytest.fixture
def seeder(database: Database) -> Seeder:
    return Seeder(database)


async def test_generated_week_for_30_members(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    expected = await generate_week(seeder)
    names = DictNames(expected.names)
    built = await DigestService(database, clock, names).build(GUILD)
    digest = built.digest
    counted = [u for u in MEMBERS if u not in expected.opted_out]
    readers = [
        u
        for u in counted
        if max(0, expected.pages[u]) > 0 or expected.started[u] or expected.finished[u]
    ]
    assert digest.totals.pages == sum(max(0, expected.pages[u]) for u in counted)
    assert digest.totals.readers == len(readers)
    assert digest.totals.started == sum(expected.started[u] for u in counted)
    assert digest.totals.finished == sum(expected.finished[u] for u in counted)
    assert digest.totals.reviews == sum(1 for u in expected.reviews if u not in expected.opted_out)
    assert digest.totals.ratings == sum(
        1 for r in expected.ratings if r[0] not in expected.opted_out
    )
    # every reader's own number is in the digest next to their name
    by_id = {m.user_id: m for m in digest.readers}
    assert set(by_id) == set(readers)
    for user in readers:
        assert by_id[user].pages == max(0, expected.pages[user])
        assert by_id[user].display_name == f"Reader{user}"
    text = _digest_text(digest)
    assert f"{digest.totals.pages:,} pages read by {len(readers)} members" in text
    top = digest.readers[0]
    assert f"**Reader{top.user_id}** — {top.pages:,} pages" in text
    # the week's top-rated book, computed here from the opted-in ratings
    per_book: dict[int, list[int]] = defaultdict(list)
    for user, book, quarters in expected.ratings:
        if user not in expected.opted_out:
            per_book[book].append(quarters)
    best = max(per_book.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), len(kv[1])))
    assert digest.top_books[0].average_quarters == pytest.approx(sum(best[1]) / len(best[1]))
    assert digest.top_books[0].title == expected.book_titles[best[0]]
    # privacy: no review text at all, no opted-out member anywhere (names, chart, names asked)
    for secret in (SPOILER, BODY, HEADLINE, WARNING):
        assert secret not in text
    for user in expected.opted_out:
        assert f"Reader{user}" not in text
        assert user not in names.asked
    chart = chart_data(digest)
    assert chart is not None
    assert not any(f"Reader{u}" in label for u in expected.opted_out for label in chart.labels)
    # links to the posted reviews
    assert f"https://discord.com/channels/{GUILD}/777/555" in text
    # noise stayed out
    assert "999" not in text and "777 pages" not in text
    # fits Discord
    specs = split_for_embeds(digest)
    assert embed_limit_problems(specs) == []
    embeds = digest_embeds(digest, chart=True)
    assert sum(len(e) for e in embeds) <= 6000
    assert embeds[-1].image.url == "attachment://digest-chart.png"


async def test_huge_week_still_fits_discord(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await seeder.book("A" * 200, authors=("B" * 120,))
    rows = []
    long_names = {}
    for user in range(1, 401):
        reading = await seeder.reading(GUILD, user, book)
        rows.append(
            event(GUILD, user, reading, book, NOW - timedelta(hours=user % 100 + 1), pages=user)
        )
        long_names[user] = "N" * 60 + str(user)
        if user % 3 == 0:
            await seeder.review(GUILD, user, book, NOW - timedelta(hours=2))
    await seeder.events(rows)
    digest = (await DigestService(database, clock, DictNames(long_names)).build(GUILD)).digest
    assert digest.totals.readers == 400
    assert embed_limit_problems(split_for_embeds(digest)) == []
    fields = [f.value or "" for e in digest_embeds(digest, chart=False) for f in e.fields]
    assert any("more readers" in value for value in fields)


async def test_club_section_numbers_and_next_checkpoint(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await seeder.book("Middlemarch", authors=("George Eliot",), pages=800)
    await seeder.club(
        GUILD,
        book,
        created_at=NOW - timedelta(days=10),
        checkpoints=[("Book One", 100, date(2026, 11, 20)), ("Book Two", 200, date(2026, 11, 29))],
    )
    await seeder.reading(GUILD, 1, book, status="finished", finished_on=date(2026, 11, 21))
    await seeder.reading(GUILD, 2, book, page=200)  # 25 %
    await seeder.reading(GUILD, 3, book, percent=50.0)
    await seeder.reading(GUILD, 4, book, status="finished", updated_at=NOW - timedelta(days=400))
    await seeder.reading(GUILD, 5, book, page=400)  # opted out: not averaged, not named
    await seeder.opt_out(GUILD, 5)
    names = DictNames({1: "Finn", 2: "Ada", 3: "Bea", 4: "Old", 5: "Hidden"})
    digest = (await DigestService(database, clock, names).build(GUILD)).digest
    text = digest.to_text()
    assert "Club read: Middlemarch" in text
    assert "by George Eliot" in text
    assert "58% on average across 3 readers" in text  # (100 + 25 + 50) / 3
    assert "Finished — Finn" in text
    assert "Old" not in text and "Hidden" not in text
    assert "Next checkpoint — Book Two, up to p. 200, by 29 Nov 2026" in text


async def test_streaks_sql_matches_the_domain_rule(database: Database, seeder: Seeder) -> None:
    rng = random.Random(3)
    book = await seeder.book("Streaks")
    today = NOW.date()
    rows = []
    days_by_user: dict[int, set[date]] = {}
    for user in range(1, 41):
        reading = await seeder.reading(GUILD, user, book)
        days = {today - timedelta(days=d) for d in range(25) if rng.random() < 0.7}
        days_by_user[user] = days
        for day in days:
            for _ in range(rng.randint(1, 3)):
                when = datetime(day.year, day.month, day.day, rng.randint(0, 17), tzinfo=UTC)
                rows.append(event(GUILD, user, reading, book, when, pages=rng.randint(1, 9)))
        # a correction or a pause is not reading
        rows.append(event(GUILD, user, reading, book, NOW - timedelta(days=30), pages=-4))
    await seeder.events(rows)
    async with database.read() as conn:
        streaks = await digest_repo.reading_streaks(
            conn,
            GUILD,
            since=NOW - timedelta(days=31),
            until=NOW,
            today=today,
            timezone="UTC",
            offset_minutes=0,
        )
    for user, days in days_by_user.items():
        assert streaks.get(user, 0) == reading_streak(days, today), user


async def test_streak_days_are_local_days(database: Database, seeder: Seeder) -> None:
    """23:30 UTC is already the next day in Kolkata (+5:30)."""
    book = await seeder.book("Night owl")
    reading = await seeder.reading(GUILD, 1, book)
    base = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    await seeder.events(
        [event(GUILD, 1, reading, book, base - timedelta(days=d), pages=5) for d in range(3)]
    )
    async with database.read() as conn:
        utc = await digest_repo.reading_streaks(
            conn,
            GUILD,
            since=base - timedelta(days=10),
            until=base + timedelta(hours=1),
            today=date(2026, 11, 21),
            timezone="UTC",
            offset_minutes=0,
        )
        kolkata = await digest_repo.reading_streaks(
            conn,
            GUILD,
            since=base - timedelta(days=10),
            until=base + timedelta(hours=1),
            today=date(2026, 11, 22),
            timezone="Asia/Kolkata",
            offset_minutes=330,
        )
    assert utc == {1: 3}  # 18, 19, 20 Nov; today the 21st, yesterday counts
    assert kolkata == {1: 3}  # 19, 20, 21 Nov local; today the 22nd


def test_streak_query_compiles_for_postgresql() -> None:
    """The PostgreSQL branch converts with real zone rules (run on the server: below)."""
    from sqlalchemy import select

    from bot.db.digest import _local_day_number

    class PgConn:
        class dialect:
            name = "postgresql"

    conn: Any = PgConn()
    day, number = _local_day_number(conn, progress_events.c.occurred_at, "Europe/Berlin", 60)
    sql = str(select(day).compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    assert "timezone(" in sql and "CAST(" in sql
    assert number(date(2000, 1, 3)) == 2


@pytest.mark.parametrize(
    ("stamp", "zone", "shift", "expected"),
    [
        (datetime(2026, 11, 21, 23, 59, 59, 998000, tzinfo=UTC), "UTC", 0, date(2026, 11, 21)),
        (datetime(2026, 11, 21, 23, 30, tzinfo=UTC), "Asia/Kolkata", 330, date(2026, 11, 22)),
        (datetime(2026, 11, 22, 2, 0, tzinfo=UTC), "America/New_York", -300, date(2026, 11, 21)),
    ],
)
async def test_local_day_numbers_match_python_on_the_database(
    database: Database, stamp: datetime, zone: str, shift: int, expected: date
) -> None:
    """The streak query's local day of a UTC instant, as the run's backend computes it."""
    from sqlalchemy import literal, select

    from bot.db.digest import _local_day_number
    from bot.db.types import UTCDateTime

    async with database.read() as conn:
        day, number = _local_day_number(conn, literal(stamp, UTCDateTime()), zone, shift)
        value = (await conn.execute(select(day))).scalar_one()
    assert value == number(expected)


async def test_goals_count_finished_readings_this_year(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await seeder.book("Goal")
    await seeder.goal(GUILD, 1, 2026, 4)
    await seeder.goal(GUILD, 2, 2026, 10)
    await seeder.goal(GUILD, 3, 2025, 1)  # another year
    for finished in (date(2026, 1, 5), date(2026, 6, 1), date(2025, 12, 31)):
        await seeder.reading(GUILD, 1, book, status="finished", finished_on=finished)
    digest = (
        await DigestService(database, clock, DictNames({1: "Una", 2: "Two"})).build(GUILD)
    ).digest
    text = digest.to_text()
    assert "Una — 2 of 4 books (50%)" in text
    assert "Two — 0 of 10 books (0%)" in text


def test_names_wanted_puts_visible_members_first_within_budget() -> None:
    from bot.db.digest import MemberActivity, ReviewRow

    activity = tuple(MemberActivity(u, u, 0, 0) for u in range(1, 2001))
    data = WeekData(
        guild_id=GUILD,
        today=NOW.date(),
        activity=activity,
        reviews=(ReviewRow(1, 7, 12, None, None, "T", ()),),
        opted_out=frozenset({2000}),
    )
    wanted = names_wanted(data)
    assert len(wanted) == NAME_BUDGET
    assert wanted[0] == 7  # reviewers first
    assert wanted[1] == 1999  # then the most pages (2000 opted out)
    assert 2000 not in wanted


async def test_imported_history_is_not_this_weeks_news(
    database: Database, clock: FakeClock, seeder: Seeder
) -> None:
    """An import writes ratings and reviews "now"; they must not flood the next digest."""
    book = await seeder.book("Imported Book", pages=100)
    when = clock.now() - timedelta(days=1)
    await seeder.rate(GUILD, 1, book, 20, when, source="import")
    await seeder.review(GUILD, 1, book, when, source="import")
    digest = (await DigestService(database, clock, DictNames({1: "Ann"})).build(GUILD)).digest
    assert "Imported Book" not in digest.to_text()


async def test_quiet_week_has_no_chart(database: Database, clock: FakeClock) -> None:
    digest = (await DigestService(database, clock, DictNames({})).build(GUILD)).digest
    assert digest.is_quiet
    assert chart_data(digest) is None
    assert "A quiet week" in digest.to_text()


# --- settings ----------------------------------------------------------------------------------


async def test_setup_validates_and_stores(database: Database, clock: FakeClock) -> None:
    service = DigestService(database, clock, DictNames({}))
    with pytest.raises(InvalidInput, match="Europe/Berlin"):
        await service.setup(GUILD, channel_id=5, weekday=6, hour=18, timezone="Europe/Berln")
    with pytest.raises(InvalidInput, match="0 to 23"):
        await service.setup(GUILD, channel_id=5, weekday=6, hour=24, timezone="UTC")
    done = await service.setup(GUILD, channel_id=5, weekday=6, hour=18, timezone="europe/berlin")
    assert done.schedule.timezone == "Europe/Berlin"
    # Sunday 18:00 UTC is 19:00 in Berlin: today's 18:00 slot has passed, so next week's
    assert done.next_post == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    settings = await service.settings(GUILD)
    assert settings.enabled and settings.configured_at == NOW and settings.channel_id == 5
    assert await service.turn_off(GUILD) is True
    assert await service.turn_off(GUILD) is False
    assert (await service.settings(GUILD)).complete


# --- send-now ---------------------------------------------------------------------------------


class RecordingPoster:
    def __init__(self) -> None:
        self.posts: list[tuple[int, int, Digest]] = []
        self.reports: list[Any] = []
        self.fail_with: PostingFailed | None = None

    async def post_digest(self, guild_id: int, channel_id: int, digest: Digest) -> int:
        if self.fail_with is not None:
            raise self.fail_with
        self.posts.append((guild_id, channel_id, digest))
        return 9000 + len(self.posts)

    async def report_failure(self, modlog_channel_id: int, report: Any) -> None:
        self.reports.append((modlog_channel_id, report))


async def test_send_now_once_then_asks_then_forced(database: Database, clock: FakeClock) -> None:
    service = DigestService(database, clock, DictNames({}))
    poster = RecordingPoster()
    with pytest.raises(InvalidInput, match="/digest setup"):
        await service.send_now(GUILD, poster)
    await service.setup(GUILD, channel_id=5, weekday=0, hour=9, timezone="UTC")
    first = await service.send_now(GUILD, poster)
    assert first.status == "posted" and first.message_id == 9001 and first.week_key == "2026-W47"
    second = await service.send_now(GUILD, poster)
    assert second.status == "already_posted" and second.previous is not None
    assert len(poster.posts) == 1
    forced = await service.send_now(GUILD, poster, force=True)
    assert forced.status == "posted" and forced.message_id == 9002
    async with database.read() as conn:
        run = await digest_repo.get_run(conn, GUILD, "2026-W47")
    assert run is not None and run.status == "posted" and run.message_id == 9002


async def test_send_now_failure_releases_the_claim(database: Database, clock: FakeClock) -> None:
    service = DigestService(database, clock, DictNames({}))
    poster = RecordingPoster()
    await service.setup(GUILD, channel_id=5, weekday=0, hour=9, timezone="UTC")
    poster.fail_with = PostingFailed(FailureKind.FORBIDDEN, "HTTP 403 (code 50013)")
    with pytest.raises(PostingFailed):
        await service.send_now(GUILD, poster)
    async with database.read() as conn:
        assert await digest_repo.get_run(conn, GUILD, "2026-W47") is None
    poster.fail_with = None
    assert (await service.send_now(GUILD, poster)).status == "posted"


async def test_send_now_while_being_posted_is_a_conflict(
    database: Database, clock: FakeClock
) -> None:
    service = DigestService(database, clock, DictNames({}))
    await service.setup(GUILD, channel_id=5, weekday=0, hour=9, timezone="UTC")
    async with database.write() as conn:
        assert await digest_repo.claim(conn, GUILD, "2026-W47", 5, NOW)
    with pytest.raises(Conflict, match="being posted"):
        await service.send_now(GUILD, RecordingPoster())


async def test_cli_preview_prints_the_same_digest(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    expected = await generate_week(seeder)
    names = DictNames(expected.names)
    out, err = io.StringIO(), io.StringIO()
    from bot.config import load_settings

    settings = load_settings(environ={}, env_file=None)
    status = await run_digest_preview(
        settings, database, GUILD, out=out, err=err, clock=clock, directory=names
    )
    assert status == 0
    built = await DigestService(database, clock, names).build(GUILD)
    assert out.getvalue() == built.digest.to_text()
    assert out.getvalue().startswith("Weekly digest · 15–22 Nov 2026")
    assert await run_digest_preview(settings, database, 0, out=out, err=err) == 1


# --- the quote of the week ---------------------------------------------------------------------


async def test_quote_of_the_week_is_the_most_liked_of_the_week_in_spoiler_tags(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await seeder.book("Middlemarch", authors=("George Eliot",), pages=800)
    names = DictNames({1: "Ann", 2: "Ben", 3: "Cy", 4: "Di", 5: "Hidden", 6: "Flo", 7: "Gus"})
    await seeder.opt_out(GUILD, 5)
    await seeder.opt_out(GUILD, 7)

    async def quote(
        guild: int, user: int, text: str, position: Position, when: datetime, likers: list[int]
    ) -> int:
        quote_id = await database.run_write(
            quote_repo.insert_quote,
            guild_id=guild,
            user_id=user,
            book_id=book,
            text=text,
            note=None,
            position=position,
            now=when,
        )
        await database.run_write(quote_repo.set_message, guild, quote_id, 300, 300 + quote_id)
        for liker in likers:
            await database.run_write(quote_repo.put_like, quote_id, liker, NOW)
        return quote_id

    day = timedelta(days=1)
    await quote(GUILD, 2, "too old", Position.end(), WEEK_START - day, [1, 3, 4, 6, 8, 9])
    winner = await quote(
        GUILD, 1, "Ann's ||line|| ~~x~~", Position.at_percent(5), WEEK_START + day, [2, 3, 4]
    )
    await quote(GUILD, 2, "Ben's tie", Position.at_page(1), WEEK_START + 2 * day, [1, 3, 4])
    await quote(GUILD, 5, "secret words", Position.end(), WEEK_START + day, [1, 2, 3, 4, 6])
    # four likes, but two from members who opted out: two count
    await quote(GUILD, 6, "Flo's", Position.at_chapter(7), WEEK_START + day, [5, 7, 2, 3])
    await quote(GUILD, 4, "no likes", Position.end(), WEEK_START + 3 * day, [])
    await quote(OTHER_GUILD, 4, "elsewhere", Position.end(), WEEK_START + day, [1, 2, 3, 6, 8])

    digest = (await DigestService(database, clock, names).build(GUILD)).digest
    [section] = [s for s in digest.sections if s.key == "quote"]
    [line] = section.lines
    assert line.spoiler == "Ann's ||line|| ~~x~~" and line.lead == "Ann"
    assert line.text == "Middlemarch by George Eliot · 5 % · 3 likes"
    assert line.url == f"https://discord.com/channels/{GUILD}/300/{300 + winner}"
    value = next(
        f.value for spec in split_for_embeds(digest) for f in spec.fields if "[quote]" in f.value
    )
    assert spoiler_count(value) == 1 and "Ann's ||line|| ~~x~~" in spoiler_text(value)
    assert "line" not in visible_outside_spoilers(value)  # even from the first 10 %
    text = _digest_text(digest)
    for absent in ("Hidden", "Gus", "secret words", "too old", "elsewhere", "Ben's tie"):
        assert absent not in text
    assert 5 not in names.asked and 7 not in names.asked


async def test_a_week_without_liked_quotes_has_no_quote_section(
    database: Database, seeder: Seeder, clock: FakeClock
) -> None:
    book = await seeder.book("Middlemarch")
    await database.run_write(
        quote_repo.insert_quote,
        guild_id=GUILD,
        user_id=1,
        book_id=book,
        text="unliked",
        note=None,
        position=Position.end(),
        now=NOW - timedelta(days=1),
    )
    digest = (await DigestService(database, clock, DictNames({1: "Ann"})).build(GUILD)).digest
    assert "quote" not in {s.key for s in digest.sections}
