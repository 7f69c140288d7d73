"""3D BAG and CityJSON reader: building footprints with heights, and triangulated 3D surfaces.

What is read
------------
* CityJSON files (``*.city.json``, versions 1.0, 1.1, 2.0), such as 3D BAG tiles or any
  CityJSON city model (the cjio Delft sample);
* CityJSONSeq (``*.city.jsonl``): the first line is the ``CityJSON`` header (transform, CRS), each
  further line a ``CityJSONFeature``; read line by line, so memory is bounded by one feature;
* the 3D BAG GeoPackage (layers ``pand`` and ``lod12_2d`` / ``lod13_2d`` / ``lod22_2d`` ...): the
  ``pand`` layer, or else the ``lod12_2d`` parts dissolved per pand.

Only ``Building`` objects (with their ``BuildingPart`` children) are read, into layer ``pand``
(schema kind ``pand``). Other CityObject types (Road, PlantCover, LandUse, GenericCityObject,
Bridge, WaterBody, ... in the Delft sample) are ignored: they have no schema kind here.

Columns
-------
* ``identificatie``: the 16-digit BAG pand id, from ``identificatie`` /
  ``identificatiebagpnd`` attributes or the object id ``NL.IMBAG.Pand.0503100000012345``; ids
  published without the leading zero (``503100000000035``) are zero-padded to 16 digits;
* ``status``, ``bouwjaar`` (``oorspronkelijkbouwjaar``);
* heights in m NAP, names normalised across 3D BAG releases: ``b3_h_maaiveld`` (``h_maaiveld``),
  ``b3_h_dak_50p`` (``b3_h_50p``, ``h_dak_50p``), likewise ``_70p``, ``_max``, ``_min``;
  ``b3_dak_type`` (``dak_type``), ``b3_bouwlagen`` (``bouwlagen``); extra: ``b3_h_nok``,
  ``b3_volume_lod22``, ``lods`` (the LoDs present, ``;``-separated);
* for CityJSON without 3D BAG attributes (generic models) ``b3_h_maaiveld`` and ``b3_h_dak_max``
  are derived from the geometry (lowest and highest vertex, m NAP) and ``hoogte_bron`` says
  ``"geometrie"``; for the 3D BAG it says ``"3D BAG"``.
* geometry: the 2D footprint in RD New: the LoD 0 surface if present, else the GroundSurface of the
  lowest-LoD solid, else the 2D union of all surfaces of that solid.

CRS: ``metadata.referenceSystem`` must name EPSG:7415 (RD New + NAP) or EPSG:28992; a missing or
other CRS raises :class:`~omgevingskaart.errors.CRSError`. Vertices are integers with
``transform`` (scale, translate) which is applied.

3D surfaces
-----------
:func:`read_cityjson_surfaces` returns per building a :class:`BuildingMesh`: vertices (n, 3) in
RD/NAP, triangles (m, 3) int32 indices, semantics (m,) surface type per triangle. Each planar
polygon (with holes) is projected onto its best-fit plane (Newell normal) and triangulated with
mapbox_earcut; triangles are wound counter-clockwise seen from outside (along the Newell normal).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import mapbox_earcut
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..errors import (
    CRSError,
    DataFileError,
    GeometryError,
    ResourceLimitError,
    UnsupportedFormatError,
)
from ..schema import RD_NEW, conform
from . import _coords, _frames, limits

FORMAT = "CityJSON / 3D BAG"

VERSIONS = ("1.0", "1.1", "2.0")
_EPSG_RE = re.compile(r"EPSG(?:/0/|::?|:)(\d+)", re.I)
_ID_RE = re.compile(r"(\d{15,16})(?:-\d+)?$")

#: normalised column -> accepted attribute names, in order of preference (3D BAG releases).
ATTRIBUTE_ALIASES: dict[str, tuple[str, ...]] = {
    "b3_h_maaiveld": ("b3_h_maaiveld", "h_maaiveld"),
    "b3_h_dak_50p": ("b3_h_dak_50p", "b3_h_50p", "h_dak_50p"),
    "b3_h_dak_70p": ("b3_h_dak_70p", "b3_h_70p", "h_dak_70p"),
    "b3_h_dak_max": ("b3_h_dak_max", "b3_h_max", "h_dak_max"),
    "b3_h_dak_min": ("b3_h_dak_min", "b3_h_min", "h_dak_min"),
    "b3_dak_type": ("b3_dak_type", "dak_type"),
    "b3_bouwlagen": ("b3_bouwlagen", "bouwlagen"),
    "b3_h_nok": ("b3_h_nok", "h_nok"),
    "b3_volume_lod22": ("b3_volume_lod22", "volume_lod22"),
    "bouwjaar": ("oorspronkelijkbouwjaar", "oorspronkelijkBouwjaar", "bouwjaar"),
    "status": ("status",),
}
_ID_ATTRS = ("identificatie", "identificatiebagpnd", "identificatieBAGPND", "bag_pand_id")
_BUILDING_TYPES = ("Building",)
_PART_TYPES = ("BuildingPart", "BuildingInstallation")


# --- detection -----------------------------------------------------------------------------------


def _gpkg_layers(path: Path) -> list[str]:
    try:
        return [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception:
        return []


def sniff(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return False
    if head.startswith(b"SQLite format 3"):
        layers = set(_gpkg_layers(path))
        return bool(layers & {"lod12_2d", "lod13_2d", "lod22_2d", "lod12_3d", "lod22_3d"})
    text = head.lstrip()
    if not text.startswith(b"{"):
        return False
    # keys may come in any order: the 64 KiB head of a big file may only show "CityObjects"
    return (re.search(rb'"type"\s*:\s*"CityJSON(Feature)?"', text) is not None
            or (b'"CityObjects"' in text and path.name.lower().endswith((".json", ".jsonl"))))


# --- low level -----------------------------------------------------------------------------------


def _crs_code(meta: dict[str, Any] | None, name: str) -> int:
    meta = meta if isinstance(meta, dict) else {}
    ref = meta.get("referenceSystem") or meta.get("crs")
    if not ref:
        raise CRSError(f"{name}: CityJSON without metadata.referenceSystem; expected EPSG:7415 "
                       "(RD New + NAP) or EPSG:28992")
    m = _EPSG_RE.search(str(ref))
    code = int(m.group(1)) if m else -1
    if code not in (7415, 28992):
        raise CRSError(f"{name}: CityJSON in CRS {ref!r}; expected EPSG:7415 (RD New + NAP) or "
                       "EPSG:28992")
    return code


def _check_version(doc: dict[str, Any], name: str) -> None:
    if doc.get("type") not in ("CityJSON", "CityJSONFeature"):
        raise UnsupportedFormatError(name, f"JSON of type {doc.get('type')!r}, not CityJSON")
    version = str(doc.get("version", ""))
    if doc.get("type") == "CityJSON" and version not in VERSIONS:
        raise UnsupportedFormatError(
            name, f"CityJSON version {version or '(none)'} is not supported ({', '.join(VERSIONS)})")


def _vertices(raw: Any, transform: Any, name: str) -> np.ndarray:
    """The (n, 3) vertices in RD New / NAP, ``transform`` applied; every x/y checked to lie in
    the RD New area and every value to be finite (:class:`CoordinateError`)."""
    if raw is None or (isinstance(raw, list) and not raw):
        return np.empty((0, 3))
    if not isinstance(raw, list):
        raise DataFileError(name, "vertices is not a list of [x, y, z]", element="vertices")
    try:
        v = np.asarray(raw)
    except (ValueError, TypeError) as exc:  # ragged, nested too deep
        raise DataFileError(name, "vertices are not a list of [x, y, z]",
                            element="vertices") from exc
    if v.ndim != 2 or v.shape[1] != 3 or v.dtype.kind not in "iuf":
        raise DataFileError(name, "vertices are not a list of [x, y, z] numbers",
                            element="vertices")
    v = v.astype(np.float64)
    if transform is not None:
        scale, translate = _transform(transform, name)
        v = v * scale + translate
    _coords.check_xy(v, name, "vertices")
    return v


def _transform(transform: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(scale, translate)`` of a CityJSON transform, each three finite numbers."""
    if not isinstance(transform, dict):
        raise DataFileError(name, "transform is not an object with scale and translate",
                            element="transform")
    out = []
    for key in ("scale", "translate"):
        val = transform.get(key)
        if (not isinstance(val, list) or len(val) != 3
                or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in val)):
            raise DataFileError(name, f"transform.{key} is not a list of three numbers",
                                element="transform")
        arr = np.asarray(val, dtype=np.float64)
        if not np.isfinite(arr).all():
            raise DataFileError(name, f"transform.{key} holds a non-finite number",
                                element="transform")
        out.append(arr)
    return out[0], out[1]


