"""The app in a real browser: streamlit on 127.0.0.1, driven by headless Chromium (Playwright).

Every request of every page is recorded; with the basemap off none may leave 127.0.0.1.
Screenshots go to test-artifacts/ (gitignored). Uses the embedded demo when it has been built,
else the synthetic grid of tests/viz_data.py.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import (
    CHROMIUM,
    RequestLog,
    map_frame,
    running_app,
)

from omgevingskaart import geocoder_for, report_at

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DEMO = ROOT / "data" / "demo" / "winterswijk-centrum.gpkg"

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"{CHROMIUM} is missing and could not be installed (run `bash scripts/ensure-test-deps.sh` "
        "as root)" if os.geteuid() != 0 else f"{CHROMIUM} missing: run scripts/ensure-test-deps.sh",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def dataset_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if DEMO.exists():
        return DEMO
    from viz_data import write_grid

    return write_grid(tmp_path_factory.mktemp("app") / "grid.gpkg")


@pytest.fixture(scope="module")
def app_url(dataset_file: Path) -> Iterator[str]:
    with running_app(dataset_file) as url:
        yield url


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _colours(png: bytes) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    return len(colours) if colours is not None else 1 << 20


def _address(dataset_file: Path) -> tuple[str, str]:
    """An address of the dataset (Markt 12 in the demo) and its perceel's aanduiding."""
    import omgevingskaart

    ds = omgevingskaart.open_dataset(dataset_file)
    text = "Markt 12, Winterswijk" if geocoder_for(ds).search("Markt 12, Winterswijk") else geocoder_for(ds).search(
        ds["verblijfsobject"]["openbare_ruimte"].iloc[0] + " " + str(ds["verblijfsobject"]["huisnummer"].iloc[0]))[0]["weergave"]
    rep = report_at(ds, text)
    assert rep.perceel is not None
    return text, str(rep.perceel.kadastrale_aanduiding)


def _report_text(page: Any) -> str:
    return page.locator(".st-key-ok_rapport").inner_text(timeout=20000)


def _has_highlight(frame: Any) -> bool:
    return bool(frame.locator("body").evaluate(
        """() => {
            let found = false;
            const visit = (l) => {
                if (l.options && l.options.color === '#00bfff') found = true;
                if (l.eachLayer) l.eachLayer(visit);
            };
            (window.feature_group || []).forEach(g => { if (window.map.hasLayer(g)) visit(g); });
            return found;
        }"""))


def _overlay_state(frame: Any, name: str) -> bool:
    return bool(frame.locator("body").evaluate(
        """(b, name) => {
            const c = window.layer_control;
            for (const id in c._layers) {
                const l = c._layers[id];
                if (l.name === name) return window.map.hasLayer(l.layer);
            }
            throw new Error('no overlay ' + name);
        }""", name))


