"""`marginalia doctor`: a short readable report on configuration, database and metadata."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot import __version__
from bot.config import Settings
from bot.db import migrate
from bot.db.engine import Database
from bot.errors import DatabaseStartupError
from bot.metadata.catalogue import Catalogue
from bot.metadata.http import RetryPolicy
from bot.redaction import Redactor, mask_url

PROBE_TIMEOUT_S = 3.0
MARKS = {"ok": "✔", "warn": "!", "fail": "✘"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str

    def line(self) -> str:
        return f"{MARKS[self.status]} {self.name:<14} {self.detail}"


async def _check_database(settings: Settings) -> list[Check]:
    try:
        database = Database.from_url(settings.database_url)
    except DatabaseStartupError as exc:
        return [Check("database", "fail", str(exc))]
    try:
        await database.check()
        current = await migrate.current_revision(database)
    except DatabaseStartupError as exc:
        return [Check("database", "fail", str(exc))]
    finally:
        await database.close()
    head = migrate.head_revision()
    checks = [Check("database", "ok", database.description)]
    if current == head:
        checks.append(Check("schema", "ok", f"at {head}"))
    elif not migrate.known_revision(current):
        checks.append(Check("schema", "fail", str(migrate.SchemaTooNew(str(current)))))
    else:
        checks.append(
            Check(
                "schema",
                "warn",
                f"at {current or 'empty'}, code expects {head}: run `marginalia migrate`",
            )
        )
    return checks


async def _check_metadata(settings: Settings) -> list[Check]:
    """One tiny question to each source, with a short timeout and no retries."""
    async with httpx.AsyncClient() as client:
        catalogue = Catalogue.from_settings(
            settings, client, timeout=PROBE_TIMEOUT_S, retry=RetryPolicy(attempts=1)
        )
        report = await catalogue.check()
    urls = {
        "openlibrary": ("open library", mask_url(settings.openlibrary_base_url)),
        "googlebooks": ("google books", mask_url(settings.google_books_base_url)),
    }
    checks = [
        Check(name, "ok", f"reachable at {url}")
        if report.get(key) == "ok"
        else Check(name, "fail", f"{report.get(key, 'not checked')} ({url})")
        for key, (name, url) in urls.items()
    ]
    if any(c.status == "ok" for c in checks):
        # one source down is degraded, not broken: the other is the fallback
        checks = [Check(c.name, _soften(c.status), c.detail) for c in checks]
    return checks


def _soften(status: str) -> str:
    return "warn" if status == "fail" else status


async def run_doctor(settings: Settings) -> int:
    checks = [Check("configuration", "ok", "all variables valid")]
    if settings.discord_token:
        checks.append(Check("token", "ok", "DISCORD_TOKEN is set (not shown)"))
    else:
        checks.append(Check("token", "fail", "DISCORD_TOKEN is not set; the bot cannot log in"))
    checks.extend(await _check_database(settings))
    checks.extend(await _check_metadata(settings))
    redact = Redactor(settings.secret_values())  # a driver's message may quote a secret
    print(f"Marginalia {__version__} — doctor")
    for check in checks:
        print(redact(check.line()))
    failed = [c for c in checks if c.status == "fail"]
    print(f"{len(checks) - len(failed)} of {len(checks)} checks passed without failure.")
    return 1 if failed else 0
