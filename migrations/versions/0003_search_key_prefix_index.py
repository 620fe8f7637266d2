"""Book search keys: a prefix-searchable index on PostgreSQL.

``search_key LIKE 'prefix%'`` (imports matching books by title, /book search) can use a
btree index only under the C collation; a database created with any other (C.UTF-8,
en_US.UTF-8…) scanned every book for each look-up — an import of 20,000 rows took minutes.
``varchar_pattern_ops`` serves LIKE prefixes and equality under any collation. SQLite's
index is unchanged (the bot compares ranges there, which its index serves).

Revision ID: 0003_search_key_prefix_index
Revises: 0002_moderator_role_and_drafts
Create Date: 2026-12-05 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_search_key_prefix_index"
down_revision: str | None = "0002_moderator_role_and_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.drop_index("ix_books_search_key", table_name="books")
    op.create_index(
        "ix_books_search_key",
        "books",
        ["search_key"],
        postgresql_ops={"search_key": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.drop_index("ix_books_search_key", table_name="books")
    op.create_index("ix_books_search_key", "books", ["search_key"])
