"""A server's settings row (``guild_settings``) and its rating-scale labels (``scale_labels``).

A server without a row has the defaults: :func:`get` never returns None, and the setters
create the row on first use. Later features add their own setters here (digest schedule…);
:class:`GuildSettings` already carries every column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, null, select, union_all
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.dialect import insert_or_update
from bot.db.schema import guild_settings, scale_labels
from bot.domain.scale import RatingScale
from bot.domain.stars import DEFAULT_STEP, RatingStep


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """Every column of ``guild_settings``; the defaults are what a server without a row has."""

    guild_id: int
    rating_step: RatingStep = DEFAULT_STEP
    review_channel_id: int | None = None
    modlog_channel_id: int | None = None
    club_channel_id: int | None = None  # None: the channel of the latest /club pick
    # members with this role count as moderators (/settings moderator-role); the role may
    # have been deleted since: only the cog, which sees the server's roles, can tell
    moderator_role_id: int | None = None
    digest_channel_id: int | None = None
    digest_weekday: int | None = None  # 0 = Monday … 6 = Sunday
    digest_hour: int | None = None  # 0..23, in digest_timezone
    digest_timezone: str | None = None  # an IANA zone name
    digest_enabled: bool = False
    # when the schedule was set up or re-enabled (no catch-up post for a slot before it)
    digest_configured_at: datetime | None = None
    left_at: datetime | None = None  # when the bot left the server (purge after 30 days)
    created_at: datetime | None = None  # None while the server has no row yet
    updated_at: datetime | None = None

    @property
    def stored(self) -> bool:
        """Whether the server has a row (False means every value is a default)."""
        return self.created_at is not None


def _from_row(row: RowMapping) -> GuildSettings:
    return GuildSettings(
        guild_id=int(row["guild_id"]),
        rating_step=RatingStep(row["rating_step"]),
        review_channel_id=row["review_channel_id"],
        modlog_channel_id=row["modlog_channel_id"],
        club_channel_id=row["club_channel_id"],
        moderator_role_id=row["moderator_role_id"],
        digest_channel_id=row["digest_channel_id"],
        digest_weekday=row["digest_weekday"],
        digest_hour=row["digest_hour"],
        digest_timezone=row["digest_timezone"],
        digest_enabled=bool(row["digest_enabled"]),
        digest_configured_at=row["digest_configured_at"],
        left_at=row["left_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# statements built once (bindparam): units of work find their compiled form in the cache
_SETTINGS = select(guild_settings).where(guild_settings.c.guild_id == bindparam("guild_id"))
_LABELS = select(scale_labels.c.quarters, scale_labels.c.label).where(
    scale_labels.c.guild_id == bindparam("guild_id")
)
# the step (one row, if the server has settings) and the labels in one statement: a
# /rate unit runs this on every rating
_SCALE = union_all(
    select(
        guild_settings.c.rating_step, cast(null(), Integer).label("q"), cast(null(), String)
    ).where(guild_settings.c.guild_id == bindparam("guild_id")),
    select(cast(null(), String(8)), scale_labels.c.quarters, scale_labels.c.label).where(
        scale_labels.c.guild_id == bindparam("guild_id")
    ),
)


def settings_of(conn: Connection, guild_id: int) -> GuildSettings:
    """The server's settings, or the defaults when it has no row yet."""
    row = conn.execute(_SETTINGS, {"guild_id": guild_id}).mappings().first()
    return _from_row(row) if row else GuildSettings(guild_id=guild_id)


def labels_of(conn: Connection, guild_id: int) -> dict[int, str]:
    """The server's custom scale labels (quarters → label)."""
    rows = conn.execute(_LABELS, {"guild_id": guild_id})
    return {int(quarters): str(label) for quarters, label in rows.all()}


def scale_of(conn: Connection, guild_id: int) -> RatingScale:
    """The server's step and labels in one value (one statement)."""
    step = DEFAULT_STEP
    labels: dict[int, str] = {}
    for rating_step, quarters, label in conn.execute(_SCALE, {"guild_id": guild_id}):
        if quarters is None:
            step = RatingStep(rating_step)
        else:
            labels[int(quarters)] = str(label)
    return RatingScale(step, labels)


async def get(conn: AsyncConnection, guild_id: int) -> GuildSettings:
    """The server's settings, or the defaults when it has no row yet."""
    return await conn.run_sync(settings_of, guild_id)


async def update(conn: AsyncConnection, guild_id: int, now: datetime, **values: Any) -> None:
    """Set ``values`` (column → value) on the server's row, creating the row if needed.

    For the setters of this module and of later features; call inside a write transaction.
    An upsert: two commands may create a server's row at the same time.
    """
    unknown = set(values) - set(guild_settings.c.keys())
    if unknown or {"guild_id", "created_at", "updated_at"} & set(values):
        raise ValueError(f"not settable guild settings: {sorted(values)}")
    row = {"guild_id": guild_id, **values, "created_at": now, "updated_at": now}
    await conn.execute(
        insert_or_update(conn, guild_settings, row, ["guild_id"], keep=["created_at"])
    )


async def set_review_channel(
    conn: AsyncConnection, guild_id: int, channel_id: int | None, now: datetime
) -> None:
    """Where reviews are posted; None means "the channel the command was used in"."""
    await update(conn, guild_id, now, review_channel_id=channel_id)


async def set_club_channel(
    conn: AsyncConnection, guild_id: int, channel_id: int | None, now: datetime
) -> None:
    """Where club announcements, votes and reminders go; None means the channel of the
    latest ``/club pick``."""
    await update(conn, guild_id, now, club_channel_id=channel_id)


async def set_modlog_channel(
    conn: AsyncConnection, guild_id: int, channel_id: int | None, now: datetime
) -> None:
    """Where flags and posting failures are reported; None means nowhere."""
    await update(conn, guild_id, now, modlog_channel_id=channel_id)


async def set_moderator_role(
    conn: AsyncConnection, guild_id: int, role_id: int | None, now: datetime
) -> None:
    """Members with this role count as moderators; None: only the permissions count."""
    await update(conn, guild_id, now, moderator_role_id=role_id)


async def set_rating_step(
    conn: AsyncConnection, guild_id: int, step: RatingStep, now: datetime
) -> None:
    await update(conn, guild_id, now, rating_step=step.value)


# --- the scale's custom labels ------------------------------------------------------------


async def custom_labels(conn: AsyncConnection, guild_id: int) -> dict[int, str]:
    return await conn.run_sync(labels_of, guild_id)


async def get_scale(conn: AsyncConnection, guild_id: int) -> RatingScale:
    """The server's step and labels in one value."""
    return await conn.run_sync(scale_of, guild_id)


async def set_label(conn: AsyncConnection, guild_id: int, quarters: int, label: str) -> None:
    row = {"guild_id": guild_id, "quarters": quarters, "label": label}
    await conn.execute(insert_or_update(conn, scale_labels, row, ["guild_id", "quarters"]))


async def delete_label(conn: AsyncConnection, guild_id: int, quarters: int) -> None:
    await conn.execute(
        scale_labels.delete().where(
            scale_labels.c.guild_id == guild_id, scale_labels.c.quarters == quarters
        )
    )
