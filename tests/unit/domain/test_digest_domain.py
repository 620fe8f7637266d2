"""The weekly digest: composition, privacy (opt-out, no review text), streaks, embed limits."""

from __future__ import annotations

import dataclasses
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.club import Checkpoint, CheckpointReach, MemberProgress
from bot.domain.digest import (
    ClubWeek,
    Digest,
    DigestInputs,
    DigestTotals,
    MemberWeek,
    NewRating,
    NewReview,
    NextMeeting,
    OpenVote,
    compose_digest,
    escape_markdown,
    one_line,
    reading_streak,
    split_for_embeds,
    top_books,
)
from bot.domain.discord_limits import EMBED_FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT
from bot.domain.embed_fit import EmbedSpec, embed_limit_problems
from bot.domain.schedule import digest_window

POSTED_AT = datetime(2026, 11, 23, 8, tzinfo=UTC)  # Monday 09:00 in Berlin
WINDOW = digest_window(POSTED_AT)
TODAY = date(2026, 11, 23)


# --- streaks -----------------------------------------------------------------------------


def days(*offsets: int) -> set[date]:
    return {TODAY - timedelta(days=o) for o in offsets}


@pytest.mark.parametrize(
    ("active", "streak"),
    [
        (set(), 0),
        (days(0), 1),
        (days(0, 1, 2), 3),
        (days(1, 2, 3), 3),  # yesterday still counts: today is not over
        (days(2, 3, 4), 0),  # a whole day without reading breaks it
        (days(0, 1, 3, 4, 5), 2),
        (days(*range(400)), 400),
        (days(-1, 0), 1),  # a (clock-skewed) future day does not extend it
    ],
)
def test_reading_streak(active: set[date], streak: int) -> None:
    assert reading_streak(active, TODAY) == streak


@settings(max_examples=100, deadline=None)
@given(st.sets(st.integers(-3, 40)))
def test_reading_streak_matches_brute_force(offsets: set[int]) -> None:
    active = days(*offsets)

    def run_from(start: int) -> int:
        n = 0
        while start + n in offsets:
            n += 1
        return n

    expected = run_from(0) or run_from(1)
    assert reading_streak(active, TODAY) == expected


# --- a generated week for 30 members -----------------------------------------------------

NAMES = [
    "Ada", "Basil", "Cleo", "Dmitri", "Esme", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemi", "Lior", "Maren", "Nuno", "Odile", "Pavel", "Quinn", "Rosa", "Sami", "Tove",
    "Ugo", "Vera", "Wren", "Xiadani", "Yusuf", "Zora", "Ottoline Quarrie", "Peregrine Vasquez",
    "Marisol Ekwueme", "Thaddeus Okonkwo",
]  # fmt: skip
OPTED_OUT_NAMES = {"Ottoline Quarrie", "Peregrine Vasquez", "Marisol Ekwueme", "Thaddeus Okonkwo"}
BOOKS = [
    (1, "Piranesi", "Susanna Clarke", 272),
    (2, "The Left Hand of Darkness", "Ursula K. Le Guin", 304),
    (3, "Invisible Cities", "Italo Calvino", 165),
    (4, "Beloved", "Toni Morrison", 324),
    (5, "Stoner", "John Williams", 288),
    (6, "The Remains of the Day", "Kazuo Ishiguro", 258),
]


def snowflake(i: int) -> int:
    return 731_000_000_000_000_000 + i * 1_000_003


@dataclass
class World:
    """A week of raw activity, and the aggregates a repository would hand the digest."""

    inputs: DigestInputs
    opted_out: set[int]
    expected_pages: dict[int, int] = field(default_factory=dict)


