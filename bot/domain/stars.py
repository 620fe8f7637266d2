"""Star ratings as a domain type.

Storage is an integer count of quarter-stars, 2..20 (0.5..5 stars): the ``quarters`` column.
Working in integers keeps equality, averages and the step rules exact; floats appear only at
the edges (``Stars.value``, imports that arrive as decimals).

The server's :class:`RatingStep` constrains *new* ratings only. A stored rating that is off the
current step (say 3.25 on a half-star server) is valid data and keeps its exact value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Final

from bot.domain.spoilers import (
    quote,
)
from bot.errors import InvalidInput

MIN_QUARTERS: Final = 2
MAX_QUARTERS: Final = 20
MAX_STARS: Final = 5

FULL_STAR: Final = "★"
EMPTY_STAR: Final = "☆"
# The glyph that takes the place of one star for the fractional part of a rating.
FRACTION_GLYPHS: Final[dict[int, str]] = {1: "¼", 2: "½", 3: "¾"}


class RatingStep(StrEnum):
    """How finely a server lets members rate. Half stars is the default."""

    WHOLE = "whole"
    HALF = "half"
    QUARTER = "quarter"

    @property
    def quarters(self) -> int:
        """The size of one step in quarter-stars."""
        return _STEP_QUARTERS[self]

    @property
    def noun(self) -> str:
        """How the step reads in a sentence: "whole stars", "half stars", "quarter stars"."""
        return f"{self.value} stars"

    @classmethod
    def parse(cls, text: str) -> RatingStep:
        """The step named by ``text`` (case and surrounding space ignored)."""
        cleaned = text.strip().lower()
        for step in cls:
            if cleaned in (step.value, f"{step.value}s", step.noun, step.noun.removesuffix("s")):
                return step
        raise InvalidInput(f"{quote(text)} is not a rating step. Use one of: whole, half, quarter.")


_STEP_QUARTERS: Final[dict[RatingStep, int]] = {
    RatingStep.WHOLE: 4,
    RatingStep.HALF: 2,
    RatingStep.QUARTER: 1,
}

DEFAULT_STEP: Final = RatingStep.HALF


def allowed_quarters(step: RatingStep) -> tuple[int, ...]:
    """Every quarter value a new rating may take on ``step``, lowest first.

    Whole stars start at 1 (0.5 is not a whole star); half and quarter stars start at 0.5.
    """
    return tuple(q for q in range(MIN_QUARTERS, MAX_QUARTERS + 1) if q % step.quarters == 0)


def format_quarters(quarters: int) -> str:
    """A quarter count as a plain number without trailing zeros: 14 → "3.5", 13 → "3.25"."""
    whole, rest = divmod(quarters, 4)
    return str(whole) if rest == 0 else f"{whole}.{rest * 25:02d}".rstrip("0")


def allowed_values_text(step: RatingStep) -> str:
    """The allowed values, listed in full: "0.5, 1, 1.5, …"."""
    return ", ".join(format_quarters(q) for q in allowed_quarters(step))


def allowed_values(step: RatingStep) -> tuple[Stars, ...]:
    """Every rating a member may give on ``step``, lowest first."""
    return tuple(Stars(q) for q in allowed_quarters(step))


def scale_hint(step: RatingStep) -> str:
    """The sentence every rating error ends with; it lists every allowed value."""
    allowed = allowed_quarters(step)
    return (
        f"Use a value from {format_quarters(allowed[0])} to {format_quarters(allowed[-1])} "
        f"in {step.noun}: {allowed_values_text(step)}."
    )


def round_to_step(quarters: float | Fraction | int, step: RatingStep) -> int:
    """The allowed quarter value nearest to ``quarters`` on ``step``.

    Rule: round half up to the nearest multiple of the step (3.25 → 3.5 and 3.75 → 4 on half
    stars; 2.5 → 3 on whole stars), then clamp into the step's allowed range, so the result is
    never below the lowest allowed value (0.5, or 1 for whole stars) nor above 5. Used for
    imports (StoryGraph's decimals, Goodreads' whole stars) and for suggesting the nearest value
    when a server's step changes; stored ratings are never rewritten with it.
    """
    exact = Fraction(quarters)
    size = step.quarters
    # floor(x / size + 1/2) * size is "round half up" for non-negative and negative x alike.
    rounded = math.floor(exact / size + Fraction(1, 2)) * size
    allowed = allowed_quarters(step)
    return max(allowed[0], min(allowed[-1], rounded))


@dataclass(frozen=True, slots=True, order=True)
class Stars:
    """A rating, held as quarter-stars (2..20). Construct through :meth:`from_quarters` or
    :meth:`parse`; the constructor rejects values outside the stored range."""

    quarters: int

    def __post_init__(self) -> None:
        if isinstance(self.quarters, bool) or not isinstance(self.quarters, int):
            raise TypeError(f"Stars.quarters must be an int, not {type(self.quarters).__name__}")
        if not MIN_QUARTERS <= self.quarters <= MAX_QUARTERS:
            raise ValueError(
                f"quarters must be {MIN_QUARTERS}..{MAX_QUARTERS}, got {self.quarters}"
            )

    @classmethod
    def from_quarters(cls, quarters: int) -> Stars:
        """A rating read from storage. Out-of-range values are a data error (ValueError)."""
        return cls(quarters)

    @classmethod
    def nearest(cls, value: float | Fraction | int, step: RatingStep) -> Stars:
        """The allowed rating nearest to ``value`` stars (see :func:`round_to_step`)."""
        return cls(round_to_step(Fraction(value) * 4, step))

    @classmethod
    def parse(cls, text: str, step: RatingStep = DEFAULT_STEP) -> Stars:
        """Read what a member typed and check it against ``step``.

        Accepted forms: "3.5", "3,5", "3½", "3¼", "3¾", "½", "3.5/5", "3.5 / 5", "3 stars",
        "★★★½", "★★★½☆", "⭐⭐⭐". Raises :class:`InvalidInput` naming the allowed values.
        """
        quarters = _parse_quarters(text, step)
        if not MIN_QUARTERS <= quarters <= MAX_QUARTERS:
            raise InvalidInput(
                f"{format_quarters_lenient(quarters)} is off the scale: ratings go from 0.5 to 5. "
                + scale_hint(step)
            )
        if quarters % step.quarters:
            raise InvalidInput(
                f"{format_quarters(quarters)} is between steps: this server rates in "
                f"{step.noun}. " + scale_hint(step)
            )
        return cls(quarters)

    @property
    def value(self) -> float:
        """The rating in stars, e.g. 3.5."""
        return self.quarters / 4

    def is_on_step(self, step: RatingStep) -> bool:
        return self.quarters % step.quarters == 0

    def as_number(self) -> str:
        """The number without trailing zeros: "3.5", "3", "3.25"."""
        return format_quarters(self.quarters)

    def as_glyphs(self) -> str:
        """Five glyph slots: full stars, then ¼/½/¾ for a part star, then empty stars.

        3.5 → "★★★½☆", 3.25 → "★★★¼☆", 3.75 → "★★★¾☆", 0.5 → "½☆☆☆☆", 5 → "★★★★★".
        """
        whole, rest = divmod(self.quarters, 4)
        part = FRACTION_GLYPHS.get(rest, "")
        empty = MAX_STARS - whole - (1 if part else 0)
        return FULL_STAR * whole + part + EMPTY_STAR * empty

    def display(self) -> str:
        """Glyphs and number together: "★★★½☆ 3.5"."""
        return f"{self.as_glyphs()} {self.as_number()}"

    def __str__(self) -> str:
        return self.as_number()


def format_quarters_lenient(quarters: int) -> str:
    """Like :func:`format_quarters` but also for negative or out-of-range values."""
    return f"-{format_quarters(-quarters)}" if quarters < 0 else format_quarters(quarters)


# --- parsing -----------------------------------------------------------------------------

_FRACTION_CHARS: Final[dict[str, int]] = {"¼": 1, "½": 2, "¾": 3}
_STAR_CHARS: Final = frozenset({"★", "⭐", "🌟", "*"})
_EMPTY_STAR_CHARS: Final = frozenset({"☆", "✩"})
_NUMBER = re.compile(r"(?P<int>\d{1,3})?(?:[.,](?P<dec>\d{1,6}))?(?P<frac>[¼½¾])?")
_SUFFIX = re.compile(r"\s*(?:(?:/|out\s+of)\s*5(?:[.,]0+)?)?\s*(?:stars?|[★⭐])?\s*$")
# Variation selectors that follow emoji stars ("⭐️") carry no meaning here.
_IGNORABLE = str.maketrans("", "", "\ufe0e\ufe0f\u200b\u200c\u200d\u2060")


def _parse_quarters(text: str, step: RatingStep) -> int:
    """The number of quarters ``text`` denotes (range not checked yet)."""
    cleaned = text.translate(_IGNORABLE).strip().lower()
    if not cleaned:
        raise InvalidInput("Give a star rating. " + scale_hint(step))
    glyphs = _parse_glyphs(cleaned)
    if glyphs is not None:
        return glyphs
    body = _SUFFIX.sub("", cleaned, count=1).replace(" ", "")
    match = _NUMBER.fullmatch(body)
    if not body or match is None or not (match["int"] or match["dec"] or match["frac"]):
        raise InvalidInput(f"I couldn't read {quote(text)} as a star rating. " + scale_hint(step))
    if match["dec"] and match["frac"]:
        raise InvalidInput(f"I couldn't read {quote(text)} as a star rating. " + scale_hint(step))
    try:
        number = Decimal(f"{match['int'] or 0}.{match['dec'] or 0}")
    except InvalidOperation as exc:  # pragma: no cover - the regex only lets digits through
        raise InvalidInput(f"I couldn't read {quote(text)} as a star rating.") from exc
    quarters = number * 4 + _FRACTION_CHARS.get(match["frac"] or "", 0)
    if quarters != quarters.to_integral_value():
        raise InvalidInput(f"{quote(text)} is not a value on the scale. " + scale_hint(step))
    return int(quarters)


def _parse_glyphs(cleaned: str) -> int | None:
    """Quarters for a run of star glyphs ("★★★½", "★★★☆☆"), or None if ``cleaned`` isn't one.

    A fraction glyph may only come right after the full stars; empty stars only pad the end.
    """
    chars = [c for c in cleaned if not c.isspace()]
    if not chars or not any(c in _STAR_CHARS or c in _EMPTY_STAR_CHARS for c in chars):
        return None
    full = 0
    index = 0
    while index < len(chars) and chars[index] in _STAR_CHARS:
        full += 1
        index += 1
    part = 0
    if index < len(chars) and chars[index] in _FRACTION_CHARS:
        part = _FRACTION_CHARS[chars[index]]
        index += 1
    while index < len(chars) and chars[index] in _EMPTY_STAR_CHARS:
        index += 1
    if index != len(chars) or (full == 0 and part == 0):
        return None
    return full * 4 + part
