"""The guild guard every cog uses: one check, one reply, and it survives ``python -O``."""

from __future__ import annotations

from typing import Any
from unittest.mock import create_autospec

import discord
import pytest
from discord import app_commands

from bot.errors import PermissionDenied
from bot.tree import _describe_check_failure
from cogs._checks import guild_id_of, guild_of, is_admin


def _interaction(guild_id: int | None, guild: Any = None) -> Any:
    interaction = create_autospec(discord.Interaction, instance=True)
    interaction.guild_id = guild_id
    interaction.guild = guild
    return interaction


def test_guild_id_of_a_server_interaction() -> None:
    assert guild_id_of(_interaction(42)) == 42


def test_outside_a_server_is_one_check_failure_with_one_reply() -> None:
    with pytest.raises(app_commands.NoPrivateMessage) as caught:
        guild_id_of(_interaction(None))
    assert _describe_check_failure(caught.value) == "This command only works inside a server."
    with pytest.raises(app_commands.NoPrivateMessage):
        guild_of(_interaction(None))
    with pytest.raises(app_commands.NoPrivateMessage):
        is_admin(_interaction(None))


def test_a_server_not_loaded_yet_is_said_so() -> None:
    with pytest.raises(PermissionDenied, match="still loading"):
        guild_of(_interaction(42, guild=None))
    guild = create_autospec(discord.Guild, instance=True)
    assert guild_of(_interaction(42, guild=guild)) is guild
