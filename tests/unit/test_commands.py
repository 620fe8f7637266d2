"""Every cog loads without connecting; command names are unique and all are described."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from discord import app_commands

from bot.app import MarginaliaBot, cog_extensions
from bot.config import load_settings
from bot.db.engine import Database


@pytest.fixture
async def loaded_bot(database: Database) -> AsyncIterator[MarginaliaBot]:
    settings = load_settings(environ={}, env_file=None)
    async with httpx.AsyncClient() as client:
        bot = MarginaliaBot(settings=settings, database=database, http_client=client)
        # the context initialises the client without logging in, so the cogs' task loops
        # wait for a ready that never comes instead of failing, and close() cancels them
        async with bot:
            for extension in cog_extensions():
                await bot.load_extension(extension)
            yield bot


def _walk(
    commands: list[app_commands.Command[..., object] | app_commands.Group],
) -> list[app_commands.Command[..., object] | app_commands.Group]:
    out: list[app_commands.Command[..., object] | app_commands.Group] = []
    for command in commands:
        out.append(command)
        if isinstance(command, app_commands.Group):
            out.extend(_walk(list(command.commands)))
    return out


async def test_every_command_unique_and_described(loaded_bot: MarginaliaBot) -> None:
    everything = _walk(list(loaded_bot.tree.get_commands()))  # type: ignore[arg-type]
    names = [command.qualified_name for command in everything]
    assert len(names) == len(set(names)), f"duplicate command names: {names}"
    assert "about" in names
    for command in everything:
        assert command.description and command.description != "…", command.qualified_name
        assert len(command.description) <= 100
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description and parameter.description != "…", (
                    f"{command.qualified_name}: option {parameter.name} has no description"
                )


async def test_every_extension_is_a_cog_module() -> None:
    assert "cogs.about" in cog_extensions()
