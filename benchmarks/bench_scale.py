"""Benchmark: how each store scales with the dataset (issue 12).

Builds tiled datasets of 1, 10, 30, ... translated copies of the demo (one copy: 3,628 panden,
3,230 percelen; copies laid out on a grid, 200 m apart) in each backend, streaming copy by copy so
the builder's memory stays one copy:

* ``gpkg-memory``: today's path, the GeoPackage read whole and indexed in memory (the baseline);
* ``gpkg-rtree``: the same file read per request through its R-tree;
* ``postgis``: a throw-away PostgreSQL + PostGIS on 127.0.0.1 (tests/postgres_server.py);
* ``geoparquet``: Hilbert-sorted parts (one set per copy) with a bbox covering column.

Per size and backend, each measured in a fresh interpreter (peak RSS is that process'):

* open + first report: seconds and peak RSS to open the dataset and answer the first
  ``omgevingskaart.report.report(ds, point=...)`` (the real report, whatever path it takes: the
  in-memory indexes before report.py reads through the store, the store after);
* report p50/p99 over ``--points`` points of the copy in the middle (``report()`` again), and the
  report's point question asked of the store directly (``Store.rows`` over its 11 layers: ``q``),
  with its agreement with the in-memory index of ``gpkg-memory`` (same perceel, same objects);
* ``/items`` bbox: one page of 100 panden in a 400 x 300 m RD window (the service's code path);
* a Kaart vector tile (z17 at the middle copy; PostGIS only: ``ST_AsMVT``; the others have none);
* export-3d of a fixed 400 x 300 m area, in its own fresh interpreter: the ``omgevingskaart
  export-3d --format glb`` code path (``export.area.area_meshes`` + ``export.gltf.write_glb``),
  seconds and peak RSS;
* one service worker's RSS (``omgevingskaart serve`` on the dataset): after start-up, after an
  ``/items`` page, after a ``/v1/report``;
* once per run: the batch job (``omgevingskaart batch``) on a ``--batch-copies`` GeoParquet copy with
  one worker of one thread: percelen per second per core and the extrapolated time for the
  Netherlands on 2 and 64 cores.

Ratios are against ``gpkg-memory`` at the same size, measured in the same run. ``gpkg-memory``
reads every layer whole (about 24 MB and 0.1 s per copy): it is skipped above
``--memory-max-copies`` (default 100) with a note.

``--data-dir DIR`` keeps the built datasets (``DIR/demo-xN.gpkg``, ``DIR/demo-xN.parquet``, a
PostgreSQL cluster in ``DIR/pg`` with one schema ``xN`` per size) and reuses them on the next run:
building 300 copies takes long. A dataset counts as built once its marker ``DIR/.built-NAME``
exists, so an interrupted build is redone. ``--build-only`` builds and measures nothing.

Run: ``nice -n 10 .venv/bin/python benchmarks/bench_scale.py [--sizes 1,10,30,100,300] [--points 300]
[--data-dir ../bench-data]`` (``--backends gpkg-memory,gpkg-rtree,postgis,geoparquet``). Needs the
``postgis`` extra and the Debian PostgreSQL + PostGIS packages for the PostGIS rows, the ``scale``
extra for the batch job (each skipped with a note otherwise).
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
    import pandas as pd

    from omgevingskaart.dataset import open_dataset
    from omgevingskaart.store.geoparquet import ROWS_PER_PART, GeoParquetStore, write_layer_parts

    demo = open_dataset()
    store = GeoParquetStore(path, create=True)
    store.write_meta({**demo.meta, "titel": f"demo x {copies}"})
    for name in demo.layers:
        frame = demo[name]
        entry = None
        # copies written together up to an import's part size (a 1-row layer is 1 part, not
        # one part per copy), each group Hilbert-sorted into its own parts
        per_group = max(1, ROWS_PER_PART // max(1, len(frame)))
        moves = offsets(copies)
        first_part = 0
        for k in range(0, len(moves), per_group):
            group = pd.concat([translated(frame, dx, dy) for dx, dy in moves[k:k + per_group]], ignore_index=True)
            e = write_layer_parts(group, path, name, folder=entry["folder"] if entry else None,
                                  first_fid=k * len(frame), first_part=first_part)
            first_part += e["parts"]
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
    import pandas as pd
    import psycopg

    from omgevingskaart.dataset import open_dataset, write_dataset
    from omgevingskaart.store import open_store
    from omgevingskaart.store.geoparquet import ROWS_PER_PART
    from omgevingskaart.store.postgis import split_uri

    conninfo, schema, _ = split_uri(uri)
    with psycopg.connect(conninfo, autocommit=True) as con:  # an interrupted build starts afresh
        con.execute(psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(psycopg.sql.Identifier(schema)))
    demo = open_dataset()
    layers = {n: demo[n] for n in demo.layers}
    write_dataset(layers, uri, meta={**demo.meta, "titel": f"demo x {copies}"})
    store = open_store(uri)
    moves = offsets(copies)[1:]
    for name, frame in layers.items():
        # copies appended together up to an import's part size: one COPY per group, not per copy
        per_group = max(1, ROWS_PER_PART // max(1, len(frame)))
        for k in range(0, len(moves), per_group):
            store.write(name, pd.concat([translated(frame, dx, dy) for dx, dy in moves[k:k + per_group]],
                                        ignore_index=True), mode="append")
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
    """The same question answered from the in-memory indexes (the baseline's answers)."""
    import shapely

    pt = shapely.Point(x, y)
    out = {}
    for layer in REPORT_LAYERS:
        if layer in ds.layers:
            idx = ds.store.index(layer)  # the memory-mode GeoPackage store's own STRtree
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


def open_for(backend: str, uri: str):  # type: ignore[no-untyped-def]
    import omgevingskaart
    from omgevingskaart.store.geopackage import GeoPackageStore

    if backend.startswith("gpkg"):
        return omgevingskaart.Dataset(GeoPackageStore(uri, mode=backend.split("-")[1]))
    return omgevingskaart.open_dataset(uri)


def window(point: tuple[float, float]) -> tuple[float, float, float, float]:
    cx, cy = point
    return (cx - WINDOW[0] / 2, cy - WINDOW[1] / 2, cx + WINDOW[0] / 2, cy + WINDOW[1] / 2)


def child_report(backend: str, uri: str, points_file: str) -> dict[str, object]:
    t0 = time.perf_counter()
    import omgevingskaart  # noqa: F401
    from omgevingskaart.report import report

    t_import = time.perf_counter() - t0
    pts = [tuple(p) for p in json.loads(Path(points_file).read_text())]
    rss_import = peak_rss_mb()
    t = time.perf_counter()
    ds = open_for(backend, uri)
    report(ds, point=pts[0], crs="EPSG:28992")
    t_first = time.perf_counter() - t
    rss_first = peak_rss_mb()
    res: dict[str, object] = {"open_first_s": t_first, "rss_first_mb": rss_first, "import_s": t_import,
                              "rss_import_mb": rss_import}
    rt = []
    for p in pts:
        s = time.perf_counter()
        report(ds, point=p, crs="EPSG:28992")
        rt.append(time.perf_counter() - s)
    res["report_p50_ms"] = float(np.percentile(rt, 50) * 1000)
    res["report_p99_ms"] = float(np.percentile(rt, 99) * 1000)
    answers, times = [], []
    ask = question_memory if backend == "gpkg-memory" else question
    for p in pts:
        s = time.perf_counter()
        answers.append(ask(ds, *p))
        times.append(time.perf_counter() - s)
    res["q_p50_ms"] = float(np.percentile(times, 50) * 1000)
    res["answers"] = answers
    box = window(pts[0])
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

        lon, lat = rd_to_wgs84(*pts[0])
        z = 17
        tx = int((lon + 180.0) / 360.0 * 2**z)
        ty = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * 2**z)
        tile("pand", z, tx, ty)
        s = time.perf_counter()
        data = tile("pand", z, tx, ty, columns=["identificatie", "bouwjaar"])
        res["tile_ms"] = (time.perf_counter() - s) * 1000
        res["tile_bytes"] = len(data)
    res["rss_end_mb"] = peak_rss_mb()
    return res


