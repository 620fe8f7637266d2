"""Native Discord polls: a message's ``poll``, members' votes, the voters route, ending.

The bot creates a poll by sending a message with a ``poll`` object (Poll Create Request:
``question.text`` ≤ 300, 1–10 ``answers`` of ``poll_media.text`` ≤ 55, ``duration`` in
hours 1–768, ``allow_multiselect``); the message then carries the poll object Discord
returns (``answer_id`` 1, 2…, ``expiry``, ``results``). Posting one needs Send Polls.

A test drives the members' side (:meth:`PollsMixin.vote_poll`, :meth:`PollsMixin.unvote_poll`,
which send ``MESSAGE_POLL_VOTE_ADD``/``_REMOVE`` to a bot with the GUILD_MESSAGE_POLLS /
DIRECT_MESSAGE_POLLS intent) and the clock (:meth:`PollsMixin.end_poll`: the poll reached
its end time — no real sleeping). Ending a poll, by the clock or by the author's
``POST /channels/{c}/polls/{m}/expire``, finalizes the results, sends ``MESSAGE_UPDATE``
and posts Discord's "poll results" system message (type 46, authored by the poll's author,
replying to the poll, with the ``poll_result`` embed discord.py reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import discord

from . import errors as e
from .errors import ApiError
from .models import JSON, StoredMessage
from .snowflake import iso

if TYPE_CHECKING:
    from .interactions import UserLike
    from .rest import ApiRequest, Handler, RestApi
    from .server import FakeDiscord, MessageLike

QUESTION_MAX = 300
ANSWER_MAX = 55
ANSWERS_MAX = 10
DURATION_MAX_HOURS = 768  # 32 days
SEND_POLLS: int = discord.Permissions(send_polls=True).value
#: message type of the "poll results" system message Discord posts when a poll ends
POLL_RESULT = 46


@dataclass(eq=False)
class PollAnswer:
    answer_id: int
    text: str
    emoji: JSON | None = None

    def to_payload(self) -> JSON:
        media: JSON = {"text": self.text}
        if self.emoji is not None:
            media["emoji"] = self.emoji
        return {"answer_id": self.answer_id, "poll_media": media}


@dataclass(eq=False)
class FakePoll:
    """A poll on a message: its answers, who voted for what, whether it has ended."""

    question: str
    answers: list[PollAnswer]
    allow_multiselect: bool
    expiry: datetime
    layout_type: int = 1
    #: answer id → ids of the users who voted for it, in voting order
    votes: dict[int, list[int]] = field(default_factory=dict)
    #: True once the poll ended (by its end time or ``expire``): counts are final
    finalized: bool = False

    @property
    def ended(self) -> bool:
        return self.finalized

    def answer(self, which: int | str) -> PollAnswer:
        """An answer by id, or by its exact text."""
        for answer in self.answers:
            if which in (answer.answer_id, answer.text):
                return answer
        raise KeyError(f"no answer {which!r}; have {[a.text for a in self.answers]}")

    def voters(self, which: int | str) -> list[int]:
        """Ids of the users who voted for an answer (id or text)."""
        return list(self.votes.get(self.answer(which).answer_id, []))

    def count(self, which: int | str) -> int:
        return len(self.voters(which))

    def counts(self) -> dict[str, int]:
        """Answer text → number of votes (every answer, zero included)."""
        return {a.text: len(self.votes.get(a.answer_id, [])) for a in self.answers}

    def answers_of(self, user_id: int) -> list[int]:
        return [a for a, users in self.votes.items() if user_id in users]

    def to_payload(self, viewer_id: int) -> JSON:
        counts = [
            {"id": answer_id, "count": len(users), "me_voted": viewer_id in users}
            for answer_id, users in sorted(self.votes.items())
            if users
        ]
        return {
            "question": {"text": self.question},
            "answers": [a.to_payload() for a in self.answers],
            "expiry": iso(self.expiry),
            "allow_multiselect": self.allow_multiselect,
            "layout_type": self.layout_type,
            "results": {"is_finalized": self.finalized, "answer_counts": counts},
        }


def parse_poll(payload: Any, created_at: datetime, *, validate: bool) -> FakePoll:
    """A Poll Create Request → :class:`FakePoll`, or 400 Invalid Form Body (paths under
    ``poll``) as Discord answers it."""
    errors: JSON = {}

    def error(path: Sequence[str | int], code: str, message: str) -> None:
        node = errors
        for key in ("poll", *path):
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    if not isinstance(payload, dict):
        raise ApiError(e.form_error("poll", "MODEL_TYPE_CONVERT", "Only dictionaries may be used"))
    question = (payload.get("question") or {}).get("text")
    if not isinstance(question, str) or not question:
        error(["question", "text"], "BASE_TYPE_REQUIRED", "This field is required")
    elif validate and len(question) > QUESTION_MAX:
        error(
            ["question", "text"],
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {QUESTION_MAX} or fewer in length.",
        )
    raw_answers = payload.get("answers")
    answers: list[PollAnswer] = []
    if not isinstance(raw_answers, list) or not raw_answers:
        error(["answers"], "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
    else:
        if validate and len(raw_answers) > ANSWERS_MAX:
            error(["answers"], "BASE_TYPE_MAX_LENGTH", f"Must be {ANSWERS_MAX} or fewer in length.")
        for index, raw in enumerate(raw_answers):
            media = (raw or {}).get("poll_media") or {}
            text = media.get("text")
            if not isinstance(text, str) or not text:
                error(
                    ["answers", index, "poll_media", "text"],
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
                continue
            if validate and len(text) > ANSWER_MAX:
                error(
                    ["answers", index, "poll_media", "text"],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {ANSWER_MAX} or fewer in length.",
                )
            answers.append(PollAnswer(index + 1, text, media.get("emoji")))
    duration = payload.get("duration", 24)
    try:
        hours = float(duration)
    except (TypeError, ValueError):
        hours = -1.0
    if not hours.is_integer() or not 1 <= hours <= DURATION_MAX_HOURS:
        error(
            ["duration"],
            "NUMBER_TYPE_MAX" if hours > DURATION_MAX_HOURS else "NUMBER_TYPE_MIN",
            f"int value should be between 1 and {DURATION_MAX_HOURS}.",
        )
    if payload.get("layout_type", 1) != 1:
        error(["layout_type"], "ENUM_TYPE_COERCE", "Value is not a valid enum value.")
    if errors:
        raise ApiError(e.invalid_form_body(errors))
    assert isinstance(question, str)
    return FakePoll(
        question=question,
        answers=answers,
        allow_multiselect=bool(payload.get("allow_multiselect", False)),
        expiry=created_at + timedelta(hours=hours),
    )


def result_embed(poll: FakePoll) -> JSON:
    """The ``poll_result`` embed of the results message (the fields discord.py reads)."""
    fields = [{"name": "poll_question_text", "value": poll.question, "inline": False}]
    tally = {a.answer_id: len(poll.votes.get(a.answer_id, [])) for a in poll.answers}
    total = sum(tally.values())
    fields.append({"name": "total_votes", "value": str(total), "inline": False})
    top = max(tally.values(), default=0)
    leaders = [a for a in poll.answers if tally[a.answer_id] == top]
    if top > 0 and len(leaders) == 1:  # a tie or no votes: no victor
        victor = leaders[0]
        fields += [
            {"name": "victor_answer_votes", "value": str(top), "inline": False},
            {"name": "victor_answer_id", "value": str(victor.answer_id), "inline": False},
            {"name": "victor_answer_text", "value": victor.text, "inline": False},
        ]
    return {"type": "poll_result", "fields": fields}


class PollRoutes:
    """``GET /channels/{c}/polls/{m}/answers/{a}`` and ``POST …/expire``."""

    def __init__(self, api: RestApi) -> None:
        self.api = api

    def routes(self) -> list[tuple[str, str, Handler]]:
        base = "/channels/{channel_id}/polls/{message_id}"
        return [
            ("GET", f"{base}/answers/{{answer_id}}", self.get_answer_voters),
            ("POST", f"{base}/expire", self.expire),
        ]

    def _poll_message(self, request: ApiRequest) -> tuple[StoredMessage, FakePoll]:
        channel = self.api.channel(request)
        message = self.api.message(request, channel)
        if message.poll is None:
            raise ApiError(e.CANNOT_EXPIRE_NON_POLL)
        return message, message.poll

    async def get_answer_voters(self, request: ApiRequest) -> JSON:
        _, poll = self._poll_message(request)
        answer_id = request.int_param("answer_id")
        if answer_id not in [a.answer_id for a in poll.answers]:
            raise ApiError(e.form_error("answer_id", "ANSWER_ID_INVALID", "Invalid answer id"))
        limit = int(request.query.get("limit", 25))
        if not 1 <= limit <= 100:
            message_ = "int value should be between 1 and 100."
            raise ApiError(e.form_error("limit", "NUMBER_TYPE_MAX", message_))
        after = int(request.query.get("after", 0))
        ids = sorted(u for u in poll.votes.get(answer_id, []) if u > after)[:limit]
        rig = self.api.rig
        return {"users": [rig.users[u].to_payload() for u in ids]}

    async def expire(self, request: ApiRequest) -> JSON:
        message, poll = self._poll_message(request)
        rig = self.api.rig
        if message.author is not rig.bot_user:
            raise ApiError(e.CANNOT_EDIT_OTHERS)  # "You cannot end polls from other users"
        if poll.finalized:
            raise ApiError(e.POLL_EXPIRED)
        rig._finish_poll(message)
        return message.to_payload(rig)


def _rig(mixin: object) -> FakeDiscord:
    """The :class:`FakeDiscord` this mixin is part of (typed for mypy)."""
    return cast("FakeDiscord", mixin)


class PollsMixin:
    """The members' and the clock's side of polls (mixed into :class:`FakeDiscord`)."""

    def poll_of(self, message: MessageLike) -> FakePoll:
        """The poll on ``message`` (ValueError if it has none)."""
        stored = _rig(self)._message_of(message)
        if stored.poll is None:
            raise ValueError(f"message {stored.id} has no poll")
        return stored.poll

    async def vote_poll(
        self,
        message: MessageLike,
        user: UserLike,
        *answers: int | str,
        timeout: float | None = None,
    ) -> None:
        """``user`` votes for ``answers`` (ids or texts): ``MESSAGE_POLL_VOTE_ADD`` per
        answer, waited for until written. Raises ValueError for what the Discord client
        would not let a member do: vote on an ended poll, vote as the bot (apps cannot
        vote), pick several answers (or a second one) in a single-choice poll."""
        rig = _rig(self)
        stored = rig._message_of(message)
        poll = rig.poll_of(stored)
        voter = rig.resolve_user(user)
        if poll.finalized:
            raise ValueError("the poll has ended")
        if voter.bot:
            raise ValueError("apps cannot vote on polls")
        guild = rig.guilds.get(stored.guild_id) if stored.guild_id else None
        if guild is not None and voter.id not in guild.members:
            raise ValueError(f"{voter!r} is not a member of the poll's guild")
        chosen = [poll.answer(a).answer_id for a in answers]
        if not chosen:
            raise ValueError("vote for at least one answer")
        already = poll.answers_of(voter.id)
        if not poll.allow_multiselect and len(set(chosen) | set(already)) > 1:
            raise ValueError("single-choice poll: remove the vote first (unvote_poll) to change it")
        for answer_id in chosen:
            if answer_id in already:
                continue
            poll.votes.setdefault(answer_id, []).append(voter.id)
            await rig._poll_vote_event(
                "MESSAGE_POLL_VOTE_ADD", stored, voter.id, answer_id, timeout
            )
        rig._notify()

    async def unvote_poll(
        self,
        message: MessageLike,
        user: UserLike,
        *answers: int | str,
        timeout: float | None = None,
    ) -> None:
        """``user`` removes their vote for ``answers`` (all their votes if none given):
        ``MESSAGE_POLL_VOTE_REMOVE`` per answer."""
        rig = _rig(self)
        stored = rig._message_of(message)
        poll = rig.poll_of(stored)
        voter = rig.resolve_user(user)
        if poll.finalized:
            raise ValueError("the poll has ended")
        chosen = [poll.answer(a).answer_id for a in answers] or poll.answers_of(voter.id)
        for answer_id in chosen:
            users = poll.votes.get(answer_id, [])
            if voter.id not in users:
                continue
            users.remove(voter.id)
            await rig._poll_vote_event(
                "MESSAGE_POLL_VOTE_REMOVE", stored, voter.id, answer_id, timeout
            )
        rig._notify()

    async def end_poll(
        self,
        message: MessageLike,
        *,
        timeout: float | None = None,
    ) -> StoredMessage:
        """The poll reaches its end time now: results finalized, ``MESSAGE_UPDATE``, and
        the "poll results" message (returned) posted — as Discord does at ``expiry``."""
        rig = _rig(self)
        stored = rig._message_of(message)
        poll = rig.poll_of(stored)
        if poll.finalized:
            raise ValueError("the poll has already ended")
        result = rig._finish_poll(stored)
        await rig.sync(timeout)
        return result

    # --- internal ---------------------------------------------------------------------------
    async def _poll_vote_event(
        self,
        event: str,
        message: StoredMessage,
        user_id: int,
        answer_id: int,
        timeout: float | None,
    ) -> None:
        rig = _rig(self)
        data: JSON = {
            "user_id": str(user_id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "answer_id": answer_id,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        sent = rig.gateway.dispatch(
            event, data, guild_id=message.guild_id, dm=message.guild_id is None
        )
        if sent is not None:
            await rig._await(sent, timeout, f"{event} to be sent")

    def _finish_poll(self, message: StoredMessage) -> StoredMessage:
        rig = _rig(self)
        poll = message.poll
        assert poll is not None
        now = datetime.now(UTC)
        poll.finalized = True
        poll.expiry = min(poll.expiry, now)
        rig._message_event("MESSAGE_UPDATE", message)
        result = StoredMessage(
            id=rig.snowflake(),
            channel_id=message.channel_id,
            guild_id=message.guild_id,
            author=message.author,
            embeds=[result_embed(poll)],
            type=POLL_RESULT,
            message_reference={
                "type": 0,
                "message_id": str(message.id),
                "channel_id": str(message.channel_id),
                **({"guild_id": str(message.guild_id)} if message.guild_id else {}),
            },
        )
        rig._add_message(result)
        return result
