"""Errors of the metadata client layer. "Not found" is not an error: clients return None/[].

The catalogue turns these into a fallback to the next source, and into
:class:`bot.errors.CatalogueUnavailable` when every source failed. Messages name a request
by its path; a whole URL that must appear in a message or a log line goes through
:func:`redact_url` first, so no credential ever reaches the logs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
# query parameter names that carry credentials (Google's ``key``, OAuth tokens, signatures)
_SECRET_PARAM = re.compile(
    r"(?:^|[_-])(?:key|api[_-]?key|apikey|token|secret|password|passwd|pwd|auth|sig|signature"
    r"|credential|credentials|session)$|^(?:access|refresh|id)[_-]?token$|^x-goog-",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """``url`` fit for a log line: the password in its userinfo and the values of
    credential-like query parameters (``key``, ``token``, ``signature``…) become ``***``.

    Anything that does not parse as a URL is returned with every query value masked.
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        head, _, query = url.partition("?")
        return f"{head}?{MASK}" if query else head
    query = urlencode([(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


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
