"""Helpers for the metadata tests: recorded JSON, a fake clock, a routing transport.

Nothing here touches the network: every request goes to :class:`Router` through
``httpx.MockTransport``, and unknown URLs fail the test loudly. The Router hands bodies back
as streams (as a real connection does), so the clients' streaming reads are exercised.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
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

Spec = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Awaitable[httpx.Response]]
    | BaseException
)


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


class Chunks(httpx.AsyncByteStream):
    """A response body streamed chunk by chunk; ``forever`` never ends (a slow drip).

    ``sent`` counts the chunks handed out, so a test can see a body was not read in full.
    """

    def __init__(self, chunks: Iterable[bytes], *, forever: bool = False) -> None:
        self.chunks = list(chunks)
        self.forever = forever
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk
        if self.forever:
            await asyncio.Event().wait()


def streamed(
    stream: httpx.AsyncByteStream, status: int = 200, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def build(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=stream, request=request)

    return build


class Stall:
    """A route that does not answer until ``release`` is set, then plays ``then``.

    ``arrived`` is set when the request comes in, ``cancelled`` when the client gives up on
    it (the request task was cancelled while waiting).
    """

    def __init__(self, then: Spec | None = None) -> None:
        self.then = then
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.arrived.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        if self.then is None or isinstance(self.then, BaseException):
            raise AssertionError("a released Stall needs a response to play")
        answer = self.then(request)
        return await answer if inspect.isawaitable(answer) else answer


async def within(awaitable: Awaitable[Any], seconds: float = 10.0) -> Any:
    """Await with a generous guard, so a hang fails the test instead of stalling it."""
    return await asyncio.wait_for(awaitable, seconds)


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
        answer = spec(request)
        response = await answer if inspect.isawaitable(answer) else answer
        if not response.is_stream_consumed:
            return response
        # A Response built from content has read itself already; replay its raw bytes as a
        # stream so the client reads it the way it reads a real connection.
        raw = b"".join(response.stream) if isinstance(response.stream, httpx.ByteStream) else b""
        return httpx.Response(
            response.status_code, headers=response.headers, stream=Chunks([raw]), request=request
        )


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
