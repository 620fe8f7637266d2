"""Server reading challenges (issue 14): ``/challenge create|fill|board|show|hide|unhide``.

A moderator creates a challenge of up to 25 prompts (some with a rule, see
:mod:`bot.domain.challenge`). A member fills a prompt with a book they have **finished** in
this server; a prompt's rule is checked against the book's metadata, any other prompt is the
member's word. The board is a plain count per member — no ranks, no streaks — with the member
who asks shown first, and members who hid themselves left out (except to themselves).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.db import challenges as repo
from bot.db import digest as digest_repo
from bot.db.challenges import ChallengeExists, ChallengeRecord, Fill
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.challenge import Prompt, check_rule, parse_prompts
from bot.domain.clock import Clock
from bot.domain.dates import NEAREST, parse_date
from bot.domain.markdown import inert
from bot.domain.text import clean_line
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.clubs import MemberDirectory, fallback_name

__all__ = ["BoardLine", "ChallengeBoard", "ChallengeService", "Filled", "MemberChallenge"]


@dataclass(frozen=True, slots=True)
class Filled:
    challenge: ChallengeRecord
    prompt: Prompt
    filled: int  # prompts the member has filled now
    replaced: bool  # the prompt had another book before


@dataclass(frozen=True, slots=True)
class BoardLine:
    user_id: int
    name: str
    filled: int


@dataclass(frozen=True, slots=True)
class ChallengeBoard:
    challenge: ChallengeRecord
    you: BoardLine | None  # the viewer's own line (first on the board), if they filled any
    others: tuple[BoardLine, ...]
    hidden: bool  # the viewer hides themself from others' boards


@dataclass(frozen=True, slots=True)
class MemberChallenge:
    challenge: ChallengeRecord
    name: str
    fills: tuple[Fill, ...]


class ChallengeService:
    def __init__(self, database: Database, clock: Clock, directory: MemberDirectory) -> None:
        self.database = database
        self.clock = clock
        self.directory = directory

    async def create(
        self, guild_id: int, user_id: int, name: str, prompts: str, ends: str | None
    ) -> ChallengeRecord:
        title = clean_line(name)
        if not title or len(title) > 100:
            raise InvalidInput("Give the challenge a name of 1 to 100 characters.")
        parsed = parse_prompts(prompts)
        async with self.database.read() as conn:
            zone = (await digest_repo.get_settings(conn, guild_id)).timezone
        today = self.clock.now().astimezone(ZoneInfo(zone or "UTC")).date()
        ends_on = parse_date(ends, today, without_year=NEAREST) if ends else None
        if ends_on is not None and ends_on < today:
            raise InvalidInput(
                "The end date has passed already: pick a later one, or leave it out."
            )
        try:
            async with self.database.write() as conn:
                challenge_id = await repo.create(
                    conn,
                    guild_id=guild_id,
                    name=title,
                    ends_on=ends_on,
                    prompts=parsed,
                    created_by=user_id,
                    now=self.clock.now(),
                )
        except ChallengeExists:
            raise Conflict(f"There is a challenge called “{inert(title, 100)}” already.") from None
        return ChallengeRecord(challenge_id, title, ends_on, parsed)

    async def running(self, guild_id: int) -> list[ChallengeRecord]:
        async with self.database.read() as conn:
            zone = (await digest_repo.get_settings(conn, guild_id)).timezone
            today = self.clock.now().astimezone(ZoneInfo(zone or "UTC")).date()
            return await repo.challenges_of(conn, guild_id, running_on=today)

    async def all(self, guild_id: int) -> list[ChallengeRecord]:
        async with self.database.read() as conn:
            return await repo.challenges_of(conn, guild_id)

    async def _pick(self, guild_id: int, name: str | None) -> ChallengeRecord:
        found = await self.all(guild_id)
        if not found:
            raise NotFound(
                "This server has no challenge yet. A moderator creates one with /challenge create."
            )
        if name is None:
            running = await self.running(guild_id)
            return (running or found)[0]
        wanted = name.strip()
        for challenge in found:
            if (
                wanted in (str(challenge.id), challenge.name)
                or wanted.casefold() == challenge.name.casefold()
            ):
                return challenge
        raise NotFound(f"There is no challenge called “{inert(wanted, 100)}”.")

    async def fill(self, guild_id: int, user_id: int, prompt: str, book: Book) -> Filled:
        """``prompt`` is "<challenge id>:<position>" (autocomplete) or a prompt's text."""
        assert book.id is not None
        running = await self.running(guild_id)
        chosen: tuple[ChallengeRecord, int] | None = None
        if ":" in prompt and prompt.replace(":", "").isdigit():
            cid, _, pos = prompt.partition(":")
            for challenge in running:
                if challenge.id == int(cid) and 1 <= int(pos) <= len(challenge.prompts):
                    chosen = challenge, int(pos)
        else:
            for challenge in running:
                for i, p in enumerate(challenge.prompts, start=1):
                    if p.text.casefold() == prompt.strip().casefold():
                        chosen = challenge, i
        if chosen is None:
            raise InvalidInput("Pick a prompt of a running challenge (start typing to see them).")
        challenge, position = chosen
        the_prompt = challenge.prompts[position - 1]
        async with self.database.read() as conn:
            finished = await repo.finished_book(conn, guild_id, user_id, book.id)
            before = await repo.fills_of(conn, challenge.id, user_id)
        if not finished:
            raise InvalidInput(
                "Fill a prompt with a book you have finished: mark "
                f"“{inert(book.display_title, 150)}” finished with /progress finish first."
            )
        check_rule(the_prompt.rule, book)
        async with self.database.write() as conn:
            await repo.fill(
                conn,
                challenge_id=challenge.id,
                position=position,
                guild_id=guild_id,
                user_id=user_id,
                book_id=book.id,
                now=self.clock.now(),
            )
            after = await repo.fills_of(conn, challenge.id, user_id)
        replaced = any(f.position == position and f.book_id != book.id for f in before)
        return Filled(challenge, the_prompt, len(after), replaced)

    async def board(self, guild_id: int, viewer_id: int, name: str | None) -> ChallengeBoard:
        challenge = await self._pick(guild_id, name)
        async with self.database.read() as conn:
            counts = await repo.board(conn, challenge.id)
            hidden = await repo.hidden_members(conn, guild_id)
        shown = [(u, n) for u, n in counts if u == viewer_id or u not in hidden]
        names = await self.directory.display_names(guild_id, [u for u, _ in shown])
        lines = [BoardLine(u, names.get(u) or fallback_name(u), n) for u, n in shown]
        you = next((line for line in lines if line.user_id == viewer_id), None)
        others = tuple(line for line in lines if line.user_id != viewer_id)
        return ChallengeBoard(challenge, you, others, viewer_id in hidden)

    async def show(
        self, guild_id: int, viewer_id: int, member_id: int, name: str | None
    ) -> MemberChallenge:
        challenge = await self._pick(guild_id, name)
        async with self.database.read() as conn:
            hidden = await repo.hidden_members(conn, guild_id)
            fills = await repo.fills_of(conn, challenge.id, member_id)
        if member_id != viewer_id and member_id in hidden:
            raise InvalidInput("That member keeps their challenges to themselves.")
        names = await self.directory.display_names(guild_id, [member_id])
        return MemberChallenge(
            challenge, names.get(member_id) or fallback_name(member_id), tuple(fills)
        )

    async def set_hidden(self, guild_id: int, user_id: int, hidden: bool) -> None:
        async with self.database.write() as conn:
            await repo.set_hidden(conn, guild_id, user_id, hidden, self.clock.now())

    async def completed(self, guild_id: int, user_id: int) -> list[str]:
        async with self.database.read() as conn:
            return await repo.completed_by(conn, guild_id, user_id)
