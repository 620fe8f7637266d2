"""/book search, picking a result, /book info, autocomplete and /book add, end to end."""

from __future__ import annotations

from bot.app import MarginaliaBot
from tests.e2e.world import World, all_text


async def test_search_then_pick_a_result(world: World, marginalia: MarginaliaBot) -> None:
    result = await world.rig.slash(
        world.guild, world.alice, "book search", {"query": "fantastic fox"}
    )
    reply = await result.wait_reply()
    assert reply.ephemeral
    assert "Fantastic Mr Fox" in all_text(reply.embeds)
    select = next(c for row in reply.components for c in row["components"] if c["type"] == 3)
    picked = await world.rig.select(
        reply, select["custom_id"], [select["options"][0]["value"]], world.alice
    )
    card = all_text(picked.embeds)
    assert "Fantastic Mr Fox" in card
    assert "Roald Dahl" in card
    assert "On this server" in card


async def test_info_with_typed_title_and_isbn(world: World, marginalia: MarginaliaBot) -> None:
    by_title = await world.rig.slash(
        world.guild, world.alice, "book info", {"book": "Fantastic Mr Fox by Dahl"}
    )
    text = all_text((await by_title.wait_reply()).embeds)
    assert "Fantastic Mr Fox" in text and "1970" in text
    by_isbn = await world.rig.slash(
        world.guild, world.bob, "book info", {"book": "978-0-14-032872-1"}
    )
    assert "Fantastic Mr Fox" in all_text((await by_isbn.wait_reply()).embeds)


async def test_autocomplete_offers_local_then_remote(
    world: World, marginalia: MarginaliaBot
) -> None:
    remote = await world.rig.autocomplete(
        world.guild, world.alice, "book info", "book", "fantastic"
    )
    assert any("Fantastic Mr Fox" in c["name"] for c in remote)
    value = next(c["value"] for c in remote if "Fantastic Mr Fox" in c["name"])
    assert value.startswith("book:")
    picked = await world.rig.slash(world.guild, world.alice, "book info", {"book": value})
    assert "Fantastic Mr Fox" in all_text((await picked.wait_reply()).embeds)
    world.metadata.down = True
    local = await world.rig.autocomplete(world.guild, world.alice, "book info", "book", "fant")
    assert [c["value"] for c in local][:1] == [value]


async def test_add_by_hand_then_info_with_both_sources_down(
    world: World, marginalia: MarginaliaBot
) -> None:
    world.metadata.down = True
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "pages": 304},
    )
    assert "Added" in added.content
    info = await world.rig.slash(
        world.guild, world.bob, "book info", {"book": "left hand of darkness"}
    )
    text = all_text((await info.wait_reply()).embeds)
    assert "The Left Hand of Darkness" in text and "304" in text
    missing = await world.rig.slash(world.guild, world.bob, "book info", {"book": "Unknown Tome"})
    reply = await missing.wait_reply()
    assert reply.ephemeral
    assert "unreachable" in all_text(reply.embeds, reply.content)


async def test_not_found_says_so_and_suggests_add(world: World, marginalia: MarginaliaBot) -> None:
    result = await world.rig.slash(world.guild, world.alice, "book info", {"book": "Qwxyz Nothing"})
    reply = await result.wait_reply()
    text = all_text(reply.embeds, reply.content)
    assert reply.ephemeral and "No book matches" in text and "/book add" in text
