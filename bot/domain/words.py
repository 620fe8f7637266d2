"""The small words every message shares: counts, ordinals, name lists, book lines, message links.

One helper each, so that "1 book"/"2 books", "2nd", "A, B and 3 more" and
"Title by Author" read the same in every reply, embed and digest. These helpers only
assemble text: escaping and cutting member text is the caller's job (it depends on where the
text is shown — see :mod:`bot.domain.markdown`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

AUTHORS_SHOWN: Final = 3  # authors named before "and N more"


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``"1 book"``, ``"2 books"``, ``"1,024 pages"``; pass ``plural_form`` for irregular nouns
    (``plural(2, "shelf", "shelves")``)."""
    return f"{count:,} {noun if count == 1 else (plural_form or noun + 's')}"


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``12th``, ``13th``, ``21st``, ``111th``."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def join_names(names: Sequence[str], limit: int | None = None) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``; with a ``limit``, the names past it are
    counted: ``"A, B, C and 2 more"``. Empty for no names."""
    shown = list(names if limit is None else names[:limit])
    hidden = len(names) - len(shown)
    if hidden:
        return f"{', '.join(shown)} and {hidden} more"
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return shown[0] if shown else ""


def join_authors(authors: Sequence[str], limit: int = AUTHORS_SHOWN) -> str | None:
    """A book's authors as one phrase (blank names skipped), or None when it has none:
    ``"A"``, ``"A and B"``, ``"A, B and C"``, ``"A, B, C and 1 more"``."""
    names = [a for a in authors if a and a.strip()]
    return join_names(names, limit) or None


def book_line(title: str, author: str | None, *, sep: str = " by ") -> str:
    """``"Title by Author"``, or the title alone when there is no author. The parts are
    taken as given (escape or cut them first); ``sep=" — "`` for embed author lines and
    lists, where the title and author stand side by side."""
    return f"{title}{sep}{author}" if author else title


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    """The link that opens a message in Discord."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def message_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str | None:
    """:func:`jump_url`, or None for a message that was never posted (or is gone)."""
    if channel_id is None or message_id is None:
        return None
    return jump_url(guild_id, channel_id, message_id)
