"""`python -m bot` with /rate stalled inside its write transaction — a stand-in for a
query or handler that hangs mid-work. The shutdown tests run
``python -m tests.e2e.slow_bot run`` and send a signal while the stall is in flight.

``SLOW_BOT_STALL`` picks the stall: ``sleep`` (default; the unit of work sleeps on the
database's writer thread, where no cancellation reaches it), ``query`` (a statement that
runs for minutes inside SQLite, equally out of reach) or ``stubborn`` (a handler that, once
its rating is written, swallows cancellation, as a broad ``except BaseException`` would).
Everything else is the real process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from typing import Any

from sqlalchemy import text

from bot.cli import main
from bot.db import ratings
from bot.services.ratings import RatingService

STALL_MARK = "slow_bot: the rating is written, its transaction is open; stalling"
# counts to ten billion: minutes of work inside SQLite, uninterruptible from asyncio
ENDLESS_QUERY = text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000000) "
    "SELECT count(*) FROM c"
)
_real_put = ratings.put_rating
_real_rate = RatingService.rate


def _stalled_put(conn: Any, *args: Any, **kwargs: Any) -> Any:
    """Inside the unit of work, on the writer thread, its transaction open."""
    result = _real_put(conn, *args, **kwargs)
    print(STALL_MARK, file=sys.stderr, flush=True)
    if os.environ.get("SLOW_BOT_STALL", "sleep") == "query":
        conn.execute(ENDLESS_QUERY)
    else:
        time.sleep(3600)
    return result


async def _stubborn_rate(self: RatingService, *args: Any, **kwargs: Any) -> Any:
    result = await _real_rate(self, *args, **kwargs)
    print(STALL_MARK, file=sys.stderr, flush=True)
    while True:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
    return result


if __name__ == "__main__":  # never when imported (the tests import STALL_MARK)
    if os.environ.get("SLOW_BOT_STALL") == "stubborn":
        RatingService.rate = _stubborn_rate  # type: ignore[method-assign]
    else:
        ratings.put_rating = _stalled_put  # type: ignore[assignment]
    raise SystemExit(main())
