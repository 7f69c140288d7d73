"""scenario_from_parcel with hand-made geometries; the area formula; the derived geometry."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, shape

from omgevingskaart.errors import ScenarioError
from omgevingskaart.permit import check_build, scenario_from_parcel
from omgevingskaart.permit.rules import max_oppervlakte_m2

X, Y = 246500.0, 443400.0


def b(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A box in RD metres near Winterswijk."""
    return box(X + x0, Y + y0, X + x1, Y + y1)


PARCEL = b(0, 0, 20, 40)
STREET = b(-5, -8, 60, 0)            # wegdeel polygon south of the parcel
SIDE_STREET = b(-8, -8, 0, 60)       # wegdeel polygon west of the parcel
PROPOSAL = {"footprint": b(4, 15, 10, 19), "height": 3.0}


def _panden() -> list[dict]:
    return [
        {"footprint": b(4, 5, 16, 15), "height": 9.0, "id": "0294100000000001", "second_storey_floor": 3.0},
        {"footprint": b(14, 30, 19, 36), "height": 2.5, "id": "0294100000000002"},   # schuur
        {"footprint": b(19.95, 5, 30, 15), "height": 8.0, "id": "0294100000000003"},  # neighbour, 5 cm over the line
    ]


def test_main_building_road_side_and_annexes() -> None:
    panden = _panden()
    panden[0]["original"] = True
    sc = scenario_from_parcel(PARCEL, panden, [STREET], PROPOSAL, plan={"bestemming": "Wonen"},
                              monument=False, protected_townscape=False)
    assert shape(sc["main_building"]["footprint"]).equals(b(4, 5, 16, 15))
    road = shape(sc["road_side"])
    assert isinstance(road, LineString)
    assert road.length == pytest.approx(20.0)
    assert max(abs(y - Y) for _, y in road.coords) < 1e-9
    assert len(sc["existing_annexes"]) == 1  # the neighbour's 5 cm sliver is dropped (< 1 m2)
    result = check_build(sc)
    assert result.verdict == "geen vergunning nodig"
    assert result.derived["existing_area_m2"] == pytest.approx(30.0)


def test_unstated_facts_are_unknown_not_passed() -> None:
    """Without the original footprint, the monument status and the gezicht the check never says yes."""
    sc = scenario_from_parcel(PARCEL, _panden(), [STREET], PROPOSAL, plan={"bestemming": "Wonen"})
    assert sc["main_building"]["original"] is None and sc["monument"] is None
    result = check_build(sc)
    assert result.verdict == "hangt af van ontbrekende gegevens"
    assert {"oppervlakte", "geen_monument", "beschermd_gezicht_22_36"} <= set(result.unknown_conditions)


def test_address_point_picks_the_hoofdgebouw() -> None:
    panden = _panden()
    panden[1]["footprint"] = b(4, 22, 18, 38)  # a barn larger than the house
    sc = scenario_from_parcel(PARCEL, panden, [STREET], PROPOSAL, address_point=Point(X + 10, Y + 10))
    assert sc["source"]["main_pand_id"] == "0294100000000001"
    sc2 = scenario_from_parcel(PARCEL, panden, [STREET], PROPOSAL)
    assert sc2["source"]["main_pand_id"] == "0294100000000002"  # largest without an address


def test_corner_plot_gives_two_road_sides() -> None:
    sc = scenario_from_parcel(PARCEL, _panden(), [STREET, SIDE_STREET], PROPOSAL)
    road = shape(sc["road_side"])
    assert isinstance(road, MultiLineString)
    assert sorted(round(g.length, 6) for g in road.geoms) == [20.0, 40.0]


def test_road_centre_line_within_tolerance_and_geodataframe_input() -> None:
    gdf = gpd.GeoDataFrame(
        {"identificatie": ["a", "b"], "height": [9.0, 2.5]},
        geometry=[b(4, 5, 16, 15), b(14, 30, 19, 36)], crs="EPSG:28992",
    )
    centre_line = LineString([(X - 10, Y - 2.5), (X + 40, Y - 2.5)])  # 2.5 m from the parcel edge
    sc = scenario_from_parcel(PARCEL, gdf, gpd.GeoSeries([centre_line]), PROPOSAL)
    assert shape(sc["road_side"]).length == pytest.approx(20.0)
    assert sc["source"]["main_pand_id"] == "a"


def test_far_road_falls_back_to_nearest_edge_or_fails() -> None:
    far_street = b(-5, -20, 60, -12)  # 12 m south
    sc = scenario_from_parcel(PARCEL, _panden(), [far_street], PROPOSAL)
    assert shape(sc["road_side"]).length == pytest.approx(20.0)
    with pytest.raises(ScenarioError) as info:
        scenario_from_parcel(PARCEL, _panden(), [b(-5, -100, 60, -90)], PROPOSAL)
    assert info.value.field == "roads"


def test_no_pand_on_parcel() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_parcel(PARCEL, [{"footprint": b(30, 5, 40, 15), "height": 8.0}], [STREET], PROPOSAL)
    assert info.value.field == "panden"


@pytest.mark.parametrize(
    ("b_m2", "expected"),
    [(0, 0), (80, 40), (100, 50), (100.5, 50.1), (200, 70), (300, 90), (301, 90.1), (900, 150), (2000, 150)],
)
def test_area_formula(b_m2: float, expected: float) -> None:
    assert max_oppervlakte_m2(b_m2) == pytest.approx(expected)
