"""Shelves: the five status shelves every member has, and members' own (custom) shelves.

Status shelves are not stored as shelves: they are the statuses of the member's latest
reading of each book. Custom shelves ("favourites", "literature") are rows in ``shelves``
with a display name and a ``name_key`` (the case-folded name) that is unique per member.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from bot.domain.reading import ReadingStatus
from bot.errors import InvalidInput

__all__ = [
    "MAX_BOOKS_PER_SHELF",
    "MAX_CUSTOM_SHELVES",
    "MAX_SHELF_NAME_LENGTH",
    "OWNED_SHELF",
    "STATUS_SHELVES",
    "ShelfName",
    "shelf_key",
    "status_for_shelf_name",
    "validate_shelf_name",
]

#: The custom shelf owned books go on (Goodreads and StoryGraph exports have no other place
#: for "owned"; an export writes it back as Goodreads' ``Owned Copies``).
OWNED_SHELF = "owned"
#: Custom shelves one member may have in one server.
MAX_CUSTOM_SHELVES = 50
#: Books on one custom shelf (status shelves have no limit).
MAX_BOOKS_PER_SHELF = 5000
#: Characters in a shelf's display name (after trimming).
MAX_SHELF_NAME_LENGTH = 40
#: ``shelves.name_key`` is a String(64) column.
_MAX_KEY_LENGTH = 64

#: The status shelves, in display order.
STATUS_SHELVES: tuple[ReadingStatus, ...] = (
    ReadingStatus.READING,
    ReadingStatus.PAUSED,
    ReadingStatus.WANT_TO_READ,
    ReadingStatus.FINISHED,
    ReadingStatus.DID_NOT_FINISH,
)

# Names that mean a status shelf, compared after _loose_key(): the values, the labels, and
# the names Goodreads and StoryGraph use for the same shelves.
_STATUS_ALIASES: dict[str, ReadingStatus] = {
    "want-to-read": ReadingStatus.WANT_TO_READ,
    "to-read": ReadingStatus.WANT_TO_READ,
    "tbr": ReadingStatus.WANT_TO_READ,
    "reading": ReadingStatus.READING,
    "currently-reading": ReadingStatus.READING,
    "paused": ReadingStatus.PAUSED,
    "finished": ReadingStatus.FINISHED,
    "read": ReadingStatus.FINISHED,
    "did-not-finish": ReadingStatus.DID_NOT_FINISH,
    "dnf": ReadingStatus.DID_NOT_FINISH,
}

# Discord markup that would mention, link a channel or command, or embed a custom emoji.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|/|a?:)[^>]*>|@(?:everyone|here)\b", re.IGNORECASE)
# Invisible characters that reorder or hide text (the zero-width joiner of emoji is allowed).
_INVISIBLE = frozenset("\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class ShelfName(NamedTuple):
    """A valid custom shelf name: what to show, and the key that must be unique."""

    display: str
    key: str


def _loose_key(name: str) -> str:
    """Case-folded, with spaces and underscores as hyphens: "Want to read" → "want-to-read"."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s_-]+", "-", folded.strip())


def shelf_key(name: str) -> str:
    """The unique key of a shelf name: NFKC, trimmed, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def status_for_shelf_name(name: str) -> ReadingStatus | None:
    """The status shelf ``name`` means ("Finished", "read", "to-read", "DNF", …), if any."""
    return _STATUS_ALIASES.get(_loose_key(name))


def validate_shelf_name(name: str) -> ShelfName:
    """Check a custom shelf name and return its display form and key.

    The name is trimmed and inner runs of spaces become one. It must be 1–40 characters,
    contain no control or invisible characters, no Discord mention / channel / emoji
    markup and no comma (Goodreads and StoryGraph files list shelves comma-separated), and
    must not be a status shelf's name.
    """
    display = " ".join(unicodedata.normalize("NFC", name).split())
    if not display:
        raise InvalidInput("Give the shelf a name, e.g. `favourites`.")
    if len(display) > MAX_SHELF_NAME_LENGTH:
        raise InvalidInput(
            f"Shelf names can be at most {MAX_SHELF_NAME_LENGTH} characters "
            f"(that one has {len(display)})."
        )
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") or c in _INVISIBLE for c in display):
        raise InvalidInput("Shelf names can't contain control or invisible characters.")
    if _DISCORD_MARKUP.search(display):
        raise InvalidInput("Shelf names can't contain mentions, channel links or custom emoji.")
    if "," in display:
        raise InvalidInput("Shelf names can't contain commas.")
    status = status_for_shelf_name(display)
    if status is not None:
        raise InvalidInput(
            f"**{status.label}** is already one of your status shelves; "
            "pick another name for a shelf of your own."
        )
    key = shelf_key(display)
    if len(key) > _MAX_KEY_LENGTH:
        raise InvalidInput("That shelf name is too long; try a shorter one.")
    return ShelfName(display, key)
