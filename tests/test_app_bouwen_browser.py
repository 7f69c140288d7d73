"""The "Mag ik bouwen?" page in a real browser (streamlit on 127.0.0.1, headless Chromium).

The footprint is drawn the way a resident does it: a click on Leaflet.draw's rectangle button, then
mouse down / move / up on the map (Playwright's mouse, real input events). Only the pixel position
of the RD corners is asked from the page (``window.map.latLngToContainerPoint``: streamlit-folium
keeps the Leaflet map in ``window.map``). Every request is recorded; without the basemap none may
leave 127.0.0.1. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import CHROMIUM, RequestLog, attach_log, running_app

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DEMO = ROOT / "data" / "demo" / "winterswijk-centrum.gpkg"
FRAME = "iframe[title='streamlit_folium.st_folium']"
ADDRESS = "Misterstraat 20"
#: a 2.5 m x 5 m rectangle in the back garden of Misterstraat 20 (demo), RD metres
BACK_GARDEN = (246173.0, 442961.5, 246175.5, 442966.5)
#: outside the perceel (west of it)
OUTSIDE = (246160.0, 442965.0, 246165.0, 442970.0)

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} missing: run scripts/ensure-test-deps.sh", allow_module_level=True)
if not DEMO.exists():
    pytest.skip("the embedded demo dataset is not built (it holds the address used here)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    os.environ.pop("OMGEVINGSKAART_DATASET", None)
    with running_app(DEMO) as url:
        yield url


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _open_address(page: Any, app_url: str, address: str = ADDRESS) -> Any:
    page.goto(app_url + "/bouwen", wait_until="domcontentloaded")
    box = page.get_by_label("Adres of kadastrale aanduiding")
    box.wait_for(timeout=60000)
    box.fill(address)
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector(FRAME, timeout=60000)
    frame = page.frame_locator(FRAME)
    frame.locator("path.ok-achtererfgebied").first.wait_for(timeout=60000)
    frame.locator(".leaflet-draw-draw-rectangle").wait_for(timeout=30000)
    return frame


def _screen_xy(page: Any, frame: Any, x: float, y: float) -> tuple[float, float]:
    """Page pixel coordinates of RD point (x, y) on the Leaflet map in the iframe."""
    from omgevingskaart.crs import rd_to_wgs84

    lon, lat = rd_to_wgs84(x, y)
    pt = frame.locator(".leaflet-container").first.evaluate(
        "(el, ll) => { const p = window.map.latLngToContainerPoint(ll); "
        "const r = el.getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
        [float(lat), float(lon)],
    )
    off = page.locator(FRAME).bounding_box()
    return off["x"] + pt[0], off["y"] + pt[1]


def _draw_rectangle(page: Any, frame: Any, rd_box: tuple[float, float, float, float]) -> None:
    """Draw ``rd_box`` with Leaflet.draw's rectangle tool, by mouse."""
    frame.locator(".leaflet-draw-draw-rectangle").click()
    x0, y0 = _screen_xy(page, frame, rd_box[0], rd_box[3])  # north-west
    x1, y1 = _screen_xy(page, frame, rd_box[2], rd_box[1])  # south-east
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    frame.locator(".leaflet-interactive.leaflet-draw-draggable, path.leaflet-interactive").first.wait_for()


def _state_facts(page: Any) -> None:
    """Tell the page what the registers cannot know: the house is original, no beschermd gezicht."""
    page.locator("label").filter(has_text=re.compile(r"^Ja, nooit uitgebreid$")).click()
    page.locator("label").filter(has_text=re.compile(r"^Nee$")).click()


def _fill_heights(page: Any, height: str, eaves: str = "") -> None:
    page.get_by_label("Hoogte (m): het hoogste punt van het bouwwerk").fill(height)
    page.get_by_label("Goothoogte of dakvoet (m): leeg laten bij een plat dak").fill(eaves)


def _toets(page: Any, drawn: bool = True) -> None:
    if drawn:  # streamlit-folium reports the drawing; the page confirms it before Toets
        page.get_by_text("Uw tekening:").first.wait_for(timeout=30000)
    page.get_by_role("button", name="Toets").click()


def test_draw_in_back_garden_gives_verdict(page: Any, app_url: str, requests_log: RequestLog) -> None:
    frame = _open_address(page, app_url)
    assert frame.locator("path.ok-perceel").count() >= 1
    assert frame.locator("path.ok-hoofdgebouw").count() >= 1
    _shot(page, "bouwen_adres")
    _draw_rectangle(page, frame, BACK_GARDEN)
    _fill_heights(page, "3", "")
    _state_facts(page)
    _toets(page)
    page.get_by_text("Uitkomst: Geen vergunning nodig").first.wait_for(timeout=60000)
    page.get_by_text("hulpmiddel").first.wait_for(timeout=30000)  # the result renders in parts
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "[voldaan]" in body
    assert "Bbl art. 2.2" in body and "art. 22.36" in body
    assert "hulpmiddel" in body
    # the layers are replaced after the rerun: wait (not count) for the green proposal and the
    # achtererfgebied to be on the map
    frame.locator("path.ok-ontwerp[fill='#2e7d32']").first.wait_for(timeout=30000)
    frame.locator("path.ok-achtererfgebied").first.wait_for(timeout=30000)
    _shot(page, "bouwen_uitslag")
    assert not requests_log.foreign(), requests_log.foreign()[:10]


