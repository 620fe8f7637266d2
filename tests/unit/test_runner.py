"""The start-up retry schedule and its one-line message."""

from __future__ import annotations

import itertools

import aiohttp
import discord

from bot.runner import describe_unreachable, retry_delays


def test_retry_delays_double_from_5_s_to_5_min() -> None:
    delays = retry_delays(rand=lambda low, high: 1.0)
    assert list(itertools.islice(delays, 9)) == [5, 10, 20, 40, 80, 160, 300, 300, 300]


def test_retry_delays_are_jittered_and_capped() -> None:
    low = list(itertools.islice(retry_delays(rand=lambda lo, hi: lo), 8))
    high = list(itertools.islice(retry_delays(rand=lambda lo, hi: hi), 8))
    assert low[0] == 4.0 and high[0] == 6.0
    assert max(high) == 300.0 and low[-1] == 240.0
    real = list(itertools.islice(retry_delays(), 50))
    assert all(4.0 <= d <= 300.0 for d in real)
    assert len(set(real[:6])) == 6


def test_describe_unreachable_is_one_line_naming_where() -> None:
    error = aiohttp.ClientConnectionError("Cannot connect to host discord.com:443\nmore detail")
    line = describe_unreachable(error)
    assert line == (
        f"Discord is unreachable at {discord.http.Route.BASE} "
        "(Cannot connect to host discord.com:443)"
    )
    assert describe_unreachable(TimeoutError()).endswith("(TimeoutError)")
