"""The Open Library client against recorded responses (through httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.metadata.catalogue import Catalogue
from bot.metadata.errors import BadResponse, SourceUnavailable
from bot.metadata.openlibrary import MAX_AUTHORS, SEARCH_FIELDS, OpenLibrary, gather_all
from tests.metadata.metadata_support import (
    COVERS,
    OL,
    Router,
    load,
    record_slots,
    recorded,
    redirect,
    reply,
)

FOX_WORK = "openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"
FOX_EDITION = "openlibrary_edition_OL7353617M_fantastic_mr_fox.json"
FOX_EDITIONS = "openlibrary_work_editions_OL45804W_page1.json"
DAHL = "openlibrary_author_OL34184A_roald_dahl.json"


@pytest.fixture
def ol(catalogue: Catalogue) -> OpenLibrary:
    return catalogue.openlibrary


def route_fox(router: Router) -> None:
    router.add(f"{OL}/works/OL45804W.json", recorded(FOX_WORK))
    router.add(f"{OL}/works/OL45804W/editions.json", recorded(FOX_EDITIONS))
    router.add(f"{OL}/authors/OL34184A.json", recorded(DAHL))


# --- search ------------------------------------------------------------------------------


async def test_search_asks_for_the_fields_it_needs(ol: OpenLibrary, router: Router) -> None:
    router.add(
        f"{OL}/search.json", recorded("openlibrary_search_billy_summers_default_fields_2025.json")
    )
    books = await ol.search("billy summers", 5)
    params = router.requests[0].url.params
    assert params["q"] == "billy summers"
    assert params["limit"] == "5"
    fields = params["fields"].split(",")
    for needed in ("key", "title", "author_name", "first_publish_year", "isbn", "subject"):
        assert needed in fields
    assert "number_of_pages_median" in fields and "cover_i" in fields
    assert tuple(fields) == SEARCH_FIELDS
    assert [b.title for b in books] == ["Billy Summers"]
    assert books[0].cover_url == f"{COVERS}/b/id/14654070-L.jpg"


async def test_search_by_title_and_author(ol: OpenLibrary, router: Router) -> None:
    router.add(f"{OL}/search.json", reply({"numFound": 0, "docs": []}))
    assert await ol.search("Fantastic Mr Fox", 3, author="Roald Dahl") == []
    params = router.requests[0].url.params
    assert (params["title"], params["author"]) == ("Fantastic Mr Fox", "Roald Dahl")
    assert "q" not in params


async def test_empty_search_is_an_empty_list(ol: OpenLibrary, router: Router) -> None:
    empty = {"numFound": 0, "start": 0, "numFoundExact": True, "docs": [], "q": "zzzz"}
    router.add(f"{OL}/search.json", reply(empty))
    assert await ol.search("zzzz") == []


async def test_orphan_works_without_editions_are_dropped(ol: OpenLibrary, router: Router) -> None:
    router.add(f"{OL}/search.json", recorded("openlibrary_search_time_war_fields_star_2020.json"))
    books = await ol.search("time war")
    assert [b.ol_work_key for b in books] == ["OL20639540W"]


async def test_a_lone_orphan_work_is_still_shown(ol: OpenLibrary, router: Router) -> None:
    docs = load("openlibrary_search_time_war_fields_star_2020.json")["docs"][1:]
    router.add(f"{OL}/search.json", reply({"numFound": 1, "docs": docs}))
    assert [b.ol_work_key for b in await ol.search("time war")] == ["OL19859295W"]


async def test_search_answer_of_the_wrong_shape(ol: OpenLibrary, router: Router) -> None:
    router.add(f"{OL}/search.json", reply({"numFound": 1, "docs": "oops"}))
    with pytest.raises(BadResponse, match="docs"):
        await ol.search("anything")


# --- works -------------------------------------------------------------------------------


async def test_work_fetches_editions_and_authors(ol: OpenLibrary, router: Router) -> None:
    route_fox(router)
    book = await ol.work("OL45804W")
    assert book is not None
    assert book.title == "Fantastic Mr Fox"
    assert book.authors == ("Roald Dahl",)
    assert book.page_count == 96
    assert book.first_year == 1970
    assert book.cover_url == f"{COVERS}/b/id/6498519-L.jpg"  # the work's first cover
    assert book.isbn13 is not None and len(book.isbns) == 46
    assert sorted(r.url.path for r in router.requests) == [
        "/authors/OL34184A.json",
        "/works/OL45804W.json",
        "/works/OL45804W/editions.json",
    ]
    editions_request = next(r for r in router.requests if "editions" in r.url.path)
    assert editions_request.url.params["limit"] == "50"


async def test_merged_work_redirect_is_followed(ol: OpenLibrary, router: Router) -> None:
    route_fox(router)
    router.add(
        f"{OL}/works/OL1W.json",
        reply(
            {"type": {"key": "/type/redirect"}, "location": "/works/OL45804W", "key": "/works/OL1W"}
        ),
    )
    book = await ol.work("OL1W")
    assert book is not None and book.ol_work_key == "OL45804W"
    assert router.count(f"{OL}/works/OL45804W/editions.json") == 1
    assert router.count(f"{OL}/works/OL1W/editions.json") == 0


async def test_redirect_loop_is_a_bad_response(ol: OpenLibrary, router: Router) -> None:
    router.add(
        f"{OL}/works/OL1W.json",
        reply({"type": {"key": "/type/redirect"}, "location": "/works/OL2W"}),
    )
    router.add(
        f"{OL}/works/OL2W.json",
        reply({"type": {"key": "/type/redirect"}, "location": "/works/OL1W"}),
    )
    with pytest.raises(BadResponse, match="loop"):
        await ol.work("OL1W")


async def test_redirect_chain_is_bounded(ol: OpenLibrary, router: Router) -> None:
    for n in range(1, 8):
        router.add(
            f"{OL}/works/OL{n}W.json",
            reply({"type": {"key": "/type/redirect"}, "location": f"/works/OL{n + 1}W"}),
        )
    with pytest.raises(BadResponse, match="merge redirects"):
        await ol.work("OL1W")
    assert len(router.requests) == 4


async def test_a_redirect_elsewhere_names_the_place_without_its_secrets(
    ol: OpenLibrary, router: Router
) -> None:
    location = "https://user:hunter2@mirror.test/x?token=s3cr3t&page=2"
    router.add(
        f"{OL}/works/OL1W.json", reply({"type": {"key": "/type/redirect"}, "location": location})
    )
    with pytest.raises(BadResponse, match="unexpected place") as caught:
        await ol.work("OL1W")
    message = str(caught.value)
    assert "mirror.test/x" in message and "page=2" in message
    assert "s3cr3t" not in message and "hunter2" not in message


async def test_missing_and_deleted_works_are_none(ol: OpenLibrary, router: Router) -> None:
    router.add(f"{OL}/works/OL404W.json", recorded("openlibrary_error_notfound.json", 404))
    router.add(
        f"{OL}/works/OL5W.json", reply({"type": {"key": "/type/delete"}, "key": "/works/OL5W"})
    )
    assert await ol.work("OL404W") is None
    assert await ol.work("OL5W") is None


async def test_work_without_authors_or_editions(ol: OpenLibrary, router: Router) -> None:
    router.add(f"{OL}/works/OL7W.json", reply({"key": "/works/OL7W", "title": "Anonymous Verse"}))
    router.add(f"{OL}/works/OL7W/editions.json", reply({"size": 0, "entries": []}))
    book = await ol.work("OL7W")
    assert book is not None
    assert (book.title, book.authors, book.page_count, book.cover_url) == (
        "Anonymous Verse",
        (),
        None,
        None,
    )


# --- ISBN --------------------------------------------------------------------------------


async def test_isbn_lookup_follows_the_302_to_the_edition(ol: OpenLibrary, router: Router) -> None:
    route_fox(router)
    router.add(f"{OL}/isbn/9780140328721.json", redirect(f"{OL}/books/OL7353617M.json"))
    router.add(f"{OL}/books/OL7353617M.json", recorded(FOX_EDITION))
    book = await ol.by_isbn("0-14-032872-6")  # an ISBN-10 is asked for as its ISBN-13
    assert book is not None
    assert book.title == "Fantastic Mr Fox"
    assert book.ol_work_key == "OL45804W"
    assert (book.isbn13, book.isbn10) == ("9780140328721", "0140328726")
    assert book.isbns[0] == "9780140328721"
    assert book.cover_url == f"{COVERS}/b/id/8739161-L.jpg"
    assert book.page_count == 96
    assert router.requests[0].url.path == "/isbn/9780140328721.json"


async def test_isbn_lookup_of_an_edition_without_a_work(ol: OpenLibrary, router: Router) -> None:
    router.add(
        f"{OL}/isbn/9781943899159.json",
        recorded("openlibrary_edition_OL36884359M_markdown_description.json"),
    )
    router.add(f"{OL}/works/OL27172905W.json", recorded("openlibrary_error_notfound.json", 404))
    router.add(f"{OL}/authors/OL10183984A.json", reply({"name": "Stefani Cox"}))
    book = await ol.by_isbn("9781943899159")
    assert book is not None
    assert book.title == "The Stars with You" and book.authors == ("Stefani Cox",)
    assert book.ol_work_key is None and book.page_count == 36


async def test_unknown_isbn_is_none(ol: OpenLibrary, router: Router) -> None:
    router.add(f"{OL}/isbn/9780000000002.json", reply({"error": "notfound"}, 404))
    assert await ol.by_isbn("9780000000002") is None
    assert await ol.by_isbn("not an isbn") is None
    assert len(router.requests) == 1


# --- authors -----------------------------------------------------------------------------


async def test_author_names_are_fetched_politely_and_capped(
    ol: OpenLibrary, router: Router
) -> None:
    keys = [f"OL{n}A" for n in range(1, 9)]
    for n, key in enumerate(keys, start=1):
        router.add(f"{OL}/authors/{key}.json", reply({"name": f"Author {n}"}))
    router.add(f"{OL}/authors/OL2A.json", reply({}, 404))
    slots = record_slots(ol.http.limiter)
    names = await ol.author_names(keys)
    assert names == ["Author 1", "Author 3", "Author 4", "Author 5"]  # 404 skipped, capped
    assert len(router.requests) == MAX_AUTHORS
    ordered = sorted(slots)
    assert len(ordered) == MAX_AUTHORS
    assert all(b - a >= 1 / 3 - 1e-9 for a, b in itertools.pairwise(ordered))


async def test_merged_author_redirect_is_followed(ol: OpenLibrary, router: Router) -> None:
    router.add(
        f"{OL}/authors/OL1A.json",
        reply({"type": {"key": "/type/redirect"}, "location": "/authors/OL34184A"}),
    )
    router.add(f"{OL}/authors/OL34184A.json", recorded(DAHL))
    assert await ol.author_names(["OL1A"]) == ["Roald Dahl"]


async def test_an_author_failure_surfaces_as_itself(ol: OpenLibrary, router: Router) -> None:
    route_fox(router)
    router.add(f"{OL}/authors/OL34184A.json", reply(text="down", status=503))
    with pytest.raises(SourceUnavailable):  # not wrapped in an ExceptionGroup
        await ol.work("OL45804W")


async def test_gather_all_cancels_the_rest_on_failure() -> None:
    cancelled = asyncio.Event()

    async def slow() -> int:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 1

    async def broken() -> int:
        raise BadResponse("openlibrary", "nope")

    with pytest.raises(BadResponse):
        await gather_all([slow(), broken()])
    assert cancelled.is_set()
    assert await gather_all([asyncio.sleep(0, result=2)]) == [2]
