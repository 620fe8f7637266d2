"""Autocomplete from local data with 10,000 books: p50/p99 in-process, and the ratio to a
bare SQL query of the same shape run through sqlite3 directly in the same run.

Run: .venv/bin/python -m bench.bench_autocomplete
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._stats import summary
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.text import search_key
from bot.services.books import BookService

BOOKS = 10_000
QUERIES = 2_000
GUILD = 42
WORDS = (
    "shadow river glass winter house garden night silver crown iron empire stone song "
    "city light dark sea fire wind star moon heart blood king queen war peace road"
).split()
NAMES = "Ada Bram Cleo Dara Emil Faye Gus Hana Ivo Jun Kira Lev Mina Nils Oona Pia".split()
SURNAMES = "Okafor Lindqvist Moreau Tanaka Novak Silva Haddad Kowalski Byrne Esposito".split()


class EmptyCatalogue:
    async def search(self, query: str, limit: int = 10) -> list[Book]:
        return []

    async def by_isbn(self, isbn: str) -> Book | None:
        return None

    async def work(self, ol_key: str) -> Book | None:
        return None


async def main() -> None:
    rng = random.Random(7)
    now = datetime(2026, 11, 21, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        database = Database.from_url(f"sqlite:///{path}")
        await migrate.upgrade(database)
        async with database.write() as conn:
            for i in range(BOOKS):
                title = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(1, 4)))
                author = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
                book = await book_repo.upsert(
                    conn, Book(title=f"{title} {i}", authors=(author,), source="manual"), now
                )
                if i % 2 == 0 and book.id is not None:
                    await book_repo.link_guild(conn, GUILD, book.id, None, now)
        service = BookService(database, EmptyCatalogue(), FakeClock(now))
        queries = [
            rng.choice(WORDS)[: rng.randint(2, 5)]
            + ("" if rng.random() < 0.5 else " " + rng.choice(WORDS)[:3])
            for _ in range(QUERIES)
        ]
        for q in queries[:50]:  # warm the search cache for short remote look-ups
            await service.autocomplete(GUILD, q)

        service_times: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            await service.autocomplete(GUILD, q)
            service_times.append(time.perf_counter() - t0)

        repo_times: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            async with database.read() as conn:
                await book_repo.search_local(conn, GUILD, q, limit=25)
            repo_times.append(time.perf_counter() - t0)
        await database.close()

        # the same query shape in bare SQL through the stdlib driver (no SQLAlchemy, no asyncio)
        raw = sqlite3.connect(path)
        bare_times: list[float] = []
        for q in queries:
            key = search_key(q)
            words = key.split()
            where = " AND ".join(["(search_key LIKE ? OR search_key LIKE ?)"] * len(words))
            params: list[object] = []
            for w in words:
                params += [f"{w}%", f"% {w}%"]
            sql = (
                f"SELECT * FROM books WHERE {where} ORDER BY "
                "CASE WHEN EXISTS (SELECT 1 FROM guild_books g WHERE g.guild_id = ? "
                "AND g.book_id = books.id) THEN 0 ELSE 1 END, "
                "CASE WHEN search_key LIKE ? THEN 0 ELSE 1 END, length(title), id LIMIT 25"
            )
            t0 = time.perf_counter()
            raw.execute(sql, [*params, GUILD, f"{key}%"]).fetchall()
            bare_times.append(time.perf_counter() - t0)
        raw.close()

    print(f"autocomplete over {BOOKS} local books, {QUERIES} queries")
    svc = summary("BookService.autocomplete (full path)", service_times)
    repo = summary("repository search_local (+transaction)", repo_times)
    bare = summary("bare sqlite3, same SQL shape", bare_times)
    print(f"ratio p50 service/bare = {svc['p50_ms'] / bare['p50_ms']:.2f}x")
    print(f"ratio p99 service/bare = {svc['p99_ms'] / bare['p99_ms']:.2f}x")
    print(f"ratio p50 repository/bare = {repo['p50_ms'] / bare['p50_ms']:.2f}x")
    target = "met" if svc["p99_ms"] < 5 else "NOT met"
    print(f"target p99 < 5 ms: {target}")


if __name__ == "__main__":
    asyncio.run(main())
