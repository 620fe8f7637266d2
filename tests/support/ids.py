"""The ids and moments most unit tests share, so a test reads ``GUILD`` and ``ALICE``
instead of a bare 1 or 101.

Modules that need other values (the digest's 1001/2002, a test of its own numbering) keep
their own; only identical values were merged here.
"""

from __future__ import annotations

from datetime import UTC, datetime

GUILD, OTHER_GUILD = 1, 2
ALICE, BOB, CAROL = 101, 102, 103

# the moments the unit tests live in; a module picks one as its ``NOW`` (the ``clock``
# fixture of tests/unit/conftest.py starts there)
WEDNESDAY_NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # the e2e tests' start too
SATURDAY_NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SUNDAY_EVENING = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # the default digest slot