#: boundary nesting depth (lists above the vertex indices) per CityJSON geometry type.
_DEPTH = {"MultiPoint": 1, "MultiLineString": 2, "MultiSurface": 3, "CompositeSurface": 3,
          "Solid": 4, "MultiSolid": 5, "CompositeSolid": 5}


def _check_geometry(g: Any, nverts: int, name: str, oid: str) -> None:
    """A geometry object whose boundaries nest as its type says and whose vertex indices are
    integers in ``0 .. nverts - 1`` (a negative index would wrap around silently)."""
    if not isinstance(g, dict):
        raise DataFileError(name, "a geometry that is not an object", element=oid)
    depth = _DEPTH.get(g.get("type"))  # type: ignore[arg-type]
    if depth is None:
        return  # GeometryInstance and unknown types are not read
    items: list[Any] = [g.get("boundaries")]
    for _ in range(depth):
        nxt: list[Any] = []
        for it in items:
            if not isinstance(it, list):
                raise DataFileError(name, f"{g.get('type')} boundaries do not nest "
                                    f"{depth} lists deep", element=oid)
            nxt.extend(it)
        items = nxt
    if not all(type(i) is int for i in items):
        raise DataFileError(name, f"{g.get('type')} boundaries hold something other than "
                            "vertex indices (integers)", element=oid)
    if items:
        lo, hi = min(items), max(items)
        if lo < 0 or hi >= nverts:
            bad = lo if lo < 0 else hi
            raise DataFileError(name, f"vertex index {bad} out of range ({nverts} vertices)",
                                element=oid)
    sem = g.get("semantics")
    if sem is not None and (not isinstance(sem, dict)
                            or not isinstance(sem.get("surfaces", []), list)):
        raise DataFileError(name, "semantics is not an object with a surfaces list",
                            element=oid)
    if sem is not None and not all(isinstance(x, dict) and isinstance(x.get("type"), str)
                                   for x in sem.get("surfaces", [])):
        raise DataFileError(name, "semantics.surfaces holds something other than surfaces "
                            "with a type", element=oid)


