"""The parcel report: what applies at a point, an address or a kadastraal perceel, as an answer.

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> r = omgevingskaart.report_at(ds, "Markt 12, Winterswijk")
>>> r.perceel.kadastrale_aanduiding.startswith("WWK00")
True
>>> r.samenvatting.grenzen[0]
'Maximum goothoogte: 13 m.'
>>> r.regels[0].url.startswith("https://www.ruimtelijkeplannen.nl/documents/")
True
>>> r = omgevingskaart.report_at(ds, point=(246580, 443380), crs="EPSG:28992", geldig_op="2026-06-01")
>>> r.to_dict()["geldig_op"]
'2026-06-01'

The answer starts with :attr:`ParcelReport.samenvatting`: plain Dutch on what may be done here
(bestemming, aanduidingen, omgevingsplan activiteiten), what is protected (monumenten, beschermd
gezicht, dubbelbestemmingen) and where the limits are (bouwhoogte, goothoogte,
bebouwingspercentage, bouwvlak), plus what to watch (plans not yet in force, ontwerpen, data that
is missing). Then :attr:`ParcelReport.regels`: every rule that applies, with its part of the
omgevingsplan (tijdelijk deel = the bestemmingsplan, bruidsschat, nieuwe deel), its standing on
``geldig_op``, its text where the data holds it (STOP/TPOD regeltekst) and a link (the IMRO text
reference on ruimtelijkeplannen.nl). The codes and coordinates follow (:meth:`ParcelReport.details`).

For the perceel at the location it lists the perceel itself, the panden standing on it (BAG; the
BGT panden with their BAG ids where no BAG is loaded, ``bron="BGT"``) and their addresses, and
every plan object of the dataset on the perceel (enkel- and dubbelbestemmingen, bouwvlakken,
maatvoeringen with value and unit, functie-, bouw- and gebiedsaanduidingen), each with its plan,
article, link, ``op_locatie`` (covers the point itself) and ``aandeel_perceel`` (% of the perceel).
Objects of one plan with the same name, article and value are one entry (``aantal``). Objects
that only touch the perceel's edge (share below :data:`MIN_SHARE` %) are left out. Plans dated
after ``geldig_op`` are listed apart (``toekomstig``), as are ontwerp and voorontwerp plans
(``ontwerpen``). The omgevingsplan's STOP/TPOD rules come from :mod:`omgevingskaart.omgevingsplan`.

Without a perceel (no BRK loaded, or none there) the report covers the point: the panden at it,
their addresses, the plan objects at it. The point is "outside the data"
(:class:`OutsideDataError`) only when no loaded layer has anything there.

Every lookup is a question to the dataset's store (:mod:`omgevingskaart.store`), never a whole
layer: the perceel at the point (or by its aanduiding: a ``where`` query on ``sectie`` and
``perceelnummer``), then per layer the rows on that perceel with
:meth:`~omgevingskaart.store.base.Store.overlay`, which returns their area, the area they share
with the perceel and whether they lie at the point. Plan objects are compared with the perceel
shrunk by :data:`EDGE_TOLERANCE_M` (covers it: 100 %; only shares its edge: 0 %; else the exact
intersection). The perceel and every layer's overlay are one call,
:meth:`~omgevingskaart.store.base.Store.overlay_at`. On a small GeoPackage the store answers from
in-memory STRtrees; on a large one through the file's R-tree; on GeoParquet from the row groups
that meet the perceel; on PostGIS with one SQL statement (``ST_Covers``, ``ST_Intersects``,
``ST_Area(ST_Intersection(...))`` against ``ST_Buffer(perceel, -0.001)``), so only attributes and
a few numbers per row leave the database. The plan records are kept in the
store's cache (keys ``("report", ...)``), nothing on the Dataset (``benchmarks/bench_report.py``;
``tests/test_report_stores.py`` checks that every backend gives the same answer).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS

from .crs import RD_GRID_BOUNDS
from .errors import (
    CoordinateRangeError,
    CRSError,
    OmgevingskaartError,
    OutsideDataError,
    QueryError,
)
from .geocode import display_address, geocoder_for, parse_aanduiding
from .omgevingsplan import (
    GELDEND,
    ONTWERP,
    TIJDELIJK,
    TOEKOMSTIG,
    VOORONTWERP,
    TpodActiviteit,
    TpodGebiedsaanwijzing,
    TpodNorm,
    _article_key,
    imro_rule_url,
    parse_date,
    plan_status,
    plan_url,
    tpod_at,
)
from .schema import kind_of
from .store.base import Overlay, OverlayAsk, Store

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
    #: "BAG", or "BGT" for a bgt_pand standing in where no BAG panden are loaded
    bron: str = "BAG"


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
    tekst_ref: str | None = None
    #: on the report's ``geldig_op``: geldend, nog niet geldend, ontwerp or voorontwerp
    status: str = GELDEND
    deel: str = TIJDELIJK
    url: str | None = None


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
    status: str = GELDEND
    deel: str = TIJDELIJK
    geldig_vanaf: str | None = None
    #: the rule on ruimtelijkeplannen.nl (from the text reference, else the plan's regels)
    url: str | None = None
    #: how many objects of the plan with the same name, article and value this entry stands for
    aantal: int = 1


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
class BeschermdGezicht:
    identificatie: str | None
    naam: str | None
    gezichtstype: str | None
    op_locatie: bool


@dataclass
class Regel:
    """One rule that applies here, with its text where the data holds it and a link to it."""

    deel: str                 # tijdelijk deel / tijdelijk deel (bruidsschat) / nieuwe deel
    bron: str                 # "IMRO" (bestemmingsplan) or "STOP/TPOD"
    document: str | None      # the plan's name or the regeling's AKN work id
    artikel: str | None
    lid: str | None
    titel: str | None
    tekst: str | None         # the rule text (STOP text); None where only a link is known
    url: str | None
    verwijzing: str | None    # IMRO text reference (r_<planid>.html#anchor) or the STOP wId
    status: str
    geldig_vanaf: str | None
    op_locatie: bool | None   # None: applies if the point lies in the ambtsgebied (unknown)
    aanleiding: list[str] = field(default_factory=list)  # what puts the rule here


@dataclass
class Samenvatting:
    """The answer in plain Dutch: what may be done, what is protected, where the limits are."""

    gebruik: list[str]
    beschermd: list[str]
    grenzen: list[str]
    let_op: list[str]


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
    geldig_op: str | None = None
    samenvatting: Samenvatting | None = None
    regels: list[Regel] = field(default_factory=list)
    activiteiten: list[TpodActiviteit] = field(default_factory=list)
    omgevingsnormen: list[TpodNorm] = field(default_factory=list)
    gebiedsaanwijzingen: list[TpodGebiedsaanwijzing] = field(default_factory=list)
    beschermde_gezichten: list[BeschermdGezicht] = field(default_factory=list)
    #: plan objects of plans not in force on geldig_op, shown apart
    toekomstig: list[PlanObject] = field(default_factory=list)
    ontwerpen: list[PlanObject] = field(default_factory=list)
    woonplaats: str | None = None
    gemeentecode: str | None = None
    #: the dataset layers that hold something at this location (what the answer rests on; the
    #: plan-stage layers such as ``bouwvlak_voorontwerp`` are in ``ontwerpen`` instead)
    lagen_hier: list[str] = field(default_factory=list)
    #: registers with no layer in this dataset (their part of the answer is unknown)
    ontbrekend: list[str] = field(default_factory=list)

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
                out[name] = [asdict(v) if is_dataclass(v) and not isinstance(v, type) else v for v in value]
            elif is_dataclass(value) and not isinstance(value, type):
                out[name] = asdict(value)
            else:
                out[name] = value
        out["locatie"] = {"x": self.x, "y": self.y, "crs": "EPSG:28992"}
        return {k: _clean(v) for k, v in out.items()}

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(**kwargs), ensure_ascii=False, indent=2)

    def summary(self) -> str:
        """The answer as plain Dutch text (the CLI's output): the summary first, then every rule
        with its text or link, then the details (codes and coordinates)."""
        lines: list[str] = []
        title = self.query.get("gevonden") or (self.perceel.kadastrale_aanduiding if self.perceel else None)
        lines.append(f"Wat geldt hier? {title or f'RD {self.x:.2f}, {self.y:.2f}'} (geldig op {self.geldig_op})")
        sv = self.samenvatting or summarise(self)
        for key, heading in SUMMARY_SECTIONS:
            items = getattr(sv, key)
            if items:
                lines.append("")
                lines.append(heading)
                lines.extend(f"  - {item}" for item in items)
        if self.regels:
            lines.append("")
            lines.append("Regels")
            for rule in self.regels:
                lines.append(f"  - {rule_heading(rule)}")
                if rule.tekst:
                    lines.append(f"    {rule.tekst}")
                if rule.url:
                    lines.append(f"    {rule.url}")
        lines.append("")
        lines.append("Details")
        lines.extend(f"  {line}" for line in self.details())
        return "\n".join(lines)

    def details(self) -> list[str]:
        """Codes and coordinates: perceel, BAG ids, plan ids, RD coordinates (one line each)."""
        out = [f"Locatie: RD {self.x:.2f}, {self.y:.2f} (EPSG:28992)"]
        if self.perceel:
            p = self.perceel
            size = f" ({p.kadastrale_grootte:.0f} m²)" if p.kadastrale_grootte is not None else ""
            out.append(f"Perceel: {p.kadastrale_aanduiding}{size}, {p.identificatie}")
        if self.woonplaats:
            out.append(f"Woonplaats: {self.woonplaats}")
        for a in self.adressen:
            out.append(f"Adres: {a.weergave} ({a.gebruiksdoel or 'gebruiksdoel onbekend'}), "
                       f"verblijfsobject {a.verblijfsobject_id}")
        for b in self.panden:
            h = f", hoogte {b.hoogte_m:.1f} m" if b.hoogte_m is not None else ""
            src = " (uit de BGT)" if b.bron == "BGT" else ""
            out.append(f"Pand {b.identificatie}{src}: bouwjaar {b.bouwjaar or 'onbekend'}{h}")
        for plan in self.plannen:
            out.append(f"Plan: {plan.naam} ({plan.plan_id}), {plan.planstatus or '?'} {plan.datum or ''}".rstrip()
                       + (f", {plan.url}" if plan.url else ""))
        for o in self.toekomstig + self.ontwerpen:
            what = (f"{o.waarde_type} = {o.waarde_tekst or o.waarde}" if isinstance(o, Maatvoering)
                    else f"{o.laag} {o.naam}")
            out.append(f"{o.status.capitalize()}: {what} ({o.plan_id})")
        for act in self.activiteiten:
            out.append(f"Activiteit: {act.naam} - {act.kwalificatie} ({act.deel}; artikel "
                       f"{', '.join(act.artikelen) or '?'}; {act.werkingsgebied})")
        for mon in self.monumenten:
            out.append(f"Monument nr. {mon.identificatie}: {mon.naam}")
        if self.lagen_hier:
            out.append("Gegevens op deze plek: " + ", ".join(self.lagen_hier))
        return out


def rule_heading(rule: Regel) -> str:
    """"Artikel 3 Centrum - bestemmingsplan X (tijdelijk deel, geldend sinds 12-3-2026)"."""
    art = f"Artikel {rule.artikel}" if rule.artikel else "Regels"
    if rule.lid:
        art += f" lid {rule.lid.rstrip('.')}"
    title = f" {rule.titel}" if rule.titel else ""
    since = f" sinds {_date_nl(rule.geldig_vanaf)}" if rule.geldig_vanaf and rule.status == GELDEND else (
        f" vanaf {_date_nl(rule.geldig_vanaf)}" if rule.geldig_vanaf else "")
    where = "" if rule.op_locatie is not False else ", op een deel van het perceel"
    return f"{art}{title} - {rule.document or rule.bron} ({rule.deel}, {rule.status}{since}{where})"


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


#: a query point must lie in the Netherlands (RD New, the correction grid's extent)
RD_LIMITS = RD_GRID_BOUNDS


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
    geldig_op: date | str | None = None,
) -> ParcelReport:
    """What applies at a location given in exactly one way.

    * ``query``: free text, read as a kadastrale aanduiding (``"WWK00 L 3839"``) when it looks
      like one, else as an address (``"Markt 12, Winterswijk"``, ``"7101AK 12"``);
    * ``point=(x, y), crs=...``: a point; the CRS must be given (``"EPSG:28992"`` or
      ``"EPSG:4326"`` with lon, lat);
    * ``address=...``, or ``postcode=..., huisnummer=...``;
    * ``perceel="WWK00 L 3839"``: a kadastrale aanduiding.

    ``geldig_op`` (a date or ``"YYYY-MM-DD"``, default today) is the date the answer is for: plans
    and rules dated after it are listed apart (``toekomstig``), as are ontwerp and voorontwerp plans
    (``ontwerpen``).

    Raises :class:`AddressNotFoundError`, :class:`AmbiguousAddressError` (with candidates),
    :class:`OutsideDataError` for a point outside the data, :class:`CRSError` / :class:`QueryError`
    for bad input.
    """
    geldig_op = parse_date(geldig_op)  # bad dates fail before any lookup
    given = [k for k, v in (("query", query), ("point", point), ("address", address),
                            ("postcode", postcode), ("perceel", perceel)) if v is not None]
    if huisnummer is not None and postcode is None:
        raise QueryError("huisnummer needs a postcode (or give the address as text)")
    if len(given) != 1:
        raise QueryError("give exactly one of: query, point, address, postcode+huisnummer, perceel; "
                         f"got {given or 'none'}")
    address_rec = None
    perceel_row: _Row | None = None
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
            raise QueryError(f"cannot read {perceel!r} as a kadastrale aanduiding (e.g. 'WWK00 L 3839')")
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
        address_rec, pt = geocoder_for(dataset).resolve(address)
        x, y = float(pt.x), float(pt.y)
        qinfo["gevonden"] = address_rec["weergave"]
    elif perceel_row is not None:
        rp = shapely.point_on_surface(perceel_row[1])
        x, y = float(rp.x), float(rp.y)
    else:
        assert point is not None
        x, y = to_rd(point[0], point[1], crs)
    return _build(dataset, x, y, qinfo, perceel=perceel_row, geldig_op=parse_date(geldig_op))


#: a row of a layer as the store gives it: its record and its geometry
_Row = tuple[dict[str, Any], Any]


#: :func:`report` under the name it has at the package's top level (``omgevingskaart.report_at``),
#: where ``omgevingskaart.report`` is this module.
report_at = report


def _looks_like_address(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and any(ch.isalpha() for ch in text)


def _find_perceel(dataset: Dataset, aand: tuple[str, str, int], text: str) -> _Row:
    """The first perceel (row order) with this sectie and number in this kadastrale gemeente
    (code or name): a ``where`` query on the aanduiding's columns, not a scan of the layer."""
    if "perceel" not in dataset.store.layers():
        raise QueryError(f"this dataset has no percelen to look up {text!r} in")
    gem, sectie, nr = aand
    recs, geoms = dataset.store.rows("perceel", where={"sectie": sectie, "perceelnummer": nr})
    gem_n = gem.lower()
    for rec, geom in zip(recs, geoms, strict=True):
        if gem_n in ((rec.get("kadastrale_gemeente_code") or "").lower(),
                     (rec.get("kadastrale_gemeente") or "").lower()):
            return rec, geom
    raise QueryError(f"kadastraal perceel {text!r} not found in this dataset")


_PLAN_LAYERS = ("enkelbestemming", "dubbelbestemming", "bouwvlak", "maatvoering",
                "functieaanduiding", "bouwaanduiding", "gebiedsaanduiding")
#: plan-stage suffixes of layers that hold plans not yet published (schema.STAGE_SUFFIXES)
_STAGE_SUFFIX = "_voorontwerp"
_PLAN_AREA = "bestemmingsplangebied"
#: layers that say nothing about a place by themselves (no geometry, or a whole town)
_NOT_A_PLACE = ("openbare_ruimte", "locatie", "regeltekst", "activiteit", "omgevingsnorm",
                "gebiedsaanwijzing")
#: the layers the report reads itself (the others are only asked when these hold nothing)
_REPORT_LAYERS = frozenset(("perceel", "pand", "bgt_pand", "verblijfsobject", "ligplaats", "standplaats",
                            "woonplaats", _PLAN_AREA, "monument", "beschermd_gezicht",
                            *_PLAN_LAYERS, *(n + _STAGE_SUFFIX for n in (_PLAN_AREA, *_PLAN_LAYERS))))
#: registers the report draws on: the layers that stand for them, and their Dutch name
_REGISTERS = (("BRK (percelen)", ("perceel",)), ("BAG (panden, adressen)", ("pand", "verblijfsobject")),
              ("bestemmingsplan (IMRO)", ("enkelbestemming",)), ("monumenten", ("monument",)),
              ("beschermde stads- en dorpsgezichten", ("beschermd_gezicht",)))


def _build(dataset: Dataset, x: float, y: float, qinfo: dict[str, Any],
           perceel: _Row | None = None, geldig_op: Any = None) -> ParcelReport:
    """The report at RD ``(x, y)``; ``perceel`` when the query named one. The perceel and every
    layer's rows on it go to the store as one question (:meth:`Store.overlay_at`)."""
    on = parse_date(geldig_op)
    pt = shapely.Point(x, y)
    store = dataset.store
    layers = store.layers()
    #: per layer, whether it holds anything at the point (answered by the queries made anyway)
    holds: dict[str, bool] = {}
    # the whole question in one call to the store (one SQL statement in PostGIS): the perceel at
    # the point, then every layer's rows on it (or at the point), with their areas
    plan_layers = [name for layer in _PLAN_LAYERS for name in (layer, layer + _STAGE_SUFFIX) if name in layers]
    pand_layer = "pand" if "pand" in layers else "bgt_pand" if "bgt_pand" in layers else None
    asks = [OverlayAsk(name, tolerance=EDGE_TOLERANCE_M) for name in plan_layers]
    if _PLAN_AREA in layers:
        asks.append(OverlayAsk(_PLAN_AREA, on="point", columns=("plan_id", "identificatie"), areas="no"))
    if pand_layer is not None:
        asks.append(OverlayAsk(pand_layer, areas="yes"))
    asks += _address_asks(layers)  # the addresses on the perceel
    if "monument" in layers:
        asks.append(OverlayAsk("monument"))
    if "beschermd_gezicht" in layers:
        asks.append(OverlayAsk("beschermd_gezicht", columns=("identificatie", "naam", "gezichtstype"), areas="no"))
    if "woonplaats" in layers:
        asks.append(OverlayAsk("woonplaats", on="point", columns=("naam",), areas="no"))
    # the other report layers: only whether they hold anything here (``columns=()``: lagen_hier)
    told = {"perceel", *plan_layers, _PLAN_AREA, pand_layer, "monument", "beschermd_gezicht", "woonplaats"}
    for layer in layers:
        if layer in _REPORT_LAYERS and not layer.endswith(_STAGE_SUFFIX) and layer not in told:
            asks.append(OverlayAsk(layer, on="shape" if layer in ("verblijfsobject", "monument") else "point",
                                   columns=(), areas="no"))
    has_perceel = "perceel" in layers
    perceel, answers = store.overlay_at(pt, asks, base="perceel" if has_perceel else None, base_row=perceel)
    ov_of = {a.layer: ov for a, ov in zip(asks, answers, strict=True) if a.columns != ()}
    perceel_geom = None
    perceel_obj = None
    if has_perceel:
        holds["perceel"] = perceel is not None  # a named perceel holds its point_on_surface
        if perceel is not None:
            rec, perceel_geom = perceel
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
    on_perceel = perceel_geom is not None
    for a, ov in zip(asks, answers, strict=True):
        if a.columns == ():
            holds[a.layer] = bool(ov.records)

    # the plan objects on the perceel (or at the point), with their share computed by the store
    overlays = {name: ov_of[name] for name in plan_layers}
    for name, ov in overlays.items():
        holds[name] = bool(ov.at_point.any())  # the point lies on the perceel
    plan_here: list[dict[str, Any]] = []
    if _PLAN_AREA in layers:
        plan_here = ov_of[_PLAN_AREA].records
        holds[_PLAN_AREA] = bool(plan_here)
    plan_ids = {r.get("plan_id") for ov in overlays.values() for r in ov.records}
    plan_ids |= {r.get("plan_id") or r.get("identificatie") for r in plan_here}
    plans = _plans(dataset, plan_ids, on, near=pt if perceel_geom is None else perceel_geom)
    found: dict[str, list[PlanObject]] = {}
    for layer in _PLAN_LAYERS:
        objs: list[PlanObject] = []
        for name in (layer, layer + _STAGE_SUFFIX):
            if name in overlays:
                objs += _plan_objects(name, overlays[name], on_perceel, plans)
        found[layer] = objs
    toekomstig = [o for objs in found.values() for o in objs if o.status == TOEKOMSTIG]
    ontwerpen = [o for objs in found.values() for o in objs if o.status in (ONTWERP, VOORONTWERP)]
    for layer in _PLAN_LAYERS:
        found[layer] = [o for o in found[layer] if o.status == GELDEND]

    panden: list[Pand] = []
    if pand_layer is not None:
        panden, holds[pand_layer] = _panden(ov_of[pand_layer], area_geom, "BAG" if pand_layer == "pand" else "BGT")
    adressen = _adressen(store, layers, perceel_geom, pand_layer if panden else None, pt,
                         {a.layer: ov_of[a.layer] for a in _address_asks(layers)})
    monumenten = _monumenten(ov_of.get("monument"), perceel_geom, holds)
    gezichten: list[BeschermdGezicht] = []
    if "beschermd_gezicht" in layers:
        ov = ov_of["beschermd_gezicht"]
        holds["beschermd_gezicht"] = bool(ov.at_point.any())
        for r, here in zip(ov.records, ov.at_point, strict=True):
            gezichten.append(BeschermdGezicht(r.get("identificatie"), r.get("naam"), r.get("gezichtstype"),
                                              bool(here)))
    woonplaats = None
    if "woonplaats" in layers:
        names = ov_of["woonplaats"].records
        holds["woonplaats"] = bool(names)
        woonplaats = names[0].get("naam") if names else None

    # what the loaded layers hold at the point itself ("outside the data" only when nothing)
    lagen_hier = [n for n in layers if n in _REPORT_LAYERS and not n.endswith(_STAGE_SUFFIX)
                  and (holds[n] if n in holds else _holds(store, n, area_geom, pt))]
    if not lagen_hier and perceel_geom is None:  # anything else at all? (topography, ...)
        lagen_hier = [n for n in layers if n not in _NOT_A_PLACE and n not in _REPORT_LAYERS
                      and _holds(store, n, area_geom, pt)]

    # the gemeente: from the BAG ids here (4 digits gemeentecode), else the dataset's own
    gemeentecode = None
    for pid in [p.identificatie for p in panden] + [a.verblijfsobject_id for a in adressen]:
        if pid and len(pid) == 16 and pid.isdigit():
            gemeentecode = pid[:4]
            break
    meta = dataset.meta
    if gemeentecode is None and lagen_hier and meta.get("gemeentecode"):
        gemeentecode = meta["gemeentecode"]
    tpod = tpod_at(dataset, pt, gemeentecode=gemeentecode, geldig_op=on)

    if not lagen_hier and perceel_geom is None and not (tpod.regels or tpod.activiteiten):
        raise OutsideDataError(
            f"point RD ({x:.2f}, {y:.2f}) lies outside the data: no loaded layer has anything "
            f"there ({store.cache.get(('report', 'extent'), lambda: _extent(dataset))})"
        )

    used_plans = sorted({o.plan_id for objs in found.values() for o in objs if o.plan_id})
    plan_list = [plans[p] for p in used_plans if p in plans]
    if not plan_list:
        for r in plan_here:
            pid = r.get("plan_id") or r.get("identificatie")
            if pid in plans and plans[pid].status == GELDEND:
                plan_list.append(plans[pid])

    bouwvlakken = found["bouwvlak"]
    rep = ParcelReport(
        query=qinfo, x=round(x, 3), y=round(y, 3), perceel=perceel_obj,
        panden=panden, adressen=adressen, plannen=plan_list,
        enkelbestemmingen=found["enkelbestemming"],
        dubbelbestemmingen=found["dubbelbestemming"],
        bouwvlakken=bouwvlakken,
        bouwvlak_op_locatie=any(b.op_locatie for b in bouwvlakken),
        maatvoeringen=[m for m in found["maatvoering"] if isinstance(m, Maatvoering)],
        functieaanduidingen=found["functieaanduiding"],
        bouwaanduidingen=found["bouwaanduiding"],
        gebiedsaanduidingen=found["gebiedsaanduiding"],
        monumenten=monumenten,
        bron=meta.get("bron"),
        notice=DEMO_NOTICE if meta.get("synthetisch", "nee") == "ja" else None,
        geldig_op=on.isoformat(),
        regels=_imro_rules(found, plans) + _tpod_rules(tpod.regels),
        activiteiten=tpod.activiteiten,
        omgevingsnormen=tpod.omgevingsnormen,
        gebiedsaanwijzingen=tpod.gebiedsaanwijzingen,
        beschermde_gezichten=gezichten,
        toekomstig=toekomstig,
        ontwerpen=ontwerpen,
        woonplaats=woonplaats,
        gemeentecode=gemeentecode,
        lagen_hier=lagen_hier,
        ontbrekend=[name for name, need in _REGISTERS if not any(n in layers for n in need)
                    and not (name.startswith("BAG") and "bgt_pand" in layers)],
    )
    rep.samenvatting = summarise(rep)
    return rep


def _extent(dataset: Dataset) -> str:
    """The dataset's extent for the "outside the data" message (from the layers' metadata)."""
    try:
        b = dataset.bounds
    except OmgevingskaartError:
        return "this dataset holds no geometry"
    return f"this dataset covers RD {b[0]:.0f},{b[1]:.0f} - {b[2]:.0f},{b[3]:.0f}"


def _holds(store: Store, layer: str, area_geom: Any, pt: shapely.Point) -> bool:
    """Whether ``layer`` has anything at the point (address points and monuments: on the perceel)."""
    where = area_geom if layer in ("verblijfsobject", "monument") else pt
    return bool(store.rows(layer, geometry=where, columns=[], limit=1)[0])


def _panden(ov: Overlay, area_geom: Any, bron: str) -> tuple[list[Pand], bool]:
    """The panden standing on ``area_geom`` (a perceel: at least MIN_PAND_SHARE % of their
    footprint on it; a point: the panden at it), largest share first, from their overlay with
    it; and whether any pand stands at the point itself."""
    if not ov.records:
        return [], False
    areas = ov.area
    shared = areas.copy() if area_geom.geom_type == "Point" else np.nan_to_num(ov.shared)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(areas > 0, shared / np.where(areas > 0, areas, 1) * 100, 0)
    out = []
    seen: set[Any] = set()
    # ties (equal footprints) in row order, whatever the last bits of each backend's areas
    for j in np.argsort(-np.round(shared, 6), kind="stable"):
        if share[j] < MIN_PAND_SHARE:
            continue
        r = ov.records[int(j)]
        ident = r.get("identificatie") if bron == "BAG" else (r.get("identificatie_bag_pnd")
                                                              or r.get("identificatie"))
        if ident in seen:  # BGT: one BAG pand can be drawn as several BGT objects
            continue
        seen.add(ident)
        top, base = r.get("b3_h_dak_max"), r.get("b3_h_maaiveld")
        out.append(Pand(
            identificatie=ident, bouwjaar=r.get("bouwjaar"), status=r.get("status"),
            b3_h_maaiveld=base, b3_h_dak_70p=r.get("b3_h_dak_70p"), b3_h_dak_max=top,
            hoogte_m=round(top - base, 2) if top is not None and base is not None else None,
            oppervlakte_m2=round(float(areas[j]), 1), aandeel_op_perceel=round(float(share[j]), 1),
            bron=bron,
        ))
    return out, bool(ov.at_point.any())


def _address_asks(layers: list[str]) -> list[OverlayAsk]:
    """The address layers' questions: the verblijfsobjecten within the area, the ligplaatsen
    and standplaatsen on it with their areas."""
    return [OverlayAsk(layer, predicate="within", areas="no") if layer == "verblijfsobject"
            else OverlayAsk(layer, areas="yes")
            for layer in ("verblijfsobject", "ligplaats", "standplaats") if layer in layers]


def _adressen(store: Store, layers: list[str], perceel_geom: Any, pand_layer: str | None,
              pt: shapely.Point, on_perceel: dict[str, Overlay]) -> list[Adres]:
    """The addresses on the perceel (without one: in the panden at the point; a ligplaats or
    standplaats when at least half of it lies there); on water, the ligplaats at the point.
    ``on_perceel``: the overlays of :func:`_address_asks` with the perceel, asked already."""
    adressen: list[Adres] = []
    found = on_perceel if perceel_geom is not None else None
    if found is None and pand_layer is not None:
        area = shapely.union_all(store.rows(pand_layer, geometry=pt)[1])
        asks = _address_asks(layers)
        found = {a.layer: ov for a, ov in zip(asks, store.overlay_at(pt, asks, base=None,
                                                                     base_row=({}, area))[1], strict=True)}
    for layer, ov in (found or {}).items():
        if layer == "verblijfsobject":  # the rows within the area
            adressen += [_adres(r) for r in ov.records]
        else:
            adressen += [_adres(r) for r, whole, shared in zip(ov.records, ov.area, ov.shared, strict=True)
                         if not shared < 0.5 * whole]
    for layer in ("ligplaats", "standplaats"):  # a ligplaats on water has no perceel or pand
        if layer in layers and not adressen and found is None:
            adressen += [_adres(r) for r in store.rows(layer, geometry=pt)[0]]
    return adressen


def _monumenten(ov: Overlay | None, perceel_geom: Any, holds: dict[str, bool]) -> list[Monument]:
    """The monuments on the perceel (polygons: with at least 10 % of the smaller of the two
    shared) or at the point, from their overlay with it (None: no monument layer)."""
    if ov is None:
        return []
    holds["monument"] = bool(ov.records)
    out = []
    for j, r in enumerate(ov.records):
        if perceel_geom is not None:
            whole, shared = float(ov.area[j]), float(ov.shared[j])
            if whole > 0 and shared < 0.1 * min(whole, ov.shape_area):  # NaN (not a polygon): kept
                continue
        out.append(Monument(
            identificatie=r.get("identificatie"), naam=r.get("naam"),
            monumenttype=r.get("monumenttype"), status=r.get("status"),
            adres=r.get("adres"), op_locatie=perceel_geom is None or bool(ov.at_point[j]),
        ))
    return out


_TITLES = {"enkelbestemming": "Bestemming", "dubbelbestemming": "Dubbelbestemming",
           "bouwvlak": "Bouwvlak", "maatvoering": "Maatvoering",
           "functieaanduiding": "Functieaanduiding", "bouwaanduiding": "Bouwaanduiding",
           "gebiedsaanduiding": "Gebiedsaanduiding"}


def _imro_rules(found: dict[str, list[PlanObject]], plans: dict[str, Plan]) -> list[Regel]:
    """One rule per (plan, article, text reference) of the plan objects here, in article order."""
    rules: dict[tuple[Any, ...], Regel] = {}
    for layer in _PLAN_LAYERS:
        for o in found[layer]:
            if not (o.artikelnummer or o.tekst_ref):
                continue
            key = (o.plan_id, o.artikelnummer, o.tekst_ref)
            what = f"{_TITLES[layer]} {o.naam}" if o.naam and layer != "maatvoering" else _TITLES[layer]
            rule = rules.get(key)
            if rule is None:
                plan = plans.get(o.plan_id or "")
                titel = o.naam if layer in ("enkelbestemming", "dubbelbestemming") else None
                rule = rules[key] = Regel(
                    deel=TIJDELIJK, bron="IMRO", document=plan.naam if plan else o.plan_id,
                    artikel=o.artikelnummer, lid=None, titel=titel, tekst=None, url=o.url,
                    verwijzing=o.tekst_ref, status=o.status, geldig_vanaf=o.geldig_vanaf,
                    op_locatie=o.op_locatie)
            rule.op_locatie = bool(rule.op_locatie or o.op_locatie)
            if rule.titel is None and layer in ("enkelbestemming", "dubbelbestemming"):
                rule.titel = o.naam
            if what not in rule.aanleiding:
                rule.aanleiding.append(what)
    return sorted(rules.values(), key=lambda r: (r.document or "", _article_key(r.artikel)))


def _tpod_rules(regels: list[Any]) -> list[Regel]:
    return [Regel(deel=r.deel, bron="STOP/TPOD", document=r.regeling_id, artikel=r.artikel, lid=r.lid,
                  titel=r.titel, tekst=r.tekst, url=r.url, verwijzing=r.wid, status=r.status,
                  geldig_vanaf=r.geldig_vanaf, op_locatie=r.op_locatie,
                  aanleiding=[f"{r.type_regel or 'regel'}, werkingsgebied: {r.werkingsgebied}"])
            for r in regels]


def _adres(r: dict[str, Any]) -> Adres:
    return Adres(
        weergave=display_address(r), openbare_ruimte=r.get("openbare_ruimte"),
        huisnummer=r.get("huisnummer"), huisletter=r.get("huisletter"),
        huisnummertoevoeging=r.get("huisnummertoevoeging"), postcode=r.get("postcode"),
        woonplaats=r.get("woonplaats"), gebruiksdoel=r.get("gebruiksdoel"),
        oppervlakte=r.get("oppervlakte"), verblijfsobject_id=r.get("identificatie"),
        pand_identificatie=r.get("pand_identificatie"),
    )


def _plans(dataset: Dataset, plan_ids: set[Any], on: Any, *, near: Any = None) -> dict[str, Plan]:
    """The plans ``plan_ids`` (published and voorontwerp) with their standing on ``on``.

    A plan's record is looked up by ``plan_id`` (else ``identificatie``) with a ``where`` query,
    once per plan: the records are kept in the store's cache (keys ``("report", "plan", ...)``),
    the standing is computed per request. ``near`` (the perceel or the point asked about) is
    where the plans' areas lie: see :func:`_plan_records`."""
    plans: dict[str, Plan] = {}
    ids = sorted(str(p) for p in plan_ids if p)
    if not ids:
        return plans
    store = dataset.store
    layers = [layer for layer in (_PLAN_AREA, _PLAN_AREA + _STAGE_SUFFIX) if layer in store.layers()]
    records = _plan_records(store, layers, ids, near)
    for layer in layers:
        for pid in ids:
            r = records[layer].get(pid)
            if r is None:
                continue
            status = r.get("planstatus") or ("voorontwerp" if layer.endswith(_STAGE_SUFFIX) else None)
            plans[pid] = Plan(pid, r.get("naam"), r.get("type_plan"), r.get("planstatus"), r.get("datum"),
                              tekst_ref=r.get("tekst_ref"), status=plan_status(status, r.get("datum"), on),
                              url=plan_url(pid))
    return plans


def _plan_records(store: Store, layers: list[str], ids: list[str], near: Any = None
                  ) -> dict[str, dict[str, dict[str, Any] | None]]:
    """Per plan layer, the record of each plan of ``ids`` (the last in row order; None when the
    layer does not hold it), from the store's cache; the ids not cached yet are fetched
    together.

    The plans asked for are those of the objects on the perceel (``near``), so their areas meet
    it: they are looked for there first, in every plan layer (a window read, which a GeoParquet
    store answers from the row groups around it). Only the ids found near it in no plan layer
    are then looked for in the whole of each layer (a where-only read, which a GeoParquet store
    answers by opening every part: the first report on 3,000 demo copies took 2.7 s and 766 MB,
    most of it in these scans, when every id missing from one layer was looked for everywhere).
    """
    def key(layer: str, pid: str) -> tuple[str, ...]:
        return ("report", "plan", layer, pid)

    missing = {layer: [p for p in ids if key(layer, p) not in store.cache] for layer in layers}
    found: dict[str, dict[str, dict[str, Any]]] = {layer: {} for layer in layers}

    def fetch(layer: str, todo: list[str], **scope: Any) -> None:
        if not todo:
            return
        for r in store.rows(layer, where={"plan_id": todo}, **scope)[0]:
            found[layer][str(r["plan_id"])] = r
        rest = [p for p in todo if p not in found[layer]]
        if rest:
            for r in store.rows(layer, where={"identificatie": rest}, **scope)[0]:
                if not r.get("plan_id"):
                    found[layer][str(r["identificatie"])] = r

    if any(missing.values()):
        if near is not None:  # near the perceel, in every plan layer
            for layer in layers:
                fetch(layer, missing[layer], geometry=near)
        known = {p for got in found.values() for p in got}  # found now or by an earlier report
        known |= {p for layer in layers for p in ids if store.cache.peek(key(layer, p)) is not None}
        for layer in layers:  # the whole layer, only for the ids found in no plan layer
            fetch(layer, [p for p in missing[layer] if p not in known])
    for layer in layers:
        for p in missing[layer]:
            store.cache.get(key(layer, p), lambda layer=layer, p=p: found[layer].get(p))  # type: ignore[misc]
    return {layer: {p: store.cache.peek(key(layer, p)) for p in ids} for layer in layers}


#: percelen are shrunk by this much (m) to tell "covers it" and "only shares its edge" apart
#: from real partial overlaps without an exact intersection; the share this can misstate is
#: below 0.02 % of a 20 x 30 m perceel, under the report's 0.1 % precision.
EDGE_TOLERANCE_M = 0.001


def _plan_objects(layer: str, ov: Overlay, on_perceel: bool, plans: dict[str, Plan]) -> list[PlanObject]:
    """The plan objects of ``layer`` in the overlay with the perceel (or the point): those at
    the point first, then by share of the perceel; the objects that only touch its edge (share
    below :data:`MIN_SHARE`) are left out, the twins of one plan merged."""
    n = len(ov.records)
    if not n:
        return []
    at_point = ov.at_point
    if on_perceel:
        total = ov.shape_area
        with np.errstate(invalid="ignore", divide="ignore"):
            part = ov.shared / total * 100 if total > 0 else np.zeros(n)
        # not polygonal (NaN): counts whole; covering the perceel: exactly 100
        share = np.where(np.isnan(ov.shared) | (ov.shared >= total), 100.0, part)
        share = np.round(share, 9)  # the same order whatever the last bits of each backend's areas
    else:
        share = np.where(at_point, 100.0, 0.0)
    keep = at_point | (share >= MIN_SHARE)
    order = np.lexsort((np.arange(n), -share, ~at_point))
    out: list[PlanObject] = []
    merged: dict[tuple[Any, ...], PlanObject] = {}
    for j in order:
        if not keep[j]:
            continue
        r = ov.records[int(j)]
        plan = plans.get(r.get("plan_id") or "")
        # the same bestemming, aanduiding or maat of one plan drawn as several objects (a road
        # perceel under three "Verkeer - Verblijfsgebied" vlakken) is one entry of the answer
        same = (r.get("plan_id"), r.get("naam"), r.get("hoofdgroep"), r.get("artikelnummer"),
               r.get("tekst_ref"), r.get("waarde_type"), r.get("waarde"), r.get("waarde_tekst"))
        twin = merged.get(same)
        if twin is not None:
            twin.aantal += 1
            twin.op_locatie = twin.op_locatie or bool(at_point[j])
            twin.aandeel_perceel = round(min(100.0, (twin.aandeel_perceel or 0) + float(share[j])), 1)
            continue
        base: dict[str, Any] = dict(
            laag=layer, identificatie=r.get("identificatie"), naam=r.get("naam"),
            hoofdgroep=r.get("hoofdgroep"), artikelnummer=r.get("artikelnummer"),
            tekst_ref=r.get("tekst_ref"), plan_id=r.get("plan_id"),
            plan_naam=plan.naam if plan else None, planstatus=plan.planstatus if plan else None,
            op_locatie=bool(at_point[j]), aandeel_perceel=round(float(share[j]), 1),
            status=plan.status if plan else (VOORONTWERP if layer.endswith(_STAGE_SUFFIX) else GELDEND),
            geldig_vanaf=plan.datum if plan else None,
            url=imro_rule_url(r.get("plan_id"), r.get("tekst_ref") or (plan.tekst_ref if plan else None)),
        )
        if kind_of(layer) == "maatvoering":
            obj: PlanObject = Maatvoering(**base, waarde_type=r.get("waarde_type"), waarde=r.get("waarde"),
                                          waarde_tekst=r.get("waarde_tekst"), eenheid=r.get("eenheid"))
        else:
            obj = PlanObject(**base)
        merged[same] = obj
        out.append(obj)
    return out


# --- the answer in plain Dutch -------------------------------------------------------------------

_LIMITS = ("maximum bouwhoogte", "maximum goothoogte", "maximum bebouwingspercentage")


def _value(m: Maatvoering) -> str:
    text = f"{m.waarde:g}".replace(".", ",") if m.waarde is not None else m.waarde_tekst or "?"
    return f"{text} {m.eenheid}".strip() if m.eenheid and m.eenheid not in text else text


def _article(o: PlanObject) -> str:
    parts = [f"artikel {o.artikelnummer}" if o.artikelnummer else None,
             f"plan {o.plan_naam}" if o.plan_naam else None]
    return ", ".join(p for p in parts if p)


def _date_nl(iso: str | None) -> str:
    if not iso:
        return "onbekende datum"
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day}-{d.month}-{d.year}"


