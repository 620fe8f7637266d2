"""The weekly digest's data: its settings, its runs (once per guild per week), and the week's
aggregations.

Runs: the row ``(guild_id, week_key)`` of ``digest_runs`` is the claim. It is INSERTed
before anything is sent (``INSERT … ON CONFLICT DO NOTHING``: exactly one claimer wins, in
this process or any other), and every later change is a compare-and-set UPDATE on the
expected status, so two workers can never both think they own a run.

Aggregations are set-based (GROUP BY in the database, one query per kind of fact), so a
server's digest costs a handful of queries whether it has 5 members or 5,000. They return
raw per-member rows on purpose: opted-out members are removed by
:func:`bot.domain.digest.compose_digest`, never by pre-aggregated totals here.

Length (~650 lines): settings, runs and aggregations are one table family read by one
service; the runs' compare-and-set writes and the aggregations are in separate sections.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.db import guild_settings as settings_repo
from bot.db.dialect import insert_missing
from bot.db.schema import (
    books,
    digest_runs,
    goals,
    guild_settings,
    member_privacy,
    progress_events,
    quote_likes,
    quotes,
    ratings,
    readings,
    reviews,
)

# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """The digest columns of a guild's settings row (defaults when it has none)."""

    guild_id: int
    channel_id: int | None = None
    weekday: int | None = None
    hour: int | None = None
    timezone: str | None = None
    enabled: bool = False
    configured_at: datetime | None = None
    modlog_channel_id: int | None = None

    @property
    def complete(self) -> bool:
        """Whether every part of a schedule is stored (it may still be switched off)."""
        return None not in (self.channel_id, self.weekday, self.hour, self.timezone)


_SETTINGS_COLUMNS = (
    guild_settings.c.guild_id,
    guild_settings.c.digest_channel_id,
    guild_settings.c.digest_weekday,
    guild_settings.c.digest_hour,
    guild_settings.c.digest_timezone,
    guild_settings.c.digest_enabled,
    guild_settings.c.digest_configured_at,
    guild_settings.c.modlog_channel_id,
)


def _settings(row: Sequence[Any]) -> DigestSettings:
    guild_id, channel, weekday, hour, tz, enabled, configured_at, modlog = row
    return DigestSettings(
        guild_id=int(guild_id),
        channel_id=channel,
        weekday=weekday,
        hour=hour,
        timezone=tz,
        enabled=bool(enabled),
        configured_at=configured_at,
        modlog_channel_id=modlog,
    )


async def get_settings(conn: AsyncConnection, guild_id: int) -> DigestSettings:
    query = select(*_SETTINGS_COLUMNS).where(guild_settings.c.guild_id == guild_id)
    row = (await conn.execute(query)).first()
    return _settings(row) if row else DigestSettings(guild_id=guild_id)


async def enabled_settings(conn: AsyncConnection) -> list[DigestSettings]:
    """Every guild with a complete, switched-on schedule that the bot has not left."""
    gs = guild_settings.c
    query = select(*_SETTINGS_COLUMNS).where(
        gs.digest_enabled.is_(True),
        gs.digest_channel_id.is_not(None),
        gs.digest_weekday.is_not(None),
        gs.digest_hour.is_not(None),
        gs.digest_timezone.is_not(None),
        gs.left_at.is_(None),
    )
    return [_settings(row) for row in (await conn.execute(query)).all()]


async def save_schedule(
    conn: AsyncConnection,
    guild_id: int,
    *,
    channel_id: int,
    weekday: int,
    hour: int,
    timezone: str,
    now: datetime,
) -> None:
    """Store and switch on the schedule; ``configured_at`` = now so an already-passed slot of
    this week is not posted as a catch-up."""
    await settings_repo.update(
        conn,
        guild_id,
        now,
        digest_channel_id=channel_id,
        digest_weekday=weekday,
        digest_hour=hour,
        digest_timezone=timezone,
        digest_enabled=True,
        digest_configured_at=now,
    )


