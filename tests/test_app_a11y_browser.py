"""The app in a real browser as a Dutch, accessible, mobile app: ``lang="nl"``, a title per page,
every documented URL, no English chrome, autocomplete, the answer first on a phone, a map that
does not trap scrolling, and axe-core (vendored, injected from this test) on every page, desktop
and mobile, with no serious or critical violations.

Runs ``streamlit run streamlit_app.py`` on the embedded demo on 127.0.0.1 and headless Chromium.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from apphelpers import ROOT, map_frame, running_app

from omgevingskaart import report_at

AXE = ROOT / "omgevingskaart" / "static" / "vendor" / "axe-core" / "axe.min.js"
PAGES = {"/": "Kaart", "/kaart": "Kaart", "/bouwen": "Mag ik bouwen?", "/3d": "3D binnenstad",
         "/lagen": "Lagen", "/over": "Over deze kaart"}
DESKTOP = {"width": 1500, "height": 1000}
MOBILE = {"width": 390, "height": 844}
LABEL = "Zoek een adres of kadastrale aanduiding"
ENGLISH = ["Press Enter to submit form", "Press Enter to apply", "Choose an option", "Page not found"]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with running_app(None) as url:  # the embedded demo
        yield url


def _open(page: Any, url: str, viewport: dict[str, int] = DESKTOP) -> None:
    page.set_viewport_size(viewport)
    page.goto(url)
    page.wait_for_selector("h1", timeout=60000)
    page.wait_for_function("document.documentElement.lang === 'nl'", timeout=30000)


def _settled(page: Any) -> None:
    """Wait until Streamlit has finished running the page (no faded, stale elements left)."""
    page.wait_for_function(
        "!document.querySelector('[data-stale=\"true\"]') && "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    time.sleep(0.5)


def _axe(page: Any) -> list[dict[str, Any]]:
    _settled(page)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""")


def documented_paths() -> list[str]:
    """Every app URL path the README and docs/ name (`/kaart`, `/bouwen`, ...; not the API's)."""
    found: set[str] = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for path in re.findall(r"`(/[a-z0-9-]*)`", doc.read_text(encoding="utf-8")):
            if path in PAGES or (re.fullmatch(r"/[a-z0-9]+", path) and not path.startswith("/v1")):
                found.add(path)
    return sorted(found)


#: documented paths of the HTTP service, not of the app
SERVICE_PATHS = {"/docs"}


def test_docs_name_the_pages() -> None:
    paths = set(documented_paths())
    assert {"/kaart", "/bouwen", "/3d", "/lagen", "/over"} <= paths
    assert paths - SERVICE_PATHS <= set(PAGES), "a documented app URL without a page"


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_page_is_dutch_with_its_own_title(page: Any, app_url: str, path: str) -> None:
    _open(page, app_url + path)
    page.get_by_role("heading", name=PAGES[path], level=1).wait_for(timeout=30000)
    assert page.title() == f"{PAGES[path].replace(' deze kaart', '')} · Omgevingskaart Winterswijk"
    time.sleep(1.0)
    body = page.inner_text("body")
    for text in ENGLISH:
        assert text not in body, (path, text)
    assert page.get_by_text("Traceback").count() == 0


def test_every_documented_url_opens_its_page(page: Any, app_url: str) -> None:
    for path in documented_paths():
        if path in SERVICE_PATHS:
            continue
        _open(page, app_url + path)
        page.get_by_role("heading", name=PAGES[path], level=1).wait_for(timeout=30000)
        assert page.get_by_text("Page not found").count() == 0, path


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
@pytest.mark.parametrize("path", ["/", "/bouwen", "/3d", "/lagen", "/over"])
def test_axe_finds_no_serious_violations(page: Any, app_url: str, path: str,
                                         viewport: dict[str, int]) -> None:
    _open(page, app_url + path, viewport)
    if path == "/":
        map_frame(page)
    time.sleep(2.0)  # let the page settle (lazy elements, the 3D view)
    violations = _axe(page)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, bad
    if path == "/":  # the Kaart page: h1 page, h2 "Wat geldt hier?", h3 the place, h4 its sections
        order = [v for v in violations if v["id"] == "heading-order"]
        assert not order, order
    for frame in page.frames[1:]:  # the map's own document (streamlit-folium's iframe)
        frame.add_script_tag(path=str(AXE))
        found = frame.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                               ".violations.map(v => ({id: v.id, impact: v.impact}))")
        assert not found, (frame.url, found)


def test_map_controls_are_dutch_and_the_map_does_not_trap_scrolling(page: Any, app_url: str) -> None:
    _open(page, app_url + "/")
    frame = map_frame(page)
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Inzoomen"
    assert frame.locator(".leaflet-control-zoom-out").get_attribute("title") == "Uitzoomen"
    assert frame.locator(".leaflet-control-layers-toggle").get_attribute("title") == "Kaartlagen"
    state = "() => ({wheel: window.map.scrollWheelZoom.enabled(), bounded: !!window.map.options.maxBounds, "\
            "min: window.map.getMinZoom()})"
    before = frame.locator("body").evaluate(state)
    assert before["wheel"] is False and before["bounded"] is True and before["min"] >= 12
    frame.locator(".leaflet-container").click(position={"x": 200, "y": 200})
    assert frame.locator("body").evaluate(state)["wheel"] is True


