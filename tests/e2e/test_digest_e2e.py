"""The weekly digest end to end: the real bot against the local Discord server.

/digest setup (with its errors and time-zone autocomplete), /digest preview, /digest
send-now posting one message with the chart attached, a second send-now asking before
posting again, /digest off, and the scheduler posting through Discord — including a
channel the bot may not post in, reported once to the moderators' log channel.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.app import MarginaliaBot
from bot.db.schema import guild_settings
from bot.services.digest import DigestScheduler
from fake_discord import StoredMessage, errors
from tests.e2e.world import World, all_text
from tests.support.seeders import BODY, HEADLINE, SPOILER, Seeder, event

SUNDAY = 6
WEDNESDAY = 2


async def seed_week(world: World) -> None:
    """alice read 120 pages and finished; bob read 45 and reviewed (with spoilers)."""
    now = world.clock.now()
    seeder = Seeder(world.database, now=now)
    book = await seeder.book("Middlemarch", authors=("George Eliot",), pages=880)
    gid = world.guild.id
    alice = await seeder.reading(gid, world.alice.id, book, status="finished")
    bob = await seeder.reading(gid, world.bob.id, book, page=45)
    day = timedelta(days=1)
    await seeder.events(
        [
            event(gid, world.alice.id, alice, book, now - 3 * day, pages=70),
            event(gid, world.alice.id, alice, book, now - 2 * day, pages=50),
            event(gid, world.alice.id, alice, book, now - 2 * day, kind="finish"),
            event(gid, world.bob.id, bob, book, now - day, kind="start", pages=45),
        ]
    )
    await seeder.review(gid, world.bob.id, book, now - day, quarters=18)
    await seeder.rate(gid, world.alice.id, book, 20, now - day)


def digest_posts(world: World) -> list[StoredMessage]:
    return [
        m
        for m in world.rig.channel_messages(world.general)
        if not m.ephemeral and m.embeds and "Weekly digest" in (m.embeds[0].get("title") or "")
    ]


def assert_digest_message(world: World, message: StoredMessage) -> None:
    assert len(message.attachments) == 1
    png = message.attachments[0]
    assert png.filename == "digest-chart.png" and png.data.startswith(b"\x89PNG")
    assert message.embeds[-1]["image"]["url"] == "attachment://digest-chart.png"
    text = all_text(message.embeds)
    assert "165 pages read by 2 members" in text
    assert "**alice** — 120 pages · finished 1" in text
    assert "**bob** — 45 pages · started 1" in text
    assert "Middlemarch by George Eliot · 4.5★" in text
    for secret in (SPOILER, BODY, HEADLINE):
        assert secret not in text
    assert message.allowed_mentions is not None and message.allowed_mentions.get("parse") == []


def setup_options(world: World, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "channel": world.general,
        "weekday": SUNDAY,
        "hour": 18,
        "timezone": "Europe/Berlin",
    }
    options.update(overrides)
    return options


async def test_setup_preview_send_now_and_off(world: World, marginalia: MarginaliaBot) -> None:
    rig = world.rig
    await seed_week(world)

    choices = await rig.autocomplete(world.guild, world.admin, "digest setup", "timezone", "berl")
    assert "Europe/Berlin" in [c["value"] for c in choices]

    refused = await rig.slash(world.guild, world.alice, "digest setup", setup_options(world))
    assert refused.ephemeral and "Only server admins" in all_text(refused.embeds)
    typo = await rig.slash(
        world.guild, world.admin, "digest setup", setup_options(world, timezone="Europe/Berln")
    )
    assert typo.ephemeral and "Did you mean Europe/Berlin" in all_text(typo.embeds)
    world.general.set_overwrite(world.guild.bot_role, deny=1 << 15)  # Attach Files
    rig.dispatch_channel_update(world.general)
    await rig.sync()
    no_files = await rig.slash(world.guild, world.admin, "digest setup", setup_options(world))
    assert no_files.ephemeral and "Attach Files" in all_text(no_files.embeds)
    world.general.overwrites.clear()
    rig.dispatch_channel_update(world.general)
    await rig.sync()

    done = await rig.slash(world.guild, world.admin, "digest setup", setup_options(world))
    assert done.ephemeral
    text = all_text(done.embeds)
    assert "Sundays at 18:00 (Europe/Berlin)" in text and world.general.mention in text

    preview = await rig.slash(world.guild, world.admin, "digest preview")
    shown = await preview.wait_reply()
    assert shown.ephemeral
    assert f"would be posted in {world.general.mention}" in shown.content
    assert_digest_message(world, shown)
    assert digest_posts(world) == []

    sent = await rig.slash(world.guild, world.admin, "digest send-now")
    reply = await sent.wait_reply()
    assert reply.ephemeral and "Posted this week's digest" in reply.content
    posts = digest_posts(world)
    assert len(posts) == 1
    assert_digest_message(world, posts[0])
    assert str(posts[0].id) in reply.content  # the jump link

    again = await rig.slash(world.guild, world.admin, "digest send-now")
    ask = await again.wait_reply()
    assert (
        ask.ephemeral and "already posted" in ask.content and "Post it again anyway?" in ask.content
    )
    assert ask.custom_ids == ["digest:repost:confirm", "digest:repost:cancel"]
    assert len(digest_posts(world)) == 1, "a second send-now must not post silently"

    stranger = await rig.click(ask, "digest:repost:confirm", world.moderator)
    assert stranger.ephemeral and "Only the admin who ran" in stranger.content
    confirmed = await rig.click(ask, "digest:repost:confirm", world.admin)
    await rig.wait_until(lambda: len(digest_posts(world)) == 2, None, "the second digest")
    await rig.wait_until(lambda: "again" in ask.content, None, "the confirmation edit")
    assert confirmed.callback_type == 7 and ask.components == []

    off = await rig.slash(world.guild, world.admin, "digest off")
    assert off.ephemeral and "The weekly digest is off" in off.content
    off_again = await rig.slash(world.guild, world.admin, "digest off")
    assert "already off" in off_again.content


async def test_send_now_without_setup_and_without_permission(
    world: World, marginalia: MarginaliaBot
) -> None:
    rig = world.rig
    early = await rig.slash(world.guild, world.admin, "digest send-now")
    assert early.ephemeral and "/digest setup" in all_text(early.embeds)
    await rig.slash(world.guild, world.admin, "digest setup", setup_options(world))
    rule = rig.fail("POST", f"/channels/{world.general.id}/messages", errors.MISSING_PERMISSIONS)
    failed = await rig.slash(world.guild, world.admin, "digest send-now")
    reply = await failed.wait_reply()
    assert reply.ephemeral and "missing permissions" in all_text(reply.embeds)
    assert rule.hits == 1 and digest_posts(world) == []
    # nothing was recorded as posted: the next send-now posts without asking
    retried = await rig.slash(world.guild, world.admin, "digest send-now")
    assert "Posted this week's digest" in (await retried.wait_reply()).content
    assert len(digest_posts(world)) == 1


async def test_scheduler_posts_once_and_reports_failures_once(
    world: World, marginalia: MarginaliaBot
) -> None:
    rig = world.rig
    await seed_week(world)
    # Wednesday 12:00 UTC now; the slot is Wednesday 14:00 in Berlin (13:00 UTC)
    await rig.slash(
        world.guild, world.admin, "digest setup", setup_options(world, weekday=WEDNESDAY, hour=14)
    )
    async with world.database.write() as conn:  # /settings modlog-channel is another feature
        await conn.execute(
            guild_settings.update()
            .where(guild_settings.c.guild_id == world.guild.id)
            .values(modlog_channel_id=world.modlog.id)
        )
    # discord.py loads extensions as fresh module objects, so no isinstance against DigestCog
    cog = marginalia.get_cog("Digest")
    scheduler: DigestScheduler = cog.scheduler  # type: ignore[union-attr]
    assert await scheduler.run_once() == []  # not yet
    world.clock.advance(hours=1, minutes=1)
    outcomes = await scheduler.run_once()
    assert [o.status for o in outcomes] == ["posted"]
    assert len(digest_posts(world)) == 1
    assert_digest_message(world, digest_posts(world)[0])
    world.clock.advance(hours=5)
    assert await scheduler.run_once() == []
    assert len(digest_posts(world)) == 1

    # next week the bot may not post there: recorded, retried, reported once
    rule = rig.fail(
        "POST", f"/channels/{world.general.id}/messages", errors.MISSING_PERMISSIONS, times=None
    )
    world.clock.advance(days=7)
    assert [o.status for o in await scheduler.run_once()] == ["failed"]
    world.clock.advance(minutes=1)
    assert [o.status for o in await scheduler.run_once()] == ["failed"]
    reports = [m for m in rig.channel_messages(world.modlog) if m.embeds]
    assert len(reports) == 1
    report = all_text(reports[0].embeds)
    assert "could not post this week's digest" in report and "View Channel" in report
    rule.remove()
    world.clock.advance(minutes=2)
    assert [o.status for o in await scheduler.run_once()] == ["posted"]
    assert len(digest_posts(world)) == 2
    assert len([m for m in rig.channel_messages(world.modlog) if m.embeds]) == 1


async def test_discords_error_text_never_reaches_the_moderators(
    world: World, marginalia: MarginaliaBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal whose text holds something private (a proxy's page, a path, a token) is
    shown as a reason and an error code; the text itself only goes to the log."""
    rig = world.rig
    caplog.set_level(logging.INFO)
    await seed_week(world)
    await rig.slash(world.guild, world.admin, "digest setup", setup_options(world))
    async with world.database.write() as conn:
        await conn.execute(
            guild_settings.update()
            .where(guild_settings.c.guild_id == world.guild.id)
            .values(modlog_channel_id=world.modlog.id)
        )
    secret = "Invalid Form Body at /srv/marginalia/.env token=MTE3NzU1.GfAkE1.x"
    rig.fail(
        "POST",
        f"/channels/{world.general.id}/messages",
        errors.DiscordError(400, 50035, secret),
        times=None,
    )
    failed = await rig.slash(world.guild, world.admin, "digest send-now")
    reply = all_text((await failed.wait_reply()).embeds)
    assert "Discord had a problem (HTTP 400" in reply and secret not in reply
    code = re.search(r"error code `([0-9A-F]{8})`", reply)
    assert code is not None and any(code.group(1) in r.getMessage() for r in caplog.records)

    cog = marginalia.get_cog("Digest")
    scheduler: DigestScheduler = cog.scheduler  # type: ignore[union-attr]
    world.clock.advance(days=4, hours=5, minutes=1)  # Sunday 18:01 in Berlin: the slot
    assert [o.status for o in await scheduler.run_once()] == ["failed"]
    (report,) = [m for m in rig.channel_messages(world.modlog) if m.embeds]
    text = all_text(report.embeds)
    assert "could not post this week's digest" in text and secret not in text
    code = re.search(r"error code `([0-9A-F]{8})`", text)
    assert code is not None
    logged = [r for r in caplog.records if code.group(1) in r.getMessage()]
    assert logged and any(secret in r.getMessage() for r in logged)
