"""Shared fixtures: this test's database, on SQLite (default) or PostgreSQL.

Without ``TEST_DATABASE_URL`` every test gets a SQLite file in its temporary folder. With
``TEST_DATABASE_URL=postgresql://…`` the whole suite runs on that PostgreSQL server instead
(see ``tests/postgres_backend.py``); if the server cannot be reached, the run is skipped with
one line saying why — or fails, when ``CI=true``.

``database_url`` is the URL of this test's database. It is migrated when the test also uses
the ``database`` fixture, and empty (unmigrated) otherwise, e.g. for migration tests.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.db import migrate
from bot.db.engine import Database
from tests import postgres_backend

DATA_DIR = Path(__file__).parent / "data"

_POSTGRES: postgres_backend.PostgresServer | None = None
_SKIPPED: str | None = None  # why the PostgreSQL run is skipped
# a PostgreSQL server for tests that need one in the SQLite run too (copy-db's target):
# connected on first use; an exception when it cannot be reached
_TARGET: postgres_backend.PostgresServer | Exception | None = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): tests a feature only SQLite has; skipped on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "postgresql_only(reason): tests a feature only PostgreSQL has; skipped on SQLite",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    global _POSTGRES, _SKIPPED
    try:
        server = postgres_backend.from_environment()
        if server is not None:
            server.start()
    except postgres_backend.BackendMisconfigured as exc:
        pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
    except postgres_backend.BackendUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(f"CI=true needs the PostgreSQL server: {exc}", returncode=1)
        # one line, then nothing is collected and the run passes
        _SKIPPED = f"PostgreSQL run skipped: {exc}"
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(_SKIPPED, yellow=True)
        return
    _POSTGRES = server


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    return True if _SKIPPED is not None else None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _POSTGRES is not None:
        _POSTGRES.stop()
    if isinstance(_TARGET, postgres_backend.PostgresServer):
        _TARGET.stop()
    if _SKIPPED is not None and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


def pytest_report_header(config: pytest.Config) -> str:
    if _POSTGRES is None:
        return "database: sqlite (set TEST_DATABASE_URL=postgresql://… for PostgreSQL)"
    return f"database: postgresql at {_POSTGRES.where}, run database {_POSTGRES.shared_name}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _SKIPPED is not None:  # test files named on the command line are collected anyway
        config.hook.pytest_deselected(items=list(items))
        items.clear()
        return
    other, label = ("sqlite_only", "SQLite") if _POSTGRES else ("postgresql_only", "PostgreSQL")
    for item in items:
        marker = item.get_closest_marker(other)
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"{label} only: {reason}"))


@pytest.fixture
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def database_backend() -> str:
    """``sqlite`` or ``postgresql``: the backend of this run."""
    return "sqlite" if _POSTGRES is None else "postgresql"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if _POSTGRES is None:
        yield f"sqlite:///{tmp_path / 'marginalia.db'}"
        return
    if "database" in request.fixturenames:
        _POSTGRES.reset()
        yield _POSTGRES.shared_url
        return
    with _POSTGRES.empty_database() as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A second database for this test, empty (unmigrated): e.g. for a subprocess to use."""
    if _POSTGRES is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with _POSTGRES.empty_database() as url:
        yield url


def _postgres_in_any_run() -> postgres_backend.PostgresServer:
    """The run's PostgreSQL server; in the SQLite run, the server of ``TEST_DATABASE_URL``
    or else the local one (postgres_backend.EXAMPLE_URL), connected once. Unreachable:
    the test is skipped with the reason, or fails when ``CI=true``."""
    global _TARGET
    if _POSTGRES is not None:
        return _POSTGRES
    if _TARGET is None:
        raw = os.environ.get(postgres_backend.ENV_VAR, "").strip() or postgres_backend.EXAMPLE_URL
        server = postgres_backend.PostgresServer(raw)
        try:
            server.connect()
            _TARGET = server
        except (postgres_backend.BackendUnavailable, postgres_backend.BackendMisconfigured) as exc:
            _TARGET = exc
    if isinstance(_TARGET, Exception):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true needs the PostgreSQL server: {_TARGET}")
        pytest.skip(f"needs a PostgreSQL server: {_TARGET}")
    return _TARGET


@pytest.fixture
def postgres_empty_url() -> Iterator[str]:
    """A new, empty (unmigrated) PostgreSQL database for this test, in both runs (e.g. the
    target of copy-db); dropped afterwards."""
    with _postgres_in_any_run().empty_database() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    if _POSTGRES is None:
        await migrate.upgrade(db)  # the run's PostgreSQL database is migrated once
    try:
        yield db
    finally:
        await db.close()
