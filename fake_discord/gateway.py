"""The gateway: Discord's websocket protocol (v10, JSON text frames, no compression).

Per connection: HELLO → the client's IDENTIFY (→ READY, then one GUILD_CREATE per guild of
its shard) or RESUME (→ replay of missed events, then RESUMED); heartbeats are ACKed;
REQUEST_GUILD_MEMBERS gets one GUILD_MEMBERS_CHUNK. Dispatches carry increasing ``s``
numbers per session and are written by one writer task per connection, so events reach the
bot in the order the test produced them, even across a reconnect.

discord.py asks for ``compress=zlib-stream`` in the URL but also accepts plain text frames,
which is what this server sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import JSON

if TYPE_CHECKING:
    from .server import FakeDiscord

_log = logging.getLogger(__name__)

# opcodes
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

# intents
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
GUILD_SCHEDULED_EVENTS = 1 << 16
AUTO_MODERATION_CONFIGURATION = 1 << 20
AUTO_MODERATION_EXECUTION = 1 << 21
GUILD_MESSAGE_POLLS = 1 << 24
DIRECT_MESSAGE_POLLS = 1 << 25

_EVENT_INTENTS = {
    "GUILD_UPDATE": GUILDS,
    "GUILD_DELETE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "GUILD_ROLE_UPDATE": GUILDS,
    "GUILD_ROLE_DELETE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "CHANNEL_UPDATE": GUILDS,
    "CHANNEL_DELETE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "THREAD_UPDATE": GUILDS,
    "THREAD_DELETE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    # other members joining/leaving a thread need GUILD_MEMBERS (the bot's own: GUILDS)
    "THREAD_MEMBERS_UPDATE": GUILD_MEMBERS,
    "GUILD_SCHEDULED_EVENT_CREATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_ADD": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": GUILD_SCHEDULED_EVENTS,
    "AUTO_MODERATION_RULE_CREATE": AUTO_MODERATION_CONFIGURATION,
    "AUTO_MODERATION_RULE_UPDATE": AUTO_MODERATION_CONFIGURATION,
    "AUTO_MODERATION_RULE_DELETE": AUTO_MODERATION_CONFIGURATION,
    "AUTO_MODERATION_ACTION_EXECUTION": AUTO_MODERATION_EXECUTION,
}
_MESSAGE_EVENTS = frozenset({"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"})
_POLL_EVENTS = frozenset({"MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"})


@dataclass
class _Frame:
    seq: int
    text: str
    sent: asyncio.Future[None]


@dataclass(eq=False)
class GatewaySession:
    """One gateway session (one shard), surviving reconnects through RESUME."""

    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: JSON
    frames: list[_Frame] = field(default_factory=list)
    #: index of the next frame to write (frames[i] has seq i + 1)
    cursor: int = 0
    connection: GatewayConnection | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def seq(self) -> int:
        return len(self.frames)

    def owns_guild(self, guild_id: int | None) -> bool:
        if guild_id is None:  # DMs go to shard 0
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    def wants(self, event: str, *, dm: bool = False) -> bool:
        if event in _MESSAGE_EVENTS:
            return bool(self.intents & (DIRECT_MESSAGES if dm else GUILD_MESSAGES))
        if event in _POLL_EVENTS:
            return bool(self.intents & (DIRECT_MESSAGE_POLLS if dm else GUILD_MESSAGE_POLLS))
        needed = _EVENT_INTENTS.get(event)
        return needed is None or bool(self.intents & needed)

    def enqueue(self, event: str, data: JSON) -> asyncio.Future[None]:
        seq = len(self.frames) + 1
        text = json.dumps({"op": DISPATCH, "t": event, "s": seq, "d": data})
        frame = _Frame(seq, text, asyncio.get_running_loop().create_future())
        self.frames.append(frame)
        self.wakeup.set()
        return frame.sent


class GatewayConnection:
    """One websocket connection from the bot."""

    def __init__(self, gateway: Gateway, ws: web.WebSocketResponse, query: dict[str, str]):
        self.gateway = gateway
        self.ws = ws
        self.query = query
        self.session: GatewaySession | None = None
        self._send_lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None
        self.heartbeat_waiters: list[asyncio.Future[None]] = []
        self.heartbeats = 0

    async def send_json(self, payload: JSON) -> None:
        await self._send_text(json.dumps(payload))

    async def _send_text(self, text: str) -> None:
        async with self._send_lock:
            if not self.ws.closed:
                await self.ws.send_str(text)

    def attach(self, session: GatewaySession) -> None:
        old = session.connection
        if old is not None and old is not self:
            old.detach()
        self.session = session
        session.connection = self
        self._writer = asyncio.create_task(self._write(session), name="fake-discord-writer")

    def detach(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        if self.session is not None and self.session.connection is self:
            self.session.connection = None
        for waiter in self.heartbeat_waiters:
            if not waiter.done():
                waiter.set_exception(ConnectionError("gateway connection closed"))
        self.heartbeat_waiters.clear()

    async def _write(self, session: GatewaySession) -> None:
        while True:
            while session.cursor < len(session.frames):
                frame = session.frames[session.cursor]
                await self._send_text(frame.text)
                session.cursor += 1
                if not frame.sent.done():
                    frame.sent.set_result(None)
            session.wakeup.clear()
            await session.wakeup.wait()

    async def close(self, code: int, message: str = "") -> None:
        self.detach()
        await self.ws.close(code=code, message=message.encode())

    async def barrier(self) -> None:
        """Wait until the bot has *processed* every dispatch sent so far.

        discord.py reads frames in order and answers a server HEARTBEAT at once, so its
        reply proves every earlier frame went through the parser (caches updated,
        listeners scheduled).
        """
        session = self.session
        if session is not None and session.frames:
            await session.frames[-1].sent
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.heartbeat_waiters.append(waiter)
        await self.send_json({"op": HEARTBEAT, "d": None, "s": None, "t": None})
        await waiter

    async def on_message(self, message: JSON) -> None:
        op, data = message.get("op"), message.get("d")
        rig = self.gateway.rig
        if op == HEARTBEAT:
            self.heartbeats += 1
            await self.send_json({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            waiters, self.heartbeat_waiters = self.heartbeat_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        elif op == IDENTIFY:
            await self._identify(data or {})
        elif op == RESUME:
            await self._resume(data or {})
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(data or {})
        elif op == PRESENCE_UPDATE:
            rig.presence_updates.append(data)
        elif op == VOICE_STATE_UPDATE:
            pass
        else:
            await self.close(4001, "Unknown opcode")

    async def _identify(self, data: JSON) -> None:
        rig = self.gateway.rig
        rig.identifies.append(data)
        if data.get("token") != rig.token:
            await self.close(4004, "Authentication failed.")
            return
        shard = data.get("shard")
        shard_id, shard_count = (int(shard[0]), int(shard[1])) if shard else (0, 1)
        if shard_id >= shard_count:
            await self.close(4010, "Invalid shard.")
            return
        session = GatewaySession(
            session_id=uuid.uuid4().hex,
            shard_id=shard_id,
            shard_count=shard_count,
            intents=int(data.get("intents", 0)),
            identify=data,
        )
        old = self.gateway.sessions.get(shard_id)
        if old is not None and old.connection is not None and old.connection is not self:
            old.connection.detach()
        self.gateway.sessions[shard_id] = session
        self.attach(session)
        guilds = [g for g in rig.guilds.values() if g.bot_present and session.owns_guild(g.id)]
        ready: JSON = {
            "v": 10,
            "user": {
                **rig.bot_user.to_payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
                "locale": "en-US",
            },
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": rig.gateway_url,
            "application": {"id": str(rig.application_id), "flags": rig.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "user_settings": {},
            "auth_session_id_hash": "fake",
            "_trace": ['["fake-discord-gateway",{"micros":1}]'],
        }
        if shard:
            ready["shard"] = [shard_id, shard_count]
        session.enqueue("READY", ready)
        for guild in guilds:
            session.enqueue("GUILD_CREATE", guild.to_payload(full=True))
        rig._notify()

    async def _resume(self, data: JSON) -> None:
        rig = self.gateway.rig
        session = next(
            (s for s in self.gateway.sessions.values() if s.session_id == data.get("session_id")),
            None,
        )
        if session is None or data.get("token") != rig.token:
            await self.send_json({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        rig.resumes.append(data)
        seq = data.get("seq") or 0
        session.cursor = max(0, min(int(seq), len(session.frames)))
        session.enqueue("RESUMED", {"_trace": ['["fake-discord-gateway",{"micros":1}]']})
        self.attach(session)
        rig._notify()

    def _request_members(self, data: JSON) -> None:
        rig = self.gateway.rig
        guild = rig.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or self.session is None:
            return
        members = list(guild.members.values())
        not_found: list[str] = []
        if data.get("user_ids"):
            wanted = [int(u) for u in data["user_ids"]]
            members = [m for m in members if m.id in wanted]
            not_found = [str(u) for u in wanted if u not in guild.members]
        elif data.get("query"):
            query = str(data["query"]).lower()
            members = [m for m in members if m.user.username.lower().startswith(query)]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self.session.enqueue("GUILD_MEMBERS_CHUNK", chunk)


class Gateway:
    """The gateway endpoint and its sessions (one per shard identified)."""

    def __init__(self, rig: FakeDiscord) -> None:
        self.rig = rig
        self.sessions: dict[int, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = GatewayConnection(self, ws, dict(request.query))
        self.connections.add(connection)
        self.rig._notify()
        try:
            await connection.send_json(
                {
                    "op": HELLO,
                    "d": {
                        "heartbeat_interval": self.rig.heartbeat_interval_ms,
                        "_trace": ['["fake-discord-gateway",{"micros":1}]'],
                    },
                    "s": None,
                    "t": None,
                }
            )
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await connection.on_message(json.loads(message.data))
                elif message.type == WSMsgType.ERROR:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            connection.detach()
            self.connections.discard(connection)
            self.rig._notify()
        return ws

    # --- used by FakeDiscord ---------------------------------------------------------------
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connection is not None]

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        for session in self.sessions.values():
            if session.owns_guild(guild_id):
                return session
        return None

    def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None, dm: bool = False
    ) -> asyncio.Future[None] | None:
        """Queue a dispatch for the shard owning ``guild_id`` (``None`` when nobody is
        connected for it, or its intents do not cover the event)."""
        session = self.session_for(guild_id)
        if session is None or not session.wants(event, dm=dm):
            return None
        return session.enqueue(event, data)

    async def barrier(self) -> None:
        for connection in list(self.connections):
            if connection.session is not None:
                await connection.barrier()

    async def send_op(self, op: int, data: Any = None) -> None:
        for connection in list(self.connections):
            if connection.session is not None:
                await connection.send_json({"op": op, "d": data, "s": None, "t": None})

    async def close_all(self, code: int = 1000) -> None:
        for connection in list(self.connections):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await connection.close(code)
