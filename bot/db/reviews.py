"""Reviews with their likes and flags, and the reading progress the Reveal button checks.

Likes and flags have no ``guild_id`` of their own: every query on them goes through the
review, and the review is always looked up with its ``guild_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing
from bot.db.schema import books, readings, review_flags, review_likes, reviews
from bot.domain.review import ReviewDraft, ReviewOrder, SpoilerReach
from bot.domain.review_progress import ReadingProgress
from bot.domain.stars import Stars


@dataclass(frozen=True, slots=True)
class StoredReview:
    """A review as stored, with its like count."""

    id: int
    guild_id: int
    user_id: int
    book_id: int
    read_number: int
    stars: Stars | None
    headline: str | None
    body: str
    spoilers: str | None
    spoiler_reach: SpoilerReach | None
    content_warnings: str | None
    recommended_for: str | None
    source: str
    channel_id: int | None
    message_id: int | None
    extra_message_ids: tuple[int, ...]
    thread_id: int | None
    created_at: datetime
    updated_at: datetime
    likes: int = 0
    # (channel id, message id) left behind by a failed post or edit; deleted with the review
    stray_messages: tuple[tuple[int, int], ...] = ()

    @property
    def all_messages(self) -> tuple[tuple[int, int], ...]:
        """(channel id, message id) of every message of the review in Discord: its post and
        whatever a failed post left behind."""
        posted = (
            tuple((self.channel_id, m) for m in self.message_ids)
            if self.channel_id is not None
            else ()
        )
        return posted + self.stray_messages

    @property
    def message_ids(self) -> tuple[int, ...]:
        """Every posted message, first one first."""
        return ((self.message_id,) if self.message_id else ()) + self.extra_message_ids

    def draft(self) -> ReviewDraft:
        """The review's content, as it was written."""
        return ReviewDraft(
            body=self.body,
            headline=self.headline,
            spoilers=self.spoilers,
            spoiler_reach=self.spoiler_reach,
            content_warnings=self.content_warnings,
            recommended_for=self.recommended_for,
            stars=self.stars,
        )


_LIKES = (
    select(func.count())
    .where(review_likes.c.review_id == reviews.c.id)
    .correlate(reviews)
    .scalar_subquery()
    .label("likes")
)


def _select() -> Select[Any]:
    return select(reviews, _LIKES)


