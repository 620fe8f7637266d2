"""Resident memory of one process connected to 1,000 servers, against the floor of the
smallest discord.py bot connected to the same servers, measured in the same run.

The local Discord rig (in this process) announces 1,000 guilds, each with 6 text channels,
4 roles and 10 members (no member lists are requested: the members intent is off, as in
Marginalia). Each bot runs as its own process, started as a self-hoster starts it
(`python -m bot run` on a fresh SQLite file; `python -m bench.minimal_bot`); RSS and its
peak (VmRSS/VmHWM from /proc) are read once every guild is ready, and again after the
simulated traffic: ``--commands`` slash commands (default 3,600, an hour of a busy 1,000-
server bot at one a second, sent here as fast as 8 members at a time get answers) spread
over every server: `/rate` on a catalogue book for both bots, plus `/about` and
`/progress update` for Marginalia.

Run: .venv/bin/python -m bench.bench_memory  [--guilds N] [--commands N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench._harness import UNREACHABLE_GOOGLE_BOOKS, UNREACHABLE_OPENLIBRARY, answered
from bot.db import books as book_repo
from bot.db import migrate
from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import SystemClock
from fake_discord import FakeDiscord, FakeGuild, FakeMember
from tests.e2e.bot_process import BotProcess, bot_process
from tests.e2e.world import TOKEN

CHANNELS = ("general", "reviews", "modlog", "off-topic", "announcements", "reading-room")
ROLES = ("Admin", "Moderator", "Reader", "Bot-friends")
MEMBERS_PER_GUILD = 10
READY_TIMEOUT_S = 600.0


def memory_of(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def build_world(rig: FakeDiscord, guilds: int) -> list[tuple[FakeGuild, list[FakeMember]]]:
    world = []
    for n in range(guilds):
        guild = rig.add_guild(f"Club {n}", channels=CHANNELS)
        for role in ROLES:
            guild.add_role(role)
        world.append((guild, [guild.add_member(f"g{n}m{i}") for i in range(MEMBERS_PER_GUILD)]))
    return world


async def traffic(
    rig: FakeDiscord,
    world: list[tuple[FakeGuild, list[FakeMember]]],
    commands: int,
    command: Callable[[FakeGuild, FakeMember, int], Awaitable[bool]],
) -> tuple[float, int]:
    rng = random.Random(7)
    queue = list(range(commands))
    failures = 0

    async def member() -> None:
        nonlocal failures
        while queue:
            index = queue.pop()
            guild, members = world[rng.randrange(len(world))]
            if not await command(guild, members[rng.randrange(len(members))], index):
                failures += 1

    start = time.perf_counter()
    await asyncio.gather(*(member() for _ in range(8)))
    return time.perf_counter() - start, failures


async def measure(
    name: str,
    start: Callable[[], object],
    rig: FakeDiscord,
    world: list[tuple[FakeGuild, list[FakeMember]]],
    commands: int,
    command: Callable[[FakeGuild, FakeMember, int], Awaitable[bool]],
) -> None:
    began = time.perf_counter()
    async with start() as process:  # type: ignore[attr-defined]
        bot: BotProcess = process
        await bot.wait_for_line(f"in {len(world)} guilds", READY_TIMEOUT_S)
        ready_s = time.perf_counter() - began
        await asyncio.sleep(2.0)
        rss, _ = memory_of(bot.process.pid)
        await rig.wait_until(lambda: rig.commands.get(None), 60, "commands synced")
        took, failures = await traffic(rig, world, commands, command)
        await asyncio.sleep(2.0)
        after, peak = memory_of(bot.process.pid)
        await bot.stop()
    print(
        f"  {name:<22} ready in {ready_s:5.1f} s   RSS after start {rss:6.1f} MB   "
        f"after {commands:,} commands ({took:.0f} s, {failures} failed) {after:6.1f} MB   "
        f"peak {peak:6.1f} MB"
    )


async def main(guilds: int, commands: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.db'}"
        database = Database.from_url(url)
        await migrate.upgrade(database)
        async with database.write() as conn:
            book = await book_repo.upsert(
                conn,
                Book(title="The Dispossessed", authors=("Ursula K. Le Guin",), page_count=387),
                SystemClock().now(),
            )
        await database.close()
        book_value = f"book:{book.id}"

        async with FakeDiscord(token=TOKEN, timeout=120.0, validate=False) as rig:
            world = build_world(rig, guilds)
            print(
                f"{guilds:,} servers × ({len(CHANNELS)} channels, {len(ROLES) + 2} roles, "
                f"{MEMBERS_PER_GUILD + 2} members); one process each, SQLite"
            )

            async def minimal_rate(guild: FakeGuild, member: FakeMember, _: int) -> bool:
                result = await rig.slash(guild, member, "rate", {"book": book_value, "stars": "4"})
                return answered(result)

            async def marginalia_mix(guild: FakeGuild, member: FakeMember, index: int) -> bool:
                if index % 10 == 0:
                    result = await rig.slash(guild, member, "about")
                elif index % 3 == 0:
                    result = await rig.slash(
                        guild,
                        member,
                        "progress update",
                        {"book": book_value, "page": index % 387 + 1},
                    )
                else:
                    stars = ("3", "3.5", "4", "4.5", "5")[index % 5]
                    result = await rig.slash(
                        guild, member, "rate", {"book": book_value, "stars": stars}
                    )
                return answered(result)

            env = {**rig.env()}
            await measure(
                "minimal discord.py bot",
                lambda: bot_process(workdir, env, module="bench.minimal_bot"),
                rig,
                world,
                commands,
                minimal_rate,
            )
            rig.commands.clear()
            marginalia_env = {
                **env,
                "DATABASE_URL": url,
                "OPENLIBRARY_BASE_URL": UNREACHABLE_OPENLIBRARY,
                "GOOGLE_BOOKS_BASE_URL": UNREACHABLE_GOOGLE_BOOKS,
            }
            await measure(
                "Marginalia",
                lambda: bot_process(workdir, marginalia_env),
                rig,
                world,
                commands,
                marginalia_mix,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=1000)
    parser.add_argument("--commands", type=int, default=3600)
    args = parser.parse_args()
    asyncio.run(main(args.guilds, args.commands))
