"""The weekly digest schedule: time zones, week keys, DST-safe slots, catch-up and retries."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.clock import Clock, FakeClock, SystemClock, ensure_utc
from bot.domain.schedule import (
    COMMON_TIMEZONES,
    DigestSchedule,
    TimeWindow,
    current_week,
    digest_window,
    due_week,
    next_attempt_at,
    next_run,
    parse_week_key,
    resolve_local,
    retry_backoff,
    scheduled_instant,
    shift_week,
    suggest_timezones,
    validate_timezone,
    week_end,
    week_key,
    week_start,
)
from bot.errors import InvalidInput


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)


# --- clock -------------------------------------------------------------------------------


def test_system_clock_is_aware_utc() -> None:
    clock: Clock = SystemClock()
    now = clock.now()
    assert now.tzinfo is UTC
    assert isinstance(clock, Clock)


def test_fake_clock_sets_and_advances() -> None:
    clock = FakeClock(local("Europe/Berlin", 2026, 3, 1, 12))
    assert clock.now() == utc(2026, 3, 1, 11)
    assert clock.now().tzinfo is UTC
    assert clock.advance(hours=1, minutes=30) == utc(2026, 3, 1, 12, 30)
    assert clock.advance(timedelta(days=1)) == utc(2026, 3, 2, 12, 30)
    clock.set(utc(2020, 1, 1))
    assert clock.now() == utc(2020, 1, 1)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(seconds=-1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        FakeClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2026, 1, 1))
    schedule = DigestSchedule(0, 9, "UTC")
    with pytest.raises(ValueError, match="naive"):
        due_week(schedule, datetime(2026, 1, 1))


# --- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_name", "canonical"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  America/New York ", "America/New_York"),
        ("ASIA/KOLKATA", "Asia/Kolkata"),
        ("utc", "UTC"),
        ("Australia/Adelaide", "Australia/Adelaide"),
        ("US/Eastern", "US/Eastern"),  # legacy aliases still validate
    ],
)
def test_validate_timezone_accepts_and_canonicalises(given_name: str, canonical: str) -> None:
    assert validate_timezone(given_name) == canonical


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("Europe/Berln", "Did you mean Europe/Berlin?"),
        ("Amsterdam", "Did you mean Europe/Amsterdam?"),
        ("America/New_Yrok", "Did you mean America/New_York?"),
        ("Mars/Olympus_Mons", "IANA name such as Europe/Berlin"),
        ("", "Please give a time zone"),
        ("../../etc/passwd", "is not a time zone"),
        ("/etc/localtime", "is not a time zone"),
        ("localtime", "is not a time zone"),
        ("Factory", "is not a time zone"),
        ("x" * 500, "is not a time zone"),
        ("Europe/Berlin\x00", "Europe/Berlin"),
    ],
)
def test_validate_timezone_explains(bad: str, hint: str) -> None:
    if bad == "Europe/Berlin\x00":  # a control character is dropped, the zone is fine
        assert validate_timezone(bad) == "Europe/Berlin"
        return
    with pytest.raises(InvalidInput) as caught:
        validate_timezone(bad)
    assert hint in caught.value.message
    assert "\x00" not in caught.value.message
    assert len(caught.value.message) < 400


def test_common_timezones_all_exist() -> None:
    missing = [z for z in COMMON_TIMEZONES if validate_timezone(z) != z]
    assert missing == []


def test_suggestions_start_with_common_zones() -> None:
    assert suggest_timezones("")[:3] == ["UTC", "Europe/London", "Europe/Dublin"]
    assert len(suggest_timezones("")) == 25
    assert suggest_timezones("", limit=5) == list(COMMON_TIMEZONES[:5])
    assert suggest_timezones("new")[0] == "America/New_York"
    assert suggest_timezones("york")[0] == "America/New_York"
    assert suggest_timezones("new york")[0] == "America/New_York"
    assert suggest_timezones("kolk") == ["Asia/Kolkata"]
    assert suggest_timezones("berlin")[0] == "Europe/Berlin"
    assert suggest_timezones("europe/")[:3] == ["Europe/London", "Europe/Dublin", "Europe/Lisbon"]
    # canonical names before legacy aliases at the same rank
    aus = suggest_timezones("australia", limit=25)
    assert aus[0] == "Australia/Perth"
    assert all(validate_timezone(name) == name for name in aus)
    assert suggest_timezones("zzzz") == []
    assert suggest_timezones("a", limit=0) == []


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=12), st.integers(min_value=1, max_value=25))
def test_suggestions_are_valid_and_bounded(prefix: str, limit: int) -> None:
    found = suggest_timezones(prefix, limit)
    assert len(found) <= limit
    assert len(set(found)) == len(found)
    assert all(validate_timezone(name) == name for name in found)


# --- the schedule value ------------------------------------------------------------------


def test_schedule_validates_its_parts() -> None:
    schedule = DigestSchedule(weekday=6, hour=18, timezone="europe/berlin")
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.zone == ZoneInfo("Europe/Berlin")
    assert schedule.describe() == "Sundays at 18:00 (Europe/Berlin)"
    with pytest.raises(InvalidInput, match="0 \\(Monday\\) to 6 \\(Sunday\\), not 7"):
        DigestSchedule(7, 9, "UTC")
    with pytest.raises(InvalidInput, match="0 \\(Monday\\)"):
        DigestSchedule(-1, 9, "UTC")
    with pytest.raises(InvalidInput, match="0 to 23 on the 24-hour clock"):
        DigestSchedule(0, 24, "UTC")
    with pytest.raises(InvalidInput, match="whole number"):
        DigestSchedule(True, 9, "UTC")
    with pytest.raises(InvalidInput, match="not a time zone"):
        DigestSchedule(0, 9, "Nowhere/City")


# --- week keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 11, 16), "2026-W47"),
        (date(2020, 12, 31), "2020-W53"),
        (date(2021, 1, 3), "2020-W53"),  # a Sunday: still the 53rd week of 2020
        (date(2021, 1, 4), "2021-W01"),
        (date(2024, 12, 30), "2025-W01"),  # a Monday in December: week 1 of 2025
        (date(2027, 1, 1), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (datetime(2026, 12, 28, 23, 59), "2026-W53"),
    ],
)
def test_week_key_at_year_boundaries(day: date, key: str) -> None:
    assert week_key(day) == key
    assert len(key) == 8  # digest_runs.week_key is String(8)


def test_week_key_parsing_and_shifting() -> None:
    assert parse_week_key("2020-W53") == (2020, 53)
    assert shift_week("2020-W53", 1) == "2021-W01"
    assert shift_week("2021-W01", -1) == "2020-W53"
    assert shift_week("2025-W52", 1) == "2026-W01"
    assert shift_week("2026-W52", 1) == "2026-W53"
    for bad in ("2021-W53", "2026-W00", "2026-W54", "2026W47", "26-W47", "2026-w47", ""):
        with pytest.raises(ValueError):
            parse_week_key(bad)


def test_week_key_uses_the_local_date() -> None:
    # Monday 08:00 in Auckland is still Sunday in UTC: the local week counts
    schedule = DigestSchedule(0, 8, "Pacific/Auckland")
    slot = scheduled_instant(schedule, "2026-W10")
    assert slot == utc(2026, 3, 1, 19)  # NZDT, +13
    assert week_key(slot) == "2026-W09"  # the UTC date is a Sunday…
    assert current_week(schedule, slot) == "2026-W10"  # …the guild's is Monday
    assert due_week(schedule, slot) == "2026-W10"


def test_slot_in_iso_week_53() -> None:
    schedule = DigestSchedule(6, 18, "Europe/London")
    assert scheduled_instant(schedule, "2026-W53") == utc(2027, 1, 3, 18)
    assert due_week(schedule, utc(2027, 1, 3, 18, 5)) == "2026-W53"
    assert due_week(schedule, utc(2027, 1, 4, 0, 5)) is None  # W01 of 2027, slot not yet
    friday = DigestSchedule(4, 9, "UTC")
    assert scheduled_instant(friday, "2020-W53") == utc(2021, 1, 1, 9)


# --- DST: exact slot instants ------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "weekday", "hour", "key", "expected_utc", "expected_local"),
    [
        # Berlin, spring forward 29 Mar 2026 02:00 → 03:00: 02:00 is skipped
        ("Europe/Berlin", 6, 2, "2026-W13", utc(2026, 3, 29, 1), (3, 0)),
        ("Europe/Berlin", 6, 3, "2026-W13", utc(2026, 3, 29, 1), (3, 0)),
        ("Europe/Berlin", 6, 1, "2026-W13", utc(2026, 3, 29, 0), (1, 0)),
        # Berlin, fall back 25 Oct 2026 03:00 → 02:00: 02:00 happens twice, first one wins
        ("Europe/Berlin", 6, 2, "2026-W43", utc(2026, 10, 25, 0), (2, 0)),
        ("Europe/Berlin", 6, 3, "2026-W43", utc(2026, 10, 25, 2), (3, 0)),
        # New York, spring forward 8 Mar 2026 02:00 → 03:00
        ("America/New_York", 6, 2, "2026-W10", utc(2026, 3, 8, 7), (3, 0)),
        # New York, fall back 1 Nov 2026 02:00 → 01:00: 01:00 twice, EDT one wins
        ("America/New_York", 6, 1, "2026-W44", utc(2026, 11, 1, 5), (1, 0)),
        # Adelaide (+9:30 / +10:30), spring forward 4 Oct 2026 02:00 → 03:00
        ("Australia/Adelaide", 6, 2, "2026-W40", utc(2026, 10, 3, 16, 30), (3, 0)),
        # Adelaide, fall back 5 Apr 2026 03:00 → 02:00: 02:00 twice, ACDT one wins
        ("Australia/Adelaide", 6, 2, "2026-W14", utc(2026, 4, 4, 15, 30), (2, 0)),
        # Lord Howe moves by only 30 minutes: 02:00 → 02:30 on 4 Oct 2026
        ("Australia/Lord_Howe", 6, 2, "2026-W40", utc(2026, 10, 3, 15, 30), (2, 30)),
        # Kolkata: +5:30 all year
        ("Asia/Kolkata", 0, 9, "2026-W47", utc(2026, 11, 16, 3, 30), (9, 0)),
        # Chile springs forward at midnight (Sat 24:00 → Sun 01:00): Sunday 00:00 is skipped
        ("America/Santiago", 6, 0, "2026-W36", utc(2026, 9, 6, 4), (1, 0)),
    ],
)
def test_slot_instants_across_dst(
    zone: str,
    weekday: int,
    hour: int,
    key: str,
    expected_utc: datetime,
    expected_local: tuple[int, int],
) -> None:
    schedule = DigestSchedule(weekday, hour, zone)
    slot = scheduled_instant(schedule, key)
    assert slot == expected_utc
    assert slot.tzinfo is UTC
    wall = slot.astimezone(ZoneInfo(zone))
    assert (wall.hour, wall.minute) == expected_local
    assert week_key(wall) == key


def test_resolve_local_refuses_aware_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_local(utc(2026, 1, 1), ZoneInfo("UTC"))


def _slots(schedule: DigestSchedule, first: str, weeks: int) -> list[datetime]:
    return [scheduled_instant(schedule, shift_week(first, n)) for n in range(weeks)]


@pytest.mark.parametrize(
    ("zone", "shifts"),
    [
        ("Europe/Berlin", {timedelta(hours=-1), timedelta(hours=1)}),
        ("America/New_York", {timedelta(hours=-1), timedelta(hours=1)}),
        ("Australia/Adelaide", {timedelta(hours=-1), timedelta(hours=1)}),
        ("Asia/Kolkata", set()),
    ],
)
def test_weekly_cadence_over_a_year(zone: str, shifts: set[timedelta]) -> None:
    """Slots are 7 days apart, give or take the DST shift in the two weeks that have one;
    each is on the right local weekday and hour."""
    schedule = DigestSchedule(2, 19, zone)
    slots = _slots(schedule, "2026-W01", 53)
    gaps = [b - a - timedelta(days=7) for a, b in itertools.pairwise(slots)]
    assert {g for g in gaps if g} == shifts
    assert sum(1 for g in gaps if g) == len(shifts)
    for slot in slots:
        wall = slot.astimezone(ZoneInfo(zone))
        assert (wall.weekday(), wall.hour, wall.minute) == (2, 19, 0)


# --- DST: the scheduler loop posts exactly once ------------------------------------------


def _run_loop(
    schedule: DigestSchedule,
    start: datetime,
    end: datetime,
    *,
    step: timedelta = timedelta(minutes=10),
    down: tuple[tuple[datetime, datetime], ...] = (),
) -> tuple[dict[str, datetime], list[tuple[datetime, str]]]:
    """Tick a fake clock like the scheduler task would; post when due and not yet posted."""
    clock = FakeClock(start)
    posted: dict[str, datetime] = {}
    due_ticks: list[tuple[datetime, str]] = []
    while clock.now() < end:
        now = clock.now()
        if not any(a <= now < b for a, b in down):
            key = due_week(schedule, now)
            if key is not None:
                due_ticks.append((now, key))
                posted.setdefault(key, now)
        clock.advance(step)
    return posted, due_ticks


@pytest.mark.parametrize(
    ("zone", "hour", "around"),
    [
        ("Europe/Berlin", 2, date(2026, 3, 29)),  # skipped hour
        ("Europe/Berlin", 2, date(2026, 10, 25)),  # repeated hour
        ("America/New_York", 2, date(2026, 3, 8)),  # skipped
        ("America/New_York", 1, date(2026, 11, 1)),  # repeated
        ("Australia/Adelaide", 2, date(2026, 10, 4)),  # skipped (half-hour zone)
        ("Australia/Adelaide", 2, date(2026, 4, 5)),  # repeated (half-hour zone)
        ("Australia/Lord_Howe", 2, date(2026, 10, 4)),  # 30-minute skip
        ("Asia/Kolkata", 2, date(2026, 10, 25)),  # no DST, half-hour offset
    ],
)
def test_posts_once_per_week_across_dst(zone: str, hour: int, around: date) -> None:
    schedule = DigestSchedule(6, hour, zone)  # Sundays, the usual DST day
    start = datetime.combine(around - timedelta(days=10), datetime.min.time(), UTC)
    end = start + timedelta(days=17)
    posted, due_ticks = _run_loop(schedule, start, end)

    weeks = {current_week(schedule, start + timedelta(days=d)) for d in range(17)}
    expected = {k for k in weeks if start <= scheduled_instant(schedule, k) < end}
    assert set(posted) == expected
    assert len(posted) >= 2
    for key, when in posted.items():
        slot = scheduled_instant(schedule, key)
        assert timedelta() <= when - slot < timedelta(minutes=10)  # first tick after the slot
        assert current_week(schedule, when) == key
    # once due, only ever the same week's key until the week ends
    for when, key in due_ticks:
        assert key == current_week(schedule, when)
        assert when >= scheduled_instant(schedule, key)


def test_repeated_hour_is_due_from_its_first_occurrence_only() -> None:
    schedule = DigestSchedule(6, 2, "Europe/Berlin")
    first = local("Europe/Berlin", 2026, 10, 25, 2, 0, fold=0)  # 00:00 UTC
    second = local("Europe/Berlin", 2026, 10, 25, 2, 0, fold=1)  # 01:00 UTC
    assert second - first == timedelta(0)  # same wall time…
    assert ensure_utc(second) - ensure_utc(first) == timedelta(hours=1)  # …an hour apart
    assert due_week(schedule, ensure_utc(first) - timedelta(seconds=1)) is None
    assert due_week(schedule, first) == "2026-W43"
    assert due_week(schedule, second) == "2026-W43"  # same week key: the claim makes it once


def test_skipped_hour_is_due_at_the_end_of_the_gap() -> None:
    schedule = DigestSchedule(6, 2, "America/New_York")
    assert due_week(schedule, utc(2026, 3, 8, 6, 59, 59)) is None  # 01:59:59 EST
    assert due_week(schedule, utc(2026, 3, 8, 7)) == "2026-W10"  # 03:00 EDT


# --- catch-up after downtime, never a previous week --------------------------------------


def test_catch_up_within_the_week_after_downtime() -> None:
    schedule = DigestSchedule(0, 9, "Europe/Berlin")  # Mondays 09:00
    slot = scheduled_instant(schedule, "2026-W47")
    assert slot == utc(2026, 11, 16, 8)
    down = ((utc(2026, 11, 16, 7), utc(2026, 11, 18, 13)),)  # down Monday → Wednesday
    posted, _ = _run_loop(
        schedule, utc(2026, 11, 15), utc(2026, 11, 24), step=timedelta(minutes=10), down=down
    )
    assert posted["2026-W47"] == utc(2026, 11, 18, 13)
    assert posted["2026-W48"] == utc(2026, 11, 23, 8)


def test_never_posts_for_a_previous_week() -> None:
    schedule = DigestSchedule(0, 9, "Europe/Berlin")
    # down from before Monday's slot until after the week is over
    down = ((utc(2026, 11, 16, 7), utc(2026, 11, 23, 0)),)
    posted, due_ticks = _run_loop(
        schedule, utc(2026, 11, 16), utc(2026, 11, 24), step=timedelta(minutes=10), down=down
    )
    assert "2026-W47" not in posted
    assert all(key != "2026-W47" for _, key in due_ticks)
    assert posted == {"2026-W48": utc(2026, 11, 23, 8)}
    # Sunday 23:59 local is still the missed week; a minute later it is gone for good
    assert due_week(schedule, utc(2026, 11, 22, 22, 59)) == "2026-W47"
    assert due_week(schedule, utc(2026, 11, 22, 23, 0)) is None


def test_schedule_set_after_this_weeks_slot_waits_for_next_week() -> None:
    schedule = DigestSchedule(0, 9, "UTC")
    configured = utc(2026, 11, 18, 12)  # a Wednesday, after Monday's slot
    assert due_week(schedule, configured) == "2026-W47"  # without not_before: catch-up
    assert due_week(schedule, configured, not_before=configured) is None
    assert due_week(schedule, utc(2026, 11, 23, 9), not_before=configured) == "2026-W48"


def test_next_run() -> None:
    schedule = DigestSchedule(0, 9, "Europe/Berlin")
    assert next_run(schedule, utc(2026, 11, 16, 7)) == utc(2026, 11, 16, 8)
    assert next_run(schedule, utc(2026, 11, 16, 8)) == utc(2026, 11, 23, 8)
    assert next_run(schedule, utc(2026, 11, 20)) == utc(2026, 11, 23, 8)
    # across the spring change: 09:00 CEST is 07:00 UTC
    assert next_run(schedule, utc(2026, 3, 25)) == utc(2026, 3, 30, 7)


def test_week_bounds_follow_local_midnight() -> None:
    schedule = DigestSchedule(0, 9, "America/New_York")
    assert week_start(schedule, "2026-W45") == utc(2026, 11, 2, 5)  # Monday 00:00 EST
    assert week_end(schedule, "2026-W44") == utc(2026, 11, 2, 5)
    assert week_start(schedule, "2026-W44") == utc(2026, 10, 26, 4)  # EDT


# --- retries -----------------------------------------------------------------------------


def test_retry_backoff_doubles_up_to_an_hour() -> None:
    minutes = [retry_backoff(n) / timedelta(minutes=1) for n in range(1, 12)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    assert retry_backoff(10_000) == timedelta(minutes=60)
    with pytest.raises(ValueError):
        retry_backoff(0)


def test_retries_stop_when_the_week_ends() -> None:
    schedule = DigestSchedule(6, 22, "UTC")  # Sunday 22:00, two hours before the week ends
    key = "2026-W47"
    slot = scheduled_instant(schedule, key)
    assert next_attempt_at(schedule, key, 1, slot) == slot + timedelta(minutes=1)
    late = utc(2026, 11, 22, 23, 30)
    assert next_attempt_at(schedule, key, 6, late) is None  # +32 min crosses midnight
    assert next_attempt_at(schedule, key, 4, late) == late + timedelta(minutes=8)


# --- the digest window -------------------------------------------------------------------


def test_digest_window_is_the_seven_days_before_the_post() -> None:
    now = utc(2026, 11, 23, 8)
    window = digest_window(now)
    assert window == TimeWindow(utc(2026, 11, 16, 8), now)
    assert utc(2026, 11, 16, 8) in window
    assert now not in window
    assert now - timedelta(microseconds=1) in window
    assert local("Europe/Berlin", 2026, 11, 20, 12) in window
    assert "2026-11-20" not in window
    with pytest.raises(ValueError):
        TimeWindow(now, now - timedelta(seconds=1))


# --- properties --------------------------------------------------------------------------

_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Adelaide",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Auckland",
    "Asia/Tehran",
    "America/St_Johns",
    "UTC",
)


@settings(max_examples=120, deadline=None)
@given(
    zone=st.sampled_from(_ZONES),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    day=st.dates(min_value=date(2000, 1, 3), max_value=date(2037, 12, 1)),
)
def test_every_week_has_exactly_one_slot(zone: str, weekday: int, hour: int, day: date) -> None:
    schedule = DigestSchedule(weekday, hour, zone)
    key = week_key(day)
    slot = scheduled_instant(schedule, key)
    wall = slot.astimezone(schedule.zone)
    assert week_key(wall) == key
    assert wall.weekday() == weekday
    assert (wall.hour, wall.minute) >= (hour, 0)  # never earlier; later only after a gap
    assert slot - timedelta(microseconds=1) < slot
    assert due_week(schedule, slot) == key
    assert due_week(schedule, slot - timedelta(microseconds=1)) != key
    assert due_week(schedule, week_end(schedule, key) - timedelta(microseconds=1)) == key
    assert next_run(schedule, slot - timedelta(seconds=1)) == slot


def _transition_days(zone: ZoneInfo, first: date, last: date) -> list[date]:
    days = []
    day = first
    previous = datetime.combine(day, datetime.min.time(), zone).utcoffset()
    while day <= last:
        day += timedelta(days=1)
        offset = datetime.combine(day, datetime.min.time(), zone).utcoffset()
        if offset != previous:
            days.append(day - timedelta(days=1))
            days.append(day)
        previous = offset
    return days


def test_dst_slots_stay_in_their_week_for_common_zones() -> None:
    """On every day around a DST change (2025–2028) in every common zone, every hour's slot
    resolves into its own local week and on its weekday — the module's stated invariant."""
    for name in COMMON_TIMEZONES:
        zone = ZoneInfo(name)
        for day in _transition_days(zone, date(2025, 1, 1), date(2028, 12, 31)):
            key = week_key(day)
            for hour in range(24):
                schedule = DigestSchedule(day.weekday(), hour, name)
                wall = scheduled_instant(schedule, key).astimezone(zone)
                assert week_key(wall) == key, (name, day, hour)
                assert wall.date() == day, (name, day, hour)
