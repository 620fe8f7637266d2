"""No typed review text is lost: forms and their buttons survive time and restarts (drafts)."""

from __future__ import annotations

from typing import Any

from bot.app import MarginaliaBot
from bot.db.schema import review_drafts, reviews
from tests.e2e.world import World, all_text, run_marginalia

BOOK = "The Dispossessed"
LONG_TEXT = "An ambiguous utopia, typed over an hour. " * 90  # ~3,700 characters


async def _add_book(world: World) -> None:
    added = await world.rig.slash(
        world.guild, world.alice, "book add", {"title": BOOK, "author": "Ursula K. Le Guin"}
    )
    assert "Added" in added.content


async def _count(world: World, table: Any) -> int:
    async with world.database.read() as conn:
        return len((await conn.execute(table.select())).all())


def _prefilled(result: Any) -> dict[str, Any]:
    assert result.modal is not None, all_text(result.embeds, result.content)
    return {c["custom_id"]: c.get("value") for c in result.modal.inputs}


async def test_a_form_sent_after_a_restart_is_posted(world: World) -> None:
    """The member opens the form, the bot restarts (or an hour passes), the member sends:
    the review is posted — discord.py's in-memory modal store would have dropped it."""
    async with run_marginalia(world):
        await _add_book(world)
        opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
        await opened.wait_callback()
    async with run_marginalia(world):
        done = await opened.submit_modal({"review": LONG_TEXT})
        reply = await done.wait_reply()
        assert "is posted in" in reply.content, reply.content
    assert await _count(world, reviews) == 1
    assert await _count(world, review_drafts) == 0  # a posted review leaves no draft


async def test_a_refused_form_keeps_its_text_across_a_restart(world: World) -> None:
    async with run_marginalia(world):
        await _add_book(world)
        opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
        failed = await opened.submit_modal({"review": LONG_TEXT, "headline": "*" * 200})
        assert failed.ephemeral and "headline would be" in all_text(failed.embeds).lower()
        [fix_it] = failed.message.custom_ids
        assert fix_it.startswith("review:draft:")
    async with run_marginalia(world):
        reopened = await world.rig.click(failed, fix_it, world.alice)
        values = _prefilled(reopened)
        assert values["review"] == LONG_TEXT and values["headline"] == "*" * 200
        done = await reopened.submit_modal({"headline": "Anarres"})
        assert "is posted in" in (await done.wait_reply()).content


async def test_writing_again_continues_the_draft(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    failed = await opened.submit_modal({"review": "Half a thought", "headline": "*" * 200})
    assert failed.ephemeral
    again = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    assert _prefilled(again)["review"] == "Half a thought"


async def test_someone_elses_draft_button_is_refused(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    failed = await opened.submit_modal({"review": "Mine", "headline": "*" * 200})
    [fix_it] = failed.message.custom_ids
    intruder = await world.rig.click(failed, fix_it, world.bob)
    assert intruder.modal is None and intruder.ephemeral
    assert "belongs to someone else" in all_text(intruder.embeds, intruder.content)


async def test_an_edit_form_sent_after_a_restart_is_applied(world: World) -> None:
    async with run_marginalia(world):
        await _add_book(world)
        opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
        assert (
            "is posted in"
            in (await (await opened.submit_modal({"review": "v1"})).wait_reply()).content
        )
        editing = await world.rig.slash(world.guild, world.alice, "review edit", {"book": BOOK})
        assert _prefilled(editing)["review"] == "v1"
    async with run_marginalia(world):
        done = await editing.submit_modal({"review": "v2, after some thought"})
        assert "is updated" in (await done.wait_reply()).content
    async with world.database.read() as conn:
        body = (await conn.execute(reviews.select())).mappings().one()["body"]
    assert body == "v2, after some thought"
