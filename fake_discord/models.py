"""The fake Discord world: users, guilds, roles, channels, members, messages, attachments.

Everything here is plain data plus ``to_payload()`` methods producing the JSON Discord
sends. Objects are created through :class:`~fake_discord.server.FakeDiscord` and
:class:`FakeGuild` builder methods, which also tell a connected bot about changes (for
example ``guild.add_member(...)`` after start-up sends ``GUILD_MEMBER_ADD``).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord

from .snowflake import iso, snowflake_time

if TYPE_CHECKING:
    from .automod import FakeAutoModRule
    from .polls import FakePoll
    from .scheduled_events import FakeScheduledEvent
    from .server import FakeDiscord

JSON = dict[str, Any]
PermissionsLike = int | discord.Permissions

ALL_PERMISSIONS: int = discord.Permissions.all().value
ADMINISTRATOR: int = discord.Permissions(administrator=True).value
VIEW_CHANNEL: int = discord.Permissions(view_channel=True).value

#: What @everyone may do in a fresh server (roughly Discord's defaults).
DEFAULT_EVERYONE_PERMISSIONS: int = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    read_message_history=True,
    use_application_commands=True,
    send_polls=True,
    change_nickname=True,
    create_instant_invite=True,
    connect=True,
    speak=True,
).value

#: What the bot's managed role grants by default (what its invite link would ask for).
DEFAULT_BOT_PERMISSIONS: int = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    manage_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    use_external_emojis=True,
).value

#: A moderator role's usual permissions (Manage Guild + Manage Messages), for tests.
MODERATOR_PERMISSIONS: int = discord.Permissions(manage_guild=True, manage_messages=True).value

# message flags
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_HAS_THREAD = 1 << 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# channel types
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_STAGE_VOICE = 13
THREAD_TYPES = frozenset({10, PUBLIC_THREAD, PRIVATE_THREAD})
VOICE_TYPES = frozenset({GUILD_VOICE, GUILD_STAGE_VOICE})


def as_permissions(value: PermissionsLike) -> int:
    """``discord.Permissions`` or int → the int Discord sends (as a string) in payloads."""
    return value.value if isinstance(value, discord.Permissions) else int(value)


@dataclass(eq=False)
class FakeUser:
    """A Discord user (global, shared by every guild they are a member of)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None
    #: when False, the rig answers DMs to this user with 403 "Cannot send messages to this user"
    accepts_dms: bool = True

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def display_name(self) -> str:
        return self.global_name or self.username

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }

    def __repr__(self) -> str:
        return f"<FakeUser {self.username} id={self.id}{' bot' if self.bot else ''}>"


@dataclass(eq=False)
class FakeRole:
    """A guild role. The role whose id equals the guild id is @everyone."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    #: set for the bot's managed integration role
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return "@everyone" if self.id == self.guild_id else f"<@&{self.id}>"

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload

    def __repr__(self) -> str:
        return f"<FakeRole {self.name!r} id={self.id}>"


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (``type`` 0) or a member (``type`` 1)."""

    allow: int = 0
    deny: int = 0
    type: int = 0


