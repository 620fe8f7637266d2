"""How /about, doctor and the logs name the database: backend and place, no credentials."""

from __future__ import annotations

import pytest

from bot.db.engine import describe_database


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/marginalia.db", "SQLite at data/marginalia.db"),
        ("sqlite:////srv/bot/marginalia.db", "SQLite at /srv/bot/marginalia.db"),
        ("sqlite+aiosqlite:///x.db?mode=rwc", "SQLite at x.db"),
        ("sqlite://", "SQLite in memory"),
        (
            "postgresql://club_bot:s3cr%40t-Pa55@db.example.org:6543/marginalia",
            "PostgreSQL at db.example.org:6543/marginalia",
        ),
        ("postgresql+asyncpg://bot:pw@10.0.0.5/club", "PostgreSQL at 10.0.0.5:5432/club"),
        ("postgres://bot@localhost/club", "PostgreSQL at localhost:5432/club"),
        ("postgresql:///club?host=/run/postgresql", "PostgreSQL at /run/postgresql:5432/club"),
    ],
)
def test_describe_database(url: str, expected: str) -> None:
    assert describe_database(url) == expected


def test_no_credentials_ever() -> None:
    text = describe_database("postgresql://club_bot:s3cr%40t-Pa55@db.example.org/marginalia")
    assert "Pa55" not in text
    assert "s3cr" not in text
    assert "club_bot" not in text
    assert "@" not in text
