"""Rows straight into the schema, and every row back out.

``Seeder`` writes the rows other features would have written (books, readings, progress
events, ratings, reviews, privacy choices, goals, clubs), so a test fixes exactly what
happened and checks what a feature reads from it. ``snapshot`` reads every table, for
"nothing changed" assertions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.schema import (
    books,
    club_checkpoints,
    clubs,
    goals,
    member_privacy,
    metadata,
    progress_events,
    ratings,
    readings,
    reviews,
)
from tests.support.ids import SUNDAY_EVENING

# the text of every review the Seeder writes, to look for (or not) in what members see
SPOILER = "SPOILER-the-butler-did-it"
BODY = "REVIEW-BODY-text"
HEADLINE = "HEADLINE-text"
WARNING = "CW-text"


@dataclass
class Seeder:
    """Inserts rows into every table the digest reads, with sensible defaults."""

    database: Database
    now: datetime = SUNDAY_EVENING
    _ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    async def book(
        self, title: str, *, authors: Sequence[str] = ("An Author",), pages: int | None = 300
    ) -> int:
        async with self.database.write() as conn:
            result = await conn.execute(
                books.insert().values(
                    title=title,
                    authors=list(authors),
                    page_count=pages,
                    source="manual",
                    search_key=title.lower(),
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def reading(
        self,
        guild_id: int,
        user_id: int,
        book_id: int,
        *,
        status: str = "reading",
        page: int | None = None,
        percent: float | None = None,
        finished_on: date | None = None,
        updated_at: datetime | None = None,
        override: int | None = None,
    ) -> int:
        async with self.database.write() as conn:
            result = await conn.execute(
                readings.insert().values(
                    guild_id=guild_id,
                    user_id=user_id,
                    book_id=book_id,
                    status=status,
                    progress_page=page,
                    progress_percent=percent,
                    finished_on=finished_on,
                    started_on=finished_on,
                    page_count_override=override,
                    created_at=updated_at or self.now,
                    updated_at=updated_at or self.now,
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def events(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            async with self.database.write() as conn:
                await conn.execute(progress_events.insert(), list(rows))

    async def rate(
        self,
        guild_id: int,
        user_id: int,
        book_id: int,
        quarters: int,
        when: datetime,
        source: str = "discord",
    ) -> None:
        async with self.database.write() as conn:
            await conn.execute(
                ratings.insert().values(
                    guild_id=guild_id,
                    user_id=user_id,
                    book_id=book_id,
                    quarters=quarters,
                    source=source,
                    created_at=when,
                    updated_at=when,
                )
            )

    async def review(
        self,
        guild_id: int,
        user_id: int,
        book_id: int,
        when: datetime,
        *,
        quarters: int | None = 16,
        message_id: int | None = 555,
        source: str = "discord",
    ) -> None:
        async with self.database.write() as conn:
            await conn.execute(
                reviews.insert().values(
                    guild_id=guild_id,
                    user_id=user_id,
                    book_id=book_id,
                    quarters=quarters,
                    headline=HEADLINE,
                    body=BODY,
                    spoilers=SPOILER,
                    spoiler_reach_kind="ending",
                    content_warnings=WARNING,
                    channel_id=777,
                    message_id=message_id,
                    source=source,
                    created_at=when,
                    updated_at=when,
                )
            )

    async def opt_out(self, guild_id: int, user_id: int) -> None:
        async with self.database.write() as conn:
            await conn.execute(
                member_privacy.insert().values(
                    guild_id=guild_id, user_id=user_id, digest_opt_in=False, updated_at=self.now
                )
            )

    async def goal(self, guild_id: int, user_id: int, year: int, target: int) -> None:
        async with self.database.write() as conn:
            await conn.execute(
                goals.insert().values(
                    guild_id=guild_id,
                    user_id=user_id,
                    year=year,
                    target=target,
                    updated_at=self.now,
                )
            )

    async def club(
        self,
        guild_id: int,
        book_id: int,
        *,
        created_at: datetime,
        checkpoints: Sequence[tuple[str, int, date]] = (),
    ) -> int:
        async with self.database.write() as conn:
            result = await conn.execute(
                clubs.insert().values(
                    guild_id=guild_id,
                    book_id=book_id,
                    status="active",
                    starts_on=created_at.date(),
                    created_by=1,
                    created_at=created_at,
                )
            )
            club_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            for label, page, due in checkpoints:
                await conn.execute(
                    club_checkpoints.insert().values(
                        club_id=club_id,
                        label=label,
                        reach_kind="page",
                        reach_value=page,
                        due_on=due,
                        created_at=created_at,
                    )
                )
            return club_id


def event(
    guild_id: int,
    user_id: int,
    reading_id: int,
    book_id: int,
    when: datetime,
    *,
    kind: str = "progress",
    pages: int = 0,
) -> dict[str, Any]:
    """A progress_events row, for ``Seeder.events``."""
    return {
        "guild_id": guild_id,
        "user_id": user_id,
        "reading_id": reading_id,
        "book_id": book_id,
        "kind": kind,
        "pages_delta": pages,
        "occurred_at": when,
    }


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for "nothing changed" assertions."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with database.read() as conn:
        for table in metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
