"""Domain errors. The command tree turns every :class:`UserError` into an ephemeral reply."""

from __future__ import annotations

import secrets


def new_error_code() -> str:
    """A short code for an error a member or moderator is told about; log it with the full
    exception, so the host can find the details the message leaves out."""
    return secrets.token_hex(4).upper()


class UserError(Exception):
    """Something the member did or asked for that cannot be done; the message says how to fix it.

    The message is shown to the member as it is, so it must be safe, short and helpful.
    """

    title = "That didn't work"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(UserError):
    """An option value is malformed or out of range."""


class NotFound(UserError):
    """The thing asked for does not exist (in this server)."""

    title = "Not found"


class PermissionDenied(UserError):
    """The member lacks the rights for this action (checked on the server side)."""

    title = "Not allowed"


class Conflict(UserError):
    """The action conflicts with the current state (e.g. already exists)."""


class CatalogueUnavailable(UserError):
    """Every metadata source is unreachable right now (distinct from 'not found')."""

    title = "Catalogue unreachable"


class DatabaseStartupError(Exception):
    """The database cannot be opened or migrated; the message is one line for the operator."""
