"""Who is a moderator or an admin (SPEC §1), checked on the server side, end to end.

A permission granted in one channel's overwrites does not make a moderator or an admin:
only the member's roles (server-wide permissions) and the server's moderator role count.
"""

from __future__ import annotations

import discord

from bot.app import MarginaliaBot
from fake_discord import FakeMember
from tests.e2e.world import World, all_text

MANAGE_MESSAGES = discord.Permissions(manage_messages=True)
MANAGE_GUILD = discord.Permissions(manage_guild=True)


async def _add_book(world: World) -> None:
    added = await world.rig.slash(
        world.guild, world.alice, "book add", {"title": "Middlemarch", "author": "George Eliot"}
    )
    assert "Middlemarch" in all_text(added.embeds)


async def _overwrite(world: World, member: FakeMember, allow: discord.Permissions) -> None:
    """Grant ``allow`` to ``member`` in #general only (a channel overwrite)."""
    world.general.set_overwrite(member, allow=allow)
    world.rig.dispatch_channel_update(world.general)
    await world.rig.sync()


async def _card(world: World, member: FakeMember) -> dict[str, str]:
    result = await world.rig.slash(world.guild, member, "settings show")
    [embed] = result.embeds
    return {f["name"]: f["value"] for f in embed["fields"]}


