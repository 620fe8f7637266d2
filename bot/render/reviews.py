"""Reviews as Discord shows them: the post (one or more messages), its persistent buttons, the
review form, the spoiler reveal, the flag menu, the list pages and the moderator-log cards.

Spoiler safety lives in :mod:`bot.domain.markdown` and :mod:`bot.domain.spoilers`; this
module only arranges their output: member text goes through ``inert``/``paginate`` (escaped,
its own ``||…||`` parts kept hidden), the spoiler part only through ``paginate_spoiler`` (one
closed ``||…||`` span per page), content warnings through spoiler spans too. A spoiler page
is always an embed of its own, under a title of the bot's: no description holds both
spoiler-free text and the spoiler part. A long review continues over several embeds and
messages with "part n of m" footers; nothing is cut.

The buttons are :class:`discord.ui.DynamicItem` subclasses whose custom ids carry the review
id (``review:like:123``), registered at start-up with ``bot.add_dynamic_items(*REVIEW_ITEMS)``,
so a click on a post from before a restart still works. A click is handed to the loaded
reviews cog through the :class:`ReviewActions` protocol.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Protocol, Self, runtime_checkable

import discord
from discord.ext.commands.bot import BotBase

from bot.db.review_drafts import StoredDraft
from bot.db.reviews import StoredReview
from bot.domain.book import Book
from bot.domain.discord_limits import (
    EMBED_AUTHOR_NAME_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    MODAL_TITLE_LIMIT,
)
from bot.domain.markdown import has_member_spoilers, inert, inert_heading, plain
from bot.domain.review import ReviewOrder
from bot.domain.spoilers import (
    group_for_messages,
    paginate,
    paginate_spoiler,
)
from bot.domain.text import is_blank, strip_control_chars
from bot.domain.words import book_line, message_url, ordinal, plural
from bot.render._kit import PagerView
from bot.services.review_drafts import form_of
from bot.services.reviews import (
    FLAG_REASONS,
    PAGE_SIZE,
    FlagResult,
    RevealCheck,
    ReviewContext,
    ReviewForm,
    ReviewPage,
)
from bot.tree import ERROR_COLOUR, handle_interaction_error

REVIEWS_COG_NAME: Final = "Reviews"
REVIEW_COLOUR: Final = discord.Colour.from_rgb(120, 86, 160)
MODLOG_COLOUR: Final = discord.Colour.orange()
# Room kept for the "Review #123 · part 10 of 12 — continues below" footer in every message.
FOOTER_RESERVE: Final = 80
EXCERPT_LENGTH: Final = 220
_ID = r"(?P<id>[0-9]{1,20})"


def review_jump_url(review: StoredReview) -> str | None:
    return message_url(review.guild_id, review.channel_id, review.message_id)


def _book_line(book: Book) -> str:
    """For the embed's author line, where Discord shows text raw (no Markdown)."""
    line = book_line(book.display_title, book.author_line, sep=" — ")
    return plain(line, EMBED_AUTHOR_NAME_LIMIT)


def _safe_title(text: str) -> str:
    return inert_heading(text, EMBED_TITLE_LIMIT)


def rating_text(context: ReviewContext) -> str | None:
    stars = context.review.stars
    if stars is None:
        return None
    label = f" — {inert(context.rating_label, 200)}" if context.rating_label else ""
    return f"{stars.display()}{label}"


# --- the post ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostPage:
    """One embed's text: a page of the spoiler-free part, or a spoiler page under a title."""

    description: str
    title: str | None = None

    def __len__(self) -> int:
        return len(self.description) + len(self.title or "")


def _shown(part: str | None) -> str | None:
    """An optional part of the review, or None when nothing of it would be visible (a
    stored or imported part made only of invisible characters is left out, never posted as
    a blank field)."""
    return None if part is None or is_blank(strip_control_chars(part)) else part


def _headline_in_title(context: ReviewContext) -> bool:
    """A headline with a member's own ``||…||`` part goes in the description, where spoiler
    tags work, not in the title."""
    headline = _shown(context.review.headline)
    return headline is not None and not has_member_spoilers(headline)


