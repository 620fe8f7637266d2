"""The views every renderer shares: :class:`OwnerView` (buttons only the member who ran the
command may press) and :class:`PagerView` (Previous / Next over pages of embeds).

Their errors go through the tree's one error chain (:func:`bot.tree.handle_interaction_error`),
and when they time out their buttons are shown disabled, so nobody presses a dead button.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import discord

from bot.tree import handle_interaction_error

log = logging.getLogger(__name__)

OWNER_ONLY: Final = "These buttons belong to someone else's command."
PAGER_TIMEOUT_S: Final = 600.0


class OwnerView(discord.ui.View):
    """A view whose components only ``owner_id`` may use; anyone else gets ``refusal`` (an
    ephemeral reply). Set :attr:`message` to the message the view is on (``respond`` in
    cogs/_book_option.py does) so a timeout can show its buttons disabled; without it, the
    last interaction on the view is used when there is one."""

    refusal: str = OWNER_ONLY

    def __init__(
        self, *, owner_id: int, timeout: float | None = 180.0, refusal: str | None = None
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        if refusal is not None:
            self.refusal = refusal
        self.message: discord.Message | None = None
        self._last: discord.Interaction[Any] | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(self.refusal, ephemeral=True)
            return False
        self._last = interaction
        return True

    async def on_error(
        self,
        interaction: discord.Interaction[Any],
        error: Exception,
        item: discord.ui.Item[Any],
        /,
    ) -> None:
        await handle_interaction_error(interaction, error)

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        try:
            if self.message is not None:
                await self.message.edit(view=self)
            elif self._last is not None:
                await self._last.edit_original_response(view=self)
        except discord.HTTPException as error:  # gone, or the token expired: nothing to show
            log.debug("could not disable a timed-out view: %s", error)


# (embed shown, page index shown, page count) for a requested page index
PageTurn = Callable[[int], Awaitable[tuple[discord.Embed, int, int]]]


class PagerView(OwnerView):
    """◀ Previous / Next ▶ over pages that ``turn`` renders on demand (it may clamp the index
    and change the count, e.g. when the list changed meanwhile). :meth:`of_embeds` pages
    through embeds computed up front. More buttons (a sort order…) can be added with
    :meth:`add_item`; they come after Previous and Next."""

    def __init__(
        self,
        turn: PageTurn,
        *,
        owner_id: int,
        page_count: int,
        index: int = 0,
        timeout: float | None = PAGER_TIMEOUT_S,
        refusal: str | None = None,
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout, refusal=refusal)
        self.turn = turn
        self.index = index
        self.page_count = page_count
        self.sync()

    @classmethod
    def of_embeds(cls, pages: Sequence[discord.Embed], *, owner_id: int) -> PagerView:
        embeds = list(pages)

        async def turn(index: int) -> tuple[discord.Embed, int, int]:
            index = max(0, min(index, len(embeds) - 1))
            return embeds[index], index, len(embeds)

        return cls(turn, owner_id=owner_id, page_count=len(embeds))

    def sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index + 1 >= self.page_count

    async def show(self, interaction: discord.Interaction[Any], index: int) -> None:
        embed, self.index, self.page_count = await self.turn(index)
        self.sync()
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[PagerView]
    ) -> None:
        await self.show(interaction, self.index - 1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[PagerView]
    ) -> None:
        await self.show(interaction, self.index + 1)
