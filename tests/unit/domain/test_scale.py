"""The rating scale: default and custom labels, label validation, step changes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.scale import (
    DEFAULT_LABELS,
    LABEL_MAX_LEN,
    RatingScale,
    plan_step_change,
    validate_label,
)
from bot.domain.stars import RatingStep, Stars
from bot.errors import InvalidInput


def test_every_quarter_value_has_a_distinct_default_label() -> None:
    assert sorted(DEFAULT_LABELS) == list(range(2, 21))
    assert len(set(DEFAULT_LABELS.values())) == 19
    assert all(0 < len(label) <= LABEL_MAX_LEN for label in DEFAULT_LABELS.values())


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("0.5", "Abandon it"),
        ("2.5", "Average, easily forgotten"),
        ("3.5", "A page-turner"),
        ("5", "Blew me away"),
    ],
)
def test_spec_example_labels(value: str, label: str) -> None:
    assert RatingScale().label_for(Stars.parse(value)) == label


def test_default_scale_is_half_stars() -> None:
    scale = RatingScale()
    assert scale.step is RatingStep.HALF
    assert [s.as_number() for s, _ in scale.entries()] == [
        "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5",
    ]  # fmt: skip


def test_custom_labels_override_defaults_value_by_value() -> None:
    scale = RatingScale().with_label(Stars(14), "  Couldn't  put it\ndown ")
    assert scale.label_for(14) == "Couldn't put it down"
    assert scale.is_custom(Stars(14))
    assert scale.label_for(Stars(12)) == DEFAULT_LABELS[12]
    assert not scale.is_custom(12)
    restored = scale.without_label(Stars(14))
    assert restored.label_for(14) == DEFAULT_LABELS[14]


def test_scale_is_immutable() -> None:
    labels = {14: "Mine"}
    scale = RatingScale(RatingStep.HALF, labels)
    labels[14] = "Changed"
    assert scale.label_for(14) == "Mine"
    with pytest.raises(TypeError):
        scale.custom_labels[14] = "x"  # type: ignore[index]


def test_label_for_off_step_value_still_works() -> None:
    scale = RatingScale(RatingStep.WHOLE)
    assert scale.label_for(Stars(13)) == DEFAULT_LABELS[13]


def test_label_only_for_values_on_the_step() -> None:
    with pytest.raises(InvalidInput, match="half stars"):
        RatingScale().with_label(Stars(13), "Between")


def test_custom_labels_survive_a_step_round_trip() -> None:
    scale = RatingScale(RatingStep.QUARTER).with_label(Stars(13), "Quarter label")
    assert scale.with_step(RatingStep.HALF).with_step(RatingStep.QUARTER).label_for(13) == (
        "Quarter label"
    )


def test_scale_rejects_bad_label_keys() -> None:
    with pytest.raises(ValueError, match="quarters"):
        RatingScale(RatingStep.HALF, {21: "too high"})
    with pytest.raises(ValueError, match="quarters"):
        RatingScale().label_for(1)


def test_scale_parse_uses_its_step() -> None:
    with pytest.raises(InvalidInput, match="whole stars"):
        RatingScale(RatingStep.WHOLE).parse("3.5")
    assert RatingScale(RatingStep.WHOLE).parse("3") == Stars(12)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("A page-turner", "A page-turner"),
        ("  spaced   out  ", "spaced out"),
        ("line\nbreak\ttab", "line break tab"),
        ("bell\x07 and \x1b[31mescape", "bell and [31mescape"),
        ("rtl\u202eoverride", "rtloverride"),
        ("x" * 100, "x" * 100),
        ("e\u0301", "é"),  # NFC
    ],
)
def test_validate_label_cleans(raw: str, clean: str) -> None:
    assert validate_label(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "\n\t"])
def test_validate_label_rejects_empty(raw: str) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        validate_label(raw)


def test_validate_label_rejects_long() -> None:
    with pytest.raises(InvalidInput, match="limit is 100") as info:
        validate_label("x" * 101)
    assert "by 1 character." in info.value.message


@given(st.text(max_size=150))
@settings(max_examples=150)
def test_validate_label_output_is_one_clean_line(raw: str) -> None:
    try:
        label = validate_label(raw)
    except InvalidInput:
        return
    assert 0 < len(label) <= LABEL_MAX_LEN
    assert "\n" not in label and "\t" not in label
    assert label == label.strip()
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in label)


# --- step changes --------------------------------------------------------------------------


def test_step_change_to_coarser_step_reports_off_step_values() -> None:
    plan = plan_step_change([13, 13, 14, 15, 20, 2], RatingStep.QUARTER, RatingStep.HALF)
    assert plan.total == 6
    assert plan.changes_anything
    assert [(g.stars.quarters, g.count, g.nearest.quarters) for g in plan.off_step] == [
        (13, 2, 14),
        (15, 1, 16),
    ]
    assert plan.off_step_count == 3
    assert plan.off_step[0].shown_as == "★★★¼☆ 3.25"
    text = plan.explanation
    assert "half stars instead of quarter stars" in text
    assert "0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5" in text
    assert "3 of 6 existing ratings are between the new steps" in text
    assert "nothing is rewritten" in text
    assert "2 × ★★★¼☆ 3.25 (the nearest half-star value is 3.5)" in text
    assert "1 × ★★★¾☆ 3.75 (the nearest half-star value is 4)" in text


def test_step_change_half_to_whole_flags_half_values_and_half_star_minimum() -> None:
    plan = plan_step_change([2, 14, 16], RatingStep.HALF, RatingStep.WHOLE)
    assert [(g.stars.quarters, g.nearest.quarters) for g in plan.off_step] == [(2, 4), (14, 16)]
    assert "1, 2, 3, 4, 5" in plan.explanation


def test_step_change_to_finer_step_never_has_off_step_values() -> None:
    plan = plan_step_change([4, 8, 14], RatingStep.HALF, RatingStep.QUARTER)
    assert plan.off_step == ()
    assert "All 3 ratings fit the new step." in plan.explanation


def test_step_change_single_rating_wording() -> None:
    assert (
        "The existing rating fits"
        in plan_step_change([8], RatingStep.HALF, RatingStep.WHOLE).explanation
    )
    one_off = plan_step_change([14], RatingStep.HALF, RatingStep.WHOLE).explanation
    assert "1 of 1 existing rating is between the new steps. It keeps its exact value" in one_off


def test_step_change_without_ratings() -> None:
    plan = plan_step_change([], RatingStep.HALF, RatingStep.WHOLE)
    assert plan.total == 0 and plan.off_step == ()
    assert "no ratings yet" in plan.explanation


def test_step_change_to_same_step() -> None:
    plan = plan_step_change([13], RatingStep.QUARTER, RatingStep.QUARTER)
    assert not plan.changes_anything
    assert plan.explanation == "The scale already uses quarter stars; nothing changes."


def test_step_change_rejects_impossible_stored_values() -> None:
    with pytest.raises(ValueError, match="quarters"):
        plan_step_change([0], RatingStep.HALF, RatingStep.WHOLE)


@given(
    st.lists(st.integers(2, 20), max_size=40),
    st.sampled_from(list(RatingStep)),
    st.sampled_from(list(RatingStep)),
)
@settings(max_examples=150)
def test_step_change_accounts_for_every_rating(
    values: list[int], old: RatingStep, new: RatingStep
) -> None:
    plan = plan_step_change(values, old, new)
    assert plan.total == len(values)
    off = [v for v in values if v % new.quarters]
    assert plan.off_step_count == len(off)
    for group in plan.off_step:
        assert not group.stars.is_on_step(new)
        assert group.nearest.is_on_step(new)
