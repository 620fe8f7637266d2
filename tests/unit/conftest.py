"""Fixtures the unit tests share (the database ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from bot.domain.clock import FakeClock
from tests.support.ids import WEDNESDAY_NOON


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FakeClock:
    """A FakeClock at the test module's ``NOW`` (each module states the moment its tests
    live in), or at WEDNESDAY_NOON in a module without one."""
    return FakeClock(getattr(request.module, "NOW", WEDNESDAY_NOON))
