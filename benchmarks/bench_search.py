"""Benchmark: how often the address search finds what a person meant.

200 spellings of the demo's real addresses (tests/search_spellings.py: case, spacing, postcode
forms, missing comma, woonplaats missing or present, glued huisletter, typos), deterministic. A
spelling counts as found when the search resolves to the meant address, or (where the geocoder has
suggestions) when the meant address is the first suggestion: one action for the user.

The baseline is the geocoder of an earlier commit (``--baseline-ref``, default the commit before
the forgiving search), loaded from git in the same run; without git the baseline is skipped.
Also: the time per ``suggest`` call (the app's autocomplete calls it on every keystroke).

Run: ``.venv/bin/python benchmarks/bench_search.py [--baseline-ref REF] [--misses]``
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from omgevingskaart import geocoder_for

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

BASELINE_REF = "1127523"  # main before issue 14's forgiving search


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
        spec.loader.exec_module(mod)
    return mod.Geocoder(dataset)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--misses", action="store_true", help="print the spellings not found")
    args = ap.parse_args()

    from search_spellings import share_found, spellings

    import omgevingskaart

    ds = omgevingskaart.open_dataset()
    now = geocoder_for(ds)
    pairs = spellings(now.records)
    share, misses = share_found(now, pairs)
    direct = sum(1 for q, meant in pairs if _resolves(now, q) == meant) / len(pairs)
    print(f"spellings: {len(pairs)} (seed 14, from {len(now.records)} demo addresses)")
    base = baseline_geocoder(args.baseline_ref, ds)
    if base is not None:
        b_share, _ = share_found(base, pairs)
        print(f"found, baseline ({args.baseline_ref}): {b_share:6.1%}")
    else:
        print("found, baseline: (no git history here; skipped)")
    print(f"found, now:                {share:6.1%}  (resolved directly {direct:.1%}, "
          f"the rest as first suggestion)")
    if args.misses:
        for q, meant, got in misses:
            print(f"  miss: {q!r} -> {got!r} (meant {meant!r})")
    queries = [q for q, _ in pairs]
    for prefix_len in (3, 6, None):
        typed = [q[:prefix_len] if prefix_len else q for q in queries]
        t = time.perf_counter()
        for q in typed:
            now.suggest(q, limit=8)
        dt = (time.perf_counter() - t) / len(typed) * 1000
        label = f"first {prefix_len} characters" if prefix_len else "whole text"
        print(f"suggest ({label}): {dt:.2f} ms per call")


def _resolves(geocoder: object, query: str) -> str | None:
    try:
        return geocoder.resolve(query)[0]["weergave"]  # type: ignore[attr-defined]
    except Exception:
        return None


if __name__ == "__main__":
    main()
