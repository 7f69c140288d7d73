"""omgevingskaart.viz.permit_view (the "Mag ik bouwen?" page's library) and the page's address flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from omgevingskaart import check_build_at
from omgevingskaart.crs import rd_to_wgs84, wgs84_to_rd
from omgevingskaart.errors import ScenarioError
from omgevingskaart.permit import check_build
from omgevingskaart.viz import permit_view as pv

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
DEMO = ROOT / "data" / "demo" / "winterswijk-centrum.gpkg"
BACK_GARDEN = box(246173.0, 442961.5, 246175.5, 442966.5)  # Misterstraat 20 (demo)


def _drawn(poly: Polygon) -> dict[str, Any]:
    """``poly`` (RD) as Leaflet.draw reports it: a GeoJSON Feature in lon/lat."""
    xy = np.asarray(poly.exterior.coords)
    lon, lat = rd_to_wgs84(xy[:, 0], xy[:, 1])
    ring = [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.fixture(scope="module")
def ds() -> Any:
    if not DEMO.exists():
        pytest.skip("the embedded demo dataset is not built")
    import omgevingskaart

    return omgevingskaart.open_dataset()


@pytest.fixture(scope="module")
def scenario_result() -> Any:
    from omgevingskaart.permit import load_scenario

    return check_build(load_scenario(SCENARIOS / "06_nabij_hoogte_5_01.json"))


# --- drawn polygon -> RD ------------------------------------------------------------------------


def test_drawing_to_rd_matches_crs_within_a_millimetre() -> None:
    lon = np.array([6.71395, 6.71402, 6.71410, 6.71398, 6.71395])
    lat = np.array([51.96758, 51.96757, 51.96766, 51.96770, 51.96758])
    feature = {"type": "Feature", "properties": {},
               "geometry": {"type": "Polygon", "coordinates": [list(map(list, zip(lon, lat, strict=True)))]}}
    poly = pv.drawing_to_rd(feature)
    x, y = wgs84_to_rd(lon, lat)
    got = np.asarray(poly.exterior.coords)
    assert got.shape == (5, 2)
    assert np.abs(got[:, 0] - x).max() < 1e-3 and np.abs(got[:, 1] - y).max() < 1e-3
    # a bare geometry works too, and the round trip RD -> WGS84 -> RD stays within a millimetre
    again = pv.drawing_to_rd(_drawn(BACK_GARDEN)["geometry"])
    assert again.hausdorff_distance(BACK_GARDEN) < 1e-3


@pytest.mark.parametrize(("drawing", "words"), [
    (None, "nog niets getekend"),
    ({}, "nog niets getekend"),
    ({"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.7, 51.9]}}, "rechthoek of veelhoek"),
    ({"type": "Polygon", "coordinates": [[[6.7, 51.9], [6.7001, 51.9001], [6.7, 51.9001], [6.7001, 51.9],
                                          [6.7, 51.9]]]}, "snijdt zichzelf"),
    ({"type": "Polygon", "coordinates": [[[6.7, 51.9], [6.7, 51.9], [6.7, 51.9], [6.7, 51.9]]]}, "geen oppervlakte"),
    ({"type": "Polygon", "coordinates": "onzin"}, "kon niet worden gelezen"),
])
def test_drawing_errors_are_dutch(drawing: Any, words: str) -> None:
    with pytest.raises(pv.DrawingError, match=words):
        pv.drawing_to_rd(drawing)


def test_pick_drawing_takes_the_latest() -> None:
    a, b = _drawn(box(0, 0, 1, 1)), _drawn(box(2, 2, 3, 3))
    assert pv.pick_drawing([a, b]) == (b, 2)
    assert pv.pick_drawing([], a) == (None, 0)  # everything deleted: the stale last drawing is ignored
    assert pv.pick_drawing(None, a) == (a, 1)


@pytest.mark.parametrize(("text", "value"), [("3", 3.0), ("2,75", 2.75), (" 2.5 m ", 2.5), (4, 4.0)])
def test_parse_height(text: Any, value: float) -> None:
    assert pv.parse_height(text, "hoogte") == value


@pytest.mark.parametrize(("text", "words"), [("", "Vul de hoogte in"), ("drie", "geen getal"),
                                              ("-1", "groter zijn dan 0"), ("300", "niet aannemelijk")])
def test_parse_height_errors(text: str, words: str) -> None:
    with pytest.raises(pv.DrawingError, match=words):
        pv.parse_height(text, "hoogte")
    assert pv.parse_height("", "goothoogte", required=False) is None


# --- Dutch text -----------------------------------------------------------------------------------


def test_result_markdown_has_verdict_conditions_and_articles(scenario_result: Any) -> None:
    text = pv.result_markdown(scenario_result)
    assert text.startswith(f"### Uitkomst: {pv.verdict_label(scenario_result.verdict)}")
    assert "Bbl art\\. 2\\.2" in text and "22\\.36" in text
    assert "[voldaan]" in text and "[niet voldaan]" in text
    assert "waarde 5,01 m, grens 5,00 m" in text
    assert "geen besluit" in text and "Omgevingsloket" in text
    assert "Bebouwingsgebied" in text
    assert "Past het in het omgevingsplan?" in text  # a permit is needed: fits_plan is explained
    assert "synthetische" not in text
    plain = pv.result_markdown(scenario_result.to_dict(), is_synthetic=True, headline=False)
    assert not plain.startswith("### Uitkomst") and "synthetische demogegevens" in plain


def test_condition_line_marks() -> None:
    base = {"id": "oppervlakte", "article": "Bruidsschat art. 22.36; versie", "description": "Binnen de oppervlakte.",
            "value": 12.5, "limit": 20.7, "detail": "", "passed": True, "applicable": True}
    assert "✅ [voldaan]" in pv.condition_line(base) and "12,50 m²" in pv.condition_line(base)
    assert "[niet voldaan]" in pv.condition_line({**base, "passed": False})
    assert "[niet van toepassing]" in pv.condition_line({**base, "applicable": False})
    assert "versie" not in pv.condition_line(base)  # version dates are listed once, at the bottom


@pytest.mark.parametrize(("field", "message", "words"), [
    ("proposal.footprint", "the proposal must lie on the parcel (4.66 m2 lies outside it)", "De getekende plattegrond ligt"),
    ("proposal.footprint", "overlaps the hoofdgebouw by 24.00 m2", "overlapt het hoofdgebouw"),
    ("proposal.eaves_height", "the dakvoet (4 m) cannot be above the height (3 m)", "De goothoogte (dakvoet) mag niet hoger"),
    ("main_building.second_storey_floor", "must be below the building height", "De vloer van de tweede bouwlaag"),
    ("roads", "no public road (BGT wegdeel) within 30 m of the perceel", "openbare weg"),
    ("panden[2].height", "missing height (m above ground)", "De panden op het perceel"),
])
def test_scenario_error_dutch_names_the_field(field: str, message: str, words: str) -> None:
    text = pv.scenario_error_dutch(ScenarioError(field, message))
    assert words in text
    assert "Traceback" not in text


# --- layers ---------------------------------------------------------------------------------------


def test_derived_layers_built(scenario_result: Any) -> None:
    d = scenario_result.derived
    groups = pv.derived_layers(d, proposal=box(0, 0, 1, 1), verdict=scenario_result.verdict)
    names = [g.layer_name for g in groups]
    assert names[:2] == ["Voorerfgebied", "Achtererfgebied"] or "Achtererfgebied" in names
    assert "Uw ontwerp" in names and "Kant van de openbare weg" in names
    m = folium.Map(tiles=None)
    for g in groups:
        g.add_to(m)
    html = m.get_root().render()
    assert "ok-achtererfgebied" in html and "ok-ontwerp" in html
    assert pv.VERDICT_STYLE[scenario_result.verdict][0] in html
    # WGS84 output: the Winterswijk area, lon ~6.7, lat ~52
    gj = pv.rd_geojson_to_wgs84(d["achtererfgebied"])
    lon, lat = np.asarray(gj["coordinates"][0][0])
    assert 3 < lon < 8 and 50 < lat < 54


def test_site_derived_and_check_on_demo(ds: Any) -> None:
    site = pv.site_derived(ds, "Misterstraat 20")
    assert site["achtererfgebied_m2"] > 30
    assert site["achtererfgebied"]["type"] in ("Polygon", "MultiPolygon")
    groups = pv.site_layers(site) + pv.derived_layers(site)
    assert {g.layer_name for g in groups} >= {"Perceel en panden", "Achtererfgebied"}
    s, w, n, e = (v for pair in pv.bounds_latlon(site["scenario"]["parcel"]) for v in pair)
    assert s < n and w < e
    drawn = pv.drawing_to_rd(_drawn(BACK_GARDEN))
    res = check_build_at(ds, "Misterstraat 20", {"footprint": drawn, "height": 3.0}, original=True,
                         protected_townscape=False)
    assert res.verdict == "geen vergunning nodig"
    # the achtererfgebied does not depend on the proposal
    assert abs(res.derived["achtererfgebied_m2"] - site["achtererfgebied_m2"]) < 1e-6


# --- the page's address flow (Streamlit AppTest, no browser) ----------------------------------------


def _app() -> None:
    from omgevingskaart.app.bouwen import page
    from omgevingskaart.app.common import safe_page

    safe_page(page)()


def test_page_ambiguous_address_offers_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    import omgevingskaart.report
    from omgevingskaart.errors import AmbiguousAddressError

    def ambiguous(_ds: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        raise AmbiguousAddressError(text, ["Markt 12, Winterswijk", "Markt 12A, Winterswijk"])

    # the demo has no ambiguous address; patch the query module (the page imports report_at
    # from it when it runs, so AppTest's re-import of the page module sees the patch)
    monkeypatch.setattr(omgevingskaart.report, "report_at", ambiguous)
    at = AppTest.from_function(_app, default_timeout=60)
    # the search box is a component AppTest cannot type into: the address comes in the URL
    # (/bouwen?adres=...), which runs the same search
    at.query_params["adres"] = "Markt 12"
    at.run()
    assert not at.exception
    assert any("Kies hieronder" in w.value for w in at.warning)
    assert at.selectbox(key="mb_candidate").options == ["Markt 12, Winterswijk", "Markt 12A, Winterswijk"]


def test_page_checks_without_drawing_in_dutch() -> None:
    if not DEMO.exists():
        pytest.skip("the embedded demo dataset is not built")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_app, default_timeout=60)
    at.query_params["adres"] = "Misterstraat 20"
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]
    at.text_input(key="mb_height").set_value("3")
    next(b for b in at.button if b.label == "Toets").click()
    at.run()
    assert [e.value for e in at.error] and "nog niets getekend" in at.error[0].value


def test_page_failed_search_clears_the_previous_place() -> None:
    """After a search that finds nothing, the previous perceel and its verdict are gone; the message
    names what was typed and the geocoder's suggestions are offered (as on the Kaart page)."""
    if not DEMO.exists():
        pytest.skip("the embedded demo dataset is not built")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_app, default_timeout=60)
    at.query_params["adres"] = "Misterstraat 20"
    at.run()
    assert not at.exception and not at.warning
    assert at.session_state["mb_site"] is not None and at.session_state["mb_address"] == "Misterstraat 20"
    at.query_params["adres"] = "Mistrstraat 20"
    at.run()
    assert not at.exception
    assert at.session_state["mb_site"] is None and at.session_state["mb_address"] is None
    assert at.session_state["mb_result"] is None
    warning = at.warning[0].value
    assert "‘Mistrstraat 20’ is niet gevonden" in warning and "Bedoelt u" in warning
    options = at.selectbox(key="mb_candidate").options
    assert options and options[0].startswith("Misterstraat 20"), options
    assert any("Zoek eerst uw adres" in m.value for m in at.markdown)


