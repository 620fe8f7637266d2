"""AutoMod rules: the REST routes and whether a member's message would be blocked.

Routes (``/guilds/{g}/auto-moderation/rules``): list, create, get, modify, delete — all
need Manage Server (403 Missing Permissions otherwise), a TIMEOUT action also Moderate
Members. Checked as Discord documents: ``name`` 1–100, ``event_type`` 1, ``trigger_type``
set on creation only (KEYWORD 1, SPAM 3, KEYWORD_PRESET 4, MENTION_SPAM 5,
MEMBER_PROFILE 6; at most 6 KEYWORD rules), ``keyword_filter`` ≤ 1,000 keywords of ≤ 60
characters, ``regex_patterns`` ≤ 10 of ≤ 260, ``allow_list`` ≤ 100 of ≤ 60, at least one
action (types 1–4; ``custom_message`` ≤ 150; SEND_ALERT_MESSAGE needs a channel of the
guild), ``exempt_roles`` ≤ 20, ``exempt_channels`` ≤ 50. Gateway events:
``AUTO_MODERATION_RULE_CREATE`` / ``_UPDATE`` / ``_DELETE`` (AUTO_MODERATION_CONFIGURATION).

Matching (:meth:`AutoModMixin.automod_match`) follows Discord's keyword strategies,
case-insensitively: ``cat*`` prefix (a word starting with it), ``*cat`` suffix (a word
ending with it), ``*cat*`` anywhere, ``cat`` whole word (or phrase) only — word edges being
anything but letters, digits and ``_``. ``allow_list`` entries (same wildcards) cancel
matches they cover; regex patterns are matched with Python's ``re`` (close to Rust's for
simple patterns). Exemptions: exempt roles; members with Manage Server or Administrator
(Discord never applies AutoMod to them); bots; exempt channels — and, the choice made
here (Discord's help centre: channel exemptions carry to the channel's threads and a
category's to its channels), a thread is exempt when its parent channel (or that
channel's category) is, a channel when its category is. Only enabled KEYWORD rules with a
BLOCK_MESSAGE action block a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import discord

from . import errors as e
from .errors import ApiError
from .models import JSON, FakeChannel, FakeGuild

if TYPE_CHECKING:
    from .interactions import UserLike
    from .rest import ApiRequest, Handler, RestApi, _NoContent
    from .server import FakeDiscord

KEYWORD = 1
SPAM = 3
KEYWORD_PRESET = 4
MENTION_SPAM = 5
MEMBER_PROFILE = 6
_TRIGGER_TYPES = (KEYWORD, SPAM, KEYWORD_PRESET, MENTION_SPAM, MEMBER_PROFILE)
_MAX_PER_GUILD = {KEYWORD: 6, SPAM: 1, KEYWORD_PRESET: 1, MENTION_SPAM: 1, MEMBER_PROFILE: 1}
BLOCK_MESSAGE = 1
SEND_ALERT_MESSAGE = 2
TIMEOUT = 3
BLOCK_MEMBER_INTERACTION = 4

MANAGE_GUILD: int = discord.Permissions(manage_guild=True).value
MODERATE_MEMBERS: int = discord.Permissions(moderate_members=True).value
_EXEMPT_PERMISSIONS: int = discord.Permissions(manage_guild=True, administrator=True).value


class AutoModBlocked(AssertionError):
    """A member's message (:meth:`FakeDiscord.post_user_message`) was blocked by AutoMod,
    as the Discord client would show it; nothing was posted."""

    def __init__(self, match: AutoModMatch) -> None:
        super().__init__(
            f"AutoMod rule {match.rule.name!r} blocked the message (keyword {match.keyword!r})"
        )
        self.match = match


@dataclass(eq=False)
class FakeAutoModRule:
    id: int
    guild_id: int
    name: str
    creator_id: int
    trigger_type: int
    event_type: int = 1
    trigger_metadata: JSON = field(default_factory=dict)
    actions: list[JSON] = field(default_factory=list)
    enabled: bool = False
    exempt_roles: list[int] = field(default_factory=list)
    exempt_channels: list[int] = field(default_factory=list)
    deleted: bool = False

    @property
    def keywords(self) -> list[str]:
        return list(self.trigger_metadata.get("keyword_filter") or [])

    @property
    def custom_message(self) -> str | None:
        for action in self.actions:
            if action.get("type") == BLOCK_MESSAGE:
                return (action.get("metadata") or {}).get("custom_message")
        return None

    @property
    def blocks(self) -> bool:
        return any(a.get("type") == BLOCK_MESSAGE for a in self.actions)

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "creator_id": str(self.creator_id),
            "event_type": self.event_type,
            "trigger_type": self.trigger_type,
            "trigger_metadata": self.trigger_metadata,
            "actions": self.actions,
            "enabled": self.enabled,
            "exempt_roles": [str(r) for r in self.exempt_roles],
            "exempt_channels": [str(c) for c in self.exempt_channels],
        }

    def __repr__(self) -> str:
        return f"<FakeAutoModRule {self.name!r} id={self.id} enabled={self.enabled}>"


@dataclass(frozen=True)
class AutoModMatch:
    """Why a message would be blocked: the rule and the keyword (or pattern) that hit."""

    rule: FakeAutoModRule
    keyword: str
    matched_text: str

    @property
    def custom_message(self) -> str | None:
        return self.rule.custom_message


def keyword_regex(keyword: str) -> re.Pattern[str]:
    """Discord's matching strategy for one keyword, as a case-insensitive regex."""
    starts, ends = keyword.startswith("*"), keyword.endswith("*") and len(keyword) > 1
    core = re.escape(keyword.strip("*"))
    before = "" if starts else r"(?<![\w])"
    after = "" if ends else r"(?![\w])"
    return re.compile(before + core + after, re.IGNORECASE)


