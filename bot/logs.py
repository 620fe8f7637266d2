"""Logging: one line per event on stderr, and no secret in any line at any level (SPEC §10).

The handler :func:`configure_logging` installs carries a :class:`SecretFilter`, so every
record of every logger is cleaned before it is written:

- known secrets (token, Google Books key, database password) and secret-shaped parts of
  the text (passwords in URLs, interaction/webhook tokens in URL paths, ``key=`` in query
  strings) are masked by :class:`~bot.redaction.Redactor`, tracebacks included;
- discord.py's payloads are summarised: gateway events (interaction tokens, modal text,
  message content) become ``{op=0 t=INTERACTION_CREATE s=5}``, REST request and response
  bodies become their size. The line itself stays, so DEBUG still tells what happened.

httpx and httpcore stay at WARNING whatever LOG_LEVEL says (httpx logs every request URL
at INFO), and so do SQLAlchemy and aiosqlite at DEBUG (they log statements with their
parameters: members' text).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from bot.redaction import Redactor

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: loggers never more verbose than this, whatever LOG_LEVEL is
QUIET_LOGGERS: Mapping[str, int] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.INFO,
}


def summarise_payload(value: Any) -> Any:
    """A short stand-in for a payload discord.py would log whole; other values unchanged."""
    if isinstance(value, Mapping):
        if "op" in value:  # a gateway payload
            return f"{{op={value.get('op')} t={value.get('t')} s={value.get('s')}}}"
        return f"<JSON object, {len(value)} fields>"
    if isinstance(value, list | tuple):
        return f"<JSON array, {len(value)} items>"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        return f"<JSON body, {len(value)} characters>"
    if type(value).__name__ == "FormData":  # aiohttp's multipart body (files, payload_json)
        return "<multipart body>"
    return value


class SecretFilter(logging.Filter):
    """Rewrites each record into its cleaned, fully formatted message (never drops one)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("discord") and isinstance(record.args, tuple):
            record.args = tuple(summarise_payload(arg) for arg in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: show its parts
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(
    level: str, redact: Redactor | None = None, *, stream: TextIO | None = None
) -> logging.Handler:
    """Log ``level`` and above to ``stream`` (stderr), every line through ``redact``."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SecretFilter(redact if redact is not None else Redactor()))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    threshold = logging.getLevelName(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, threshold))
    return handler
