"""Interaction payloads (what Discord sends the bot) and their results (what the bot did).

The builders here turn plain Python values into the INTERACTION_CREATE payload Discord
would send: option types come from the command the bot synced, so a test writes
``options={"book": "Dune", "stars": 4.5, "member": alice, "file": Upload(...)}`` and gets
the right ``type``/``value`` pairs plus a filled ``resolved`` section.

:class:`InteractionResult` collects everything the bot did with one interaction: the
callback (type 4/5/6/7/8/9), edits of the original response, follow-ups, and lets a test
wait for the next one of each without sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import (
    DEFAULT_BOT_PERMISSIONS,
    FLAG_EPHEMERAL,
    JSON,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    StoredAttachment,
    StoredMessage,
    Upload,
    walk_components,
)
from .recording import RecordedFile

if TYPE_CHECKING:
    from .server import FakeDiscord

# interaction types
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# callback types
PONG = 1
CHANNEL_MESSAGE_WITH_SOURCE = 4
DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
MODAL = 9

# option types
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

#: what discord.py requires in every interaction (``attachment_size_limit`` is read with [])
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

UserLike = FakeUser | FakeMember | int
OptionValue = Any


@dataclass(eq=False)
class Callback:
    """The interaction callback the bot posted (``POST /interactions/{id}/{token}/callback``)."""

    type: int
    data: JSON
    files: list[RecordedFile] = field(default_factory=list)

    @property
    def content(self) -> str:
        """``data["content"]``, or "" when absent (check ``data`` to tell them apart)."""
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[JSON]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[JSON]:
        return self.data.get("components") or []

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def choices(self) -> list[JSON]:
        return self.data.get("choices") or []


@dataclass(eq=False)
class MessageEdit:
    """One edit of an interaction's message: the payload sent and the (live) message."""

    data: JSON
    files: list[RecordedFile]
    message: StoredMessage

    @property
    def content(self) -> str:
        """``data["content"]``, or "" when absent (check ``data`` to tell them apart)."""
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[JSON]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[JSON]:
        return self.data.get("components") or []


@dataclass(eq=False)
class ModalRecord:
    """A modal the bot opened (callback type 9), waiting to be submitted."""

    custom_id: str
    title: str
    components: list[JSON]
    opened_by: InteractionResult
    submitted: bool = False

    @property
    def inputs(self) -> list[JSON]:
        """The fillable components (text inputs, selects, uploads, checkboxes...)."""
        return [
            c
            for c in walk_components(self.components)
            if "custom_id" in c and c.get("type") not in (1, 18)
        ]

    @property
    def input_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.inputs]


