"""Follows (issue 14): who follows whom in a server, the notices waiting for followers, and
the once-an-hour claim of each follower's batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing, insert_or_update
from bot.db.schema import follow_dm_log, follow_notices, member_follows, member_notifications

__all__ = [
    "Notice",
    "claim_batch",
    "due_recipients",
    "follow",
    "followers_of",
    "following_of",
    "mark_sent",
    "notify",
    "pending_for",
    "set_follows_dms",
    "unfollow",
    "wants_follow_dms",
]


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    author_id: int
    kind: str  # "review" | "quote"
    book_title: str
    excerpt: str | None
    channel_id: int
    message_id: int
    created_at: datetime


async def follow(
    conn: AsyncConnection, guild_id: int, follower_id: int, followed_id: int, now: datetime
) -> bool:
    """False when the member followed them already."""
    result = await conn.execute(
        insert_missing(conn, member_follows).values(
            guild_id=guild_id, user_id=follower_id, followed_id=followed_id, created_at=now
        )
    )
    return bool(result.rowcount)


async def unfollow(
    conn: AsyncConnection, guild_id: int, follower_id: int, followed_id: int
) -> bool:
    result = await conn.execute(
        delete(member_follows).where(
            member_follows.c.guild_id == guild_id,
            member_follows.c.user_id == follower_id,
            member_follows.c.followed_id == followed_id,
        )
    )
    # what was waiting for them from that member goes too
    await conn.execute(
        delete(follow_notices).where(
            follow_notices.c.guild_id == guild_id,
            follow_notices.c.user_id == follower_id,
            follow_notices.c.author_id == followed_id,
            follow_notices.c.sent_at.is_(None),
        )
    )
    return bool(result.rowcount)


async def following_of(conn: AsyncConnection, guild_id: int, user_id: int) -> list[int]:
    query = (
        select(member_follows.c.followed_id)
        .where(member_follows.c.guild_id == guild_id, member_follows.c.user_id == user_id)
        .order_by(member_follows.c.created_at)
    )
    return [int(u) for u in (await conn.execute(query)).scalars()]


async def followers_of(conn: AsyncConnection, guild_id: int, user_id: int) -> list[int]:
    query = (
        select(member_follows.c.user_id)
        .where(member_follows.c.guild_id == guild_id, member_follows.c.followed_id == user_id)
        .order_by(member_follows.c.created_at)
    )
    return [int(u) for u in (await conn.execute(query)).scalars()]


async def notify(
    conn: AsyncConnection,
    *,
    guild_id: int,
    author_id: int,
    kind: str,
    book_title: str,
    excerpt: str | None,
    channel_id: int,
    message_id: int,
    now: datetime,
) -> int:
    """A notice for every follower of ``author_id``; how many."""
    followers = await followers_of(conn, guild_id, author_id)
    if followers:
        await conn.execute(
            follow_notices.insert(),
            [
                {
                    "guild_id": guild_id,
                    "user_id": follower,
                    "author_id": author_id,
                    "kind": kind,
                    "book_title": book_title[:300],
                    "excerpt": excerpt[:400] if excerpt else None,
                    "channel_id": channel_id,
                    "message_id": message_id,
                    "created_at": now,
                }
                for follower in followers
            ],
        )
    return len(followers)


async def due_recipients(
    conn: AsyncConnection, last_before: datetime, guild_ids: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """(guild, follower) pairs with unsent notices whose last batch was before
    ``last_before`` (or who never had one)."""
    query = (
        select(follow_notices.c.guild_id, follow_notices.c.user_id)
        .outerjoin(
            follow_dm_log,
            and_(
                follow_dm_log.c.guild_id == follow_notices.c.guild_id,
                follow_dm_log.c.user_id == follow_notices.c.user_id,
            ),
        )
        .where(
            follow_notices.c.sent_at.is_(None),
            or_(follow_dm_log.c.last_sent_at.is_(None), follow_dm_log.c.last_sent_at < last_before),
        )
        .group_by(follow_notices.c.guild_id, follow_notices.c.user_id)
        .order_by(func.min(follow_notices.c.id))
    )
    if guild_ids is not None:
        query = query.where(follow_notices.c.guild_id.in_(list(guild_ids)))
    return [(int(g), int(u)) for g, u in (await conn.execute(query)).all()]


async def claim_batch(
    conn: AsyncConnection, guild_id: int, user_id: int, now: datetime, last_before: datetime
) -> bool:
    """Claim this hour's batch for the follower (one caller wins, in any process)."""
    first = await conn.execute(
        insert_missing(conn, follow_dm_log).values(
            guild_id=guild_id, user_id=user_id, last_sent_at=now
        )
    )
    if first.rowcount:
        return True
    again = await conn.execute(
        update(follow_dm_log)
        .where(
            follow_dm_log.c.guild_id == guild_id,
            follow_dm_log.c.user_id == user_id,
            follow_dm_log.c.last_sent_at < last_before,
        )
        .values(last_sent_at=now)
    )
    return bool(again.rowcount)


async def pending_for(conn: AsyncConnection, guild_id: int, user_id: int) -> list[Notice]:
    query = (
        select(follow_notices)
        .where(
            follow_notices.c.guild_id == guild_id,
            follow_notices.c.user_id == user_id,
            follow_notices.c.sent_at.is_(None),
        )
        .order_by(follow_notices.c.id)
    )
    return [
        Notice(
            id=int(r["id"]),
            author_id=int(r["author_id"]),
            kind=str(r["kind"]),
            book_title=str(r["book_title"]),
            excerpt=r["excerpt"],
            channel_id=int(r["channel_id"]),
            message_id=int(r["message_id"]),
            created_at=r["created_at"],
        )
        for r in (await conn.execute(query)).mappings()
    ]


async def mark_sent(conn: AsyncConnection, notice_ids: Sequence[int], now: datetime) -> None:
    if notice_ids:
        await conn.execute(
            update(follow_notices)
            .where(follow_notices.c.id.in_(list(notice_ids)))
            .values(sent_at=now)
        )


async def wants_follow_dms(conn: AsyncConnection, guild_id: int, user_id: int) -> bool:
    """Default on: a member who follows someone asked to hear about them."""
    query = select(member_notifications.c.follows).where(
        member_notifications.c.guild_id == guild_id, member_notifications.c.user_id == user_id
    )
    found = (await conn.execute(query)).scalar_one_or_none()
    return True if found is None else bool(found)


async def set_follows_dms(
    conn: AsyncConnection, guild_id: int, user_id: int, on: bool, now: datetime
) -> None:
    values = {"guild_id": guild_id, "user_id": user_id, "follows": on, "updated_at": now}
    await conn.execute(
        insert_or_update(conn, member_notifications, values, ("guild_id", "user_id"))
    )
