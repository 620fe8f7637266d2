"""Fixtures for the metadata tests (helpers live in ``metadata_support``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.metadata.catalogue import Catalogue
from tests.metadata.metadata_support import COVERS, GB, NOW, OL, FakeTime, Router


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def router(fake_time: FakeTime) -> Router:
    return Router(fake_time)


@pytest.fixture
async def client(router: Router) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(router)) as http:
        yield http


@pytest.fixture
def make_catalogue(client: httpx.AsyncClient, fake_time: FakeTime) -> Callable[..., Catalogue]:
    def build(**options: Any) -> Catalogue:
        settings: dict[str, Any] = {
            "openlibrary_base_url": OL,
            "openlibrary_covers_url": COVERS,
            "google_books_base_url": GB,
            "contact": "club@example.org",
            "clock": fake_time.clock,
            "sleep": fake_time.sleep,
            "wall_clock": lambda: NOW,
        }
        settings.update(options)
        return Catalogue(client, **settings)

    return build


@pytest.fixture
def catalogue(make_catalogue: Callable[..., Catalogue]) -> Catalogue:
    return make_catalogue()
