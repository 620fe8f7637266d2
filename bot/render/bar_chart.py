"""A horizontal bar chart drawn with Pillow: the digest's one image.

Why not matplotlib here (it still draws ``/stats``): a digest chart is a title, up to twelve
labelled bars and a number on each — nothing a plotting library's layout engine is needed
for — and 1,000 servers post their digests in the same minute. matplotlib took ~140 ms per
chart on this machine, 70 % of it in its text machinery, holding the GIL; Pillow draws the
same chart in a few milliseconds (see bench/bench_digest.py for the figures), so 1,000 charts
fit in the digest's time budget and the event loop keeps turning while a thread draws.

Only the font's own glyphs are drawn: :func:`drawable` boxes the rest (emoji, scripts the font
lacks) rather than leaving blanks. Text is plain text: nothing here interprets markup.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from typing import Final

from PIL import Image, ImageDraw, ImageFont

__all__ = ["drawable", "horizontal_bars_png"]

# matplotlib is imported where it is used, not at import: it is ~40 MB of a process's memory
# (bench/bench_memory.py), paid only once a chart is drawn.

WIDTH_PX: Final = 700
ROW_PX: Final = 34
TOP_PX: Final = 45
BOTTOM_PX: Final = 15
MAX_LABEL_SHARE: Final = 0.5  # the labels take at most half the width
BAR_SHARE: Final = 0.74  # of a row; the rest is the gap between bars
TEXT_PX: Final = 13
TITLE_PX: Final = 17
MISSING_GLYPH: Final = "□"
PALETTE_COLOURS: Final = 32
_BACKGROUND: Final = "white"
_INK: Final = "black"


@functools.cache
def _font_path() -> str:
    """DejaVu Sans as shipped with matplotlib (or the font matplotlib is configured with)."""
    from matplotlib.font_manager import FontProperties, findfont

    return str(findfont(FontProperties()))


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(), size)


@functools.cache
def _charmap() -> frozenset[int]:
    """Code points the font can draw."""
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(_font_path()).get_charmap())


def drawable(text: str) -> str:
    """``text`` with characters the font lacks shown as a box."""
    charmap = _charmap()
    return "".join(ch if ord(ch) in charmap or ch.isspace() else MISSING_GLYPH for ch in text)


def horizontal_bars_png(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_texts: Sequence[str],
    colour: str,
) -> bytes:
    """One bar per label, biggest first as given, the value written after each bar; PNG.

    Blocking (a few milliseconds): call it through ``asyncio.to_thread``.
    """
    if not (len(labels) == len(values) == len(value_texts)) or not labels:
        raise ValueError("one label, value and value text per bar, at least one bar")
    if any(v < 0 for v in values):
        raise ValueError("bars are counts: no negative values")
    text_font, title_font = _font(TEXT_PX), _font(TITLE_PX)
    names = [drawable(label) for label in labels]
    numbers = [drawable(text) for text in value_texts]
    height = TOP_PX + BOTTOM_PX + ROW_PX * len(names)
    image = Image.new("RGB", (WIDTH_PX, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)

    widest = max(text_font.getlength(name) for name in names)
    axis_x = int(min(WIDTH_PX * MAX_LABEL_SHARE, widest + 14))
    widest_number = max(text_font.getlength(text) for text in numbers)
    room = WIDTH_PX - axis_x - widest_number - 20
    top = max(values) or 1.0
    draw.text((axis_x, TOP_PX - 8), drawable(title), font=title_font, fill=_INK, anchor="ls")
    draw.line([(axis_x, TOP_PX - 4), (axis_x, height - BOTTOM_PX + 4)], fill=_INK, width=1)
    bar_px = ROW_PX * BAR_SHARE
    for row, (name, value, number) in enumerate(zip(names, values, numbers, strict=True)):
        middle = TOP_PX + ROW_PX * row + ROW_PX / 2
        length = room * value / top
        if length >= 1:
            draw.rectangle(
                [(axis_x + 1, middle - bar_px / 2), (axis_x + length, middle + bar_px / 2)],
                fill=colour,
            )
        label = _fit(name, text_font, axis_x - 10)
        draw.text((axis_x - 6, middle), label, font=text_font, fill=_INK, anchor="rm")
        at = (axis_x + max(length, 0) + 4, middle)
        draw.text(at, number, font=text_font, fill=_INK, anchor="lm")
    buffer = io.BytesIO()
    # a 32-colour palette (three inks and the grey edges of letters) encodes ~3x faster than
    # RGB and is a quarter of the size; zlib level 1: several times faster than the default 6
    palette = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    palette.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _fit(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """``text`` cut with "…" until it is at most ``width`` pixels wide."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"
