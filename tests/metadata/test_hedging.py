"""Hedged lookups: when Open Library has stopped answering, Google Books is asked too.

Time here is real but tiny (``hedge_after`` of a few milliseconds) and nothing asserts a
duration: a stalled route never answers until the test releases it, so who wins is decided
by the scenario, not by the scheduler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from bot.metadata.catalogue import Catalogue
from bot.metadata.http import CircuitBreaker, RateLimiter, RetryPolicy, SourceHttp
from tests.metadata.metadata_support import (
    GB,
    NOW,
    OL,
    FakeTime,
    Router,
    Stall,
    load,
    recorded,
    reply,
    within,
)

BILLY = "openlibrary_search_billy_summers_default_fields_2025.json"
GB_EMPTY = "googlebooks_volumes_empty_totalItems0.json"
VOLUME_1984 = "googlebooks_volume_hV--zQEACAAJ_1984.json"
URL = f"{OL}/works/OL45804W.json"
WORK = "openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"
HEDGE = 0.02


def google_hits(*names: str) -> dict[str, object]:
    return {"kind": "books#volumes", "totalItems": len(names), "items": [load(n) for n in names]}


@pytest.fixture
def hedged(make_catalogue: Callable[..., Catalogue]) -> Catalogue:
    return make_catalogue(hedge_after=HEDGE)


# --- the catalogue -----------------------------------------------------------------------


async def test_a_stalled_open_library_is_hedged_and_google_answers(
    hedged: Catalogue, router: Router
) -> None:
    open_library = Stall()
    router.add(f"{OL}/search.json", open_library)
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    books = await within(hedged.search("1984"))
    assert [(b.title, b.source) for b in books] == [("1984 Nineteen Eighty-Four", "googlebooks")]
    await within(open_library.cancelled.wait())  # the loser's request was abandoned
    assert router.count(f"{OL}/search.json") == 1
    assert router.count(f"{GB}/volumes") == 1
    # giving up on a slow answer is not a failure of the source
    assert hedged.status() == {"openlibrary": "closed", "googlebooks": "closed"}


async def test_an_isbn_lookup_is_hedged_too(hedged: Catalogue, router: Router) -> None:
    open_library = Stall()
    router.add(f"{OL}/isbn/9781847498571.json", open_library)
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    book = await within(hedged.by_isbn("9781847498571"))
    assert book is not None and book.source == "googlebooks"
    await within(open_library.cancelled.wait())


async def test_open_library_still_wins_when_google_finds_nothing(
    hedged: Catalogue, router: Router
) -> None:
    open_library = Stall(then=recorded(BILLY))

    def google_empty(request: httpx.Request) -> httpx.Response:
        open_library.release.set()  # Open Library answers after Google said "nothing"
        return httpx.Response(200, json=load(GB_EMPTY), request=request)

    router.add(f"{OL}/search.json", open_library)
    router.add(f"{GB}/volumes", google_empty)
    books = await within(hedged.search("Billy Summers"))
    assert [(b.title, b.source) for b in books] == [("Billy Summers", "openlibrary")]


async def test_a_slow_open_library_answer_beats_a_stalled_google(
    hedged: Catalogue, router: Router
) -> None:
    open_library = Stall(then=recorded(BILLY))
    google = Stall()
    router.add(f"{OL}/search.json", open_library)
    router.add(f"{GB}/volumes", google)
    search = asyncio.ensure_future(hedged.search("Billy Summers"))
    await within(google.arrived.wait())  # hedged: both are asked now
    open_library.release.set()
    books = await within(search)
    assert [b.source for b in books] == ["openlibrary"]
    await within(google.cancelled.wait())


async def test_not_found_falls_back_at_once_without_waiting_for_the_hedge(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    catalogue = make_catalogue(hedge_after=3600)  # a hedge would never fire in this test
    router.add(f"{OL}/search.json", reply({"numFound": 0, "start": 0, "docs": []}))
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    books = await within(catalogue.search("1984"))
    assert [b.source for b in books] == ["googlebooks"]


async def test_a_fast_open_library_is_never_hedged(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    catalogue = make_catalogue(hedge_after=3600)
    router.add(f"{OL}/search.json", recorded(BILLY))
    assert [b.source for b in await within(catalogue.search("billy"))] == ["openlibrary"]
    assert router.count(f"{GB}/volumes") == 0


async def test_identical_concurrent_lookups_share_one_hedge(
    hedged: Catalogue, router: Router
) -> None:
    open_library = Stall()
    router.add(f"{OL}/search.json", open_library)
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    results = await within(asyncio.gather(*(hedged.search("1984") for _ in range(20))))
    assert all([b.source for b in books] == ["googlebooks"] for books in results)
    assert router.count(f"{OL}/search.json") == 1
    assert router.count(f"{GB}/volumes") == 1


async def test_both_stalled_then_open_library_fails_and_google_answers(
    hedged: Catalogue, router: Router
) -> None:
    open_library = Stall(then=lambda request: httpx.Response(404, json={}, request=request))
    google = Stall(then=reply(google_hits(VOLUME_1984)))
    router.add(f"{OL}/search.json", open_library)
    router.add(f"{GB}/volumes", google)
    search = asyncio.ensure_future(hedged.search("1984"))
    await within(google.arrived.wait())
    open_library.release.set()  # "nothing here": the pending Google answer is awaited
    await asyncio.sleep(0)
    assert not search.done()
    google.release.set()
    assert [b.source for b in await within(search)] == ["googlebooks"]


# --- what counts as "stalled" ------------------------------------------------------------


def make_source(client: httpx.AsyncClient, fake_time: FakeTime) -> SourceHttp:
    return SourceHttp(
        "openlibrary",
        client,
        limiter=RateLimiter.per_second(3, clock=fake_time.clock, sleep=fake_time.sleep),
        breaker=CircuitBreaker("openlibrary", clock=fake_time.clock),
        retry=RetryPolicy(attempts=3, max_retry_after=10),
        stall_after=HEDGE,
        sleep=fake_time.sleep,
        wall_clock=lambda: NOW,
    )


async def test_a_request_on_the_wire_too_long_is_a_stall(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    source = make_source(client, fake_time)
    stall = Stall(then=recorded(WORK))
    router.add(URL, stall)
    request = asyncio.ensure_future(source.get_json(URL))
    await within(source.wait_stalled())
    assert source.stalled
    stall.release.set()
    assert await within(request) is not None
    assert not source.stalled  # the answer came: no longer stalled


async def test_waiting_out_a_retry_after_is_a_stall(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    source = make_source(client, fake_time)
    gate = asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        if seconds == 8.0:
            await gate.wait()  # the source told us to come back in 8 s

    source._sleep = held_sleep  # type: ignore[method-assign]
    router.add(
        URL, recorded("openlibrary_error_429.json", 429, {"Retry-After": "8"}), recorded(WORK)
    )
    request = asyncio.ensure_future(source.get_json(URL))
    await within(source.wait_stalled())
    gate.set()
    assert await within(request) is not None


async def test_waiting_for_our_own_rate_limit_is_not_a_stall(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    source = make_source(client, fake_time)
    gate = asyncio.Event()

    async def held_acquire() -> float:
        await gate.wait()
        return 0.0

    source.limiter.acquire = held_acquire  # type: ignore[method-assign]
    router.add(URL, recorded(WORK))
    request = asyncio.ensure_future(source.get_json(URL))
    await asyncio.sleep(HEDGE * 5)  # queued behind our own limiter: no request is out
    assert not source.stalled
    assert router.requests == []
    gate.set()
    assert await within(request) is not None
    assert not source.stalled
