"""Discussion questions on both backends: checked text, moderators' decisions once, an
approved question posted once in its room even when two posters run at once."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.db import rooms as room_repo
from bot.db.engine import Database
from bot.db.questions import Question
from bot.domain.clock import FakeClock
from bot.errors import Conflict, InvalidInput
from bot.services.questions import MAX_QUESTION_LENGTH, QuestionService
from tests.support.ids import SATURDAY_NOON as NOW
from tests.support.seeders import Seeder

GUILD = 1001


class Board:
    def __init__(self) -> None:
        self.posted: list[tuple[int, int]] = []

    async def post_question(self, thread_id: int, question: Question) -> int:
        await asyncio.sleep(0)
        self.posted.append((thread_id, question.id))
        return 7000 + len(self.posted)


async def test_questions_are_decided_once_and_posted_once(
    database: Database, clock: FakeClock
) -> None:
    seeder = Seeder(database, now=NOW)
    book_id = await seeder.book("Middlemarch")
    club_id = await seeder.club(
        GUILD,
        book_id,
        created_at=NOW,
        checkpoints=[("Book One", 100, date(2026, 12, 1)), ("Book Two", 400, date(2026, 12, 9))],
    )
    service = QuestionService(database, clock)
    with pytest.raises(InvalidInput, match="empty"):
        await service.add(GUILD, 1, "Book One", " \u200b ")
    with pytest.raises(InvalidInput, match=f"{MAX_QUESTION_LENGTH} characters"):
        await service.add(GUILD, 1, "Book One", "x" * (MAX_QUESTION_LENGTH + 1))
    first = await service.add(GUILD, 1, "book two", "Who\x07 wrote the letter?")
    assert first.text == "Who wrote the letter?" and first.checkpoint_label == "Book Two"
    assert [q.id for q in await service.listed(GUILD, 2, moderator=False)] == []

    board = Board()
    decided = await service.decide(GUILD, first.id, approve=True, board=board)
    assert decided.status == "approved" and board.posted == []  # no room yet
    with pytest.raises(Conflict, match="approved already"):
        await service.decide(GUILD, first.id, approve=False, board=board)

    async with database.write() as conn:
        rooms = await room_repo.rooms_of(conn, club_id)
        await room_repo.add_room(
            conn,
            club_id=club_id,
            guild_id=GUILD,
            checkpoint_id=rooms[1].checkpoint_id,
            thread_id=555,
            now=NOW,
        )
    other = QuestionService(database, clock)
    counts = await asyncio.gather(service.post_ready(GUILD, board), other.post_ready(GUILD, board))
    assert sorted(counts) == [0, 1] and board.posted == [(555, first.id)]
    assert await service.post_ready(GUILD, board) == 0
