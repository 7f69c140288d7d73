"""Omgevingsplan delivery packages: STOP legal text + IMOW (OW) annotations + GIO geometry.

Input: a STOP/TPOD delivery package as a zip or a folder (as sent to the LVBB): the STOP
``AanleveringBesluit`` XML (``akn_nl_bill_...xml``), IMOW "OW" files (``owBestand``), optional
GIO files (``geo:GeoInformatieObjectVaststelling``), manifests. Files are recognised by their
root element, not their names. A package without OW files is refused
(:class:`UnsupportedFormatError`).

Layers (schema kinds of the same names):

* ``regeltekst`` - one row per IMOW Regeltekst: ``identificatie``, ``wid`` (the STOP wId of the
  article or lid it annotates), ``artikel`` (number, e.g. ``"22.27"``), ``lid`` (e.g. ``"1."``),
  ``artikel_titel`` (the article's Opschrift), ``tekst`` (plain text of the article or lid from
  the STOP text, whitespace collapsed, cut at a word boundary after ``max_text`` characters
  with an ellipsis), ``geldig_vanaf`` (the besluit's ``juridischWerkendVanaf`` date from the
  STOP ConsolidatieInformatie, ISO; empty when the package states none), ``type_regel`` (RegelVoorIedereen, Instructieregel, Omgevingswaarderegel),
  ``regeling_id`` (the regeling's AKN work id from the OW manifest or STOP text), ``locatie_id``
  (the rule's locations, ``;``-separated).
* ``activiteit`` - one row per (juridische regel x activiteit) through each
  ActiviteitLocatieaanduiding: ``identificatie`` (the activity), ``naam``, ``groep`` and
  ``activiteitregelkwalificatie`` (the last part of the waardelijst URI, e.g.
  ``Vergunningplicht``, ``AndersGeduid``), ``regeltekst_id``, ``artikel``, ``locatie_id``.
  Activities no rule refers to get one row with empty rule columns.
* ``gebiedsaanwijzing`` - one row per Gebiedsaanwijzing (``type`` and ``groep`` as waardelijst
  terms), with the rules that refer to it.
* ``omgevingsnorm`` - one row per Normwaarde of each Omgevingsnorm / Omgevingswaarde, with
  ``waarde`` (kwantitatieveWaarde as float), ``waarde_tekst`` (as published, or the
  kwalitatieveWaarde) and ``eenheid``.
* ``locatie`` - every OW location (Gebied, Lijn, Punt, their groups, Ambtsgebied) with its
  geometry from the GIO files (``basisgeo:id`` matched to the OW ``GeometrieRef``; a group's
  geometry is the union of its members').

Geometry of rule, activity, gebiedsaanwijzing and norm rows is the union of their locations'
geometries, or empty when one of those locations has no geometry. The Ambtsgebied is a
reference to the gemeente's boundary in the Bestuurlijke Grenzen register
(``bestuurlijkeGrenzenID``, e.g. ``GM0307``): that geometry is not in the package, so rules
that apply to the whole ambtsgebied keep ``locatie_id`` = the ambtsgebied id and an empty
geometry, unless the caller passes the boundary as ``ambtsgebied=`` (a shapely geometry in
EPSG:28992). The rules always load, with or without GIO files.

Parsing: every file goes through :mod:`._xml` (DTD/entity declarations refused). OW and STOP
files are parsed whole (lxml, about 0.15 s for the 2.3 MB STOP text of the Amersfoort sample);
GIO geometry is read with :mod:`._gml` (srsName must be RD New). GDAL has no reader for
STOP/IMOW, so there is no GDAL comparison for this format; the benchmark reports features per
second.
"""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from ..errors import DataFileError, UnsupportedFormatError
from ..schema import RD_NEW, conform, parse_number
from . import _coords, _gml, limits
from ._xml import Prepend, parse, plain_text, root_of

FORMAT = "Omgevingsplan STOP/TPOD + IMOW package"

OW_NS = "http://www.geostandaarden.nl/imow/bestanden/deelbestand"
STOP_TEKST_NS = "https://standaarden.overheid.nl/stop/imop/tekst/"
GEO_NS = "https://standaarden.overheid.nl/stop/imop/geo/"
BASISGEO_NS = "http://www.geostandaarden.nl/basisgeometrie/1.0"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

