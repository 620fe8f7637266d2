"""Club meetings (SPEC §11): one Discord scheduled event per meeting, the reminders claimed
once each, and the members who turned reminders on.

Revision ID: 0007_club_meetings
Revises: 0006_club_nominations
Create Date: 2026-12-05 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_club_meetings"
down_revision: str | None = "0006_club_nominations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "club_meetings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("series_id", sa.String(length=32), nullable=True),
        sa.Column("checkpoint", sa.String(length=100), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "(channel_id IS NULL) <> (location IS NULL)",
            name=op.f("ck_club_meetings_channel_or_location"),
        ),
        sa.ForeignKeyConstraint(
            ["club_id"],
            ["clubs.id"],
            name=op.f("fk_club_meetings_club_id_clubs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_meetings")),
        sa.UniqueConstraint("event_id", name=op.f("uq_club_meetings_event_id")),
    )
    op.create_index(op.f("ix_club_meetings_club_id"), "club_meetings", ["club_id"], unique=False)
    op.create_index(
        op.f("ix_club_meetings_starts_at"), "club_meetings", ["starts_at"], unique=False
    )
    op.create_table(
        "club_meeting_reminders",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("pinged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "kind IN ('day_before', 'starting')", name=op.f("ck_club_meeting_reminders_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('claimed', 'posted', 'failed')",
            name=op.f("ck_club_meeting_reminders_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["club_meetings.id"],
            name=op.f("fk_club_meeting_reminders_meeting_id_club_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "kind", name=op.f("pk_club_meeting_reminders")),
    )
    op.create_table(
        "club_reminder_optins",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_club_reminder_optins")),
    )


def downgrade() -> None:
    op.drop_table("club_reminder_optins")
    op.drop_table("club_meeting_reminders")
    op.drop_index(op.f("ix_club_meetings_starts_at"), table_name="club_meetings")
    op.drop_index(op.f("ix_club_meetings_club_id"), table_name="club_meetings")
    op.drop_table("club_meetings")
