"""Benchmark omgevingskaart.crs: speed and accuracy of ETRS89/WGS84 -> RD New.

Run alone: ``.venv/bin/python benchmarks/bench_crs.py`` (about 30 s on 2 cores, one core used).

Speed: ``wgs84_to_rd`` and ``rd_to_wgs84`` on 1,000,000 points over the Netherlands, next to
pyproj's default EPSG:4326 -> EPSG:28992 transformation (the baseline, same run) and pyrdnap's
certified pure-Python RDNAPTRANS2018 (timed on a subset and extrapolated, labelled as such).
``rd_to_wgs84`` is also timed against its pre-fix implementation (commit 1127523: one PROJ
pipeline with the published reverse parameters, up to 1.13 mm off), rebuilt here from the same
pieces (:func:`prefix_rd_to_wgs84`), as the issue asks for exactness "at its current speed or
better". Timings are CPU time of this process, the candidates run interleaved (A B C A B C ...)
and the best of several rounds is kept, so that load from other users of the machine hits all
of them alike.

Accuracy: 10,000 points over and around the rdcorr2018 grid area (the same recipe as
tests/test_crs.py: inside, on the edges and nodes, just outside, well outside), with pyrdnap's
RDNAP2018v1 as the reference; max / p99 error and the share within 1 mm for ours, PROJ's default
and PROJ with the nl_nsgi_rdtrans2018 grid (from ../shared/data/real/proj when present). The reverse
direction is measured against the validation points' own ETRS89 coordinates (the RD coordinates
are pyrdnap's forward of them), for ours, pyrdnap's reverse and PROJ's default.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_crs import validation_points  # noqa: E402  (the same 10,000 points as the tests)

REAL_PROJ = ROOT.parent / "shared" / "data" / "real" / "proj"
M_PER_DEG = 111_320.0


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def interleaved(fns: dict, rounds: int = 5) -> dict[str, float]:
    """Best CPU time (seconds) of each function, run in turn ``rounds`` times."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - t0)
    return best


