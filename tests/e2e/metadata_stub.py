"""Open Library and Google Books for e2e tests: recorded responses served through
``httpx.MockTransport`` at the URLs the bot is configured with. ``down = True`` makes every
source unreachable (connection refused), as when the catalogues are out.

For a bot in another process (``python -m bot run``), :func:`serve_over_http` serves the
same stub on ``127.0.0.1`` and gives the environment variables that point the bot at it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

DATA = Path(__file__).resolve().parent.parent / "data"
OPENLIBRARY = "http://openlibrary.e2e"
COVERS = "http://covers.e2e"
GOOGLE = "http://google.e2e/books/v1"


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class MetadataStub:
    """Routes: search.json (by query words), /isbn/…, /books/…, /works/…, /authors/…."""

    def __init__(self) -> None:
        self.down = False
        self.requests: list[httpx.Request] = []
        self.search_docs: list[dict[str, Any]] = list(
            _load("openlibrary_search_time_war_fields_star_2020.json")["docs"]
        )
        self.search_docs += _load("openlibrary_search_billy_summers_default_fields_2025.json")[
            "docs"
        ]
        self.search_docs.append(
            {
                "key": "/works/OL45804W",
                "title": "Fantastic Mr Fox",
                "author_name": ["Roald Dahl"],
                "author_key": ["OL34184A"],
                "first_publish_year": 1970,
                "number_of_pages_median": 96,
                "isbn": ["9780140328721", "0140328726"],
                "cover_i": 6498519,
            }
        )
        self.paths: dict[str, Any] = {
            "/works/OL45804W.json": _load(
                "openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"
            ),
            "/works/OL45804W/editions.json": _load("openlibrary_work_editions_OL45804W_page1.json"),
            "/books/OL7353617M.json": _load("openlibrary_edition_OL7353617M_fantastic_mr_fox.json"),
            "/authors/OL34184A.json": _load("openlibrary_author_OL34184A_roald_dahl.json"),
        }

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        url = str(request.url)
        path = request.url.path
        if url.startswith(GOOGLE):
            return httpx.Response(200, json={"kind": "books#volumes", "totalItems": 0})
        if path == "/search.json":
            words = request.url.params.get("q", "").lower().split()
            docs = [
                d
                for d in self.search_docs
                if all(
                    w in (d.get("title", "") + " " + " ".join(d.get("author_name", []))).lower()
                    for w in words
                )
            ]
            return httpx.Response(
                200, json={"numFound": len(docs), "start": 0, "numFoundExact": True, "docs": docs}
            )
        if path == "/isbn/9780140328721.json":
            return httpx.Response(
                302, headers={"location": f"{OPENLIBRARY}/books/OL7353617M.json"}, text=""
            )
        if path in self.paths:
            return httpx.Response(200, json=self.paths[path])
        return httpx.Response(404, json={"error": "notfound", "key": path})


#: path prefix on the local server → the stub's own root
_PREFIXES = {"/openlibrary": OPENLIBRARY, "/covers": COVERS, "/google": "http://google.e2e"}


@contextlib.asynccontextmanager
async def serve_over_http(stub: MetadataStub) -> AsyncIterator[dict[str, str]]:
    """Serve ``stub`` over real HTTP; yields OPENLIBRARY_BASE_URL, OPENLIBRARY_COVERS_URL
    and GOOGLE_BOOKS_BASE_URL for the bot's environment."""
    base = ""

    async def handle(request: web.Request) -> web.Response:
        prefix = next((p for p in _PREFIXES if request.path.startswith(p + "/")), None)
        if prefix is None:
            return web.Response(status=404)
        url = _PREFIXES[prefix] + request.path_qs[len(prefix) :]
        try:
            answer = stub._handle(httpx.Request(request.method, url, headers=dict(request.headers)))
        except httpx.ConnectError:
            return web.Response(status=503)
        headers = {"content-type": answer.headers.get("content-type", "application/json")}
        if "location" in answer.headers:
            location = answer.headers["location"]
            for own, root in _PREFIXES.items():
                location = location.replace(root, base + own)
            headers["location"] = location
        return web.Response(status=answer.status_code, body=answer.content, headers=headers)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield {
            "OPENLIBRARY_BASE_URL": f"{base}/openlibrary",
            "OPENLIBRARY_COVERS_URL": f"{base}/covers",
            "GOOGLE_BOOKS_BASE_URL": f"{base}/google/books/v1",
        }
    finally:
        await runner.cleanup()
