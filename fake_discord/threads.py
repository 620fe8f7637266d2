"""Thread membership and who can see a private thread (mixed into :class:`FakeDiscord`).

A private thread (type 12) is seen by its members and by whoever has Manage Threads in
the parent channel (and can view it); a public thread by whoever can view the parent.
Adding or removing someone (``PUT``/``DELETE /channels/{t}/thread-members/{u}``, routes in
``rest.py``) sends ``THREAD_MEMBERS_UPDATE`` (delivered with the GUILD_MEMBERS intent).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import discord

from .models import JSON, PRIVATE_THREAD, FakeChannel, FakeMember
from .snowflake import iso

if TYPE_CHECKING:
    from .interactions import UserLike
    from .server import FakeDiscord

_VIEW: int = discord.Permissions(view_channel=True).value
_MANAGE_THREADS: int = discord.Permissions(manage_threads=True).value


def _rig(mixin: object) -> FakeDiscord:
    """The :class:`FakeDiscord` this mixin is part of (typed for mypy)."""
    return cast("FakeDiscord", mixin)


class ThreadsMixin:
    def can_see_thread(self, member: UserLike, thread: FakeChannel) -> bool:
        """Whether ``member`` can see ``thread``: view access to the parent channel, and for
        a private thread, being a thread member or having Manage Threads there."""
        rig = _rig(self)
        if not thread.is_thread or thread.guild_id is None or thread.deleted:
            raise ValueError(f"{thread!r} is not a live guild thread")
        guild = rig.guilds[thread.guild_id]
        user = rig.resolve_user(member)
        found = guild.members.get(user.id)
        if found is None:
            return False
        permissions = guild.permissions_for(found, thread)  # a thread uses its parent's
        if not permissions & _VIEW:
            return False
        if thread.type != PRIVATE_THREAD:
            return True
        return user.id in thread.member_ids or bool(permissions & _MANAGE_THREADS)

    def thread_members(self, thread: FakeChannel) -> list[FakeMember]:
        """The thread's members (those still in the guild), by user id."""
        guild = _rig(self).guilds[thread.guild_id]  # type: ignore[index]
        return [guild.members[u] for u in sorted(thread.member_ids) if u in guild.members]

    # --- internal (used by the thread-member routes) ---------------------------------------
    def _add_thread_member(self, thread: FakeChannel, user_id: int) -> None:
        rig = _rig(self)
        if user_id in thread.member_ids:
            return
        thread.member_ids.add(user_id)
        thread.member_joined[user_id] = datetime.now(UTC)
        guild = rig.guilds[thread.guild_id]  # type: ignore[index]
        added: JSON = {
            "id": str(thread.id),
            "user_id": str(user_id),
            "join_timestamp": iso(thread.member_joined[user_id]),
            "flags": 0,
        }
        if (member := guild.members.get(user_id)) is not None:
            added["member"] = member.to_payload()
        rig._guild_event(guild, "THREAD_MEMBERS_UPDATE", rig._members_update(thread, added=[added]))

    def _remove_thread_member(self, thread: FakeChannel, user_id: int) -> None:
        rig = _rig(self)
        if user_id not in thread.member_ids:
            return
        thread.member_ids.discard(user_id)
        thread.member_joined.pop(user_id, None)
        guild = rig.guilds[thread.guild_id]  # type: ignore[index]
        data = rig._members_update(thread, removed=[str(user_id)])
        rig._guild_event(guild, "THREAD_MEMBERS_UPDATE", data)

    def _members_update(
        self,
        thread: FakeChannel,
        *,
        added: list[JSON] | None = None,
        removed: list[str] | None = None,
    ) -> JSON:
        data: JSON = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": len(thread.member_ids),
        }
        if added:
            data["added_members"] = added
        if removed:
            data["removed_member_ids"] = removed
        return data
