"""Everything of one member in one server, read for ``/export`` (one read transaction).

Rows come back as plain dicts of their columns: the export writes them out as they are
stored, and a column added later appears in the JSON without a change here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import (
    books,
    challenge_fills,
    challenge_hidden,
    club_nominations,
    club_nudge_optins,
    club_questions,
    club_reminder_optins,
    club_vote_ballots,
    club_vote_nominees,
    club_votes,
    goals,
    member_follows,
    member_notifications,
    member_privacy,
    member_settings,
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

__all__ = ["MemberData", "member_data"]

Row = dict[str, Any]


@dataclass
class MemberData:
    """The member's rows in the server, each list in a stable order."""

    books: dict[int, Row] = field(default_factory=dict)  # every book the rows mention
    ratings: list[Row] = field(default_factory=list)
    reviews: list[Row] = field(default_factory=list)  # with a "likes" count
    readings: list[Row] = field(default_factory=list)  # oldest first (by id)
    events: list[Row] = field(default_factory=list)
    shelves: list[Row] = field(default_factory=list)
    shelf_entries: list[Row] = field(default_factory=list)
    goals: list[Row] = field(default_factory=list)
    likes: list[Row] = field(default_factory=list)  # likes the member gave
    flags: list[Row] = field(default_factory=list)  # flags the member raised
    privacy: Row | None = None
    drafts: list[Row] = field(default_factory=list)  # review text not sent yet
    settings: Row | None = None  # the member's own settings (time zone)
    quotes: list[Row] = field(default_factory=list)  # with a "likes" count, oldest first
    quote_likes: list[Row] = field(default_factory=list)  # likes the member gave to quotes
    nominations: list[Row] = field(default_factory=list)  # for the club's next read
    reminders: Row | None = None  # meeting reminders turned on (no row: off)
    ballots: list[Row] = field(default_factory=list)  # ranked ballots, with "book_ids"
    questions: list[Row] = field(default_factory=list)  # discussion questions proposed
    nudges: Row | None = None  # the member asked for nudges (/club nudges on)
    following: list[Row] = field(default_factory=list)  # members the member follows
    notifications: Row | None = None  # /me notifications (None: the default, on)
    challenge_fills: list[Row] = field(default_factory=list)  # books matched to prompts
    challenge_hidden: bool = False  # the member keeps off the challenge boards

    @property
    def empty(self) -> bool:
        return not (
            self.ratings
            or self.reviews
            or self.readings
            or self.shelves
            or self.goals
            or self.likes
            or self.flags
            or self.privacy
            or self.drafts
            or self.settings
            or self.quotes
            or self.quote_likes
            or self.nominations
            or self.reminders
            or self.ballots
            or self.questions
            or self.nudges
            or self.following
            or self.notifications
            or self.challenge_fills
            or self.challenge_hidden
        )


async def _rows(conn: AsyncConnection, query: Select[Any]) -> list[Row]:
    return [dict(row) for row in (await conn.execute(query)).mappings()]


async def _ballots(conn: AsyncConnection, guild_id: int, user_id: int) -> list[Row]:
    """The member's ranked ballots: the vote, when it opened, and the books in their order."""
    found = await _rows(
        conn,
        select(
            club_vote_ballots.c.vote_id,
            club_votes.c.opened_at,
            club_votes.c.status,
            club_vote_ballots.c.ranking,
            club_vote_ballots.c.cast_at,
        )
        .join(club_votes, club_votes.c.id == club_vote_ballots.c.vote_id)
        .where(club_vote_ballots.c.guild_id == guild_id, club_vote_ballots.c.user_id == user_id)
        .order_by(club_vote_ballots.c.vote_id),
    )
    for row in found:
        positions = await conn.execute(
            select(club_vote_nominees.c.position, club_vote_nominees.c.book_id).where(
                club_vote_nominees.c.vote_id == row["vote_id"]
            )
        )
        book_of = {int(p): int(b) for p, b in positions.all()}
        row["book_ids"] = [book_of[int(p)] for p in row.pop("ranking") if int(p) in book_of]
    return found


