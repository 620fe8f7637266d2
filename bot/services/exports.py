"""``/export``: a member's data in one server as a Goodreads-compatible CSV and a full JSON.

The CSV holds one row per book the member rated, read, reviewed or shelved, in the format
of :mod:`bot.domain.exports` (it imports into Goodreads, StoryGraph's Goodreads import, and
back here without loss: see that module). The JSON holds every stored row of the member in
the server, likes and flags they gave included, with dates in ISO 8601 and Discord ids as
strings (they do not fit a JavaScript number). The member's quotes, when they have any, are
also in a CSV of their own (``…-quotes.csv``, :func:`bot.domain.exports.quotes_csv`).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from bot.db import books as book_repo
from bot.db import exports as repo
from bot.db.engine import Database
from bot.db.exports import MemberData
from bot.domain.clock import Clock
from bot.domain.exports import ExportRow, QuoteExportRow, goodreads_csv, quotes_csv
from bot.domain.progress_gate import Position
from bot.domain.reading import ReadingStatus, ReadThrough
from bot.domain.shelves import OWNED_SHELF, shelf_key
from bot.domain.text import search_key
from bot.domain.words import jump_url
from bot.errors import InvalidInput, NotFound

__all__ = [
    "EXPORT_FORMAT",
    "ExportFile",
    "ExportService",
    "MemberExport",
    "export_rows",
    "quote_rows",
]

EXPORT_FORMAT: Final = "marginalia-member-export"
EXPORT_VERSION: Final = 1
_SNOWFLAKES: Final = frozenset(
    {"guild_id", "user_id", "channel_id", "message_id", "thread_id", "extra_message_ids"}
)


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class MemberExport:
    """The files to attach, and what they hold."""

    files: tuple[ExportFile, ...]
    books: int
    ratings: int
    reviews: int
    readings: int
    shelves: int
    zipped: bool = False
    quotes: int = 0


def _day(value: datetime) -> date:
    return value.date()


def export_rows(data: MemberData) -> list[ExportRow]:
    """One :class:`ExportRow` per book the member rated, read, reviewed or shelved, sorted
    by title. The member's ``owned`` shelf becomes Goodreads' ``Owned Copies``."""
    added: dict[int, date] = {}

    def seen(book_id: int, when: datetime) -> None:
        day = _day(when)
        if book_id not in added or day < added[book_id]:
            added[book_id] = day

    rating_of: dict[int, int] = {}
    for row in data.ratings:
        rating_of[int(row["book_id"])] = int(row["quarters"])
        seen(int(row["book_id"]), row["created_at"])
    reads: dict[int, list[ReadThrough]] = defaultdict(list)
    for row in data.readings:
        book_id = int(row["book_id"])
        reads[book_id].append(
            ReadThrough(ReadingStatus(row["status"]), row["started_on"], row["finished_on"])
        )
        seen(book_id, row["created_at"])
    latest_review: dict[int, dict[str, Any]] = {}
    for row in data.reviews:
        book_id = int(row["book_id"])
        current = latest_review.get(book_id)
        if current is None or row["read_number"] > current["read_number"]:
            latest_review[book_id] = row
        seen(book_id, row["created_at"])
    shelf_names = {int(s["id"]): str(s["name"]) for s in data.shelves}
    shelf_keys = {int(s["id"]): str(s["name_key"]) for s in data.shelves}
    on_shelves: dict[int, list[str]] = defaultdict(list)
    owned: set[int] = set()
    for entry in data.shelf_entries:
        book_id, shelf_id = int(entry["book_id"]), int(entry["shelf_id"])
        seen(book_id, entry["added_at"])
        if shelf_keys.get(shelf_id) == shelf_key(OWNED_SHELF):
            owned.add(book_id)
        elif shelf_id in shelf_names:
            on_shelves[book_id].append(shelf_names[shelf_id])
    out: list[ExportRow] = []
    for book_id in added:
        if book_id not in data.books:
            continue
        book = book_repo.book_from_row(data.books[book_id])
        review = latest_review.get(book_id)
        out.append(
            ExportRow(
                title=book.title,
                authors=book.authors,
                isbn13=book.isbn13,
                isbn10=book.isbn10,
                rating_quarters=rating_of.get(book_id),
                readings=tuple(reads.get(book_id, ())),
                shelves=tuple(on_shelves.get(book_id, ())),
                review=(review["body"] or None) if review else None,
                spoilers=review["spoilers"] if review else None,
                content_warnings=review["content_warnings"] if review else None,
                page_count=book.page_count,
                year=book.first_year,
                date_added=added[book_id],
                owned=book_id in owned,
            )
        )
    out.sort(key=lambda r: (search_key(r.title), r.authors))
    return out


def _quote_link(guild_id: int, row: dict[str, Any]) -> str | None:
    if row["channel_id"] is None or row["message_id"] is None:
        return None
    return jump_url(guild_id, int(row["channel_id"]), int(row["message_id"]))


def quote_rows(data: MemberData, guild_id: int) -> list[QuoteExportRow]:
    """One :class:`QuoteExportRow` per quote of the member, oldest first."""
    out: list[QuoteExportRow] = []
    for row in data.quotes:
        book_row = data.books.get(int(row["book_id"]))
        if book_row is None:
            continue
        book = book_repo.book_from_row(book_row)
        out.append(
            QuoteExportRow(
                title=book.title,
                authors=book.authors,
                isbn13=book.isbn13,
                isbn10=book.isbn10,
                text=row["text"],
                note=row["note"],
                position=Position.of(row["page"], row["percent"], row["chapter"]),
                created_at=row["created_at"],
                message_link=_quote_link(guild_id, row),
                likes=int(row["likes"] or 0),
            )
        )
    return out


def _json_value(key: str, value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if key in _SNOWFLAKES and value is not None:
        return [str(v) for v in value] if isinstance(value, list) else str(value)
    return value


def _clean(row: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: _json_value(k, v) for k, v in row.items() if k not in drop}


def export_json(data: MemberData, guild_id: int, user_id: int, now: datetime) -> dict[str, Any]:
    """Every row of the member in the server, grouped as the JSON file holds it."""
    member = ("guild_id", "user_id")
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in data.events:
        events[int(event["reading_id"])].append(
            _clean(event, (*member, "reading_id", "book_id", "id"))
        )
    entries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in data.shelf_entries:
        entries[int(entry["shelf_id"])].append(_clean(entry, ("shelf_id",)))
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "guild_id": str(guild_id),
        "user_id": str(user_id),
        "books": [_clean(book) for _, book in sorted(data.books.items())],
        "ratings": [
            {**_clean(r, (*member, "id")), "stars": int(r["quarters"]) / 4} for r in data.ratings
        ],
        "reviews": [
            {
                **_clean(r, member),
                "stars": int(r["quarters"]) / 4 if r["quarters"] is not None else None,
            }
            for r in data.reviews
        ],
        "readings": [
            {**_clean(r, member), "events": events.get(int(r["id"]), [])} for r in data.readings
        ],
        "shelves": [
            {**_clean(s, (*member, "name_key")), "books": entries.get(int(s["id"]), [])}
            for s in data.shelves
        ],
        "goals": [_clean(g, member) for g in data.goals],
        "likes_given": [_clean(like) for like in data.likes],
        "flags_raised": [_clean(flag) for flag in data.flags],
        "privacy": _clean(data.privacy) if data.privacy else {"digest_opt_in": True},
        "review_drafts": [_clean(d, member) for d in data.drafts],
        # the member's own settings; a zone of null: the server's digest zone, else UTC
        "settings": _clean(data.settings) if data.settings else {"timezone": None},
        # position: page, percent or chapter (all null: the end of the book)
        "quotes": [
            {**_clean(q, member), "message_link": _quote_link(guild_id, q)} for q in data.quotes
        ],
        "quote_likes_given": [_clean(like) for like in data.quote_likes],
        # the member's nomination for the club's next read (one per round)
        "nominations": [_clean(n) for n in data.nominations],
        # /club reminders: on since created_at, or off
        "meeting_reminders": (
            {"on": True, **_clean(data.reminders)} if data.reminders else {"on": False}
        ),
        # the member's ranked ballots on the club's next read, first choice first
        "ballots": [_clean(b) for b in data.ballots],
        # discussion questions proposed for the club read's checkpoint rooms
        "discussion_questions": [_clean(q) for q in data.questions],
        # /club nudges on: since when (null: nudges are off)
        "club_nudges": _clean(data.nudges) if data.nudges else {"enabled_at": None},
        # the members the member follows here (ids), and /me notifications (default on)
        "following": [_clean(f) for f in data.following],
        # books matched to the prompts of server challenges; whether hidden from the boards
        "challenge_fills": [_clean(f) for f in data.challenge_fills],
        "challenge_hidden": data.challenge_hidden,
        "notifications": (_clean(data.notifications) if data.notifications else {"follows": True}),
    }


def _zipped(files: list[ExportFile], name: str) -> ExportFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for file in files:
            zf.writestr(file.filename, file.data)
    return ExportFile(name, buffer.getvalue())


class ExportService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def export(
        self, guild_id: int, user_id: int, *, max_file_bytes: int | None = None
    ) -> MemberExport:
        """The member's files. When one is larger than ``max_file_bytes`` (the upload limit),
        both go into one ZIP archive; NotFound when there is nothing to export."""
        async with self.database.read() as conn:
            data = await repo.member_data(conn, guild_id, user_id)
        if data.empty:
            raise NotFound(
                "You have no data in this server yet: nothing rated, reviewed, read, "
                "shelved or quoted here. (`/import` brings in a Goodreads or StoryGraph library.)"
            )
        now = self.clock.now()
        rows = export_rows(data)
        stamp = now.strftime("%Y-%m-%d")
        document = export_json(data, guild_id, user_id, now)
        files = [
            ExportFile(f"marginalia-{stamp}-goodreads.csv", goodreads_csv(rows).encode("utf-8")),
            ExportFile(
                f"marginalia-{stamp}.json",
                json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
            ),
        ]
        quotes = quote_rows(data, guild_id)
        if quotes:
            files.insert(
                1, ExportFile(f"marginalia-{stamp}-quotes.csv", quotes_csv(quotes).encode("utf-8"))
            )
        zipped = False
        if max_file_bytes is not None and any(len(f.data) > max_file_bytes for f in files):
            files = [_zipped(files, f"marginalia-{stamp}.zip")]
            zipped = True
            if len(files[0].data) > max_file_bytes:
                raise InvalidInput(
                    "Your export is larger than this server's upload limit even as a ZIP "
                    "archive. Ask the bot's host to run the export for you."
                )
        return MemberExport(
            files=tuple(files),
            books=len(rows),
            ratings=len(data.ratings),
            reviews=len(data.reviews),
            readings=len(data.readings),
            shelves=len(data.shelves),
            zipped=zipped,
            quotes=len(data.quotes),
        )
