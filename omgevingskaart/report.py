"""The parcel report: what applies at a point, an address or a kadastraal perceel.

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> r = ds.report("Markt 12, Winterswijk")
>>> r.perceel.kadastrale_aanduiding.startswith("WWK00")
True
>>> r = ds.report(point=(246580, 443380), crs="EPSG:28992")
>>> sorted(r.to_dict())[:3]
['adressen', 'bouwaanduidingen', 'bouwvlak_op_locatie']

The report lists, for the perceel at the location: the perceel itself, the panden standing on it
and their addresses, and every plan object of the dataset that lies on the perceel (enkel- and
dubbelbestemmingen with hoofdgroep, bouwvlakken, maatvoeringen with value and unit, functie-,
bouw- and gebiedsaanduidingen), each with its plan (id, name, status, date) and article reference,
``op_locatie`` (whether it covers the point itself) and ``aandeel_perceel`` (the share of the
perceel it covers, in %). Monuments on the perceel are listed too. Objects that only touch the
perceel's edge (share below :data:`MIN_SHARE` %) are left out.

All lookups go through cached STRtrees and shapely's vectorised operations, so a report takes well
under a millisecond on the demo (``benchmarks/bench_report.py``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS

from .errors import CoordinateRangeError, CRSError, OutsideDataError, QueryError
from .geocode import display_address, parse_aanduiding

if TYPE_CHECKING:
    from .dataset import Dataset

#: plan objects covering less than this share (%) of the perceel only touch it and are left out.
MIN_SHARE = 0.5
#: panden with less than this share (%) of their footprint on the perceel stand on a neighbour.
MIN_PAND_SHARE = 10.0

DEMO_NOTICE = (
    "Let op: dit zijn synthetische demogegevens in de vorm van BAG, BRK, BGT en IMRO. "
    "Het is geen echte registratie en geen juridisch advies."
)


@dataclass
class Perceel:
    identificatie: str | None
    kadastrale_aanduiding: str | None
    kadastrale_gemeente_code: str | None
    kadastrale_gemeente: str | None
    sectie: str | None
    perceelnummer: int | None
    kadastrale_grootte: float | None
    geometry: Any = field(repr=False, default=None)


@dataclass
class Pand:
    identificatie: str | None
    bouwjaar: int | None
    status: str | None
    b3_h_maaiveld: float | None
    b3_h_dak_70p: float | None
    b3_h_dak_max: float | None
    hoogte_m: float | None  # b3_h_dak_max - b3_h_maaiveld (the building's height above ground)
    oppervlakte_m2: float
    aandeel_op_perceel: float


@dataclass
class Adres:
    weergave: str
    openbare_ruimte: str | None
    huisnummer: int | None
    huisletter: str | None
    huisnummertoevoeging: str | None
    postcode: str | None
    woonplaats: str | None
    gebruiksdoel: str | None
    oppervlakte: int | None
    verblijfsobject_id: str | None
    pand_identificatie: str | None


@dataclass
class Plan:
    plan_id: str
    naam: str | None
    type_plan: str | None
    planstatus: str | None
    datum: str | None


@dataclass
class PlanObject:
    laag: str
    identificatie: str | None
    naam: str | None
    hoofdgroep: str | None
    artikelnummer: str | None
    tekst_ref: str | None
    plan_id: str | None
    plan_naam: str | None
    planstatus: str | None
    op_locatie: bool
    aandeel_perceel: float | None


@dataclass
class Maatvoering(PlanObject):
    waarde_type: str | None = None
    waarde: float | None = None
    waarde_tekst: str | None = None
    eenheid: str | None = None


@dataclass
class Monument:
    identificatie: str | None
    naam: str | None
    monumenttype: str | None
    status: str | None
    adres: str | None
    op_locatie: bool


@dataclass
class ParcelReport:
    """Everything that applies at one location; ``to_dict()`` / ``to_json()`` for exchange."""

    query: dict[str, Any]
    x: float
    y: float
    perceel: Perceel | None
    panden: list[Pand]
    adressen: list[Adres]
    plannen: list[Plan]
    enkelbestemmingen: list[PlanObject]
    dubbelbestemmingen: list[PlanObject]
    bouwvlakken: list[PlanObject]
    bouwvlak_op_locatie: bool
    maatvoeringen: list[Maatvoering]
    functieaanduidingen: list[PlanObject]
    bouwaanduidingen: list[PlanObject]
    gebiedsaanduidingen: list[PlanObject]
    monumenten: list[Monument]
    bron: str | None
    notice: str | None

    @property
    def enkelbestemming(self) -> PlanObject | None:
        """The enkelbestemming at the location itself (None outside any plan)."""
        for obj in self.enkelbestemmingen:
            if obj.op_locatie:
                return obj
        return self.enkelbestemmingen[0] if self.enkelbestemmingen else None

    def maatvoering(self, waarde_type: str, *, op_locatie: bool = True) -> float | None:
        """The value of a maatvoering (e.g. ``"maximum bouwhoogte (m)"``) at the location."""
        for m in self.maatvoeringen:
            if (m.waarde_type or "").lower() == waarde_type.lower() and (m.op_locatie or not op_locatie):
                return m.waarde
        return None

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        """Plain JSON-ready dict; ``geometry=True`` adds the perceel as GeoJSON (RD metres)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "perceel" and value is not None:
                d = {k: v for k, v in asdict(value).items() if k != "geometry"}
                if geometry and value.geometry is not None:
                    d["geometry"] = shapely.geometry.mapping(value.geometry)
                out[name] = d
            elif isinstance(value, list):
                out[name] = [asdict(v) for v in value]
            else:
                out[name] = value
        out["locatie"] = {"x": self.x, "y": self.y, "crs": "EPSG:28992"}
        return _clean(out)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(**kwargs), ensure_ascii=False, indent=2)

    def summary(self) -> str:
        """A short Dutch text for residents (used by the CLI's plain output)."""
        lines = []
        if self.notice:
            lines.append(self.notice)
        lines.append(f"Locatie: RD {self.x:.2f}, {self.y:.2f}")
        if self.perceel:
            p = self.perceel
            lines.append(f"Perceel: {p.kadastrale_aanduiding} ({p.kadastrale_grootte:.0f} m²)"
                         if p.kadastrale_grootte is not None else f"Perceel: {p.kadastrale_aanduiding}")
        else:
            lines.append("Perceel: geen perceel op deze plek in de gegevens")
        for a in self.adressen:
            lines.append(f"Adres: {a.weergave} ({a.gebruiksdoel or 'gebruiksdoel onbekend'})")
        for b in self.panden:
            h = f", hoogte {b.hoogte_m:.1f} m" if b.hoogte_m is not None else ""
            lines.append(f"Pand {b.identificatie}: bouwjaar {b.bouwjaar or '?'}{h}")
        for plan in self.plannen:
            lines.append(f"Plan: {plan.naam} ({plan.plan_id}), {plan.planstatus or '?'} {plan.datum or ''}".rstrip())
        for title, objs in (("Bestemming", self.enkelbestemmingen),
                            ("Dubbelbestemming", self.dubbelbestemmingen),
                            ("Functieaanduiding", self.functieaanduidingen),
                            ("Bouwaanduiding", self.bouwaanduidingen),
                            ("Gebiedsaanduiding", self.gebiedsaanduidingen)):
            for o in objs:
                where = "hier" if o.op_locatie else f"{o.aandeel_perceel:.0f}% van het perceel"
                art = f", artikel {o.artikelnummer}" if o.artikelnummer else ""
                lines.append(f"{title}: {o.naam} ({where}{art})")
        lines.append("Bouwvlak: " + ("ja, op deze plek" if self.bouwvlak_op_locatie else
                                     ("op een deel van het perceel" if self.bouwvlakken else "nee")))
        for m in self.maatvoeringen:
            if m.op_locatie:
                lines.append(f"Maatvoering: {m.waarde_type} = {m.waarde_tekst or m.waarde}")
        for mon in self.monumenten:
            lines.append(f"Monument: {mon.naam} ({mon.monumenttype}, {mon.status}, nr. {mon.identificatie})")
        return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


