"""Review drafts, spoiler reach, reach checks against progress, and review files."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.review import (
    BODY_MAX,
    CONTENT_WARNINGS_MAX,
    HEADLINE_MAX,
    RECOMMENDED_FOR_MAX,
    REVIEW_FILE_MAX_BYTES,
    REVIEW_FILE_MAX_CHARS,
    ReachKind,
    ReviewDraft,
    ReviewFileText,
    SpoilerReach,
    parse_review_file,
    reach_reached,
)
from bot.domain.stars import Stars
from bot.errors import InvalidInput

# --- spoiler reach --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value", "described"),
    [
        ("p250", ReachKind.PAGE, 250, "p. 250"),
        ("p. 250", ReachKind.PAGE, 250, "p. 250"),
        ("p.250", ReachKind.PAGE, 250, "p. 250"),
        ("P 250", ReachKind.PAGE, 250, "p. 250"),
        ("page 250", ReachKind.PAGE, 250, "p. 250"),
        ("pg 12", ReachKind.PAGE, 12, "p. 12"),
        ("250", ReachKind.PAGE, 250, "p. 250"),
        (" 1 ", ReachKind.PAGE, 1, "p. 1"),
        ("60%", ReachKind.PERCENT, 60, "60 %"),
        ("60 %", ReachKind.PERCENT, 60, "60 %"),
        ("62.5%", ReachKind.PERCENT, 62.5, "62.5 %"),
        ("62,5 %", ReachKind.PERCENT, 62.5, "62.5 %"),
        ("100%", ReachKind.PERCENT, 100, "100 %"),
        ("40 percent", ReachKind.PERCENT, 40, "40 %"),
        ("ending", ReachKind.ENDING, None, "the ending"),
        ("The Ending", ReachKind.ENDING, None, "the ending"),
        ("end", ReachKind.ENDING, None, "the ending"),
    ],
)
def test_reach_parse(text: str, kind: ReachKind, value: float | None, described: str) -> None:
    reach = SpoilerReach.parse(text)
    assert reach.kind is kind
    assert reach.value == value
    assert reach.describe() == described


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Say how far"),
        ("p0", "start at 1"),
        ("0", "start at 1"),
        ("p250.5", "whole page"),
        ("0%", "more than 0"),
        ("101%", "at most 100"),
        ("-5%", "couldn't read"),
        ("p-3", "couldn't read"),
        ("chapter 3", "couldn't read"),
        ("p1000000", "past the end of any book"),
        ("halfway", "couldn't read"),
    ],
)
def test_reach_parse_rejections(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        SpoilerReach.parse(text)
    assert fragment in info.value.message


def test_reach_page_past_known_page_count() -> None:
    assert SpoilerReach.parse("p300", page_count=300).page == 300
    with pytest.raises(InvalidInput, match="has 300 pages"):
        SpoilerReach.parse("p301", page_count=300)
    # an unknown page count (0 or None) does not limit pages
    assert SpoilerReach.parse("p301", page_count=0).page == 301


def test_reach_error_quotes_input_safely() -> None:
    with pytest.raises(InvalidInput) as info:
        SpoilerReach.parse("<@&123>")
    assert "<@&123>" not in info.value.message


def test_reach_db_round_trip() -> None:
    for reach in (SpoilerReach.at_page(250), SpoilerReach.at_percent(60), SpoilerReach.ending()):
        assert SpoilerReach.from_db(*reach.to_db()) == reach
    assert SpoilerReach.from_db(None, None) is None
    assert SpoilerReach.ending().to_db() == ("ending", None)
    assert SpoilerReach.at_page(12).to_db() == ("page", 12.0)


def test_reach_invariants() -> None:
    with pytest.raises(ValueError):
        SpoilerReach(ReachKind.PAGE)
    with pytest.raises(ValueError):
        SpoilerReach(ReachKind.PAGE, 2.5)
    with pytest.raises(ValueError):
        SpoilerReach(ReachKind.PERCENT, 0)
    with pytest.raises(ValueError):
        SpoilerReach(ReachKind.ENDING, 3)
    assert SpoilerReach.at_percent(40).percent == 40
    assert SpoilerReach.at_percent(40).page is None


@given(st.text(max_size=20))
@settings(max_examples=150)
def test_reach_parse_never_crashes(text: str) -> None:
    try:
        reach = SpoilerReach.parse(text, page_count=500)
    except InvalidInput:
        return
    assert reach.describe()


# --- has the member reached it? -------------------------------------------------------------

P250 = SpoilerReach.at_page(250)
PCT60 = SpoilerReach.at_percent(60)
END = SpoilerReach.ending()


@pytest.mark.parametrize(
    ("reach", "page", "percent", "page_count", "finished", "expected"),
    [
        # no progress: not reached
        (P250, None, None, 400, False, False),
        (PCT60, None, None, None, False, False),
        (END, None, None, 400, False, False),
        # pages against a page reach
        (P250, 120, None, 400, False, False),
        (P250, 250, None, 400, False, True),
        (P250, 251, None, None, False, True),
        # percent progress against a page reach needs the page count
        (P250, None, 62.5, 400, False, True),
        (P250, None, 62.0, 400, False, False),
        (P250, None, 90.0, None, False, False),
        # percent reach
        (PCT60, None, 59.9, None, False, False),
        (PCT60, None, 60.0, None, False, True),
        (PCT60, 240, None, 400, False, True),
        (PCT60, 239, None, 400, False, False),
        (PCT60, 399, None, None, False, False),
        # the ending: only when finished, at 100 % or on the last page
        (END, 399, None, 400, False, False),
        (END, 400, None, 400, False, True),
        (END, None, 99.9, 400, False, False),
        (END, None, 100.0, None, False, True),
        (END, 999, None, None, False, False),
        (END, 5, None, 0, False, False),
        (END, None, None, None, True, True),
        (P250, None, None, None, True, True),
    ],
)
def test_reach_reached(
    reach: SpoilerReach,
    page: int | None,
    percent: float | None,
    page_count: int | None,
    finished: bool,
    expected: bool,
) -> None:
    assert reach_reached(reach, page, percent, page_count, finished=finished) is expected


# --- the draft ------------------------------------------------------------------------------


def test_draft_minimal() -> None:
    draft = ReviewDraft.create(body="  Loved it.\r\n ")
    assert draft.body == "Loved it."
    assert draft.headline is None and draft.spoilers is None and draft.spoiler_reach is None
    assert not draft.has_spoilers


def test_draft_full() -> None:
    draft = ReviewDraft.create(
        headline=" A quiet\nmasterpiece ",
        body="Spoiler-free thoughts.",
        spoilers="The narrator was the dog.",
        spoiler_reach="p. 250",
        content_warnings="grief\nanimal death",
        recommended_for="almost anyone",
        stars=Stars(18),
        page_count=300,
    )
    assert draft.headline == "A quiet masterpiece"
    assert draft.spoiler_reach == SpoilerReach.at_page(250)
    assert draft.content_warnings == "grief\nanimal death"
    assert draft.recommended_for == "almost anyone"
    assert draft.stars == Stars(18)
    assert draft.has_spoilers


def test_draft_reach_defaults_to_ending_and_is_dropped_without_spoilers() -> None:
    assert ReviewDraft.create(body="b", spoilers="s").spoiler_reach == SpoilerReach.ending()
    assert ReviewDraft.create(body="b", spoilers="s", spoiler_reach=" ").spoiler_reach == (
        SpoilerReach.ending()
    )
    no_spoilers = ReviewDraft.create(body="b", spoilers="  ", spoiler_reach="60%")
    assert no_spoilers.spoilers is None and no_spoilers.spoiler_reach is None
    given_reach = SpoilerReach.at_percent(30)
    assert ReviewDraft.create(body="b", spoilers="s", spoiler_reach=given_reach).spoiler_reach == (
        given_reach
    )


def test_draft_bad_reach_is_refused() -> None:
    with pytest.raises(InvalidInput, match="has 100 pages"):
        ReviewDraft.create(body="b", spoilers="s", spoiler_reach="p250", page_count=100)


def test_draft_body_required_from_modal() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        ReviewDraft.create(body=" \n\x00 ", spoilers="only spoilers")


def test_draft_from_file_may_be_all_spoilers_but_not_empty() -> None:
    draft = ReviewDraft.create(body="", spoilers="all of it", from_file=True)
    assert draft.body == "" and draft.spoilers == "all of it"
    with pytest.raises(InvalidInput, match="--- spoilers ---"):
        ReviewDraft.create(body="", spoilers=" ", from_file=True)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("headline", HEADLINE_MAX),
        ("body", BODY_MAX),
        ("spoilers", BODY_MAX),
        ("content_warnings", CONTENT_WARNINGS_MAX),
        ("recommended_for", RECOMMENDED_FOR_MAX),
    ],
)
def test_draft_length_limits(field: str, limit: int) -> None:
    parts = {"body": "body"}
    parts[field] = "x" * limit
    ReviewDraft.create(**parts)  # type: ignore[arg-type]
    parts[field] = "x" * (limit + 1)
    with pytest.raises(InvalidInput, match=f"the limit is {limit:,}"):
        ReviewDraft.create(**parts)  # type: ignore[arg-type]


def test_draft_limits_at_review_lengths() -> None:
    ReviewDraft.create(body="x" * 4000)
    for length in (4096, 6000, 20_000):
        with pytest.raises(InvalidInput, match="4,000"):
            ReviewDraft.create(body="x" * length)
        draft = ReviewDraft.create(body="x" * length, spoilers="y" * length, from_file=True)
        assert len(draft.body) == length and draft.spoilers == "y" * length
    with pytest.raises(InvalidInput, match=f"{REVIEW_FILE_MAX_CHARS:,}"):
        ReviewDraft.create(body="x" * (REVIEW_FILE_MAX_CHARS + 1), from_file=True)


def test_draft_checks_the_formatted_length() -> None:
    # a headline is a title: it must fit 256 characters once its Markdown is escaped
    with pytest.raises(InvalidInput, match="once formatted"):
        ReviewDraft.create(body="b", headline="@here " * 42 + "abcd")
    with pytest.raises(InvalidInput, match="once formatted"):
        ReviewDraft.create(body="b", headline="*" * 200)
    # content warnings go over as many fields as they need (1000 pipes escape to 2000)
    draft = ReviewDraft.create(body="b", content_warnings="|" * 1000)
    assert draft.content_warnings == "|" * 1000


def test_draft_strips_control_characters_everywhere() -> None:
    draft = ReviewDraft.create(
        headline="he\x07ad", body="bo\x1bdy", spoilers="sp\x00oil", recommended_for="fr\x7fiends"
    )
    assert (draft.headline, draft.body, draft.spoilers, draft.recommended_for) == (
        "head",
        "body",
        "spoil",
        "friends",
    )


# --- review files ---------------------------------------------------------------------------


def test_file_without_marker_is_all_body() -> None:
    assert parse_review_file(b"Just a review.\n", "review.txt") == ReviewFileText(
        "Just a review.\n", None
    )


@pytest.mark.parametrize(
    "marker",
    [
        "--- spoilers ---",
        "---spoilers---",
        "  --- SPOILERS ---  ",
        "\t---  Spoiler  ---",
        "----- spoilers -----",
    ],
)
def test_file_split_on_marker(marker: str) -> None:
    data = f"Body line.\n\n{marker}\nThe twist.\n".encode()
    parsed = parse_review_file(data, "Review.MD")
    assert parsed.body.strip() == "Body line."
    assert parsed.spoilers is not None and parsed.spoilers.strip() == "The twist."


@pytest.mark.parametrize(
    "marker",
    [
        "--- Spoilers below ---",
        "— spoilers —",
        "– Spoilers –",
        "**Spoilers**",
        "=== spoilers ===",
        "--- spoilers: ---",
        "## Spoilers",
        "> SPOILERS AHEAD",
        "||spoilers||",
    ],
)
def test_reasonable_marker_variants_start_the_spoilers(marker: str) -> None:
    """The variants members write (issue 9 item 3) are markers: nothing after them is ever
    posted as the spoiler-free part."""
    parsed = parse_review_file(f"Body line.\n{marker}\nSnape kills Dumbledore.\n".encode(), "r.md")
    assert parsed.body.strip() == "Body line."
    assert parsed.spoilers is not None and "Dumbledore" in parsed.spoilers


@pytest.mark.parametrize(
    "line",
    [
        "--- spoilers for chapter 3 ---",
        "=== spoiler-ish stuff ===",
        "### Spoilers (sort of) ###",
        "**Mild spoilers only**",
        "— spoilers after the break —",
    ],
)
def test_a_line_that_looks_like_a_marker_but_is_not_is_refused_by_number(line: str) -> None:
    """A near miss is never guessed either way: the file is refused, naming the line."""
    data = f"Body line.\n\n{line}\nSnape kills Dumbledore.\n".encode()
    with pytest.raises(InvalidInput, match=r"Line 3 of .* looks like a spoiler marker"):
        parse_review_file(data, "r.md")


@pytest.mark.parametrize(
    "sentence",
    [
        "No spoilers here, I promise.",
        "I hate spoilers, so this review has none of them at all, read on without fear.",
        "Spoilers are the worst.",
    ],
)
def test_sentences_about_spoilers_are_ordinary_text(sentence: str) -> None:
    parsed = parse_review_file(f"{sentence}\nMore text.\n".encode(), "r.txt")
    assert parsed.spoilers is None and sentence in parsed.body


def test_file_marker_must_be_its_own_line() -> None:
    parsed = parse_review_file(b"talking about --- spoilers --- inline\n", "r.txt")
    assert parsed.spoilers is None


def test_file_with_two_markers_is_refused() -> None:
    data = b"a\n--- spoilers ---\nb\n--- spoilers ---\nc"
    with pytest.raises(InvalidInput, match="2 spoiler marker lines"):
        parse_review_file(data, "r.txt")


def test_file_marker_with_nothing_after_has_no_spoilers() -> None:
    assert parse_review_file(b"body\n--- spoilers ---\n  \n", "r.md").spoilers is None


def test_file_crlf_and_bom() -> None:
    data = codecs.BOM_UTF8 + "Caf\u00e9\r\n--- spoilers ---\r\nFin\r\n".encode()
    parsed = parse_review_file(data, "r.txt")
    assert parsed.body == "Café\n"
    assert parsed.spoilers == "\nFin\n"


@pytest.mark.parametrize("name", ["review.pdf", "review.docx", "review", "review.txt.exe"])
def test_file_extension_checked(name: str) -> None:
    with pytest.raises(InvalidInput, match=r"\.txt or \.md"):
        parse_review_file(b"text", name)


def test_file_size_limit() -> None:
    parse_review_file(b"x" * REVIEW_FILE_MAX_BYTES, "r.txt")
    with pytest.raises(InvalidInput, match="the limit is 100 KB"):
        parse_review_file(b"x" * (REVIEW_FILE_MAX_BYTES + 1), "r.txt")
    with pytest.raises(InvalidInput, match="limit is 1 KB"):
        parse_review_file(b"x" * 1001, "r.txt", max_bytes=1000)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b" \n\t ", "empty"),
        ("hi".encode("utf-16"), "saved as UTF-16"),
        ("hi".encode("utf-32"), "saved as UTF-32"),
        ("hi".encode("utf-16-le"), "NUL bytes"),
        (b"caf\xe9 au lait", "not valid UTF-8: byte 0xe9 on line 1"),
        (b"ok\nok\n\xff", "byte 0xff on line 3"),
        (b"cut \xe2\x82", "not valid UTF-8"),
    ],
)
def test_file_encoding_errors(data: bytes, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_review_file(data, "review.txt")
    assert fragment in info.value.message
    assert "review.txt" in info.value.message


def test_file_name_is_quoted_safely() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_review_file(b"x", "@everyone\n.pdf")
    assert "@everyone" not in info.value.message


def test_file_to_draft() -> None:
    body = "Long review. " * 700  # ~9,100 characters, more than one modal field
    data = f"{body}\n--- spoilers ---\nIt was all a dream.".encode()
    parsed = parse_review_file(data, "long.md")
    draft = ReviewDraft.create(body=parsed.body, spoilers=parsed.spoilers, from_file=True)
    assert draft.body == body.strip()
    assert draft.spoilers == "It was all a dream."
    assert draft.spoiler_reach == SpoilerReach.ending()