def generate_world(seed: int = 2026) -> World:
    rng = random.Random(seed)
    members = []
    reviews = []
    ratings = []
    expected: dict[int, int] = {}
    ids = {name: snowflake(i) for i, name in enumerate(NAMES)}
    review_id = 1
    for name, user_id in ids.items():
        # 20 days of history so streaks can be longer than the week
        active_days = {TODAY - timedelta(days=d) for d in range(20) if rng.random() < 0.6}
        pages = 0
        for d in range(7):  # the window's days
            if TODAY - timedelta(days=d + 1) in active_days:
                pages += rng.randint(5, 80)
        if rng.random() < 0.15:
            pages -= rng.randint(1, 4)  # a correction
        started = rng.choice([0, 0, 0, 1, 2])
        finished = rng.choice([0, 0, 1])
        goal = rng.choice([None, 12, 24, 52])
        if name in OPTED_OUT_NAMES:  # busy people: they would top every list
            active_days |= {TODAY - timedelta(days=d) for d in range(15)}
            pages, started, finished, goal = 2000, 2, 2, 5
        members.append(
            MemberWeek(
                user_id=user_id,
                display_name=name,
                pages_read=pages,
                books_started=started,
                books_finished=finished,
                streak_days=reading_streak(active_days, TODAY),
                goal_done=(60 if name in OPTED_OUT_NAMES else rng.randint(0, goal + 3))
                if goal
                else None,
                goal_target=goal,
            )
        )
        expected[user_id] = max(0, pages)
        for book_id, title, author, _ in rng.sample(BOOKS, k=rng.randint(0, 3)):
            quarters = rng.choice(range(2, 21, 2))
            ratings.append(NewRating(user_id, book_id, title, author, quarters))
            if rng.random() < 0.4:
                reviews.append(
                    NewReview(
                        review_id=review_id,
                        book_title=title,
                        book_author=author,
                        quarters=rng.choice([None, quarters]),
                        reviewer_id=user_id,
                        reviewer_name=name,
                        jump_url=f"https://discord.com/channels/1/2/{900 + review_id}",
                    )
                )
                review_id += 1
    rng.shuffle(reviews)
    club_members = tuple(
        MemberProgress(
            ids[name],
            name,
            "finished"
            if name in OPTED_OUT_NAMES
            else rng.choice(["reading", "reading", "finished", "did-not-finish"]),
            page=rng.randint(0, 272),
        )
        for name in NAMES
    )
    club = ClubWeek(
        title="Piranesi",
        author="Susanna Clarke",
        page_count=272,
        members=club_members,
        next_checkpoint=Checkpoint("Part Three", CheckpointReach("page", 200), date(2026, 12, 1)),
    )
    inputs = DigestInputs(
        window=WINDOW,
        timezone="Europe/Berlin",
        members=tuple(members),
        reviews=tuple(reviews),
        ratings=tuple(ratings),
        club=club,
    )
    return World(inputs, {ids[n] for n in OPTED_OUT_NAMES}, expected)


def all_embed_text(embeds: tuple[EmbedSpec, ...]) -> str:
    parts: list[str] = []
    for e in embeds:
        parts += [e.title or "", e.description or "", e.footer or ""]
        parts += [f"{f.name}\n{f.value}" for f in e.fields]
    return "\n".join(parts)


def section(digest: Digest, key: str) -> list[str]:
    found = [s for s in digest.sections if s.key == key]
    assert len(found) == 1, key
    return [line.plain() for line in found[0].lines]


