"""The layering of ARCHITECTURE.md, checked on the source: no import cycle among the modules of
bot/ and cogs/, and no import that crosses a layer the wrong way.

Imports are read with :mod:`ast`, not by importing: every ``import`` statement counts, at
module level, inside a function (a function-level import hides a cycle from Python, not from
this test) and under ``if TYPE_CHECKING:`` (a type that needs the module above is a
dependency on it all the same). The last tests run the checks on small made-up packages, so
a check that stopped finding anything would fail too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "cogs")


@dataclass(frozen=True, slots=True)
class Import:
    """One imported name as the importing module sees it."""

    target: str  # a module of the project ("bot.db.clubs"), else the imported dotted name
    line: int
    internal: bool  # target is a module of the project


def project_modules(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of ``packages`` under ``root`` by dotted name (a package by its own)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _owner(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a project module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, modules: Mapping[str, Path]) -> list[Import]:
    """Every import in ``module``, anywhere in its body, with the packages it runs."""
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def add(name: str, line: int) -> None:
        owner = _owner(name, modules)
        found.append(Import(owner or name, line, owner is not None))
        # importing bot.x.y runs bot/x/__init__.py first (unless the importer is inside it)
        parent = (owner or "").rpartition(".")[0]
        while parent:
            if parent in modules and not _under(module, parent):
                found.append(Import(parent, line, True))
            parent = parent.rpartition(".")[0]

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                # `from bot.db import clubs` imports the module bot.db.clubs
                submodule = f"{source}.{alias.name}"
                add(submodule if submodule in modules else source, node.lineno)
    return found


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    return {
        module: {i.target for i in imports_of(module, modules) if i.internal} - {module}
        for module in modules
    }


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe_cycle(component: list[str], graph: Mapping[str, set[str]]) -> str:
    inside = set(component)
    return "; ".join(
        f"{module} -> {', '.join(sorted(graph[module] & inside))}" for module in component
    )


# --- the layer rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """Modules under ``layer`` must not import anything under one of ``forbidden``."""

    layer: str
    forbidden: tuple[str, ...]
    why: str
    allowed_in: tuple[str, ...] = ()  # modules of the layer the rule does not apply to


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


RULES = (
    Rule("bot.services", ("discord",), "a service never imports discord"),
    Rule("bot.domain", ("discord",), "the domain never imports discord"),
    Rule(
        "bot",
        ("sqlalchemy",),
        "queries live in bot/db only: name connections from bot.db.engine",
        allowed_in=("bot.db",),
    ),
    Rule("cogs", ("sqlalchemy", "bot.db.schema"), "a cog never builds a query"),
    Rule("bot.render", ("cogs",), "render never calls back up into the cogs"),
    Rule("bot", ("cogs",), "the core does not import the cogs (app loads them by name)"),
    Rule(
        "bot.domain",
        (
            "bot.app",
            "bot.cli",
            "bot.config",
            "bot.db",
            "bot.metadata",
            "bot.render",
            "bot.runner",
            "bot.services",
        ),
        "the domain is pure rules: it imports only the domain and bot.errors",
    ),
    Rule(
        "bot.db",
        ("bot.services", "bot.render", "bot.app", "bot.runner", "bot.cli", "discord"),
        "a repository knows nothing above it",
    ),
    Rule(
        "bot.services",
        ("bot.render", "bot.app", "bot.runner", "bot.cli", "cogs"),
        "a service returns data; it does not draw or reach the bot",
    ),
)


def layer_leaks(
    root: Path, modules: Mapping[str, Path], rules: Iterable[Rule] = RULES
) -> list[str]:
    leaks: list[str] = []
    for module in sorted(modules):
        imported = imports_of(module, modules)
        for rule in rules:
            if not _under(module, rule.layer):
                continue
            if any(_under(module, exempt) for exempt in rule.allowed_in):
                continue
            for item in imported:
                if any(_under(item.target, bad) for bad in rule.forbidden):
                    where = modules[module].relative_to(root).as_posix()
                    leaks.append(f"{where}:{item.line} imports {item.target} ({rule.why})")
    return leaks


# --- the project ---------------------------------------------------------------------------------


def test_there_is_no_import_cycle_among_bot_and_cogs() -> None:
    modules = project_modules(ROOT)
    assert "bot.app" in modules and "cogs" in modules  # the walk found the source
    graph = import_graph(modules)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe_cycle(c, graph) for c in found)


def test_no_module_imports_across_a_layer_the_wrong_way() -> None:
    leaks = layer_leaks(ROOT, project_modules(ROOT))
    assert not leaks, "layer leaks:\n" + "\n".join(leaks)


# --- the checks find what they look for ----------------------------------------------------------


def _write(root: Path, files: Mapping[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project_modules(root, ("bot", "cogs"))


@pytest.mark.parametrize(
    "second",
    [
        "from bot import first\n",
        "def later() -> None:\n    from bot.first import thing\n",  # hidden in a function
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.first import X\n",
        "from . import first\n",
        "import bot.first.inner\n",  # a submodule of the package on the cycle
    ],
)
def test_a_cycle_is_found_however_the_import_is_written(tmp_path: Path, second: str) -> None:
    modules = _write(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/first/__init__.py": "from bot.second import thing\n",
            "bot/first/inner.py": "",
            "bot/second.py": second,
            "cogs/__init__.py": "",
        },
    )
    found = cycles(import_graph(modules))
    assert found and "bot.second" in found[0]


def test_a_chain_is_not_a_cycle(tmp_path: Path) -> None:
    modules = _write(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/a.py": "from bot import b\n",
            "bot/b.py": "def f() -> None:\n    from bot import c\n",
            "bot/c.py": "import discord\n",
            "cogs/__init__.py": "",
            "cogs/x.py": "from bot import a\n",
        },
    )
    assert cycles(import_graph(modules)) == []


def test_layer_leaks_are_found(tmp_path: Path) -> None:
    modules = _write(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/db/__init__.py": "",
            "bot/db/repo.py": "from sqlalchemy import select\n",
            "bot/services/__init__.py": "",
            "bot/services/s.py": "def f() -> None:\n    import discord\n",
            "bot/domain/__init__.py": "",
            "bot/domain/d.py": "from bot.db import repo\n",
            "bot/render/__init__.py": "",
            "bot/render/r.py": "from cogs.c import View\n",
            "bot/render/q.py": "from sqlalchemy.ext.asyncio import AsyncConnection\n",
            "cogs/__init__.py": "",
            "cogs/c.py": "import discord\nfrom bot.services import s\n",
        },
    )
    leaks = "\n".join(layer_leaks(tmp_path, modules))
    assert "bot/services/s.py:2 imports discord" in leaks
    assert "bot/domain/d.py:1 imports bot.db.repo" in leaks
    assert "bot/render/r.py:1 imports cogs.c" in leaks
    assert "bot/render/q.py:1 imports sqlalchemy.ext.asyncio" in leaks
    assert "bot/db/repo.py" not in leaks
    assert "cogs/c.py" not in leaks


def test_a_long_module_says_why_at_its_top() -> None:
    """Issue 10: no module in bot/ or cogs/ over ~400 lines without a reason written at its
    top (a "Length (…)" paragraph in its docstring)."""
    root = Path(__file__).resolve().parents[2]
    unexplained = []
    for path in sorted([*root.glob("bot/**/*.py"), *root.glob("cogs/**/*.py")]):
        text = path.read_text()
        if text.count("\n") <= 420:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "Length (" not in docstring:
            unexplained.append(f"{path.relative_to(root)}: {text.count(chr(10))} lines")
    assert not unexplained, unexplained
