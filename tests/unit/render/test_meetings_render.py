"""Reminders as posted: what and when, the pings in the content, and mentions that do not fit
in one message continued in the next (each message pings exactly its own)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.db.meetings import Meeting
from bot.domain.markdown import HIDDEN_PLACEHOLDER
from bot.domain.meetings import Reminder, event_name
from bot.render.meetings import MESSAGE_LIMIT, reminder_messages
from bot.services.meetings import ReminderPost

START = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)


def _meeting(checkpoint: str | None = "Part ||One||") -> Meeting:
    return Meeting(
        id=1,
        guild_id=10,
        club_id=2,
        event_id=99,
        series_id=None,
        checkpoint=checkpoint,
        channel_id=None,
        location="The *Old* Library",
        starts_at=START,
        ends_at=None,
        created_by=5,
        cancelled=False,
        title="Middle**march**",
    )


def test_a_reminder_says_what_when_and_where_and_pings_only_its_members() -> None:
    [(content, ids)] = reminder_messages(ReminderPost(_meeting(), Reminder.DAY_BEFORE, (101, 102)))
    stamp = int(START.timestamp())
    assert f"<t:{stamp}:R>" in content and f"<t:{stamp}:F>" in content
    assert "Middle\\*\\*march\\*\\*" in content and "The \\*Old\\* Library" in content
    assert "||One||" in content  # the member's spoiler stays hidden
    assert "https://discord.com/events/10/99" in content
    assert content.endswith("\n<@101> <@102>") and ids == (101, 102)
    [(starting, none)] = reminder_messages(ReminderPost(_meeting(None), Reminder.STARTING, ()))
    assert "is starting" in starting and "<@" not in starting and none == ()


def test_many_mentions_continue_in_more_messages() -> None:
    members = tuple(range(10**18, 10**18 + 200))
    messages = reminder_messages(ReminderPost(_meeting(), Reminder.STARTING, members))
    assert len(messages) > 1
    assert all(len(content) <= MESSAGE_LIMIT for content, _ in messages)
    assert [i for _, ids in messages for i in ids] == list(members)
    for content, ids in messages:
        assert [int(m) for m in re.findall(r"<@(\d+)>", content)] == list(ids)


def test_an_event_name_is_the_title_and_checkpoint_without_spoilers() -> None:
    assert event_name("Dune", "Book ||Two||") == f"Dune — Book {HIDDEN_PLACEHOLDER}"
    assert event_name("Dune", None) == "Dune"
    assert len(event_name("x" * 300, "y")) <= 100
