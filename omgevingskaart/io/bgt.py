"""BGT (Basisregistratie Grootschalige Topografie) in IMGeo 2.1 CityGML, as PDOK delivers it.

Input: the PDOK download zip of ``bgt_<klasse>.gml`` files, a folder of such files, or one
``bgt_<klasse>.gml`` file. Output: one layer ``bgt_<klasse>`` per class that has current
objects (schema kind ``bgt``), e.g. ``bgt_pand``, ``bgt_wegdeel``, ``bgt_scheiding``.

What is read
------------
* Every object class in the files (the class is the file name's ``bgt_<klasse>``; for a file
  with another name, from the CityGML/IMGeo element name, e.g. ``TrafficArea`` -> wegdeel).
* Ended objects - those with ``imgeo:eindRegistratie`` set - are left out (``include_ended=True``
  keeps them). PDOK's full download carries history; only current objects are in force.
* Columns: ``identificatie`` (the NEN3610 lokaalID), ``bgt_klasse``, ``bgt_status``,
  ``functie``, ``fysiek_voorkomen``, ``type``, ``plus_type``, ``relatieve_hoogteligging``,
  ``identificatie_bag_pnd`` (the link from BGT pand to BAG pand, kept as published),
  ``tijdstip_registratie``, ``bron`` = ``"BGT"``. CityGML carries the IMGeo attributes in its
  own elements: ``function`` is the wegdeel's functie but a paal's or put's type; ``class`` is
  a begroeidterreindeel's fysiek voorkomen but a waterdeel's type; ``surfaceMaterial`` is the
  wegdeel's fysiek voorkomen. This module maps them per element (see :data:`_CITYGML_MAP`).
* Geometry, the main 2D geometry per class: the object's ``imgeo:geometrie2d*`` property
  (``geometrie2dGrondvlak`` for pand, ``geometrie2dWegdeel`` for wegdeel - not the
  ``kruinlijn*`` -, ``geometrie2dOverigeConstructie`` for scheiding, points for paal/put/boom,
  lines or polygons elsewhere). OpenbareRuimteLabel has none: its first label position
  (``openbareRuimteNaam/Label/positie``) is used. Arcs are linearised (chord error <=
  ``max_chord_error``, default 0.01 m, see :mod:`._gml`).
* CRS: RD New. The BGT is RD New by specification and PDOK omits srsName on pand geometries,
  so a missing srsName is taken as RD New; any other srsName raises :class:`CRSError`.

Streaming: each file is read with lxml ``iterparse`` one ``cityObjectMember`` at a time and
the element freed after use, so memory is bounded by the output, not the XML.

GDAL comparison (``benchmarks/bench_loaders_b.py``): GDAL's GML driver (pyogrio, via
``/vsizip/``) reads the same files, but it returns *every* geometry property (it picks the first
one it meets as the layer geometry - for wegdeel that depends on the .gfs it guesses), keeps
ended objects (the filter is left to the caller), reports the CityGML element names rather than
IMGeo terms, and needs one call per file. Measured there (CPU time, same run, 36.6 MB sample,
two runs): this loader 1.23-1.39 s for the 9,289 current objects, GDAL 2.10-2.55 s for its
14,180 (1.11-1.20x GDAL's features/s, 1.70-1.84x faster on the same file); with
``include_ended`` 1.55-1.98 s against 2.15-2.49 s (1.26-1.39x). The time: lxml's iterparse
~0.49 s (ended objects included), attributes ~0.2 s, geometry ~0.25 s (each layer's polygons
and points are built in one ``shapely.from_ragged_array`` / ``shapely.points`` call,
:class:`._gml.GeometryBatch`; per feature it was 0.64 s), frame and ``conform`` ~0.15 s.
Details in docs/loaders-plans.md.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import geopandas as gpd

from ..errors import DataFileError, GeometryError, UnsupportedFormatError
from ..schema import conform_columns
from . import _coords, _gml, limits
from ._xml import Prepend, iterparse, root_of

FORMAT = "BGT IMGeo CityGML"

CITYGML_NS = ("http://www.opengis.net/citygml/2.0", "http://www.opengis.net/citygml/1.0")
_MEMBER_TAGS = [f"{{{ns}}}cityObjectMember" for ns in CITYGML_NS]
_IMGEO_NS = re.compile(rb"http://www\.geostandaarden\.nl/imgeo/2\.[01]")
_FILE_RE = re.compile(r"(?:^|/)bgt_([a-z]+)\.gml$", re.IGNORECASE)

#: CityGML element -> BGT class, for files not named bgt_<klasse>.gml.
_ELEMENT_CLASS = {
    "BuildingPart": "pand",
    "Building": "pand",
    "TrafficArea": "wegdeel",
    "AuxiliaryTrafficArea": "ondersteunendwegdeel",
    "PlantCover": "begroeidterreindeel",
    "SolitaryVegetationObject": "vegetatieobject",
    "BuildingInstallation": "gebouwinstallatie",
    "BridgeConstructionElement": "overbruggingsdeel",
    "WaterBody": "waterdeel",
    "TunnelPart": "tunneldeel",
    "Railway": "spoor",
    "CityFurniture": "straatmeubilair",
}

#: (CityGML object element, child element) -> column. Children not listed are matched by
#: the generic IMGeo names in _IMGEO_MAP.
_CITYGML_MAP = {
    ("TrafficArea", "function"): "functie",
    ("TrafficArea", "surfaceMaterial"): "fysiek_voorkomen",
    ("AuxiliaryTrafficArea", "function"): "functie",
    ("AuxiliaryTrafficArea", "surfaceMaterial"): "fysiek_voorkomen",
    ("PlantCover", "class"): "fysiek_voorkomen",
}
_IMGEO_MAP = {
    "bgt-status": "bgt_status",
    "bgt-functie": "functie",
    "bgt-fysiekVoorkomen": "fysiek_voorkomen",
    "bgt-type": "type",
    "openbareRuimteType": "type",
    "function": "type",  # street furniture (paal, put, bord, ...): its type
    "class": "type",  # waterdeel, vegetatieobject, overbruggingsdeel: its type
    "identificatieBAGPND": "identificatie_bag_pnd",
    "tijdstipRegistratie": "tijdstip_registratie",
    "relatieveHoogteligging": "relatieve_hoogteligging",
}
_COLUMNS = ("identificatie", "bgt_klasse", "bgt_status", "functie", "fysiek_voorkomen", "type",
            "plus_type", "relatieve_hoogteligging", "identificatie_bag_pnd",
            "tijdstip_registratie", "eind_registratie")


def sniff(path: Path, head: bytes) -> bool:
    """A BGT zip/folder (``bgt_*.gml`` inside) or a single IMGeo CityGML file."""
    if path.is_dir():
        return any(path.glob("bgt_*.gml"))
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                return any(_FILE_RE.search(n) for n in zf.namelist())
        except (zipfile.BadZipFile, OSError):
            return False
    return b"CityModel" in head and bool(_IMGEO_NS.search(head))


def _sources(path: Path) -> Iterator[tuple[str, Any]]:
    """(member name, opener) per bgt_*.gml file in a zip, folder or single file."""
    if path.is_dir():
        files = sorted(path.glob("*.gml"))
        if not files:
            raise DataFileError(path, "no .gml files in this folder")
        for f in files:
            yield f.name, (lambda f=f: f.open("rb"))
        return
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as exc:
        raise DataFileError(path, f"cannot read: {exc}") from exc
    if is_zip or path.suffix.lower() == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataFileError(path, f"not a readable zip (truncated?): {exc}") from exc
        with zf:
            names = sorted(n for n in zf.namelist() if n.lower().endswith(".gml"))
            if not names:
                raise UnsupportedFormatError(path, "zip holds no .gml files (not a BGT download)")
            for n in names:
                yield n, (lambda n=n: limits.open_member(zf, n, path))
        return
    yield path.name, (lambda: path.open("rb"))


def read(
    path: str | Path,
    *,
    classes: Iterable[str] | None = None,
    include_ended: bool = False,
    max_chord_error: float = _gml.MAX_CHORD_ERROR,
) -> dict[str, gpd.GeoDataFrame]:
    """Read a BGT IMGeo CityGML download into ``{"bgt_<klasse>": GeoDataFrame}``.

    ``classes`` limits the classes read (e.g. ``["pand", "wegdeel"]``); ``include_ended`` keeps
    objects with eindRegistratie (and adds an ``eind_registratie`` column); ``max_chord_error``
    bounds the arc linearisation error in metres.
    """
    path = Path(path)
    wanted = None if classes is None else {c.lower().removeprefix("bgt_") for c in classes}
    rows: dict[str, list[tuple[Any, ...]]] = {}
    batches: dict[str, _gml.GeometryBatch] = {}
    seen = 0
    for name, opener in _sources(path):
        m = _FILE_RE.search(name)
        file_class = m.group(1).lower() if m else None
        if wanted is not None and file_class is not None and file_class not in wanted:
            continue
        try:
            with opener() as fh:
                seen += 1
                _read_member(fh, path, name, file_class, include_ended, max_chord_error,
                             wanted, rows, batches)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise DataFileError(path, f"zip member is corrupt or truncated: {exc}",
                                element=name) from exc
    if seen == 0:
        raise DataFileError(path, "no BGT files of the requested classes found")
    layers: dict[str, gpd.GeoDataFrame] = {}
    for klasse in sorted(rows):
        columns = list(zip(*rows.pop(klasse), strict=True))
        cols: dict[str, Sequence[Any]] = dict(zip(_COLUMNS, columns, strict=True))
        if not include_ended:
            del cols["eind_registratie"]
        geoms = batches.pop(klasse).build()
        _coords.check_rd(geoms, path, cols["identificatie"], layer=f"bgt_{klasse}")
        cols["bron"] = ["BGT"] * len(geoms)
        layers[f"bgt_{klasse}"] = conform_columns(cols, geoms, "bgt",
                                                  what=f"{path} (bgt_{klasse})",
                                                  keep_extra=include_ended)
    return layers


def _read_member(fh: IO[bytes], path: Path, name: str, file_class: str | None,
                 include_ended: bool, max_chord_error: float, wanted: set[str] | None,
                 rows: dict[str, list[tuple[Any, ...]]],
                 batches: dict[str, _gml.GeometryBatch]) -> None:
    """Append the objects of one file to ``rows`` (attributes) and ``batches`` (geometries),
    per class."""
    head = fh.read(65536)
    ns, root = root_of(head, path, member=name)
    if root != "CityModel" or ns not in CITYGML_NS:
        raise UnsupportedFormatError(path, f"root element {{{ns}}}{root} is not a CityGML "
                                     "CityModel", element=name)
    if not _IMGEO_NS.search(head):
        raise UnsupportedFormatError(path, "not IMGeo 2.x CityGML (namespace "
                                     "http://www.geostandaarden.nl/imgeo/2.1 not declared)",
                                     element=name)
    reader = _gml.GMLReader(path, default_rd=True, max_chord_error=max_chord_error)
    for member in iterparse(Prepend(head, fh), path, _MEMBER_TAGS, member=name):
        for obj in member:
            if isinstance(obj.tag, str):
                break
        else:
            continue
        rec = _record(obj, reader, name, file_class, include_ended)
        if rec is None:
            continue
        vals, geom_el = rec
        klasse = vals[1]
        if wanted is not None and klasse not in wanted:
            continue
        batch = batches.get(klasse)
        if batch is None:
            batch = batches[klasse] = _gml.GeometryBatch()
            rows[klasse] = []
        batch.add(reader, geom_el, feature=_gml.gml_id(obj))
        rows[klasse].append(vals)


_MISSING = object()
_COL_INDEX = {c: i for i, c in enumerate(_COLUMNS)}
#: object element -> child tag -> what to do with the child: a column index, "geom", "end",
#: "ident" or None (ignored). Filled on first sight of each pair, so the per-child work is one
#: dict lookup instead of a tag split and a chain of prefix tests.
_ACTIONS: dict[str, dict[Any, Any]] = {}


def _action(element: str, tag: Any) -> Any:
    if not isinstance(tag, str):
        return None
    local = tag.rpartition("}")[2]
    if local.startswith("geometrie2d"):
        return "geom"
    if local == "eindRegistratie":
        return "end"
    if local == "identificatie":
        return "ident"
    if local.startswith("plus-type"):
        return _COL_INDEX["plus_type"]
    col = _CITYGML_MAP.get((element, local)) or _IMGEO_MAP.get(local)
    return None if col is None else _COL_INDEX[col]


def _record(obj: Any, reader: _gml.GMLReader, name: str, file_class: str | None,
            include_ended: bool) -> tuple[tuple[Any, ...], Any] | None:
    """The row of one BGT object (the values of :data:`_COLUMNS`) and its GML geometry element;
    None when it has ended and ended objects are not wanted."""
    element = obj.tag.rpartition("}")[2]
    vals: list[Any] = [None] * len(_COLUMNS)
    vals[1] = file_class or _ELEMENT_CLASS.get(element, element.lower())
    geom_el = None
    actions = _ACTIONS.get(element)
    if actions is None:
        actions = _ACTIONS[element] = {}
    for child in obj:
        tag = child.tag
        act = actions.get(tag, _MISSING)
        if act is _MISSING:
            act = actions[tag] = _action(element, tag)
        if act is None:
            continue
        if act.__class__ is int:
            vals[act] = (child.text or "").strip() or None
        elif act == "geom":
            geom_el = next((g for g in child if isinstance(g.tag, str)), None)
        elif act == "end":
            if child.text and child.text.strip():
                if not include_ended:
                    return None  # ended: skip before parsing its geometry
                vals[_END] = child.text.strip()
        else:  # identificatie
            lok = next(child.iter("{*}lokaalID"), None)
            vals[0] = lok.text.strip() if lok is not None and lok.text else None
    if geom_el is None and element == "OpenbareRuimteLabel":
        geom_el = next(obj.iterfind(".//{*}plaatsingspunt/{*}Point"), None)
    if geom_el is None:
        raise GeometryError(f"{reader.path} ({name}, {_gml.gml_id(obj)}): {element} object "
                            "without a geometrie2d geometry")
    return tuple(vals), geom_el


_END = _COL_INDEX["eind_registratie"]


__all__ = ["FORMAT", "read", "sniff"]
