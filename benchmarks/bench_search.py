"""Benchmark: how often the address search finds what a person meant.

200 spellings of the demo's real addresses (tests/search_spellings.py: case, spacing, postcode
forms, missing comma, woonplaats missing or present, glued huisletter, typos), deterministic. A
spelling counts as found when the search resolves to the meant address, or (where the geocoder has
suggestions) when the meant address is the first suggestion: one action for the user.

The baseline is the geocoder of an earlier commit (``--baseline-ref``, default the commit before
the forgiving search), loaded from git in the same run; without git the baseline is skipped.
The same spellings are also scored with the geocoder before the store protocol (``--before-ref``:
it held every address in memory; the store-based one must find exactly as many). Also: the time
per ``resolve`` and ``suggest`` call (p50/p99; the app's autocomplete calls ``suggest`` on every
keystroke) on the demo in memory, before and now, and now on the demo in a GeoPackage read
through its R-tree (nothing in memory but the vocabulary); ``--dataset URI`` adds a store.

Run: ``.venv/bin/python benchmarks/bench_search.py [--baseline-ref REF] [--dataset URI] [--misses]``
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

BASELINE_REF = "1127523"  # main before issue 14's forgiving search
BEFORE_STORE_REF = "d82f610"  # the geocoder that indexed every address in memory (before issue 12's store)


def baseline_geocoder(ref: str, dataset: object) -> object | None:
    """``Geocoder(dataset)`` from ``omgevingskaart/geocode.py`` at git ``ref`` (None without git)."""
    try:
        src = subprocess.run(["git", "show", f"{ref}:omgevingskaart/geocode.py"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "geocode.py"
        path.write_text(src, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("omgevingskaart._baseline_geocode", path,
                                                      submodule_search_locations=None)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        mod.__package__ = "omgevingskaart"  # its relative imports (.errors) resolve to today's
        sys.modules[spec.name] = mod  # (its dataclasses look their module up)
        spec.loader.exec_module(mod)
    return mod.Geocoder(dataset)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--before-ref", default=BEFORE_STORE_REF,
                    help="the in-memory geocoder before the store protocol (same spellings, same run)")
    ap.add_argument("--dataset", action="append", default=[],
                    help="also time the search on this dataset URI (e.g. postgresql://..., x.parquet)")
    ap.add_argument("--misses", action="store_true", help="print the spellings not found")
    args = ap.parse_args()

    from search_spellings import address_records, share_found, spellings

    import omgevingskaart
    from omgevingskaart.geocode import geocoder_for

    ds = omgevingskaart.open_dataset()
    now = geocoder_for(ds)
    records = address_records(ds)
    pairs = spellings(records)
    share, misses = share_found(now, pairs)
    direct = sum(1 for q, meant in pairs if _resolves(now, q) == meant) / len(pairs)
    print(f"spellings: {len(pairs)} (seed 14, from {len(records)} demo addresses)")
    refs = {"baseline": args.baseline_ref, "before store": args.before_ref}
    olds: dict[str, object] = {}
    for label, ref in refs.items():
        old = baseline_geocoder(ref, ds)
        if old is None:
            print(f"found, {label}: (no git history here; skipped)")
            continue
        olds[label] = old
        print(f"found, {label} ({ref}):{' ' * max(0, 12 - len(label))}{share_found(old, pairs)[0]:6.1%}")
    print(f"found, now:                {share:6.1%}  (resolved directly {direct:.1%}, "
          f"the rest as first suggestion)")
    if args.misses:
        for q, meant, got in misses:
            print(f"  miss: {q!r} -> {got!r} (meant {meant!r})")
    queries = [q for q, _ in pairs]
    timed = {"now, demo in memory": now}
    if "before store" in olds:
        timed["before store, in memory"] = olds["before store"]
    with tempfile.TemporaryDirectory() as tmp:
        from omgevingskaart.dataset import Dataset, write_dataset
        from omgevingskaart.store.geopackage import GeoPackageStore

        path = Path(tmp) / "demo-rtree.gpkg"
        write_dataset({n: ds[n] for n in ds.layers}, path, meta=ds.meta)
        t = time.perf_counter()
        timed["now, GeoPackage R-tree"] = geocoder_for(Dataset(GeoPackageStore(path, mode="rtree")))
        print(f"geocoder build, GeoPackage R-tree (the vocabulary): {(time.perf_counter() - t) * 1000:.1f} ms")
        for uri in args.dataset:
            timed[f"now, {uri.split('@')[-1]}"] = geocoder_for(omgevingskaart.open_dataset(uri))
        for label, g in timed.items():
            print(f"{label}: found {share_found(g, pairs)[0]:.1%}")
            _time(g, "resolve", queries, lambda g, q: _resolves(g, q))
            for prefix_len in (3, 6, None):
                typed = [q[:prefix_len] if prefix_len else q for q in queries]
                name = f"suggest ({f'first {prefix_len} characters' if prefix_len else 'whole text'})"
                _time(g, name, typed, lambda g, q: g.suggest(q, limit=8))  # type: ignore[attr-defined]


def _time(geocoder: object, name: str, queries: list[str], call: object) -> None:
    """Per-call p50 and p99 (ms) of ``call(geocoder, query)`` over ``queries``."""
    times = []
    for q in queries:
        t = time.perf_counter()
        call(geocoder, q)  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"  {name:34s} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")


def _resolves(geocoder: object, query: str) -> str | None:
    try:
        return geocoder.resolve(query)[0]["weergave"]  # type: ignore[attr-defined]
    except Exception:
        return None


if __name__ == "__main__":
    main()
