"""The self-contained scenario format of the permit check: parsing and validation.

A scenario is a JSON object in RD New metres (EPSG:28992)::

    {"crs": "EPSG:28992",
     "parcel": <GeoJSON Polygon>,
     "road_side": <GeoJSON LineString or MultiLineString: the parcel edge(s) along public road>,
     "main_building": {"footprint": <Polygon>, "height": 9.0, "second_storey_floor": 3.0,
                       "original": true, "original_footprint": <Polygon, optional>},
     "existing_annexes": [{"footprint": <Polygon>, "height": 2.5}],
     "proposal": {"footprint": <Polygon>, "height": 3.0, "eaves_height": 3.0,
                  "roof_pitch_deg": null, "ridge": <LineString, optional>},
     "monument": false, "protected_townscape": false,
     "plan": {"bestemming": "Wonen", "max_bouwhoogte": null, "max_goothoogte": null,
              "bebouwingspercentage": null, "bouwvlak": null}}

Heights are metres above ground level (peil).  ``second_storey_floor`` is the height of the top of
the floor between the first and the second bouwlaag of the hoofdgebouw (null: it has one bouwlaag).
``original`` says whether the current hoofdgebouw is the oorspronkelijk hoofdgebouw; when it is
not, ``original_footprint`` gives the original one (without it the check is conservative: no 4 m
zone, and no later extension of the hoofdgebouw in the bebouwingsgebied).  ``eaves_height`` (the
dakvoet) defaults to ``height`` (a flat roof).  ``monument`` is false, true, or one of
``"rijksmonument"``, ``"gemeentelijk monument"``, ``"provinciaal monument"``,
``"voorbeschermd"``; ``protected_townscape`` means a rijksbeschermd stads- of dorpsgezicht.
In ``plan`` every value may be null: "not given / no limit in the plan".

Every inconsistency raises :class:`~omgevingskaart.errors.ScenarioError` naming the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from ..errors import DataFileError, ScenarioError
from .rules import GEEN_REGEL, TOL_M, TOL_M2

#: accepted spellings of RD New
_RD_NAMES = {
    "epsg:28992",
    "urn:ogc:def:crs:epsg::28992",
    "http://www.opengis.net/def/crs/epsg/0/28992",
    "https://www.opengis.net/def/crs/epsg/0/28992",
}
#: how far a road side may lie from the parcel boundary (m): road sides are parcel edges.
ROAD_SIDE_MAX_OFFSET_M = 0.5
#: the largest height, distance or area a scenario may hold (m, m2): beyond it a value is a typo.
MAX_NUMBER = 100_000.0
#: the largest height of a bouwwerk (m) the check accepts.
MAX_HEIGHT_M = 1_000.0

MONUMENT_KINDS = {
    "rijksmonument": "rijksmonument",
    "rijks": "rijksmonument",
    "gemeentelijk monument": "gemeentelijk monument",
    "gemeentelijk": "gemeentelijk monument",
    "provinciaal monument": "provinciaal monument",
    "provinciaal": "provinciaal monument",
    "voorbeschermd": "voorbeschermd monument",
    "voorbeschermd monument": "voorbeschermd monument",
}


@dataclass(frozen=True)
class Annex:
    footprint: Polygon
    height: float


#: a plan value: a number, None (not known) or "geen" (the plan sets no such rule here).
PlanValue = float | str | None


@dataclass(frozen=True)
class Bijgebouwen:
    """The plan's own rules for bijbehorende bouwwerken (bijgebouwen, aan- en uitbouwen).

    Each value: a number, ``None`` (not known: the check cannot use it) or ``"geen"`` (the plan sets
    no such rule).  ``buiten_bouwvlak``: True when the plan allows them outside the bouwvlak, False
    when it does not, None when not known.
    """

    buiten_bouwvlak: bool | None = None
    max_oppervlakte: PlanValue = None
    max_goothoogte: PlanValue = None
    max_bouwhoogte: PlanValue = None
    min_afstand_achter_voorgevel: PlanValue = None


@dataclass(frozen=True)
class Plan:
    """The omgevingsplan (tijdelijk deel) at the proposal.  ``None`` means not known, ``"geen"``
    that the plan has no such rule here (for ``bouwvlak``: no bouwvlak on the perceel)."""

    bestemming: str | None = None
    max_bouwhoogte: PlanValue = None
    max_goothoogte: PlanValue = None
    bebouwingspercentage: PlanValue = None
    bouwvlak: Polygon | MultiPolygon | str | None = None
    bijgebouwen: Bijgebouwen = field(default_factory=Bijgebouwen)
    plan_id: str | None = None
    """The plan's identifier (IMRO idn, e.g. NL.IMRO.0294.BP...), where to read its rules."""
    plan_naam: str | None = None
    plan_versie: str | None = None
    """The plan's version / status date as delivered (e.g. "vastgesteld 2013-05-28")."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, geometries as shapely objects in EPSG:28992 metres."""

    parcel: Polygon
    road_sides: tuple[LineString, ...]
    main_footprint: Polygon
    main_height: float
    second_storey_floor: float | None
    """The top of the floor of the second bouwlaag (None with ``storeys_known``: one bouwlaag)."""
    original_footprint: Polygon | None
    """The oorspronkelijk hoofdgebouw (None: not known)."""
    annexes: tuple[Annex, ...]
    proposal: Polygon
    proposal_height: float
    eaves_height: float
    roof_pitch_deg: float | None
    ridge: LineString | None
    monument: str | None
    """None (no monument), "onbekend", or the kind ("rijksmonument", "gemeentelijk monument", ..., "monument")."""
    protected_townscape: bool | None
    """True / False, or None when not known."""
    plan: Plan = field(default_factory=Plan)
    second_storey_known: bool = False
    """True when ``second_storey_floor`` is given or the hoofdgebouw is stated to have one bouwlaag."""
    dakterras: bool = False
    """The proposal has a dakterras, balkon or other outdoor space not on the ground."""
    verblijfsgebied_boven: bool = False
    """The proposal has a verblijfsgebied above its first bouwlaag."""