def test_generated_week_numbers() -> None:
    world = generate_world()
    digest = compose_digest(world.inputs, world.opted_out)
    kept = [m for m in world.inputs.members if m.user_id not in world.opted_out]
    active = [m for m in kept if max(0, m.pages_read) or m.books_started or m.books_finished]
    kept_reviews = [r for r in world.inputs.reviews if r.reviewer_id not in world.opted_out]
    kept_ratings = [r for r in world.inputs.ratings if r.user_id not in world.opted_out]

    assert len(kept) == 26
    assert digest.totals == DigestTotals(
        pages=sum(world.expected_pages[m.user_id] for m in kept),
        readers=len(active),
        started=sum(m.books_started for m in kept),
        finished=sum(m.books_finished for m in kept),
        reviews=len(kept_reviews),
        ratings=len(kept_ratings),
    )
    assert digest.totals.pages > 1000  # the generator made a busy week
    overview = section(digest, "overview")
    t = digest.totals
    assert overview[0] == f"{t.pages:,} pages read by {t.readers} members"
    assert overview[1].endswith(f" started · {t.finished} finished")
    assert overview[2] == f"{t.reviews} new reviews · {t.ratings} new ratings"

    # readers: most pages first, one line each, pages never negative
    readers = section(digest, "readers")
    assert len(readers) == len(active) == len(digest.readers)
    pages = [m.pages for m in digest.readers]
    assert pages == sorted(pages, reverse=True)
    assert all(p >= 0 for p in pages)
    top = digest.readers[0]
    assert readers[0].startswith(f"{top.display_name} — {top.pages} pages")

    # reviews in the order they were written, each with its link
    reviews = section(digest, "reviews")
    assert len(reviews) == len(kept_reviews)
    by_id = sorted(kept_reviews, key=lambda r: r.review_id)
    for line, review in zip(reviews, by_id, strict=True):
        assert line.startswith(f"{review.reviewer_name} — {review.book_title} by ")
        assert line.endswith(str(review.jump_url))

    # top rated: averages over the opted-in ratings of the week
    expected_top = top_books(kept_ratings)
    assert [b.book_id for b in digest.top_books] == [b.book_id for b in expected_top]
    for book in digest.top_books:
        mine = [r.quarters for r in kept_ratings if r.book_id == book.book_id]
        assert book.average_quarters == sum(mine) / len(mine)
        assert book.count == len(mine)
    averages = [b.average_quarters for b in digest.top_books]
    assert averages == sorted(averages, reverse=True)

    # streaks: the longest first, at least 3 days, at most 10 lines
    streaks = section(digest, "streaks")
    best = sorted((m.streak_days for m in kept if m.streak_days >= 3), reverse=True)[:10]
    assert [int(re.search(r"— (\d+) days", s)[1]) for s in streaks] == best  # type: ignore[index]

    # club: the average over opted-in members only, finishers listed by name
    club = world.inputs.club
    assert club is not None
    club_members = [m for m in club.members if m.user_id not in world.opted_out]
    percents = [100.0 if m.finished else (m.page or 0) * 100 / 272 for m in club_members]
    club_lines = section(digest, "club")
    assert f"{sum(percents) / len(percents):.0f}% on average across 26 readers" in club_lines[1]
    assert club_lines[-1] == "Next checkpoint — Part Three, up to p. 200, by 1 Dec 2026"


def test_opted_out_members_appear_nowhere() -> None:
    world = generate_world()
    # make sure they really were everywhere before filtering
    everywhere = world.opted_out
    assert everywhere <= {m.user_id for m in world.inputs.members}
    assert everywhere & {r.user_id for r in world.inputs.ratings}
    assert everywhere & {r.reviewer_id for r in world.inputs.reviews}
    assert world.inputs.club is not None
    assert any(m.finished and m.user_id in everywhere for m in world.inputs.club.members)
    # they would lead the readers, streaks and goals if they were not filtered
    undisclosed = compose_digest(world.inputs, [])
    assert undisclosed.readers[0].user_id in everywhere
    assert section(undisclosed, "streaks")[0].split(" — ")[0] in OPTED_OUT_NAMES
    assert section(undisclosed, "goals")[0].split(" — ")[0] in OPTED_OUT_NAMES

    digest = compose_digest(world.inputs, world.opted_out)
    outputs = [digest.to_text(), all_embed_text(split_for_embeds(digest)), repr(digest)]
    for text in outputs:
        for name in OPTED_OUT_NAMES:
            assert name not in text
            assert name.split()[0] not in text
        for user_id in world.opted_out:
            assert str(user_id) not in text
    assert all(m.user_id not in world.opted_out for m in digest.readers)
    # and the numbers do not include them either
    without = dataclasses.replace(
        world.inputs,
        members=tuple(m for m in world.inputs.members if m.user_id not in world.opted_out),
        reviews=tuple(r for r in world.inputs.reviews if r.reviewer_id not in world.opted_out),
        ratings=tuple(r for r in world.inputs.ratings if r.user_id not in world.opted_out),
        club=dataclasses.replace(
            world.inputs.club,
            members=tuple(m for m in world.inputs.club.members if m.user_id not in world.opted_out),
        ),
    )
    assert compose_digest(without, []) == digest


def test_everyone_shown_when_nobody_opted_out() -> None:
    world = generate_world()
    text = compose_digest(world.inputs, []).to_text()
    busy = [m for m in world.inputs.members if m.display_name in OPTED_OUT_NAMES and m.pages]
    assert busy
    assert all(m.display_name in text for m in busy)


# --- no review text, ever ----------------------------------------------------------------


def test_reviews_cannot_carry_text() -> None:
    names = {f.name for f in dataclasses.fields(NewReview)}
    assert names == {
        "review_id",
        "book_title",
        "book_author",
        "quarters",
        "reviewer_id",
        "reviewer_name",
        "jump_url",
    }
    for text_field in ("body", "spoilers", "headline", "content_warnings", "recommended_for"):
        with pytest.raises(TypeError):
            NewReview(1, "T", None, None, 1, "A", None, **{text_field: "the butler did it"})


