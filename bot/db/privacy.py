"""Deleting a member's data in one server, a member's digest choice, and the purge of a
server's data after the bot left it.

The member's parts are listed once (:func:`_member_parts`) and both counted (for the
confirmation) and deleted (for ``/privacy forget-me``) from that list, so the two always
agree. Tables added later that carry ``guild_id`` and ``user_id`` are deleted too, and the
guild purge walks every table with a ``guild_id`` (children first), so a new feature's
data cannot be forgotten by accident.

Books members made (by hand or by an import) belong to the servers that link them: the
purge takes along those no server links any more, and forgetting a member takes along the
ones the member made that nothing else in any server refers to (:func:`_unused_books`).
The catalogue's books are a shared cache and stay.

Length (~430 lines): forgetting a member, the digest choice and the purge of a server share
one list of what a member's and a server's data is; split, a new table could be forgotten in
one place and not the other.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, false, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import guild_settings as settings_repo
from bot.db.dialect import insert_or_update
from bot.db.schema import (
    book_isbns,
    books,
    club_reminder_optins,
    command_sync_state,
    follow_notices,
    goals,
    guild_books,
    guild_settings,
    member_follows,
    member_privacy,
    member_settings,
    metadata,
    progress_events,
    quote_likes,
    quotes,
    ratings,
    readings,
    review_drafts,
    review_flags,
    review_likes,
    reviews,
    shelf_books,
    shelves,
)
from bot.domain.book import MEMBER_SOURCES

__all__ = [
    "MemberFootprint",
    "PostedReview",
    "clear_left",
    "digest_opt_in",
    "footprint",
    "forget_member",
    "guild_ids_with_data",
    "guilds_left_before",
    "mark_left",
    "posted_quotes",
    "posted_reviews",
    "purge_guild",
    "set_digest_opt_in",
]


@dataclass(frozen=True, slots=True)
class MemberFootprint:
    """How many rows of each kind a member has (or had) in a server."""

    ratings: int = 0
    reviews: int = 0
    likes_received: int = 0  # on the member's reviews, removed with them
    flags_received: int = 0
    readings: int = 0
    progress_events: int = 0
    shelves: int = 0
    shelf_entries: int = 0
    goals: int = 0
    likes: int = 0  # likes the member gave
    flags: int = 0  # flags the member raised
    privacy: int = 0  # the digest choice (0 or 1)
    drafts: int = 0  # review text typed but not sent
    settings: int = 0  # the member's own settings, e.g. their time zone (0 or 1)
    reminders: int = 0  # meeting reminders turned on (/club reminders on; 0 or 1)
    quotes: int = 0
    quote_likes_received: int = 0  # on the member's quotes, removed with them
    quote_likes: int = 0  # likes the member gave to other members' quotes
    books: int = 0  # books the member made that nothing else uses
    followers: int = 0  # members following this one (the follows go, not the members)
    following: int = 0  # members this one follows
    notices_about: int = 0  # notices of the member's posts waiting for followers
    notices_for: int = 0  # notices waiting for the member about members they follow
    other: int = 0  # rows of tables added after this module was written

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def empty(self) -> bool:
        return self.total == 0


@dataclass(frozen=True, slots=True)
class PostedReview:
    """Where one of the member's reviews was posted in Discord."""

    review_id: int
    channel_id: int | None
    message_ids: tuple[int, ...]
    thread_id: int | None
    # (channel id, message id) left behind by a failed post
    strays: tuple[tuple[int, int], ...] = ()


def _member(table: Table, guild_id: int, user_id: int) -> ColumnElement[bool]:
    return and_(table.c.guild_id == guild_id, table.c.user_id == user_id)


