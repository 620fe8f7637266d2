"""Choosing the next club read (SPEC §11): ``/club nominate``, ``/club nominations`` and
``/club suggest``.

A round of nominations lasts until a moderator picks the next read with ``/club pick``
(:meth:`bot.services.clubs.ClubService.pick` ends it). Suggestions count members, never
name them; nominations name who nominated, as the member chose to say it in public.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.db import nominations as repo
from bot.db.engine import Database
from bot.db.nominations import BookAlreadyNominated, Nomination, Suggestion
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.markdown import inert
from bot.domain.text import clean_line
from bot.errors import Conflict, InvalidInput
from bot.services.clubs import MemberDirectory, fallback_name

__all__ = [
    "MAX_PITCH_LENGTH",
    "NamedNomination",
    "Nominated",
    "NominationService",
]

MAX_PITCH_LENGTH = 300


@dataclass(frozen=True, slots=True)
class NamedNomination:
    nomination: Nomination
    nominator: str  # the member's display name


@dataclass(frozen=True, slots=True)
class Nominated:
    """``/club nominate``'s answer: the nomination and the book it replaced, if any."""

    book: Book
    pitch: str | None
    replaced: str | None  # the title of the member's previous nomination
    count: int  # nominations in the round now


def check_pitch(pitch: str | None) -> str | None:
    """A pitch as kept: cleaned, at most MAX_PITCH_LENGTH characters, None when empty."""
    if pitch is None:
        return None
    cleaned = clean_line(pitch)
    if len(cleaned) > MAX_PITCH_LENGTH:
        raise InvalidInput(
            f"Keep the pitch to {MAX_PITCH_LENGTH} characters (it has {len(cleaned):,}); "
            "it should say why, without spoilers."
        )
    return cleaned or None


class NominationService:
    def __init__(self, database: Database, clock: Clock, directory: MemberDirectory) -> None:
        self.database = database
        self.clock = clock
        self.directory = directory

    async def nominate(
        self, guild_id: int, user_id: int, book: Book, pitch: str | None
    ) -> Nominated:
        """Make ``book`` the member's nomination in this round, replacing theirs; a book
        another member nominated, or the current club read, is refused (Conflict)."""
        if book.id is None:
            raise ValueError("the book must be stored first")
        kept = check_pitch(pitch)
        title = inert(book.display_title, 200)
        try:
            async with self.database.write() as conn:
                reading = await repo.current_club_book(conn, guild_id)
                if reading == book.id:
                    raise Conflict(f"The club is reading “{title}” right now: nominate another.")
                before = await repo.member_nominations(conn, guild_id, user_id)
                holder = await repo.nominate(
                    conn, guild_id, user_id, book.id, kept, self.clock.now()
                )
                count = len(await repo.nominations(conn, guild_id))
        except BookAlreadyNominated:
            holder = -1
        if holder is not None:
            who = "Another member" if holder < 0 else await self._name(guild_id, holder)
            raise Conflict(
                f"{who} already nominated “{title}”: it is in the running. "
                "See every nomination with /club nominations."
            )
        replaced = before[0].title if before and before[0].book_id != book.id else None
        return Nominated(book, kept, replaced, count)

    async def nominations(self, guild_id: int) -> list[NamedNomination]:
        async with self.database.read() as conn:
            found = await repo.nominations(conn, guild_id)
        names = await self.directory.display_names(guild_id, [n.user_id for n in found])
        return [NamedNomination(n, names.get(n.user_id) or fallback_name(n.user_id)) for n in found]

    async def suggestions(self, guild_id: int) -> Sequence[Suggestion]:
        async with self.database.read() as conn:
            return await repo.suggestions(conn, guild_id)

    async def _name(self, guild_id: int, user_id: int) -> str:
        names = await self.directory.display_names(guild_id, [user_id])
        return names.get(user_id) or fallback_name(user_id)
