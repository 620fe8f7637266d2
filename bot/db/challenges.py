"""Server reading challenges (issue 14): challenges and prompts, members' fills, the boards,
who hides from them, and who completed what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_missing, insert_or_update
from bot.db.schema import (
    books,
    challenge_fills,
    challenge_hidden,
    challenge_prompts,
    challenges,
    readings,
)
from bot.domain.challenge import Prompt, PromptRule

__all__ = [
    "ChallengeExists",
    "ChallengeRecord",
    "Fill",
    "board",
    "challenges_of",
    "completed_between",
    "completed_by",
    "create",
    "fill",
    "fills_of",
    "finished_book",
    "hidden_members",
    "set_hidden",
]


class ChallengeExists(Exception):
    """The server has a challenge of that name; the transaction is only good for rolling back."""


@dataclass(frozen=True, slots=True)
class ChallengeRecord:
    id: int
    name: str
    ends_on: date | None
    prompts: tuple[Prompt, ...]  # position 1 is prompts[0]


@dataclass(frozen=True, slots=True)
class Fill:
    position: int
    book_id: int
    title: str


async def create(
    conn: AsyncConnection,
    *,
    guild_id: int,
    name: str,
    ends_on: date | None,
    prompts: Sequence[Prompt],
    created_by: int,
    now: datetime,
) -> int:
    try:
        result = await conn.execute(
            challenges.insert().values(
                guild_id=guild_id, name=name, ends_on=ends_on, created_by=created_by, created_at=now
            )
        )
    except IntegrityError:
        raise ChallengeExists(name) from None
    challenge_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    await conn.execute(
        challenge_prompts.insert(),
        [
            {
                "challenge_id": challenge_id,
                "guild_id": guild_id,
                "position": i,
                "text": p.text,
                "rule_kind": p.rule.kind if p.rule else None,
                "rule_value": p.rule.value if p.rule else None,
            }
            for i, p in enumerate(prompts, start=1)
        ],
    )
    return challenge_id


async def challenges_of(
    conn: AsyncConnection, guild_id: int, *, running_on: date | None = None
) -> list[ChallengeRecord]:
    """The server's challenges, newest first (only those not ended on ``running_on``)."""
    query = select(challenges).where(challenges.c.guild_id == guild_id)
    if running_on is not None:
        query = query.where(or_(challenges.c.ends_on.is_(None), challenges.c.ends_on >= running_on))
    rows = (await conn.execute(query.order_by(challenges.c.id.desc()))).mappings().all()
    if not rows:
        return []
    prompt_rows = (
        await conn.execute(
            select(challenge_prompts)
            .where(challenge_prompts.c.challenge_id.in_([r["id"] for r in rows]))
            .order_by(challenge_prompts.c.challenge_id, challenge_prompts.c.position)
        )
    ).mappings()
    prompts: dict[int, list[Prompt]] = {}
    for p in prompt_rows:
        rule = PromptRule(p["rule_kind"], p["rule_value"]) if p["rule_kind"] else None
        prompts.setdefault(int(p["challenge_id"]), []).append(Prompt(str(p["text"]), rule))
    return [
        ChallengeRecord(int(r["id"]), str(r["name"]), r["ends_on"], tuple(prompts.get(r["id"], [])))
        for r in rows
    ]


async def finished_book(conn: AsyncConnection, guild_id: int, user_id: int, book_id: int) -> bool:
    """Whether the member has finished the book in this server (any read-through)."""
    query = select(readings.c.id).where(
        readings.c.guild_id == guild_id,
        readings.c.user_id == user_id,
        readings.c.book_id == book_id,
        readings.c.status == "finished",
    )
    return (await conn.execute(query.limit(1))).first() is not None


async def fill(
    conn: AsyncConnection,
    *,
    challenge_id: int,
    position: int,
    guild_id: int,
    user_id: int,
    book_id: int,
    now: datetime,
) -> None:
    """The member's book for a prompt (replacing the one they gave before)."""
    values = {
        "challenge_id": challenge_id,
        "position": position,
        "guild_id": guild_id,
        "user_id": user_id,
        "book_id": book_id,
        "filled_at": now,
    }
    await conn.execute(
        insert_or_update(conn, challenge_fills, values, ("challenge_id", "position", "user_id"))
    )


async def fills_of(conn: AsyncConnection, challenge_id: int, user_id: int) -> list[Fill]:
    query = (
        select(challenge_fills.c.position, books.c.id, books.c.title)
        .join(books, books.c.id == challenge_fills.c.book_id)
        .where(challenge_fills.c.challenge_id == challenge_id, challenge_fills.c.user_id == user_id)
        .order_by(challenge_fills.c.position)
    )
    return [Fill(int(p), int(b), str(t)) for p, b, t in (await conn.execute(query)).all()]


async def board(conn: AsyncConnection, challenge_id: int) -> list[tuple[int, int]]:
    """(member, prompts filled), most first, then by who reached it first."""
    query = (
        select(challenge_fills.c.user_id, func.count().label("filled"))
        .where(challenge_fills.c.challenge_id == challenge_id)
        .group_by(challenge_fills.c.user_id)
        .order_by(
            func.count().desc(), func.max(challenge_fills.c.filled_at), challenge_fills.c.user_id
        )
    )
    return [(int(u), int(n)) for u, n in (await conn.execute(query)).all()]


async def hidden_members(conn: AsyncConnection, guild_id: int) -> set[int]:
    query = select(challenge_hidden.c.user_id).where(challenge_hidden.c.guild_id == guild_id)
    return {int(u) for u in (await conn.execute(query)).scalars()}


async def set_hidden(
    conn: AsyncConnection, guild_id: int, user_id: int, hidden: bool, now: datetime
) -> None:
    if hidden:
        await conn.execute(
            insert_missing(conn, challenge_hidden).values(
                guild_id=guild_id, user_id=user_id, updated_at=now
            )
        )
    else:
        await conn.execute(
            delete(challenge_hidden).where(
                challenge_hidden.c.guild_id == guild_id, challenge_hidden.c.user_id == user_id
            )
        )


def _completions(guild_id: int) -> Any:
    """Per (challenge, member): prompts filled, the challenge's prompt count, the last fill."""
    sizes = (
        select(challenge_prompts.c.challenge_id, func.count().label("size"))
        .where(challenge_prompts.c.guild_id == guild_id)
        .group_by(challenge_prompts.c.challenge_id)
        .subquery()
    )
    return (
        select(
            challenges.c.name,
            challenge_fills.c.user_id,
            func.max(challenge_fills.c.filled_at).label("done_at"),
        )
        .join(challenges, challenges.c.id == challenge_fills.c.challenge_id)
        .join(sizes, sizes.c.challenge_id == challenge_fills.c.challenge_id)
        .where(challenge_fills.c.guild_id == guild_id)
        .group_by(challenges.c.name, challenge_fills.c.user_id, sizes.c.size)
        .having(func.count() == sizes.c.size)
    )


async def completed_by(conn: AsyncConnection, guild_id: int, user_id: int) -> list[str]:
    """The names of the challenges the member completed (every prompt filled)."""
    query = _completions(guild_id).where(challenge_fills.c.user_id == user_id)
    return sorted(str(name) for name, _, _ in (await conn.execute(query)).all())


async def completed_between(
    conn: AsyncConnection, guild_id: int, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """(challenge name, member) completed in [start, end): their last prompt filled then."""
    found = (await conn.execute(_completions(guild_id))).all()
    return sorted((str(name), int(user)) for name, user, done_at in found if start <= done_at < end)
