"""Keep the garbage collector's full passes short once the bot is up.

A full (generation 2) collection walks every tracked object. After start-up a bot holds
hundreds of thousands of long-lived ones (modules, SQLAlchemy's compiled statements,
discord.py's guild, channel and role caches), so each full pass stalled the event loop by
70–115 ms during a 1,000-server digest tick (bench/bench_digest.py). ``gc.freeze()`` moves
everything alive at that moment to a permanent generation the collector no longer walks;
later garbage is still collected as before. Called once, when the guild cache is filled.
"""

from __future__ import annotations

import gc


def freeze_long_lived_objects() -> int:
    """Collect what is already garbage, then exempt every surviving object from later
    collections. Returns how many objects are frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
