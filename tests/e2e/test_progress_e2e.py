"""/progress update|start|pause|finish|abandon|show|history end to end, through the local
Discord server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.app import MarginaliaBot
from fake_discord import InteractionResult, StoredMessage
from tests.e2e.world import World, all_text

BOOK = "The Dispossessed"


def _stamp(year: int, month: int, day: int) -> str:
    """How a calendar date is shown: a Discord timestamp at noon UTC."""
    return f"<t:{int(datetime(year, month, day, 12, tzinfo=UTC).timestamp())}:D>"


async def _add_book(world: World, title: str = BOOK, pages: int = 387) -> None:
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": title, "author": "Ursula K. Le Guin", "pages": pages},
    )
    assert "Added" in added.content


async def _run(
    world: World, member: Any, name: str, options: dict[str, Any], **kwargs: Any
) -> tuple[StoredMessage, str]:
    result: InteractionResult = await world.rig.slash(world.guild, member, name, options, **kwargs)
    reply = await result.wait_reply()
    return reply, all_text(reply.embeds, reply.content)


async def test_update_show_history_and_a_rating_on_the_last_page(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    reply, text = await _run(
        world,
        world.alice,
        "progress update",
        {"book": BOOK, "page": 120, "note": "Anarres! @everyone"},
    )
    assert reply.ephemeral
    request = world.rig.requests_to("POST", "/interactions/{id}/{token}/callback")[-1]
    assert request.json["data"]["allowed_mentions"] == {"parse": []}
    assert "p. 120 of 387 · 31 %" in text and "Started " + _stamp(2026, 11, 18) in text
    assert "█" in text and "Anarres! @\u200beveryone" in text
    _, text = await _run(world, world.alice, "progress update", {"book": BOOK, "percent": 50})
    assert "p. 194 of 387 · 50 %" in text and "+74 pages since your last update" in text
    _, text = await _run(world, world.alice, "progress update", {"book": BOOK, "page": 100})
    assert "Corrected from p. 194 of 387 · 50 %" in text and "correction" in text

    mine, text = await _run(world, world.alice, "progress show", {})
    assert mine.ephemeral and "Your current reads" in text
    assert BOOK in text and "p. 100 of 387 · 25 %" in text
    _, text = await _run(world, world.bob, "progress show", {"member": world.alice})
    assert "alice's current reads" in text and "p. 100 of 387" in text
    _, text = await _run(world, world.bob, "progress show", {})
    assert "Nothing in progress" in text

    world.clock.advance(days=2)
    done, text = await _run(world, world.alice, "progress update", {"book": BOOK, "page": 387})
    assert "Finished" in text and "How was it?" in text and "/rate" in text
    select = next(c for row in done.components for c in row["components"] if c["type"] == 3)
    assert [o["value"] for o in select["options"]][:3] == ["5", "4.5", "4"]
    rated = await world.rig.select(done, select["custom_id"], ["4.5"], world.alice)
    rated_text = all_text((await rated.wait_reply()).embeds)
    assert f"You rated {BOOK}" in rated_text and "4.5" in rated_text

    _, history = await _run(world, world.alice, "progress history", {"book": BOOK})
    assert "Your history: " + BOOK in history
    assert f"Reading 1__ · Finished · {_stamp(2026, 11, 18)} → {_stamp(2026, 11, 20)}" in history
    assert "p. 120 of 387 · 31 % (+120 pages)" in history
    for line in ("· Started", "Correction: back to p. 100 of 387", "· Finished 🎉"):
        assert line in history, line
    assert "“Anarres! @\u200beveryone”" in history
    # another member sees the notes behind spoiler tags
    _, theirs = await _run(
        world, world.bob, "progress history", {"book": BOOK, "member": world.alice}
    )
    assert "alice's history" in theirs and "note: ||Anarres! @\u200beveryone||" in theirs


async def test_a_chapter_is_logged_and_shown(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    _, text = await _run(
        world, world.alice, "progress update", {"book": BOOK, "page": 120, "chapter": 4}
    )
    assert "p. 120 of 387 · 31 % · chapter 4" in text
    _, text = await _run(world, world.alice, "progress update", {"book": BOOK, "chapter": 6})
    assert "p. 120 of 387 · 31 % · chapter 6" in text  # the page stays as it was
    _, text = await _run(world, world.alice, "progress show", {})
    assert "chapter 6" in text
    _, history = await _run(world, world.alice, "progress history", {"book": BOOK})
    assert "p. 120 of 387 · 31 % · chapter 4 (+120 pages)" in history
    assert "p. 120 of 387 · 31 % · chapter 6" in history


async def test_mistakes_are_ephemeral_and_say_how_to_fix_them(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    cases: list[tuple[dict[str, Any], str, bool]] = [
        ({}, "Give a page, a percent or a chapter", True),
        ({"page": 400}, "page 400 is past the end", True),
        ({"page": 400}, "edition_pages", True),
        ({"page": 100, "percent": 80}, "Give just the page or just the percent", True),
        ({"page": -5}, "can't be negative", False),
        ({"percent": 150}, "between 0 and 100", False),
        ({"percent": -1}, "between 0 and 100", False),
        ({"page": 1, "edition_pages": 0}, "edition_pages", False),
        ({"chapter": 0}, "`chapter` is a whole number from 1", False),
    ]
    for options, fragment, valid in cases:
        result = await world.rig.slash(
            world.guild,
            world.alice,
            "progress update",
            {"book": BOOK, **options},
            validate=None if valid else False,
        )
        assert result.ephemeral, options
        assert fragment in all_text(result.embeds, result.content), options

    dates = [
        ("progress start", "2026-11-19", "in the future"),
        ("progress finish", "next week", "can't read"),
        ("progress start", "03/04/2020", "day-first or month-first"),
    ]
    for command, date, fragment in dates:
        result = await world.rig.slash(
            world.guild, world.alice, command, {"book": BOOK, "date": date}
        )
        assert result.ephemeral and fragment in all_text(result.embeds), (command, date)
    _, text = await _run(world, world.alice, "progress show", {})
    assert "Nothing in progress" in text  # no mistake left anything behind

    await _run(world, world.alice, "progress start", {"book": BOOK, "date": "2026-11-10"})
    early = await world.rig.slash(
        world.guild, world.alice, "progress finish", {"book": BOOK, "date": "1 November 2026"}
    )
    assert early.ephemeral and "is before the start date" in all_text(early.embeds)
    paused = await world.rig.slash(
        world.guild, world.alice, "progress pause", {"book": BOOK, "date": "2026-11-01"}
    )
    assert "before this reading started" in all_text(paused.embeds)
    twice = await world.rig.slash(world.guild, world.alice, "progress start", {"book": BOOK})
    assert twice.ephemeral and "already marked **reading**" in all_text(twice.embeds)


async def test_status_changes_back_dating_and_rereads(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    done, text = await _run(
        world, world.alice, "progress finish", {"book": BOOK, "date": "January 2007"}
    )
    assert f"Finished **{BOOK}** on {_stamp(2007, 1, 1)}" in text
    assert "Pick your rating below" in text
    assert any(c["type"] == 3 for row in done.components for c in row["components"])
    _, text = await _run(world, world.alice, "progress start", {"book": BOOK})
    assert "Started" in text and "your 2nd reading of it" in text
    _, text = await _run(world, world.alice, "progress pause", {"book": BOOK})
    assert "Paused" in text
    _, text = await _run(world, world.alice, "progress start", {"book": BOOK})
    assert "resumed" in text
    _, text = await _run(world, world.alice, "progress abandon", {"book": BOOK})
    assert "did-not-finish" in text
    _, history = await _run(world, world.alice, "progress history", {"book": BOOK})
    assert f"Reading 1__ · Finished · {_stamp(2007, 1, 1)}\n" in history
    assert "Reading 2__ · Did not finish" in history
    for kind in ("Started", "Paused", "Resumed", "Stopped: did not finish"):
        assert kind in history, kind


async def test_edition_pages_and_a_catalogue_book(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    _, text = await _run(world, world.alice, "progress start", {"book": BOOK, "edition_pages": 500})
    assert "your edition, 500 pages" in text
    _, text = await _run(world, world.alice, "progress update", {"book": BOOK, "page": 450})
    assert "p. 450 of 500 · 90 %" in text
    # a book resolved from the catalogue by typed title uses its page count (96)
    _, text = await _run(
        world, world.bob, "progress update", {"book": "Fantastic Mr Fox", "percent": 25}
    )
    assert "p. 24 of 96 · 25 %" in text


async def test_progress_stays_in_its_server(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _run(world, world.alice, "progress update", {"book": BOOK, "page": 50})
    other = world.rig.add_guild("Other Club", members=[world.alice.user])
    await world.rig.sync()
    shown = await world.rig.slash(other, world.alice, "progress show")
    assert "Nothing in progress" in all_text((await shown.wait_reply()).embeds)
    await world.rig.slash(other, world.alice, "book add", {"title": BOOK, "author": "Le Guin"})
    history = await world.rig.slash(other, world.alice, "progress history", {"book": BOOK})
    assert "No readings of this book yet" in all_text((await history.wait_reply()).embeds)
