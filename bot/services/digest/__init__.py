"""The weekly digest: settings, building one guild's digest, and the scheduler that posts it
once per guild per week.

Posting goes through an injected :class:`DigestPoster` (the Discord side lives in the cog),
names through a :class:`~bot.services.clubs.MemberDirectory`; nothing here imports discord.

* :mod:`.build` — one guild's week from the database, and the digest made from it;
* :mod:`.posting` — the Discord interface, failures, and the claim → post → record path
  (the crash semantics are written there);
* :mod:`.service` — settings, preview and ``/digest send-now``;
* :mod:`.scheduler` — the tick that finds due guilds and posts for them concurrently.
"""

from bot.services.digest.build import (
    NAME_BUDGET,
    STREAK_LOOKBACK_DAYS,
    BuiltDigest,
    WeekData,
    assemble_inputs,
    names_wanted,
    schedule_of,
)
from bot.services.digest.posting import (
    CLAIM_LEASE,
    RECORD_RETRY,
    Claim,
    Delivery,
    DigestPoster,
    FailureKind,
    FailureReport,
    OnFailure,
    PostingFailed,
    RunPosting,
    RunTicket,
)
from bot.services.digest.scheduler import (
    DEFAULT_CONCURRENCY,
    Action,
    DigestScheduler,
    RunOutcome,
    Spawner,
    decide,
)
from bot.services.digest.service import DigestService, DigestSetup, SendNowResult

__all__ = [
    "CLAIM_LEASE",
    "DEFAULT_CONCURRENCY",
    "NAME_BUDGET",
    "RECORD_RETRY",
    "STREAK_LOOKBACK_DAYS",
    "Action",
    "BuiltDigest",
    "Claim",
    "Delivery",
    "DigestPoster",
    "DigestScheduler",
    "DigestService",
    "DigestSetup",
    "FailureKind",
    "FailureReport",
    "OnFailure",
    "PostingFailed",
    "RunOutcome",
    "RunPosting",
    "RunTicket",
    "SendNowResult",
    "Spawner",
    "WeekData",
    "assemble_inputs",
    "decide",
    "names_wanted",
    "schedule_of",
]
