"""Building one guild's digest: the week's rows in one read transaction, the names worth
looking up, and the domain's :class:`~bot.domain.digest.DigestInputs` made from them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import challenges as challenge_repo
from bot.db import clubs as club_repo
from bot.db import digest as repo
from bot.db import meetings as meeting_repo
from bot.db import rooms as room_repo
from bot.db import votes as vote_repo
from bot.db.clubs import ClubRecord, MemberReading
from bot.db.digest import DigestSettings, MemberActivity, QuoteRow, RatingRow, ReviewRow
from bot.db.engine import Database
from bot.db.meetings import Meeting
from bot.db.votes import VoteRecord
from bot.domain.club import Checkpoint, next_checkpoint
from bot.domain.digest import (
    LEADERBOARD_SIZE,
    MIN_STREAK_DAYS,
    ClubWeek,
    Digest,
    DigestInputs,
    MemberWeek,
    NewQuote,
    NewRating,
    NewReview,
    NextMeeting,
    OpenVote,
)
from bot.domain.progress_gate import Position
from bot.domain.schedule import DigestSchedule, TimeWindow
from bot.domain.words import join_authors, message_url
from bot.errors import InvalidInput
from bot.services.clubs import fallback_name, member_progress

log = logging.getLogger(__name__)

#: At most this many member names are looked up per digest: the ones a digest can show.
NAME_BUDGET = 300
#: How far back a reading streak is traced (longer streaks show as this many days).
STREAK_LOOKBACK_DAYS = 31


@dataclass(frozen=True, slots=True)
class WeekData:
    """One guild's raw week, straight from the aggregation queries."""

    guild_id: int
    today: date
    activity: tuple[MemberActivity, ...] = ()
    streaks: Mapping[int, int] = field(default_factory=dict)
    goals: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    reviews: tuple[ReviewRow, ...] = ()
    ratings: tuple[RatingRow, ...] = ()
    opted_out: frozenset[int] = frozenset()
    club: ClubRecord | None = None
    club_readings: tuple[MemberReading, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()
    rooms_opened: tuple[str, ...] = ()  # labels of the club's rooms opened in the week
    quotes: tuple[QuoteRow, ...] = ()  # the week's liked quotes, the most liked first
    vote: OpenVote | None = None  # the club's open vote on its next read
    meeting: NextMeeting | None = None  # the club's next meeting
    # (challenge, member) completed in the week, members hidden from boards left out
    challenges: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class BuiltDigest:
    guild_id: int
    digest: Digest
    window: TimeWindow
    timezone: str


def schedule_of(settings: DigestSettings) -> DigestSchedule | None:
    """The stored schedule, or None when incomplete (or its zone vanished from tzdata)."""
    if settings.weekday is None or settings.hour is None or settings.timezone is None:
        return None
    try:
        return DigestSchedule(settings.weekday, settings.hour, settings.timezone)
    except InvalidInput:
        log.warning("guild=%s stored digest schedule is invalid", settings.guild_id)
        return None


def _zone_name(settings: DigestSettings) -> str:
    schedule = schedule_of(settings)
    return schedule.timezone if schedule is not None else "UTC"


def names_wanted(data: WeekData, budget: int = NAME_BUDGET) -> list[int]:
    """The members whose names the digest can show, most visible first, at most ``budget``.

    The digest shows at most a screenful of each list, so for a 5,000-member server only
    the top readers, streaks, goals, reviewers and club finishers need a real name.
    """
    hidden = data.opted_out
    readers = sorted(
        (a for a in data.activity if a.pages > 0 or a.started or a.finished),
        key=lambda a: (-max(a.pages, 0), -a.finished, -a.started, a.user_id),
    )
    streaks = sorted(
        (u for u, days in data.streaks.items() if days >= MIN_STREAK_DAYS),
        key=lambda u: (-data.streaks[u], u),
    )
    goals = sorted(data.goals, key=lambda u: (-data.goals[u][0] / data.goals[u][1], u))
    finishers = sorted(r.user_id for r in data.club_readings if r.status == "finished")
    others = sorted(r.user_id for r in data.club_readings)
    tiers: list[Iterable[int]] = [
        [q.user_id for q in data.quotes][:20],  # the quote of the week is among the first
        [u for _, u in data.challenges][:30],
        [r.user_id for r in data.reviews][:50],
        [a.user_id for a in readers][:150],
        streaks[: LEADERBOARD_SIZE + 5],
        goals[: LEADERBOARD_SIZE + 5],
        finishers[:30],
        [r.user_id for r in data.reviews],
        [a.user_id for a in readers],
        finishers,
        others,
    ]
    wanted: dict[int, None] = {}
    for tier in tiers:
        for user_id in tier:
            if user_id not in hidden:
                wanted.setdefault(user_id, None)
                if len(wanted) >= budget:
                    return list(wanted)
    return list(wanted)


def assemble_inputs(
    data: WeekData, names: Mapping[int, str], window: TimeWindow, timezone: str
) -> DigestInputs:
    """The domain's DigestInputs from raw rows; unknown names get a neutral placeholder."""

    def name(user_id: int) -> str:
        return names.get(user_id) or fallback_name(user_id)

    activity = {a.user_id: a for a in data.activity}
    streaks = {u: d for u, d in data.streaks.items() if d > 0}
    user_ids = sorted(set(activity) | set(streaks) | set(data.goals))
    members = []
    for user_id in user_ids:
        act = activity.get(user_id)
        goal = data.goals.get(user_id)
        members.append(
            MemberWeek(
                user_id=user_id,
                display_name=name(user_id),
                pages_read=act.pages if act else 0,
                books_started=act.started if act else 0,
                books_finished=act.finished if act else 0,
                streak_days=streaks.get(user_id, 0),
                goal_done=goal[0] if goal else None,
                goal_target=goal[1] if goal else None,
            )
        )
    reviews = tuple(
        NewReview(
            review_id=r.review_id,
            book_title=r.book_title,
            book_author=join_authors(r.book_authors),
            quarters=r.quarters,
            reviewer_id=r.user_id,
            reviewer_name=name(r.user_id),
            jump_url=message_url(data.guild_id, r.channel_id, r.message_id),
        )
        for r in data.reviews
    )
    ratings = tuple(
        NewRating(r.user_id, r.book_id, r.book_title, join_authors(r.book_authors), r.quarters)
        for r in data.ratings
    )
    quotes = tuple(
        NewQuote(
            quote_id=q.quote_id,
            text=q.text,
            position=Position.of(q.page, q.percent, q.chapter),
            book_title=q.book_title,
            book_author=join_authors(q.book_authors),
            poster_id=q.user_id,
            poster_name=name(q.user_id),
            created_at=q.created_at,
            likers=q.likers,
            jump_url=message_url(data.guild_id, q.channel_id, q.message_id),
        )
        for q in data.quotes
    )
    club = None
    if data.club is not None:
        pages = data.club.page_count
        club = ClubWeek(
            title=data.club.title,
            author=join_authors(data.club.authors),
            page_count=pages,
            members=tuple(member_progress(r, name(r.user_id), pages) for r in data.club_readings),
            next_checkpoint=next_checkpoint(data.checkpoints, data.today),
            rooms_opened=data.rooms_opened,
        )
    return DigestInputs(
        window=window,
        timezone=timezone,
        members=tuple(members),
        reviews=reviews,
        ratings=ratings,
        club=club,
        quotes=quotes,
        vote=data.vote,
        meeting=data.meeting,
        challenges=tuple((c, u, name(u)) for c, u in data.challenges),
    )


async def load_week(
    database: Database, guild_id: int, window: TimeWindow, now: datetime, timezone: str | None
) -> tuple[WeekData, str]:
    """Every aggregation of the week in one read transaction (one consistent snapshot);
    the guild's zone is read there too unless the caller knows it."""
    async with database.read() as conn:
        if timezone is None:
            timezone = _zone_name(await repo.get_settings(conn, guild_id))
        local_now = now.astimezone(ZoneInfo(timezone))
        today = local_now.date()
        offset = local_now.utcoffset() or timedelta()
        activity = await repo.member_activity(conn, guild_id, window.start, window.end)
        streaks = await repo.reading_streaks(
            conn,
            guild_id,
            since=now - timedelta(days=STREAK_LOOKBACK_DAYS),
            until=now,
            today=today,
            timezone=timezone,
            offset_minutes=int(offset.total_seconds() // 60),
        )
        goals = await repo.goal_progress(conn, guild_id, today.year)
        reviews = await repo.new_reviews(conn, guild_id, window.start, window.end)
        ratings = await repo.new_ratings(conn, guild_id, window.start, window.end)
        quotes = await repo.liked_quotes(conn, guild_id, window.start, window.end)
        opted_out = await repo.opted_out(conn, guild_id)
        club = await club_repo.active_club(conn, guild_id)
        readings: list[MemberReading] = []
        checkpoints: list[Checkpoint] = []
        rooms_opened: list[str] = []
        if club is not None:
            rooms_opened = await room_repo.opened_between(conn, club.id, window.start, window.end)
            readings = await club_repo.member_readings(
                conn, guild_id, club.book_id, club.created_at
            )
            checkpoints = await club_repo.checkpoints(conn, club.id)
        open_vote = await vote_repo.open_vote_of(conn, guild_id)
        meetings = await meeting_repo.upcoming(conn, guild_id, now, limit=1)
        hidden = await challenge_repo.hidden_members(conn, guild_id)
        completed = [
            (c, u)
            for c, u in await challenge_repo.completed_between(
                conn, guild_id, window.start, window.end
            )
            if u not in hidden
        ]
    data = WeekData(
        guild_id=guild_id,
        today=today,
        activity=tuple(activity),
        streaks=streaks,
        goals=goals,
        reviews=tuple(reviews),
        ratings=tuple(ratings),
        opted_out=opted_out,
        club=club,
        club_readings=tuple(readings),
        checkpoints=tuple(checkpoints),
        rooms_opened=tuple(rooms_opened),
        quotes=tuple(quotes),
        vote=_open_vote(guild_id, open_vote),
        meeting=_next_meeting(guild_id, meetings[0]) if meetings else None,
        challenges=tuple(completed),
    )
    return data, timezone


def _next_meeting(guild_id: int, meeting: Meeting) -> NextMeeting:
    return NextMeeting(
        starts_at=meeting.starts_at,
        checkpoint=meeting.checkpoint,
        place=meeting.location if meeting.channel_id is None else None,
        event_url=f"https://discord.com/events/{guild_id}/{meeting.event_id}",
    )


def _open_vote(guild_id: int, found: tuple[VoteRecord, int] | None) -> OpenVote | None:
    if found is None:
        return None
    vote, nominees = found
    return OpenVote(
        style=vote.style,
        nominees=nominees,
        closes_at=vote.closes_at,
        jump_url=message_url(guild_id, vote.channel_id, vote.message_id),
    )
