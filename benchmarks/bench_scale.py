"""Benchmark: how each store scales with the dataset (issue 12).

Builds tiled datasets of 1, 10, 30, ... translated copies of the demo (one copy: 3,628 panden,
3,230 percelen; copies laid out on a grid, 200 m apart) in each backend, streaming copy by copy so
the builder's memory stays one copy:

* ``gpkg-memory``: today's path, the GeoPackage read whole and indexed in memory (the baseline);
* ``gpkg-rtree``: the same file read per request through its R-tree;
* ``postgis``: a throw-away PostgreSQL + PostGIS on 127.0.0.1 (tests/postgres_server.py);
* ``geoparquet``: Hilbert-sorted parts (one set per copy) with a bbox covering column.

Per size and backend, each measured in a fresh interpreter (peak RSS is that process'):

* open + first answer: seconds and peak RSS to open the dataset and answer the report's question
  at one point (gpkg-memory: ``Dataset.report``; the others: ``features(layer, geometry=point)``
  over the report's 11 layers, as plain records (``Store.rows``): what the report asks the store
  once report.py goes through it);
* report p50/p99 over ``--points`` points of the copy in the middle (the same question), and the
  report itself (``report_at``, through each store) with its p50 CPU (thread) time;
* agreement: at every point the same perceel and the same set of layer objects as ``gpkg-memory``;
* ``/items`` bbox: one page of 100 panden in a 400 x 300 m RD window (the service's code path);
* a vector tile (z17 at the middle copy; PostGIS only: ``ST_AsMVT``);
* export of a fixed area: every layer's features in a 400 x 300 m window (what export-3d reads);
* one service worker's RSS (``omgevingskaart serve`` on the dataset): after start-up, after an
  ``/items`` page, after a ``/v1/report`` (which still builds the in-memory indexes: report.py is not
  on the store yet).

Ratios are against ``gpkg-memory`` at the same size, measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--sizes 1,10,30,100,300] [--points 300]``
(``--backends gpkg-memory,gpkg-rtree,postgis,geoparquet``). Needs the ``postgis`` extra and the
Debian PostgreSQL + PostGIS packages for the PostGIS rows (skipped with a note otherwise).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from omgevingskaart import report_at

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

REPORT_LAYERS = ("perceel", "pand", "verblijfsobject", "enkelbestemming", "dubbelbestemming", "bouwvlak",
                 "maatvoering", "functieaanduiding", "bouwaanduiding", "gebiedsaanduiding", "monument")
GAP_M = 200.0
WINDOW = (400.0, 300.0)
BACKENDS = ("gpkg-memory", "gpkg-rtree", "postgis", "geoparquet")


# --- building the tiled datasets ------------------------------------------------------------------


def grid(copies: int) -> list[tuple[int, int]]:
    side = math.ceil(math.sqrt(copies))
    return [(k % side, k // side) for k in range(copies)]


def offsets(copies: int) -> list[tuple[float, float]]:
    from omgevingskaart.dataset import open_dataset

    b = open_dataset().bounds
    w, h = b[2] - b[0] + GAP_M, b[3] - b[1] + GAP_M
    return [(i * w, j * h) for i, j in grid(copies)]


def middle(copies: int) -> tuple[float, float]:
    """The offset of the copy in the middle of the grid."""
    return offsets(copies)[len(offsets(copies)) // 2]


def translated(frame, dx: float, dy: float):  # type: ignore[no-untyped-def]
    import shapely

    out = frame.copy()
    out["geometry"] = shapely.transform(frame.geometry.to_numpy(), lambda c: c + np.array([dx, dy]))
    return out


def build_gpkg(path: Path, copies: int) -> None:
    import pyogrio

    from omgevingskaart.dataset import open_dataset, write_dataset
    from omgevingskaart.store.geopackage import geometry_type_of, write_layer

    demo = open_dataset()
    layers = {n: demo[n] for n in demo.layers}
    write_dataset(layers, path, meta={**demo.meta, "titel": f"demo x {copies}"})
    for dx, dy in offsets(copies)[1:]:
        for name, frame in layers.items():
            gtype = geometry_type_of(set(frame.geometry.dropna().geom_type))
            write_layer(translated(frame, dx, dy), path, name, append=True, geometry_type=gtype)
    pyogrio.read_info(path, layer="pand")  # a valid file


def build_parquet(path: Path, copies: int) -> None:
    from omgevingskaart.dataset import open_dataset
    from omgevingskaart.store.geoparquet import GeoParquetStore, write_layer_parts

    demo = open_dataset()
    store = GeoParquetStore(path, create=True)
    store.write_meta({**demo.meta, "titel": f"demo x {copies}"})
    for name in demo.layers:
        frame = demo[name]
        entry = None
        for k, (dx, dy) in enumerate(offsets(copies)):
            e = write_layer_parts(translated(frame, dx, dy), path, name, folder=entry["folder"] if entry else None,
                                  first_fid=k * len(frame), first_part=k)
            if entry is None:
                entry = e
            else:
                entry["rows"] += e["rows"]
                entry["parts"] += e["parts"]
                entry["part_bounds"].update(e["part_bounds"])
                if e["bounds"] and entry["bounds"]:
                    entry["bounds"] = [min(entry["bounds"][0], e["bounds"][0]), min(entry["bounds"][1], e["bounds"][1]),
                                       max(entry["bounds"][2], e["bounds"][2]), max(entry["bounds"][3], e["bounds"][3])]
        assert entry is not None
        store.commit_layer(name, entry)


def build_postgis(uri: str, copies: int) -> None:
    from omgevingskaart.dataset import open_dataset, write_dataset
    from omgevingskaart.store import open_store

    demo = open_dataset()
    layers = {n: demo[n] for n in demo.layers}
    write_dataset(layers, uri, meta={**demo.meta, "titel": f"demo x {copies}"})
    store = open_store(uri)
    for dx, dy in offsets(copies)[1:]:
        for name, frame in layers.items():
            store.write(name, translated(frame, dx, dy), mode="append")
    with __import__("psycopg").connect(uri.split("?")[0], autocommit=True) as con:
        con.execute("VACUUM ANALYZE")


# --- measuring (in a child interpreter) -------------------------------------------------------------


def points(n: int, copies: int, seed: int = 1) -> list[tuple[float, float]]:
    import shapely

    from omgevingskaart.dataset import open_dataset

    demo = open_dataset()
    plan = shapely.union_all(demo["bestemmingsplangebied"].geometry.to_numpy())
    b = demo.bounds
    rng = np.random.default_rng(seed)
    dx, dy = middle(copies)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x, y = rng.uniform(b[0], b[2], 4 * n), rng.uniform(b[1], b[3], 4 * n)
        ok = shapely.contains_xy(plan, x, y)
        out += [(float(px + dx), float(py + dy)) for px, py in zip(x[ok], y[ok], strict=True)]
    return out[:n]


def question(ds, x: float, y: float) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The report's question through the store: the objects of each layer at the point."""
    import shapely

    pt = shapely.Point(x, y)
    out = {}
    for layer in REPORT_LAYERS:
        if layer in ds.layers:
            recs, _geoms = ds.store.rows(layer, geometry=pt, columns=["identificatie"])
            out[layer] = sorted(str(r["identificatie"]) for r in recs)
    return out