def _member_parts(guild_id: int, user_id: int) -> list[tuple[str, Table, ColumnElement[bool]]]:
    """(footprint field, table, rows) in a safe deletion order: children first."""
    own_reviews = select(reviews.c.id).where(_member(reviews, guild_id, user_id))
    guild_reviews = select(reviews.c.id).where(reviews.c.guild_id == guild_id)
    own_readings = select(readings.c.id).where(_member(readings, guild_id, user_id))
    own_shelves = select(shelves.c.id).where(_member(shelves, guild_id, user_id))
    own_quotes = select(quotes.c.id).where(_member(quotes, guild_id, user_id))
    # quote likes have no guild_id: the quote's server is theirs
    others_quotes = select(quotes.c.id).where(
        quotes.c.guild_id == guild_id, quotes.c.user_id != user_id
    )
    return [
        (
            "followers",
            member_follows,
            and_(member_follows.c.guild_id == guild_id, member_follows.c.followed_id == user_id),
        ),
        ("following", member_follows, _member(member_follows, guild_id, user_id)),
        (
            "notices_about",
            follow_notices,
            and_(follow_notices.c.guild_id == guild_id, follow_notices.c.author_id == user_id),
        ),
        ("notices_for", follow_notices, _member(follow_notices, guild_id, user_id)),
        (
            "quote_likes",
            quote_likes,
            and_(quote_likes.c.user_id == user_id, quote_likes.c.quote_id.in_(others_quotes)),
        ),
        ("quote_likes_received", quote_likes, quote_likes.c.quote_id.in_(own_quotes)),
        ("quotes", quotes, _member(quotes, guild_id, user_id)),
        (
            "likes",
            review_likes,
            and_(review_likes.c.user_id == user_id, review_likes.c.review_id.in_(guild_reviews)),
        ),
        (
            "flags",
            review_flags,
            and_(review_flags.c.user_id == user_id, review_flags.c.review_id.in_(guild_reviews)),
        ),
        ("drafts", review_drafts, _member(review_drafts, guild_id, user_id)),
        ("likes_received", review_likes, review_likes.c.review_id.in_(own_reviews)),
        ("flags_received", review_flags, review_flags.c.review_id.in_(own_reviews)),
        ("reviews", reviews, _member(reviews, guild_id, user_id)),
        ("ratings", ratings, _member(ratings, guild_id, user_id)),
        (
            "progress_events",
            progress_events,
            or_(
                _member(progress_events, guild_id, user_id),
                progress_events.c.reading_id.in_(own_readings),
            ),
        ),
        ("readings", readings, _member(readings, guild_id, user_id)),
        ("shelf_entries", shelf_books, shelf_books.c.shelf_id.in_(own_shelves)),
        ("shelves", shelves, _member(shelves, guild_id, user_id)),
        ("goals", goals, _member(goals, guild_id, user_id)),
        ("privacy", member_privacy, _member(member_privacy, guild_id, user_id)),
        ("settings", member_settings, _member(member_settings, guild_id, user_id)),
        ("reminders", club_reminder_optins, _member(club_reminder_optins, guild_id, user_id)),
    ]


def _other_member_tables(known: set[str]) -> list[Table]:
    """Tables with guild_id and user_id that :func:`_member_parts` does not list."""
    return [
        table
        for table in reversed(metadata.sorted_tables)
        if table.name not in known and {"guild_id", "user_id"} <= set(table.c.keys())
    ]


# --- member-made books nothing uses any more ----------------------------------------------


def _book_references() -> list[tuple[Table, Any]]:
    """(table, column) of every row that refers to a book as a server's data (everything but
    the book's own ISBNs and its server links)."""
    return [
        (table, fk.parent)
        for table in metadata.sorted_tables
        if table is not book_isbns and table is not guild_books
        for fk in table.foreign_keys
        if fk.column.table is books
    ]


def _members_rows(table: Table, guild_id: int, user_id: int) -> ColumnElement[bool]:
    """The rows of ``table`` that are the member's in the server: by its own guild_id and
    user_id, or through its parent's (a shelf's books); none for a table of neither."""
    if {"guild_id", "user_id"} <= set(table.c.keys()):
        return _member(table, guild_id, user_id)
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent is not books and {"guild_id", "user_id"} <= set(parent.c.keys()):
            return fk.parent.in_(select(fk.column).where(_member(parent, guild_id, user_id)))
    return false()


def _unused_books(
    *, linked_elsewhere_than: int | None, except_member: tuple[int, int] | None
) -> ColumnElement[bool]:
    """Member-made books that no server but ``linked_elsewhere_than`` links (None: no server
    at all) and no row refers to, the rows of ``except_member`` (guild, user) apart."""
    links = select(guild_books.c.book_id)
    if linked_elsewhere_than is not None:
        links = links.where(guild_books.c.guild_id != linked_elsewhere_than)
    conditions = [books.c.source.in_(MEMBER_SOURCES), books.c.id.not_in(links)]
    for table, column in _book_references():
        rows = select(column).where(column.is_not(None))
        if except_member is not None:
            rows = rows.where(not_(_members_rows(table, *except_member)))
        conditions.append(books.c.id.not_in(rows))
    return and_(*conditions)