async def disable(conn: AsyncConnection, guild_id: int, now: datetime) -> bool:
    """Switch the digest off (the schedule is kept); False if it was not on."""
    result = await conn.execute(
        guild_settings.update()
        .where(guild_settings.c.guild_id == guild_id, guild_settings.c.digest_enabled.is_(True))
        .values(digest_enabled=False, updated_at=now)
    )
    return result.rowcount == 1


# --- runs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestRun:
    guild_id: int
    week_key: str
    status: str  # claimed | posted | failed | abandoned
    channel_id: int | None
    message_id: int | None
    attempts: int
    last_error: str | None
    claimed_at: datetime
    next_attempt_at: datetime | None
    posted_at: datetime | None


def _run(row: Any) -> DigestRun:
    return DigestRun(
        guild_id=int(row.guild_id),
        week_key=str(row.week_key),
        status=str(row.status),
        channel_id=row.channel_id,
        message_id=row.message_id,
        attempts=int(row.attempts),
        last_error=row.last_error,
        claimed_at=row.claimed_at,
        next_attempt_at=row.next_attempt_at,
        posted_at=row.posted_at,
    )


def _this_run(guild_id: int, week: str) -> ColumnElement[bool]:
    return and_(digest_runs.c.guild_id == guild_id, digest_runs.c.week_key == week)


async def get_run(conn: AsyncConnection, guild_id: int, week: str) -> DigestRun | None:
    row = (await conn.execute(select(digest_runs).where(_this_run(guild_id, week)))).first()
    return _run(row) if row else None


async def runs_for(
    conn: AsyncConnection, guild_ids: Collection[int], weeks: Collection[str]
) -> dict[tuple[int, str], DigestRun]:
    """The runs of any of ``guild_ids`` in any of ``weeks``, keyed by (guild, week)."""
    if not guild_ids or not weeks:
        return {}
    query = select(digest_runs).where(
        digest_runs.c.guild_id.in_(list(guild_ids)), digest_runs.c.week_key.in_(list(weeks))
    )
    out: dict[tuple[int, str], DigestRun] = {}
    for row in (await conn.execute(query)).all():
        run = _run(row)
        out[(run.guild_id, run.week_key)] = run
    return out


async def claim(
    conn: AsyncConnection, guild_id: int, week: str, channel_id: int, now: datetime
) -> bool:
    """Claim the week's run by inserting its row; False when a row already exists."""
    values = {
        "guild_id": guild_id,
        "week_key": week,
        "status": "claimed",
        "channel_id": channel_id,
        "attempts": 0,
        "claimed_at": now,
    }
    result = await conn.execute(insert_missing(conn, digest_runs).values(**values))
    return result.rowcount == 1


async def claim_retry(
    conn: AsyncConnection,
    guild_id: int,
    week: str,
    channel_id: int,
    now: datetime,
    *,
    due_only: bool = True,
) -> bool:
    """Take over a failed run for another attempt (only once its retry time has come, unless
    ``due_only`` is False); False when it is not failed (or not yet due)."""
    condition = and_(_this_run(guild_id, week), digest_runs.c.status == "failed")
    if due_only:
        condition = and_(
            condition,
            or_(digest_runs.c.next_attempt_at.is_(None), digest_runs.c.next_attempt_at <= now),
        )
    result = await conn.execute(
        digest_runs.update()
        .where(condition)
        .values(status="claimed", claimed_at=now, channel_id=channel_id)
    )
    return result.rowcount == 1


async def mark_posted(
    conn: AsyncConnection,
    guild_id: int,
    week: str,
    *,
    channel_id: int,
    message_id: int,
    now: datetime,
) -> bool:
    result = await conn.execute(
        digest_runs.update()
        .where(_this_run(guild_id, week), digest_runs.c.status == "claimed")
        .values(
            status="posted",
            channel_id=channel_id,
            message_id=message_id,
            attempts=digest_runs.c.attempts + 1,
            last_error=None,
            next_attempt_at=None,
            posted_at=now,
        )
    )
    return result.rowcount == 1


