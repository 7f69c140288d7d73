"""Benchmark: export-3d of a fixed area and one service worker's memory, against the dataset's size.

Builds the tiled datasets of ``bench_scale.py`` (1, 10, 30 ... translated copies of the demo) as a
GeoPackage and in a throw-away PostGIS on 127.0.0.1, then per size and backend, each in a fresh
process:

* ``export-3d``: ``omgevingskaart export-3d --bbox <400 x 300 m around the Markt of the copy in
  the middle> --format glb``: wall time and the process' peak RSS (VmHWM), and the panden written;
* one service worker (``omgevingskaart serve``): RSS after start-up (``warm()``), after an
  ``/items`` page (100 panden in a 400 x 300 m RD window) and after a ``/v1/report`` (report.py is
  moved onto the store in another branch: until then this one still reads whole layers).

Backends: ``gpkg-memory`` (the GeoPackage read whole and indexed in memory: the old path, the
baseline), ``gpkg-rtree`` (the same file read per request through its R-tree), ``postgis``.
Targets (issue 12): with a store that reads per request, export-3d of a fixed area and a worker's
RSS do not grow with the dataset; the ratios are against the smallest size in the same run.

Run: ``.venv/bin/python benchmarks/bench_views.py [--sizes 1,10,30] [--backends ...]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_scale import build_gpkg, build_postgis, middle, service_rss  # noqa: E402

BACKENDS = ("gpkg-memory", "gpkg-rtree", "postgis")
#: the fixed area of the demo (RD): 400 x 300 m around the Markt
AREA = (246380.0, 443230.0, 246780.0, 443530.0)

CHILD = """
import json, sys, time
t = time.perf_counter()
from omgevingskaart.cli import main
rc = main(sys.argv[1:])
s = time.perf_counter() - t
hwm = next(int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM:'))
print(json.dumps({"rc": rc, "s": s, "rss_mb": hwm}))
"""


def export_3d(backend: str, uri: str, bbox: tuple[float, ...], out: Path) -> dict[str, float]:
    import os

    env = {**os.environ, "OMGEVINGSKAART_MEMORY_MAX_MB": "0" if backend == "gpkg-rtree" else "100000"}
    args = ["export-3d", "--dataset", uri, "--bbox", *map(str, bbox), "--format", "glb", "-o", str(out)]
    run = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, cwd=ROOT,
                         env=env)
    if run.returncode:
        raise RuntimeError(run.stderr[-2000:])
    res = json.loads(run.stdout.strip().splitlines()[-1])
    res["panden"] = int(run.stdout.split(": ", 1)[1].split(" panden", 1)[0]) if ": " in run.stdout else -1
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,10,30")
    ap.add_argument("--backends", default=",".join(BACKENDS))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = [b for b in args.backends.split(",") if b]
    work = Path(tempfile.mkdtemp(prefix="omgevingskaart-views-"))
    from postgres_server import start_for_benchmark

    pg, base_uri = start_for_benchmark(backends)
    rows = []
    try:
        for copies in sizes:
            dx, dy = middle(copies)
            bbox = (AREA[0] + dx, AREA[1] + dy, AREA[2] + dx, AREA[3] + dy)
            point = ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
            uris: dict[str, str] = {}
            t = time.perf_counter()
            if {"gpkg-memory", "gpkg-rtree"} & set(backends):
                path = work / f"demo-x{copies}.gpkg"
                build_gpkg(path, copies)
                uris["gpkg-memory"] = uris["gpkg-rtree"] = str(path)
            if "postgis" in backends:
                uris["postgis"] = f"{base_uri}?schema=x{copies}"
                build_postgis(uris["postgis"], copies)
            build_s = time.perf_counter() - t
            for b in backends:
                ex = export_3d(b, uris[b], bbox, work / f"x{copies}-{b}.glb")
                rss = service_rss(b, uris[b], point, work / f"serve-{b}-{copies}.log")
                rows.append({"backend": b, "copies": copies, **{f"export_{k}": v for k, v in ex.items()},
                             "worker_started_mb": rss[0], "worker_items_mb": rss[1], "worker_report_mb": rss[2],
                             "build_s": build_s})
                r = rows[-1]
                print(f"{b:12} x{copies:<4d} export-3d {r['export_s']:6.2f} s {r['export_rss_mb']:7.0f} MB "
                      f"({r['export_panden']} panden) | worker RSS MB started {rss[0]:6.0f} /items {rss[1]:6.0f} "
                      f"/v1/report {rss[2]:6.0f}", flush=True)
            if "gpkg-memory" in uris:
                Path(uris["gpkg-memory"]).unlink(missing_ok=True)
    finally:
        if pg is not None:
            pg.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)
    print("ratios against the smallest size (same backend, same run):")
    for b in backends:
        mine = [r for r in rows if r["backend"] == b]
        if len(mine) > 1:
            first = mine[0]
            print(f"  {b:12} " + "; ".join(
                f"x{r['copies']}: export {r['export_s'] / first['export_s']:.2f}x time, "
                f"{r['export_rss_mb'] / first['export_rss_mb']:.2f}x RSS, worker "
                f"{r['worker_items_mb'] / first['worker_items_mb']:.2f}x" for r in mine[1:]))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