def _first_embed(context: ReviewContext) -> discord.Embed:
    """The head of the post: everything but the text pages and the footer."""
    review, book = context.review, context.book
    title = review.headline if _headline_in_title(context) else None
    embed = discord.Embed(
        title=_safe_title(title or f"Review of {book.display_title}"),
        colour=REVIEW_COLOUR,
    )
    embed.timestamp = review.created_at
    embed.set_author(name=_book_line(book))
    if book.cover_url:
        embed.set_thumbnail(url=book.cover_url)
    embed.add_field(name="Reviewer", value=f"<@{review.user_id}>")
    rating = rating_text(context)
    if rating:
        embed.add_field(name="Rating", value=rating)
    if review.read_number > 1:
        embed.add_field(name="Read-through", value=f"{ordinal(review.read_number)} read")
    recommended = inert(_shown(review.recommended_for) or "", EMBED_FIELD_VALUE_LIMIT)
    if recommended:
        embed.add_field(name="Recommended for", value=recommended)
    warnings = paginate_spoiler(_shown(review.content_warnings) or "", EMBED_FIELD_VALUE_LIMIT)
    for index, span in enumerate(warnings):
        name = "Content warnings" if index == 0 else "Content warnings (continued)"
        embed.add_field(name=name, value=span, inline=False)
    return embed


def _spoiler_title(context: ReviewContext, *, continued: bool) -> str:
    reach = context.review.spoiler_reach
    where = reach.describe() if reach else "the ending"
    more = ", continued" if continued else ""
    return f"Spoilers (up to {where}{more}) — tap to reveal"


def description_pages(context: ReviewContext, limit: int) -> list[PostPage]:
    """The spoiler-free pages (a headline holding a member's spoiler tags on top), then the
    spoiler pages, each alone in its embed under a title."""
    review = context.review
    text = review.body
    headline = _shown(review.headline)
    if headline and not _headline_in_title(context):
        text = f"{headline}\n\n{text}" if text else headline
    pages = [PostPage(page) for page in paginate(text, limit)] if text else []
    if review.spoilers:
        first_title = _spoiler_title(context, continued=False)
        later_title = _spoiler_title(context, continued=True)
        spans = paginate_spoiler(review.spoilers, limit - len(later_title))
        pages.extend(
            PostPage(span, first_title if index == 0 else later_title)
            for index, span in enumerate(spans)
        )
    return pages


def review_messages(context: ReviewContext) -> list[list[discord.Embed]]:
    """The post as messages of embeds, in order; the first message carries the head.

    Every embed fits Discord's limits (4,096-character descriptions, 6,000 characters and
    10 embeds per message), counted after escaping.
    """
    head = _first_embed(context)
    reserved_first = len(head)
    limit = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - reserved_first - FOOTER_RESERVE)
    pages = description_pages(context, limit)
    if pages and pages[0].title is None:
        head.description = pages.pop(0).description
        reserved_first = len(head)
    groups = group_for_messages(
        [PostPage(""), *pages], reserved_first=reserved_first, reserved_each=FOOTER_RESERVE
    )
    messages: list[list[discord.Embed]] = []
    for index, group in enumerate(groups):
        embeds: list[discord.Embed] = []
        for position, page in enumerate(group):
            if index == 0 and position == 0:
                embeds.append(head)
            else:
                embed = discord.Embed(description=page.description, colour=REVIEW_COLOUR)
                if page.title:
                    embed.title = page.title
                embeds.append(embed)
        embeds[-1].set_footer(text=_footer(context.review.id, index, len(groups)))
        messages.append(embeds)
    return messages


def _footer(review_id: int, index: int, total: int) -> str:
    if total == 1:
        return f"Review #{review_id}"
    more = " — continues below" if index + 1 < total else ""
    return f"Review #{review_id} · part {index + 1} of {total}{more}"