def summarise(r: ParcelReport, withheld: tuple[str, ...] | list[str] = ()) -> Samenvatting:
    """The plain-Dutch summary of a report: built from its sections only, so a report with
    sections ``withheld`` (the service's access rule) summarises without them."""
    gebruik: list[str] = []
    beschermd: list[str] = []
    grenzen: list[str] = []
    let_op: list[str] = []
    here = [o for o in r.enkelbestemmingen if o.op_locatie]
    for o in here:
        gebruik.append(f"Bestemming hier: {o.naam or o.hoofdgroep} ({_article(o)}; tijdelijk deel van "
                       "het omgevingsplan). Wat hier mag, staat in dat artikel.")
    for o in r.enkelbestemmingen:
        if not o.op_locatie:
            gebruik.append(f"Op {o.aandeel_perceel:g}% van het perceel: bestemming {o.naam}.")
    for o in r.functieaanduidingen + r.bouwaanduidingen:
        where = "hier" if o.op_locatie else f"op {o.aandeel_perceel:g}% van het perceel"
        gebruik.append(f"Aanduiding {o.naam} ({where}).")
    spot = "dit perceel" if r.perceel is not None else "deze plek"
    acts = [a for a in r.activiteiten if a.status == GELDEND]
    if acts:
        by_kind: dict[str, list[str]] = {}
        for a in acts:
            by_kind.setdefault(a.kwalificatie or "onbekend", []).append(a.naam or a.identificatie or "?")
        parts = ", ".join(f"{k}: {len(v)}" for k, v in sorted(by_kind.items()))
        sure = all(a.op_locatie for a in acts)
        deel = " en ".join(sorted({a.deel for a in acts}))
        gebruik.append(f"Omgevingsplan ({deel}, regels in STOP-vorm): {len(acts)} {'activiteit' if len(acts) == 1 else 'activiteiten'} geregeld "
                       f"({parts})" + ("." if sure else ", als deze plek in het werkingsgebied ligt."))
        for kind in ("Vergunningplicht", "Meldingsplicht", "Informatieplicht", "Verbod"):
            if kind in by_kind:
                names = sorted(set(by_kind[kind]))
                gebruik.append(f"{kind}: " + "; ".join(names[:8]) + (" …" if len(names) > 8 else ""))
    later_here = bool(r.toekomstig) and not r.enkelbestemmingen
    if later_here:
        gebruik.append(f"Op {_date_nl(r.geldig_op)} geldt hier nog geen bestemmingsplan uit deze gegevens: "
                       "het plan gaat later in (zie Let op). Welke regels op die datum golden, staat niet "
                       "in de gegevens.")
    elif not r.enkelbestemmingen and not acts:
        gebruik.append("Geen bestemmingsplan of omgevingsplanregels in de gegevens op deze plek: wat "
                       "hier mag, hangt af van het omgevingsplan van de gemeente.")

    for mon in r.monumenten:
        beschermd.append(f"{(mon.monumenttype or 'monument').capitalize()}: {mon.naam} ({mon.status or 'status onbekend'}"
                         f", nr. {mon.identificatie}). Bouwen aan of bij een monument is nooit vergunningvrij.")
    if "monumenten" in r.ontbrekend:
        beschermd.append("Of hier een monument is, is onbekend: er zijn geen monumentgegevens geladen.")
    elif "monumenten" in withheld:
        beschermd.append("Monumenten: alleen zichtbaar met een API-sleutel die die laag opent.")
    elif not r.monumenten:
        beschermd.append(f"Geen monument op {spot}.")
    for g in r.beschermde_gezichten:
        beschermd.append(f"Beschermd {'stads- of dorpsgezicht' if not g.naam else 'gezicht'}: {g.naam or ''} "
                         f"({g.gezichtstype or 'soort onbekend'}). Vergunningvrij bouwen is hier beperkt.")
    for o in r.dubbelbestemmingen:
        beschermd.append(f"Dubbelbestemming {o.naam} ({_article(o)}): extra regels boven op de bestemming.")
    for o in r.gebiedsaanduidingen:
        beschermd.append(f"Gebiedsaanduiding {o.naam} ({_article(o)}).")
    for ga in r.gebiedsaanwijzingen:
        beschermd.append(f"Gebiedsaanwijzing {ga.naam} ({ga.type or 'type onbekend'}).")

    maat = [m for m in r.maatvoeringen if m.op_locatie]
    for m in maat:
        name = (m.waarde_type or "maat").split("(")[0].strip()
        grenzen.append(f"{name.capitalize()}: {_value(m)}.")
    if r.enkelbestemmingen:
        missing = [t for t in _LIMITS if not any((m.waarde_type or "").lower().startswith(t) for m in maat)]
        if missing:
            grenzen.append("Geen maatvoering op de kaart voor " + ", ".join(t.replace("maximum ", "")
                           for t in missing) + ": dan gelden de regels van de bestemming zelf (zie het artikel).")
        if r.bouwvlak_op_locatie:
            grenzen.append("Bouwvlak: deze plek ligt in een bouwvlak; daarbinnen mogen de hoofdgebouwen staan.")
        elif r.bouwvlakken:
            grenzen.append("Bouwvlak: een deel van het perceel ligt in een bouwvlak, deze plek niet.")
        else:
            grenzen.append(f"Bouwvlak: geen op {spot}; wat buiten een bouwvlak mag, staat in de regels "
                           "van de bestemming.")
    else:
        why = (f"op {_date_nl(r.geldig_op)} geldt hier nog geen plan uit deze gegevens" if later_here
               else "geen bestemmingsplan in de gegevens op deze plek")
        grenzen.append(f"Bouwhoogte, goothoogte, bebouwingspercentage en bouwvlak: onbekend ({why}).")
    for n in r.omgevingsnormen:
        value = f"{n.waarde:g}".replace(".", ",") if n.waarde is not None else (n.waarde_tekst or "?")
        where = "" if n.op_locatie else " als deze plek in het werkingsgebied ligt"
        grenzen.append(f"{(n.naam or 'norm').capitalize()} (omgevingsplan, {n.deel}){where}: "
                       f"{value} {n.eenheid or ''}".rstrip() + ".")

    if r.notice:
        let_op.append(r.notice)
    for o in _plans_of(r.toekomstig):
        let_op.append(f"Nog niet geldend op {_date_nl(r.geldig_op)}: {o.plan_naam or o.plan_id} "
                      f"(vanaf {_date_nl(o.geldig_vanaf)}); dit antwoord gaat uit van de regels die nu gelden.")
    for o in _plans_of(r.ontwerpen):
        let_op.append(f"Er ligt een {o.status}: {o.plan_naam or o.plan_id}. Nog geen geldende regels, "
                      "maar wel een aankondiging van wat gaat veranderen.")
    later = [x for x in r.regels if x.status == TOEKOMSTIG and x.bron != "IMRO"]
    if later:
        since = min(x.geldig_vanaf or "" for x in later)
        let_op.append(f"Nog niet geldend op {_date_nl(r.geldig_op)}: {len(later)} regels van het omgevingsplan "
                      f"(STOP), vanaf {_date_nl(since)}.")
    unknown = sorted({a.werkingsgebied for a in r.activiteiten if a.op_locatie is None}
                     | {g.werkingsgebied for g in r.gebiedsaanwijzingen if g.op_locatie is None})
    if any(x.op_locatie is None for x in r.regels) or unknown:
        let_op.append("De omgevingsplanregels voor het hele " + (", ".join(unknown) or "ambtsgebied")
                      + " gelden als deze plek in die gemeente ligt; de gemeentegrens zit niet in de gegevens.")
    if any(p.bron == "BGT" for p in r.panden):
        let_op.append("Panden uit de BGT (er is geen BAG geladen): bouwjaar en adressen zijn onbekend.")
    if r.perceel is None and "BRK (percelen)" not in r.ontbrekend:
        let_op.append("Op deze plek ligt geen kadastraal perceel in de gegevens.")
    if r.ontbrekend:
        let_op.append("Niet in deze gegevens: " + ", ".join(r.ontbrekend) + ". Dat deel van het antwoord is onbekend.")
    return Samenvatting(gebruik=gebruik, beschermd=beschermd, grenzen=grenzen, let_op=let_op)


def _plans_of(objs: list[PlanObject]) -> list[PlanObject]:
    seen: set[str | None] = set()
    out = []
    for o in objs:
        if o.plan_id not in seen:
            seen.add(o.plan_id)
            out.append(o)
    return out


#: the parts of the answer in the order every view shows them (CLI, app, API consumers)
SUMMARY_SECTIONS = (("gebruik", "Wat mag hier?"), ("beschermd", "Wat is beschermd?"),
                    ("grenzen", "Waar liggen de grenzen?"), ("let_op", "Let op"))
