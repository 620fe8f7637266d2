"""The server's rating scale read in one statement (``scale_of``, run by every /rate unit)
is the step of its settings row and its labels, read separately."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import guild_settings as settings_repo
from bot.db.engine import Connection, Database
from bot.domain.scale import RatingScale
from bot.domain.stars import DEFAULT_STEP, RatingStep

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BARE, LABELS_ONLY, STEP_ONLY, BOTH = 1, 2, 3, 4


def _both_ways(conn: Connection, guild_id: int) -> tuple[RatingScale, RatingScale]:
    separately = RatingScale(
        settings_repo.settings_of(conn, guild_id).rating_step,
        settings_repo.labels_of(conn, guild_id),
    )
    return settings_repo.scale_of(conn, guild_id), separately


async def test_the_scale_in_one_statement_is_the_step_and_the_labels(database: Database) -> None:
    async with database.write() as conn:
        await settings_repo.set_label(conn, LABELS_ONLY, 14, "Half-way there")
        await settings_repo.set_rating_step(conn, STEP_ONLY, RatingStep.WHOLE, NOW)
        await settings_repo.set_rating_step(conn, BOTH, RatingStep.QUARTER, NOW)
        await settings_repo.set_label(conn, BOTH, 13, "Just above three")
        await settings_repo.set_label(conn, BOTH, 20, "The best")
    expected = {
        BARE: RatingScale(DEFAULT_STEP, {}),
        LABELS_ONLY: RatingScale(DEFAULT_STEP, {14: "Half-way there"}),
        STEP_ONLY: RatingScale(RatingStep.WHOLE, {}),
        BOTH: RatingScale(RatingStep.QUARTER, {13: "Just above three", 20: "The best"}),
    }
    for guild_id, scale in expected.items():
        one, separately = await database.run_read(_both_ways, guild_id)
        assert one.step == separately.step == scale.step, guild_id
        assert dict(one.custom_labels) == dict(separately.custom_labels), guild_id
        assert dict(one.custom_labels) == dict(scale.custom_labels), guild_id
