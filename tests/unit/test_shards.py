"""bot/shards.py: Discord's shard formula, and which process owns (and serves) a guild."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import MarginaliaBot
from bot.config import load_settings
from bot.db.engine import Database
from bot.shards import client_owns_guild, owns_guild, serves_guild, shard_of

# A snowflake made at millisecond ``ms`` after Discord's epoch (low 22 bits: worker etc.).
SNOWFLAKES = st.builds(
    lambda ms, low: (ms << 22) | low, st.integers(0, 2**41), st.integers(0, 2**22 - 1)
)


def test_shard_of_is_discords_formula() -> None:
    # the example of Discord's gateway documentation: (guild_id >> 22) % num_shards
    guild_id = 197038439483310086
    assert shard_of(guild_id, 1) == 0
    assert shard_of(guild_id, 2) == (guild_id >> 22) % 2
    assert shard_of(5 << 22, 3) == 2
    assert shard_of((5 << 22) | (2**22 - 1), 3) == 2  # the low bits never matter


def test_shard_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        shard_of(1 << 22, 0)


def test_one_process_owns_everything() -> None:
    assert owns_guild(123 << 22, None, None)
    assert owns_guild(123 << 22, 4, None)  # every shard in this process
    assert owns_guild(123 << 22, None, [0])  # no count: one shard


@given(
    guild_id=SNOWFLAKES,
    shard_count=st.integers(1, 16),
    processes=st.integers(1, 16),
)
def test_every_guild_has_exactly_one_owner(guild_id: int, shard_count: int, processes: int) -> None:
    """SHARD_IDS dealt out to several processes: exactly one of them owns each guild."""
    split = [range(p, shard_count, processes) for p in range(processes)]
    owners = [ids for ids in split if owns_guild(guild_id, shard_count, list(ids))]
    assert len(owners) == 1
    assert shard_of(guild_id, shard_count) in owners[0]


@dataclass
class StubClient:
    shard_count: int | None
    shard_ids: Collection[int] | None
    guilds: set[int] = field(default_factory=set)

    def get_guild(self, id: int, /) -> object | None:
        return object() if id in self.guilds else None


def test_a_client_owns_its_shards_guilds_and_serves_those_it_is_in() -> None:
    mine, theirs, left = 2 << 22, 3 << 22, 4 << 22  # shards 0, 1, 0 of 2
    client = StubClient(shard_count=2, shard_ids=[0], guilds={mine})
    assert client_owns_guild(client, mine) and client_owns_guild(client, left)
    assert not client_owns_guild(client, theirs)
    assert serves_guild(client, mine)
    assert not serves_guild(client, left)  # owned, but the bot is not in it now
    client.guilds.add(theirs)  # a cache out of step with SHARD_IDS still does not make it ours
    assert not serves_guild(client, theirs)


async def test_the_bot_owns_the_guilds_of_the_shards_it_runs(database: Database) -> None:
    """The real client fits :class:`ShardedClient`: SHARD_IDS decide, and the digest posts
    only in owned guilds the bot is in."""
    settings = load_settings(environ={"SHARD_COUNT": "2", "SHARD_IDS": "1"}, env_file=None)
    async with httpx.AsyncClient() as client:
        bot = MarginaliaBot(settings=settings, database=database, http_client=client)
        async with bot:
            await bot.load_extension("cogs.digest")
            mine, theirs = 3 << 22, 2 << 22
            assert client_owns_guild(bot, mine) and not client_owns_guild(bot, theirs)
            digest = bot.get_cog("Digest")
            # load_extension imports its own copy of cogs.digest: no isinstance here
            scheduler: Any = getattr(digest, "scheduler", None)
            assert not scheduler.owns_guild(mine)  # owned, but not in its guild cache