# --- the query -----------------------------------------------------------------------------------


#: RD New coordinates of the Netherlands and its coastal waters (the extent of the RDNAPTRANS2018
#: correction grid): x -7,000..300,000 m, y 289,000..629,000 m. A point outside cannot be Dutch.
RD_LIMITS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)


def _check_xy(x: Any, y: Any) -> tuple[float, float]:
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError, OverflowError):
        raise CoordinateRangeError(f"coordinates must be numbers, got ({x!r}, {y!r})") from None
    for name, v in (("x", fx), ("y", fy)):
        if not math.isfinite(v):
            raise CoordinateRangeError(f"coordinate {name} must be a finite number, got {v}", field=name)
    return fx, fy


def _check_rd(x: float, y: float, crs: object) -> tuple[float, float]:
    """``(x, y)`` when it lies in the Netherlands in RD New; else a :class:`CoordinateRangeError`
    that says what the input looks like (degrees labelled as RD, a wild number)."""
    minx, miny, maxx, maxy = RD_LIMITS
    if minx <= x <= maxx and miny <= y <= maxy:
        return x, y
    hint = ""
    if -180 <= x <= 180 and -90 <= y <= 90:
        hint = (f"; ({x:g}, {y:g}) look like degrees (lon, lat): send crs=EPSG:4326 for WGS84 or "
                "RD coordinates in metres")
    field = "x" if not minx <= x <= maxx else "y"
    raise CoordinateRangeError(
        f"point ({x:.6g}, {y:.6g}) in {crs} lies outside the Netherlands: RD New x must be within "
        f"{minx:,.0f}..{maxx:,.0f} m and y within {miny:,.0f}..{maxy:,.0f} m{hint}", field=field)


