"""The 3D views in headless Chromium: the Streamlit 3D page in every colour mode, the view in the
URL, and the standalone HTML export (demo and real 3D BAG LoD 2.2), with every request logged.

Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from apphelpers import CHROMIUM, RequestLog, attach_log, running_app

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DEMO = ROOT / "data" / "demo" / "winterswijk-centrum.gpkg"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} missing", allow_module_level=True)

from omgevingskaart.viz.town3d import COLOUR_MODES, EXCEED_COLOUR  # noqa: E402


def _image(png: bytes) -> Any:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def _colours(png: bytes) -> int:
    colours = _image(png).getcolors(maxcolors=1 << 20)
    return len(colours) if colours is not None else 1 << 20


def _warning_pixels(png: bytes) -> int:
    """Pixels in the red warning hue (shaded: lit and unlit faces of EXCEED_COLOUR)."""
    import numpy as np

    a = np.asarray(_image(png)).astype(int)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return int(((r > 90) & (r > 2.2 * g) & (r > 2.2 * b)).sum())


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    if not DEMO.exists():
        pytest.skip("the demo dataset is not built")
    with running_app(DEMO) as url:
        yield url


def _deck_canvas(page: Any) -> Any:
    """The 3D view's canvas (deck.gl's, inside the component's shadow root), once drawn."""
    canvas = page.locator(".ok3d-root canvas").first
    canvas.wait_for(timeout=60000)
    page.wait_for_function("window.__ok3d && window.__ok3d.firstFrameMs !== null", timeout=60000)
    return canvas


@pytest.mark.parametrize("mode", list(COLOUR_MODES))
def test_3d_page_colour_mode(page: Any, app_url: str, mode: str) -> None:
    page.goto(f"{app_url}/3d?mode={mode}")
    canvas = _deck_canvas(page)
    page.get_by_text(COLOUR_MODES[mode]).first.wait_for(timeout=60000)
    time.sleep(4.0)
    shot = canvas.screenshot()
    assert _colours(shot) > 20, f"the 3D canvas is blank in mode {mode}"
    _shot(page, f"3d-{mode}")
    assert parse_qs(urlparse(page.url).query).get("mode") == [mode]
    if mode == "overschrijding":
        # the church tower on the Markt exceeds its bouwvlak: warning colour on screen
        assert _warning_pixels(shot) > 200, EXCEED_COLOUR
        page.get_by_text("Panden hoger dan de maximum bouwhoogte:").first.wait_for(timeout=20000)
        assert page.get_by_text("Download als CSV").count() == 1
    else:
        assert _warning_pixels(shot) < 50 or mode in ("bouwjaar", "gebruiksdoel")


def test_view_state_from_and_to_url(page: Any, app_url: str) -> None:
    page.goto(f"{app_url}/3d?lat=51.9716&lon=6.7195&zoom=18.2&pitch=30&bearing=15&mode=bouwjaar")
    canvas = _deck_canvas(page)
    page.get_by_text("voor 1900").first.wait_for(timeout=60000)  # the bouwjaar legend
    time.sleep(3.0)
    assert _colours(canvas.screenshot()) > 20
    q = parse_qs(urlparse(page.url).query)
    assert q["mode"] == ["bouwjaar"] and q["zoom"] == ["18.20"] and q["pitch"] == ["30"]
    assert q["lat"] == ["51.971600"] and q["bearing"] == ["15"]
    _shot(page, "3d-gedeeld")


