"""The Google Books client against recorded responses (through httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.metadata.catalogue import Catalogue
from bot.metadata.errors import RateLimited
from bot.metadata.googlebooks import GoogleBooks, build_query
from tests.metadata.metadata_support import GB, Router, load, recorded, reply

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


async def test_api_key_is_sent_when_configured(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    google = make_catalogue(google_books_api_key="k-123").google
    router.add(f"{GB}/volumes", recorded("googlebooks_volumes_empty_totalItems0.json"))
    await google.search("dune")
    assert router.requests[0].url.params["key"] == "k-123"


async def test_quota_429_is_rate_limited_without_leaking_the_key(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    google = make_catalogue(google_books_api_key="secret-key").google
    router.add(f"{GB}/volumes", recorded("googlebooks_error_429_quota.json", 429))
    with pytest.raises(RateLimited) as caught:
        await google.search("dune")
    assert "secret-key" not in str(caught.value)
    assert len(router.requests) == 3  # retried with backoff, then gave up
