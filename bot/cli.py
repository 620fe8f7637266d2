"""Command line: `marginalia [run|migrate|sync|doctor|import|digest]` (= `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import discord

from bot import __version__, runner
from bot.config import ConfigError, Settings, load_settings, to_async_url
from bot.db import migrate
from bot.db.engine import Database, describe_database
from bot.db.process_lock import single_process
from bot.errors import DatabaseStartupError
from bot.logs import configure_logging
from bot.redaction import Redactor, url_password

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2

log = logging.getLogger("bot.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia", description="Marginalia, the book-club Discord bot."
    )
    parser.add_argument("--version", action="version", version=f"marginalia {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="migrate the database, then run the bot (the default)")
    mig = sub.add_parser("migrate", help="apply pending database migrations")
    mig.add_argument("--dry-run", action="store_true", help="print the SQL, change nothing")
    syn = sub.add_parser("sync", help="push the slash-command tree to Discord now")
    syn.add_argument("--guild", type=int, metavar="ID", help="sync to this guild only")
    sub.add_parser("doctor", help="check configuration, database and metadata sources")
    imp = sub.add_parser("import", help="import a member's Goodreads/StoryGraph export CSV")
    imp.add_argument("kind", choices=["goodreads", "storygraph"], help="which site's export")
    imp.add_argument("file", type=Path, help="the export CSV file")
    imp.add_argument("--guild", type=int, required=True, metavar="ID", help="the server's id")
    imp.add_argument("--user", type=int, required=True, metavar="ID", help="the member's id")
    cop = sub.add_parser(
        "copy-db", help="copy every row into a new, empty database (SQLite → PostgreSQL)"
    )
    cop.add_argument("--to", required=True, metavar="URL", help="the new database's URL")
    dig = sub.add_parser("digest", help="the weekly digest")
    dig_sub = dig.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    preview = dig_sub.add_parser("preview", help="print the digest that would be posted now")
    preview.add_argument("--guild", type=int, required=True, metavar="ID", help="the server's id")
    return parser


async def _with_database(
    settings: Settings,
    body: Callable[[Database], Awaitable[int]],
    *,
    read_only: bool = False,
    known_schema: bool = False,
) -> int:
    """Run ``body`` with the database open; ``known_schema``: first refuse a schema newer
    than this code knows (commands that do not migrate; the others refuse in the upgrade)."""
    database = Database.from_url(settings.database_url, read_only=read_only)
    try:
        if known_schema:
            await migrate.check_known_schema(database)
        return await body(database)
    finally:
        await database.close()


async def _migrate(database: Database, *, dry_run: bool) -> int:
    if dry_run:
        sql = await migrate.dry_run_sql(database)
        print(sql if sql else "-- the database is up to date; nothing would run")
        return EXIT_OK
    result = await migrate.upgrade(database)
    if result.changed:
        print(f"database migrated from {result.before or 'empty'} to {result.after}")
    else:
        print(f"database already at {result.after}; nothing to do")
    return EXIT_OK


async def _run(settings: Settings) -> int:
    settings.require_token()

    async def body(database: Database) -> int:
        with single_process(settings.database_url):  # SQLite: one process per file
            result = await migrate.upgrade(database)
            log.info("database: %s", database.description)
            if result.changed:
                log.info("database migrated from %s to %s", result.before or "empty", result.after)
            return await runner.run(settings, database)

    return await _with_database(settings, body)


async def _sync(settings: Settings, guild: int | None) -> int:
    settings.require_token()

    async def body(database: Database) -> int:
        await migrate.upgrade(database)
        return await runner.sync_now(settings, database, guild)

    return await _with_database(settings, body)


async def _copy_db(settings: Settings, target_url: str) -> int:
    from bot.db.copy import CopyFailed, CopyRefused, copy_database

    to_async_url(target_url)  # an unsupported scheme: ConfigError, one line
    if target_url == settings.database_url:
        print("marginalia: --to names the current DATABASE_URL; give a new one", file=sys.stderr)
        return EXIT_FAILURE
    source = Database.from_url(settings.database_url)
    target = Database.from_url(target_url)
    try:
        copied = await copy_database(source, target)
    except (CopyRefused, CopyFailed) as exc:
        print(f"marginalia: copy-db: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        await target.close()
        await source.close()
    print(f"copied {describe_database(settings.database_url)} to {target.description}:")
    for table in copied:
        print(f"  {table.name:<24} {table.rows:>9}")
    total = sum(t.rows for t in copied)
    print(f"{total} rows in {len(copied)} tables; every table's count verified")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    redact = Redactor()
    try:
        settings = load_settings()
        redact.add(*settings.secret_values())
        configure_logging(settings.log_level, redact)
        if command == "migrate":
            return asyncio.run(
                _with_database(
                    settings,
                    lambda db: _migrate(db, dry_run=args.dry_run),
                    read_only=args.dry_run,
                )
            )
        if command == "doctor":
            from bot.doctor import run_doctor

            return asyncio.run(run_doctor(settings))
        if command == "sync":
            return asyncio.run(_sync(settings, args.guild))
        if command == "import":
            from bot.import_cli import run_import

            return asyncio.run(
                _with_database(
                    settings,
                    lambda db: run_import(
                        settings, db, args.kind, args.file, args.guild, args.user
                    ),
                    known_schema=True,
                )
            )
        if command == "copy-db":
            redact.add(url_password(args.to))
            return asyncio.run(_copy_db(settings, args.to))
        if command == "digest":
            from bot.digest_cli import run_digest_preview

            return asyncio.run(
                _with_database(
                    settings,
                    lambda db: run_digest_preview(settings, db, args.guild),
                    known_schema=True,
                )
            )
        return asyncio.run(_run(settings))
    except (ConfigError, DatabaseStartupError) as exc:
        print(f"marginalia: {redact(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    except runner.DiscordUnreachable as exc:
        print(f"marginalia: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except discord.LoginFailure:
        print(
            "marginalia: Discord rejected DISCORD_TOKEN; reset the token in the Developer "
            "Portal (Bot → Reset Token) and update .env.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_OK