def test_sentinel_in_a_title_brings_nothing_else() -> None:
    sentinel = "SENTINEL-7f3a"
    review = NewReview(
        review_id=42,
        book_title=f"{sentinel} and the Case\n||the butler did it||",
        book_author="A. Writer",
        quarters=14,
        reviewer_id=5,
        reviewer_name="Ada",
        jump_url="https://discord.com/channels/1/2/3",
    )
    digest = compose_digest(DigestInputs(window=WINDOW, reviews=(review,)), [])
    lines = section(digest, "reviews")
    assert lines == [
        f"Ada — {sentinel} and the Case [spoiler] by A. Writer · 3.5★ "
        "https://discord.com/channels/1/2/3"
    ]
    text = digest.to_text()
    assert text.count(sentinel) == 1
    embeds = split_for_embeds(digest)
    field_value = next(f.value for f in embeds[0].fields if f.name == "New reviews")
    assert "||" not in field_value.replace("\\|", "")  # the title cannot open a spoiler tag
    assert field_value.count("\n") == 0  # the title's line break did not start a new line
    # a review pasted into a title is cut to a title's length
    long_title = NewReview(1, "x" * 5000, None, None, 5, "Ada")
    line = section(
        compose_digest(DigestInputs(window=WINDOW, reviews=(long_title,)), []), "reviews"
    )
    assert len(line[0]) < 200


# --- text safety -------------------------------------------------------------------------


def test_member_text_is_escaped_and_cannot_ping() -> None:
    members = (
        MemberWeek(1, "@everyone", pages_read=10),
        MemberWeek(2, "**bold** <@123> [x](https://evil)", pages_read=5),
        MemberWeek(3, "line\nbreak\x00\u202e", pages_read=1),
    )
    digest = compose_digest(DigestInputs(window=WINDOW, members=members), [])
    value = next(f.value for f in split_for_embeds(digest)[0].fields if f.name == "Readers")
    assert "@everyone" not in value
    assert "@\u200beveryone" in value
    assert "<@123>" not in value
    assert "\\*\\*bold\\*\\*" in value
    assert "\\[x\\]" in value
    assert "\x00" not in value and "\u202e" not in value
    assert "**line break** — 1 page" in value
    assert escape_markdown("a_b|c`d~e>f") == "a\\_b\\|c\\`d\\~e\\>f"
    assert one_line("  a\n\tb  ", 10) == "a b"
    assert one_line("abcdefghijkl", 5) == "abcd…"


def test_unsafe_review_links_are_dropped() -> None:
    bad = [
        "javascript:alert(1)",
        "http://discord.com/channels/1/2/3",
        "https://x.test/a)b",
        "https://x.test/a b",
        "",
    ]
    reviews = tuple(
        NewReview(i, "Book", None, None, i, f"R{i}", url) for i, url in enumerate(bad, 1)
    )
    digest = compose_digest(DigestInputs(window=WINDOW, reviews=reviews), [])
    value = next(f.value for f in split_for_embeds(digest)[0].fields if f.name == "New reviews")
    assert "](" not in value


# --- shapes ------------------------------------------------------------------------------


def test_quiet_week() -> None:
    digest = compose_digest(DigestInputs(window=WINDOW), [])
    assert digest.is_quiet
    assert [s.key for s in digest.sections] == ["overview"]
    assert "A quiet week" in digest.to_text()
    embeds = split_for_embeds(digest)
    assert len(embeds) == 1 and embeds[0].fields == ()
    assert embed_limit_problems(embeds) == []


def test_only_opted_out_activity_is_a_quiet_week() -> None:
    inputs = DigestInputs(
        window=WINDOW,
        members=(MemberWeek(9, "Hidden", pages_read=300, books_finished=1, streak_days=9),),
        ratings=(NewRating(9, 1, "Book", None, 20),),
        reviews=(NewReview(1, "Book", None, 20, 9, "Hidden"),),
    )
    digest = compose_digest(inputs, {9})
    assert digest.is_quiet
    assert "Hidden" not in digest.to_text()
    assert digest.top_books == ()


