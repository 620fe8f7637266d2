"""The club's spoiler guard (SPEC §11): ``/club guard add|off``.

While a club read runs, a Discord AutoMod keyword rule blocks the guarded words everywhere
except the read's checkpoint rooms and the server's review channel, with a message saying
where to post them. Adding words to a guard that exists edits its rule; rooms opened later are
exempted as they open (:meth:`GuardService.refresh`); ``/club guard off`` and ``/club end``
remove the rule. The Discord side is :class:`GuardBoard`: no discord import here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.db import clubs as club_repo
from bot.db import guards as repo
from bot.db.clubs import ClubRecord
from bot.db.engine import Database
from bot.domain.clock import Clock
from bot.domain.spoiler_guard import merge_words, parse_words
from bot.errors import NotFound, PermissionDenied

__all__ = ["GuardBoard", "GuardService", "Guarded"]


class GuardBoard(Protocol):
    async def can_manage_rules(self, guild_id: int) -> bool:
        """Whether the bot has Manage Server (needed for AutoMod rules)."""
        ...

    async def put_rule(
        self, guild_id: int, rule_id: int | None, words: Sequence[str], exempt: Sequence[int]
    ) -> int:
        """Create the rule (``rule_id`` None) or edit it; its id. A rule deleted in
        Discord meanwhile is created again."""
        ...

    async def delete_rule(self, guild_id: int, rule_id: int) -> None:
        """Delete the rule (gone already is fine)."""
        ...


@dataclass(frozen=True, slots=True)
class Guarded:
    words: tuple[str, ...]
    added: int  # new words in this command
    exempt: int  # channels and rooms where the words may be written


NEEDS_MANAGE_SERVER = (
    "The spoiler guard is a Discord AutoMod rule, and I need the Manage Server permission to "
    "create one. Grant it to my role, or leave the guard out. Nothing was changed."
)


class GuardService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def _active(self, guild_id: int) -> ClubRecord:
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
        if club is None:
            raise NotFound("There is no club read right now: the guard runs during a read.")
        return club

    async def add(self, guild_id: int, text: str, board: GuardBoard) -> Guarded:
        words = parse_words(text)
        club = await self._active(guild_id)
        if not await board.can_manage_rules(guild_id):
            raise PermissionDenied(NEEDS_MANAGE_SERVER)
        async with self.database.read() as conn:
            current = await repo.guard_of(conn, club.id)
            exempt = await repo.exempt_channels(conn, guild_id, club.id)
        kept = current.words if current is not None else ()
        merged = merge_words(kept, words)
        rule_id = await board.put_rule(
            guild_id, current.rule_id if current else None, merged, exempt
        )
        async with self.database.write() as conn:
            await repo.keep_guard(
                conn,
                club_id=club.id,
                guild_id=guild_id,
                rule_id=rule_id,
                words=merged,
                now=self.clock.now(),
            )
        return Guarded(merged, len(merged) - len(kept), len(exempt))

    async def refresh(self, guild_id: int, board: GuardBoard) -> None:
        """Exempt the rooms opened since the rule was last written."""
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            current = await repo.guard_of(conn, club.id) if club is not None else None
            exempt = await repo.exempt_channels(conn, guild_id, club.id) if club is not None else []
        if club is None or current is None:
            return
        await board.put_rule(guild_id, current.rule_id, current.words, exempt)

    async def off(self, guild_id: int, board: GuardBoard) -> int:
        """Remove the guard; how many words it had (0: there was none)."""
        club = await self._active(guild_id)
        return await self.remove(guild_id, club.id, board)

    async def remove(self, guild_id: int, club_id: int, board: GuardBoard) -> int:
        async with self.database.write() as conn:
            dropped = await repo.drop_guard(conn, club_id)
        if dropped is None:
            return 0
        await board.delete_rule(guild_id, dropped.rule_id)
        return len(dropped.words)
