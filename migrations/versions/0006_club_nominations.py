"""Nominations for the club's next read (SPEC §11): one per member and one per book in a
server, until a moderator picks the next read.

Revision ID: 0006_club_nominations
Revises: 0005_quotes
Create Date: 2026-12-05 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_club_nominations"
down_revision: str | None = "0005_quotes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "club_nominations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("pitch", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_club_nominations_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_nominations")),
        sa.UniqueConstraint(
            "guild_id", "book_id", name=op.f("uq_club_nominations_guild_id_book_id")
        ),
        sa.UniqueConstraint(
            "guild_id", "user_id", name=op.f("uq_club_nominations_guild_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("club_nominations")