def _at(values: Any, *idx: int) -> Any:
    """``values[i][j]...``, or None where the semantics values do not reach that far."""
    for i in idx:
        if not isinstance(values, list) or not 0 <= i < len(values):
            return None
        values = values[i]
    return values


def _surfaces(geom: dict[str, Any]) -> Iterator[tuple[list[list[int]], str | None]]:
    """Yield (rings, semantic type or None) for every surface of a (checked) geometry."""
    gtype = geom.get("type")
    b = geom.get("boundaries") or []
    sem = geom.get("semantics") or {}
    kinds = [s.get("type") if isinstance(s, dict) else None for s in sem.get("surfaces", [])]
    values = sem.get("values")

    def label(v: Any) -> str | None:
        k = kinds[v] if type(v) is int and 0 <= v < len(kinds) else None
        return k if isinstance(k, str) else None

    if gtype in ("MultiSurface", "CompositeSurface"):
        for i, surf in enumerate(b):
            yield surf, label(_at(values, i))
    elif gtype == "Solid":
        for si, shell in enumerate(b):
            for i, surf in enumerate(shell):
                yield surf, label(_at(values, si, i))
    elif gtype in ("MultiSolid", "CompositeSolid"):
        for di, solid in enumerate(b):
            for si, shell in enumerate(solid):
                for i, surf in enumerate(shell):
                    yield surf, label(_at(values, di, si, i))


