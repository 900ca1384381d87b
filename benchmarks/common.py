"""Helpers shared by the benchmarks: timing, and where a result came from."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cnnbook.assets import provenance, write_json_atomically

RESULTS = Path(__file__).resolve().parent / "results"


def median_seconds(action: Callable[[], object], repeats: int = 3) -> float:
    """Median wall-clock seconds of `repeats` runs of `action`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def save(name: str, command: str, results: dict[str, object]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    write_json_atomically(path, {**provenance(command), "results": results})
    return path
