"""/challenge create|fill|board|show|hide|unhide: server reading challenges (issue 14)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.domain.book import Book
from bot.render.challenges import board_embed, created_embed, filled_embed, member_embed
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import guild_id_of, require_moderator

NO_MENTIONS = discord.AllowedMentions.none()


class Challenges(commands.Cog):
    challenge = app_commands.Group(
        name="challenge",
        description="Server reading challenges: prompts to fill with books you finished.",
        guild_only=True,
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.challenges

    async def _prompt_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        typed = current.casefold().strip()
        choices = []
        for challenge in await self.service.running(interaction.guild_id):
            for i, prompt in enumerate(challenge.prompts, start=1):
                name = f"{challenge.name} · {prompt.text}"
                if typed in name.casefold():
                    choices.append(
                        app_commands.Choice(name=name[:100], value=f"{challenge.id}:{i}")
                    )
        return choices[:25]

    async def _challenge_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        typed = current.casefold().strip()
        return [
            app_commands.Choice(name=c.name[:100], value=str(c.id))
            for c in await self.service.all(interaction.guild_id)
            if typed in c.name.casefold()
        ][:25]

    @challenge.command(name="create", description="Moderators: start a reading challenge.")
    @app_commands.describe(
        name="The challenge's name",
        prompts="Up to 25, separated by ';' — e.g. a book in translation; [pages>500] a chunky one",
        ends="Its last day, e.g. 2026-12-31 (optional)",
    )
    async def create(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        name: app_commands.Range[str, 1, 100],
        prompts: app_commands.Range[str, 1, 4000],
        ends: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await require_moderator(interaction, "create a challenge")
        created = await self.service.create(
            guild_id_of(interaction), interaction.user.id, name, prompts, ends
        )
        await interaction.response.send_message(
            embed=created_embed(created), allowed_mentions=NO_MENTIONS
        )

    @challenge.command(name="fill", description="Match a book you finished to a prompt.")
    @app_commands.describe(prompt="The prompt (start typing)", book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def fill(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        prompt: app_commands.Range[str, 1, 200],
        book: str,
    ) -> None:
        guild_id = guild_id_of(interaction)

        async def chosen(reply_to: discord.Interaction[Any], picked: Book) -> None:
            done = await self.service.fill(guild_id, reply_to.user.id, prompt, picked)
            await respond(reply_to, embed=filled_embed(done, picked.display_title), ephemeral=True)

        await with_book(interaction, book, chosen)

    @fill.autocomplete("prompt")
    async def fill_prompt(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._prompt_choices(interaction, current)

    @challenge.command(name="board", description="How many prompts each member has filled.")
    @app_commands.describe(challenge="Which challenge (default: the newest running one)")
    async def board(
        self, interaction: discord.Interaction[MarginaliaBot], challenge: str | None = None
    ) -> None:
        shown = await self.service.board(guild_id_of(interaction), interaction.user.id, challenge)
        await interaction.response.send_message(
            embed=board_embed(shown), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @board.autocomplete("challenge")
    async def board_challenge(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._challenge_choices(interaction, current)

    @challenge.command(name="show", description="A member's prompts and the books they filled.")
    @app_commands.describe(member="Whose (default: yours)", challenge="Which challenge")
    async def show(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        member: discord.User | None = None,
        challenge: str | None = None,
    ) -> None:
        target = member or interaction.user
        shown = await self.service.show(
            guild_id_of(interaction), interaction.user.id, target.id, challenge
        )
        await interaction.response.send_message(
            embed=member_embed(shown), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @show.autocomplete("challenge")
    async def show_challenge(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._challenge_choices(interaction, current)

    @challenge.command(name="hide", description="Keep yourself off other members' boards.")
    async def hide(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self.service.set_hidden(guild_id_of(interaction), interaction.user.id, True)
        await interaction.response.send_message(
            "You are hidden from the challenge boards; you still see your own line.",
            ephemeral=True,
        )

    @challenge.command(name="unhide", description="Show yourself on the challenge boards again.")
    async def unhide(self, interaction: discord.Interaction[MarginaliaBot]) -> None:
        await self.service.set_hidden(guild_id_of(interaction), interaction.user.id, False)
        await interaction.response.send_message(
            "You are shown on the challenge boards again.", ephemeral=True
        )


async def setup(bot: MarginaliaBot) -> None:
    await bot.add_cog(Challenges(bot))