def test_kaart_renders_with_layers(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    frame = map_frame(page)
    time.sleep(1.0)
    shot = frame.locator(".leaflet-container").screenshot()
    assert _colours(shot) > 20, "the map shows (nearly) one colour: no layers drawn"
    assert page.get_by_text("Traceback").count() == 0
    _shot(page, "kaart")


def test_search_address_shows_report(page: Any, app_url: str, dataset_file: Path) -> None:
    text, aanduiding = _address(dataset_file)
    page.goto(app_url + "/")
    map_frame(page)
    page.get_by_label("Zoek een adres of kadastrale aanduiding").fill(text)
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector(f".st-key-ok_rapport :text('{aanduiding}')", timeout=20000)
    report = _report_text(page)
    assert "Bestemming" in report and "Bouwvlak" in report
    _shot(page, "kaart-zoeken")


def test_unknown_address_gives_dutch_message(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    map_frame(page)
    page.get_by_label("Zoek een adres of kadastrale aanduiding").fill("Nergensstraat 999, Nergenshuizen")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_text("staat niet in de gegevens").wait_for(timeout=20000)
    assert page.get_by_text("Traceback").count() == 0


def test_click_on_parcel_shows_report(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    frame = map_frame(page)
    time.sleep(1.0)
    box = frame.locator(".leaflet-container").bounding_box()
    # the map opens on the Markt: click a little off-centre, away from the controls
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    page.wait_for_selector(".st-key-ok_rapport :text('Perceel')", timeout=20000)
    report = _report_text(page)
    assert "Bestemming" in report
    # the selected perceel is highlighted (a dynamic layer with the highlight colour)
    frame.locator("body").evaluate("() => 0")  # the frame is alive after the rerun
    deadline = time.monotonic() + 10
    while not _has_highlight(frame):
        assert time.monotonic() < deadline, "the selected perceel is not highlighted"
        time.sleep(0.3)
    _shot(page, "kaart-klik")


def test_layer_control_toggles_and_remembers(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    frame = map_frame(page)
    time.sleep(1.0)
    assert _overlay_state(frame, "Panden") is True
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers label", has_text="Panden").locator("input").click()
    assert _overlay_state(frame, "Panden") is False
    # a click reruns the app, which re-sends the layer groups (with the highlight) and rebuilds
    # the control; Panden must stay off and the untouched layers on
    before = frame.locator("body").evaluate("() => window.layer_control && window.layer_control._leaflet_id")
    page.mouse.move(10, 10)
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = frame.locator("body").evaluate("() => window.layer_control && window.layer_control._leaflet_id")
        if now != before:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the layers were not re-sent after a click")
    time.sleep(0.5)
    assert _overlay_state(frame, "Panden") is False
    assert _overlay_state(frame, "Enkelbestemmingen") is True
    _shot(page, "kaart-lagen")


def _tiles_state(frame: Any, name: str) -> tuple[int | None, int, int]:
    """The overlay ``name``'s tiled layer: its zoom band (None when not on the map), how many
    tiles it asked for, and how many features it holds."""
    band, wanted, n = frame.locator("body").evaluate(
        """(b, name) => {
            const c = window.layer_control;
            for (const id in c._layers) {
                const l = c._layers[id];
                if (l.name !== name) continue;
                let band = null, wanted = 0, n = 0;
                const visit = (x) => { if (x.eachLayer) x.eachLayer(visit); else n++; };
                l.layer.eachLayer((t) => {
                    if (t._o) { band = t._band ? t._band.id : null; wanted += Object.keys(t._want).length; }
                    visit(t);
                });
                return [band, wanted, n];
            }
            throw new Error('no overlay ' + name);
        }""", name)
    return band, int(wanted), int(n)


def _wait(what: str, cond: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


def test_tiles_follow_the_view_in_the_browser(page: Any, app_url: str) -> None:
    """The browser fetches the tiles of its view from the tile cache (outside the package, served
    as a component's asset folder); zooming out switches to the coarser band, whose tiles the
    rerun writes; a layer hidden by default (Adressen) fetches nothing."""
    urls: list[str] = []
    page.on("request", lambda req: urls.append(req.url))
    page.goto(app_url + "/")
    frame = map_frame(page)
    _wait("no panden loaded", lambda: _tiles_state(frame, "Panden")[2] > 0)
    assert any("/component/omgevingskaart.app.common.kaarttegels/" in u for u in urls)
    assert not any("/app/static/cache/kaart/" in u for u in urls)
    time.sleep(1.0)  # as the other tests: the component settles its start view first
    assert _tiles_state(frame, "Adressen") == (None, 0, 0)
    fine = _tiles_state(frame, "Panden")[0]
    frame.locator("body").evaluate("() => { window.map.setZoom(15); return 0; }")
    _wait("zooming out did not switch to the coarser tiles",
          lambda: _tiles_state(frame, "Panden")[0] not in (None, fine))
    _wait("no panden after zooming out", lambda: _tiles_state(frame, "Panden")[2] > 0)
    assert _tiles_state(frame, "Adressen") == (None, 0, 0)
    assert page.get_by_text("Traceback").count() == 0


def test_3d_page_renders(page: Any, app_url: str) -> None:
    page.goto(app_url + "/3d")
    canvas = page.locator(".ok3d-root canvas").first  # deck.gl's, in the view's shadow root
    canvas.wait_for(timeout=30000)
    page.get_by_text("Hoogte boven maaiveld").wait_for(timeout=30000)
    time.sleep(3.0)
    shot = canvas.screenshot()
    assert _colours(shot) > 20, "the 3D canvas is blank"
    _shot(page, "3d")


def test_lagen_and_over_pages(page: Any, app_url: str) -> None:
    page.goto(app_url + "/lagen")
    page.get_by_text("Download GeoPackage").first.wait_for(timeout=30000)
    assert page.get_by_text("Download GeoJSON").count() >= 1
    _shot(page, "lagen")
    page.goto(app_url + "/over")
    page.get_by_text("Privacy").first.wait_for(timeout=30000)
    page.get_by_text("Geen verzoeken aan derden").wait_for()
    _shot(page, "over")


def test_no_request_leaves_localhost(requests_log: RequestLog) -> None:
    """Runs last in this module: every page above was loaded with the basemap off."""
    assert len(requests_log.urls) > 20, "no requests recorded: did the other tests run?"
    assert requests_log.foreign() == []


def test_bad_dataset_gives_dutch_message(ctx: Any, tmp_path: Path) -> None:
    bad = tmp_path / "kapot.gpkg"
    bad.write_bytes(b"dit is geen geopackage")
    with running_app(bad) as url:
        p = ctx.new_page()
        p.goto(url + "/")
        p.get_by_text("De dataset kon niet worden geopend").wait_for(timeout=30000)
        assert p.get_by_text("Traceback").count() == 0
        _shot(p, "kapotte-dataset")
        p.close()


def test_report_answers_first_and_is_shareable(page: Any, app_url: str, dataset_file: Path) -> None:
    """?adres= opens the report; the summary comes first, codes behind the fold; the URL of a
    search can be shared; "Mag ik hier bouwen?" carries the address to /bouwen."""
    text, aanduiding = _address(dataset_file)
    page.goto(app_url + "/?adres=" + text.replace(" ", "+"))
    map_frame(page)
    page.wait_for_selector(".st-key-ok_rapport :text('Wat mag hier?')", timeout=20000)
    report = _report_text(page)
    assert report.index("Wat mag hier?") < report.index("Waar liggen de grenzen?")
    assert "Bouwvlak" in report
    # the BAG ids and RD coordinates sit behind the closed "Details" fold
    details = page.locator(".st-key-ok_rapport details", has_text="Details")
    assert details.count() == 1 and details.get_attribute("open") is None
    link = page.locator(".st-key-ok_rapport a", has_text="Mag ik hier bouwen?")
    assert "bouwen?adres=" in link.get_attribute("href")
    # a search writes the location into the URL, so it can be shared
    page.get_by_label("Zoek een adres of kadastrale aanduiding").fill(aanduiding)
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**perceel=*", timeout=20000)
    assert "perceel=" in page.url
    _shot(page, "kaart-rapport-url")


def test_report_url_with_a_point(page: Any, app_url: str, dataset_file: Path) -> None:
    import omgevingskaart

    ds = omgevingskaart.open_dataset(dataset_file)
    rep = report_at(ds, _address(dataset_file)[0])
    page.goto(f"{app_url}/?x={rep.x:.2f}&y={rep.y:.2f}")
    map_frame(page)
    page.wait_for_selector(f".st-key-ok_rapport :text('{rep.perceel.kadastrale_aanduiding}')", timeout=20000)
    assert page.get_by_text("Traceback").count() == 0


def test_report_combines_both_parts_of_the_omgevingsplan(page: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo's bestemmingsplan plus a STOP/TPOD package with a GIO over the Markt (the loader's
    fixture in the real IMOW/GIO structure): the app's answer names both parts, the map lists the
    nieuwe deel's layers."""
    import shutil

    from test_io_tpod import _gio, _package

    from omgevingskaart.dataset import write_dataset
    from omgevingskaart.io import tpod

    if not DEMO.exists():
        pytest.skip("needs the embedded demo (make demo)")
    tmp = tmp_path_factory.mktemp("tpod-app")
    path = tmp / "demo-tpod.gpkg"
    shutil.copy(DEMO, path)
    write_dataset(tpod.read(_package(tmp, gio=_gio())), path, extend=True)
    with running_app(path) as url:
        page.goto(url + "/?x=246580&y=443380")
        frame = map_frame(page)
        page.wait_for_selector(".st-key-ok_rapport :text('Vergunningplicht')", timeout=30000)
        report = _report_text(page)
        assert "Bouwen in het centrum" in report and "tijdelijk deel" in report
        assert "Regels, nieuwe deel" in report and "Regels, tijdelijk deel" in report
        frame.locator(".leaflet-control-layers").hover()
        assert frame.locator(".leaflet-control-layers label",
                             has_text="Omgevingsplan (nieuwe deel): activiteiten").count() == 1
        _shot(page, "kaart-omgevingsplan")
