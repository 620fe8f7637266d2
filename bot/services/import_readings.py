"""Readings for an import: how a book's readings in a file meet the stored ones.

:func:`reconcile_readings` decides which file readings match, update or add to the
member's stored readings of one book, and the event builders (:func:`events_of_new`,
:func:`event_of_update`) date the activity those writes record. None of it touches the
database, so it sits apart from the planner in :mod:`bot.services.imports` and can be
tested on plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as day_time

from bot.db.imports import NewEvent, StoredReading
from bot.domain.reading import ALLOWED_TRANSITIONS, ReadingStatus, ReadThrough

__all__ = ["ReadingPlan", "event_of_update", "events_of_new", "reconcile_readings"]

_OPEN = frozenset(s for s in ReadingStatus if not s.is_terminal)


@dataclass(frozen=True, slots=True)
class ReadingPlan:
    """How a book's readings in a file compare with the stored ones."""

    matched: int = 0
    updates: tuple[tuple[StoredReading, ReadThrough], ...] = ()
    inserts: tuple[ReadThrough, ...] = ()
    left_out_open: int = 0  # open readings of the file not added: one is open here already
    move_to_end: tuple[int, ...] = ()  # stored open readings to keep after the new ones


def _as_read(stored: StoredReading) -> ReadThrough:
    return ReadThrough(stored.status, stored.started_on, stored.finished_on)


def _agrees(wanted: ReadThrough, stored: StoredReading) -> bool:
    """Same status, and every date the file gives is the stored one."""
    return (
        wanted.status is stored.status
        and (wanted.started_on is None or wanted.started_on == stored.started_on)
        and (wanted.finished_on is None or wanted.finished_on == stored.finished_on)
    )


def _fits(start: date | None, finish: date | None) -> bool:
    return start is None or finish is None or finish >= start


def _takes_further(stored: StoredReading, wanted: ReadThrough) -> ReadThrough | None:
    """The stored reading updated by the file's, when the file's continues it: the same
    status with a missing date filled in, or an allowed status change of an open reading.
    None when they are different read-throughs."""
    if wanted.started_on and stored.started_on and wanted.started_on != stored.started_on:
        return None
    if wanted.status is stored.status:
        if wanted.finished_on and stored.finished_on and wanted.finished_on != stored.finished_on:
            return None
        finish = stored.finished_on or wanted.finished_on
    elif stored.status in _OPEN and (stored.status, wanted.status) in ALLOWED_TRANSITIONS:
        finish = wanted.finished_on or stored.finished_on
    else:
        return None
    start = stored.started_on or wanted.started_on
    merged = ReadThrough(wanted.status, start, finish)
    if not _fits(start, finish) or merged == _as_read(stored):
        return None
    return merged


def _known_dates(read: ReadThrough) -> int:
    return (read.started_on is not None) + (read.finished_on is not None)


def reconcile_readings(
    stored: Sequence[StoredReading], wanted: Sequence[ReadThrough]
) -> ReadingPlan:
    """Compare one book's readings in a file (oldest first) with the stored ones (by id).

    1. Each file reading, most precisely dated first, matches an unused stored reading that
       agrees with it (an exact one preferred).
    2. Each file reading left, oldest first, updates the first unused stored reading it
       takes further (:func:`_takes_further`); the others are added.
    3. A book has one open reading at most: when a stored one is still open, the file's open
       readings are not added, and the stored one is moved after the added ones so it stays
       the latest.
    """
    used: set[int] = set()
    left: list[int] = []  # indices into wanted
    matched = 0
    for index in sorted(range(len(wanted)), key=lambda i: -_known_dates(wanted[i])):
        read = wanted[index]
        fitting = [s for s in stored if s.id not in used and _agrees(read, s)]
        if not fitting:
            left.append(index)
            continue
        best = next((s for s in fitting if _as_read(s) == read), fitting[0])
        used.add(best.id)
        matched += 1
    updates: list[tuple[StoredReading, ReadThrough]] = []
    inserts: list[ReadThrough] = []
    for read in (wanted[i] for i in sorted(left)):
        target = next(
            (s for s in stored if s.id not in used and _takes_further(s, read) is not None), None
        )
        if target is None:
            inserts.append(read)
            continue
        used.add(target.id)
        merged = _takes_further(target, read)
        assert merged is not None
        updates.append((target, merged))
    final_status = {s.id: s.status for s in stored} | {s.id: m.status for s, m in updates}
    still_open = [s.id for s in stored if final_status[s.id] in _OPEN]
    left_out = 0
    if still_open:
        kept = [r for r in inserts if r.status not in _OPEN]
        left_out = len(inserts) - len(kept)
        inserts = kept
    move = tuple(still_open) if still_open and inserts else ()
    return ReadingPlan(matched, tuple(updates), tuple(inserts), left_out, move)


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, day_time(12), tzinfo=UTC)


def events_of_new(read: ReadThrough) -> tuple[NewEvent, ...]:
    """Dated events for an added reading; undated steps leave no event (they are history,
    not this week's activity)."""
    events: list[NewEvent] = []
    if read.started_on is not None and read.status is not ReadingStatus.WANT_TO_READ:
        events.append(NewEvent("start", _at_noon(read.started_on)))
    if read.finished_on is not None:
        if read.status is ReadingStatus.FINISHED:
            events.append(NewEvent("finish", _at_noon(read.finished_on)))
        elif read.status is ReadingStatus.DID_NOT_FINISH:
            events.append(NewEvent("abandon", _at_noon(read.finished_on)))
    return tuple(events)


def event_of_update(
    stored: StoredReading, merged: ReadThrough, now: datetime
) -> tuple[NewEvent, ...]:
    """The status change an update records, dated by the file when it can be."""
    if merged.status is stored.status:
        return ()
    kind = ALLOWED_TRANSITIONS[(stored.status, merged.status)]
    day = None
    if kind in ("finish", "abandon"):
        day = merged.finished_on
    elif kind == "start":
        day = merged.started_on
    return (NewEvent(kind, _at_noon(day) if day is not None else now),)
