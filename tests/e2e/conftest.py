"""Fixtures for the end-to-end tests: the real MarginaliaBot against the local Discord server.

``world`` builds a server ("Book Club") with an admin, a moderator and two members, and
channels general / reviews / modlog; ``marginalia`` runs the bot on this test's migrated
database (SQLite, or PostgreSQL with ``TEST_DATABASE_URL``: see tests/conftest.py) with the
metadata sources served by :class:`MetadataStub`. To restart the bot on
the same database inside a test, use ``run_marginalia(world)`` twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.app import MarginaliaBot
from bot.config import Settings
from bot.db.engine import Database
from bot.domain.clock import FakeClock
from tests.e2e.fake_discord import (
    ALL_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    running_bot,
)
from tests.e2e.fake_discord.pytest_plugin import fake_discord
from tests.e2e.metadata_stub import COVERS, GOOGLE, OPENLIBRARY, MetadataStub

__all__ = ["fake_discord", "marginalia", "run_marginalia", "world"]

START = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
# shaped like a real token (the app refuses obviously malformed ones)
TOKEN = "MTE3NzU1MDAwMDAwMDAwMDAwMA.GfAkE1.e2e-test-token-not-a-secret-0123456789"


@dataclass
class World:
    rig: FakeDiscord
    database: Database
    database_url: str
    guild: FakeGuild
    admin: FakeMember
    moderator: FakeMember
    alice: FakeMember
    bob: FakeMember
    general: FakeChannel
    reviews: FakeChannel
    modlog: FakeChannel
    metadata: MetadataStub = field(default_factory=MetadataStub)
    clock: FakeClock = field(default_factory=lambda: FakeClock(START))

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "discord_token": None,
            "database_url": self.database_url,
            "openlibrary_base_url": OPENLIBRARY,
            "openlibrary_covers_url": COVERS,
            "google_books_base_url": GOOGLE,
            "discord_api_base": self.rig.api_base,
            "discord_gateway_url": self.rig.gateway_url,
            "sync_commands": "auto",
        }
        values.update(overrides)
        return Settings(**values)


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


@contextlib.asynccontextmanager
async def run_marginalia(
    world: World, *, strict: bool = True, **settings_overrides: Any
) -> AsyncIterator[MarginaliaBot]:
    """Run the real bot against ``world`` until the block ends."""
    async with httpx.AsyncClient(transport=world.metadata.transport()) as client:

        def factory(rig: FakeDiscord) -> MarginaliaBot:
            return MarginaliaBot(
                settings=world.settings(**settings_overrides),
                database=world.database,
                http_client=client,
                clock=world.clock,
                guild_ready_timeout=0.05,
            )

        async with running_bot(factory, world.rig, strict=strict) as bot:
            yield bot


@pytest.fixture
async def marginalia(world: World) -> AsyncIterator[MarginaliaBot]:
    async with run_marginalia(world) as bot:
        yield bot


def embed_text(embed: dict[str, Any]) -> str:
    """Every visible string of an embed, for assertions."""
    parts = [embed.get("title", ""), embed.get("description", "")]
    for f in embed.get("fields", []):
        parts += [f.get("name", ""), f.get("value", "")]
    parts.append((embed.get("footer") or {}).get("text", ""))
    parts.append((embed.get("author") or {}).get("name", ""))
    return "\n".join(p for p in parts if p)


def all_text(embeds: list[dict[str, Any]], content: str | None = "") -> str:
    return "\n".join([content or "", *(embed_text(e) for e in embeds)])
