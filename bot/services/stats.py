"""``/stats [member] [year]``: books and pages finished, average rating, top authors, and
books finished per month for the chart.

Without a year the numbers are all-time and the chart covers the last twelve months
(this month included); with a year, both cover that calendar year. A re-read counts as
another book finished (and its pages again), as the yearly goal counts it; top authors
count distinct books. The average rating is of the member's ratings in this server — for
a year, of the books they finished that year. "This year" and "the last twelve months" are
the member's own (their zone, :mod:`bot.domain.member_zone`), as for goals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.db import books as book_repo
from bot.db import challenges as challenge_repo
from bot.db import readings as reading_repo
from bot.db import stats as stats_repo
from bot.db.engine import Database
from bot.db.readings import Reading
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.reading import EARLIEST_DATE, ReadingStatus
from bot.errors import InvalidInput
from bot.services.members import member_zone

__all__ = ["TOP_AUTHORS", "MonthCount", "ReadingStats", "StatsService", "books_per_month"]

TOP_AUTHORS = 5
# the latest "today" anywhere on Earth is UTC+14: a year is refused before the member's zone
# is read only when it has begun nowhere yet
_EARLIEST_ZONE_AHEAD = timedelta(hours=14)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class MonthCount:
    year: int
    month: int
    books: int

    @property
    def label(self) -> str:
        return _MONTHS[self.month - 1]


@dataclass(frozen=True, slots=True)
class ReadingStats:
    year: int | None  # None: all time
    books_finished: int
    pages_finished: int
    books_without_page_count: int  # finished, but neither the book nor the edition has a count
    did_not_finish: int
    reading_now: int
    rating_count: int
    average_quarters: float | None
    top_authors: tuple[tuple[str, int], ...]
    per_month: tuple[MonthCount, ...]  # twelve months, oldest first
    longest: Book | None
    challenges_completed: tuple[str, ...] = ()  # names of the server challenges completed

    @property
    def average_stars(self) -> float | None:
        return None if self.average_quarters is None else self.average_quarters / 4

    @property
    def chart_title(self) -> str:
        if self.year is not None:
            return f"Books finished per month in {self.year}"
        return "Books finished per month, last 12 months"


def chart_months(year: int | None, today: date) -> list[tuple[int, int]]:
    """The twelve (year, month) pairs the chart shows, oldest first."""
    if year is not None:
        return [(year, m) for m in range(1, 13)]
    months: list[tuple[int, int]] = []
    y, m = today.year, today.month
    for _ in range(12):
        months.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months[::-1]


def books_per_month(finished: Sequence[Reading], months: Sequence[tuple[int, int]]) -> list[int]:
    """How many of the readings were finished in each (year, month)."""
    counts = Counter(
        (r.finished_on.year, r.finished_on.month) for r in finished if r.finished_on is not None
    )
    return [counts.get(month, 0) for month in months]


def top_authors(books: Sequence[Book], limit: int = TOP_AUTHORS) -> list[tuple[str, int]]:
    """Authors by how many distinct books of theirs were read; ties alphabetically."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for book in {b.id: b for b in books}.values():
        for author in dict.fromkeys(a.strip() for a in book.authors if a.strip()):
            key = author.casefold()
            names.setdefault(key, author)
            counts[key] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(names[key], n) for key, n in ranked[:limit]]


class StatsService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def check_year(self, year: int | None, today: date | None = None) -> None:
        """Refuse a year that has not begun (for the member: ``today`` in their zone; without
        it, anywhere on Earth, so the cog can refuse before deferring) or is too early."""
        if today is None:
            today = (self.clock.now() + _EARLIEST_ZONE_AHEAD).date()
        if year is None:
            return
        if year > today.year:
            raise InvalidInput(
                f"{year} hasn't happened yet. Leave `year` out for all-time numbers, or give "
                f"a year from {EARLIEST_DATE.year} to {today.year}."
            )
        if year < EARLIEST_DATE.year:
            raise InvalidInput(f"Give a year from {EARLIEST_DATE.year} to {today.year}.")

    async def stats(self, guild_id: int, user_id: int, year: int | None = None) -> ReadingStats:
        self.check_year(year)
        start = date(year, 1, 1) if year is not None else None
        end = date(year + 1, 1, 1) if year is not None else None
        async with self.database.read() as conn:
            today = (await member_zone(conn, guild_id, user_id)).today(self.clock.now())
            self.check_year(year, today)
            months = chart_months(year, today)
            finished = await reading_repo.finished_in(conn, guild_id, user_id, start, end)
            if year is None:
                chart_start = date(months[0][0], months[0][1], 1)
                charted = [r for r in finished if r.finished_on and r.finished_on >= chart_start]
            else:
                charted = finished
            books = {
                b.id: b
                for b in await book_repo.get_many(
                    conn, list(dict.fromkeys(r.book_id for r in finished))
                )
            }
            dnf = await stats_repo.count_closed(
                conn, guild_id, user_id, ReadingStatus.DID_NOT_FINISH, start, end
            )
            reading_now = len(await reading_repo.open_readings(conn, guild_id, user_id))
            given = await stats_repo.ratings_of(conn, guild_id, user_id)
            completed = await challenge_repo.completed_by(conn, guild_id, user_id)
        if year is not None:
            read_ids = {r.book_id for r in finished}
            given = {book: q for book, q in given.items() if book in read_ids}
        pages = 0
        without = 0
        longest: tuple[int, Book] | None = None
        for reading in finished:
            book = books.get(reading.book_id)
            count = reading.page_count(book.page_count if book else None)
            if count is None or book is None:
                without += 1
                continue
            pages += count
            if longest is None or count > longest[0]:
                longest = (count, book)
        per_month = books_per_month(charted, months)
        return ReadingStats(
            year=year,
            books_finished=len(finished),
            pages_finished=pages,
            books_without_page_count=without,
            did_not_finish=dnf,
            reading_now=reading_now,
            rating_count=len(given),
            average_quarters=sum(given.values()) / len(given) if given else None,
            top_authors=tuple(top_authors(list(books.values()))),
            per_month=tuple(
                MonthCount(y, m, n) for (y, m), n in zip(months, per_month, strict=True)
            ),
            longest=longest[1] if longest else None,
            challenges_completed=tuple(completed),
        )
