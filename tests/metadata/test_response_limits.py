"""Hostile or broken answers are bounded: body size, JSON depth, content type and encoding,
total time of a request, and how long a ``Retry-After`` may keep a source shut.

Each one is a :class:`MetadataError` (so the catalogue falls back to the next source),
never a crash and never an unbounded wait or allocation.
"""

from __future__ import annotations

import asyncio
import gzip
from datetime import timedelta

import httpx
import pytest

from bot.errors import CatalogueUnavailable
from bot.metadata.body import MAX_BODY_BYTES, MAX_JSON_DEPTH
from bot.metadata.catalogue import Catalogue
from bot.metadata.errors import (
    BadResponse,
    CircuitOpen,
    MetadataError,
    RateLimited,
    SourceUnavailable,
)
from bot.metadata.http import (
    RETRY_AFTER_CAP,
    CircuitBreaker,
    RateLimiter,
    RetryPolicy,
    SourceHttp,
    parse_retry_after,
)
from tests.metadata.metadata_support import (
    GB,
    NOW,
    OL,
    Chunks,
    FakeTime,
    Router,
    load,
    recorded,
    reply,
    streamed,
    within,
)

URL = f"{OL}/works/OL45804W.json"
WORK = "openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"
VOLUME_1984 = "googlebooks_volume_hV--zQEACAAJ_1984.json"
SMALL_CAP = 64 * 1024


def make_source(
    client: httpx.AsyncClient,
    fake_time: FakeTime,
    *,
    attempts: int = 3,
    timeout: float = 6.0,
    max_body_bytes: int = SMALL_CAP,
) -> SourceHttp:
    return SourceHttp(
        "openlibrary",
        client,
        contact="club@example.org",
        limiter=RateLimiter.per_second(3, clock=fake_time.clock, sleep=fake_time.sleep),
        breaker=CircuitBreaker("openlibrary", reset_timeout=30, clock=fake_time.clock),
        retry=RetryPolicy(attempts=attempts, base_delay=0.5, max_delay=4.0, max_retry_after=10),
        timeout=timeout,
        max_body_bytes=max_body_bytes,
        sleep=fake_time.sleep,
        wall_clock=lambda: NOW,
    )


@pytest.fixture
def source(client: httpx.AsyncClient, fake_time: FakeTime) -> SourceHttp:
    return make_source(client, fake_time)


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# --- nesting -----------------------------------------------------------------------------


async def test_json_nested_deeper_than_python_can_parse_is_a_bad_response(
    source: SourceHttp, router: Router
) -> None:
    deep = "[" * 20_000 + "]" * 20_000  # json.loads raises RecursionError on this
    router.add(URL, reply(text=deep, content_type="application/json"))
    with pytest.raises(BadResponse, match="nested"):
        await source.get_json(URL)


async def test_json_nested_beyond_the_bound_is_a_bad_response(
    source: SourceHttp, router: Router
) -> None:
    router.add(URL, reply(text=nested(MAX_JSON_DEPTH + 1), content_type="application/json"))
    with pytest.raises(BadResponse, match="nested"):
        await source.get_json(URL)


async def test_json_at_the_bound_is_fine_and_strings_do_not_count(
    source: SourceHttp, router: Router
) -> None:
    text = nested(MAX_JSON_DEPTH - 1).replace("1", '{"s": "[[[[{{{{\\"[[[["}', 1)
    router.add(URL, reply(text=text, content_type="application/json"))
    assert await source.get_json(URL) is not None


def test_the_depth_bound_leaves_room_for_real_answers() -> None:
    # a Google search answer nests 6 deep (items[].volumeInfo.industryIdentifiers[])
    assert 16 <= MAX_JSON_DEPTH <= 64


