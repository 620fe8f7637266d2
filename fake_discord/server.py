""":class:`FakeDiscord`: the local Discord (REST + gateway) and the test-facing API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

import discord
from aiohttp import web

from .automod import AutoModBlocked, AutoModMixin
from .errors import MISSING_PERMISSIONS, BotCrashed, DiscordError, ErrorRule
from .gateway import INVALID_SESSION, RECONNECT, Gateway
from .interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionResult,
    ModalRecord,
    OptionValue,
    UserLike,
    base_interaction,
    build_command_data,
    build_component_data,
    build_modal_submit,
)
from .models import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    JSON,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    PermissionsLike,
    StoredAttachment,
    StoredMessage,
    Upload,
    as_permissions,
    guess_content_type,
)
from .polls import PollsMixin
from .recording import CommandSync, RecordedRequest
from .rest import RestApi
from .scheduled_events import ScheduledEventsMixin
from .snowflake import SnowflakeFactory
from .threads import ThreadsMixin


class WaitTimeout(AssertionError):
    """A ``wait_*`` helper timed out; the message says what was awaited and what happened."""


class _ErrorLogCollector(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


#: a message: the stored one, the interaction whose response it is, its id, or the
#: bot's own ``discord.Message`` (anything with an ``id``)
MessageLike = StoredMessage | InteractionResult | int | discord.abc.Snowflake

#: the token a default FakeDiscord accepts
DEFAULT_TOKEN = "fake-bot-token"
#: a waiter on one interaction re-checks at least this often (a safety net: every change to
#: an interaction comes with a REST call carrying its token, which wakes it at once)
INTERACTION_RECHECK_S = 1.0


class FakeDiscord(PollsMixin, ScheduledEventsMixin, AutoModMixin, ThreadsMixin):
    """A local Discord: REST API v10 + gateway on ``127.0.0.1``, an ephemeral port.

    Build the world (``add_guild``, ``guild.add_member``...), start the bot against
    :attr:`api_base` / :attr:`gateway_url`, then drive it with :meth:`slash`,
    :meth:`autocomplete`, :meth:`click`, :meth:`select`, :meth:`submit_modal` and inspect
    what it did (:attr:`requests`, :attr:`messages`, :attr:`command_syncs`...).

    Args:
        token: the bot token the rig accepts (others get 401 / gateway close 4004).
        bot_name: the bot user's name; its id is also the application id.
        shard_count: what ``GET /gateway/bot`` recommends (AutoShardedBot uses it).
        validate: check Discord's size limits and option/choice rules (400 on violation).
        timeout: default timeout of every ``wait_*`` helper, in seconds.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "Marginalia",
        shard_count: int = 1,
        validate: bool = True,
        timeout: float = 5.0,
        heartbeat_interval_ms: int = 41_250,
    ) -> None:
        self.snowflake = SnowflakeFactory()
        self.token = token
        self.shard_count = shard_count
        self.validate = validate
        self.timeout = timeout
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.application_id = self.snowflake()
        #: GATEWAY_MESSAGE_CONTENT_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED (like a small bot)
        self.application_flags = (1 << 19) | (1 << 15)
        self.bot_user = FakeUser(self.application_id, bot_name, bot=True)
        self.owner_user = FakeUser(self.snowflake(), "app-owner")

        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner_user)}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        #: current commands per scope (``None`` = global, else guild id), as Discord stores them
        self.commands: dict[int | None, list[JSON]] = {}
        #: every bulk overwrite (``PUT .../commands``), in order
        self.command_syncs: list[CommandSync] = []
        self.interactions: dict[int, InteractionResult] = {}
        self.interactions_by_token: dict[str, InteractionResult] = {}
        self.modals: list[ModalRecord] = []
        #: every REST call, in order
        self.requests: list[RecordedRequest] = []
        #: REST calls no route matched (answered 404): a feature the rig lacks, or a bot bug
        self.unhandled: list[RecordedRequest] = []
        self.error_rules: list[ErrorRule] = []
        self.identifies: list[JSON] = []
        self.resumes: list[JSON] = []
        self.presence_updates: list[Any] = []
        #: ERROR-level log records emitted while the rig ran (shown when a wait times out)
        self.error_logs: list[logging.LogRecord] = []

        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._log_handler = _ErrorLogCollector(self.error_logs)
        self._bot_task: asyncio.Task[Any] | None = None
        self._bot_crash: BaseException | None = None
        self._bot_stopping = False
        #: how many times a waiter checked its condition (each wake-up is one check)
        self.wait_checks = 0

    # === lifecycle ==========================================================================
    async def start(self, port: int = 0) -> FakeDiscord:
        """Serve on ``127.0.0.1`` at ``port`` (default: an ephemeral one) — a given port lets
        a test start Discord where a bot has been knocking already."""
        app = web.Application(middlewares=[self.rest.middleware], client_max_size=64 * 2**20)
        self.rest.install(app)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._serve_attachment)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        logging.getLogger().addHandler(self._log_handler)
        return self

    async def stop(self) -> None:
        """Close gateway connections and the HTTP server."""
        logging.getLogger().removeHandler(self._log_handler)
        await self.gateway.close_all(1000)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """For ``discord.http.Route.BASE`` / ``DISCORD_API_BASE``."""
        return f"{self.http_base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """For ``DiscordWebSocket.DEFAULT_GATEWAY`` / ``DISCORD_GATEWAY_URL``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def env(self) -> dict[str, str]:
        """The environment variables pointing the app at this server."""
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    # === building the world =================================================================
    def add_user(
        self, username: str, *, global_name: str | None = None, bot: bool = False
    ) -> FakeUser:
        """A user who can then join guilds (``guild.add_member(user)``)."""
        user = FakeUser(self.snowflake(), username, global_name=global_name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        owner: FakeUser | str = "owner",
        channels: Sequence[str] = ("general",),
        members: Iterable[FakeUser | str] = (),
        bot_permissions: PermissionsLike = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: PermissionsLike = DEFAULT_EVERYONE_PERMISSIONS,
        locale: str = "en-US",
        shard: int | None = None,
    ) -> FakeGuild:
        """A guild with @everyone, the bot (with a managed role holding ``bot_permissions``),
        its owner, the given text channels and members.

        Its id puts it on shard ``shard`` of :attr:`shard_count` (by default guilds go
        round-robin: the first on shard 0, the second on shard 1...).

        Added after the bot connected, it is delivered as a new join (``GUILD_CREATE``
        → ``on_guild_join``).
        """
        owner_user = self.add_user(owner) if isinstance(owner, str) else owner
        if shard is None:
            shard = len(self.guilds) % self.shard_count
        guild_id = self.snowflake()
        while (guild_id >> 22) % self.shard_count != shard % self.shard_count:
            guild_id = self.snowflake()
        guild = FakeGuild(
            rig=self,
            id=guild_id,
            name=name,
            owner_id=owner_user.id,
            preferred_locale=locale,
        )
        guild.roles[guild.id] = FakeRole(
            id=guild.id,
            guild_id=guild.id,
            name="@everyone",
            permissions=as_permissions(everyone_permissions),
        )
        bot_role = FakeRole(
            id=self.snowflake(),
            guild_id=guild.id,
            name=self.bot_user.username,
            permissions=as_permissions(bot_permissions),
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner_user.id] = FakeMember(owner_user, guild)
        guild.members[self.bot_user.id] = FakeMember(self.bot_user, guild, [bot_role.id])
        for channel_name in channels:
            channel = FakeChannel(
                id=self.snowflake(),
                type=0,
                name=channel_name,
                guild_id=guild.id,
                position=len(guild.channels),
            )
            guild.channels[channel.id] = channel
        for member in members:
            guild.add_member(member)  # before registering: no GUILD_MEMBER_ADD for these
        self.guilds[guild.id] = guild
        self.channels.update(guild.channels)
        self.gateway.dispatch("GUILD_CREATE", self._join_payload(guild), guild_id=guild.id)
        self._notify()
        return guild

    def _join_payload(self, guild: FakeGuild) -> JSON:
        payload = guild.to_payload(full=True)
        del payload["unavailable"]  # a join, not a guild becoming available
        return payload

    def remove_bot_from_guild(self, guild: FakeGuild) -> None:
        """The bot was kicked / left: ``GUILD_DELETE`` without ``unavailable``
        (→ ``on_guild_remove``); REST calls for the guild then get 403 Missing Access."""
        guild.bot_present = False
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id)
        self._notify()

    def add_bot_to_guild(self, guild: FakeGuild) -> None:
        """The bot (re)joins ``guild``: ``GUILD_CREATE`` (→ ``on_guild_join``)."""
        guild.bot_present = True
        self.gateway.dispatch("GUILD_CREATE", self._join_payload(guild), guild_id=guild.id)
        self._notify()

    def make_guild_unavailable(self, guild: FakeGuild) -> None:
        """An outage: ``GUILD_DELETE`` with ``unavailable: true`` (→ ``on_guild_unavailable``)."""
        self.gateway.dispatch(
            "GUILD_DELETE", {"id": str(guild.id), "unavailable": True}, guild_id=guild.id
        )

    def delete_channel(self, channel: FakeChannel) -> None:
        """Delete a channel or thread (``CHANNEL_DELETE``/``THREAD_DELETE``); REST calls for
        it then get 404 Unknown Channel."""
        channel.deleted = True
        self._channel_event("THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE", channel)
        self._notify()

    def dispatch_channel_update(self, channel: FakeChannel) -> None:
        """Tell the bot a channel changed (e.g. after :meth:`FakeChannel.set_overwrite`)."""
        self._channel_event("THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE", channel)

    def dispatch_role_update(self, role: FakeRole) -> None:
        """Tell the bot a role changed (e.g. its ``permissions``)."""
        guild = self.guilds[role.guild_id]
        data = {"guild_id": str(guild.id), "role": role.to_payload()}
        self._guild_event(guild, "GUILD_ROLE_UPDATE", data)

    def set_dms_open(self, user: UserLike, is_open: bool = True) -> None:
        """Open or close ``user``'s DMs: while closed, the bot's messages to their DM
        channel get 403 "Cannot send messages to this user" (50007); opening the DM
        channel (``POST /users/@me/channels``) still works, as on Discord."""
        self.resolve_user(user).accepts_dms = is_open

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The bot's DM channel with ``user`` (created on first use, like Discord)."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient is user:
                return channel
        channel = FakeChannel(id=self.snowflake(), type=DM, name=None, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def store_upload(self, upload: Upload) -> StoredAttachment:
        """Store a user's upload (served over HTTP) as Discord does for attachment options."""
        return self._store_attachment(
            filename=upload.filename,
            data=upload.data,
            content_type=upload.content_type or guess_content_type(upload.filename),
            description=upload.description,
            ephemeral=True,
        )

    def _store_attachment(
        self,
        *,
        filename: str,
        data: bytes,
        content_type: str | None,
        description: str | None,
        ephemeral: bool,
    ) -> StoredAttachment:
        attachment_id = self.snowflake()
        attachment = StoredAttachment(
            id=attachment_id,
            filename=filename,
            data=data,
            content_type=content_type,
            url=f"{self.http_base}/attachments/{attachment_id}/{filename}",
            description=description,
            ephemeral=ephemeral,
        )
        self.attachments[attachment_id] = attachment
        return attachment

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        attachment = self.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404)
        return web.Response(
            body=attachment.data,
            headers={"Content-Type": attachment.content_type or "application/octet-stream"},
        )

    # === lookups ============================================================================
    def resolve_user(self, value: UserLike) -> FakeUser:
        if isinstance(value, FakeMember):
            return value.user
        if isinstance(value, FakeUser):
            return value
        if int(value) in self.users:
            return self.users[int(value)]
        raise KeyError(f"unknown user {value!r}")

    def resolve_channel(self, value: FakeChannel | int) -> FakeChannel:
        if isinstance(value, FakeChannel):
            return value
        return self.channels[int(value)]

    def channel_messages(
        self, channel: FakeChannel | int, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """Messages in a channel, oldest first (ephemeral ones included, flagged)."""
        channel_id = channel.id if isinstance(channel, FakeChannel) else channel
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel_id == channel_id and (include_deleted or not m.deleted)
            ),
            key=lambda m: m.id,
        )

    def requests_to(self, method: str, route: str) -> list[RecordedRequest]:
        """Recorded calls matching ``method`` and a route template or concrete path, e.g.
        ``requests_to("POST", "/channels/{channel_id}/messages")``."""
        from .errors import compile_route_pattern

        regex = compile_route_pattern(route)
        return [
            r
            for r in self.requests
            if r.method == method.upper() and (r.route == route or regex.fullmatch(r.path))
        ]

    def mark(self) -> int:
        """A fresh snowflake: pass it as ``after=`` to only see what happens from now on."""
        return self.snowflake()

    # === errors =============================================================================
    def fail(
        self,
        method: str,
        route: str,
        error: DiscordError = MISSING_PERMISSIONS,
        *,
        times: int | None = 1,
        skip: int = 0,
    ) -> ErrorRule:
        """Answer matching REST calls with ``error`` (``times`` times; ``None`` = always),
        after letting the first ``skip`` of them through.

        ``route`` is a path relative to the API base; ``{name}`` or ``*`` match one segment:
        ``rig.fail("POST", f"/channels/{channel.id}/messages", errors.MISSING_PERMISSIONS)``.
        """
        rule = ErrorRule(method, route, error, times, skip=skip, _owner=self.error_rules)
        self.error_rules.append(rule)
        return rule

    # === gateway control ====================================================================
    async def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None = None, timeout: float | None = None
    ) -> None:
        """Send any dispatch to the shard owning ``guild_id`` and wait until it was written."""
        sent = self.gateway.dispatch(event, data, guild_id=guild_id)
        if sent is not None:
            await self._await(sent, timeout, f"{event} to be sent")

    async def sync(self, timeout: float | None = None) -> None:
        """Wait until the bot has *parsed* every gateway event sent so far (its caches are
        up to date; listeners it dispatched may still be running)."""
        await self._await(self.gateway.barrier(), timeout, "the bot to process gateway events")

    async def _await(self, awaitable: Awaitable[Any], timeout: float | None, what: str) -> Any:
        """Await ``awaitable`` but fail fast (BotCrashed) if the bot dies meanwhile."""
        future = asyncio.ensure_future(awaitable)
        future.add_done_callback(lambda _: self._notify())
        try:
            await self.wait_until(future.done, timeout, what)
        finally:
            if not future.done():
                future.cancel()
        return future.result()

    async def reconnect(self, *, timeout: float | None = None) -> None:
        """Ask every shard to reconnect (op 7) and wait until each RESUMEd."""
        before = len(self.resumes)
        shards = len(self.gateway.live_sessions())
        await self.gateway.send_op(RECONNECT)
        await self.wait_until(
            lambda: (
                len(self.resumes) >= before + shards and len(self.gateway.live_sessions()) == shards
            ),
            timeout,
            "every shard to RESUME",
        )

    async def invalidate_sessions(self, *, timeout: float | None = None) -> None:
        """Send INVALID_SESSION (not resumable): each shard must IDENTIFY again.

        discord.py waits 5 s in ``before_identify_hook`` before a non-initial IDENTIFY;
        override the hook in test bots to keep this fast.
        """
        before = len(self.identifies)
        shards = len(self.gateway.live_sessions())
        await self.gateway.send_op(INVALID_SESSION, False)
        await self.wait_until(
            lambda: len(self.identifies) >= before + shards, timeout, "every shard to IDENTIFY"
        )

    async def post_user_message(
        self,
        channel: FakeChannel,
        user: UserLike,
        content: str,
        *,
        timeout: float | None = None,
    ) -> StoredMessage:
        """A member writes in ``channel`` (``MESSAGE_CREATE``; needs the messages intent).

        Raises :class:`~fake_discord.automod.AutoModBlocked` (nothing posted) if an AutoMod
        rule blocks the text there for this member."""
        author = self.resolve_user(user)
        match = self.automod_match(channel, content, author)
        if match is not None:
            raise AutoModBlocked(match)
        message = StoredMessage(
            id=self.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=content,
        )
        self.messages[message.id] = message
        channel.last_message_id = message.id
        sent = self._message_event("MESSAGE_CREATE", message)
        if sent is not None:
            await self._await(sent, timeout, "MESSAGE_CREATE to be sent")
        return message

    # === interactions =======================================================================
    def find_command(self, name: str, guild: FakeGuild | None = None, *, type: int = 1) -> JSON:
        """A synced command: guild-scoped ones first, then global."""
        scopes: list[int | None] = [guild.id, None] if guild is not None else [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == type:
                    return command
        synced = {scope: [c["name"] for c in cs] for scope, cs in self.commands.items()}
        raise LookupError(
            f"/{name} was not synced (did the bot call tree.sync()?); synced: {synced}"
        )

    def _interaction_channel(
        self, guild: FakeGuild | None, channel: FakeChannel | int | str | None, user: FakeUser
    ) -> FakeChannel:
        if guild is None:
            return self.dm_channel(user)
        if channel is None:
            if not guild.text_channels:
                raise ValueError(f"{guild!r} has no text channel; pass channel=")
            return guild.text_channels[0]
        if isinstance(channel, str):
            return guild.channel(channel)
        return self.resolve_channel(channel)

    async def send_interaction(
        self,
        payload: JSON,
        *,
        guild: FakeGuild | None,
        channel: FakeChannel,
        user: FakeUser,
        source_message: StoredMessage | None = None,
        command_name: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Deliver a prepared INTERACTION_CREATE payload (for cases the helpers don't
        cover) and, with ``wait``, wait for the bot's callback."""
        self.check_bot()
        result = InteractionResult(
            self,
            payload,
            guild=guild,
            channel=channel,
            user=user,
            source_message=source_message,
            command_name=command_name,
        )
        self.interactions[result.id] = result
        self.interactions_by_token[result.token] = result
        session = self.gateway.session_for(guild.id if guild is not None else None)
        if session is None:
            raise RuntimeError("no gateway session for this guild: is the bot running?")
        session.enqueue("INTERACTION_CREATE", payload)
        if wait:
            await result.wait_callback(timeout)
        return result

    def new_token(self, interaction_id: int) -> str:
        return f"aW50ZXJhY3Rpb24{interaction_id}{secrets.token_urlsafe(24)}"

    @staticmethod
    def _command_path(
        name: str, subcommand: str | None, group: str | None
    ) -> tuple[str, list[str]]:
        parts = name.split()
        path = parts[1:]
        if group is not None:
            path.append(group)
        if subcommand is not None:
            path.append(subcommand)
        return parts[0], path

    async def slash(
        self,
        guild: FakeGuild | None,
        user: UserLike,
        name: str,
        options: Mapping[str, OptionValue] | None = None,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        channel: FakeChannel | int | str | None = None,
        locale: str = "en-US",
        validate: bool | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Run a slash command as ``user`` and wait for the bot's callback.

        ``name`` may hold the whole path (``"review write"``, ``"club schedule add"``) or
        use ``subcommand=``/``group=``. Option values are plain Python values (str, int,
        float, bool, :class:`FakeUser`/:class:`FakeMember`, :class:`FakeChannel`,
        :class:`FakeRole`, :class:`Upload`); their types come from the synced command.
        ``guild=None`` runs it in the bot's DM with ``user``. ``channel`` defaults to the
        guild's first text channel.
        """
        command_name, path = self._command_path(name, subcommand, group)
        command = self.find_command(command_name, guild)
        user_obj = self.resolve_user(user)
        member = guild.members.get(user_obj.id) if guild is not None else None
        target = self._interaction_channel(guild, channel, user_obj)
        data = build_command_data(
            self,
            command,
            path,
            options or {},
            guild=guild,
            member=member,
            channel=target,
            validate=self.validate if validate is None else validate,
        )
        payload = base_interaction(
            self,
            kind=APPLICATION_COMMAND,
            data=data,
            guild=guild,
            channel=target,
            user=user_obj,
            locale=locale,
        )
        return await self.send_interaction(
            payload,
            guild=guild,
            channel=target,
            user=user_obj,
            command_name=" ".join([command_name, *path]),
            wait=wait,
            timeout=timeout,
        )

    async def message_command(
        self,
        guild: FakeGuild | None,
        user: UserLike,
        name: str,
        message: MessageLike,
        *,
        locale: str = "en-US",
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Run message context-menu command ``name`` (type 3, e.g. "Save as quote") on
        ``message`` as ``user``, in the message's channel, and wait for the callback. As on
        Discord, the message comes in ``data.resolved.messages`` under ``target_id``."""
        stored = self._message_of(message)
        if stored.deleted:
            raise ValueError(f"message {stored.id} was deleted")
        command = self.find_command(name, guild, type=3)
        user_obj = self.resolve_user(user)
        channel = self.channels[stored.channel_id]
        data: JSON = {
            "id": command["id"],
            "name": command["name"],
            "type": 3,
            "target_id": str(stored.id),
            "resolved": {"messages": {str(stored.id): stored.to_payload(self)}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = base_interaction(
            self,
            kind=APPLICATION_COMMAND,
            data=data,
            guild=guild,
            channel=channel,
            user=user_obj,
            locale=locale,
        )
        return await self.send_interaction(
            payload,
            guild=guild,
            channel=channel,
            user=user_obj,
            command_name=name,
            wait=wait,
            timeout=timeout,
        )

    async def autocomplete(
        self,
        guild: FakeGuild | None,
        user: UserLike,
        name: str,
        focused: str,
        value: str | int | float = "",
        options: Mapping[str, OptionValue] | None = None,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        channel: FakeChannel | int | str | None = None,
        locale: str = "en-US",
        timeout: float | None = None,
    ) -> list[JSON]:
        """Type ``value`` into option ``focused`` (other options already filled from
        ``options``) and return the choices the bot answered (callback type 8)."""
        command_name, path = self._command_path(name, subcommand, group)
        command = self.find_command(command_name, guild)
        user_obj = self.resolve_user(user)
        member = guild.members.get(user_obj.id) if guild is not None else None
        target = self._interaction_channel(guild, channel, user_obj)
        data = build_command_data(
            self,
            command,
            path,
            {**(options or {}), focused: value},
            guild=guild,
            member=member,
            channel=target,
            focused=focused,
            validate=self.validate,
        )
        payload = base_interaction(
            self,
            kind=APPLICATION_COMMAND_AUTOCOMPLETE,
            data=data,
            guild=guild,
            channel=target,
            user=user_obj,
            locale=locale,
        )
        result = await self.send_interaction(
            payload,
            guild=guild,
            channel=target,
            user=user_obj,
            command_name=" ".join([command_name, *path]),
            timeout=timeout,
        )
        if result.callback_type != APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete answered with callback {result.callback_type}")
        return result.choices

    def _message_of(self, message: MessageLike) -> StoredMessage:
        if isinstance(message, StoredMessage):
            return message
        if isinstance(message, InteractionResult):
            return message.message
        if isinstance(message, int):
            return self.messages[message]
        return self.messages[int(message.id)]  # a discord.Message, or any snowflake object

    async def _component_interaction(
        self,
        message: MessageLike,
        custom_id: str,
        user: UserLike,
        values: Sequence[Any] | None,
        *,
        wait: bool,
        timeout: float | None,
    ) -> InteractionResult:
        stored = self._message_of(message)
        if stored.deleted:
            raise ValueError(f"message {stored.id} was deleted")
        component = stored.component(custom_id)
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if (values is None) != (component["type"] == 2):
            kind = "button" if component["type"] == 2 else "select"
            raise ValueError(
                f"{custom_id!r} is a {kind}; use {'click' if kind == 'button' else 'select'}()"
            )
        user_obj = self.resolve_user(user)
        guild = self.guilds.get(stored.guild_id) if stored.guild_id else None
        member = guild.members.get(user_obj.id) if guild is not None else None
        channel = self.channels[stored.channel_id]
        data = build_component_data(
            self,
            component,
            values,
            guild=guild,
            member=member,
            channel=channel,
            validate=self.validate,
        )
        payload = base_interaction(
            self, kind=MESSAGE_COMPONENT, data=data, guild=guild, channel=channel, user=user_obj
        )
        payload["message"] = stored.to_payload(self)
        return await self.send_interaction(
            payload,
            guild=guild,
            channel=channel,
            user=user_obj,
            source_message=stored,
            wait=wait,
            timeout=timeout,
        )

    async def click(
        self,
        message: MessageLike,
        custom_id: str,
        user: UserLike,
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Click button ``custom_id`` on ``message`` (a :class:`StoredMessage`, the
        :class:`InteractionResult` whose response carries it, or a message id)."""
        return await self._component_interaction(
            message, custom_id, user, None, wait=wait, timeout=timeout
        )

    async def select(
        self,
        message: MessageLike,
        custom_id: str,
        values: Sequence[Any],
        user: UserLike,
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Pick ``values`` in select ``custom_id``: option values for string selects;
        users/members, roles or channels (or their ids) for the other select types."""
        return await self._component_interaction(
            message, custom_id, user, list(values), wait=wait, timeout=timeout
        )

    def _modal_of(self, modal: ModalRecord | InteractionResult | str) -> ModalRecord:
        if isinstance(modal, ModalRecord):
            return modal
        if isinstance(modal, InteractionResult):
            if modal.modal is None:
                raise ValueError(f"{modal!r} did not open a modal")
            return modal.modal
        for record in reversed(self.modals):
            if record.custom_id == modal and not record.submitted:
                return record
        raise LookupError(f"no open modal {modal!r}; opened: {[m.custom_id for m in self.modals]}")

    async def submit_modal(
        self,
        modal: ModalRecord | InteractionResult | str,
        values: Mapping[str, Any],
        user: UserLike | None = None,
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Submit a modal the bot opened: ``values`` maps each input's ``custom_id`` to a
        string (text input), a list (select, file upload of :class:`Upload`) or a bool
        (checkbox). Unfilled text inputs keep their pre-filled value; a required input left
        empty raises, as Discord would not let the member submit. ``user`` defaults to the
        member who opened it."""
        record = self._modal_of(modal)
        if record.submitted:
            raise ValueError(f"modal {record.custom_id!r} was already submitted")
        opener = record.opened_by
        user_obj = opener.user if user is None else self.resolve_user(user)
        guild = opener.guild
        member = guild.members.get(user_obj.id) if guild is not None else None
        data = build_modal_submit(
            self,
            record,
            values,
            guild=guild,
            member=member,
            channel=opener.channel,
            validate=self.validate,
        )
        payload = base_interaction(
            self,
            kind=MODAL_SUBMIT,
            data=data,
            guild=guild,
            channel=opener.channel,
            user=user_obj,
        )
        if opener.source_message is not None:
            payload["message"] = opener.source_message.to_payload(self)
        record.submitted = True
        return await self.send_interaction(
            payload,
            guild=guild,
            channel=opener.channel,
            user=user_obj,
            source_message=opener.source_message,
            wait=wait,
            timeout=timeout,
        )

    # === waiting ============================================================================
    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float | None = None,
        what: str = "condition",
        *,
        on: InteractionResult | None = None,
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking after every change the rig sees —
        or, ``on`` an interaction, after every REST call carrying its token (and at least
        every :data:`INTERACTION_RECHECK_S`, should a change reach it another way).

        Raises :class:`~fake_discord.errors.BotCrashed` at once if the bot task died, and
        :class:`WaitTimeout` (with recent requests and error logs) after ``timeout``."""
        loop = asyncio.get_running_loop()
        limit = self.timeout if timeout is None else timeout
        deadline = loop.time() + limit
        while True:
            self.check_bot()
            self.wait_checks += 1
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(
                    f"timed out after {limit}s waiting for {what}{self.diagnostics()}"
                )
            if on is None:
                changed = self._changed
            else:
                changed = on._changed
                remaining = min(remaining, INTERACTION_RECHECK_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_message(
        self,
        channel: FakeChannel | int,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        after: int | StoredMessage | None = None,
        include_ephemeral: bool = False,
        timeout: float | None = None,
    ) -> StoredMessage:
        """The first (oldest) message in ``channel`` matching ``predicate``, waiting for it.

        ``after`` (a :meth:`mark` or a message) ignores older messages; ephemeral
        interaction responses are skipped unless ``include_ephemeral``."""
        floor = after.id if isinstance(after, StoredMessage) else (after or 0)
        channel_id = channel.id if isinstance(channel, FakeChannel) else channel
        found: list[StoredMessage] = []

        def check() -> bool:
            for message in self.channel_messages(channel_id):
                if message.id <= floor or (message.ephemeral and not include_ephemeral):
                    continue
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        await self.wait_until(check, timeout, f"a message in channel {channel_id}")
        return found[0]

    # === the bot task =======================================================================
    def watch_bot(self, task: asyncio.Task[Any]) -> None:
        """Fail every wait at once (:class:`BotCrashed`) if ``task`` ends unexpectedly."""
        self._bot_task = task
        self._bot_crash = None
        self._bot_stopping = False
        task.add_done_callback(self._on_bot_done)

    def expect_bot_stop(self) -> None:
        """The bot is being closed on purpose: its task ending is not a crash."""
        self._bot_stopping = True

    def _on_bot_done(self, task: asyncio.Task[Any]) -> None:
        if self._bot_stopping:
            return
        if task.cancelled():
            self._bot_crash = asyncio.CancelledError("the bot task was cancelled")
        else:
            self._bot_crash = task.exception() or RuntimeError(
                "Client.start() returned although nobody closed the bot"
            )
        self._notify()
        for interaction in self.interactions.values():
            interaction.touch()

    @property
    def bot_crash(self) -> BaseException | None:
        return self._bot_crash

    def check_bot(self) -> None:
        """Raise :class:`BotCrashed` if the watched bot task died."""
        if self._bot_crash is not None:
            raise BotCrashed(
                f"the bot task died: {self._bot_crash!r}{self.diagnostics()}"
            ) from self._bot_crash

    def diagnostics(self) -> str:
        """Recent REST calls and error logs, appended to failure messages."""
        lines = ["", "--- last REST calls:"]
        lines += [f"    {r.method} {r.path} → {r.status}" for r in self.requests[-8:]] or [
            "    none"
        ]
        if self.unhandled:
            lines.append("--- routes the rig does not serve:")
            lines += [f"    {r.method} {r.path}" for r in self.unhandled[-5:]]
        if self.error_logs:
            lines.append("--- error logs:")
            for record in self.error_logs[-3:]:
                lines.append(f"    {record.name}: {record.getMessage()}")
                if record.exc_info and record.exc_info[1] is not None:
                    formatted = traceback.format_exception(record.exc_info[1])
                    lines += ["      " + line for line in "".join(formatted).splitlines()[-30:]]
        return "\n".join(lines)

    # === internal: state changes and their gateway events ====================================
    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _guild_event(self, guild: FakeGuild, event: str, data: JSON) -> None:
        if guild.bot_present and guild.id in self.guilds:
            self.gateway.dispatch(event, data, guild_id=guild.id)
        self._notify()

    def _channel_event(self, event: str, channel: FakeChannel, **extra: Any) -> None:
        if channel.guild_id is None:
            return
        self._guild_event(self.guilds[channel.guild_id], event, {**channel.to_payload(), **extra})

    def _message_event(self, event: str, message: StoredMessage) -> asyncio.Future[None] | None:
        if message.ephemeral:
            return None
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
        else:
            data = message.to_payload(self)
            guild = self.guilds.get(message.guild_id) if message.guild_id else None
            if guild is not None and message.author.id in guild.members:
                data["member"] = guild.members[message.author.id].to_payload(with_user=False)
        return self.gateway.dispatch(
            event, data, guild_id=message.guild_id, dm=message.guild_id is None
        )

    def _add_message(self, message: StoredMessage) -> None:
        self.messages[message.id] = message
        channel = self.channels.get(message.channel_id)
        if channel is not None:
            channel.last_message_id = message.id
            channel.message_count += 1
        self._message_event("MESSAGE_CREATE", message)
        self._notify()

    def _delete_message(self, message: StoredMessage) -> None:
        message.deleted = True
        self._message_event("MESSAGE_DELETE", message)
        self._notify()

    def _record_sync(self, scope: int | None, commands: list[JSON]) -> None:
        self.commands[scope] = commands
        self.command_syncs.append(CommandSync(scope, commands))
        self._notify()
