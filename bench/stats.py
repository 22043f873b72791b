"""Small helpers shared by the benchmarks: percentiles and a per-call timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def timed(call: Callable[[], object], times: int) -> list[float]:
    """Seconds taken by each of `times` calls."""
    out = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
