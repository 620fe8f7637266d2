"""The club's vote on its next read: opening it, ballots, closing it exactly once, and its
announcement (SPEC §11; the tables are described in :mod:`bot.db.schema`).

A vote goes ``opening`` (the row and its nominees are written before Discord is asked to
post it) → ``open`` (posted: :func:`mark_posted`) → ``closed`` (:func:`close`, a
compare-and-set that exactly one caller wins, in any number of processes). An ``opening``
vote whose post never got recorded (the process stopped) is dropped by :func:`drop_stale_opening`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_or_update
from bot.db.schema import books, club_vote_ballots, club_vote_nominees, club_votes

__all__ = [
    "VoteAlreadyRunning",
    "VoteNominee",
    "VoteRecord",
    "ballot_count",
    "ballots",
    "cast_ballot",
    "claim_announcement",
    "close",
    "drop_opening",
    "drop_stale_opening",
    "due_votes",
    "get_vote",
    "mark_posted",
    "member_ballot",
    "member_ballots",
    "nominees",
    "open_vote",
    "open_vote_of",
    "record_announcement",
    "record_result",
    "running_vote",
    "unannounced",
]

RUNNING = ("opening", "open")


class VoteAlreadyRunning(Exception):
    """Another vote of the server was opened at the same moment (the partial unique index
    refused this one); the transaction is only good for rolling back."""


@dataclass(frozen=True, slots=True)
class VoteRecord:
    id: int
    guild_id: int
    style: str  # "poll" | "ranked"
    status: str  # "opening" | "open" | "closed"
    channel_id: int
    message_id: int | None
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    winner_book_id: int | None
    result: Mapping[str, Any] | None
    announcement_id: int | None


@dataclass(frozen=True, slots=True)
class VoteNominee:
    position: int  # 1, 2… in nomination order; a poll's answer id
    book_id: int
    title: str
    authors: tuple[str, ...]


def _vote(row: RowMapping) -> VoteRecord:
    return VoteRecord(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        style=str(row["style"]),
        status=str(row["status"]),
        channel_id=int(row["channel_id"]),
        message_id=row["message_id"],
        opened_at=row["opened_at"],
        closes_at=row["closes_at"],
        closed_at=row["closed_at"],
        winner_book_id=row["winner_book_id"],
        result=row["result"],
        announcement_id=row["announcement_id"],
    )


async def _votes(conn: AsyncConnection, *where: Any) -> list[VoteRecord]:
    query = select(club_votes).where(*where).order_by(club_votes.c.closes_at, club_votes.c.id)
    return [_vote(row) for row in (await conn.execute(query)).mappings()]


async def get_vote(conn: AsyncConnection, vote_id: int) -> VoteRecord | None:
    found = await _votes(conn, club_votes.c.id == vote_id)
    return found[0] if found else None


async def running_vote(conn: AsyncConnection, guild_id: int) -> VoteRecord | None:
    """The server's vote that is being opened or is open, if any (at most one)."""
    found = await _votes(conn, club_votes.c.guild_id == guild_id, club_votes.c.status.in_(RUNNING))
    return found[0] if found else None


async def open_vote_of(conn: AsyncConnection, guild_id: int) -> tuple[VoteRecord, int] | None:
    """The server's open vote (posted, not closed) and its number of nominees, if any."""
    vote = await running_vote(conn, guild_id)
    if vote is None or vote.status != "open":
        return None
    query = select(func.count()).where(club_vote_nominees.c.vote_id == vote.id)
    return vote, int((await conn.execute(query)).scalar_one())


async def open_vote(
    conn: AsyncConnection,
    *,
    guild_id: int,
    style: str,
    channel_id: int,
    book_ids: Sequence[int],
    now: datetime,
    closes_at: datetime,
) -> int:
    """Write an ``opening`` vote over ``book_ids`` (in nomination order). Raises
    :class:`VoteAlreadyRunning` when the server has one being opened or open."""
    try:
        result = await conn.execute(
            club_votes.insert().values(
                guild_id=guild_id,
                style=style,
                status="opening",
                channel_id=channel_id,
                opened_at=now,
                closes_at=closes_at,
            )
        )
    except IntegrityError:
        raise VoteAlreadyRunning(guild_id) from None
    vote_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    await conn.execute(
        club_vote_nominees.insert(),
        [
            {"vote_id": vote_id, "guild_id": guild_id, "position": i, "book_id": book_id}
            for i, book_id in enumerate(book_ids, start=1)
        ],
    )
    return vote_id


async def mark_posted(conn: AsyncConnection, vote_id: int, message_id: int) -> bool:
    """The vote's message is in Discord: the vote is open."""
    result = await conn.execute(
        update(club_votes)
        .where(club_votes.c.id == vote_id, club_votes.c.status == "opening")
        .values(status="open", message_id=message_id)
    )
    return bool(result.rowcount)


async def drop_opening(conn: AsyncConnection, vote_id: int) -> None:
    """Discord refused the vote's message: the vote never opened."""
    await conn.execute(
        delete(club_votes).where(club_votes.c.id == vote_id, club_votes.c.status == "opening")
    )


async def drop_stale_opening(conn: AsyncConnection, opened_before: datetime) -> int:
    """Votes left ``opening`` by a process that stopped while posting them."""
    stale = select(club_votes.c.id).where(
        club_votes.c.status == "opening", club_votes.c.opened_at < opened_before
    )
    ids = [int(i) for i in (await conn.execute(stale)).scalars()]
    if not ids:
        return 0
    await conn.execute(delete(club_vote_ballots).where(club_vote_ballots.c.vote_id.in_(ids)))
    await conn.execute(delete(club_vote_nominees).where(club_vote_nominees.c.vote_id.in_(ids)))
    await conn.execute(delete(club_votes).where(club_votes.c.id.in_(ids)))
    return len(ids)


