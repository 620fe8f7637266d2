"""Which process serves which guild: Discord's shard formula in one place.

Discord sends a guild's events to shard ``(guild_id >> 22) % shard_count``; a process runs
the shards in ``SHARD_IDS`` (all of them when unset), so it *owns* the guilds whose shard it
runs (SPEC §13: every guild is served by exactly one process). Scheduled work asks
:func:`owns_guild` before touching a guild; work that also needs the guild at hand (posting
in it) asks :func:`serves_guild`, which adds "and the bot is in it now".

Nothing here imports discord: the bot is seen through :class:`ShardedClient`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

#: A snowflake's low 22 bits are worker, process and increment; the rest is its timestamp.
SNOWFLAKE_TIMESTAMP_SHIFT = 22


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord puts the guild on, out of ``shard_count``."""
    if shard_count < 1:
        raise ValueError("shard_count must be at least 1")
    return (guild_id >> SNOWFLAKE_TIMESTAMP_SHIFT) % shard_count


def owns_guild(guild_id: int, shard_count: int | None, shard_ids: Collection[int] | None) -> bool:
    """Whether a process running ``shard_ids`` out of ``shard_count`` serves the guild.

    ``shard_ids`` None: the process runs every shard (one process, or discord.py's own
    automatic sharding), so it owns every guild; ``shard_count`` None counts as one shard.
    """
    if shard_ids is None:
        return True
    return shard_of(guild_id, shard_count or 1) in shard_ids


class ShardedClient(Protocol):
    """What the ownership checks read from the bot (a discord.py ``AutoShardedClient``)."""

    @property
    def shard_count(self) -> int | None: ...

    @property
    def shard_ids(self) -> Collection[int] | None: ...

    def get_guild(self, id: int, /) -> object | None: ...


def client_owns_guild(client: ShardedClient, guild_id: int) -> bool:
    """:func:`owns_guild` for the shards this client runs (whether or not it is in the guild
    now: a guild it left while offline is still this process's to clean up)."""
    return owns_guild(guild_id, client.shard_count, client.shard_ids)


def serves_guild(client: ShardedClient, guild_id: int) -> bool:
    """This process owns the guild and the bot is in it now (not left, not kicked): the
    guilds it posts in."""
    return client_owns_guild(client, guild_id) and client.get_guild(guild_id) is not None
