"""Follows end to end (issue 14): follow → review → exactly one direct message with a link and
no spoiler text; batched to one an hour; none after unfollow or with notifications off; a
follower can be removed; a quote is announced without its text."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.schema import follow_notices
from fake_discord import StoredMessage
from tests.e2e.world import World, all_text, run_marginalia

BOOK = "The Left Hand of Darkness"
SPOILER = "Estraven-dies-on-the-ice"


def _dms(world: World, member: object) -> list[StoredMessage]:
    return world.rig.channel_messages(world.rig.dm_channel(member.user))  # type: ignore[attr-defined]


async def _review(world: World, member: object, body: str) -> None:
    before = await _notices(world)
    opened = await world.rig.slash(
        world.guild, member, "review write", {"book": BOOK, "stars": "4", "spoilers_reach": "end"}
    )
    assert opened.modal is not None, all_text(opened.embeds, opened.content)
    done = await opened.submit_modal(
        {"review": body, "headline": "Ice and kinship", "spoilers": f"||{SPOILER}||"}
    )
    assert "is posted in" in (await done.wait_reply()).content
    await _settled(world, before)


async def _notices(world: World) -> int:
    async with world.database.read() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(follow_notices))).scalar_one()
        )


async def _settled(world: World, before: int) -> None:
    """The post's notices are written after its message is (the bot needs the message id):
    wait for them, so a batch is not asked for before they exist."""
    for _ in range(200):
        if await _notices(world) > before:
            return
        await asyncio.sleep(0.02)


async def _quote(world: World, member: object, text: str, *, followed: bool = True) -> None:
    before = await _notices(world)
    quoted = await world.rig.slash(
        world.guild, member, "quote add", {"book": BOOK, "text": text, "page": 12}
    )
    await quoted.wait_reply()
    if followed:
        await _settled(world, before)


async def test_a_followed_review_is_one_spoiler_free_dm_an_hour(world: World) -> None:
    rig = world.rig
    async with run_marginalia(world) as bot:
        cog = bot.get_cog("Follows")
        await rig.slash(
            world.guild, world.alice, "book add", {"title": BOOK, "author": "Le Guin", "pages": 300}
        )
        followed = await rig.slash(world.guild, world.bob, "follow", {"member": world.alice})
        assert followed.ephemeral and "You follow" in followed.content
        again = await rig.slash(world.guild, world.bob, "follow", {"member": world.alice})
        assert "already" in all_text(again.embeds, again.content)
        myself = await rig.slash(world.guild, world.bob, "follow", {"member": world.bob})
        assert "can't follow yourself" in all_text(myself.embeds, myself.content)

        await _review(world, world.alice, f"<@{world.moderator.id}> A planet in winter.")
        assert await cog.send_batches() == 1  # type: ignore[union-attr]
        [dm] = _dms(world, world.bob)
        text = all_text(dm.embeds, dm.content)
        assert "reviewed" in text and "Ice and kinship" in text and "read it" in text
        assert SPOILER not in text and dm.allowed_mentions == {"parse": []}
        assert f"/channels/{world.guild.id}/" in text

        # a second post within the hour waits for the next batch
        world.clock.advance(minutes=10)
        await _quote(world, world.alice, "Light is the left hand of darkness.")
        assert await cog.send_batches() == 0  # type: ignore[union-attr]
        world.clock.advance(minutes=51)
        assert await cog.send_batches() == 1  # type: ignore[union-attr]
        assert len(_dms(world, world.bob)) == 2

        listed = await rig.slash(world.guild, world.alice, "following")
        assert "Following you (1)" in all_text(listed.embeds)

        # notifications off: nothing; after unfollow: nothing either
        await rig.slash(world.guild, world.bob, "me notifications off")
        world.clock.advance(hours=2)
        await _quote(world, world.alice, "Third thoughts.")
        assert await cog.send_batches() == 0  # type: ignore[union-attr]
        await rig.slash(world.guild, world.bob, "me notifications on")
        await rig.slash(world.guild, world.bob, "unfollow", {"member": world.alice})
        world.clock.advance(hours=2)
        await _quote(world, world.alice, "Fourth thoughts.", followed=False)
        assert await cog.send_batches() == 0  # type: ignore[union-attr]
        assert len(_dms(world, world.bob)) == 2


async def test_a_member_removes_a_follower_and_quotes_come_without_their_text(
    world: World,
) -> None:
    rig = world.rig
    async with run_marginalia(world) as bot:
        cog = bot.get_cog("Follows")
        await rig.slash(
            world.guild, world.alice, "book add", {"title": BOOK, "author": "Le Guin", "pages": 300}
        )
        await rig.slash(world.guild, world.bob, "follow", {"member": world.alice})
        await rig.slash(world.guild, world.moderator, "follow", {"member": world.alice})
        before = await _notices(world)
        quoted = await rig.slash(
            world.guild,
            world.alice,
            "quote add",
            {"book": BOOK, "text": f"The end: {SPOILER}", "page": 290},
        )
        await quoted.wait_reply()
        await _settled(world, before + 1)
        assert await cog.send_batches() == 2  # type: ignore[union-attr]
        [dm] = _dms(world, world.bob)
        text = all_text(dm.embeds, dm.content)
        assert "saved a quote" in text and SPOILER not in text and "The end" not in text

        shown = await rig.slash(world.guild, world.alice, "following")
        [menu] = shown.message.custom_ids
        removed = await rig.select(shown, menu, [str(world.bob.id)], world.alice)
        assert "Following you (1)" in all_text((await removed.wait_edit()).embeds)
        bob_sees = await rig.slash(world.guild, world.bob, "following")
        assert "You follow (0)" in all_text(bob_sees.embeds)
