"""Books members make stay in their server, end to end with two servers (SPEC §10).

The bot is in "Book Club" (A) and "Other Club" (B). What A's members add by hand or import
is never offered, found or resolved in B; an ISBN typed by hand in A does not decide what
that ISBN means in B, which gets the catalogue's record.
"""

from __future__ import annotations

from bot.app import MarginaliaBot
from fake_discord import FakeGuild, Upload
from tests.e2e.world import World, all_text
from tests.support.import_files import goodreads_file

FOX_ISBN = "978-0-14-032872-1"


async def _other(world: World) -> FakeGuild:
    other = world.rig.add_guild("Other Club", members=[world.bob.user])
    await world.rig.sync()
    return other


async def _add(world: World, **options: object) -> str:
    added = await world.rig.slash(world.guild, world.alice, "book add", options)
    assert "Added" in added.content, all_text(added.embeds, added.content)
    [choice] = await world.rig.autocomplete(
        world.guild, world.alice, "book info", "book", str(options["title"])[:8]
    )
    return str(choice["value"])


async def test_hand_made_books_stay_in_their_server(
    world: World, marginalia: MarginaliaBot
) -> None:
    world.metadata.down = True
    value = await _add(world, title="The Hidden Library", author="Mara Quill", pages=321)
    other = await _other(world)
    assert await world.rig.autocomplete(other, world.bob, "book info", "book", "hidden") == []
    assert await world.rig.autocomplete(other, world.bob, "book info", "book", "mara quill") == []
    by_value = await world.rig.slash(other, world.bob, "book info", {"book": value})
    reply = await by_value.wait_reply()
    text = all_text(reply.embeds, reply.content)
    assert reply.ephemeral and "no longer known here" in text and "Hidden" not in text
    search = await world.rig.slash(other, world.bob, "book search", {"query": "hidden library"})
    assert "The Hidden Library" not in all_text((await search.wait_reply()).embeds)
    # rating it by its id in B is refused too: the id names no book there
    rated = await world.rig.slash(other, world.bob, "rate", {"book": value, "stars": "4"})
    assert "no longer known here" in all_text((await rated.wait_reply()).embeds)
    # A still has it
    info = await world.rig.slash(world.guild, world.bob, "book info", {"book": value})
    assert "The Hidden Library" in all_text((await info.wait_reply()).embeds)


async def test_an_isbn_typed_in_one_server_means_the_catalogue_in_another(
    world: World, marginalia: MarginaliaBot
) -> None:
    world.metadata.down = True
    await _add(world, title="Not Mr Fox", author="A Prankster", pages=5000, isbn=FOX_ISBN)
    world.metadata.down = False
    other = await _other(world)
    in_b = await world.rig.slash(other, world.bob, "book info", {"book": FOX_ISBN})
    card = all_text((await in_b.wait_reply()).embeds)
    assert "Fantastic Mr Fox" in card and "Roald Dahl" in card
    assert "Not Mr Fox" not in card and "5000" not in card and "5,000" not in card
    in_a = await world.rig.slash(world.guild, world.alice, "book info", {"book": FOX_ISBN})
    assert "Not Mr Fox" in all_text((await in_a.wait_reply()).embeds)


async def test_an_imports_own_books_stay_in_their_server(
    world: World, marginalia: MarginaliaBot
) -> None:
    world.metadata.down = True
    row = {"Title": "Obscure Pamphlet", "Author": "Nobody Known", "Exclusive Shelf": "read"}
    upload = Upload("goodreads_library_export.csv", goodreads_file([row]))
    result = await world.rig.slash(world.guild, world.alice, "import goodreads", {"file": upload})
    assert "**1** imported" in all_text((await result.wait_reply(timeout=30.0)).embeds)
    mine = await world.rig.autocomplete(world.guild, world.alice, "book info", "book", "obscure")
    assert [c["name"] for c in mine] == ["Obscure Pamphlet — Nobody Known"]
    other = await _other(world)
    assert await world.rig.autocomplete(other, world.bob, "book info", "book", "obscure") == []