def review_view(review: StoredReview, *, likes: int | None = None) -> discord.ui.View:
    """The persistent buttons of a post: Like (with count), Reveal spoilers, Discuss, Flag."""
    view = discord.ui.View(timeout=None)
    view.add_item(LikeButton(review.id, review.likes if likes is None else likes))
    if review.spoilers:
        view.add_item(RevealButton(review.id))
    view.add_item(DiscussButton(review.id))
    view.add_item(FlagButton(review.id))
    return view


def link_view(url: str | None, label: str = "Go to the post") -> discord.ui.View | None:
    if url is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=label, url=url))
    return view


# --- the spoiler reveal ------------------------------------------------------------------


def reveal_messages(context: ReviewContext) -> list[list[discord.Embed]]:
    """The spoiler part as plain text (for the member who asked, ephemerally)."""
    review = context.review
    reach = review.spoiler_reach
    title = _safe_title(
        f"Spoilers — {_shown(review.headline) or context.book.display_title}"
        + (f" (up to {reach.describe()})" if reach else "")
    )
    limit = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE)
    pages = paginate(review.spoilers or "", limit)
    groups = group_for_messages(pages, reserved_first=len(title), reserved_each=FOOTER_RESERVE)
    messages: list[list[discord.Embed]] = []
    for index, group in enumerate(groups):
        embeds = [discord.Embed(description=page, colour=REVIEW_COLOUR) for page in group]
        if index == 0:
            embeds[0].title = title
        embeds[-1].set_footer(text=_footer(review.id, index, len(groups)))
        messages.append(embeds)
    return messages


def reveal_warning(check: RevealCheck) -> tuple[str, discord.ui.View]:
    """ "This goes to p. 250; you are on p. 120 — reveal anyway?" with a confirm button."""
    reach = check.context.review.spoiler_reach
    where = reach.describe() if reach else "the ending"
    text = f"This goes to {where}; {check.progress} — reveal anyway?"
    view = discord.ui.View(timeout=None)
    view.add_item(RevealButton(check.context.review.id, anyway=True))
    return text, view


# --- flags and the moderators' log -------------------------------------------------------


def flag_prompt(review_id: int) -> tuple[str, discord.ui.View]:
    view = discord.ui.View(timeout=None)
    view.add_item(FlagReasonSelect(review_id))
    return "Why should moderators look at this review?", view


def _excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    return inert(" ".join(text.split()), length)


def modlog_flag_embed(result: FlagResult, flagger_id: int) -> discord.Embed:
    review = result.context.review
    embed = discord.Embed(
        title="Review flagged",
        description=_excerpt(review.body) if review.body else "*(spoiler part only)*",
        colour=MODLOG_COLOUR,
    )
    embed.set_author(name=_book_line(result.context.book))
    embed.add_field(name="Review", value=f"#{review.id} by <@{review.user_id}>")
    embed.add_field(name="Flagged by", value=f"<@{flagger_id}>")
    embed.add_field(name="Reason", value=result.reason, inline=False)
    members = plural(result.count, "member")
    embed.add_field(name="Flags so far", value=members)
    url = review_jump_url(review)
    if url:
        embed.add_field(name="Post", value=f"[Open the review]({url})")
    embed.set_footer(text="Remove it with /review delete book member (moderators).")
    return embed


def modlog_removed_embed(review: StoredReview, book: Book, moderator_id: int) -> discord.Embed:
    embed = discord.Embed(
        title="Review removed by a moderator",
        description=f"Review #{review.id} by <@{review.user_id}>, removed by <@{moderator_id}>.",
        colour=MODLOG_COLOUR,
    )
    embed.set_author(name=_book_line(book))
    return embed


def modlog_posting_failed_embed(review_id: int, channel_id: int, reason: str) -> discord.Embed:
    return discord.Embed(
        title="A review could not be posted",
        description=(
            f"Review #{review_id} could not be posted in <#{channel_id}>: {reason} "
            "Check the bot's permissions there (View Channel, Send Messages, Embed Links)."
        ),
        colour=MODLOG_COLOUR,
    )


# --- /review list ------------------------------------------------------------------------


