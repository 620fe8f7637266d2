"""The floor the benches compare Marginalia with: the smallest discord.py bot answering the
same slash command (`/rate book stars`) with a constant reply — same intents, same client
class, no database, no cogs. Configured like Marginalia through DISCORD_TOKEN,
DISCORD_API_BASE and DISCORD_GATEWAY_URL.

Run: .venv/bin/python -m bench.minimal_bot
"""

from __future__ import annotations

import logging
import os

import discord
import yarl
from discord.ext import commands


class MinimalBot(commands.AutoShardedBot):
    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        logging.getLogger("minimal_bot").info(
            "ready as %s in %d guilds", self.user, len(self.guilds)
        )


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if base := os.environ.get("DISCORD_API_BASE"):
        discord.http.Route.BASE = base
    if gateway := os.environ.get("DISCORD_GATEWAY_URL"):
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    bot = MinimalBot(
        command_prefix=commands.when_mentioned,
        help_command=None,
        intents=intents,
        allowed_mentions=discord.AllowedMentions.none(),
    )

    @bot.tree.command(name="rate", description="Rate a book.")
    async def rate(interaction: discord.Interaction, book: str, stars: str) -> None:
        await interaction.response.send_message("Rated.", ephemeral=True)

    bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()
