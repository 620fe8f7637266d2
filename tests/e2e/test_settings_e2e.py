"""/settings show, /settings review-channel, /settings modlog-channel and /settings
club-channel end to end."""

from __future__ import annotations

import discord

from bot.app import MarginaliaBot
from tests.e2e.world import World, all_text


async def _card(world: World, member: object) -> dict[str, str]:
    result = await world.rig.slash(world.guild, member, "settings show")
    assert result.ephemeral
    [embed] = result.embeds
    return {f["name"]: f["value"] for f in embed["fields"]}


async def test_show_then_set_both_channels(world: World, marginalia: MarginaliaBot) -> None:
    card = await _card(world, world.alice)
    assert "where `/review write` is used" in card["Review channel"]
    assert "reported nowhere" in card["Moderator log"]
    assert card["Rating scale"].startswith("Half stars")
    assert card["Weekly digest"].startswith("Off.")
    review = await world.rig.slash(
        world.guild, world.admin, "settings review-channel", {"channel": world.reviews}
    )
    assert review.ephemeral and f"<#{world.reviews.id}>" in all_text(review.embeds)
    modlog = await world.rig.slash(
        world.guild, world.admin, "settings modlog-channel", {"channel": world.modlog}
    )
    assert f"<#{world.modlog.id}>" in all_text(modlog.embeds)
    card = await _card(world, world.bob)
    assert card["Review channel"] == f"<#{world.reviews.id}>"
    assert card["Moderator log"].startswith(f"<#{world.modlog.id}>")
    assert "where `/club pick` was last used" in card["Club channel"]
    club = await world.rig.slash(
        world.guild, world.admin, "settings club-channel", {"channel": world.modlog}
    )
    assert f"<#{world.modlog.id}>" in all_text(club.embeds)
    assert (await _card(world, world.bob))["Club channel"].startswith(f"<#{world.modlog.id}>")
    cleared = await world.rig.slash(world.guild, world.admin, "settings review-channel")
    assert "where `/review write` is used" in all_text(cleared.embeds)
    assert "where `/review write` is used" in (await _card(world, world.bob))["Review channel"]


async def test_setters_are_for_admins_only(world: World, marginalia: MarginaliaBot) -> None:
    helper = world.guild.add_member(
        "helper", roles=[world.guild.add_role("Helper", discord.Permissions(manage_messages=True))]
    )
    for member in (world.alice, helper):
        for command in (
            "settings review-channel",
            "settings modlog-channel",
            "settings club-channel",
        ):
            result = await world.rig.slash(world.guild, member, command, {"channel": world.general})
            assert result.ephemeral
            assert "Only server admins (the Manage Server permission)" in all_text(result.embeds)
    card = await _card(world, world.admin)
    assert "where `/review write` is used" in card["Review channel"]


async def test_a_channel_the_bot_cannot_post_in_is_refused(
    world: World, marginalia: MarginaliaBot
) -> None:
    world.modlog.set_overwrite(
        world.guild.bot_role, deny=discord.Permissions(send_messages=True, embed_links=True)
    )
    world.rig.dispatch_channel_update(world.modlog)
    await world.rig.sync()
    result = await world.rig.slash(
        world.guild, world.admin, "settings modlog-channel", {"channel": world.modlog}
    )
    text = all_text(result.embeds)
    assert result.ephemeral and "Send Messages, Embed Links" in text
    assert "reported nowhere" in (await _card(world, world.admin))["Moderator log"]


async def test_settings_stay_in_their_server(world: World, marginalia: MarginaliaBot) -> None:
    await world.rig.slash(
        world.guild, world.admin, "settings review-channel", {"channel": world.reviews}
    )
    other = world.rig.add_guild("Other Club", members=[world.alice.user])
    await world.rig.sync()
    result = await world.rig.slash(other, world.alice, "settings show")
    fields = {f["name"]: f["value"] for f in result.embeds[0]["fields"]}
    assert "where `/review write` is used" in fields["Review channel"]
