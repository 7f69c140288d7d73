"""Build a permit-check scenario from dataset-like inputs.

:func:`scenario_from_parcel` turns a perceel polygon (BRK), the panden on it (BAG footprints with
heights above ground, e.g. 3D BAG ``b3_h_70p - b3_h_maaiveld``), the public road near it (BGT
wegdeel / ondersteunend wegdeel polygons, or road centre lines), the plan values and the
monument / beschermd gezicht flags into the scenario dict that :func:`~omgevingskaart.permit.check_build`
takes, so that ``check_build_at(dataset, address_or_parcel, proposal)`` is a few lines::

    scenario = scenario_from_parcel(
        perceel=perceel_geom,
        panden=panden_gdf,                      # geometry + height (m above ground)
        roads=wegdelen_gdf.geometry,            # public road near the perceel
        proposal={"footprint": ..., "height": 3.0},
        plan={"bestemming": "Wonen", ...},
        address_point=verblijfsobject_point,    # picks the hoofdgebouw
        monument=False, protected_townscape=False,
    )
    result = check_build(scenario)

Choices (documented in docs/permit-check.md):

* panden are clipped to the perceel; parts smaller than ``min_pand_m2`` (the neighbour's wall
  touching the boundary) are dropped;
* the hoofdgebouw is the pand holding ``address_point`` (or the pand whose id is
  ``main_pand_id``), else the largest pand on the perceel; the others become existing
  bijbehorende bouwwerken;
* the road side is the set of parcel edges of which at least half lies within ``road_tolerance_m``
  (default 3 m) of a road geometry; consecutive edges turning less than 30 degrees form one road
  side, a sharper turn (a corner plot) starts another one (the result is then a MultiLineString);
  when no edge qualifies, the edge nearest to the road is taken if it lies within
  ``max_road_distance_m`` (default 25 m), else a ScenarioError("roads") is raised.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import (
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    mapping,
    shape,
)
from shapely.geometry.base import BaseGeometry

from ..errors import ScenarioError

_SAMPLES = np.linspace(0.05, 0.95, 10)
_TURN_DEG = 30.0
#: a vertex this close to the straight line through its neighbours does not split a road side.
_STRAIGHT_M = 0.002


def _as_geometry(value: Any, fieldname: str) -> BaseGeometry:
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, Mapping) and "type" in value:
        try:
            return shape(value)
        except Exception as exc:
            raise ScenarioError(fieldname, f"malformed GeoJSON: {exc}") from None
    raise ScenarioError(fieldname, f"expected a shapely geometry or GeoJSON mapping, got {type(value).__name__}")


def _geojson(geom: BaseGeometry) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return out


def _largest_polygon(geom: BaseGeometry) -> Polygon | None:
    if isinstance(geom, Polygon):
        return geom if not geom.is_empty else None
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]
    return max(polys, key=lambda g: g.area) if polys else None


def _pand_records(panden: Any) -> list[dict[str, Any]]:
    """Normalise panden (a GeoDataFrame or an iterable of mappings) to dicts with footprint and height."""
    if hasattr(panden, "geometry") and hasattr(panden, "to_dict"):  # GeoDataFrame
        geoms = list(panden.geometry)
        rows = panden.drop(columns=panden.geometry.name).to_dict("records")
        for row, geom in zip(rows, geoms, strict=True):
            row["footprint"] = geom
        records: Iterable[Mapping[str, Any]] = rows
    else:
        records = panden
    out = []
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise ScenarioError(f"panden[{i}]", "expected a mapping with 'footprint' (or 'geometry') and 'height'")
        geom = rec.get("footprint", rec.get("geometry"))
        if geom is None:
            raise ScenarioError(f"panden[{i}].footprint", "missing key")
        height = rec.get("height", rec.get("hoogte"))
        if height is None or (isinstance(height, float) and math.isnan(height)):
            raise ScenarioError(f"panden[{i}].height", "missing height (m above ground)")
        out.append({
            "footprint": _as_geometry(geom, f"panden[{i}].footprint"),
            "height": float(height),
            "id": rec.get("id", rec.get("identificatie")),
            "second_storey_floor": rec.get("second_storey_floor"),
            "original": rec.get("original"),
        })
    return out


def _straight_runs(pts: np.ndarray) -> np.ndarray:
    """The ring's vertices (not closed) without those within :data:`_STRAIGHT_M` of the line
    through their neighbours, so a straight edge with extra vertices is one edge."""
    keep = list(range(len(pts)))
    changed = True
    while changed and len(keep) > 3:
        changed = False
        for k in range(len(keep)):
            p, q, r = pts[keep[k - 1]], pts[keep[k]], pts[keep[(k + 1) % len(keep)]]
            base = float(np.hypot(*(r - p)))
            cross = abs(float((r - p)[0] * (q - p)[1] - (r - p)[1] * (q - p)[0]))
            if base > 0 and cross / base <= _STRAIGHT_M and float((q - p) @ (r - p)) > 0:
                del keep[k]
                changed = True
                break
    return pts[keep]


def _road_sides(parcel: Polygon, roads: BaseGeometry, tolerance: float, max_distance: float) -> BaseGeometry:
    # straight runs as one edge: a vertex that lies (within a millimetre) on a straight edge, where
    # a neighbouring parcel's corner meets it, must not change which edges count as road side
    ring = _straight_runs(shapely.get_coordinates(parcel.exterior)[:-1])
    a, b = ring, np.roll(ring, -1, axis=0)
    keep = np.hypot(*(b - a).T) > 1e-9
    a, b = a[keep], b[keep]
    samples = a[:, None, :] + (b - a)[:, None, :] * _SAMPLES[None, :, None]
    dist = shapely.distance(shapely.points(samples.reshape(-1, 2)), roads).reshape(len(a), len(_SAMPLES))
    along = (dist <= tolerance).mean(axis=1) >= 0.5
    if not along.any():
        mids = shapely.points((a + b) / 2.0)
        d = shapely.distance(mids, roads)
        i = int(np.argmin(d))
        if d[i] > max_distance:
            raise ScenarioError(
                "roads", f"no public road within {max_distance:g} m of the parcel (nearest edge {d[i]:.1f} m away)"
            )
        along[i] = True
    # walk the ring from an edge that does not qualify, so chains do not wrap around the start
    n = len(a)
    start = int(np.argmin(along)) if not along.all() else 0
    chains: list[list[int]] = []
    current: list[int] = []
    for k in range(n):
        i = (start + k) % n
        if not along[i]:
            if current:
                chains.append(current)
            current = []
            continue
        if current:
            prev = current[-1]
            u, v = b[prev] - a[prev], b[i] - a[i]
            cos = float(u @ v) / float(np.hypot(*u) * np.hypot(*v))
            if math.degrees(math.acos(max(-1.0, min(1.0, cos)))) > _TURN_DEG:
                chains.append(current)
                current = []
        current.append(i)
    if current:
        chains.append(current)
    lines = [LineString([a[c[0]], *(b[i] for i in c)]) for c in chains]
    return lines[0] if len(lines) == 1 else MultiLineString(lines)


def scenario_from_parcel(
    perceel: Any,
    panden: Any,
    roads: Any,
    proposal: Mapping[str, Any],
    *,
    plan: Mapping[str, Any] | None = None,
    monument: bool | str | None = None,
    protected_townscape: bool | None = None,
    address_point: Any = None,
    main_pand_id: str | None = None,
    road_tolerance_m: float = 3.0,
    max_road_distance_m: float = 25.0,
    min_pand_m2: float = 1.0,
) -> dict[str, Any]:
    """Build a scenario dict for :func:`~omgevingskaart.permit.check_build` (see the module docstring).

    ``perceel``: the perceel (shapely Polygon or GeoJSON); ``panden``: a GeoDataFrame or iterable
    of mappings with ``footprint``/``geometry`` and ``height`` in m above ground (optional ``id``,
    ``second_storey_floor``, ``original``: each not known when left out); ``monument`` /
    ``protected_townscape``: None means not known (the check then says "hangt af"); ``roads``: public road geometries (polygons or lines,
    shapely or GeoJSON, a GeoSeries works); ``proposal``: the proposal block of the scenario
    (footprint may be shapely).  Raises ScenarioError naming the input that is unusable.
    """
    parcel_geom = _as_geometry(perceel, "perceel")
    parcel = _largest_polygon(parcel_geom)
    if parcel is None or not parcel.is_valid:
        raise ScenarioError("perceel", "expected a valid (Multi)Polygon")
    if isinstance(parcel_geom, MultiPolygon) and len(parcel_geom.geoms) > 1:
        parcel_note = "perceel had several parts; the largest is used"
    else:
        parcel_note = ""

    road_geoms = [_as_geometry(g, f"roads[{i}]") for i, g in enumerate(roads)] if not isinstance(roads, BaseGeometry) else [roads]
    road_geoms = [g for g in road_geoms if g is not None and not g.is_empty]
    if not road_geoms:
        raise ScenarioError("roads", "no public road geometry given")
    road_union = shapely.union_all(road_geoms)

    records = _pand_records(panden)
    on_parcel = []
    for i, rec in enumerate(records):
        clipped = _largest_polygon(rec["footprint"].intersection(parcel))
        if clipped is not None and clipped.area >= min_pand_m2:
            on_parcel.append((i, {**rec, "footprint": clipped}))
    if not on_parcel:
        raise ScenarioError("panden", "no pand (hoofdgebouw) on the perceel")

    main_index = None
    if main_pand_id is not None:
        main_index = next((i for i, rec in on_parcel if rec["id"] == main_pand_id), None)
        if main_index is None:
            raise ScenarioError("main_pand_id", f"pand {main_pand_id!r} is not on the perceel")
    elif address_point is not None:
        point = _as_geometry(address_point, "address_point")
        if not isinstance(point, Point):
            raise ScenarioError("address_point", "expected a Point")
        holding = [(rec["footprint"].distance(point), i) for i, rec in on_parcel]
        dist, idx = min(holding)
        if dist <= 1.0:
            main_index = idx
    if main_index is None:
        main_index = max(on_parcel, key=lambda item: item[1]["footprint"].area)[0]
    main = next(rec for i, rec in on_parcel if i == main_index)
    others = [rec for i, rec in on_parcel if i != main_index]

    proposal_block = dict(proposal)
    if "footprint" not in proposal_block:
        raise ScenarioError("proposal.footprint", "missing key")
    proposal_block["footprint"] = _geojson(_as_geometry(proposal_block["footprint"], "proposal.footprint"))
    if isinstance(proposal_block.get("ridge"), BaseGeometry):
        proposal_block["ridge"] = _geojson(proposal_block["ridge"])

    main_block: dict[str, Any] = {
        "footprint": _geojson(main["footprint"]),
        "height": main["height"],
        "second_storey_floor": main["second_storey_floor"],
        "original": main["original"] if isinstance(main["original"], bool) else None,
    }
    plan_block = dict(plan or {})
    if isinstance(plan_block.get("bouwvlak"), BaseGeometry):
        plan_block["bouwvlak"] = _geojson(plan_block["bouwvlak"])

    scenario: dict[str, Any] = {
        "crs": "EPSG:28992",
        "parcel": _geojson(parcel),
        "road_side": _geojson(_road_sides(parcel, road_union, road_tolerance_m, max_road_distance_m)),
        "main_building": main_block,
        "existing_annexes": [{"footprint": _geojson(r["footprint"]), "height": r["height"]} for r in others],
        "proposal": proposal_block,
        "monument": monument,
        "protected_townscape": protected_townscape,
        "plan": plan_block,
    }
    if main["id"] is not None:
        scenario["source"] = {"main_pand_id": main["id"]}
    if parcel_note:
        scenario.setdefault("source", {})["note"] = parcel_note
    return scenario
