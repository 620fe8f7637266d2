"""A cached /book info end to end through the local Discord server: p50/p99, sequential and
at 10 concurrent members.

The real MarginaliaBot runs against the local Discord rig (gateway + REST) on a migrated
SQLite file holding 10,000 books (generated as bench_autocomplete does, every other one
known to the rig's server) plus the target book, a complete Open Library work with a
description, so the card is never completed from the network. The metadata sources point at
unreachable addresses: only the cache can answer, and the bench counts the HTTP requests the
bot's metadata client makes (0 expected). Each request is a ``/book info`` slash-command
interaction from one of 100 members, timed from sending it until the bot's interaction
callback reaches the rig, with one of two values: the picked autocomplete suggestion
(``book:ID``, a lookup by id) or a typed "title by author" (a search of the local books).
Reported per value and level: p50/p99 latency, throughput, failed requests (no immediate
reply with the book's card), and the share of request time spent inside database
transactions, with the time and the read and write transactions per request.

Baseline, same run: the in-process work of the command (BookService.resolve, then
BookService.card and bot.render.books.book_embed) at the same concurrency, with the ratio
end-to-end/baseline. The rig runs in the bot's own event loop, so the end-to-end figures
include the rig's work too.

Prints figures only; it never asserts times.

Run: .venv/bin/python -m bench.bench_book_info
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench._harness import Run, TimedDatabase, answered, bot_on_rig, report, run_level
from bench._stats import percentile
from bench.bench_autocomplete import NAMES, SURNAMES, WORDS
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain import isbn as isbn_rules
from bot.domain.book import Book
from bot.domain.clock import SystemClock
from bot.errors import CatalogueUnavailable
from bot.render.books import book_embed
from bot.services.books import BookService, Resolved

LEVELS = (1, 10)
REQUESTS_PER_LEVEL = 300
MEMBERS = 100
BOOKS = 10_000
ISBN10 = "0061054887"
TARGET = Book(
    title="The Dispossessed",
    authors=("Ursula K. Le Guin",),
    first_year=1974,
    page_count=387,
    isbn13=isbn_rules.to_isbn13(ISBN10),
    isbn10=ISBN10,
    isbns=tuple(i for i in (isbn_rules.to_isbn13(ISBN10),) if i),
    subjects=("Science fiction", "Anarchism", "Utopias", "Physicists", "Interplanetary voyages"),
    description=(
        "Shevek, a brilliant physicist, decides to take action. He will seek answers, question "
        "the unquestionable, and attempt to tear down the walls of hatred that have isolated "
        "his planet of anarchists from the rest of the civilized universe. To do this "
        "dangerous task will mean giving up his family and possibly his life. Shevek must "
        "make the unprecedented journey to the utopian mother planet, Urras, to challenge "
        "the complex structures of life and living, and ignite the fires of change."
    ),
    cover_url="https://covers.openlibrary.org/b/id/8231856-M.jpg",
    ol_work_key="OL59863W",
    source="openlibrary",
)
TYPED = f"{TARGET.title} by {TARGET.authors[0]}"


class UnreachableCatalogue:
    """The baseline's catalogue: every source down, and each call counted."""

    calls = 0

    def _down(self) -> CatalogueUnavailable:
        self.calls += 1
        return CatalogueUnavailable("every metadata source is unreachable")

    async def search(self, query: str, limit: int = 10) -> list[Book]:
        raise self._down()

    async def by_isbn(self, isbn: str) -> Book | None:
        raise self._down()

    async def work(self, ol_key: str) -> Book | None:
        raise self._down()


async def _books(database: Database) -> tuple[int, list[int]]:
    """The 10,000 generated books and the target: (target id, generated ids)."""
    rng = random.Random(7)
    now = datetime(2026, 11, 21, tzinfo=UTC)
    ids: list[int] = []
    async with database.write() as conn:
        for i in range(BOOKS):
            title = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(1, 4)))
            author = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
            book = await book_repo.upsert(
                conn, Book(title=f"{title} {i}", authors=(author,), source="manual"), now
            )
            assert book.id is not None
            ids.append(book.id)
        target = await book_repo.upsert(conn, TARGET, now)
    assert target.id is not None
    return target.id, ids


