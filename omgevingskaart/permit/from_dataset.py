"""The permit check for an address or perceel of a dataset: ``check_build_at`` (``omgevingskaart.check_build_at``).

The dataset gives everything :func:`~omgevingskaart.permit.scenario_from_parcel` needs, each read
with a window query around the perceel (``store.rows(layer, geometry=...)``), so a check costs the
same on a national PostGIS or GeoParquet store as on the demo:

* the perceel (BRK) at the address or kadastrale aanduiding (through :func:`~omgevingskaart.report.report`);
* the panden on it (BAG footprints) with their height above ground from the 3D BAG
  (``b3_h_dak_max - b3_h_maaiveld``: the highest point, which is what "never higher than the
  hoofdgebouw" compares); the pand holding the address is the hoofdgebouw;
* an estimate of the second storey's floor when the 3D BAG gives the number of storeys
  (``b3_bouwlagen`` >= 2: ground to 70th-percentile roof height divided by the storeys), else
  not known (the 0.3 m rule is then "onbekend", never passed nor "niet van toepassing");
* whether the hoofdgebouw is the *oorspronkelijk* hoofdgebouw: the BAG cannot know, so it is not
  known unless the caller states it (``original=True``); the rules depending on it are "onbekend";
* the public road: BGT wegdeel and ondersteunend wegdeel polygons within 30 m of the perceel,
  else the BAG street centre lines (``openbare_ruimte``);
* the omgevingsplan values where the proposal stands: the enkelbestemming and its plan (id, name,
  status and date), the union of the bouwvlakken on the perceel ("geen" when the bouwvlak layer is
  loaded and none lies on it), the lowest maximum goot- and bouwhoogte of the maatvoeringen the
  proposal touches and the maximum bebouwingspercentage on the perceel ("geen" when the
  maatvoering layer is loaded and none applies; not known when it is not loaded); the rules for
  bijgebouwen from IMRO where present: a bouwaanduiding or functieaanduiding naming
  "bijgebouw(en)" covering the proposal allows them outside the bouwvlak, a maatvoering naming
  "bijgebouw(en)" gives their maximum area / goot- / bouwhoogte.  The real IMRO samples hold no
  such objects (their bijgebouw rules are in the regels text only), so these stay unknown and a
  proposal only the 22.27 route could free gets "hangt af van het omgevingsplan";
* monument: a monument on the perceel (its monumenttype), not known when the dataset has no
  monument layer; beschermd stads- of dorpsgezicht: a ``beschermd_gezicht`` layer intersecting
  the perceel, not known when the dataset has no such layer.

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> from shapely.geometry import box
>>> r = omgevingskaart.report_at(ds, "Markt 12, Winterswijk")
>>> res = omgevingskaart.check_build_at(ds, "Markt 12, Winterswijk", {"footprint": box(0, 0, 1, 1), "height": 3.0})
Traceback (most recent call last):
...
omgevingskaart.errors.ScenarioError: proposal.footprint: the proposal lies outside the perceel WWK00 L 3839
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ..errors import ScenarioError
from ..report import report_at
from .check import CheckResult, check_build
from .from_parcel import scenario_from_parcel

if TYPE_CHECKING:
    from ..dataset import Dataset
    from ..report import ParcelReport

#: layers whose polygons are public road (the BGT's wegdeel and ondersteunend wegdeel).
ROAD_LAYERS = ("bgt_wegdeel", "bgt_ondersteunendwegdeel")
#: the dataset layers a check reads (the HTTP service applies its access rule to these).
CHECK_LAYERS = ("perceel", "pand", "verblijfsobject", *ROAD_LAYERS, "openbare_ruimte",
                "enkelbestemming", "maatvoering", "bouwvlak", "monument", "beschermd_gezicht")
ROAD_SEARCH_M = 30.0
_MONUMENT_KINDS = {"rijksmonument", "gemeentelijk monument", "provinciaal monument",
                   "voorbeschermd monument"}


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _panden(dataset: Dataset, parcel: BaseGeometry, second_storey_floor: float | str | None,
            original: bool | None) -> list[dict[str, Any]]:
    if "pand" not in dataset:
        raise ScenarioError("panden", "this dataset has no panden (BAG)")
    recs, geoms = dataset.store.rows("pand", geometry=parcel)
    panden = []
    for rec, geom in zip(recs, geoms, strict=True):
        ground, top, p70 = (_num(rec.get(k)) for k in ("b3_h_maaiveld", "b3_h_dak_max", "b3_h_dak_70p"))
        top = top if top is not None else p70
        if ground is None or top is None or top <= ground:
            continue  # no 3D BAG heights (e.g. under construction): cannot be used
        floor = second_storey_floor
        storeys = rec.get("b3_bouwlagen")
        if floor is None and storeys and storeys >= 2 and p70 is not None and p70 > ground:
            floor = round((p70 - ground) / storeys, 2)
        panden.append({"footprint": geom, "height": round(top - ground, 2),
                       "id": rec.get("identificatie"), "second_storey_floor": floor,
                       "original": original})
    if not panden:
        raise ScenarioError("panden", "no pand with a known height (3D BAG) on the perceel")
    return panden


def _roads(dataset: Dataset, parcel: BaseGeometry) -> list[BaseGeometry]:
    search = parcel.buffer(ROAD_SEARCH_M)
    roads: list[BaseGeometry] = []
    for layer in ROAD_LAYERS:
        if layer in dataset:
            roads += list(dataset.store.rows(layer, geometry=search, columns=[])[1])
    if not roads and "openbare_ruimte" in dataset:
        roads = [g for g in dataset.store.rows("openbare_ruimte", geometry=search, columns=[])[1]
                 if g is not None]
    if not roads:
        raise ScenarioError("roads", f"no public road (BGT wegdeel) within {ROAD_SEARCH_M:g} m of the perceel")
    return roads


def scenario_for(dataset: Dataset, location: str | ParcelReport, proposal: Mapping[str, Any],
                 *, second_storey_floor: float | str | None = None,
                 main_pand_id: str | None = None, original: bool | None = None,
                 protected_townscape: bool | None = None) -> dict[str, Any]:
    """The scenario dict for ``proposal`` at an address or kadastrale aanduiding of ``dataset``.

    ``location`` is an address / aanduiding, or a :class:`~omgevingskaart.report.ParcelReport`
    already made (for a point, say). ``proposal`` is the scenario's proposal block
    (``footprint`` as GeoJSON or shapely in RD, ``height``, optional ``eaves_height``, ...).
    ``second_storey_floor`` overrides the estimate (``"geen"``: one bouwlaag); ``main_pand_id``
    names the hoofdgebouw; ``original=True`` states that it is the oorspronkelijk hoofdgebouw (the
    BAG cannot tell: without it the rules depending on it are "onbekend"); ``protected_townscape``
    is the caller's statement about a rijksbeschermd gezicht, used when the dataset has no
    ``beschermd_gezicht`` layer (True always counts).
    """
    report = report_at(dataset, location) if isinstance(location, str) else location
    if report.perceel is None or report.perceel.geometry is None:
        raise ScenarioError("perceel", f"no kadastraal perceel at {report.query.get('input')!r} in the dataset")
    parcel = report.perceel.geometry
    footprint = proposal.get("footprint")
    if footprint is None:
        raise ScenarioError("proposal.footprint", "missing key")
    if not isinstance(footprint, BaseGeometry):
        try:
            footprint = shape(footprint)
        except Exception as exc:
            raise ScenarioError("proposal.footprint", f"malformed GeoJSON: {exc}") from None
    if not footprint.intersects(parcel):
        raise ScenarioError("proposal.footprint",
                            f"the proposal lies outside the perceel {report.perceel.kadastrale_aanduiding}")

    panden = _panden(dataset, parcel, second_storey_floor, original)
    if main_pand_id is None:
        address_ids = {a.pand_identificatie for a in report.adressen if a.pand_identificatie}
        main_pand_id = next((p["id"] for p in panden if p["id"] in address_ids), None)
    plan = _plan_values(dataset, report, parcel, footprint)
    monument: bool | str | None = False if "monument" in dataset else None
    if report.monumenten:
        kind = (report.monumenten[0].monumenttype or "").strip().lower()
        monument = kind if kind in _MONUMENT_KINDS else True
    protected: bool | None = protected_townscape
    if "beschermd_gezicht" in dataset:
        protected = bool(protected_townscape) or dataset.store.count("beschermd_gezicht", geometry=parcel) > 0

    address_point = shapely.Point(report.x, report.y) if report.adressen else None
    return scenario_from_parcel(
        perceel=parcel, panden=panden, roads=_roads(dataset, parcel),
        proposal={**proposal, "footprint": footprint}, plan=plan, monument=monument,
        protected_townscape=protected, address_point=address_point, main_pand_id=main_pand_id,
    )


def mentions_bijgebouw(rec: Mapping[str, Any]) -> bool:
    """Whether an IMRO aanduiding / maatvoering record is about bijgebouwen (its naam or waarde_type).

    >>> mentions_bijgebouw({"naam": "specifieke bouwaanduiding - bijgebouwen"})
    True
    """
    text = " ".join(str(rec.get(k) or "") for k in ("naam", "waarde_type")).lower()
    return "bijgebouw" in text or "bijbehorend" in text


def _plan_values(dataset: Dataset, report: Any, parcel: BaseGeometry,
                 footprint: BaseGeometry) -> dict[str, Any]:
    best = report.enkelbestemming
    loaded = "maatvoering" in dataset
    plan: dict[str, Any] = {"bestemming": best.naam if best else None,
                            "max_bouwhoogte": "geen" if loaded else None,
                            "max_goothoogte": "geen" if loaded else None,
                            "bebouwingspercentage": "geen" if loaded else None,
                            "bouwvlak": "geen" if "bouwvlak" in dataset and best is not None else None}
    bijgebouwen: dict[str, Any] = {}
    if best is not None and best.plan_id:
        plan["plan_id"] = best.plan_id
        info = next((p for p in report.plannen if p.plan_id == best.plan_id), None)
        if info is not None:
            plan["plan_naam"] = info.naam
            plan["plan_versie"] = " ".join(x for x in (info.planstatus, info.datum) if x) or None
    if "bouwvlak" in dataset and report.bouwvlakken:
        geoms = dataset.store.rows("bouwvlak", geometry=parcel, columns=[])[1]
        parts = shapely.intersection(geoms, parcel)
        vlak = shapely.union_all(parts[shapely.area(parts) > 0.5])
        if not vlak.is_empty and vlak.area > 0:
            plan["bouwvlak"] = vlak
    for layer in ("bouwaanduiding", "functieaanduiding"):
        if layer not in dataset:
            continue
        recs, geoms = dataset.store.rows(layer, geometry=footprint)
        for rec, geom in zip(recs, geoms, strict=True):
            if mentions_bijgebouw(rec) and geom.buffer(1e-6).covers(footprint):
                bijgebouwen["buiten_bouwvlak"] = True
    if loaded:
        recs, geoms = dataset.store.rows("maatvoering", geometry=parcel)
        for rec, geom in zip(recs, geoms, strict=True):
            kind = (rec.get("waarde_type") or "").lower()
            value = _num(rec.get("waarde"))
            if value is None:
                continue
            target = plan
            if mentions_bijgebouw(rec):
                if not geom.intersects(footprint):
                    continue
                target = bijgebouwen
                key = ("max_oppervlakte" if "oppervlakte" in kind else "max_goothoogte" if "goothoogte" in kind
                       else "max_bouwhoogte" if "bouwhoogte" in kind else None)
            elif kind == "maximum bebouwingspercentage (%)":
                key = "bebouwingspercentage"
            elif kind in ("maximum bouwhoogte (m)", "maximum goothoogte (m)"):
                if not geom.intersects(footprint):
                    continue
                key = "max_bouwhoogte" if "bouwhoogte" in kind else "max_goothoogte"
            else:
                continue
            if key is None:
                continue
            old = target.get(key)
            target[key] = value if not isinstance(old, float) else min(old, value)
    if bijgebouwen:
        plan["bijgebouwen"] = bijgebouwen
    return plan


def check_build_at(dataset: Dataset, location: str | ParcelReport, proposal: Mapping[str, Any],
                   *, second_storey_floor: float | str | None = None,
                   main_pand_id: str | None = None, original: bool | None = None,
                   protected_townscape: bool | None = None) -> CheckResult:
    """``check_build`` for a proposal at an address, perceel or report of the dataset."""
    return check_build(scenario_for(dataset, location, proposal,
                                    second_storey_floor=second_storey_floor,
                                    main_pand_id=main_pand_id, original=original,
                                    protected_townscape=protected_townscape))
