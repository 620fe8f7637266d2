"""Fill a migrated database the way members would, through the real services.

Books, ratings (and a custom scale label), reviews with likes and a flag, reading progress,
status and custom shelves, a goal, a club read with a checkpoint, digest settings and a
member's digest opt-in, server settings, in two servers: every kind of row that the commands
write, for tests that need a realistic database (``copy-db``, exports, migrations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.db.engine import Database
from bot.domain.book import Book
from bot.domain.clock import FakeClock
from bot.domain.review import ReviewDraft
from bot.services.books import BookService
from bot.services.clubs import ClubService
from bot.services.digest import DigestService
from bot.services.goals import GoalService
from bot.services.privacy import PrivacyService
from bot.services.ratings import RatingService
from bot.services.reading import ReadingService
from bot.services.reviews import ReviewService
from bot.services.settings import SettingsService
from bot.services.shelves import ShelfService
from tests.support.fakes import NumberedNames, OfflineCatalogue

START = datetime(2026, 11, 2, 9, tzinfo=UTC)
GUILDS = (1001, 2002)
MEMBERS = (11, 12, 13)
TITLES = (
    ("Middlemarch", "George Eliot", 880),
    ("Pale Fire", "Vladimir Nabokov", 315),
    ("The Left Hand of Darkness", "Ursula K. Le Guin", 304),
    ("Piranesi", "Susanna Clarke", 272),
)


@dataclass
class Populated:
    """What was made, for tests to look up."""

    books: dict[str, Book] = field(default_factory=dict)
    review_ids: list[int] = field(default_factory=list)


async def populate(database: Database, *, start: datetime = START) -> Populated:
    """Fill ``database`` (migrated, empty) through the services; returns what it made."""
    clock = FakeClock(start)
    books = BookService(database, OfflineCatalogue(), clock)
    ratings = RatingService(database, clock)
    reviews = ReviewService(database, clock)
    reading = ReadingService(database, clock)
    shelves = ShelfService(database, clock, reading)
    clubs = ClubService(database, clock, NumberedNames())
    digest = DigestService(database, clock, NumberedNames())
    goals = GoalService(database, clock)
    privacy = PrivacyService(database, clock)
    settings = SettingsService(database, clock)
    made = Populated()

    for guild in GUILDS:
        await settings.set_review_channel(guild, guild * 10 + 1)
        await settings.set_modlog_channel(guild, guild * 10 + 2)
        await ratings.set_label(guild, "5", "A favourite")
        await digest.setup(
            guild, channel_id=guild * 10 + 3, weekday=6, hour=18, timezone="Europe/Paris"
        )
        stored: list[Book] = []
        for index, (title, author, pages) in enumerate(TITLES):
            book, _ = await books.add_manual(
                guild, MEMBERS[0], title=title, author=author, pages=pages, year=1871 + index
            )
            stored.append(book)
            made.books.setdefault(title, book)
        for offset, user in enumerate(MEMBERS):
            await privacy.set_digest(guild, user, offset != 2)
            await goals.set_goal(guild, user, 12 + offset)
            for index, book in enumerate(stored):
                assert book.id is not None
                clock.advance(hours=1)
                await ratings.rate(guild, user, book.id, str(1 + (index + offset) % 5))
                if index < len(stored) - 1:  # the last one stays on want-to-read
                    await reading.update_progress(
                        guild, user, book, page=min(book.page_count or 100, 40 * (index + 1))
                    )
            assert stored[0].id is not None and stored[-1].id is not None
            await shelves.add(guild, user, stored[0].id, "Re-read someday")
            await shelves.add(guild, user, stored[-1].id, "want to read")
        for offset, user in enumerate(MEMBERS[:2]):
            book = stored[1 + offset]
            plan = await reviews.plan_write(guild, user, book, stars="4")
            draft = ReviewDraft.create(
                body=f"What {user} thought of {book.title}.",
                headline="Worth it",
                spoilers="The ending turns on the index.",
                spoiler_reach="the end",
                stars=plan.stars,
                page_count=book.page_count,
            )
            context = await reviews.write(guild, user, plan, draft)
            review_id = context.review.id
            made.review_ids.append(review_id)
            await reviews.toggle_like(guild, review_id, MEMBERS[2])
        await reviews.flag(guild, made.review_ids[-1], MEMBERS[2], "spoilers")
        await clubs.pick(guild, MEMBERS[0], stored[2], start=None, end=None, channel_id=None)
        await clubs.add_checkpoint(
            guild, label="Part one", until_page=100, until_percent=None, due="2026-12-20"
        )
        clock.advance(days=1)
    return made