async def _books(conn: AsyncConnection, book_ids: Sequence[int]) -> dict[int, Row]:
    found: dict[int, Row] = {}
    wanted = sorted(set(book_ids))
    columns = [c for c in books.c if c.name not in ("search_key", "created_by_guild_id")]
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        for row in await _rows(conn, select(*columns).where(books.c.id.in_(part))):
            found[int(row["id"])] = row
    return found


async def member_data(conn: AsyncConnection, guild_id: int, user_id: int) -> MemberData:
    data = MemberData()
    data.ratings = await _rows(
        conn,
        select(ratings)
        .where(ratings.c.guild_id == guild_id, ratings.c.user_id == user_id)
        .order_by(ratings.c.id),
    )
    likes = (
        select(func.count())
        .where(review_likes.c.review_id == reviews.c.id)
        .correlate(reviews)
        .scalar_subquery()
        .label("likes")
    )
    data.reviews = await _rows(
        conn,
        select(reviews, likes)
        .where(reviews.c.guild_id == guild_id, reviews.c.user_id == user_id)
        .order_by(reviews.c.id),
    )
    data.readings = await _rows(
        conn,
        select(readings)
        .where(readings.c.guild_id == guild_id, readings.c.user_id == user_id)
        .order_by(readings.c.id),
    )
    data.events = await _rows(
        conn,
        select(progress_events)
        .where(progress_events.c.guild_id == guild_id, progress_events.c.user_id == user_id)
        .order_by(progress_events.c.occurred_at, progress_events.c.id),
    )
    data.shelves = await _rows(
        conn,
        select(shelves)
        .where(shelves.c.guild_id == guild_id, shelves.c.user_id == user_id)
        .order_by(shelves.c.id),
    )
    data.shelf_entries = await _rows(
        conn,
        select(shelf_books)
        .join(shelves, shelves.c.id == shelf_books.c.shelf_id)
        .where(shelves.c.guild_id == guild_id, shelves.c.user_id == user_id)
        .order_by(shelf_books.c.shelf_id, shelf_books.c.added_at, shelf_books.c.book_id),
    )
    data.goals = await _rows(
        conn,
        select(goals)
        .where(goals.c.guild_id == guild_id, goals.c.user_id == user_id)
        .order_by(goals.c.year),
    )
    data.likes = await _rows(
        conn,
        select(review_likes.c.review_id, reviews.c.book_id, review_likes.c.created_at)
        .join(reviews, reviews.c.id == review_likes.c.review_id)
        .where(reviews.c.guild_id == guild_id, review_likes.c.user_id == user_id)
        .order_by(review_likes.c.created_at),
    )
    data.flags = await _rows(
        conn,
        select(
            review_flags.c.review_id,
            reviews.c.book_id,
            review_flags.c.reason,
            review_flags.c.created_at,
        )
        .join(reviews, reviews.c.id == review_flags.c.review_id)
        .where(reviews.c.guild_id == guild_id, review_flags.c.user_id == user_id)
        .order_by(review_flags.c.created_at),
    )
    privacy = await _rows(
        conn,
        select(member_privacy.c.digest_opt_in, member_privacy.c.updated_at).where(
            member_privacy.c.guild_id == guild_id, member_privacy.c.user_id == user_id
        ),
    )
    data.privacy = privacy[0] if privacy else None
    settings = await _rows(
        conn,
        select(member_settings.c.timezone, member_settings.c.updated_at).where(
            member_settings.c.guild_id == guild_id, member_settings.c.user_id == user_id
        ),
    )
    data.settings = settings[0] if settings else None
    reminders = await _rows(
        conn,
        select(club_reminder_optins.c.created_at).where(
            club_reminder_optins.c.guild_id == guild_id, club_reminder_optins.c.user_id == user_id
        ),
    )
    data.reminders = reminders[0] if reminders else None
    data.drafts = await _rows(
        conn,
        select(review_drafts)
        .where(review_drafts.c.guild_id == guild_id, review_drafts.c.user_id == user_id)
        .order_by(review_drafts.c.id),
    )
    quote_likes_count = (
        select(func.count())
        .where(quote_likes.c.quote_id == quotes.c.id)
        .correlate(quotes)
        .scalar_subquery()
        .label("likes")
    )
    data.quotes = await _rows(
        conn,
        select(quotes, quote_likes_count)
        .where(quotes.c.guild_id == guild_id, quotes.c.user_id == user_id)
        .order_by(quotes.c.created_at, quotes.c.id),
    )
    # likes have no guild_id of their own: the quote's server is theirs
    data.quote_likes = await _rows(
        conn,
        select(quote_likes.c.quote_id, quotes.c.book_id, quote_likes.c.created_at)
        .join(quotes, quotes.c.id == quote_likes.c.quote_id)
        .where(quotes.c.guild_id == guild_id, quote_likes.c.user_id == user_id)
        .order_by(quote_likes.c.created_at, quote_likes.c.quote_id),
    )
    data.nominations = await _rows(
        conn,
        select(club_nominations.c.book_id, club_nominations.c.pitch, club_nominations.c.created_at)
        .where(club_nominations.c.guild_id == guild_id, club_nominations.c.user_id == user_id)
        .order_by(club_nominations.c.id),
    )
    data.ballots = await _ballots(conn, guild_id, user_id)
    nudges = await _rows(
        conn,
        select(club_nudge_optins.c.enabled_at).where(
            club_nudge_optins.c.guild_id == guild_id, club_nudge_optins.c.user_id == user_id
        ),
    )
    data.nudges = nudges[0] if nudges else None
    data.following = await _rows(
        conn,
        select(member_follows.c.followed_id, member_follows.c.created_at)
        .where(member_follows.c.guild_id == guild_id, member_follows.c.user_id == user_id)
        .order_by(member_follows.c.created_at),
    )
    notifications = await _rows(
        conn,
        select(member_notifications.c.follows, member_notifications.c.updated_at).where(
            member_notifications.c.guild_id == guild_id,
            member_notifications.c.user_id == user_id,
        ),
    )
    data.notifications = notifications[0] if notifications else None
    data.challenge_fills = await _rows(
        conn,
        select(
            challenge_fills.c.challenge_id,
            challenge_fills.c.position,
            challenge_fills.c.book_id,
            challenge_fills.c.filled_at,
        )
        .where(challenge_fills.c.guild_id == guild_id, challenge_fills.c.user_id == user_id)
        .order_by(challenge_fills.c.challenge_id, challenge_fills.c.position),
    )
    data.challenge_hidden = bool(
        await _rows(
            conn,
            select(challenge_hidden.c.user_id).where(
                challenge_hidden.c.guild_id == guild_id, challenge_hidden.c.user_id == user_id
            ),
        )
    )
    data.questions = await _rows(
        conn,
        select(
            club_questions.c.club_id,
            club_questions.c.checkpoint_id,
            club_questions.c.text,
            club_questions.c.status,
            club_questions.c.created_at,
            club_questions.c.posted_at,
        )
        .where(club_questions.c.guild_id == guild_id, club_questions.c.user_id == user_id)
        .order_by(club_questions.c.id),
    )
    book_ids = [
        int(row["book_id"])
        for group in (
            data.ratings,
            data.reviews,
            data.readings,
            data.shelf_entries,
            data.drafts,
            data.quotes,
            data.nominations,
            data.challenge_fills,
        )
        for row in group
    ]
    book_ids += [int(row["book_id"]) for row in (*data.likes, *data.flags, *data.quote_likes)]
    book_ids += [int(book_id) for row in data.ballots for book_id in row["book_ids"]]
    data.books = await _books(conn, book_ids)
    return data