def test_too_high_far_from_house_depends_on_the_plan(page: Any, app_url: str, requests_log: RequestLog) -> None:
    """4,5 m fails the general rules (22.36); only 22.27 could free it, and the demo plan has no rules
    for bijgebouwen: the honest answer is "hangt af van het omgevingsplan", never "geen vergunning"."""
    frame = _open_address(page, app_url)
    _draw_rectangle(page, frame, BACK_GARDEN)
    _fill_heights(page, "4,5", "4")
    _state_facts(page)
    _toets(page)
    page.get_by_text("Uitkomst: Hangt af van het omgevingsplan").first.wait_for(timeout=60000)
    page.get_by_text("Wat ontbreekt, en waar u het vindt").first.wait_for(timeout=30000)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "[niet voldaan]" in body and "[onbekend]" in body
    # the decisive reason comes first, and it is a failing one
    assert body.index("Via de algemene regels kan het niet") < body.index("Alle eisen")
    frame.locator("path.ok-ontwerp[fill='#6d4c41']").first.wait_for(timeout=30000)  # brown
    _shot(page, "bouwen_vergunningplicht")
    assert not requests_log.foreign(), requests_log.foreign()[:10]


def test_dutch_errors(page: Any, app_url: str, requests_log: RequestLog) -> None:
    frame = _open_address(page, app_url)
    _fill_heights(page, "3")
    _toets(page, drawn=False)  # nothing drawn yet
    page.get_by_text("Er is nog niets getekend").first.wait_for(timeout=30000)
    _draw_rectangle(page, frame, OUTSIDE)
    _fill_heights(page, "drie")
    _toets(page)
    page.get_by_text("is geen getal").first.wait_for(timeout=30000)
    _fill_heights(page, "3")
    _toets(page)
    page.get_by_text("buiten het perceel").first.wait_for(timeout=30000)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in body
    _shot(page, "bouwen_fout")
    assert not requests_log.foreign(), requests_log.foreign()[:10]


def test_unknown_address(page: Any, app_url: str) -> None:
    """(The demo has no ambiguous address; the candidate list is tested in test_permit_view.)"""
    page.goto(app_url + "/bouwen", wait_until="domcontentloaded")
    box = page.get_by_label("Adres of kadastrale aanduiding")
    box.wait_for(timeout=60000)
    box.fill("Nergensstraat 999")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_text("staat niet in de gegevens").first.wait_for(timeout=30000)
    assert page.locator(FRAME).count() == 0


def test_typed_sizes_link_and_receipt(page: Any, app_url: str, requests_log: RequestLog) -> None:
    """Keyboard entry instead of drawing; the check lands in the URL and the link reopens it."""
    _open_address(page, app_url)
    page.get_by_text("Of typ de maten in").click()
    page.get_by_text("Gebruik deze maten").click()
    for label, value in (("Breedte (m), langs de straat", "2,5"), ("Diepte (m), van de straat af", "2"),
                         ("Afstand achter de achtergevel (m)", "0,5"),
                         ("Afstand tot de linker perceelsgrens (m), gezien vanaf de straat", "21")):
        page.get_by_label(label).fill(value)
    _fill_heights(page, "3")
    _state_facts(page)
    _toets(page, drawn=False)
    page.get_by_text("Uitkomst: Geen vergunning nodig").first.wait_for(timeout=60000)
    page.get_by_role("button", name="Bewijs (HTML, om te printen)").wait_for(timeout=30000)
    page.get_by_role("button", name="Bewijs (PDF)").wait_for(timeout=30000)
    page.wait_for_function("() => location.search.includes('vorm=')", timeout=30000)
    link = page.url
    assert "adres=Misterstraat" in link and "hoogte=3" in link and "oorspronkelijk=ja" in link
    other = page.context.new_page()
    other.goto(link, wait_until="domcontentloaded")
    other.get_by_text("Uitkomst: Geen vergunning nodig").first.wait_for(timeout=60000)
    other.frame_locator(FRAME).locator("path.ok-ontwerp[fill='#2e7d32']").first.wait_for(timeout=30000)
    _shot(other, "bouwen_link")
    other.close()
    assert not requests_log.foreign(), requests_log.foreign()[:10]


def test_adres_parameter_opens_the_address(page: Any, app_url: str) -> None:
    page.goto(app_url + "/bouwen?adres=Misterstraat%2020", wait_until="domcontentloaded")
    page.frame_locator(FRAME).locator("path.ok-achtererfgebied").first.wait_for(timeout=60000)
    page.get_by_text("Uw bouwplan op Misterstraat 20").first.wait_for(timeout=30000)


def test_alles_weg_removes_design_and_verdict(page: Any, app_url: str) -> None:
    frame = _open_address(page, app_url)
    _draw_rectangle(page, frame, BACK_GARDEN)
    _fill_heights(page, "3")
    _toets(page)
    page.get_by_text("Uitkomst:").first.wait_for(timeout=60000)
    frame.locator(".leaflet-draw-edit-remove").click()
    frame.get_by_text("Alles weg").click()
    page.get_by_text("Uitkomst:").first.wait_for(state="detached", timeout=60000)
    frame.locator("path.ok-ontwerp").first.wait_for(state="detached", timeout=30000)
    assert "vorm=" not in page.url


def test_basemap_only_pdok(page: Any, app_url: str) -> None:
    """With the basemap on, the only third party the browser asks is service.pdok.nl (the requests
    are aborted here: no network in the test)."""
    log = RequestLog()
    attach_log(page, log)
    page.route("https://service.pdok.nl/**", lambda route: route.abort())
    _open_address(page, app_url)
    page.get_by_text("Achtergrondkaart van PDOK tonen").click()
    page.wait_for_timeout(4000)
    foreign = log.foreign()
    assert foreign, "the basemap made no request"
    assert all(u.startswith("https://service.pdok.nl/") for u in foreign), foreign[:10]