def question_memory(ds, x: float, y: float) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The same question answered from the in-memory indexes (what report.py reads today)."""
    import shapely

    pt = shapely.Point(x, y)
    out = {}
    for layer in REPORT_LAYERS:
        if layer in ds.layers:
            idx = ds.index(layer)
            hits = np.sort(idx.tree.query(pt, predicate="intersects"))
            out[layer] = sorted(str(idx.records[int(i)]["identificatie"]) for i in hits)
    return out


def peak_rss_mb() -> float:
    """This process' peak resident set (VmHWM: unlike ru_maxrss it starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(backend: str, uri: str, points_file: str) -> dict[str, object]:
    t0 = time.perf_counter()
    import omgevingskaart
    from omgevingskaart.store.geopackage import GeoPackageStore

    t_import = time.perf_counter() - t0
    pts = [tuple(p) for p in json.loads(Path(points_file).read_text())]
    rss_import = peak_rss_mb()
    t = time.perf_counter()
    if backend.startswith("gpkg"):
        ds = omgevingskaart.Dataset(GeoPackageStore(uri, mode=backend.split("-")[1]))
    else:
        ds = omgevingskaart.open_dataset(uri)
    if backend == "gpkg-memory":
        report_at(ds, point=pts[0], crs="EPSG:28992")
        first_answer = question_memory(ds, *pts[0])
    else:
        first_answer = question(ds, *pts[0])
    t_first = time.perf_counter() - t
    rss_first = peak_rss_mb()
    res: dict[str, object] = {"open_first_s": t_first, "rss_first_mb": rss_first, "import_s": t_import,
                              "rss_import_mb": rss_import}
    answers, times = [], []
    ask = question_memory if backend == "gpkg-memory" else question
    for p in pts:
        s = time.perf_counter()
        answers.append(ask(ds, *p))
        times.append(time.perf_counter() - s)
    res["q_p50_ms"] = float(np.percentile(times, 50) * 1000)
    res["q_p99_ms"] = float(np.percentile(times, 99) * 1000)
    res["answers"] = answers
    del first_answer
    rt, rc = [], []
    report_at(ds, point=pts[0], crs="EPSG:28992")
    for p in pts:  # the report itself, on every backend (through the store)
        s, c = time.perf_counter(), time.thread_time()
        report_at(ds, point=p, crs="EPSG:28992")
        rc.append(time.thread_time() - c)
        rt.append(time.perf_counter() - s)
    res["report_p50_ms"] = float(np.percentile(rt, 50) * 1000)
    res["report_p99_ms"] = float(np.percentile(rt, 99) * 1000)
    res["report_cpu_p50_ms"] = float(np.percentile(rc, 50) * 1000)
    cx, cy = pts[0]
    box = (cx - WINDOW[0] / 2, cy - WINDOW[1] / 2, cx + WINDOW[0] / 2, cy + WINDOW[1] / 2)
    from omgevingskaart.service.geojson import CRS84, RD_URI, LayerFeatures

    lf = LayerFeatures(ds)
    lf.items("pand", bbox=box, bbox_crs=RD_URI, crs=CRS84, limit=100, offset=0)  # warm
    s = time.perf_counter()
    _page, matched = lf.items("pand", bbox=box, bbox_crs=RD_URI, crs=CRS84, limit=100, offset=0)
    res["items_ms"] = (time.perf_counter() - s) * 1000
    res["items_matched"] = matched
    tile = getattr(ds.store, "tile", None)
    if tile is not None:
        from omgevingskaart.crs import rd_to_wgs84

        lon, lat = rd_to_wgs84(cx, cy)
        z = 17
        tx = int((lon + 180.0) / 360.0 * 2**z)
        ty = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * 2**z)
        tile("pand", z, tx, ty)
        s = time.perf_counter()
        data = tile("pand", z, tx, ty, columns=["identificatie", "bouwjaar"])
        res["tile_ms"] = (time.perf_counter() - s) * 1000
        res["tile_bytes"] = len(data)
    s = time.perf_counter()
    n = 0
    for layer in ds.layers:
        n += len(ds.store.features(layer, bbox=box))
    res["export_ms"] = (time.perf_counter() - s) * 1000
    res["export_rows"] = n
    res["rss_end_mb"] = peak_rss_mb()
    return res


def rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def service_rss(backend: str, uri: str, point: tuple[float, float], log: Path) -> tuple[float, float, float]:
    """RSS (MB) of one service worker (``omgevingskaart serve``) after start-up, after an
    ``/items`` page, and after a ``/v1/report``."""
    import os

    import httpx
    from processes import free_port, stop, wait_until_up

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "OMGEVINGSKAART_MEMORY_MAX_MB": "0" if backend == "gpkg-rtree" else "100000"}
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "omgevingskaart", "serve", "--host", "127.0.0.1",
                                 "--port", str(port), "--dataset", uri, "--no-access-log"],
                                stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base + "/v1/health", name="server", log=log, timeout=600)
        started = rss_of(proc.pid)
        x, y = point
        rd = "http://www.opengis.net/def/crs/EPSG/0/28992"
        httpx.get(base + "/v1/layers/pand/items", params={"bbox": f"{x - 200},{y - 150},{x + 200},{y + 150}",
                                                           "bbox-crs": rd}, timeout=600).raise_for_status()
        items = rss_of(proc.pid)
        httpx.get(base + "/v1/report", params={"x": x, "y": y, "crs": "EPSG:28992"}, timeout=600)
        return started, items, rss_of(proc.pid)
    finally:
        stop(proc)


def measure(backend: str, uri: str, points_file: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", backend, uri, str(points_file)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{backend} {uri}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,10,30,100,300")
    ap.add_argument("--points", type=int, default=300)
    ap.add_argument("--backends", default=",".join(BACKENDS))
    ap.add_argument("--child", nargs=3, metavar=("BACKEND", "URI", "POINTS_FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server, remove the files
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = [b for b in args.backends.split(",") if b]
    work = Path(tempfile.mkdtemp(prefix="omgevingskaart-scale-"))
    pg = None
    if "postgis" in backends:
        from postgres_server import missing_reason, postgres_server

        reason = missing_reason()
        if reason:
            print(f"postgis: skipped ({reason})")
            backends.remove("postgis")
        else:
            pg = postgres_server()
            pg_uri = pg.__enter__()
    try:
        print("RSS MB: peak of the measuring process after open + first answer (python + omgevingskaart "
              "imported: about the 'import' figure below)")
        print(f"{'backend':12} {'copies':>6} {'open+1st s':>10} {'RSS MB':>7} {'q p50 ms':>9} {'q p99 ms':>9} "
              f"{'agree':>7} {'items ms':>9} {'tile ms':>8} {'export ms':>9} {'RSS end':>8}   build s")
        for copies in sizes:
            uris = {}
            t = time.perf_counter()
            gpkg = work / f"demo-x{copies}.gpkg"
            build_gpkg(gpkg, copies)
            builds = {"gpkg": time.perf_counter() - t}
            uris["gpkg-memory"] = uris["gpkg-rtree"] = str(gpkg)
            if "geoparquet" in backends:
                t = time.perf_counter()
                build_parquet(work / f"demo-x{copies}.parquet", copies)
                builds["geoparquet"] = time.perf_counter() - t
                uris["geoparquet"] = str(work / f"demo-x{copies}.parquet")
            if "postgis" in backends:
                t = time.perf_counter()
                uris["postgis"] = f"{pg_uri}?schema=x{copies}"
                build_postgis(uris["postgis"], copies)
                builds["postgis"] = time.perf_counter() - t
            points_file = work / "points.json"
            points_file.write_text(json.dumps(points(args.points, copies)))
            results = {b: measure(b, uris[b], points_file) for b in backends}
            pts0 = json.loads(points_file.read_text())[0]
            for b in backends:
                try:
                    results[b]["service_rss"] = service_rss(b, uris[b], tuple(pts0), work / f"serve-{b}.log")
                except RuntimeError as exc:  # a server that does not start: say why, measure the rest
                    print(f"{b} x{copies}: service not measured: {str(exc).strip().splitlines()[-1]}")
                    results[b]["service_rss"] = (float("nan"),) * 3
            base = results.get("gpkg-memory")
            for b in backends:
                r = results[b]
                agree = "-"
                if base is not None:
                    same = sum(a == c for a, c in zip(r["answers"], base["answers"], strict=True))
                    agree = f"{same}/{len(base['answers'])}"
                tile = f"{r['tile_ms']:8.1f}" if "tile_ms" in r else f"{'-':>8}"
                print(f"{b:12} {copies:6d} {r['open_first_s']:10.2f} {r['rss_first_mb']:7.0f} {r['q_p50_ms']:9.2f} "
                      f"{r['q_p99_ms']:9.2f} {agree:>7} {r['items_ms']:9.1f} {tile} {r['export_ms']:9.1f} "
                      f"{r['rss_end_mb']:8.0f}   {builds.get(b.split('-')[0], 0):.1f}")
            print(f"{'':12} {'':6} service worker RSS MB (started / after /items / after /v1/report): " + "; ".join(
                f"{b} {'/'.join(f'{v:.0f}' for v in results[b]['service_rss'])}" for b in backends))
            print(f"{'':12} {'':6} import omgevingskaart: RSS {results[backends[0]]['rss_import_mb']:.0f} MB")
            for b in backends:
                r = results[b]
                ratio = (f" ({r['report_p50_ms'] / base['report_p50_ms']:.1f}x gpkg-memory, CPU "
                         f"{r['report_cpu_p50_ms'] / base['report_cpu_p50_ms']:.1f}x)" if base is not None else "")
                print(f"{'':12} {'':6} report ({b}) p50 {r['report_p50_ms']:.2f} ms, p99 {r['report_p99_ms']:.2f} ms, "
                      f"CPU p50 {r['report_cpu_p50_ms']:.2f} ms{ratio}")
            if base is not None:
                print(f"{'':12} {'':6} ratios vs gpkg-memory: " + ", ".join(
                          f"{b} open {results[b]['open_first_s'] / base['open_first_s']:.2f}x / "
                          f"RSS {results[b]['rss_first_mb'] / base['rss_first_mb']:.2f}x / "
                          f"q p50 {results[b]['q_p50_ms'] / base['q_p50_ms']:.1f}x"
                          for b in backends if b != "gpkg-memory"))
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True, exist_ok=True)
    finally:
        if pg is not None:
            pg.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
