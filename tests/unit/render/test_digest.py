"""The digest's chart (bot/render/digest.py): names no font can draw are boxed, not dropped."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest

from bot.domain.digest import (
    Digest,
    DigestInputs,
    MemberWeek,
    NewQuote,
    compose_digest,
    quote_of_the_week,
    split_for_embeds,
)
from bot.domain.discord_limits import EMBED_FIELD_VALUE_LIMIT
from bot.domain.embed_fit import embed_limit_problems
from bot.domain.progress_gate import Position
from bot.domain.schedule import digest_window
from bot.render.bar_chart import drawable
from bot.render.digest import chart_data, chart_png, digest_embeds
from tests.support.discord_markdown import spoiler_count, spoiler_text, visible_outside_spoilers
from tests.support.ids import SUNDAY_EVENING


def test_chart_png_survives_awkward_names() -> None:
    members = tuple(
        MemberWeek(i, name, pages_read=10 * i)
        for i, name in enumerate(["$x^2$", "日本語", "📚 bookworm", "a_b*c", "@everyone"], 1)
    )
    digest = compose_digest(DigestInputs(digest_window(SUNDAY_EVENING), members=members), ())
    data = chart_data(digest)
    assert data is not None and data.labels[0] == "@everyone"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph missing" noise: such characters are boxed
        png = chart_png(data)
    assert drawable("📚 ok") == "□ ok"
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


# --- the quote of the week ---------------------------------------------------------------

HOSTILE = "Oh || no ~~ <@123> @everyone **bold** ||the end|| `code` [x](https://e.org) \\|"


def _quote_digest(text: str, position: Position, **book: str) -> tuple[Digest, str]:
    window = digest_window(SUNDAY_EVENING)
    quote = NewQuote(
        quote_id=1,
        text=text,
        position=position,
        book_title=book.get("title", "Dune"),
        book_author=book.get("author", "Frank Herbert"),
        poster_id=7,
        poster_name=book.get("name", "Ann"),
        created_at=SUNDAY_EVENING - timedelta(days=1),
        likers=(8, 9),
        jump_url="https://discord.com/channels/1/2/3",
    )
    digest = compose_digest(DigestInputs(window=window, quotes=(quote,)), ())
    values = [f.value or "" for e in digest_embeds(digest, chart=False) for f in e.fields]
    [value] = [v for v in values if "[quote]" in v]
    return digest, value


@pytest.mark.parametrize(
    ("position", "label"),
    [
        (Position.at_page(120), "p. 120"),
        (Position.at_percent(42), "42 %"),
        (Position.at_percent(5), "5 %"),  # the opening: still inside the tags in the digest
        (Position.at_chapter(7), "chapter 7"),
        (Position.end(), "end of the book"),
    ],
)
def test_quote_of_the_week_is_one_closed_spoiler_with_its_position(
    position: Position, label: str
) -> None:
    digest, value = _quote_digest(HOSTILE, position)
    assert spoiler_count(value) == 1
    hidden = spoiler_text(value)
    assert "Oh || no ~~" in hidden and "||the end||" in hidden and "**bold**" in hidden
    shown = visible_outside_spoilers(value)
    assert "Oh" not in shown and "the end" not in shown and "bold" not in shown
    assert "<@123>" not in value  # no mention inside either
    assert f"Dune by Frank Herbert · {label} · 2 likes" in shown and "Ann" in shown
    assert [s.title for s in digest.sections if s.key == "quote"] == ["Quote of the week"]
    assert "[spoiler: " in digest.to_text() and label in digest.to_text()


def test_a_long_hostile_quote_with_a_long_title_still_fits_one_field() -> None:
    text = ("|~*_`\\<>" * 125)[:1000]  # every character escaped: the longest markdown
    digest, value = _quote_digest(
        text, Position.at_chapter(3), title="*_" * 50, author="|~" * 30, name="`" * 40
    )
    assert len(value) <= EMBED_FIELD_VALUE_LIMIT and spoiler_count(value) == 1
    assert "…" in spoiler_text(value)  # shortened inside the span
    assert embed_limit_problems(split_for_embeds(digest)) == []
    assert "`\\<>" not in visible_outside_spoilers(value)  # the quote stays inside


def test_quote_of_the_week_choice() -> None:
    def quote(qid: int, poster: int, likers: tuple[int, ...], hours: int) -> NewQuote:
        return NewQuote(
            quote_id=qid,
            text=f"q{qid}",
            position=Position.end(),
            book_title="B",
            book_author=None,
            poster_id=poster,
            poster_name=f"P{poster}",
            created_at=SUNDAY_EVENING - timedelta(hours=hours),
            likers=likers,
        )

    early, late = quote(2, 1, (5, 6), 30), quote(1, 2, (5, 6), 20)
    hidden_poster = quote(3, 9, (5, 6, 7, 8), 40)
    hidden_likes = quote(4, 3, (9, 10, 11), 50)  # 9 and 10 opted out: 1 like
    none = quote(5, 4, (), 60)
    chosen = quote_of_the_week([late, hidden_poster, hidden_likes, none, early], {9, 10})
    assert chosen is not None and chosen.quote_id == 2  # a tie: the earliest saved
    assert quote_of_the_week([hidden_poster, none], {9}) is None
    counted = quote_of_the_week([hidden_likes], {9})
    assert counted is not None and counted.likers == (10, 11)
