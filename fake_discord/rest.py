"""The REST API (v10): the routes discord.py calls, answered from the rig's state.

Every call under ``/api/v10`` goes through :func:`RestApi.middleware`, which parses the
body (JSON, or multipart ``payload_json`` + ``files[n]``), records it, applies injected
errors, checks the bot token (interaction and webhook routes take none, as on Discord)
and turns :class:`~fake_discord.errors.ApiError` into Discord's JSON error body. An
unknown route is answered 404 and listed in :attr:`FakeDiscord.unhandled`.

Responses carry ``Content-Type: application/json`` exactly: discord.py compares the
header with ``==`` and treats anything else (``; charset=utf-8``) as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from aiohttp import BodyPartReader, web

from . import errors as e
from . import validation
from .automod import AutoModRoutes
from .errors import ApiError, DiscordError
from .interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_UPDATE_MESSAGE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    PING,
    PONG,
    UPDATE_MESSAGE,
    Callback,
    InteractionResult,
    MessageEdit,
    ModalRecord,
)
from .models import (
    DM,
    FLAG_EPHEMERAL,
    FLAG_HAS_THREAD,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    GUILD_TEXT,
    JSON,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    FakeChannel,
    FakeGuild,
    FakeUser,
    StoredAttachment,
    StoredMessage,
    guess_content_type,
)
from .polls import SEND_POLLS, PollRoutes, parse_poll
from .recording import RecordedFile, RecordedRequest
from .scheduled_events import ScheduledEventRoutes
from .snowflake import iso

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"


class _NoContent:
    pass


#: return this from a handler to answer 204 No Content
NO_CONTENT = _NoContent()


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def error_response(error: DiscordError) -> web.Response:
    return json_response(error.body(), error.status, error.headers())


@dataclass
class ApiRequest:
    """What a route handler gets: path parameters, query, parsed body, the record."""

    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    record: RecordedRequest

    @property
    def body(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(e.NOT_FOUND) from None


Handler = Callable[[ApiRequest], Awaitable[Any]]
API_REQUEST = web.RequestKey("fake_discord_api_request", ApiRequest)

_UNAUTHENTICATED = re.compile(r"^/(webhooks|interactions)/")
_TOKEN_ROUTE = re.compile(r"^/(?:interactions|webhooks)/\d+/([^/]+)")
_FILE_INDEX = re.compile(r"^files?\[?(\d*)\]?$")


def _perm(**flags: bool) -> int:
    return discord.Permissions(**flags).value


VIEW = _perm(view_channel=True)
SEND = _perm(send_messages=True)
SEND_IN_THREADS = _perm(send_messages_in_threads=True)
ATTACH = _perm(attach_files=True)
MANAGE_MESSAGES = _perm(manage_messages=True)
MANAGE_THREADS = _perm(manage_threads=True)
CREATE_PUBLIC_THREADS = _perm(create_public_threads=True)
CREATE_PRIVATE_THREADS = _perm(create_private_threads=True)
READ_HISTORY = _perm(read_message_history=True)


class RestApi:
    """Route table and handlers. State lives on the :class:`FakeDiscord` (``self.rig``)."""

    def __init__(self, rig: FakeDiscord) -> None:
        self.rig = rig
        self.polls = PollRoutes(self)
        self.scheduled_events = ScheduledEventRoutes(self)
        self.automod = AutoModRoutes(self)

    # --- plumbing ----------------------------------------------------------------------------
    def routes(self) -> list[tuple[str, str, Handler]]:
        a, g = "/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"
        wh = "/webhooks/{application_id}/{token}"
        return [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            # application commands
            ("GET", f"{a}/commands", self.get_commands),
            ("PUT", f"{a}/commands", self.put_commands),
            ("POST", f"{a}/commands", self.post_command),
            ("GET", f"{a}/commands/{{command_id}}", self.get_command),
            ("PATCH", f"{a}/commands/{{command_id}}", self.patch_command),
            ("DELETE", f"{a}/commands/{{command_id}}", self.delete_command),
            ("GET", f"{g}/commands", self.get_commands),
            ("PUT", f"{g}/commands", self.put_commands),
            ("POST", f"{g}/commands", self.post_command),
            ("GET", f"{g}/commands/{{command_id}}", self.get_command),
            ("PATCH", f"{g}/commands/{{command_id}}", self.patch_command),
            ("DELETE", f"{g}/commands/{{command_id}}", self.delete_command),
            # interactions
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.post_callback),
            ("POST", wh, self.post_followup),
            ("GET", f"{wh}/messages/{{message_id}}", self.get_webhook_message),
            ("PATCH", f"{wh}/messages/{{message_id}}", self.patch_webhook_message),
            ("DELETE", f"{wh}/messages/{{message_id}}", self.delete_webhook_message),
            # channels and messages
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("PATCH", "/channels/{channel_id}", self.patch_channel),
            ("DELETE", "/channels/{channel_id}", self.delete_channel),
            ("GET", "/channels/{channel_id}/messages", self.get_messages),
            ("POST", "/channels/{channel_id}/messages", self.post_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.patch_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.no_content),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self.no_content,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self.no_content,
            ),
            (
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self.post_thread_from_message,
            ),
            ("POST", "/channels/{channel_id}/threads", self.post_thread),
            ("GET", "/channels/{channel_id}/thread-members", self.get_thread_members),
            ("GET", "/channels/{channel_id}/thread-members/{user_id}", self.get_thread_member),
            ("PUT", "/channels/{channel_id}/thread-members/{user_id}", self.put_thread_member),
            (
                "DELETE",
                "/channels/{channel_id}/thread-members/{user_id}",
                self.delete_thread_member,
            ),
            # guilds and users
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self.get_guild_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member),
            ("DELETE", "/users/@me/guilds/{guild_id}", self.leave_guild),
            ("POST", "/users/@me/channels", self.post_dm_channel),
            ("GET", "/users/{user_id}", self.get_user),
            # polls, scheduled events, AutoMod (polls.py, scheduled_events.py, automod.py)
            *self.polls.routes(),
            *self.scheduled_events.routes(),
            *self.automod.routes(),
        ]

    def install(self, app: web.Application) -> None:
        for method, path, handler in self.routes():
            app.router.add_route(method, API_PREFIX + path, self._wrap(handler))

    def _wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def aiohttp_handler(request: web.Request) -> web.StreamResponse:
            api_request = request[API_REQUEST]
            result = await handler(api_request)
            if result is NO_CONTENT:
                return web.Response(status=204)
            return json_response(result)

        return aiohttp_handler

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        rig = self.rig
        path = request.path[len(API_PREFIX) :]
        match_info = request.match_info
        route = None
        if getattr(match_info, "http_exception", None) is None and match_info.route.resource:
            route = match_info.route.resource.canonical[len(API_PREFIX) :]
        authorization = request.headers.get("Authorization")
        record = RecordedRequest(
            method=request.method,
            path=path,
            route=route,
            query=dict(request.query),
            authorized=authorization == f"Bot {rig.token}",
        )
        rig.requests.append(record)
        response: web.StreamResponse
        try:
            record.json, record.files, record.multipart = await _parse_body(request)
            request[API_REQUEST] = ApiRequest(
                params=dict(match_info),
                query=dict(request.query),
                json=record.json,
                files=record.files,
                record=record,
            )
            rule = next((r for r in rig.error_rules if r.matches(request.method, path)), None)
            if rule is not None:
                rule.hits += 1
                record.injected = True
                raise ApiError(rule.error)
            if route is None:
                rig.unhandled.append(record)
                raise ApiError(e.NOT_FOUND)
            if not _UNAUTHENTICATED.match(path) and not record.authorized:
                raise ApiError(e.UNAUTHORIZED)
            response = await handler(request)
        except ApiError as exc:
            response = error_response(exc.error)
        record.status = response.status
        if isinstance(response, web.Response) and isinstance(response.body, bytes):
            record.response = json.loads(response.body) if response.body else None
        rig._notify()
        if token := _interaction_token(path):
            interaction = rig.interactions_by_token.get(token)
            if interaction is not None:
                interaction.touch()
        return response

    # --- helpers -----------------------------------------------------------------------------
    def channel(self, request: ApiRequest) -> FakeChannel:
        channel = self.rig.channels.get(request.int_param("channel_id"))
        if channel is None or channel.deleted:
            raise ApiError(e.UNKNOWN_CHANNEL)
        if channel.guild_id is not None and not self.rig.guilds[channel.guild_id].bot_present:
            raise ApiError(e.MISSING_ACCESS)
        return channel

    def guild(self, request: ApiRequest) -> FakeGuild:
        guild = self.rig.guilds.get(request.int_param("guild_id"))
        if guild is None:
            raise ApiError(e.UNKNOWN_GUILD)
        if not guild.bot_present:
            raise ApiError(e.MISSING_ACCESS)
        return guild

    def require(self, channel: FakeChannel, needed: int) -> None:
        """403 unless the bot holds ``needed`` in ``channel`` (DMs: unless accepted)."""
        if channel.type == DM:
            if channel.recipient is not None and not channel.recipient.accepts_dms:
                raise ApiError(e.CANNOT_DM)
            return
        guild = self.rig.guilds[channel.guild_id]  # type: ignore[index]
        permissions = guild.permissions_for(guild.me, channel)
        if not permissions & VIEW:
            raise ApiError(e.MISSING_ACCESS)
        if permissions & needed != needed:
            raise ApiError(e.MISSING_PERMISSIONS)

    def message(self, request: ApiRequest, channel: FakeChannel) -> StoredMessage:
        message = self.rig.messages.get(request.int_param("message_id"))
        if message is None or message.deleted or message.channel_id != channel.id:
            raise ApiError(e.UNKNOWN_MESSAGE)
        return message

    def check_application(self, request: ApiRequest) -> None:
        if request.params.get("application_id") != str(self.rig.application_id):
            raise ApiError(e.UNKNOWN_APPLICATION)

    # --- messages (shared by channel, interaction and webhook routes) -----------------------
    def build_attachments(
        self,
        payload: JSON,
        files: list[RecordedFile],
        existing: list[StoredAttachment],
        *,
        ephemeral: bool = False,
    ) -> list[StoredAttachment]:
        """Discord's rules: ``attachments`` lists what to keep (by id) and describes new
        files (``id`` = the ``n`` of ``files[n]``); without it, old ones stay and new ones
        are added."""
        by_index: dict[int, RecordedFile] = {}
        for position, file in enumerate(files):
            match = _FILE_INDEX.match(file.field_name)
            index = int(match.group(1)) if match and match.group(1) else position
            by_index[index] = file
        kept = {a.id: a for a in existing}
        specs = payload.get("attachments")
        result: list[StoredAttachment] = []
        used: set[int] = set()
        if specs is None:
            result.extend(existing)
        else:
            for spec in specs:
                spec_id = int(spec["id"])
                if spec_id in by_index and spec_id not in kept:
                    result.append(self._store(by_index[spec_id], spec, ephemeral))
                    used.add(spec_id)
                elif spec_id in kept:
                    result.append(kept[spec_id])
        for index, file in sorted(by_index.items()):
            if index not in used:
                result.append(self._store(file, {}, ephemeral))
        return result

    def _store(self, file: RecordedFile, spec: JSON, ephemeral: bool) -> StoredAttachment:
        filename = spec.get("filename") or file.filename
        return self.rig._store_attachment(
            filename=filename,
            data=file.data,
            content_type=guess_content_type(filename, file.content_type),
            description=spec.get("description"),
            ephemeral=ephemeral,
        )

    def create_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        payload: JSON,
        files: list[RecordedFile],
        *,
        interaction: InteractionResult | None = None,
        extra_flags: int = 0,
    ) -> StoredMessage:
        if self.rig.validate:
            validation.validate_message(payload, n_files=len(files))
        flags = (int(payload.get("flags") or 0) & ~FLAG_LOADING) | extra_flags
        if interaction is None:
            flags &= ~FLAG_EPHEMERAL
        message = StoredMessage(
            id=self.rig.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=payload.get("content") or "",
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            flags=flags,
            tts=bool(payload.get("tts")),
            allowed_mentions=payload.get("allowed_mentions"),
            message_reference=payload.get("message_reference"),
        )
        message.attachments = self.build_attachments(
            payload, files, [], ephemeral=bool(flags & FLAG_EPHEMERAL)
        )
        if payload.get("poll") is not None:
            message.poll = parse_poll(
                payload["poll"], message.created_at, validate=self.rig.validate
            )
        if message.message_reference:
            message.type = 19
        if interaction is not None:
            self._mark_interaction(message, interaction)
        self.rig._add_message(message)
        return message

    def _mark_interaction(self, message: StoredMessage, interaction: InteractionResult) -> None:
        rig = self.rig
        message.webhook_id = rig.application_id
        message.application_id = rig.application_id
        message.type = 20 if interaction.type == APPLICATION_COMMAND else 0
        metadata: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.to_payload(),
            "authorizing_integration_owners": interaction.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if interaction.command_name:
            metadata["name"] = interaction.command_name
            metadata["command_type"] = 1
        if interaction.source_message is not None:
            metadata["interacted_message_id"] = str(interaction.source_message.id)
        message.interaction_metadata = metadata

    def edit_message(
        self, message: StoredMessage, payload: JSON, files: list[RecordedFile]
    ) -> StoredMessage:
        if self.rig.validate:
            validation.validate_message(payload, n_files=len(files), editing=True)
        if "content" in payload:
            message.content = payload["content"] or ""
        if "embeds" in payload:
            message.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            message.components = list(payload["components"] or [])
        if "allowed_mentions" in payload:
            message.allowed_mentions = payload["allowed_mentions"]
        if payload.get("flags") is not None:
            suppress = int(payload["flags"]) & FLAG_SUPPRESS_EMBEDS
            message.flags = (message.flags & ~FLAG_SUPPRESS_EMBEDS) | suppress
        if "attachments" in payload or files:
            message.attachments = self.build_attachments(
                payload, files, message.attachments, ephemeral=message.ephemeral
            )
        message.flags &= ~FLAG_LOADING
        message.edited_at = datetime.now(UTC)
        message.history.append(payload)
        self.rig._message_event("MESSAGE_UPDATE", message)
        return message

    # --- login / gateway ---------------------------------------------------------------------
    async def get_me(self, request: ApiRequest) -> JSON:
        return {
            **self.rig.bot_user.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    async def get_application(self, request: ApiRequest) -> JSON:
        rig = self.rig
        return {
            "id": str(rig.application_id),
            "name": rig.bot_user.username,
            "icon": None,
            "description": "A fake application served by the local test server.",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": rig.application_flags,
            "owner": rig.owner_user.to_payload(),
            "team": None,
            "bot": rig.bot_user.to_payload(),
            "hook": True,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "rpc_origins": [],
            "tags": [],
            "approximate_guild_count": sum(g.bot_present for g in rig.guilds.values()),
            "integration_types_config": {"0": {}},
        }

    async def get_gateway(self, request: ApiRequest) -> JSON:
        return {"url": self.rig.gateway_url}

    async def get_gateway_bot(self, request: ApiRequest) -> JSON:
        return {
            "url": self.rig.gateway_url,
            "shards": self.rig.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    # --- application commands ----------------------------------------------------------------
    def _scope(self, request: ApiRequest) -> int | None:
        self.check_application(request)
        if "guild_id" not in request.params:
            return None
        return self.guild(request).id

    def _store_command(self, scope: int | None, payload: JSON, previous: JSON | None) -> JSON:
        rig = self.rig
        command: JSON = {
            "id": previous["id"] if previous else str(rig.snowflake()),
            "application_id": str(rig.application_id),
            "version": str(rig.snowflake()),
            "type": payload.get("type", 1),
            "name": payload["name"],
            "name_localizations": payload.get("name_localizations"),
            "description": payload.get("description", ""),
            "description_localizations": payload.get("description_localizations"),
            "options": payload.get("options") or [],
            "default_member_permissions": payload.get("default_member_permissions"),
            "dm_permission": payload.get("dm_permission", True),
            "contexts": payload.get("contexts"),
            "integration_types": payload.get("integration_types") or [0],
            "nsfw": payload.get("nsfw", False),
        }
        if scope is not None:
            command["guild_id"] = str(scope)
        return command

    async def get_commands(self, request: ApiRequest) -> list[JSON]:
        return self.rig.commands.get(self._scope(request), [])

    async def put_commands(self, request: ApiRequest) -> list[JSON]:
        scope = self._scope(request)
        payloads = request.json if isinstance(request.json, list) else []
        if self.rig.validate:
            validation.validate_commands(payloads)
        existing = {(c["type"], c["name"]): c for c in self.rig.commands.get(scope, [])}
        commands = [
            self._store_command(scope, p, existing.get((p.get("type", 1), p["name"])))
            for p in payloads
        ]
        self.rig._record_sync(scope, commands)
        return commands

    async def post_command(self, request: ApiRequest) -> JSON:
        scope = self._scope(request)
        payload = request.body
        if self.rig.validate:
            validation.validate_commands([payload])
        commands = list(self.rig.commands.get(scope, []))
        key = (payload.get("type", 1), payload["name"])
        previous = next((c for c in commands if (c["type"], c["name"]) == key), None)
        command = self._store_command(scope, payload, previous)
        commands = [c for c in commands if c is not previous] + [command]
        self.rig.commands[scope] = commands
        return command

    def _find_command(self, request: ApiRequest) -> tuple[int | None, JSON]:
        scope = self._scope(request)
        for command in self.rig.commands.get(scope, []):
            if command["id"] == request.params["command_id"]:
                return scope, command
        raise ApiError(e.UNKNOWN_COMMAND)

    async def get_command(self, request: ApiRequest) -> JSON:
        return self._find_command(request)[1]

    async def patch_command(self, request: ApiRequest) -> JSON:
        scope, command = self._find_command(request)
        updated = self._store_command(scope, {**command, **request.body}, command)
        self.rig.commands[scope] = [
            updated if c is command else c for c in self.rig.commands[scope]
        ]
        return updated

    async def delete_command(self, request: ApiRequest) -> _NoContent:
        scope, command = self._find_command(request)
        self.rig.commands[scope] = [c for c in self.rig.commands[scope] if c is not command]
        return NO_CONTENT

    # --- interactions ------------------------------------------------------------------------
    def interaction(self, request: ApiRequest) -> InteractionResult:
        interaction = self.rig.interactions.get(request.int_param("interaction_id"))
        if interaction is None or interaction.token != request.params["token"]:
            raise ApiError(e.UNKNOWN_INTERACTION)
        return interaction

    def webhook_interaction(self, request: ApiRequest) -> InteractionResult:
        self.check_application(request)
        interaction = self.rig.interactions_by_token.get(request.params["token"])
        if interaction is None or interaction.callback is None:
            raise ApiError(e.UNKNOWN_WEBHOOK)
        return interaction

    async def post_callback(self, request: ApiRequest) -> Any:
        interaction = self.interaction(request)
        if interaction.callback is not None:
            raise ApiError(e.ALREADY_ACKNOWLEDGED)
        body = request.body
        kind = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        allowed = {
            PING: {PONG},
            APPLICATION_COMMAND: {
                CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
                MODAL,
            },
            MESSAGE_COMPONENT: {
                CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_UPDATE_MESSAGE,
                UPDATE_MESSAGE,
                MODAL,
            },
            APPLICATION_COMMAND_AUTOCOMPLETE: {APPLICATION_COMMAND_AUTOCOMPLETE_RESULT},
            MODAL_SUBMIT: {
                CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_UPDATE_MESSAGE,
                UPDATE_MESSAGE,
            },
        }[interaction.type]
        if kind not in allowed:
            message = f"Invalid response type {kind} for interaction type {interaction.type}"
            raise ApiError(e.form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", message))
        if kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) and interaction.source_message is None:
            raise ApiError(e.UNKNOWN_MESSAGE)
        rig = self.rig
        if kind == CHANNEL_MESSAGE_WITH_SOURCE:
            interaction.original = self.create_message(
                interaction.channel, rig.bot_user, data, request.files, interaction=interaction
            )
        elif kind == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            interaction.original = self._loading_message(interaction, data)
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            interaction.original = interaction.source_message
            if kind == UPDATE_MESSAGE:
                assert interaction.original is not None
                self.edit_message(interaction.original, data, request.files)
                interaction.edits.append(MessageEdit(data, request.files, interaction.original))
        elif kind == APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            if rig.validate:
                validation.validate_choices(data.get("choices") or [])
        elif kind == MODAL:
            if rig.validate:
                validation.validate_modal(data)
            interaction.modal = ModalRecord(
                custom_id=data.get("custom_id", ""),
                title=data.get("title", ""),
                components=data.get("components") or [],
                opened_by=interaction,
            )
            rig.modals.append(interaction.modal)
        interaction.callback = Callback(kind, data, request.files)
        if "with_response" not in request.query:
            return NO_CONTENT
        info: JSON = {"id": str(interaction.id), "type": interaction.type}
        original = interaction.original
        if original is not None:
            info["response_message_id"] = str(original.id)
            info["response_message_loading"] = original.loading
            info["response_message_ephemeral"] = original.ephemeral
        resource: JSON = {"type": kind}
        if original is not None and kind != DEFERRED_UPDATE_MESSAGE:
            resource["message"] = original.to_payload(rig)
        return {"interaction": info, "resource": resource}

    def _loading_message(self, interaction: InteractionResult, data: JSON) -> StoredMessage:
        """The "<bot> is thinking..." message of a deferred response (type 5)."""
        flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
        message = StoredMessage(
            id=self.rig.snowflake(),
            channel_id=interaction.channel.id,
            guild_id=interaction.channel.guild_id,
            author=self.rig.bot_user,
            flags=flags,
        )
        self._mark_interaction(message, interaction)
        self.rig._add_message(message)
        return message

    async def post_followup(self, request: ApiRequest) -> Any:
        interaction = self.webhook_interaction(request)
        original = interaction.original
        callback = interaction.callback
        assert callback is not None
        if (
            callback.type == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            and original is not None
            and original.loading
            and not original.deleted
        ):
            # Discord: the first follow-up after a "thinking" deferral *is* the response: it
            # replaces the loading message and keeps the deferral's ephemerality.
            message = self.edit_message(original, request.body, request.files)
        else:
            message = self.create_message(
                interaction.channel,
                self.rig.bot_user,
                request.body,
                request.files,
                interaction=interaction,
            )
        interaction.followups.append(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return message.to_payload(self.rig)
        return NO_CONTENT

    def _webhook_message(
        self, request: ApiRequest, interaction: InteractionResult
    ) -> StoredMessage:
        message_id = request.params["message_id"]
        if message_id == "@original":
            message = interaction.original
        else:
            message = self.rig.messages.get(int(message_id)) if message_id.isdigit() else None
            if (
                message is not None
                and message is not interaction.original
                and (message not in interaction.followups)
            ):
                message = None
        if message is None or message.deleted:
            raise ApiError(e.UNKNOWN_MESSAGE)
        return message

    async def get_webhook_message(self, request: ApiRequest) -> JSON:
        interaction = self.webhook_interaction(request)
        return self._webhook_message(request, interaction).to_payload(self.rig)

    async def patch_webhook_message(self, request: ApiRequest) -> JSON:
        interaction = self.webhook_interaction(request)
        message = self._webhook_message(request, interaction)
        self.edit_message(message, request.body, request.files)
        edit = MessageEdit(request.body, request.files, message)
        if message is interaction.original:
            interaction.edits.append(edit)
        else:
            interaction.followup_edits.append(edit)
        return message.to_payload(self.rig)

    async def delete_webhook_message(self, request: ApiRequest) -> _NoContent:
        interaction = self.webhook_interaction(request)
        self.rig._delete_message(self._webhook_message(request, interaction))
        return NO_CONTENT

    # --- channels and messages ---------------------------------------------------------------
    async def get_channel(self, request: ApiRequest) -> JSON:
        return self.channel(request).to_payload()

    async def patch_channel(self, request: ApiRequest) -> JSON:
        channel = self.channel(request)
        body = request.body
        if channel.is_thread:
            if channel.owner_id != self.rig.bot_user.id:
                self.require(channel, MANAGE_THREADS)
        else:
            self.require(channel, _perm(manage_channels=True))
        for key in ("name", "topic", "archived", "locked", "rate_limit_per_user", "invitable"):
            if key in body:
                setattr(channel, key, body[key])
        if "auto_archive_duration" in body:
            channel.auto_archive_duration = int(body["auto_archive_duration"])
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.rig._channel_event(event, channel)
        return channel.to_payload()

    async def delete_channel(self, request: ApiRequest) -> JSON:
        """Delete a channel (Manage Channels) or a thread (Manage Threads), as Discord does."""
        channel = self.channel(request)
        if channel.is_thread:
            self.require(channel, MANAGE_THREADS)
        else:
            self.require(channel, _perm(manage_channels=True))
        payload = channel.to_payload()
        self.rig.delete_channel(channel)
        return payload

    async def get_messages(self, request: ApiRequest) -> list[JSON]:
        channel = self.channel(request)
        self.require(channel, READ_HISTORY)
        messages = [m for m in self.rig.channel_messages(channel.id) if not m.ephemeral]
        if "before" in request.query:
            messages = [m for m in messages if m.id < int(request.query["before"])]
        if "after" in request.query:
            messages = [m for m in messages if m.id > int(request.query["after"])]
        limit = int(request.query.get("limit", 50))
        newest_first = sorted(messages, key=lambda m: m.id, reverse=True)
        if "after" in request.query:
            return [m.to_payload(self.rig) for m in sorted(messages, key=lambda m: m.id)[:limit]]
        return [m.to_payload(self.rig) for m in newest_first[:limit]]

    async def post_message(self, request: ApiRequest) -> JSON:
        channel = self.channel(request)
        needed = SEND_IN_THREADS if channel.is_thread else SEND
        if request.files:
            needed |= ATTACH
        if request.body.get("poll") is not None:
            needed |= SEND_POLLS
        self.require(channel, needed)
        if channel.is_thread and channel.locked:
            raise ApiError(e.MISSING_PERMISSIONS)
        channel.archived = False
        message = self.create_message(channel, self.rig.bot_user, request.body, request.files)
        return message.to_payload(self.rig)

    async def get_message(self, request: ApiRequest) -> JSON:
        channel = self.channel(request)
        self.require(channel, READ_HISTORY)
        return self.message(request, channel).to_payload(self.rig)

    async def patch_message(self, request: ApiRequest) -> JSON:
        channel = self.channel(request)
        message = self.message(request, channel)
        if message.author is not self.rig.bot_user:
            raise ApiError(e.CANNOT_EDIT_OTHERS)
        return self.edit_message(message, request.body, request.files).to_payload(self.rig)

    async def delete_message(self, request: ApiRequest) -> _NoContent:
        channel = self.channel(request)
        message = self.message(request, channel)
        if message.author is not self.rig.bot_user:
            self.require(channel, MANAGE_MESSAGES)
        self.rig._delete_message(message)
        return NO_CONTENT

    async def no_content(self, request: ApiRequest) -> _NoContent:
        self.channel(request)
        return NO_CONTENT

    # --- threads -----------------------------------------------------------------------------
    def _new_thread(
        self, parent: FakeChannel, body: JSON, *, thread_id: int, kind: int
    ) -> FakeChannel:
        if parent.is_thread or parent.type == DM:
            message = "Threads need a text channel"
            raise ApiError(e.form_error("channel_id", "CHANNEL_TYPE_INVALID", message))
        if kind == PRIVATE_THREAD and parent.type != GUILD_TEXT:
            message = "Private threads need a text channel"
            raise ApiError(e.form_error("type", "THREAD_TYPE_INVALID", message))
        self.require(
            parent, CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
        )
        if self.rig.validate and not 1 <= len(body.get("name") or "") <= 100:
            message = "Must be between 1 and 100 in length."
            raise ApiError(e.form_error("name", "BASE_TYPE_BAD_LENGTH", message))
        thread = FakeChannel(
            id=thread_id,
            type=kind,
            name=body.get("name"),
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=self.rig.bot_user.id,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
            invitable=bool(body.get("invitable", True)),
            member_ids={self.rig.bot_user.id},
        )
        guild = self.rig.guilds[parent.guild_id]  # type: ignore[index]
        guild.channels[thread.id] = thread
        self.rig.channels[thread.id] = thread
        self.rig._channel_event("THREAD_CREATE", thread, newly_created=True)
        return thread

    async def post_thread_from_message(self, request: ApiRequest) -> JSON:
        channel = self.channel(request)
        message = self.message(request, channel)
        if message.thread_id is not None:
            raise ApiError(e.THREAD_ALREADY_CREATED)
        kind = 10 if channel.type == 5 else PUBLIC_THREAD
        thread = self._new_thread(channel, request.body, thread_id=message.id, kind=kind)
        message.thread_id = thread.id
        message.flags |= FLAG_HAS_THREAD
        return thread.to_payload()

    async def post_thread(self, request: ApiRequest) -> JSON:
        channel = self.channel(request)
        kind = int(request.body.get("type") or PRIVATE_THREAD)
        thread = self._new_thread(channel, request.body, thread_id=self.rig.snowflake(), kind=kind)
        return thread.to_payload()

    def _thread_and_user(self, request: ApiRequest) -> tuple[FakeChannel, int]:
        thread = self.channel(request)
        if not thread.is_thread:
            raise ApiError(e.UNKNOWN_CHANNEL)
        raw = request.params["user_id"]
        user_id = self.rig.bot_user.id if raw == "@me" else int(raw)
        return thread, user_id

    def _thread_member_payload(
        self, thread: FakeChannel, user_id: int, *, with_member: bool = False
    ) -> JSON:
        payload: JSON = {
            "id": str(thread.id),
            "user_id": str(user_id),
            "join_timestamp": iso(thread.member_joined.get(user_id, thread.created_at)),
            "flags": 0,
        }
        guild = self.rig.guilds[thread.guild_id]  # type: ignore[index]
        if with_member and (member := guild.members.get(user_id)) is not None:
            payload["member"] = member.to_payload()
        return payload

    async def get_thread_member(self, request: ApiRequest) -> JSON:
        thread, user_id = self._thread_and_user(request)
        if user_id not in thread.member_ids:
            raise ApiError(e.UNKNOWN_MEMBER)
        with_member = request.query.get("with_member") in ("1", "true", "True")
        return self._thread_member_payload(thread, user_id, with_member=with_member)

    async def get_thread_members(self, request: ApiRequest) -> list[JSON]:
        """List Thread Members: ascending user ids, ``after``/``limit`` (1–100, default
        100) pagination, ``member`` objects with ``with_member``."""
        thread = self.channel(request)
        if not thread.is_thread:
            raise ApiError(e.UNKNOWN_CHANNEL)
        self._require_thread_access(thread)
        with_member = request.query.get("with_member") in ("1", "true", "True")
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 100))
        ids = sorted(u for u in thread.member_ids if u > after)[: max(1, min(limit, 100))]
        return [self._thread_member_payload(thread, u, with_member=with_member) for u in ids]

    def _require_thread_access(self, thread: FakeChannel) -> None:
        """The bot sees a private thread only as a member or with Manage Threads."""
        self.require(thread, VIEW)
        if thread.type == PRIVATE_THREAD and self.rig.bot_user.id not in thread.member_ids:
            self.require(thread, MANAGE_THREADS)

    async def put_thread_member(self, request: ApiRequest) -> _NoContent:
        """Add Thread Member: the bot must be able to send in the thread (and see it, for a
        private one); the thread must not be archived; the user must be a guild member."""
        thread, user_id = self._thread_and_user(request)
        self._require_thread_access(thread)
        if user_id != self.rig.bot_user.id:
            self.require(thread, SEND_IN_THREADS)
        if thread.archived:
            raise ApiError(e.THREAD_ARCHIVED)
        guild = self.rig.guilds[thread.guild_id]  # type: ignore[index]
        if user_id not in guild.members:
            raise ApiError(e.UNKNOWN_MEMBER if user_id in self.rig.users else e.UNKNOWN_USER)
        self.rig._add_thread_member(thread, user_id)
        return NO_CONTENT

    async def delete_thread_member(self, request: ApiRequest) -> _NoContent:
        """Remove Thread Member: Manage Threads, or the creator of a private thread
        (anyone may leave: ``@me``)."""
        thread, user_id = self._thread_and_user(request)
        self._require_thread_access(thread)
        if user_id != self.rig.bot_user.id:
            own_private = thread.type == PRIVATE_THREAD and thread.owner_id == self.rig.bot_user.id
            if not own_private:
                self.require(thread, MANAGE_THREADS)
        if thread.archived:
            raise ApiError(e.THREAD_ARCHIVED)
        self.rig._remove_thread_member(thread, user_id)
        return NO_CONTENT

    # --- guilds and users --------------------------------------------------------------------
    async def get_guild(self, request: ApiRequest) -> JSON:
        guild = self.guild(request)
        payload = guild.to_payload()
        if request.query.get("with_counts") in ("1", "true"):
            payload["approximate_member_count"] = len(guild.members)
            payload["approximate_presence_count"] = 0
        return payload

    async def get_guild_channels(self, request: ApiRequest) -> list[JSON]:
        guild = self.guild(request)
        return [
            c.to_payload() for c in guild.channels.values() if not c.is_thread and not c.deleted
        ]

    async def get_guild_roles(self, request: ApiRequest) -> list[JSON]:
        return [r.to_payload() for r in self.guild(request).roles.values()]

    async def get_guild_members(self, request: ApiRequest) -> list[JSON]:
        guild = self.guild(request)
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 1))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return [m.to_payload() for m in members[:limit]]

    async def get_guild_member(self, request: ApiRequest) -> JSON:
        guild = self.guild(request)
        member = guild.members.get(request.int_param("user_id"))
        if member is None:
            raise ApiError(e.UNKNOWN_MEMBER)
        return member.to_payload()

    async def leave_guild(self, request: ApiRequest) -> _NoContent:
        guild = self.guild(request)
        self.rig.remove_bot_from_guild(guild)
        return NO_CONTENT

    async def post_dm_channel(self, request: ApiRequest) -> JSON:
        user = self.rig.users.get(int(request.body.get("recipient_id", 0)))
        if user is None:
            raise ApiError(e.UNKNOWN_USER)
        return self.rig.dm_channel(user).to_payload()

    async def get_user(self, request: ApiRequest) -> JSON:
        user = self.rig.users.get(request.int_param("user_id"))
        if user is None:
            raise ApiError(e.UNKNOWN_USER)
        return user.to_payload()


def _interaction_token(path: str) -> str | None:
    """The interaction token of an interaction or webhook route (its callback, the original
    response, follow-ups), else None."""
    match = _TOKEN_ROUTE.match(path)
    return match.group(1) if match else None


async def _parse_body(request: web.Request) -> tuple[Any, list[RecordedFile], bool]:
    """JSON body, or multipart ``payload_json`` + ``files[n]`` parts (bytes kept)."""
    if not request.can_read_body:
        return None, [], False
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = bytes(await part.read(decode=False))
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.filename is not None:
                files.append(
                    RecordedFile(
                        field_name=part.name or "",
                        filename=part.filename,
                        content_type=part.headers.get("Content-Type"),
                        data=data,
                    )
                )
        return payload, files, True
    raw = await request.read()
    if not raw:
        return None, [], False
    try:
        return json.loads(raw), [], False
    except ValueError:
        message = "The request body contains invalid JSON."
        raise ApiError(e.form_error("_body", "JSON", message)) from None
