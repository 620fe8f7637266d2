"""The shared views: owner-only buttons, one error path, disabled on timeout, the pager."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, create_autospec

import discord
import pytest

from bot.render._kit import OWNER_ONLY, OwnerView, PagerView


def _interaction(user_id: int) -> Any:
    interaction = create_autospec(discord.Interaction, instance=True)
    interaction.user = create_autospec(discord.User, instance=True)
    interaction.user.id = user_id
    interaction.response = create_autospec(discord.InteractionResponse, instance=True)
    interaction.edit_original_response = AsyncMock()
    return interaction


async def test_only_the_owner_may_press() -> None:
    view = OwnerView(owner_id=1)
    assert await view.interaction_check(_interaction(1)) is True
    stranger = _interaction(2)
    assert await view.interaction_check(stranger) is False
    stranger.response.send_message.assert_awaited_once_with(OWNER_ONLY, ephemeral=True)


async def test_a_view_can_say_whose_it_is() -> None:
    class Menu(OwnerView):
        refusal = "This menu belongs to someone else's command."

    stranger = _interaction(2)
    assert await Menu(owner_id=1).interaction_check(stranger) is False
    stranger.response.send_message.assert_awaited_once_with(Menu.refusal, ephemeral=True)
    other = _interaction(2)
    await OwnerView(owner_id=1, refusal="mine").interaction_check(other)
    other.response.send_message.assert_awaited_once_with("mine", ephemeral=True)


async def test_timeout_disables_every_button_and_edits_the_message() -> None:
    view = PagerView.of_embeds([discord.Embed(title="1"), discord.Embed(title="2")], owner_id=1)
    message = create_autospec(discord.Message, instance=True)
    view.message = message
    await view.on_timeout()
    assert all(getattr(item, "disabled", True) for item in view.children)
    message.edit.assert_awaited_once_with(view=view)


async def test_timeout_without_a_message_uses_the_last_press() -> None:
    view = OwnerView(owner_id=1)
    view.add_item(discord.ui.Button(label="x"))
    owner = _interaction(1)
    await view.interaction_check(owner)
    await view.on_timeout()
    owner.edit_original_response.assert_awaited_once_with(view=view)


async def test_timeout_survives_a_message_that_is_gone() -> None:
    view = OwnerView(owner_id=1)
    message = create_autospec(discord.Message, instance=True)
    message.edit.side_effect = discord.NotFound(AsyncMock(status=404, reason="gone"), "gone")
    view.message = message
    await view.on_timeout()  # no exception


async def test_errors_go_through_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[BaseException] = []

    async def handler(interaction: Any, error: BaseException) -> None:
        seen.append(error)

    monkeypatch.setattr("bot.render._kit.handle_interaction_error", handler)
    boom = RuntimeError("boom")
    await OwnerView(owner_id=1).on_error(_interaction(1), boom, discord.ui.Button(label="x"))
    assert seen == [boom]


async def test_pager_over_embeds() -> None:
    pages = [discord.Embed(title=str(i)) for i in range(3)]
    view = PagerView.of_embeds(pages, owner_id=1)
    assert [b.label for b in view.children if isinstance(b, discord.ui.Button)] == [
        "◀ Previous",
        "Next ▶",
    ]
    assert view.previous.disabled and not view.next.disabled
    press = _interaction(1)
    await view.show(press, 5)  # past the end: the last page
    press.response.edit_message.assert_awaited_once_with(embed=pages[2], view=view)
    assert view.index == 2 and view.next.disabled and not view.previous.disabled
    await view.show(_interaction(1), 1)
    assert view.index == 1 and not view.next.disabled and not view.previous.disabled


async def test_pager_takes_the_count_from_its_pages() -> None:
    async def turn(index: int) -> tuple[discord.Embed, int, int]:
        return discord.Embed(title="only"), 0, 1  # the list shrank meanwhile

    view = PagerView(turn, owner_id=1, page_count=4, index=2)
    assert not view.next.disabled
    await view.show(_interaction(1), 3)
    assert view.index == 0 and view.page_count == 1
    assert view.previous.disabled and view.next.disabled
