"""Snowflake ids and timestamps, shaped like Discord's."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

#: Discord's epoch (2015-01-01T00:00:00Z) in milliseconds.
DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Hands out unique, increasing snowflakes.

    Every id gets its own millisecond (``id >> 22`` increases by one each time), so ids are
    unique without a worker/sequence part, sort by creation order, and consecutive guild ids
    fall on different shards (``(guild_id >> 22) % shard_count``), which makes sharding tests
    deterministic.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime.now(UTC)
        first_ms = int(start.timestamp() * 1000) - DISCORD_EPOCH_MS
        self._counter = itertools.count(first_ms)

    def __call__(self) -> int:
        return next(self._counter) << 22


def snowflake_time(snowflake: int) -> datetime:
    """The creation time encoded in ``snowflake``."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def iso(moment: datetime | None = None) -> str:
    """An ISO 8601 timestamp as Discord writes them (``now`` when omitted)."""
    return (moment or datetime.now(UTC)).isoformat()
