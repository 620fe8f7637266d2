"""Review drafts: the text a member typed into a review form, kept until the review is stored.

One draft per member, book and server (a new form for the same book continues it). Every
query is scoped by ``guild_id`` and, for the member's own actions, ``user_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.schema import review_drafts


@dataclass(frozen=True, slots=True)
class StoredDraft:
    id: int
    guild_id: int
    user_id: int
    book_id: int
    review_id: int | None  # None: a new review; else the review being edited
    stars: str | None  # the /review write options, as typed
    spoilers_reach: str | None
    headline: str
    body: str
    spoilers: str
    content_warnings: str
    recommended_for: str
    created_at: datetime
    updated_at: datetime

    @property
    def has_text(self) -> bool:
        return any(
            part.strip()
            for part in (
                self.headline,
                self.body,
                self.spoilers,
                self.content_warnings,
                self.recommended_for,
            )
        )


TEXT_COLUMNS = ("headline", "body", "spoilers", "content_warnings", "recommended_for")


def _from_row(row: RowMapping) -> StoredDraft:
    return StoredDraft(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        book_id=int(row["book_id"]),
        review_id=row["review_id"],
        stars=row["stars"],
        spoilers_reach=row["spoilers_reach"],
        headline=row["headline"],
        body=row["body"],
        spoilers=row["spoilers"],
        content_warnings=row["content_warnings"],
        recommended_for=row["recommended_for"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def get(conn: AsyncConnection, guild_id: int, draft_id: int) -> StoredDraft | None:
    row = (
        (
            await conn.execute(
                select(review_drafts).where(
                    review_drafts.c.guild_id == guild_id, review_drafts.c.id == draft_id
                )
            )
        )
        .mappings()
        .first()
    )
    return _from_row(row) if row else None


async def for_book(
    conn: AsyncConnection, guild_id: int, user_id: int, book_id: int
) -> StoredDraft | None:
    row = (
        (
            await conn.execute(
                select(review_drafts).where(
                    review_drafts.c.guild_id == guild_id,
                    review_drafts.c.user_id == user_id,
                    review_drafts.c.book_id == book_id,
                )
            )
        )
        .mappings()
        .first()
    )
    return _from_row(row) if row else None


async def insert(
    conn: AsyncConnection,
    *,
    guild_id: int,
    user_id: int,
    book_id: int,
    review_id: int | None,
    stars: str | None,
    spoilers_reach: str | None,
    texts: dict[str, str],
    now: datetime,
) -> int:
    result = await conn.execute(
        review_drafts.insert().values(
            guild_id=guild_id,
            user_id=user_id,
            book_id=book_id,
            review_id=review_id,
            stars=stars,
            spoilers_reach=spoilers_reach,
            created_at=now,
            updated_at=now,
            **texts,
        )
    )
    (draft_id,) = result.inserted_primary_key or (None,)
    assert draft_id is not None
    return int(draft_id)


async def update_draft(
    conn: AsyncConnection,
    guild_id: int,
    draft_id: int,
    now: datetime,
    **values: object,
) -> None:
    await conn.execute(
        update(review_drafts)
        .where(review_drafts.c.guild_id == guild_id, review_drafts.c.id == draft_id)
        .values(updated_at=now, **values)
    )


async def remove(conn: AsyncConnection, guild_id: int, draft_id: int) -> None:
    await conn.execute(
        delete(review_drafts).where(
            review_drafts.c.guild_id == guild_id, review_drafts.c.id == draft_id
        )
    )


async def prune(
    conn: AsyncConnection, guild_id: int, user_id: int, *, keep: int, older_than: datetime
) -> int:
    """Delete the member's drafts older than ``older_than`` and all but the ``keep`` newest."""
    expired = await conn.execute(
        delete(review_drafts).where(
            review_drafts.c.guild_id == guild_id,
            review_drafts.c.user_id == user_id,
            review_drafts.c.updated_at < older_than,
        )
    )
    newest = (
        select(review_drafts.c.id)
        .where(review_drafts.c.guild_id == guild_id, review_drafts.c.user_id == user_id)
        .order_by(review_drafts.c.updated_at.desc(), review_drafts.c.id.desc())
        .limit(keep)
    )
    kept = [int(i) for i in (await conn.execute(newest)).scalars()]
    surplus = await conn.execute(
        delete(review_drafts).where(
            review_drafts.c.guild_id == guild_id,
            review_drafts.c.user_id == user_id,
            review_drafts.c.id.not_in(kept),
        )
    )
    return int(expired.rowcount or 0) + int(surplus.rowcount or 0)


async def count_for_member(conn: AsyncConnection, guild_id: int, user_id: int) -> int:
    query = select(func.count()).where(
        review_drafts.c.guild_id == guild_id, review_drafts.c.user_id == user_id
    )
    return int((await conn.execute(query)).scalar_one())


async def all_for_member(conn: AsyncConnection, guild_id: int, user_id: int) -> list[StoredDraft]:
    rows = (
        await conn.execute(
            select(review_drafts)
            .where(review_drafts.c.guild_id == guild_id, review_drafts.c.user_id == user_id)
            .order_by(review_drafts.c.id)
        )
    ).mappings()
    return [_from_row(row) for row in rows]
