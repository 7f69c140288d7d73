"""The Omgevingsplan at a location: its tijdelijk deel (IMRO) and nieuwe deel (STOP/TPOD), dated.

Since 1 January 2024 a gemeente's bestemmingsplannen are the *tijdelijk deel* of its omgevingsplan
(Omgevingswet art. 22.1), together with the *bruidsschat* (rules carried over from national law,
placed in hoofdstuk 22 of the omgevingsplan by the Invoeringsbesluit Omgevingswet); new rules are
published in STOP/TPOD form (the *nieuwe deel*). This module gives the report both, each marked
with its part and its validity on a date:

* :func:`plan_status` - ``"geldend"``, ``"nog niet geldend"`` (dated after ``geldig_op``) or
  ``"ontwerp"`` / ``"voorontwerp"`` (never in force; shown apart);
* :func:`imro_rule_url` - the plan's regels on ruimtelijkeplannen.nl from an IMRO text reference
  (``verwijzingNaarTekstInfo``: ``r_<planid>.html#anchor``; the document URL follows STRI's file
  naming ``https://www.ruimtelijkeplannen.nl/documents/<planid>/<file>``), or without a reference the
  plan itself (:func:`plan_url`, ``https://www.ruimtelijkeplannen.nl/?planidn=<planid>``);
* :func:`tpod_part` - ``"tijdelijk deel (bruidsschat)"`` for articles in hoofdstuk 22, else
  ``"nieuwe deel"``;
* :func:`tpod_at` - the TPOD rules, activiteiten, omgevingsnormen and gebiedsaanwijzingen at a
  point.

Rules that apply to the whole *ambtsgebied* carry no geometry in a delivery package (the boundary
lives in the Bestuurlijke Grenzen register). They apply at a point when the ambtsgebied's
geometry is known and covers it, or when a BAG object there carries the gemeente's code (the first
four digits of a BAG identificatie). Without either, they are reported with ``op_locatie=None``:
"geldt als deze plek in gemeente <code> ligt", never as certain.

>>> plan_status("vastgesteld", "2026-03-12", "2026-01-01")
'nog niet geldend'
>>> imro_rule_url("NL.IMRO.0294.BP1-VG01", "r_NL.IMRO.0294.BP1-VG01.html#_3_Centrum")
'https://www.ruimtelijkeplannen.nl/documents/NL.IMRO.0294.BP1-VG01/r_NL.IMRO.0294.BP1-VG01.html#_3_Centrum'
>>> tpod_part("22.27")
'tijdelijk deel (bruidsschat)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import shapely

from .errors import QueryError

if TYPE_CHECKING:
    from .dataset import Dataset

TIJDELIJK = "tijdelijk deel"
BRUIDSSCHAT = "tijdelijk deel (bruidsschat)"
NIEUW = "nieuwe deel"

GELDEND = "geldend"
TOEKOMSTIG = "nog niet geldend"
ONTWERP = "ontwerp"
VOORONTWERP = "voorontwerp"
_DRAFT_STATUSES = ("ontwerp", "voorontwerp", "concept")

RUIMTELIJKEPLANNEN = "https://www.ruimtelijkeplannen.nl"
#: the Omgevingsloket's map of the rules (the DSO viewer); a STOP rule is cited by its AKN id.
REGELS_OP_DE_KAART = "https://omgevingswet.overheid.nl/regels-op-de-kaart"

TPOD_LAYERS = ("regeltekst", "activiteit", "omgevingsnorm", "gebiedsaanwijzing")


def parse_date(value: date | str | None) -> date:
    """``geldig_op`` as a date: a :class:`datetime.date`, an ISO string, or None for today."""
    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise QueryError(f"geldig_op must be a date as YYYY-MM-DD, got {value!r}") from None


def plan_status(planstatus: str | None, datum: str | None, geldig_op: date | str | None) -> str:
    """A plan's standing on ``geldig_op``: geldend, nog niet geldend, ontwerp or voorontwerp."""
    status = (planstatus or "").strip().lower()
    if status in _DRAFT_STATUSES:
        return VOORONTWERP if status == "voorontwerp" else ONTWERP
    if datum:
        try:
            if date.fromisoformat(str(datum)[:10]) > parse_date(geldig_op):
                return TOEKOMSTIG
        except ValueError:
            pass
    return GELDEND