# --- small typed readers --------------------------------------------------------------------------


def _require(obj: dict[str, Any], key: str, path: str) -> Any:
    if not isinstance(obj, dict):
        raise ScenarioError(path or "scenario", f"expected a JSON object, got {type(obj).__name__}")
    if key not in obj:
        raise ScenarioError(_join(path, key), "missing key")
    return obj[key]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _number(value: Any, fieldname: str, *, allow_none: bool = False, positive: bool = False,
            maximum: float = MAX_NUMBER) -> float | None:
    if value is None:
        if allow_none:
            return None
        raise ScenarioError(fieldname, "a number is required, got null")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(fieldname, f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ScenarioError(fieldname, f"expected a finite number, got {value!r}")
    if number < 0:
        raise ScenarioError(fieldname, f"must not be negative, got {number:g}")
    if number > maximum:
        raise ScenarioError(fieldname, f"must be at most {maximum:g}, got {number:g}")
    if positive and number <= 0:
        raise ScenarioError(fieldname, f"must be greater than 0, got {number:g}")
    return number


def _geometry(value: Any, fieldname: str, kinds: tuple[str, ...]) -> BaseGeometry:
    if not isinstance(value, dict) or "type" not in value:
        raise ScenarioError(fieldname, "expected a GeoJSON geometry object with 'type' and 'coordinates'")
    if value["type"] not in kinds:
        raise ScenarioError(fieldname, f"expected a GeoJSON {' or '.join(kinds)}, got {value['type']!r}")
    try:
        geom = shape(value)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        raise ScenarioError(fieldname, f"malformed GeoJSON coordinates: {exc}") from None
    if geom.is_empty:
        raise ScenarioError(fieldname, "geometry is empty")
    coords = shapely.get_coordinates(geom)
    if not bool(np.isfinite(coords).all()):
        raise ScenarioError(fieldname, "coordinates must be finite numbers")
    if not geom.is_valid:
        raise ScenarioError(fieldname, f"invalid geometry ({shapely.is_valid_reason(geom)})")
    if geom.geom_type in ("Polygon", "MultiPolygon") and geom.area <= TOL_M2:
        raise ScenarioError(fieldname, "polygon has no area")
    if geom.geom_type in ("LineString", "MultiLineString") and geom.length <= TOL_M:
        raise ScenarioError(fieldname, "line has no length")
    return geom


def _check_crs(data: dict[str, Any]) -> None:
    crs = _require(data, "crs", "")
    name = crs
    if isinstance(crs, dict):  # GeoJSON 2008 style {"type": "name", "properties": {"name": ...}}
        name = crs.get("properties", {}).get("name")
    if not isinstance(name, str) or name.strip().lower() not in _RD_NAMES:
        raise ScenarioError("crs", f"must be EPSG:28992 (RD New, metres), got {crs!r}")


# --- the parser ------------------------------------------------------------------------------------


def parse_scenario(data: Any) -> Scenario:
    """Validate a scenario dict and return a :class:`Scenario` (raises ScenarioError)."""
    if not isinstance(data, dict):
        raise ScenarioError("scenario", f"expected a JSON object, got {type(data).__name__}")
    _check_crs(data)

    parcel = _geometry(_require(data, "parcel", ""), "parcel", ("Polygon",))
    assert isinstance(parcel, Polygon)
    parcel_zone = parcel.buffer(TOL_M)

    road_raw = _geometry(_require(data, "road_side", ""), "road_side", ("LineString", "MultiLineString"))
    road_sides = tuple(road_raw.geoms) if isinstance(road_raw, MultiLineString) else (road_raw,)
    for i, line in enumerate(road_sides):
        fieldname = "road_side" if len(road_sides) == 1 else f"road_side[{i}]"
        if shapely.get_coordinates(line).shape[0] < 2 or line.length <= TOL_M:
            raise ScenarioError(fieldname, "needs two distinct points")
        gap = _max_offset(line, parcel)
        if gap > ROAD_SIDE_MAX_OFFSET_M:
            raise ScenarioError(
                fieldname,
                f"must run along the parcel boundary (a point of it lies {gap:.2f} m from it; "
                f"at most {ROAD_SIDE_MAX_OFFSET_M} m allowed)",
            )

    main = _require(data, "main_building", "")
    main_fp = _geometry(_require(main, "footprint", "main_building"), "main_building.footprint", ("Polygon",))
    assert isinstance(main_fp, Polygon)
    if not parcel_zone.covers(main_fp):
        raise ScenarioError("main_building.footprint", "the hoofdgebouw must lie on the parcel")
    main_height = _number(_require(main, "height", "main_building"), "main_building.height", positive=True,
                          maximum=MAX_HEIGHT_M)
    assert main_height is not None
    # a number; "geen" (the hoofdgebouw has one bouwlaag); null or "onbekend" (not known)
    second_raw = main.get("second_storey_floor")
    word = second_raw.strip().lower() if isinstance(second_raw, str) else None
    if word is not None and word not in (GEEN_REGEL, "onbekend"):
        raise ScenarioError("main_building.second_storey_floor",
                            f"expected a number, \"geen\" (one bouwlaag) or null (not known), got {second_raw!r}")
    second_known = word == GEEN_REGEL or (word is None and second_raw is not None)
    second = _number(None if word else second_raw, "main_building.second_storey_floor", allow_none=True)
    if second is not None and second >= main_height:
        raise ScenarioError(
            "main_building.second_storey_floor",
            f"the floor of the second storey ({second:g} m) must be below the height of the hoofdgebouw ({main_height:g} m)",
        )
    original_flag = main.get("original")
    if original_flag is not None and not isinstance(original_flag, bool):
        raise ScenarioError("main_building.original", f"expected true, false or null (not known), got {original_flag!r}")
    original_fp: Polygon | None = main_fp if original_flag else None
    if main.get("original_footprint") is not None:
        orig = _geometry(main["original_footprint"], "main_building.original_footprint", ("Polygon",))
        assert isinstance(orig, Polygon)
        if not main_fp.buffer(TOL_M).covers(orig):
            raise ScenarioError(
                "main_building.original_footprint", "the oorspronkelijk hoofdgebouw must lie within the current hoofdgebouw"
            )
        original_fp = orig

    annexes_raw = data.get("existing_annexes", [])
    if annexes_raw is None:
        annexes_raw = []
    if not isinstance(annexes_raw, list):
        raise ScenarioError("existing_annexes", "expected a list")
    annexes: list[Annex] = []
    for i, item in enumerate(annexes_raw):
        path = f"existing_annexes[{i}]"
        fp = _geometry(_require(item, "footprint", path), f"{path}.footprint", ("Polygon",))
        assert isinstance(fp, Polygon)
        if not parcel_zone.covers(fp):
            raise ScenarioError(f"{path}.footprint", "an existing bijbehorend bouwwerk must lie on the parcel")
        if fp.intersection(main_fp).area > TOL_M2:
            raise ScenarioError(f"{path}.footprint", "overlaps the hoofdgebouw")
        height = _number(item.get("height", 0.0), f"{path}.height", maximum=MAX_HEIGHT_M)
        assert height is not None
        annexes.append(Annex(fp, height))

    prop = _require(data, "proposal", "")
    prop_fp = _geometry(_require(prop, "footprint", "proposal"), "proposal.footprint", ("Polygon",))
    assert isinstance(prop_fp, Polygon)
    if not parcel_zone.covers(prop_fp):
        outside = prop_fp.difference(parcel).area
        raise ScenarioError("proposal.footprint", f"the proposal must lie on the parcel ({outside:.2f} m2 lies outside it)")
    overlap = prop_fp.intersection(main_fp).area
    if overlap > TOL_M2:
        raise ScenarioError("proposal.footprint", f"overlaps the hoofdgebouw by {overlap:.2f} m2")
    for i, annex in enumerate(annexes):
        if prop_fp.intersection(annex.footprint).area > TOL_M2:
            raise ScenarioError(
                "proposal.footprint",
                f"overlaps existing_annexes[{i}] (to replace it, leave it out of existing_annexes)",
            )
    prop_height = _number(_require(prop, "height", "proposal"), "proposal.height", positive=True,
                          maximum=MAX_HEIGHT_M)
    assert prop_height is not None
    eaves = _number(prop.get("eaves_height"), "proposal.eaves_height", allow_none=True, maximum=MAX_HEIGHT_M)
    if eaves is None:
        eaves = prop_height
    if eaves > prop_height + TOL_M:
        raise ScenarioError("proposal.eaves_height", f"the dakvoet ({eaves:g} m) cannot be above the height ({prop_height:g} m)")
    pitch = _number(prop.get("roof_pitch_deg"), "proposal.roof_pitch_deg", allow_none=True)
    if pitch is not None and pitch >= 90:
        raise ScenarioError("proposal.roof_pitch_deg", f"must be below 90 degrees, got {pitch:g}")
    ridge: LineString | None = None
    if prop.get("ridge") is not None:
        ridge_geom = _geometry(prop["ridge"], "proposal.ridge", ("LineString",))
        assert isinstance(ridge_geom, LineString)
        if not prop_fp.buffer(TOL_M).covers(ridge_geom):
            raise ScenarioError("proposal.ridge", "the daknok must lie above the proposal's footprint")
        ridge = ridge_geom

    monument = _monument(data.get("monument"))
    townscape = data.get("protected_townscape")
    if townscape is not None and not isinstance(townscape, bool):
        raise ScenarioError("protected_townscape", f"expected true, false or null (not known), got {townscape!r}")
    flags = {}
    for key in ("dakterras", "verblijfsgebied_boven_eerste_bouwlaag"):
        flag = prop.get(key, False)
        if not isinstance(flag, bool):
            raise ScenarioError(f"proposal.{key}", f"expected true or false, got {flag!r}")
        flags[key] = flag

    plan = _plan(data.get("plan") or {})

    return Scenario(
        parcel=parcel,
        road_sides=road_sides,
        main_footprint=main_fp,
        main_height=main_height,
        second_storey_floor=second,
        original_footprint=original_fp,
        annexes=tuple(annexes),
        proposal=prop_fp,
        proposal_height=prop_height,
        eaves_height=eaves,
        roof_pitch_deg=pitch,
        ridge=ridge,
        monument=monument,
        protected_townscape=townscape,
        plan=plan,
        second_storey_known=second_known,
        dakterras=flags["dakterras"],
        verblijfsgebied_boven=flags["verblijfsgebied_boven_eerste_bouwlaag"],
    )


def _max_offset(line: LineString, parcel: Polygon) -> float:
    """The largest distance from the parcel boundary of the line's vertices and of 21 points along it."""
    along = shapely.line_interpolate_point(line, np.linspace(0.0, 1.0, 21), normalized=True)
    points = np.concatenate([shapely.points(shapely.get_coordinates(line)), along])
    return float(shapely.distance(points, parcel.exterior).max())


def _monument(value: Any) -> str | None:
    if value is False:
        return None
    if value is None or (isinstance(value, str) and value.strip().lower() == "onbekend"):
        return "onbekend"
    if value is True:
        return "monument"
    if isinstance(value, str) and value.strip().lower() in MONUMENT_KINDS:
        return MONUMENT_KINDS[value.strip().lower()]
    raise ScenarioError(
        "monument",
        f"expected true, false or one of {sorted(set(MONUMENT_KINDS.values()))}, got {value!r}",
    )


def _plan_value(raw: dict[str, Any], key: str, path: str) -> PlanValue:
    value = raw.get(key)
    if isinstance(value, str) and value.strip().lower() == GEEN_REGEL:
        return GEEN_REGEL
    return _number(value, f"{path}.{key}", allow_none=True)


def _bijgebouwen(raw: Any) -> Bijgebouwen:
    if raw is None:
        return Bijgebouwen()
    if not isinstance(raw, dict):
        raise ScenarioError("plan.bijgebouwen", "expected a JSON object")
    known = {"buiten_bouwvlak", "max_oppervlakte", "max_goothoogte", "max_bouwhoogte",
             "min_afstand_achter_voorgevel"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ScenarioError(f"plan.bijgebouwen.{unknown[0]}", f"unknown key (known: {', '.join(sorted(known))})")
    outside = raw.get("buiten_bouwvlak")
    if outside is not None and not isinstance(outside, bool):
        raise ScenarioError("plan.bijgebouwen.buiten_bouwvlak", f"expected true, false or null, got {outside!r}")
    path = "plan.bijgebouwen"
    return Bijgebouwen(
        buiten_bouwvlak=outside,
        max_oppervlakte=_plan_value(raw, "max_oppervlakte", path),
        max_goothoogte=_plan_value(raw, "max_goothoogte", path),
        max_bouwhoogte=_plan_value(raw, "max_bouwhoogte", path),
        min_afstand_achter_voorgevel=_plan_value(raw, "min_afstand_achter_voorgevel", path),
    )


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise ScenarioError(f"plan.{key}", f"expected text or null, got {value!r}")
    return value.strip() or None if isinstance(value, str) else None


def _plan(raw: Any) -> Plan:
    if not isinstance(raw, dict):
        raise ScenarioError("plan", "expected a JSON object")
    known = {"bestemming", "max_bouwhoogte", "max_goothoogte", "bebouwingspercentage", "bouwvlak",
             "bijgebouwen", "plan_id", "plan_naam", "plan_versie"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ScenarioError(f"plan.{unknown[0]}", f"unknown key (known: {', '.join(sorted(known))})")
    bestemming = raw.get("bestemming")
    if bestemming is not None and (not isinstance(bestemming, str) or not bestemming.strip()):
        raise ScenarioError("plan.bestemming", f"expected a bestemming name or null, got {bestemming!r}")
    pct = _plan_value(raw, "bebouwingspercentage", "plan")
    if isinstance(pct, float) and pct > 100:
        raise ScenarioError("plan.bebouwingspercentage", f"must be at most 100, got {pct:g}")
    bouwvlak: Polygon | MultiPolygon | str | None = None
    if isinstance(raw.get("bouwvlak"), str) and raw["bouwvlak"].strip().lower() == GEEN_REGEL:
        bouwvlak = GEEN_REGEL
    elif raw.get("bouwvlak") is not None:
        geom = _geometry(raw["bouwvlak"], "plan.bouwvlak", ("Polygon", "MultiPolygon"))
        assert isinstance(geom, Polygon | MultiPolygon)
        bouwvlak = geom
    return Plan(
        bestemming=bestemming.strip() if isinstance(bestemming, str) else None,
        max_bouwhoogte=_plan_value(raw, "max_bouwhoogte", "plan"),
        max_goothoogte=_plan_value(raw, "max_goothoogte", "plan"),
        bebouwingspercentage=pct,
        bouwvlak=bouwvlak,
        bijgebouwen=_bijgebouwen(raw.get("bijgebouwen")),
        plan_id=_text(raw, "plan_id"),
        plan_naam=_text(raw, "plan_naam"),
        plan_versie=_text(raw, "plan_versie"),
    )


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read a scenario JSON file into a dict (DataFileError when it is missing or not JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, f"cannot read the scenario: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ScenarioError("scenario", f"expected a JSON object, got {type(data).__name__}")
    return data