def prefix_rd_to_wgs84(crs, grid: Path):
    """``rd_to_wgs84`` as it was before it became exact (commit 1127523): the same input and
    output checks around one PROJ pipeline that unprojects, adds the grid correction and applies
    the published reverse similarity at Bessel height 0."""
    reverse = Transformer.from_pipeline(
        f"+proj=pipeline +step +inv {crs.RD_PROJECTION} "
        f"+step +proj=hgridshift +grids={crs._quoted(grid)} "
        f"+step +proj=set +v_3={crs._H0_BESSEL!r} +step +proj=cart +ellps=bessel "
        f"+step {crs._helmert(crs._SIM_REVERSE)} +step +inv +proj=cart +ellps=GRS80 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )

    def rd_to_wgs84(x, y):
        x_a, y_a, _ = crs._inputs(x, y, ("x", "y"))
        lon, lat = reverse.transform(x_a, y_a)
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        crs._check_output(lon, lat, "to WGS84")
        return lon.reshape(x_a.shape), lat.reshape(x_a.shape)

    return rd_to_wgs84


def stats(err: np.ndarray) -> str:
    """Max and p99 over the points transformed; the 1 mm share over all (untransformed fail)."""
    ok = np.isfinite(err)
    done = err[ok]
    text = (f"max {done.max() * 1000:10.4f} mm   p99 {np.percentile(done, 99) * 1000:10.4f} mm   "
            f"within 1 mm {np.mean(ok & (np.where(ok, err, np.inf) < 1e-3)) * 100:6.2f} %")
    if not ok.all():
        text += f"   ({(~ok).sum():,} points not transformed: outside the grid)"
    return text


def main() -> int:
    os.environ.setdefault("OMGEVINGSKAART_CACHE_DIR", tempfile.mkdtemp(prefix="bench-crs-"))
    import pyrdnap

    from omgevingskaart import crs

    print(f"cache dir: {os.environ['OMGEVINGSKAART_CACHE_DIR']}")
    t0 = time.perf_counter()
    grid = crs.ensure_grid()
    t_build = time.perf_counter() - t0
    t_cached = best_of(crs.ensure_grid, 20)
    print(f"grid build (first use): {t_build:.3f} s; cached check: {t_cached * 1e6:.0f} us "
          f"({grid.name}, {grid.stat().st_size:,} bytes)")
    info = crs.transformation_info()
    assert not info["fallback"], info

    # --- speed ------------------------------------------------------------------------------
    n = 1_000_000
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(3.3, 7.2, n), rng.uniform(50.75, 53.6, n)
    default = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    default_rev = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    prefix = prefix_rd_to_wgs84(crs, grid)
    crs.wgs84_to_rd(lon[:10], lat[:10])  # warm up
    rounds = 5
    fwd = interleaved({"ours": lambda: crs.wgs84_to_rd(lon, lat),
                       "default": lambda: default.transform(lon, lat)}, rounds)
    t_ours, t_default = fwd["ours"], fwd["default"]
    x, y = crs.wgs84_to_rd(lon, lat)
    crs.rd_to_wgs84(x[:10], y[:10])
    prefix(x[:10], y[:10])
    rev = interleaved({"ours": lambda: crs.rd_to_wgs84(x, y),
                       "prefix": lambda: prefix(x, y),
                       "default": lambda: default_rev.transform(x, y)}, rounds)
    t_ours_rev, t_prefix_rev, t_default_rev = rev["ours"], rev["prefix"], rev["default"]
    r = pyrdnap.RDNAP2018v1()
    r.forward(52.0, 5.0, None)  # warm up: pyrdnap loads its grids lazily
    r.reverse(155000.0, 463000.0, None)
    m = 3_000
    t0 = time.perf_counter()
    for a, b in zip(lat[:m], lon[:m], strict=True):
        r.forward(a, b, None)
    t_pyrdnap = (time.perf_counter() - t0) / m * n
    t0 = time.perf_counter()
    for a, b in zip(x[:m], y[:m], strict=True):
        r.reverse(a, b, None)
    t_pyrdnap_rev = (time.perf_counter() - t0) / m * n

    print(f"\nspeed on {n:,} points over the Netherlands (CPU time, best of {rounds}, "
          "interleaved, one process):")
    print(f"{'':42s}{'seconds':>10s}{'points/s':>14s}{'ratio to ours':>16s}")
    rows = [
        ("wgs84_to_rd (ours, RDNAPTRANS2018)", t_ours, t_ours),
        ("pyproj default EPSG:4326->28992 (baseline)", t_default, t_ours),
        (f"pyrdnap (extrapolated from {m:,} points)", t_pyrdnap, t_ours),
        ("rd_to_wgs84 (ours, RDNAPTRANS2018)", t_ours_rev, t_ours_rev),
        ("rd_to_wgs84 pre-fix (1127523, baseline)", t_prefix_rev, t_ours_rev),
        ("pyproj default EPSG:28992->4326 (baseline)", t_default_rev, t_ours_rev),
        (f"pyrdnap reverse (extrapolated, {m:,} pts)", t_pyrdnap_rev, t_ours_rev),
    ]
    for label, t, ref in rows:
        print(f"{label:42s}{t:10.3f}{n / t:14,.0f}{t / ref:15.2f}x")
    print(f"ours vs pyproj default: {t_ours / t_default:.2f}x the time forward, "
          f"{t_ours_rev / t_default_rev:.2f}x reverse; ours vs pyrdnap: "
          f"{t_pyrdnap / t_ours:,.0f}x faster forward, {t_pyrdnap_rev / t_ours_rev:,.0f}x reverse")
    print(f"rd_to_wgs84 vs its pre-fix implementation (published reverse parameters): "
          f"{t_ours_rev / t_prefix_rev:.2f}x the time "
          f"({'as fast or faster' if t_ours_rev <= t_prefix_rev else 'SLOWER'})")

    # --- accuracy ---------------------------------------------------------------------------
    vlon, vlat = validation_points()
    t0 = time.perf_counter()
    ref = np.array([r.forward(a, b, None)[:2] for a, b in zip(vlat, vlon, strict=True)])
    rev = np.array([r.reverse(a, b, None)[3:5] for a, b in ref])
    print(f"\naccuracy vs pyrdnap RDNAP2018v1 on {vlon.size:,} points inside, on the edge of and "
          f"outside the grid area (reference computed in {time.perf_counter() - t0:.1f} s):")
    candidates = {"ours (wgs84_to_rd)": crs.wgs84_to_rd, "PROJ default (Helmert)": default.transform}
    tif = REAL_PROJ / "nl_nsgi_rdtrans2018.tif"
    if tif.is_file():
        rdtrans = Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f'+step +inv +proj=hgridshift +grids="{tif}" +step {crs.RD_PROJECTION}'
        )
        candidates["PROJ + nl_nsgi_rdtrans2018 grid"] = rdtrans.transform
    else:
        print(f"  (PROJ + nl_nsgi_rdtrans2018 row skipped: {tif} not found)")
    for label, fn in candidates.items():
        px, py = fn(vlon, vlat)
        err = np.hypot(np.asarray(px) - ref[:, 0], np.asarray(py) - ref[:, 1])
        print(f"  forward {label:34s} {stats(err)}")
    # reverse: the RD coordinates back to the validation points' own ETRS89 coordinates
    def angular(lon_a, lat_a, lon_b, lat_b):
        return np.hypot((lat_a - lat_b) * M_PER_DEG,
                        (lon_a - lon_b) * M_PER_DEG * np.cos(np.radians(lat_b)))

    print("reverse, back to the validation points' ETRS89 coordinates:")
    lon2, lat2 = crs.rd_to_wgs84(ref[:, 0], ref[:, 1])
    print(f"  reverse {'ours (rd_to_wgs84)':34s} {stats(angular(lon2, lat2, vlon, vlat))}")
    print(f"  reverse {'pyrdnap (published reverse params)':34s} "
          f"{stats(angular(rev[:, 1], rev[:, 0], vlon, vlat))}")
    dlon, dlat = default_rev.transform(ref[:, 0], ref[:, 1])
    print(f"  reverse {'PROJ default (Helmert)':34s} {stats(angular(dlon, dlat, vlon, vlat))}")
    print(f"  ours vs pyrdnap's reverse: {stats(angular(lon2, lat2, rev[:, 1], rev[:, 0]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