def review_list_embed(page: ReviewPage) -> discord.Embed:
    """One page of reviews: who, rating, headline, likes and a spoiler-free excerpt."""
    order = "most liked first" if page.order is ReviewOrder.MOST_LIKED else "newest first"
    embed = discord.Embed(
        title=_safe_title(f"Reviews of {page.book.display_title}"), colour=REVIEW_COLOUR
    )
    if not page.reviews:
        embed.description = "No reviews on this server yet. Write the first with `/review write`."
        return embed
    blocks: list[str] = []
    for number, review in enumerate(page.reviews, start=page.page * PAGE_SIZE + 1):
        parts = [f"**{number}.** <@{review.user_id}>"]
        if review.stars is not None:
            parts.append(review.stars.display())
        parts.append(f"♥ {review.likes}")
        url = review_jump_url(review)
        if url:
            parts.append(f"[post]({url})")
        lines = [" · ".join(parts)]
        if headline := _shown(review.headline):
            lines.append(f"**{inert(headline, 200)}**")
        if review.body:
            lines.append(_excerpt(review.body))
        if review.spoilers:
            reach = review.spoiler_reach
            lines.append(
                f"*Spoilers up to {reach.describe() if reach else 'the ending'} in the post*"
            )
        blocks.append("\n".join(lines))
    # five blocks of at most ~1,000 characters each: always within the 4,096 limit, and
    # never cut (a cut could split an escape or a spoiler span)
    embed.description = "\n\n".join(blocks)
    embed.set_footer(
        text=f"Page {page.page + 1} of {page.page_count} · {page.total} reviews · {order}"
    )
    return embed


PageLoader = Callable[[int, ReviewOrder], Awaitable[ReviewPage]]


def _sort_label(order: ReviewOrder) -> str:
    return "Sort: newest first" if order is ReviewOrder.MOST_LIKED else "Sort: most liked first"


def review_list_view(page: ReviewPage, load: PageLoader, *, owner_id: int) -> PagerView:
    """Previous / Next / sort buttons for the member who ran ``/review list``."""
    current = page
    sort: discord.ui.Button[PagerView] = discord.ui.Button(
        label=_sort_label(page.order), style=discord.ButtonStyle.primary
    )

    async def turn(index: int, order: ReviewOrder | None = None) -> tuple[discord.Embed, int, int]:
        nonlocal current
        current = await load(index, current.order if order is None else order)
        sort.label = _sort_label(current.order)
        return review_list_embed(current), current.page, current.page_count

    view = PagerView(
        turn,
        owner_id=owner_id,
        page_count=page.page_count,
        index=page.page,
        refusal="These buttons belong to someone else's list; run `/review list` yourself.",
    )

    async def flip_order(interaction: discord.Interaction[Any]) -> None:
        liked = current.order is ReviewOrder.MOST_LIKED
        embed, view.index, view.page_count = await turn(
            0, ReviewOrder.NEWEST if liked else ReviewOrder.MOST_LIKED
        )
        view.sync()
        await interaction.response.edit_message(embed=embed, view=view)

    sort.callback = flip_order  # type: ignore[method-assign]
    view.add_item(sort)
    return view


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


def draft_view(draft_id: int, label: str) -> discord.ui.View:
    """A persistent button that opens the review form on a draft (works after restarts)."""
    view = discord.ui.View(timeout=None)
    view.add_item(DraftButton(draft_id, label))
    return view


def form_error_embed(message: str) -> discord.Embed:
    return discord.Embed(
        title="That didn't work",
        description=f"{message}\n\nYour text is kept: press the button to fix it and send again.",
        colour=ERROR_COLOUR,
    )


# --- persistent buttons ------------------------------------------------------------------


@runtime_checkable
class ReviewActions(Protocol):
    """What the buttons ask of the reviews cog (found by name on the running bot)."""

    async def like(self, interaction: discord.Interaction[Any], review_id: int) -> None: ...

    async def reveal(
        self, interaction: discord.Interaction[Any], review_id: int, *, anyway: bool
    ) -> None: ...

    async def discuss(self, interaction: discord.Interaction[Any], review_id: int) -> None: ...

    async def flag(self, interaction: discord.Interaction[Any], review_id: int) -> None: ...

    async def flag_reason(
        self, interaction: discord.Interaction[Any], review_id: int, reason: str
    ) -> None: ...

    async def open_draft(self, interaction: discord.Interaction[Any], draft_id: int) -> None: ...


