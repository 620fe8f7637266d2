"""Privacy: forgetting a member in one server, the digest choice, and purging the data of
servers the bot left more than :data:`RETENTION` ago.

Forgetting runs in one transaction and returns where the member's reviews and quotes were
posted, so the cog can delete those messages afterwards (Discord calls never run inside a
transaction). A server the bot leaves is marked with ``left_at``; coming back clears it;
the purge skips a server the bot is in, whatever its mark says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot.db import privacy as repo
from bot.db.engine import Database
from bot.db.privacy import MemberFootprint, PostedReview
from bot.domain.clock import Clock

__all__ = ["RETENTION", "ForgetResult", "GuildPurge", "PrivacyService"]

log = logging.getLogger(__name__)

#: How long a server's data is kept after the bot left it.
RETENTION: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ForgetResult:
    deleted: MemberFootprint
    posts: tuple[PostedReview, ...]
    quote_posts: tuple[tuple[int, int], ...] = ()  # (channel id, message id) of quotes


@dataclass(frozen=True, slots=True)
class GuildPurge:
    guild_id: int
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class PrivacyService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    # --- a member ------------------------------------------------------------------------

    async def preview(self, guild_id: int, user_id: int) -> tuple[MemberFootprint, int, int]:
        """What forgetting the member would delete, and how many reviews and how many quotes
        are posted in the channels."""
        async with self.database.read() as conn:
            footprint = await repo.footprint(conn, guild_id, user_id)
            posts = await repo.posted_reviews(conn, guild_id, user_id)
            quote_posts = await repo.posted_quotes(conn, guild_id, user_id)
        return footprint, sum(1 for p in posts if p.message_ids), len(quote_posts)

    async def forget(self, guild_id: int, user_id: int) -> ForgetResult:
        """Delete everything of the member in the server, in one transaction."""
        async with self.database.write() as conn:
            posts = await repo.posted_reviews(conn, guild_id, user_id)
            quote_posts = await repo.posted_quotes(conn, guild_id, user_id)
            deleted = await repo.forget_member(conn, guild_id, user_id)
        log.info("forgot member guild=%s user=%s rows=%d", guild_id, user_id, deleted.total)
        return ForgetResult(deleted, tuple(posts), tuple(quote_posts))

    async def digest_opt_in(self, guild_id: int, user_id: int) -> bool:
        async with self.database.read() as conn:
            return await repo.digest_opt_in(conn, guild_id, user_id)

    async def set_digest(self, guild_id: int, user_id: int, opt_in: bool) -> bool:
        """Appear in digests and club status, or not; returns whether that changed."""
        async with self.database.write() as conn:
            before = await repo.digest_opt_in(conn, guild_id, user_id)
            await repo.set_digest_opt_in(conn, guild_id, user_id, opt_in, self.clock.now())
        return before != opt_in

    # --- servers -------------------------------------------------------------------------

    async def guild_left(self, guild_id: int) -> None:
        async with self.database.write() as conn:
            await repo.mark_left(conn, guild_id, self.clock.now())
        log.info("left guild=%s: its data is purged after %d days", guild_id, RETENTION.days)

    async def guild_joined(self, guild_id: int) -> bool:
        """The bot is in the server: keep its data. True when a departure was cancelled."""
        async with self.database.write() as conn:
            cleared = await repo.clear_left(conn, guild_id, self.clock.now())
        if cleared:
            log.info("back in guild=%s: its data is kept", guild_id)
        return cleared

    async def reconcile(self, present: Collection[int], owns: Callable[[int], bool]) -> None:
        """Catch up with joins and departures that happened while the bot was offline.

        ``present`` are the servers the bot is in now; ``owns`` says whether a server is
        served by this process (its shards), since other processes see other servers.
        """
        now = self.clock.now()
        here = set(present)
        async with self.database.write() as conn:
            for guild_id in sorted(here):
                await repo.clear_left(conn, guild_id, now)
            known = await repo.guild_ids_with_data(conn)
            gone = sorted(g for g in known - here if owns(g))
            for guild_id in gone:
                await repo.mark_left(conn, guild_id, now)
        if gone:
            log.info("not in %d guilds with data: marked as left", len(gone))

    async def purge_due(
        self, present: Collection[int] = (), owns: Callable[[int], bool] = lambda _g: True
    ) -> list[GuildPurge]:
        """Purge every server the bot left more than :data:`RETENTION` ago, one transaction
        each; a server in ``present`` (the bot is in it after all) is kept and unmarked.
        Only the servers ``owns`` says this process serves (its shards'): with several
        processes each server is purged by one, never by a process that cannot see it."""
        now = self.clock.now()
        async with self.database.read() as conn:
            due = [g for g in await repo.guilds_left_before(conn, now - RETENTION) if owns(g)]
        purged: list[GuildPurge] = []
        for guild_id in due:
            if guild_id in present:
                await self.guild_joined(guild_id)
                continue
            async with self.database.write() as conn:
                # checked again inside the transaction: a rejoin may have just cleared it
                if guild_id not in await repo.guilds_left_before(conn, now - RETENTION):
                    continue
                rows = await repo.purge_guild(conn, guild_id)
            purged.append(GuildPurge(guild_id, rows))
            log.info("purged guild=%s rows=%d", guild_id, sum(rows.values()))
        return purged
