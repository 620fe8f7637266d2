"""Stars: parsing, validation per step, display and rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.stars import (
    DEFAULT_STEP,
    RatingStep,
    Stars,
    allowed_quarters,
    allowed_values,
    round_to_step,
    scale_hint,
)
from bot.errors import InvalidInput


def test_default_step_is_half() -> None:
    assert DEFAULT_STEP is RatingStep.HALF
    assert Stars.parse("3.5") == Stars(14)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (RatingStep.WHOLE, (4, 8, 12, 16, 20)),
        (RatingStep.HALF, (2, 4, 6, 8, 10, 12, 14, 16, 18, 20)),
        (RatingStep.QUARTER, tuple(range(2, 21))),
    ],
)
def test_allowed_quarters(step: RatingStep, expected: tuple[int, ...]) -> None:
    assert allowed_quarters(step) == expected
    assert [s.quarters for s in allowed_values(step)] == list(expected)


def test_scale_hint_lists_every_value() -> None:
    assert scale_hint(RatingStep.HALF) == (
        "Use a value from 0.5 to 5 in half stars: 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5."
    )
    assert scale_hint(RatingStep.WHOLE) == "Use a value from 1 to 5 in whole stars: 1, 2, 3, 4, 5."
    quarter = scale_hint(RatingStep.QUARTER)
    assert quarter.startswith("Use a value from 0.5 to 5 in quarter stars: 0.5, 0.75, 1, 1.25")
    assert quarter.endswith("4.75, 5.")


@pytest.mark.parametrize(
    ("text", "quarters"),
    [
        ("3.5", 14),
        ("3,5", 14),
        ("3½", 14),
        ("3 ½", 14),
        ("3¼", 13),
        ("3¾", 15),
        ("½", 2),
        ("0.5", 2),
        (".5", 2),
        ("3.5/5", 14),
        ("3.5 / 5", 14),
        ("3.5 out of 5", 14),
        ("★★★½", 14),
        ("★★★", 12),
        ("★★★½☆", 14),
        ("★ ★ ★", 12),
        ("⭐⭐⭐⭐", 16),
        ("⭐️⭐️", 8),  # emoji with variation selectors
        ("3 stars", 12),
        ("1 star", 4),
        ("3.5 stars", 14),
        ("4⭐", 16),
        ("  4  ", 16),
        ("\t4.50\n", 18),
        ("5/5", 20),
        ("5", 20),
        ("3.25", 13),
        ("3.75", 15),
    ],
)
def test_parse_accepted_forms(text: str, quarters: int) -> None:
    assert Stars.parse(text, RatingStep.QUARTER).quarters == quarters


@pytest.mark.parametrize("step", list(RatingStep))
def test_every_allowed_value_parses_in_its_own_notation(step: RatingStep) -> None:
    for stars in allowed_values(step):
        assert Stars.parse(stars.as_number(), step) == stars
        assert Stars.parse(stars.as_glyphs(), step) == stars
        assert Stars.parse(f"{stars.as_number()}/5", step) == stars


@pytest.mark.parametrize(
    ("text", "step", "fragment"),
    [
        ("3.5", RatingStep.WHOLE, "between steps: this server rates in whole stars"),
        ("0.5", RatingStep.WHOLE, "between steps"),
        ("3.25", RatingStep.HALF, "between steps: this server rates in half stars"),
        ("3¼", RatingStep.HALF, "between steps"),
        ("3.3", RatingStep.QUARTER, "not a value on the scale"),
        ("3.1", RatingStep.HALF, "not a value on the scale"),
        ("0", RatingStep.HALF, "off the scale"),
        ("0.25", RatingStep.QUARTER, "off the scale"),
        ("¼", RatingStep.QUARTER, "off the scale"),
        ("5.5", RatingStep.HALF, "off the scale"),
        ("6", RatingStep.WHOLE, "off the scale"),
        ("999", RatingStep.HALF, "off the scale"),
        ("-1", RatingStep.HALF, "couldn't read"),
        ("abc", RatingStep.HALF, "couldn't read"),
        ("3.5.5", RatingStep.HALF, "couldn't read"),
        ("7/10", RatingStep.HALF, "couldn't read"),
        ("nan", RatingStep.HALF, "couldn't read"),
        ("inf", RatingStep.HALF, "couldn't read"),
        ("1e1", RatingStep.HALF, "couldn't read"),
        ("3.5½", RatingStep.HALF, "couldn't read"),
        ("½★★", RatingStep.HALF, "couldn't read"),
        ("", RatingStep.HALF, "Give a star rating"),
        ("   ", RatingStep.HALF, "Give a star rating"),
    ],
)
def test_parse_rejections_list_allowed_values(text: str, step: RatingStep, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Stars.parse(text, step)
    assert fragment in info.value.message
    assert info.value.message.endswith(scale_hint(step))


def test_error_quotes_input_safely() -> None:
    with pytest.raises(InvalidInput) as info:
        Stars.parse("@everyone", RatingStep.HALF)
    assert "@everyone" not in info.value.message
    assert "@\u200beveryone" in info.value.message


@given(st.text(max_size=30), st.sampled_from(list(RatingStep)))
@settings(max_examples=150)
def test_parse_never_crashes_and_respects_step(text: str, step: RatingStep) -> None:
    try:
        stars = Stars.parse(text, step)
    except InvalidInput:
        return
    assert stars.is_on_step(step)
    assert 2 <= stars.quarters <= 20


@pytest.mark.parametrize(
    ("quarters", "glyphs", "number"),
    [
        (2, "½☆☆☆☆", "0.5"),
        (3, "¾☆☆☆☆", "0.75"),
        (4, "★☆☆☆☆", "1"),
        (13, "★★★¼☆", "3.25"),
        (14, "★★★½☆", "3.5"),
        (15, "★★★¾☆", "3.75"),
        (19, "★★★★¾", "4.75"),
        (20, "★★★★★", "5"),
    ],
)
def test_display(quarters: int, glyphs: str, number: str) -> None:
    stars = Stars.from_quarters(quarters)
    assert stars.as_glyphs() == glyphs
    assert stars.as_number() == number
    assert str(stars) == number
    assert stars.display() == f"{glyphs} {number}"
    assert stars.value == quarters / 4


def test_every_value_has_five_glyph_slots() -> None:
    for quarters in range(2, 21):
        assert len(Stars(quarters).as_glyphs()) == 5


@pytest.mark.parametrize("bad", [0, 1, 21, -4])
def test_from_quarters_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="quarters"):
        Stars.from_quarters(bad)


def test_constructor_rejects_non_int() -> None:
    with pytest.raises(TypeError):
        Stars(3.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Stars(True)


def test_ordering_and_equality() -> None:
    assert Stars(4) < Stars(14) < Stars(20)
    assert Stars(14) == Stars.parse("3½")
    assert len({Stars(14), Stars.parse("3.5")}) == 1


@pytest.mark.parametrize(
    ("quarters", "step", "expected"),
    [
        (13, RatingStep.HALF, 14),  # 3.25 → 3.5 (half up)
        (15, RatingStep.HALF, 16),  # 3.75 → 4
        (14, RatingStep.WHOLE, 16),  # 3.5 → 4 (half up)
        (13, RatingStep.WHOLE, 12),  # 3.25 → 3
        (2, RatingStep.WHOLE, 4),  # never below the lowest allowed value
        (0, RatingStep.HALF, 2),  # never below 0.5
        (1, RatingStep.QUARTER, 2),
        (-5, RatingStep.QUARTER, 2),
        (25, RatingStep.HALF, 20),  # never above 5
        (Fraction(27, 2), RatingStep.QUARTER, 14),  # 3.375 → 3.5
        (12.4, RatingStep.QUARTER, 12),
        (13, RatingStep.QUARTER, 13),
    ],
)
def test_round_to_step(quarters: float | Fraction | int, step: RatingStep, expected: int) -> None:
    assert round_to_step(quarters, step) == expected


@given(st.floats(min_value=-10, max_value=30, allow_nan=False), st.sampled_from(list(RatingStep)))
@settings(max_examples=150)
def test_round_to_step_is_nearest_allowed(quarters: float, step: RatingStep) -> None:
    result = round_to_step(quarters, step)
    allowed = allowed_quarters(step)
    assert result in allowed
    best = min(abs(Fraction(quarters) - q) for q in allowed)
    assert abs(Fraction(quarters) - result) == best


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [(3.8, RatingStep.QUARTER, 15), (4.25, RatingStep.HALF, 18), (0, RatingStep.HALF, 2)],
)
def test_nearest_for_imports(value: float, step: RatingStep, expected: int) -> None:
    assert Stars.nearest(value, step) == Stars(expected)


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("half", RatingStep.HALF),
        (" Whole ", RatingStep.WHOLE),
        ("quarter stars", RatingStep.QUARTER),
    ],
)
def test_step_parse(text: str, step: RatingStep) -> None:
    assert RatingStep.parse(text) is step


def test_step_parse_rejects_unknown() -> None:
    with pytest.raises(InvalidInput, match="whole, half, quarter"):
        RatingStep.parse("tenths")
