"""The weekly digest: what it is built from, what it says, and how it fits into Discord embeds.

Privacy is structural here:

* the inputs carry no review text at all (no headline, body, spoilers or warnings field), so
  a digest cannot leak a spoiler whatever the caller passes;
* the one member passage it shows, the quote of the week, is always inside spoiler tags
  (even a quote from a book's first 10 %), its ``||`` and other Markdown escaped so nothing
  in it can close the span (:func:`bot.domain.markdown.spoiler_span`);
* :func:`compose_digest` drops every opted-out member from every list *and* every number
  (totals, averages and top-rated books are computed here, after filtering, never taken
  pre-aggregated from the database where an opted-out member's activity would hide).

Every text that came from a member (names, titles, authors) is made one clean line, trimmed,
and Markdown-escaped in the embed form, so it can neither break the layout nor ping anyone.

Length (~580 lines): one module on purpose — the inputs, the composition and the privacy
filter must be read together to see that nothing leaks; embed fitting is in
:mod:`bot.domain.embed_fit`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.club import Checkpoint, MemberProgress, format_day, progress_percent
from bot.domain.discord_limits import EMBED_FIELD_VALUE_LIMIT
from bot.domain.embed_fit import EmbedSpec, FitSection, fit_sections
from bot.domain.markdown import escape_literal, plain, spoiler_span
from bot.domain.positions import position_label
from bot.domain.progress_gate import Position
from bot.domain.schedule import TimeWindow
from bot.domain.words import book_line, join_names, plural

# --- composition knobs -------------------------------------------------------------------

TOP_BOOKS = 5
LEADERBOARD_SIZE = 10  # streaks and reading-challenge lists
MIN_STREAK_DAYS = 3
MAX_FINISHER_NAMES = 8
_NAME_LIMIT = 40
_TITLE_LIMIT = 100
_AUTHOR_LIMIT = 60
_URL_LIMIT = 512
_QUOTE_LIMIT = 300  # characters of a quote's text shown in the digest
_QUOTE_MARKDOWN_LIMIT = 640  # the escaped text with its spoiler tags, well inside a field
FOOTER = "Members who opted out (/privacy digest off) are not included."


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberWeek:
    """One member's week. ``pages_read`` is the sum of pages read (corrections may make the
    raw sum negative; it counts as 0). Goal fields are None without a goal this year."""

    user_id: int
    display_name: str
    pages_read: int = 0
    books_started: int = 0
    books_finished: int = 0
    streak_days: int = 0
    goal_done: int | None = None
    goal_target: int | None = None

    @property
    def pages(self) -> int:
        return max(0, self.pages_read)

    @property
    def active(self) -> bool:
        return self.pages > 0 or self.books_started > 0 or self.books_finished > 0


@dataclass(frozen=True, slots=True)
class NewReview:
    """A review posted this week: where to find it, never what it says."""

    review_id: int
    book_title: str
    book_author: str | None
    quarters: int | None
    reviewer_id: int
    reviewer_name: str
    jump_url: str | None = None


@dataclass(frozen=True, slots=True)
class NewRating:
    """A rating given (or changed) this week."""

    user_id: int
    book_id: int
    book_title: str
    book_author: str | None
    quarters: int


@dataclass(frozen=True, slots=True)
class NewQuote:
    """A quote saved this week with the members who liked it (ever), a candidate for the
    quote of the week."""

    quote_id: int
    text: str
    position: Position
    book_title: str
    book_author: str | None
    poster_id: int
    poster_name: str
    created_at: datetime
    likers: tuple[int, ...] = ()
    jump_url: str | None = None


@dataclass(frozen=True, slots=True)
class ClubWeek:
    """The club read as it stands; ``members`` are everyone reading it (progress now)."""

    title: str
    author: str | None
    page_count: int | None
    members: tuple[MemberProgress, ...] = ()
    next_checkpoint: Checkpoint | None = None
    rooms_opened: tuple[str, ...] = ()  # checkpoint labels of rooms opened this week


@dataclass(frozen=True, slots=True)
class OpenVote:
    """The club's vote on its next read, open when the digest is built."""

    style: str  # "poll" | "ranked"
    nominees: int
    closes_at: datetime
    jump_url: str | None = None


@dataclass(frozen=True, slots=True)
class NextMeeting:
    """The club's next meeting (a Discord scheduled event)."""

    starts_at: datetime
    checkpoint: str | None
    place: str | None  # a place outside Discord; None: a voice or stage channel
    event_url: str | None = None


