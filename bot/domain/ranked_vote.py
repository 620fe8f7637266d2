"""Counting the club's vote for the next read (SPEC §11): instant runoff for the ``ranked``
style, the most votes for a native ``poll``; a tie always goes to the earlier nomination.

Instant runoff, as counted here:

- Every ballot counts for its highest-ranked nominee still in the count. A ballot whose
  nominees have all been eliminated is *exhausted* and no longer counts, so the majority of a
  round is of the ballots still counting (more than half of them).
- Each round, a nominee with a majority wins. Otherwise the nominee with the fewest votes is
  eliminated — of several with the fewest, the latest nominated — and the next round begins.
  With two nominees left and equal votes (or no ballot counting any more), the earlier
  nomination wins. A round decided by nomination order says so (``Round.tie``), and so does
  the result (``tie_broken``), so the announcement can tell members.
- One nominee is eliminated per round, so every round can be shown to members.

Instant runoff is not independent of irrelevant alternatives: taking a losing nominee out of
the vote *can* change the winner (tests/unit/domain/test_ranked_vote.py shows a case). What
does hold, and is tested: a majority of first choices wins in round one, the nominee
eliminated first never affects the winner, and the count does not depend on ballot order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = [
    "MAX_RANKS",
    "InvalidBallot",
    "Round",
    "VoteResult",
    "check_ballot",
    "instant_runoff",
    "most_votes",
]

MAX_RANKS = 3  # a member ranks up to three nominees (SPEC §11)

N = TypeVar("N", bound=Hashable)


class InvalidBallot(ValueError):
    """A ballot that cannot be counted; the message is for the member."""


@dataclass(frozen=True, slots=True)
class Round(Generic[N]):
    """One round of the count: the votes of every nominee still in it (in nomination order),
    the nominee eliminated at its end (None in the deciding round), and the ballots that no
    longer count."""

    votes: tuple[tuple[N, int], ...]
    eliminated: N | None
    exhausted: int
    tie: bool = False  # this round's elimination (or the win) went by nomination order


@dataclass(frozen=True, slots=True)
class VoteResult(Generic[N]):
    winner: N | None  # None only when there was nothing to vote for
    rounds: tuple[Round[N], ...]
    ballots: int  # ballots cast (exhausted ones included)
    tie_broken: bool  # the winner won a tie by being nominated earlier


def check_ballot(ranking: Sequence[N], nominees: Sequence[N]) -> tuple[N, ...]:
    """A member's ranking as it is kept: 1 to MAX_RANKS distinct nominees of this vote."""
    if not ranking:
        raise InvalidBallot("Rank at least one nominee.")
    if len(ranking) > MAX_RANKS:
        raise InvalidBallot(f"Rank at most {MAX_RANKS} nominees.")
    if len(set(ranking)) != len(ranking):
        raise InvalidBallot("Each nominee can be ranked once only.")
    known = set(nominees)
    if any(choice not in known for choice in ranking):
        raise InvalidBallot("That nominee is not in this vote any more. Open the ballot again.")
    return tuple(ranking)


def instant_runoff(nominees: Sequence[N], ballots: Sequence[Sequence[N]]) -> VoteResult[N]:
    """Count ``ballots`` (each a ranking, first choice first) over ``nominees`` in the order
    they were nominated. Choices naming no nominee are skipped; a repeated choice counts once.
    """
    order = {nominee: i for i, nominee in enumerate(dict.fromkeys(nominees))}
    remaining = list(order)
    rankings = [tuple(dict.fromkeys(c for c in ballot if c in order)) for ballot in ballots]
    rounds: list[Round[N]] = []
    if not remaining:
        return VoteResult(None, (), len(ballots), tie_broken=False)
    while True:
        still_in = set(remaining)
        votes = dict.fromkeys(remaining, 0)
        exhausted = 0
        for ranking in rankings:
            choice = next((c for c in ranking if c in still_in), None)
            if choice is None:
                exhausted += 1
            else:
                votes[choice] += 1
        counted = len(rankings) - exhausted
        tally = tuple((nominee, votes[nominee]) for nominee in remaining)
        best = max(votes.values())
        leaders = [n for n in remaining if votes[n] == best]  # in nomination order
        # a majority wins; so does the earlier of two level nominees, or of all when no
        # ballot counts any more (nothing else could separate them)
        if (
            len(remaining) == 1
            or best * 2 > counted
            or (len(leaders) == len(remaining) and (len(remaining) == 2 or counted == 0))
        ):
            tie = len(leaders) > 1
            rounds.append(Round(tally, None, exhausted, tie))
            tie_broken = tie or any(r.tie for r in rounds)
            return VoteResult(leaders[0], tuple(rounds), len(ballots), tie_broken)
        fewest = min(votes.values())
        last = [n for n in remaining if votes[n] == fewest]
        rounds.append(Round(tally, last[-1], exhausted, len(last) > 1))
        remaining.remove(last[-1])


def most_votes(nominees: Sequence[N], counts: Mapping[N, int]) -> VoteResult[N]:
    """A native poll's result: the most votes wins, a tie goes to the earlier nomination.
    One round, as Discord counted it (``counts`` of nominees without votes may be missing)."""
    ordered = list(dict.fromkeys(nominees))
    if not ordered:
        return VoteResult(None, (), 0, tie_broken=False)
    tally = tuple((n, max(0, counts.get(n, 0))) for n in ordered)
    best = max(v for _, v in tally)
    leaders = [n for n, v in tally if v == best]
    return VoteResult(
        leaders[0],
        (Round(tally, None, 0, len(leaders) > 1),),
        sum(v for _, v in tally),
        tie_broken=len(leaders) > 1,
    )
