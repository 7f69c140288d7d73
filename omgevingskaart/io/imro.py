"""IMRO2008 and IMRO2012 bestemmingsplan GML (ruimtelijkeplannen.nl) into the plan layers.

Input: one ``NL.IMRO.<plan-id>.gml`` file, root ``imro:FeatureCollectionIMRO`` in namespace
``http://www.geonovum.nl/imro/2012/1.1`` (GML 3.2) or ``http://www.geonovum.nl/imro/2008/1``
(GML 3.1). Other IMRO versions (IMRO2006, structuurvisies in other namespaces) are refused with
:class:`UnsupportedFormatError`.

Output, always these nine layers (schema kinds of the same names; empty when the plan has no
such objects): ``bestemmingsplangebied``, ``enkelbestemming``, ``dubbelbestemming``,
``bouwvlak``, ``functieaanduiding``, ``bouwaanduiding``, ``maatvoering``, ``gebiedsaanduiding``,
``figuur``.

What is read per planobject
---------------------------
* ``identificatie``: IMRO2012 NEN3610ID as ``<namespace>.<lokaalID>[-<versie>]`` (this equals
  the gml:id, e.g. ``NL.IMRO.0664.BPBS03-ON99`` for the plan); IMRO2008's plain string.
* ``plan_id``: the ``plangebied`` xlink (``#NL.IMRO...``) without ``#``; falls back to the
  identificatie of the file's Bestemmingsplangebied. The plan area's plan_id is its own id.
* ``naam``; ``hoofdgroep`` from ``bestemmingshoofdgroep`` or (gebiedsaanduiding)
  ``gebiedsaanduidinggroep`` / ``gebiedsaanduidinghoofdgroep``; ``artikelnummer``.
* ``tekst_ref``: the first text reference of type ``regels`` (any type when none is of that
  type), from ``verwijzingNaarTekstInfo/TekstReferentie_BP`` (2012) or a direct
  ``verwijzingNaarTekst`` (2008), e.g. ``r_NL.IMRO.0664.BPBS03-ON99.html#0369b6ec-...``.
* Bestemmingsplangebied: ``type_plan``, ``planstatus`` and ``datum`` (from
  ``planstatusInfo/PlanstatusEnDatum`` - ``PlanstatusEnDatum_BP`` in 2008), ``overheid``
  (``naamOverheid``), the plan's own ``tekst_ref`` (its regels document).
* Maatvoering, tidy: one row per ``maatvoeringInfo/WaardeEnType`` with ``waarde_type`` (e.g.
  ``maximum bouwhoogte (m)``), ``waarde`` (float; NaN when not numeric), ``waarde_tekst`` as
  published and ``eenheid`` from the parentheses (:func:`schema.unit_of`). A Maatvoering
  without WaardeEnType gives one row with empty value columns.
* Geometry: the ``imro:geometrie`` property (not label or symbol points); gml:Surface with
  PolygonPatch, Polygon, MultiSurface, rings as LinearRing/posList or Ring/curveMember with
  LineStringSegment and Arc (linearised: chord error <= ``max_chord_error``, default 0.01 m),
  holes; Figuur may be a line. ``srsName`` is required and must be RD New (the IMRO
  standard prescribes it): a missing or other CRS raises :class:`CRSError` naming the gml:id.
* ``bron``: ``"IMRO2012"`` or ``"IMRO2008"``.

Other feature types in the file (``MetadataIMRObestand``, ...) are skipped.

Why not GDAL's GML driver: measured in ``benchmarks/bench_loaders_b.py`` on the three real
samples, GDAL reads the geometry and flat attributes, but it needs a layer-by-layer read, it
flattens repeated ``maatvoeringInfo`` into one string list (so the tidy maatvoering has to be
rebuilt from it anyway), it does not resolve ``verwijzingNaarTekstInfo`` by typeTekst, and it
returns the gml:Arc geometry as curves that still need linearising. This module streams the
file with lxml (one featureMember at a time). Measured on the three samples (bench, CPU time,
interleaved with GDAL in the same run): this loader 0.17-0.21 s for all three, GDAL 0.21-0.28 s
(1.1-1.3x GDAL's features/s; it was 0.55x while each of the nine layers paid pandas' fixed
costs - now cached empty layers, one-step frames, see io/_frames.py).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd

from ..errors import DataFileError, UnsupportedFormatError
from ..schema import conform_columns, parse_number, unit_of
from . import _coords, _frames, _gml
from ._xml import iterparse, root_of

FORMAT = "IMRO2008/IMRO2012 bestemmingsplan GML"

IMRO_NAMESPACES = {
    "http://www.geonovum.nl/imro/2012/1.1": "IMRO2012",
    "http://www.geonovum.nl/imro/2008/1": "IMRO2008",
}
_ANY_IMRO = re.compile(rb"http://www\.geonovum\.nl/imro/(\d{4})/[0-9.]+")

#: IMRO feature type -> layer name.
LAYERS = {
    "Bestemmingsplangebied": "bestemmingsplangebied",
    "Enkelbestemming": "enkelbestemming",
    "Dubbelbestemming": "dubbelbestemming",
    "Bouwvlak": "bouwvlak",
    "Functieaanduiding": "functieaanduiding",
    "Bouwaanduiding": "bouwaanduiding",
    "Maatvoering": "maatvoering",
    "Gebiedsaanduiding": "gebiedsaanduiding",
    "Figuur": "figuur",
}
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def sniff(path: Path, head: bytes) -> bool:
    """An XML file whose head names FeatureCollectionIMRO in an IMRO namespace."""
    return (not path.is_dir()) and b"FeatureCollectionIMRO" in head and bool(_ANY_IMRO.search(head))


def read(path: str | Path, *, max_chord_error: float = _gml.MAX_CHORD_ERROR
         ) -> dict[str, gpd.GeoDataFrame]:
    """Read an IMRO2008/IMRO2012 bestemmingsplan GML into the nine plan layers (EPSG:28992).

    ``max_chord_error`` bounds the arc linearisation error in metres.
    """
    path = Path(path)
    if path.is_dir():
        raise UnsupportedFormatError(path, "a folder, not an IMRO GML file")
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise DataFileError(path, f"cannot open: {exc}") from exc
    with fh:
        head = fh.read(65536)
        if not head.strip():
            raise DataFileError(path, "the file is empty")
        ns, root = root_of(head, path)
        version = IMRO_NAMESPACES.get(ns)
        if root != "FeatureCollectionIMRO" or version is None:
            m = _ANY_IMRO.search(head)
            found = f"IMRO{m.group(1).decode()}" if m and root == "FeatureCollectionIMRO" else \
                f"{{{ns}}}{root}"
            raise UnsupportedFormatError(
                path, f"not an IMRO2008/IMRO2012 FeatureCollectionIMRO (found {found}); "
                      f"namespaces read: {', '.join(IMRO_NAMESPACES)}")
        fh.seek(0)
        reader = _gml.GMLReader(path, default_rd=False, max_chord_error=max_chord_error)
        rows: dict[str, list[dict[str, Any]]] = {layer: [] for layer in LAYERS.values()}
        skipped: dict[str, int] = {}
        for member in iterparse(fh, path, f"{{{ns}}}featureMember"):
            for obj in member:
                if not isinstance(obj.tag, str):
                    continue
                kind = obj.tag.rpartition("}")[2]
                layer = LAYERS.get(kind)
                if layer is None:
                    if kind != "MetadataIMRObestand":
                        skipped[kind] = skipped.get(kind, 0) + 1
                    continue
                rows[layer].extend(_records(obj, kind, reader, version))
    if skipped:
        warnings.warn(f"{path}: skipped IMRO feature types not read: {skipped}", UserWarning,
                      stacklevel=2)
    plan_ids = [r["identificatie"] for r in rows["bestemmingsplangebied"]]
    default_plan = plan_ids[0] if plan_ids else None
    layers: dict[str, gpd.GeoDataFrame] = {}
    for layer, recs in rows.items():
        if not recs:
            layers[layer] = _frames.empty(layer)
            continue
        names = dict.fromkeys(k for r in recs for k in r)
        geoms = [r["geometry"] for r in recs]
        cols = {k: [r.get(k) for r in recs] for k in names if k != "geometry"}
        _coords.check_rd(geoms, path, cols["identificatie"], layer=layer)
        if "plan_id" in cols and default_plan:
            cols["plan_id"] = [p if p is not None else default_plan for p in cols["plan_id"]]
        cols["bron"] = [version] * len(recs)
        layers[layer] = conform_columns(cols, geoms, layer, what=f"{path} ({layer})")
    return layers


def _local(el: Any) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _text(el: Any) -> str | None:
    t = el.text.strip() if el is not None and el.text else ""
    return t or None


def _identificatie(el: Any) -> str | None:
    nen = next((c for c in el if _local(c) == "NEN3610ID"), None)
    if nen is None:
        return _text(el)
    parts = {_local(c): _text(c) for c in nen}
    ident = ".".join(p for p in (parts.get("namespace"), parts.get("lokaalID")) if p)
    if parts.get("versie"):
        ident += f"-{parts['versie']}"
    return ident or None


def _records(obj: Any, kind: str, reader: _gml.GMLReader, version: str) -> list[dict[str, Any]]:
    fid = _gml.gml_id(obj)
    rec: dict[str, Any] = {"identificatie": None, "plan_id": None, "naam": None,
                           "hoofdgroep": None, "artikelnummer": None, "tekst_ref": None}
    refs: list[tuple[str | None, str | None]] = []  # (verwijzing, typeTekst)
    maten: list[tuple[str | None, str | None]] = []  # (waarde, waardeType)
    geom_el = None
    for child in obj:
        local = _local(child)
        if not local:
            continue
        if local == "identificatie":
            rec["identificatie"] = _identificatie(child)
        elif local == "plangebied":
            href = child.get(_XLINK_HREF)
            rec["plan_id"] = href.lstrip("#") if href else None
        elif local == "naam":
            rec["naam"] = _text(child)
        elif local in ("bestemmingshoofdgroep", "gebiedsaanduidinggroep",
                       "gebiedsaanduidinghoofdgroep"):
            rec["hoofdgroep"] = _text(child)
        elif local == "artikelnummer":
            rec["artikelnummer"] = _text(child)
        elif local == "verwijzingNaarTekstInfo":
            for ref in child:
                if not _local(ref):
                    continue
                parts = {_local(c): _text(c) for c in ref}
                refs.append((parts.get("verwijzingNaarTekst"), parts.get("typeTekst")))
        elif local == "verwijzingNaarTekst":  # IMRO2008: a plain string property
            refs.append((_text(child), None))
        elif local == "maatvoeringInfo":
            for wt in child:
                if not _local(wt):
                    continue
                parts = {_local(c): _text(c) for c in wt}
                maten.append((parts.get("waarde"), parts.get("waardeType")))
        elif local == "geometrie":
            geom_el = next((g for g in child if isinstance(g.tag, str)), None)
        elif kind == "Bestemmingsplangebied":
            if local == "typePlan":
                rec["type_plan"] = _text(child)
            elif local == "naamOverheid":
                rec["overheid"] = _text(child)
            elif local == "planstatusInfo":
                for ps in child:
                    if not _local(ps):
                        continue
                    parts = {_local(c): _text(c) for c in ps}
                    rec["planstatus"] = parts.get("planstatus")
                    rec["datum"] = parts.get("datum")
    if rec["identificatie"] is None:
        rec["identificatie"] = fid
    if geom_el is None:
        raise DataFileError(reader.path, f"{kind} has no imro:geometrie", element=fid)
    rec["tekst_ref"] = next((r for r, t in refs if r and t == "regels"),
                            next((r for r, _t in refs if r), None))
    if kind == "Bestemmingsplangebied":
        rec["plan_id"] = rec["identificatie"]
        del rec["hoofdgroep"], rec["artikelnummer"]
    rec["geometry"] = reader.geometry(geom_el, feature=fid)
    if kind != "Maatvoering":
        return [rec]
    if not maten:
        return [{**rec, "waarde_type": None, "waarde": float("nan"), "waarde_tekst": None,
                 "eenheid": None}]
    return [{**rec, "waarde_type": wtype, "waarde": parse_number(waarde), "waarde_tekst": waarde,
             "eenheid": unit_of(wtype) or None} for waarde, wtype in maten]
