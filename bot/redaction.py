"""Keeping secrets out of what the process prints and logs (SPEC §10).

:func:`mask_url` is the one way a URL that may carry credentials (``DATABASE_URL``, a
metadata mirror, a proxy) is shown. :class:`Redactor` cleans any text: known secrets
(the token, API keys, the database password), passwords inside URLs, Discord interaction
and webhook tokens inside URL paths, and API keys in query strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
#: a known secret shorter than this is only masked where a pattern finds it (masking a
#: three-letter password everywhere would garble every log line)
MIN_LITERAL_LENGTH = 6

_URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*):(?P<password>[^\s@/'\"]*)@"
)
# /interactions/{id}/{token}/callback and /webhooks/{application id}/{token}/... (Discord)
_URL_TOKEN = re.compile(r"(?P<head>/(?:interactions|webhooks)/\d+/)(?P<token>[A-Za-z0-9_\-.]+)")
# ?key=… &api_key=… &token=… &access_token=… (Google's key travels this way)
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&](?:key|api_?key|token|access_token|password)=)(?P<value>[^&\s'\"#]+)",
    re.IGNORECASE,
)
# 'token': '…' / "token": "…" in a logged payload
_TOKEN_FIELD = re.compile(
    r"(?P<head>(?P<q>['\"])(?:token|access_token|password)(?P=q)\s*:\s*(?P<q2>['\"]))"
    r"(?P<value>[^'\"]+)",
    re.IGNORECASE,
)


def mask_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``; the rest kept for reading."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme and "@" in parts.netloc:
        userinfo, _, hostinfo = parts.netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{hostinfo}" if has_password else parts.netloc
        return urlunsplit(parts._replace(netloc=netloc))
    if "@" in url:  # not a URL we can parse (e.g. no scheme): keep only what follows the @
        return f"{MASK}@{url.rpartition('@')[2]}"
    return url


def url_password(url: str) -> str | None:
    """The password in ``url`` (percent-decoded), if it has one."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


class Redactor:
    """Masks known secrets and secret-shaped parts of any text."""

    def __init__(self, literals: Iterable[str | None] = ()) -> None:
        self._literals: list[str] = []
        self.add(*literals)

    def add(self, *literals: str | None) -> None:
        """Also mask these exact strings wherever they appear."""
        for value in literals:
            if value and len(value) >= MIN_LITERAL_LENGTH and value not in self._literals:
                self._literals.append(value)
        # longest first, so a secret containing another is masked whole
        self._literals.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for literal in self._literals:
            if literal in text:
                text = text.replace(literal, MASK)
        text = _URL_PASSWORD.sub(rf"\g<head>:{MASK}@", text)
        text = _URL_TOKEN.sub(rf"\g<head>{MASK}", text)
        text = _QUERY_SECRET.sub(rf"\g<head>{MASK}", text)
        return _TOKEN_FIELD.sub(rf"\g<head>{MASK}", text)
