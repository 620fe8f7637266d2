"""The vote on the club's next read end to end (SPEC §11): a ranked vote with private ballots
and Start this read; a native poll closed while the bot was down, read and closed once when
it is back; moderators only."""

from __future__ import annotations

from fake_discord import StoredMessage
from tests.e2e.world import World, all_text, run_marginalia

BOOKS = ("Middlemarch", "Emma", "Kindred")


async def _nominated(world: World) -> None:
    """Three books in the catalogue, nominated by the moderator, alice and bob in turn."""
    rig = world.rig
    for title in BOOKS:
        await rig.slash(
            world.guild, world.moderator, "book add", {"title": title, "author": "A. Author"}
        )
    for member, title in zip((world.moderator, world.alice, world.bob), BOOKS, strict=True):
        done = await rig.slash(world.guild, member, "club nominate", {"book": title})
        assert "nominated" in all_text((await done.wait_reply()).embeds)
        world.clock.advance(seconds=1)


def _text(shown: object) -> str:
    return all_text(shown.embeds, shown.content)  # type: ignore[attr-defined]


def _vote_message(world: World) -> StoredMessage:
    found = [
        m
        for m in world.rig.channel_messages(world.general)
        if m.poll is not None or any(c.startswith("vote:ballot:") for c in m.custom_ids)
    ]
    assert len(found) == 1, found
    return found[0]


async def _ballot(world: World, vote: StoredMessage, member: object, *choices: int) -> str:
    """``member`` presses Vote, picks ``choices`` (nominee numbers) in the menus, submits;
    the text of what they are shown."""
    rig = world.rig
    [vote_button] = vote.custom_ids
    opened = await rig.click(vote, vote_button, member)  # type: ignore[arg-type]
    assert opened.ephemeral, _text(opened)
    menus = opened.message.custom_ids
    assert len(menus) == 4  # first, second, third choice and Submit
    for menu, choice in zip(menus, choices, strict=False):
        picked = await rig.select(opened, menu, [str(choice)], member)  # type: ignore[arg-type]
        await picked.wait_callback()
    sent = await rig.click(opened, menus[-1], member)  # type: ignore[arg-type]
    await sent.wait_callback()
    return all_text(sent.embeds, sent.content)


async def test_a_ranked_vote_from_start_to_the_next_read(world: World) -> None:
    rig = world.rig
    async with run_marginalia(world):
        await _nominated(world)
        refused = await rig.slash(world.guild, world.alice, "club vote start")
        assert refused.ephemeral and "Only moderators" in _text(refused)

        started = await rig.slash(
            world.guild, world.moderator, "club vote start", {"style": "ranked", "closes": "2 days"}
        )
        reply = await started.wait_followup()
        assert reply.ephemeral and f"<#{world.general.id}>" in _text(reply)
        vote = _vote_message(world)
        text = all_text(vote.embeds, vote.content)
        assert all(title in text for title in BOOKS) and "hidden" in text
        assert vote.allowed_mentions == {"parse": []}

        late = await rig.slash(world.guild, world.alice, "club nominate", {"book": "Emma"})
        assert "Nominations are closed" in _text(await late.wait_reply())

        # Middlemarch 1st for the moderator; Emma 1st for alice and bob: Emma wins round one
        kept = await _ballot(world, vote, world.moderator, 1, 2)
        assert "Your ballot is in" in kept and "1. Middlemarch" in kept
        assert "1. Emma" in await _ballot(world, vote, world.alice, 2)
        assert "1. Kindred" in await _ballot(world, vote, world.bob, 3, 2)
        changed = await _ballot(world, vote, world.bob, 2, 3)  # a ballot can be changed
        assert "1. Emma" in changed and "2. Kindred" in changed

        status = await rig.slash(world.guild, world.alice, "club vote status")
        assert "3 ballots cast" in _text(status) and "Emma" not in status.content

        not_mod = await rig.slash(world.guild, world.bob, "club vote close")
        assert not_mod.ephemeral and "Only moderators" in _text(not_mod)
        mark = rig.mark()
        closing = await rig.slash(world.guild, world.moderator, "club vote close")
        assert "closed" in _text(await closing.wait_followup())
        result = await rig.wait_for_message(
            world.general, lambda m: "The club's next read" in all_text(m.embeds), after=mark
        )
        shown = all_text(result.embeds)
        assert "The club's next read: Emma" in shown
        assert "Round 1: #1 1 · #2 2 · #3 0" in shown and "closed early" in shown
        assert "3 ballots" in shown

        too_late = await rig.click(vote, vote.custom_ids[0], world.alice)
        assert "has closed" in _text(too_late)

        [start] = result.custom_ids
        assert start.startswith("vote:start:")
        member_try = await rig.click(result, start, world.alice)
        assert member_try.ephemeral and "Only moderators" in _text(member_try)
        begun = await rig.click(result, start, world.moderator)
        assert "Emma" in all_text(begun.embeds) and not begun.ephemeral
        status_now = await rig.slash(world.guild, world.bob, "club status")
        assert "Emma" in all_text((await status_now.wait_reply()).embeds)


