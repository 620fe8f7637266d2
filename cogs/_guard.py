"""The Discord side of the spoiler guard (SPEC §11): :class:`DiscordGuardBoard` creates,
edits and deletes the club's AutoMod keyword rule with discord.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.app import MarginaliaBot
from bot.domain.spoiler_guard import GUARD_MESSAGE, GUARD_RULE_NAME
from bot.errors import NotFound

log = logging.getLogger(__name__)


class DiscordGuardBoard:
    """:class:`bot.services.guard.GuardBoard` over discord.py."""

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise NotFound("I can't see this server right now; try again in a minute.")
        return guild

    async def can_manage_rules(self, guild_id: int) -> bool:
        return self._guild(guild_id).me.guild_permissions.manage_guild

    async def put_rule(
        self, guild_id: int, rule_id: int | None, words: Sequence[str], exempt: Sequence[int]
    ) -> int:
        guild = self._guild(guild_id)
        trigger = discord.AutoModTrigger(
            type=discord.AutoModRuleTriggerType.keyword, keyword_filter=list(words)
        )
        actions = [discord.AutoModRuleAction(custom_message=GUARD_MESSAGE)]
        channels = [discord.Object(id=c) for c in exempt[:50]]  # AutoMod exempts 50 at most
        if rule_id is not None:
            try:
                rule = await guild.fetch_automod_rule(rule_id)
            except discord.NotFound:
                log.info(
                    "the spoiler guard's rule %d was deleted in Discord; making it again", rule_id
                )
            else:
                edited = await rule.edit(
                    trigger=trigger,
                    actions=actions,
                    exempt_channels=channels,
                    enabled=True,
                    reason="Marginalia: the club's spoiler guard changed",
                )
                return edited.id
        created = await guild.create_automod_rule(
            name=GUARD_RULE_NAME,
            event_type=discord.AutoModRuleEventType.message_send,
            trigger=trigger,
            actions=actions,
            enabled=True,
            exempt_channels=channels,
            reason="Marginalia: /club guard add",
        )
        return created.id

    async def delete_rule(self, guild_id: int, rule_id: int) -> None:
        guild = self._guild(guild_id)
        try:
            rule = await guild.fetch_automod_rule(rule_id)
            await rule.delete(reason="Marginalia: the club's spoiler guard is off")
        except discord.NotFound:
            return  # deleted in Discord already