async def mark_failed(
    conn: AsyncConnection,
    guild_id: int,
    week: str,
    *,
    error: str,
    next_attempt_at: datetime | None,
) -> int | None:
    """Record a failed attempt: status failed with the retry time, or abandoned when there is
    none. Returns the attempts so far, or None if the run was not claimed."""
    result = await conn.execute(
        digest_runs.update()
        .where(_this_run(guild_id, week), digest_runs.c.status == "claimed")
        .values(
            status="failed" if next_attempt_at is not None else "abandoned",
            attempts=digest_runs.c.attempts + 1,
            last_error=error[:500],
            next_attempt_at=next_attempt_at,
        )
        .returning(digest_runs.c.attempts)
    )
    attempts = result.scalar_one_or_none()
    return int(attempts) if attempts is not None else None


async def abandon_stale(
    conn: AsyncConnection, guild_id: int, week: str, *, claimed_before: datetime, error: str
) -> bool:
    """Give up a claim left behind by a process that stopped mid-post (at most once: it is
    never re-sent). True for the one caller that made the change."""
    result = await conn.execute(
        digest_runs.update()
        .where(
            _this_run(guild_id, week),
            digest_runs.c.status == "claimed",
            digest_runs.c.claimed_at < claimed_before,
        )
        .values(status="abandoned", last_error=error[:500], next_attempt_at=None)
    )
    return result.rowcount == 1


async def release(conn: AsyncConnection, guild_id: int, week: str) -> None:
    """Drop a fresh claim whose post failed before anything was sent (``/digest send-now``)."""
    await conn.execute(
        digest_runs.delete().where(_this_run(guild_id, week), digest_runs.c.status == "claimed")
    )


async def reclaim(
    conn: AsyncConnection,
    guild_id: int,
    week: str,
    channel_id: int,
    now: datetime,
    *,
    stale_before: datetime,
) -> bool:
    """Take a finished run (posted or abandoned, or a claim older than ``stale_before``) for
    a post an admin confirmed; False when it is being posted or was changed meanwhile."""
    result = await conn.execute(
        digest_runs.update()
        .where(
            _this_run(guild_id, week),
            or_(
                digest_runs.c.status.in_(("posted", "abandoned")),
                and_(digest_runs.c.status == "claimed", digest_runs.c.claimed_at < stale_before),
            ),
        )
        .values(status="claimed", claimed_at=now, channel_id=channel_id)
    )
    return result.rowcount == 1


async def restore(conn: AsyncConnection, run: DigestRun) -> None:
    """Put a reclaimed run back as it was (the confirmed post failed: nothing was sent)."""
    await conn.execute(
        digest_runs.update()
        .where(_this_run(run.guild_id, run.week_key), digest_runs.c.status == "claimed")
        .values(status=run.status, claimed_at=run.claimed_at, channel_id=run.channel_id)
    )


# --- the week's aggregations ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberActivity:
    user_id: int
    pages: int  # may be negative after corrections; the domain counts it as 0
    started: int
    finished: int


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A review's coordinates and rating. The query never selects any review text."""

    review_id: int
    user_id: int
    quarters: int | None
    channel_id: int | None
    message_id: int | None
    book_title: str
    book_authors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RatingRow:
    user_id: int
    book_id: int
    quarters: int
    book_title: str
    book_authors: tuple[str, ...]


