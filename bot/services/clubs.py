"""Club reads: pick the server's current read, schedule checkpoints, see where everyone is,
end it with a summary.

Names come from Discord, not the database, through an injected :class:`MemberDirectory`, so
this module stays free of discord imports and tests can hand in a dictionary. Status is
spoiler-free by construction: it is built from progress numbers only, never review text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.db import clubs as club_repo
from bot.db import digest as digest_repo
from bot.db import nominations as nomination_repo
from bot.db.clubs import ActiveClubExists, ClubRecord, MemberReading, WrapUpReview
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.club import (
    Checkpoint,
    ClubSummary,
    MemberProgress,
    Standing,
    current_checkpoint,
    format_day,
    make_checkpoint,
    progress_percent,
    sort_checkpoints,
    sort_members,
    standing,
    summarize_club,
    validate_club_dates,
)
from bot.domain.club_pace import ClubPace, club_pace
from bot.domain.dates import NEAREST, parse_date
from bot.domain.markdown import inert
from bot.domain.words import join_authors
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.members import member_zone


class MemberDirectory(Protocol):
    """Display names of a guild's members (Discord knows them; the database does not)."""

    async def display_names(self, guild_id: int, user_ids: Sequence[int]) -> Mapping[int, str]:
        """Names for as many of ``user_ids`` as can be found; missing ones are left out."""
        ...


def fallback_name(user_id: int) -> str:
    """What is shown for a member whose name Discord did not give us (left the server…)."""
    return f"member …{user_id % 10000:04d}"


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClubView:
    """A club read as shown to members."""

    club: ClubRecord
    checkpoints: tuple[Checkpoint, ...]
    today: date

    @property
    def author(self) -> str | None:
        return join_authors(self.club.authors)

    @property
    def current(self) -> Checkpoint | None:
        return current_checkpoint(self.checkpoints, self.today)


@dataclass(frozen=True, slots=True)
class MemberStanding:
    progress: MemberProgress
    percent: float | None
    standing: Standing


@dataclass(frozen=True, slots=True)
class ClubStatus:
    view: ClubView
    members: tuple[MemberStanding, ...]  # opted-out members are not here
    summary: ClubSummary

    @property
    def behind(self) -> int:
        return sum(1 for m in self.members if m.standing is Standing.BEHIND)


@dataclass(frozen=True, slots=True)
class PaceReport:
    """``/progress pace``: the member's pace through the club read (theirs alone)."""

    view: ClubView  # ``today`` is the member's own
    pace: ClubPace
    logged: bool  # the member has a reading of the club book


@dataclass(frozen=True, slots=True)
class WrapUpEntry:
    review: WrapUpReview
    reviewer: str  # the member's display name


@dataclass(frozen=True, slots=True)
class ClubEnded:
    """``/club end``'s wrap-up: the numbers, the club's rating of the book (ratings given
    since the read began), and the most-liked reviews written during it."""

    view: ClubView
    summary: ClubSummary
    rating_average: float | None = None  # in quarter-stars
    rating_count: int = 0
    reviews: tuple[WrapUpEntry, ...] = ()


def member_progress(reading: MemberReading, name: str, page_count: int | None) -> MemberProgress:
    """A stored reading as the domain's MemberProgress. A reading in another edition (its
    own page count) is compared as a percent, since its page numbers are not the club's."""
    page, percent = reading.page, reading.percent
    override = reading.page_count_override
    if override and override != page_count and page is not None:
        percent = min(100.0, page * 100.0 / override) if percent is None else percent
        page = None
    return MemberProgress(
        user_id=reading.user_id,
        display_name=name,
        status=reading.status,
        page=page,
        percent=percent,
    )


def _already_reading(current: ClubRecord) -> Conflict:
    return Conflict(
        f"The club is already reading “{inert(current.title, 200)}”. "
        "End it with /club end before picking the next book."
    )