def _from_row(row: RowMapping) -> StoredReview:
    quarters = row["quarters"]
    return StoredReview(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        book_id=int(row["book_id"]),
        read_number=int(row["read_number"]),
        stars=Stars(int(quarters)) if quarters is not None else None,
        headline=row["headline"],
        body=row["body"],
        spoilers=row["spoilers"],
        spoiler_reach=SpoilerReach.from_db(row["spoiler_reach_kind"], row["spoiler_reach_value"]),
        content_warnings=row["content_warnings"],
        recommended_for=row["recommended_for"],
        source=row["source"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        extra_message_ids=tuple(int(i) for i in row["extra_message_ids"] or ()),
        thread_id=row["thread_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        likes=int(row["likes"] or 0),
        stray_messages=tuple((int(c), int(m)) for c, m in row["stray_messages"] or ()),
    )


def _content(draft: ReviewDraft) -> dict[str, Any]:
    kind, value = draft.spoiler_reach.to_db() if draft.spoiler_reach else (None, None)
    return {
        "quarters": draft.stars.quarters if draft.stars else None,
        "headline": draft.headline,
        "body": draft.body,
        "spoilers": draft.spoilers,
        "spoiler_reach_kind": kind,
        "spoiler_reach_value": value,
        "content_warnings": draft.content_warnings,
        "recommended_for": draft.recommended_for,
    }


def review_in(conn: Connection, guild_id: int, review_id: int) -> StoredReview | None:
    """The review (a unit of work; :func:`get` for an ``AsyncConnection``)."""
    query = _select().where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
    row = conn.execute(query).mappings().first()
    return _from_row(row) if row else None


async def get(conn: AsyncConnection, guild_id: int, review_id: int) -> StoredReview | None:
    return await conn.run_sync(review_in, guild_id, review_id)


async def latest_for(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> StoredReview | None:
    """The member's review of the book for their latest read-through (highest number)."""
    query = (
        _select()
        .where(
            reviews.c.guild_id == guild_id,
            reviews.c.user_id == user_id,
            reviews.c.book_id == book_id,
        )
        .order_by(reviews.c.read_number.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).mappings().first()
    return _from_row(row) if row else None


async def insert(
    conn: AsyncConnection,
    guild_id: int,
    user_id: int,
    book_id: int,
    draft: ReviewDraft,
    now: datetime,
    *,
    read_number: int = 1,
    source: str = "discord",
) -> int:
    result = await conn.execute(
        reviews.insert().values(
            guild_id=guild_id,
            user_id=user_id,
            book_id=book_id,
            read_number=read_number,
            source=source,
            created_at=now,
            updated_at=now,
            **_content(draft),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def update_content(
    conn: AsyncConnection, guild_id: int, review_id: int, draft: ReviewDraft, now: datetime
) -> None:
    await conn.execute(
        reviews.update()
        .where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
        .values(**_content(draft), updated_at=now)
    )


async def set_posted(
    conn: AsyncConnection,
    guild_id: int,
    review_id: int,
    channel_id: int | None,
    message_ids: Sequence[int],
) -> None:
    """Remember where the review is posted: the first message and its continuations."""
    await conn.execute(
        reviews.update()
        .where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
        .values(
            channel_id=channel_id if message_ids else None,
            message_id=message_ids[0] if message_ids else None,
            extra_message_ids=[int(i) for i in message_ids[1:]],
        )
    )


async def add_strays(
    conn: AsyncConnection,
    guild_id: int,
    review_id: int,
    strays: Sequence[tuple[int, int]],
) -> None:
    """Remember messages of the review a failed post left behind, so deleting the review (or
    forget-me) removes them too."""
    if not strays:
        return
    found = await conn.execute(
        select(reviews.c.stray_messages).where(
            reviews.c.guild_id == guild_id, reviews.c.id == review_id
        )
    )
    current = [tuple(pair) for pair in found.scalar_one_or_none() or ()]
    merged = current + [(int(c), int(m)) for c, m in strays if (c, m) not in current]
    await conn.execute(
        reviews.update()
        .where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
        .values(stray_messages=[list(pair) for pair in merged])
    )


async def claim_thread(
    conn: AsyncConnection, guild_id: int, review_id: int, thread_id: int
) -> int | None:
    """Store ``thread_id`` unless the review has a thread already; returns the stored one."""
    await conn.execute(
        reviews.update()
        .where(
            reviews.c.guild_id == guild_id,
            reviews.c.id == review_id,
            reviews.c.thread_id.is_(None),
        )
        .values(thread_id=thread_id)
    )
    stored = await conn.execute(
        select(reviews.c.thread_id).where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
    )
    value = stored.scalar_one_or_none()
    return int(value) if value is not None else None


async def clear_thread(conn: AsyncConnection, guild_id: int, review_id: int) -> None:
    """Forget a thread that no longer exists (deleted by someone), so it can be made again."""
    await conn.execute(
        reviews.update()
        .where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
        .values(thread_id=None)
    )


async def delete(conn: AsyncConnection, guild_id: int, review_id: int) -> bool:
    """Delete the review (its likes and flags go with it)."""
    await conn.execute(review_likes.delete().where(review_likes.c.review_id == review_id))
    await conn.execute(review_flags.delete().where(review_flags.c.review_id == review_id))
    result = await conn.execute(
        reviews.delete().where(reviews.c.guild_id == guild_id, reviews.c.id == review_id)
    )
    return bool(result.rowcount)


async def list_for_book(
    conn: AsyncConnection,
    guild_id: int,
    book_id: int,
    *,
    order: ReviewOrder = ReviewOrder.NEWEST,
    limit: int = 5,
    offset: int = 0,
) -> list[StoredReview]:
    query = _select().where(reviews.c.guild_id == guild_id, reviews.c.book_id == book_id)
    if order is ReviewOrder.MOST_LIKED:
        query = query.order_by(_LIKES.desc(), reviews.c.created_at.desc(), reviews.c.id.desc())
    else:
        query = query.order_by(reviews.c.created_at.desc(), reviews.c.id.desc())
    rows = (await conn.execute(query.limit(limit).offset(offset))).mappings()
    return [_from_row(row) for row in rows]


async def count_for_book(conn: AsyncConnection, guild_id: int, book_id: int) -> int:
    result = await conn.execute(
        select(func.count()).where(reviews.c.guild_id == guild_id, reviews.c.book_id == book_id)
    )
    return int(result.scalar_one())


# --- likes and flags ----------------------------------------------------------------------


# likes: sync functions for units of work, each with an async adapter of the old name


def likes_on(conn: Connection, review_id: int) -> int:
    result = conn.execute(select(func.count()).where(review_likes.c.review_id == review_id))
    return int(result.scalar_one())


def liked_by(conn: Connection, review_id: int, user_id: int) -> bool:
    result = conn.execute(
        select(func.count()).where(
            review_likes.c.review_id == review_id, review_likes.c.user_id == user_id
        )
    )
    return bool(result.scalar_one())


def put_like(conn: Connection, review_id: int, user_id: int, now: datetime) -> None:
    """Like the review; a like that exists already (a double click) stays as it is."""
    conn.execute(
        insert_missing(conn, review_likes).values(
            review_id=review_id, user_id=user_id, created_at=now
        )
    )


def drop_like(conn: Connection, review_id: int, user_id: int) -> None:
    conn.execute(
        review_likes.delete().where(
            review_likes.c.review_id == review_id, review_likes.c.user_id == user_id
        )
    )


async def like_count(conn: AsyncConnection, review_id: int) -> int:
    return await conn.run_sync(likes_on, review_id)


async def has_liked(conn: AsyncConnection, review_id: int, user_id: int) -> bool:
    return await conn.run_sync(liked_by, review_id, user_id)


async def add_like(conn: AsyncConnection, review_id: int, user_id: int, now: datetime) -> None:
    await conn.run_sync(put_like, review_id, user_id, now)


async def remove_like(conn: AsyncConnection, review_id: int, user_id: int) -> None:
    await conn.run_sync(drop_like, review_id, user_id)


async def add_flag(
    conn: AsyncConnection, review_id: int, user_id: int, reason: str, now: datetime
) -> bool:
    """Record a member's flag; False if they had flagged this review already (kept as it was,
    also when the two flags arrive at the same time: ON CONFLICT DO NOTHING)."""
    result = await conn.execute(
        insert_missing(conn, review_flags).values(
            review_id=review_id, user_id=user_id, reason=reason, created_at=now
        )
    )
    return result.rowcount == 1


async def flag_count(conn: AsyncConnection, review_id: int) -> int:
    result = await conn.execute(select(func.count()).where(review_flags.c.review_id == review_id))
    return int(result.scalar_one())


# --- the reader's own progress (for the Reveal button) ------------------------------------


async def readings_for(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> list[ReadingProgress]:
    """The member's readings of the book in this server, newest first."""
    query = (
        select(
            readings.c.status,
            readings.c.progress_page,
            readings.c.progress_percent,
            readings.c.progress_chapter,
            func.coalesce(readings.c.page_count_override, books.c.page_count).label("pages"),
            readings.c.created_at,
        )
        .join(books, books.c.id == readings.c.book_id)
        .where(
            readings.c.guild_id == guild_id,
            readings.c.user_id == user_id,
            readings.c.book_id == book_id,
        )
        .order_by(readings.c.created_at.desc(), readings.c.id.desc())
    )
    rows = (await conn.execute(query)).mappings()
    return [
        ReadingProgress(
            status=row["status"],
            page=row["progress_page"],
            percent=row["progress_percent"],
            page_count=row["pages"],
            created_at=row["created_at"],
            chapter=row["progress_chapter"],
        )
        for row in rows
    ]