def _members_unused_books(guild_id: int, user_id: int) -> ColumnElement[bool]:
    """Books the member made in the server (by hand or by an import: their link to the
    server is the member's, made with the book) that nothing else in any server uses."""
    made = select(guild_books.c.book_id).where(
        guild_books.c.guild_id == guild_id, guild_books.c.added_by == user_id
    )
    return and_(
        books.c.id.in_(made),
        books.c.created_by_guild_id == guild_id,
        _unused_books(linked_elsewhere_than=guild_id, except_member=(guild_id, user_id)),
    )


async def _delete_books(conn: AsyncConnection, which: ColumnElement[bool]) -> int:
    """Delete the books ``which`` selects, with their ISBNs and server links."""
    ids = [int(i) for i in (await conn.execute(select(books.c.id).where(which))).scalars()]
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        await conn.execute(book_isbns.delete().where(book_isbns.c.book_id.in_(part)))
        await conn.execute(guild_books.delete().where(guild_books.c.book_id.in_(part)))
        await conn.execute(books.delete().where(books.c.id.in_(part)))
    return len(ids)


async def footprint(conn: AsyncConnection, guild_id: int, user_id: int) -> MemberFootprint:
    """What :func:`forget_member` would delete, counted."""
    counts: dict[str, int] = {}
    parts = _member_parts(guild_id, user_id)
    for name, table, where in parts:
        found = await conn.execute(select(func.count()).select_from(table).where(where))
        counts[name] = counts.get(name, 0) + int(found.scalar_one())
    for table in _other_member_tables({t.name for _, t, _ in parts}):
        found = await conn.execute(
            select(func.count()).select_from(table).where(_member(table, guild_id, user_id))
        )
        counts["other"] = counts.get("other", 0) + int(found.scalar_one())
    found = await conn.execute(
        select(func.count()).select_from(books).where(_members_unused_books(guild_id, user_id))
    )
    counts["books"] = int(found.scalar_one())
    return MemberFootprint(**counts)


async def posted_reviews(conn: AsyncConnection, guild_id: int, user_id: int) -> list[PostedReview]:
    """The member's reviews that have a post or a discussion thread in Discord."""
    rows = await conn.execute(
        select(
            reviews.c.id,
            reviews.c.channel_id,
            reviews.c.message_id,
            reviews.c.extra_message_ids,
            reviews.c.thread_id,
            reviews.c.stray_messages,
        )
        .where(_member(reviews, guild_id, user_id))
        .order_by(reviews.c.id)
    )
    out: list[PostedReview] = []
    for review_id, channel_id, message_id, extra, thread_id, stray in rows.all():
        ids = ((int(message_id),) if message_id else ()) + tuple(int(i) for i in extra or ())
        strays = tuple((int(c), int(m)) for c, m in stray or ())
        if ids or thread_id is not None or strays:
            out.append(PostedReview(int(review_id), channel_id, ids, thread_id, strays))
    return out


async def posted_quotes(
    conn: AsyncConnection, guild_id: int, user_id: int
) -> list[tuple[int, int]]:
    """(channel id, message id) of the member's quotes posted in Discord."""
    rows = await conn.execute(
        select(quotes.c.channel_id, quotes.c.message_id)
        .where(
            _member(quotes, guild_id, user_id),
            quotes.c.channel_id.is_not(None),
            quotes.c.message_id.is_not(None),
        )
        .order_by(quotes.c.id)
    )
    return [(int(channel), int(message)) for channel, message in rows.all()]


async def forget_member(conn: AsyncConnection, guild_id: int, user_id: int) -> MemberFootprint:
    """Delete everything of the member in the server; returns what was deleted.

    The books they made go too when nothing else in any server uses them; the others stay
    (they are the server's books now), without the member's name on them.
    """
    counts: dict[str, int] = {}
    parts = _member_parts(guild_id, user_id)
    for name, table, where in parts:
        result = await conn.execute(table.delete().where(where))
        counts[name] = counts.get(name, 0) + int(result.rowcount or 0)
    for table in _other_member_tables({t.name for _, t, _ in parts}):
        result = await conn.execute(table.delete().where(_member(table, guild_id, user_id)))
        counts["other"] = counts.get("other", 0) + int(result.rowcount or 0)
    counts["books"] = await _delete_books(conn, _members_unused_books(guild_id, user_id))
    await conn.execute(
        guild_books.update()
        .where(guild_books.c.guild_id == guild_id, guild_books.c.added_by == user_id)
        .values(added_by=None)
    )
    return MemberFootprint(**counts)


