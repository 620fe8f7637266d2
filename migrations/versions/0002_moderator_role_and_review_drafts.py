"""A server's moderator role (SPEC §1, §9), review drafts (typed text is never lost), and the
messages a failed review post left behind (deleted with the review).

Revision ID: 0002_moderator_role_and_drafts
Revises: 0001_initial
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_moderator_role_and_drafts"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (SQLite has it): no table copy, and a dry run needs no reflection
    op.add_column("guild_settings", sa.Column("moderator_role_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "reviews",
        sa.Column("stray_messages", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.create_table(
        "review_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("stars", sa.String(length=40), nullable=True),
        sa.Column("spoilers_reach", sa.String(length=40), nullable=True),
        sa.Column("headline", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("body", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("spoilers", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("content_warnings", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("recommended_for", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_review_drafts_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_drafts_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_drafts")),
        sa.UniqueConstraint(
            "guild_id", "user_id", "book_id", name=op.f("uq_review_drafts_guild_id_user_id_book_id")
        ),
    )
    op.create_index(
        op.f("ix_review_drafts_updated_at"), "review_drafts", ["updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_drafts_updated_at"), table_name="review_drafts")
    op.drop_table("review_drafts")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("stray_messages")
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("moderator_role_id")
