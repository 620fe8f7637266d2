"""What reaches the log: secrets masked, discord.py payloads summarised, noisy loggers held."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from bot.redaction import Redactor, mask_url

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345"
KEY = "AIzaSyUnit-google-key-0123456789abcdef"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzOmFiYy1kZWZfZ2hp"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:pw-123456@db:5432/club", "postgresql://bot:***@db:5432/club"),
        ("postgresql://bot@db/club", "postgresql://bot@db/club"),
        ("postgresql://db/club", "postgresql://db/club"),
        ("sqlite:///data/marginalia.db", "sqlite:///data/marginalia.db"),
        ("https://u:p%40ss@mirror.example/ol", "https://u:***@mirror.example/ol"),
        ("bot:pw-123456@db/club", "***@db/club"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_redactor_masks_literals_and_secret_shaped_text() -> None:
    redact = Redactor([TOKEN, KEY, "abc"])  # too short to mask as a literal
    text = (
        f"Bot {TOKEN} GET https://www.googleapis.com/books/v1/volumes?q=dune&key={KEY}&x=1 "
        f"POST /api/v10/interactions/123/{INTERACTION_TOKEN}/callback "
        f"PATCH /api/v10/webhooks/456/{INTERACTION_TOKEN}/messages/@original "
        f"dsn=postgresql://bot:other-pw@db/club {{'token': '{INTERACTION_TOKEN}'}} abc"
    )
    cleaned = redact(text)
    for secret in (TOKEN, KEY, INTERACTION_TOKEN, "other-pw"):
        assert secret not in cleaned
    assert "/interactions/123/***/callback" in cleaned
    assert "/webhooks/456/***/messages/@original" in cleaned
    assert "postgresql://bot:***@db/club" in cleaned
    assert "&x=1" in cleaned and cleaned.endswith("abc")
    assert redact(cleaned) == cleaned


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    names = ("httpx", "httpcore", "aiosqlite", "sqlalchemy")
    saved = {name: logging.getLogger(name).level for name in names}
    stream = io.StringIO()
    configure_logging("DEBUG", Redactor([TOKEN, KEY]), stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_discord_payloads_are_summarised_at_debug(log_stream: io.StringIO) -> None:
    event = {
        "op": 0,
        "t": "INTERACTION_CREATE",
        "s": 7,
        "d": {"token": INTERACTION_TOKEN, "data": {"value": "the butler did it"}},
    }
    logging.getLogger("discord.gateway").debug("For Shard ID %s: WebSocket Event: %s", 0, event)
    logging.getLogger("discord.http").debug(
        "%s %s with %s has returned %s",
        "POST",
        f"https://discord.com/api/v10/interactions/9/{INTERACTION_TOKEN}/callback",
        '{"type": 4, "data": {"content": "||the butler did it||"}}',
        204,
    )
    logging.getLogger("discord.http").debug(
        "%s %s has received %s", "GET", "https://discord.com/api/v10/users/@me", {"id": "1"}
    )
    out = log_stream.getvalue()
    assert "the butler did it" not in out and INTERACTION_TOKEN not in out
    assert "WebSocket Event: {op=0 t=INTERACTION_CREATE s=7}" in out
    assert "POST https://discord.com/api/v10/interactions/9/***/callback with <JSON body" in out
    assert "has received <JSON object, 1 fields>" in out


def test_tracebacks_are_masked_too(log_stream: io.StringIO) -> None:
    try:
        raise ConnectionError(f"cannot reach https://x.example/v?key={KEY} as Bot {TOKEN}")
    except ConnectionError:
        logging.getLogger("bot.test").exception("request failed")
    out = log_stream.getvalue()
    assert "request failed" in out and "Traceback" in out and "ConnectionError" in out
    assert KEY not in out and TOKEN not in out


def test_request_loggers_stay_quiet_at_debug(log_stream: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: GET https://x.example/v?key=%s", KEY)
    logging.getLogger("httpcore.http11").debug("send_request_headers.started")
    logging.getLogger("aiosqlite").debug("executing INSERT ... ('the butler did it',)")
    logging.getLogger("sqlalchemy.engine.Engine").info("INSERT INTO reviews ...")
    logging.getLogger("httpx").warning("still shown")
    logging.getLogger("bot.anything").debug("ours at debug")
    out = log_stream.getvalue()
    assert "HTTP Request" not in out and "send_request_headers" not in out
    assert "executing" not in out and "INSERT INTO" not in out
    assert "still shown" in out and "ours at debug" in out


def test_a_bad_format_string_is_still_logged(log_stream: io.StringIO) -> None:
    logging.getLogger("bot.test").warning("two %s %s", "only one")
    assert "two %s %s" in log_stream.getvalue()
