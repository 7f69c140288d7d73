"""The permit check at an address or perceel: dataset values -> scenario -> :func:`check_build`.

The permit package gives :func:`~omgevingskaart.permit.scenario_from_parcel` (geometry and plan
values in, scenario out); this module reads those values from a :class:`Dataset`:

* the perceel: the parcel report's perceel (BRK) at the address / aanduiding / point;
* the panden on it (BAG), with the height above ground from the 3D BAG:
  ``b3_h_dak_70p - b3_h_maaiveld`` (the LoD1.2 block height the permit package documents), else
  ``b3_h_dak_max - b3_h_maaiveld``; panden without heights are left out;
* the public road: BGT ``wegdeel`` and ``ondersteunendwegdeel`` polygons within
  ``max_road_distance_m`` of the perceel, else the ``openbare_ruimte`` geometries (street lines);
* the plan values from the report at the location: the enkelbestemming's name, maatvoeringen
  ``maximum bouwhoogte (m)``, ``maximum goothoogte (m)``, ``maximum bebouwingspercentage (%)``,
  and the union of the bouwvlakken on the perceel;
* monument: the kind of the first monument on the perceel; protected townscape: a
  ``beschermd_gezicht`` polygon over the perceel.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import Point

from ..dataset import Dataset
from ..errors import ScenarioError
from ..permit import check_build, scenario_from_parcel
from ..report import ParcelReport

ROAD_LAYERS = ("bgt_wegdeel", "bgt_ondersteunendwegdeel")
#: the dataset layers an address-form check reads (for the access rule)
CHECK_LAYERS = ("perceel", "pand", "verblijfsobject", *ROAD_LAYERS, "openbare_ruimte",
                "enkelbestemming", "maatvoering", "bouwvlak", "monument", "beschermd_gezicht")
MAX_ROAD_DISTANCE_M = 25.0

_MAATVOERING = {
    "max_bouwhoogte": "maximum bouwhoogte (m)",
    "max_goothoogte": "maximum goothoogte (m)",
    "bebouwingspercentage": "maximum bebouwingspercentage (%)",
}


def _height(rec: dict[str, Any]) -> float | None:
    base = rec.get("b3_h_maaiveld")
    for col in ("b3_h_dak_70p", "b3_h_dak_max"):
        top = rec.get(col)
        if top is not None and base is not None and top > base:
            return round(float(top) - float(base), 2)
    return None


def _panden(ds: Dataset, perceel: Any) -> list[dict[str, Any]]:
    if "pand" not in ds:
        raise ScenarioError("panden", "this dataset has no panden (BAG)")
    idx = ds.index("pand")
    out = []
    for j in sorted(int(i) for i in idx.tree.query(perceel, predicate="intersects")):
        rec = idx.records[j]
        h = _height(rec)
        if h is None:
            continue
        out.append({"footprint": idx.geometries[j], "height": h, "id": rec.get("identificatie")})
    if not out:
        raise ScenarioError("panden", "no pand with a known height (3D BAG) on the perceel")
    return out


def _roads(ds: Dataset, perceel: Any) -> list[Any]:
    near = perceel.buffer(MAX_ROAD_DISTANCE_M)
    found = []
    for layer in ROAD_LAYERS:
        if layer in ds:
            idx = ds.index(layer)
            found += [idx.geometries[int(j)] for j in sorted(idx.tree.query(near, predicate="intersects"))]
    if not found and "openbare_ruimte" in ds:
        idx = ds.index("openbare_ruimte")
        found = [idx.geometries[int(j)] for j in sorted(idx.tree.query(near, predicate="intersects"))]
    if not found:
        raise ScenarioError("roads", f"no public road (BGT wegdeel) within {MAX_ROAD_DISTANCE_M:g} m of the perceel")
    return found


def _bouwvlak(ds: Dataset, perceel: Any) -> Any:
    if "bouwvlak" not in ds:
        return None
    idx = ds.index("bouwvlak")
    hits = idx.tree.query(perceel, predicate="intersects")
    if not len(hits):
        return None
    geoms = [g for g in idx.geometries[hits] if shapely.intersection(g, perceel).area > 0.5]
    return shapely.union_all(geoms) if geoms else None


def _monument(rep: ParcelReport) -> bool | str:
    if not rep.monumenten:
        return False
    kind = (rep.monumenten[0].monumenttype or "").strip().lower()
    return kind if kind in {"rijksmonument", "gemeentelijk monument", "provinciaal monument",
                            "voorbeschermd monument"} else True


def scenario_at(ds: Dataset, rep: ParcelReport, proposal: dict[str, Any], *,
                main_pand_id: str | None = None) -> dict[str, Any]:
    """The scenario for ``proposal`` on the perceel of ``rep`` (see the module docstring)."""
    if rep.perceel is None or rep.perceel.geometry is None:
        raise ScenarioError("perceel", "no kadastraal perceel at this location in the dataset")
    perceel = rep.perceel.geometry
    plan: dict[str, Any] = {}
    bestemming = rep.enkelbestemming
    if bestemming is not None and bestemming.naam:
        plan["bestemming"] = bestemming.naam
    for key, waarde_type in _MAATVOERING.items():
        value = rep.maatvoering(waarde_type)
        if value is not None:
            plan[key] = value
    bouwvlak = _bouwvlak(ds, perceel)
    if bouwvlak is not None:
        plan["bouwvlak"] = bouwvlak
    townscape = False
    if "beschermd_gezicht" in ds:
        townscape = len(ds.index("beschermd_gezicht").tree.query(perceel, predicate="intersects")) > 0
    address_point = Point(rep.x, rep.y) if rep.query.get("type") == "adres" else None
    return scenario_from_parcel(
        perceel=perceel, panden=_panden(ds, perceel), roads=_roads(ds, perceel), proposal=proposal,
        plan=plan, monument=_monument(rep), protected_townscape=townscape,
        address_point=address_point, main_pand_id=main_pand_id,
    )


def check_at(ds: Dataset, rep: ParcelReport, proposal: dict[str, Any], *,
             main_pand_id: str | None = None) -> dict[str, Any]:
    """Run the check; the result dict plus the scenario that was checked and where."""
    scenario = scenario_at(ds, rep, proposal, main_pand_id=main_pand_id)
    result = check_build(scenario).to_dict()
    result["input"] = {
        "type": rep.query.get("type"),
        "query": rep.query,
        "perceel": rep.perceel.kadastrale_aanduiding if rep.perceel else None,
        "scenario": scenario,
    }
    return result
