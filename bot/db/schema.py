"""The schema, defined once as SQLAlchemy Core metadata. Migrations must match it (drift test).

Conventions: Discord snowflakes are BIGINT; timestamps are timezone-aware UTC
(:class:`UTCDateTime`); star values are stored as integer quarter-stars (2..20 = 0.5..5);
every member-owned row carries `guild_id` so every query can be scoped to one server.

Length (~440 lines): the whole schema in one place, as the drift test compares it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

from bot.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

READING_STATUSES = ("want-to-read", "reading", "paused", "finished", "did-not-finish")
RATING_STEPS = ("whole", "half", "quarter")
REACH_KINDS = ("page", "percent", "ending")


# --- books (global metadata cache; guild_books says which servers know a book) -------------

books = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ol_work_key", String(32), unique=True),
    Column("google_volume_id", String(32), unique=True),
    Column("title", String(512), nullable=False),
    Column("subtitle", String(512)),
    Column("authors", JSON, nullable=False, server_default=text("'[]'")),
    Column("first_year", Integer),
    Column("page_count", Integer),
    Column("isbn13", String(13)),
    Column("isbn10", String(10)),
    Column("subjects", JSON, nullable=False, server_default=text("'[]'")),
    Column("description", Text),
    Column("cover_url", String(512)),
    Column("source", String(16), nullable=False),
    # lower-cased, accent-stripped "title subtitle authors" for local prefix/word search
    Column("search_key", String(1024), nullable=False),
    Column("created_by_guild_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("page_count IS NULL OR page_count > 0", name="page_count_positive"),
    CheckConstraint(
        "source IN ('openlibrary', 'googlebooks', 'manual', 'import')", name="source_known"
    ),
    # prefix search (LIKE 'key%') on PostgreSQL under any collation: migration 0003
    Index(None, "search_key", postgresql_ops={"search_key": "varchar_pattern_ops"}),
    Index(None, "isbn13"),
)

book_isbns = Table(
    "book_isbns",
    metadata,
    Column("isbn13", String(13), primary_key=True),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False, index=True),
)

guild_books = Table(
    "guild_books",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("added_by", BigInteger),
    Column("added_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "book_id"),
)

metadata_search_cache = Table(
    "metadata_search_cache",
    metadata,
    Column("query_key", String(300), primary_key=True),
    Column("book_ids", JSON, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

# --- guild settings and the rating scale -------------------------------------------------

guild_settings = Table(
    "guild_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("rating_step", String(8), nullable=False, server_default="half"),
    Column("review_channel_id", BigInteger),
    Column("modlog_channel_id", BigInteger),
    # where club announcements, votes and reminders go (None: the last /club pick's channel)
    Column("club_channel_id", BigInteger),
    # members with this role count as moderators (SPEC §1, /settings moderator-role)
    Column("moderator_role_id", BigInteger),
    Column("digest_channel_id", BigInteger),
    Column("digest_weekday", Integer),
    Column("digest_hour", Integer),
    Column("digest_timezone", String(64)),
    Column("digest_enabled", Boolean, nullable=False, server_default=false()),
    # when the schedule was set up or re-enabled: a slot before it is not posted as catch-up
    Column("digest_configured_at", UTCDateTime),
    Column("left_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("rating_step IN ('whole', 'half', 'quarter')", name="rating_step_known"),
    CheckConstraint(
        "digest_weekday IS NULL OR digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"
    ),
    CheckConstraint(
        "digest_hour IS NULL OR digest_hour BETWEEN 0 AND 23", name="digest_hour_range"
    ),
)

scale_labels = Table(
    "scale_labels",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("quarters", Integer, nullable=False),
    Column("label", String(100), nullable=False),
    PrimaryKeyConstraint("guild_id", "quarters"),
    CheckConstraint("quarters BETWEEN 2 AND 20", name="quarters_range"),
)

# --- ratings -----------------------------------------------------------------------------

ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    Column("quarters", Integer, nullable=False),
    Column("source", String(16), nullable=False, server_default="discord"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("guild_id", "user_id", "book_id"),
    CheckConstraint("quarters BETWEEN 2 AND 20", name="quarters_range"),
    Index(None, "guild_id", "book_id"),
    Index(None, "guild_id", "updated_at"),
)

# --- reviews -----------------------------------------------------------------------------

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    # 1 for the first read-through; a re-read may add review number 2, 3, …
    Column("read_number", Integer, nullable=False, server_default=text("1")),
    Column("quarters", Integer),
    Column("headline", String(256)),
    Column("body", Text, nullable=False, server_default=text("''")),
    Column("spoilers", Text),
    Column("spoiler_reach_kind", String(8)),
    Column("spoiler_reach_value", Float),
    Column("content_warnings", Text),
    Column("recommended_for", String(256)),
    Column("source", String(16), nullable=False, server_default="discord"),
    Column("channel_id", BigInteger),
    Column("message_id", BigInteger),
    # further message ids when a long review continues over several messages
    Column("extra_message_ids", JSON, nullable=False, server_default=text("'[]'")),
    # [channel id, message id] pairs of messages a failed post or edit left behind (their
    # deletion failed too): deleted with the review, never shown as its post
    Column("stray_messages", JSON, nullable=False, server_default=text("'[]'")),
    Column("thread_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("guild_id", "user_id", "book_id", "read_number"),
    CheckConstraint("quarters IS NULL OR quarters BETWEEN 2 AND 20", name="quarters_range"),
    CheckConstraint(
        "spoiler_reach_kind IS NULL OR spoiler_reach_kind IN ('page', 'percent', 'ending')",
        name="reach_kind_known",
    ),
    CheckConstraint(
        "spoiler_reach_kind <> 'percent' OR spoiler_reach_value BETWEEN 0 AND 100",
        name="reach_percent_range",
    ),
    Index(None, "guild_id", "book_id"),
    Index(None, "guild_id", "created_at"),
    Index(None, "message_id"),
)

review_likes = Table(
    "review_likes",
    metadata,
    Column("review_id", ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("review_id", "user_id"),
)

review_flags = Table(
    "review_flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("review_id", ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("review_id", "user_id"),
)

# Review text a member typed but that is not stored as a review yet (the form was refused,
# or is still open): kept so no typed text is lost when a form or button expires. One per
# member, book and server; bounded in number per member and in age (bot/services/reviews.py).
review_drafts = Table(
    "review_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    # set when the draft edits an existing review; NULL for a new review
    Column("review_id", ForeignKey("reviews.id", ondelete="CASCADE")),
    # the slash options of /review write, as typed (checked again when the draft is sent)
    Column("stars", String(40)),
    Column("spoilers_reach", String(40)),
    Column("headline", Text, nullable=False, server_default=text("''")),
    Column("body", Text, nullable=False, server_default=text("''")),
    Column("spoilers", Text, nullable=False, server_default=text("''")),
    Column("content_warnings", Text, nullable=False, server_default=text("''")),
    Column("recommended_for", Text, nullable=False, server_default=text("''")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("guild_id", "user_id", "book_id"),
    Index(None, "updated_at"),
)

# --- readings (one row per read-through) with their progress events ------------------------

readings = Table(
    "readings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_on", Date),
    Column("finished_on", Date),
    Column("page_count_override", Integer),
    Column("progress_page", Integer),
    Column("progress_percent", Float),
    Column("progress_mode", String(8)),
    # the chapter the member last logged (/progress update chapter); never derived from pages
    Column("progress_chapter", Integer),
    Column("source", String(16), nullable=False, server_default="discord"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "status IN ('want-to-read', 'reading', 'paused', 'finished', 'did-not-finish')",
        name="status_known",
    ),
    CheckConstraint(
        "finished_on IS NULL OR started_on IS NULL OR finished_on >= started_on",
        name="finish_after_start",
    ),
    CheckConstraint(
        "progress_percent IS NULL OR progress_percent BETWEEN 0 AND 100", name="percent_range"
    ),
    CheckConstraint("progress_page IS NULL OR progress_page >= 0", name="page_nonnegative"),
    CheckConstraint(
        "page_count_override IS NULL OR page_count_override > 0", name="override_positive"
    ),
    CheckConstraint(
        "progress_mode IS NULL OR progress_mode IN ('page', 'percent')", name="mode_known"
    ),
    Index(None, "guild_id", "user_id", "status"),
    Index(None, "guild_id", "book_id"),
)

progress_events = Table(
    "progress_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reading_id", ForeignKey("readings.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    # progress, correction, start, pause, resume, finish, abandon, want
    Column("kind", String(16), nullable=False),
    Column("page", Integer),
    Column("percent", Float),
    Column("chapter", Integer),
    # pages read since the previous event (negative for a correction); for weekly sums
    Column("pages_delta", Integer, nullable=False, server_default=text("0")),
    Column("note", String(500)),
    Column("occurred_at", UTCDateTime, nullable=False),
    CheckConstraint("percent IS NULL OR percent BETWEEN 0 AND 100", name="percent_range"),
    CheckConstraint("page IS NULL OR page >= 0", name="page_nonnegative"),
    Index(None, "reading_id"),
    Index(None, "guild_id", "occurred_at"),
)

# --- quotes (SPEC §12): a passage and where it is; likes like review likes ----------------

quotes = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("note", Text),
    # where the passage is: at most one of page, percent, chapter; none is the end of the book
    Column("page", Integer),
    Column("percent", Float),
    Column("chapter", Integer),
    # the posted quote message
    Column("channel_id", BigInteger),
    Column("message_id", BigInteger),
    # the message it was saved from (the "Save as quote" context menu), if any
    Column("source_channel_id", BigInteger),
    Column("source_message_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "(page IS NULL OR (percent IS NULL AND chapter IS NULL)) "
        "AND (percent IS NULL OR chapter IS NULL)",
        name="one_position",
    ),
    CheckConstraint("page IS NULL OR page >= 1", name="page_positive"),
    CheckConstraint("percent IS NULL OR percent BETWEEN 0 AND 100", name="percent_range"),
    CheckConstraint("chapter IS NULL OR chapter >= 1", name="chapter_positive"),
    Index(None, "guild_id", "book_id"),
    Index(None, "guild_id", "user_id"),
    Index(None, "guild_id", "created_at"),
    Index(None, "message_id"),
)

quote_likes = Table(
    "quote_likes",
    metadata,
    Column("quote_id", ForeignKey("quotes.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("quote_id", "user_id"),
    Index(None, "user_id"),
)

# --- shelves and goals -------------------------------------------------------------------

shelves = Table(
    "shelves",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("guild_id", "user_id", "name_key"),
)

shelf_books = Table(
    "shelf_books",
    metadata,
    Column("shelf_id", ForeignKey("shelves.id", ondelete="CASCADE"), nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("added_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("shelf_id", "book_id"),
)

goals = Table(
    "goals",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("year", Integer, nullable=False),
    Column("target", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id", "year"),
    CheckConstraint("target BETWEEN 1 AND 10000", name="target_range"),
)

# --- club reads with checkpoints ---------------------------------------------------------

clubs = Table(
    "clubs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="RESTRICT"), nullable=False),
    Column("channel_id", BigInteger),
    Column("status", String(8), nullable=False, server_default="active"),
    Column("starts_on", Date),
    Column("ends_on", Date),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    CheckConstraint("status IN ('active', 'ended')", name="status_known"),
    CheckConstraint(
        "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="end_after_start"
    ),
    Index(
        "uq_clubs_one_active_per_guild",
        "guild_id",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)

club_checkpoints = Table(
    "club_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", String(100), nullable=False),
    Column("reach_kind", String(8), nullable=False),
    Column("reach_value", Float, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("reach_kind IN ('page', 'percent')", name="reach_kind_known"),
    CheckConstraint(
        "reach_value >= 0 AND (reach_kind <> 'percent' OR reach_value <= 100)",
        name="reach_value_range",
    ),
)

# --- nominations for the next club read (SPEC §11): one per member per round -------------
# A round runs until a moderator picks the next read (/club pick), which clears it.

club_nominations = Table(
    "club_nominations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    Column("pitch", String(300)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("guild_id", "user_id"),
    UniqueConstraint("guild_id", "book_id"),
)

# --- club meetings (SPEC §11): one Discord scheduled event each, and their reminders -------
# A series ("weekly", count 3) is several meetings sharing a series_id; each has its own
# event. A reminder is claimed by inserting its row (primary key: meeting × kind) before it
# is posted, so it goes out at most once across restarts and processes.

club_meetings = Table(
    "club_meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("event_id", BigInteger, nullable=False, unique=True),  # Discord's scheduled event
    Column("series_id", String(32)),  # shared by the meetings of one /club meeting add
    Column("checkpoint", String(100)),
    Column("channel_id", BigInteger),  # a voice or stage channel, or NULL…
    Column("location", String(100)),  # …for a place outside Discord
    Column("starts_at", UTCDateTime, nullable=False, index=True),
    Column("ends_at", UTCDateTime),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default=false()),
    CheckConstraint("(channel_id IS NULL) <> (location IS NULL)", name="channel_or_location"),
)

club_meeting_reminders = Table(
    "club_meeting_reminders",
    metadata,
    Column("meeting_id", ForeignKey("club_meetings.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(8), nullable=False),
    Column("channel_id", BigInteger),
    Column("message_id", BigInteger),
    Column("pinged", Integer, nullable=False, server_default=text("0")),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("posted_at", UTCDateTime),
    Column("last_error", String(300)),
    PrimaryKeyConstraint("meeting_id", "kind"),
    CheckConstraint("kind IN ('day_before', 'starting')", name="kind_known"),
    CheckConstraint("status IN ('claimed', 'posted', 'failed')", name="status_known"),
)

# a member who turned meeting reminders on (/club reminders on); no row: off (the default)
club_reminder_optins = Table(
    "club_reminder_optins",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

# --- the vote on the next read (SPEC §11) ---------------------------------------------------
# ``/club vote start`` copies the round's nominations into ``club_vote_nominees`` (in
# nomination order: the order ties go by) and opens the vote; one vote at a time per server
# (the partial unique index). Closing is a compare-and-set on ``status`` (open → closed), so
# the result is decided once in any number of processes; the announcement is claimed with
# ``announce_claimed_at`` and recorded in ``announcement_id``.

club_votes = Table(
    "club_votes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("style", String(8), nullable=False),
    Column("status", String(8), nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("message_id", BigInteger),  # the poll or the ballot message, once posted
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closes_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("winner_book_id", ForeignKey("books.id", ondelete="SET NULL")),
    Column("result", JSON),  # the rounds, as counted when the vote closed
    Column("announce_claimed_at", UTCDateTime),
    Column("announcement_id", BigInteger),
    CheckConstraint("style IN ('poll', 'ranked')", name="style_known"),
    CheckConstraint("status IN ('opening', 'open', 'closed')", name="status_known"),
    Index(
        "ux_club_votes_one_running",
        "guild_id",
        unique=True,
        sqlite_where=text("status <> 'closed'"),
        postgresql_where=text("status <> 'closed'"),
    ),
    Index(None, "status", "closes_at"),
)

club_vote_nominees = Table(
    "club_vote_nominees",
    metadata,
    Column("vote_id", ForeignKey("club_votes.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),  # 1, 2… in nomination order (= poll answer id)
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("vote_id", "position"),
)

club_vote_ballots = Table(
    "club_vote_ballots",
    metadata,
    Column("vote_id", ForeignKey("club_votes.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("ranking", JSON, nullable=False),  # nominee positions, first choice first
    Column("cast_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("vote_id", "user_id"),
)

# --- checkpoint rooms (SPEC §11): a private thread per checkpoint of a club read ------------
# A club has rooms while it has a ``club_room_settings`` row (``/club rooms on``); a member
# is added to a room once their own progress reaches its checkpoint (``club_room_members``
# remembers who was added, so each is told once).

club_room_settings = Table(
    "club_room_settings",
    metadata,
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False),  # where the rooms' threads are
    Column("enabled_at", UTCDateTime, nullable=False),
)

club_rooms = Table(
    "club_rooms",
    metadata,
    Column(
        "checkpoint_id", ForeignKey("club_checkpoints.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger, nullable=False, unique=True),
    Column("opened_at", UTCDateTime, nullable=False),
)

club_room_members = Table(
    "club_room_members",
    metadata,
    Column("thread_id", ForeignKey("club_rooms.thread_id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("thread_id", "user_id"),
)

# --- discussion questions for the checkpoint rooms (SPEC §11) -------------------------------
# A member proposes a question for a checkpoint; a moderator approves or rejects it; an
# approved one is posted in the checkpoint's room when the room is open (``posted_at``).

club_questions = Table(
    "club_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("checkpoint_id", ForeignKey("club_checkpoints.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("text", String(500), nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("posted_at", UTCDateTime),
    Column("message_id", BigInteger),
    CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
)

# --- the spoiler guard of a club read (SPEC §11): its Discord AutoMod rule ----------------

club_guards = Table(
    "club_guards",
    metadata,
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("rule_id", BigInteger, nullable=False),
    Column("words", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# --- nudges (SPEC §11): one direct message two days before a checkpoint, when behind -------
# A member opts in per server (``/club nudges on``); ``club_nudges_sent`` is the claim that
# makes a nudge go out once per checkpoint, across restarts and processes.

club_nudge_optins = Table(
    "club_nudge_optins",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("enabled_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

club_nudges_sent = Table(
    "club_nudges_sent",
    metadata,
    Column("checkpoint_id", ForeignKey("club_checkpoints.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("checkpoint_id", "user_id"),
)

# --- follows (issue 14): a member follows another in a server; what they post is told to
# followers in one direct message an hour at most. ``user_id`` is the follower (the
# recipient of the notices), so the member's own rows go with forget-me like every table's;
# rows about them as the one followed are removed explicitly (bot/db/privacy.py).

member_follows = Table(
    "member_follows",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),  # the follower
    Column("followed_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id", "followed_id"),
    Index(None, "guild_id", "followed_id"),
)

follow_notices = Table(
    "follow_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),  # the follower it is for
    Column("author_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("book_title", String(300), nullable=False),
    Column("excerpt", String(400)),  # spoiler-free text only (a review's headline or body)
    Column("channel_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    CheckConstraint("kind IN ('review', 'quote')", name="kind_known"),
    Index(None, "sent_at", "guild_id", "user_id"),
)

# one row per follower and server: when they were last sent a batch (at most one an hour)
follow_dm_log = Table(
    "follow_dm_log",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("last_sent_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

# /me notifications on|off: whether follows may send the member direct messages
member_notifications = Table(
    "member_notifications",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("follows", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

# --- server reading challenges (issue 14) ----------------------------------------------------
# A challenge has up to 25 prompts (a rule of bot/domain/challenge.py each, or none); a member
# fills a prompt with a book they finished. ``challenge_hidden`` lists members who keep
# themselves off the boards.

challenges = Table(
    "challenges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("name", String(100), nullable=False),
    Column("ends_on", Date),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("guild_id", "name"),
)

challenge_prompts = Table(
    "challenge_prompts",
    metadata,
    Column("challenge_id", ForeignKey("challenges.id", ondelete="CASCADE"), nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", String(150), nullable=False),
    Column("rule_kind", String(12)),
    Column("rule_value", String(60)),
    PrimaryKeyConstraint("challenge_id", "position"),
)

challenge_fills = Table(
    "challenge_fills",
    metadata,
    Column("challenge_id", ForeignKey("challenges.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), nullable=False),
    Column("filled_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("challenge_id", "position", "user_id"),
)

challenge_hidden = Table(
    "challenge_hidden",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

# --- digest runs (one per guild per ISO week) --------------------------------------------

digest_runs = Table(
    "digest_runs",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    # ISO week of the guild's local scheduled time, e.g. "2026-W47"
    Column("week_key", String(8), nullable=False),
    Column("status", String(10), nullable=False),
    Column("channel_id", BigInteger),
    Column("message_id", BigInteger),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", String(500)),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("posted_at", UTCDateTime),
    PrimaryKeyConstraint("guild_id", "week_key"),
    CheckConstraint("status IN ('claimed', 'posted', 'failed', 'abandoned')", name="status_known"),
)

# --- privacy choices and a member's own settings ------------------------------------------

member_privacy = Table(
    "member_privacy",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("digest_opt_in", Boolean, nullable=False, server_default=true()),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

member_settings = Table(
    "member_settings",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    # the member's own IANA zone (/me timezone); NULL: the server's digest zone, else UTC
    Column("timezone", String(64)),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("guild_id", "user_id"),
)

# --- the synced command tree hash --------------------------------------------------------

command_sync_state = Table(
    "command_sync_state",
    metadata,
    # "global" or the guild id as text
    Column("scope", String(32), primary_key=True),
    Column("payload_hash", String(64), nullable=False),
    Column("synced_at", UTCDateTime, nullable=False),
)
