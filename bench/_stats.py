"""Small helpers for benchmarks: percentiles and a uniform report line."""

from __future__ import annotations

import statistics


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    row = {
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms),
        "n": float(len(ms)),
    }
    print(
        f"{name:<40} n={len(ms):>5}  p50={row['p50_ms']:.3f} ms  p99={row['p99_ms']:.3f} ms"
        f"  mean={row['mean_ms']:.3f} ms"
    )
    return row