def child_export(backend: str, uri: str, points_file: str) -> dict[str, object]:
    """export-3d of the fixed window in a fresh interpreter: the ``export-3d --format glb`` path."""
    from omgevingskaart.export.area import area_meshes
    from omgevingskaart.export.gltf import local_origin, write_glb

    pts = [tuple(p) for p in json.loads(Path(points_file).read_text())]
    rss_import = peak_rss_mb()
    t = time.perf_counter()
    ds = open_for(backend, uri)
    area = area_meshes(ds, window(pts[0]), lod="1.2")
    with tempfile.TemporaryDirectory() as tmp:
        write_glb(area.mesh, Path(tmp) / "area.glb", attributes=area.attributes, origin=local_origin(area.mesh))
    return {"export_s": time.perf_counter() - t, "export_rss_mb": peak_rss_mb(), "export_panden": len(area.mesh),
            "rss_import_mb": rss_import}


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
        wait_until_up(proc, base + "/v1/health", name="server", log=log, timeout=900)
        started = rss_of(proc.pid)
        x, y = point
        rd = "http://www.opengis.net/def/crs/EPSG/0/28992"
        httpx.get(base + "/v1/layers/pand/items", params={"bbox": f"{x - 200},{y - 150},{x + 200},{y + 150}",
                                                           "bbox-crs": rd}, timeout=900).raise_for_status()
        items = rss_of(proc.pid)
        httpx.get(base + "/v1/report", params={"x": x, "y": y, "crs": "EPSG:28992"}, timeout=900)
        return started, items, rss_of(proc.pid)
    finally:
        stop(proc)