_REGEL_TYPES = ("RegelVoorIedereen", "Instructieregel", "Omgevingswaarderegel")
_LOCATIE_TYPES = ("Gebied", "Lijn", "Punt", "Gebiedengroep", "Lijnengroep", "Puntengroep",
                  "Ambtsgebied")
_NORM_TYPES = ("Omgevingsnorm", "Omgevingswaarde")
MAX_TEXT = 1000


def sniff(path: Path, head: bytes) -> bool:
    """A zip or folder with an IMOW OW file (or manifest-ow.xml), or a single OW file."""
    if path.is_dir():
        return (path / "manifest-ow.xml").exists() or any(
            b"geostandaarden.nl/imow" in _peek(f) for f in path.glob("*.xml"))
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                if any(Path(n).name == "manifest-ow.xml" for n in names):
                    return True
                for n in names:
                    if n.lower().endswith(".xml"):
                        with zf.open(n) as fh:
                            if b"geostandaarden.nl/imow" in fh.read(4096):
                                return True
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
            return False
        return False
    return OW_NS.encode() in head


def _peek(f: Path) -> bytes:
    with f.open("rb") as fh:
        return fh.read(4096)


def _files(path: Path) -> Iterator[tuple[str, Callable[[], Any]]]:
    """(name, opener) per XML/GML file of a folder, zip or single file; zip members are read
    through :func:`.limits.open_member` (a decompression bomb stops while it streams)."""
    if path.is_dir():
        for f in sorted(path.iterdir()):
            if f.suffix.lower() in (".xml", ".gml") and f.is_file():
                yield f.name, functools.partial(f.open, "rb")
        return
    if zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataFileError(path, f"not a readable zip (truncated?): {exc}") from exc
        with zf:
            for n in sorted(zf.namelist()):
                if n.lower().endswith((".xml", ".gml")):
                    yield n, functools.partial(limits.open_member, zf, n, path)
        return
    yield path.name, (lambda: path.open("rb"))


def _local(el: Any) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _text(el: Any) -> str | None:
    t = el.text.strip() if el is not None and el.text else ""
    return t or None


def _term(uri: str | None) -> str | None:
    """The last path segment of a waardelijst URI (``.../concept/Vergunningplicht``)."""
    return uri.rstrip("/").rpartition("/")[2] if uri else None


def _hrefs(el: Any, ref_local: str) -> list[str]:
    return [h for c in el.iter() if _local(c) == ref_local and (h := c.get(_XLINK_HREF))]


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def read(path: str | Path, *, max_text: int = MAX_TEXT, ambtsgebied: Any = None,
         max_chord_error: float = _gml.MAX_CHORD_ERROR) -> dict[str, gpd.GeoDataFrame]:
    """Read an Omgevingsplan STOP/TPOD delivery package (zip or folder) into five layers.

    ``max_text`` caps the rule text length; ``ambtsgebied`` optionally gives the gemeente's
    boundary (shapely geometry, EPSG:28992, or a mapping gemeentecode -> geometry as
    :func:`~omgevingskaart.io.gemeentegrens.read_gemeentegrens` returns) for Ambtsgebied
    locations, which the package only references; ``max_chord_error`` bounds GIO arc
    linearisation (metres).
    """
    path = Path(path)
    ow_roots: list[tuple[str, Any]] = []
    stop_roots: list[tuple[str, Any]] = []
    gio_geoms: dict[str, shapely.Geometry] = {}
    regeling_id: str | None = None
    for name, opener in _files(path):
        with opener() as fh:
            head = fh.read(65536)
            if not head.strip():
                raise DataFileError(path, "the file is empty", element=name)
            ns, root = root_of(head, path, member=name)
            data = Prepend(head, fh)
            if root == "owBestand" and ns == OW_NS:
                ow_roots.append((name, parse(data, path, member=name)))
            elif root == "AanleveringBesluit" or (ns == STOP_TEKST_NS):
                stop_roots.append((name, parse(data, path, member=name)))
            elif root == "GeoInformatieObjectVaststelling" and ns == GEO_NS:
                gio_geoms.update(_gio(parse(data, path, member=name), path, name,
                                      max_chord_error))
            elif root == "Aanleveringen" and regeling_id is None:
                el = parse(data, path, member=name)
                regeling_id = next((_text(c) for c in el.iter()
                                    if _local(c) == "WorkIDRegeling"), None)
    if not ow_roots:
        raise UnsupportedFormatError(path, "no IMOW (OW) files found: not a STOP/TPOD package")
    articles = _stop_articles(stop_roots, max_text)
    objs = _ow_objects(ow_roots)
    out = _layers(path, objs, articles, gio_geoms, regeling_id, ambtsgebied)
    out["regeltekst"]["geldig_vanaf"] = pd.array([_werkend_vanaf(stop_roots)] * len(out["regeltekst"]),
                                                 dtype="string")
    return out


