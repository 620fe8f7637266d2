"""``/club meeting add|list|cancel``, ``/club reminders`` and the reminders themselves as
Discord shows them. Times are Discord timestamps (``<t:…:F>`` and ``<t:…:R>``: each member
sees them in their own zone); titles and checkpoint labels are member text, escaped.

A reminder's pings are ``<@id>`` mentions in the message content, and the message's
``allowed_mentions`` lists exactly those ids (the cog's side): mentions that do not fit in
one message go on in the next, so nobody who asked for a ping is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import discord

from bot.db.meetings import Meeting
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT
from bot.domain.markdown import clip, inert, plain
from bot.domain.meetings import EXTERNAL_LENGTH, Reminder
from bot.domain.words import plural
from bot.render.clubs import CLUB_COLOUR
from bot.services.meetings import MeetingList, ReminderPost

__all__ = [
    "added_embed",
    "cancelled_text",
    "event_url",
    "meeting_choice",
    "meetings_embed",
    "reminder_messages",
    "reminders_text",
]

MESSAGE_LIMIT: Final = 2000


def _ts(when: datetime, style: str) -> str:
    return f"<t:{int(when.timestamp())}:{style}>"


def event_url(guild_id: int, event_id: int) -> str:
    return f"https://discord.com/events/{guild_id}/{event_id}"


def _what(meeting: Meeting) -> str:
    title = f"“{inert(meeting.title, 200)}”"
    return f"{title} — {inert(meeting.checkpoint, 100)}" if meeting.checkpoint else title


def _where(meeting: Meeting) -> str:
    if meeting.channel_id is not None:
        return f"in <#{meeting.channel_id}>"
    return f"at {inert(meeting.location or '', 100)}"


def added_embed(meetings: Sequence[Meeting]) -> discord.Embed:
    first = meetings[0]
    lines = [
        f"{_what(first)}, {_where(first)}.",
        "",
        *(
            f"• {_ts(m.starts_at, 'F')} ({_ts(m.starts_at, 'R')}) · [event]"
            f"({event_url(m.guild_id, m.event_id)})"
            for m in meetings
        ),
        "",
        "Members press **Interested** on the event to RSVP. Those who turn reminders on "
        "(`/club reminders on`) are pinged in the club channel a day before and when it starts.",
    ]
    if first.location is not None:
        hours = int(EXTERNAL_LENGTH.total_seconds() // 3600)
        lines.append(
            f"Discord needs an end time for a meeting outside Discord: I set it {hours} hours "
            "after the start (edit the event to change it)."
        )
    title = "Meeting scheduled" if len(meetings) == 1 else f"{len(meetings)} meetings scheduled"
    return discord.Embed(
        title=title,
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CLUB_COLOUR,
    )


def meetings_embed(found: MeetingList) -> discord.Embed:
    if not found.meetings:
        return discord.Embed(
            title="Upcoming meetings",
            description="No meetings are planned. A moderator can add one with "
            "`/club meeting add`.",
            colour=CLUB_COLOUR,
        )
    lines = []
    for m in found.meetings:
        count = found.interested.get(m.event_id)
        rsvp = (
            f"{plural(count, 'member')} interested"
            if count is not None
            else "its Discord event was deleted"
        )
        lines.append(
            f"**{_ts(m.starts_at, 'F')}** ({_ts(m.starts_at, 'R')})\n"
            f"{_what(m)}, {_where(m)} · {rsvp} · [event]({event_url(m.guild_id, m.event_id)})"
        )
    return discord.Embed(
        title="Upcoming meetings",
        description=clip("\n\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CLUB_COLOUR,
    )


def cancelled_text(meeting: Meeting) -> str:
    return (
        f"Cancelled the meeting of {_ts(meeting.starts_at, 'F')} ({_what(meeting)}); "
        "its Discord event is deleted."
    )


def reminders_text(on: bool, changed: bool) -> str:
    if on:
        lead = "Reminders are on" if changed else "Your reminders were already on"
        return (
            f"{lead}: for each club meeting you press **Interested** on, I ping you in the "
            "club channel a day before and when it starts. `/club reminders off` stops them."
        )
    lead = "Reminders are off" if changed else "Your reminders were already off"
    return f"{lead}: I won't ping you about meetings. `/club reminders on` turns them back on."


def meeting_choice(meeting: Meeting, zone: ZoneInfo) -> str:
    """An autocomplete label (plain text, ≤ 100): when, in the server's zone, and what."""
    local = meeting.starts_at.astimezone(zone)
    when = f"{local:%a %d %b %Y %H:%M} ({zone.key})"
    what = plain(meeting.title) + (f" — {plain(meeting.checkpoint)}" if meeting.checkpoint else "")
    return plain(f"{when} · {what}", 100)


def reminder_messages(post: ReminderPost) -> list[tuple[str, tuple[int, ...]]]:
    """(content, the ids it pings) for each message of a reminder: the first says what and
    when; mentions that do not fit follow in more messages."""
    meeting = post.meeting
    start = meeting.starts_at
    if post.kind is Reminder.DAY_BEFORE:
        head = f"**Club meeting {_ts(start, 'R')}**: {_what(meeting)}, {_ts(start, 'F')}"
    else:
        head = f"**The club meeting is starting**: {_what(meeting)}"
    text = f"{head}, {_where(meeting)}. [Event]({event_url(meeting.guild_id, meeting.event_id)})"
    messages: list[tuple[str, list[int]]] = [(text, [])]
    for user_id in post.mentions:
        content, ids = messages[-1]
        mention = ("\n" if content == text else " ") + f"<@{user_id}>"
        if len(content) + len(mention) > MESSAGE_LIMIT:
            messages.append((mention.strip(), [user_id]))
        else:
            messages[-1] = (content + mention, [*ids, user_id])
    return [(content, tuple(ids)) for content, ids in messages]
