"""Discord's error responses, and the rules that inject them into REST routes.

Discord answers errors with ``{"message": ..., "code": ...}`` (plus ``errors`` for form
validation and ``retry_after``/``global`` for 429s); discord.py turns them into
:class:`discord.Forbidden` (403), :class:`discord.NotFound` (404),
:class:`discord.DiscordServerError` (5xx) and :class:`discord.HTTPException` (the rest).

Beware: discord.py *retries* 500/502/504/524 (and webhook/interaction routes retry every
5xx) up to five times with 1 s, 3 s, 5 s... sleeps. Inject ``SERVICE_UNAVAILABLE_NO_RETRY``
(503 on bot routes) or use ``times=1`` to keep tests fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DiscordError:
    """One Discord error response: HTTP status, JSON error code and message."""

    status: int
    code: int
    message: str
    errors: dict[str, Any] | None = None
    #: only for 429: seconds discord.py will sleep before retrying
    retry_after: float | None = None
    is_global: bool = False

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends for this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
            body["global"] = self.is_global
        return body

    def headers(self) -> dict[str, str]:
        """Extra headers; a 429 needs ``Via`` or discord.py treats it as a Cloudflare ban."""
        if self.status != 429:
            return {}
        return {
            "Via": "1.1 google",
            "Retry-After": str(self.retry_after or 0),
            "X-RateLimit-Global": "true" if self.is_global else "false",
            "X-RateLimit-Scope": "global" if self.is_global else "user",
        }


def rate_limited(retry_after: float = 0.01, *, is_global: bool = False) -> DiscordError:
    """A 429; discord.py sleeps ``retry_after`` seconds and retries the request."""
    return DiscordError(
        429, 0, "You are being rate limited.", retry_after=retry_after, is_global=is_global
    )


def invalid_form_body(errors: dict[str, Any]) -> DiscordError:
    """A 400 Invalid Form Body (code 50035) with Discord's nested ``errors`` tree."""
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)


def form_error(field: str, code: str, message: str) -> DiscordError:
    """A 400 Invalid Form Body about one field."""
    return invalid_form_body({field: {"_errors": [{"code": code, "message": message}]}})


MISSING_ACCESS = DiscordError(403, 50001, "Missing Access")
MISSING_PERMISSIONS = DiscordError(403, 50013, "Missing Permissions")
CANNOT_DM = DiscordError(403, 50007, "Cannot send messages to this user")
CANNOT_EDIT_OTHERS = DiscordError(403, 50005, "Cannot edit a message authored by another user")
UNKNOWN_APPLICATION = DiscordError(404, 10002, "Unknown Application")
UNKNOWN_CHANNEL = DiscordError(404, 10003, "Unknown Channel")
UNKNOWN_GUILD = DiscordError(404, 10004, "Unknown Guild")
UNKNOWN_MEMBER = DiscordError(404, 10007, "Unknown Member")
UNKNOWN_MESSAGE = DiscordError(404, 10008, "Unknown Message")
UNKNOWN_USER = DiscordError(404, 10013, "Unknown User")
UNKNOWN_WEBHOOK = DiscordError(404, 10015, "Unknown Webhook")
UNKNOWN_COMMAND = DiscordError(404, 10063, "Unknown application command")
UNKNOWN_INTERACTION = DiscordError(404, 10062, "Unknown interaction")
EMPTY_MESSAGE = DiscordError(400, 50006, "Cannot send an empty message")
ALREADY_ACKNOWLEDGED = DiscordError(400, 40060, "Interaction has already been acknowledged.")
THREAD_ALREADY_CREATED = DiscordError(
    400, 160004, "A thread has already been created for this message"
)
UNKNOWN_SCHEDULED_EVENT = DiscordError(404, 10070, "Unknown Guild Scheduled Event")
THREAD_ARCHIVED = DiscordError(400, 50083, "Thread is archived")
MAX_SCHEDULED_EVENTS = DiscordError(
    400, 30038, "Maximum number of uncompleted guild scheduled events reached (100)"
)
POLL_EXPIRED = DiscordError(400, 520001, "Poll expired")
CANNOT_EXPIRE_NON_POLL = DiscordError(400, 520006, "Cannot expire a non-poll message")
UNAUTHORIZED = DiscordError(401, 0, "401: Unauthorized")
NOT_FOUND = DiscordError(404, 0, "404: Not Found")
METHOD_NOT_ALLOWED = DiscordError(405, 0, "405: Method Not Allowed")
#: retried by discord.py (5 attempts, ~25 s of sleeps in total): use with ``times=1``
SERVER_ERROR = DiscordError(500, 0, "500: Internal Server Error")
#: 503 is not retried on bot routes (it is on webhook/interaction routes)
SERVICE_UNAVAILABLE_NO_RETRY = DiscordError(503, 0, "503: Service Unavailable")


class ApiError(Exception):
    """Raised by a route handler to answer with a Discord error."""

    def __init__(self, error: DiscordError) -> None:
        super().__init__(f"{error.status} {error.code} {error.message}")
        self.error = error


class BotCrashed(AssertionError):
    """The bot task ended while a test was using it (its exception is the ``__cause__``)."""


_PLACEHOLDER = re.compile(r"\\\{[^}]*\\\}|\\\*")


def compile_route_pattern(pattern: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` or ``/channels/*/messages`` → a full-path regex.

    ``{anything}`` and ``*`` match one path segment; concrete ids match themselves.
    """
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    return re.compile(_PLACEHOLDER.sub("[^/]+", re.escape(pattern)) + "/?")


@dataclass(eq=False)
class ErrorRule:
    """Answers matching REST calls with ``error`` (``times`` times, or always when ``None``).

    Returned by :meth:`FakeDiscord.fail`; ``hits`` counts the calls it answered and
    :meth:`remove` takes it out early.
    """

    method: str
    pattern: str
    error: DiscordError
    times: int | None = 1
    hits: int = 0
    skip: int = 0  # let this many matching calls through first
    skipped: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)
    _owner: list[ErrorRule] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self._regex = compile_route_pattern(self.pattern)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        if self.exhausted or (self.method != "*" and self.method != method.upper()):
            return False
        if self._regex.fullmatch(path) is None:
            return False
        if self.skipped < self.skip:
            self.skipped += 1  # called once per request (rest.py), so this counts calls
            return False
        return True

    def remove(self) -> None:
        if self._owner is not None and self in self._owner:
            self._owner.remove(self)
