"""The vote on the club's next read (SPEC §11): the vote, its nominees (a copy of the round's
nominations in nomination order) and the members' ranked ballots; the server's club channel
(``/settings club-channel``); checkpoint rooms (a private thread per checkpoint) and who
was added to them; the members' discussion questions for the rooms; the read's spoiler guard (an AutoMod rule); members' nudges (opt-in, and the nudges sent).

Revision ID: 0008_club_votes
Revises: 0007_club_meetings
Create Date: 2026-12-05 18:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_club_votes"
down_revision: str | None = "0007_club_meetings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("status <> 'closed'")


def upgrade() -> None:
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("club_channel_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "club_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("style", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("winner_book_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("announce_claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announcement_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("style IN ('poll', 'ranked')", name=op.f("ck_club_votes_style_known")),
        sa.CheckConstraint(
            "status IN ('opening', 'open', 'closed')", name=op.f("ck_club_votes_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["winner_book_id"],
            ["books.id"],
            name=op.f("fk_club_votes_winner_book_id_books"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_votes")),
    )
    op.create_index(
        "ux_club_votes_one_running",
        "club_votes",
        ["guild_id"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_index(
        op.f("ix_club_votes_status_closes_at"), "club_votes", ["status", "closes_at"], unique=False
    )
    op.create_table(
        "club_vote_nominees",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_club_vote_nominees_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["club_votes.id"],
            name=op.f("fk_club_vote_nominees_vote_id_club_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vote_id", "position", name=op.f("pk_club_vote_nominees")),
    )
    op.create_table(
        "club_vote_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["club_votes.id"],
            name=op.f("fk_club_vote_ballots_vote_id_club_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vote_id", "user_id", name=op.f("pk_club_vote_ballots")),
    )

    op.create_table(
        "club_room_settings",
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["club_id"],
            ["clubs.id"],
            name=op.f("fk_club_room_settings_club_id_clubs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("club_id", name=op.f("pk_club_room_settings")),
    )
    op.create_table(
        "club_rooms",
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["club_checkpoints.id"],
            name=op.f("fk_club_rooms_checkpoint_id_club_checkpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name=op.f("fk_club_rooms_club_id_clubs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("checkpoint_id", name=op.f("pk_club_rooms")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_club_rooms_thread_id")),
    )
    op.create_index(op.f("ix_club_rooms_club_id"), "club_rooms", ["club_id"], unique=False)
    op.create_table(
        "club_room_members",
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["club_rooms.thread_id"],
            name=op.f("fk_club_room_members_thread_id_club_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_club_room_members")),
    )

    op.create_table(
        "club_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_club_questions_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["club_checkpoints.id"],
            name=op.f("fk_club_questions_checkpoint_id_club_checkpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["club_id"],
            ["clubs.id"],
            name=op.f("fk_club_questions_club_id_clubs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_questions")),
    )
    op.create_index(op.f("ix_club_questions_club_id"), "club_questions", ["club_id"], unique=False)

    op.create_table(
        "club_guards",
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["club_id"], ["clubs.id"], name=op.f("fk_club_guards_club_id_clubs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("club_id", name=op.f("pk_club_guards")),
    )

    op.create_table(
        "club_nudge_optins",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_club_nudge_optins")),
    )
    op.create_table(
        "club_nudges_sent",
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["club_checkpoints.id"],
            name=op.f("fk_club_nudges_sent_checkpoint_id_club_checkpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("checkpoint_id", "user_id", name=op.f("pk_club_nudges_sent")),
    )


def downgrade() -> None:
    op.drop_table("club_nudges_sent")
    op.drop_table("club_nudge_optins")
    op.drop_table("club_guards")
    op.drop_index(op.f("ix_club_questions_club_id"), table_name="club_questions")
    op.drop_table("club_questions")
    op.drop_table("club_room_members")
    op.drop_index(op.f("ix_club_rooms_club_id"), table_name="club_rooms")
    op.drop_table("club_rooms")
    op.drop_table("club_room_settings")
    op.drop_table("club_vote_ballots")
    op.drop_table("club_vote_nominees")
    op.drop_index(op.f("ix_club_votes_status_closes_at"), table_name="club_votes")
    op.drop_index("ux_club_votes_one_running", table_name="club_votes")
    op.drop_table("club_votes")
    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_column("club_channel_id")
