"""Follows (issue 14): who follows whom in a server, the notices waiting for followers, when
each follower was last sent a batch, and the member's choice of direct messages.

Revision ID: 0009_follows
Revises: 0008_club_votes
Create Date: 2026-12-05 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_follows"
down_revision: str | None = "0008_club_votes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_follows",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("followed_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "guild_id", "user_id", "followed_id", name=op.f("pk_member_follows")
        ),
    )
    op.create_index(
        op.f("ix_member_follows_guild_id_followed_id"),
        "member_follows",
        ["guild_id", "followed_id"],
        unique=False,
    )
    op.create_table(
        "follow_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("book_title", sa.String(length=300), nullable=False),
        sa.Column("excerpt", sa.String(length=400), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('review', 'quote')", name=op.f("ck_follow_notices_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_notices")),
    )
    op.create_index(
        op.f("ix_follow_notices_sent_at_guild_id_user_id"),
        "follow_notices",
        ["sent_at", "guild_id", "user_id"],
        unique=False,
    )
    op.create_table(
        "follow_dm_log",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_follow_dm_log")),
    )
    op.create_table(
        "member_notifications",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("follows", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_member_notifications")),
    )


def downgrade() -> None:
    op.drop_table("member_notifications")
    op.drop_table("follow_dm_log")
    op.drop_index(op.f("ix_follow_notices_sent_at_guild_id_user_id"), table_name="follow_notices")
    op.drop_table("follow_notices")
    op.drop_index(op.f("ix_member_follows_guild_id_followed_id"), table_name="member_follows")
    op.drop_table("member_follows")
