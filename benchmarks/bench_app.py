"""Benchmark of the Streamlit app in headless Chromium (Debian's /usr/bin/chromium).

    .venv/bin/python benchmarks/bench_app.py [--runs 5] [--dataset PATH]

Prints: bytes sent to the browser for the Kaart page's first view with an empty browser cache
(HTTP bodies as sent, gzip where the server compresses, plus headers; websocket message payloads)
and per rerun after a click; Streamlit's own frontend bundle (``/static/``, the same for any
Streamlit page) is counted apart; the time from navigation to a visible map (Leaflet's vector
canvas drawn) and from a click to the report; medians of ``--runs``. Baseline, measured in the same
run: the HTML of a plain folium map with every pand of the dataset as folium.GeoJson (what a
naive page would send). Targets: first view < 2 MB, map < 3 s, report < 1 s. Also the floor: the
time Streamlit itself needs to show a page without a map (Over), measured in the same loop, so a
loaded machine can be told apart from a slow map.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from apphelpers import RequestLog, attach_byte_counter, browser, map_frame, running_app  # noqa: E402


def baseline_bytes(dataset: Path | None) -> tuple[int, int]:
    import folium

    import omgevingskaart
    from omgevingskaart.crs import gdf_to_wgs84

    ds = omgevingskaart.open_dataset(dataset)
    pand = gdf_to_wgs84(ds["pand"][["identificatie", "bouwjaar", "geometry"]])
    m = folium.Map(location=[51.9712, 6.7199], zoom_start=17)
    folium.GeoJson(pand, tooltip=folium.GeoJsonTooltip(["identificatie", "bouwjaar"])).add_to(m)
    return len(m.get_root().render().encode()), len(pand)


def settle(log: RequestLog, quiet: float = 1.0, limit: float = 15.0) -> None:
    """Wait until no byte has arrived for ``quiet`` seconds (at most ``limit``)."""
    end = time.monotonic() + limit
    last, since = log.total, time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        if log.total != last:
            last, since = log.total, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dataset", type=Path, default=None)
    a = ap.parse_args()
    base, n_pand = baseline_bytes(a.dataset)
    first_bytes, framework_bytes, rerun_bytes, t_map, t_report, t_floor = [], [], [], [], [], []
    with running_app(a.dataset) as url, browser() as ctx:
        # warm the server (dataset opened, indexes built) once, not measured
        p = ctx.new_page()
        p.goto(url + "/")
        map_frame(p, timeout=60000)
        p.close()
        for _ in range(a.runs):
            page = ctx.new_page()
            log = RequestLog()
            attach_byte_counter(page, log)
            t0 = time.perf_counter()
            page.goto(url + "/")
            frame = map_frame(page, timeout=60000)
            t_map.append(time.perf_counter() - t0)
            settle(log)  # the first view's tiles and reruns
            first_bytes.append(log.total - log.bytes_framework)
            framework_bytes.append(log.bytes_framework)
            before = log.total
            box = frame.locator(".leaflet-container").bounding_box()
            t1 = time.perf_counter()
            page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
            page.wait_for_selector(".st-key-ok_rapport :text('Perceel')", timeout=30000)
            t_report.append(time.perf_counter() - t1)
            settle(log)
            rerun_bytes.append(log.total - before)
            page.close()
            # the floor: a Streamlit page without a map (Over), navigation to its text
            page = ctx.new_page()
            t2 = time.perf_counter()
            page.goto(url + "/over")
            page.get_by_text("Geen verzoeken aan derden").wait_for(timeout=60000)
            t_floor.append(time.perf_counter() - t2)
            page.close()

    def mb(v: float) -> str:
        return f"{v / 1e6:.2f} MB"

    print(f"baseline: plain folium page with all {n_pand} panden: {mb(base)}")
    fb = statistics.median(first_bytes)
    fw = statistics.median(framework_bytes)
    print(f"Kaart first view, bytes to the browser (median of {a.runs}): {mb(fb)} "
          f"(target < 2 MB; {fb / base:.2f} x baseline)  runs: {[mb(b) for b in first_bytes]}")
    print(f"  plus Streamlit's own frontend (/static/, any Streamlit page, cached after the first "
          f"visit): {mb(fw)}; together {mb(fb + fw)}")
    rb = statistics.median(rerun_bytes)
    print(f"bytes per rerun after a click (median): {mb(rb)} ({rb / base:.2f} x baseline)")
    print(f"navigation -> visible map (median of {a.runs}): {statistics.median(t_map):.2f} s "
          f"(target < 3 s)  runs: {[round(t, 2) for t in t_map]}")
    print(f"  floor: navigation -> text of a page without a map (Over), median: "
          f"{statistics.median(t_floor):.2f} s  runs: {[round(t, 2) for t in t_floor]}")
    print(f"click -> report (median of {a.runs}): {statistics.median(t_report):.2f} s "
          f"(target < 1 s)  runs: {[round(t, 2) for t in t_report]}")


if __name__ == "__main__":
    main()
