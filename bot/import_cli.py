"""``marginalia import goodreads|storygraph FILE --guild ID --user ID``: the same import as the
slash command, for admins moving a whole club.

It needs no Discord connection. The catalogue is asked without a time budget (nobody's
interaction is waiting), still within its rate limits. The report is printed as the
``import-report.txt`` the slash command attaches; problems go to stderr with exit status 1.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.clock import Clock, SystemClock
from bot.domain.imports import KIND_NAMES, ImportKind
from bot.errors import UserError
from bot.metadata.catalogue import Catalogue
from bot.metadata.http import make_http_client
from bot.render.imports import report_text
from bot.services.imports import ImportCatalogue, ImportService, check_upload_size

__all__ = ["EXIT_FAILURE", "EXIT_OK", "run_import"]

EXIT_OK = 0
EXIT_FAILURE = 1


def _read(path: Path) -> bytes:
    """The file's bytes, its size checked first (a huge file is never read)."""
    check_upload_size(path.stat().st_size)
    return path.read_bytes()


def _kind(name: str) -> ImportKind | None:
    lowered = name.strip().lower()
    if lowered == "goodreads":
        return "goodreads"
    if lowered == "storygraph":
        return "storygraph"
    return None


async def run_import(
    settings: Settings,
    database: Database,
    kind: str,
    path: Path,
    guild_id: int,
    user_id: int,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Clock | None = None,
    catalogue: ImportCatalogue | None = None,
) -> int:
    """Import ``path`` for member ``user_id`` of server ``guild_id``; return the exit status.

    ``catalogue`` replaces the configured Open Library / Google Books catalogue (tests).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    site = _kind(kind)
    if site is None:
        print(f"marginalia: unknown export {kind!r}; use goodreads or storygraph", file=err)
        return EXIT_FAILURE
    if guild_id <= 0 or user_id <= 0:
        print("marginalia: --guild and --user must be Discord ids (positive numbers)", file=err)
        return EXIT_FAILURE
    if await migrate.current_revision(database) != migrate.head_revision():
        print(
            "marginalia: the database is not up to date; run `marginalia migrate` first",
            file=err,
        )
        return EXIT_FAILURE
    try:
        data = await asyncio.to_thread(_read, path)
    except OSError as exc:
        print(f"marginalia: cannot read {str(path)!r}: {exc.strerror or exc}", file=err)
        return EXIT_FAILURE
    except UserError as exc:
        print(f"marginalia: {exc.message}", file=err)
        return EXIT_FAILURE
    if catalogue is not None:
        return await _import(database, catalogue, clock, site, data, guild_id, user_id, out, err)
    async with make_http_client() as client:
        configured = Catalogue.from_settings(settings, client)
        return await _import(database, configured, clock, site, data, guild_id, user_id, out, err)


async def _import(
    database: Database,
    catalogue: ImportCatalogue,
    clock: Clock | None,
    kind: ImportKind,
    data: bytes,
    guild_id: int,
    user_id: int,
    out: TextIO,
    err: TextIO,
) -> int:
    service = ImportService(database, catalogue, clock or SystemClock(), lookup_budget_s=None)
    try:
        report = await service.import_file(guild_id, user_id, data, kind)
    except UserError as exc:
        print(f"marginalia: {KIND_NAMES[kind]} import failed: {exc.message}", file=err)
        print("Nothing was changed.", file=err)
        return EXIT_FAILURE
    out.write(report_text(report))
    return EXIT_OK
