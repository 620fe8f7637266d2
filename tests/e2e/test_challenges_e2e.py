"""Server reading challenges end to end (issue 14): a moderator creates one, members fill
prompts with books they finished (rules checked against the metadata), the board is a plain
count with the viewer first and hidden members left out, /stats and the digest show it done."""

from __future__ import annotations

from bot.app import MarginaliaBot
from tests.e2e.world import World, all_text

PROMPTS = "[pages>500] a chunky one; [before 1900] a classic; a book a member recommended"


def _text(shown: object) -> str:
    return all_text(shown.embeds, shown.content)  # type: ignore[attr-defined]


async def _book(world: World, title: str, pages: int, year: int) -> None:
    await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": title, "author": "An Author", "pages": pages, "year": year},
    )


async def test_a_challenge_from_creation_to_completion(
    world: World, marginalia: MarginaliaBot
) -> None:
    rig = world.rig
    refused = await rig.slash(
        world.guild, world.alice, "challenge create", {"name": "Winter", "prompts": PROMPTS}
    )
    assert refused.ephemeral and "Only moderators" in _text(refused)
    created = await rig.slash(
        world.guild,
        world.moderator,
        "challenge create",
        {"name": "Winter", "prompts": PROMPTS, "ends": "2027-02-28"},
    )
    shown = _text(created)
    assert not created.ephemeral and "New challenge: Winter" in shown
    assert "more than 500 pages" in shown and "3 prompts" in shown

    await _book(world, "Middlemarch", 880, 1871)
    await _book(world, "Novella", 120, 2005)
    for title in ("Middlemarch", "Novella"):
        await rig.slash(world.guild, world.alice, "progress finish", {"book": title})
    await rig.slash(world.guild, world.bob, "progress finish", {"book": "Novella"})

    [chunky, classic, recommended] = await rig.autocomplete(
        world.guild, world.alice, "challenge fill", "prompt", "winter"
    )
    assert chunky["name"] == "Winter · a chunky one"
    too_slim = await rig.slash(
        world.guild, world.alice, "challenge fill", {"prompt": chunky["value"], "book": "Novella"}
    )
    assert "has 120 pages" in _text(too_slim)
    for prompt, book in ((chunky, "Middlemarch"), (classic, "Middlemarch")):
        done = await rig.slash(
            world.guild, world.alice, "challenge fill", {"prompt": prompt["value"], "book": book}
        )
        assert "Prompt filled" in _text(done)
    unfinished = await rig.slash(
        world.guild, world.bob, "challenge fill", {"prompt": chunky["value"], "book": "Middlemarch"}
    )
    assert "finished" in _text(unfinished) and "/progress finish" in _text(unfinished)
    await rig.slash(
        world.guild,
        world.bob,
        "challenge fill",
        {"prompt": recommended["value"], "book": "Novella"},
    )
    last = await rig.slash(
        world.guild,
        world.alice,
        "challenge fill",
        {"prompt": recommended["value"], "book": "Novella"},
    )
    assert "3 of 3" in _text(last) and "completed the challenge" in _text(last)

    board = _text(await rig.slash(world.guild, world.bob, "challenge board"))
    assert board.index("**You** — 1 of 3") < board.index("alice — 3 of 3")
    await rig.slash(world.guild, world.alice, "challenge hide")
    hidden = _text(await rig.slash(world.guild, world.bob, "challenge board"))
    assert "alice" not in hidden
    own = _text(await rig.slash(world.guild, world.alice, "challenge board"))
    assert "**You** — 3 of 3 (hidden from others)" in own
    private = await rig.slash(world.guild, world.bob, "challenge show", {"member": world.alice})
    assert "keeps their challenges" in _text(private)
    await rig.slash(world.guild, world.alice, "challenge unhide")
    theirs = _text(
        await rig.slash(world.guild, world.bob, "challenge show", {"member": world.alice})
    )
    assert "a chunky one" in theirs and "Middlemarch" in theirs and "3 of 3" in theirs

    stats = await rig.slash(world.guild, world.alice, "stats")
    assert "Challenges completed" in _text(await stats.wait_reply()) and "Winter" in _text(
        await stats.wait_reply()
    )

    world.clock.advance(minutes=1)
    setup = await rig.slash(
        world.guild,
        world.admin,
        "digest setup",
        {"channel": world.general, "weekday": 6, "hour": 18, "timezone": "UTC"},
    )
    await setup.wait_reply()
    await (await rig.slash(world.guild, world.admin, "digest send-now")).wait_reply()
    [digest] = [
        m
        for m in rig.channel_messages(world.general)
        if not m.ephemeral and m.embeds and "Weekly digest" in (m.embeds[0].get("title") or "")
    ]
    assert "Challenges completed" in all_text(digest.embeds)
    assert "completed Winter" in all_text(digest.embeds)
