"""Quotes and their likes (SPEC §12), and the chapter a member last logged on a reading
(``/progress update chapter``), kept on the reading and on each progress event.

Revision ID: 0005_quotes
Revises: 0004_member_settings
Create Date: 2026-12-05 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_quotes"
down_revision: str | None = "0004_member_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (SQLite has it): no table copy, and a dry run needs no reflection
    op.add_column("readings", sa.Column("progress_chapter", sa.Integer(), nullable=True))
    op.add_column("progress_events", sa.Column("chapter", sa.Integer(), nullable=True))
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("chapter", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("source_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("source_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(page IS NULL OR (percent IS NULL AND chapter IS NULL)) "
            "AND (percent IS NULL OR chapter IS NULL)",
            name=op.f("ck_quotes_one_position"),
        ),
        sa.CheckConstraint("page IS NULL OR page >= 1", name=op.f("ck_quotes_page_positive")),
        sa.CheckConstraint(
            "percent IS NULL OR percent BETWEEN 0 AND 100", name=op.f("ck_quotes_percent_range")
        ),
        sa.CheckConstraint(
            "chapter IS NULL OR chapter >= 1", name=op.f("ck_quotes_chapter_positive")
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_quotes_book_id_books"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    op.create_index(
        op.f("ix_quotes_guild_id_book_id"), "quotes", ["guild_id", "book_id"], unique=False
    )
    op.create_index(
        op.f("ix_quotes_guild_id_user_id"), "quotes", ["guild_id", "user_id"], unique=False
    )
    op.create_index(
        op.f("ix_quotes_guild_id_created_at"), "quotes", ["guild_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_quotes_message_id"), "quotes", ["message_id"], unique=False)
    op.create_table(
        "quote_likes",
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_quote_likes_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("quote_id", "user_id", name=op.f("pk_quote_likes")),
    )
    op.create_index(op.f("ix_quote_likes_user_id"), "quote_likes", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_quote_likes_user_id"), table_name="quote_likes")
    op.drop_table("quote_likes")
    op.drop_index(op.f("ix_quotes_message_id"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_guild_id_created_at"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_guild_id_user_id"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_guild_id_book_id"), table_name="quotes")
    op.drop_table("quotes")
    with op.batch_alter_table("progress_events") as batch:
        batch.drop_column("chapter")
    with op.batch_alter_table("readings") as batch:
        batch.drop_column("progress_chapter")