@dataclass(eq=False)
class FakeChannel:
    """A text channel, category, thread or DM channel."""

    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    member_ids: set[int] = field(default_factory=set)
    #: when each thread member joined (absent: when the thread was created)
    member_joined: dict[int, datetime] = field(default_factory=dict)
    # DMs
    recipient: FakeUser | None = None
    last_message_id: int | None = None
    message_count: int = 0
    deleted: bool = False

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def set_overwrite(
        self,
        target: FakeRole | FakeMember,
        *,
        allow: PermissionsLike = 0,
        deny: PermissionsLike = 0,
    ) -> None:
        """Allow/deny permissions in this channel for a role or a member (before start-up,
        or follow with :meth:`FakeDiscord.dispatch_channel_update`)."""
        kind = 1 if isinstance(target, FakeMember) else 0
        self.overwrites[target.id] = Overwrite(as_permissions(allow), as_permissions(deny), kind)

    def to_payload(self) -> JSON:
        if self.type == DM:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": _opt_str(self.last_message_id),
                "recipients": [self.recipient.to_payload()],
                "flags": 0,
            }
        payload: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": _opt_str(self.parent_id),
            "last_message_id": _opt_str(self.last_message_id),
            "rate_limit_per_user": self.rate_limit_per_user,
            "flags": 0,
        }
        if self.is_thread:
            payload.update(
                {
                    "owner_id": _opt_str(self.owner_id),
                    "message_count": self.message_count,
                    "member_count": len(self.member_ids),
                    "total_message_sent": self.message_count,
                    "member_ids_preview": [str(i) for i in sorted(self.member_ids)][:8],
                    "applied_tags": [],
                    "thread_metadata": {
                        "archived": self.archived,
                        "auto_archive_duration": self.auto_archive_duration,
                        "archive_timestamp": iso(self.created_at),
                        "locked": self.locked,
                        "invitable": self.invitable,
                        "create_timestamp": iso(self.created_at),
                    },
                }
            )
        else:
            payload.update(
                {
                    "position": self.position,
                    "permission_overwrites": [
                        {"id": str(k), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
                        for k, o in self.overwrites.items()
                    ],
                    "nsfw": self.nsfw,
                    "topic": self.topic,
                    "default_auto_archive_duration": 1440,
                    "last_pin_timestamp": None,
                }
            )
            if self.type in VOICE_TYPES:
                payload.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        return payload

    def __repr__(self) -> str:
        return f"<FakeChannel #{self.name} id={self.id} type={self.type}>"


@dataclass(eq=False)
class FakeMember:
    """A user's membership of a guild: roles, nickname, join date."""

    user: FakeUser
    guild: FakeGuild = field(repr=False)
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def roles(self) -> list[FakeRole]:
        return [self.guild.roles[r] for r in self.role_ids if r in self.guild.roles]

    @property
    def permissions(self) -> int:
        """Guild-level permissions (owner and Administrator get everything)."""
        return self.guild.permissions_for(self)

    def permissions_in(self, channel: FakeChannel) -> int:
        """Permissions in ``channel``, overwrites applied (what interactions carry)."""
        return self.guild.permissions_for(self, channel)

    def to_payload(self, *, permissions: int | None = None, with_user: bool = True) -> JSON:
        payload: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload

    def __repr__(self) -> str:
        return f"<FakeMember {self.user.username} of {self.guild.name!r}>"


@dataclass(eq=False)
class FakeGuild:
    """A guild (server). Build it with :meth:`FakeDiscord.add_guild`, then add roles,
    channels and members with the methods below (before or after the bot connected)."""

    rig: FakeDiscord = field(repr=False)
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    #: False once the bot was removed (GUILD_DELETE); the REST routes then answer 403/404
    bot_present: bool = True
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: guild scheduled events by id (``scheduled_events.py``)
    scheduled_events: dict[int, FakeScheduledEvent] = field(default_factory=dict)
    #: AutoMod rules by id (``automod.py``)
    automod_rules: dict[int, FakeAutoModRule] = field(default_factory=dict)

    # --- lookups -------------------------------------------------------------------------
    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    @property
    def owner(self) -> FakeMember:
        return self.members[self.owner_id]

    @property
    def me(self) -> FakeMember:
        """The bot's own membership."""
        return self.members[self.rig.bot_user.id]

    @property
    def bot_role(self) -> FakeRole:
        """The bot's managed role (edit ``.permissions`` to take rights away from the bot)."""
        return next(r for r in self.roles.values() if r.bot_id == self.rig.bot_user.id)

    @property
    def text_channels(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.type == GUILD_TEXT and not c.deleted]

    @property
    def threads(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.is_thread and not c.deleted]

    def channel(self, name: str) -> FakeChannel:
        """The channel or thread called ``name``."""
        for channel in self.channels.values():
            if channel.name == name and not channel.deleted:
                return channel
        raise KeyError(f"no channel {name!r} in {self.name!r}; have {self._names(self.channels)}")

    def role(self, name: str) -> FakeRole:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role {name!r} in {self.name!r}; have {self._names(self.roles)}")

    def member(self, who: str | int) -> FakeMember:
        """A member by id, username or nickname."""
        for member in self.members.values():
            if who in (member.id, member.user.username, member.nick):
                return member
        raise KeyError(f"no member {who!r} in {self.name!r}")

    @staticmethod
    def _names(items: dict[int, Any]) -> list[str]:
        return [str(getattr(i, "name", i)) for i in items.values()]

    # --- builders ------------------------------------------------------------------------
    def add_role(
        self,
        name: str,
        permissions: PermissionsLike = 0,
        *,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> FakeRole:
        """Add a role (sends ``GUILD_ROLE_CREATE`` when the bot is connected)."""
        role = FakeRole(
            id=self.rig.snowflake(),
            guild_id=self.id,
            name=name,
            permissions=as_permissions(permissions),
            position=len(self.roles),
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        self.roles[role.id] = role
        self.rig._guild_event(
            self, "GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.to_payload()}
        )
        return role

    def delete_role(self, role: FakeRole) -> None:
        """Delete a role, as Discord does: members lose it and channel overwrites for it go
        (sends ``GUILD_ROLE_DELETE`` when the bot is connected)."""
        if role.id == self.id or role.managed:
            raise ValueError(f"{role!r} cannot be deleted (@everyone or a managed role)")
        del self.roles[role.id]
        for member in self.members.values():
            if role.id in member.role_ids:
                member.role_ids.remove(role.id)
        for channel in self.channels.values():
            channel.overwrites.pop(role.id, None)
        self.rig._guild_event(
            self, "GUILD_ROLE_DELETE", {"guild_id": str(self.id), "role_id": str(role.id)}
        )

    def add_text_channel(
        self,
        name: str,
        *,
        topic: str | None = None,
        category: FakeChannel | None = None,
        nsfw: bool = False,
    ) -> FakeChannel:
        """Add a text channel (sends ``CHANNEL_CREATE`` when the bot is connected)."""
        return self._add_channel(
            name, GUILD_TEXT, topic=topic, nsfw=nsfw, parent_id=category.id if category else None
        )

    def add_category(self, name: str) -> FakeChannel:
        return self._add_channel(name, GUILD_CATEGORY)

    def add_voice_channel(self, name: str, *, category: FakeChannel | None = None) -> FakeChannel:
        """Add a voice channel (type 2; where a ``VOICE`` scheduled event is held)."""
        return self._add_channel(name, GUILD_VOICE, parent_id=category.id if category else None)

    def add_stage_channel(self, name: str, *, category: FakeChannel | None = None) -> FakeChannel:
        """Add a stage channel (type 13; for ``STAGE_INSTANCE`` scheduled events)."""
        return self._add_channel(
            name, GUILD_STAGE_VOICE, parent_id=category.id if category else None
        )

    def scheduled_event(self, name: str) -> FakeScheduledEvent:
        """The scheduled event called ``name`` (the newest, if several)."""
        for event in reversed(list(self.scheduled_events.values())):
            if event.name == name:
                return event
        names = [e.name for e in self.scheduled_events.values()]
        raise KeyError(f"no scheduled event {name!r} in {self.name!r}; have {names}")

    def _add_channel(self, name: str, type_: int, **kwargs: Any) -> FakeChannel:
        channel = FakeChannel(
            id=self.rig.snowflake(),
            type=type_,
            name=name,
            guild_id=self.id,
            position=len([c for c in self.channels.values() if not c.is_thread]),
            **kwargs,
        )
        self.channels[channel.id] = channel
        self.rig.channels[channel.id] = channel
        self.rig._guild_event(self, "CHANNEL_CREATE", channel.to_payload())
        return channel

    def add_member(
        self,
        user: FakeUser | str,
        *,
        roles: Iterable[FakeRole] = (),
        nick: str | None = None,
    ) -> FakeMember:
        """Add a member; ``user`` is an existing :class:`FakeUser` or a new username.

        Sends ``GUILD_MEMBER_ADD`` when the bot is connected (with the members intent).
        """
        if isinstance(user, str):
            user = self.rig.add_user(user)
        if user.id in self.members:
            raise ValueError(f"{user!r} is already a member of {self.name!r}")
        member = FakeMember(user=user, guild=self, role_ids=[r.id for r in roles], nick=nick)
        self.members[user.id] = member
        self.rig._guild_event(
            self, "GUILD_MEMBER_ADD", {**member.to_payload(), "guild_id": str(self.id)}
        )
        return member

    def remove_member(self, member: FakeMember) -> None:
        """Remove a member (sends ``GUILD_MEMBER_REMOVE`` when the bot is connected)."""
        del self.members[member.id]
        self.rig._guild_event(
            self,
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(self.id), "user": member.user.to_payload()},
        )

    def give_role(self, member: FakeMember, role: FakeRole) -> None:
        """Add ``role`` to ``member`` (sends ``GUILD_MEMBER_UPDATE`` when connected)."""
        if role.id not in member.role_ids:
            member.role_ids.append(role.id)
        self.rig._guild_event(
            self, "GUILD_MEMBER_UPDATE", {**member.to_payload(), "guild_id": str(self.id)}
        )

    # --- permissions ---------------------------------------------------------------------
    def permissions_for(self, member: FakeMember, channel: FakeChannel | None = None) -> int:
        """Discord's permission algorithm: owner/Administrator → all; @everyone | roles;
        then channel overwrites (@everyone, roles, member). Threads use their parent's."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        base = self.everyone.permissions
        for role in member.roles:
            base |= role.permissions
        if base & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is None:
            return base
        if channel.is_thread and channel.parent_id in self.channels:
            channel = self.channels[channel.parent_id]
        overwrites = channel.overwrites
        if (everyone := overwrites.get(self.id)) is not None:
            base = (base & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            if (ow := overwrites.get(role_id)) is not None:
                allow |= ow.allow
                deny |= ow.deny
        base = (base & ~deny) | allow
        if (own := overwrites.get(member.id)) is not None and own.type == 1:
            base = (base & ~own.deny) | own.allow
        if not base & VIEW_CHANNEL:
            return 0
        return base

    # --- payloads ------------------------------------------------------------------------
    def to_payload(self, *, full: bool = False) -> JSON:
        """The guild object; ``full`` adds what GUILD_CREATE carries (channels, members...)."""
        payload: JSON = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "max_presences": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "nsfw_level": 0,
            "incidents_data": None,
        }
        if full:
            payload.update(
                {
                    "joined_at": iso(self.joined_at),
                    "large": False,
                    "unavailable": False,
                    "member_count": len(self.members),
                    "members": [m.to_payload() for m in self.members.values()],
                    "channels": [
                        c.to_payload()
                        for c in self.channels.values()
                        if not c.is_thread and not c.deleted
                    ],
                    "threads": [
                        c.to_payload()
                        for c in self.channels.values()
                        if c.is_thread and not c.deleted and not c.archived
                    ],
                    "voice_states": [],
                    "presences": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [
                        e.to_payload(self.rig) for e in self.scheduled_events.values()
                    ],
                    "soundboard_sounds": [],
                    "lazy": True,
                }
            )
        return payload

    def __repr__(self) -> str:
        return f"<FakeGuild {self.name!r} id={self.id}>"


@dataclass(eq=False)
class Upload:
    """A file a *user* attaches (slash-command ``attachment`` options, modal file uploads)."""

    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None


@dataclass(eq=False)
class StoredAttachment:
    """An attachment stored by the rig and served over HTTP at :attr:`url`."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "description": self.description,
        }
        if self.ephemeral:
            payload["ephemeral"] = True
        return payload


def guess_content_type(filename: str, fallback: str | None = None) -> str | None:
    """Discord derives the attachment content type from the file name."""
    guessed, _ = mimetypes.guess_type(filename)
    if guessed is not None and guessed.startswith("text/"):
        guessed += "; charset=utf-8"
    return guessed or fallback


def walk_components(components: Iterable[JSON]) -> Iterator[JSON]:
    """Every component, depth first: action rows, sections (and accessories), containers,
    labels, and their children."""
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]])


