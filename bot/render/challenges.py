"""Server reading challenges as Discord shows them. Names, prompts and titles are member text,
escaped; the board is a plain count, the viewer first."""

from __future__ import annotations

from typing import Final

import discord

from bot.db.challenges import ChallengeRecord
from bot.domain.club import format_day
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT
from bot.domain.markdown import clip, inert
from bot.domain.words import plural
from bot.services.challenges import ChallengeBoard, Filled, MemberChallenge

__all__ = ["board_embed", "created_embed", "filled_embed", "member_embed"]

CHALLENGE_COLOUR: Final = discord.Colour.orange()
BOARD_LINES: Final = 50


def _prompt_line(challenge: ChallengeRecord, index: int) -> str:
    prompt = challenge.prompts[index]
    rule = f" *({prompt.rule.describe()})*" if prompt.rule else ""
    return f"{index + 1}. {inert(prompt.text, 150)}{rule}"


def _ends(challenge: ChallengeRecord) -> str:
    return f"until {format_day(challenge.ends_on)}" if challenge.ends_on else "no end date"


def created_embed(challenge: ChallengeRecord) -> discord.Embed:
    lines = [_prompt_line(challenge, i) for i in range(len(challenge.prompts))]
    embed = discord.Embed(
        title=f"New challenge: {inert(challenge.name, 100)}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CHALLENGE_COLOUR,
    )
    embed.set_footer(
        text=f"{plural(len(lines), 'prompt')} · {_ends(challenge)} · fill one with "
        "/challenge fill and a book you finished"
    )
    return embed


def filled_embed(done: Filled, title: str) -> discord.Embed:
    total = len(done.challenge.prompts)
    verb = "now fills" if done.replaced else "fills"
    text = (
        f"“{inert(title, 150)}” {verb} “{inert(done.prompt.text, 150)}”.\n"
        f"{done.filled} of {total} prompts filled in {inert(done.challenge.name, 100)}."
    )
    if done.filled == total:
        text += "\n🎉 You have completed the challenge!"
    return discord.Embed(title="Prompt filled", description=text, colour=CHALLENGE_COLOUR)


def board_embed(board: ChallengeBoard) -> discord.Embed:
    total = len(board.challenge.prompts)
    lines = []
    if board.you is not None:
        hidden = " (hidden from others)" if board.hidden else ""
        lines.append(f"**You** — {board.you.filled} of {total}{hidden}")
    for line in board.others[:BOARD_LINES]:
        lines.append(f"{inert(line.name, 80)} — {line.filled} of {total}")
    if len(board.others) > BOARD_LINES:
        lines.append(f"… and {plural(len(board.others) - BOARD_LINES, 'more member')}")
    if not lines:
        lines.append("Nobody has filled a prompt yet.")
    embed = discord.Embed(
        title=f"Challenge: {inert(board.challenge.name, 100)}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CHALLENGE_COLOUR,
    )
    embed.set_footer(
        text=f"{_ends(board.challenge)} · /challenge hide keeps you off others' boards"
    )
    return embed


def member_embed(shown: MemberChallenge) -> discord.Embed:
    filled = {f.position: f for f in shown.fills}
    lines = []
    for i in range(len(shown.challenge.prompts)):
        fill = filled.get(i + 1)
        book = f" — **{inert(fill.title, 120)}**" if fill else " — …"
        lines.append(_prompt_line(shown.challenge, i) + book)
    embed = discord.Embed(
        title=f"{inert(shown.name, 80)} · {inert(shown.challenge.name, 100)}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=CHALLENGE_COLOUR,
    )
    embed.set_footer(text=f"{len(filled)} of {len(shown.challenge.prompts)} prompts filled")
    return embed
