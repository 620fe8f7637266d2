"""/shelf show|add|remove, /goal set|show and /stats end to end, through the local Discord
server."""

from __future__ import annotations

from typing import Any

from bot.app import MarginaliaBot
from fake_discord import StoredMessage
from tests.e2e.world import World, all_text

DUNE, EMMA, BELOVED = "Dune", "Emma", "Beloved"


async def _add_books(world: World) -> None:
    for title, author, pages in (
        (DUNE, "Frank Herbert", 412),
        (EMMA, "Jane Austen", 474),
        (BELOVED, "Toni Morrison", 324),
    ):
        added = await world.rig.slash(
            world.guild, world.alice, "book add", {"title": title, "author": author, "pages": pages}
        )
        assert "Added" in added.content


async def _run(
    world: World, member: Any, name: str, options: dict[str, Any] | None = None, **kw: Any
) -> tuple[StoredMessage, str]:
    result = await world.rig.slash(world.guild, member, name, options or {}, **kw)
    reply = await result.wait_reply()
    assert reply.ephemeral, name
    return reply, all_text(reply.embeds, reply.content)


async def test_shelves_status_and_custom(world: World, marginalia: MarginaliaBot) -> None:
    await _add_books(world)
    _, text = await _run(world, world.alice, "shelf add", {"book": DUNE, "shelf": "Favourites"})
    assert "Put **Dune** on your shelf **Favourites**" in text and "A new shelf" in text
    _, text = await _run(world, world.alice, "shelf add", {"book": EMMA, "shelf": "favourites"})
    assert "Put **Emma** on your shelf **Favourites**" in text and "A new shelf" not in text
    _, text = await _run(world, world.alice, "shelf add", {"book": BELOVED, "shelf": "to-read"})
    assert "Added **Beloved** to your want-to-read shelf" in text
    _, text = await _run(world, world.alice, "shelf add", {"book": DUNE, "shelf": "finished"})
    assert "Finished **Dune**" in text and "Rate it with `/rate`" in text

    _, text = await _run(world, world.alice, "shelf show")
    assert "Your shelves" in text
    assert "Want to read (1)\n• **Beloved** — Toni Morrison" in text
    assert "Finished (1)" in text and "Reading (0)" in text
    assert "**Favourites** (2): Emma, Dune" in text

    _, text = await _run(
        world, world.bob, "shelf show", {"member": world.alice, "shelf": "Favourites"}
    )
    assert "alice's shelf: Favourites (2)" in text and "**Emma** — Jane Austen" in text
    _, text = await _run(world, world.alice, "shelf show", {"shelf": "finished"})
    assert "**Dune** — Frank Herbert · finished <t:" in text

    choices = await world.rig.autocomplete(world.guild, world.alice, "shelf show", "shelf", "fav")
    assert [c["value"] for c in choices] == ["Favourites"]
    theirs = await world.rig.autocomplete(
        world.guild, world.bob, "shelf show", "shelf", "fav", {"member": world.alice}
    )
    assert [c["value"] for c in theirs] == ["Favourites"]

    _, text = await _run(
        world, world.alice, "shelf remove", {"book": BELOVED, "shelf": "want-to-read"}
    )
    assert "Took **Beloved** off your want-to-read shelf" in text
    _, text = await _run(world, world.alice, "shelf remove", {"book": EMMA, "shelf": "Favourites"})
    assert "Took **Emma** off" in text and "shelf is gone" not in text
    _, text = await _run(world, world.alice, "shelf remove", {"book": DUNE, "shelf": "Favourites"})
    assert "That was its last book, so the shelf is gone" in text


async def test_shelf_mistakes(world: World, marginalia: MarginaliaBot) -> None:
    await _add_books(world)
    for shelf, fragment in (
        ("@everyone", "can't contain mentions"),
        ("<@123456> fans", "can't contain mentions"),
        ("a, b", "can't contain commas"),
        ("x" * 41, "at most 40 characters"),
    ):
        _, text = await _run(world, world.alice, "shelf add", {"book": DUNE, "shelf": shelf})
        assert fragment in text, shelf
        assert "@everyone" not in text.replace("@\u200beveryone", "")
    await _run(world, world.alice, "progress update", {"book": DUNE, "page": 10})
    _, text = await _run(world, world.alice, "shelf remove", {"book": DUNE, "shelf": "reading"})
    assert "status shelf" in text and "/progress pause" in text
    _, text = await _run(world, world.alice, "shelf remove", {"book": DUNE, "shelf": "classics"})
    assert "no shelf called “classics”" in text and "/shelf add" in text
    _, text = await _run(world, world.alice, "shelf show", {"shelf": "classics"})
    assert "no shelf called" in text


