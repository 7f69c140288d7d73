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

Issue 14 adds, desktop (1500 x 1000) and mobile (390 x 844): the time from opening a page to its
answer, with an address from the data (the search box's first example) typed as soon as the box
is there: Kaart to the parcel report, Bouwen to the perceel with its achtererfgebied on the map
(the drawing step after it is left out); and the bytes of each page's first view (Kaart, Bouwen,
3D, Lagen, Over; cold cache, Streamlit's own /static/ bundle apart).
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


DESKTOP = {"width": 1500, "height": 1000}
MOBILE = {"width": 390, "height": 844}
PAGES = {"Kaart": "/", "Bouwen": "/bouwen", "3D": "/3d", "Lagen": "/lagen", "Over": "/over"}


def example_address(dataset: Path | None) -> str:
    """The first example of the search box's placeholder (an address that exists in the data)."""
    import omgevingskaart
    from omgevingskaart.app.common import search_examples

    return search_examples(omgevingskaart.open_dataset(dataset)).removeprefix("bijv. ").split(",")[0]


def time_to_answer(ctx: object, url: str, page_name: str, address: str,
                   viewport: dict[str, int]) -> float:
    """Seconds from navigation to the page's answer for ``address``."""
    page = ctx.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size(viewport)
    t0 = time.perf_counter()
    if page_name == "Kaart":
        page.goto(url + "/")
        box = page.get_by_label("Zoek een adres of kadastrale aanduiding")
        box.wait_for(timeout=60000)
        box.fill(address)
        box.press("Enter")
        page.wait_for_selector(".st-key-ok_rapport :text('Perceel')", timeout=60000)
    else:
        page.goto(url + "/bouwen")
        box = page.get_by_label("Adres of kadastrale aanduiding")
        box.wait_for(timeout=60000)
        box.fill(address)
        page.get_by_role("button", name="Zoeken").click()
        frame = "iframe[title='streamlit_folium.st_folium']"
        page.wait_for_selector(frame, timeout=60000)
        page.frame_locator(frame).locator("path.ok-achtererfgebied").first.wait_for(timeout=60000)
    dt = time.perf_counter() - t0
    page.close()
    return dt


def page_bytes(ctx: object, url: str, path: str) -> tuple[int, int]:
    """Bytes of a page's first view with a cold cache: (page's own, Streamlit's /static/)."""
    page = ctx.new_page()  # type: ignore[attr-defined]
    log = RequestLog()
    attach_byte_counter(page, log)
    page.goto(url + path)
    page.wait_for_selector("h1", timeout=60000)
    settle(log, quiet=1.5, limit=30.0)
    page.close()
    return log.total - log.bytes_framework, log.bytes_framework


def issue14(url: str, ctx: object, dataset: Path | None, runs: int) -> None:
    address = example_address(dataset)
    print(f"\npage open -> answer for {address!r} (median of {runs}):")
    for name in ("Kaart", "Bouwen"):
        for label, vp in (("desktop", DESKTOP), ("mobile", MOBILE)):
            times = [time_to_answer(ctx, url, name, address, vp) for _ in range(runs)]
            print(f"  {name:6s} {label:7s}: {statistics.median(times):.2f} s  "
                  f"runs: {[round(t, 2) for t in times]}")
    print("bytes of each page's first view (cold cache):")
    for name, path in PAGES.items():
        own, framework = page_bytes(ctx, url, path)
        print(f"  {name:6s}: {own / 1e6:.2f} MB (+ {framework / 1e6:.2f} MB Streamlit frontend)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--answer-runs", type=int, default=3,
                    help="runs of each page-open -> answer measurement (issue 14)")
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
        issue14(url, ctx, a.dataset, a.answer_runs)

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
