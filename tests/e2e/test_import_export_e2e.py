"""/import goodreads|storygraph with an attachment and /export's attachments, end to end
through the local Discord server, with the catalogue served by the metadata stub."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from sqlalchemy import func, select

from bot.app import MarginaliaBot
from bot.db import books as book_repo
from bot.db import quotes as quote_repo
from bot.db.schema import ratings, readings
from bot.domain.book import Book
from bot.domain.imports import MAX_IMPORT_BYTES
from bot.domain.progress_gate import Position
from fake_discord import Upload
from tests.e2e.world import World, all_text, run_marginalia
from tests.support.import_files import goodreads_file

DATA = Path(__file__).parent.parent / "data" / "imports"
TIMEOUT = 30.0  # catalogue look-ups keep to the rate limits, so an import takes seconds


LIBRARY = goodreads_file(
    [
        {  # the catalogue knows it by ISBN
            "Title": "Fantastic Mr Fox",
            "Author": "Roald Dahl",
            "ISBN13": '="9780140328721"',
            "My Rating": "5",
            "Exclusive Shelf": "read",
            "Date Read": "2025/10/01",
            "Read Count": "1",
            "My Review": "Clever fox.<br/><spoiler>The farmers never win.</spoiler>",
        },
        {  # the server knows it (added by hand), despite Goodreads' series suffix
            "Title": "The Left Hand of Darkness (Hainish Cycle #4)",
            "Author": "Ursula K. Le Guin",
            "ISBN13": '=""',
            "My Rating": "4",
            "Exclusive Shelf": "to-read",
            "Bookshelves": "to-read, sf",
        },
        {  # nobody knows it: kept with the file's details
            "Title": "Obscure Pamphlet",
            "Author": "Nobody Known",
            "Exclusive Shelf": "currently-reading",
            "Bookshelves": "zines",
            "Read Count": "1",
        },
    ]
)


@pytest.fixture
async def bot(world: World) -> AsyncIterator[MarginaliaBot]:
    # identified clients may ask Open Library 3 times a second (1 otherwise)
    async with run_marginalia(world, metadata_contact="e2e@example.org") as running:
        yield running


async def _import(world: World, kind: str, upload: Upload, member: Any = None) -> Any:
    result = await world.rig.slash(
        world.guild, member or world.alice, f"import {kind}", {"file": upload}
    )
    return await result.wait_reply(timeout=TIMEOUT)


async def _count(world: World, table: Any) -> int:
    async with world.database.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_import_goodreads_then_reimport_then_export(world: World, bot: MarginaliaBot) -> None:
    added = await world.rig.slash(
        world.guild,
        world.bob,
        "book add",
        {"title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "pages": 304},
    )
    assert "Added" in added.content

    reply = await _import(world, "goodreads", Upload("goodreads_library_export.csv", LIBRARY))
    text = all_text(reply.embeds, reply.content)
    assert reply.ephemeral
    assert "Goodreads import done" in text
    assert "**3** imported · **0** updated · **0** skipped · **1** unmatched" in text
    assert "Row 4: Obscure Pamphlet by Nobody Known" in text
    assert "Fantastic Mr Fox" not in text.split("Unmatched", 1)[1]

    ratings_card = await world.rig.slash(
        world.guild, world.bob, "ratings", {"book": "Fantastic Mr Fox"}
    )
    card = all_text((await ratings_card.wait_reply()).embeds)
    assert "★ 5" in card and "Ratings\n1" in card
    shown = await world.rig.slash(
        world.guild, world.bob, "review show", {"book": "Fantastic Mr Fox", "member": world.alice}
    )
    review = (await shown.wait_reply()).embeds
    shown_text = all_text(review)
    assert "Clever fox." in shown_text
    # the spoiler part is only ever behind a spoiler tag
    assert shown_text.count("The farmers never win.") == 1
    assert "||The farmers never win.||" in shown_text

    # the other features see the imported data
    current = await world.rig.slash(world.guild, world.alice, "progress show")
    assert "Obscure Pamphlet" in all_text((await current.wait_reply()).embeds)
    shelf = await world.rig.slash(world.guild, world.alice, "shelf show", {"shelf": "zines"})
    assert "Obscure Pamphlet" in all_text((await shelf.wait_reply()).embeds)

    again = await _import(world, "goodreads", Upload("goodreads_library_export.csv", LIBRARY))
    text = all_text(again.embeds, again.content)
    assert "nothing new" in text
    assert "**0** imported · **0** updated · **3** skipped · **0** unmatched" in text

    exported = await world.rig.slash(world.guild, world.alice, "export")
    message = await exported.wait_reply(timeout=TIMEOUT)
    assert message.ephemeral and "3 books, 2 ratings, 1 review, 3 readings" in message.content
    by_name = {a.filename: a for a in message.attachments}
    assert set(by_name) == {"marginalia-2026-11-18-goodreads.csv", "marginalia-2026-11-18.json"}
    rows = list(
        csv.DictReader(io.StringIO(by_name["marginalia-2026-11-18-goodreads.csv"].data.decode()))
    )
    assert {r["Title"] for r in rows} == {
        "Fantastic Mr Fox",
        "The Left Hand of Darkness",
        "Obscure Pamphlet",
    }
    document = json.loads(by_name["marginalia-2026-11-18.json"].data)
    assert document["user_id"] == str(world.alice.id) and len(document["ratings"]) == 2

    # the exported CSV goes back in unchanged
    back = await _import(
        world,
        "goodreads",
        Upload("export.csv", by_name["marginalia-2026-11-18-goodreads.csv"].data),
    )
    assert "**0** imported · **0** updated · **3** skipped" in all_text(back.embeds)


async def test_storygraph_import_with_the_catalogue_down(world: World, bot: MarginaliaBot) -> None:
    world.metadata.down = True
    data = (DATA / "storygraph_library_export.csv").read_bytes()
    reply = await _import(world, "storygraph", Upload("storygraph.csv", data))
    text = all_text(reply.embeds, reply.content)
    assert "StoryGraph import done" in text
    assert "**8** imported" in text and "**8** unmatched" in text
    assert "could not be reached" in text
    assert "rounded half up to the nearest half star" in text
    assert "Row 9 (Odd Status)" in text  # a note about the unknown status
    assert await _count(world, ratings) == 5


@pytest.mark.parametrize(
    ("kind", "upload", "message"),
    [
        ("goodreads", Upload("library.xlsx", b"PK\x03\x04" + bytes(64)), "ZIP archive"),
        (
            "goodreads",
            Upload("storygraph.csv", (DATA / "storygraph_library_export.csv").read_bytes()),
            "It looks like a StoryGraph export",
        ),
        ("storygraph", Upload("empty.csv", b"\n"), "The file is empty"),
        (
            "goodreads",
            Upload(
                "latin1.csv",
                "Title,Author,My Rating,Exclusive Shelf\nCafé,A,1,read\n".encode("latin-1"),
            ),
            "not UTF-8",
        ),
    ],
    ids=["zip", "wrong export", "empty", "latin-1"],
)
async def test_bad_files_get_a_clear_error_and_change_nothing(
    world: World, bot: MarginaliaBot, kind: str, upload: Upload, message: str
) -> None:
    reply = await _import(world, kind, upload)
    assert reply.ephemeral
    text = all_text(reply.embeds, reply.content)
    assert "That file can't be imported" in text and message in text
    assert await _count(world, ratings) == await _count(world, readings) == 0


async def test_a_huge_file_is_refused_before_it_is_downloaded(
    world: World, bot: MarginaliaBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads: list[str] = []
    original = discord.Attachment.read

    async def spy(self: discord.Attachment, **kwargs: Any) -> bytes:
        downloads.append(self.filename)
        return await original(self, **kwargs)

    monkeypatch.setattr(discord.Attachment, "read", spy)
    huge = Upload("goodreads_library_export.csv", b"x" * (MAX_IMPORT_BYTES + 1))
    result = await world.rig.slash(world.guild, world.alice, "import goodreads", {"file": huge})
    assert result.callback_type == 4 and result.ephemeral  # refused at once, no deferral
    assert "the largest file that can be imported is 10.0 MB" in all_text(result.embeds)
    assert downloads == []


async def test_hostile_numbers_get_a_note_not_an_outage(world: World, bot: MarginaliaBot) -> None:
    world.metadata.down = True  # no look-ups: the file's details are kept
    data = goodreads_file(
        [
            {
                "Title": "Reread Forever",
                "Author": "Ann Author",
                "Exclusive Shelf": "read",
                "Read Count": "100000000",
                "My Rating": "4",
            },
            {
                "Title": "Endless Book",
                "Author": "Ann Author",
                "Exclusive Shelf": "read",
                "Number of Pages": "1" + "0" * 20,
            },
            {
                "Title": "Fine Book",
                "Author": "Ann Author",
                "Exclusive Shelf": "read",
                "Number of Pages": "300",
                "My Rating": "5",
            },
        ]
    )
    reply = await _import(world, "goodreads", Upload("goodreads_library_export.csv", data))
    text = all_text(reply.embeds, reply.content)
    assert "Goodreads import done" in text and "**3** imported" in text
    assert "Row 2 (Reread Forever): read count 100,000,000 is more than 100; left out" in text
    assert "Row 3 (Endless Book): page count" in text and "is more than 50,000" in text
    assert await _count(world, readings) == 3
    # the bot still serves everyone, and the sane row is all there
    card = await world.rig.slash(world.guild, world.bob, "book info", {"book": "Fine Book"})
    assert "300" in all_text((await card.wait_reply()).embeds)
    again = await _import(world, "goodreads", Upload("goodreads_library_export.csv", data))
    assert "**0** imported · **0** updated · **3** skipped" in all_text(again.embeds)


async def test_export_with_nothing_to_export(world: World, bot: MarginaliaBot) -> None:
    result = await world.rig.slash(world.guild, world.bob, "export")
    reply = await result.wait_reply()
    assert reply.ephemeral and not reply.attachments
    assert "no data in this server" in all_text(reply.embeds, reply.content)


async def test_export_attaches_the_quotes_csv(world: World, bot: MarginaliaBot) -> None:
    now = datetime(2026, 11, 18, 12, tzinfo=UTC)
    async with world.database.write() as conn:
        book = await book_repo.upsert(
            conn, Book(title="Middlemarch", authors=("George Eliot",), source="manual"), now
        )
    assert book.id is not None
    await world.database.run_write(
        quote_repo.insert_quote,
        guild_id=world.guild.id,
        user_id=world.alice.id,
        book_id=book.id,
        text="=1+1 is not a formula here",
        note=None,
        position=Position.at_chapter(7),
        now=now,
    )
    exported = await world.rig.slash(world.guild, world.alice, "export")
    message = await exported.wait_reply(timeout=TIMEOUT)
    assert message.ephemeral and "1 quote" in message.content
    names = sorted(a.filename for a in message.attachments)
    assert len(names) == 3 and names[0].endswith("-goodreads.csv")
    assert names[1].endswith("-quotes.csv") and names[2].endswith(".json")
    quotes_csv = next(a for a in message.attachments if a.filename.endswith("-quotes.csv"))
    [row] = list(csv.DictReader(io.StringIO(quotes_csv.data.decode())))
    assert row["Title"] == "Middlemarch" and row["Quote"] == "'=1+1 is not a formula here"
    assert row["Position"] == "chapter 7"
    document = json.loads(next(a for a in message.attachments if a.filename.endswith(".json")).data)
    assert [q["text"] for q in document["quotes"]] == ["=1+1 is not a formula here"]