_MENTION = re.compile(r"<@!?(\d+)>")


@dataclass(eq=False)
class StoredMessage:
    """A message stored by the rig: what the bot posted (REST, interaction responses,
    follow-ups) or what a user posted through :meth:`FakeDiscord.post_user_message`.

    It is updated in place by edits (``history`` keeps every edit payload) and flagged
    ``deleted`` on deletion. Buttons and selects on it can be used with
    :meth:`FakeDiscord.click` and :meth:`FakeDiscord.select`.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    allowed_mentions: JSON | None = None
    message_reference: JSON | None = None
    interaction_metadata: JSON | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    thread_id: int | None = None
    #: the native poll this message carries (``polls.py``)
    poll: FakePoll | None = None
    #: every edit payload applied to this message, in order
    history: list[JSON] = field(default_factory=list)

    @property
    def created_at(self) -> datetime:
        return snowflake_time(self.id)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True for a deferred ("thinking") response not yet edited or followed up."""
        return bool(self.flags & FLAG_LOADING)

    @property
    def text(self) -> str:
        """Content plus every embed's visible text, one piece a line: handy for asserts."""
        parts = [self.content] if self.content else []
        for embed in self.embeds:
            parts.extend(embed_text(embed))
        for component in walk_components(self.components):
            if component.get("type") == 10 and component.get("content"):
                parts.append(component["content"])
        return "\n".join(parts)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def component(self, custom_id: str) -> JSON:
        """The button/select with ``custom_id`` (KeyError listing the ones present)."""
        for component in walk_components(self.components):
            if component.get("custom_id") == custom_id:
                return component
        raise KeyError(f"no component {custom_id!r} on message {self.id}; has {self.custom_ids}")

    def mentioned_user_ids(self) -> list[int]:
        return [int(m) for m in _MENTION.findall(self.content)]

    def to_payload(self, rig: FakeDiscord) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at else None,
            "tts": self.tts,
            "mention_everyone": False,
            "mentions": [
                rig.users[u].to_payload() for u in self.mentioned_user_ids() if u in rig.users
            ],
            "mention_roles": [],
            "attachments": [a.to_payload() for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            payload["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            payload["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            payload["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            payload["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            payload["message_reference"] = self.message_reference
        if self.thread_id is not None and (thread := rig.channels.get(self.thread_id)):
            payload["thread"] = thread.to_payload()
        if self.poll is not None:
            payload["poll"] = self.poll.to_payload(rig.bot_user.id)
        return payload

    def __repr__(self) -> str:
        flags = " ephemeral" if self.ephemeral else ""
        flags += " deleted" if self.deleted else ""
        return f"<StoredMessage id={self.id} channel={self.channel_id}{flags} {self.text[:60]!r}>"


def embed_text(embed: JSON) -> list[str]:
    """The visible strings of one embed."""
    parts = [embed.get("title"), embed.get("description")]
    parts.append((embed.get("author") or {}).get("name"))
    for f in embed.get("fields", []):
        parts.extend([f.get("name"), f.get("value")])
    parts.append((embed.get("footer") or {}).get("text"))
    return [p for p in parts if p]


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
