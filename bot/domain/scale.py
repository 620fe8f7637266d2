"""A server's rating scale: the step new ratings must fall on, and a label for every value.

Every quarter value 0.5..5 has a default label, so a rating stays labelled whatever the
step (a 3.25 given on a quarter-star server keeps its label after a switch to half stars).
Custom labels, set by admins, override the defaults value by value.

Changing the step never rewrites stored ratings: :func:`plan_step_change` tells the admin
which existing ratings fall between the new steps and how they will keep showing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from bot.domain.spoilers import (
    sanitize_user_text,
)
from bot.domain.stars import (
    DEFAULT_STEP,
    MAX_QUARTERS,
    MIN_QUARTERS,
    RatingStep,
    Stars,
    allowed_quarters,
    allowed_values_text,
    round_to_step,
    scale_hint,
)
from bot.errors import InvalidInput

LABEL_MAX_LEN: Final = 100

# Whole and half stars read as a ladder on their own; the quarter values sit between them.
DEFAULT_LABELS: Final[Mapping[int, str]] = MappingProxyType(
    {
        2: "Abandon it",
        3: "Struggled to finish",
        4: "Not for me",
        5: "Mostly a chore",
        6: "Had its moments, not enough of them",
        7: "A few good moments",
        8: "Okay, but I wouldn't recommend it",
        9: "Fine, nothing more",
        10: "Average, easily forgotten",
        11: "Pleasant enough",
        12: "Good, I enjoyed it",
        13: "Solid and satisfying",
        14: "A page-turner",
        15: "Hard to put down",
        16: "Really good, I'd recommend it",
        17: "Very good indeed",
        18: "Excellent, it stayed with me",
        19: "Nearly perfect",
        20: "Blew me away",
    }
)


def validate_label(text: str) -> str:
    """A label as it will be stored: one line, control characters stripped, 1..100 chars."""
    cleaned = sanitize_user_text(text, LABEL_MAX_LEN, field="The label", multiline=False)
    if not cleaned:
        raise InvalidInput("The label is empty. Write a few words, e.g. “A page-turner”.")
    return cleaned


def _check_quarters(quarters: int) -> None:
    if not MIN_QUARTERS <= quarters <= MAX_QUARTERS:
        raise ValueError(f"quarters must be {MIN_QUARTERS}..{MAX_QUARTERS}, got {quarters}")


@dataclass(frozen=True, slots=True)
class RatingScale:
    """One server's scale. ``custom_labels`` maps quarter values to admin-set labels."""

    step: RatingStep = DEFAULT_STEP
    custom_labels: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for quarters in self.custom_labels:
            _check_quarters(quarters)
        object.__setattr__(self, "custom_labels", MappingProxyType(dict(self.custom_labels)))

    def label_for(self, rating: Stars | int) -> str:
        """The label of a value: the server's own if set, the default otherwise."""
        quarters = rating.quarters if isinstance(rating, Stars) else rating
        _check_quarters(quarters)
        return self.custom_labels.get(quarters) or DEFAULT_LABELS[quarters]

    def is_custom(self, rating: Stars | int) -> bool:
        quarters = rating.quarters if isinstance(rating, Stars) else rating
        return quarters in self.custom_labels

    def entries(self) -> tuple[tuple[Stars, str], ...]:
        """Each value a member may give now, with its label (for ``/scale show``)."""
        return tuple((Stars(q), self.label_for(q)) for q in allowed_quarters(self.step))

    def parse(self, text: str) -> Stars:
        """What a member typed, checked against this scale's step."""
        return Stars.parse(text, self.step)

    def with_label(self, rating: Stars, label: str) -> RatingScale:
        """A copy with ``label`` (validated) for ``rating``.

        The value must be on the current step: a label for a value nobody can give would
        never show in ``/scale show``.
        """
        if not rating.is_on_step(self.step):
            raise InvalidInput(
                f"{rating.as_number()} is not on this server's scale ({self.step.noun}). "
                + scale_hint(self.step)
            )
        labels = dict(self.custom_labels)
        labels[rating.quarters] = validate_label(label)
        return RatingScale(self.step, labels)

    def without_label(self, rating: Stars) -> RatingScale:
        """A copy where ``rating`` shows its default label again."""
        labels = {q: text for q, text in self.custom_labels.items() if q != rating.quarters}
        return RatingScale(self.step, labels)

    def with_step(self, step: RatingStep) -> RatingScale:
        """A copy on ``step``; custom labels are kept (they apply again if the step returns)."""
        return RatingScale(step, self.custom_labels)


@dataclass(frozen=True, slots=True)
class OffStepGroup:
    """Existing ratings of one value that fall between the new steps."""

    stars: Stars
    count: int
    nearest: Stars  # the nearest value on the new step, for "re-rate to …" suggestions

    @property
    def shown_as(self) -> str:
        return self.stars.display()


@dataclass(frozen=True, slots=True)
class StepChangePlan:
    """What changing the step means for existing ratings. Nothing in storage changes."""

    old_step: RatingStep
    new_step: RatingStep
    total: int
    off_step: tuple[OffStepGroup, ...]
    explanation: str

    @property
    def off_step_count(self) -> int:
        return sum(group.count for group in self.off_step)

    @property
    def changes_anything(self) -> bool:
        return self.old_step != self.new_step


def plan_step_change(
    existing_quarter_values: Iterable[int], old_step: RatingStep, new_step: RatingStep
) -> StepChangePlan:
    """Report which existing ratings are off ``new_step`` and how they will display.

    Ratings are never rewritten: an off-step value keeps its exact value (averages included)
    and is shown as it is; the new step only constrains ratings given from now on.
    """
    counts = Counter(existing_quarter_values)
    for quarters in counts:
        _check_quarters(quarters)
    total = sum(counts.values())
    groups = tuple(
        OffStepGroup(Stars(q), n, Stars(round_to_step(q, new_step)))
        for q, n in sorted(counts.items())
        if q % new_step.quarters
    )
    return StepChangePlan(
        old_step, new_step, total, groups, _explain(old_step, new_step, total, groups)
    )


def _explain(
    old_step: RatingStep, new_step: RatingStep, total: int, groups: tuple[OffStepGroup, ...]
) -> str:
    if old_step == new_step:
        return f"The scale already uses {new_step.noun}; nothing changes."
    lines = [
        f"Members will rate in {new_step.noun} instead of {old_step.noun}. "
        f"New ratings must be one of: {allowed_values_text(new_step)}."
    ]
    off = sum(group.count for group in groups)
    if total == 0:
        lines.append("There are no ratings yet, so nothing else changes.")
    elif off == 0:
        noun = "rating fits" if total == 1 else f"{total:,} ratings fit"
        lines.append(f"{'The existing' if total == 1 else 'All'} {noun} the new step.")
    else:
        verb = "is" if off == 1 else "are"
        lines.append(
            f"{off:,} of {total:,} existing rating{'s' if total != 1 else ''} {verb} between "
            f"the new steps. {'It keeps its' if off == 1 else 'They keep their'} exact value "
            "and will show as before; nothing is rewritten, and averages do not move:"
        )
        lines.extend(
            f"• {group.count:,} × {group.shown_as} "
            f"(the nearest {new_step.value}-star value is {group.nearest.as_number()})"
            for group in groups
        )
        lines.append("A member who rates the book again picks a value on the new step.")
    return "\n".join(lines)