async def test_goal_set_and_show(world: World, marginalia: MarginaliaBot) -> None:
    await _add_books(world)
    await _run(world, world.alice, "progress finish", {"book": DUNE, "date": "2026-02-01"})
    await _run(world, world.alice, "progress finish", {"book": EMMA, "date": "2026-06-10"})
    await _run(world, world.alice, "progress finish", {"book": BELOVED, "date": "2025-12-01"})
    _, text = await _run(world, world.alice, "goal show")
    assert "No goal for 2026 yet" in text and "/goal set" in text
    _, text = await _run(world, world.alice, "goal set", {"count": 12})
    assert "Your 2026 reading challenge" in text
    assert "**2** of **12** books · 16 %" in text
    assert "8 books behind schedule" in text  # 12 × 322/365 days = 10 expected by 18 Nov
    assert "**Emma** — Jane Austen" in text
    _, text = await _run(world, world.bob, "goal show", {"member": world.alice})
    assert "alice's 2026 reading challenge" in text and "**2** of **12**" in text
    _, text = await _run(world, world.alice, "goal set", {"count": 1, "year": 2025})
    assert "Your 2025 reading challenge" in text and "Goal reached!" in text
    _, text = await _run(world, world.alice, "goal set", {"count": 0}, validate=False)
    assert "between 1 and 1000" in text
    _, text = await _run(world, world.alice, "goal set", {"count": 5, "year": 2031})
    assert "Goals can be set for 2016–2027" in text


async def test_stats_with_chart(world: World, marginalia: MarginaliaBot) -> None:
    await _add_books(world)
    await _run(world, world.alice, "progress finish", {"book": DUNE, "date": "2026-02-01"})
    await _run(world, world.alice, "progress finish", {"book": EMMA, "date": "2026-02-20"})
    await _run(world, world.alice, "rate", {"book": DUNE, "stars": "4.5"})
    await _run(world, world.alice, "progress update", {"book": BELOVED, "page": 30})

    result = await world.rig.slash(world.guild, world.alice, "stats", {"year": 2026})
    assert result.callback_type == 5  # deferred: the chart is drawn in a worker thread
    reply = await result.wait_reply()
    text = all_text(reply.embeds)
    assert reply.ephemeral and "Your reading, 2026" in text
    assert "Books finished\n2" in text and "Pages finished\n886" in text
    assert "★ 4.5 from 1 rating" in text and "Reading now\n1" in text
    assert "1. Frank Herbert — 1 book" in text and "Jane Austen" in text
    assert "Jan 0 · Feb 2 · Mar 0" in text
    [chart] = reply.attachments
    assert chart.filename == "books-per-month.png" and chart.data.startswith(b"\x89PNG")
    assert reply.embeds[0]["image"]["url"] == "attachment://books-per-month.png"

    theirs = await world.rig.slash(world.guild, world.bob, "stats", {"member": world.alice})
    other = await theirs.wait_reply()
    assert "alice's reading, all time" in all_text(other.embeds) and other.attachments
    mine = await world.rig.slash(world.guild, world.bob, "stats")
    assert "Books finished\n0" in all_text((await mine.wait_reply()).embeds)

    future = await world.rig.slash(world.guild, world.alice, "stats", {"year": 2030})
    assert future.ephemeral and "2030 hasn't happened yet" in all_text(future.embeds)


async def test_markdown_in_a_shelf_name_is_shown_as_typed(
    world: World, marginalia: MarginaliaBot
) -> None:
    """Issue 9 item 4: a shelf named like a masked link, a spoiler or bold text is shown to
    another member exactly as typed — no working link with a made-up label, no formatting."""
    from tests.support.discord_markdown import formatting, parse, visible_outside_spoilers

    await _add_books(world)
    for shelf in ("[click](https://evil.example)", "**loud** ~~gone~~"):
        _, text = await _run(world, world.alice, "shelf add", {"book": DUNE, "shelf": shelf})
        assert "Put **Dune** on your shelf" in text, shelf
    _, card = await _run(world, world.bob, "shelf show", {"member": world.alice})
    shown = visible_outside_spoilers(card).replace("\u200b", "")
    assert "[click](https://evil.example)" in shown
    assert "**loud** ~~gone~~" in shown
    masked = [node for node, _ in parse(card).walk() if node.kind == "link" and node.children]
    assert masked == []  # no link wears a label a member made up
    assert "strike" not in formatting(card)
