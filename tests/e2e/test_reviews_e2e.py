"""Reviews end to end: the form and the file, spoiler-safe posts, the four buttons, editing,
deleting with rights checked on the server side, and buttons that survive a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import discord
import pytest

from bot.app import MarginaliaBot
from bot.db.schema import readings, reviews
from fake_discord import FakeChannel, StoredMessage, Upload, errors
from tests.e2e.world import World, all_text, embed_text, run_marginalia
from tests.support.discord_markdown import formatting, spoiler_text, visible_outside_spoilers

BOOK = "The Left Hand of Darkness"
SECRET = "ESTRAVEN-DIES"
HOSTILE_SPOILER = f"{SECRET} || @everyone <@&1> ```fence``` \u200b|\u200b| ends with a pipe |"


async def _add_book(world: World) -> None:
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": BOOK, "author": "Ursula K. Le Guin", "pages": 304},
    )
    assert "Added" in added.content


async def _set_channels(world: World) -> None:
    for command, channel in (
        ("settings review-channel", world.reviews),
        ("settings modlog-channel", world.modlog),
    ):
        result = await world.rig.slash(world.guild, world.admin, command, {"channel": channel})
        assert result.ephemeral and "set" in all_text(result.embeds)


async def _write(
    world: World,
    member: Any = None,
    *,
    body: str = "A planet in winter, and a friendship.",
    spoilers: str | None = HOSTILE_SPOILER,
    options: dict[str, Any] | None = None,
    channel: FakeChannel | None = None,
) -> StoredMessage:
    """Write a review through the form; returns the post (in the review channel unless
    ``channel`` says otherwise)."""
    member = member or world.alice
    mark = world.rig.mark()
    opened = await world.rig.slash(
        world.guild,
        member,
        "review write",
        {"book": BOOK, "stars": "4.5", "spoilers_reach": "p250", **(options or {})},
    )
    assert opened.modal is not None, all_text(opened.embeds, opened.content)
    values = {"review": body, "headline": "Ice and kinship"}
    if spoilers is not None:
        values["spoilers"] = spoilers
    submitted = await opened.submit_modal(values)
    reply = await submitted.wait_reply()
    assert reply.ephemeral and "is posted in" in reply.content
    return await world.rig.wait_for_message(
        channel or world.reviews, lambda m: bool(m.embeds), after=mark
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def _review_row(world: World) -> dict[str, Any]:
    async with world.database.read() as conn:
        row = (await conn.execute(reviews.select())).mappings().one()
    return dict(row)


# --- writing and posting ---------------------------------------------------------------------


async def test_write_with_the_form_posts_a_spoiler_safe_review(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _set_channels(world)
    post = await _write(world, body="Loved it. @everyone should read it, <@123> too.")
    assert post.custom_ids == [
        "review:like:1",
        "review:reveal:1",
        "review:discuss:1",
        "review:flag:1",
    ]
    embed, spoiler_embed = post.embeds  # the spoiler part is an embed of its own
    assert spoiler_embed["title"] == "Spoilers (up to p. 250) — tap to reveal"
    assert embed["title"] == "Ice and kinship"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Rating"] == "★★★★½ 4.5 — Excellent, it stayed with me"
    assert fields["Reviewer"] == f"<@{world.alice.id}>"
    # the spoiler text only inside ||…||, anywhere in the posted JSON
    [request] = world.rig.requests_to("POST", f"/channels/{world.reviews.id}/messages")
    strings = list(_strings(request.json))
    # judged as Discord's client renders each string
    assert all(SECRET not in visible_outside_spoilers(s) for s in strings)
    assert sum(spoiler_text(s).count(SECRET) for s in strings) == 1
    assert not any("@everyone" in s or "<@&1>" in s or "<@123>" in s for s in strings)
    assert request.json["allowed_mentions"] == {"parse": []}
    assert post.allowed_mentions == {"parse": []}
    # the review's stars became the member's rating
    ratings = await world.rig.slash(world.guild, world.alice, "ratings", {"book": BOOK})
    assert "★★★★½ 4.5" in all_text((await ratings.wait_reply()).embeds)


async def test_write_from_a_long_file_continues_over_messages(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _set_channels(world)
    body = "\n\n".join(f"Paragraph {i}. " + "Gethen is cold. " * 40 for i in range(14))
    text = f"{body}\n--- spoilers ---\n{SECRET} at the border.\n"
    mark = world.rig.mark()
    result = await world.rig.slash(
        world.guild,
        world.alice,
        "review write",
        {"book": BOOK, "file": Upload("review.md", text.encode())},
    )
    reply = await result.wait_reply()
    assert reply.ephemeral and "continues over" in reply.content
    await world.rig.sync()
    posted = [m for m in world.rig.channel_messages(world.reviews) if m.id > mark]
    assert len(posted) >= 2 and sum(len(m.embeds) for m in posted) >= 3
    assert posted[0].custom_ids[0] == "review:like:1"
    assert all(not m.custom_ids for m in posted[1:])
    footers = [m.embeds[-1]["footer"]["text"] for m in posted]
    assert footers[0] == f"Review #1 · part 1 of {len(posted)} — continues below"
    assert footers[-1] == f"Review #1 · part {len(posted)} of {len(posted)}"
    descriptions = [e["description"] for m in posted for e in m.embeds]
    assert "".join(descriptions).count("Paragraph") == 14
    assert all(SECRET not in visible_outside_spoilers(d) for d in descriptions)
    assert sum(spoiler_text(d).count(SECRET) for d in descriptions) == 1
    row = await _review_row(world)
    assert [row["message_id"], *row["extra_message_ids"]] == [m.id for m in posted]


@pytest.mark.parametrize(
    ("upload", "fragment"),
    [
        (Upload("review.pdf", b"%PDF-1.7"), ".txt or .md"),
        (Upload("review.txt", "caf\xe9".encode("latin-1")), "not valid UTF-8"),
        (Upload("review.txt", b"x" * 100_001), "limit is 100 KB"),
        (Upload("review.txt", b"  \n "), "empty"),
    ],
)
async def test_bad_review_files_get_an_ephemeral_error(
    world: World, marginalia: MarginaliaBot, upload: Upload, fragment: str
) -> None:
    await _add_book(world)
    result = await world.rig.slash(
        world.guild, world.alice, "review write", {"book": BOOK, "file": upload}
    )
    reply = await result.wait_reply()
    assert reply.ephemeral and fragment in all_text(reply.embeds, reply.content)
    assert not [m for m in world.rig.channel_messages(world.general) if m.custom_ids]


async def test_bad_options_and_a_second_review_are_refused(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    for options, fragment in (
        ({"stars": "3.25"}, "between steps"),
        ({"spoilers_reach": "p999"}, "304 pages"),
    ):
        result = await world.rig.slash(
            world.guild, world.alice, "review write", {"book": BOOK, **options}
        )
        assert result.modal is None and result.ephemeral
        assert fragment in all_text(result.embeds)
    await _write(world, channel=world.general)
    again = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    assert again.modal is None and "/review edit" in all_text(again.embeds)


async def test_a_bad_form_keeps_the_text_for_another_try(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    long_headline = "*" * 200  # fits the input, but not a title once the stars are escaped
    failed = await opened.submit_modal({"review": "Kept text", "headline": long_headline})
    assert failed.ephemeral and "headline would be" in all_text(failed.embeds).lower()
    reopened = await world.rig.click(failed, failed.message.custom_ids[0], world.alice)
    assert reopened.modal is not None
    prefilled = {c["custom_id"]: c.get("value") for c in reopened.modal.inputs}
    assert prefilled["review"] == "Kept text" and prefilled["headline"] == long_headline
    done = await reopened.submit_modal({"headline": "cold"})
    assert "is posted in" in (await done.wait_reply()).content


async def test_review_channel_failure_falls_back_and_tells_moderators(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _set_channels(world)
    world.rig.fail("POST", f"/channels/{world.reviews.id}/messages", errors.MISSING_PERMISSIONS)
    opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    done = await opened.submit_modal({"review": "Posted somewhere"})
    reply = await done.wait_reply()
    assert f"<#{world.general.id}>" in reply.content and "the moderators are told" in reply.content
    report = await world.rig.wait_for_message(world.modlog, lambda m: bool(m.embeds))
    assert "could not be posted" in all_text(report.embeds)
    assert [m for m in world.rig.channel_messages(world.general) if m.custom_ids]


# --- buttons -----------------------------------------------------------------------------------


async def test_like_toggles_and_counts(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _set_channels(world)
    post = await _write(world)
    liked = await world.rig.click(post, "review:like:1", world.bob)
    assert liked.callback_type == 7
    like_button = post.component("review:like:1")
    assert like_button["label"] == "Like · 1"
    assert "You like this review" in (await liked.wait_followup()).content
    await world.rig.click(post, "review:like:1", world.moderator)
    assert post.component("review:like:1")["label"] == "Like · 2"
    unliked = await world.rig.click(post, "review:like:1", world.bob)
    assert "taken back" in (await unliked.wait_followup()).content
    assert post.component("review:like:1")["label"] == "Like · 1"
    own = await world.rig.click(post, "review:like:1", world.alice)
    assert own.ephemeral and "your own review" in all_text(own.embeds)


async def test_reveal_warns_a_member_without_progress(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _set_channels(world)
    post = await _write(world)
    warned = await world.rig.click(post, "review:reveal:1", world.bob)
    assert warned.ephemeral
    assert warned.content == (
        "This goes to p. 250; you have not logged any progress on this book — reveal anyway?"
    )
    assert warned.message.custom_ids == ["review:reveal:1:anyway"]
    revealed = await world.rig.click(warned, "review:reveal:1:anyway", world.bob)
    assert revealed.callback_type == 7
    shown = all_text(revealed.message.embeds)
    assert SECRET in shown and "spoiler" not in formatting(shown)  # plain, for this member
    # a member past the reach sees the spoilers at once
    async with world.database.write() as conn:
        row = await _review_row_in(conn)
        await conn.execute(
            readings.insert().values(
                guild_id=world.guild.id,
                user_id=world.moderator.id,
                book_id=row["book_id"],
                status="reading",
                progress_page=300,
                created_at=world.clock.now(),
                updated_at=world.clock.now(),
            )
        )
    direct = await world.rig.click(post, "review:reveal:1", world.moderator)
    assert direct.ephemeral and SECRET in all_text(direct.embeds)


async def _review_row_in(conn: Any) -> dict[str, Any]:
    return dict((await conn.execute(reviews.select())).mappings().one())


async def test_discuss_creates_one_thread_however_often_clicked(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _set_channels(world)
    post = await _write(world)
    clicks = await asyncio.gather(
        *(
            world.rig.click(post, "review:discuss:1", member)
            for member in (world.bob, world.moderator, world.admin, world.bob)
        )
    )
    replies = [await click.wait_reply() for click in clicks]
    again = await world.rig.click(post, "review:discuss:1", world.alice)
    replies.append(await again.wait_reply())
    created = world.rig.requests_to("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    assert len(created) == 1
    thread_id = post.thread_id
    assert thread_id == post.id
    assert all(r.ephemeral and f"<#{thread_id}>" in r.content for r in replies)
    assert (await _review_row(world))["thread_id"] == thread_id
    thread = world.rig.channels[thread_id]
    assert {world.bob.id, world.alice.id, world.moderator.id} <= thread.member_ids


async def test_flag_reaches_the_log_channel_once_per_member(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _set_channels(world)
    post = await _write(world)
    prompt = await world.rig.click(post, "review:flag:1", world.bob)
    assert prompt.ephemeral and prompt.message.custom_ids == ["review:flag-reason:1"]
    chosen = await world.rig.select(prompt, "review:flag-reason:1", ["spoilers"], world.bob)
    assert "moderators have been told" in (await chosen.wait_reply()).content
    report = await world.rig.wait_for_message(world.modlog, lambda m: bool(m.embeds))
    text = all_text(report.embeds)
    assert "Review flagged" in text and "Spoilers outside the spoiler part" in text
    assert f"<@{world.bob.id}>" in text and SECRET not in text
    assert report.allowed_mentions == {"parse": []}
    second = await world.rig.click(post, "review:flag:1", world.bob)
    repeat = await world.rig.select(second, "review:flag-reason:1", ["spam"], world.bob)
    assert "count once" in (await repeat.wait_reply()).content
    await world.rig.sync()
    assert len([m for m in world.rig.channel_messages(world.modlog) if m.embeds]) == 1
    own = await world.rig.click(post, "review:flag:1", world.alice)
    assert own.ephemeral and "your own review" in all_text(own.embeds)


async def test_flag_without_a_log_channel_is_recorded(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    opened = await world.rig.slash(world.guild, world.alice, "review write", {"book": BOOK})
    await (await opened.submit_modal({"review": "Fine"})).wait_reply()
    post = next(m for m in world.rig.channel_messages(world.general) if m.custom_ids)
    prompt = await world.rig.click(post, "review:flag:1", world.bob)
    chosen = await world.rig.select(prompt, "review:flag-reason:1", ["other"], world.bob)
    assert "recorded for the moderators" in (await chosen.wait_reply()).content


# --- edit, show, list, delete ------------------------------------------------------------------


async def test_edit_updates_the_post_in_place(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _set_channels(world)
    post = await _write(world, body="First version")
    opened = await world.rig.slash(world.guild, world.alice, "review edit", {"book": BOOK})
    assert opened.modal is not None
    prefilled = {c["custom_id"]: c.get("value") for c in opened.modal.inputs}
    assert prefilled["review"] == "First version" and prefilled["spoilers"] == HOSTILE_SPOILER
    done = await opened.submit_modal({"review": "Second version"})
    assert "is updated" in (await done.wait_reply()).content
    assert "Second version" in post.embeds[0]["description"]
    assert post.custom_ids[0] == "review:like:1"
    assert len([m for m in world.rig.channel_messages(world.reviews) if m.embeds]) == 1
    other = await world.rig.slash(world.guild, world.bob, "review edit", {"book": BOOK})
    assert other.modal is None and "/review write" in all_text(other.embeds)


async def test_show_and_list_without_spoilers(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _set_channels(world)
    await _write(world)
    await _write(world, world.bob, body="Slow start, great end.", spoilers=None)
    shown = await world.rig.slash(
        world.guild, world.bob, "review show", {"book": BOOK, "member": world.alice}
    )
    text = all_text(shown.embeds)
    assert shown.ephemeral and "Ice and kinship" in text
    assert all(SECRET not in visible_outside_spoilers(embed_text(e)) for e in shown.embeds)
    listed = await world.rig.slash(world.guild, world.bob, "review list", {"book": BOOK})
    listing = all_text(listed.embeds)
    assert listed.ephemeral and SECRET not in listing
    assert "Slow start" in listing and "Spoilers up to p. 250 in the post" in listing
    assert "2 reviews" in listing


async def test_delete_rights_and_the_post_goes_too(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _set_channels(world)
    alice_post = await _write(world)
    refused = await world.rig.slash(
        world.guild, world.bob, "review delete", {"book": BOOK, "member": world.alice}
    )
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)
    assert not alice_post.deleted
    # Manage Messages is enough to remove someone else's review
    helper = world.guild.add_member(
        "helper", roles=[world.guild.add_role("Helper", discord.Permissions(manage_messages=True))]
    )
    removed = await world.rig.slash(
        world.guild, helper, "review delete", {"book": BOOK, "member": world.alice}
    )
    assert "and its post" in (await removed.wait_reply()).content
    assert alice_post.deleted
    report = await world.rig.wait_for_message(
        world.modlog, lambda m: "removed by a moderator" in m.text
    )
    assert f"<@{helper.id}>" in report.text
    bob_post = await _write(world, world.bob)
    own = await world.rig.slash(world.guild, world.bob, "review delete", {"book": BOOK})
    assert "Deleted your review" in (await own.wait_reply()).content
    assert bob_post.deleted
    again = await world.rig.slash(world.guild, world.bob, "review delete", {"book": BOOK})
    assert "You have no review" in all_text((await again.wait_reply()).embeds)


async def test_reviews_stay_in_their_server(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    await _write(world, channel=world.general)
    other = world.rig.add_guild(
        "Other Club", channels=["lounge"], members=[world.alice.user, world.bob.user]
    )
    await world.rig.sync()
    await world.rig.slash(
        other, world.bob, "book add", {"title": BOOK, "author": "Ursula K. Le Guin"}
    )
    shown = await world.rig.slash(
        other, world.bob, "review show", {"book": BOOK, "member": world.alice.user}
    )
    assert "There is no review" in all_text((await shown.wait_reply()).embeds)
    listed = await world.rig.slash(other, world.bob, "review list", {"book": BOOK})
    assert "No reviews on this server yet" in all_text((await listed.wait_reply()).embeds)


# --- restart -----------------------------------------------------------------------------------


async def test_buttons_work_after_a_restart(world: World) -> None:
    async with run_marginalia(world):
        await _add_book(world)
        await _set_channels(world)
        post = await _write(world)
    async with run_marginalia(world):
        liked = await world.rig.click(post, "review:like:1", world.bob)
        assert liked.callback_type == 7
        assert post.component("review:like:1")["label"] == "Like · 1"
        warned = await world.rig.click(post, "review:reveal:1", world.bob)
        assert "reveal anyway?" in warned.content
        discussed = await world.rig.click(post, "review:discuss:1", world.bob)
        assert f"<#{post.id}>" in (await discussed.wait_reply()).content


async def test_messages_a_failed_post_left_behind_go_with_the_review(
    world: World, marginalia: MarginaliaBot
) -> None:
    """Part 1 of a long post is sent, part 2 fails and part 1 cannot be removed: it is
    remembered, and /review delete removes it with the post that did succeed elsewhere."""
    await _add_book(world)
    await _set_channels(world)
    body = "\n\n".join(f"Paragraph {i}. " + "Gethen is cold. " * 40 for i in range(14))
    route = f"/channels/{world.reviews.id}/messages"
    world.rig.fail("POST", route, errors.MISSING_PERMISSIONS, skip=1)
    undeletable = world.rig.fail("DELETE", route + "/*", errors.MISSING_PERMISSIONS, times=None)
    result = await world.rig.slash(
        world.guild,
        world.alice,
        "review write",
        {"book": BOOK, "file": Upload("review.md", body.encode())},
    )
    reply = await result.wait_reply()
    assert f"<#{world.general.id}>" in reply.content  # posted in the fallback channel
    [left_behind] = [m for m in world.rig.channel_messages(world.reviews) if m.embeds]
    row = await _review_row(world)
    assert row["stray_messages"] == [[world.reviews.id, left_behind.id]]
    assert row["channel_id"] == world.general.id
    posted = [row["message_id"], *row["extra_message_ids"]]
    undeletable.remove()
    deleted = await world.rig.slash(world.guild, world.alice, "review delete", {"book": BOOK})
    assert "and its post" in (await deleted.wait_reply()).content
    assert world.rig.messages[left_behind.id].deleted
    assert all(world.rig.messages[i].deleted for i in posted)
