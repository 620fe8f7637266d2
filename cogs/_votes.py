"""The Discord side of the club's vote (SPEC §11), used by the ``/club vote`` commands in
cogs/clubs.py: :class:`DiscordVoteBoard` (posting the poll or the ranked vote, reading and
ending the poll, announcing the result) and the club's persistent buttons — **Vote**
(``vote:ballot:<vote>``), **Start this read** (``vote:start:<vote>``) and the wrap-up's
**Rate it** (``club:rate:<book>``) — registered as :class:`discord.ui.DynamicItem`
subclasses, so they work after a restart.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final, Protocol, Self

import discord
from discord.ext.commands.bot import BotBase

from bot.app import MarginaliaBot
from bot.db.votes import VoteRecord
from bot.errors import PermissionDenied
from bot.render.votes import poll_intro, poll_of, ranked_vote_embed, result_embed
from bot.services.votes import ClosedVote, OpenedVote
from bot.tree import handle_interaction_error

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
NO_MENTIONS: Final = discord.AllowedMentions.none()
_ID = r"[0-9]{1,20}"
CLUBS_COG: Final = "Clubs"


class VoteActions(Protocol):
    """What the buttons call on the clubs cog."""

    async def open_ballot(self, interaction: Interaction, vote_id: int) -> None: ...

    async def start_winner(self, interaction: Interaction, vote_id: int) -> None: ...

    async def rate_prompt(self, interaction: Interaction, book_id: int) -> None: ...


class _VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"(?!)",  # never matches: only the subclasses below are registered
):
    kind: ClassVar[str]

    def __init__(self, vote_id: int, button: discord.ui.Button[discord.ui.View]) -> None:
        super().__init__(button)
        self.vote_id = vote_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls.for_vote(int(match["id"]))

    @classmethod
    def for_vote(cls, vote_id: int) -> Self:
        raise NotImplementedError  # each button says how it looks

    async def act(self, cog: VoteActions, interaction: Interaction) -> None:
        raise NotImplementedError  # each button says what it does

    async def callback(self, interaction: Interaction) -> None:
        # discord.py only logs what a dynamic item raises: answer through the error chain
        try:
            client = interaction.client
            cog = client.get_cog(CLUBS_COG) if isinstance(client, BotBase) else None
            if cog is None:
                raise RuntimeError("the clubs cog is not loaded")
            await self.act(cog, interaction)  # type: ignore[arg-type]
        except Exception as error:
            await handle_interaction_error(interaction, error)


class VoteButton(_VoteButton, template=rf"vote:ballot:(?P<id>{_ID})"):
    @classmethod
    def for_vote(cls, vote_id: int) -> Self:
        return cls(
            vote_id,
            discord.ui.Button(
                label="Vote",
                emoji="🗳️",
                style=discord.ButtonStyle.primary,
                custom_id=f"vote:ballot:{vote_id}",
            ),
        )

    async def act(self, cog: VoteActions, interaction: Interaction) -> None:
        await cog.open_ballot(interaction, self.vote_id)


class StartReadButton(_VoteButton, template=rf"vote:start:(?P<id>{_ID})"):
    @classmethod
    def for_vote(cls, vote_id: int) -> Self:
        return cls(
            vote_id,
            discord.ui.Button(
                label="Start this read",
                emoji="📖",
                style=discord.ButtonStyle.success,
                custom_id=f"vote:start:{vote_id}",
            ),
        )

    async def act(self, cog: VoteActions, interaction: Interaction) -> None:
        await cog.start_winner(interaction, self.vote_id)


class RateItButton(_VoteButton, template=rf"club:rate:(?P<id>{_ID})"):
    """The wrap-up's **Rate it**: the id is the club book's."""

    @classmethod
    def for_vote(cls, vote_id: int) -> Self:
        return cls(
            vote_id,
            discord.ui.Button(
                label="Rate it",
                emoji="⭐",
                style=discord.ButtonStyle.primary,
                custom_id=f"club:rate:{vote_id}",
            ),
        )

    async def act(self, cog: VoteActions, interaction: Interaction) -> None:
        await cog.rate_prompt(interaction, self.vote_id)


CLUB_ITEMS: Final = (VoteButton, StartReadButton, RateItButton)


def rate_it_view(book_id: int) -> discord.ui.View:
    return _view_with(RateItButton.for_vote(book_id))


def _view_with(item: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(item)
    return view


class DiscordVoteBoard:
    """:class:`bot.services.votes.VoteBoard` over discord.py."""

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            channel = await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise PermissionDenied(f"I can't post in <#{channel_id}>.")
        return channel

    async def post_vote(self, opened: OpenedVote) -> int:
        channel = await self._channel(opened.channel_id)
        try:
            if opened.style == "poll":
                message = await channel.send(
                    poll_intro(opened), poll=poll_of(opened), allowed_mentions=NO_MENTIONS
                )
            else:
                message = await channel.send(
                    embed=ranked_vote_embed(opened),
                    view=_view_with(VoteButton.for_vote(opened.vote_id)),
                    allowed_mentions=NO_MENTIONS,
                )
        except discord.Forbidden:
            needs = "Send Messages and Send Polls" if opened.style == "poll" else "Send Messages"
            raise PermissionDenied(
                f"I can't post the vote in <#{opened.channel_id}>: I need {needs} there. "
                "Nothing was opened."
            ) from None
        return message.id

    async def poll_counts(self, vote: VoteRecord) -> Mapping[int, int] | None:
        if vote.message_id is None:
            return None
        try:
            channel = await self._channel(vote.channel_id)
            message = await channel.fetch_message(vote.message_id)
        except (discord.NotFound, discord.Forbidden, PermissionDenied):
            return None
        if message.poll is not None and not message.poll.is_finalised():
            try:
                message = await message.end_poll()
            except discord.HTTPException as error:  # it ended meanwhile: read it again
                log.info("ending the poll of vote %d: %s", vote.id, error)
                message = await channel.fetch_message(vote.message_id)
        if message.poll is None:
            return None
        # answers in the order they were sent: answer 1 is nominee position 1
        return {i: answer.vote_count for i, answer in enumerate(message.poll.answers, start=1)}

    async def announce(self, closed: ClosedVote) -> int:
        channel = await self._channel(closed.vote.channel_id)
        view = (
            _view_with(StartReadButton.for_vote(closed.vote.id))
            if closed.winner is not None
            else discord.utils.MISSING
        )
        message = await channel.send(
            embed=result_embed(closed), view=view, allowed_mentions=NO_MENTIONS
        )
        return message.id