class InteractionResult:
    """Everything the bot did in answer to one interaction the rig sent.

    Attributes are filled as the bot calls the REST API; the ``wait_*`` methods wait
    (with a timeout, failing fast if the bot crashed) for the next one.

    - :attr:`callback` — the initial response (``.type``, ``.content``, ``.ephemeral``...)
    - :attr:`original` — the message that response created (type 4/5) or, for component
      and modal interactions answered with type 6/7, the message the component was on;
      edits are applied to it in place
    - :attr:`edits` — every ``PATCH .../messages/@original`` (and the type-7 update)
    - :attr:`followups` — follow-up messages, in order
    - :attr:`modal` — the modal opened (type 9); :attr:`choices` — autocomplete (type 8)
    """

    def __init__(
        self,
        rig: FakeDiscord,
        payload: JSON,
        *,
        guild: FakeGuild | None,
        channel: FakeChannel,
        user: FakeUser,
        source_message: StoredMessage | None = None,
        command_name: str | None = None,
    ) -> None:
        self._rig = rig
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.guild = guild
        self.channel = channel
        self.user = user
        self.source_message = source_message
        self.command_name = command_name
        self.callback: Callback | None = None
        self.original: StoredMessage | None = None
        self.followups: list[StoredMessage] = []
        self.edits: list[MessageEdit] = []
        self.followup_edits: list[MessageEdit] = []
        self.modal: ModalRecord | None = None
        self._followup_cursor = 0
        self._edit_cursor = 0
        #: set by the REST calls carrying this interaction's token: its waiters wake for
        #: those alone, not for every change the rig sees (100 members waiting at once
        #: would otherwise all wake on every request)
        self._changed = asyncio.Event()

    def touch(self) -> None:
        """Wake whoever waits on this interaction (its callback, edits, follow-ups)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait(self, predicate: Callable[[], bool], timeout: float | None, what: str) -> None:
        await self._rig.wait_until(predicate, timeout, what, on=self)

    def __repr__(self) -> str:
        what = self.command_name or self.payload.get("data", {}).get("custom_id")
        cb = self.callback.type if self.callback else None
        return f"<InteractionResult id={self.id} type={self.type} {what!r} callback={cb}>"

    # --- the callback, flattened -----------------------------------------------------------
    @property
    def callback_type(self) -> int | None:
        return self.callback.type if self.callback else None

    def _cb(self) -> Callback:
        if self.callback is None:
            raise AssertionError(f"the bot has not answered {self!r}")
        return self.callback

    @property
    def data(self) -> JSON:
        return self._cb().data

    @property
    def content(self) -> str:
        return self._cb().content

    @property
    def embeds(self) -> list[JSON]:
        return self._cb().embeds

    @property
    def components(self) -> list[JSON]:
        return self._cb().components

    @property
    def flags(self) -> int:
        return self._cb().flags

    @property
    def ephemeral(self) -> bool:
        """Whether the response is ephemeral (for a deferral: will be)."""
        return self._cb().ephemeral

    @property
    def attachments(self) -> list[StoredAttachment]:
        """Attachments of the response message as the rig stored them (bytes included)."""
        return self.original.attachments if self.original else []

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (callback type 8)."""
        return self._cb().choices

    @property
    def message(self) -> StoredMessage:
        """The response message (:attr:`original`); fails if there is none."""
        if self.original is None:
            raise AssertionError(f"{self!r} has no response message")
        return self.original

    # --- waiting ---------------------------------------------------------------------------
    async def wait_callback(self, timeout: float | None = None) -> Callback:
        await self._wait(lambda: self.callback is not None, timeout, f"a callback for {self!r}")
        assert self.callback is not None
        return self.callback

    async def wait_followup(self, timeout: float | None = None) -> StoredMessage:
        """The next follow-up not yet returned by this method (the 1st, then the 2nd...)."""
        index = self._followup_cursor
        await self._wait(
            lambda: len(self.followups) > index, timeout, f"follow-up #{index + 1} of {self!r}"
        )
        self._followup_cursor += 1
        return self.followups[index]

    async def wait_edit(self, timeout: float | None = None) -> MessageEdit:
        """The next edit of the original response not yet returned by this method."""
        index = self._edit_cursor
        await self._wait(lambda: len(self.edits) > index, timeout, f"edit #{index + 1} of {self!r}")
        self._edit_cursor += 1
        return self.edits[index]

    async def wait_reply(self, timeout: float | None = None) -> StoredMessage:
        """The message the member finally sees, whichever way the bot answered: the type-4
        message, the deferred message once edited or followed up, or (type 6) the first
        edit or follow-up."""
        callback = await self.wait_callback(timeout)
        if callback.type in (CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE):
            return self.message
        if callback.type == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            await self._wait(
                lambda: self.original is not None and not self.original.loading,
                timeout,
                f"the deferred response of {self!r} to be edited or followed up",
            )
            return self.message
        if callback.type == DEFERRED_UPDATE_MESSAGE:
            await self._wait(
                lambda: bool(self.edits or self.followups),
                timeout,
                f"an edit or follow-up after {self!r}",
            )
            return self.edits[0].message if self.edits else self.followups[0]
        raise AssertionError(f"{self!r} answered with callback type {callback.type}, no message")

    async def submit_modal(
        self,
        values: Mapping[str, Any],
        user: UserLike | None = None,
        *,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Submit the modal this interaction opened (see :meth:`FakeDiscord.submit_modal`)."""
        await self.wait_callback(timeout)
        if self.modal is None:
            raise AssertionError(f"{self!r} did not open a modal (callback {self.callback_type})")
        return await self._rig.submit_modal(self.modal, values, user, timeout=timeout)


# --- payload building --------------------------------------------------------------------


class Resolved:
    """Collects the ``resolved`` section of an interaction's data.

    As on Discord, a resolved member's ``permissions`` are theirs in the interaction's
    ``channel`` (overwrites applied), and a resolved channel's are the invoking member's in
    that channel."""

    def __init__(
        self,
        rig: FakeDiscord,
        guild: FakeGuild | None,
        member: FakeMember | None,
        channel: FakeChannel | None = None,
    ) -> None:
        self._rig = rig
        self._guild = guild
        self._member = member
        self._channel = channel
        self.sections: dict[str, dict[str, JSON]] = {}

    def _put(self, section: str, key: int, value: JSON) -> str:
        self.sections.setdefault(section, {})[str(key)] = value
        return str(key)

    def user(self, value: UserLike) -> str:
        user = self._rig.resolve_user(value)
        self._put("users", user.id, user.to_payload())
        if self._guild is not None and user.id in self._guild.members:
            member = self._guild.members[user.id]
            permissions = self._guild.permissions_for(member, self._channel)
            payload = member.to_payload(with_user=False, permissions=permissions)
            self._put("members", user.id, payload)
        return str(user.id)

    def role(self, value: FakeRole | int) -> str:
        role_id = value.id if isinstance(value, FakeRole) else int(value)
        if self._guild is None or role_id not in self._guild.roles:
            raise ValueError(f"role {value!r} is not in the interaction's guild")
        return self._put("roles", role_id, self._guild.roles[role_id].to_payload())

    def channel(self, value: FakeChannel | int) -> str:
        channel = self._rig.resolve_channel(value)
        payload = channel.to_payload()
        if self._member is not None and self._guild is not None:
            payload["permissions"] = str(self._guild.permissions_for(self._member, channel))
        else:
            payload["permissions"] = "0"
        return self._put("channels", channel.id, payload)

    def attachment(self, value: Upload | StoredAttachment) -> str:
        stored = value if isinstance(value, StoredAttachment) else self._rig.store_upload(value)
        return self._put("attachments", stored.id, stored.to_payload())

    def mentionable(self, value: Any) -> str:
        if isinstance(value, FakeRole):
            return self.role(value)
        if isinstance(value, int) and self._guild is not None and value in self._guild.roles:
            return self.role(value)
        return self.user(value)

    def payload(self) -> JSON:
        return {k: v for k, v in self.sections.items() if v}


def _check_range(definition: JSON, value: float | int, name: str) -> None:
    low, high = definition.get("min_value"), definition.get("max_value")
    if low is not None and value < low:
        raise ValueError(f"option {name!r}: {value} is below min_value {low}")
    if high is not None and value > high:
        raise ValueError(f"option {name!r}: {value} is above max_value {high}")


def convert_option(
    definition: JSON, value: OptionValue, resolved: Resolved, *, validate: bool
) -> Any:
    """A Python value → the ``value`` Discord sends for an option of this definition."""
    name, kind = definition["name"], definition["type"]
    if kind == STRING:
        if not isinstance(value, str):
            raise TypeError(f"option {name!r} is a string option, got {value!r}")
        if validate:
            low, high = definition.get("min_length"), definition.get("max_length")
            if low is not None and len(value) < low:
                raise ValueError(f"option {name!r}: shorter than min_length {low}")
            if high is not None and len(value) > high:
                raise ValueError(f"option {name!r}: longer than max_length {high}")
        converted: Any = value
    elif kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"option {name!r} is an integer option, got {value!r}")
        if validate:
            _check_range(definition, value, name)
        converted = value
    elif kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"option {name!r} is a number option, got {value!r}")
        if validate:
            _check_range(definition, value, name)
        converted = value
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError(f"option {name!r} is a boolean option, got {value!r}")
        converted = value
    elif kind == USER:
        converted = resolved.user(value)
    elif kind == CHANNEL:
        converted = resolved.channel(value)
        channel_types = definition.get("channel_types")
        kind_of = resolved.sections["channels"][converted]["type"]
        if validate and channel_types and kind_of not in channel_types:
            raise ValueError(f"option {name!r} accepts channel types {channel_types}")
    elif kind == ROLE:
        converted = resolved.role(value)
    elif kind == MENTIONABLE:
        converted = resolved.mentionable(value)
    elif kind == ATTACHMENT:
        if not isinstance(value, Upload | StoredAttachment):
            raise TypeError(f"option {name!r} is an attachment option: pass an Upload")
        converted = resolved.attachment(value)
    else:
        raise ValueError(f"option {name!r} has unsupported type {kind}")
    choices = definition.get("choices")
    if validate and choices and converted not in [c["value"] for c in choices]:
        allowed = [c["value"] for c in choices]
        raise ValueError(f"option {name!r}: {value!r} is not one of the choices {allowed}")
    return converted


def build_command_data(
    rig: FakeDiscord,
    command: JSON,
    path: Sequence[str],
    values: Mapping[str, OptionValue],
    *,
    guild: FakeGuild | None,
    member: FakeMember | None,
    channel: FakeChannel | None = None,
    focused: str | None = None,
    validate: bool = True,
) -> JSON:
    """The ``data`` of an APPLICATION_COMMAND (or, with ``focused``, AUTOCOMPLETE)
    interaction for ``command`` (as synced) and the sub-command ``path``."""
    resolved = Resolved(rig, guild, member, channel)
    definitions: list[JSON] = command.get("options") or []
    wrappers: list[JSON] = []
    for part in path:
        match = [d for d in definitions if d["name"] == part and d["type"] in (1, 2)]
        if not match:
            subs = [d["name"] for d in definitions if d["type"] in (1, 2)]
            raise ValueError(f"/{command['name']} has no sub-command {part!r}; has {subs}")
        wrappers.append(match[0])
        definitions = match[0].get("options") or []
    if any(d["type"] in (1, 2) for d in definitions):
        subs = [d["name"] for d in definitions if d["type"] in (1, 2)]
        raise ValueError(f"/{command['name']} {' '.join(path)} needs a sub-command: {subs}")

    known = {d["name"] for d in definitions}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}; the command has {sorted(known)}")
    if focused is not None and focused not in known:
        raise ValueError(f"cannot focus {focused!r}; the command has {sorted(known)}")

    options: list[JSON] = []
    for definition in definitions:
        name = definition["name"]
        if name == focused:
            if validate and not definition.get("autocomplete"):
                raise ValueError(f"option {name!r} has no autocomplete")
            raw = values.get(name, "")
            value: Any = raw if isinstance(raw, str | int | float) else str(raw)
            options.append({"name": name, "type": definition["type"], "value": value})
            options[-1]["focused"] = True
            continue
        if values.get(name) is None:
            if validate and definition.get("required") and focused is None:
                raise ValueError(f"required option {name!r} missing")
            continue
        value = convert_option(definition, values[name], resolved, validate=validate)
        options.append({"name": name, "type": definition["type"], "value": value})

    for wrapper in reversed(wrappers):
        options = [{"name": wrapper["name"], "type": wrapper["type"], "options": options}]

    data: JSON = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
    if options:
        data["options"] = options
    if resolved_payload := resolved.payload():
        data["resolved"] = resolved_payload
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data


def build_component_data(
    rig: FakeDiscord,
    component: JSON,
    values: Sequence[Any] | None,
    *,
    guild: FakeGuild | None,
    member: FakeMember | None,
    channel: FakeChannel | None = None,
    validate: bool = True,
) -> JSON:
    """The ``data`` of a MESSAGE_COMPONENT interaction for a button or a select."""
    kind = component["type"]
    data: JSON = {"custom_id": component["custom_id"], "component_type": kind}
    if kind == 2:
        if values is not None:
            raise ValueError("a button takes no values; use select()")
        return data
    if values is None:
        raise ValueError("a select needs values")
    if validate:
        low = component.get("min_values", 1)
        high = component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {component['custom_id']!r} takes {low}–{high} values")
    if kind == 3:
        allowed = [o["value"] for o in component.get("options", [])]
        bad = [v for v in values if v not in allowed]
        if validate and bad:
            raise ValueError(f"{bad} are not options of select {component['custom_id']!r}")
        data["values"] = [str(v) for v in values]
        return data
    resolved = Resolved(rig, guild, member, channel)
    convert = {
        5: resolved.user,
        6: resolved.role,
        7: resolved.mentionable,
        8: resolved.channel,
    }[kind]
    data["values"] = [convert(v) for v in values]
    data["resolved"] = resolved.payload()
    return data


def build_modal_submit(
    rig: FakeDiscord,
    modal: ModalRecord,
    values: Mapping[str, Any],
    *,
    guild: FakeGuild | None,
    member: FakeMember | None,
    channel: FakeChannel | None = None,
    validate: bool = True,
) -> JSON:
    """The ``data`` of a MODAL_SUBMIT, mirroring the modal's layout: action rows (type 1)
    keep their children, labels (type 18) send their one ``component``, text displays
    (type 10) send only their id."""
    unknown = set(values) - set(modal.input_ids)
    if unknown:
        raise ValueError(
            f"modal {modal.title!r} has no inputs {sorted(unknown)}; has {modal.input_ids}"
        )
    resolved = Resolved(rig, guild, member, channel)

    def submitted(component: JSON) -> JSON:
        kind = component["type"]
        out: JSON = {"type": kind}
        if "id" in component:
            out["id"] = component["id"]
        if kind == 1:
            out["components"] = [submitted(c) for c in component.get("components", [])]
            return out
        if kind == 18:
            out["component"] = submitted(component["component"])
            return out
        custom_id = component.get("custom_id")
        if custom_id is None:
            return out
        out["custom_id"] = custom_id
        given = values.get(custom_id)
        required = component.get("required", kind == 4)
        if kind == 4:
            value = component.get("value", "") if given is None else given
            if not isinstance(value, str):
                raise TypeError(f"text input {custom_id!r} takes a string")
            if validate:
                if required and not value:
                    raise ValueError(f"text input {custom_id!r} is required")
                low, high = component.get("min_length"), component.get("max_length", 4000)
                if value and low is not None and len(value) < low:
                    raise ValueError(f"text input {custom_id!r}: shorter than {low}")
                if high is not None and len(value) > high:
                    raise ValueError(f"text input {custom_id!r}: longer than {high}")
            out["value"] = value
        elif kind in (3, 5, 6, 7, 8):
            picked = list(given or [])
            if validate and required and not picked:
                raise ValueError(f"select {custom_id!r} is required")
            if kind == 3:
                out["values"] = [str(v) for v in picked]
            else:
                convert = {
                    5: resolved.user,
                    6: resolved.role,
                    7: resolved.mentionable,
                    8: resolved.channel,
                }[kind]
                out["values"] = [convert(v) for v in picked]
        elif kind == 19:
            uploads = list(given or [])
            if validate and required and not uploads:
                raise ValueError(f"file upload {custom_id!r} is required")
            out["values"] = [resolved.attachment(u) for u in uploads]
        elif kind == 22:
            out["values"] = list(given or [])
        elif kind == 21:
            out["value"] = given
        elif kind == 23:
            out["value"] = bool(given)
        return out

    data: JSON = {
        "custom_id": modal.custom_id,
        "components": [submitted(c) for c in modal.components],
    }
    if resolved_payload := resolved.payload():
        data["resolved"] = resolved_payload
    return data


def base_interaction(
    rig: FakeDiscord,
    *,
    kind: int,
    data: JSON,
    guild: FakeGuild | None,
    channel: FakeChannel,
    user: FakeUser,
    locale: str = "en-US",
) -> JSON:
    """The fields every interaction carries, for a guild channel or the bot's DM."""
    interaction_id = rig.snowflake()
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(rig.application_id),
        "type": kind,
        "data": data,
        "token": rig.new_token(interaction_id),
        "version": 1,
        "channel_id": str(channel.id),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        member = guild.members.get(user.id)
        if member is None:
            raise ValueError(f"{user!r} is not a member of {guild!r}")
        payload.update(
            {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                "guild_locale": guild.preferred_locale,
                "channel": {
                    **channel.to_payload(),
                    "permissions": str(guild.permissions_for(member, channel)),
                },
                "member": member.to_payload(permissions=guild.permissions_for(member, channel)),
                "app_permissions": str(guild.permissions_for(guild.me, channel)),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {
                "channel": channel.to_payload(),
                "user": user.to_payload(),
                "app_permissions": str(DEFAULT_BOT_PERMISSIONS),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    return payload
