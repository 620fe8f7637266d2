"""How a position in a book is labelled where it stands alone (a CSV cell, a digest line)."""

from __future__ import annotations

from bot.domain.progress_gate import Position, PositionKind

__all__ = ["position_label"]


def position_label(position: Position) -> str:
    """The label: "p. 120", "42 %", "chapter 7", or "end of the book" for no position."""
    if position.kind is PositionKind.END:
        return "end of the book"
    return position.describe()
