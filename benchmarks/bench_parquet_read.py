"""Benchmark: GeoParquet reads with pyarrow (the store today) against DuckDB spatial, same run.

Measures on a GeoParquet dataset folder (e.g. one that ``bench_scale.py --data-dir`` keeps), both
engines answering the same questions with the same part pruning (the manifest's part bounds) and the
same exact predicate, and checks that they return the same rows:

* ``window``: every layer's features in a 400 x 300 m RD window as GeoDataFrames (what an export
  or a map page reads), median over ``--repeat`` windows;
* ``bulk``: the whole ``pand`` layer as a GeoDataFrame (what a batch or a full export reads);
* ``point``: the report's point question (the objects of 11 layers at a point) p50 over ``--points``.

DuckDB spatial comes from PyPI (``pip install duckdb==1.4.4 duckdb-ext-spatial``: the extension is
loaded from the installed file, no download at run time). Nothing here is wired into the store.

Run: ``nice -n 10 .venv/bin/python benchmarks/bench_parquet_read.py ../bench-data/demo-x300.parquet
--copies 300``.
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_scale import REPORT_LAYERS, points, window  # noqa: E402


def duckdb_connection():  # type: ignore[no-untyped-def]
    import duckdb

    ext = Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions" / f"v{duckdb.__version__}"
    found = sorted(ext.glob("*/spatial.duckdb_extension"))
    if not found:
        raise SystemExit(f"no spatial.duckdb_extension under {ext}: pip install duckdb-ext-spatial")
    con = duckdb.connect()
    con.execute(f"LOAD '{found[0]}'")
    return con


class DuckReader:
    """The GeoParquetStore's questions answered by DuckDB spatial (same part pruning)."""

    def __init__(self, path: Path):
        self.path = path
        self.manifest = json.loads((path / "_omgevingskaart.json").read_text())["layers"]
        self.con = duckdb_connection()

    def _files(self, layer: str, box: tuple[float, float, float, float] | None) -> list[str]:
        info = self.manifest[layer]
        folder = self.path / info["folder"]
        names = sorted(info.get("part_bounds") or {})
        if box is not None:
            x0, y0, x1, y1 = box
            names = [n for n in names if (b := info["part_bounds"][n]) is not None
                     and b[0] <= x1 and b[2] >= x0 and b[1] <= y1 and b[3] >= y0]
        return [str(folder / n) for n in names]

    def features(self, layer: str, *, box: tuple[float, float, float, float] | None = None,
                 point: tuple[float, float] | None = None, columns: str = "* EXCLUDE (bbox, geometry)"):  # type: ignore[no-untyped-def]
        import geopandas as gpd

        window_box = box if box is not None else (None if point is None else (*point, *point))
        files = self._files(layer, window_box)
        if not files:
            return gpd.GeoDataFrame(geometry=[], crs=28992)
        where, params = "", []
        if window_box is not None:
            x0, y0, x1, y1 = window_box
            shape = (f"ST_MakeEnvelope({x0}, {y0}, {x1}, {y1})" if box is not None
                     else f"ST_Point({point[0]}, {point[1]})")  # type: ignore[index]
            where = (" WHERE bbox.xmin <= ? AND bbox.xmax >= ? AND bbox.ymin <= ? AND bbox.ymax >= ?"
                     f" AND ST_Intersects(geometry, {shape})")
            params = [x1, x0, y1, y0]
        table = self.con.execute(
            f"SELECT {columns}, ST_AsWKB(geometry) AS wkb FROM read_parquet(?){where} ORDER BY fid",
            [files, *params]).fetch_arrow_table()
        df = table.to_pandas()
        geoms = gpd.GeoSeries.from_wkb(df.pop("wkb"), crs=28992)
        return gpd.GeoDataFrame(df.drop(columns=["fid"], errors="ignore"), geometry=geoms, crs=28992)