async def test_a_poll_that_ended_while_the_bot_was_down_is_closed_once(world: World) -> None:
    rig = world.rig
    async with run_marginalia(world):
        await _nominated(world)
        started = await rig.slash(
            world.guild, world.moderator, "club vote start", {"closes": "1 hour"}
        )
        assert "A Discord poll" in _text(await started.wait_followup())
        poll_message = _vote_message(world)
        poll = rig.poll_of(poll_message)
        assert [a.text for a in poll.answers] == [f"{t} — A. Author" for t in BOOKS]
        assert poll.question == "What should the club read next?"
        await rig.vote_poll(poll_message, world.alice, 3)
        await rig.vote_poll(poll_message, world.bob, 3)
        await rig.vote_poll(poll_message, world.moderator, 1)

    world.clock.advance(hours=2)  # the vote's time passes while the bot is down
    async with run_marginalia(world):  # back: the first tick closes it
        result = await rig.wait_for_message(
            world.general, lambda m: "The club's next read" in all_text(m.embeds)
        )
        shown = all_text(result.embeds)
        assert "The club's next read: Kindred" in shown and "3 votes" in shown
        assert "closed on time" in shown
        assert rig.poll_of(poll_message).finalized

    async with run_marginalia(world):  # another restart announces nothing again
        after = await rig.slash(world.guild, world.alice, "club vote status")
        assert "no vote open" in _text(after)
    posted = [all_text(m.embeds) for m in rig.channel_messages(world.general)]
    announcements = [text for text in posted if "The club's next read" in text]
    assert len(announcements) == 1


async def test_the_vote_opens_in_the_club_channel(world: World) -> None:
    """The admin's club channel wins over where the moderator runs the command."""
    rig = world.rig
    async with run_marginalia(world):
        await _nominated(world)
        await rig.slash(
            world.guild, world.admin, "settings club-channel", {"channel": world.modlog}
        )
        started = await rig.slash(
            world.guild,
            world.moderator,
            "club vote start",
            {"style": "ranked"},
            channel=world.general,
        )
        assert f"<#{world.modlog.id}>" in _text(await started.wait_followup())
        [vote] = [m for m in rig.channel_messages(world.modlog) if m.custom_ids]
        assert vote.custom_ids[0].startswith("vote:ballot:")


async def test_the_digest_tells_of_the_open_vote_with_a_link(world: World) -> None:
    rig = world.rig
    async with run_marginalia(world):
        await _nominated(world)
        started = await rig.slash(
            world.guild, world.moderator, "club vote start", {"closes": "2026-11-20"}
        )
        await started.wait_followup()
        vote = _vote_message(world)
        setup = await rig.slash(
            world.guild,
            world.admin,
            "digest setup",
            {"channel": world.general, "weekday": 6, "hour": 18, "timezone": "Europe/Berlin"},
        )
        await setup.wait_reply()
        sent = await rig.slash(world.guild, world.admin, "digest send-now")
        assert "Posted" in _text(await sent.wait_reply())
        [digest] = [
            m
            for m in rig.channel_messages(world.general)
            if not m.ephemeral and m.embeds and "Weekly digest" in (m.embeds[0].get("title") or "")
        ]
        text = all_text(digest.embeds)
        assert "Choosing the next read" in text
        # open until the end of Friday 20 November in Berlin (23:00 UTC): 00:00 local
        assert "A Discord poll on 3 nominated books is open until" in text
        assert "(Europe/Berlin)" in text
        assert f"/channels/{world.guild.id}/{world.general.id}/{vote.id}" in text
