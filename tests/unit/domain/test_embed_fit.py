"""Fitting text into Discord embeds: the limit checker and the section packer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.discord_limits import EMBED_FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT
from bot.domain.embed_fit import (
    EmbedField,
    EmbedSpec,
    FitSection,
    embed_limit_problems,
    fit_sections,
)


def test_embed_limit_problems_detects_violations() -> None:
    too_long = EmbedSpec(title="t" * 257, description="d" * 4097)
    assert len(embed_limit_problems([too_long])) == 2
    fields = tuple(EmbedField("n", "v" * 1025) for _ in range(26))
    problems = embed_limit_problems([EmbedSpec(fields=fields)])
    assert any("field count 26 > 25" in p for p in problems)
    assert any("field value 1025 > 1024" in p for p in problems)
    assert any("characters in all embeds" in p for p in problems)
    assert embed_limit_problems([EmbedSpec(title="x")] * 11) == ["11 embeds > 10"]
    assert embed_limit_problems([EmbedSpec()]) == ["embed 0: empty"]


def test_fit_sections_small() -> None:
    embeds = fit_sections(
        "Title",
        [FitSection("Overview", ("one", "two")), FitSection("Readers", ("a", "b"), "reader")],
        "footer",
    )
    assert len(embeds) == 1
    (embed,) = embeds
    assert embed.title == "Title" and embed.description == "one\ntwo"
    assert embed.fields == (EmbedField("Readers", "a\nb"),)
    assert embed.footer == "footer"


def test_fit_sections_needs_a_description_section() -> None:
    with pytest.raises(ValueError):
        fit_sections("Title", [], "footer")


def test_fit_sections_counts_what_it_leaves_out() -> None:
    lines = tuple(f"line {i:04d} " + "x" * 80 for i in range(200))
    embeds = fit_sections("T", [FitSection("O", ("o",)), FitSection("Many", lines, "line")], "f")
    assert embed_limit_problems(embeds) == []
    values = [f.value for e in embeds for f in e.fields]
    shown = "\n".join(values).split("\n")
    assert shown[-1].startswith("… and ") and shown[-1].endswith(" more lines")
    hidden = int(shown[-1].split()[2])
    assert len(shown) - 1 + hidden == len(lines)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=300),
            st.lists(st.text(min_size=1, max_size=EMBED_FIELD_VALUE_LIMIT + 50), max_size=60),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_fit_sections_always_fits(raw: list[tuple[str, list[str]]]) -> None:
    sections = [FitSection(title, tuple(lines)) for title, lines in raw]
    embeds = fit_sections("T" * 300, sections, "F" * 3000)
    assert embed_limit_problems(embeds) == [] or all(
        # a section with no line at all leaves an empty description, which is allowed
        "empty" in p
        for p in embed_limit_problems(embeds)
    )
    assert sum(e.size for e in embeds) <= EMBED_TOTAL_LIMIT
