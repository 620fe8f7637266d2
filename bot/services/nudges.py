"""Nudges (SPEC §11): ``/club nudges on|off``, and one direct message two days before a
checkpoint to a member who opted in and is behind it.

"Behind" is the member's own pace (:func:`bot.domain.club_pace.club_pace`, their own today):
the next checkpoint not reached, with a steady reader ahead of them. The nudge goes out when
that checkpoint is two days away or closer (a member who falls behind on the last day still
gets one; so does one whose nudge fell in a time the bot was down), once per checkpoint —
claimed in the database before it is sent, across restarts and processes. Nobody else is
ever told who is behind. The sending is the cog's: no discord import here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bot.db import clubs as club_repo
from bot.db import nudges as repo
from bot.db.engine import Database
from bot.domain.clock import Clock
from bot.errors import UserError
from bot.services.clubs import ClubService, PaceReport

__all__ = ["NUDGE_DAYS", "Nudge", "NudgeService"]

NUDGE_DAYS: Final = 2


@dataclass(frozen=True, slots=True)
class Nudge:
    guild_id: int
    user_id: int
    report: PaceReport


class NudgeService:
    def __init__(self, database: Database, clock: Clock, clubs: ClubService) -> None:
        self.database = database
        self.clock = clock
        self.clubs = clubs

    async def set(self, guild_id: int, user_id: int, on: bool) -> None:
        async with self.database.write() as conn:
            await repo.set_opt_in(conn, guild_id, user_id, on, self.clock.now())

    async def due(self, owns_guild: Callable[[int], bool] = lambda _: True) -> list[Nudge]:
        """The nudges to send now, each already claimed (so sent at most once)."""
        async with self.database.read() as conn:
            clubs = [c for c in await club_repo.active_clubs(conn) if owns_guild(c.guild_id)]
        found: list[Nudge] = []
        for club in clubs:
            async with self.database.read() as conn:
                members = await repo.opted_in(conn, club.guild_id)
            for user_id in members:
                try:
                    report = await self.clubs.pace(club.guild_id, user_id)
                except UserError:  # no checkpoints, or the read ended meanwhile
                    break
                pace = report.pace
                target = pace.checkpoint
                if pace.state != "behind" or target is None or target.id is None:
                    continue
                if not 0 <= (target.due_on - report.view.today).days <= NUDGE_DAYS:
                    continue
                async with self.database.write() as conn:
                    mine = await repo.claim_nudge(
                        conn, target.id, club.guild_id, user_id, self.clock.now()
                    )
                if mine:
                    found.append(Nudge(club.guild_id, user_id, report))
        return found
