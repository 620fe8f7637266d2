"""Custom shelf names: validation, keys, and the status shelves they must not shadow."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.reading import ReadingStatus
from bot.domain.shelves import (
    MAX_BOOKS_PER_SHELF,
    MAX_CUSTOM_SHELVES,
    MAX_SHELF_NAME_LENGTH,
    STATUS_SHELVES,
    ShelfName,
    shelf_key,
    status_for_shelf_name,
    validate_shelf_name,
)
from bot.errors import InvalidInput


def test_limits() -> None:
    assert MAX_SHELF_NAME_LENGTH == 40
    assert MAX_CUSTOM_SHELVES == 50
    assert MAX_BOOKS_PER_SHELF >= 1000
    assert set(STATUS_SHELVES) == set(ReadingStatus)


@pytest.mark.parametrize(
    ("raw", "display", "key"),
    [
        ("favourites", "favourites", "favourites"),
        ("  Favourites  ", "Favourites", "favourites"),
        ("Sci-Fi   Classics", "Sci-Fi Classics", "sci-fi classics"),
        ("Straße", "Straße", "strasse"),
        ("📚 to buy", "📚 to buy", "📚 to buy"),
        ("👩‍🔬 science", "👩‍🔬 science", "👩‍🔬 science"),  # the emoji's zero-width joiner stays
        ("books @ home", "books @ home", "books @ home"),
        ("x" * 40, "x" * 40, "x" * 40),
        ("re-read", "re-read", "re-read"),
    ],
)
def test_valid_names(raw: str, display: str, key: str) -> None:
    assert validate_shelf_name(raw) == ShelfName(display, key)
    assert validate_shelf_name(raw).key == shelf_key(raw)


def test_display_and_key_are_a_pair() -> None:
    display, key = validate_shelf_name("Literature")
    assert (display, key) == ("Literature", "literature")


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("", "Give the shelf a name"),
        ("   ", "Give the shelf a name"),
        ("x" * 41, "at most 40 characters (that one has 41)"),
        ("bad\x07name", "control or invisible"),
        ("tab\tname", None),  # whitespace runs collapse, so this one is fine
        ("evil\u202ename", "control or invisible"),
        ("zero\u200bwidth", "control or invisible"),
        ("<@123456789>", "mentions"),
        ("hi <@!123>", "mentions"),
        ("<@&42> role", "mentions"),
        ("<#42>", "mentions"),
        ("@everyone", "mentions"),
        ("hey @HERE", "mentions"),
        ("<:blob:1234>", "custom emoji"),
        ("</help:1234>", "mentions"),
        ("fiction, mostly", "commas"),
        ("Finished", "status shelves"),
        ("want to read", "status shelves"),
        ("Want_To_Read", "status shelves"),
        ("to-read", "status shelves"),
        ("currently reading", "status shelves"),
        ("READ", "status shelves"),
        ("DNF", "status shelves"),
        ("did not finish", "status shelves"),
        ("paused", "status shelves"),
    ],
)
def test_invalid_names(raw: str, needle: str | None) -> None:
    if needle is None:
        assert validate_shelf_name(raw).display == "tab name"
        return
    with pytest.raises(InvalidInput) as err:
        validate_shelf_name(raw)
    assert needle in err.value.message


def test_status_collision_message_names_the_shelf() -> None:
    with pytest.raises(InvalidInput) as err:
        validate_shelf_name("did-not-finish")
    assert "**Did not finish**" in err.value.message


def test_key_too_long_after_case_folding() -> None:
    # 40 characters, but "ﬃ" folds to "ffi": the key would not fit the 64-character column
    with pytest.raises(InvalidInput):
        validate_shelf_name("ﬃ" * 40)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("Finished", ReadingStatus.FINISHED),
        ("read", ReadingStatus.FINISHED),
        ("to-read", ReadingStatus.WANT_TO_READ),
        ("TBR", ReadingStatus.WANT_TO_READ),
        ("Currently Reading", ReadingStatus.READING),
        ("dnf", ReadingStatus.DID_NOT_FINISH),
        ("Paused", ReadingStatus.PAUSED),
        ("favourites", None),
    ],
)
def test_status_for_shelf_name(name: str, status: ReadingStatus | None) -> None:
    assert status_for_shelf_name(name) is status


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_refused_or_gives_a_clean_name(raw: str) -> None:
    try:
        display, key = validate_shelf_name(raw)
    except InvalidInput as err:
        assert err.message
        return
    assert display == display.strip() and 1 <= len(display) <= MAX_SHELF_NAME_LENGTH
    assert "  " not in display and "," not in display
    assert key == shelf_key(display) and len(key) <= 64
    assert validate_shelf_name(display) == (display, key)  # idempotent
    assert status_for_shelf_name(display) is None