# --- the digest choice -------------------------------------------------------------------


async def digest_opt_in(conn: AsyncConnection, guild_id: int, user_id: int) -> bool:
    """Whether the member appears in digests and club status (the default: yes)."""
    found = await conn.execute(
        select(member_privacy.c.digest_opt_in).where(_member(member_privacy, guild_id, user_id))
    )
    value = found.scalar_one_or_none()
    return True if value is None else bool(value)


async def set_digest_opt_in(
    conn: AsyncConnection, guild_id: int, user_id: int, opt_in: bool, now: datetime
) -> None:
    row = {"guild_id": guild_id, "user_id": user_id, "digest_opt_in": opt_in, "updated_at": now}
    # an upsert: the same choice sent twice at once must not fail on the key
    await conn.execute(insert_or_update(conn, member_privacy, row, ["guild_id", "user_id"]))


# --- servers the bot left ----------------------------------------------------------------


async def mark_left(conn: AsyncConnection, guild_id: int, now: datetime) -> None:
    """Record that the bot left the server (the first departure counts; the row is created
    when the server has none)."""
    current = await settings_repo.get(conn, guild_id)
    if current.left_at is None:
        await settings_repo.update(conn, guild_id, now, left_at=now)


async def clear_left(conn: AsyncConnection, guild_id: int, now: datetime) -> bool:
    """The bot is in the server (again): its data is kept. True if a departure was cleared."""
    result = await conn.execute(
        guild_settings.update()
        .where(guild_settings.c.guild_id == guild_id, guild_settings.c.left_at.is_not(None))
        .values(left_at=None, updated_at=now)
    )
    return bool(result.rowcount)


async def guilds_left_before(conn: AsyncConnection, cutoff: datetime) -> list[int]:
    rows = await conn.execute(
        select(guild_settings.c.guild_id)
        .where(guild_settings.c.left_at.is_not(None), guild_settings.c.left_at <= cutoff)
        .order_by(guild_settings.c.left_at)
    )
    return [int(g) for g in rows.scalars()]


def _guild_tables() -> list[Table]:
    return [t for t in metadata.sorted_tables if "guild_id" in t.c]


async def guild_ids_with_data(conn: AsyncConnection) -> set[int]:
    """Every server any table holds rows for."""
    found: set[int] = set()
    for table in _guild_tables():
        rows = await conn.execute(select(table.c.guild_id).distinct())
        found.update(int(g) for g in rows.scalars() if g is not None)
    return found


def _children(parent: Table) -> list[tuple[Table, Any]]:
    """(table, its foreign-key column) for tables without guild_id that point at ``parent``."""
    out: list[tuple[Table, Any]] = []
    for table in metadata.sorted_tables:
        if "guild_id" in table.c:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is parent:
                out.append((table, fk.parent))
    return out


async def purge_guild(conn: AsyncConnection, guild_id: int) -> dict[str, int]:
    """Delete every row of the server in every table (children first); returns the count
    per table. Member-made books no server links any more go too; the catalogue's books
    (a shared metadata cache) and member-made books another server links stay, and forget
    which server added them."""
    counts: dict[str, int] = {}

    def add(name: str, n: int | None) -> None:
        if n:
            counts[name] = counts.get(name, 0) + int(n)

    for table in reversed(_guild_tables()):
        for child, column in _children(table):
            parent_key = next(iter(column.foreign_keys)).column
            owned = select(parent_key).where(table.c.guild_id == guild_id)
            result = await conn.execute(child.delete().where(column.in_(owned)))
            add(child.name, result.rowcount)
        result = await conn.execute(table.delete().where(table.c.guild_id == guild_id))
        add(table.name, result.rowcount)
    result = await conn.execute(
        command_sync_state.delete().where(command_sync_state.c.scope == str(guild_id))
    )
    add(command_sync_state.name, result.rowcount)
    unused = _unused_books(linked_elsewhere_than=None, except_member=None)
    add(books.name, await _delete_books(conn, unused))
    await conn.execute(
        books.update()
        .where(books.c.created_by_guild_id == guild_id)
        .values(created_by_guild_id=None)
    )
    return counts