def test_autocomplete_suggests_while_typing_and_after_a_typo(page: Any, app_url: str) -> None:
    _open(page, app_url + "/")
    map_frame(page)
    box = page.get_by_label(LABEL)
    placeholder = box.get_attribute("placeholder")
    import omgevingskaart

    ds = omgevingskaart.open_dataset()
    examples = re.findall(r"bijv\. (.+?), (\d{4} [A-Z]{2} \S+) of (.+)$", placeholder)
    assert examples, placeholder
    street, postcode, perceel = examples[0]
    for example in (street, postcode, perceel):  # the examples exist in the loaded data
        assert report_at(ds, example) is not None
    box.click()
    box.press_sequentially("mrkt 12", delay=40)
    option = page.get_by_role("option", name="Markt 12, 7101AK Winterswijk")
    option.wait_for(timeout=20000)
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_selector(".st-key-ok_rapport :text('WWK00 L 3839')", timeout=30000)


def test_a_failed_search_clears_the_report_and_offers_suggestions(page: Any, app_url: str) -> None:
    _open(page, app_url + "/")
    map_frame(page)
    box = page.get_by_label(LABEL)
    box.fill("Markt 12")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector(".st-key-ok_rapport", timeout=30000)
    box.fill("Mrkt 12")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_text("Bedoelt u een van de adressen hieronder?").wait_for(timeout=30000)
    assert page.locator(".st-key-ok_rapport").count() == 0
    page.get_by_label("Bedoelt u een van deze adressen of percelen?").wait_for()


def test_kaart_headings_stay_in_order_with_a_report(page: Any, app_url: str) -> None:
    """With an answer on screen the headings still go one level at a time (axe heading-order):
    h1 Kaart, h2 Wat geldt hier?, h3 the address, h4 the summary's sections."""
    _open(page, app_url + "/")
    map_frame(page)
    page.get_by_label(LABEL).fill("Markt 12")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector(".st-key-ok_rapport h4", timeout=30000)
    violations = _axe(page)
    assert not [v for v in violations if v["id"] == "heading-order"], violations
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    levels = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
                           ".filter(h => h.offsetParent !== null).map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_on_a_phone_the_answer_comes_before_the_map(page: Any, app_url: str) -> None:
    _open(page, app_url + "/", MOBILE)
    map_frame(page)
    box = page.get_by_label(LABEL)
    box.fill("Markt 12")
    page.get_by_role("button", name="Zoeken").click()
    report = page.locator(".st-key-ok_rapport")
    report.wait_for(timeout=30000)
    top_report = report.bounding_box()["y"]
    top_map = page.locator("iframe[title^='streamlit_folium']").bounding_box()["y"]
    assert top_report < top_map
    assert top_report < MOBILE["height"], f"the report starts at y {top_report}, below the first screen"
    # and it scrolls with the page, not in a box of its own
    assert report.evaluate("e => getComputedStyle(e).overflowY") == "visible"


def test_lagen_for_chain_partners(page: Any, app_url: str) -> None:
    _open(page, app_url + "/lagen")
    page.get_by_text("Bronhouders BGT, PDOK").first.wait_for(timeout=30000)  # commas stay commas
    _settled(page)
    assert page.get_by_text("Bronhouders BGT. PDOK").count() == 0
    assert page.get_by_text("niet vastgelegd").count() == 0
    assert page.get_by_text("Demogegevens: deze laag is synthetisch").count() >= 1
    assert page.locator("a[href*='creativecommons.org/licenses/by/4.0']").count() >= 1
    assert page.get_by_text("/v1/layers/pand/items").count() == 1
    with page.expect_download() as download:
        page.locator(".st-key-dl_gpkg_pand button").click()
    assert download.value.suggested_filename == "omgevingskaart-pand-2026-01-01.gpkg"


def test_over_has_links_contact_and_accessibility_statement(page: Any, app_url: str) -> None:
    _open(page, app_url + "/over")
    page.get_by_role("heading", name="Contact").wait_for(timeout=30000)
    page.get_by_role("heading", name="Toegankelijkheid").wait_for()
    assert page.get_by_text("Toegankelijkheidsverklaring").count() == 1
    _settled(page)
    assert page.locator("a[href='https://omgevingswet.overheid.nl']").count() >= 1
    assert page.locator("a", has_text="BRK Kadastrale Kaart (Kadaster)").count() == 1


def test_3d_table_in_metres_exports_that_stay_and_the_view_in_the_url_at_once(
        page: Any, app_url: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(app_url + "/3d?mode=overschrijding")
    page.get_by_role("heading", name="3D binnenstad", level=1).wait_for(timeout=60000)
    # the first render already carries the view (a fresh link shares it at once)
    page.wait_for_function("new URLSearchParams(location.search).has('lat')", timeout=15000)
    _settled(page)
    table = page.locator("[data-testid='stTable']").first
    table.wait_for(timeout=60000)
    cells = table.locator("td").all_inner_texts()
    metres = [c for c in cells if c.endswith(" m")]
    assert metres and all(re.fullmatch(r"\d+,\d\d m", c) for c in metres), metres[:10]
    page.get_by_text("Exporteren voor VR, Blender of Unity").click()
    page.get_by_role("button", name="Download HTML-pagina").wait_for(timeout=30000)
    page.get_by_text("Bouwvlakken tot maximum bouwhoogte").click()  # any other click: a rerun
    _settled(page)
    assert page.get_by_role("button", name="Download glTF (.glb)").count() == 1
    with page.expect_download(timeout=120000) as download:
        page.get_by_role("button", name="Download HTML-pagina").click()
    assert download.value.suggested_filename == "binnenstad-3d.html"