def _werkend_vanaf(roots: list[tuple[str, Any]]) -> str | None:
    """The besluit's ``juridischWerkendVanaf`` date (STOP ConsolidatieInformatie/Tijdstempels)."""
    for _name, root in roots:
        for ts in root.iter("{*}Tijdstempel"):
            if _child_text(ts, "soortTijdstempel") == "juridischWerkendVanaf":
                return _child_text(ts, "datum")
    return None


def _gio(root: Any, path: Path, name: str, max_err: float) -> dict[str, shapely.Geometry]:
    reader = _gml.GMLReader(f"{path} ({name})", default_rd=False, max_chord_error=max_err)
    out: dict[str, shapely.Geometry] = {}
    for geo in root.iter(f"{{{BASISGEO_NS}}}Geometrie"):
        gid = next((_text(c) for c in geo if _local(c) == "id"), None)
        holder = next((c for c in geo if _local(c) == "geometrie"), None)
        gml_el = next((g for g in holder if isinstance(g.tag, str)), None) if holder is not None \
            else None
        if gid is None or gml_el is None:
            raise DataFileError(path, "basisgeo:Geometrie without id or geometrie",
                                element=f"{name} {_gml.gml_id(geo)}")
        out[gid] = geom = reader.geometry(gml_el, feature=gid)
        _coords.check_rd([geom], path, [gid], layer=f"{name} Geometrie")
    return out


def _stop_articles(roots: list[tuple[str, Any]], max_text: int) -> dict[str, dict[str, Any]]:
    """wId -> {artikel, lid, artikel_titel, tekst} for every Artikel and Lid in the STOP text."""
    out: dict[str, dict[str, Any]] = {}
    art_tag, lid_tag = f"{{{STOP_TEKST_NS}}}Artikel", f"{{{STOP_TEKST_NS}}}Lid"
    for _name, root in roots:
        for art in root.iter(art_tag):
            kop = next((c for c in art if _local(c) == "Kop"), None)
            parts = {_local(c): _text(c) for c in kop} if kop is not None else {}
            nummer, titel = parts.get("Nummer"), parts.get("Opschrift")
            body = " ".join(plain_text(c) for c in art if _local(c) not in ("Kop", ""))
            wid = art.get("wId")
            if wid:
                out[wid] = {"artikel": nummer, "lid": None, "artikel_titel": titel,
                            "tekst": _truncate(body, max_text)}
            for lid in art.iter(lid_tag):
                lwid = lid.get("wId")
                if not lwid:
                    continue
                lnr = next((_text(c) for c in lid if _local(c) == "LidNummer"), None)
                ltext = " ".join(plain_text(c) for c in lid if _local(c) not in ("LidNummer", ""))
                out[lwid] = {"artikel": nummer, "lid": lnr, "artikel_titel": titel,
                             "tekst": _truncate(ltext, max_text)}
    return out


def _ow_objects(roots: list[tuple[str, Any]]) -> dict[str, list[tuple[Any, str]]]:
    """OW objects by type (local name) -> [(element, file name)]."""
    out: dict[str, list[tuple[Any, str]]] = {}
    for name, root in roots:
        for holder in root.iter("{*}owObject"):
            for obj in holder:
                local = _local(obj)
                if local:
                    out.setdefault(local, []).append((obj, name))
    return out


def _child_text(el: Any, local: str) -> str | None:
    return next((_text(c) for c in el if _local(c) == local), None)


