"""The Catalogue facade: Open Library first, Google Books fallback, unreachable vs not found."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from bot.config import Secret, Settings
from bot.errors import CatalogueUnavailable, InvalidInput, UserError
from bot.metadata.catalogue import Catalogue
from tests.metadata.metadata_support import (
    GB,
    OL,
    FakeTime,
    Router,
    load,
    record_slots,
    recorded,
    redirect,
    reply,
)

BILLY = "openlibrary_search_billy_summers_default_fields_2025.json"
GB_EMPTY = "googlebooks_volumes_empty_totalItems0.json"
VOLUME_1984 = "googlebooks_volume_hV--zQEACAAJ_1984.json"
OL_EMPTY = {"numFound": 0, "start": 0, "docs": []}
HTML_403 = "<html><head><title>403 Forbidden</title></head><body>nginx</body></html>"


def google_hits(*names: str) -> dict[str, object]:
    return {"kind": "books#volumes", "totalItems": len(names), "items": [load(n) for n in names]}


def route_fox_by_isbn(router: Router) -> None:
    router.add(f"{OL}/isbn/9780140328721.json", redirect("/books/OL7353617M.json"))
    router.add(
        f"{OL}/books/OL7353617M.json",
        recorded("openlibrary_edition_OL7353617M_fantastic_mr_fox.json"),
    )
    router.add(
        f"{OL}/works/OL45804W.json",
        recorded("openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"),
    )
    router.add(
        f"{OL}/works/OL45804W/editions.json",
        recorded("openlibrary_work_editions_OL45804W_page1.json"),
    )
    router.add(
        f"{OL}/authors/OL34184A.json", recorded("openlibrary_author_OL34184A_roald_dahl.json")
    )


# --- search ------------------------------------------------------------------------------


async def test_search_uses_open_library_first(catalogue: Catalogue, router: Router) -> None:
    router.add(f"{OL}/search.json", recorded(BILLY))
    books = await catalogue.search("Billy Summers")
    assert [(b.title, b.source) for b in books] == [("Billy Summers", "openlibrary")]
    assert router.count(f"{GB}/volumes") == 0


async def test_google_is_the_fallback_when_open_library_is_down(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", reply(text="Bad Gateway", status=502))
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    books = await catalogue.search("1984")
    assert [(b.title, b.source) for b in books] == [("1984 Nineteen Eighty-Four", "googlebooks")]
    assert router.count(f"{OL}/search.json") == 3  # retried before falling back


async def test_google_is_the_fallback_when_open_library_is_blocked(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", reply(text=HTML_403, status=403, content_type="text/html"))
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    assert [b.source for b in await catalogue.search("1984")] == ["googlebooks"]


async def test_google_is_the_fallback_when_open_library_finds_nothing(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", reply(OL_EMPTY))
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    assert [b.google_volume_id for b in await catalogue.search("1984")] == ["hV--zQEACAAJ"]


async def test_nothing_found_anywhere_is_an_empty_list(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", reply(OL_EMPTY))
    router.add(f"{GB}/volumes", recorded(GB_EMPTY))
    assert await catalogue.search("qwxzv") == []


async def test_one_source_down_and_the_other_empty_is_still_not_found(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", httpx.ConnectError("refused"))
    router.add(f"{GB}/volumes", recorded(GB_EMPTY))
    assert await catalogue.search("qwxzv") == []


async def test_both_sources_down_is_catalogue_unavailable(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/search.json", httpx.ConnectError("refused"))
    router.add(f"{GB}/volumes", recorded("googlebooks_error_429_quota.json", 429))
    with pytest.raises(CatalogueUnavailable) as caught:
        await catalogue.search("dune")
    assert isinstance(caught.value, UserError)  # the command tree shows it ephemerally
    assert "can't be reached" in caught.value.message
    assert "/book add" in caught.value.message


async def test_an_isbn_query_is_looked_up_as_an_isbn(catalogue: Catalogue, router: Router) -> None:
    route_fox_by_isbn(router)
    books = await catalogue.search("978-0-14-032872-1")
    assert [b.ol_work_key for b in books] == ["OL45804W"]
    assert router.count(f"{OL}/search.json") == 0


async def test_blank_queries_ask_nobody(catalogue: Catalogue, router: Router) -> None:
    assert await catalogue.search("   \n\t") == []
    assert router.requests == []


async def test_limit_is_clamped(catalogue: Catalogue, router: Router) -> None:
    router.add(f"{OL}/search.json", recorded(BILLY))
    await catalogue.search("billy", limit=500)
    assert router.requests[0].url.params["limit"] == "25"


# --- by ISBN -----------------------------------------------------------------------------


async def test_by_isbn_builds_the_whole_work(catalogue: Catalogue, router: Router) -> None:
    route_fox_by_isbn(router)
    book = await catalogue.by_isbn("0140328726")
    assert book is not None
    assert (book.title, book.authors, book.first_year, book.page_count) == (
        "Fantastic Mr Fox",
        ("Roald Dahl",),
        1970,
        96,
    )
    assert (book.isbn13, book.isbn10, book.ol_work_key) == (
        "9780140328721",
        "0140328726",
        "OL45804W",
    )


async def test_fifty_concurrent_lookups_of_one_isbn_share_every_request(
    catalogue: Catalogue, router: Router
) -> None:
    route_fox_by_isbn(router)
    router.delay = 0.005
    books = await asyncio.gather(*(catalogue.by_isbn("978-0140328721") for _ in range(50)))
    assert all(b == books[0] and b is not None for b in books)
    paths = sorted(r.url.path for r in router.requests)
    assert paths == [
        "/authors/OL34184A.json",
        "/books/OL7353617M.json",
        "/isbn/9780140328721.json",
        "/works/OL45804W.json",
        "/works/OL45804W/editions.json",
    ]  # exactly one request per URL


async def test_fifty_concurrent_edition_fetches_make_one_http_request(
    catalogue: Catalogue, router: Router
) -> None:
    router.delay = 0.005
    router.add(
        f"{OL}/isbn/9780140328721.json",
        recorded("openlibrary_edition_OL7353617M_fantastic_mr_fox.json"),
    )
    editions = await asyncio.gather(
        *(catalogue.openlibrary.get_edition_by_isbn("9780140328721") for _ in range(50))
    )
    assert len(router.requests) == 1
    assert {e["key"] for e in editions if e is not None} == {"/books/OL7353617M"}


async def test_by_isbn_falls_back_to_google_when_open_library_does_not_know_it(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/isbn/9781847498571.json", recorded("openlibrary_error_notfound.json", 404))
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    book = await catalogue.by_isbn("9781847498571")
    assert book is not None and book.source == "googlebooks"
    assert router.requests[-1].url.params["q"] == "isbn:9781847498571"


async def test_unknown_isbn_is_none(catalogue: Catalogue, router: Router) -> None:
    router.add(f"{OL}/isbn/9780000000002.json", reply({"error": "notfound"}, 404))
    router.add(f"{GB}/volumes", recorded(GB_EMPTY))
    assert await catalogue.by_isbn("9780000000002") is None


async def test_by_isbn_with_both_down_is_unavailable(catalogue: Catalogue, router: Router) -> None:
    router.add(f"{OL}/isbn/9780140328721.json", httpx.ReadTimeout("slow"))
    router.add(f"{GB}/volumes", httpx.ReadTimeout("slow"))
    with pytest.raises(CatalogueUnavailable):
        await catalogue.by_isbn("9780140328721")


async def test_invalid_isbn_is_a_helpful_input_error(catalogue: Catalogue, router: Router) -> None:
    with pytest.raises(InvalidInput, match="not a valid ISBN") as caught:
        await catalogue.by_isbn("978-0-14-032872-2 @everyone")
    assert "@everyone" not in caught.value.message
    assert router.requests == []


# --- works and volumes -------------------------------------------------------------------


async def test_work_by_key_or_url(catalogue: Catalogue, router: Router) -> None:
    route_fox_by_isbn(router)
    book = await catalogue.work("https://openlibrary.org/works/OL45804W/Fantastic_Mr_Fox")
    assert book is not None and book.ol_work_key == "OL45804W"
    with pytest.raises(InvalidInput, match="OL45804W"):
        await catalogue.work("/books/OL7353617M")


async def test_missing_work_is_none_and_unreachable_work_is_unavailable(
    catalogue: Catalogue, router: Router
) -> None:
    router.add(f"{OL}/works/OL404W.json", recorded("openlibrary_error_notfound.json", 404))
    router.add(f"{OL}/works/OL500W.json", reply(text="oops", status=500))
    assert await catalogue.work("OL404W") is None
    with pytest.raises(CatalogueUnavailable):
        await catalogue.work("OL500W")


async def test_google_volume(catalogue: Catalogue, router: Router) -> None:
    router.add(f"{GB}/volumes/hV--zQEACAAJ", recorded(VOLUME_1984))
    book = await catalogue.google_volume("hV--zQEACAAJ")
    assert book is not None and book.title == "1984 Nineteen Eighty-Four"
    with pytest.raises(InvalidInput):
        await catalogue.google_volume("../../etc/passwd")


# --- circuit, health, construction -------------------------------------------------------


async def test_open_circuit_skips_open_library_straight_to_google(
    make_catalogue: Callable[..., Catalogue], router: Router, fake_time: FakeTime
) -> None:
    catalogue = make_catalogue(failure_threshold=2)
    router.add(f"{OL}/search.json", httpx.ConnectError("refused"))
    router.add(f"{GB}/volumes", reply(google_hits(VOLUME_1984)))
    for query in ("a", "b"):
        await catalogue.search(query)
    assert catalogue.status() == {"openlibrary": "open", "googlebooks": "closed"}
    sent = router.count(f"{OL}/search.json")
    assert [b.source for b in await catalogue.search("c")] == ["googlebooks"]
    assert router.count(f"{OL}/search.json") == sent  # Open Library left alone
    fake_time.now += 31
    assert catalogue.status()["openlibrary"] == "half-open"
    router.add(f"{OL}/search.json", recorded(BILLY))
    assert [b.source for b in await catalogue.search("d")] == ["openlibrary"]
    assert catalogue.status()["openlibrary"] == "closed"


async def test_check_reports_each_source(catalogue: Catalogue, router: Router) -> None:
    router.add(f"{OL}/search.json", recorded(BILLY))
    router.add(f"{GB}/volumes", httpx.ConnectError("refused"))
    report = await catalogue.check()
    assert report["openlibrary"] == "ok"
    assert report["googlebooks"].startswith("googlebooks: unreachable")


async def test_from_settings_uses_the_configured_sources(
    client: httpx.AsyncClient, router: Router, fake_time: FakeTime
) -> None:
    settings = Settings(
        discord_token=None,
        openlibrary_base_url=OL,
        openlibrary_covers_url="https://img.test",
        google_books_base_url=GB,
        google_books_api_key=Secret("abc"),
        metadata_contact="admin@club.example",
    )
    catalogue = Catalogue.from_settings(
        settings, client, clock=fake_time.clock, sleep=fake_time.sleep
    )
    router.add(f"{OL}/search.json", reply(OL_EMPTY))
    router.add(f"{GB}/volumes", recorded(GB_EMPTY))
    await catalogue.search("dune")
    assert "admin@club.example" in router.requests[0].headers["user-agent"]
    assert router.requests[1].headers["x-goog-api-key"] == "abc"
    assert "key" not in router.requests[1].url.params


async def test_anonymous_clients_go_slower(
    make_catalogue: Callable[..., Catalogue], router: Router
) -> None:
    catalogue = make_catalogue(contact=None)
    slots = record_slots(catalogue.openlibrary.http.limiter)
    for n in range(3):
        router.add(f"{OL}/authors/OL{n}A.json", reply({"name": str(n)}))
    await catalogue.openlibrary.author_names(["OL0A", "OL1A", "OL2A"])
    ordered = sorted(slots)
    assert ordered[2] - ordered[0] == pytest.approx(2.0)  # one per second without a contact
    assert "club@example.org" not in router.requests[0].headers["user-agent"]