def measure(kind: str, backend: str, uri: str, points_file: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", kind, backend, uri, str(points_file)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{kind} {backend} {uri}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def batch_rate(work: Path, copies: int) -> list[str]:
    """The batch job on a fresh ``copies``-copy GeoParquet with one worker of one thread."""
    try:
        from omgevingskaart.batch import run_batch, summary
    except ImportError as exc:  # pragma: no cover - the scale extra is missing
        return [f"batch: skipped ({exc})"]
    path = work / f"batch-x{copies}.parquet"
    build_parquet(path, copies)
    result = run_batch(path, workers=1)
    shutil.rmtree(path, ignore_errors=True)
    return [f"batch job, {copies} copies, 1 worker x 1 thread: " + "; ".join(summary(result))]


# --- building or reusing the datasets ---------------------------------------------------------------


class Datasets:
    """Where each size's datasets live: built into a temporary folder, or kept in ``--data-dir``
    (reused when their marker ``.built-NAME`` is there)."""

    def __init__(self, data_dir: Path | None, backends: list[str]):
        self.keep = data_dir is not None
        self.root = data_dir if data_dir is not None else Path(tempfile.mkdtemp(prefix="omgevingskaart-scale-"))
        self.root.mkdir(parents=True, exist_ok=True)
        from postgres_server import start_for_benchmark

        self.pg, self.pg_uri = start_for_benchmark(backends, self.root / "pg" if self.keep else None)

    def ensure(self, kind: str, copies: int) -> tuple[str, float | None]:
        """The URI of ``kind`` (gpkg, geoparquet, postgis) at ``copies``, and the build seconds
        (None when reused)."""
        name = {"gpkg": f"demo-x{copies}.gpkg", "geoparquet": f"demo-x{copies}.parquet",
                "postgis": f"postgis-x{copies}"}[kind]
        uri = f"{self.pg_uri}?schema=x{copies}" if kind == "postgis" else str(self.root / name)
        marker = self.root / f".built-{name}"
        layout = self.layout(kind)
        if (marker.exists() and marker.read_text().splitlines()[1:] == [layout]
                and (kind == "postgis" or Path(uri).exists())):
            return uri, None
        t = time.perf_counter()
        if kind == "gpkg":
            Path(uri).unlink(missing_ok=True)
            build_gpkg(Path(uri), copies)
        elif kind == "geoparquet":
            shutil.rmtree(uri, ignore_errors=True)
            build_parquet(Path(uri), copies)
        else:
            build_postgis(uri, copies)
        seconds = time.perf_counter() - t
        if self.keep:
            marker.write_text(f"{seconds:.1f} s\n{layout}\n")
        return uri, seconds

    @staticmethod
    def layout(kind: str) -> str:
        """What a kept dataset must have been built with to be reused (a dataset written with
        other row groups is built again, not measured as if it were today's)."""
        if kind == "geoparquet":
            from omgevingskaart.store.geoparquet import ROW_GROUP_SIZE, ROWS_PER_PART

            return f"parts of {ROWS_PER_PART} rows, row groups of {ROW_GROUP_SIZE}"
        return kind

    def drop(self, copies: int) -> None:
        if self.keep:
            return
        (self.root / f"demo-x{copies}.gpkg").unlink(missing_ok=True)
        shutil.rmtree(self.root / f"demo-x{copies}.parquet", ignore_errors=True)

    def close(self) -> None:
        if self.pg is not None:
            self.pg.__exit__(None, None, None)  # type: ignore[attr-defined]
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


def fmt(value: object, spec: str, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}{spec}}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,10,30,100,300")
    ap.add_argument("--points", type=int, default=300)
    ap.add_argument("--backends", default=",".join(BACKENDS))
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="keep the built datasets here and reuse them on the next run")
    ap.add_argument("--build-only", action="store_true", help="build the datasets, measure nothing")
    ap.add_argument("--memory-max-copies", type=int, default=100,
                    help="skip gpkg-memory above this many copies (it reads every layer whole)")
    ap.add_argument("--batch-copies", type=int, default=1, help="copies for the batch job (0: skip it)")
    ap.add_argument("--child", nargs=4, metavar=("KIND", "BACKEND", "URI", "POINTS_FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps((child_report if kind == "report" else child_export)(*rest)))
        return
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server, remove the files
    sizes = [int(s) for s in args.sizes.split(",")]
    all_backends = [b for b in args.backends.split(",") if b]
    data = Datasets(args.data_dir, all_backends)
    work = Path(tempfile.mkdtemp(prefix="omgevingskaart-scale-run-"))
    try:
        print("open+1st: open the dataset and answer the first report(ds, point=...); RSS MB: peak of that "
              "process; q: the report's point question asked of the store; export-3d in its own process")
        print(f"{'backend':12} {'copies':>6} {'open+1st s':>10} {'RSS MB':>7} {'rep p50':>8} {'rep p99':>8} "
              f"{'q p50':>7} {'agree':>7} {'items ms':>8} {'tile ms':>7} {'exp3d s':>7} {'exp RSS':>7} "
              f"{'panden':>6}   build s")
        for copies in sizes:
            backends = list(all_backends)
            if "gpkg-memory" in backends and copies > args.memory_max_copies and not args.build_only:
                backends.remove("gpkg-memory")
                print(f"{'gpkg-memory':12} {copies:6d} skipped: reads every layer whole (~24 MB per copy); "
                      f"--memory-max-copies {args.memory_max_copies}")
            uris, builds = {}, {}
            kinds = {("gpkg" if b.startswith("gpkg") else b) for b in backends}
            for kind in sorted(kinds):
                uris[kind], builds[kind] = data.ensure(kind, copies)
            if args.build_only:
                print(f"built {copies} copies: " + ", ".join(
                    f"{k} {'reused' if s is None else f'{s:.0f} s'}" for k, s in sorted(builds.items())))
                continue
            points_file = work / "points.json"
            points_file.write_text(json.dumps(points(args.points, copies)))
            pts0 = tuple(json.loads(points_file.read_text())[0])
            results: dict[str, dict[str, object]] = {}
            failed: dict[str, str] = {}
            for b in backends:  # one row as soon as a backend is measured (memory first: agreement)
                uri = uris["gpkg" if b.startswith("gpkg") else b]
                t = time.perf_counter()
                try:
                    r = measure("report", b, uri, points_file)
                    r.update(measure("export", b, uri, points_file))
                except RuntimeError as exc:
                    failed[b] = str(exc).strip().splitlines()[-1]
                    print(f"{b:12} {copies:6d} failed: {failed[b]}", flush=True)
                    continue
                try:
                    r["service_rss"] = service_rss(b, uri, pts0, work / f"serve-{b}.log")
                except RuntimeError as exc:  # the service did not start: say why, go on
                    r["service_rss"] = str(exc).strip().splitlines()[-1]
                r["wall_s"] = time.perf_counter() - t
                results[b] = r
                base = results.get("gpkg-memory")
                agree = "-"
                if base is not None:
                    same = sum(a == c for a, c in zip(r["answers"], base["answers"], strict=True))  # type: ignore[call-overload]
                    agree = f"{same}/{len(base['answers'])}"  # type: ignore[arg-type]
                built = builds["gpkg" if b.startswith("gpkg") else b]
                print(f"{b:12} {copies:6d} {r['open_first_s']:10.2f} {r['rss_first_mb']:7.0f} "
                      f"{r['report_p50_ms']:8.2f} {r['report_p99_ms']:8.2f} {r['q_p50_ms']:7.2f} {agree:>7} "
                      f"{r['items_ms']:8.1f} {fmt(r.get('tile_ms'), '.1f', 7)} {r['export_s']:7.2f} "
                      f"{r['export_rss_mb']:7.0f} {r['export_panden']:6d}   "
                      f"{'reused' if built is None else f'{built:.0f}'}", flush=True)
            svc = []
            for b, r in results.items():
                v = r["service_rss"]
                svc.append(f"{b} " + ("/".join(f"{x:.0f}" for x in v) if isinstance(v, tuple | list) else f"failed ({v})"))
            print(f"{'':12} {'':6} service worker RSS MB (started / after /items / after /v1/report): "
                  + "; ".join(svc))
            if results:
                first = next(iter(results.values()))
                print(f"{'':12} {'':6} import omgevingskaart: RSS {first['rss_import_mb']:.0f} MB; wall s per "
                      "backend (all its measurements): " + ", ".join(f"{b} {r['wall_s']:.0f}" for b, r in results.items()))
            base = results.get("gpkg-memory")
            if base is not None:
                print(f"{'':12} {'':6} ratios vs gpkg-memory: " + ", ".join(
                    f"{b} open+1st {r['open_first_s'] / base['open_first_s']:.2f}x / "  # type: ignore[operator]
                    f"RSS {r['rss_first_mb'] / base['rss_first_mb']:.2f}x / "  # type: ignore[operator]
                    f"report p50 {r['report_p50_ms'] / base['report_p50_ms']:.2f}x / "  # type: ignore[operator]
                    f"export-3d {r['export_s'] / base['export_s']:.2f}x"  # type: ignore[operator]
                    for b, r in results.items() if b != "gpkg-memory"), flush=True)
            data.drop(copies)
        if args.batch_copies and not args.build_only:
            for line in batch_rate(work, args.batch_copies):
                print(line, flush=True)
    finally:
        data.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