def imro_rule_url(plan_id: str | None, tekst_ref: str | None) -> str | None:
    """The plan text on ruimtelijkeplannen.nl for an IMRO text reference (None without a plan)."""
    if not plan_id:
        return None
    ref = (tekst_ref or "").strip()
    if ref.startswith(("http://", "https://")):
        return ref
    base = f"{RUIMTELIJKEPLANNEN}/documents/{quote(plan_id)}/"
    if not ref:
        return plan_url(plan_id)
    name, _, anchor = ref.partition("#")
    return base + quote(name) + (f"#{quote(anchor, safe='_-.')}" if anchor else "")


def plan_url(plan_id: str) -> str:
    """The plan on ruimtelijkeplannen.nl by its deep link ``?planidn=<plan id>`` (the portal's
    documented parameter, which opens the viewer on the plan)."""
    return f"{RUIMTELIJKEPLANNEN}/?planidn={quote(plan_id)}"


def tpod_part(artikel: str | None) -> str:
    """The omgevingsplan part of a STOP article: hoofdstuk 22 is the bruidsschat."""
    return BRUIDSSCHAT if (artikel or "").split(".")[0].strip() == "22" else NIEUW


def tpod_rule_url(regeling_id: str | None) -> str:
    """Where the Omgevingsloket shows the regeling: its map of rules ("Regels op de kaart").

    The loket has no documented deep link by AKN id, so the rule is cited by its AKN work id and
    article beside this link, not by a guessed URL.
    """
    del regeling_id
    return REGELS_OP_DE_KAART


_GEMEENTE_IN_ID = re.compile(r"nl\.imow-gm(\d{4})\.", re.IGNORECASE)


def gemeente_of_imow(identificatie: str | None) -> str | None:
    """The gemeentecode in an IMOW id (``nl.imow-gm0307.ambtsgebied.x`` -> ``"0307"``)."""
    m = _GEMEENTE_IN_ID.match(identificatie or "")
    return m.group(1) if m else None


@dataclass
class TpodRegel:
    """One rule (article or lid) of the omgevingsplan's STOP text that applies at the location."""

    identificatie: str | None
    artikel: str | None
    lid: str | None
    titel: str | None
    tekst: str | None
    type_regel: str | None
    regeling_id: str | None
    wid: str | None
    deel: str
    status: str
    geldig_vanaf: str | None
    werkingsgebied: str
    op_locatie: bool | None
    url: str | None = None


@dataclass
class TpodActiviteit:
    """An activiteit with its kwalificatie (Vergunningplicht, Meldingsplicht, ...), deduplicated."""

    identificatie: str | None
    naam: str | None
    groep: str | None
    kwalificatie: str | None
    artikelen: list[str]
    deel: str
    status: str
    geldig_vanaf: str | None
    werkingsgebied: str
    op_locatie: bool | None


@dataclass
class TpodNorm:
    """An omgevingsnorm or -waarde with its value at the location."""

    identificatie: str | None
    naam: str | None
    type: str | None
    waarde: float | None
    waarde_tekst: str | None
    eenheid: str | None
    artikelen: list[str]
    deel: str
    status: str
    geldig_vanaf: str | None
    werkingsgebied: str
    op_locatie: bool | None


@dataclass
class TpodGebiedsaanwijzing:
    identificatie: str | None
    naam: str | None
    type: str | None
    groep: str | None
    artikelen: list[str]
    deel: str
    status: str
    geldig_vanaf: str | None
    werkingsgebied: str
    op_locatie: bool | None


@dataclass
class TpodAtLocation:
    regels: list[TpodRegel] = field(default_factory=list)
    activiteiten: list[TpodActiviteit] = field(default_factory=list)
    omgevingsnormen: list[TpodNorm] = field(default_factory=list)
    gebiedsaanwijzingen: list[TpodGebiedsaanwijzing] = field(default_factory=list)
    #: ambtsgebieden whose rules are listed with op_locatie=None: "GM0307 (amersfoort)"
    ambtsgebied_onbekend: list[str] = field(default_factory=list)


