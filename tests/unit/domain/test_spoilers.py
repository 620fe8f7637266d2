"""Spoiler text rules: spans that cannot break, mentions, cleaning, pagination.

The checks read the output the way Discord does: the oracle in tests/support (Discord's
client rules: ``||`` opens, the next raw ``||`` closes), plus two stricter readers of spoiler
spans below: one escape-aware (a backslash escapes the next character, as CommonMark-style
parsers do) and one that first strips invisible characters (a client that drops them).
Every spoiler page must be exactly one span under all three.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.discord_limits import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    MESSAGE_CONTENT_LIMIT,
)
from bot.domain.markdown import has_member_spoilers, inert, spoiler_segments
from bot.domain.spoilers import (
    MIN_SPOILER_PAGE,
    group_for_messages,
    paginate,
    paginate_spoiler,
    quote,
    sanitize_user_text,
    wrap_spoiler,
)
from bot.domain.text import (
    ZWSP,
    is_blank,
    is_invisible,
    neutralise_mentions,
    strip_control_chars,
)
from bot.errors import InvalidInput
from tests.support.discord_markdown import (
    formatting,
    shown_text,
    spoiler_text,
    visible_outside_spoilers,
)

# --- readers of Discord spoiler spans -------------------------------------------------------

Segment = tuple[bool, str]  # (inside a spoiler, text)
MODES = ("oracle", "escapes", "strip-invisible")
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")


def parse_spans(text: str, mode: str) -> list[Segment]:
    """Split ``text`` into spoiler and plain segments the way a reader would."""
    if mode == "oracle":
        shown = visible_outside_spoilers(text)
        hidden = spoiler_text(text)
        segments: list[Segment] = []
        if hidden:
            segments.append((True, hidden))
        if shown:
            segments.append((False, shown))
        return segments
    if mode == "strip-invisible":
        text = "".join(c for c in text if not is_invisible(c))
    escapes = mode == "escapes"
    segments = []
    plain: list[str] = []
    i = 0
    while i < len(text):
        if escapes and text[i] == "\\" and i + 1 < len(text):
            plain.append(text[i : i + 2])
            i += 2
            continue
        if text.startswith("||", i):
            close = _find_closer(text, i + 3, escapes)
            if close is not None:
                if plain:
                    segments.append((False, "".join(plain)))
                    plain = []
                segments.append((True, text[i + 2 : close]))
                i = close + 2
                continue
        plain.append(text[i])
        i += 1
    if plain:
        segments.append((False, "".join(plain)))
    return segments


def _find_closer(text: str, start: int, escapes: bool) -> int | None:
    """The first ``||`` at or after ``start`` (the span holds at least one character)."""
    j = start - 1
    while j < len(text) - 1:
        if escapes and text[j] == "\\":
            j += 2
            continue
        if j >= start and text[j] == "|" and text[j + 1] == "|":
            return j
        j += 1
    return None


def visible(text: str) -> str:
    return "".join(c for c in text if not is_invisible(c))


def unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def reveal(page: str, *, spoiler: bool) -> str:
    """What one page shows (a spoiler page: what clicking reveals), invisibles removed."""
    if spoiler:
        return visible(spoiler_text(page)).rstrip(" ")
    return visible(shown_text(page))


def assert_one_span(page: str) -> str:
    """``page`` is exactly one spoiler span for every reader; returns what it reveals."""
    assert page.startswith("||") and page.endswith("||")
    for mode in MODES:
        segments = parse_spans(page, mode)
        assert len(segments) == 1, (mode, page, segments)
        inside, _ = segments[0]
        assert inside, (mode, page, segments)
    assert formatting(page).count("spoiler") == 1
    return reveal(page, spoiler=True)


def _no_blanks(text: str) -> str:
    return "".join(text.split())


def assert_reassembles(text: str, pages: list[str], *, spoiler: bool) -> None:
    """Nothing lost: the pages, in order, are the text (blanks aside: page breaks drop them,
    and a span ending in a pipe gets one)."""
    if spoiler:
        target = visible(text)
    else:  # a member's own ||…|| tags are not shown, their text is (hidden)
        target = visible(
            "".join(text[s.inner_start : s.inner_stop] for s in spoiler_segments(text))
        )
    target = _no_blanks(target)
    pos = 0
    for page in pages:
        shown = _no_blanks(reveal(page, spoiler=spoiler))
        assert target.startswith(shown, pos), (shown[:80], target[pos : pos + 80])
        pos += len(shown)
    assert pos == len(target)


# --- strategies -----------------------------------------------------------------------------

HOSTILE_PIECES = [
    "|",
    "||",
    "|||",
    "`",
    "```",
    "```py\n",
    "\\",
    "\\|",
    ZWSP,
    "\u2060",  # word joiner
    "\u200d",  # ZWJ
    "\u00ad",  # soft hyphen
    "\ufe0f",
    "@everyone",
    "@here",
    "@",
    "<@123>",
    "<@!45>",
    "<@&67>",
    "<#89>",
    "<t:1700000000:R>",
    " ",
    "\n",
    "\n\n",
    "\t",
    "a",
    "word",
    "Spoiler",
    ". ",
    "! ",
    "é",
    "e\u0301",
    "👍🏽",
    "🇫🇷",
    "👨\u200d👩\u200d👧",
    "> ",
    "# ",
    "*",
    "~~",
    "__",
    "[x](https://e.example)",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=4)), max_size=40
).map("".join)


# --- wrap_spoiler -----------------------------------------------------------------------------


@given(hostile_text)
@settings(max_examples=200, deadline=None)
def test_wrap_spoiler_keeps_every_character_inside_one_span(text: str) -> None:
    wrapped = wrap_spoiler(text)
    if is_blank(text):
        assert wrapped == ""
        return
    shown = assert_one_span(wrapped)
    assert shown == visible(text).rstrip(" ")
    assert "||||" not in wrapped


@given(st.text(max_size=60))
@settings(max_examples=150, deadline=None)
def test_wrap_spoiler_any_unicode(text: str) -> None:
    wrapped = wrap_spoiler(text)
    if wrapped:
        assert assert_one_span(wrapped) == visible(text).rstrip(" ")


@given(hostile_text, hostile_text, hostile_text)
@settings(max_examples=100, deadline=None)
def test_wrapped_span_survives_neighbouring_inert_text(
    before: str, secret: str, after: str
) -> None:
    """Between inert member text, the secret is hidden, whole, in the spoiler spans."""
    wrapped = wrap_spoiler(secret)
    if not wrapped or has_member_spoilers(before) or has_member_spoilers(after):
        return
    message = f"{inert(before)}\n{wrapped}\n{inert(after)}"
    for mode in MODES:
        spans = [text for inside, text in parse_spans(message, mode) if inside]
        assert len(spans) == 1, (mode, message)
        assert visible(unescape(spans[0]) if mode != "oracle" else spans[0]).rstrip(" ") == visible(
            secret
        ).rstrip(" ")


@pytest.mark.parametrize(
    ("text", "wrapped"),
    [
        ("Snape kills Dumbledore", "||Snape kills Dumbledore||"),
        ("a || b", "||a \\|\\| b||"),
        ("ends in a pipe|", "||ends in a pipe\\| ||"),
        ("|", "||\\| ||"),
        ("ends in a backslash\\", "||ends in a backslash\\\\||"),
        ("```\ncode || here\n```", "||\\`\\`\\`\ncode \\|\\| here\n\\`\\`\\`||"),
        ("@everyone dies", f"||@{ZWSP}everyone dies||"),
        ("line one\n\nline two", "||line one\n\nline two||"),
        ("# not a heading", "||\\# not a heading||"),
    ],
)
def test_wrap_spoiler_hostile_cases(text: str, wrapped: str) -> None:
    assert wrap_spoiler(text) == wrapped
    assert_one_span(wrapped)


@pytest.mark.parametrize(
    "text",
    [f"|{ZWSP}|", "|\u2060|", "|\u200d\u00ad|", f"{ZWSP}|", f"|{ZWSP}", "x|\u2060"],
)
def test_zero_width_tricks_cannot_rejoin_pipes(text: str) -> None:
    assert_one_span(wrap_spoiler(text))


@pytest.mark.parametrize("text", ["", "   ", "\n\n", ZWSP, f"{ZWSP}\u2060 \n", "\u00ad"])
def test_wrap_spoiler_never_produces_an_empty_span(text: str) -> None:
    assert wrap_spoiler(text) == ""


# --- mentions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("@everyone", f"@{ZWSP}everyone"),
        ("@here", f"@{ZWSP}here"),
        ("@Everyone", f"@{ZWSP}Everyone"),
        ("hi @everyone's", f"hi @{ZWSP}everyone's"),
        (f"@{ZWSP}everyone", f"@{ZWSP}everyone"),
        ("@\u2060here", f"@{ZWSP}here"),
        ("<@123>", f"<{ZWSP}@123>"),
        ("<@!123>", f"<{ZWSP}@!123>"),
        ("<@&123>", f"<{ZWSP}@&123>"),
        ("<#123>", f"<{ZWSP}#123>"),
        ("<t:1700000000:R>", "<t:1700000000:R>"),
        ("<:blob:123>", "<:blob:123>"),
        ("mail@example.org", "mail@example.org"),
        ("<@name>", "<@name>"),
    ],
)
def test_neutralise_mentions(text: str, safe: str) -> None:
    assert neutralise_mentions(text) == safe


@given(hostile_text)
@settings(max_examples=150, deadline=None)
def test_neutralise_mentions_is_idempotent_and_only_inserts(text: str) -> None:
    once = neutralise_mentions(text)
    assert neutralise_mentions(once) == once
    assert visible(once) == visible(text)
    assert "@everyone" not in once.lower()
    assert "@here" not in once.lower()
    assert re.search(r"<(@[!&]?|#)\d+>", once) is None


def test_inert_text_renders_no_mention_and_no_markup() -> None:
    rendered = inert("`@here` <@1> **x**")
    assert formatting(rendered) == []
    assert visible(visible_outside_spoilers(rendered)) == "`@here` <@1> **x**"


def test_quote_is_short_one_line_and_inert() -> None:
    assert quote("  hello\nworld ") == "“hello world”"
    assert quote("x" * 50, 10) == "“xxxxxxxxx…”"
    assert quote("@everyone") == f"“@{ZWSP}everyone”"
    assert formatting(quote("**bold** [x](https://e.example)")) == []


# --- cleaning -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("keep\ttabs\nand newlines", "keep\ttabs\nand newlines"),
        ("nul\x00bell\x07esc\x1bdel\x7f", "nulbellescdel"),
        ("c1\x85next", "c1\nnext"),
        ("ls\u2028ps\u2029", "ls\nps"),
        ("bidi\u202e\u2066trick\u2069", "biditrick"),
        ("\ufeffbom", "bom"),
        ("emoji 👨\u200d👩\u200d👧 kept", "emoji 👨\u200d👩\u200d👧 kept"),
        ("  padded  \n", "padded"),
        ("e\u0301", "é"),
    ],
)
def test_sanitize_user_text(raw: str, clean: str) -> None:
    assert sanitize_user_text(raw, 100) == clean


def test_sanitize_single_line() -> None:
    assert sanitize_user_text(" a\n\n b\tc ", 10, multiline=False) == "a b c"


def test_sanitize_length_is_checked_after_cleaning() -> None:
    assert sanitize_user_text("x" * 10 + "\x00" * 5, 10) == "x" * 10
    with pytest.raises(InvalidInput) as info:
        sanitize_user_text("x" * 4001, 4000, field="The review")
    message = info.value.message
    assert message.startswith("The review is too long: 4,001 characters, the limit is 4,000.")
    assert "Shorten it by 1 character." in message


def test_strip_control_chars_single_line() -> None:
    assert strip_control_chars("a\nb\tc", keep_newlines=False) == "a b c"


@given(st.text(max_size=80))
@settings(max_examples=150)
def test_sanitized_text_has_no_control_characters(raw: str) -> None:
    clean = sanitize_user_text(raw, 1000)
    assert all(c in "\n\t" or unicodedata.category(c) != "Cc" for c in clean)
    assert "\r" not in clean
    assert clean == clean.strip()


# --- pagination -----------------------------------------------------------------------------


@given(hostile_text, st.integers(min_value=MIN_SPOILER_PAGE, max_value=60))
@settings(max_examples=200, deadline=None)
def test_paginate_spoiler_pages_are_closed_spans_within_limit(text: str, limit: int) -> None:
    pages = paginate_spoiler(text, limit)
    for page in pages:
        assert len(page) <= limit
        assert_one_span(page)
    assert_reassembles(text, pages, spoiler=True)
    assert (pages == []) == is_blank(text)


@given(hostile_text, st.integers(min_value=MIN_SPOILER_PAGE, max_value=60))
@settings(max_examples=200, deadline=None)
def test_paginate_pages_fit_after_escaping_and_lose_nothing(text: str, limit: int) -> None:
    pages = paginate(text, limit)
    assert (pages == []) == is_blank(text)
    for page in pages:
        assert 0 < len(page) <= limit
        assert not is_blank(page)
        assert not [kind for kind in formatting(page) if kind not in ("spoiler", "link")]
    assert_reassembles(text, pages, spoiler=False)


def test_paginate_prefers_paragraphs_then_sentences_then_words() -> None:
    text = "First paragraph here.\n\nSecond one. It has two sentences."
    assert paginate(text, 40) == ["First paragraph here.", "Second one. It has two sentences."]
    assert paginate("One two three. Four five six.", 20) == ["One two three.", "Four five six."]
    # a sentence end that would leave the page less than half full loses to a later space
    assert paginate("One two. Three four five six.", 20) == ["One two. Three four", "five six."]
    assert paginate("alpha beta gamma delta", 12) == ["alpha beta", "gamma delta"]


def test_paginate_keeps_a_page_at_least_half_full_before_preferring_a_paragraph() -> None:
    text = "Hi.\n\n" + "word " * 20
    pages = paginate(text.strip(), 50)
    assert pages[0].startswith("Hi.\n\nword")


def test_paginate_hard_cut_does_not_split_clusters() -> None:
    for cluster in ("👍🏽", "🇫🇷", "e\u0301", "👨\u200d👩\u200d👧"):
        text = cluster * 30
        for limit in (8, 11, 13):
            pages = paginate(text, limit)
            assert "".join(pages) == text
            assert all(page.startswith(cluster) and page.endswith(cluster) for page in pages)


def test_paginate_blank_and_tiny_limits() -> None:
    assert paginate("   \n ", 10) == []
    assert paginate_spoiler("", 10) == []
    with pytest.raises(ValueError, match="at least"):
        paginate("x", 0)
    with pytest.raises(ValueError, match="at least"):
        paginate_spoiler("x", MIN_SPOILER_PAGE - 1)


def _review_text(length: int, seed: int) -> str:
    """Readable text of exactly ``length`` characters: paragraphs, sentences, words."""
    rng = random.Random(seed)
    words = ["the", "book", "was", "long", "and", "the", "ending", "surprised", "everyone"]
    paragraphs: list[str] = []
    size = 0
    while size < length + 200:
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(4, 18))).capitalize() + "."
            for _ in range(rng.randint(1, 6))
        ]
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    text = "\n\n".join(paragraphs)[:length]
    return text[:-1] + "x" if text[-1].isspace() else text


@pytest.mark.parametrize("length", [4000, 4096, 6000, 20_000])
def test_review_lengths_for_embed_descriptions(length: int) -> None:
    text = _review_text(length, seed=length)
    assert len(text) == length
    pages = paginate(text, EMBED_DESCRIPTION_LIMIT)
    assert all(0 < len(p) <= EMBED_DESCRIPTION_LIMIT for p in pages)
    if length <= EMBED_DESCRIPTION_LIMIT:
        assert pages == [text]
    else:
        assert len(pages) >= -(-length // EMBED_DESCRIPTION_LIMIT)
        # breaks fall on paragraph or sentence ends for ordinary prose
        assert all(page.endswith(".") for page in pages[:-1])
    assert_reassembles(text, pages, spoiler=False)
    assert sum(len(p) for p in pages) >= length - 2 * len(pages)


@pytest.mark.parametrize("length", [4000, 4096, 6000, 20_000])
def test_review_lengths_for_spoiler_spans(length: int) -> None:
    text = _review_text(length, seed=length + 1)
    pages = paginate_spoiler(text, EMBED_DESCRIPTION_LIMIT)
    for page in pages:
        assert len(page) <= EMBED_DESCRIPTION_LIMIT
        assert_one_span(page)
    # 4,000 fits in one span; 4,096 does not once the four tag characters are added.
    assert len(pages) == (1 if length <= EMBED_DESCRIPTION_LIMIT - 4 else len(pages))
    if length == 4096:
        assert len(pages) == 2
    assert_reassembles(text, pages, spoiler=True)


def test_twenty_thousand_hostile_characters() -> None:
    rng = random.Random(20_000)
    pieces = ["||", "|", "`", "```", "@everyone", "<@1>", "\\", " ", "\n", "word", ZWSP]
    text = "".join(rng.choice(pieces) for _ in range(8000))[:20_000]
    for limit in (EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_VALUE_LIMIT, MESSAGE_CONTENT_LIMIT):
        spoiler_pages = paginate_spoiler(text, limit)
        for page in spoiler_pages:
            assert len(page) <= limit
            assert_one_span(page)
        assert_reassembles(text, spoiler_pages, spoiler=True)
        plain_pages = paginate(text, limit)
        assert all(len(p) <= limit for p in plain_pages)
        assert_reassembles(text, plain_pages, spoiler=False)


def test_one_long_word_is_cut_hard_but_completely() -> None:
    text = "x" * 20_000
    pages = paginate_spoiler(text, EMBED_DESCRIPTION_LIMIT)
    assert "".join(p[2:-2] for p in pages) == text
    assert [len(p) for p in pages] == [4096] * 4 + [20_000 - 4 * 4092 + 4]


# --- grouping pages into messages -----------------------------------------------------------


def test_group_for_messages_respects_total_and_count() -> None:
    pages = ["x" * 4096] * 3
    assert [len(g) for g in group_for_messages(pages)] == [1, 1, 1]
    small = ["y" * 500] * 25
    groups = group_for_messages(small)
    assert [len(g) for g in groups] == [EMBEDS_PER_MESSAGE, EMBEDS_PER_MESSAGE, 5]
    assert [page for group in groups for page in group] == small
    reserved = group_for_messages(["z" * 3000, "z" * 3000], reserved_first=1000)
    assert [len(g) for g in reserved] == [1, 1]


def test_group_for_messages_refuses_to_drop_a_page() -> None:
    with pytest.raises(ValueError, match="cannot fit"):
        group_for_messages(["x" * 4096], reserved_each=EMBED_TOTAL_LIMIT - 4000)
