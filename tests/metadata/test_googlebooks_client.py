"""The Google Books client against recorded responses (through httpx.MockTransport)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from bot.metadata.catalogue import Catalogue
from bot.metadata.errors import BadResponse, RateLimited
from bot.metadata.googlebooks import GoogleBooks, build_query
from tests.metadata.metadata_support import GB, OL, Router, load, recorded, redirect, reply

VOLUME_1984 = "googlebooks_volume_hV--zQEACAAJ_1984.json"
VOLUME_CHIANG = "googlebooks_volume_5AokCxyISuIC_invisible_cities_html.json"


def volumes(*names: str) -> dict[str, object]:
    items = [load(n) for n in names]
    return {"kind": "books#volumes", "totalItems": len(items), "items": items}


@pytest.fixture
def google(catalogue: Catalogue) -> GoogleBooks:
    return catalogue.google


def test_query_building() -> None:
    assert build_query("  the  dispossessed ") == "the dispossessed"
    assert build_query('The "Left Hand"', "Ursula Le Guin") == (
        "intitle:The intitle:Left intitle:Hand inauthor:Ursula inauthor:Le inauthor:Guin"
    )
    assert build_query('""') == ""


async def test_search_parses_items(google: GoogleBooks, router: Router) -> None:
    router.add(f"{GB}/volumes", reply(volumes(VOLUME_1984, VOLUME_CHIANG)))
    books = await google.search("orwell", 5)
    assert [b.google_volume_id for b in books] == ["hV--zQEACAAJ", "WTBA-wzX7cwC"]
    assert all(b.source == "googlebooks" for b in books)
    assert all(b.cover_url and b.cover_url.startswith("https://") for b in books)
    params = router.requests[0].url.params
    assert params["q"] == "orwell"
    assert params["maxResults"] == "5"
    assert params["printType"] == "books"
    assert params["country"] == "US"
    assert "key" not in params  # no API key configured


async def test_search_by_title_and_author_uses_intitle_inauthor(
    google: GoogleBooks, router: Router
) -> None:
    router.add(f"{GB}/volumes", recorded("googlebooks_volumes_empty_totalItems0.json"))
    await google.search("Nineteen Eighty-Four", 3, author="Orwell")
    assert router.requests[0].url.params["q"] == (
        "intitle:Nineteen intitle:Eighty-Four inauthor:Orwell"
    )


async def test_no_items_key_means_nothing_found(google: GoogleBooks, router: Router) -> None:
    router.add(f"{GB}/volumes", recorded("googlebooks_volumes_empty_totalItems0.json"))
    assert await google.search("zzzz") == []
    assert await google.by_isbn("9780140328721") is None


async def test_isbn_search_prefers_the_volume_listing_that_isbn(
    google: GoogleBooks, router: Router
) -> None:
    router.add(f"{GB}/volumes", reply(volumes(VOLUME_CHIANG, VOLUME_1984)))
    book = await google.by_isbn("1-84749-857-4")
    assert book is not None and book.google_volume_id == "hV--zQEACAAJ"
    assert (book.isbn13, book.isbn10) == ("9781847498571", "1847498574")
    params = router.requests[0].url.params
    assert params["q"] == "isbn:9781847498571"
    assert params["maxResults"] == "3"


async def test_volume_by_id(google: GoogleBooks, router: Router) -> None:
    router.add(f"{GB}/volumes/hV--zQEACAAJ", recorded(VOLUME_1984))
    router.add(f"{GB}/volumes/missing", reply({"error": {"code": 404}}, 404))
    book = await google.volume("hV--zQEACAAJ")
    assert book is not None and book.title == "1984 Nineteen Eighty-Four"
    assert await google.volume("missing") is None


async def test_api_key_travels_in_a_header_not_the_url(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    google = make_catalogue(google_books_api_key="k-123").google
    router.add(f"{GB}/volumes", recorded("googlebooks_volumes_empty_totalItems0.json"))
    await google.search("dune")
    sent = router.requests[0]
    assert sent.headers["x-goog-api-key"] == "k-123"
    assert "key" not in sent.url.params
    assert "k-123" not in str(sent.url)


async def test_no_api_key_header_without_a_key(google: GoogleBooks, router: Router) -> None:
    router.add(f"{GB}/volumes", recorded("googlebooks_volumes_empty_totalItems0.json"))
    await google.search("dune")
    assert "x-goog-api-key" not in router.requests[0].headers


async def test_the_api_key_is_never_logged(
    make_catalogue: Callable[..., Catalogue], router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    key = "AIzaSyTEST-not-a-real-key-0123456789"
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    catalogue = make_catalogue(google_books_api_key=key)
    # Open Library down (our fallback warning is logged), Google erring once (our retry
    # line is logged, httpx logs every request), then answering; then a refused volume.
    router.add(f"{OL}/search.json", httpx.ConnectError("refused"))
    router.add(f"{GB}/volumes", reply(text="unavailable", status=503), reply(volumes(VOLUME_1984)))
    router.add(
        f"{GB}/volumes/bad", reply({"error": {"code": 400, "status": "API_KEY_INVALID"}}, 400)
    )
    books = await catalogue.search("orwell")
    assert [b.source for b in books] == ["googlebooks"]
    with pytest.raises(BadResponse) as caught:
        await catalogue.google.volume("bad")
    assert key not in str(caught.value)

    assert any(r.name.startswith("httpx") for r in caplog.records)  # httpx did log
    assert any(r.name.startswith("bot.metadata") for r in caplog.records)
    assert key not in caplog.text
    for record in caplog.records:
        assert key not in record.getMessage()
        assert key not in repr(record.args)
    google_requests = [r for r in router.requests if r.url.host == "books.test"]
    assert len(google_requests) == 3
    for request in google_requests:
        assert request.headers["x-goog-api-key"] == key
        assert key not in str(request.url)


async def test_the_api_key_stays_with_google_across_redirects(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    google = make_catalogue(google_books_api_key="k-123").google
    router.add(f"{GB}/volumes/moved", redirect(f"{GB}/volumes/hV--zQEACAAJ"))
    router.add(f"{GB}/volumes/hV--zQEACAAJ", recorded(VOLUME_1984))
    router.add(f"{GB}/volumes/elsewhere", redirect("https://mirror.test/v/hV--zQEACAAJ"))
    router.add("https://mirror.test/v/hV--zQEACAAJ", recorded(VOLUME_1984))
    router.add(f"{GB}/volumes/downgraded", redirect("http://books.test/books/v1/volumes/x"))
    router.add("http://books.test/books/v1/volumes/x", recorded(VOLUME_1984))
    assert await google.volume("moved") is not None
    assert await google.volume("elsewhere") is not None
    assert await google.volume("downgraded") is not None
    sent = {(r.url.scheme, r.url.host, r.url.path): r.headers for r in router.requests}
    assert sent["https", "books.test", "/books/v1/volumes/hV--zQEACAAJ"]["x-goog-api-key"]
    assert "x-goog-api-key" not in sent["https", "mirror.test", "/v/hV--zQEACAAJ"]
    assert "x-goog-api-key" not in sent["http", "books.test", "/books/v1/volumes/x"]


async def test_quota_429_is_rate_limited_without_leaking_the_key(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    google = make_catalogue(google_books_api_key="secret-key").google
    router.add(f"{GB}/volumes", recorded("googlebooks_error_429_quota.json", 429))
    with pytest.raises(RateLimited) as caught:
        await google.search("dune")
    assert "secret-key" not in str(caught.value)
    assert len(router.requests) == 3  # retried with backoff, then gave up
