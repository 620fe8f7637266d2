"""Permission rules checked on the server side, for every cog.

Discord's ``default_permissions`` only hides a command from members (and server admins can
change it), so every moderator or admin action calls :func:`require_moderator` or
:func:`require_admin` as well; a refusal becomes an ephemeral reply saying who may do it.

- moderator: Manage Server (``manage_guild``) or Manage Messages, or Administrator;
- admin: Manage Server, or Administrator.

``default_permissions`` can only be set on top-level commands and groups: Discord ignores it
on subcommands (e.g. ``/scale set``), whose group must stay visible to everyone for its other
subcommands. There the server-side check is the only gate. Discord's default permissions
require *every* listed permission, so "Manage Server or Manage Messages" cannot be expressed;
:data:`MODERATOR_DEFAULT` uses Manage Messages, the one moderators usually have.
"""

from __future__ import annotations

from typing import Any, Final

import discord

from bot.errors import PermissionDenied

ADMIN_DEFAULT: Final = discord.Permissions(manage_guild=True)
MODERATOR_DEFAULT: Final = discord.Permissions(manage_messages=True)


def is_admin(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server or Administrator, from the permissions Discord sent with the interaction."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    return permissions.administrator or permissions.manage_guild


def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """An admin, or a member with Manage Messages."""
    return is_admin(interaction) or (
        interaction.guild_id is not None and interaction.permissions.manage_messages
    )


def require_admin(interaction: discord.Interaction[Any], doing: str) -> None:
    """Raise :class:`PermissionDenied` unless the member is an admin. ``doing`` completes
    "Only server admins can …", e.g. "change the rating scale"."""
    if not is_admin(interaction):
        raise PermissionDenied(
            f"Only server admins (the Manage Server permission) can {doing}. "
            "Ask one of them to do it."
        )


def require_moderator(interaction: discord.Interaction[Any], doing: str) -> None:
    """Raise :class:`PermissionDenied` unless the member is a moderator."""
    if not is_moderator(interaction):
        raise PermissionDenied(
            f"Only moderators (Manage Server or Manage Messages) can {doing}. "
            "Ask one of them to do it."
        )
