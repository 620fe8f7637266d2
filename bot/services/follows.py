"""Follows (issue 14): ``/follow``, ``/unfollow``, ``/following``, ``/me notifications``, and
the direct messages that tell followers what a followed member posted.

Per server: following someone in one server says nothing in another. When a followed member
posts a review or a quote, each follower gets a notice; notices are sent as **one direct
message an hour at most** per follower and server (batched: what came in the meantime waits
for the next one). A notice carries a link and only spoiler-free text — a review's headline
or the start of its spoiler-free body, never its spoilers; a quote's text never (a quote may
be from anywhere in the book). A follower who turned follows off (``/me notifications off``)
gets nothing, and their notices are dropped. A batch is claimed and its notices marked sent
before the message goes, so a restart or a second process never sends one twice; a closed DM
is the cog's to swallow. No discord import here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot.db import follows as repo
from bot.db.engine import Database
from bot.db.follows import Notice
from bot.domain.clock import Clock
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.clubs import MemberDirectory, fallback_name

__all__ = ["BATCH_EVERY", "FollowBatch", "FollowOverview", "FollowService"]

BATCH_EVERY: Final = timedelta(hours=1)
EXCERPT: Final = 200


@dataclass(frozen=True, slots=True)
class FollowOverview:
    following: tuple[tuple[int, str], ...]  # (member id, display name)
    followers: tuple[tuple[int, str], ...]
    dms: bool  # the member gets follow notices by direct message


@dataclass(frozen=True, slots=True)
class FollowBatch:
    guild_id: int
    user_id: int  # the follower to message
    notices: tuple[Notice, ...]
    authors: dict[int, str]  # author id → display name


def review_excerpt(headline: str | None, body: str) -> str | None:
    """A review's spoiler-free lead for a notice: the headline, else the start of the body."""
    for text in (headline or "", body):
        line = " ".join(text.split())
        if line:
            return line if len(line) <= EXCERPT else line[: EXCERPT - 1].rstrip() + "…"
    return None


class FollowService:
    def __init__(self, database: Database, clock: Clock, directory: MemberDirectory) -> None:
        self.database = database
        self.clock = clock
        self.directory = directory

    async def follow(self, guild_id: int, user_id: int, followed_id: int, *, is_bot: bool) -> None:
        if followed_id == user_id:
            raise InvalidInput("You can't follow yourself.")
        if is_bot:
            raise InvalidInput("Bots post no reviews or quotes to follow.")
        async with self.database.write() as conn:
            if not await repo.follow(conn, guild_id, user_id, followed_id, self.clock.now()):
                raise Conflict("You follow them already. /following shows everyone you follow.")

    async def unfollow(self, guild_id: int, user_id: int, followed_id: int) -> None:
        async with self.database.write() as conn:
            if not await repo.unfollow(conn, guild_id, user_id, followed_id):
                raise NotFound("You don't follow them. /following shows everyone you follow.")

    async def remove_follower(self, guild_id: int, user_id: int, follower_id: int) -> None:
        async with self.database.write() as conn:
            if not await repo.unfollow(conn, guild_id, follower_id, user_id):
                raise NotFound("They don't follow you (any more).")

    async def overview(self, guild_id: int, user_id: int) -> FollowOverview:
        async with self.database.read() as conn:
            following = await repo.following_of(conn, guild_id, user_id)
            followers = await repo.followers_of(conn, guild_id, user_id)
            dms = await repo.wants_follow_dms(conn, guild_id, user_id)
        names = await self.directory.display_names(guild_id, [*following, *followers])

        def named(ids: list[int]) -> tuple[tuple[int, str], ...]:
            return tuple((i, names.get(i) or fallback_name(i)) for i in ids)

        return FollowOverview(named(following), named(followers), dms)

    async def set_dms(self, guild_id: int, user_id: int, on: bool) -> None:
        async with self.database.write() as conn:
            await repo.set_follows_dms(conn, guild_id, user_id, on, self.clock.now())

    async def wants_dms(self, guild_id: int, user_id: int) -> bool:
        async with self.database.read() as conn:
            return await repo.wants_follow_dms(conn, guild_id, user_id)

    # --- notices -----------------------------------------------------------------------------

    async def review_posted(
        self,
        guild_id: int,
        author_id: int,
        book_title: str,
        headline: str | None,
        body: str,
        channel_id: int,
        message_id: int,
    ) -> int:
        """Tell the author's followers (spoiler-free text only); how many will be told."""
        async with self.database.write() as conn:
            return await repo.notify(
                conn,
                guild_id=guild_id,
                author_id=author_id,
                kind="review",
                book_title=book_title,
                excerpt=review_excerpt(headline, body),
                channel_id=channel_id,
                message_id=message_id,
                now=self.clock.now(),
            )

    async def quote_posted(
        self, guild_id: int, author_id: int, book_title: str, channel_id: int, message_id: int
    ) -> int:
        """Tell the author's followers that they saved a quote — never its text."""
        async with self.database.write() as conn:
            return await repo.notify(
                conn,
                guild_id=guild_id,
                author_id=author_id,
                kind="quote",
                book_title=book_title,
                excerpt=None,
                channel_id=channel_id,
                message_id=message_id,
                now=self.clock.now(),
            )

    async def due_batches(
        self, owns_guild: Callable[[int], bool] = lambda _: True
    ) -> list[FollowBatch]:
        """The batches to send now, claimed and marked sent (so sent at most once); notices
        of followers who turned follows off are dropped here."""
        now = self.clock.now()
        last_before = now - BATCH_EVERY
        async with self.database.read() as conn:
            due = [
                pair for pair in await repo.due_recipients(conn, last_before) if owns_guild(pair[0])
            ]
        batches: list[FollowBatch] = []
        for guild_id, user_id in due:
            async with self.database.write() as conn:
                if not await repo.claim_batch(conn, guild_id, user_id, now, last_before):
                    continue
                notices = await repo.pending_for(conn, guild_id, user_id)
                await repo.mark_sent(conn, [n.id for n in notices], now)
                wants = await repo.wants_follow_dms(conn, guild_id, user_id)
            if not notices or not wants:
                continue
            authors = sorted({n.author_id for n in notices})
            names = await self.directory.display_names(guild_id, authors)
            batches.append(
                FollowBatch(
                    guild_id,
                    user_id,
                    tuple(notices),
                    {a: names.get(a) or fallback_name(a) for a in authors},
                )
            )
        return batches
