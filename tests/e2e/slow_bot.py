"""`python -m bot` with the rating write stalled inside its transaction — a stand-in for a
query or handler that hangs mid-work. The shutdown tests run
``python -m tests.e2e.slow_bot run`` and send a signal while the stall is in flight.

``SLOW_BOT_STALL`` picks the stall: ``sleep`` (default; the handler awaits, so it can be
cancelled), ``query`` (a statement that runs for minutes in the database driver's thread,
which no cancellation interrupts) or ``stubborn`` (a handler that swallows cancellation,
as a broad ``except BaseException`` would). Everything else is the real process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from typing import Any

from sqlalchemy import text

from bot.cli import main
from bot.db import ratings

STALL_MARK = "slow_bot: the rating is written, its transaction is open; stalling"
# counts to ten billion: minutes of work inside SQLite, uninterruptible from asyncio
ENDLESS_QUERY = text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000000) "
    "SELECT count(*) FROM c"
)
_real_put = ratings.put


async def _stalled_put(conn: Any, *args: Any, **kwargs: Any) -> Any:
    result = await _real_put(conn, *args, **kwargs)
    print(STALL_MARK, file=sys.stderr, flush=True)
    stall = os.environ.get("SLOW_BOT_STALL", "sleep")
    if stall == "query":
        await conn.execute(ENDLESS_QUERY)
    elif stall == "stubborn":
        while True:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(3600)
    else:
        await asyncio.sleep(3600)
    return result


if __name__ == "__main__":  # never when imported (the tests import STALL_MARK)
    ratings.put = _stalled_put  # type: ignore[assignment]
    raise SystemExit(main())
