"""Review drafts: what a member typed into the review form is kept until the review is stored.

A review form is a Discord modal, answered once; the bot keeps the text in the database as
soon as it arrives, before checking it, so a refused form, an expired button, a restart or a
form left open for hours never loses what was typed. Opening the form for the same book
again continues the draft. Drafts are bounded: :data:`MAX_DRAFTS_PER_MEMBER` per member and
server, and none older than :data:`DRAFT_RETENTION`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.db import review_drafts as draft_repo
from bot.db.engine import Database
from bot.db.review_drafts import StoredDraft
from bot.db.reviews import StoredReview
from bot.domain.clock import Clock
from bot.errors import NotFound, PermissionDenied
from bot.services.reviews import ReviewForm

MAX_DRAFTS_PER_MEMBER: Final = 25
DRAFT_RETENTION: Final = timedelta(days=60)
# the form's own limits (the modal cannot send more); a stored text never exceeds them
TEXT_LIMITS: Final = {
    "headline": 256,
    "body": 4000,
    "spoilers": 4000,
    "content_warnings": 1000,
    "recommended_for": 256,
}


def form_of(draft: StoredDraft) -> ReviewForm:
    """The draft's text, to prefill the form."""
    return ReviewForm(
        body=draft.body,
        headline=draft.headline,
        spoilers=draft.spoilers,
        content_warnings=draft.content_warnings,
        recommended_for=draft.recommended_for,
    )


def _texts(form: ReviewForm) -> dict[str, str]:
    values = {
        "headline": form.headline,
        "body": form.body,
        "spoilers": form.spoilers,
        "content_warnings": form.content_warnings,
        "recommended_for": form.recommended_for,
    }
    return {key: value[: TEXT_LIMITS[key]] for key, value in values.items()}


class ReviewDraftService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def open_for_write(
        self,
        guild_id: int,
        user_id: int,
        book_id: int,
        *,
        stars: str | None,
        spoilers_reach: str | None,
    ) -> StoredDraft:
        """The draft of a new review of the book: the one in progress, else a new one.

        Options given now replace the draft's; options left out keep the draft's.
        """
        return await self._open(
            guild_id,
            user_id,
            book_id,
            review_id=None,
            stars=stars,
            spoilers_reach=spoilers_reach,
            initial=ReviewForm(),
        )

    async def open_for_edit(self, guild_id: int, user_id: int, review: StoredReview) -> StoredDraft:
        """The draft of an edit of ``review``: the edit in progress, else the review's text."""
        initial = ReviewForm(
            body=review.body,
            headline=review.headline or "",
            spoilers=review.spoilers or "",
            content_warnings=review.content_warnings or "",
            recommended_for=review.recommended_for or "",
        )
        return await self._open(
            guild_id,
            user_id,
            review.book_id,
            review_id=review.id,
            stars=None,
            spoilers_reach=None,
            initial=initial,
        )

    async def _open(
        self,
        guild_id: int,
        user_id: int,
        book_id: int,
        *,
        review_id: int | None,
        stars: str | None,
        spoilers_reach: str | None,
        initial: ReviewForm,
    ) -> StoredDraft:
        now = self.clock.now()
        async with self.database.write() as conn:
            await draft_repo.prune(
                conn,
                guild_id,
                user_id,
                keep=MAX_DRAFTS_PER_MEMBER - 1,
                older_than=now - DRAFT_RETENTION,
            )
            current = await draft_repo.for_book(conn, guild_id, user_id, book_id)
            if current is None:
                draft_id = await draft_repo.insert(
                    conn,
                    guild_id=guild_id,
                    user_id=user_id,
                    book_id=book_id,
                    review_id=review_id,
                    stars=stars,
                    spoilers_reach=spoilers_reach,
                    texts=_texts(initial),
                    now=now,
                )
            else:
                draft_id = current.id
                values: dict[str, object] = {}
                if current.review_id != review_id or not current.has_text:
                    # another review (or nothing typed yet): start from this one's text
                    values.update(review_id=review_id, **_texts(initial))
                    values.update(stars=stars, spoilers_reach=spoilers_reach)
                else:
                    if stars is not None:
                        values["stars"] = stars
                    if spoilers_reach is not None:
                        values["spoilers_reach"] = spoilers_reach
                await draft_repo.update_draft(conn, guild_id, draft_id, now, **values)
            draft = await draft_repo.get(conn, guild_id, draft_id)
        assert draft is not None
        return draft

    async def own(self, guild_id: int, user_id: int, draft_id: int) -> StoredDraft:
        async with self.database.read() as conn:
            draft = await draft_repo.get(conn, guild_id, draft_id)
        return _check_owner(draft, user_id)

    async def save(
        self, guild_id: int, user_id: int, draft_id: int, form: ReviewForm
    ) -> StoredDraft:
        """Keep what the member sent, before anything checks it."""
        async with self.database.write() as conn:
            draft = _check_owner(await draft_repo.get(conn, guild_id, draft_id), user_id)
            await draft_repo.update_draft(
                conn, guild_id, draft.id, self.clock.now(), **_texts(form)
            )
            saved = await draft_repo.get(conn, guild_id, draft.id)
        assert saved is not None
        return saved

    async def discard(self, guild_id: int, draft_id: int) -> None:
        async with self.database.write() as conn:
            await draft_repo.remove(conn, guild_id, draft_id)


def _check_owner(draft: StoredDraft | None, user_id: int) -> StoredDraft:
    if draft is None:
        raise NotFound(
            "That review form is gone: the review was sent already, or the draft was "
            "deleted. Start again with `/review write` or `/review edit`."
        )
    if draft.user_id != user_id:
        raise PermissionDenied(
            "This form belongs to someone else. Use `/review write` for your own review."
        )
    return draft