_CRS_CACHE: dict[Any, tuple[CRS, int | None]] = {}


def _parse_crs(crs: str | int | CRS) -> tuple[CRS, int | None]:
    """The CRS and its EPSG code, cached per input (pyproj's parsing costs ~0.1 ms)."""
    key = crs if isinstance(crs, str | int) else crs.to_wkt()
    hit = _CRS_CACHE.get(key)
    if hit is None:
        try:
            c = CRS.from_user_input(crs)
        except Exception as exc:  # pyproj.exceptions.CRSError
            raise CRSError(f"unknown CRS {crs!r}: {exc}") from exc
        hit = (c, c.to_epsg())
        if len(_CRS_CACHE) < 256:
            _CRS_CACHE[key] = hit
    return hit


def to_rd(x: float, y: float, crs: str | int | CRS | None) -> tuple[float, float]:
    """``(x, y)`` in ``crs`` to RD New; WGS84/ETRS89 through RDNAPTRANS2018."""
    if crs is None:
        raise CRSError(
            "no CRS given for the point: say crs='EPSG:28992' for RD New (x, y in metres) or "
            "crs='EPSG:4326' for WGS84 (lon, lat in degrees)"
        )
    x, y = _check_xy(x, y)
    c, epsg = _parse_crs(crs)
    if epsg == 28992:
        return _check_rd(x, y, crs)
    if c.is_geographic:
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise CoordinateRangeError(
                f"({x:.6g}, {y:.6g}) is not a lon/lat pair in degrees for {crs}: lon must be within "
                "-180..180 and lat within -90..90", field="x" if not -180 <= x <= 180 else "y")
        from .crs import wgs84_to_rd

        rx, ry = wgs84_to_rd(np.array([x]), np.array([y]))
        return float(rx[0]), float(ry[0])
    if not c.is_projected:
        raise CRSError(f"CRS {crs!r} is neither geographic nor projected")
    from pyproj import Transformer

    t = Transformer.from_crs(c, 28992, always_xy=True)
    rx, ry = t.transform(x, y)
    return _check_rd(*_check_xy(rx, ry), f"RD (from ({x:.6g}, {y:.6g}) in {crs})")