def _ambtsgebied_geometry(path: Path, el: Any, lid: str, ambtsgebied: Any) -> Any:
    """The boundary for one Ambtsgebied: ``ambtsgebied`` itself (a geometry), or from a mapping
    gemeentecode -> geometry (:func:`omgevingskaart.io.gemeentegrens.read_gemeentegrens`) by the
    package's ``bestuurlijkeGrenzenID`` (``GM0307``), else the code in the IMOW id."""
    if not isinstance(ambtsgebied, Mapping):
        return ambtsgebied
    from .gemeentegrens import ANY_GEMEENTE, normalise_code

    ref = next((_text(c) for c in el.iter() if _local(c) == "bestuurlijkeGrenzenID"), None)
    m = re.match(r"nl\.imow-gm(\d{4})\.", lid, re.IGNORECASE)
    code = normalise_code(ref) or (m.group(1) if m else None)
    geom = ambtsgebied.get(code) if code is not None else None
    if geom is None:
        geom = ambtsgebied.get(ANY_GEMEENTE)
    if geom is None:
        have = ", ".join(f"GM{c}" for c in sorted(ambtsgebied)) or "none"
        raise DataFileError(path, f"the gemeentegrens has no boundary for ambtsgebied {lid} "
                                  f"({ref or code or 'no gemeentecode'}); it has {have}")
    return geom