async def nominees(conn: AsyncConnection, vote_id: int) -> list[VoteNominee]:
    query = (
        select(club_vote_nominees.c.position, books.c.id, books.c.title, books.c.authors)
        .join(books, books.c.id == club_vote_nominees.c.book_id)
        .where(club_vote_nominees.c.vote_id == vote_id)
        .order_by(club_vote_nominees.c.position)
    )
    return [
        VoteNominee(int(position), int(book_id), str(title), tuple(str(a) for a in authors or ()))
        for position, book_id, title, authors in (await conn.execute(query)).all()
    ]


async def member_ballot(
    conn: AsyncConnection, vote_id: int, user_id: int
) -> tuple[int, ...] | None:
    query = select(club_vote_ballots.c.ranking).where(
        club_vote_ballots.c.vote_id == vote_id, club_vote_ballots.c.user_id == user_id
    )
    found = (await conn.execute(query)).scalar_one_or_none()
    return tuple(int(p) for p in found) if found is not None else None


async def cast_ballot(
    conn: AsyncConnection,
    *,
    vote_id: int,
    guild_id: int,
    user_id: int,
    ranking: Sequence[int],
    now: datetime,
) -> None:
    """Keep the member's ranking (nominee positions), replacing an earlier one."""
    values = {
        "vote_id": vote_id,
        "guild_id": guild_id,
        "user_id": user_id,
        "ranking": list(ranking),
        "cast_at": now,
    }
    await conn.execute(insert_or_update(conn, club_vote_ballots, values, ("vote_id", "user_id")))


async def ballots(conn: AsyncConnection, vote_id: int) -> list[tuple[int, ...]]:
    query = (
        select(club_vote_ballots.c.ranking)
        .where(club_vote_ballots.c.vote_id == vote_id)
        .order_by(club_vote_ballots.c.cast_at, club_vote_ballots.c.user_id)
    )
    return [tuple(int(p) for p in ranking) for ranking in (await conn.execute(query)).scalars()]


async def ballot_count(conn: AsyncConnection, vote_id: int) -> int:
    query = select(func.count()).where(club_vote_ballots.c.vote_id == vote_id)
    return int((await conn.execute(query)).scalar_one())


async def member_ballots(
    conn: AsyncConnection, guild_id: int, user_id: int
) -> list[tuple[VoteRecord, tuple[str, ...]]]:
    """The member's ballots in the server with the titles they ranked, for /export."""
    query = (
        select(club_votes, club_vote_ballots.c.ranking)
        .join(club_vote_ballots, club_vote_ballots.c.vote_id == club_votes.c.id)
        .where(club_vote_ballots.c.guild_id == guild_id, club_vote_ballots.c.user_id == user_id)
        .order_by(club_votes.c.id)
    )
    found = []
    for row in (await conn.execute(query)).mappings():
        vote = _vote(row)
        titles = {n.position: n.title for n in await nominees(conn, vote.id)}
        found.append((vote, tuple(titles.get(int(p), "?") for p in row["ranking"])))
    return found


async def close(
    conn: AsyncConnection, vote_id: int, now: datetime, *, early: bool = False
) -> VoteRecord | None:
    """Close an open vote (the compare-and-set only one caller wins). ``early``: a
    moderator closed it before ``closes_at``; otherwise only a vote past its time closes.
    Returns the vote as it was, or None when it was not open (or not due)."""
    conditions = [club_votes.c.id == vote_id, club_votes.c.status == "open"]
    if not early:
        conditions.append(club_votes.c.closes_at <= now)
    result = await conn.execute(
        update(club_votes).where(*conditions).values(status="closed", closed_at=now)
    )
    if not result.rowcount:
        return None
    return await get_vote(conn, vote_id)


async def record_result(
    conn: AsyncConnection, vote_id: int, winner_book_id: int | None, result: Mapping[str, Any]
) -> None:
    await conn.execute(
        update(club_votes)
        .where(club_votes.c.id == vote_id)
        .values(winner_book_id=winner_book_id, result=dict(result))
    )


async def due_votes(conn: AsyncConnection, now: datetime) -> list[VoteRecord]:
    """Open votes whose closing time has come (of every server)."""
    return await _votes(conn, club_votes.c.status == "open", club_votes.c.closes_at <= now)


async def unannounced(conn: AsyncConnection, claimed_before: datetime) -> list[VoteRecord]:
    """Closed votes with no announcement recorded, unclaimed or claimed before
    ``claimed_before`` (by a process that stopped while announcing)."""
    return await _votes(
        conn,
        club_votes.c.status == "closed",
        club_votes.c.announcement_id.is_(None),
        or_(
            club_votes.c.announce_claimed_at.is_(None),
            club_votes.c.announce_claimed_at < claimed_before,
        ),
    )


async def claim_announcement(
    conn: AsyncConnection, vote_id: int, now: datetime, claimed_before: datetime
) -> bool:
    """Claim the right to post a closed vote's announcement (one caller wins)."""
    result = await conn.execute(
        update(club_votes)
        .where(
            club_votes.c.id == vote_id,
            club_votes.c.status == "closed",
            club_votes.c.announcement_id.is_(None),
            or_(
                club_votes.c.announce_claimed_at.is_(None),
                club_votes.c.announce_claimed_at < claimed_before,
            ),
        )
        .values(announce_claimed_at=now)
    )
    return bool(result.rowcount)


async def record_announcement(conn: AsyncConnection, vote_id: int, message_id: int) -> None:
    await conn.execute(
        update(club_votes).where(club_votes.c.id == vote_id).values(announcement_id=message_id)
    )
