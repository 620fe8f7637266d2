"""The digest's bar chart, drawn with Pillow: judged on the decoded image, not on our code."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.render.bar_chart import (
    BOTTOM_PX,
    ROW_PX,
    TOP_PX,
    WIDTH_PX,
    drawable,
    horizontal_bars_png,
)

GREEN = "#3a7d44"
GREEN_RGB = (0x3A, 0x7D, 0x44)


def _decode(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def _is_bar(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= 12 for a, b in zip(pixel, GREEN_RGB, strict=True))


def _bar_lengths(image: Image.Image, rows: int) -> list[int]:
    """Pixels of bar colour across the middle line of each row."""
    lengths = []
    for row in range(rows):
        y = TOP_PX + ROW_PX * row + ROW_PX // 2
        lengths.append(sum(1 for x in range(WIDTH_PX) if _is_bar(image.getpixel((x, y)))))
    return lengths


def test_bars_are_proportional_to_the_values_and_in_order() -> None:
    values = [300.0, 150.0, 75.0, 0.0]
    png = horizontal_bars_png(
        "Pages read this week",
        ["Ann", "Bob", "Cleo", "Dee"],
        values,
        [f"{v:.0f} pages" for v in values],
        GREEN,
    )
    image = _decode(png)
    assert image.size == (WIDTH_PX, TOP_PX + BOTTOM_PX + ROW_PX * 4)
    lengths = _bar_lengths(image, 4)
    assert lengths[0] > 200 and lengths[3] == 0
    assert lengths[1] == pytest.approx(lengths[0] / 2, abs=3)
    assert lengths[2] == pytest.approx(lengths[0] / 4, abs=3)


@pytest.mark.parametrize(
    "name",
    [
        "$x^2$",
        "日本語の名前",
        "📚 bookworm 🐛",
        "עברית ومعها عربية",
        "a" * 400,
        "\u200b\u200d",
        "e\u0301\u0301\u0301" * 20,
    ],
)
def test_awkward_names_are_drawn_inside_the_label_column(name: str) -> None:
    png = horizontal_bars_png("Title", [name, "Bo"], [10.0, 5.0], ["10", "5"], GREEN)
    image = _decode(png)
    assert image.size == (WIDTH_PX, TOP_PX + BOTTOM_PX + ROW_PX * 2)
    # the longest bar still gets room: labels take at most half the width
    assert _bar_lengths(image, 2)[0] > WIDTH_PX * 0.3


def test_missing_glyphs_are_boxed() -> None:
    assert drawable("📚 ok") == "□ ok"
    assert drawable("Zoë Ångström") == "Zoë Ångström"


def test_twelve_bars_of_equal_value_and_all_zero_values() -> None:
    twelve = horizontal_bars_png("T", [f"R{i}" for i in range(12)], [1.0] * 12, ["1"] * 12, GREEN)
    lengths = _bar_lengths(_decode(twelve), 12)
    assert len(set(lengths)) == 1 and lengths[0] > 100
    zeros = horizontal_bars_png("T", ["a", "b"], [0.0, 0.0], ["0", "0"], GREEN)
    assert _bar_lengths(_decode(zeros), 2) == [0, 0]


@pytest.mark.parametrize(
    ("labels", "values", "texts"),
    [
        ([], [], []),
        (["a"], [1.0, 2.0], ["1", "2"]),
        (["a"], [-1.0], ["-1"]),
    ],
)
def test_bad_input_is_refused(labels: list[str], values: list[float], texts: list[str]) -> None:
    with pytest.raises(ValueError):
        horizontal_bars_png("T", labels, values, texts, GREEN)
