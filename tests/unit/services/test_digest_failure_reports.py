"""What a failed digest tells the moderators: a short reason and an error code, never the
exception's own text (it can hold SQL, file paths, tokens); the code is in the log with the
full exception, so the bot's host can find it."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.db.engine import Database
from bot.domain.clock import FakeClock
from bot.render.digest import failure_report_embed, send_failed_text
from bot.services.digest import FailureKind, PostingFailed
from tests.support.digest import CHANNEL, FakePoster, configure, run_at, scheduler

SLOT = datetime(2026, 11, 22, 18, tzinfo=UTC)  # a Sunday
SECRET = "SELECT token FROM secrets WHERE path='/srv/marginalia/.env' -- MTE3NzU1.GfAkE1.x"
CODE = re.compile(r"error code `([0-9A-F]{8})`")


def _shown(text: str) -> str:
    """The error code shown in ``text``; fails when the text leaks the secret."""
    for leak in ("SELECT", "/srv/marginalia", "MTE3NzU1", "RuntimeError", "ValueError"):
        assert leak not in text, text
    found = CODE.search(text)
    assert found is not None, text
    return found.group(1)


def _logged_with(caplog: pytest.LogCaptureFixture, code: str) -> logging.LogRecord:
    """The log record that names ``code``; it carries the full exception."""
    records = [r for r in caplog.records if code in r.getMessage()]
    assert records, f"no log line names the code {code}"
    return records[0]


async def test_an_unexpected_error_while_posting_is_reported_with_a_code(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(SLOT - timedelta(days=1))
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())
    poster = FakePoster(clock)
    poster.fail[1] = RuntimeError(SECRET)
    caplog.set_level(logging.INFO)
    await run_at(scheduler(database, clock, poster), clock, SLOT)

    (report,) = poster.reports
    embed = failure_report_embed(report)
    code = _shown(embed.description or "")
    record = _logged_with(caplog, code)
    assert record.exc_info is not None and SECRET in str(record.exc_info[1])


async def test_a_digest_that_cannot_be_built_is_reported_with_a_code(
    database: Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(SLOT - timedelta(days=1))
    await configure(database, 1, weekday=6, hour=18, timezone="UTC", at=clock.now())
    poster = FakePoster(clock)
    s = scheduler(database, clock, poster)

    async def broken(*args: object, **kwargs: object) -> None:
        raise ValueError(SECRET)

    monkeypatch.setattr(s.service, "build", broken)
    caplog.set_level(logging.INFO)
    await run_at(s, clock, SLOT)

    (report,) = poster.reports
    code = _shown(failure_report_embed(report).description or "")
    record = _logged_with(caplog, code)
    assert record.exc_info is not None and SECRET in str(record.exc_info[1])


def test_discords_own_error_text_is_not_shown() -> None:
    failure = PostingFailed(
        FailureKind.DISCORD_ERROR, f"HTTP 502 (code 0): <html>{SECRET}</html>", http_status=502
    )
    text = send_failed_text(failure, CHANNEL)
    assert _shown(text) == failure.code
    assert "Discord had a problem (HTTP 502" in text


@pytest.mark.parametrize("kind", list(FailureKind))
def test_every_kind_of_failure_gets_a_reason_and_a_code(kind: FailureKind) -> None:
    failure = PostingFailed(kind, SECRET)
    text = send_failed_text(failure, CHANNEL)
    assert _shown(text) == failure.code
    assert text.startswith("I could not post the digest: ") and len(text) < 400
