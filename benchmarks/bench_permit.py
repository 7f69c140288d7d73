"""Benchmark: check_build time per scenario over tests/scenarios/*.json (target < 10 ms).

Baseline, measured in the same run: JSON parsing plus shapely construction of every geometry in
the scenario (what any check must do before it starts).  Prints p50/p95 per scenario and the
ratios check/baseline.  Runs alone: ``.venv/bin/python benchmarks/bench_permit.py``.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from shapely.geometry import shape

from omgevingskaart.permit import check_build

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.json"))
REPEATS = 30


def _geometries(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        if "type" in obj and "coordinates" in obj:
            return [shape(obj)]
        return [g for v in obj.values() for g in _geometries(v)]
    if isinstance(obj, list):
        return [g for v in obj for g in _geometries(v)]
    return []


def baseline(text: str) -> None:
    _geometries(json.loads(text))


def check(text: str) -> None:
    check_build(json.loads(text))


def _times(fn: Any, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        fn(text)  # warm-up
        samples = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            fn(text)
            samples.append(time.perf_counter() - t0)
        out.append(statistics.median(samples))
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SCENARIOS]
    base = _times(baseline, texts)
    chk = _times(check, texts)
    print(f"scenarios: {len(texts)}, repeats per scenario: {REPEATS} (median per scenario)")
    for name, values in (("baseline (json + geometry construction)", base), ("check_build (incl. parsing)", chk)):
        print(f"{name:42s} p50 {1000 * _pct(values, 0.5):7.3f} ms   p95 {1000 * _pct(values, 0.95):7.3f} ms   max {1000 * max(values):7.3f} ms")
    print(f"ratio check/baseline: p50 {_pct(chk, 0.5) / _pct(base, 0.5):.1f}x   p95 {_pct(chk, 0.95) / _pct(base, 0.95):.1f}x")
    slowest = max(range(len(chk)), key=chk.__getitem__)
    print(f"slowest scenario: {SCENARIOS[slowest].stem} {1000 * chk[slowest]:.3f} ms")
    target = 0.010
    print(f"target < {1000 * target:.0f} ms per scenario: {'met' if _pct(chk, 0.95) < target else 'NOT met'} (p95)")


if __name__ == "__main__":
    main()
