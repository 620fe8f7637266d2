"""Discussion questions for the checkpoint rooms (SPEC §11): ``/club question add|list``.

Any member proposes a question for a checkpoint of the club read; a moderator approves or
rejects it; an approved question is posted in that checkpoint's room as soon as the room is
open (at approval, or when ``/club rooms on`` or a new checkpoint opens it). Posting is
claimed first, so a question is posted once whatever runs at the same moment. A question is
about a part of the book, so outside its room it is only ever shown inside spoiler tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.db import clubs as club_repo
from bot.db import questions as repo
from bot.db import rooms as room_repo
from bot.db.clubs import ClubRecord
from bot.db.engine import Database
from bot.db.questions import Question
from bot.domain.clock import Clock
from bot.domain.text import is_blank, strip_control_chars
from bot.errors import Conflict, InvalidInput, NotFound

__all__ = ["MAX_QUESTION_LENGTH", "CheckpointChoice", "QuestionBoard", "QuestionService"]

MAX_QUESTION_LENGTH = 500


class QuestionBoard(Protocol):
    async def post_question(self, thread_id: int, question: Question) -> int:
        """Post the question in the room's thread; the message's id."""
        ...


@dataclass(frozen=True, slots=True)
class CheckpointChoice:
    checkpoint_id: int
    label: str


def check_question(text: str) -> str:
    cleaned = strip_control_chars(text).strip()
    if is_blank(cleaned):
        raise InvalidInput("Write the question: it is empty.")
    if len(cleaned) > MAX_QUESTION_LENGTH:
        raise InvalidInput(
            f"Keep a question to {MAX_QUESTION_LENGTH} characters (it has {len(cleaned):,})."
        )
    return cleaned


class QuestionService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def _club(self, guild_id: int) -> ClubRecord:
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
        if club is None:
            raise NotFound("There is no club read right now: questions belong to a club read.")
        return club

    async def checkpoints(self, guild_id: int) -> list[CheckpointChoice]:
        """The club read's checkpoints, for the ``checkpoint`` option."""
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            rooms = await room_repo.rooms_of(conn, club.id) if club is not None else []
        return [CheckpointChoice(r.checkpoint_id, r.label) for r in rooms]

    async def add(self, guild_id: int, user_id: int, checkpoint: str, text: str) -> Question:
        """Propose a question for a checkpoint (by id, as autocomplete gives it, or by its
        label); it waits for a moderator."""
        kept = check_question(text)
        club = await self._club(guild_id)
        choices = await self.checkpoints(guild_id)
        if not choices:
            raise Conflict("The club read has no checkpoints yet, so there is no room to ask in.")
        wanted = checkpoint.strip()
        chosen = next(
            (
                c
                for c in choices
                if wanted == str(c.checkpoint_id) or wanted.casefold() == c.label.casefold()
            ),
            None,
        )
        if chosen is None:
            names = ", ".join(f"“{c.label}”" for c in choices[:10])
            raise InvalidInput(f"Pick one of the club read's checkpoints: {names}.")
        async with self.database.write() as conn:
            question_id = await repo.add_question(
                conn,
                club_id=club.id,
                checkpoint_id=chosen.checkpoint_id,
                guild_id=guild_id,
                user_id=user_id,
                text=kept,
                now=self.clock.now(),
            )
            found = await repo.question(conn, guild_id, question_id)
        assert found is not None
        return found

    async def listed(self, guild_id: int, user_id: int, *, moderator: bool) -> list[Question]:
        """A moderator sees every question of the club read, pending first; a member their
        own."""
        club = await self._club(guild_id)
        async with self.database.read() as conn:
            found = await repo.questions_of_club(
                conn, club.id, user_id=None if moderator else user_id
            )
        return sorted(found, key=lambda q: (q.status != "pending", q.created_at, q.id))

    async def decide(
        self, guild_id: int, question_id: int, *, approve: bool, board: QuestionBoard
    ) -> Question:
        async with self.database.write() as conn:
            found = await repo.question(conn, guild_id, question_id)
            if found is None:
                raise NotFound("That question is gone.")
            status = "approved" if approve else "rejected"
            if not await repo.decide(conn, question_id, status, self.clock.now()):
                raise Conflict(f"That question was {found.status} already.")
        if approve:
            await self.post_ready(guild_id, board)
        async with self.database.read() as conn:
            decided = await repo.question(conn, guild_id, question_id)
        assert decided is not None
        return decided

    async def post_ready(self, guild_id: int, board: QuestionBoard) -> int:
        """Post every approved question whose room is open; how many were posted."""
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            ready = await repo.ready_to_post(conn, club.id) if club is not None else []
        posted = 0
        for question in ready:
            assert question.thread_id is not None
            async with self.database.write() as conn:
                if not await repo.claim_post(conn, question.id, self.clock.now()):
                    continue
            try:
                message_id = await board.post_question(question.thread_id, question)
            except Exception:
                async with self.database.write() as conn:
                    await repo.release_post(conn, question.id)
                raise
            async with self.database.write() as conn:
                await repo.mark_posted(conn, question.id, message_id)
            posted += 1
        return posted