def _ambtsgebieden(dataset: Dataset) -> dict[str, tuple[str | None, str | None, Any]]:
    """Ambtsgebied locatie id -> (gemeentecode, naam, geometry or None): a ``where`` query on
    the locaties' type, kept in the store's cache."""
    def build() -> dict[str, tuple[str | None, str | None, Any]]:
        out: dict[str, tuple[str | None, str | None, Any]] = {}
        if "locatie" in dataset.store.layers():
            recs, geoms = dataset.store.rows("locatie", where={"type": "Ambtsgebied"})
            for rec, geom in zip(recs, geoms, strict=True):
                lid = rec.get("identificatie") or ""
                out[lid] = (gemeente_of_imow(lid), rec.get("naam"),
                            geom if geom is not None and not geom.is_empty else None)
        return out

    return dataset.store.cache.get(("omgevingsplan", "ambtsgebieden"), build)


def _ambtsgebied_rows(dataset: Dataset, layer: str, locs: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of ``layer`` without geometry whose location is one of the ambtsgebieden ``locs``
    (a ``where`` query on ``locatie_id``, kept in the store's cache per layer and ``locs``)."""
    def build() -> list[dict[str, Any]]:
        recs, geoms = dataset.store.rows(layer, where={"locatie_id": list(locs)})
        return [r for r, g in zip(recs, geoms, strict=True) if g is None or g.is_empty]

    return dataset.store.cache.get(("omgevingsplan", "ambtsgebied_rows", layer, locs), build)


def _where(dataset: Dataset, layer: str, pt: shapely.Point, gemeentecode: str | None
           ) -> list[tuple[dict[str, Any], bool | None, str]]:
    """Rows of ``layer`` at ``pt``: (record, op_locatie, werkingsgebied text)."""
    out: list[tuple[dict[str, Any], bool | None, str]] = [
        (r, True, "hier") for r in dataset.store.overlay(layer, pt, areas=False).records]
    wanted: dict[str, tuple[bool | None, str]] = {}
    for loc, (code, naam, geom) in _ambtsgebieden(dataset).items():
        label = f"ambtsgebied GM{code}" + (f" ({naam})" if naam else "") if code else \
            f"ambtsgebied {naam or loc}"
        if geom is not None:
            if shapely.intersects(geom, pt):
                wanted[loc] = (True, label)
        elif code is not None and gemeentecode is not None:
            if code == gemeentecode:
                wanted[loc] = (True, label)
        else:
            wanted[loc] = (None, label)
    if wanted:
        for r in _ambtsgebied_rows(dataset, layer, tuple(sorted(wanted))):
            op, label = wanted[str(r.get("locatie_id"))]
            out.append((r, op, label))
    return out


def tpod_at(dataset: Dataset, pt: shapely.Point, *, gemeentecode: str | None,
            geldig_op: date | str | None) -> TpodAtLocation:
    """The STOP/TPOD rules, activiteiten, normen and gebiedsaanwijzingen at ``pt`` (RD).

    ``gemeentecode`` (4 digits, from a BAG id at the location) decides whether ambtsgebied-wide
    rules apply when the ambtsgebied's boundary is not in the data. Every row comes from a point
    query or a ``where`` query to the store; the rules cited by the activiteiten, normen and
    gebiedsaanwijzingen are fetched by their identificatie.
    """
    res = TpodAtLocation()
    layers = dataset.store.layers()
    if not any(layer in layers for layer in TPOD_LAYERS):
        return res
    here = {layer: _where(dataset, layer, pt, gemeentecode) for layer in TPOD_LAYERS[1:] if layer in layers}
    rules_by_id: dict[str, dict[str, Any]] = {}
    if "regeltekst" in layers:
        for r, op, where in _where(dataset, "regeltekst", pt, gemeentecode):
            res.regels.append(TpodRegel(
                identificatie=r.get("identificatie"), artikel=r.get("artikel"), lid=r.get("lid"),
                titel=r.get("artikel_titel"), tekst=r.get("tekst"), type_regel=r.get("type_regel"),
                regeling_id=r.get("regeling_id"), wid=r.get("wid"), deel=tpod_part(r.get("artikel")),
                status=plan_status(None, r.get("geldig_vanaf"), geldig_op),
                geldig_vanaf=r.get("geldig_vanaf"), werkingsgebied=where, op_locatie=op,
                url=tpod_rule_url(r.get("regeling_id")),
            ))
            if op is None and where not in res.ambtsgebied_onbekend:
                res.ambtsgebied_onbekend.append(where)
        res.regels.sort(key=lambda r: (_article_key(r.artikel), _article_key(r.lid)))
        cited = sorted({i for rows in here.values() for r, _, _ in rows
                        for i in (r.get("regeltekst_id") or "").split(";") if i})
        if cited:
            recs = dataset.store.rows("regeltekst", where={"identificatie": cited},
                                      columns=["identificatie", "artikel", "geldig_vanaf"])[0]
            rules_by_id = {rec["identificatie"]: rec for rec in recs if rec.get("identificatie")}

    def dated(rule_ids: list[str]) -> tuple[list[str], str | None, str]:
        recs = [rules_by_id[i] for i in rule_ids if i in rules_by_id]
        arts: list[str] = sorted({str(r["artikel"]) for r in recs if r.get("artikel")}, key=_article_key)
        since: str | None = min((str(r["geldig_vanaf"]) for r in recs if r.get("geldig_vanaf")), default=None)
        deel = tpod_part(arts[0]) if arts and all(tpod_part(a) == BRUIDSSCHAT for a in arts) else NIEUW
        return arts, since, deel

    if "activiteit" in here:
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r, op, where in here["activiteit"]:
            key = (r.get("identificatie"), r.get("activiteitregelkwalificatie"), where)
            g = groups.setdefault(key, {"rec": r, "rules": [], "op": op, "where": where})
            if r.get("regeltekst_id"):
                g["rules"].append(r["regeltekst_id"])
        for g in groups.values():
            r = g["rec"]
            arts, since, deel = dated(g["rules"])
            res.activiteiten.append(TpodActiviteit(
                identificatie=r.get("identificatie"), naam=r.get("naam"), groep=r.get("groep"),
                kwalificatie=r.get("activiteitregelkwalificatie"), artikelen=arts, deel=deel,
                status=plan_status(None, since, geldig_op), geldig_vanaf=since,
                werkingsgebied=g["where"], op_locatie=g["op"]))
        res.activiteiten.sort(key=lambda a: (a.naam or "", a.kwalificatie or ""))
    for r, op, where in here.get("omgevingsnorm", []):
        arts, since, deel = dated((r.get("regeltekst_id") or "").split(";"))
        res.omgevingsnormen.append(TpodNorm(
            identificatie=r.get("identificatie"), naam=r.get("naam"), type=r.get("type"),
            waarde=r.get("waarde"), waarde_tekst=r.get("waarde_tekst"), eenheid=r.get("eenheid"),
            artikelen=arts, deel=deel, status=plan_status(None, since, geldig_op),
            geldig_vanaf=since, werkingsgebied=where, op_locatie=op))
    for r, op, where in here.get("gebiedsaanwijzing", []):
        arts, since, deel = dated((r.get("regeltekst_id") or "").split(";"))
        res.gebiedsaanwijzingen.append(TpodGebiedsaanwijzing(
            identificatie=r.get("identificatie"), naam=r.get("naam"), type=r.get("type"),
            groep=r.get("groep"), artikelen=arts, deel=deel,
            status=plan_status(None, since, geldig_op), geldig_vanaf=since,
            werkingsgebied=where, op_locatie=op))
    return res


def _article_key(text: str | None) -> tuple[Any, ...]:
    """Sort key for article numbers such as ``"22.27"`` and ``"3.2a"``: numeric parts as numbers."""
    parts = re.findall(r"\d+|[^\d.\s]+", text or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)
