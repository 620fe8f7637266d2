"""README's code map (command → cog → services → repositories → render) is true: every
command of the tree has a row, its callback lives in the cog named, and each module named
is really used on that path (imported by the cog, the bot, the bot's Services or a named
service)."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from discord import app_commands

from bot.app import MarginaliaBot, cog_extensions
from bot.config import load_settings
from bot.db.engine import Database

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- code map:"


@dataclass(frozen=True)
class Row:
    commands: frozenset[str]
    cog: str
    services: tuple[str, ...]
    repositories: tuple[str, ...]
    render: tuple[str, ...]


def _modules(cell: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([a-z_.]+)`", cell))


def _commands(cell: str) -> frozenset[str]:
    names: set[str] = set()
    for spec in re.findall(r"`/([^`]+)`", cell):
        first, *others = spec.split("\\|")
        words = first.split()
        names.add(" ".join(words))
        names.update(f"{words[0]} {other}" for other in others)  # as the command table
    return frozenset(names)


def code_map(readme: str) -> list[Row]:
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(MARKER))
    rows: list[Row] = []
    for line in lines[start + 3 :]:
        if not line.startswith("|"):
            break
        # "\|" inside a command cell is an escaped bar, not a cell boundary
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        commands, cog, services, repositories, render = cells
        rows.append(
            Row(
                _commands(commands),
                _modules(cog)[0],
                _modules(services),
                _modules(repositories),
                _modules(render),
            )
        )
    return rows


def _files(module: str) -> list[Path]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, f"{module} does not exist"
    origin = Path(spec.origin)
    return sorted(origin.parent.glob("*.py")) if origin.name == "__init__.py" else [origin]


def imported_by(module: str) -> set[str]:
    """Every module ``module`` (or, for a package, any of its files) imports, at any level."""
    found: set[str] = set()
    for path in _files(module):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def _uses(importer: str, module: str) -> bool:
    return any(m == module or m.startswith(module + ".") for m in imported_by(importer))


@pytest.fixture
async def leaves(database: Database) -> AsyncIterator[dict[str, str]]:
    """Every slash command's qualified name → the module of its callback."""
    settings = load_settings(environ={}, env_file=None)
    async with httpx.AsyncClient() as client:
        bot = MarginaliaBot(settings=settings, database=database, http_client=client)
        async with bot:
            for extension in cog_extensions():
                await bot.load_extension(extension)
            found: dict[str, str] = {}
            stack = list(bot.tree.get_commands())
            while stack:
                command = stack.pop()
                if isinstance(command, app_commands.Group):
                    stack.extend(command.commands)
                elif isinstance(command, app_commands.Command):
                    found[command.qualified_name] = command.callback.__module__
            yield found


def test_the_map_parses_escaped_bars_and_lists() -> None:
    row = code_map(
        f"{MARKER} x -->\n| a | b | c | d | e |\n|---|---|---|---|---|\n"
        "| `/rate`, `/scale show\\|set` | `cogs.ratings` | `bot.services.ratings` | "
        "`bot.db.ratings`, `bot.db.guild_settings` | — |\n\nafter"
    )
    assert row == [
        Row(
            frozenset({"rate", "scale show", "scale set"}),
            "cogs.ratings",
            ("bot.services.ratings",),
            ("bot.db.ratings", "bot.db.guild_settings"),
            (),
        )
    ]


async def test_every_command_has_one_row_naming_its_cog(leaves: dict[str, str]) -> None:
    rows = code_map(README.read_text())
    mapped = [name for row in rows for name in row.commands]
    assert sorted(mapped) == sorted(set(mapped)), "a command is in two rows"
    assert set(mapped) == set(leaves), (
        f"missing from the map: {sorted(set(leaves) - set(mapped))}; "
        f"in the map but not registered: {sorted(set(mapped) - set(leaves))}"
    )
    for row in rows:
        for name in row.commands:
            module = leaves[name]
            assert module == row.cog or module.startswith(row.cog + "."), (name, module, row.cog)


def test_every_module_named_is_on_the_commands_path() -> None:
    for row in code_map(README.read_text()):
        for service in row.services:
            assert (
                _uses(row.cog, service)
                or _uses("bot.app", service)
                or _uses("bot.services.registry", service)  # bot.services, built by the bot
            ), (row.cog, service)
        for repository in row.repositories:
            assert any(_uses(s, repository) for s in row.services), (row.services, repository)
        for render in row.render:
            assert _uses(row.cog, render), (row.cog, render)
