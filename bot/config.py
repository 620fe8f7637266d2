"""Settings: every variable of SPEC §2, loaded once from the environment and `.env`.

The real environment wins over `.env`. Invalid values raise :class:`ConfigError` whose
message is one line naming the variable and how to fix it; the CLI prints it and exits 2.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import discord
import yarl
from dotenv import dotenv_values

from bot.redaction import mask_url, url_password

DEFAULT_DATABASE_URL = "sqlite:///data/marginalia.db"


class SyncMode(StrEnum):
    """SYNC_COMMANDS: when the slash-command tree is pushed to Discord (SPEC §2)."""

    AUTO = "auto"  # when the tree changed since the last sync (its hash is in the database)
    ALWAYS = "always"
    NEVER = "never"


SYNC_MODES = tuple(mode.value for mode in SyncMode)
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-.]{20,}$")


class ConfigError(Exception):
    """A configuration variable is missing or invalid. The message is shown to the user."""


class Secret:
    """A string that never shows itself in repr/str/logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True, repr=False)
class Settings:
    discord_token: Secret | None
    database_url: str = DEFAULT_DATABASE_URL
    dev_guild_id: int | None = None
    sync_commands: SyncMode = SyncMode.AUTO
    openlibrary_base_url: str = "https://openlibrary.org"
    openlibrary_covers_url: str = "https://covers.openlibrary.org"
    google_books_base_url: str = "https://www.googleapis.com/books/v1"
    google_books_api_key: Secret | None = None
    metadata_contact: str | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    log_level: str = "INFO"

    def __repr__(self) -> str:
        # the database URL may carry a password (the token and key are Secret already)
        shown = [
            f"{name}={mask_url(self.database_url)!r}"
            if name == "database_url"
            else f"{name}={getattr(self, name)!r}"
            for name in self.__dataclass_fields__
        ]
        return f"Settings({', '.join(shown)})"

    def secret_values(self) -> tuple[str, ...]:
        """Every secret this configuration holds, for masking in logs and messages."""
        values = [
            self.discord_token.get() if self.discord_token else None,
            self.google_books_api_key.get() if self.google_books_api_key else None,
            url_password(self.database_url),
            urlsplit(self.database_url).password,  # as written, maybe percent-encoded
        ]
        return tuple(v for v in values if v)

    def require_token(self) -> str:
        if not self.discord_token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: create a bot at "
                "https://discord.com/developers/applications (Bot → Reset Token) and put "
                "DISCORD_TOKEN=<token> in .env or the environment."
            )
        return self.discord_token.get()

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL for `database_url`."""
        return to_async_url(self.database_url)

    @property
    def database_backend(self) -> str:
        return "postgresql" if self.database_url.startswith("postgres") else "sqlite"


def to_async_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgres", "postgresql"):
        return f"postgresql+asyncpg://{rest}"
    raise ConfigError(f"DATABASE_URL has an unsupported scheme {scheme!r}")


def sqlite_path(url: str) -> Path | None:
    """The file path of a sqlite URL, or None for in-memory/non-sqlite URLs."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+", 1)[0] != "sqlite":
        return None
    path = rest[1:] if rest.startswith("/") else rest
    path = path.split("?", 1)[0]
    if path in ("", ":memory:"):
        return None
    return Path(path)