# --- typed sizes and the check in the URL --------------------------------------------------------------


def test_typed_sizes_give_the_footprint_behind_the_house(ds: Any) -> None:
    from shapely.geometry import shape

    from omgevingskaart.viz.permit_input import footprint_from_dimensions

    site = pv.site_derived(ds, "Misterstraat 20")
    fp = footprint_from_dimensions(site["scenario"], width="2,5", depth=2, behind_rear="0,5", from_side=21)
    assert fp.area == pytest.approx(5.0)
    assert shape(site["achtererfgebied"]).contains(fp)
    house = shape(site["scenario"]["main_building"]["footprint"])
    assert fp.distance(house) == pytest.approx(0.5, abs=0.05)
    for kw, field in ((dict(width="drie"), "breedte"), (dict(depth=-1), "diepte"), (dict(width=1e308), "breedte"),
                      (dict(behind_rear=None), "achtergevel")):
        args = dict(width=2, depth=2, behind_rear=0, from_side=1, **{})
        args.update(kw)
        with pytest.raises(pv.DrawingError, match=field):
            footprint_from_dimensions(site["scenario"], **args)


def test_check_link_round_trip_and_bad_links() -> None:
    from shapely.geometry import box

    from omgevingskaart.viz.permit_input import decode_check, encode_check

    q = encode_check("Misterstraat 20", box(246173, 442961.5, 246175.5, 442966.5), height=3.0, eaves=2.5,
                     floor="geen", original=True, protected=False)
    back = decode_check(q)
    assert back["address"] == "Misterstraat 20" and back["footprint"].area == pytest.approx(12.5)
    assert (back["height"], back["eaves"], back["floor"], back["original"], back["protected"]) == (3.0, 2.5, "geen", True, False)
    assert decode_check({"adres": "Markt 12"})["footprint"] is None
    for bad in ({"adres": "x", "vorm": "1,2;3"}, {"adres": "x", "vorm": "0,0;1,1;0,1;1,0"},
                {"adres": "x", "vorm": "a,b;c,d;e,f"}, {"adres": "x", "hoogte": "1e308"},
                {"adres": "x", "oorspronkelijk": "misschien"}):
        with pytest.raises(pv.DrawingError):
            decode_check(bad)


def test_receipt_svg_and_html_from_a_scenario() -> None:
    import json
    from pathlib import Path

    from omgevingskaart.export.permit_receipt import receipt_html, receipt_svg
    from omgevingskaart.permit import check_build

    sc = json.loads((Path(__file__).parent / "scenarios" / "44_voortuin_schuur_plan_onbekend.json").read_text())
    res = check_build(sc)
    svg = receipt_svg(res, sc)
    assert svg.startswith("<svg") and svg.count("<path") >= 6 and 'fill="#c62828"' in svg
    page = receipt_html(res, sc, address="Teststraat 1")
    assert 'lang="nl"' in page and "voortuin" in page and "http" not in page.split("<body>")[0]