def _lod(g: dict[str, Any]) -> str:
    lod = g.get("lod")
    return "" if lod is None else str(lod)


def _polygon2d(rings: list[list[int]], verts: np.ndarray) -> shapely.Polygon | None:
    if not rings or len(rings[0]) < 3:
        return None
    ext = verts[rings[0], :2]
    holes = [verts[r, :2] for r in rings[1:] if len(r) >= 3]
    return shapely.Polygon(ext, holes)


def _polygons2d(surfaces: list[list[list[int]]], verts: np.ndarray) -> np.ndarray:
    """The 2D polygons of many surfaces at once (what :func:`_polygon2d` gives for each).

    One ``shapely.linearrings`` and one ``shapely.polygons`` call over flat index arrays instead
    of a Polygon per surface: Delft's 160 buildings have 5,563 surfaces, and building them one by
    one was three quarters of the loader's time.
    """
    idx: list[int] = []
    lengths: list[int] = []
    owner: list[int] = []
    n = 0
    for rings in surfaces:
        if not rings or len(rings[0]) < 3:
            continue
        for j, r in enumerate(rings):
            if j and len(r) < 3:
                continue
            idx.extend(r)
            lengths.append(len(r))
            owner.append(n)
        n += 1
    if not n:
        return np.empty(0, dtype=object)
    try:
        ring_ids = np.repeat(np.arange(len(lengths)), lengths)
        rings_arr = shapely.linearrings(verts[np.asarray(idx, dtype=np.intp), :2], indices=ring_ids)
        return np.asarray(shapely.polygons(rings_arr, indices=np.asarray(owner)))
    except (ValueError, shapely.errors.GEOSException):  # a degenerate ring: one at a time
        polys = [_polygon2d(r, verts) for r in surfaces]
        return np.array([p for p in polys if p is not None], dtype=object)