def _difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two screenshots (0..255)."""
    import numpy as np

    x, y = np.asarray(_image(a)).astype(int), np.asarray(_image(b)).astype(int)
    return float(np.abs(x - y).mean()) if x.shape == y.shape else 255.0


def test_dragged_camera_goes_into_the_url_and_the_link_reopens_it(
        page: Any, ctx: Any, app_url: str, requests_log: RequestLog) -> None:
    page.goto(f"{app_url}/3d?view=markt&mode=hoogte")
    canvas = _deck_canvas(page)
    time.sleep(3.0)
    start_url = page.url
    before = canvas.screenshot()
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):  # pan: drag 250 px to the left and 120 px up
        page.mouse.move(x - 25 * i, y - 12 * i)
        time.sleep(0.05)
    page.mouse.up()
    page.wait_for_function(f"location.href !== {start_url!r}", timeout=30000)
    time.sleep(3.0)  # the rerun settles
    q = parse_qs(urlparse(page.url).query)
    q0 = parse_qs(urlparse(start_url).query)
    assert q["mode"] == ["hoogte"] and q["zoom"] == q0["zoom"]
    assert (q["lat"], q["lon"]) != (q0["lat"], q0["lon"]), "the URL did not follow the camera"
    page.wait_for_function(
        "() => { const i = document.querySelector('input[aria-label=Standpunt]');"
        " return i && i.value.startsWith('Gedeelde weergave'); }", timeout=20000)
    dragged = canvas.screenshot()
    assert _difference(before, dragged) > 5
    shared = page.url
    other = ctx.new_page()
    attach_log(other, requests_log)
    try:
        other.set_viewport_size(page.viewport_size)
        other.goto(shared)
        again = _deck_canvas(other)
        time.sleep(3.0)
        reopened = again.screenshot()
        assert parse_qs(urlparse(other.url).query) == q  # opening the link keeps the view
        assert other.get_by_role("combobox", name="Standpunt").input_value().startswith(
            "Gedeelde weergave")
        _shot(other, "3d-gesleept-gedeeld")
    finally:
        other.close()
    # the link shows what the dragged page showed, not the preset
    assert _difference(dragged, reopened) < _difference(before, reopened)
    # choosing the preset again flies back to it, and the URL with it
    page.get_by_role("combobox", name="Standpunt").click()
    page.get_by_role("option", name="Markt", exact=True).click()
    page.wait_for_function(f"location.href === {start_url!r}", timeout=30000)
    time.sleep(3.0)  # the camera transition (0.8 s) and the rerun
    back = canvas.screenshot()
    assert _difference(before, back) < _difference(dragged, back)


def test_envelopes_toggle_changes_the_picture(page: Any, app_url: str) -> None:
    page.goto(f"{app_url}/3d?mode=hoogte")
    canvas = _deck_canvas(page)
    page.get_by_text("Hoogte boven maaiveld").first.wait_for(timeout=60000)
    time.sleep(3.0)
    before = canvas.screenshot()
    page.get_by_text("Bouwvlakken tot maximum bouwhoogte").first.click()
    time.sleep(5.0)
    after = _deck_canvas(page).screenshot()
    assert before != after
    _shot(page, "3d-envelop")


def test_carto_basemap_only_when_switched_on(ctx: Any, app_url: str) -> None:
    """Tile requests go to CARTO only after the switch (aborted here: no network in tests)."""
    page = ctx.new_page()
    tiles: list[str] = []

    def abort(route: Any) -> None:
        tiles.append(route.request.url)
        route.abort()

    page.route("https://basemaps.cartocdn.com/**", abort)
    local = RequestLog()
    attach_log(page, local)
    try:
        page.goto(f"{app_url}/3d?mode=hoogte")
        _deck_canvas(page)
        time.sleep(2.0)
        assert tiles == [] and local.foreign() == []
        page.get_by_text("Achtergrondkaart (CARTO) tonen").first.click()
        deadline = time.time() + 30
        while not tiles and time.time() < deadline:
            page.wait_for_timeout(250)
        assert tiles and all(u.startswith("https://basemaps.cartocdn.com/light_all/")
                             for u in tiles), tiles[:3]
        page.get_by_text("Achtergrondkaart © OpenStreetMap-bijdragers © CARTO").wait_for(
            timeout=20000)
    finally:
        page.close()


def test_no_request_leaves_localhost(requests_log: RequestLog) -> None:
    assert requests_log.urls, "no requests were logged"
    assert requests_log.foreign() == []


# --- standalone HTML -----------------------------------------------------------------------------


@contextlib.contextmanager
def _serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _load_page(ctx: Any, url: str) -> tuple[Any, RequestLog, list[str]]:
    page = ctx.new_page()
    log = RequestLog()
    attach_log(page, log)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.__ok3d && window.__ok3d.firstFrameMs !== null", timeout=90000)
    page.wait_for_timeout(500)
    return page, log, errors


def _shoot_standalone(ctx: Any, directory: Path, name: str, artifact: str
                      ) -> tuple[bytes, RequestLog, list[str], str]:
    """Serve ``directory`` on 127.0.0.1, open ``name``, screenshot its canvas once drawn."""
    with _serve(directory) as base:
        page, log, errors = _load_page(ctx, f"{base}/{name}")
        shot = page.locator("canvas").first.screenshot()
        _shot(page, artifact)
        page.close()
    return shot, log, errors, base


def test_standalone_html_offline(ctx: Any, tmp_path: Path) -> None:
    import omgevingskaart
    from omgevingskaart.export.html3d import write_page
    from omgevingskaart.viz.town3d import camera_presets, scene_data, select_panden

    ds = omgevingskaart.open_dataset(DEMO)
    presets = camera_presets(ds)
    rows = select_panden(ds, radius=400.0)
    scene = scene_data(ds, rows, mode="overschrijding", envelopes=True)
    write_page(tmp_path / "demo.html", scene, presets["markt"][1], presets=presets)
    shot, log, errors, base = _shoot_standalone(ctx, tmp_path, "demo.html",
                                                "html-demo-overschrijding")
    assert not errors
    assert _colours(shot) > 20 and _warning_pixels(shot) > 200
    assert log.urls == [base + "/demo.html"], log.urls  # nothing else, not even from 127.0.0.1


def test_standalone_html_picks_a_building(ctx: Any, tmp_path: Path) -> None:
    """The block mesh picks per building: the pand in the middle of the Markt view, its tooltip."""
    import omgevingskaart
    from omgevingskaart.export.html3d import write_page
    from omgevingskaart.viz.town3d import camera_presets, scene_data, select_panden

    ds = omgevingskaart.open_dataset(DEMO)
    presets = camera_presets(ds)
    scene = scene_data(ds, select_panden(ds, radius=300.0), mode="overschrijding")
    write_page(tmp_path / "pick.html", scene, presets["markt"][1], presets=presets)
    with _serve(tmp_path) as base:
        page, _, errors = _load_page(ctx, base + "/pick.html")
        size = page.viewport_size
        hit = page.evaluate(
            "([x, y]) => { const o = window.__ok3d.deck.pickObject({x, y, radius: 2});"
            " return o && {layer: o.layer.id, text: o.object.t}; }",
            [size["width"] / 2, size["height"] / 2])
        page.mouse.move(size["width"] / 2, size["height"] / 2)
        page.get_by_text("OVERSCHRIJDING").first.wait_for(timeout=20000)  # the tooltip
        _shot(page, "html-demo-hover")
        page.close()
    assert not errors
    assert hit and hit["layer"] == "panden" and hit["text"].startswith("Markt 1\n"), hit


def test_standalone_html_lod22_real_3dbag(ctx: Any, tmp_path: Path, real_data: Path) -> None:
    from omgevingskaart.dataset import write_dataset
    from omgevingskaart.export.html3d import write_page
    from omgevingskaart.io.cityjson import read, read_cityjson_surfaces
    from omgevingskaart.viz.mesh import from_building_meshes
    from omgevingskaart.viz.town3d import overview_view, scene_data, select_panden

    src = real_data / "3dbag" / "small.city.jsonl"
    path = write_dataset({"pand": read(src)["pand"]}, tmp_path / "bag3d.gpkg",
                         meta={"titel": "3D BAG sample"})
    import omgevingskaart

    ds = omgevingskaart.open_dataset(path)
    meshes = from_building_meshes(read_cityjson_surfaces(src, lod="2.2").values())
    rows = select_panden(ds)
    scene = scene_data(ds, rows, mode="bouwjaar", lod22=meshes)
    assert scene.lod22 is not None and len(scene.lod22) > 0
    assert sum(map(len, scene.classes)) == 0  # every pand of the sample has LoD 2.2
    # the 3 sample panden lie far apart: look at the first one closely
    view = overview_view(ds, rows.iloc[:1])
    write_page(tmp_path / "lod22.html", scene, view)
    shot, log, errors, _ = _shoot_standalone(ctx, tmp_path, "lod22.html", "html-lod22-3dbag")
    assert not errors
    assert _colours(shot) > 20
    assert log.foreign() == []
