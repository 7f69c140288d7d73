"""Start the Streamlit app and drive it with headless Chromium (Debian's /usr/bin/chromium).

Shared by tests/test_app_browser.py and benchmarks/bench_app.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from processes import free_port, stop, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def running_app(dataset: Path | None = None, timeout: float = 60.0) -> Iterator[str]:
    """``streamlit run streamlit_app.py`` on a free 127.0.0.1 port; yields its base URL."""
    port = free_port()
    env = dict(os.environ)
    if dataset is not None:
        env["OMGEVINGSKAART_DATASET"] = str(dataset)
    # the Kaart's tiles go to a fresh cache folder (never the user's, never the package)
    env["OMGEVINGSKAART_CACHE_DIR"] = tempfile.mkdtemp(prefix="omgevingskaart-cache-")
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(ROOT / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, url + "/_stcore/health", name="streamlit", log=log.name,
                      timeout=timeout, interval=0.3)
        yield url
    finally:
        stop(proc, 10)


@dataclass
class RequestLog:
    """Every request the page made (including its iframes and websockets), and bytes received."""

    urls: list[str] = field(default_factory=list)
    bytes_http: int = 0
    bytes_ws: int = 0
    #: of ``bytes_http``: Streamlit's own frontend (``/static/``: its JavaScript bundle and fonts,
    #: the same for every Streamlit page, served uncompressed, cached by the browser after a visit)
    bytes_framework: int = 0

    def foreign(self) -> list[str]:
        out = []
        for u in self.urls:
            p = urlparse(u)
            if p.scheme in ("data", "blob", "about"):
                continue
            if p.hostname not in LOCAL_HOSTS:
                out.append(u)
        return out

    @property
    def total(self) -> int:
        return self.bytes_http + self.bytes_ws


def attach_log(page: Any, log: RequestLog) -> None:
    page.on("request", lambda req: log.urls.append(req.url))
    page.on("websocket", lambda ws: (log.urls.append(ws.url), ws.on(
        "framereceived", lambda payload: _add_ws(log, payload))))


def _add_ws(log: RequestLog, payload: Any) -> None:
    log.bytes_ws += len(payload) if payload is not None else 0


def attach_byte_counter(page: Any, log: RequestLog, *, cold: bool = True) -> Any:
    """Count HTTP response bytes as they came over the wire (``encodedDataLength``: headers and
    gzip-compressed bodies) and websocket message payloads (before permessage-deflate, which
    DevTools does not report, so an upper bound when websocket compression is on)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if cold:  # a first visit: nothing from the browser's HTTP cache
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    urls: dict[str, str] = {}

    def on_request(ev: dict[str, Any]) -> None:
        urls[ev["requestId"]] = ev.get("request", {}).get("url", "")

    def on_finished(ev: dict[str, Any]) -> None:
        n = int(ev.get("encodedDataLength", 0))
        log.bytes_http += n
        if urlparse(urls.get(ev.get("requestId", ""), "")).path.startswith("/static/"):
            log.bytes_framework += n

    def on_ws_frame(ev: dict[str, Any]) -> None:
        resp = ev.get("response", {})
        data = resp.get("payloadData", "")
        # binary frames (opcode 2: Streamlit's protobuf) come base64-encoded: count the bytes
        log.bytes_ws += len(data) * 3 // 4 - data.count("=") if resp.get("opcode") == 2 else len(data.encode())

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_ws_frame)
    return cdp


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1500, "height": 1000}, locale="nl-NL",
        )
        try:
            yield ctx
        finally:
            ctx.close()


def map_frame(page: Any, timeout: float = 30000) -> Any:
    """The streamlit-folium iframe, once Leaflet has drawn its vector canvas."""
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=timeout)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=timeout)
    return frame


def canvas_nonblank(locator: Any) -> int:
    """How many distinct colours a canvas shows (1 = blank)."""
    return int(locator.evaluate(
        """(c) => {
            const w = c.width, h = c.height;
            let ctx = c.getContext('2d');
            let data;
            if (ctx) { data = ctx.getImageData(0, 0, w, h).data; }
            else {
                const t = document.createElement('canvas'); t.width = w; t.height = h;
                const tc = t.getContext('2d'); tc.drawImage(c, 0, 0); data = tc.getImageData(0, 0, w, h).data;
            }
            const seen = new Set();
            for (let i = 0; i < data.length; i += 4 * 97) {
                seen.add((data[i] << 24) ^ (data[i+1] << 16) ^ (data[i+2] << 8) ^ data[i+3]);
                if (seen.size > 50) break;
            }
            return seen.size;
        }"""
    ))