class ClubService:
    def __init__(self, database: Database, clock: Clock, directory: MemberDirectory) -> None:
        self.database = database
        self.clock = clock
        self.directory = directory

    async def local_today(self, guild_id: int) -> date:
        """Today in the server's digest time zone (UTC when none is set)."""
        async with self.database.read() as conn:
            settings = await digest_repo.get_settings(conn, guild_id)
        return self.clock.now().astimezone(ZoneInfo(settings.timezone or "UTC")).date()

    async def require_active(self, guild_id: int) -> ClubRecord:
        """The current club read, or NotFound with a hint (checked before deferring)."""
        return await self._active(guild_id)

    async def _active(self, guild_id: int) -> ClubRecord:
        async with self.database.read() as conn:
            club = await club_repo.active_club(conn, guild_id)
            last = None if club is not None else await club_repo.past_clubs(conn, guild_id, 1)
        if club is None:
            hint = f" The last one was “{inert(last[0].title, 200)}”." if last else ""
            raise NotFound(
                f"There is no club read right now. A moderator can start one with /club pick.{hint}"
            )
        return club

    async def check_pick(
        self, guild_id: int, *, start: str | None, end: str | None
    ) -> tuple[date, date | None]:
        """Validate ``/club pick``'s dates and that no club is active, before the (possibly
        slow) book lookup, so mistakes are answered at once. Returns (starts_on, ends_on)."""
        today = await self.local_today(guild_id)
        starts_on = parse_date(start, today, without_year=NEAREST) if start else today
        ends_on = parse_date(end, today, without_year=NEAREST) if end else None
        validate_club_dates(starts_on, ends_on)
        if ends_on is not None and ends_on < today:
            raise InvalidInput(
                f"The end date ({format_day(ends_on)}) has already passed. "
                "Pick an end date from today on, or leave it out."
            )
        async with self.database.read() as conn:
            current = await club_repo.active_club(conn, guild_id)
        if current is not None:
            raise _already_reading(current)
        return starts_on, ends_on

    async def pick(
        self,
        guild_id: int,
        user_id: int,
        book: Book,
        *,
        start: str | None,
        end: str | None,
        channel_id: int | None,
    ) -> ClubView:
        """Make ``book`` the server's current read; refuse while another one is active.
        Picking ends the round of nominations for it (they are cleared)."""
        if book.id is None:
            raise ValueError("the book must be stored first")
        starts_on, ends_on = await self.check_pick(guild_id, start=start, end=end)
        today = await self.local_today(guild_id)
        now = self.clock.now()
        try:
            async with self.database.write() as conn:
                current = await club_repo.active_club(conn, guild_id)
                if current is not None:
                    raise _already_reading(current)
                club_id = await club_repo.create_club(
                    conn,
                    guild_id=guild_id,
                    book_id=book.id,
                    channel_id=channel_id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    created_by=user_id,
                    now=now,
                )
                club = await club_repo.get_club(conn, guild_id, club_id)
                await nomination_repo.clear(conn, guild_id)  # the next read is chosen
        except ActiveClubExists:
            raise Conflict(
                "Another club read was started at the same moment. See it with /club status."
            ) from None
        assert club is not None
        return ClubView(club, (), today)

    async def add_checkpoint(
        self,
        guild_id: int,
        *,
        label: str,
        until_page: int | None,
        until_percent: float | None,
        due: str,
    ) -> tuple[Checkpoint, ClubView]:
        """Validate and add a checkpoint to the current club's schedule."""
        today = await self.local_today(guild_id)
        due_on = parse_date(due, today, without_year=NEAREST)
        async with self.database.write() as conn:
            club = await club_repo.active_club(conn, guild_id)
            if club is None:
                raise NotFound(
                    "There is no club read to schedule. Start one with /club pick first."
                )
            existing = await club_repo.checkpoints(conn, club.id)
            checkpoint = make_checkpoint(
                label,
                due_on=due_on,
                page=until_page,
                percent=until_percent,
                page_count=club.page_count,
                starts_on=club.starts_on,
                ends_on=club.ends_on,
                existing=existing,
            )
            await club_repo.add_checkpoint(conn, club.id, checkpoint, self.clock.now())
            everything = await club_repo.checkpoints(conn, club.id)
        return checkpoint, ClubView(club, tuple(sort_checkpoints(everything)), today)

    async def _members(self, club: ClubRecord) -> tuple[list[MemberProgress], frozenset[int]]:
        async with self.database.read() as conn:
            readings = await club_repo.member_readings(
                conn, club.guild_id, club.book_id, club.created_at
            )
            excluded = await digest_repo.opted_out(conn, club.guild_id)
        shown = [r for r in readings if r.user_id not in excluded]
        names = await self.directory.display_names(club.guild_id, [r.user_id for r in shown])
        members = [
            member_progress(r, names.get(r.user_id) or fallback_name(r.user_id), club.page_count)
            for r in shown
        ]
        return members, excluded

    async def pace(self, guild_id: int, user_id: int, book_id: int | None = None) -> PaceReport:
        """The member's pace towards the club read's next checkpoint, by their own today.
        ``book_id`` other than the club book is refused: only the club read has a schedule."""
        club = await self._active(guild_id)
        if book_id is not None and book_id != club.book_id:
            raise InvalidInput(
                f"Pace is measured against the club's schedule, and the club is reading "
                f"“{inert(club.title, 200)}”. Leave `book` out to see your pace on it."
            )
        async with self.database.read() as conn:
            checkpoints = tuple(sort_checkpoints(await club_repo.checkpoints(conn, club.id)))
            reading = await club_repo.member_reading(conn, guild_id, club.book_id, user_id)
            today = (await member_zone(conn, guild_id, user_id)).today(self.clock.now())
        if not checkpoints:
            raise NotFound(
                f"“{inert(club.title, 200)}” has no checkpoints yet, so there is no pace to "
                "keep. A moderator can add them with /club schedule add."
            )
        progress = (
            member_progress(reading, "", club.page_count)
            if reading is not None
            else MemberProgress(user_id, "", status="want-to-read")
        )
        pace = club_pace(progress, checkpoints, club.page_count, club.starts_on, today)
        return PaceReport(ClubView(club, checkpoints, today), pace, logged=reading is not None)

    async def status(self, guild_id: int) -> ClubStatus:
        """Each opted-in member's progress, sorted, with who is behind the schedule."""
        club = await self._active(guild_id)
        today = await self.local_today(guild_id)
        async with self.database.read() as conn:
            checkpoints = tuple(sort_checkpoints(await club_repo.checkpoints(conn, club.id)))
        members, excluded = await self._members(club)
        ordered = sort_members(members, club.page_count, exclude=excluded)
        standings = tuple(
            MemberStanding(
                progress=m,
                percent=progress_percent(m, club.page_count),
                standing=standing(m, checkpoints, club.page_count, today),
            )
            for m in ordered
        )
        summary = summarize_club(members, club.page_count, exclude=excluded)
        return ClubStatus(ClubView(club, checkpoints, today), standings, summary)

    async def end(self, guild_id: int) -> ClubEnded:
        """Close the current club read and sum it up."""
        club = await self._active(guild_id)
        today = await self.local_today(guild_id)
        members, excluded = await self._members(club)
        async with self.database.write() as conn:
            if not await club_repo.end_club(conn, club.id, self.clock.now()):
                raise Conflict("This club read was already ended.")
            checkpoints = tuple(sort_checkpoints(await club_repo.checkpoints(conn, club.id)))
            average, count = await club_repo.ratings_since(
                conn, guild_id, club.book_id, club.created_at, excluded
            )
            liked = await club_repo.most_liked_reviews(
                conn, guild_id, club.book_id, club.created_at, excluded
            )
        names = await self.directory.display_names(guild_id, [r.user_id for r in liked])
        entries = tuple(
            WrapUpEntry(r, names.get(r.user_id) or fallback_name(r.user_id)) for r in liked
        )
        summary = summarize_club(members, club.page_count, exclude=excluded)
        return ClubEnded(ClubView(club, checkpoints, today), summary, average, count, entries)
