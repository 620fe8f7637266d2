"""/me timezone and /me show end to end, and each member's own "today" near midnight:
the same instant is the 19th in Auckland and the 18th in Los Angeles (SPEC §12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.app import MarginaliaBot
from fake_discord import FakeMember
from tests.e2e.world import World, all_text

BOOK = "The Dispossessed"
# 11:30 UTC on Wednesday 18 November 2026: 00:30 on the 19th in Auckland (NZDT),
# 03:30 on the 18th in Los Angeles (PST)
NEAR_MIDNIGHT = datetime(2026, 11, 18, 11, 30, tzinfo=UTC)


def _stamp(year: int, month: int, day: int) -> str:
    """How a calendar date is shown: a Discord timestamp at noon UTC."""
    return f"<t:{int(datetime(year, month, day, 12, tzinfo=UTC).timestamp())}:D>"


async def _text(world: World, member: FakeMember, command: str, options: dict[str, Any]) -> str:
    result = await world.rig.slash(world.guild, member, command, options)
    reply = await result.wait_reply()
    assert reply.ephemeral
    return all_text(reply.embeds, reply.content)


async def test_each_member_logs_on_their_own_date(world: World, marginalia: MarginaliaBot) -> None:
    world.clock.set(NEAR_MIDNIGHT)
    added = await world.rig.slash(
        world.guild,
        world.alice,
        "book add",
        {"title": BOOK, "author": "Ursula K. Le Guin", "pages": 387},
    )
    assert "Added" in added.content

    choices = await world.rig.autocomplete(world.guild, world.alice, "me timezone", "zone", "auck")
    assert "Pacific/Auckland" in [c["value"] for c in choices]

    shown = await _text(world, world.alice, "me show", {})
    assert "UTC (the default" in shown and "18 November 2026" in shown

    refused = await _text(world, world.alice, "me timezone", {"zone": "Pacific/Aukland"})
    assert "“Pacific/Aukland” is not a time zone I know" in refused
    assert "Did you mean Pacific/Auckland" in refused
    assert "UTC (the default" in await _text(world, world.alice, "me show", {})  # unchanged

    set_ = await _text(world, world.alice, "me timezone", {"zone": "Pacific/Auckland"})
    assert "Your time zone is now **Pacific/Auckland**" in set_ and "19 November 2026" in set_
    set_ = await _text(world, world.bob, "me timezone", {"zone": "america/los angeles"})
    assert "**America/Los_Angeles**" in set_ and "18 November 2026" in set_
    shown = await _text(world, world.alice, "me show", {})
    assert "Pacific/Auckland (yours, set with `/me timezone`)" in shown
    assert "19 November 2026" in shown

    # today's entry lands on each member's own today
    alice = await _text(world, world.alice, "progress update", {"book": BOOK, "page": 20})
    bob = await _text(world, world.bob, "progress update", {"book": BOOK, "page": 20})
    assert "Started " + _stamp(2026, 11, 19) in alice
    assert "Started " + _stamp(2026, 11, 18) in bob

    # the 19th is Alice's today but still the future for Bob
    finished = await _text(
        world, world.alice, "progress finish", {"book": BOOK, "date": "19 November 2026"}
    )
    assert "Finished" in finished and "future" not in finished
    too_soon = await _text(
        world, world.bob, "progress finish", {"book": BOOK, "date": "19 November 2026"}
    )
    assert "The finish date 19 November 2026 is in the future" in too_soon
    # his yesterday (the 17th) is before his reading started (his 18th)
    paused = await _text(world, world.bob, "progress pause", {"book": BOOK, "date": "2026-11-17"})
    assert "before this reading started" in paused  # he started on his 18th
    history = await _text(world, world.alice, "progress history", {"book": BOOK})
    assert f"{_stamp(2026, 11, 19)} → {_stamp(2026, 11, 19)}" in history


async def test_the_servers_digest_zone_is_the_default_and_the_zone_is_exported(
    world: World, marginalia: MarginaliaBot
) -> None:
    world.clock.set(NEAR_MIDNIGHT)
    setup = await world.rig.slash(
        world.guild,
        world.admin,
        "digest setup",
        {"channel": world.general, "weekday": 6, "hour": 18, "timezone": "Pacific/Auckland"},
    )
    await setup.wait_reply()
    shown = await _text(world, world.bob, "me show", {})
    assert "Pacific/Auckland (this server's digest zone" in shown
    assert "19 November 2026" in shown

    await _text(world, world.alice, "me timezone", {"zone": "America/Los_Angeles"})
    exported = await world.rig.slash(world.guild, world.alice, "export")
    message = await exported.wait_reply(timeout=30)
    [json_file] = [a for a in message.attachments if a.filename.endswith(".json")]
    document = json.loads(json_file.data)
    assert document["settings"]["timezone"] == "America/Los_Angeles"

    asked = await world.rig.slash(world.guild, world.alice, "privacy forget-me")
    prompt = asked.message
    assert "your time zone" in all_text(prompt.embeds)
    [button] = [
        c["custom_id"]
        for row in prompt.components
        for c in row["components"]
        if c.get("label") == "Delete everything"
    ]
    confirmed = await world.rig.click(prompt, button, world.alice)
    await confirmed.wait_edit()
    done = all_text((await confirmed.wait_edit(timeout=30)).embeds)
    assert "your time zone" in done
    shown = await _text(world, world.alice, "me show", {})
    assert "Pacific/Auckland (this server's digest zone" in shown
