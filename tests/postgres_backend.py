"""The PostgreSQL test backend, chosen with ``TEST_DATABASE_URL``.

``TEST_DATABASE_URL`` names a server and a database on it to connect to for administration
(e.g. ``postgresql://postgres@127.0.0.1:5432/test``); the run never writes to that database.
For the run, :class:`PostgresServer` creates one database with a unique name, migrates it
once, and resets it before every test that uses it: ``DELETE`` from every table of
``bot.db.schema`` (children first) and ``ALTER SEQUENCE … RESTART``, so ids start at 1 again.
That costs ~20 ms a test, against ~400 ms for ``CREATE DATABASE … TEMPLATE`` + ``DROP`` and
~450 ms for ``TRUNCATE … RESTART IDENTITY CASCADE`` of every table (measured on PostgreSQL
15: ``TRUNCATE`` makes new files for every table, which a ``DELETE`` of a few rows does not).
A test that needs an empty, unmigrated database gets a new one of its own, dropped after it.
Every database of the run is dropped at the end.

The administration runs on a private event loop in a background thread, so it never mixes
with the event loop pytest-asyncio gives each test.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.engine import Database
from bot.db.schema import metadata

ENV_VAR = "TEST_DATABASE_URL"
EXAMPLE_URL = "postgresql://postgres@127.0.0.1:5432/test"
CONNECT_TIMEOUT_S = 5.0

T = TypeVar("T")


class BackendUnavailable(Exception):
    """The server cannot be reached; the message is one line saying why."""


class BackendMisconfigured(Exception):
    """``TEST_DATABASE_URL`` cannot work as given; the message says how to fix it."""


class _LoopThread:
    """An event loop running in a daemon thread; :meth:`run` waits for a coroutine on it."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="postgres-test-admin", daemon=True
        )
        self._thread.start()

    def run(self, factory: Callable[[], Awaitable[T]]) -> T:
        async def call() -> T:
            return await factory()

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresServer:
    """The server of ``TEST_DATABASE_URL`` and the databases this run makes on it."""

    def __init__(self, admin_url: str) -> None:
        url = make_url(admin_url)
        if url.get_backend_name() not in ("postgresql", "postgres"):
            raise BackendMisconfigured(
                f"{ENV_VAR} must be a postgresql:// URL (e.g. {EXAMPLE_URL}), not {admin_url!r}"
            )
        self._url = url.set(drivername="postgresql")
        self.prefix = f"marginalia_test_{uuid.uuid4().hex[:10]}"
        self.shared_name = f"{self.prefix}_run"
        self._loop: _LoopThread | None = None
        self._admin: Any = None  # asyncpg connection to the administration database
        self._shared: Any = None  # asyncpg connection to the run's migrated database
        self._reset_sql = ""
        self._count = 0

    @property
    def where(self) -> str:
        return f"{self._url.host or 'localhost'}:{self._url.port or 5432}"

    def url_for(self, database: str) -> str:
        return self._url.set(database=database).render_as_string(hide_password=False)

    @property
    def shared_url(self) -> str:
        """The run's migrated database (reset with :meth:`reset` before each test)."""
        return self.url_for(self.shared_name)

    def _run(self, factory: Callable[[], Awaitable[T]]) -> T:
        assert self._loop is not None, "start() first"
        return self._loop.run(factory)

    def start(self) -> None:
        """Connect, create and migrate the run's database. Raises :class:`BackendUnavailable`."""
        asyncpg = self.connect()
        self._create_shared(asyncpg)

    def connect(self) -> Any:
        """Connect to the administration database only (enough for :meth:`empty_database`);
        returns the asyncpg module. Raises :class:`BackendUnavailable`."""
        try:
            import asyncpg
        except ImportError:
            raise BackendMisconfigured(
                f"{ENV_VAR} is set but asyncpg is not installed: pip install -e '.[dev,postgres]'"
            ) from None
        self._loop = _LoopThread()

        async def connect(database: str) -> Any:
            return await asyncpg.connect(self.url_for(database), timeout=CONNECT_TIMEOUT_S)

        try:
            self._admin = self._run(lambda: connect(self._url.database or "postgres"))
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            self._loop.stop()
            self._loop = None
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BackendUnavailable(
                f"cannot connect to PostgreSQL at {self.where} ({ENV_VAR}): {detail}"
            ) from None
        return asyncpg

    def _create_shared(self, asyncpg: Any) -> None:
        async def connect(database: str) -> Any:
            return await asyncpg.connect(self.url_for(database), timeout=CONNECT_TIMEOUT_S)

        try:
            self._create(self.shared_name)
        except asyncpg.PostgresError as exc:
            self.stop()
            raise BackendMisconfigured(
                f"cannot create a database on {self.where} ({ENV_VAR}): {exc}; "
                "the user needs the CREATEDB privilege"
            ) from None

        async def migrate_shared() -> None:
            database = Database.from_url(self.shared_url)
            try:
                await migrate.upgrade(database)
            finally:
                await database.close()

        self._run(migrate_shared)
        self._shared = self._run(lambda: connect(self.shared_name))
        sequences = self._run(
            lambda: self._shared.fetch(
                "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
            )
        )
        deletes = [f"DELETE FROM {_quote(t.name)};" for t in reversed(metadata.sorted_tables)]
        restarts = [f"ALTER SEQUENCE {row[0]} RESTART;" for row in sequences]
        self._reset_sql = "BEGIN;" + "".join(deletes + restarts) + "COMMIT;"

    def reset(self) -> None:
        """Empty every table of the run's database and restart its sequences."""
        self._run(lambda: self._shared.execute(self._reset_sql))

    def _create(self, name: str) -> None:
        self._run(lambda: self._admin.execute(f"CREATE DATABASE {_quote(name)}"))

    def _drop(self, name: str) -> None:
        # FORCE: a bot subprocess or a leaked pool must not keep a database alive
        statement = f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)"
        self._run(lambda: self._admin.execute(statement))

    @contextmanager
    def empty_database(self) -> Iterator[str]:
        """A new, empty (unmigrated) database for one test; dropped afterwards."""
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        self._create(name)
        try:
            yield self.url_for(name)
        finally:
            self._drop(name)

    def stop(self) -> None:
        """Drop every database of this run and close the connections."""
        if self._loop is None:
            return
        if self._shared is not None:
            self._run(self._shared.close)
        if self._admin is not None:
            names = self._run(
                lambda: self._admin.fetch(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
                    self.prefix + "_",
                )
            )
            for row in names:
                self._drop(row[0])
            self._run(self._admin.close)
        self._loop.stop()
        self._loop = None


def from_environment() -> PostgresServer | None:
    """The server of ``TEST_DATABASE_URL``, or None when it is not set (the SQLite run)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    return PostgresServer(raw) if raw else None
