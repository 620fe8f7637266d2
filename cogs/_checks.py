"""Permission rules checked on the server side, for every cog (SPEC §1, §10).

Every command and component that needs a server takes its id from :func:`guild_id_of` (and the
server from :func:`guild_of`): outside one they raise :class:`app_commands.NoPrivateMessage`,
which the tree's error chain answers the same way everywhere ("This command only works inside
a server."). Unlike ``assert``, the check survives ``python -O``.

Discord's ``default_permissions`` only hides a command from members (and server admins can
change it), so every moderator or admin action calls :func:`require_moderator` or
:func:`require_admin` as well; a refusal becomes an ephemeral reply saying who may do it.

- admin: Manage Server (``manage_guild``) or Administrator, as a server-wide permission;
- moderator: an admin, Manage Messages as a server-wide permission, or a member with the
  server's moderator role (``/settings moderator-role``; a deleted role counts as none).

Server-wide means from the member's roles. ``interaction.permissions`` is *not* that: it is
what Discord computes for the channel the command was used in, channel overwrites included,
so a Manage Messages overwrite on one channel would make a moderator of the whole server.
:func:`server_permissions` uses :attr:`discord.Member.guild_permissions` instead: the role
ids the interaction carries for its member, looked up in the guild discord.py keeps from
GUILD_CREATE and role events (no members intent needed); owner and Administrator get
everything, a timed-out member keeps only what a timeout allows.

``default_permissions`` can only be set on top-level commands and groups: Discord ignores it
on subcommands (e.g. ``/scale set``), whose group must stay visible to everyone for its other
subcommands. There the server-side check is the only gate. Discord's default permissions
require *every* listed permission, so "Manage Server or Manage Messages" cannot be expressed;
:data:`MODERATOR_DEFAULT` uses Manage Messages, the one moderators usually have.
"""

from __future__ import annotations

from typing import Any, Final

import discord
from discord import app_commands

from bot.errors import PermissionDenied

ADMIN_DEFAULT: Final = discord.Permissions(manage_guild=True)
MODERATOR_DEFAULT: Final = discord.Permissions(manage_messages=True)

ADMINS: Final = "server admins (the Manage Server permission)"
MODERATORS: Final = (
    "moderators (Manage Server or Manage Messages as a server-wide permission, from a role, "
    "or the server's moderator role)"
)


_LOADING: Final = (
    "I can't check your roles in this server right now (it is still loading on my "
    "side). Try again in a minute."
)


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    """The id of the server the interaction came from; outside a server,
    :class:`app_commands.NoPrivateMessage` (answered by the tree's error chain)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def guild_of(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server the interaction came from, as discord.py has loaded it."""
    guild_id_of(interaction)
    if interaction.guild is None:
        raise PermissionDenied(_LOADING)
    return interaction.guild


def _member(interaction: discord.Interaction[Any]) -> discord.Member:
    """The member who used the interaction, in a server the bot has loaded."""
    guild_of(interaction)
    user = interaction.user
    if not isinstance(user, discord.Member):
        raise PermissionDenied(_LOADING)
    return user


def server_permissions(interaction: discord.Interaction[Any]) -> discord.Permissions:
    """The member's server-wide permissions, from their roles (channel overwrites left out)."""
    return _member(interaction).guild_permissions


def is_admin(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server or Administrator, server-wide."""
    permissions = server_permissions(interaction)
    return permissions.administrator or permissions.manage_guild


async def moderator_role(interaction: discord.Interaction[Any]) -> discord.Role | None:
    """The server's moderator role, or None when none is set or it was deleted."""
    member = _member(interaction)
    bot = interaction.client
    role_id = await bot.services.settings.moderator_role_id(member.guild.id)
    return member.guild.get_role(role_id) if role_id is not None else None


async def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """An admin, Manage Messages server-wide, or the server's moderator role."""
    permissions = server_permissions(interaction)
    if permissions.administrator or permissions.manage_guild or permissions.manage_messages:
        return True
    role = await moderator_role(interaction)
    return role is not None and _member(interaction).get_role(role.id) is not None


def require_admin(interaction: discord.Interaction[Any], doing: str) -> None:
    """Raise :class:`PermissionDenied` unless the member is an admin. ``doing`` completes
    "Only server admins can …", e.g. "change the rating scale"."""
    if not is_admin(interaction):
        raise PermissionDenied(f"Only {ADMINS} can {doing}. Ask one of them to do it.")


async def require_moderator(
    interaction: discord.Interaction[Any], doing: str, *, instead: str = "Ask one of them to do it."
) -> None:
    """Raise :class:`PermissionDenied` unless the member is a moderator; ``instead`` ends the
    reply with what the member can do."""
    if not await is_moderator(interaction):
        raise PermissionDenied(f"Only {MODERATORS} can {doing}. {instead}")


# --- what the bot may do on a member's behalf ---------------------------------------------
#
# The bot posts with its own permissions, so before it posts a member's text or opens a
# thread for them it checks that the member may do so themselves (SPEC §10).

PostChannel = discord.abc.GuildChannel | discord.Thread

_NAMES: Final = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_public_threads": "Create Public Threads",
}


def member_permissions_in(
    interaction: discord.Interaction[Any], channel: PostChannel
) -> discord.Permissions:
    """The member's permissions in ``channel``: what Discord sent with the interaction when
    it is the interaction's channel (authoritative: overwrites, timeouts), else computed by
    discord.py from the cached roles and overwrites."""
    if channel.id == interaction.channel_id:
        return interaction.permissions
    return channel.permissions_for(_member(interaction))


def review_post_refusal(
    interaction: discord.Interaction[Any], channel: PostChannel, *, review_channel: bool
) -> str | None:
    """The permission the member lacks for their review to be posted in ``channel``, or None.

    The server's review channel is where reviews go by design, also when members may not
    write there themselves (a read-only channel of reviews): there the member only needs to
    see it. Anywhere else (the channel the command was used in) the bot would post for the
    member, so the member must be allowed to send messages there.
    """
    permissions = member_permissions_in(interaction, channel)
    if review_channel:
        needed = "view_channel"
    elif isinstance(channel, discord.Thread):
        needed = "send_messages_in_threads"
    else:
        needed = "send_messages"
    return None if getattr(permissions, needed) else _NAMES[needed]


def thread_refusal(interaction: discord.Interaction[Any], channel: PostChannel) -> str | None:
    """The permission the member lacks to have a public thread opened in ``channel``."""
    permissions = member_permissions_in(interaction, channel)
    for needed in ("view_channel", "create_public_threads"):
        if not getattr(permissions, needed):
            return _NAMES[needed]
    return None


def review_refused_text(channel_id: int, permission: str, *, review_channel: bool) -> str:
    """The member's reply when their review is kept but not posted for lack of ``permission``."""
    where = "this server's review channel " if review_channel else ""
    then = (
        "ask a moderator for access to it, then `/review edit` posts it."
        if review_channel
        else "use `/review edit` in a channel where you may send messages to post it there."
    )
    return (
        f"Your review is saved, but not posted: you don't have the {permission} permission "
        f"in {where}<#{channel_id}>, so I won't post it there for you. `/review show` "
        f"displays it; {then}"
    )