async def test_a_channel_overwrite_does_not_make_a_moderator(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    await _overwrite(world, world.bob, MANAGE_MESSAGES)
    picked = await world.rig.slash(
        world.guild, world.bob, "club pick", {"book": "Middlemarch"}, channel=world.general
    )
    assert picked.ephemeral and "Only moderators" in all_text(picked.embeds)
    assert "server-wide" in all_text(picked.embeds)
    status = await world.rig.slash(world.guild, world.alice, "club status")
    assert "There is no club read" in all_text(status.embeds)


async def test_a_channel_overwrite_does_not_delete_others_reviews(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    opened = await world.rig.slash(
        world.guild, world.alice, "review write", {"book": "Middlemarch"}, channel=world.general
    )
    done = await opened.submit_modal({"review": "Provincial life, in full."})
    await done.wait_reply()
    await _overwrite(world, world.bob, MANAGE_MESSAGES)
    refused = await world.rig.slash(
        world.guild,
        world.bob,
        "review delete",
        {"book": "Middlemarch", "member": world.alice},
        channel=world.general,
    )
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)
    shown = await world.rig.slash(
        world.guild, world.bob, "review show", {"book": "Middlemarch", "member": world.alice}
    )
    assert "Provincial life" in all_text((await shown.wait_reply()).embeds)


async def test_a_channel_overwrite_does_not_make_an_admin(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _overwrite(world, world.bob, MANAGE_GUILD)
    for command, options in (
        ("settings review-channel", {"channel": world.general}),
        ("scale step", {"step": "whole"}),
        ("digest off", {}),
    ):
        refused = await world.rig.slash(
            world.guild, world.bob, command, options, channel=world.general
        )
        assert refused.ephemeral, command
        assert "Only server admins" in all_text(refused.embeds), command
    assert "where `/review write` is used" in (await _card(world, world.admin))["Review channel"]


async def test_admins_and_role_moderators_are_allowed(
    world: World, marginalia: MarginaliaBot
) -> None:
    await _add_book(world)
    picked = await world.rig.slash(
        world.guild, world.admin, "club pick", {"book": "Middlemarch"}, channel=world.general
    )
    assert "New club read" in all_text((await picked.wait_reply()).embeds)
    ended = await world.rig.slash(world.guild, world.moderator, "club end")
    assert "Club read ended" in all_text((await ended.wait_reply()).embeds)
    # the owner has every permission without any role
    owner = world.guild.member(world.guild.owner_id)
    again = await world.rig.slash(
        world.guild, owner, "club pick", {"book": "Middlemarch"}, channel=world.general
    )
    assert "New club read" in all_text((await again.wait_reply()).embeds)


async def test_the_moderator_role_makes_moderators(world: World, marginalia: MarginaliaBot) -> None:
    await _add_book(world)
    hosts = world.guild.add_role("Club host")
    carol = world.guild.add_member("carol", roles=[hosts])
    await world.rig.sync()
    refused = await world.rig.slash(world.guild, carol, "club pick", {"book": "Middlemarch"})
    assert refused.ephemeral and "Only moderators" in all_text(refused.embeds)

    helper = world.guild.add_member(
        "helper", roles=[world.guild.add_role("Helper", MANAGE_MESSAGES)]
    )
    not_admin = await world.rig.slash(
        world.guild, helper, "settings moderator-role", {"role": hosts}
    )
    assert not_admin.ephemeral and "Only server admins" in all_text(not_admin.embeds)
    assert (await _card(world, world.alice))["Moderator role"].startswith("Not set")

    chosen = await world.rig.slash(
        world.guild, world.admin, "settings moderator-role", {"role": hosts}
    )
    assert chosen.ephemeral and f"<@&{hosts.id}>" in all_text(chosen.embeds)
    assert (await _card(world, world.alice))["Moderator role"].startswith(f"<@&{hosts.id}>")

    picked = await world.rig.slash(
        world.guild, carol, "club pick", {"book": "Middlemarch"}, channel=world.general
    )
    assert "New club read" in all_text((await picked.wait_reply()).embeds)
    # the role is the only thing that counts: alice has no role
    refused = await world.rig.slash(world.guild, world.alice, "club end")
    assert "Only moderators" in all_text(refused.embeds)

    cleared = await world.rig.slash(world.guild, world.admin, "settings moderator-role")
    assert cleared.ephemeral and "No moderator role" in all_text(cleared.embeds)
    assert (await _card(world, world.alice))["Moderator role"].startswith("Not set")
    refused = await world.rig.slash(world.guild, carol, "club end")
    assert "Only moderators" in all_text(refused.embeds)


async def test_a_deleted_moderator_role_counts_as_none(
    world: World, marginalia: MarginaliaBot
) -> None:
    hosts = world.guild.add_role("Club host")
    await world.rig.slash(world.guild, world.admin, "settings moderator-role", {"role": hosts})
    world.guild.delete_role(hosts)
    await world.rig.sync()
    line = (await _card(world, world.alice))["Moderator role"]
    assert line.startswith("Not set") and "deleted" in line and f"<@&{hosts.id}>" not in line


async def test_everyone_and_bot_roles_cannot_be_the_moderator_role(
    world: World, marginalia: MarginaliaBot
) -> None:
    for role, reason in ((world.guild.everyone, "every member"), (world.guild.bot_role, "bot")):
        refused = await world.rig.slash(
            world.guild, world.admin, "settings moderator-role", {"role": role}
        )
        assert refused.ephemeral and reason in all_text(refused.embeds), role
    assert (await _card(world, world.admin))["Moderator role"].startswith("Not set")


async def test_the_moderator_role_stays_in_its_server(
    world: World, marginalia: MarginaliaBot
) -> None:
    hosts = world.guild.add_role("Club host")
    await world.rig.slash(world.guild, world.admin, "settings moderator-role", {"role": hosts})
    other = world.rig.add_guild("Other Club", members=[world.alice.user])
    await world.rig.sync()
    result = await world.rig.slash(other, world.alice, "settings show")
    fields = {f["name"]: f["value"] for f in result.embeds[0]["fields"]}
    assert fields["Moderator role"].startswith("Not set")


async def test_the_digest_preview_is_for_admins_like_the_rest_of_digest(
    world: World, marginalia: MarginaliaBot
) -> None:
    """/digest is hidden from members by its default permissions (Manage Server); a member
    who can run it anyway (an admin may change who sees it) is refused on the server side."""
    refused = await world.rig.slash(world.guild, world.alice, "digest preview")
    assert refused.ephemeral and "Only server admins" in all_text(refused.embeds)
    allowed = await world.rig.slash(world.guild, world.admin, "digest preview")
    assert "Preview" in ((await allowed.wait_reply()).content or "")
