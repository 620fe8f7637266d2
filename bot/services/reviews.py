"""Reviews: writing, editing, deleting, listing; likes, flags, threads and the spoiler check.

Nothing here talks to Discord: the cog posts what :mod:`bot.render.reviews` draws and tells
this service where the post went (:meth:`ReviewService.set_posted`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Final

from bot.db import books as book_repo
from bot.db import guild_settings as settings_repo
from bot.db import ratings as rating_repo
from bot.db import reviews as review_repo
from bot.db.engine import AsyncConnection, Connection, Database
from bot.db.reviews import StoredReview
from bot.domain.book import Book
from bot.domain.clock import Clock
from bot.domain.markdown import inert
from bot.domain.progress_gate import progress_reached
from bot.domain.review import (
    REVIEW_FILE_MAX_BYTES,
    ReviewDraft,
    ReviewOrder,
    SpoilerReach,
    parse_review_file,
)
from bot.domain.review_progress import next_read_number
from bot.domain.scale import RatingScale
from bot.domain.stars import Stars
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied

PAGE_SIZE: Final = 5
# Flag reasons: the stored key and what moderators and members read.
FLAG_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "spoilers": "Spoilers outside the spoiler part",
        "harassment": "Harassment, hate or personal attacks",
        "spam": "Spam or advertising",
        "off-topic": "Not a review of this book",
        "other": "Something else",
    }
)


@dataclass(frozen=True, slots=True)
class ReviewForm:
    """The raw texts of the review form (the modal's five inputs)."""

    body: str = ""
    headline: str = ""
    spoilers: str = ""
    content_warnings: str = ""
    recommended_for: str = ""


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What the slash options said, checked before the member spends time on the form."""

    book: Book
    stars: Stars | None
    reach: SpoilerReach | None
    read_number: int


@dataclass(frozen=True, slots=True)
class ReviewContext:
    """A review with what its post shows around it: the book and the rating's label."""

    review: StoredReview
    book: Book
    rating_label: str | None


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """One page of ``/review list``."""

    book: Book
    reviews: tuple[StoredReview, ...]
    order: ReviewOrder
    page: int  # 0-based
    total: int

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


@dataclass(frozen=True, slots=True)
class LikeResult:
    review: StoredReview
    liked: bool  # the member likes it now
    count: int


@dataclass(frozen=True, slots=True)
class RevealCheck:
    """Whether to show the spoilers straight away or ask first."""

    context: ReviewContext
    reached: bool
    progress: str  # "you are on p. 120", for the warning


@dataclass(frozen=True, slots=True)
class FlagResult:
    context: ReviewContext
    new: bool  # False when the member had flagged it before (counted once)
    count: int  # members who flagged it
    reason: str  # the reason's text
    modlog_channel_id: int | None


class ReviewService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    # --- writing ------------------------------------------------------------------------

    async def plan_write(
        self,
        guild_id: int,
        user_id: int,
        book: Book,
        *,
        stars: str | None = None,
        spoilers_reach: str | None = None,
    ) -> WritePlan:
        """Check the options and that the member may write a review, before the form opens."""
        assert book.id is not None
        async with self.database.read() as conn:
            read_number = await self._read_number(conn, guild_id, user_id, book)
            scale = await settings_repo.get_scale(conn, guild_id)
        parsed_stars = scale.parse(stars) if stars is not None and stars.strip() else None
        reach = None
        if spoilers_reach is not None and spoilers_reach.strip():
            reach = SpoilerReach.parse(spoilers_reach, page_count=book.page_count)
        return WritePlan(book, parsed_stars, reach, read_number)

    async def _read_number(
        self, conn: AsyncConnection, guild_id: int, user_id: int, book: Book
    ) -> int:
        assert book.id is not None
        latest = await review_repo.latest_for(conn, guild_id, user_id, book.id)
        reads = await review_repo.readings_for(conn, guild_id, user_id, book.id)
        number = next_read_number(latest, reads)
        if number is None:
            raise Conflict(
                f"You have already reviewed {inert(book.title, 200)}. Change it with "
                "`/review edit`, or remove it with `/review delete`. (A re-read logged with "
                "`/progress start` can have a review of its own.)"
            )
        return number

    def draft_from_form(self, plan: WritePlan, form: ReviewForm) -> ReviewDraft:
        """Clean and check the form's texts (InvalidInput names the first problem)."""
        return ReviewDraft.create(
            body=form.body,
            headline=form.headline,
            spoilers=form.spoilers,
            spoiler_reach=plan.reach,
            content_warnings=form.content_warnings,
            recommended_for=form.recommended_for,
            stars=plan.stars,
            page_count=plan.book.page_count,
        )

    def draft_from_file(self, plan: WritePlan, data: bytes, filename: str) -> ReviewDraft:
        """A long review from an attached ``.txt``/``.md`` file (spoilers after the marker)."""
        text = parse_review_file(data, filename)
        return ReviewDraft.create(
            body=text.body,
            spoilers=text.spoilers,
            spoiler_reach=plan.reach,
            stars=plan.stars,
            from_file=True,
            page_count=plan.book.page_count,
        )

    @staticmethod
    def check_file_size(size: int) -> None:
        """Refuse an oversized attachment before downloading it."""
        if size > REVIEW_FILE_MAX_BYTES:
            raise InvalidInput(
                f"The file is {size / 1000:,.0f} KB; the limit is "
                f"{REVIEW_FILE_MAX_BYTES // 1000:,} KB. Shorten the review or split it."
            )

    async def write(
        self, guild_id: int, user_id: int, plan: WritePlan, draft: ReviewDraft
    ) -> ReviewContext:
        """Store a new review; its stars (if any) also become the member's rating."""
        book = plan.book
        assert book.id is not None
        now = self.clock.now()
        async with self.database.write() as conn:
            read_number = await self._read_number(conn, guild_id, user_id, book)
            review_id = await review_repo.insert(
                conn, guild_id, user_id, book.id, draft, now, read_number=read_number
            )
            if draft.stars is not None:
                await rating_repo.put(conn, guild_id, user_id, book.id, draft.stars.quarters, now)
            await book_repo.link_guild(conn, guild_id, book.id, user_id, now)
            return await self._context(conn, guild_id, review_id)

    async def editable(self, guild_id: int, user_id: int, book: Book) -> StoredReview:
        """The member's own latest review of the book, to prefill the edit form."""
        assert book.id is not None
        async with self.database.read() as conn:
            review = await review_repo.latest_for(conn, guild_id, user_id, book.id)
        if review is None:
            raise NotFound(
                f"You have not reviewed {inert(book.title, 200)} on this server. Write one with "
                "`/review write`."
            )
        return review

    async def edit(
        self, guild_id: int, user_id: int, review_id: int, form: ReviewForm
    ) -> ReviewContext:
        """Replace the review's texts; stars and spoiler reach stay as they were."""
        async with self.database.write() as conn:
            current = await self._own(conn, guild_id, user_id, review_id)
            book = await book_repo.get(conn, current.book_id)
            draft = ReviewDraft.create(
                body=form.body,
                headline=form.headline,
                spoilers=form.spoilers,
                spoiler_reach=current.spoiler_reach,
                content_warnings=form.content_warnings,
                recommended_for=form.recommended_for,
                stars=current.stars,
                page_count=book.page_count if book else None,
            )
            await review_repo.update_content(conn, guild_id, review_id, draft, self.clock.now())
            return await self._context(conn, guild_id, review_id)

    async def _own(
        self, conn: AsyncConnection, guild_id: int, user_id: int, review_id: int
    ) -> StoredReview:
        review = await review_repo.get(conn, guild_id, review_id)
        if review is None:
            raise NotFound("That review no longer exists.")
        if review.user_id != user_id:
            raise PermissionDenied("Only the author can edit a review.")
        return review

    async def add_strays(
        self, guild_id: int, review_id: int, strays: Sequence[tuple[int, int]]
    ) -> None:
        if strays:
            async with self.database.write() as conn:
                await review_repo.add_strays(conn, guild_id, review_id, strays)

    async def set_posted(
        self, guild_id: int, review_id: int, channel_id: int | None, message_ids: Sequence[int]
    ) -> None:
        async with self.database.write() as conn:
            await review_repo.set_posted(conn, guild_id, review_id, channel_id, message_ids)

    # --- reading --------------------------------------------------------------------------

    async def context(self, guild_id: int, review_id: int) -> ReviewContext:
        """The review (in this server only) with its book and rating label."""
        async with self.database.read() as conn:
            return await self._context(conn, guild_id, review_id)

    async def _context(self, conn: AsyncConnection, guild_id: int, review_id: int) -> ReviewContext:
        review = await review_repo.get(conn, guild_id, review_id)
        if review is None:
            raise NotFound("That review has been deleted.")
        book = await book_repo.get(conn, review.book_id)
        if book is None:
            raise NotFound("The book of that review is no longer known here.")
        label = None
        if review.stars is not None:
            scale: RatingScale = await settings_repo.get_scale(conn, guild_id)
            label = scale.label_for(review.stars)
        return ReviewContext(review, book, label)

    async def find(self, guild_id: int, user_id: int, book: Book) -> ReviewContext:
        """A member's (latest) review of the book in this server."""
        assert book.id is not None
        async with self.database.read() as conn:
            review = await review_repo.latest_for(conn, guild_id, user_id, book.id)
            if review is None:
                raise NotFound(
                    f"There is no review of {inert(book.title, 200)} by that member on this "
                    "server. `/review list` shows every review of the book."
                )
            return await self._context(conn, guild_id, review.id)

    async def page(
        self, guild_id: int, book: Book, *, order: ReviewOrder, page: int = 0
    ) -> ReviewPage:
        assert book.id is not None
        async with self.database.read() as conn:
            total = await review_repo.count_for_book(conn, guild_id, book.id)
            last = max(0, math.ceil(total / PAGE_SIZE) - 1)
            page = min(max(page, 0), last)
            found = await review_repo.list_for_book(
                conn, guild_id, book.id, order=order, limit=PAGE_SIZE, offset=page * PAGE_SIZE
            )
        return ReviewPage(book, tuple(found), order, page, total)

    # --- deleting -------------------------------------------------------------------------

    async def delete(
        self, guild_id: int, actor_id: int, target_id: int, book: Book, *, is_moderator: bool
    ) -> StoredReview:
        """Delete ``target_id``'s latest review of the book; others' need a moderator."""
        assert book.id is not None
        if actor_id != target_id and not is_moderator:
            raise PermissionDenied(
                "You can only delete your own review. Moderators (Manage Server or Manage "
                "Messages) can remove anyone's; to report a review, use its Flag button."
            )
        async with self.database.write() as conn:
            review = await review_repo.latest_for(conn, guild_id, target_id, book.id)
            if review is None:
                whose = "You have" if actor_id == target_id else "That member has"
                raise NotFound(f"{whose} no review of {inert(book.title, 200)} on this server.")
            await review_repo.delete(conn, guild_id, review.id)
        return review

    # --- buttons --------------------------------------------------------------------------

    async def toggle_like(self, guild_id: int, review_id: int, user_id: int) -> LikeResult:
        """The Like button: like, or take the like back; one unit of work."""
        return await self.database.run_write(
            _toggle_like, guild_id, review_id, user_id, self.clock.now()
        )

    async def check_reveal(self, guild_id: int, review_id: int, user_id: int) -> RevealCheck:
        async with self.database.read() as conn:
            context = await self._context(conn, guild_id, review_id)
            review = context.review
            if review.spoilers is None:
                raise NotFound("This review has no spoiler part; everything is in the post.")
            if review.user_id == user_id:
                return RevealCheck(context, True, "you wrote it")
            reads = await review_repo.readings_for(conn, guild_id, user_id, review.book_id)
        reach = review.spoiler_reach or SpoilerReach.ending()
        reached, progress = progress_reached(reach.position, reads)
        return RevealCheck(context, reached, progress)

    async def flag(self, guild_id: int, review_id: int, user_id: int, reason: str) -> FlagResult:
        if reason not in FLAG_REASONS:
            raise InvalidInput("Pick one of the reasons in the menu.")
        async with self.database.write() as conn:
            context = await self._context(conn, guild_id, review_id)
            if context.review.user_id == user_id:
                raise InvalidInput(
                    "That's your own review: change it with `/review edit` or remove it with "
                    "`/review delete`."
                )
            new = await review_repo.add_flag(conn, review_id, user_id, reason, self.clock.now())
            count = await review_repo.flag_count(conn, review_id)
            settings = await settings_repo.get(conn, guild_id)
        return FlagResult(context, new, count, FLAG_REASONS[reason], settings.modlog_channel_id)

    async def claim_thread(self, guild_id: int, review_id: int, thread_id: int) -> int:
        """Store the review's discussion thread once; returns the thread that is stored."""
        async with self.database.write() as conn:
            stored = await review_repo.claim_thread(conn, guild_id, review_id, thread_id)
        if stored is None:
            raise NotFound("That review has been deleted.")
        return stored

    async def forget_thread(self, guild_id: int, review_id: int) -> None:
        async with self.database.write() as conn:
            await review_repo.clear_thread(conn, guild_id, review_id)

    async def review_channel(self, guild_id: int) -> tuple[int | None, int | None]:
        """(review channel, moderator log channel) from the server's settings."""
        async with self.database.read() as conn:
            settings = await settings_repo.get(conn, guild_id)
        return settings.review_channel_id, settings.modlog_channel_id


def _toggle_like(
    conn: Connection, guild_id: int, review_id: int, user_id: int, now: datetime
) -> LikeResult:
    review = review_repo.review_in(conn, guild_id, review_id)
    if review is None:
        raise NotFound("That review has been deleted.")
    if review.user_id == user_id:
        raise InvalidInput("You can't like your own review — but others can.")
    liked = review_repo.liked_by(conn, review_id, user_id)
    if liked:
        review_repo.drop_like(conn, review_id, user_id)
    else:
        review_repo.put_like(conn, review_id, user_id, now)
    return LikeResult(review, not liked, review_repo.likes_on(conn, review_id))
