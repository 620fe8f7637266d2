"""Errors of the metadata client layer. "Not found" is not an error: clients return None/[].

The catalogue turns these into a fallback to the next source, and into
:class:`bot.errors.CatalogueUnavailable` when every source failed. Messages never contain
query strings (an API key may travel in them).
"""

from __future__ import annotations


class MetadataError(Exception):
    """A metadata source could not give a usable answer."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class SourceUnavailable(MetadataError):
    """The source is unreachable: timeouts, connection errors, 5xx after retries."""


class RateLimited(SourceUnavailable):
    """The source answered 429 (or a quota error) and retrying now would not help."""

    def __init__(self, source: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(source, message)
        self.retry_after = retry_after


class CircuitOpen(SourceUnavailable):
    """The source failed repeatedly; calls are refused without a request until a cool-down."""


class BadResponse(MetadataError):
    """The source answered, but not with what we asked for: an HTML page (e.g. a 403 block
    page), invalid JSON, JSON of the wrong shape, or an unexpected 4xx status."""
