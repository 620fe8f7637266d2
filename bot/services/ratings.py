"""Ratings and the server's rating scale: /rate, /ratings, /scale show|set|step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, repeat
from types import MappingProxyType

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import ratings as rating_repo
from bot.db.engine import Connection, Database
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.scale import DEFAULT_LABELS, RatingScale, StepChangePlan, plan_step_change
from bot.domain.stars import RatingStep, Stars
from bot.domain.text import search_key
from bot.errors import InvalidInput, NotFound
from bot.services.books import BOOK_GONE


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """A book's ratings in one server, and the asking member's own."""

    scale: RatingScale
    distribution: Mapping[int, int] = field(default_factory=dict)  # quarters → count
    mine: Stars | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "distribution", MappingProxyType(dict(self.distribution)))

    @property
    def count(self) -> int:
        return sum(self.distribution.values())

    @property
    def average_quarters(self) -> float | None:
        """The exact mean in quarter-stars (off-step ratings count at their own value)."""
        if not self.count:
            return None
        return sum(q * n for q, n in self.distribution.items()) / self.count

    @property
    def average_text(self) -> str | None:
        """The mean in stars, to two decimals without trailing zeros: "4.17", "3.5"."""
        average = self.average_quarters
        if average is None:
            return None
        return f"{average / 4:.2f}".rstrip("0").rstrip(".")

    def rows(self) -> tuple[tuple[Stars, int], ...]:
        """One row per value a member may give now, plus any off-step value that was given
        (so nothing is hidden after a step change), lowest first, with its count."""
        values = {stars.quarters for stars, _ in self.scale.entries()} | {
            q for q, n in self.distribution.items() if n
        }
        return tuple((Stars(q), self.distribution.get(q, 0)) for q in sorted(values))


@dataclass(frozen=True, slots=True)
class RateResult:
    stars: Stars
    previous: Stars | None
    label: str
    summary: RatingSummary


@dataclass(frozen=True, slots=True)
class LabelChange:
    stars: Stars
    label: str
    previous_label: str
    is_default: bool  # the label is the built-in one (a custom label was removed)


@dataclass(frozen=True, slots=True)
class StarChoice:
    """One autocomplete suggestion for a ``stars`` option."""

    name: str
    value: str


class RatingService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def scale(self, guild_id: int) -> RatingScale:
        async with self.database.read() as conn:
            return await settings_repo.get_scale(conn, guild_id)

    async def parse_stars(self, guild_id: int, text: str) -> Stars:
        """What a member typed, checked against the server's step (InvalidInput if not)."""
        return (await self.scale(guild_id)).parse(text)

    async def precheck(self, guild_id: int, text: str) -> None:
        """Refuse a value no step allows (unreadable, off the scale) before anything else is
        done, with a message listing this server's values. A readable value is not checked
        against the step here (that costs a query); :meth:`rate` does it."""
        try:
            Stars.parse(text, RatingStep.QUARTER)
        except InvalidInput:
            await self.parse_stars(guild_id, text)  # raises, naming the server's values
            raise

    async def rate(self, guild_id: int, user_id: int, book_id: int, text: str) -> RateResult:
        """Rate (or re-rate) a book; the value must be on the server's step. One unit of
        work: one hop to the database thread, one transaction."""
        return await self.database.run_write(
            _rate, guild_id, user_id, book_id, text, self.clock.now()
        )

    async def rate_seen(
        self, guild_id: int, user_id: int, book_id: int, text: str
    ) -> tuple[Book, RateResult]:
        """:meth:`rate` for a book named by its id, read in the same unit of work (NotFound
        if this server may not see it, before the value is checked against the step): one
        hop to the database thread where looking the book up first would take two."""
        return await self.database.run_write(
            _rate_seen, guild_id, user_id, book_id, text, self.clock.now()
        )

    async def summary(self, guild_id: int, user_id: int, book_id: int) -> RatingSummary:
        return await self.database.run_read(_summary, guild_id, user_id, book_id)

    async def star_choices(self, guild_id: int, current: str) -> list[StarChoice]:
        """The allowed values with their labels, filtered by what the member has typed."""
        scale = await self.scale(guild_id)
        typed = search_key(current)
        choices: list[StarChoice] = []
        for stars, label in reversed(scale.entries()):
            name = f"{stars.display()} — {label}"
            if (
                not typed
                or stars.as_number().startswith(current.strip())
                or typed in (search_key(name))
            ):
                choices.append(StarChoice(name=name[:100], value=stars.as_number()))
        return choices[:25]

    async def set_label(self, guild_id: int, stars_text: str, label: str) -> LabelChange:
        """Give a value on the current step its own label. Setting the built-in label's text
        removes the custom one, so the default (and any later change to it) applies again."""
        async with self.database.write() as conn:
            scale = await settings_repo.get_scale(conn, guild_id)
            stars = scale.parse(stars_text)
            previous = scale.label_for(stars)
            updated = scale.with_label(stars, label)  # validates the label
            new_label = updated.label_for(stars)
            is_default = new_label == DEFAULT_LABELS[stars.quarters]
            if is_default:
                await settings_repo.delete_label(conn, guild_id, stars.quarters)
            else:
                await settings_repo.set_label(conn, guild_id, stars.quarters, new_label)
        return LabelChange(stars, new_label, previous, is_default)

    async def set_step(self, guild_id: int, step_text: str) -> StepChangePlan:
        """Switch the step for new ratings; stored ratings are never rewritten (see plan)."""
        new_step = RatingStep.parse(step_text)
        async with self.database.write() as conn:
            settings = await settings_repo.get(conn, guild_id)
            counts = await rating_repo.guild_value_counts(conn, guild_id)
            plan = plan_step_change(
                chain.from_iterable(repeat(q, n) for q, n in counts.items()),
                settings.rating_step,
                new_step,
            )
            if plan.changes_anything:
                await settings_repo.set_rating_step(conn, guild_id, new_step, self.clock.now())
        return plan


# --- units of work (run whole on the database's thread: no awaits inside) -------------------


def _rate(
    conn: Connection, guild_id: int, user_id: int, book_id: int, text: str, now: datetime
) -> RateResult:
    scale = settings_repo.scale_of(conn, guild_id)
    stars = scale.parse(text)  # InvalidInput rolls the unit back and reaches the member
    previous = rating_repo.put_rating(conn, guild_id, user_id, book_id, stars.quarters, now)
    counts = rating_repo.distribution_of(conn, guild_id, book_id)
    return RateResult(
        stars=stars,
        previous=Stars(previous) if previous is not None else None,
        label=scale.label_for(stars),
        summary=RatingSummary(scale, counts, stars),
    )


def _rate_seen(
    conn: Connection, guild_id: int, user_id: int, book_id: int, text: str, now: datetime
) -> tuple[Book, RateResult]:
    book = book_repo.book_seen_by(conn, book_id, guild_id)
    if book is None:
        raise NotFound(BOOK_GONE)
    return book, _rate(conn, guild_id, user_id, book_id, text, now)


def _summary(conn: Connection, guild_id: int, user_id: int, book_id: int) -> RatingSummary:
    scale = settings_repo.scale_of(conn, guild_id)
    counts = rating_repo.distribution_of(conn, guild_id, book_id)
    mine = rating_repo.rating_of(conn, guild_id, user_id, book_id)
    return RatingSummary(scale, counts, Stars(mine) if mine is not None else None)