def raw_features(store, layer: str, box: tuple[float, float, float, float] | None = None):  # type: ignore[no-untyped-def]
    """pyarrow without the store's schema conform: the same read as DuckDB's (arrow table ->
    pandas + shapely from WKB, exact predicate), to tell the engine from the conform step."""
    import geopandas as gpd

    from omgevingskaart.store.base import Query, refine

    query = Query.build(bbox=box)
    df = store._table(layer, query).to_pandas().drop(columns=["bbox", "fid"])
    geoms = gpd.GeoSeries.from_wkb(df.pop("geometry"), crs=28992)
    return refine(gpd.GeoDataFrame(df, geometry=geoms, crs=28992), query.shape, "intersects")


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    s = time.perf_counter()
    out = fn()
    return time.perf_counter() - s, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--copies", type=int, required=True, help="copies the dataset was built with")
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import shapely

    from omgevingskaart.store.geoparquet import GeoParquetStore

    store = GeoParquetStore(args.dataset)
    duck = DuckReader(args.dataset)
    pts = points(args.points, args.copies)
    layers = store.layers()
    rows: dict[str, dict[str, float]] = {}

    # window: every layer in a 400 x 300 m box
    engines = ("pyarrow", "pyarrow-raw", "duckdb")
    for engine in engines:
        times, n = [], 0
        for p in [pts[0], *pts[: args.repeat]]:  # the first is a warm-up
            box = window(p)
            if engine == "pyarrow":
                dt, frames = timed(lambda box=box: [store.features(layer, bbox=box) for layer in layers])
            elif engine == "pyarrow-raw":
                dt, frames = timed(lambda box=box: [raw_features(store, layer, box) for layer in layers])
            else:
                dt, frames = timed(lambda box=box: [duck.features(layer, box=box) for layer in layers])
            times.append(dt)
            n = sum(len(f) for f in frames)  # type: ignore[attr-defined]
        rows.setdefault("window (all layers, 400 x 300 m) ms", {})[engine] = float(np.median(times[1:]) * 1000)
        rows.setdefault("window rows", {})[engine] = n
    # bulk: the whole pand layer
    for engine in engines:
        dt, frame = timed({"pyarrow": lambda: store.features("pand"), "pyarrow-raw": lambda: raw_features(store, "pand"),
                           "duckdb": lambda: duck.features("pand")}[engine])
        rows.setdefault("bulk (whole pand layer) s", {})[engine] = dt
        rows.setdefault("bulk rows", {})[engine] = len(frame)  # type: ignore[arg-type]
    # point: the report's question
    agree = 0
    answers: dict[str, list[object]] = {"pyarrow": [], "duckdb": []}
    for engine in ("pyarrow", "duckdb"):
        times = []
        for x, y in pts:
            s = time.perf_counter()
            if engine == "pyarrow":
                ans = {layer: sorted(str(r["identificatie"]) for r in store.rows(
                    layer, geometry=shapely.Point(x, y), columns=["identificatie"])[0])
                    for layer in REPORT_LAYERS if layer in layers}
            else:
                ans = {}
                for layer in REPORT_LAYERS:
                    if layer in layers:
                        f = duck.features(layer, point=(x, y), columns="fid, identificatie")
                        ans[layer] = sorted(str(v) for v in f["identificatie"]) if len(f) else []
            times.append(time.perf_counter() - s)
            answers[engine].append(ans)
        rows.setdefault("point question p50 ms", {})[engine] = float(np.percentile(times, 50) * 1000)
    rows["point question p50 ms"]["pyarrow-raw"] = float("nan")  # Store.rows has no conform step
    agree = sum(a == b for a, b in zip(answers["pyarrow"], answers["duckdb"], strict=True))
    print(f"{args.dataset} ({args.copies} copies), pyarrow vs DuckDB spatial in one run:")
    print(f"{'':38} {'pyarrow':>10} {'pa-raw':>10} {'duckdb':>10}   (pa-raw: pyarrow without the schema conform)")
    for what, by in rows.items():
        print(f"{what:38} " + " ".join(f"{by[e]:10.2f}" for e in engines))
    print(f"point question: same answers at {agree}/{len(pts)} points")


if __name__ == "__main__":
    main()
