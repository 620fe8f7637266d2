"""The persistent buttons of a review post, the flag menu and the form button.

They are :class:`discord.ui.DynamicItem` subclasses whose custom ids carry the review id
(``review:like:123``), registered at start-up with ``bot.add_dynamic_items(*REVIEW_ITEMS)``,
so a click on a post from before a restart still works. A click is handed to the loaded
reviews cog's :attr:`actions` (cogs/reviews/_actions.py) through the :class:`ReviewActions`
protocol, inside the shared error chain.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, Final, Protocol, Self, runtime_checkable

import discord
from discord.ext.commands.bot import BotBase

from bot.db.reviews import StoredReview
from bot.services.reviews import FLAG_REASONS
from bot.tree import handle_interaction_error

COG_NAME: Final = "Reviews"
_ID = r"(?P<id>[0-9]{1,20})"
Interaction = discord.Interaction[Any]


@runtime_checkable
class ReviewActions(Protocol):
    """What the buttons ask of the reviews cog."""

    async def like(self, interaction: Interaction, review_id: int) -> None: ...

    async def reveal(self, interaction: Interaction, review_id: int, *, anyway: bool) -> None: ...

    async def discuss(self, interaction: Interaction, review_id: int) -> None: ...

    async def flag(self, interaction: Interaction, review_id: int) -> None: ...

    async def flag_reason(self, interaction: Interaction, review_id: int, reason: str) -> None: ...

    async def open_draft(self, interaction: Interaction, draft_id: int) -> None: ...


@runtime_checkable
class _HasActions(Protocol):
    @property
    def actions(self) -> ReviewActions: ...


async def _dispatch(
    interaction: Interaction, call: Callable[[ReviewActions], Awaitable[None]]
) -> None:
    """Run a button's action through the shared error chain (discord.py only logs errors
    raised by dynamic items, so the member would otherwise get no answer)."""
    try:
        client = interaction.client
        cog = client.get_cog(COG_NAME) if isinstance(client, BotBase) else None
        if not isinstance(cog, _HasActions):
            raise RuntimeError("the reviews cog is not loaded")
        await call(cog.actions)
    except Exception as error:
        await handle_interaction_error(interaction, error)


class _IdButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"(?!)",  # never matches: only the subclasses below are registered
):
    """A button whose custom id is ``review:<kind>:<id>``; subclasses set the template, the
    looks (:meth:`button`) and what a click does (:meth:`act`)."""

    kind: ClassVar[str]

    def __init__(self, target_id: int, button: discord.ui.Button[discord.ui.View]) -> None:
        super().__init__(button)
        self.target_id = target_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        # every subclass is made from the id alone (its other arguments have defaults)
        return cls(int(match["id"]))  # type: ignore[call-arg]

    async def act(self, actions: ReviewActions, interaction: Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: Interaction) -> None:
        await _dispatch(interaction, lambda actions: self.act(actions, interaction))


def _button(
    custom_id: str,
    label: str,
    emoji: str | None = None,
    style: discord.ButtonStyle = discord.ButtonStyle.secondary,
) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(label=label, emoji=emoji, style=style, custom_id=custom_id)


def _like_label(count: int) -> str:
    return f"Like · {count:,}" if count else "Like"


class LikeButton(_IdButton, template=rf"review:like:{_ID}"):
    def __init__(self, review_id: int, likes: int = 0) -> None:
        super().__init__(review_id, _button(f"review:like:{review_id}", _like_label(likes), "❤️"))
        self.review_id = review_id

    async def act(self, actions: ReviewActions, interaction: Interaction) -> None:
        await actions.like(interaction, self.review_id)


class RevealButton(_IdButton, template=rf"review:reveal:{_ID}(?P<anyway>:anyway)?"):
    def __init__(self, review_id: int, *, anyway: bool = False) -> None:
        super().__init__(
            review_id,
            _button(
                f"review:reveal:{review_id}" + (":anyway" if anyway else ""),
                "Reveal anyway" if anyway else "Reveal spoilers",
                "👁️",
                discord.ButtonStyle.danger if anyway else discord.ButtonStyle.secondary,
            ),
        )
        self.review_id = review_id
        self.anyway = anyway

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]), anyway=bool(match["anyway"]))

    async def act(self, actions: ReviewActions, interaction: Interaction) -> None:
        await actions.reveal(interaction, self.review_id, anyway=self.anyway)


class DiscussButton(_IdButton, template=rf"review:discuss:{_ID}"):
    def __init__(self, review_id: int) -> None:
        super().__init__(review_id, _button(f"review:discuss:{review_id}", "Discuss", "💬"))
        self.review_id = review_id

    async def act(self, actions: ReviewActions, interaction: Interaction) -> None:
        await actions.discuss(interaction, self.review_id)


class FlagButton(_IdButton, template=rf"review:flag:{_ID}"):
    def __init__(self, review_id: int) -> None:
        super().__init__(review_id, _button(f"review:flag:{review_id}", "Flag", "🚩"))
        self.review_id = review_id

    async def act(self, actions: ReviewActions, interaction: Interaction) -> None:
        await actions.flag(interaction, self.review_id)


class DraftButton(_IdButton, template=rf"review:draft:{_ID}"):
    """Opens the review form on a stored draft (``review:draft:<draft id>``)."""

    def __init__(self, draft_id: int, label: str = "Open the review form") -> None:
        super().__init__(
            draft_id,
            _button(f"review:draft:{draft_id}", label, style=discord.ButtonStyle.primary),
        )
        self.draft_id = draft_id

    async def act(self, actions: ReviewActions, interaction: Interaction) -> None:
        await actions.open_draft(interaction, self.draft_id)


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
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]))

    async def callback(self, interaction: Interaction) -> None:
        values: Sequence[str] = self.item.values
        reason = values[0] if values else ""
        await _dispatch(
            interaction, lambda actions: actions.flag_reason(interaction, self.review_id, reason)
        )


REVIEW_ITEMS: Final = (
    LikeButton,
    RevealButton,
    DiscussButton,
    FlagButton,
    FlagReasonSelect,
    DraftButton,
)


def _persistent(*items: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def review_view(review: StoredReview, *, likes: int | None = None) -> discord.ui.View:
    """The persistent buttons of a post: Like (with count), Reveal spoilers, Discuss, Flag."""
    view = _persistent(LikeButton(review.id, review.likes if likes is None else likes))
    if review.spoilers:
        view.add_item(RevealButton(review.id))
    view.add_item(DiscussButton(review.id))
    view.add_item(FlagButton(review.id))
    return view


def reveal_anyway_view(review_id: int) -> discord.ui.View:
    """The confirm button under the reveal warning."""
    return _persistent(RevealButton(review_id, anyway=True))


def flag_view(review_id: int) -> discord.ui.View:
    """The reasons menu of the Flag button."""
    return _persistent(FlagReasonSelect(review_id))


def draft_view(draft_id: int, label: str) -> discord.ui.View:
    """A persistent button that opens the review form on a draft (works after restarts)."""
    return _persistent(DraftButton(draft_id, label))