def test_title_period_in_the_guild_zone() -> None:
    def title(now: datetime, zone: str) -> str:
        return compose_digest(DigestInputs(digest_window(now), zone), []).title

    assert title(POSTED_AT, "Europe/Berlin") == "Weekly digest · 16–23 Nov 2026"
    assert title(datetime(2026, 12, 3, 12, tzinfo=UTC), "UTC") == (
        "Weekly digest · 26 Nov – 3 Dec 2026"
    )
    assert title(datetime(2027, 1, 3, 18, tzinfo=UTC), "Asia/Kolkata") == (
        "Weekly digest · 27 Dec 2026 – 3 Jan 2027"
    )


def test_duplicate_members_are_a_bug() -> None:
    inputs = DigestInputs(window=WINDOW, members=(MemberWeek(1, "A"), MemberWeek(1, "A")))
    with pytest.raises(ValueError, match="twice"):
        compose_digest(inputs, [])


def test_goals_section() -> None:
    members = (
        MemberWeek(1, "Ada", goal_done=12, goal_target=24),
        MemberWeek(2, "Bo", goal_done=30, goal_target=24),
        MemberWeek(3, "Cy", goal_done=0, goal_target=10),
        MemberWeek(4, "Di"),
    )
    lines = section(compose_digest(DigestInputs(window=WINDOW, members=members), []), "goals")
    assert lines == [
        "Bo — 30 of 24 books (100%) — goal reached!",
        "Ada — 12 of 24 books (50%)",
        "Cy — 0 of 10 books (0%)",
    ]


def test_club_without_progress_or_checkpoint() -> None:
    club = ClubWeek("Stoner", None, None, members=(MemberProgress(1, "Ada", page=10),))
    lines = section(compose_digest(DigestInputs(window=WINDOW, club=club), []), "club")
    # pages without a page count cannot be averaged
    assert lines == ["Progress — nobody has logged progress yet"]


# --- Discord limits ----------------------------------------------------------------------


def shown_lines(embeds: tuple[EmbedSpec, ...]) -> dict[str, list[str]]:
    """Section title → the lines shown for it, following continuation fields."""
    out: dict[str, list[str]] = {}
    current = ""
    for e in embeds:
        for f in e.fields:
            if f.name != "\u200b":
                current = f.name
            out.setdefault(current, []).extend(f.value.split("\n"))
    return out


def assert_faithful(digest: Digest, embeds: tuple[EmbedSpec, ...]) -> None:
    """Each section shows a prefix of its lines, whole, then an honest '… and N more'."""
    assert embed_limit_problems(embeds) == []
    assert embeds[0].title == digest.title
    assert embeds[0].description is not None
    assert embeds[-1].footer == digest.footer
    shown = shown_lines(embeds)
    assert list(shown) == [s.title for s in digest.sections[1:]]
    for sec in digest.sections[1:]:
        full = [line.markdown() for line in sec.lines]
        got = shown[sec.title]
        if got == full:
            continue
        match = re.fullmatch(rf"… and ([\d,]+) more {sec.noun}s?", got[-1])
        assert match, got[-1]
        hidden = int(match[1].replace(",", ""))
        assert got[:-1] == full[: len(got) - 1]
        assert hidden == len(full) - (len(got) - 1)


def test_generated_week_fits_without_truncation() -> None:
    world = generate_world()
    digest = compose_digest(world.inputs, world.opted_out)
    embeds = split_for_embeds(digest)
    assert_faithful(digest, embeds)
    assert len(embeds) == 1
    shown = shown_lines(embeds)
    assert all("more" not in lines[-1] for lines in shown.values())


def huge_inputs(members: int, reviews: int) -> DigestInputs:
    rng = random.Random(7)
    name = "[Mx_*~`|] Extremely Long Display Name"  # escaping makes it longer
    return DigestInputs(
        window=WINDOW,
        members=tuple(
            MemberWeek(
                i,
                f"{name} {i}",
                pages_read=rng.randint(1, 900),
                books_started=1,
                books_finished=rng.randint(0, 2),
                streak_days=rng.randint(0, 60),
                goal_done=rng.randint(0, 50),
                goal_target=50,
            )
            for i in range(members)
        ),
        reviews=tuple(
            NewReview(
                r,
                "A Very Long Title " * 8,
                "Some Author With A Long Name " * 3,
                rng.randint(2, 20),
                r % members,
                f"{name} {r % members}",
                f"https://discord.com/channels/123456789012345678/123456789012345678/{r}",
            )
            for r in range(reviews)
        ),
        ratings=tuple(NewRating(i, i % 40, f"Book {i % 40}", "Author", 20) for i in range(members)),
        club=ClubWeek(
            "The Longest Club Book " * 6,
            "Author " * 20,
            500,
            members=tuple(MemberProgress(i, f"{name} {i}", "finished") for i in range(members)),
            next_checkpoint=Checkpoint(
                "L" * 100, CheckpointReach("percent", 50), date(2026, 12, 1)
            ),
        ),
    )


