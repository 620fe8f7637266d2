"""The digest's chart (bot/render/digest.py): names no font can draw are boxed, not dropped."""

from __future__ import annotations

import warnings

from bot.domain.digest import DigestInputs, MemberWeek, compose_digest
from bot.domain.schedule import digest_window
from bot.render.bar_chart import drawable
from bot.render.digest import chart_data, chart_png
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
