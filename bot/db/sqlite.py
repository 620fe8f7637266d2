"""SQLite's side of the database handle (bot/db/engine.py): the connection hooks every
SQLite engine gets, and the threads that run units of work on a SQLite file.

One writer thread runs every write unit (SQLite has one writer at a time: a FIFO queue on a
thread never polls the busy timeout) and :data:`READ_THREADS` threads run read units beside
it (WAL readers do not block the writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["READ_THREADS", "WRITE_OPTION", "SqliteUnits", "Workers", "install_sqlite_hooks"]

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "marginalia_write"  # an execution option: this transaction writes
READ_THREADS = 2  # SQLite reads in WAL mode run beside the writer; two cores here
T = TypeVar("T")


def install_sqlite_hooks(engine: AsyncEngine | Engine, *, read_only: bool = False) -> None:
    """WAL, foreign keys, busy timeout, synchronous=NORMAL; explicit BEGIN for real transactions.

    pysqlite/aiosqlite do not emit BEGIN before DDL, so SQLAlchemy's documented recipe is used:
    the driver's own transaction handling is switched off and BEGIN is emitted here. Write
    transactions use BEGIN IMMEDIATE so two writers queue on the busy timeout instead of
    failing with "database is locked" when a read lock is upgraded. A read-only handle
    leaves the journal mode alone (switching to WAL writes the file's header).
    """

    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    _install_connect_hook(sync_engine, read_only=read_only)

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _install_connect_hook(sync_engine: Engine, *, read_only: bool) -> None:
    """The pool's side of :func:`install_sqlite_hooks`: each new DB-API connection is put in
    autocommit (BEGIN is emitted by hand) with the pragmas set."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()


class SqliteUnits:
    """Units of work on a SQLite file: a sync engine with the same hooks as the async one,
    one writer thread (SQLite has one writer at a time: queueing writes on a thread is FIFO
    and never polls) and :data:`READ_THREADS` reader threads (WAL readers run beside it)."""

    def __init__(self, path: Path) -> None:
        self.engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"check_same_thread": False},
            pool_size=READ_THREADS + 1,
        )
        # the connect hook only: BEGIN is emitted below. An engine with no connection event
        # listener skips SQLAlchemy's event dispatch on every statement (its "begin" hook
        # made each unit's 7 statements pay for before/after_execute and _cursor_execute)
        _install_connect_hook(self.engine, read_only=False)
        self._writer = Workers(1, "db-writer")
        self._readers = Workers(READ_THREADS, "db-reader")

    def _write(self, unit: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return unit(conn)

    def _read(self, unit: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("BEGIN")
            return unit(conn)

    async def write(self, unit: Callable[[Connection], T]) -> T:
        # a cancelled caller does not cancel the unit: it is written whole or not at all
        return await self._writer.run(lambda: self._write(unit), skip_if_cancelled=False)

    async def read(self, unit: Callable[[Connection], T]) -> T:
        return await self._readers.run(lambda: self._read(unit), skip_if_cancelled=True)

    def close(self) -> None:
        """Stop taking units; one still running is left to its thread (a daemon: it does
        not hold the process's exit, and SQLite rolls its transaction back)."""
        self._writer.close()
        self._readers.close()
        self.engine.dispose()


class Workers:
    """A few daemon threads running submitted functions in order, for the event loop.

    Not ``ThreadPoolExecutor``: its threads are joined when the interpreter exits, so one
    unit stuck in a minutes-long query would hold a shutdown past SPEC §10's 10 s. Threads
    start on the first submission (a ``Database`` that never runs a unit costs nothing).
    A finished job wakes its caller with one ``call_soon_threadsafe`` (no
    ``concurrent.futures.Future`` chained to an asyncio one, and no ``asyncio.shield``:
    half the event loop's time per hop).
    """

    def __init__(self, count: int, name: str) -> None:
        self._count = count
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False

    async def run(self, job: Callable[[], T], *, skip_if_cancelled: bool) -> T:
        """``job()`` on one of the threads; its result, or its exception raised here. A
        cancelled caller stops waiting; the job still runs, unless ``skip_if_cancelled`` and
        it has not started yet."""
        if self._closed:
            raise RuntimeError("the database is closed")
        if not self._threads:
            self._threads = [
                threading.Thread(target=self._work, name=f"{self._name}-{i}", daemon=True)
                for i in range(self._count)
            ]
            for thread in self._threads:
                thread.start()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[T] = loop.create_future()
        self._jobs.put((job, loop, waiter, skip_if_cancelled))
        return await waiter

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, loop, waiter, skip_if_cancelled = item
            if skip_if_cancelled and waiter.cancelled():
                continue
            result: Any = None
            error: BaseException | None = None
            try:
                result = job()
            except BaseException as exc:  # handed to the awaiting caller
                error = exc
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_deliver, waiter, result, error)

    def close(self) -> None:
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)


_Job = tuple[Callable[[], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]", bool]


def _deliver(waiter: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    """On the event loop: hand a finished job's outcome to its caller, if still waiting."""
    if waiter.cancelled():
        return
    if error is not None:
        waiter.set_exception(error)
    else:
        waiter.set_result(result)
