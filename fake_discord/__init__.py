"""A local Discord for end-to-end tests: the real, unmodified discord.py talks to it.

:class:`FakeDiscord` is an aiohttp server on ``127.0.0.1`` (ephemeral port) speaking enough
of Discord's REST API v10 and gateway protocol for a bot to log in, receive READY and
GUILD_CREATE (sharded or not), sync its commands, receive interactions and answer them
(callbacks, follow-ups, edits, files, modals, autocomplete), post/edit/delete messages,
create threads and open DMs. Every REST call is recorded; errors can be injected per route.

Writing an e2e test
===================

``tests/e2e/conftest.py`` provides the ``fake_discord`` fixture (a started server); see
README.md beside this file for what the server speaks and who uses it.

1. Build the world (before the bot starts, or after: changes are then sent as gateway
   events — GUILD_CREATE for a new guild, GUILD_MEMBER_ADD, CHANNEL_CREATE...)::

       guild = fake_discord.add_guild("Book Club", channels=["general", "reviews"])
       mods = guild.add_role("Moderator", MODERATOR_PERMISSIONS)
       mia = guild.add_member("mia", roles=[mods])
       alice = guild.add_member("alice")
       reviews = guild.channel("reviews")

2. Run the bot with ``running_bot(factory, rig)``. The factory (``rig -> bot``, sync or
   async) builds the client; ``running_bot`` runs ``bot.start(token)`` in a task, waits
   until it is ready with every guild cached, yields it, closes it, and fails the test with
   :class:`BotCrashed` (the bot's exception as ``__cause__``) if the bot task dies::

       def factory(rig: FakeDiscord) -> MarginaliaBot:
           settings = Settings(discord_token=None, database_url=database_url,
                               discord_api_base=rig.api_base,
                               discord_gateway_url=rig.gateway_url)
           return MarginaliaBot(settings=settings, database=database, http_client=client,
                                guild_ready_timeout=0.05)

       async with running_bot(factory, fake_discord) as bot:
           ...

   The bot aims discord.py at the rig itself (``Route.BASE`` and
   ``DiscordWebSocket.DEFAULT_GATEWAY``, from ``DISCORD_API_BASE``/``DISCORD_GATEWAY_URL``;
   :meth:`FakeDiscord.env` lists them), or pass ``point_discord_py=True``; both are
   restored afterwards. ``guild_ready_timeout=0.05`` saves discord.py's 2 s wait.

3. Drive it and look at what it did::

       result = await fake_discord.slash(guild, alice, "rate", {"book": "Dune", "stars": 4.5})
       assert result.ephemeral and "4.5" in result.content      # the callback (type 4)

       opened = await fake_discord.slash(guild, alice, "review write", {"book": "Dune"})
       assert opened.modal is not None                            # callback type 9
       done = await opened.submit_modal({"review": "Loved it"})
       post = await done.wait_reply()     # type 4, or type 5 then edit/follow-up
       liked = await fake_discord.click(post, "review:like:1", mia)
       picked = await fake_discord.select(post, "pick", ["Dune"], mia)

       slow = await fake_discord.slash(guild, mia, "digest preview")
       edit = await slow.wait_edit()        # defer → edit_original_response
       extra = await slow.wait_followup()   # interaction.followup.send

       choices = await fake_discord.autocomplete(guild, alice, "rate", "book", "du")
       mark = fake_discord.mark()
       msg = await fake_discord.wait_for_message(reviews, lambda m: "Dune" in m.text,
                                                 after=mark)
       fake_discord.fail("POST", f"/channels/{reviews.id}/messages",
                         errors.MISSING_PERMISSIONS)   # next call → discord.Forbidden

   Option values are plain Python values — ``str``, ``int``, ``float``, ``bool``,
   :class:`FakeMember`/:class:`FakeUser`, :class:`FakeChannel`, :class:`FakeRole`, or an
   :class:`Upload` for attachment options (served over HTTP, so ``attachment.read()``
   works); their types come from the command the bot synced, and ``name`` may hold a
   sub-command path (``"club schedule add"``). ``guild=None`` runs a command in the bot's
   DM. Every wait has a timeout (``FakeDiscord(timeout=5.0)``), fails at once if the bot
   died, and on timeout reports the recent REST calls and ERROR logs (tracebacks of
   "Ignoring exception in command ..." included).

Where to look
=============

- :class:`InteractionResult`: ``callback`` (``type``, ``content``, ``embeds``,
  ``components``, ``flags``, ``ephemeral``, ``files``), ``original`` (the response
  message, edits applied), ``edits``, ``followups``, ``followup_edits``, ``modal``,
  ``choices``, ``wait_callback``/``wait_edit``/``wait_followup``/``wait_reply``.
- :class:`StoredMessage`: ``content``, ``embeds``, ``components``, ``attachments``
  (:class:`StoredAttachment` with bytes), ``flags``/``ephemeral``, ``text`` (content +
  embed text), ``custom_ids``, ``allowed_mentions``, ``deleted``, ``thread_id``,
  ``history`` (edit payloads).
- :class:`FakeDiscord`: ``requests`` / ``requests_to(method, route)`` (every REST call,
  with JSON and files), ``command_syncs``, ``commands``, ``messages``,
  ``channel_messages(channel)``, ``unhandled``, ``identifies``/``resumes``; gateway
  control: ``sync()`` (wait until the bot parsed every event sent), ``reconnect()``,
  ``invalidate_sessions()``, ``dispatch(event, data)``, ``remove_bot_from_guild``,
  ``add_bot_to_guild``, ``delete_channel``, ``post_user_message``.
- Club logistics (``polls.py``, ``scheduled_events.py``, ``threads.py``, ``automod.py``):
  ``vote_poll``/``unvote_poll``/``end_poll``/``poll_of`` (:class:`FakePoll`),
  ``mark_interested``/``unmark_interested``/``set_scheduled_event_status`` and
  ``guild.scheduled_events`` (:class:`FakeScheduledEvent`), ``can_see_thread``,
  ``thread_members``, ``automod_blocks``/``automod_match`` and ``guild.automod_rules``
  (:class:`FakeAutoModRule`; ``post_user_message`` raises :class:`AutoModBlocked`),
  ``set_dms_open``.

Fidelity notes
==============

- Payloads follow Discord's documented shapes; size limits (2,000-character content,
  4,096-character embed descriptions, 6,000 per message, 25 choices, 45-character modal
  titles, command names...) are enforced with Discord's 400 Invalid Form Body
  (``validate=False`` to switch off), so what production would reject is rejected here.
  Option values are checked against the synced choices/ranges (``validate=False`` on
  :meth:`FakeDiscord.slash` to send what Discord never would).
- ``default_member_permissions`` is *not* enforced: a test may run a moderator command
  as a plain member, to exercise the bot's own server-side check.
- The bot's permissions are checked on message and thread creation (403 Missing Access /
  Missing Permissions) from its managed role (``guild.bot_role``) and channel overwrites;
  interactions carry ``member.permissions`` (also for resolved members) and
  ``app_permissions`` computed with Discord's algorithm for the interaction's channel,
  overwrites applied (owner and Administrator have everything), plus the member's role ids,
  from which discord.py's ``Member.guild_permissions`` gives the server-wide permissions.
- The first follow-up after a "thinking" deferral replaces the loading message and keeps
  the deferral's ephemerality, as on Discord. Answering twice gets 400 (40060).
- discord.py drops ``GUILD_SCHEDULED_EVENT_USER_ADD``/``_REMOVE`` and the non-raw
  ``poll_vote_add``/``_remove`` for users it has not cached (no members intent): a bot
  without it should use ``raw_poll_vote_add`` and fetch Interested users over REST.
  discord.py 2.7 also omits ``entity_type`` when it infers an external event from
  ``location``; Discord requires it, and so does the rig (pass ``entity_type``).
- Gateway events the bot would get are sent too (MESSAGE_CREATE for its messages,
  THREAD_CREATE, GUILD_MEMBER_ADD...), filtered by the intents it identified with.
"""

from . import errors
from .automod import AutoModBlocked, AutoModMatch, FakeAutoModRule
from .errors import BotCrashed, DiscordError, ErrorRule
from .interactions import Callback, InteractionResult, MessageEdit, ModalRecord
from .models import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    StoredAttachment,
    StoredMessage,
    Upload,
)
from .polls import FakePoll, PollAnswer
from .pytest_plugin import point_discord_py_at, running_bot
from .recording import CommandSync, RecordedFile, RecordedRequest
from .scheduled_events import FakeScheduledEvent
from .server import FakeDiscord, WaitTimeout

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "MODERATOR_PERMISSIONS",
    "AutoModBlocked",
    "AutoModMatch",
    "BotCrashed",
    "Callback",
    "CommandSync",
    "DiscordError",
    "ErrorRule",
    "FakeAutoModRule",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakePoll",
    "FakeRole",
    "FakeScheduledEvent",
    "FakeUser",
    "InteractionResult",
    "MessageEdit",
    "ModalRecord",
    "PollAnswer",
    "RecordedFile",
    "RecordedRequest",
    "StoredAttachment",
    "StoredMessage",
    "Upload",
    "WaitTimeout",
    "errors",
    "point_discord_py_at",
    "running_bot",
]
