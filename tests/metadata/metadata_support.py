"""Helpers for the metadata tests: recorded JSON, a fake clock, a routing transport.

Nothing here touches the network: every request goes to :class:`Router` through
``httpx.MockTransport``, and unknown URLs fail the test loudly.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot.metadata.http import RateLimiter

DATA = Path(__file__).resolve().parent.parent / "data"
OL = "https://openlibrary.test"
COVERS = "https://covers.test"
GB = "https://books.test/books/v1"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

Spec = Callable[[httpx.Request], httpx.Response] | BaseException


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def reply(
    data: Any = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    text: str | None = None,
    content_type: str | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A fresh response per request (a Response object cannot be sent twice)."""

    def build(request: httpx.Request) -> httpx.Response:
        all_headers = dict(headers or {})
        if content_type:
            all_headers["content-type"] = content_type
        if text is not None:
            return httpx.Response(status, text=text, headers=all_headers, request=request)
        return httpx.Response(status, json=data, headers=all_headers, request=request)

    return build


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Spec:
    return reply(load(name), status, headers)


def redirect(location: str, status: int = 302) -> Spec:
    return reply(status=status, headers={"location": location}, text="")


class FakeTime:
    """Monotonic seconds that only move when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Router:
    """Answers by ``host + path``; each route plays its specs in order, the last repeats."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.routes: dict[str, list[Spec]] = {}
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []
        self.delay = 0.0  # real seconds each answer takes (for overlap in coalescing tests)

    def add(self, url: str, *specs: Spec) -> None:
        self.routes[url.split("://", 1)[-1]] = list(specs)

    def count(self, url: str) -> int:
        target = url.split("://", 1)[-1]
        return sum(1 for r in self.requests if f"{r.url.host}{r.url.path}" == target)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.time.now)
        if self.delay:
            await asyncio.sleep(self.delay)
        specs = self.routes.get(f"{request.url.host}{request.url.path}")
        if not specs:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        spec = specs.pop(0) if len(specs) > 1 else specs[0]
        if isinstance(spec, BaseException):
            raise spec
        return spec(request)


def record_slots(limiter: RateLimiter) -> list[float]:
    """Spy on a limiter: the slot times it grants, in grant order.

    Under concurrency the fake clock cannot say when each request "really" went out, but
    the limiter's slots are exactly the schedule the requests were held to.
    """
    slots: list[float] = []
    acquire = limiter.acquire

    async def spy() -> float:
        slot = await acquire()
        slots.append(slot)
        return slot

    limiter.acquire = spy  # type: ignore[method-assign]
    return slots
