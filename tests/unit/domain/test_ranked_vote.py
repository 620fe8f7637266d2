"""Counting the vote for the next read: instant runoff (ranked) and most votes (poll)."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.ranked_vote import (
    MAX_RANKS,
    InvalidBallot,
    check_ballot,
    instant_runoff,
    most_votes,
)

NOMINEES = st.lists(st.integers(0, 9), min_size=1, max_size=8, unique=True)


@st.composite
def votes(draw: st.DrawFn) -> tuple[list[int], list[list[int]]]:
    nominees = draw(NOMINEES)
    ballot = st.lists(st.sampled_from(nominees), min_size=1, max_size=MAX_RANKS, unique=True)
    return nominees, draw(st.lists(ballot, max_size=40))


def test_a_majority_of_first_choices_wins_at_once() -> None:
    result = instant_runoff(["Dune", "Emma", "Kindred"], [["Emma"], ["Emma", "Dune"], ["Dune"]])
    assert result.winner == "Emma" and len(result.rounds) == 1 and not result.tie_broken
    assert result.rounds[0].votes == (("Dune", 1), ("Emma", 2), ("Kindred", 0))


def test_second_choices_decide_when_nobody_has_a_majority() -> None:
    ballots = [["A", "C"]] * 4 + [["B", "A"]] * 3 + [["C", "B"]] * 2
    result = instant_runoff(["A", "B", "C"], ballots)
    assert [r.eliminated for r in result.rounds] == ["C", None]
    assert result.rounds[1].votes == (("A", 4), ("B", 5))
    assert result.winner == "B" and result.ballots == 9


def test_taking_out_a_losing_nominee_can_change_the_winner() -> None:
    # why the module does not promise independence of irrelevant alternatives
    ballots = [["A", "C"]] * 4 + [["B", "A"]] * 3 + [["C", "B"]] * 2
    assert instant_runoff(["A", "B", "C"], ballots).winner == "B"
    assert instant_runoff(["B", "C"], ballots).winner == "C"


def test_a_tie_between_the_last_two_goes_to_the_earlier_nomination() -> None:
    result = instant_runoff(["Emma", "Dune"], [["Dune"], ["Emma"]])
    assert result.winner == "Emma" and result.tie_broken
    assert len(result.rounds) == 1 and result.rounds[0].tie


def test_of_several_with_fewest_votes_the_latest_nominated_goes_first() -> None:
    ballots = [["A"]] * 2 + [["B", "C"], ["C", "B"]]
    result = instant_runoff(["A", "B", "C"], ballots)
    assert result.rounds[0].eliminated == "C" and result.rounds[0].tie
    assert result.rounds[1].votes == (("A", 2), ("B", 2)) and result.rounds[1].tie
    assert result.winner == "A" and result.tie_broken


def test_exhausted_ballots_leave_the_majority() -> None:
    ballots = [["A"]] * 3 + [["B"]] * 2 + [["C"]] * 2
    result = instant_runoff(["A", "B", "C"], ballots)
    # C goes (a tie with B, C nominated later); its two ballots rank nobody else
    assert result.rounds[0].eliminated == "C"
    assert result.rounds[1].exhausted == 2 and result.winner == "A"


def test_no_ballots_at_all() -> None:
    result = instant_runoff(["A", "B", "C"], [])
    assert result.winner == "A" and result.tie_broken and len(result.rounds) == 1
    assert instant_runoff([], [["A"]]).winner is None


def test_choices_naming_no_nominee_are_skipped() -> None:
    result = instant_runoff(["A", "B"], [["gone", "B"], ["B", "B", "A"], ["A"]])
    assert result.rounds[0].votes == (("A", 1), ("B", 2)) and result.winner == "B"


@given(votes())
def test_the_winner_is_a_nominee_and_one_goes_per_round(
    vote: tuple[list[int], list[list[int]]],
) -> None:
    nominees, ballots = vote
    result = instant_runoff(nominees, ballots)
    assert result.winner in nominees
    for i, round_ in enumerate(result.rounds):
        assert len(round_.votes) == len(nominees) - i
        assert sum(v for _, v in round_.votes) + round_.exhausted == len(ballots)
    assert all(r.eliminated is not None for r in result.rounds[:-1])
    assert result.rounds[-1].eliminated is None


@given(votes())
def test_a_majority_winner_wins_in_round_one(vote: tuple[list[int], list[list[int]]]) -> None:
    nominees, ballots = vote
    firsts = [b[0] for b in ballots]
    majority = [n for n in nominees if firsts.count(n) * 2 > len(ballots)]
    assume(majority)
    result = instant_runoff(nominees, ballots)
    assert result.winner == majority[0] and len(result.rounds) == 1


@given(votes())
def test_the_nominee_eliminated_first_never_changes_the_winner(
    vote: tuple[list[int], list[list[int]]],
) -> None:
    nominees, ballots = vote
    result = instant_runoff(nominees, ballots)
    first_out = result.rounds[0].eliminated
    assume(first_out is not None)
    without = instant_runoff([n for n in nominees if n != first_out], ballots)
    assert without.winner == result.winner
    assert without.rounds == result.rounds[1:]


@given(votes(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_does_not_matter(
    vote: tuple[list[int], list[list[int]]], rng: random.Random
) -> None:
    nominees, ballots = vote
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert instant_runoff(nominees, shuffled) == instant_runoff(nominees, ballots)


def test_a_ballot_is_checked() -> None:
    assert check_ballot(["B", "A"], ["A", "B", "C"]) == ("B", "A")
    for ranking, message in [
        ([], "at least one"),
        (["A", "B", "C", "D"], "at most 3"),
        (["A", "A"], "once only"),
        (["Z"], "not in this vote"),
    ]:
        with pytest.raises(InvalidBallot, match=message):
            check_ballot(ranking, ["A", "B", "C", "D"])


def test_a_poll_is_won_by_the_most_votes_and_ties_go_to_the_earlier_nomination() -> None:
    assert most_votes(["A", "B", "C"], {"B": 4, "C": 2}).winner == "B"
    tied = most_votes(["A", "B", "C"], {"B": 3, "C": 3})
    assert tied.winner == "B" and tied.tie_broken and tied.ballots == 6
    nobody = most_votes(["A", "B"], {})
    assert nobody.winner == "A" and nobody.tie_broken
    assert most_votes([], {"A": 1}).winner is None
