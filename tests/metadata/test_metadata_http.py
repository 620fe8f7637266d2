"""Client manners: User-Agent, rate limit, retries, Retry-After, circuit breaker, coalescing."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import httpx
import pytest

from bot import __version__
from bot.metadata.errors import (
    BadResponse,
    CircuitOpen,
    RateLimited,
    SourceUnavailable,
    redact_url,
)
from bot.metadata.http import (
    CircuitBreaker,
    Coalescer,
    RateLimiter,
    RetryPolicy,
    SourceHttp,
    parse_retry_after,
    user_agent,
)
from tests.metadata.metadata_support import (
    NOW,
    OL,
    FakeTime,
    Router,
    load,
    recorded,
    redirect,
    reply,
)

URL = f"{OL}/works/OL45804W.json"
WORK = "openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"
HTML_403 = (
    "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n"
    "<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"
)


def make_source(
    client: httpx.AsyncClient,
    fake_time: FakeTime,
    *,
    rate: float = 3.0,
    threshold: int = 5,
    contact: str | None = "club@example.org",
) -> SourceHttp:
    return SourceHttp(
        "openlibrary",
        client,
        contact=contact,
        limiter=RateLimiter.per_second(rate, clock=fake_time.clock, sleep=fake_time.sleep),
        breaker=CircuitBreaker(
            "openlibrary", failure_threshold=threshold, reset_timeout=30, clock=fake_time.clock
        ),
        retry=RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0, max_retry_after=10.0),
        sleep=fake_time.sleep,
        wall_clock=lambda: NOW,
    )


@pytest.fixture
def source(client: httpx.AsyncClient, fake_time: FakeTime) -> SourceHttp:
    return make_source(client, fake_time)


# --- identification ----------------------------------------------------------------------


def test_user_agent_names_the_project_version_and_contact() -> None:
    assert user_agent("club@example.org") == (
        f"Marginalia/{__version__} (+https://github.com/marginalia-bot; club@example.org)"
    )
    assert user_agent(None) == f"Marginalia/{__version__} (+https://github.com/marginalia-bot)"


async def test_every_request_identifies_itself(source: SourceHttp, router: Router) -> None:
    router.add(URL, recorded(WORK))
    await source.get_json(URL)
    sent = router.requests[0].headers
    assert sent["user-agent"].startswith(f"Marginalia/{__version__} (+https://")
    assert "club@example.org" in sent["user-agent"]
    assert sent["accept"] == "application/json"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://b.test/v?q=dune&key=AIza123&access_token=t0k",
            "https://b.test/v?q=dune&key=***&access_token=***",
        ),
        ("https://ann:pw@proxy.test/x", "https://ann:***@proxy.test/x"),
        (
            "https://b.test/v?api_key=1&x-goog-api-key=2&monkey=3",
            "https://b.test/v?api_key=***&x-goog-api-key=***&monkey=3",
        ),
        ("/works/OL1W.json", "/works/OL1W.json"),
        ("http://[::1/x?key=abc", "http://[::1/x?***"),
    ],
)
def test_urls_are_redacted_for_logs(url: str, shown: str) -> None:
    assert redact_url(url) == shown


# --- rate limiting -----------------------------------------------------------------------


def test_min_interval_limiter_spaces_reservations() -> None:
    now = [10.0]
    limiter = RateLimiter.per_second(3, clock=lambda: now[0], sleep=asyncio.sleep)
    slots = [limiter.reserve() for _ in range(4)]
    assert slots == pytest.approx([10.0, 10 + 1 / 3, 10 + 2 / 3, 11.0])


def test_window_limiter_allows_n_per_period_never_more() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 1.0, clock=lambda: now[0], sleep=asyncio.sleep)
    slots = [limiter.reserve() for _ in range(7)]
    assert slots == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]
    now[0] = 10.0  # after a quiet spell the window is free again
    assert limiter.reserve() == 10.0


def test_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0, 1.0, clock=lambda: 0.0, sleep=asyncio.sleep)


async def test_concurrent_waiters_are_served_in_order(fake_time: FakeTime) -> None:
    limiter = RateLimiter.per_second(3, clock=fake_time.clock, sleep=fake_time.sleep)
    start = fake_time.now
    slots = await asyncio.gather(*(limiter.acquire() for _ in range(6)))
    assert [s - start for s in slots] == pytest.approx([0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3])


async def test_requests_go_out_at_most_three_per_second(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    for n in range(6):
        router.add(f"{OL}/authors/OL{n}A.json", reply({"name": f"Author {n}"}))
    for n in range(6):
        await source.get_json(f"{OL}/authors/OL{n}A.json")
    gaps = [b - a for a, b in itertools.pairwise(router.times)]
    assert len(router.times) == 6
    assert all(gap >= 1 / 3 - 1e-9 for gap in gaps)
    # and no window of one second ever holds more than three requests
    assert all(router.times[i + 3] - router.times[i] >= 1 - 1e-9 for i in range(3))


# --- Retry-After -------------------------------------------------------------------------


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after(" 0 ", NOW) == 0.0
    later = NOW + timedelta(seconds=90)
    assert parse_retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT"), NOW) == 90.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW) == 0.0  # in the past
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


# --- retries -----------------------------------------------------------------------------


async def test_429_with_retry_after_waits_that_long_then_succeeds(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    router.add(
        URL,
        recorded("openlibrary_error_429.json", 429, {"Retry-After": "2"}),
        recorded(WORK),
    )
    doc = await source.get_json(URL)
    assert doc is not None and doc["key"] == "/works/OL45804W"
    assert len(router.requests) == 2
    assert 2.0 in fake_time.sleeps
    assert router.times[1] - router.times[0] >= 2.0


async def test_429_with_an_http_date_retry_after(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    when = (NOW + timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    router.add(
        URL, recorded("openlibrary_error_429.json", 429, {"Retry-After": when}), recorded(WORK)
    )
    assert await source.get_json(URL) is not None
    assert 5.0 in fake_time.sleeps


async def test_retry_after_beyond_the_cap_fails_fast_and_keeps_the_circuit_open(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    router.add(URL, recorded("openlibrary_error_429.json", 429, {"Retry-After": "120"}))
    with pytest.raises(RateLimited) as caught:
        await source.get_json(URL)
    assert caught.value.retry_after == 120.0
    assert len(router.requests) == 1 and fake_time.sleeps == []
    assert source.breaker.state == "open"
    with pytest.raises(CircuitOpen):
        await source.get_json(URL)
    assert len(router.requests) == 1  # nobody knocked again
    fake_time.now += 119
    assert source.breaker.state == "open"
    fake_time.now += 2
    assert source.breaker.state == "half-open"


async def test_429_without_retry_after_backs_off_then_gives_up(
    source: SourceHttp, router: Router, fake_time: FakeTime
) -> None:
    router.add(URL, recorded("openlibrary_error_429.json", 429))
    with pytest.raises(RateLimited, match="429"):
        await source.get_json(URL)
    assert len(router.requests) == 3
    assert [s for s in fake_time.sleeps if s in (0.5, 1.0)] == [0.5, 1.0]


async def test_500_then_success(source: SourceHttp, router: Router, fake_time: FakeTime) -> None:
    router.add(URL, reply({"error": "boom"}, 500), recorded(WORK))
    doc = await source.get_json(URL)
    assert doc is not None and doc["title"] == "Fantastic Mr Fox"
    assert len(router.requests) == 2
    assert 0.5 in fake_time.sleeps


async def test_persistent_5xx_is_source_unavailable(source: SourceHttp, router: Router) -> None:
    router.add(URL, reply(text="Service Unavailable", status=503))
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        await source.get_json(URL)
    assert len(router.requests) == 3


async def test_timeout_is_retried(source: SourceHttp, router: Router) -> None:
    router.add(URL, httpx.ReadTimeout("slow"), recorded(WORK))
    assert await source.get_json(URL) is not None
    assert len(router.requests) == 2


async def test_timeouts_every_time_make_the_source_unavailable(
    source: SourceHttp, router: Router
) -> None:
    router.add(URL, httpx.ConnectTimeout("no answer"))
    with pytest.raises(SourceUnavailable, match="timed out"):
        await source.get_json(URL)
    assert len(router.requests) == 3


async def test_connection_refused_is_not_retried(source: SourceHttp, router: Router) -> None:
    router.add(URL, httpx.ConnectError("refused"))
    with pytest.raises(SourceUnavailable, match="unreachable"):
        await source.get_json(URL)
    assert len(router.requests) == 1


# --- answers that are not what we asked for -----------------------------------------------


async def test_404_is_not_found_not_an_error(source: SourceHttp, router: Router) -> None:
    router.add(URL, recorded("openlibrary_error_notfound.json", 404))
    assert await source.get_json(URL) is None
    assert source.breaker.state == "closed"


async def test_html_403_block_page_is_a_bad_response(source: SourceHttp, router: Router) -> None:
    router.add(URL, reply(text=HTML_403, status=403, content_type="text/html"))
    with pytest.raises(BadResponse, match="HTML page"):
        await source.get_json(URL)
    assert len(router.requests) == 1  # a block page is not retried


async def test_html_with_status_200_is_a_bad_response(source: SourceHttp, router: Router) -> None:
    router.add(
        URL, reply(text="<!DOCTYPE html><html>maintenance</html>", content_type="text/plain")
    )
    with pytest.raises(BadResponse, match="HTML"):
        await source.get_json(URL)


async def test_invalid_json_is_a_bad_response(source: SourceHttp, router: Router) -> None:
    router.add(URL, reply(text='{"title": "Fantastic', content_type="application/json"))
    with pytest.raises(BadResponse, match="invalid JSON"):
        await source.get_json(URL)


async def test_json_of_the_wrong_shape_is_a_bad_response(
    source: SourceHttp, router: Router
) -> None:
    router.add(URL, reply(["not", "an", "object"]))
    with pytest.raises(BadResponse, match="JSON object"):
        await source.get_json(URL)


async def test_google_quota_403_is_rate_limited(source: SourceHttp, router: Router) -> None:
    body = {"error": {"code": 403, "errors": [{"reason": "dailyLimitExceeded"}]}}
    router.add(URL, reply(body, 403))
    with pytest.raises(RateLimited, match="dailyLimitExceeded"):
        await source.get_json(URL)


async def test_other_4xx_is_a_bad_response_naming_the_reason(
    source: SourceHttp, router: Router
) -> None:
    router.add(URL, reply({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400))
    with pytest.raises(BadResponse, match="INVALID_ARGUMENT"):
        await source.get_json(URL)


# --- redirects ---------------------------------------------------------------------------


async def test_redirects_are_followed_and_each_hop_is_rate_limited(
    source: SourceHttp, router: Router
) -> None:
    router.add(f"{OL}/isbn/9780140328721.json", redirect("/books/OL7353617M.json"))
    router.add(
        f"{OL}/books/OL7353617M.json",
        recorded("openlibrary_edition_OL7353617M_fantastic_mr_fox.json"),
    )
    doc = await source.get_json(f"{OL}/isbn/9780140328721.json")
    assert doc is not None and doc["key"] == "/books/OL7353617M"
    assert [r.url.path for r in router.requests] == [
        "/isbn/9780140328721.json",
        "/books/OL7353617M.json",
    ]
    assert router.times[1] - router.times[0] >= 1 / 3 - 1e-9


async def test_endless_redirects_are_a_bad_response(source: SourceHttp, router: Router) -> None:
    router.add(f"{OL}/a.json", redirect("/b.json"))
    router.add(f"{OL}/b.json", redirect("/a.json"))
    with pytest.raises(BadResponse, match="redirects"):
        await source.get_json(f"{OL}/a.json")
    assert len(router.requests) == 6


# --- circuit breaker ---------------------------------------------------------------------


def test_breaker_opens_after_consecutive_failures_and_half_opens_after_cool_down() -> None:
    now = [0.0]
    breaker = CircuitBreaker("ol", failure_threshold=3, reset_timeout=30, clock=lambda: now[0])
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.before_call()
    breaker.record_success()  # a success resets the count
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    now[0] = 29.9
    assert breaker.state == "open"
    now[0] = 30.0
    assert breaker.state == "half-open"
    breaker.before_call()  # the one trial call
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # everyone else waits for the trial's outcome
    breaker.record_failure()
    assert breaker.state == "open"  # failed trial: open for another cool-down
    now[0] = 60.0
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_abandoned_trial_frees_the_slot() -> None:
    now = [0.0]
    breaker = CircuitBreaker("ol", failure_threshold=1, reset_timeout=5, clock=lambda: now[0])
    breaker.record_failure()
    now[0] = 5.0
    breaker.before_call()
    breaker.release()
    breaker.before_call()  # another trial may go


async def test_open_circuit_stops_requests_until_the_cool_down(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    source = make_source(client, fake_time, threshold=2)
    router.add(URL, reply(text="down", status=500))
    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            await source.get_json(URL)
    sent = len(router.requests)
    with pytest.raises(CircuitOpen):
        await source.get_json(URL)
    assert len(router.requests) == sent
    fake_time.now += 31
    router.add(URL, recorded(WORK))  # the source is back
    assert await source.get_json(URL) is not None
    assert source.breaker.state == "closed"


# --- coalescing --------------------------------------------------------------------------


async def test_fifty_identical_concurrent_gets_make_one_request(
    source: SourceHttp, router: Router
) -> None:
    router.delay = 0.01
    router.add(
        f"{OL}/isbn/9780140328721.json",
        recorded("openlibrary_edition_OL7353617M_fantastic_mr_fox.json"),
    )
    results = await asyncio.gather(
        *(source.get_json(f"{OL}/isbn/9780140328721.json") for _ in range(50))
    )
    assert len(router.requests) == 1
    assert all(r == results[0] for r in results) and results[0] is not None


async def test_coalescing_keys_on_params_and_only_while_in_flight(
    source: SourceHttp, router: Router
) -> None:
    router.delay = 0.01
    router.add(
        f"{OL}/search.json", recorded("openlibrary_search_billy_summers_default_fields_2025.json")
    )
    url = f"{OL}/search.json"
    await asyncio.gather(
        source.get_json(url, {"q": "billy", "limit": 5}),
        source.get_json(url, {"limit": 5, "q": "billy"}),  # same params, other order
        source.get_json(url, {"q": "summers", "limit": 5}),
    )
    assert len(router.requests) == 2
    await source.get_json(url, {"q": "billy", "limit": 5})  # finished flights are not a cache
    assert len(router.requests) == 3


async def test_a_caller_giving_up_does_not_cancel_the_shared_request() -> None:
    coalescer: Coalescer[str] = Coalescer()
    gate = asyncio.Event()
    calls = 0

    async def work() -> str:
        nonlocal calls
        calls += 1
        await gate.wait()
        return "done"

    impatient = asyncio.ensure_future(coalescer.run("k", work))
    patient = asyncio.ensure_future(coalescer.run("k", work))
    await asyncio.sleep(0)
    impatient.cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await patient == "done"
    assert impatient.cancelled() and calls == 1
    assert len(coalescer) == 0


async def test_when_every_caller_gives_up_the_shared_work_is_cancelled() -> None:
    coalescer: Coalescer[str] = Coalescer()
    started: list[int] = []
    cancelled = asyncio.Event()

    async def work() -> str:
        started.append(1)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    callers = [asyncio.ensure_future(coalescer.run("k", work)) for _ in range(3)]
    await asyncio.sleep(0)
    for caller in callers:
        caller.cancel()
    await asyncio.gather(*callers, return_exceptions=True)
    await asyncio.wait_for(cancelled.wait(), 5)  # the abandoned work was stopped
    assert len(coalescer) == 0

    async def quick() -> str:
        return "fresh"

    assert await coalescer.run("k", quick) == "fresh"  # a newcomer does not join the corpse
    assert started == [1]


async def test_errors_reach_every_waiter(source: SourceHttp, router: Router) -> None:
    router.delay = 0.01
    router.add(URL, reply(text="<html>no</html>", status=403, content_type="text/html"))
    results = await asyncio.gather(
        *(source.get_json(URL) for _ in range(5)), return_exceptions=True
    )
    assert len(router.requests) == 1
    assert all(isinstance(r, BadResponse) for r in results)


def test_recorded_429_body_shape() -> None:
    body = load("openlibrary_error_429.json")
    assert body["status"] == 429 and "Too Many Requests" in body["message"]
