"""Club reads end to end: /club pick, /club schedule add, /club status, /club end.

One club read, built up by fixtures in the order a server lives it: a book in the
catalogue (``book``), the club read picked in #general (``club``), two checkpoints
(``schedule``), members reading it (``members``). Each test takes the stage it needs and
checks one thing. The clock starts on Wednesday 18 November 2026.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import MarginaliaBot
from bot.db.schema import books, ratings
from fake_discord import StoredMessage
from tests.e2e.world import World, all_text
from tests.support.seeders import HEADLINE, SPOILER, Seeder

BOOK = "Middlemarch"


async def _club_text(world: World, asker: str = "bob") -> str:
    """The /club status card as a member sees it."""
    status = await world.rig.slash(world.guild, getattr(world, asker), "club status")
    card = await status.wait_reply()
    assert not card.ephemeral
    return all_text(card.embeds)


@pytest.fixture
async def book(world: World, marginalia: MarginaliaBot) -> None:
    added = await world.rig.slash(
        world.guild,
        world.moderator,
        "book add",
        {"title": BOOK, "author": "George Eliot", "pages": 880},
    )
    assert BOOK in all_text(added.embeds)


@pytest.fixture
async def club(world: World, book: None) -> StoredMessage:
    """The club read of Middlemarch, until 31 January 2027; its announcement."""
    picked = await world.rig.slash(
        world.guild,
        world.moderator,
        "club pick",
        {"book": BOOK, "end": "31 January 2027"},
        channel=world.general,
    )
    return await picked.wait_reply()


@pytest.fixture
async def schedule(world: World, club: StoredMessage) -> None:
    """Book One up to p. 100 by 20 Nov; Book Two up to 50% by 6 Dec."""
    for options in (
        {"label": "Book One", "date": "2026-11-20", "until_page": 100},
        {"label": "Book Two", "date": "6 December", "until_percent": 50.0},
    ):
        added = await world.rig.slash(world.guild, world.moderator, "club schedule add", options)
        assert added.ephemeral and str(options["label"]) in all_text(added.embeds)


@pytest.fixture
async def members(world: World, schedule: None) -> None:
    """alice at p. 300, bob finished (with a spoiler-laden review), ada at p. 20 but opted
    out of being shown; progress is written straight to the database (the real flow is
    /progress, tested on its own)."""
    seeder = Seeder(world.database, now=world.clock.now())
    async with world.database.read() as conn:
        book_id = (await conn.execute(select(books.c.id))).scalar_one()
    await seeder.reading(world.guild.id, world.alice.id, book_id, page=300)
    await seeder.reading(world.guild.id, world.bob.id, book_id, status="finished")
    await seeder.reading(world.guild.id, world.admin.id, book_id, page=20)
    await seeder.opt_out(world.guild.id, world.admin.id)
    await seeder.review(world.guild.id, world.bob.id, book_id, world.clock.now())


# --- /club pick -----------------------------------------------------------------------------


async def test_only_moderators_pick_a_club_read(world: World, book: None) -> None:
    refused = await world.rig.slash(world.guild, world.alice, "club pick", {"book": BOOK})
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)


async def test_a_club_read_cannot_end_before_it_starts(world: World, book: None) -> None:
    bad_dates = await world.rig.slash(
        world.guild,
        world.moderator,
        "club pick",
        {"book": BOOK, "start": "2026-12-01", "end": "2026-11-30"},
    )
    assert bad_dates.ephemeral and "before the start date" in all_text(bad_dates.embeds)


async def test_picking_announces_the_club_read_in_the_channel(
    world: World, club: StoredMessage
) -> None:
    assert not club.ephemeral and club.channel_id == world.general.id
    text = all_text(club.embeds)
    assert "New club read" in text and BOOK in text and "George Eliot" in text
    assert "From 18 Nov 2026 to 31 Jan 2027" in text


async def test_one_club_read_at_a_time(world: World, club: StoredMessage) -> None:
    second = await world.rig.slash(world.guild, world.moderator, "club pick", {"book": BOOK})
    assert second.ephemeral and "already reading “Middlemarch”" in all_text(second.embeds)


# --- /club schedule add ---------------------------------------------------------------------


async def test_a_checkpoint_cannot_pass_the_last_page(world: World, club: StoredMessage) -> None:
    too_far = await world.rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book One", "date": "2026-12-06", "until_page": 900},
    )
    assert too_far.ephemeral and "880 pages" in all_text(too_far.embeds)


async def test_a_checkpoint_cannot_come_before_the_club_starts(
    world: World, club: StoredMessage
) -> None:
    too_early = await world.rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book One", "date": "2026-11-10", "until_page": 100},
    )
    assert too_early.ephemeral and "before the club starts" in all_text(too_early.embeds)


async def test_only_moderators_schedule_checkpoints(world: World, club: StoredMessage) -> None:
    member = await world.rig.slash(
        world.guild,
        world.alice,
        "club schedule add",
        {"label": "Book One", "date": "2026-12-06", "until_page": 100},
    )
    assert member.ephemeral and "Only moderators" in all_text(member.embeds)


async def test_an_added_checkpoint_is_confirmed_with_its_reach_and_date(
    world: World, club: StoredMessage
) -> None:
    added = await world.rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book One", "date": "2026-11-20", "until_page": 100},
    )
    assert added.ephemeral
    assert "Book One** — up to p. 100 — by 20 Nov 2026" in all_text(added.embeds)


# --- /club status ---------------------------------------------------------------------------


async def test_status_shows_the_club_read_and_its_next_checkpoint(
    world: World, members: None
) -> None:
    text = await _club_text(world)
    assert "Club read: Middlemarch" in text
    assert "Checkpoint: **Book One** — up to p. 100 — by 20 Nov 2026" in text
    assert "2 members · 1 finished · 1 reading" in text


async def test_status_lists_finished_members_first(world: World, members: None) -> None:
    text = await _club_text(world)
    lines = [line for line in text.splitlines() if "**bob**" in line or "**alice**" in line]
    assert "**bob** · ✅ finished" in lines[0] and "34%" in lines[1]


async def test_status_leaves_out_members_who_opted_out(world: World, members: None) -> None:
    assert "ada" not in await _club_text(world)


async def test_status_shows_no_review_spoilers(world: World, members: None) -> None:
    assert SPOILER not in await _club_text(world)


async def test_a_checkpoint_past_due_gives_way_to_the_next(world: World, members: None) -> None:
    world.clock.advance(days=3)  # Book One (20 Nov) is past due; alice is past p. 100
    text = await _club_text(world, "alice")
    assert "**alice** · on track" in text and "Book Two" in text


# --- /club end ------------------------------------------------------------------------------


async def test_only_moderators_end_a_club_read(world: World, members: None) -> None:
    not_mod = await world.rig.slash(world.guild, world.bob, "club end")
    assert not_mod.ephemeral and "Only moderators" in all_text(not_mod.embeds)


async def test_ending_posts_the_completion(world: World, members: None) -> None:
    ended = await world.rig.slash(world.guild, world.moderator, "club end")
    summary = await ended.wait_reply()
    assert not summary.ephemeral
    text = all_text(summary.embeds)
    assert "Club read ended" in text and "Completion: 50% finished the book." in text


async def test_after_the_end_status_names_the_last_club_read(world: World, members: None) -> None:
    ended = await world.rig.slash(world.guild, world.moderator, "club end")
    await ended.wait_reply()
    gone = await world.rig.slash(world.guild, world.alice, "club status")
    assert gone.ephemeral
    assert "The last one was “Middlemarch”" in all_text(gone.embeds)


async def test_progress_pace_is_private_and_follows_the_members_own_progress(
    world: World, schedule: None
) -> None:
    """/progress pace: alice at p. 40 on 18 Nov with Book One (p. 100) due on the 20th: 60
    pages in 3 days; only alice sees it; another book is refused, saying which is the read."""
    updated = await world.rig.slash(
        world.guild, world.alice, "progress update", {"book": BOOK, "page": 40}
    )
    await updated.wait_reply()
    pace = await world.rig.slash(world.guild, world.alice, "progress pace")
    card = await pace.wait_reply()
    assert card.ephemeral
    text = all_text(card.embeds)
    assert "Book One" in text and "You are at p. 40" in text
    assert "60 pages to go in 3 days" in text and "about **20 pages a day**" in text
    # a steady reader from the club's start (18 Nov) would be at p. 0 today
    assert "On track" in text

    by_name = await world.rig.slash(world.guild, world.alice, "progress pace", {"book": BOOK})
    assert "You are at p. 40" in all_text((await by_name.wait_reply()).embeds)

    await world.rig.slash(
        world.guild,
        world.moderator,
        "book add",
        {"title": "Emma", "author": "Jane Austen", "pages": 400},
    )
    other = await world.rig.slash(world.guild, world.alice, "progress pace", {"book": "Emma"})
    refusal = await other.wait_reply()
    assert refusal.ephemeral and "club is reading “Middlemarch”" in refusal.text


async def test_progress_pace_without_a_club_read(world: World, marginalia: MarginaliaBot) -> None:
    pace = await world.rig.slash(world.guild, world.alice, "progress pace")
    reply = await pace.wait_reply()
    assert reply.ephemeral and "no club read" in reply.text


async def test_nominate_list_and_a_moderator_nominates_a_suggestion(
    world: World, book: None
) -> None:
    """alice nominates with a pitch (no ping, public), bob's second nomination replaces his
    first, the list names nominators; /club suggest counts members and a moderator's
    Nominate button nominates it; a member gets no buttons."""
    rig = world.rig
    for title in ("Emma", "Kindred"):
        await rig.slash(
            world.guild, world.moderator, "book add", {"title": title, "author": "A. Author"}
        )
    posted = await rig.slash(
        world.guild,
        world.alice,
        "club nominate",
        {"book": BOOK, "pitch": f"Slow and <@{world.bob.id}> will love it"},
    )
    card = await posted.wait_reply()
    assert not card.ephemeral and card.allowed_mentions == {"parse": []}
    assert "nominated **Middlemarch**" in all_text(card.embeds)
    taken = await rig.slash(world.guild, world.bob, "club nominate", {"book": BOOK})
    refusal = await taken.wait_reply()
    assert refusal.ephemeral and "already nominated “Middlemarch”" in refusal.text
    await (await rig.slash(world.guild, world.bob, "club nominate", {"book": "Emma"})).wait_reply()
    moved = await rig.slash(world.guild, world.bob, "club nominate", {"book": "Kindred"})
    assert "replaces their nomination of “Emma”" in all_text((await moved.wait_reply()).embeds)

    listed = await rig.slash(world.guild, world.alice, "club nominations")
    text = all_text((await listed.wait_reply()).embeds)
    assert text.index("Middlemarch") < text.index("Kindred") and "Emma" not in text
    assert "Slow and" in text

    seeder = Seeder(world.database, now=world.clock.now())
    async with world.database.read() as conn:
        emma = (await conn.execute(select(books.c.id).where(books.c.title == "Emma"))).scalar_one()
    for member in (world.alice, world.bob):
        await seeder.reading(world.guild.id, member.id, emma, status="want-to-read")
    asked = await rig.slash(world.guild, world.alice, "club suggest")
    shown = await asked.wait_reply()
    assert shown.ephemeral and shown.custom_ids == []
    assert "Emma" in all_text(shown.embeds) and "2 members want to read it" in all_text(
        shown.embeds
    )
    assert world.alice.user.username not in all_text(shown.embeds)
    offered = await rig.slash(world.guild, world.moderator, "club suggest")
    suggestions = await offered.wait_reply()
    assert suggestions.custom_ids == [f"club:suggest:{emma}"]
    clicked = await rig.click(suggestions, f"club:suggest:{emma}", world.moderator)
    assert "nominated **Emma**" in all_text((await clicked.wait_reply()).embeds)
    again = await rig.slash(world.guild, world.alice, "club nominations")
    assert "Emma" in all_text((await again.wait_reply()).embeds)


async def test_the_wrap_up_has_the_clubs_rating_liked_reviews_and_rate_it(
    world: World, members: None
) -> None:
    """Ratings given since the read began count (not an older one, not an opted-out
    member's); bob's review shows only its spoiler-free parts; Rate it rates privately."""
    seeder = Seeder(world.database, now=world.clock.now())
    async with world.database.read() as conn:
        book_id = (await conn.execute(select(books.c.id))).scalar_one()
    now = world.clock.now()
    await seeder.rate(world.guild.id, world.alice.id, book_id, 16, now)
    await seeder.rate(world.guild.id, world.bob.id, book_id, 12, now)
    await seeder.rate(world.guild.id, world.admin.id, book_id, 4, now)  # opted out
    await seeder.rate(world.guild.id, world.moderator.id, book_id, 20, now - timedelta(days=60))
    ended = await world.rig.slash(world.guild, world.moderator, "club end")
    summary = await ended.wait_reply()
    text = all_text(summary.embeds)
    assert "Club rating: ★ 3.5 average from 2 ratings given during the read." in text
    assert "Most liked reviews" in text and HEADLINE in text
    assert SPOILER not in text and summary.allowed_mentions == {"parse": []}
    [rate_it] = summary.custom_ids
    assert rate_it == f"club:rate:{book_id}"
    asked = await world.rig.click(summary, rate_it, world.alice)
    assert asked.ephemeral and "How many stars" in asked.content
    [menu] = asked.message.custom_ids
    rated = await world.rig.select(asked, menu, ["4.5"], world.alice)
    assert "4.5" in all_text((await rated.wait_edit()).embeds)
    async with world.database.read() as conn:
        mine = await conn.execute(
            select(ratings.c.quarters).where(ratings.c.user_id == world.alice.id)
        )
        assert mine.scalar_one() == 18


async def test_nudges_go_once_privately_to_members_behind_who_asked(
    world: World, marginalia: MarginaliaBot, schedule: None
) -> None:
    """A day into the read, Book One (p. 100) is due tomorrow: alice (nothing logged) is
    behind a steady reader and asked for nudges; bob asked too but is ahead; the admin asked
    but their DMs are closed; the moderator is behind but never asked. One DM, to alice,
    once."""
    rig = world.rig
    seeder = Seeder(world.database, now=world.clock.now())
    async with world.database.read() as conn:
        book_id = (await conn.execute(select(books.c.id))).scalar_one()
    await seeder.reading(world.guild.id, world.bob.id, book_id, page=150)
    for member in (world.alice, world.bob, world.admin):
        on = await rig.slash(world.guild, member, "club nudges on")
        assert on.ephemeral and "Nobody else is told" in on.content
    rig.set_dms_open(world.admin, False)
    cog = marginalia.get_cog("Clubs")
    assert await cog.send_nudges() == 0  # on the first day nobody is behind yet
    world.clock.advance(days=1)
    assert await cog.send_nudges() == 1  # type: ignore[union-attr]
    [nudge] = [m for m in rig.channel_messages(rig.dm_channel(world.alice.user))]
    text = all_text(nudge.embeds)
    assert "A nudge for the club read on Book Club" in text and "Book One" in text
    assert rig.channel_messages(rig.dm_channel(world.bob.user)) == []
    assert rig.channel_messages(rig.dm_channel(world.moderator.user)) == []
    assert await cog.send_nudges() == 0  # type: ignore[union-attr]
    off = await rig.slash(world.guild, world.alice, "club nudges off")
    assert "off" in off.content
