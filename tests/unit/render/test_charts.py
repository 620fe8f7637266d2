"""The books-per-month chart (bot/render/charts.py) is a PNG, with books or without."""

from __future__ import annotations

from bot.render.charts import books_per_month_png


def test_chart_is_a_png() -> None:
    png = books_per_month_png(["Jan", "Feb", "Mar"], [1, 0, 3], "Books finished per month")
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    empty = books_per_month_png(["Jan"], [0], "Nothing yet")
    assert empty.startswith(b"\x89PNG")