def _validate_database_url(raw: str) -> str:
    value = raw.strip()
    if "://" not in value:
        raise ConfigError(
            f"DATABASE_URL {mask_url(value)!r} is not a database URL: use "
            "sqlite:///data/marginalia.db (embedded) or postgresql://user:password@host/dbname."
        )
    scheme = value.split("://", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        rest = value.split("://", 1)[1]
        if not rest.startswith("/"):
            raise ConfigError(
                "DATABASE_URL must look like sqlite:///relative/path.db or "
                "sqlite:////absolute/path.db (three or four slashes)."
            )
        return value
    if scheme in ("postgres", "postgresql"):
        parts = urlsplit(value)
        if not parts.hostname and not parts.path.strip("/"):
            raise ConfigError("DATABASE_URL is a postgresql URL without host or database name.")
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number 0-65535
        except ValueError:
            raise ConfigError(
                f"DATABASE_URL {mask_url(value)!r} has an invalid port: use a number, "
                "e.g. postgresql://user:password@localhost:5432/marginalia."
            ) from None
        return value
    raise ConfigError(
        f"DATABASE_URL has unsupported scheme {scheme!r}: use sqlite:///PATH or postgresql://…"
    )


def _optional_int(env: Mapping[str, str], name: str, *, minimum: int = 0) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigError(f"{name} must be a whole number (got {raw!r}); unset it or fix it.")
    return int(raw)


def _optional_url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    parts = urlsplit(raw)
    allowed = ("ws", "wss") if name == "DISCORD_GATEWAY_URL" else ("http", "https")
    if parts.scheme not in allowed or not parts.netloc:
        raise ConfigError(
            f"{name} must be an {'/'.join(allowed)} URL (got {mask_url(raw)!r}); "
            "unset it for the default."
        )
    return raw.rstrip("/")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read settings from `.env` (if present) overlaid by the real environment."""
    merged: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ if environ is None else environ)

    token_raw = merged.get("DISCORD_TOKEN", "").strip()
    token: Secret | None = None
    if token_raw:
        if not _TOKEN_SHAPE.match(token_raw):
            raise ConfigError(
                "DISCORD_TOKEN does not look like a bot token (copy it again from the "
                "Developer Portal → Bot → Reset Token)."
            )
        token = Secret(token_raw)

    sync = merged.get("SYNC_COMMANDS", "auto").strip().lower() or "auto"
    if sync not in SYNC_MODES:
        raise ConfigError(f"SYNC_COMMANDS must be one of auto, always, never (got {sync!r}).")

    level = merged.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS or not isinstance(logging.getLevelName(level), int):
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {level!r}).")

    shard_count = _optional_int(merged, "SHARD_COUNT", minimum=1)
    shard_ids: tuple[int, ...] | None = None
    raw_ids = merged.get("SHARD_IDS", "").strip()
    if raw_ids:
        try:
            shard_ids = tuple(int(p) for p in raw_ids.replace(" ", "").split(",") if p)
        except ValueError:
            raise ConfigError(
                f"SHARD_IDS must be comma-separated numbers like 0,1 (got {raw_ids!r})."
            ) from None
        if shard_count is None:
            raise ConfigError("SHARD_IDS needs SHARD_COUNT as well (the total number of shards).")
        if any(i < 0 or i >= shard_count for i in shard_ids):
            raise ConfigError(
                f"SHARD_IDS must each be between 0 and SHARD_COUNT-1 ({shard_count - 1})."
            )

    gb_key = merged.get("GOOGLE_BOOKS_API_KEY", "").strip()
    contact = merged.get("METADATA_CONTACT", "").strip() or None
    if contact is not None and any(c in contact for c in "\r\n\t()"):
        raise ConfigError("METADATA_CONTACT must be a plain e-mail address or URL.")

    return Settings(
        discord_token=token,
        database_url=_validate_database_url(merged.get("DATABASE_URL", "") or DEFAULT_DATABASE_URL),
        dev_guild_id=_optional_int(merged, "DEV_GUILD_ID", minimum=1),
        sync_commands=SyncMode(sync),
        openlibrary_base_url=_optional_url(
            merged, "OPENLIBRARY_BASE_URL", "https://openlibrary.org"
        )
        or "",
        openlibrary_covers_url=_optional_url(
            merged, "OPENLIBRARY_COVERS_URL", "https://covers.openlibrary.org"
        )
        or "",
        google_books_base_url=_optional_url(
            merged, "GOOGLE_BOOKS_BASE_URL", "https://www.googleapis.com/books/v1"
        )
        or "",
        google_books_api_key=Secret(gb_key) if gb_key else None,
        metadata_contact=contact,
        discord_api_base=_optional_url(merged, "DISCORD_API_BASE", None),
        discord_gateway_url=_optional_url(merged, "DISCORD_GATEWAY_URL", None),
        shard_count=shard_count,
        shard_ids=shard_ids,
        log_level=level,
    )


# --- discord.py's process-wide switches ------------------------------------------------------


def apply_discord_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL when they are set.

    discord.py reads both from class attributes, so this is process-wide by necessity.
    """
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def silence_voice_warnings() -> None:
    """Marginalia has no voice features: discord.py's two warnings at every client start
    ("PyNaCl is not installed…", "davey is not installed…") are noise. Only those two:
    these are discord.py's own switches for them."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
