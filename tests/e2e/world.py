"""The e2e tests' world: a server on the local Discord server and the real bot run against it.

The fixtures that build it are in tests/e2e/conftest.py; this module holds what tests
import: ``World``, ``run_marginalia`` (to restart the bot on the same database inside a
test) and helpers that read the visible text of what the bot sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.app import MarginaliaBot
from bot.config import Settings
from bot.db.engine import Database
from bot.domain.clock import FakeClock
from fake_discord import FakeChannel, FakeDiscord, FakeGuild, FakeMember, running_bot
from tests.e2e.metadata_stub import COVERS, GOOGLE, OPENLIBRARY, MetadataStub
from tests.support.ids import WEDNESDAY_NOON

START = WEDNESDAY_NOON  # the clock of every e2e test starts here
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
