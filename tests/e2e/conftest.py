"""Fixtures for the end-to-end tests: the real MarginaliaBot against the local Discord server.

``world`` builds a server ("Book Club") with an admin, a moderator and two members, and
channels general / reviews / modlog; ``marginalia`` runs the bot on this test's migrated
database (SQLite, or PostgreSQL with ``TEST_DATABASE_URL``: see tests/conftest.py) with the
metadata sources served by :class:`MetadataStub`. ``World``, ``run_marginalia`` (to restart
the bot on the same database inside a test) and the text helpers are in tests/e2e/world.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.app import MarginaliaBot
from bot.db.engine import Database
from fake_discord import (
    ALL_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
)
from fake_discord.pytest_plugin import fake_discord
from tests.e2e.world import TOKEN, World, run_marginalia

__all__ = ["fake_discord", "marginalia", "world"]


@pytest.fixture(autouse=True)
def _no_errors_logged(request: pytest.FixtureRequest) -> Iterator[None]:
    """No e2e test may end with an error logged by the bot (the "something went wrong"
    path, a failed task, an unhandled exception), unless it is marked
    ``@pytest.mark.errors_expected`` because that is what it tests."""
    if "world" not in request.fixturenames or request.node.get_closest_marker("errors_expected"):
        yield
        return
    world: World = request.getfixturevalue("world")  # set up first, so torn down after this
    yield
    assert not world.rig.error_logs, world.rig.diagnostics()


@pytest.fixture
async def world(fake_discord: FakeDiscord, database: Database, database_url: str) -> World:
    fake_discord.token = TOKEN
    guild = fake_discord.add_guild("Book Club", channels=["general", "reviews", "modlog"])
    admins = guild.add_role("Admin", ALL_PERMISSIONS)
    moderators = guild.add_role("Moderator", MODERATOR_PERMISSIONS)
    return World(
        rig=fake_discord,
        database=database,
        database_url=database_url,
        guild=guild,
        admin=guild.add_member("ada", roles=[admins]),
        moderator=guild.add_member("mo", roles=[moderators]),
        alice=guild.add_member("alice"),
        bob=guild.add_member("bob"),
        general=guild.channel("general"),
        reviews=guild.channel("reviews"),
        modlog=guild.channel("modlog"),
    )


@pytest.fixture
async def marginalia(world: World) -> AsyncIterator[MarginaliaBot]:
    async with run_marginalia(world) as bot:
        yield bot
