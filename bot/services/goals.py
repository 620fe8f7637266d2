"""The yearly reading challenge: ``/goal set count [year]`` and ``/goal show [member]``.

A goal counts finished readings whose finish date falls in the year (the dates the member
logged, in their own zone), so a re-read counts again, as on Goodreads; the weekly digest
counts the same way (:func:`bot.db.digest.goal_progress`). "This year" is the year of the
member's own today (:mod:`bot.domain.member_zone`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.db import books as book_repo
from bot.db import goals as goal_repo
from bot.db import readings as reading_repo
from bot.db.engine import AsyncConnection, Database
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.goals import GoalPace, goal_pace, validate_goal
from bot.services.members import member_zone

__all__ = ["RECENT_FINISHES", "GoalService", "GoalStatus"]

#: Finished books listed under a goal, latest first.
RECENT_FINISHES = 5


@dataclass(frozen=True, slots=True)
class GoalStatus:
    year: int
    target: int
    finished: int
    pace: GoalPace
    recent: tuple[Book, ...]  # the latest finishes of the year, newest first
    previous_target: int | None = None  # set by /goal set when it replaced a goal


class GoalService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def set_goal(
        self, guild_id: int, user_id: int, target: int, year: int | None = None
    ) -> GoalStatus:
        now = self.clock.now()
        async with self.database.write() as conn:
            today = (await member_zone(conn, guild_id, user_id)).today(now)
            year = today.year if year is None else year
            validate_goal(target, year, today)
            previous = await goal_repo.put(conn, guild_id, user_id, year, target, now)
            status = await _status(conn, guild_id, user_id, year, target, today)
        return GoalStatus(
            status.year,
            status.target,
            status.finished,
            status.pace,
            status.recent,
            previous_target=previous,
        )

    async def show(self, guild_id: int, user_id: int, year: int | None = None) -> GoalStatus | None:
        """The member's goal for ``year`` (default: this year) and where they stand."""
        async with self.database.read() as conn:
            today = (await member_zone(conn, guild_id, user_id)).today(self.clock.now())
            year = today.year if year is None else year
            goal = await goal_repo.get(conn, guild_id, user_id, year)
            if goal is None:
                return None
            return await _status(conn, guild_id, user_id, year, goal.target, today)


async def _status(
    conn: AsyncConnection, guild_id: int, user_id: int, year: int, target: int, today: date
) -> GoalStatus:
    finished = await reading_repo.finished_in(
        conn, guild_id, user_id, date(year, 1, 1), date(year + 1, 1, 1)
    )
    latest_ids = [r.book_id for r in reversed(finished)]
    recent = await book_repo.get_many(conn, list(dict.fromkeys(latest_ids))[:RECENT_FINISHES])
    return GoalStatus(
        year=year,
        target=target,
        finished=len(finished),
        pace=goal_pace(target, len(finished), year, today),
        recent=tuple(recent),
    )