async def _link_half(database: Database, guild_id: int, ids: list[int]) -> None:
    """Every other generated book is known to the server (as in bench_autocomplete)."""
    now = SystemClock().now()
    async with database.write() as conn:
        for book_id in ids[::2]:
            await book_repo.link_guild(conn, guild_id, book_id, None, now)


def _values(target_id: int) -> dict[str, str]:
    """What the member sends: the picked suggestion, or the title and author typed out."""
    return {"picked": f"book:{target_id}", "typed": TYPED}


def _is_card(embeds: list[dict[str, Any]]) -> bool:
    return bool(embeds) and embeds[0].get("title") == TARGET.title


async def _end_to_end(
    database: TimedDatabase, url: str, target_id: int, ids: list[int]
) -> tuple[int, dict[tuple[str, int], Run]]:
    """(guild id, the run of every value and level)."""
    runs: dict[tuple[str, int], Run] = {}
    metadata_requests = 0

    async def count(_: httpx.Request) -> None:
        nonlocal metadata_requests
        metadata_requests += 1

    async with bot_on_rig(database, url, members=MEMBERS) as running:
        hooks = running.client.event_hooks
        running.client.event_hooks = {**hooks, "request": [*hooks["request"], count]}
        await _link_half(database, running.guild.id, ids)

        def info(value: str) -> Callable[[int], Awaitable[bool]]:
            async def call(index: int) -> bool:
                result = await running.rig.slash(
                    running.guild, running.members[index % MEMBERS], "book info", {"book": value}
                )
                return answered(result) and _is_card(result.embeds)

            return call

        for kind, value in _values(target_id).items():
            await run_level(10, 100, info(value))  # warm-up: the server's link, caches
            for level in LEVELS:
                database.reset()
                run = await run_level(level, REQUESTS_PER_LEVEL, info(value))
                report(
                    f"end to end, {kind}, {level:>3} concurrent", run, database, db_per_request=True
                )
                runs[kind, level] = run
        guild_id = running.guild.id
    print(f"{'':<40} metadata HTTP requests during the end-to-end runs: {metadata_requests}")
    return guild_id, runs


async def _in_process(
    database: TimedDatabase, guild_id: int, target_id: int, runs: dict[tuple[str, int], Run]
) -> None:
    """The same values through BookService.resolve + card + book_embed, in the rig's guild."""
    catalogue = UnreachableCatalogue()
    service = BookService(database, catalogue, SystemClock())

    def info(value: str) -> Callable[[int], Awaitable[bool]]:
        async def call(_: int) -> bool:
            try:
                resolution = await service.resolve(guild_id, value)
                if not isinstance(resolution, Resolved):
                    return False
                card = await service.card(guild_id, resolution.book)
                embed = book_embed(card.book, card.stats)
            except Exception:
                return False
            return embed.title == TARGET.title

        return call

    for kind, value in _values(target_id).items():
        await run_level(10, 100, info(value))  # warm-up
        for level in LEVELS:
            database.reset()
            run = await run_level(level, REQUESTS_PER_LEVEL, info(value))
            base_p50 = report(
                f"in-process, {kind}, {level:>3} concurrent", run, database, db_per_request=True
            )
            latencies = runs[kind, level][0]
            e2e_p50 = percentile(latencies, 50) * 1000
            e2e_p99 = percentile(latencies, 99) * 1000
            base_p99 = percentile(run[0], 99) * 1000
            print(
                f"{'':<40} ratio end-to-end/in-process: p50 {e2e_p50 / base_p50:.1f}x,"
                f" p99 {e2e_p99 / base_p99:.1f}x"
            )
    print(f"{'':<40} catalogue calls during the in-process runs: {catalogue.calls}")


async def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # failures are counted, not logged
    print(
        f"/book info: {REQUESTS_PER_LEVEL} requests per value and level, {BOOKS:,} cached "
        f"books + the target, {MEMBERS} members, SQLite (WAL), metadata sources unreachable, "
        "through the local Discord server"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = TimedDatabase.from_url(url)
        assert isinstance(database, TimedDatabase)
        await migrate.upgrade(database)
        target_id, ids = await _books(database)
        guild_id, runs = await _end_to_end(database, url, target_id, ids)
        await _in_process(database, guild_id, target_id, runs)
        await database.close()


if __name__ == "__main__":
    asyncio.run(main())
