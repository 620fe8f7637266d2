"""The ratings render (bot/render/ratings.py): the text chart, the ratings card, the PNG."""

from __future__ import annotations

from bot.domain.book import Book
from bot.domain.scale import RatingScale
from bot.domain.stars import RatingStep, Stars
from bot.render.ratings import (
    distribution_lines,
    distribution_png,
    ratings_embed,
)
from bot.services.ratings import RatingSummary


def test_text_chart_marks_mine_and_off_step_values() -> None:
    summary = RatingSummary(RatingScale(RatingStep.WHOLE), {16: 4, 14: 1, 8: 2}, Stars(16))
    lines = distribution_lines(summary)
    assert len(lines) == 6  # five whole values and the off-step 3.5
    assert lines[0].startswith("`   5 ············   0`")
    four = next(line for line in lines if line.startswith("`   4"))
    assert "████████████   4`" in four and four.endswith("← you")
    half = next(line for line in lines if line.startswith("` 3.5"))
    assert "(off the current step)" in half and "█" in half


def test_ratings_card_with_and_without_ratings() -> None:
    book = Book(title="Dune", authors=("Frank Herbert",))
    empty = ratings_embed(book, RatingSummary(RatingScale()), with_chart=True)
    assert "Nobody on this server" in (empty.description or "")
    assert empty.image.url is None
    summary = RatingSummary(RatingScale(), {14: 2, 20: 1}, None)
    card = ratings_embed(book, summary, with_chart=True)
    fields = {f.name: f.value for f in card.fields}
    assert fields["Average"] == "★ 4" and fields["Ratings"] == "3"
    assert fields["Your rating"] == "Not rated yet — use `/rate`."
    assert card.image.url == "attachment://ratings.png"
    assert "A page-turner" in (card.description or "")
    assert ratings_embed(book, summary, with_chart=False).image.url is None


def test_chart_is_a_png() -> None:
    summary = RatingSummary(RatingScale(RatingStep.QUARTER), {13: 1, 20: 3}, Stars(13))
    png = distribution_png(summary)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
