"""The weekly digest: what it is built from, what it says, and how it fits into Discord embeds.

Privacy is structural here:

* the inputs carry no review text at all (no headline, body, spoilers or warnings field), so
  a digest cannot leak a spoiler whatever the caller passes;
* :func:`compose_digest` drops every opted-out member from every list *and* every number
  (totals, averages and top-rated books are computed here, after filtering, never taken
  pre-aggregated from the database where an opted-out member's activity would hide).

Every text that came from a member (names, titles, authors) is made one clean line, trimmed,
and Markdown-escaped in the embed form, so it can neither break the layout nor ping anyone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.club import Checkpoint, MemberProgress, format_day, progress_percent
from bot.domain.markdown import escape_literal, plain
from bot.domain.schedule import TimeWindow
from bot.domain.words import book_line, join_names, plural

# --- Discord limits (https://discord.com/developers/docs/resources/message#embed-object) ---

EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELDS_LIMIT = 25
EMBED_FOOTER_LIMIT = 2048
# Discord counts this over *all* embeds of one message, not per embed.
MESSAGE_EMBEDS_TOTAL_LIMIT = 6000
MESSAGE_EMBEDS_LIMIT = 10

# --- composition knobs -------------------------------------------------------------------

TOP_BOOKS = 5
LEADERBOARD_SIZE = 10  # streaks and reading-challenge lists
MIN_STREAK_DAYS = 3
MAX_FINISHER_NAMES = 8
_NAME_LIMIT = 40
_TITLE_LIMIT = 100
_AUTHOR_LIMIT = 60
_URL_LIMIT = 512
_CONTINUED = "\u200b"  # name of a field that continues the previous one (renders blank)
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
class ClubWeek:
    """The club read as it stands; ``members`` are everyone reading it (progress now)."""

    title: str
    author: str | None
    page_count: int | None
    members: tuple[MemberProgress, ...] = ()
    next_checkpoint: Checkpoint | None = None


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


# --- output ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One line: an optional bold ``lead`` (a name or title), the ``text``, an optional link."""

    text: str
    lead: str | None = None
    url: str | None = None

    def plain(self) -> str:
        out = f"{self.lead} — {self.text}" if self.lead else self.text
        return f"{out} {self.url}" if self.url else out

    def markdown(self) -> str:
        out = escape_markdown(self.text)
        if self.lead:
            out = f"**{escape_markdown(self.lead)}** — {out}"
        return f"{out} · [review]({self.url})" if self.url else out


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
    top-rated books, streaks, reading challenge (empty ones are omitted)."""
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
        _readers_section(readers),
        _reviews_section(reviews),
        _top_section(top),
        _streaks_section(members),
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
    title = f"Club read: {one_line(club.title, _TITLE_LIMIT) or 'Untitled'}"
    return DigestSection("club", title, tuple(lines), noun="line")


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


# --- packing into embeds -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class EmbedSpec:
    """What one embed shows; the render layer turns it into a ``discord.Embed``."""

    title: str | None = None
    description: str | None = None
    fields: tuple[EmbedField, ...] = ()
    footer: str | None = None

    @property
    def size(self) -> int:
        """Characters Discord counts towards the message's 6,000."""
        return (
            len(self.title or "")
            + len(self.description or "")
            + len(self.footer or "")
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


def embed_limit_problems(embeds: Sequence[EmbedSpec]) -> list[str]:
    """Every way ``embeds`` (one message) would be refused by Discord; empty when it fits."""
    problems = []
    if len(embeds) > MESSAGE_EMBEDS_LIMIT:
        problems.append(f"{len(embeds)} embeds > {MESSAGE_EMBEDS_LIMIT}")
    total = sum(e.size for e in embeds)
    if total > MESSAGE_EMBEDS_TOTAL_LIMIT:
        problems.append(f"{total} characters in all embeds > {MESSAGE_EMBEDS_TOTAL_LIMIT}")
    for i, e in enumerate(embeds):
        checks = [
            ("title", len(e.title or ""), EMBED_TITLE_LIMIT),
            ("description", len(e.description or ""), EMBED_DESCRIPTION_LIMIT),
            ("footer", len(e.footer or ""), EMBED_FOOTER_LIMIT),
            ("field count", len(e.fields), EMBED_FIELDS_LIMIT),
        ]
        for f in e.fields:
            checks.append(("field name", len(f.name), EMBED_FIELD_NAME_LIMIT))
            checks.append(("field value", len(f.value), EMBED_FIELD_VALUE_LIMIT))
            if not f.name or not f.value:
                problems.append(f"embed {i}: empty field name or value")
        problems += [f"embed {i}: {what} {n} > {cap}" for what, n, cap in checks if n > cap]
        if e.size == 0:
            problems.append(f"embed {i}: empty")
    return problems


def split_for_embeds(digest: Digest) -> tuple[EmbedSpec, ...]:
    """The digest as the embeds of ONE message, within every Discord limit.

    The first section (the overview) is the first embed's description under the digest's
    title; every other section becomes fields (name = section title, continued in further
    fields at line boundaries when longer than 1,024), spilling into a further embed after 25
    fields. The 6,000-character message total is shared fairly: short sections get all they
    need, the long ones split what is left. A section that does not fit keeps its first lines
    and ends with "… and N more <items>"; a line is never cut.
    """
    if not digest.sections:
        raise ValueError("a digest always has at least its overview section")
    rest = digest.sections[1:]
    title = _clip(digest.title, EMBED_TITLE_LIMIT)
    footer = _clip(digest.footer, EMBED_FOOTER_LIMIT)
    names = [_clip(s.title, EMBED_FIELD_NAME_LIMIT) for s in rest]
    budget = MESSAGE_EMBEDS_TOTAL_LIMIT - len(title) - len(footer) - sum(map(len, names))
    caps = [EMBED_DESCRIPTION_LIMIT] + [MESSAGE_EMBEDS_TOTAL_LIMIT] * len(rest)
    bodies = _share_budget(digest.sections, caps, budget)

    fields: list[EmbedField] = []
    for name, body in zip(names, bodies[1:], strict=True):
        for i, chunk in enumerate(_chunks(body, EMBED_FIELD_VALUE_LIMIT)):
            fields.append(EmbedField(name if i == 0 else _CONTINUED, "\n".join(chunk)))
    groups = [fields[i : i + EMBED_FIELDS_LIMIT] for i in range(0, len(fields), EMBED_FIELDS_LIMIT)]
    embeds = [
        EmbedSpec(
            title=title,
            description="\n".join(bodies[0]) or None,
            fields=tuple(groups[0]) if groups else (),
        )
    ]
    embeds += [EmbedSpec(fields=tuple(g)) for g in groups[1:]]
    if len(embeds) > MESSAGE_EMBEDS_LIMIT:  # needs > 225 fields; the budget makes it impossible
        raise ValueError("digest does not fit in one message")
    last = embeds[-1]
    embeds[-1] = EmbedSpec(last.title, last.description, last.fields, footer)
    return tuple(embeds)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share_budget(
    sections: Sequence[DigestSection], caps: Sequence[int], budget: int
) -> list[list[str]]:
    """Fit each section's lines into its share of ``budget`` characters (newlines included).

    Sections are served smallest first, each given at most an equal share of what is left;
    what a small section does not use goes to the bigger ones after it.
    """
    rendered = [[line.markdown() for line in s.lines] for s in sections]
    needs = [min(_joined_len(lines), cap) for lines, cap in zip(rendered, caps, strict=True)]
    out: list[list[str]] = [[] for _ in sections]
    remaining = budget
    order = sorted(range(len(sections)), key=lambda i: needs[i])
    for position, i in enumerate(order):
        share = min(caps[i], remaining // (len(order) - position))
        out[i] = _fit_lines(rendered[i], sections[i].noun, share)
        remaining -= _joined_len(out[i])
    return out


def _joined_len(lines: Sequence[str]) -> int:
    return sum(map(len, lines)) + max(0, len(lines) - 1)


def _more(hidden: int, noun: str) -> str:
    return f"… and {plural(hidden, f'more {noun}')}"


def _fit_lines(lines: Sequence[str], noun: str, budget: int) -> list[str]:
    """The longest prefix of ``lines`` that fits in ``budget`` together with a closing
    "… and N more" line when anything was left out. Lines longer than one field value are
    left out (and counted) rather than cut."""
    usable = [line for line in lines if len(line) <= EMBED_FIELD_VALUE_LIMIT]
    dropped = len(lines) - len(usable)
    if dropped == 0 and _joined_len(usable) <= budget:
        return list(usable)
    best: list[str] = []
    used = 0
    for k in range(len(usable) + 1):
        hidden = len(usable) - k + dropped
        tail = [_more(hidden, noun)] if hidden else []
        size = used + len(tail[0]) + (1 if k else 0) if tail else used
        if size > budget:
            break
        best = [*usable[:k], *tail]
        if k < len(usable):
            used += len(usable[k]) + (1 if k else 0)
    if not best:
        raise ValueError(f"not even one line of a {noun} list fits in {budget} characters")
    return best


def _chunks(lines: Sequence[str], limit: int) -> list[list[str]]:
    """Group lines into runs whose newline-joined length is at most ``limit``."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append(current)
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current:
        chunks.append(current)
    return chunks