def find_keyword(rule: FakeAutoModRule, text: str) -> tuple[str, str] | None:
    """The first keyword/pattern of ``rule`` hitting ``text`` outside its allow list."""
    allowed: list[tuple[int, int]] = []
    for entry in rule.trigger_metadata.get("allow_list") or []:
        if entry.strip("*"):
            allowed += [m.span() for m in keyword_regex(entry).finditer(text)]

    def permitted(span: tuple[int, int]) -> bool:
        return any(a <= span[0] and span[1] <= b for a, b in allowed)

    for keyword in rule.keywords:
        if not keyword.strip("*"):
            continue
        for hit in keyword_regex(keyword).finditer(text):
            if not permitted(hit.span()):
                return keyword, hit.group(0)
    for pattern in rule.trigger_metadata.get("regex_patterns") or []:
        try:
            hit_ = re.search(pattern, text)
        except re.error:
            continue
        if hit_ is not None and not permitted(hit_.span()):
            return pattern, hit_.group(0)
    return None


class _FormErrors:
    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: list[str | int], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def strings(self, path: list[str | int], value: Any, *, items: int, length: int) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.add(path, "BASE_TYPE_LIST", "Must be a list.")
            return
        if len(value) > items:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {items} or fewer in length.")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not 1 <= len(item) <= length:
                self.add(
                    [*path, index],
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {length} in length.",
                )

    def raise_if_any(self) -> None:
        if self.tree:
            raise ApiError(e.invalid_form_body(self.tree))


