"""Checkpoint rooms (SPEC §11): discussion gated by each member's own progress.

``/club rooms on`` opens one private thread per checkpoint of the club read ("<book> — up to
<checkpoint>") in the club channel. A member is added to a room when their logged progress on
the club book reaches its checkpoint — by the one progress gate of
:mod:`bot.domain.progress_gate`, so a finished read-through reaches every room and a
chapter never counts as pages — after ``/progress update``, ``/progress finish``, an import,
or ``/club rooms join``; until then the member cannot see it (Discord shows a private thread
to its members only, and to whoever may manage threads). ``/club rooms off`` and
``/club end`` archive and lock the rooms.

The Discord side is :class:`RoomBoard`: no discord import here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.db import clubs as club_repo
from bot.db import quotes as progress_repo
from bot.db import rooms as repo
from bot.db.clubs import ClubRecord
from bot.db.engine import Database
from bot.db.rooms import Room
from bot.domain.clock import Clock
from bot.domain.progress_gate import Position, ReadingProgress, progress_reached
from bot.domain.text import trim
from bot.errors import Conflict, NotFound, PermissionDenied

__all__ = ["JoinedRoom", "RoomBoard", "RoomService", "RoomsOn", "room_name"]

THREAD_NAME_MAX = 100


class RoomBoard(Protocol):
    """What checkpoint rooms need from Discord."""

    async def missing_permissions(self, channel_id: int) -> list[str]:
        """The permissions the bot lacks in the channel to run private threads there."""
        ...

    async def open_room(self, channel_id: int, name: str) -> int:
        """Create a private thread; its id."""
        ...

    async def add_member(self, thread_id: int, user_id: int) -> bool:
        """Add the member to the thread; False when the thread is gone."""
        ...

    async def close_room(self, thread_id: int) -> None:
        """Archive and lock the thread (gone already is fine)."""
        ...


@dataclass(frozen=True, slots=True)
class JoinedRoom:
    thread_id: int
    label: str


@dataclass(frozen=True, slots=True)
class RoomsOn:
    channel_id: int
    rooms: int  # rooms the club has now
    opened: int  # of which opened by this command
    members_added: int


def room_name(title: str, label: str) -> str:
    """A room's thread name, spoiler free: the book and how far the checkpoint goes."""
    book = " ".join(title.split()) or "Club read"
    part = " ".join(label.split())
    return trim(f"{book} — up to {part}", THREAD_NAME_MAX)


def _position(room: Room) -> Position:
    if room.reach.kind == "page":
        return Position.at_page(max(1, int(room.reach.value)))
    return Position.at_percent(room.reach.value)


def reached(room: Room, reads: Sequence[ReadingProgress]) -> bool:
    return progress_reached(_position(room), reads)[0]


class RoomService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def _active(self, guild_id: int) -> ClubRecord:
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
        if club is None:
            raise NotFound("There is no club read right now: rooms belong to a club read.")
        return club

    async def turn_on(self, guild_id: int, fallback_channel_id: int, board: RoomBoard) -> RoomsOn:
        """Open a room for every checkpoint without one, in the club channel, and add every
        member who has reached it. Without the permissions nothing changes."""
        club = await self._active(guild_id)
        async with self.database.read() as conn:
            channel_id = await repo.room_channel(conn, club.id)
            if channel_id is None:
                channel_id = await club_repo.club_channel(conn, guild_id) or fallback_channel_id
            checkpoints = await repo.rooms_of(conn, club.id)
        if not checkpoints:
            raise Conflict(
                "The club read has no checkpoints yet: add them with /club schedule add, "
                "then turn rooms on (a room opens for each)."
            )
        missing = await board.missing_permissions(channel_id)
        if missing:
            raise PermissionDenied(
                f"I need {', '.join(missing)} in <#{channel_id}> to open checkpoint rooms "
                "(private threads). Nothing was changed."
            )
        async with self.database.write() as conn:
            await repo.enable(conn, club.id, guild_id, channel_id, self.clock.now())
        opened = await self._open_missing(club, channel_id, board)
        added = 0
        async with self.database.read() as conn:
            readers = [
                r.user_id
                for r in await club_repo.member_readings(
                    conn, guild_id, club.book_id, club.created_at
                )
            ]
        for user_id in readers:
            added += len(await self._sync(club, user_id, board, again=False))
        async with self.database.read() as conn:
            rooms = sum(1 for r in await repo.rooms_of(conn, club.id) if r.thread_id is not None)
        return RoomsOn(channel_id, rooms, opened, added)

    async def _open_missing(self, club: ClubRecord, channel_id: int, board: RoomBoard) -> int:
        async with self.database.read() as conn:
            rooms = await repo.rooms_of(conn, club.id)
        opened = 0
        for room in rooms:
            if room.thread_id is not None:
                continue
            thread_id = await board.open_room(channel_id, room_name(club.title, room.label))
            async with self.database.write() as conn:
                kept = await repo.add_room(
                    conn,
                    club_id=club.id,
                    guild_id=club.guild_id,
                    checkpoint_id=room.checkpoint_id,
                    thread_id=thread_id,
                    now=self.clock.now(),
                )
            if kept:
                opened += 1
            else:  # another process opened it meanwhile
                await board.close_room(thread_id)
        return opened

    async def checkpoint_added(self, guild_id: int, board: RoomBoard) -> int:
        """After ``/club schedule add``: open the new checkpoint's room if the club has rooms."""
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            channel_id = await repo.room_channel(conn, club.id) if club is not None else None
        if club is None or channel_id is None:
            return 0
        return await self._open_missing(club, channel_id, board)

    async def turn_off(self, guild_id: int, board: RoomBoard) -> int:
        """Archive and lock the club's rooms; how many there were."""
        club = await self._active(guild_id)
        return await self.close_club_rooms(club.id, board)

    async def close_club_rooms(self, club_id: int, board: RoomBoard) -> int:
        async with self.database.write() as conn:
            threads = await repo.disable(conn, club_id)
        for thread_id in threads:
            await board.close_room(thread_id)
        return len(threads)

    async def sync_member(
        self, guild_id: int, user_id: int, board: RoomBoard, *, again: bool = False
    ) -> list[JoinedRoom]:
        """Add the member to every room of the club read their progress has reached and
        they were not added to yet (``again``: every reached room, e.g. after they left
        one). The rooms they were added to now."""
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            enabled = club is not None and await repo.room_channel(conn, club.id) is not None
        if club is None or not enabled:
            return []
        return await self._sync(club, user_id, board, again=again)

    async def _sync(
        self, club: ClubRecord, user_id: int, board: RoomBoard, *, again: bool
    ) -> list[JoinedRoom]:
        async with self.database.read() as conn:
            rooms = [r for r in await repo.rooms_of(conn, club.id) if r.thread_id is not None]
            added = await repo.added_members(conn, club.id, user_id)
        reads = (
            await self.database.run_read(
                progress_repo.progress_by_book, club.guild_id, user_id, club.book_id
            )
        ).get(club.book_id, [])
        joined: list[JoinedRoom] = []
        for room in rooms:
            assert room.thread_id is not None
            if (room.thread_id in added and not again) or not reached(room, reads):
                continue
            if not await board.add_member(room.thread_id, user_id):
                continue
            async with self.database.write() as conn:
                await repo.mark_added(
                    conn, club.guild_id, room.thread_id, user_id, self.clock.now()
                )
            joined.append(JoinedRoom(room.thread_id, room.label))
        return joined

    async def rooms_enabled(self, guild_id: int) -> bool:
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            return club is not None and await repo.room_channel(conn, club.id) is not None
