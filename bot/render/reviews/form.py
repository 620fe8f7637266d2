"""The review form: a modal on a stored draft, read back from the submission (answered by
the cog's ``on_interaction``, so a form sent after a restart still arrives), and its errors."""

from __future__ import annotations

import re
from typing import Any, Final

import discord

from bot.db.review_drafts import StoredDraft
from bot.domain.book import Book
from bot.domain.discord_limits import (
    MODAL_TITLE_LIMIT,
)
from bot.domain.markdown import plain
from bot.services.review_drafts import form_of
from bot.services.reviews import (
    ReviewForm,
)
from bot.tree import ERROR_COLOUR

# --- the review form ---------------------------------------------------------------------

FORM_PREFIX: Final = "review:form:"
_FORM_ID = re.compile(rf"{FORM_PREFIX}(?P<id>[0-9]{{1,20}})")


def _input(
    label: str,
    description: str,
    *,
    custom_id: str,
    default: str,
    max_length: int,
    long: bool = False,
    required: bool = False,
    placeholder: str | None = None,
) -> discord.ui.Label[ReviewModal]:
    text_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.long if long else discord.TextStyle.short,
        default=default or None,
        required=required,
        max_length=max_length,
        placeholder=placeholder,
    )
    return discord.ui.Label(text=label, description=description, component=text_input)


class ReviewModal(discord.ui.Modal):
    """The five inputs of SPEC §5: headline, review, spoilers, content warnings, recommended
    for. Its custom id names the draft (``review:form:<draft id>``); the submission is
    answered by the reviews cog's listener, never by discord.py's modal store (which forgets
    a form after a timeout or a restart), so :meth:`is_finished` says so."""

    def __init__(self, *, title: str, form: ReviewForm, draft_id: int) -> None:
        super().__init__(title=plain(title, MODAL_TITLE_LIMIT), timeout=None)
        self.custom_id = f"{FORM_PREFIX}{draft_id}"
        for part in (
            _input(
                "Headline",
                "Optional: your review in a few words.",
                custom_id="headline",
                default=form.headline,
                max_length=256,
            ),
            _input(
                "Review",
                "The spoiler-free part: everyone sees it.",
                custom_id="review",
                default=form.body,
                max_length=4000,
                long=True,
                required=True,
            ),
            _input(
                "Spoilers",
                "Optional: the part that reveals the plot. It is hidden behind a spoiler tag.",
                custom_id="spoilers",
                default=form.spoilers,
                max_length=4000,
                long=True,
            ),
            _input(
                "Content warnings",
                "Optional: shown behind a spoiler tag.",
                custom_id="content_warnings",
                default=form.content_warnings,
                max_length=1000,
                long=True,
            ),
            _input(
                "Recommended for",
                "Optional: who would enjoy it?",
                custom_id="recommended_for",
                default=form.recommended_for,
                max_length=256,
                placeholder="almost anyone",
            ),
        ):
            self.add_item(part)

    def is_finished(self) -> bool:
        return True  # nothing for discord.py to keep: see the class docstring


def review_modal(draft: StoredDraft, book: Book) -> ReviewModal:
    verb = "Review" if draft.review_id is None else "Edit"
    return ReviewModal(title=f"{verb}: {book.title}", form=form_of(draft), draft_id=draft.id)


def form_draft_id(interaction: discord.Interaction[Any]) -> int | None:
    """The draft a submitted review form belongs to, or None for any other interaction."""
    if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
        return None
    match = _FORM_ID.fullmatch(str(interaction.data.get("custom_id", "")))
    return int(match["id"]) if match else None


def submitted_form(interaction: discord.Interaction[Any]) -> ReviewForm:
    """The texts of a submitted review form (inputs inside labels or action rows)."""
    values: dict[str, str] = {}
    data: dict[str, Any] = dict(interaction.data or {})
    stack: list[Any] = list(data.get("components") or [])
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("custom_id"), str) and isinstance(node.get("value"), str):
            values[node["custom_id"]] = node["value"]
        stack.extend(node.get("components") or [])
        if isinstance(node.get("component"), dict):
            stack.append(node["component"])
    return ReviewForm(
        body=values.get("review", ""),
        headline=values.get("headline", ""),
        spoilers=values.get("spoilers", ""),
        content_warnings=values.get("content_warnings", ""),
        recommended_for=values.get("recommended_for", ""),
    )


def form_error_embed(message: str) -> discord.Embed:
    return discord.Embed(
        title="That didn't work",
        description=f"{message}\n\nYour text is kept: press the button to fix it and send again.",
        colour=ERROR_COLOUR,
    )
