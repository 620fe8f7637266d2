"""One process per SQLite file: a lock file beside the database, held while the bot runs.

SQLite is for one process (SPEC §13): two bots on one file would both run every scheduled
job, and each one's caches would miss the other's writes. ``marginalia run`` takes an
exclusive ``flock`` on ``<database>.lock`` for its whole life. The kernel drops a flock
when its process ends, however it ends (even ``kill -9``), so a lock file left behind by a
dead process never blocks the next start. The file is left in place: deleting it on exit
would let a process that opened the old file and one that creates a new one both "hold" it.
PostgreSQL needs none of this (several processes are the point there).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from bot.config import sqlite_path
from bot.errors import DatabaseStartupError


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def single_process(database_url: str) -> Iterator[Path | None]:
    """On SQLite, hold ``<database>.lock`` until the block ends; raises
    DatabaseStartupError (one line) when another process holds it. Yields the lock file's
    path (None on PostgreSQL and in-memory SQLite, where it does nothing)."""
    database = sqlite_path(database_url)
    if database is None:
        yield None
        return
    path = lock_path(database)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children
    except OSError as exc:
        raise DatabaseStartupError(
            f"DATABASE_URL: cannot create the lock file {str(path)!r} ({exc.strerror}); "
            "check the folder's permissions."
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise DatabaseStartupError(
                f"DATABASE_URL: another Marginalia is already running on {str(database)!r}"
                f"{who}; SQLite is for one process: stop the other one, or move to "
                "PostgreSQL to run several (README: Running at scale)."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)  # releases the flock