async def test_deep_json_from_open_library_falls_back_to_google(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", reply(text="[" * 50_000, content_type="application/json"))
    hits = {"kind": "books#volumes", "totalItems": 1, "items": [load(VOLUME_1984)]}
    router.add(f"{GB}/volumes", reply(hits))
    assert [b.source for b in await catalogue.search("1984")] == ["googlebooks"]


async def test_nan_and_infinity_are_not_json(source: SourceHttp, router: Router) -> None:
    router.add(URL, reply(text='{"number_of_pages": NaN}', content_type="application/json"))
    with pytest.raises(BadResponse, match="invalid JSON"):
        await source.get_json(URL)


# --- size --------------------------------------------------------------------------------


def test_the_default_body_cap_is_a_few_megabytes() -> None:
    assert 1024 * 1024 <= MAX_BODY_BYTES <= 8 * 1024 * 1024


async def test_a_body_over_the_cap_is_refused_without_reading_it_all(
    source: SourceHttp, router: Router
) -> None:
    chunk = b"x" * 16 * 1024
    body = Chunks([b'{"title": "', *([chunk] * 64), b'"}'])  # 1 MiB, no Content-Length
    router.add(URL, streamed(body, headers={"content-type": "application/json"}))
    with pytest.raises(BadResponse, match="larger than"):
        await source.get_json(URL)
    assert body.sent <= SMALL_CAP // len(chunk) + 2  # stopped soon after the cap


async def test_a_declared_length_over_the_cap_is_refused_before_reading(
    source: SourceHttp, router: Router
) -> None:
    body = Chunks([b"{}"])
    headers = {"content-type": "application/json", "content-length": str(50 * 1024 * 1024)}
    router.add(URL, streamed(body, headers=headers))
    with pytest.raises(BadResponse, match="larger than"):
        await source.get_json(URL)
    assert body.sent == 0


async def test_a_gzip_bomb_is_refused_while_inflating(source: SourceHttp, router: Router) -> None:
    bomb = gzip.compress(b'{"title": "' + b"0" * (8 * 1024 * 1024) + b'"}')
    assert len(bomb) < SMALL_CAP  # small on the wire, 8 MiB once inflated
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    router.add(URL, streamed(Chunks([bomb]), headers=headers))
    with pytest.raises(BadResponse, match="larger than"):
        await source.get_json(URL)


async def test_gzip_bodies_are_inflated(source: SourceHttp, router: Router) -> None:
    raw = gzip.compress(b'{"key": "/works/OL45804W", "title": "Fox"}')
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    router.add(URL, streamed(Chunks([raw[:10], raw[10:]]), headers=headers))
    assert await source.get_json(URL) == {"key": "/works/OL45804W", "title": "Fox"}
    assert router.requests[0].headers["accept-encoding"] == "gzip"


async def test_a_corrupt_gzip_body_is_a_bad_response(source: SourceHttp, router: Router) -> None:
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    router.add(URL, streamed(Chunks([b"\x1f\x8b\x08\x00garbage"]), headers=headers))
    with pytest.raises(BadResponse, match="gzip"):
        await source.get_json(URL)


async def test_an_encoding_we_did_not_ask_for_is_a_bad_response(
    source: SourceHttp, router: Router
) -> None:
    headers = {"content-type": "application/json", "content-encoding": "br"}
    router.add(URL, streamed(Chunks([b"\x8b\x02\x80{}\x03"]), headers=headers))
    with pytest.raises(BadResponse, match="encoding"):
        await source.get_json(URL)


async def test_the_cap_applies_to_bodies_already_in_memory(
    client: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    big = {"title": "x" * (SMALL_CAP + 1)}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=big))
    async with httpx.AsyncClient(transport=transport) as in_memory:
        source = make_source(in_memory, fake_time)
        with pytest.raises(BadResponse, match="larger than"):
            await source.get_json(URL)


# --- content type ------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["image/jpeg", "application/octet-stream", "text/csv"])
async def test_a_non_json_content_type_is_refused_unread(
    source: SourceHttp, router: Router, content_type: str
) -> None:
    body = Chunks([b'{"title": "looks like JSON"}'])
    router.add(URL, streamed(body, headers={"content-type": content_type}))
    with pytest.raises(BadResponse, match="content type"):
        await source.get_json(URL)
    assert body.sent == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=UTF-8", "application/problem+json", None],
)
async def test_json_content_types_are_accepted(
    source: SourceHttp, router: Router, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    router.add(URL, streamed(Chunks([b'{"title": "Fox"}']), headers=headers))
    assert await source.get_json(URL) == {"title": "Fox"}


# --- time --------------------------------------------------------------------------------


async def test_a_body_that_never_ends_times_out(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    # httpx's read timeout is per chunk: a drip of bytes resets it forever. The whole
    # attempt has a deadline (``timeout`` seconds) instead.
    source = make_source(client, fake_time, attempts=2, timeout=0.2)
    router.add(
        URL,
        lambda request: httpx.Response(
            200,
            headers={"content-type": "application/json"},
            stream=Chunks([b'{"title": "'], forever=True),
            request=request,
        ),
    )
    with pytest.raises(SourceUnavailable, match="timed out"):
        await within(source.get_json(URL))
    assert len(router.requests) == 2  # retried like any timeout


# --- Retry-After -------------------------------------------------------------------------


def test_retry_after_is_capped_in_every_form() -> None:
    assert RETRY_AFTER_CAP <= 600
    assert parse_retry_after("99999999999", NOW) == RETRY_AFTER_CAP
    assert parse_retry_after("9" * 5000, NOW) == RETRY_AFTER_CAP
    far = "Fri, 31 Dec 9999 23:59:59 GMT"
    assert parse_retry_after(far, NOW) == RETRY_AFTER_CAP
    soon = (NOW + timedelta(seconds=42)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(soon, NOW) == 42.0


@pytest.mark.parametrize(
    "garbage", ["²", "١٢", "-5", "1e9", "12.5", "inf", "NaN", "Mon, 99 Foo 2025", "\x00", "0x10"]
)
def test_garbage_retry_after_is_ignored(garbage: str) -> None:
    assert parse_retry_after(garbage, NOW) is None


async def test_a_huge_retry_after_does_not_shut_the_source_for_ever(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    router.add(
        URL,
        recorded("openlibrary_error_429.json", 429, {"Retry-After": "99999999999"}),
        recorded(WORK),
    )
    with pytest.raises(RateLimited) as caught:
        await source.get_json(URL)
    assert caught.value.retry_after == RETRY_AFTER_CAP
    with pytest.raises(CircuitOpen):
        await source.get_json(URL)
    fake_time.now += RETRY_AFTER_CAP + 1
    assert source.breaker.state == "half-open"
    assert await source.get_json(URL) is not None
    assert source.breaker.state == "closed"


async def test_a_garbage_retry_after_backs_off_normally(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    # the byte 0xB2 reads as "²" (latin-1), which str.isdigit() accepts but float() refuses
    router.add(
        URL,
        lambda request: httpx.Response(
            429, headers=[(b"Retry-After", b"\xb2")], json={}, request=request
        ),
        recorded(WORK),
    )
    assert await source.get_json(URL) is not None
    assert 0.5 in fake_time.sleeps


async def test_both_sources_hostile_is_catalogue_unavailable(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", reply(text="[" * 50_000, content_type="application/json"))
    router.add(f"{GB}/volumes", reply(text="{" * 50_000, content_type="application/json"))
    with pytest.raises(CatalogueUnavailable):
        await catalogue.search("dune")


async def test_a_stalled_body_read_is_cancelled_cleanly(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    source = make_source(client, fake_time)
    router.add(
        URL,
        lambda request: httpx.Response(
            200,
            headers={"content-type": "application/json"},
            stream=Chunks([b"{"], forever=True),
            request=request,
        ),
    )
    task = asyncio.ensure_future(source.get_json(URL))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source.breaker.state == "closed"  # giving up is not the source's failure


# --- malformed redirects -----------------------------------------------------------------


@pytest.mark.parametrize("location", ["ftp://mirror.test/x.json", "file:///etc/passwd", "", "   "])
async def test_a_redirect_off_the_web_or_nowhere_is_a_bad_response(
    source: SourceHttp, router: Router, location: str
) -> None:
    router.add(
        URL,
        lambda request: httpx.Response(
            302, headers=[(b"location", location.encode())], request=request
        ),
    )
    with pytest.raises(BadResponse, match="redirect"):
        await source.get_json(URL)
    assert len(router.requests) == 1  # not followed


@pytest.mark.parametrize("location", ["http://[::1", "/ok\x00"])
async def test_an_unparseable_redirect_is_a_metadata_error(
    source: SourceHttp, router: Router, location: str
) -> None:
    router.add(
        URL,
        lambda request: httpx.Response(
            302, headers=[(b"location", location.encode())], request=request
        ),
    )
    with pytest.raises(MetadataError):
        await source.get_json(URL)
    assert len(router.requests) == 1
