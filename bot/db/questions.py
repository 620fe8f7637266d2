"""Discussion questions for the club read's checkpoint rooms (SPEC §11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import club_checkpoints, club_questions, club_rooms

__all__ = [
    "Question",
    "add_question",
    "claim_post",
    "decide",
    "mark_posted",
    "question",
    "questions_of_club",
    "ready_to_post",
    "release_post",
]


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    club_id: int
    checkpoint_id: int
    checkpoint_label: str
    user_id: int
    text: str
    status: str  # "pending" | "approved" | "rejected"
    created_at: datetime
    posted_at: datetime | None
    thread_id: int | None  # the checkpoint's room, when it has one


def _query() -> Select[Any]:
    return (
        select(club_questions, club_checkpoints.c.label, club_rooms.c.thread_id)
        .join(club_checkpoints, club_checkpoints.c.id == club_questions.c.checkpoint_id)
        .outerjoin(club_rooms, club_rooms.c.checkpoint_id == club_questions.c.checkpoint_id)
    )


def _question(row: Row[Any]) -> Question:
    r = row._mapping
    return Question(
        id=int(r["id"]),
        club_id=int(r["club_id"]),
        checkpoint_id=int(r["checkpoint_id"]),
        checkpoint_label=str(r["label"]),
        user_id=int(r["user_id"]),
        text=str(r["text"]),
        status=str(r["status"]),
        created_at=r["created_at"],
        posted_at=r["posted_at"],
        thread_id=int(r["thread_id"]) if r["thread_id"] is not None else None,
    )


async def add_question(
    conn: AsyncConnection,
    *,
    club_id: int,
    checkpoint_id: int,
    guild_id: int,
    user_id: int,
    text: str,
    now: datetime,
) -> int:
    result = await conn.execute(
        club_questions.insert().values(
            club_id=club_id,
            checkpoint_id=checkpoint_id,
            guild_id=guild_id,
            user_id=user_id,
            text=text,
            status="pending",
            created_at=now,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def question(conn: AsyncConnection, guild_id: int, question_id: int) -> Question | None:
    query = _query().where(
        club_questions.c.guild_id == guild_id, club_questions.c.id == question_id
    )
    row = (await conn.execute(query)).first()
    return _question(row) if row is not None else None


async def questions_of_club(
    conn: AsyncConnection, club_id: int, *, user_id: int | None = None
) -> list[Question]:
    """The club read's questions, oldest first (one member's, if given)."""
    query = _query().where(club_questions.c.club_id == club_id)
    if user_id is not None:
        query = query.where(club_questions.c.user_id == user_id)
    query = query.order_by(club_questions.c.created_at, club_questions.c.id)
    return [_question(row) for row in (await conn.execute(query)).all()]


async def decide(conn: AsyncConnection, question_id: int, status: str, now: datetime) -> bool:
    """Approve or reject a pending question; False when it was decided already."""
    result = await conn.execute(
        update(club_questions)
        .where(club_questions.c.id == question_id, club_questions.c.status == "pending")
        .values(status=status, decided_at=now)
    )
    return bool(result.rowcount)


async def ready_to_post(conn: AsyncConnection, club_id: int) -> list[Question]:
    """Approved questions not posted yet whose checkpoint has a room."""
    query = (
        _query()
        .where(
            club_questions.c.club_id == club_id,
            club_questions.c.status == "approved",
            club_questions.c.posted_at.is_(None),
            club_rooms.c.thread_id.is_not(None),
        )
        .order_by(club_questions.c.decided_at, club_questions.c.id)
    )
    return [_question(row) for row in (await conn.execute(query)).all()]


async def claim_post(conn: AsyncConnection, question_id: int, now: datetime) -> bool:
    """Claim posting an approved question (one caller wins, in any process)."""
    result = await conn.execute(
        update(club_questions)
        .where(club_questions.c.id == question_id, club_questions.c.posted_at.is_(None))
        .values(posted_at=now)
    )
    return bool(result.rowcount)


async def release_post(conn: AsyncConnection, question_id: int) -> None:
    """The post failed: the question waits for the next chance."""
    await conn.execute(
        update(club_questions)
        .where(club_questions.c.id == question_id, club_questions.c.message_id.is_(None))
        .values(posted_at=None)
    )


async def mark_posted(conn: AsyncConnection, question_id: int, message_id: int) -> None:
    await conn.execute(
        update(club_questions)
        .where(club_questions.c.id == question_id)
        .values(message_id=message_id)
    )