class AutoModRoutes:
    """The ``/guilds/{g}/auto-moderation/rules`` routes."""

    def __init__(self, api: RestApi) -> None:
        self.api = api

    def routes(self) -> list[tuple[str, str, Handler]]:
        base = "/guilds/{guild_id}/auto-moderation/rules"
        return [
            ("GET", base, self.list_rules),
            ("POST", base, self.create_rule),
            ("GET", base + "/{rule_id}", self.get_rule),
            ("PATCH", base + "/{rule_id}", self.modify_rule),
            ("DELETE", base + "/{rule_id}", self.delete_rule),
        ]

    def _guild(self, request: ApiRequest) -> FakeGuild:
        guild = self.api.guild(request)
        if not guild.permissions_for(guild.me) & MANAGE_GUILD:
            raise ApiError(e.MISSING_PERMISSIONS)
        return guild

    def _rule(self, request: ApiRequest) -> tuple[FakeGuild, FakeAutoModRule]:
        guild = self._guild(request)
        rule = guild.automod_rules.get(request.int_param("rule_id"))
        if rule is None:
            raise ApiError(e.NOT_FOUND)
        return guild, rule

    def _apply(
        self, guild: FakeGuild, rule: FakeAutoModRule, body: JSON, *, creating: bool
    ) -> None:
        errors = _FormErrors()
        if "name" in body or creating:
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                errors.add(["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            else:
                rule.name = name
        if "event_type" in body or creating:
            if body.get("event_type") not in (1, 2):
                errors.add(["event_type"], "ENUM_TYPE_COERCE", "Value is not a valid enum value.")
            else:
                rule.event_type = int(body["event_type"])
        if creating:
            if body.get("trigger_type") not in _TRIGGER_TYPES:
                errors.add(["trigger_type"], "ENUM_TYPE_COERCE", "Value is not a valid enum value.")
            else:
                rule.trigger_type = int(body["trigger_type"])
        if "trigger_metadata" in body:
            metadata = body["trigger_metadata"] or {}
            path: list[str | int] = ["trigger_metadata"]
            errors.strings(
                [*path, "keyword_filter"], metadata.get("keyword_filter"), items=1000, length=60
            )
            errors.strings(
                [*path, "regex_patterns"], metadata.get("regex_patterns"), items=10, length=260
            )
            allow_items = 1000 if rule.trigger_type == KEYWORD_PRESET else 100
            errors.strings(
                [*path, "allow_list"], metadata.get("allow_list"), items=allow_items, length=60
            )
            rule.trigger_metadata = dict(metadata)
        if "actions" in body or creating:
            actions = body.get("actions")
            if not isinstance(actions, list) or not actions:
                errors.add(["actions"], "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
            else:
                for index, action in enumerate(actions):
                    self._check_action(guild, index, action, errors)
                rule.actions = [dict(a) for a in actions]
        if "enabled" in body:
            rule.enabled = bool(body["enabled"])
        for key, limit in (("exempt_roles", 20), ("exempt_channels", 50)):
            if key in body:
                values = body[key] or []
                if len(values) > limit:
                    errors.add(
                        [key], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                    )
                setattr(rule, key, [int(v) for v in values])
        errors.raise_if_any()

    def _check_action(self, guild: FakeGuild, index: int, action: Any, errors: _FormErrors) -> None:
        path: list[str | int] = ["actions", index]
        if not isinstance(action, dict) or action.get("type") not in (1, 2, 3, 4):
            errors.add([*path, "type"], "ENUM_TYPE_COERCE", "Value is not a valid enum value.")
            return
        metadata = action.get("metadata") or {}
        kind = action["type"]
        if kind == BLOCK_MESSAGE:
            message = metadata.get("custom_message")
            if message is not None and len(str(message)) > 150:
                errors.add(
                    [*path, "metadata", "custom_message"],
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 150 or fewer in length.",
                )
        elif kind == SEND_ALERT_MESSAGE:
            channel_id = metadata.get("channel_id")
            if channel_id is None or int(channel_id) not in guild.channels:
                errors.add([*path, "metadata", "channel_id"], "CHANNEL_INVALID", "Unknown channel.")
        elif kind == TIMEOUT:
            seconds = metadata.get("duration_seconds")
            if not isinstance(seconds, int) or not 0 < seconds <= 2_419_200:
                errors.add(
                    [*path, "metadata", "duration_seconds"],
                    "NUMBER_TYPE_MAX",
                    "int value should be between 1 and 2419200.",
                )
            if not guild.permissions_for(guild.me) & MODERATE_MEMBERS:
                raise ApiError(e.MISSING_PERMISSIONS)

    async def list_rules(self, request: ApiRequest) -> list[JSON]:
        guild = self._guild(request)
        return [r.to_payload() for r in guild.automod_rules.values()]

    async def get_rule(self, request: ApiRequest) -> JSON:
        _, rule = self._rule(request)
        return rule.to_payload()

    async def create_rule(self, request: ApiRequest) -> JSON:
        guild = self._guild(request)
        rig = self.api.rig
        rule = FakeAutoModRule(
            id=rig.snowflake(),
            guild_id=guild.id,
            name="",
            creator_id=rig.bot_user.id,
            trigger_type=KEYWORD,
        )
        self._apply(guild, rule, request.body, creating=True)
        same_type = [r for r in guild.automod_rules.values() if r.trigger_type == rule.trigger_type]
        if len(same_type) >= _MAX_PER_GUILD[rule.trigger_type]:
            message = "Maximum number of rules of this type reached."
            raise ApiError(
                e.form_error("trigger_type", "AUTO_MODERATION_MAX_RULES_OF_TYPE_EXCEEDED", message)
            )
        guild.automod_rules[rule.id] = rule
        rig._guild_event(guild, "AUTO_MODERATION_RULE_CREATE", rule.to_payload())
        return rule.to_payload()

    async def modify_rule(self, request: ApiRequest) -> JSON:
        guild, rule = self._rule(request)
        draft = FakeAutoModRule(**rule.__dict__)
        self._apply(guild, draft, request.body, creating=False)
        rule.__dict__.update(draft.__dict__)
        self.api.rig._guild_event(guild, "AUTO_MODERATION_RULE_UPDATE", rule.to_payload())
        return rule.to_payload()

    async def delete_rule(self, request: ApiRequest) -> _NoContent:
        from .rest import NO_CONTENT

        guild, rule = self._rule(request)
        del guild.automod_rules[rule.id]
        rule.deleted = True
        self.api.rig._guild_event(guild, "AUTO_MODERATION_RULE_DELETE", rule.to_payload())
        return NO_CONTENT


def _rig(mixin: object) -> FakeDiscord:
    """The :class:`FakeDiscord` this mixin is part of (typed for mypy)."""
    return cast("FakeDiscord", mixin)


class AutoModMixin:
    """Asking whether AutoMod would block a member's message (mixed into
    :class:`FakeDiscord`)."""

    def automod_match(
        self,
        channel: FakeChannel | int,
        text: str,
        member: UserLike | None = None,
    ) -> AutoModMatch | None:
        """The enabled blocking KEYWORD rule (and keyword) that would block ``text`` sent
        in ``channel`` by ``member`` (``None``: an ordinary member with no exempt role),
        or ``None`` if it would go through. See the module docstring for the rules."""
        rig = _rig(self)
        target = rig.resolve_channel(channel)
        if target.guild_id is None:
            return None  # AutoMod is a guild feature: DMs are never filtered
        guild = rig.guilds[target.guild_id]
        role_ids: set[int] = set()
        if member is not None:
            user = rig.resolve_user(member)
            found = guild.members.get(user.id)
            if user.bot or (
                found is not None and guild.permissions_for(found) & _EXEMPT_PERMISSIONS
            ):
                return None
            role_ids = set(found.role_ids) if found is not None else set()
        exempt_scope = rig._automod_scope(guild, target)
        for rule in guild.automod_rules.values():
            if not (rule.enabled and rule.trigger_type == KEYWORD and rule.event_type == 1):
                continue
            if not rule.blocks or exempt_scope & set(rule.exempt_channels):
                continue
            if role_ids & set(rule.exempt_roles):
                continue
            hit = find_keyword(rule, text)
            if hit is not None:
                return AutoModMatch(rule, hit[0], hit[1])
        return None

    def automod_blocks(
        self,
        channel: FakeChannel | int,
        text: str,
        member: UserLike | None = None,
    ) -> bool:
        """Whether AutoMod would block ``text`` sent in ``channel`` (see
        :meth:`automod_match`)."""
        return _rig(self).automod_match(channel, text, member) is not None

    def automod_rule(self, guild: FakeGuild, name: str) -> FakeAutoModRule:
        for rule in guild.automod_rules.values():
            if rule.name == name:
                return rule
        names = [r.name for r in guild.automod_rules.values()]
        raise KeyError(f"no AutoMod rule {name!r} in {guild.name!r}; have {names}")

    @staticmethod
    def _automod_scope(guild: FakeGuild, channel: FakeChannel) -> set[int]:
        """The channel, its parent (for a thread) and their category: an exemption of any
        of them covers the message."""
        scope = {channel.id}
        current: FakeChannel | None = channel
        while current is not None and current.parent_id is not None:
            scope.add(current.parent_id)
            current = guild.channels.get(current.parent_id)
        return scope