def _layers(path: Path, objs: dict[str, list[tuple[Any, str]]], articles: dict[str, Any],
            gio: dict[str, shapely.Geometry], regeling_id: str | None, ambtsgebied: Any
            ) -> dict[str, gpd.GeoDataFrame]:
    # --- locaties ------------------------------------------------------------------------------
    loc_rows: list[dict[str, Any]] = []
    loc_geom: dict[str, shapely.Geometry | None] = {}
    groups: dict[str, list[str]] = {}
    for ltype in _LOCATIE_TYPES:
        for el, name in objs.get(ltype, []):
            lid = _child_text(el, "identificatie")
            if lid is None:
                raise DataFileError(path, f"OW {ltype} without identificatie", element=name)
            geom = None
            if ltype in ("Gebied", "Lijn", "Punt"):
                refs = _hrefs(el, "GeometrieRef")
                if refs and refs[0] in gio:
                    geom = gio[refs[0]]
            elif ltype == "Ambtsgebied":
                geom = _ambtsgebied_geometry(path, el, lid, ambtsgebied)
            else:
                groups[lid] = [h for c in el.iter() if _local(c).endswith("Ref")
                               and (h := c.get(_XLINK_HREF))]
            loc_geom[lid] = geom
            loc_rows.append({"identificatie": lid, "naam": _child_text(el, "noemer"),
                             "type": ltype, "geometry": geom})
    for gid, members in groups.items():
        geoms = [loc_geom.get(m) for m in members]
        if geoms and all(g is not None for g in geoms):
            loc_geom[gid] = shapely.union_all(geoms)
    for row in loc_rows:
        row["geometry"] = loc_geom.get(row["identificatie"])

    def where(ids: list[str]) -> shapely.Geometry | None:
        geoms = [loc_geom.get(i) for i in ids]
        if not geoms or any(g is None for g in geoms):
            return None
        return geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)

    # --- regelteksten and the rules that annotate them ----------------------------------------
    rt_wid: dict[str, str | None] = {}
    for el, _name in objs.get("Regeltekst", []):
        rid = _child_text(el, "identificatie")
        if rid:
            rt_wid[rid] = el.get("wId")
    regel_of: dict[str, dict[str, Any]] = {}  # regeltekst id -> rule info
    act_rows: list[dict[str, Any]] = []
    ga_rules: dict[str, list[str]] = {}
    norm_rules: dict[str, list[str]] = {}
    for rtype in _REGEL_TYPES:
        for el, _name in objs.get(rtype, []):
            rt_ids = _hrefs(el, "RegeltekstRef")
            rt_id = rt_ids[0] if rt_ids else None
            locs = [h for c in el if _local(c) == "locatieaanduiding" for h in _hrefs(c, "LocatieRef")]
            if rt_id is not None:
                regel_of[rt_id] = {"type_regel": rtype, "locaties": locs}
            art = articles.get((rt_wid.get(rt_id) if rt_id is not None else None) or "", {})
            for aa in (c for c in el if _local(c) == "activiteitaanduiding"):
                act_ids = [h for c in aa if _local(c) == "ActiviteitRef" and (h := c.get(_XLINK_HREF))]
                for ala in (c for c in aa if _local(c) == "ActiviteitLocatieaanduiding"):
                    kwal = _term(_child_text(ala, "activiteitregelkwalificatie"))
                    alocs = _hrefs(ala, "LocatieRef") or locs
                    for aid in act_ids:
                        act_rows.append({"identificatie": aid, "regeltekst_id": rt_id,
                                         "activiteitregelkwalificatie": kwal,
                                         "artikel": art.get("artikel"),
                                         "locatie_id": ";".join(alocs) or None,
                                         "geometry": where(alocs)})
            for ga in _hrefs(el, "GebiedsaanwijzingRef"):
                ga_rules.setdefault(ga, []).append(rt_id or "")
            for nid in _hrefs(el, "OmgevingsnormRef") + _hrefs(el, "OmgevingswaardeRef"):
                norm_rules.setdefault(nid, []).append(rt_id or "")
    rt_rows = []
    for rid, wid in rt_wid.items():
        art = articles.get(wid or "", {})
        rule = regel_of.get(rid, {})
        locs = rule.get("locaties", [])
        rt_rows.append({"identificatie": rid, "regeling_id": regeling_id, "wid": wid,
                        "artikel": art.get("artikel"), "lid": art.get("lid"),
                        "artikel_titel": art.get("artikel_titel"), "tekst": art.get("tekst"),
                        "type_regel": rule.get("type_regel"),
                        "locatie_id": ";".join(locs) or None, "geometry": where(locs)})

    # --- activiteiten -------------------------------------------------------------------------
    acts = {}
    for el, _name in objs.get("Activiteit", []):
        aid = _child_text(el, "identificatie")
        if aid:
            acts[aid] = {"naam": _child_text(el, "naam"), "groep": _term(_child_text(el, "groep"))}
    used = {r["identificatie"] for r in act_rows}
    for aid in acts:
        if aid not in used:
            act_rows.append({"identificatie": aid, "geometry": None})
    for row in act_rows:
        row.update(acts.get(row["identificatie"], {}))

    # --- gebiedsaanwijzingen ------------------------------------------------------------------
    ga_rows = []
    for el, _name in objs.get("Gebiedsaanwijzing", []):
        ga_id = _child_text(el, "identificatie")
        locs = _hrefs(el, "LocatieRef")
        ga_rows.append({"identificatie": ga_id, "naam": _child_text(el, "naam"),
                        "type": _term(_child_text(el, "type")),
                        "groep": _term(_child_text(el, "groep")),
                        "regeltekst_id": ";".join(r for r in ga_rules.get(ga_id or "", []) if r)
                        or None, "locatie_id": ";".join(locs) or None, "geometry": where(locs)})

    # --- omgevingsnormen / -waarden -----------------------------------------------------------
    norm_rows = []
    for ntype in _NORM_TYPES:
        for el, _name in objs.get(ntype, []):
            norm_id = _child_text(el, "identificatie")
            base = {"identificatie": norm_id, "naam": _child_text(el, "naam"),
                    "type": _term(_child_text(el, "type")),
                    "eenheid": _term(next((_text(c) for c in el.iter() if _local(c) == "eenheid"),
                                          None)),
                    "regeltekst_id": ";".join(r for r in norm_rules.get(norm_id or "", []) if r)
                    or None}
            for nw in (c for c in el.iter() if _local(c) == "Normwaarde"):
                kwant = next((_text(c) for c in nw if _local(c) == "kwantitatieveWaarde"), None)
                kwal = next((_text(c) for c in nw if _local(c) == "kwalitatieveWaarde"), None)
                locs = _hrefs(nw, "LocatieRef")
                norm_rows.append({**base, "waarde": parse_number(kwant),
                                  "waarde_tekst": kwant if kwant is not None else kwal,
                                  "locatie_id": ";".join(locs) or None, "geometry": where(locs)})

    out = {}
    for layer, rows in (("regeltekst", rt_rows), ("activiteit", act_rows),
                        ("gebiedsaanwijzing", ga_rows), ("omgevingsnorm", norm_rows),
                        ("locatie", loc_rows)):
        frame = pd.DataFrame(rows) if rows else pd.DataFrame({"identificatie": [], "geometry": []})
        geoms = frame.pop("geometry").tolist()
        frame["bron"] = "STOP/IMOW"
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=RD_NEW, dtype="geometry"),
                               crs=RD_NEW)
        out[layer] = conform(gdf, layer, what=f"{path} ({layer})")
    return out
