"""/rate, /ratings and /scale end to end, through the local Discord server."""

from __future__ import annotations

import discord

from bot.app import MarginaliaBot
from tests.e2e.world import World, all_text

BOOK = "The Dispossessed"
ALLOWED = "0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5"


async def _add_book(world: World) -> None:
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": BOOK, "author": "Ursula K. Le Guin", "pages": 387},
    )
    assert "Added" in added.content


async def _rate(world: World, member: object, stars: str) -> str:
    result = await world.rig.slash(world.guild, member, "rate", {"book": BOOK, "stars": stars})
    reply = await result.wait_reply()
    assert reply.ephemeral
    return all_text(reply.embeds, reply.content)


async def test_rate_and_rerate(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    first = await _rate(world, world.alice, "3.5")
    assert f"You rated {BOOK}" in first and "★★★½☆ 3.5 — A page-turner" in first
    again = await _rate(world, world.alice, "★★★★")
    assert f"You re-rated {BOOK}" in again and "(was ★★★½☆ 3.5)" in again
    assert "★ 4 average from 1 rating" in again
    await _rate(world, world.bob, "5")
    shown = await world.rig.slash(world.guild, world.alice, "ratings", {"book": BOOK})
    assert shown.callback_type == 5  # deferred: the chart is drawn in a worker thread
    card = await shown.wait_reply()
    text = all_text(card.embeds)
    assert card.ephemeral
    assert "★ 4.5" in text and "Ratings\n2" in text
    assert "★★★★☆ 4 — Really good, I'd recommend it" in text  # your rating, with its label
    assert "← you" in text and "Blew me away" in text  # the text chart with labels
    [chart] = card.attachments
    assert chart.filename == "ratings.png" and chart.data.startswith(b"\x89PNG")
    assert card.embeds[0]["image"]["url"] == "attachment://ratings.png"


async def test_bad_star_values_are_ephemeral_errors(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    world.metadata.down = True  # an unreadable value is refused before any book lookup
    for book, stars, fragment in (
        ("Unknown Book", "7", "off the scale"),
        ("Unknown Book", "lots", "couldn't read"),
        ("Unknown Book", "@everyone", "couldn't read"),
        (BOOK, "3.25", "between steps"),
    ):
        result = await world.rig.slash(
            world.guild, world.alice, "rate", {"book": book, "stars": stars}
        )
        assert result.ephemeral, stars
        text = all_text(result.embeds, result.content)
        assert fragment in text and ALLOWED in text
        assert "@everyone" not in text
    shown = await world.rig.slash(world.guild, world.alice, "ratings", {"book": BOOK})
    card = await shown.wait_reply()
    assert "Nobody on this server has rated" in all_text(card.embeds)
    assert not card.attachments


async def test_stars_autocomplete_shows_the_labels(world: World, marginalia: MarginaliaBot) -> None:
    choices = await world.rig.autocomplete(
        world.guild, world.alice, "rate", "stars", "3", {"book": BOOK}
    )
    assert [c["value"] for c in choices] == ["3.5", "3"]
    assert choices[0]["name"] == "★★★½☆ 3.5 — A page-turner"


async def test_scale_is_for_admins_and_never_rewrites_ratings(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _rate(world, world.alice, "3.5")
    refused = await world.rig.slash(
        world.guild, world.alice, "scale set", {"stars": "3.5", "label": "Mine now"}
    )
    assert refused.ephemeral and "Only server admins" in all_text(refused.embeds)
    # Manage Messages makes a moderator, not an admin
    helper = world.guild.add_member(
        "helper", roles=[world.guild.add_role("Helper", discord.Permissions(manage_messages=True))]
    )
    moderator = await world.rig.slash(world.guild, helper, "scale step", {"step": "whole"})
    assert "Only server admins" in all_text(moderator.embeds)
    labelled = await world.rig.slash(
        world.guild, world.admin, "scale set", {"stars": "3.5", "label": "Couldn't stop"}
    )
    assert "is now labelled Couldn't stop" in all_text(labelled.embeds)
    shown = await world.rig.slash(world.guild, world.bob, "scale show")
    assert "★★★½☆ 3.5 — Couldn't stop *(custom)*" in all_text(shown.embeds)
    stepped = await world.rig.slash(world.guild, world.admin, "scale step", {"step": "whole"})
    explanation = all_text(stepped.embeds)
    assert "The scale now uses whole stars" in explanation
    assert "1 of 1 existing rating is between the new steps" in explanation
    assert "nothing is rewritten" in explanation
    off_step = await world.rig.slash(world.guild, world.bob, "rate", {"book": BOOK, "stars": "2.5"})
    assert "whole stars" in all_text(off_step.embeds)
    mine = await world.rig.slash(world.guild, world.alice, "ratings", {"book": BOOK})
    card = all_text((await mine.wait_reply()).embeds)
    assert "★★★½☆ 3.5 — Couldn't stop" in card and "(off the current step)" in card


async def test_ratings_stay_in_their_server(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _rate(world, world.alice, "5")
    other = world.rig.add_guild("Other Club", members=[world.alice.user])
    await world.rig.sync()
    await world.rig.slash(other, world.alice, "book add", {"title": BOOK, "author": "Le Guin"})
    shown = await world.rig.slash(other, world.alice, "ratings", {"book": BOOK})
    text = all_text((await shown.wait_reply()).embeds)
    assert "Nobody on this server has rated" in text and "Not rated yet" in text


async def test_a_picked_suggestion_is_rated_again_in_one_step(
    world: World, marginalia: MarginaliaBot
) -> None:
    """Once this server's link to a picked book is known, /rate reads the book with the
    rating (one unit of work): the reply, the re-rate and a refused value are the same."""
    await _add_book(world)
    [choice] = await world.rig.autocomplete(world.guild, world.alice, "rate", "book", "dispos")
    value = str(choice["value"])
    replies = []
    for stars in ("3.5", "4", "3.25"):
        result = await world.rig.slash(
            world.guild, world.alice, "rate", {"book": value, "stars": stars}
        )
        reply = await result.wait_reply()
        assert reply.ephemeral
        replies.append(all_text(reply.embeds, reply.content))
    first, again, refused = replies
    assert f"You rated {BOOK}" in first and "★★★½☆ 3.5 — A page-turner" in first
    assert f"You re-rated {BOOK}" in again and "(was ★★★½☆ 3.5)" in again
    assert "★ 4 average from 1 rating" in again
    assert "between steps" in refused and ALLOWED in refused
    guild_id = world.guild.id
    book_id = int(value.removeprefix("book:"))
    assert marginalia.services.books.linked_book_id(guild_id, value) == book_id
