"""Every cog loads without connecting; command names are unique and all are described."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import discord
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


def _leaves(loaded_bot: MarginaliaBot) -> set[str]:
    everything = _walk(list(loaded_bot.tree.get_commands()))  # type: ignore[arg-type]
    return {c.qualified_name for c in everything if isinstance(c, app_commands.Command)}


def readme_commands(readme: str) -> set[str]:
    """The slash commands README's command table names: `/book search\\|info\\|add` is
    /book search, /book info and /book add."""
    names: set[str] = set()
    for line in readme.splitlines():
        if not line.startswith("| `/"):
            continue
        for spec in re.findall(r"`/([^`]+)`", line.split(" | ")[0]):
            first, *others = spec.split("\\|")
            words = first.split()
            names.add(" ".join(words))
            names.update(f"{words[0]} {other}" for other in others)
    return names


def test_readme_table_parsing_can_tell_a_difference() -> None:
    table = "| `/book search\\|info`, `/rate` | x |\n| `/club pick\\|schedule add` | y |"
    assert readme_commands(table) == {
        "book search",
        "book info",
        "rate",
        "club pick",
        "club schedule add",
    }


async def test_readme_lists_exactly_the_registered_commands(loaded_bot: MarginaliaBot) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    documented = readme_commands(readme)
    registered = _leaves(loaded_bot)
    assert registered - documented == set(), "commands missing from README's table"
    assert documented - registered == set(), "README lists commands that are not registered"


async def test_every_command_is_described(loaded_bot: MarginaliaBot) -> None:
    slash = loaded_bot.tree.get_commands(type=discord.AppCommandType.chat_input)
    everything = _walk(list(slash))  # type: ignore[arg-type]
    assert "about" in {command.qualified_name for command in everything}
    for command in everything:
        assert command.description and command.description != "…", command.qualified_name
        assert len(command.description) <= 100
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description and parameter.description != "…", (
                    f"{command.qualified_name}: option {parameter.name} has no description"
                )


async def test_every_cog_module_adds_commands_and_every_command_has_a_cog(
    loaded_bot: MarginaliaBot,
) -> None:
    """Each module under cogs/ is an extension that brings a cog with commands (or
    listeners), and no command is registered outside a cog."""
    modules = cog_extensions()
    assert modules and all(m.startswith("cogs.") for m in modules)
    cog_modules = {
        type(cog).__module__.rsplit(".", 1)[0]
        if type(cog).__module__.count(".") > 1
        else type(cog).__module__
        for cog in loaded_bot.cogs.values()
    }
    assert set(modules) <= cog_modules, set(modules) - cog_modules
    for command in loaded_bot.tree.get_commands():
        module = command.module or ""
        assert any(module == m or module.startswith(f"{m}.") for m in modules), (
            f"/{command.name} comes from {module!r}, not from a cog module"
        )


async def test_the_message_menu_is_guild_only(loaded_bot: MarginaliaBot) -> None:
    [menu] = loaded_bot.tree.get_commands(type=discord.AppCommandType.message)
    assert menu.name == "Save as quote" and menu.guild_only