async def _dispatch(
    interaction: discord.Interaction[Any], call: Callable[[ReviewActions], Awaitable[None]]
) -> None:
    """Run a button's action through the shared error chain (discord.py only logs errors
    raised by dynamic items, so the member would otherwise get no answer)."""
    try:
        client = interaction.client
        cog = client.get_cog(REVIEWS_COG_NAME) if isinstance(client, BotBase) else None
        if not isinstance(cog, ReviewActions):
            raise RuntimeError("the reviews cog is not loaded")
        await call(cog)
    except Exception as error:
        await handle_interaction_error(interaction, error)


def _like_label(count: int) -> str:
    return f"Like · {count:,}" if count else "Like"


class LikeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"review:like:{_ID}",
):
    def __init__(self, review_id: int, likes: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=_like_label(likes),
                emoji="❤️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"review:like:{review_id}",
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> LikeButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(interaction, lambda actions: actions.like(interaction, self.review_id))


class RevealButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"review:reveal:{_ID}(?P<anyway>:anyway)?",
):
    def __init__(self, review_id: int, *, anyway: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Reveal anyway" if anyway else "Reveal spoilers",
                emoji="👁️",
                style=discord.ButtonStyle.danger if anyway else discord.ButtonStyle.secondary,
                custom_id=f"review:reveal:{review_id}" + (":anyway" if anyway else ""),
            )
        )
        self.review_id = review_id
        self.anyway = anyway

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RevealButton:
        return cls(int(match["id"]), anyway=bool(match["anyway"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(
            interaction,
            lambda actions: actions.reveal(interaction, self.review_id, anyway=self.anyway),
        )


class _ReviewActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"(?!)",  # never matches: only the subclasses below are registered
):
    """A plain button whose custom id is ``review:<action>:<review id>``; clicking it calls
    the ``<action>`` method of the review cog. Subclasses set the template and the looks."""

    action: ClassVar[str]
    button_label: ClassVar[str]
    button_emoji: ClassVar[str]

    def __init__(self, review_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.button_label,
                emoji=self.button_emoji,
                style=discord.ButtonStyle.secondary,
                custom_id=f"review:{self.action}:{review_id}",
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(
            interaction,
            lambda actions: getattr(actions, self.action)(interaction, self.review_id),
        )


class DiscussButton(_ReviewActionButton, template=rf"review:discuss:{_ID}"):
    action = "discuss"
    button_label = "Discuss"
    button_emoji = "💬"


class FlagButton(_ReviewActionButton, template=rf"review:flag:{_ID}"):
    action = "flag"
    button_label = "Flag"
    button_emoji = "🚩"


class FlagReasonSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=rf"review:flag-reason:{_ID}",
):
    def __init__(self, review_id: int) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"review:flag-reason:{review_id}",
                placeholder="Pick a reason",
                options=[
                    discord.SelectOption(label=text, value=key)
                    for key, text in FLAG_REASONS.items()
                ],
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FlagReasonSelect:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values: Sequence[str] = self.item.values
        reason = values[0] if values else ""
        await _dispatch(
            interaction, lambda actions: actions.flag_reason(interaction, self.review_id, reason)
        )


class DraftButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"review:draft:{_ID}",
):
    """Opens the review form on a stored draft (``review:draft:<draft id>``)."""

    def __init__(self, draft_id: int, label: str = "Open the review form") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"review:draft:{draft_id}",
            )
        )
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DraftButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(interaction, lambda actions: actions.open_draft(interaction, self.draft_id))


REVIEW_ITEMS: Final = (
    LikeButton,
    RevealButton,
    DiscussButton,
    FlagButton,
    FlagReasonSelect,
    DraftButton,
)
