"""The books-per-month chart of ``/stats``, drawn with matplotlib into PNG bytes.

The object-oriented API on an Agg canvas is used (no pyplot, so no global figure state):
:func:`books_per_month_png` is safe in a worker thread and should run in one, through
``asyncio.to_thread``, since drawing takes tens of milliseconds. Only month labels, numbers
and a title the bot writes are drawn; no member-written text reaches matplotlib's text
engine (which would interpret ``$…$`` as mathtext).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

__all__ = ["STATS_CHART_FILENAME", "books_per_month_png"]

STATS_CHART_FILENAME: Final = "books-per-month.png"
_BAR_COLOUR: Final = "#7856a0"


def books_per_month_png(labels: Sequence[str], counts: Sequence[int], title: str) -> bytes:
    """A column chart, one column per month, its count on top; PNG bytes."""
    if len(labels) != len(counts):
        raise ValueError("one label per count")
    # matplotlib is imported here, not at import: ~40 MB, paid only once a chart is drawn
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7.0, 3.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(counts)))
    bars = axes.bar(positions, counts, color=_BAR_COLOUR, width=0.7)
    axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2, fontsize=8)
    axes.set_xticks(positions, list(labels))
    axes.set_ylim(0, max(max(counts, default=0), 1) * 1.2)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("books")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
