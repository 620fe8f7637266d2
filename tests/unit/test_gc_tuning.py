"""Start-up objects are frozen out of later full collections; later garbage still goes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.gc_tuning import freeze_long_lived_objects


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


def test_living_objects_are_frozen_and_new_garbage_is_still_collected(unfrozen: None) -> None:
    before = gc.get_freeze_count()
    kept = [Node() for _ in range(100)]
    frozen = freeze_long_lived_objects()
    assert frozen >= before + len(kept)

    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage
    gc.collect()
    assert gone() is None
    assert len(kept) == 100


def test_already_dead_cycles_are_collected_not_frozen(unfrozen: None) -> None:
    dead = Node()
    gone = weakref.ref(dead)
    del dead
    freeze_long_lived_objects()
    assert gone() is None
