"""`marginalia doctor`: a short readable report on configuration, database and metadata."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot import __version__
from bot.config import Settings
from bot.db import migrate
from bot.db.engine import Database
from bot.errors import DatabaseStartupError

PROBE_TIMEOUT = httpx.Timeout(3.0)
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
    checks = [Check("database", "ok", f"{database.backend} at {settings.database_url}")]
    if current == head:
        checks.append(Check("schema", "ok", f"at {head}"))
    else:
        checks.append(
            Check(
                "schema",
                "warn",
                f"at {current or 'empty'}, code expects {head}: run `marginalia migrate`",
            )
        )
    return checks


async def _probe(client: httpx.AsyncClient, name: str, url: str, params: dict[str, str]) -> Check:
    try:
        response = await client.get(url, params=params, timeout=PROBE_TIMEOUT)
    except httpx.HTTPError as exc:
        return Check(name, "fail", f"unreachable ({type(exc).__name__}) at {url}")
    if response.status_code >= 400:
        return Check(name, "fail", f"answered HTTP {response.status_code} at {url}")
    return Check(name, "ok", f"reachable at {url}")


async def _check_metadata(settings: Settings) -> list[Check]:
    user_agent = f"Marginalia/{__version__} (doctor; {settings.metadata_contact or 'no contact'})"
    async with httpx.AsyncClient(headers={"User-Agent": user_agent}) as client:
        open_library = await _probe(
            client,
            "open library",
            f"{settings.openlibrary_base_url}/search.json",
            {"q": "the hobbit", "limit": "1", "fields": "key"},
        )
        google = await _probe(
            client,
            "google books",
            f"{settings.google_books_base_url}/volumes",
            {"q": "isbn:9780140328721", "maxResults": "1"},
        )
    if open_library.status == "ok" or google.status == "ok":
        # one source down is degraded, not broken: the other is the fallback
        open_library = Check(open_library.name, _soften(open_library.status), open_library.detail)
        google = Check(google.name, _soften(google.status), google.detail)
    return [open_library, google]


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
    print(f"Marginalia {__version__} — doctor")
    for check in checks:
        print(check.line())
    failed = [c for c in checks if c.status == "fail"]
    print(f"{len(checks) - len(failed)} of {len(checks)} checks passed without failure.")
    return 1 if failed else 0