def report(
    dataset: Dataset,
    query: str | None = None,
    *,
    point: tuple[float, float] | None = None,
    crs: str | int | CRS | None = None,
    address: str | None = None,
    postcode: str | None = None,
    huisnummer: int | str | None = None,
    perceel: str | None = None,
) -> ParcelReport:
    """What applies at a location given in exactly one way.

    * ``query``: free text, read as a kadastrale aanduiding (``"WWK00 K 1234"``) when it looks
      like one, else as an address (``"Markt 12, Winterswijk"``, ``"7101BH 12"``);
    * ``point=(x, y), crs=...``: a point; the CRS must be given (``"EPSG:28992"`` or
      ``"EPSG:4326"`` with lon, lat);
    * ``address=...``, or ``postcode=..., huisnummer=...``;
    * ``perceel="WWK00 K 1234"``: a kadastrale aanduiding.

    Raises :class:`AddressNotFoundError`, :class:`AmbiguousAddressError` (with candidates),
    :class:`OutsideDataError` for a point outside the data, :class:`CRSError` / :class:`QueryError`
    for bad input.
    """
    given = [k for k, v in (("query", query), ("point", point), ("address", address),
                            ("postcode", postcode), ("perceel", perceel)) if v is not None]
    if huisnummer is not None and postcode is None:
        raise QueryError("huisnummer needs a postcode (or give the address as text)")
    if len(given) != 1:
        raise QueryError("give exactly one of: query, point, address, postcode+huisnummer, perceel; "
                         f"got {given or 'none'}")
    address_rec = None
    perceel_row = None
    if query is not None:
        aand = parse_aanduiding(query)
        if aand is not None:
            try:
                perceel_row = _find_perceel(dataset, aand, query)
            except QueryError:
                if _looks_like_address(query):
                    address = query
                else:
                    raise
        else:
            address = query
        kind = "perceel" if perceel_row is not None else "adres"
        qinfo: dict[str, Any] = {"type": kind, "input": query}
    elif point is not None:
        if not isinstance(point, list | tuple | np.ndarray) or len(point) != 2:
            raise QueryError(f"point must be (x, y), got {point!r}")
        qinfo = {"type": "punt", "input": [point[0], point[1]], "crs": str(crs) if crs else None}
    elif perceel is not None:
        aand = parse_aanduiding(perceel)
        if aand is None:
            raise QueryError(f"cannot read {perceel!r} as a kadastrale aanduiding (e.g. 'WWK00 K 1234')")
        perceel_row = _find_perceel(dataset, aand, perceel)
        qinfo = {"type": "perceel", "input": perceel}
    elif postcode is not None:
        if huisnummer is None:
            raise QueryError("postcode needs a huisnummer")
        address = f"{postcode} {huisnummer}"
        qinfo = {"type": "adres", "input": address}
    else:
        qinfo = {"type": "adres", "input": address}

    if address is not None:
        address_rec, pt = dataset.geocoder.resolve(address)
        x, y = float(pt.x), float(pt.y)
        qinfo["gevonden"] = address_rec["weergave"]
    elif perceel_row is not None:
        idx_p, _ = perceel_row
        geom = dataset.index("perceel").geometries[idx_p]
        rp = shapely.point_on_surface(geom)
        x, y = float(rp.x), float(rp.y)
    else:
        assert point is not None
        x, y = to_rd(point[0], point[1], crs)
    return _build(dataset, x, y, qinfo, perceel_index=None if perceel_row is None else perceel_row[0])