@dataclass(frozen=True, slots=True)
class DigestInputs:
    """Everything one guild's digest is built from. ``timezone`` is the guild's digest zone,
    used only to print the period's dates."""

    window: TimeWindow
    timezone: str = "UTC"
    members: tuple[MemberWeek, ...] = ()
    reviews: tuple[NewReview, ...] = ()
    ratings: tuple[NewRating, ...] = ()
    club: ClubWeek | None = None
    quotes: tuple[NewQuote, ...] = ()
    vote: OpenVote | None = None
    meeting: NextMeeting | None = None
    # (challenge name, member id, display name) of challenges completed this week
    challenges: tuple[tuple[str, int, str], ...] = ()


# --- output ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One line: an optional bold ``lead`` (a name or title), an optional ``spoiler`` (member
    text shown only inside spoiler tags), the ``text``, an optional link named ``link``."""

    text: str
    lead: str | None = None
    url: str | None = None
    spoiler: str | None = None
    link: str = "review"

    def plain(self) -> str:
        text = f"[spoiler: {self.spoiler}] · {self.text}" if self.spoiler else self.text
        out = f"{self.lead} — {text}" if self.lead else text
        return f"{out} {self.url}" if self.url else out

    def markdown(self) -> str:
        head = f"**{escape_markdown(self.lead)}** — " if self.lead else ""
        out = escape_markdown(self.text)
        tail = f" · [{self.link}]({self.url})" if self.url else ""
        if self.spoiler:
            # the excerpt gets what the rest leaves of one field value (1,024)
            room = EMBED_FIELD_VALUE_LIMIT - len(head) - len(out) - len(tail) - len(" · ")
            out = f"{spoiler_excerpt(self.spoiler, min(room, _QUOTE_MARKDOWN_LIMIT))} · {out}"
        return f"{head}{out}{tail}"


@dataclass(frozen=True, slots=True)
class DigestSection:
    """A titled list; ``noun`` names one line's item for "… and N more readers"."""

    key: str
    title: str
    lines: tuple[DigestLine, ...]
    noun: str = "item"


@dataclass(frozen=True, slots=True)
class DigestTotals:
    pages: int = 0
    readers: int = 0  # members with any reading activity this week
    started: int = 0
    finished: int = 0
    reviews: int = 0
    ratings: int = 0


@dataclass(frozen=True, slots=True)
class TopBook:
    """A book rated this week, with the week's (opted-in) average."""

    book_id: int
    title: str
    author: str | None
    average_quarters: float
    count: int


@dataclass(frozen=True, slots=True)
class Digest:
    """A composed digest. ``readers`` (active members, most pages first) feeds the chart."""

    title: str
    sections: tuple[DigestSection, ...]
    totals: DigestTotals
    readers: tuple[MemberWeek, ...] = ()
    top_books: tuple[TopBook, ...] = ()
    footer: str = FOOTER

    @property
    def is_quiet(self) -> bool:
        return self.totals == DigestTotals()

    def to_text(self) -> str:
        """The whole digest as plain text (``marginalia digest preview``), nothing truncated."""
        out = [self.title, "=" * len(self.title)]
        for section in self.sections:
            out += ["", section.title]
            out += [f"  {line.plain()}" for line in section.lines]
        out += ["", self.footer]
        return "\n".join(out) + "\n"


# --- text helpers ------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Member text shown as typed (see :func:`bot.domain.markdown.escape_literal`)."""
    return escape_literal(text)


