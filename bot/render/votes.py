"""The club's vote as Discord shows it: the native poll, the ranked vote's message and its
ballot form, and the result with every round.

Titles and authors are member text: escaped in embeds; a poll's question and answers are
plain text in Discord (no Markdown there), cut to the poll's limits. Ballots stay secret:
nothing here shows a count before the vote closes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, Final

import discord

from bot.db.votes import VoteNominee, VoteRecord
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_VALUE_LIMIT
from bot.domain.markdown import clip, inert
from bot.domain.ranked_vote import MAX_RANKS, Round
from bot.domain.text import trim
from bot.domain.words import book_line, join_authors, plural
from bot.render._kit import OwnerView
from bot.render.clubs import CLUB_COLOUR
from bot.services.votes import BallotForm, ClosedVote, OpenedVote

__all__ = [
    "POLL_QUESTION",
    "BallotView",
    "ballot_embed",
    "ballot_kept_embed",
    "poll_intro",
    "poll_of",
    "ranked_vote_embed",
    "result_embed",
    "vote_opened_reply",
    "vote_status_line",
]

POLL_QUESTION: Final = "What should the club read next?"
POLL_ANSWER_MAX: Final = 55
ORDINALS: Final = ("First", "Second", "Third")
BALLOT_TIMEOUT_S: Final = 900.0  # an interaction token lives 15 minutes

#: what the ballot's Submit calls: (the member's interaction, their ranking of positions)
Submit = Callable[[discord.Interaction[Any], list[int]], Awaitable[None]]


def _when(vote_closes: Any) -> str:
    stamp = int(vote_closes.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


def _nominee(nominee: VoteNominee, *, bold: bool = False) -> str:
    title = inert(nominee.title, 150)
    author = join_authors(nominee.authors)
    return book_line(f"**{title}**" if bold else title, inert(author, 80) if author else None)


def _numbered(nominees: Sequence[VoteNominee], budget: int) -> str:
    lines = [f"{n.position}. {_nominee(n)}" for n in nominees]
    return clip("\n".join(lines), budget)


def poll_of(opened: OpenedVote) -> discord.Poll:
    """The native poll: one answer per nominee in nomination order (answer 1 = position 1)."""
    poll = discord.Poll(question=POLL_QUESTION, duration=timedelta(hours=opened.hours))
    for nominee in opened.nominees:
        author = join_authors(nominee.authors, limit=1)
        text = f"{nominee.title} — {author}" if author else nominee.title
        poll.add_answer(text=trim(" ".join(text.split()), POLL_ANSWER_MAX) or "?")
    return poll


def poll_intro(opened: OpenedVote) -> str:
    return f"📚 Vote for the club's next read! The poll closes {_when(opened.closes_at)}."


def ranked_vote_embed(opened: OpenedVote) -> discord.Embed:
    embed = discord.Embed(
        title="📚 Vote for the club's next read",
        description=(
            f"Press **Vote** and rank up to {MAX_RANKS} of these books. The result stays "
            f"hidden until the vote closes {_when(opened.closes_at)}; it is counted by instant "
            "runoff (a tie goes to the earlier nomination).\n\n"
            + _numbered(opened.nominees, EMBED_DESCRIPTION_LIMIT - 400)
        ),
        colour=CLUB_COLOUR,
    )
    return embed


def vote_opened_reply(opened: OpenedVote, style_reason: str | None) -> str:
    kind = "A Discord poll" if opened.style == "poll" else "A ranked vote"
    lines = [
        f"{kind} on {plural(len(opened.nominees), 'nomination')} is open in "
        f"<#{opened.channel_id}>; it closes {_when(opened.closes_at)}."
    ]
    if style_reason:
        lines.append(style_reason)
    lines.append("Nominations are closed until then. Close it early with /club vote close.")
    return "\n".join(lines)


def vote_status_line(vote: VoteRecord, ballots: int) -> str:
    kind = "poll" if vote.style == "poll" else "ranked vote"
    cast = "" if vote.style == "poll" else f" {plural(ballots, 'ballot')} cast so far."
    return f"The {kind} in <#{vote.channel_id}> closes {_when(vote.closes_at)}.{cast}"


# --- the ballot -------------------------------------------------------------------------------


def ballot_embed(form: BallotForm) -> discord.Embed:
    current = ""
    if form.current:
        names = {n.position: n for n in form.nominees}
        ranked = [f"{i}. {_nominee(names[p])}" for i, p in enumerate(form.current, 1) if p in names]
        current = "\n\nYour ballot now:\n" + "\n".join(ranked)
    return discord.Embed(
        title="Your ballot",
        description=clip(
            f"Pick your first choice, and a second and third if you like, then press "
            f"**Submit**. You can change your ballot until the vote closes "
            f"{_when(form.vote.closes_at)}; nobody sees it.{current}",
            EMBED_DESCRIPTION_LIMIT,
        ),
        colour=CLUB_COLOUR,
    )


def ballot_kept_embed(vote: VoteRecord, ranked: Sequence[VoteNominee]) -> discord.Embed:
    lines = [f"{i}. {_nominee(n)}" for i, n in enumerate(ranked, 1)]
    return discord.Embed(
        title="Your ballot is in",
        description=clip(
            "\n".join(lines)
            + f"\n\nYou can change it until the vote closes {_when(vote.closes_at)}.",
            EMBED_DESCRIPTION_LIMIT,
        ),
        colour=CLUB_COLOUR,
    )


class BallotView(OwnerView):
    """Three select menus (first, second, third choice) and Submit, for one member."""

    def __init__(self, form: BallotForm, owner_id: int, submit: Submit) -> None:
        super().__init__(owner_id=owner_id, timeout=BALLOT_TIMEOUT_S)
        self.submit_ranking = submit
        self.choices: list[discord.ui.Select[BallotView]] = []
        current = list(form.current or ())
        for rank in range(min(MAX_RANKS, len(form.nominees))):
            chosen = current[rank] if rank < len(current) else None
            options = [
                discord.SelectOption(
                    label=trim(" ".join(n.title.split()), 100) or "?",
                    value=str(n.position),
                    description=trim(join_authors(n.authors) or "", 100) or None,
                    default=n.position == chosen,
                )
                for n in form.nominees
            ]
            select: discord.ui.Select[BallotView] = discord.ui.Select(
                placeholder=f"{ORDINALS[rank]} choice" + ("" if rank == 0 else " (optional)"),
                options=options,
                min_values=0,
                max_values=1,
                row=rank,
            )
            select.callback = self._chose  # type: ignore[method-assign]
            self.choices.append(select)
            self.add_item(select)

    async def _chose(self, interaction: discord.Interaction[Any]) -> None:
        # keep the choice shown; nothing is kept until Submit
        for select in self.choices:
            for option in select.options:
                option.default = option.value in select.values
        await interaction.response.edit_message(view=self)

    def ranking(self) -> list[int]:
        """The choices as shown: each menu's picked option (kept as its default by
        :meth:`_chose`, so an earlier ballot shown pre-picked counts as picked)."""
        picked = (next((o for o in s.options if o.default), None) for s in self.choices)
        return [int(option.value) for option in picked if option is not None]

    @discord.ui.button(label="Submit", style=discord.ButtonStyle.primary, row=MAX_RANKS)
    async def submit_button(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[BallotView]
    ) -> None:
        await self.submit_ranking(interaction, self.ranking())


# --- the result -------------------------------------------------------------------------------


def _round_line(number: int, round_: Round[int]) -> str:
    votes = " · ".join(f"#{p} {n}" for p, n in round_.votes)
    line = f"Round {number}: {votes}"
    if round_.exhausted:
        line += f" · {plural(round_.exhausted, 'ballot')} with no choice left"
    if round_.eliminated is not None:
        tie = " (a tie: the later nomination goes)" if round_.tie else ""
        line += f" → #{round_.eliminated} out{tie}"
    return line


def result_embed(closed: ClosedVote) -> discord.Embed:
    winner = closed.winner
    result = closed.result
    if winner is None:
        title = "The vote closed without a winner"
    else:
        title = trim(f"The club's next read: {' '.join(winner.title.split())}", 256)
    lines: list[str] = []
    if winner is not None:
        lines.append(f"🏆 {_nominee(winner, bold=True)}")
    if closed.poll_missing:
        lines.append("The poll message was deleted, so no votes could be counted.")
    noun = "vote" if closed.vote.style == "poll" else "ballot"
    lines.append(
        f"{plural(result.ballots, noun)} · "
        + ("closed early by a moderator" if closed.early else "closed on time")
    )
    if result.tie_broken and winner is not None:
        lines.append("It was a tie, decided by nomination order: this book was nominated earlier.")
    embed = discord.Embed(
        title=title,
        description=clip("\n".join(lines), 1500),
        colour=CLUB_COLOUR,
    )
    embed.add_field(
        name="Nominees",
        value=_numbered(closed.nominees, EMBED_FIELD_VALUE_LIMIT),
        inline=False,
    )
    rounds = [_round_line(i, r) for i, r in enumerate(result.rounds, 1)]
    if rounds:
        embed.add_field(
            name="The count" if closed.vote.style == "ranked" else "Votes",
            value=_rounds_text(rounds),
            inline=False,
        )
    if winner is not None:
        embed.set_footer(text="A moderator can start it with the button below.")
    return embed


def _rounds_text(rounds: list[str]) -> str:
    """Every round when they fit in a field; else the first and last ones with a count of
    those left out (the rounds are kept with the vote)."""
    text = "\n".join(rounds)
    if len(text) <= EMBED_FIELD_VALUE_LIMIT:
        return text
    head, tail = rounds[:2], rounds[-3:]
    middle = f"… {plural(len(rounds) - len(head) - len(tail), 'round')} more …"
    return clip("\n".join([*head, middle, *tail]), EMBED_FIELD_VALUE_LIMIT)
