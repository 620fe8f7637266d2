from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345"


def settings_from(env: dict[str, str]):
    return load_settings(environ=env, env_file=None)


def test_defaults() -> None:
    settings = settings_from({"DISCORD_TOKEN": TOKEN})
    assert settings.database_url == "sqlite:///data/marginalia.db"
    assert settings.sqlalchemy_url == "sqlite+aiosqlite:///data/marginalia.db"
    assert settings.sync_commands == "auto"
    assert settings.dev_guild_id is None
    assert settings.openlibrary_base_url == "https://openlibrary.org"
    assert settings.log_level == "INFO"


def test_token_never_shown() -> None:
    settings = settings_from({"DISCORD_TOKEN": TOKEN, "GOOGLE_BOOKS_API_KEY": "secret-key-1"})
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert "secret-key-1" not in repr(settings)
    assert settings.require_token() == TOKEN
    assert repr(Secret("x")) == "Secret('**********')"


def test_missing_token_says_where_to_get_one() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from({}).require_token()
    message = str(info.value)
    assert "DISCORD_TOKEN" in message
    assert "discord.com/developers/applications" in message
    assert ".env" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite://relative.db"}, "DATABASE_URL"),
        ({"DEV_GUILD_ID": "abc"}, "DEV_GUILD_ID"),
        ({"DEV_GUILD_ID": "-5"}, "DEV_GUILD_ID"),
        ({"SYNC_COMMANDS": "sometimes"}, "SYNC_COMMANDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"SHARD_COUNT": "zero"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "0,1"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,5"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "a"}, "SHARD_IDS"),
        ({"OPENLIBRARY_BASE_URL": "ftp://x"}, "OPENLIBRARY_BASE_URL"),
        ({"DISCORD_GATEWAY_URL": "http://127.0.0.1"}, "DISCORD_GATEWAY_URL"),
        ({"DISCORD_TOKEN": "short"}, "DISCORD_TOKEN"),
        ({"METADATA_CONTACT": "me (x)"}, "METADATA_CONTACT"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from(env)
    assert names in str(info.value)
    assert "\n" not in str(info.value)


def test_postgres_url_mapped_to_asyncpg() -> None:
    settings = settings_from({"DATABASE_URL": "postgresql://u:p@db.example/marginalia"})
    assert settings.sqlalchemy_url == "postgresql+asyncpg://u:p@db.example/marginalia"
    assert settings.database_backend == "postgresql"


def test_dotenv_loaded_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEV_GUILD_ID=123\nLOG_LEVEL=debug\n")
    settings = load_settings(environ={"LOG_LEVEL": "WARNING"}, env_file=env_file)
    assert settings.dev_guild_id == 123
    assert settings.log_level == "WARNING"


def test_shards() -> None:
    settings = settings_from({"SHARD_COUNT": "4", "SHARD_IDS": "0, 2"})
    assert settings.shard_count == 4
    assert settings.shard_ids == (0, 2)


def test_settings_frozen() -> None:
    settings = settings_from({})
    with pytest.raises(AttributeError):
        settings.log_level = "DEBUG"  # type: ignore[misc]


def test_database_password_never_shown() -> None:
    settings = settings_from({"DATABASE_URL": "postgresql://bot:hunter2-db-pw@db.example/club"})
    assert "hunter2-db-pw" not in repr(settings)
    assert "postgresql://bot:***@db.example/club" in repr(settings)
    assert settings.database_url == "postgresql://bot:hunter2-db-pw@db.example/club"
    assert "hunter2-db-pw" in settings.secret_values()


def test_percent_encoded_password_is_a_secret_both_ways() -> None:
    settings = settings_from({"DATABASE_URL": "postgresql://bot:p%40ss-word-1@db/club"})
    assert {"p@ss-word-1", "p%40ss-word-1"} <= set(settings.secret_values())


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bot:hunter2-db-pw@db.example:notaport/club",
        "postgres:hunter2-db-pw@db.example/club",
    ],
)
def test_bad_database_url_is_not_echoed_with_its_password(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from({"DATABASE_URL": url})
    assert "DATABASE_URL" in str(info.value)
    assert "hunter2-db-pw" not in str(info.value)


def test_bad_metadata_url_is_not_echoed_with_its_password() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from({"OPENLIBRARY_BASE_URL": "ftp://mirror:hunter2-ol-pw@mirror.example"})
    assert "OPENLIBRARY_BASE_URL" in str(info.value)
    assert "hunter2-ol-pw" not in str(info.value)