def one_line(text: str, limit: int) -> str:
    """Member-supplied text as one clean line: control and format characters dropped,
    whitespace collapsed, a ``||…||`` part replaced by a placeholder (the digest is public and
    a line is cut, so a span could not stay whole), at most ``limit`` characters (cut with
    "…")."""
    kept = "".join(" " if ch.isspace() else ch for ch in plain(text) if _visible(ch))
    line = " ".join(kept.split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def spoiler_excerpt(text: str, limit_markdown: int = _QUOTE_MARKDOWN_LIMIT) -> str:
    """A quote's text as one line inside one spoiler span, at most ``limit_markdown``
    characters with its escapes and tags (shortened with "…"): whatever it holds (``||``,
    ``~~``, mentions), nothing shows outside the span."""
    kept = "".join(" " if ch.isspace() else ch for ch in text if _visible(ch))
    line = " ".join(kept.split()) or "…"
    limit = _QUOTE_LIMIT
    while True:
        cut = line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
        span = spoiler_span(cut)
        if len(span) <= limit_markdown or limit <= 2:
            return span
        limit -= max(1, (len(span) - limit_markdown) // 2)


def _visible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def _safe_url(url: str | None) -> str | None:
    """Only plain https links go into a Markdown link target."""
    if not url or len(url) > _URL_LIMIT or not url.startswith("https://"):
        return None
    if any(ch.isspace() or ch in "()<>[]\"'`|\\" for ch in url):
        return None
    return url


def _stars(quarters: float) -> str:
    return f"{round(quarters / 4, 2):g}★"


def _name(display_name: str) -> str:
    return one_line(display_name, _NAME_LIMIT) or "(no name)"


def _title_of(title: str, author: str | None) -> str:
    name = one_line(title, _TITLE_LIMIT) or "Untitled"
    return book_line(name, one_line(author, _AUTHOR_LIMIT) if author else None)


def _period(window: TimeWindow, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return _date_range(first, max(first, last))


def _date_range(first: date, last: date) -> str:
    if first == last:
        return format_day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{format_day(last)}"
    if first.year == last.year:
        return f"{format_day(first).rsplit(' ', 1)[0]} – {format_day(last)}"
    return f"{format_day(first)} – {format_day(last)}"


# --- streaks -----------------------------------------------------------------------------


def reading_streak(days_with_activity: Collection[date], today: date) -> int:
    """Consecutive days with reading activity, ending today or yesterday (a streak is not
    broken until a whole day passes without reading); 0 otherwise."""
    day = today if today in days_with_activity else today - timedelta(days=1)
    streak = 0
    while day in days_with_activity:
        streak += 1
        day -= timedelta(days=1)
    return streak


# --- composition -------------------------------------------------------------------------


def compose_digest(inputs: DigestInputs, opted_out_user_ids: Iterable[int]) -> Digest:
    """Build the digest's sections from ``inputs``, leaving every opted-out member out of
    every list and every number. Sections: overview, club read, readers, new reviews,
    top-rated books, quote of the week, streaks, reading challenge (empty ones are omitted).

    The quote of the week is the quote saved during the week with the most likes (counted
    over all time, the likes of opted-out members left out), ties going to the one saved
    first; a quote with no such like, or by an opted-out member, is never chosen."""
    excluded = frozenset(opted_out_user_ids)
    members = _unique_members(m for m in inputs.members if m.user_id not in excluded)
    reviews = sorted(
        (r for r in inputs.reviews if r.reviewer_id not in excluded), key=lambda r: r.review_id
    )
    ratings = [r for r in inputs.ratings if r.user_id not in excluded]
    readers = sorted(
        (m for m in members if m.active),
        key=lambda m: (-m.pages, -m.books_finished, -m.books_started, _sort_name(m)),
    )
    totals = DigestTotals(
        pages=sum(m.pages for m in readers),
        readers=len(readers),
        started=sum(m.books_started for m in readers),
        finished=sum(m.books_finished for m in readers),
        reviews=len(reviews),
        ratings=len(ratings),
    )
    top = top_books(ratings)
    sections = [
        _overview(totals),
        _club_section(inputs.club, excluded),
        _vote_section(inputs.vote, inputs.timezone),
        _meeting_section(inputs.meeting, inputs.timezone),
        _readers_section(readers),
        _reviews_section(reviews),
        _top_section(top),
        _quote_section(quote_of_the_week(inputs.quotes, excluded)),
        _streaks_section(members),
        _challenges_section(inputs.challenges, excluded),
        _goals_section(members),
    ]
    return Digest(
        title=f"Weekly digest · {_period(inputs.window, inputs.timezone)}",
        sections=tuple(s for s in sections if s is not None and s.lines),
        totals=totals,
        readers=tuple(readers),
        top_books=tuple(top),
    )


def _unique_members(members: Iterable[MemberWeek]) -> list[MemberWeek]:
    seen: dict[int, MemberWeek] = {}
    for m in members:
        if m.user_id in seen:
            raise ValueError(f"member {m.user_id} appears twice in the digest inputs")
        seen[m.user_id] = m
    return list(seen.values())


def _sort_name(m: MemberWeek) -> tuple[str, int]:
    return _name(m.display_name).casefold(), m.user_id


def top_books(ratings: Iterable[NewRating], limit: int = TOP_BOOKS) -> list[TopBook]:
    """Books rated this week, best average first (more ratings first at a tie, then title)."""
    by_book: dict[int, list[NewRating]] = {}
    for r in ratings:
        by_book.setdefault(r.book_id, []).append(r)
    books = [
        TopBook(
            book_id=book_id,
            title=rs[0].book_title,
            author=rs[0].book_author,
            average_quarters=sum(r.quarters for r in rs) / len(rs),
            count=len(rs),
        )
        for book_id, rs in by_book.items()
    ]
    books.sort(key=lambda b: (-b.average_quarters, -b.count, b.title.casefold(), b.book_id))
    return books[:limit]


def _overview(t: DigestTotals) -> DigestSection:
    lines: list[DigestLine] = []
    if t.readers:
        lines.append(DigestLine(f"{plural(t.pages, 'page')} read by {plural(t.readers, 'member')}"))
    if t.started or t.finished:
        lines.append(DigestLine(f"{plural(t.started, 'book')} started · {t.finished:,} finished"))
    if t.reviews or t.ratings:
        lines.append(
            DigestLine(f"{plural(t.reviews, 'new review')} · {plural(t.ratings, 'new rating')}")
        )
    if not lines:
        lines.append(DigestLine("A quiet week: no reading progress, reviews or ratings."))
    return DigestSection("overview", "This week", tuple(lines), noun="line")


def _club_section(club: ClubWeek | None, excluded: frozenset[int]) -> DigestSection | None:
    if club is None:
        return None
    members = [m for m in club.members if m.user_id not in excluded]
    lines: list[DigestLine] = []
    if club.author:
        lines.append(DigestLine(f"by {one_line(club.author, _AUTHOR_LIMIT)}"))
    percents = [p for m in members if (p := progress_percent(m, club.page_count)) is not None]
    if percents:
        average = sum(percents) / len(percents)
        lines.append(
            DigestLine(
                f"{average:.0f}% on average across {plural(len(percents), 'reader')}",
                lead="Progress",
            )
        )
    else:
        lines.append(DigestLine("nobody has logged progress yet", lead="Progress"))
    finishers = sorted((_name(m.display_name) for m in members if m.finished), key=str.casefold)
    if finishers:
        lines.append(DigestLine(join_names(finishers, MAX_FINISHER_NAMES), lead="Finished"))
    if club.next_checkpoint is not None:
        cp = club.next_checkpoint
        label = one_line(cp.label, 100)
        lines.append(
            DigestLine(
                f"{label}, up to {cp.reach.describe()}, by {format_day(cp.due_on)}",
                lead="Next checkpoint",
            )
        )
    if club.rooms_opened:
        rooms = ", ".join(one_line(label, 100) for label in club.rooms_opened)
        lines.append(
            DigestLine(
                f"{rooms} (members join as their progress gets there: /club rooms join)",
                lead="Rooms opened",
            )
        )
    title = f"Club read: {one_line(club.title, _TITLE_LIMIT) or 'Untitled'}"
    return DigestSection("club", title, tuple(lines), noun="line")


def _vote_section(vote: OpenVote | None, timezone: str) -> DigestSection | None:
    """The open vote on the next read: what kind, on how many books, when it closes (in the
    server's zone: the digest's text cannot carry Discord's own timestamps)."""
    if vote is None:
        return None
    local = vote.closes_at.astimezone(ZoneInfo(timezone))
    kind = "A Discord poll" if vote.style == "poll" else "A ranked vote"
    text = (
        f"{kind} on {plural(vote.nominees, 'nominated book')} is open until "
        f"{format_day(local.date())}, {local:%H:%M} ({timezone})"
    )
    line = DigestLine(text, lead="Vote", url=_safe_url(vote.jump_url), link="vote")
    return DigestSection("vote", "Choosing the next read", (line,), noun="line")


def _meeting_section(meeting: NextMeeting | None, timezone: str) -> DigestSection | None:
    if meeting is None:
        return None
    local = meeting.starts_at.astimezone(ZoneInfo(timezone))
    about = f" about {one_line(meeting.checkpoint, 100)}" if meeting.checkpoint else ""
    where = f" at {one_line(meeting.place, 100)}" if meeting.place else " on Discord"
    text = f"{format_day(local.date())}, {local:%H:%M} ({timezone}){about}{where}"
    line = DigestLine(text, lead="Next meeting", url=_safe_url(meeting.event_url), link="event")
    return DigestSection("meeting", "The club meets", (line,), noun="line")


def _challenges_section(
    completed: Sequence[tuple[str, int, str]], excluded: frozenset[int]
) -> DigestSection | None:
    lines = tuple(
        DigestLine(f"completed {one_line(challenge, 100)}", lead=_name(name))
        for challenge, user_id, name in completed
        if user_id not in excluded
    )
    return DigestSection("challenges", "Challenges completed", lines, noun="member")


def _readers_section(readers: Sequence[MemberWeek]) -> DigestSection:
    lines = []
    for m in readers:
        parts = [plural(m.pages, "page")] if m.pages else []
        if m.books_started:
            parts.append(f"started {m.books_started}")
        if m.books_finished:
            parts.append(f"finished {m.books_finished}")
        lines.append(DigestLine(" · ".join(parts), lead=_name(m.display_name)))
    return DigestSection("readers", "Readers", tuple(lines), noun="reader")


def _reviews_section(reviews: Sequence[NewReview]) -> DigestSection:
    lines = []
    for r in reviews:
        text = _title_of(r.book_title, r.book_author)
        if r.quarters is not None:
            text += f" · {_stars(r.quarters)}"
        lead = _name(r.reviewer_name)
        lines.append(DigestLine(text, lead=lead, url=_safe_url(r.jump_url)))
    return DigestSection("reviews", "New reviews", tuple(lines), noun="review")


def _top_section(books: Sequence[TopBook]) -> DigestSection:
    lines = [
        DigestLine(
            f"{_stars(b.average_quarters)} from {plural(b.count, 'rating')}",
            lead=_title_of(b.title, b.author),
        )
        for b in books
    ]
    return DigestSection("top_rated", "Top rated this week", tuple(lines), noun="book")


def quote_of_the_week(quotes: Iterable[NewQuote], excluded: Collection[int]) -> NewQuote | None:
    """The most liked quote (likes of members in ``excluded`` not counted) not posted by a
    member in ``excluded``; ties: the earliest saved, then the lowest id; None without likes."""
    best: tuple[tuple[int, datetime, int], NewQuote] | None = None
    for q in quotes:
        if q.poster_id in excluded:
            continue
        likes = len(set(q.likers) - set(excluded))
        if likes == 0:
            continue
        key = (-likes, q.created_at, q.quote_id)
        if best is None or key < best[0]:
            best = (key, q)
    if best is None:
        return None
    chosen = best[1]
    counted = tuple(sorted(set(chosen.likers) - set(excluded)))
    return NewQuote(
        quote_id=chosen.quote_id,
        text=chosen.text,
        position=chosen.position,
        book_title=chosen.book_title,
        book_author=chosen.book_author,
        poster_id=chosen.poster_id,
        poster_name=chosen.poster_name,
        created_at=chosen.created_at,
        likers=counted,
        jump_url=chosen.jump_url,
    )


def _quote_section(quote: NewQuote | None) -> DigestSection | None:
    if quote is None:
        return None
    text = (
        f"{_title_of(quote.book_title, quote.book_author)} · {position_label(quote.position)}"
        f" · {plural(len(quote.likers), 'like')}"
    )
    line = DigestLine(
        text,
        lead=_name(quote.poster_name),
        url=_safe_url(quote.jump_url),
        spoiler=quote.text,
        link="quote",
    )
    return DigestSection("quote", "Quote of the week", (line,), noun="quote")


def _streaks_section(members: Sequence[MemberWeek]) -> DigestSection:
    streaking = sorted(
        (m for m in members if m.streak_days >= MIN_STREAK_DAYS),
        key=lambda m: (-m.streak_days, _sort_name(m)),
    )[:LEADERBOARD_SIZE]
    lines = [
        DigestLine(plural(m.streak_days, "day"), lead=_name(m.display_name)) for m in streaking
    ]
    return DigestSection("streaks", "Longest reading streaks", tuple(lines), noun="member")


def _goals_section(members: Sequence[MemberWeek]) -> DigestSection:
    goals = [
        (m, m.goal_done, m.goal_target)
        for m in members
        if m.goal_done is not None and m.goal_target is not None and m.goal_target > 0
    ]
    goals.sort(key=lambda g: (-g[1] / g[2], -g[1], _sort_name(g[0])))
    lines = []
    for m, done, target in goals[:LEADERBOARD_SIZE]:
        pct = min(100, round(done * 100 / target))
        text = f"{done:,} of {plural(target, 'book')} ({pct}%)"
        if done >= target:
            text += " — goal reached!"
        lines.append(DigestLine(text, lead=_name(m.display_name)))
    return DigestSection("goals", "Reading challenge", tuple(lines), noun="member")


# --- packing into embeds ------------------------------------------------------------------


def split_for_embeds(digest: Digest) -> tuple[EmbedSpec, ...]:
    """The digest as the embeds of ONE message, within every Discord limit: the first section
    (the overview) is the description, every other one a field (see
    :func:`bot.domain.embed_fit.fit_sections`)."""
    if not digest.sections:
        raise ValueError("a digest always has at least its overview section")
    sections = [
        FitSection(s.title, tuple(line.markdown() for line in s.lines), s.noun)
        for s in digest.sections
    ]
    return fit_sections(digest.title, sections, digest.footer)