def test_huge_server_is_truncated_honestly() -> None:
    digest = compose_digest(huge_inputs(3000, 800), [])
    embeds = split_for_embeds(digest)
    assert_faithful(digest, embeds)
    total = sum(e.size for e in embeds)
    assert EMBED_TOTAL_LIMIT - 200 < total <= EMBED_TOTAL_LIMIT
    shown = shown_lines(embeds)
    assert shown["Readers"][-1].startswith("… and 2,9")
    assert shown["Readers"][-1].endswith(" more readers")
    assert shown["New reviews"][-1].endswith(" more reviews")
    # every section still got room to say something
    assert all(len(lines) >= 2 for lines in shown.values())
    assert all(len(f.value) <= EMBED_FIELD_VALUE_LIMIT for e in embeds for f in e.fields)
    # the text preview is not truncated
    assert digest.to_text().count("\n  ") > 3000 + 800


@settings(max_examples=40, deadline=None)
@given(
    members=st.integers(0, 400),
    reviews=st.integers(0, 150),
    name=st.text(min_size=1, max_size=40),
    title=st.text(min_size=0, max_size=300),
)
def test_any_digest_fits_one_message(members: int, reviews: int, name: str, title: str) -> None:
    inputs = DigestInputs(
        window=WINDOW,
        members=tuple(
            MemberWeek(i, f"{name}{i}", pages_read=i, streak_days=i % 9, goal_done=i, goal_target=9)
            for i in range(members)
        ),
        reviews=tuple(
            NewReview(r, title, title, 10, r, name, f"https://discord.com/channels/1/2/{r}")
            for r in range(reviews)
        ),
        ratings=tuple(NewRating(i, i % 7, title, None, 2 + i % 19) for i in range(members)),
    )
    digest = compose_digest(inputs, set(range(0, members, 5)))
    assert_faithful(digest, split_for_embeds(digest))


def test_an_open_vote_is_announced_in_the_servers_time() -> None:
    vote = OpenVote("ranked", 4, datetime(2026, 11, 28, 17, tzinfo=UTC), "https://discord.com/x")
    digest = compose_digest(DigestInputs(window=WINDOW, timezone="Europe/Berlin", vote=vote), [])
    [section] = [s for s in digest.sections if s.key == "vote"]
    [line] = section.lines
    assert line.markdown() == (
        "**Vote** — A ranked vote on 4 nominated books is open until 28 Nov 2026, "
        "18:00 (Europe/Berlin) · [vote](https://discord.com/x)"
    )
    assert not [
        s for s in compose_digest(DigestInputs(window=WINDOW), []).sections if s.key == "vote"
    ]


def test_rooms_opened_this_week_are_named_by_their_checkpoints_only() -> None:
    club = ClubWeek("Middlemarch", "George Eliot", 880, rooms_opened=("Book One", "Book *Two*"))
    digest = compose_digest(DigestInputs(window=WINDOW, club=club), [])
    [section] = [s for s in digest.sections if s.key == "club"]
    [line] = [line for line in section.lines if line.lead == "Rooms opened"]
    assert line.markdown().startswith("**Rooms opened** — Book One, Book \\*Two\\* (members")


def test_the_next_meeting_is_in_the_servers_time_with_a_link() -> None:
    meeting = NextMeeting(
        datetime(2026, 11, 26, 18, tzinfo=UTC), "Book *One*", None, "https://discord.com/events/1/2"
    )
    digest = compose_digest(
        DigestInputs(window=WINDOW, timezone="Europe/Berlin", meeting=meeting), []
    )
    [section] = [s for s in digest.sections if s.key == "meeting"]
    assert section.lines[0].markdown() == (
        "**Next meeting** — 26 Nov 2026, 19:00 (Europe/Berlin) about Book \\*One\\* on Discord"
        " · [event](https://discord.com/events/1/2)"
    )
