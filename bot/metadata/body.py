"""Reading a source's answer without trusting it: content type, size, encoding, nesting.

A response body is streamed and refused (as :class:`BadResponse`) as soon as it grows past
``max_bytes``, counted both on the wire and once inflated, so a small gzip bomb cannot
expand in memory either. Only ``identity`` and ``gzip`` are accepted (we ask for gzip and
nothing else). JSON is parsed only after a linear check that it does not nest deeper than
:data:`MAX_JSON_DEPTH`: the decoder recurses, and would otherwise raise RecursionError (not
a MetadataError, so no fallback) on ``[[[[…``, or overflow the C stack wherever the
recursion limit has been raised. Checking and parsing a body at the cap takes at most a
few tenths of a second.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import zlib

import httpx

from bot.metadata.errors import BadResponse

MAX_BODY_BYTES = 2 * 1024 * 1024  # our largest real answers (50 editions) are ~200 KB
MAX_JSON_DEPTH = 32  # a Google search answer nests 6 deep; Open Library's records 4
ACCEPT_ENCODING = "gzip"

# JSON strings (escapes included) are removed before brackets are counted
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def media_type(response: httpx.Response) -> str:
    """``application/json`` from ``Application/JSON; charset=UTF-8``; "" when absent."""
    value: str = response.headers.get("content-type", "")
    return value.split(";", 1)[0].strip().lower()


def is_json_type(kind: str) -> bool:
    """Types a JSON answer may come with. A missing type and ``text/plain`` (servers label
    JSON that way by mistake) get the benefit of the doubt: the body is read, still capped,
    and must then parse. Images, archives, HTML and the like are refused unread."""
    return kind in ("", "application/json", "text/json", "text/plain") or kind.endswith("+json")


class _Inflater:
    """Content decoding with a bounded output per step (``max_length``), unlike httpx's."""

    def __init__(self, source: str, encoding: str) -> None:
        self._source = source
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            raise BadResponse(source, f"content encoding {encoding[:20]!r} was not asked for")

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Inflate ``chunk``; at most ``room + 1`` bytes come out (one more means too big)."""
        if self._zlib is None:
            return chunk
        try:
            return self._zlib.decompress(chunk, room + 1)
        except zlib.error as exc:
            raise BadResponse(self._source, "corrupt gzip body") from exc

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        if not self._zlib.eof:
            raise BadResponse(self._source, "truncated gzip body")
        return b""


async def read_body(
    response: httpx.Response, source: str, *, max_bytes: int = MAX_BODY_BYTES
) -> bytes:
    """The decoded body of a streamed response, or BadResponse once it exceeds ``max_bytes``."""
    path = response.url.path
    too_big = BadResponse(source, f"answer larger than {max_bytes // 1024} KiB ({path})")
    if response.is_stream_consumed:
        # built in memory (e.g. by a mock transport): httpx has read and decoded it already
        if len(response.content) > max_bytes:
            raise too_big
        return response.content
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    encoding = response.headers.get("content-encoding", "").strip().lower()
    inflater = _Inflater(source, encoding)
    received = 0
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > max_bytes:
            raise too_big
        part = inflater.feed(chunk, max_bytes - size)
        size += len(part)
        if size > max_bytes:
            raise too_big
        parts.append(part)
    if received:
        parts.append(inflater.flush())
    return b"".join(parts)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def nesting_depth(body: bytes) -> int:
    """How deep the JSON text's arrays and objects nest, ignoring brackets inside strings.

    Linear and in C: strings go, then everything but brackets; openers count +1, closers
    -1, and the deepest running total is the answer. The decoder can never recurse deeper
    than this, valid JSON or not: it stops at the first error, and it reads strings exactly
    as they are skipped here.
    """
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_A_BRACKET).translate(_STEPS)
    # running sum of (step - 1): openers +1, closers -1
    return max(map(operator.sub, itertools.accumulate(brackets), itertools.count(1)), default=0)


def parse_json(body: bytes, source: str, where: str, *, max_depth: int = MAX_JSON_DEPTH) -> object:
    """Decoded JSON, or BadResponse for invalid, too deeply nested or non-standard JSON."""
    if nesting_depth(body) > max_depth:
        raise BadResponse(source, f"JSON nested deeper than {max_depth} levels ({where})")
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except RecursionError as exc:  # cannot happen within the bound; kept as a backstop
        raise BadResponse(source, f"JSON nested too deeply ({where})") from exc
    except ValueError as exc:  # also UnicodeDecodeError and over-long integers
        raise BadResponse(source, f"invalid JSON ({where})") from exc
