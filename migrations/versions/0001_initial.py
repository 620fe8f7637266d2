"""Initial schema: every aggregate of SPEC (books, settings, ratings, reviews, readings, shelves,
goals, clubs, digest runs, privacy, command sync).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21 20:28:03.964835
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "books",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ol_work_key", sa.String(length=32), nullable=True),
        sa.Column("google_volume_id", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("subtitle", sa.String(length=512), nullable=True),
        sa.Column("authors", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("isbn13", sa.String(length=13), nullable=True),
        sa.Column("isbn10", sa.String(length=10), nullable=True),
        sa.Column("subjects", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cover_url", sa.String(length=512), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("search_key", sa.String(length=1024), nullable=False),
        sa.Column("created_by_guild_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('openlibrary', 'googlebooks', 'manual', 'import')",
            name=op.f("ck_books_source_known"),
        ),
        sa.CheckConstraint(
            "page_count IS NULL OR page_count > 0", name=op.f("ck_books_page_count_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_books")),
        sa.UniqueConstraint("google_volume_id", name=op.f("uq_books_google_volume_id")),
        sa.UniqueConstraint("ol_work_key", name=op.f("uq_books_ol_work_key")),
    )
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_books_isbn13"), ["isbn13"], unique=False)
        batch_op.create_index(batch_op.f("ix_books_search_key"), ["search_key"], unique=False)

    op.create_table(
        "command_sync_state",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_command_sync_state")),
    )
    op.create_table(
        "digest_runs",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("week_key", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('claimed', 'posted', 'failed', 'abandoned')",
            name=op.f("ck_digest_runs_status_known"),
        ),
        sa.PrimaryKeyConstraint("guild_id", "week_key", name=op.f("pk_digest_runs")),
    )
    op.create_table(
        "goals",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target BETWEEN 1 AND 10000", name=op.f("ck_goals_target_range")),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "year", name=op.f("pk_goals")),
    )
    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("rating_step", sa.String(length=8), server_default="half", nullable=False),
        sa.Column("review_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("modlog_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("digest_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("digest_weekday", sa.Integer(), nullable=True),
        sa.Column("digest_hour", sa.Integer(), nullable=True),
        sa.Column("digest_timezone", sa.String(length=64), nullable=True),
        sa.Column("digest_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("digest_configured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating_step IN ('whole', 'half', 'quarter')",
            name=op.f("ck_guild_settings_rating_step_known"),
        ),
        sa.CheckConstraint(
            "digest_hour IS NULL OR digest_hour BETWEEN 0 AND 23",
            name=op.f("ck_guild_settings_digest_hour_range"),
        ),
        sa.CheckConstraint(
            "digest_weekday IS NULL OR digest_weekday BETWEEN 0 AND 6",
            name=op.f("ck_guild_settings_digest_weekday_range"),
        ),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "member_privacy",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("digest_opt_in", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_member_privacy")),
    )
    op.create_table(
        "metadata_search_cache",
        sa.Column("query_key", sa.String(length=300), nullable=False),
        sa.Column("book_ids", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("query_key", name=op.f("pk_metadata_search_cache")),
    )
    with op.batch_alter_table("metadata_search_cache", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metadata_search_cache_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "scale_labels",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("quarters", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "quarters BETWEEN 2 AND 20", name=op.f("ck_scale_labels_quarters_range")
        ),
        sa.PrimaryKeyConstraint("guild_id", "quarters", name=op.f("pk_scale_labels")),
    )
    op.create_table(
        "shelves",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelves")),
        sa.UniqueConstraint(
            "guild_id", "user_id", "name_key", name=op.f("uq_shelves_guild_id_user_id_name_key")
        ),
    )
    op.create_table(
        "book_isbns",
        sa.Column("isbn13", sa.String(length=13), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_book_isbns_book_id_books"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("isbn13", name=op.f("pk_book_isbns")),
    )
    with op.batch_alter_table("book_isbns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_book_isbns_book_id"), ["book_id"], unique=False)

    op.create_table(
        "clubs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=8), server_default="active", nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_clubs_status_known")),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_clubs_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_clubs_book_id_books"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clubs")),
    )
    with op.batch_alter_table("clubs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_clubs_one_active_per_guild",
            ["guild_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "guild_books",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_guild_books_book_id_books"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("guild_id", "book_id", name=op.f("pk_guild_books")),
    )
    with op.batch_alter_table("guild_books", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guild_books_book_id"), ["book_id"], unique=False)

    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("quarters", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="discord", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quarters BETWEEN 2 AND 20", name=op.f("ck_ratings_quarters_range")),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_ratings_book_id_books"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "guild_id", "user_id", "book_id", name=op.f("uq_ratings_guild_id_user_id_book_id")
        ),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ratings_guild_id_book_id"), ["guild_id", "book_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ratings_guild_id_updated_at"), ["guild_id", "updated_at"], unique=False
        )

    op.create_table(
        "readings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("page_count_override", sa.Integer(), nullable=True),
        sa.Column("progress_page", sa.Integer(), nullable=True),
        sa.Column("progress_percent", sa.Float(), nullable=True),
        sa.Column("progress_mode", sa.String(length=8), nullable=True),
        sa.Column("source", sa.String(length=16), server_default="discord", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "progress_mode IS NULL OR progress_mode IN ('page', 'percent')",
            name=op.f("ck_readings_mode_known"),
        ),
        sa.CheckConstraint(
            "status IN ('want-to-read', 'reading', 'paused', 'finished', 'did-not-finish')",
            name=op.f("ck_readings_status_known"),
        ),
        sa.CheckConstraint(
            "finished_on IS NULL OR started_on IS NULL OR finished_on >= started_on",
            name=op.f("ck_readings_finish_after_start"),
        ),
        sa.CheckConstraint(
            "page_count_override IS NULL OR page_count_override > 0",
            name=op.f("ck_readings_override_positive"),
        ),
        sa.CheckConstraint(
            "progress_page IS NULL OR progress_page >= 0", name=op.f("ck_readings_page_nonnegative")
        ),
        sa.CheckConstraint(
            "progress_percent IS NULL OR progress_percent BETWEEN 0 AND 100",
            name=op.f("ck_readings_percent_range"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_readings_book_id_books"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readings")),
    )
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_readings_guild_id_book_id"), ["guild_id", "book_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_readings_guild_id_user_id_status"),
            ["guild_id", "user_id", "status"],
            unique=False,
        )

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("read_number", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("quarters", sa.Integer(), nullable=True),
        sa.Column("headline", sa.String(length=256), nullable=True),
        sa.Column("body", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("spoilers", sa.Text(), nullable=True),
        sa.Column("spoiler_reach_kind", sa.String(length=8), nullable=True),
        sa.Column("spoiler_reach_value", sa.Float(), nullable=True),
        sa.Column("content_warnings", sa.Text(), nullable=True),
        sa.Column("recommended_for", sa.String(length=256), nullable=True),
        sa.Column("source", sa.String(length=16), server_default="discord", nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("extra_message_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "spoiler_reach_kind <> 'percent' OR spoiler_reach_value BETWEEN 0 AND 100",
            name=op.f("ck_reviews_reach_percent_range"),
        ),
        sa.CheckConstraint(
            "spoiler_reach_kind IS NULL OR spoiler_reach_kind IN ('page', 'percent', 'ending')",
            name=op.f("ck_reviews_reach_kind_known"),
        ),
        sa.CheckConstraint(
            "quarters IS NULL OR quarters BETWEEN 2 AND 20", name=op.f("ck_reviews_quarters_range")
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_reviews_book_id_books"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint(
            "guild_id",
            "user_id",
            "book_id",
            "read_number",
            name=op.f("uq_reviews_guild_id_user_id_book_id_read_number"),
        ),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviews_guild_id_book_id"), ["guild_id", "book_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reviews_guild_id_created_at"), ["guild_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reviews_message_id"), ["message_id"], unique=False)

    op.create_table(
        "shelf_books",
        sa.Column("shelf_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_shelf_books_book_id_books"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shelf_id"],
            ["shelves.id"],
            name=op.f("fk_shelf_books_shelf_id_shelves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shelf_id", "book_id", name=op.f("pk_shelf_books")),
    )
    with op.batch_alter_table("shelf_books", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shelf_books_book_id"), ["book_id"], unique=False)

    op.create_table(
        "club_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("reach_kind", sa.String(length=8), nullable=False),
        sa.Column("reach_value", sa.Float(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reach_kind IN ('page', 'percent')", name=op.f("ck_club_checkpoints_reach_kind_known")
        ),
        sa.CheckConstraint(
            "reach_value >= 0 AND (reach_kind <> 'percent' OR reach_value <= 100)",
            name=op.f("ck_club_checkpoints_reach_value_range"),
        ),
        sa.ForeignKeyConstraint(
            ["club_id"],
            ["clubs.id"],
            name=op.f("fk_club_checkpoints_club_id_clubs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_checkpoints")),
    )
    with op.batch_alter_table("club_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_club_checkpoints_club_id"), ["club_id"], unique=False)

    op.create_table(
        "progress_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("pages_delta", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "page IS NULL OR page >= 0", name=op.f("ck_progress_events_page_nonnegative")
        ),
        sa.CheckConstraint(
            "percent IS NULL OR percent BETWEEN 0 AND 100",
            name=op.f("ck_progress_events_percent_range"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_progress_events_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["readings.id"],
            name=op.f("fk_progress_events_reading_id_readings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_events")),
    )
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_events_guild_id_occurred_at"),
            ["guild_id", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_progress_events_reading_id"), ["reading_id"], unique=False
        )

    op.create_table(
        "review_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_flags_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
        sa.UniqueConstraint("review_id", "user_id", name=op.f("uq_review_flags_review_id_user_id")),
    )
    op.create_table(
        "review_likes",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_likes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "user_id", name=op.f("pk_review_likes")),
    )


def downgrade() -> None:
    op.drop_table("review_likes")
    op.drop_table("review_flags")
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_events_reading_id"))
        batch_op.drop_index(batch_op.f("ix_progress_events_guild_id_occurred_at"))

    op.drop_table("progress_events")
    with op.batch_alter_table("club_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_club_checkpoints_club_id"))

    op.drop_table("club_checkpoints")
    with op.batch_alter_table("shelf_books", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelf_books_book_id"))

    op.drop_table("shelf_books")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_message_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_guild_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_reviews_guild_id_book_id"))

    op.drop_table("reviews")
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_readings_guild_id_user_id_status"))
        batch_op.drop_index(batch_op.f("ix_readings_guild_id_book_id"))

    op.drop_table("readings")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_guild_id_updated_at"))
        batch_op.drop_index(batch_op.f("ix_ratings_guild_id_book_id"))

    op.drop_table("ratings")
    with op.batch_alter_table("guild_books", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guild_books_book_id"))

    op.drop_table("guild_books")
    with op.batch_alter_table("clubs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_clubs_one_active_per_guild",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.drop_table("clubs")
    with op.batch_alter_table("book_isbns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_book_isbns_book_id"))

    op.drop_table("book_isbns")
    op.drop_table("shelves")
    op.drop_table("scale_labels")
    with op.batch_alter_table("metadata_search_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metadata_search_cache_expires_at"))

    op.drop_table("metadata_search_cache")
    op.drop_table("member_privacy")
    op.drop_table("guild_settings")
    op.drop_table("goals")
    op.drop_table("digest_runs")
    op.drop_table("command_sync_state")
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_books_search_key"))
        batch_op.drop_index(batch_op.f("ix_books_isbn13"))

    op.drop_table("books")
