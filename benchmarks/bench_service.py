"""Benchmark: the HTTP service under load from a second process.

The real server (``omgevingskaart serve``, uvicorn) runs in one subprocess, with 1 and with 2
workers; a load generator in another process (httpx.AsyncClient, 32 concurrent connections) sends
10,000 requests to ``GET /v1/report?x=&y=&crs=EPSG:28992`` at random points inside random percelen of
the dataset, and, as the baseline measured in the same run, 10,000 requests to ``GET /v1/health``
(the framework's own cost: routing, JSON, the middleware). Printed per configuration: p50, p99
latency, requests/s, error count (any non-200 or transport error; must be 0), and the report/health
ratios. On this 2-core machine the load generator competes with the server for the CPUs, so the
figures are for the whole loop, client included.

Dataset: the embedded demo (``data/demo/winterswijk-centrum.gpkg``) or ``--dataset``; when the demo
is absent, the synthetic Teststraat dataset of the tests.

Run: ``.venv/bin/python benchmarks/bench_service.py [--requests 10000] [--concurrency 32] [--workers 1 2]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from processes import free_port, stop, wait_until_up  # noqa: E402  (shared with the tests)

# --- the load generator (runs in its own process: ``bench_service.py --drive``) ----------------------


async def _drive(base: str, urls: list[str], concurrency: int) -> dict:
    import httpx

    latencies = np.zeros(len(urls))
    statuses = np.zeros(len(urls), dtype=int)
    errors: dict[str, int] = {}
    next_i = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal next_i
            while next_i < len(urls):
                i = next_i
                next_i += 1
                t = time.perf_counter()
                try:
                    r = await client.get(urls[i])
                    await r.aread()
                    statuses[i] = r.status_code
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    statuses[i] = -1
                latencies[i] = time.perf_counter() - t

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    bad = statuses != 200
    codes = {str(k): int(v) for k, v in zip(*np.unique(statuses[bad], return_counts=True), strict=True)}
    ms = latencies * 1000
    return {"n": len(urls), "wall_s": wall, "rps": len(urls) / wall, "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()),
            "errors": int(bad.sum()), "error_codes": codes, "transport_errors": errors}


def drive_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drive", required=True)
    ap.add_argument("--urls", required=True)
    ap.add_argument("--concurrency", type=int, default=32)
    a = ap.parse_args(argv)
    urls = json.loads(Path(a.urls).read_text())
    print(json.dumps(asyncio.run(_drive(a.drive, urls, a.concurrency))))
    return 0


# --- the benchmark ----------------------------------------------------------------------------------


def random_points(dataset_path: Path, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` points inside random percelen (rejection sampling in each perceel's box)."""
    import shapely

    from omgevingskaart.dataset import open_dataset

    ds = open_dataset(dataset_path)
    geoms = ds["perceel"].geometry.to_numpy()  # the demo: small enough to read whole
    rng = np.random.default_rng(seed)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        g = geoms[int(rng.integers(len(geoms)))]
        minx, miny, maxx, maxy = g.bounds
        for _ in range(50):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(g, x, y):
                out.append((round(float(x), 2), round(float(y), 2)))
                break
    return out


def run_load(base: str, urls: list[str], concurrency: int, tmp: Path) -> dict:
    path = tmp / "urls.json"
    path.write_text(json.dumps(urls))
    out = subprocess.run([sys.executable, __file__, "--drive", base, "--urls", str(path),
                          "--concurrency", str(concurrency)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dataset", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_service."))
    from omgevingskaart.dataset import DEMO_PATH

    dataset = a.dataset or (DEMO_PATH if DEMO_PATH.exists() else None)
    if dataset is None:
        from service_data import write_street_dataset

        dataset = write_street_dataset(tmp / "teststraat.gpkg")
        print("demo dataset absent: using the synthetic Teststraat dataset of the tests")
    print(f"dataset: {dataset}")
    points = random_points(Path(dataset), a.requests, a.seed)
    report_urls = [f"/v1/report?x={x}&y={y}&crs=EPSG:28992" for x, y in points]
    health_urls = ["/v1/health"] * a.requests
    warm = report_urls[:200] + health_urls[:200]
    print(f"{a.requests} requests per run, {a.concurrency} concurrent, load generator in a second process; "
          f"{os.cpu_count()} CPUs shared by server and client\n")
    header = f"{'workers':>7} {'endpoint':<11} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    failed = False
    summary = []
    for workers in a.workers:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(tmp / f"server-{workers}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "omgevingskaart", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--dataset", str(dataset), "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        try:
            wait_until_up(proc, base + "/v1/health", name="server", log=tmp / f"server-{workers}.log",
                          timeout=120)
            run_load(base, warm * workers, a.concurrency, tmp)  # every worker builds its caches
            health = run_load(base, health_urls, a.concurrency, tmp)
            report = run_load(base, report_urls, a.concurrency, tmp)
        finally:
            stop(proc, 20)
            log.close()
        for name, r in (("/v1/health", health), ("/v1/report", report)):
            print(f"{workers:>7} {name:<11} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['max_ms']:>8.1f} "
                  f"{r['rps']:>8.0f} {r['errors']:>6}")
            if r["errors"]:
                failed = True
                print(f"        errors: {r['error_codes']} {r['transport_errors']}")
        summary.append((workers, health, report))
    print()
    for workers, health, report in summary:
        print(f"{workers} worker(s): /v1/report vs /v1/health baseline: p50 x{report['p50_ms'] / health['p50_ms']:.2f}, "
              f"p99 x{report['p99_ms'] / health['p99_ms']:.2f}, throughput x{report['rps'] / health['rps']:.2f}")
    if len(summary) > 1:
        one, two = summary[0][2], summary[-1][2]
        print(f"/v1/report throughput {summary[-1][0]} vs {summary[0][0]} worker(s): x{two['rps'] / one['rps']:.2f}")
    print("errors: " + ("SOME (see above)" if failed else "0 in every run"))
    return 1 if failed else 0


if __name__ == "__main__":
    if "--drive" in sys.argv:
        sys.exit(drive_main(sys.argv[1:]))
    sys.exit(main())
