"""What the rig records about every REST call the bot makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import JSON


@dataclass(frozen=True)
class RecordedFile:
    """One file part of a multipart request (``files[n]``), with its bytes."""

    field_name: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(eq=False)
class RecordedRequest:
    """One REST call: the route it matched and what it carried and got back.

    ``path`` is relative to the API base (``/channels/123/messages``) and ``route`` is the
    matched template (``/channels/{channel_id}/messages``; ``None`` when no route matched).
    ``json`` is the JSON body, or the ``payload_json`` part of a multipart body.
    """

    method: str
    path: str
    route: str | None
    query: dict[str, str]
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    multipart: bool = False
    authorized: bool = False
    status: int | None = None
    response: Any = None
    #: set when an :class:`~fake_discord.errors.ErrorRule` answered this call
    injected: bool = False

    def __repr__(self) -> str:
        return f"<RecordedRequest {self.method} {self.path} → {self.status}>"


@dataclass(frozen=True)
class CommandSync:
    """One bulk overwrite of the command list (``guild_id`` None = global)."""

    guild_id: int | None
    commands: list[JSON]

    @property
    def names(self) -> list[str]:
        return sorted(c["name"] for c in self.commands)
