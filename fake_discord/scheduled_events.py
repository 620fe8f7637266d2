"""Guild scheduled events: the REST routes, members pressing Interested, gateway events.

Routes (``/guilds/{g}/scheduled-events``): list, create, get, modify, delete and the
Interested users (``…/{id}/users``: ascending user ids, ``limit`` ≤ 100, ``before``/``after``,
``with_member``). Checked as Discord checks them:

- permissions: creating needs Create Events or Manage Events (in the event's channel for
  voice/stage events, which also need View Channel + Connect, resp. Manage Channels + Mute
  Members + Move Members); modifying or deleting needs Manage Events, or Create Events for
  an event the bot created — otherwise 403 Missing Permissions (50013);
- fields: ``name`` 1–100, ``description`` ≤ 1,000, ``scheduled_start_time`` in the future
  (``GUILD_SCHEDULED_EVENT_SCHEDULE_PAST``), an end after the start, ``privacy_level`` 2;
  ``EXTERNAL`` (3) needs ``entity_metadata.location`` (1–100) and ``scheduled_end_time`` and
  no channel; ``VOICE`` (2) / ``STAGE_INSTANCE`` (1) need a voice / stage channel of the
  guild (``entity_metadata`` is dropped); status only moves SCHEDULED→ACTIVE→COMPLETED or
  SCHEDULED→CANCELED; at most 100 scheduled or active events (30038);
- ``recurrence_rule`` is accepted and echoed (discord.py 2.7 does not send it: use
  ``bot.http.request``), with Discord's documented limits: ``count``, ``end`` and
  ``by_year_day`` cannot be set, ``frequency`` 0–3, ``interval`` 1 (2 only when weekly).

Gateway events (GUILD_SCHEDULED_EVENTS intent): ``GUILD_SCHEDULED_EVENT_CREATE`` /
``_UPDATE`` / ``_DELETE`` and ``_USER_ADD`` / ``_USER_REMOVE``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import discord

from . import errors as e
from .errors import ApiError
from .models import GUILD_STAGE_VOICE, GUILD_VOICE, JSON, FakeGuild
from .snowflake import iso

if TYPE_CHECKING:
    from .interactions import UserLike
    from .rest import ApiRequest, Handler, RestApi, _NoContent
    from .server import FakeDiscord

# entity types
STAGE_INSTANCE = 1
VOICE = 2
EXTERNAL = 3
# statuses
SCHEDULED = 1
ACTIVE = 2
COMPLETED = 3
CANCELED = 4
_TRANSITIONS = {(SCHEDULED, ACTIVE), (ACTIVE, COMPLETED), (SCHEDULED, CANCELED)}
GUILD_ONLY = 2
MAX_OPEN_EVENTS = 100


def _perm(**flags: bool) -> int:
    return discord.Permissions(**flags).value


CREATE_EVENTS = _perm(create_events=True)
MANAGE_EVENTS = _perm(manage_events=True)
_VOICE_NEEDS = _perm(view_channel=True, connect=True)
_STAGE_NEEDS = _perm(manage_channels=True, mute_members=True, move_members=True)
_RECURRENCE_KEYS = (
    "start",
    "end",
    "frequency",
    "interval",
    "by_weekday",
    "by_n_weekday",
    "by_month",
    "by_month_day",
    "by_year_day",
    "count",
)


@dataclass(eq=False)
class FakeScheduledEvent:
    """A guild scheduled event; ``interested`` lists who pressed Interested, in order."""

    id: int
    guild_id: int
    name: str
    scheduled_start_time: datetime
    entity_type: int
    creator_id: int | None = None
    channel_id: int | None = None
    description: str | None = None
    scheduled_end_time: datetime | None = None
    location: str | None = None
    privacy_level: int = GUILD_ONLY
    status: int = SCHEDULED
    recurrence_rule: JSON | None = None
    image: str | None = None
    interested: list[int] = field(default_factory=list)
    deleted: bool = False

    @property
    def user_count(self) -> int:
        return len(self.interested)

    def to_payload(self, rig: FakeDiscord, *, with_user_count: bool = False) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": None if self.channel_id is None else str(self.channel_id),
            "creator_id": None if self.creator_id is None else str(self.creator_id),
            "name": self.name,
            "description": self.description,
            "scheduled_start_time": iso(self.scheduled_start_time),
            "scheduled_end_time": (
                iso(self.scheduled_end_time) if self.scheduled_end_time else None
            ),
            "privacy_level": self.privacy_level,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "entity_metadata": (
                {"location": self.location} if self.entity_type == EXTERNAL else None
            ),
            "image": self.image,
            "recurrence_rule": self.recurrence_rule,
        }
        if self.creator_id is not None and self.creator_id in rig.users:
            payload["creator"] = rig.users[self.creator_id].to_payload()
        if with_user_count:
            payload["user_count"] = self.user_count
        return payload

    def __repr__(self) -> str:
        return f"<FakeScheduledEvent {self.name!r} id={self.id} status={self.status}>"


class _FormErrors:
    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: str, code: str, message: str) -> None:
        node = self.tree
        for key in path.split("."):
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def raise_if_any(self) -> None:
        if self.tree:
            raise ApiError(e.invalid_form_body(self.tree))


def _parse_time(value: Any, path: str, errors: _FormErrors) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        errors.add(path, "DATE_TIME_TYPE_PARSE", f"Could not parse {value}.")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _recurrence(value: Any, errors: _FormErrors) -> JSON | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add("recurrence_rule", "MODEL_TYPE_CONVERT", "Only dictionaries may be used")
        return None
    rule: JSON = {key: value.get(key) for key in _RECURRENCE_KEYS}
    for key in ("count", "end", "by_year_day"):
        if rule[key] is not None:
            errors.add(f"recurrence_rule.{key}", "BASE_TYPE_BAD_VALUE", "Cannot be set.")
    start = _parse_time(rule["start"], "recurrence_rule.start", errors)
    if start is None and rule["start"] is None:
        errors.add("recurrence_rule.start", "BASE_TYPE_REQUIRED", "This field is required")
    frequency, interval = rule["frequency"], rule["interval"]
    if frequency not in (0, 1, 2, 3):
        errors.add(
            "recurrence_rule.frequency", "ENUM_TYPE_COERCE", "Value is not a valid enum value."
        )
    if interval is None:
        rule["interval"] = interval = 1
    if (
        not isinstance(interval, int)
        or interval < 1
        or (interval != 1 and (frequency, interval) != (2, 2))
    ):
        errors.add(
            "recurrence_rule.interval",
            "BASE_TYPE_BAD_VALUE",
            "Interval can only be 2 for weekly events, else 1.",
        )
    by_weekday = rule["by_weekday"]
    if frequency == 2 and by_weekday is not None and len(by_weekday) != 1:
        errors.add("recurrence_rule.by_weekday", "BASE_TYPE_BAD_LENGTH", "Must be 1 in length.")
    return rule


class ScheduledEventRoutes:
    """The ``/guilds/{g}/scheduled-events`` routes."""

    def __init__(self, api: RestApi) -> None:
        self.api = api

    def routes(self) -> list[tuple[str, str, Handler]]:
        base = "/guilds/{guild_id}/scheduled-events"
        one = base + "/{event_id}"
        return [
            ("GET", base, self.list_events),
            ("POST", base, self.create_event),
            ("GET", one, self.get_event),
            ("PATCH", one, self.modify_event),
            ("DELETE", one, self.delete_event),
            ("GET", one + "/users", self.get_users),
        ]

    # --- helpers ----------------------------------------------------------------------------
    def _event(self, request: ApiRequest) -> tuple[FakeGuild, FakeScheduledEvent]:
        guild = self.api.guild(request)
        event = guild.scheduled_events.get(request.int_param("event_id"))
        if event is None:
            raise ApiError(e.UNKNOWN_SCHEDULED_EVENT)
        return guild, event

    def _require(self, guild: FakeGuild, event: FakeScheduledEvent, *, creating: bool) -> None:
        channel = guild.channels.get(event.channel_id) if event.channel_id else None
        permissions = guild.permissions_for(guild.me, channel)
        if creating or event.creator_id == self.api.rig.bot_user.id:
            allowed = bool(permissions & (CREATE_EVENTS | MANAGE_EVENTS))
        else:
            allowed = bool(permissions & MANAGE_EVENTS)
        if event.entity_type == VOICE and creating:
            allowed = allowed and permissions & _VOICE_NEEDS == _VOICE_NEEDS
        if event.entity_type == STAGE_INSTANCE and creating:
            allowed = allowed and permissions & _STAGE_NEEDS == _STAGE_NEEDS
        if not allowed:
            raise ApiError(e.MISSING_PERMISSIONS)

    def _apply(
        self, guild: FakeGuild, event: FakeScheduledEvent, body: JSON, *, creating: bool
    ) -> None:
        """Validate ``body`` against ``event`` (a copy) and apply it, or raise 400."""
        errors = _FormErrors()
        now = datetime.now(UTC)
        if "name" in body or creating:
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            else:
                event.name = name
        if "description" in body:
            description = body["description"]
            if description is not None and (
                not isinstance(description, str) or len(description) > 1000
            ):
                errors.add(
                    "description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length."
                )
            else:
                event.description = description or None
        if "privacy_level" in body and body["privacy_level"] != GUILD_ONLY:
            errors.add("privacy_level", "ENUM_TYPE_COERCE", "Value is not a valid enum value.")
        if "entity_type" in body or creating:
            if body.get("entity_type") not in (STAGE_INSTANCE, VOICE, EXTERNAL):
                errors.add("entity_type", "ENUM_TYPE_COERCE", "Value is not a valid enum value.")
            else:
                event.entity_type = int(body["entity_type"])
        if "scheduled_start_time" in body or creating:
            start = _parse_time(body.get("scheduled_start_time"), "scheduled_start_time", errors)
            if start is None and "scheduled_start_time" not in errors.tree:
                errors.add("scheduled_start_time", "BASE_TYPE_REQUIRED", "This field is required")
            elif start is not None and start <= now:
                errors.add(
                    "scheduled_start_time",
                    "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                    "Cannot schedule event in the past.",
                )
            elif start is not None:
                event.scheduled_start_time = start
        if "scheduled_end_time" in body:
            event.scheduled_end_time = _parse_time(
                body["scheduled_end_time"], "scheduled_end_time", errors
            )
        if "channel_id" in body:
            raw = body["channel_id"]
            event.channel_id = None if raw is None else int(raw)
        if event.entity_type == EXTERNAL:
            metadata = body.get("entity_metadata")
            if isinstance(metadata, dict) and "location" in metadata:
                event.location = metadata["location"]
            if not isinstance(event.location, str) or not 1 <= len(event.location) <= 100:
                errors.add(
                    "entity_metadata.location",
                    "BASE_TYPE_REQUIRED",
                    "A location of 1 to 100 characters is required for external events.",
                )
            if event.channel_id is not None:
                errors.add("channel_id", "BASE_TYPE_BAD_VALUE", "Must be null for external events.")
            if event.scheduled_end_time is None:
                errors.add(
                    "scheduled_end_time",
                    "BASE_TYPE_REQUIRED",
                    "An end time is required for external events.",
                )
        else:
            event.location = None  # Discord silently drops entity_metadata here
            wanted = GUILD_VOICE if event.entity_type == VOICE else GUILD_STAGE_VOICE
            channel = guild.channels.get(event.channel_id) if event.channel_id else None
            if channel is None or channel.deleted or channel.type != wanted:
                kind = "voice" if wanted == GUILD_VOICE else "stage"
                errors.add(
                    "channel_id", "CHANNEL_TYPE_INVALID", f"Must be a {kind} channel of this guild."
                )
        end = event.scheduled_end_time
        if end is not None and end <= event.scheduled_start_time:
            errors.add(
                "scheduled_end_time",
                "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                "The end time must be after the start time.",
            )
        if "recurrence_rule" in body:
            event.recurrence_rule = _recurrence(body["recurrence_rule"], errors)
        if "status" in body and not creating:
            status = body["status"]
            if status != event.status and (event.status, status) not in _TRANSITIONS:
                errors.add(
                    "status",
                    "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                    f"Cannot change the status from {event.status} to {status}.",
                )
            else:
                event.status = int(status)
        if "image" in body:
            event.image = None if body["image"] is None else "fakeimagehash"
        errors.raise_if_any()

    # --- routes -----------------------------------------------------------------------------
    async def list_events(self, request: ApiRequest) -> list[JSON]:
        guild = self.api.guild(request)
        with_count = request.query.get("with_user_count") in ("1", "true", "True")
        rig = self.api.rig
        return [
            event.to_payload(rig, with_user_count=with_count)
            for event in sorted(guild.scheduled_events.values(), key=lambda ev: ev.id)
        ]

    async def get_event(self, request: ApiRequest) -> JSON:
        _, event = self._event(request)
        with_count = request.query.get("with_user_count") in ("1", "true", "True")
        return event.to_payload(self.api.rig, with_user_count=with_count)

    async def create_event(self, request: ApiRequest) -> JSON:
        guild = self.api.guild(request)
        rig = self.api.rig
        body = request.body
        draft = FakeScheduledEvent(
            id=rig.snowflake(),
            guild_id=guild.id,
            name="",
            scheduled_start_time=datetime.now(UTC),
            entity_type=EXTERNAL,
            creator_id=rig.bot_user.id,
        )
        self._apply(guild, draft, body, creating=True)
        self._require(guild, draft, creating=True)
        open_events = [
            ev for ev in guild.scheduled_events.values() if ev.status in (SCHEDULED, ACTIVE)
        ]
        if len(open_events) >= MAX_OPEN_EVENTS:
            raise ApiError(e.MAX_SCHEDULED_EVENTS)
        guild.scheduled_events[draft.id] = draft
        rig._guild_event(guild, "GUILD_SCHEDULED_EVENT_CREATE", draft.to_payload(rig))
        return draft.to_payload(rig)

    async def modify_event(self, request: ApiRequest) -> JSON:
        guild, event = self._event(request)
        rig = self.api.rig
        self._require(guild, event, creating=False)
        if event.status in (COMPLETED, CANCELED):
            message = "Cannot modify a completed or canceled event."
            raise ApiError(e.form_error("status", "GUILD_SCHEDULED_EVENT_ENDED", message))
        draft = FakeScheduledEvent(**{**event.__dict__, "interested": event.interested})
        self._apply(guild, draft, request.body, creating=False)
        event.__dict__.update({k: v for k, v in draft.__dict__.items() if k != "interested"})
        rig._guild_event(guild, "GUILD_SCHEDULED_EVENT_UPDATE", event.to_payload(rig))
        return event.to_payload(rig)

    async def delete_event(self, request: ApiRequest) -> _NoContent:
        from .rest import NO_CONTENT

        guild, event = self._event(request)
        self._require(guild, event, creating=False)
        self.api.rig._delete_scheduled_event(guild, event)
        return NO_CONTENT

    async def get_users(self, request: ApiRequest) -> list[JSON]:
        guild, event = self._event(request)
        rig = self.api.rig
        limit = int(request.query.get("limit", 100))
        if not 1 <= limit <= 100:
            message = "int value should be between 1 and 100."
            raise ApiError(e.form_error("limit", "NUMBER_TYPE_MAX", message))
        with_member = request.query.get("with_member") in ("1", "true", "True")
        ids = sorted(event.interested)
        if "before" in request.query:  # before wins over after, as on Discord
            ids = [u for u in ids if u < int(request.query["before"])][-limit:]
        else:
            ids = [u for u in ids if u > int(request.query.get("after", 0))][:limit]
        users: list[JSON] = []
        for user_id in ids:
            entry: JSON = {
                "guild_scheduled_event_id": str(event.id),
                "user": rig.users[user_id].to_payload(),
            }
            if with_member and (member := guild.members.get(user_id)) is not None:
                entry["member"] = member.to_payload(with_user=False)
            users.append(entry)
        return users


def _rig(mixin: object) -> FakeDiscord:
    """The :class:`FakeDiscord` this mixin is part of (typed for mypy)."""
    return cast("FakeDiscord", mixin)


class ScheduledEventsMixin:
    """Members pressing Interested, and events changing on their own (mixed into
    :class:`FakeDiscord`)."""

    async def mark_interested(
        self,
        event: FakeScheduledEvent,
        user: UserLike,
        *,
        timeout: float | None = None,
    ) -> None:
        """``user`` presses Interested (``GUILD_SCHEDULED_EVENT_USER_ADD``, waited for)."""
        rig = _rig(self)
        guild = rig.guilds[event.guild_id]
        member = rig.resolve_user(user)
        if member.id not in guild.members:
            raise ValueError(f"{member!r} is not a member of {guild!r}")
        if event.deleted or event.status in (COMPLETED, CANCELED):
            raise ValueError(f"{event!r} is over or deleted")
        if member.id in event.interested:
            return
        event.interested.append(member.id)
        await rig._event_user("GUILD_SCHEDULED_EVENT_USER_ADD", event, member.id, timeout)

    async def unmark_interested(
        self,
        event: FakeScheduledEvent,
        user: UserLike,
        *,
        timeout: float | None = None,
    ) -> None:
        """``user`` is no longer interested (``GUILD_SCHEDULED_EVENT_USER_REMOVE``)."""
        rig = _rig(self)
        member = rig.resolve_user(user)
        if member.id not in event.interested:
            return
        event.interested.remove(member.id)
        await rig._event_user("GUILD_SCHEDULED_EVENT_USER_REMOVE", event, member.id, timeout)

    async def set_scheduled_event_status(
        self, event: FakeScheduledEvent, status: int, *, timeout: float | None = None
    ) -> None:
        """A moderator (or Discord's automation) moves ``event`` to ``status`` (2 active,
        3 completed, 4 canceled), along the allowed transitions:
        ``GUILD_SCHEDULED_EVENT_UPDATE``."""
        rig = _rig(self)
        if (event.status, status) not in _TRANSITIONS:
            raise ValueError(f"Discord does not move an event from {event.status} to {status}")
        event.status = status
        guild = rig.guilds[event.guild_id]
        rig._guild_event(guild, "GUILD_SCHEDULED_EVENT_UPDATE", event.to_payload(rig))
        await rig.sync(timeout)

    async def delete_scheduled_event(
        self, event: FakeScheduledEvent, *, timeout: float | None = None
    ) -> None:
        """A moderator deletes ``event`` in the Discord client (``…_DELETE``)."""
        rig = _rig(self)
        rig._delete_scheduled_event(rig.guilds[event.guild_id], event)
        await rig.sync(timeout)

    # --- internal ---------------------------------------------------------------------------
    def _delete_scheduled_event(self, guild: FakeGuild, event: FakeScheduledEvent) -> None:
        rig = _rig(self)
        guild.scheduled_events.pop(event.id, None)
        event.deleted = True
        rig._guild_event(guild, "GUILD_SCHEDULED_EVENT_DELETE", event.to_payload(rig))

    async def _event_user(
        self,
        name: str,
        event: FakeScheduledEvent,
        user_id: int,
        timeout: float | None,
    ) -> None:
        rig = _rig(self)
        guild = rig.guilds[event.guild_id]
        data = {
            "guild_scheduled_event_id": str(event.id),
            "user_id": str(user_id),
            "guild_id": str(guild.id),
        }
        rig._notify()
        if not guild.bot_present:
            return
        sent = rig.gateway.dispatch(name, data, guild_id=guild.id)
        if sent is not None:
            await rig._await(sent, timeout, f"{name} to be sent")