def _in_window(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


async def member_activity(
    conn: AsyncConnection, guild_id: int, start: datetime, end: datetime
) -> list[MemberActivity]:
    """Per member: pages read, readings started and readings finished in ``[start, end)``."""
    pe = progress_events.c
    query = (
        select(
            pe.user_id,
            func.sum(pe.pages_delta),
            func.count(case((pe.kind == "start", pe.reading_id)).distinct()),
            func.count(case((pe.kind == "finish", pe.reading_id)).distinct()),
        )
        .where(pe.guild_id == guild_id, _in_window(pe.occurred_at, start, end))
        .group_by(pe.user_id)
    )
    return [
        MemberActivity(int(user), int(pages or 0), int(started), int(finished))
        for user, pages, started, finished in (await conn.execute(query)).all()
    ]


_EPOCH = date(2000, 1, 1)
# SQLite's julianday() of a date's midnight is N.5; N + 1 is that date's ordinal plus this.
_JULIAN_DAY_OF_ORDINAL_0 = 1_721_425


def _local_day_number(
    conn: AsyncConnection, column: Any, timezone: str, offset_minutes: int
) -> tuple[Any, Callable[[date], int]]:
    """An integer expression numbering the local calendar day of a UTC timestamp column
    (consecutive days, consecutive numbers), and the same numbering for a Python date.

    PostgreSQL converts with the real zone rules. SQLite has no zone database, so it shifts
    by ``offset_minutes`` (the zone's offset now): a day boundary may be off by the DST hour
    for events before a DST change in the look-back, which only matters for streaks.
    """
    if conn.dialect.name == "postgresql":
        local = cast(func.timezone(timezone, column), Date)
        return local - cast(_EPOCH, Date), lambda day: (day - _EPOCH).days
    shifted = func.julianday(column) + offset_minutes / 1440.0 + 0.5
    return cast(shifted, Integer), lambda day: day.toordinal() + _JULIAN_DAY_OF_ORDINAL_0


async def reading_streaks(
    conn: AsyncConnection,
    guild_id: int,
    *,
    since: datetime,
    until: datetime,
    today: date,
    timezone: str,
    offset_minutes: int,
) -> dict[int, int]:
    """Per member, the run of consecutive local days with reading ending today or yesterday
    (the rule of :func:`bot.domain.digest.reading_streak`), over ``[since, until)``.

    Gaps and islands in SQL: numbering a member's reading days newest first, day number plus
    row number is the same for every day of one unbroken run; the run whose last day is
    today or yesterday is the streak. A day counts when pages were read or a book finished.
    """
    pe = progress_events.c
    day_expr, day_number = _local_day_number(conn, pe.occurred_at, timezone, offset_minutes)
    days = (
        select(pe.user_id.label("user_id"), day_expr.label("day"))
        .where(
            pe.guild_id == guild_id,
            _in_window(pe.occurred_at, since, until),
            or_(pe.pages_delta > 0, pe.kind == "finish"),
        )
        .distinct()
        .subquery()
    )
    row_number = func.row_number().over(partition_by=days.c.user_id, order_by=days.c.day.desc())
    numbered = select(
        days.c.user_id, days.c.day, (days.c.day + row_number).label("island")
    ).subquery()
    yesterday = day_number(today) - 1
    query = (
        select(numbered.c.user_id, func.count())
        .group_by(numbered.c.user_id, numbered.c.island)
        .having(func.max(numbered.c.day) >= yesterday)
    )
    return {int(user): int(days_) for user, days_ in (await conn.execute(query)).all()}


async def goal_progress(
    conn: AsyncConnection, guild_id: int, year: int
) -> dict[int, tuple[int, int]]:
    """Per member with a goal for ``year``: (readings finished that year, target)."""
    finished = and_(
        readings.c.guild_id == goals.c.guild_id,
        readings.c.user_id == goals.c.user_id,
        readings.c.status == "finished",
        readings.c.finished_on >= date(year, 1, 1),
        readings.c.finished_on < date(year + 1, 1, 1),
    )
    query = (
        select(goals.c.user_id, goals.c.target, func.count(readings.c.id))
        .select_from(goals.outerjoin(readings, finished))
        .where(goals.c.guild_id == guild_id, goals.c.year == year)
        .group_by(goals.c.user_id, goals.c.target)
    )
    return {
        int(user): (int(done), int(target))
        for user, target, done in (await conn.execute(query)).all()
    }


def _authors(value: Any) -> tuple[str, ...]:
    return tuple(str(a) for a in (value or ()))


async def new_reviews(
    conn: AsyncConnection, guild_id: int, start: datetime, end: datetime
) -> list[ReviewRow]:
    """Reviews written in ``[start, end)``: coordinates, rating and book — no text columns.

    Reviews brought in by an import are history, not this week's news: they are left out."""
    query = (
        select(
            reviews.c.id,
            reviews.c.user_id,
            reviews.c.quarters,
            reviews.c.channel_id,
            reviews.c.message_id,
            books.c.title,
            books.c.authors,
        )
        .join(books, books.c.id == reviews.c.book_id)
        .where(
            reviews.c.guild_id == guild_id,
            reviews.c.source != "import",
            _in_window(reviews.c.created_at, start, end),
        )
        .order_by(reviews.c.id)
    )
    return [
        ReviewRow(int(rid), int(user), quarters, channel, message, str(title), _authors(authors))
        for rid, user, quarters, channel, message, title, authors in (
            await conn.execute(query)
        ).all()
    ]


#: At most this many of the week's liked quotes are candidates for the quote of the week.
QUOTE_CANDIDATES = 200


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """A quote saved this week that has likes: its text, where it is, its book, and who
    liked it (the digest counts only the likes of members who did not opt out)."""

    quote_id: int
    user_id: int
    text: str
    page: int | None
    percent: float | None
    chapter: int | None
    channel_id: int | None
    message_id: int | None
    created_at: datetime
    book_title: str
    book_authors: tuple[str, ...]
    likers: tuple[int, ...] = ()


async def liked_quotes(
    conn: AsyncConnection, guild_id: int, start: datetime, end: datetime
) -> list[QuoteRow]:
    """Quotes saved in ``[start, end)`` with at least one like (ever), the most liked first
    (at most :data:`QUOTE_CANDIDATES`), each with its likers. Raw rows: opted-out posters
    and likers are left out by :func:`bot.domain.digest.compose_digest`."""
    likes = (
        select(func.count())
        .where(quote_likes.c.quote_id == quotes.c.id)
        .correlate(quotes)
        .scalar_subquery()
    )
    query = (
        select(
            quotes.c.id,
            quotes.c.user_id,
            quotes.c.text,
            quotes.c.page,
            quotes.c.percent,
            quotes.c.chapter,
            quotes.c.channel_id,
            quotes.c.message_id,
            quotes.c.created_at,
            books.c.title,
            books.c.authors,
        )
        .join(books, books.c.id == quotes.c.book_id)
        .where(
            quotes.c.guild_id == guild_id,
            _in_window(quotes.c.created_at, start, end),
            likes > 0,
        )
        .order_by(likes.desc(), quotes.c.created_at, quotes.c.id)
        .limit(QUOTE_CANDIDATES)
    )
    rows = (await conn.execute(query)).all()
    if not rows:
        return []
    likers: dict[int, list[int]] = {int(r[0]): [] for r in rows}
    found = await conn.execute(
        select(quote_likes.c.quote_id, quote_likes.c.user_id)
        .where(quote_likes.c.quote_id.in_(list(likers)))
        .order_by(quote_likes.c.quote_id, quote_likes.c.user_id)
    )
    for quote_id, user_id in found.all():
        likers[int(quote_id)].append(int(user_id))
    return [
        QuoteRow(
            quote_id=int(qid),
            user_id=int(user),
            text=str(text),
            page=page,
            percent=percent,
            chapter=chapter,
            channel_id=channel,
            message_id=message,
            created_at=created,
            book_title=str(title),
            book_authors=_authors(authors),
            likers=tuple(likers[int(qid)]),
        )
        for qid, user, text, page, percent, chapter, channel, message, created, title, authors in (
            rows
        )
    ]


async def new_ratings(
    conn: AsyncConnection, guild_id: int, start: datetime, end: datetime
) -> list[RatingRow]:
    """Ratings given or changed in ``[start, end)``, one row per rating (not imported ones)."""
    query = (
        select(
            ratings.c.user_id, ratings.c.book_id, ratings.c.quarters, books.c.title, books.c.authors
        )
        .join(books, books.c.id == ratings.c.book_id)
        .where(
            ratings.c.guild_id == guild_id,
            ratings.c.source != "import",
            _in_window(ratings.c.updated_at, start, end),
        )
    )
    return [
        RatingRow(int(user), int(book), int(quarters), str(title), _authors(authors))
        for user, book, quarters, title, authors in (await conn.execute(query)).all()
    ]


async def opted_out(conn: AsyncConnection, guild_id: int) -> frozenset[int]:
    """Members who said ``/privacy digest off``: left out of digests and club status."""
    query = select(member_privacy.c.user_id).where(
        member_privacy.c.guild_id == guild_id, member_privacy.c.digest_opt_in.is_(False)
    )
    return frozenset(int(u) for u in (await conn.execute(query)).scalars())
