"""Discussion questions as Discord shows them: the post in a checkpoint room, the list, and
the moderators' Approve / Reject buttons. A question is member text about a part of the
book: escaped everywhere, and outside its room always inside one spoiler span."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import discord

from bot.db.questions import Question
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT
from bot.domain.markdown import clip, inert, spoiler_span
from bot.domain.words import plural
from bot.render._kit import OwnerView
from bot.render.clubs import CLUB_COLOUR

__all__ = ["QuestionReviewView", "question_added_embed", "question_post", "questions_embed"]

#: what Approve / Reject call: (the moderator's interaction, question id, approve?)
Decide = Callable[[discord.Interaction[Any], int, bool], Awaitable[None]]
BUTTONS_FOR: Final = 10  # pending questions with buttons (two each, 20 of 25 components)
STATUS: Final = {"pending": "⏳ waiting", "approved": "✅ approved", "rejected": "✖ rejected"}


def question_post(question: Question) -> str:
    """The message in the room: inside the room, no spoiler tags are needed."""
    return (
        f"💬 **Discussion question** for {inert(question.checkpoint_label, 100)}, "
        f"from <@{question.user_id}>:\n{inert(question.text, 600)}"
    )


def _hidden(question: Question) -> str:
    return spoiler_span(inert(" ".join(question.text.split()), 520))


def question_added_embed(question: Question) -> discord.Embed:
    return discord.Embed(
        title="Question sent to the moderators",
        description=(
            f"For {inert(question.checkpoint_label, 100)}: {_hidden(question)}\n\n"
            "Once a moderator approves it, it is posted in that checkpoint's room."
        ),
        colour=CLUB_COLOUR,
    )


def questions_embed(questions: Sequence[Question], *, moderator: bool) -> discord.Embed:
    if not questions:
        text = (
            "No questions yet. Anyone can propose one with /club question add."
            if moderator
            else "You have not proposed a question for this club read. /club question add does."
        )
        return discord.Embed(title="Discussion questions", description=text, colour=CLUB_COLOUR)
    lines = []
    for q in questions:
        posted = " · posted in its room" if q.posted_at is not None and q.thread_id else ""
        who = f" · <@{q.user_id}>" if moderator else ""
        lines.append(
            f"**#{q.id}** {inert(q.checkpoint_label, 60)} · {STATUS.get(q.status, q.status)}"
            f"{posted}{who}\n{_hidden(q)}"
        )
    pending = sum(1 for q in questions if q.status == "pending")
    embed = discord.Embed(
        title="Discussion questions",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CLUB_COLOUR,
    )
    if moderator:
        embed.set_footer(text=f"{plural(pending, 'question')} waiting for a decision.")
    return embed


class QuestionReviewView(OwnerView):
    """Approve / Reject for the first pending questions, for the moderator who asked."""

    def __init__(self, owner_id: int, questions: Sequence[Question], decide: Decide) -> None:
        super().__init__(owner_id=owner_id, timeout=600.0)
        pending = [q for q in questions if q.status == "pending"][:BUTTONS_FOR]
        for q in pending:
            for approve in (True, False):
                button: discord.ui.Button[QuestionReviewView] = discord.ui.Button(
                    label=f"{'Approve' if approve else 'Reject'} #{q.id}",
                    style=discord.ButtonStyle.success if approve else discord.ButtonStyle.secondary,
                    custom_id=f"club:question:{'approve' if approve else 'reject'}:{q.id}",
                )
                button.callback = self._on(decide, q.id, approve)  # type: ignore[method-assign]
                self.add_item(button)

    @staticmethod
    def _on(decide: Decide, question_id: int, approve: bool) -> Any:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            await decide(interaction, question_id, approve)

        return callback
