"""Benchmark: GeoParquet reads through DuckDB spatial vs pyarrow (issue 12).

Builds the tiled GeoParquet datasets of ``bench_scale.py`` (1, 10, 30 copies of the demo, written
like an import: copies grouped into Hilbert-sorted parts of up to 250,000 rows) or reuses those in
``--work`` (e.g. ``../bench-data``), and measures, in one process per size, with both readers of
:class:`~omgevingskaart.store.geoparquet.GeoParquetStore` (the median of ``--repeat`` runs after
one warm-up):

* ``window``: every layer's rows in a 400 x 300 m RD window at the middle copy (what export-3d
  reads), as the arrow table of the store (the part files meeting the window, rows filtered on
  the bbox column, in ``fid`` order);
* ``scan``: the whole ``pand`` and ``perceel`` layers;
* ``tile``: a z17 vector tile of ``pand`` at the same place (DuckDB's ``ST_AsMVT`` only).

Both readers return the same table (checked each run). Ratios are DuckDB / pyarrow.

Run: ``nice -n 10 .venv/bin/python benchmarks/bench_duckdb_reads.py [--sizes 1,10,30]``.
Needs the ``duckdb`` extra.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_scale import WINDOW, build_parquet, middle  # noqa: E402

from omgevingskaart.crs import rd_to_wgs84  # noqa: E402
from omgevingskaart.store.base import Query  # noqa: E402
from omgevingskaart.store.geoparquet import GeoParquetStore  # noqa: E402

CENTRE = (246550.0, 443450.0)  # Winterswijk centre in the first copy


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    out = fn()
    times = []
    for _ in range(repeat):
        s = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - s)
    return statistics.median(times) * 1000, out


def measure(path: Path, copies: int, repeat: int) -> dict[str, float]:
    store = GeoParquetStore(path)
    dx, dy = middle(copies)
    cx, cy = CENTRE[0] + dx, CENTRE[1] + dy
    box = Query.build(bbox=(cx - WINDOW[0] / 2, cy - WINDOW[1] / 2, cx + WINDOW[0] / 2, cy + WINDOW[1] / 2))
    res: dict[str, float] = {}

    def window(read: Callable[[str, Query], Any]) -> Callable[[], int]:
        return lambda: sum(read(layer, box).num_rows for layer in store.layers())

    res["window_pyarrow_ms"], rows = timed(window(store._table), repeat)
    res["window_duckdb_ms"], rows_d = timed(window(store.duckdb_table), repeat)
    assert rows == rows_d
    res["window_rows"] = rows
    whole = Query.build()
    for layer in ("pand", "perceel"):
        res[f"scan_{layer}_pyarrow_ms"], a = timed(lambda layer=layer: store._table(layer, whole), repeat)
        res[f"scan_{layer}_duckdb_ms"], b = timed(lambda layer=layer: store.duckdb_table(layer, whole), repeat)
        assert a.equals(b), layer
        res[f"scan_{layer}_rows"] = a.num_rows
    lon, lat = rd_to_wgs84(cx, cy)
    z = 17
    tx = int((lon + 180.0) / 360.0 * 2**z)
    ty = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * 2**z)
    res["tile_duckdb_ms"], data = timed(lambda: store.tile("pand", z, tx, ty, columns=["identificatie"]), repeat)
    res["tile_bytes"] = len(data)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,30")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--work", type=Path, default=None, help="folder for the datasets (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-duckdb-") as tmp:
        work = args.work or Path(tmp)
        print(f"{'copies':>6} {'what':<14} {'pyarrow ms':>11} {'duckdb ms':>10} {'ratio':>6} {'rows':>9}")
        for copies in (int(s) for s in args.sizes.split(",")):
            path = work / f"demo-x{copies}.parquet"
            if not path.exists():
                build_parquet(path, copies)
            r = measure(path, copies, args.repeat)
            for what, rows in (("window", "window_rows"), ("scan_pand", "scan_pand_rows"),
                               ("scan_perceel", "scan_perceel_rows")):
                a, b = r[f"{what}_pyarrow_ms"], r[f"{what}_duckdb_ms"]
                print(f"{copies:>6} {what:<14} {a:>11.1f} {b:>10.1f} {b / a:>6.2f} {int(r[rows]):>9}")
            print(f"{copies:>6} {'tile z17':<14} {'-':>11} {r['tile_duckdb_ms']:>10.1f} {'':>6} "
                  f"{int(r['tile_bytes']):>8}B", flush=True)


if __name__ == "__main__":
    main()
