"""check_build_at: the permit check for an address of the demo, from its registers."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import box, shape

import omgevingskaart
from omgevingskaart import check_build_at, report_at
from omgevingskaart.errors import AddressNotFoundError, ScenarioError
from omgevingskaart.permit import scenario_for

OUTCOMES = {"geen vergunning nodig", "vergunningplicht", "meldingsplicht", "informatieplicht",
            "hangt af van het omgevingsplan", "hangt af van ontbrekende gegevens"}


@pytest.fixture(scope="module")
def ds():
    return omgevingskaart.open_dataset()


def _rear_box(ds, address: str, size: float = 3.0):
    """A size x size box in the achtererfgebied of the address, clear of existing buildings."""
    probe = check_build_at(ds, address, {"footprint": _free_spot(ds, address), "height": 2.5})
    achter = shape(probe.to_dict()["derived"]["achtererfgebied"])
    report = report_at(ds, address)
    built = shapely.union_all(ds.features("pand", geometry=report.perceel.geometry).geometry.to_numpy())
    free = achter.difference(built.buffer(0.2)).buffer(-size / 2 - 0.05)
    assert not free.is_empty, f"no room for a {size} m box behind {address}"
    c = free.representative_point()
    return box(c.x - size / 2, c.y - size / 2, c.x + size / 2, c.y + size / 2)


def _free_spot(ds, address: str):
    report = report_at(ds, address)
    built = shapely.union_all(ds.features("pand", geometry=report.perceel.geometry).geometry.to_numpy())
    c = report.perceel.geometry.difference(built.buffer(0.3)).representative_point()
    return box(c.x - 0.5, c.y - 0.5, c.x + 0.5, c.y + 0.5)


def test_scenario_from_the_registers(ds) -> None:
    sc = scenario_for(ds, "Markt 12, Winterswijk", {"footprint": _free_spot(ds, "Markt 12, Winterswijk"),
                                                   "height": 3.0})
    report = report_at(ds, "Markt 12, Winterswijk")
    assert shape(sc["parcel"]).equals_exact(report.perceel.geometry, 1e-6)
    assert sc["main_building"]["height"] == pytest.approx(report.panden[0].hoogte_m, abs=0.01)
    assert sc["plan"]["bestemming"] == report.enkelbestemming.naam == "Centrum"
    assert sc["plan"]["bouwvlak"] is not None
    assert sc["road_side"]["type"] in ("LineString", "MultiLineString")


def test_small_rear_annex_is_free_and_a_tall_one_is_not(ds) -> None:
    address = "Misterstraat 20"
    footprint = _rear_box(ds, address)
    ok = check_build_at(ds, address, {"footprint": footprint, "height": 3.0, "eaves_height": 3.0}).to_dict()
    assert ok["verdict"] in OUTCOMES
    tech = {a["activity"]: a for a in ok["activities"]}["technische_bouwactiviteit"]
    assert tech["outcome"] == "geen vergunning nodig"
    achter = next(c for a in ok["activities"] for c in a["conditions"] if c["id"] == "achtererfgebied")
    assert achter["passed"] is True
    stated = check_build_at(ds, address, {"footprint": footprint, "height": 3.0, "eaves_height": 3.0},
                            original=True, protected_townscape=False)
    assert stated.verdict == "geen vergunning nodig", stated.summary
    tall = check_build_at(ds, address, {"footprint": footprint, "height": 6.0, "eaves_height": 5.5}).to_dict()
    assert tall["verdict"] != "geen vergunning nodig"
    failing = {c["id"] for a in tall["activities"] for c in a["conditions"] if c.get("passed") is False}
    assert failing, "a 6 m annex must fail a height condition"


def test_monument_needs_a_permit(ds) -> None:
    report = report_at(ds, "Markt 1, Winterswijk")
    assert report.monumenten and report.monumenten[0].monumenttype == "rijksmonument"
    res = check_build_at(ds, "Markt 1, Winterswijk", {"footprint": _free_spot(ds, "Markt 1, Winterswijk"),
                                                  "height": 2.5}).to_dict()
    assert res["verdict"] == "vergunningplicht"
    assert any("monument" in a["activity"] and a["outcome"] == "vergunningplicht" for a in res["activities"])


def test_bad_input(ds) -> None:
    with pytest.raises(ScenarioError, match=r"proposal\.footprint: the proposal lies outside the perceel"):
        check_build_at(ds, "Markt 12, Winterswijk", {"footprint": box(0, 0, 1, 1), "height": 3.0})
    with pytest.raises(ScenarioError, match=r"proposal\.footprint"):
        check_build_at(ds, "Markt 12, Winterswijk", {"height": 3.0})
    with pytest.raises(AddressNotFoundError):
        check_build_at(ds, "Kasteelstraat 1, Winterswijk", {"footprint": box(0, 0, 1, 1), "height": 3.0})


def test_registers_never_fill_in_what_they_cannot_know(ds) -> None:
    """The BAG does not say whether the hoofdgebouw is the original, the demo has no beschermd-gezicht
    layer: those conditions are "onbekend" and the verdict is never "geen vergunning nodig"."""
    address = "Misterstraat 20"
    res = check_build_at(ds, address, {"footprint": _rear_box(ds, address), "height": 3.0})
    sc = scenario_for(ds, address, {"footprint": _rear_box(ds, address), "height": 3.0})
    assert sc["main_building"]["original"] is None and sc["protected_townscape"] is None
    assert res.verdict == "hangt af van ontbrekende gegevens"
    assert {"oppervlakte", "beschermd_gezicht_22_36"} <= set(res.unknown_conditions)
    assert res.plan["plan_id"] == sc["plan"]["plan_id"] and res.plan["plan_id"].startswith("NL.IMRO.0294.")


def test_demo_plan_lacks_bijgebouw_rules_so_22_27_depends_on_the_plan(ds) -> None:
    """A shed that fails 22.36 (4 m high, beyond 4 m) can only be freed by 22.27; the demo plan has no
    rules for bijgebouwen, so the honest answer is "hangt af van het omgevingsplan"."""
    address = "Misterstraat 20"
    res = check_build_at(ds, address, {"footprint": _rear_box(ds, address), "height": 4.0},
                         original=True, protected_townscape=False)
    assert res.verdict == "hangt af van het omgevingsplan", res.summary
    assert "dakvoet_verder_3m" in res.failing_conditions
    assert "plan_bijgebouwen_bouwhoogte" in res.unknown_conditions
    assert "Omgevingsloket" in res.summary