def _union2d(polys: np.ndarray) -> Any:
    arr = np.asarray(polys, dtype=object)
    if not arr.size:
        return None
    arr = shapely.make_valid(arr)
    arr = arr[shapely.area(arr) > 1e-6]
    if not arr.size:
        return None
    out = shapely.union_all(arr)
    if out.geom_type == "GeometryCollection":
        parts = [g for g in out.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        out = shapely.union_all(parts) if parts else None
    return out


def _footprint(geoms: list[dict[str, Any]], verts: np.ndarray) -> Any:
    """LoD 0 surface; else GroundSurface of the lowest-LoD solid; else 2D union of that solid."""
    lod0 = [g for g in geoms if _lod(g).startswith("0")]
    if lod0:
        return _union2d(_polygons2d([r for g in lod0 for r, _ in _surfaces(g)], verts))
    solids = sorted((g for g in geoms if g.get("type") in ("Solid", "MultiSolid",
                                                           "CompositeSolid", "MultiSurface",
                                                           "CompositeSurface")), key=_lod)
    if not solids:
        return None
    lowest = _lod(solids[0])
    same = [g for g in solids if _lod(g) == lowest]
    ground = [r for g in same for r, k in _surfaces(g) if k == "GroundSurface"]
    if ground:
        return _union2d(_polygons2d(ground, verts))
    return _union2d(_polygons2d([r for g in same for r, _ in _surfaces(g)], verts))


def _pand_id(obj_id: str, attrs: dict[str, Any]) -> str | None:
    for a in _ID_ATTRS:
        v = attrs.get(a)
        if v not in (None, ""):
            m = _ID_RE.search(str(v))
            if m:
                return m.group(1).zfill(16)
    m = _ID_RE.search(obj_id)
    return m.group(1).zfill(16) if m else None


# --- sources: one or more (CityObjects, vertices) chunks ------------------------------------------


@dataclass
class _Chunk:
    objects: dict[str, Any]
    vertices: np.ndarray
    is_3dbag: bool


#: what a malformed JSON text raises in ``json``: syntax errors, bad UTF-8, nesting too deep
_JSON_ERRORS = (ValueError, RecursionError)


def _json(data: bytes, path: Path, element: str | None = None) -> Any:
    try:
        return json.loads(data)
    except _JSON_ERRORS as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise DataFileError(path, f"{element + ' is ' if element else ''}not valid JSON: {what}",
                            element=element) from exc


def _objects(doc: dict[str, Any], path: str | Path, element: str | None) -> dict[str, Any]:
    objs = doc.get("CityObjects")
    if objs is None:
        return {}
    if not isinstance(objs, dict):
        raise DataFileError(path, "CityObjects is not an object (id -> CityObject)",
                            element=element)
    return objs


def _chunks(path: Path) -> Iterator[_Chunk]:
    name = str(path)
    lim = limits.current()
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise DataFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    with fh:
        first = fh.readline(lim.max_document_bytes + 1)
        if not first.strip():
            raise DataFileError(path, "the file is empty")
        try:
            header = json.loads(first)
        except _JSON_ERRORS:
            header = None
        seq = (isinstance(header, dict) and header.get("type") == "CityJSON"
               and not header.get("CityObjects") and bool(fh.peek(1).strip()))
        if not seq:  # one CityJSON document (on one line or spread over many)
            if header is not None:
                doc = header
            else:
                fh.seek(0)
                doc = _json(limits.read_file_bounded(fh, path), path)
            if not isinstance(doc, dict):
                raise UnsupportedFormatError(path, "JSON that is not a CityJSON object")
            _check_version(doc, name)
            _crs_code(doc.get("metadata"), name)
            is3d = _is_3dbag(doc.get("metadata"))
            yield _Chunk(_objects(doc, path, None), _vertices(doc.get("vertices"),
                                                              doc.get("transform"), name), is3d)
            return
        assert header is not None
        _check_version(header, name)
        _crs_code(header.get("metadata"), name)
        transform = header.get("transform")
        if transform is not None:
            _transform(transform, name)
        is3d = _is_3dbag(header.get("metadata"))
        lineno = 1
        while line := fh.readline(lim.max_document_bytes + 1):
            lineno += 1
            where = f"line {lineno}"
            if len(line) > lim.max_document_bytes:
                raise ResourceLimitError(path, f"a line longer than {lim.max_document_bytes:,} "
                                         "bytes", limit="max_document_bytes", element=where)
            if not line.strip():
                continue
            feat = _json(line, path, where)
            if not isinstance(feat, dict) or feat.get("type") != "CityJSONFeature":
                kind = feat.get("type") if isinstance(feat, dict) else type(feat).__name__
                raise DataFileError(path, f"{where} is a {kind!r}, expected a CityJSONFeature",
                                    element=where)
            yield _Chunk(_objects(feat, path, where),
                         _vertices(feat.get("vertices"), transform, f"{name}:{lineno}"), is3d)


def _is_3dbag(meta: Any) -> bool:
    meta = meta if isinstance(meta, dict) else {}
    return "3dbag" in str(meta.get("title", "")).lower() or "3dbag" in str(
        meta.get("fullMetadataUrl", "")).lower()


def _buildings(chunk: _Chunk,
               name: str) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Yield (object id, attributes, geometries of the building and its parts), each geometry
    checked (:func:`_check_geometry`: nesting, integer vertex indices in range)."""
    objs = chunk.objects
    nverts = len(chunk.vertices)
    for oid, obj in objs.items():
        if not isinstance(obj, dict):
            raise DataFileError(name, "a CityObject that is not an object", element=oid)
        if obj.get("type") not in _BUILDING_TYPES:
            continue
        geoms = _geometry_list(obj, name, oid)
        children = obj.get("children") or []
        if not isinstance(children, list):
            raise DataFileError(name, "children is not a list of ids", element=oid)
        for child in children:
            if not isinstance(child, str):
                raise DataFileError(name, "children holds something other than ids (text)",
                                    element=oid)
            c = objs.get(child)
            if isinstance(c, dict) and c.get("type") in _PART_TYPES:
                geoms += _geometry_list(c, name, child)
        for g in geoms:
            _check_geometry(g, nverts, name, oid)
        attrs = obj.get("attributes") or {}
        if not isinstance(attrs, dict):
            raise DataFileError(name, "attributes is not an object", element=oid)
        yield oid, attrs, geoms


def _geometry_list(obj: dict[str, Any], name: str, oid: str) -> list[dict[str, Any]]:
    geoms = obj.get("geometry") or []
    if not isinstance(geoms, list):
        raise DataFileError(name, "geometry is not a list", element=oid)
    return list(geoms)


# --- public API ----------------------------------------------------------------------------------


def _num(v: Any) -> float:
    try:
        return float(v) if v not in (None, "") else float("nan")
    except (TypeError, ValueError, OverflowError):
        return float("nan")


def _row(oid: str, attrs: dict[str, Any], geoms: list[dict[str, Any]], verts: np.ndarray, is3d: bool,
         name: str) -> dict[str, Any]:
    row: dict[str, Any] = {"identificatie": _pand_id(oid, attrs), "object_id": oid}
    for col, names in ATTRIBUTE_ALIASES.items():
        val = next((attrs[n] for n in names if n in attrs and attrs[n] not in (None, "")), None)
        if val is not None and not isinstance(val, str | int | float):
            raise DataFileError(name, f"attribute {col} is a {type(val).__name__}, expected a "
                                "number or text", element=oid)
        row[col] = val
    for col in ("b3_h_maaiveld", "b3_h_dak_50p", "b3_h_dak_70p", "b3_h_dak_max", "b3_h_dak_min",
                "b3_h_nok", "b3_volume_lod22"):
        row[col] = _num(row[col])
    has_heights = not np.isnan(row["b3_h_maaiveld"]) or not np.isnan(row["b3_h_dak_70p"])
    used = sorted({i for g in geoms for s, _ in _surfaces(g) for r in s for i in r})
    if not has_heights and used:
        z = verts[used, 2]
        row["b3_h_maaiveld"] = float(z.min())
        row["b3_h_dak_max"] = float(z.max())
        row["hoogte_bron"] = "geometrie"
    else:
        row["hoogte_bron"] = "3D BAG" if is3d else "attributen"
    row["lods"] = ";".join(sorted({_lod(g) for g in geoms}))
    row["bron"] = "3D BAG" if is3d else "CityJSON"
    try:
        fp = _footprint(geoms, verts)
    except (ValueError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"{name}: Building {oid}: broken geometry: {exc}") from exc
    if fp is None:
        raise GeometryError(f"{name}: Building {oid} has no geometry to derive a footprint from")
    row["geometry"] = fp
    return row


def read(path: Path, **options: Any) -> dict[str, gpd.GeoDataFrame]:
    """Read CityJSON, CityJSONSeq or a 3D BAG GeoPackage into ``{"pand": GeoDataFrame}``."""
    if options:
        raise TypeError(f"unknown option(s) for the CityJSON reader: {', '.join(options)}")
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "no such file")
    with path.open("rb") as fh:
        magic = fh.read(16)
    if magic.startswith(b"SQLite format 3"):
        return {"pand": _read_gpkg(path)}
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(path):
        for oid, attrs, geoms in _buildings(chunk, str(path)):
            rows.append(_row(oid, attrs, geoms, chunk.vertices, chunk.is_3dbag, str(path)))
    return {"pand": _pand_frame(rows, path)}


def _pand_frame(rows: list[dict[str, Any]], source: str | Path, bron: str | None = None) -> gpd.GeoDataFrame:
    if not rows:
        return _frames.empty("pand")
    geoms = [r.pop("geometry") for r in rows]
    frame = pd.DataFrame(rows)
    if bron is not None:
        frame["bron"] = bron
    missing = frame["identificatie"].isna()
    if missing.any():
        bad = frame.loc[missing, "object_id"].iloc[0]
        raise DataFileError(source, "Building without a BAG pand identificatie", element=bad)
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=RD_NEW)
    return conform(gdf, "pand", what=f"{source} (Building)", keep_extra=True)


def features_to_pand(features: Iterable[dict[str, Any]], transform: dict[str, Any] | None, *,
                     source: str, bron: str | None = None, is_3dbag: bool = True) -> gpd.GeoDataFrame:
    """``pand`` rows from CityJSONFeature objects (e.g. the 3D BAG API's pages).

    ``transform`` is the scale/translate of the stream's header (or the API's response);
    ``source`` names where they came from in error messages; ``bron`` overrides the row's source
    label. The same parsing as :func:`read` for a ``.city.jsonl`` file.
    """
    rows: list[dict[str, Any]] = []
    for n, feat in enumerate(features):
        name = f"{source} feature {n}"
        if not isinstance(feat, dict):
            raise DataFileError(source, "a feature that is not a JSON object", element=name)
        chunk = _Chunk(_objects(feat, source, name),
                       _vertices(feat.get("vertices"), transform, name), is_3dbag)
        for oid, attrs, geoms in _buildings(chunk, name):
            rows.append(_row(oid, attrs, geoms, chunk.vertices, chunk.is_3dbag, name))
    return _pand_frame(rows, source, bron)


def _read_gpkg(path: Path) -> gpd.GeoDataFrame:
    layers = _gpkg_layers(path)
    layer = "pand" if "pand" in layers else next((n for n in ("lod12_2d", "lod13_2d", "lod22_2d")
                                                  if n in layers), None)
    if layer is None:
        raise UnsupportedFormatError(path, "a GeoPackage without 3D BAG layers (pand, lod12_2d)")
    try:
        df = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    except Exception as exc:
        raise DataFileError(path, f"GDAL cannot read the layer: {exc}", element=layer) from exc
    if df.crs is None:
        raise CRSError(f"{path} ({layer}): no CRS; expected EPSG:7415 or EPSG:28992")
    cols = {c.lower(): c for c in df.columns}
    out: dict[str, Any] = {}
    idcol = next((cols[a.lower()] for a in _ID_ATTRS if a.lower() in cols), None)
    if idcol is None:
        raise DataFileError(path, "no identificatie column", element=layer)
    out["identificatie"] = [_pand_id("", {"identificatie": v}) for v in df[idcol]]
    for col, names in ATTRIBUTE_ALIASES.items():
        src = next((cols[n.lower()] for n in names if n.lower() in cols), None)
        out[col] = df[src].to_numpy() if src else None
    geom = shapely.force_2d(df.geometry.to_numpy())
    _coords.check_rd(geom, path, out["identificatie"], layer=layer)
    frame = gpd.GeoDataFrame(pd.DataFrame(out), geometry=geom, crs=df.crs)
    frame["bron"] = "3D BAG"
    if layer != "pand":  # building parts: dissolve per pand, keep the first part's attributes
        frame = frame.dissolve(by="identificatie", aggfunc="first", as_index=False)
    return conform(frame, "pand", what=f"{path} ({layer})", keep_extra=True)


@dataclass(frozen=True)
class BuildingMesh:
    """Triangulated 3D surfaces of one building at one LoD (coordinates in RD New / NAP)."""

    identificatie: str
    lod: str
    vertices: np.ndarray  # (n, 3) float64, x y z
    triangles: np.ndarray  # (m, 3) int32 indices into vertices
    semantics: np.ndarray  # (m,) object: "RoofSurface", "WallSurface", "GroundSurface", ...


def _newell(p: np.ndarray) -> np.ndarray:
    q = np.roll(p, -1, axis=0)
    n = np.array([
        np.sum((p[:, 1] - q[:, 1]) * (p[:, 2] + q[:, 2])),
        np.sum((p[:, 2] - q[:, 2]) * (p[:, 0] + q[:, 0])),
        np.sum((p[:, 0] - q[:, 0]) * (p[:, 1] + q[:, 1])),
    ])
    norm = np.linalg.norm(n)
    return n / norm if norm > 0 else n


def triangulate_surface(rings: list[np.ndarray]) -> np.ndarray:
    """Triangles (k, 3) indexing the concatenated ``rings`` (exterior first, then holes).

    The polygon is projected onto its best-fit plane (Newell's normal through the centroid) and
    triangulated with mapbox_earcut; triangles are wound along the normal.
    """
    pts = np.concatenate(rings)
    normal = _newell(rings[0])
    if not np.any(normal):
        return np.empty((0, 3), dtype=np.int32)
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(normal, helper)
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    c = pts.mean(axis=0)
    uv = np.column_stack([(pts - c) @ u, (pts - c) @ v])
    ends = np.cumsum([len(r) for r in rings]).astype(np.uint32)
    tri = np.asarray(mapbox_earcut.triangulate_float64(uv, ends), dtype=np.int64).reshape(-1, 3)
    if not len(tri):
        return np.empty((0, 3), dtype=np.int32)
    a, b, cc = pts[tri[:, 0]], pts[tri[:, 1]], pts[tri[:, 2]]
    flip = np.cross(b - a, cc - a) @ normal < 0
    tri[flip] = tri[flip][:, [0, 2, 1]]
    return tri.astype(np.int32)


def read_cityjson_surfaces(path: str | Path, lod: str = "2.2") -> dict[str, BuildingMesh]:
    """Per BAG pand id, the triangulated surfaces of its Building (+ BuildingParts) at ``lod``.

    Buildings without a geometry of that LoD are left out; when no building has it at all a
    :class:`DataFileError` lists the LoDs the file has. CityJSONSeq is read line by line.
    """
    path = Path(path)
    lod = str(lod)
    out: dict[str, BuildingMesh] = {}
    seen: set[str] = set()
    for chunk in _chunks(path):
        verts = chunk.vertices
        for oid, attrs, geoms in _buildings(chunk, str(path)):
            seen.update(_lod(g) for g in geoms)
            chosen = [g for g in geoms if _lod(g) == lod]
            if not chosen:
                continue
            tris: list[np.ndarray] = []
            kinds: list[np.ndarray] = []
            for g in chosen:
                for rings, kind in _surfaces(g):
                    rr = [np.asarray(r, dtype=np.int64) for r in rings if len(r) >= 3]
                    if not rr:
                        continue
                    local = triangulate_surface([verts[r] for r in rr])
                    if not len(local):
                        continue
                    tris.append(np.concatenate(rr)[local])
                    kinds.append(np.full(len(local), kind, dtype=object))
            if not tris:
                continue
            tri_global = np.concatenate(tris)
            used, inverse = np.unique(tri_global, return_inverse=True)
            pid = _pand_id(oid, attrs) or oid
            out[pid] = BuildingMesh(pid, lod, verts[used], inverse.reshape(-1, 3).astype(np.int32),
                                    np.concatenate(kinds))
    if not out and seen:
        raise DataFileError(path, f"no building has LoD {lod}; LoDs present: "
                            f"{', '.join(sorted(seen))}")
    return out
