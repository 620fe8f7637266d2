"""The database handle: engines, transactions, SQLite tuning.

Two ways to run a transaction; services decide the boundaries either way.

* A **unit of work** (the fast path, issue 11 §3): a plain sync function over a SQLAlchemy
  ``Connection``, run whole by :meth:`Database.run_write` / :meth:`Database.run_read`. On
  SQLite every write unit runs on one dedicated writer thread (one hop from the event loop
  per command, no greenlet per statement, no asyncio write lock to queue on: the thread *is*
  the queue) and reads on a small pool of threads; on PostgreSQL the same function runs
  through ``AsyncConnection.run_sync`` on asyncpg. No SQL runs on the event loop either way.
* An ``AsyncConnection`` from :meth:`Database.read` / :meth:`Database.write`, for the
  services not yet moved to units. Both paths see the same SQLite hooks (WAL, foreign keys,
  busy timeout, ``BEGIN IMMEDIATE`` for writes), so they can be used side by side.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

import aiosqlite
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import sqlite_path, to_async_url
from bot.db.sqlite import WRITE_OPTION, SqliteUnits, install_sqlite_hooks
from bot.errors import DatabaseStartupError

# Connection: what a unit of work receives, AsyncConnection: what Database.read()/write()
# yield (services name both from here, not from SQLAlchemy)
__all__ = ["AsyncConnection", "Connection", "Database", "describe_database_error"]

# asyncpg waits 60 s by default for a server that accepted the connection but never answers
CONNECT_TIMEOUT_S = 10
CLOSE_TIMEOUT_S = 1.0
log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
_IN_WRITE: contextvars.ContextVar[bool] = contextvars.ContextVar("in_write", default=False)


class Database:
    """Owns the async engine. Create with :meth:`open`, close with :meth:`close`."""

    def __init__(self, engine: AsyncEngine, url: str, *, read_only: bool = False) -> None:
        self.engine = engine
        self.url = url
        self.read_only = read_only
        # SQLite has one writer at a time; queueing writers here (FIFO, no polling) instead
        # of on the busy timeout keeps p99 down and avoids "database is locked" under load
        # (bench/bench_rate.py). Other processes still meet the busy timeout.
        self._write_lock: asyncio.Lock | None = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else None
        )
        # units of work on a SQLite file: a sync engine, one writer thread, a few readers
        self._units: SqliteUnits | None = None
        path = sqlite_path(url)
        if engine.dialect.name == "sqlite" and path is not None and not read_only:
            self._units = SqliteUnits(path)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def description(self) -> str:
        """Where the data is, for people (see :func:`describe_database`)."""
        return describe_database(self.url)

    @classmethod
    def from_url(
        cls, database_url: str, *, echo: bool = False, read_only: bool = False
    ) -> Database:
        """Build the engine (no I/O yet). The parent folder of a SQLite file is created.

        ``read_only`` (for ``migrate --dry-run``) changes nothing on disk: no folder, no
        file, no WAL switch, no -wal/-shm files; PostgreSQL sessions are read-only.
        """
        path = sqlite_path(database_url)
        if read_only:
            engine = _read_only_engine(database_url, path, echo=echo)
        else:
            if path is not None:
                _create_parent(path)
            engine = create_async_engine(
                to_async_url(database_url), echo=echo, connect_args=_connect_args(database_url)
            )
        if engine.dialect.name == "sqlite":
            install_sqlite_hooks(engine, read_only=read_only)
        return cls(engine, database_url, read_only=read_only)

    @property
    def missing(self) -> bool:
        """A SQLite file that does not exist yet (nothing to read; a write would create it)."""
        path = sqlite_path(self.url)
        return path is not None and not path.exists()

    async def check(self) -> None:
        """Open one connection and run a trivial query; turn failures into one clear line."""
        path = sqlite_path(self.url)
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                if self.backend == "sqlite":
                    result = await conn.execute(text("PRAGMA quick_check"))
                    verdict = result.scalar()
                    if verdict != "ok":
                        raise DatabaseStartupError(
                            f"DATABASE_URL: the database file {str(path)!r} is damaged "
                            f"({verdict}); restore it from a backup. It was not changed."
                        )
        except DatabaseStartupError:
            raise
        except (DBAPIError, OperationalError, sqlite3.Error, OSError) as exc:
            raise DatabaseStartupError(describe_database_error(exc, path)) from None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read transaction (rolled back at the end)."""
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        if _IN_WRITE.get():
            # a second connection would wait for the first one forever
            raise RuntimeError("nested write transaction: pass the open connection down")
        token = _IN_WRITE.set(True)
        try:
            if self._write_lock is None:
                async with self._write_transaction() as conn:
                    yield conn
                return
            async with self._write_lock, self._write_transaction() as conn:
                yield conn
        finally:
            _IN_WRITE.reset(token)

    @asynccontextmanager
    async def _write_transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                yield conn

    async def run_write(
        self, unit: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``unit(connection, *args, **kwargs)`` as one write transaction: committed when
        it returns, rolled back when it raises (the exception reaches the caller).

        A cancelled caller does not cancel the unit: it runs to its end, so a command is
        either wholly written or not at all.
        """
        if _IN_WRITE.get():
            raise RuntimeError("nested write transaction: pass the open connection down")
        if self._units is not None:
            return await self._units.write(lambda conn: unit(conn, *args, **kwargs))
        # shielded like the writer thread's units: a cancelled caller leaves the unit whole
        return await asyncio.shield(self._run_write_async(lambda c: unit(c, *args, **kwargs)))

    async def _run_write_async(self, unit: Callable[[Connection], T]) -> T:
        token = _IN_WRITE.set(True)
        try:
            async with self._write_transaction() as conn:
                return await conn.run_sync(unit)
        finally:
            _IN_WRITE.reset(token)

    async def run_read(
        self, unit: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``unit(connection, *args, **kwargs)`` in a read transaction (rolled back)."""
        if self._units is not None:
            return await self._units.read(lambda conn: unit(conn, *args, **kwargs))
        async with self.read() as conn:
            return await conn.run_sync(lambda sync: unit(sync, *args, **kwargs))

    async def close(self) -> None:
        """Close the pooled connections, waiting at most CLOSE_TIMEOUT_S (a connection
        still busy in a query would otherwise hold the shutdown up)."""
        try:
            await asyncio.wait_for(self.engine.dispose(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("closing the database took longer than %.1f s; going on", CLOSE_TIMEOUT_S)
        if self._units is not None:
            self._units.close()


def describe_database(database_url: str) -> str:
    """``SQLite at <path>`` or ``PostgreSQL at host:port/dbname``: the backend and where it
    is, never the user name or the password (for /about, doctor and the logs)."""
    path = sqlite_path(database_url)
    if path is not None:
        return f"SQLite at {path}"
    try:
        url = make_url(database_url)
    except ArgumentError:
        return "an unreadable database URL"
    backend = url.get_backend_name()
    if backend == "sqlite":
        return "SQLite in memory"
    name = "PostgreSQL" if backend in ("postgresql", "postgres") else backend
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):  # ?host=a&host=b: several hosts
        host = ",".join(host)
    port = url.port or (5432 if name == "PostgreSQL" else "")
    return f"{name} at {host}:{port}/{url.database or ''}"


def _create_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseStartupError(
            f"DATABASE_URL: cannot create the folder {str(path.parent)!r} "
            f"({exc.strerror}); choose a writable path."
        ) from None


def _connect_args(database_url: str, *, read_only: bool = False) -> dict[str, Any]:
    """Driver options: for PostgreSQL a connect timeout (and read-only sessions)."""
    if database_url.startswith("sqlite"):
        return {}
    args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT_S}
    if read_only:
        args["server_settings"] = {"default_transaction_read_only": "on"}
    return args


def _read_only_engine(database_url: str, path: Path | None, *, echo: bool) -> AsyncEngine:
    """An engine that cannot change the database.

    A SQLite file is opened through a ``file:`` URI with ``mode=ro`` (handed to the driver
    as is: SQLAlchemy's URL parsing would undo its percent-escapes). When no -wal file is
    beside it (every write is in the main file), ``immutable=1`` is added too: a read-only
    connection to a WAL database would otherwise create -wal and -shm files and leave them.
    PostgreSQL sessions start read-only.
    """
    if path is None:
        return create_async_engine(
            to_async_url(database_url),
            echo=echo,
            connect_args=_connect_args(database_url, read_only=True),
        )
    resolved = path.resolve()
    flags = "mode=ro" if Path(f"{resolved}-wal").exists() else "mode=ro&immutable=1"
    uri = f"file:{quote(str(resolved))}?{flags}"

    async def connect() -> aiosqlite.Connection:
        return await aiosqlite.connect(uri, uri=True)

    return create_async_engine(
        "sqlite+aiosqlite://", echo=echo, async_creator=connect, poolclass=NullPool
    )


def describe_database_error(exc: BaseException, path: Path | None) -> str:
    original = getattr(exc, "orig", None) or exc
    if isinstance(original, TimeoutError):
        return (
            f"DATABASE_URL: the database server did not answer within {CONNECT_TIMEOUT_S} s; "
            "check that it is running and reachable from here."
        )
    detail = str(original).splitlines()[0] if str(original) else type(original).__name__
    where = f" {str(path)!r}" if path is not None else ""
    lowered = detail.lower()
    if "not a database" in lowered or "malformed" in lowered:
        return (
            f"DATABASE_URL: the file{where} is not a readable SQLite database ({detail}); "
            "it was not changed — restore it from a backup or point DATABASE_URL elsewhere."
        )
    if "unable to open" in lowered or "readonly" in lowered or "permission" in lowered:
        return (
            f"DATABASE_URL: cannot open or write the database{where} ({detail}); "
            "check the path and its permissions."
        )
    return f"DATABASE_URL: cannot use the database{where} ({detail})."
