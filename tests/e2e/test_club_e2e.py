"""Club reads end to end: /club pick, /club schedule add, /club status, /club end."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import MarginaliaBot
from bot.db.schema import books
from tests.e2e.world import World, all_text
from tests.support.seeders import SPOILER, Seeder


async def add_book(world: World) -> None:
    added = await world.rig.slash(
        world.guild,
        world.moderator,
        "book add",
        {"title": "Middlemarch", "author": "George Eliot", "pages": 880},
    )
    assert "Middlemarch" in all_text(added.embeds)


async def test_club_read_from_pick_to_end(world: World, marginalia: MarginaliaBot) -> None:
    rig = world.rig
    await add_book(world)

    refused = await rig.slash(world.guild, world.alice, "club pick", {"book": "Middlemarch"})
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)
    bad_dates = await rig.slash(
        world.guild,
        world.moderator,
        "club pick",
        {"book": "Middlemarch", "start": "2026-12-01", "end": "2026-11-30"},
    )
    assert bad_dates.ephemeral and "before the start date" in all_text(bad_dates.embeds)

    picked = await rig.slash(
        world.guild,
        world.moderator,
        "club pick",
        {"book": "Middlemarch", "end": "31 January 2027"},
        channel=world.general,
    )
    announcement = await picked.wait_reply()
    assert not announcement.ephemeral and announcement.channel_id == world.general.id
    text = all_text(announcement.embeds)
    assert "New club read" in text and "Middlemarch" in text and "George Eliot" in text
    assert "From 18 Nov 2026 to 31 Jan 2027" in text
    second = await rig.slash(world.guild, world.moderator, "club pick", {"book": "Middlemarch"})
    assert second.ephemeral and "already reading “Middlemarch”" in all_text(second.embeds)

    too_far = await rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book One", "date": "2026-12-06", "until_page": 900},
    )
    assert too_far.ephemeral and "880 pages" in all_text(too_far.embeds)
    too_early = await rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book One", "date": "2026-11-10", "until_page": 100},
    )
    assert too_early.ephemeral and "before the club starts" in all_text(too_early.embeds)
    member = await rig.slash(
        world.guild,
        world.alice,
        "club schedule add",
        {"label": "Book One", "date": "2026-12-06", "until_page": 100},
    )
    assert member.ephemeral and "Only moderators" in all_text(member.embeds)
    added = await rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book One", "date": "2026-11-20", "until_page": 100},
    )
    assert added.ephemeral
    assert "Book One** — up to p. 100 — by 20 Nov 2026" in all_text(added.embeds)
    await rig.slash(
        world.guild,
        world.moderator,
        "club schedule add",
        {"label": "Book Two", "date": "6 December", "until_percent": 50.0},
    )

    # progress (logged through /progress in the real flow) and a spoiler-laden review
    seeder = Seeder(world.database, now=world.clock.now())
    async with world.database.read() as conn:
        book_id = (await conn.execute(select(books.c.id))).scalar_one()
    await seeder.reading(world.guild.id, world.alice.id, book_id, page=300)
    await seeder.reading(world.guild.id, world.bob.id, book_id, status="finished")
    await seeder.reading(world.guild.id, world.admin.id, book_id, page=20)
    await seeder.opt_out(world.guild.id, world.admin.id)
    await seeder.review(world.guild.id, world.bob.id, book_id, world.clock.now())

    status = await rig.slash(world.guild, world.bob, "club status")
    card = await status.wait_reply()
    assert not card.ephemeral
    text = all_text(card.embeds)
    assert "Club read: Middlemarch" in text
    assert "Checkpoint: **Book One** — up to p. 100 — by 20 Nov 2026" in text
    lines = [line for line in text.splitlines() if "**bob**" in line or "**alice**" in line]
    assert "**bob** · ✅ finished" in lines[0] and "34%" in lines[1]  # finished first
    assert "ada" not in text  # opted out
    assert SPOILER not in text
    assert "2 members · 1 finished · 1 reading" in text

    world.clock.advance(days=3)  # Book One (20 Nov) is past due; alice is past p. 100
    status = await rig.slash(world.guild, world.alice, "club status")
    text = all_text((await status.wait_reply()).embeds)
    assert "**alice** · on track" in text and "Book Two" in text

    not_mod = await rig.slash(world.guild, world.bob, "club end")
    assert not_mod.ephemeral and "Only moderators" in all_text(not_mod.embeds)
    ended = await rig.slash(world.guild, world.moderator, "club end")
    summary = await ended.wait_reply()
    assert not summary.ephemeral
    text = all_text(summary.embeds)
    assert "Club read ended" in text and "Completion: 50% finished the book." in text

    gone = await rig.slash(world.guild, world.alice, "club status")
    assert gone.ephemeral
    assert "The last one was “Middlemarch”" in all_text(gone.embeds)