def _looks_like_address(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and any(ch.isalpha() for ch in text)


def _find_perceel(dataset: Dataset, aand: tuple[str, str, int], text: str) -> tuple[int, dict]:
    if "perceel" not in dataset:
        raise QueryError(f"this dataset has no percelen to look up {text!r} in")
    gem, sectie, nr = aand
    idx = dataset.index("perceel")
    gem_n = gem.lower()
    for i, rec in enumerate(idx.records):
        if rec.get("sectie") == sectie and rec.get("perceelnummer") == nr and gem_n in (
            (rec.get("kadastrale_gemeente_code") or "").lower(),
            (rec.get("kadastrale_gemeente") or "").lower(),
        ):
            return i, rec
    raise QueryError(f"kadastraal perceel {text!r} not found in this dataset")


_PLAN_LAYERS = ("enkelbestemming", "dubbelbestemming", "bouwvlak", "maatvoering",
                "functieaanduiding", "bouwaanduiding", "gebiedsaanduiding")


def _build(dataset: Dataset, x: float, y: float, qinfo: dict[str, Any],
           perceel_index: int | None = None) -> ParcelReport:
    pt = shapely.Point(x, y)
    layers = dataset.layers
    perceel_geom = None
    perceel_obj = None
    if "perceel" in layers:
        pidx = dataset.index("perceel")
        if perceel_index is None:
            hits = pidx.tree.query(pt, predicate="intersects")
            perceel_index = int(hits.min()) if len(hits) else None
        if perceel_index is not None:
            rec = pidx.records[perceel_index]
            perceel_geom = pidx.geometries[perceel_index]
            perceel_obj = Perceel(
                identificatie=rec.get("identificatie"),
                kadastrale_aanduiding=rec.get("kadastrale_aanduiding"),
                kadastrale_gemeente_code=rec.get("kadastrale_gemeente_code"),
                kadastrale_gemeente=rec.get("kadastrale_gemeente"),
                sectie=rec.get("sectie"),
                perceelnummer=rec.get("perceelnummer"),
                kadastrale_grootte=rec.get("kadastrale_grootte"),
                geometry=perceel_geom,
            )
    area_geom = perceel_geom if perceel_geom is not None else pt

    in_plan = False
    if "bestemmingsplangebied" in layers:
        in_plan = len(dataset.index("bestemmingsplangebied").tree.query(pt, predicate="intersects")) > 0
    if perceel_geom is None and not in_plan:
        in_bgt = any(len(dataset.index(n).tree.query(pt, predicate="intersects"))
                     for n in layers if n.startswith("bgt_"))
        if not in_bgt:
            b = dataset.bounds
            raise OutsideDataError(
                f"point RD ({x:.2f}, {y:.2f}) lies outside the data: no perceel, plan or "
                f"topography there (this dataset covers RD {b[0]:.0f},{b[1]:.0f} - {b[2]:.0f},{b[3]:.0f})"
            )

    plans = _plans(dataset)
    found: dict[str, list] = {}
    for layer in _PLAN_LAYERS:
        found[layer] = (_plan_objects(dataset, layer, area_geom, pt, plans, perceel_index)
                        if layer in layers else [])

    panden: list[Pand] = []
    adressen: list[Adres] = []
    monumenten: list[Monument] = []
    if perceel_geom is not None:
        perceel_area = perceel_geom.area
        if "pand" in layers:
            idx = dataset.index("pand")
            hits = idx.tree.query(perceel_geom, predicate="intersects")
            if len(hits):
                g = idx.geometries[hits]
                areas = shapely.area(g)
                shared = areas.copy()
                partial = ~shapely.covers(perceel_geom, g)  # the perceel is prepared
                if partial.any():
                    shared[partial] = shapely.area(shapely.intersection(g[partial], perceel_geom))
                share = np.where(areas > 0, shared / np.where(areas > 0, areas, 1) * 100, 0)
                order = np.argsort(-shared, kind="stable")
                for j in order:
                    if share[j] < MIN_PAND_SHARE:
                        continue
                    r = idx.records[int(hits[j])]
                    top = r.get("b3_h_dak_max")
                    base = r.get("b3_h_maaiveld")
                    panden.append(Pand(
                        identificatie=r.get("identificatie"), bouwjaar=r.get("bouwjaar"),
                        status=r.get("status"), b3_h_maaiveld=base,
                        b3_h_dak_70p=r.get("b3_h_dak_70p"), b3_h_dak_max=top,
                        hoogte_m=round(top - base, 2) if top is not None and base is not None else None,
                        oppervlakte_m2=round(float(areas[j]), 1),
                        aandeel_op_perceel=round(float(share[j]), 1),
                    ))
        for layer in ("verblijfsobject", "ligplaats", "standplaats"):
            if layer not in layers:
                continue
            idx = dataset.index(layer)
            pred = "contains" if layer == "verblijfsobject" else "intersects"
            hits = np.sort(idx.tree.query(perceel_geom, predicate=pred))
            for j in hits:
                r = idx.records[int(j)]
                if layer != "verblijfsobject":
                    inter = shapely.intersection(idx.geometries[int(j)], perceel_geom).area
                    if inter < 0.5 * idx.geometries[int(j)].area:
                        continue
                adressen.append(_adres(r))
        if "monument" in layers:
            idx = dataset.index("monument")
            hits = idx.tree.query(perceel_geom, predicate="intersects")
            for j in np.sort(hits):
                g = idx.geometries[int(j)]
                if (g.geom_type in ("Polygon", "MultiPolygon") and g.area > 0
                        and shapely.intersection(g, perceel_geom).area < 0.1 * min(g.area, perceel_area)):
                    continue
                r = idx.records[int(j)]
                monumenten.append(Monument(
                    identificatie=r.get("identificatie"), naam=r.get("naam"),
                    monumenttype=r.get("monumenttype"), status=r.get("status"),
                    adres=r.get("adres"), op_locatie=bool(shapely.intersects(g, pt)),
                ))
    elif "monument" in layers:
        idx = dataset.index("monument")
        for j in np.sort(idx.tree.query(pt, predicate="intersects")):
            r = idx.records[int(j)]
            monumenten.append(Monument(r.get("identificatie"), r.get("naam"), r.get("monumenttype"),
                                       r.get("status"), r.get("adres"), True))

    used_plans = sorted({o.plan_id for objs in found.values() for o in objs if o.plan_id})
    plan_list = [plans[p] for p in used_plans if p in plans]
    if not plan_list and "bestemmingsplangebied" in layers:
        idx = dataset.index("bestemmingsplangebied")
        for j in np.sort(idx.tree.query(pt, predicate="intersects")):
            pid = idx.records[int(j)].get("plan_id") or idx.records[int(j)].get("identificatie")
            if pid in plans:
                plan_list.append(plans[pid])

    bouwvlakken = found["bouwvlak"]
    notice = DEMO_NOTICE if dataset.is_synthetic else None
    return ParcelReport(
        query=qinfo, x=round(x, 3), y=round(y, 3), perceel=perceel_obj,
        panden=panden, adressen=adressen, plannen=plan_list,
        enkelbestemmingen=found["enkelbestemming"],
        dubbelbestemmingen=found["dubbelbestemming"],
        bouwvlakken=bouwvlakken,
        bouwvlak_op_locatie=any(b.op_locatie for b in bouwvlakken),
        maatvoeringen=found["maatvoering"],
        functieaanduidingen=found["functieaanduiding"],
        bouwaanduidingen=found["bouwaanduiding"],
        gebiedsaanduidingen=found["gebiedsaanduiding"],
        monumenten=monumenten,
        bron=dataset.meta.get("bron"),
        notice=notice,
    )


def _adres(r: dict[str, Any]) -> Adres:
    return Adres(
        weergave=display_address(r), openbare_ruimte=r.get("openbare_ruimte"),
        huisnummer=r.get("huisnummer"), huisletter=r.get("huisletter"),
        huisnummertoevoeging=r.get("huisnummertoevoeging"), postcode=r.get("postcode"),
        woonplaats=r.get("woonplaats"), gebruiksdoel=r.get("gebruiksdoel"),
        oppervlakte=r.get("oppervlakte"), verblijfsobject_id=r.get("identificatie"),
        pand_identificatie=r.get("pand_identificatie"),
    )


def _plans(dataset: Dataset) -> dict[str, Plan]:
    cached = getattr(dataset, "_report_plans", None)
    if cached is not None:
        return cached
    plans: dict[str, Plan] = {}
    if "bestemmingsplangebied" in dataset:
        for r in dataset.index("bestemmingsplangebied").records:
            pid = r.get("plan_id") or r.get("identificatie")
            if pid:
                plans[pid] = Plan(pid, r.get("naam"), r.get("type_plan"), r.get("planstatus"), r.get("datum"))
    dataset._report_plans = plans
    return plans


#: percelen are shrunk by this much (m) to tell "covers it" and "only shares its edge" apart
#: from real partial overlaps without an exact intersection; the share this can misstate is
#: below 0.02 % of a 20 x 30 m perceel, under the report's 0.1 % precision.
EDGE_TOLERANCE_M = 0.001


def _inner_percelen(dataset: Dataset) -> np.ndarray:
    """Every perceel shrunk by :data:`EDGE_TOLERANCE_M`, prepared (built once per dataset)."""
    inner = dataset.__dict__.get("_perceel_inner")
    if inner is None:
        inner = shapely.buffer(dataset.index("perceel").geometries, -EDGE_TOLERANCE_M, join_style="mitre")
        shapely.prepare(inner)
        dataset.__dict__["_perceel_inner"] = inner
    return inner


def _overlay(dataset: Dataset, layer: str, area_geom: Any, key: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The objects of ``layer`` intersecting ``area_geom`` and the share (%) of it they cover.

    For a perceel (``key`` is its row) the answer does not depend on the point, so it is kept in
    a bounded per-dataset cache. Plan objects and percelen share edges that are equal only up to
    rounding, so "covers the whole perceel" and "only touches its edge" are decided against the
    perceel shrunk by :data:`EDGE_TOLERANCE_M` (prepared geometry: fast); only real partial
    overlaps need the costly exact intersection.
    """
    cache = dataset.__dict__.setdefault("_overlay_cache", {})
    if key is not None:
        hit = cache.get((layer, key))
        if hit is not None:
            return hit
    idx = dataset.index(layer)
    hits = idx.tree.query(area_geom, predicate="intersects")
    share = np.full(len(hits), 100.0)
    if len(hits) and area_geom.geom_type != "Point":
        geoms = idx.geometries[hits]
        types = shapely.get_type_id(geoms)
        polygonal = (types == 3) | (types == 6)
        inner = _inner_percelen(dataset)[key] if key is not None else area_geom
        if inner.is_empty:
            inner = area_geom
        partial = polygonal & ~shapely.covers(geoms, inner)
        if partial.any():
            edge_only = np.zeros(len(hits), dtype=bool)
            edge_only[partial] = ~shapely.intersects(inner, geoms[partial])
            share[edge_only] = 0.0
            partial &= ~edge_only
        if partial.any():
            total = area_geom.area
            inter = shapely.area(shapely.intersection(geoms[partial], area_geom))
            share[partial] = inter / total * 100 if total > 0 else 0.0
    result = (hits, share)
    if key is not None:
        if len(cache) >= _OVERLAY_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[(layer, key)] = result
    return result


_OVERLAY_CACHE_SIZE = 20000


def _plan_objects(dataset: Dataset, layer: str, area_geom: Any, pt: shapely.Point,
                  plans: dict[str, Plan], key: int | None = None) -> list:
    idx = dataset.index(layer)
    hits, share = _overlay(dataset, layer, area_geom, key)
    if not len(hits):
        return []
    geoms = idx.geometries[hits]
    at_point = shapely.intersects(geoms, pt)
    if area_geom.geom_type == "Point":
        share = np.where(at_point, 100.0, 0.0)
    keep = at_point | (share >= MIN_SHARE)
    order = np.lexsort((hits, -share, ~at_point))
    out = []
    for j in order:
        if not keep[j]:
            continue
        r = idx.records[int(hits[j])]
        plan = plans.get(r.get("plan_id") or "")
        base = dict(
            laag=layer, identificatie=r.get("identificatie"), naam=r.get("naam"),
            hoofdgroep=r.get("hoofdgroep"), artikelnummer=r.get("artikelnummer"),
            tekst_ref=r.get("tekst_ref"), plan_id=r.get("plan_id"),
            plan_naam=plan.naam if plan else None, planstatus=plan.planstatus if plan else None,
            op_locatie=bool(at_point[j]), aandeel_perceel=round(float(share[j]), 1),
        )
        if layer == "maatvoering":
            out.append(Maatvoering(**base, waarde_type=r.get("waarde_type"), waarde=r.get("waarde"),
                                   waarde_tekst=r.get("waarde_tekst"), eenheid=r.get("eenheid")))
        else:
            out.append(PlanObject(**base))
    return out
