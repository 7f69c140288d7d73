"""Layer items as GeoJSON FeatureCollections, paged in the style of OGC API - Features Part 1/2.

* ``bbox=minx,miny,maxx,maxy`` filters on intersection; its CRS is ``bbox-crs``: CRS84 (lon, lat,
  the OGC default) or RD New (``http://www.opengis.net/def/crs/EPSG/0/28992``).
* ``crs`` picks the output CRS: CRS84 (default; RFC 7946 GeoJSON) or RD New; the response carries
  a ``Content-Crs`` header with the URI in angle brackets (OGC API - Features Part 2).
* ``limit`` (1..1000, default 100) and ``offset`` page through the matches in a stable order (the
  layer's row order); ``numberMatched``, ``numberReturned`` and ``self`` / ``next`` / ``prev`` /
  ``collection`` links say where the client is.

WGS84 coordinates come from :func:`omgevingskaart.crs.gdf_to_wgs84` (RDNAPTRANS2018) and are
rounded to 7 decimals (about 1 cm); RD coordinates to 3 decimals (1 mm).

Every request asks the dataset's store (:mod:`omgevingskaart.store`) for its window and page only
(``features(bbox=..., limit=..., offset=...)``), whatever the store: a small GeoPackage answers
from its in-memory STRtree, PostGIS with SQL, a large GeoPackage through its R-tree, GeoParquet by
row-group statistics; so the service's memory does not grow with the dataset. A CRS84 ``bbox`` is
turned into the RD window that covers it (its densified outline through RDNAPTRANS2018) and the
candidates are then tested against the CRS84 box itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from ..crs import RD_DATA_BOUNDS, gdf_to_wgs84, wgs84_to_rd
from ..dataset import Dataset
from ..store.memory import records
from .errors import ServiceError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
#: accepted spellings per CRS: the canonical URI first.
CRS_ALIASES: dict[str, tuple[str, ...]] = {
    CRS84: (CRS84, "https://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", "CRS84"),
    RD_URI: (RD_URI, "https://www.opengis.net/def/crs/EPSG/0/28992", "EPSG:28992",
             "urn:ogc:def:crs:EPSG::28992"),
}
SUPPORTED_CRS = [CRS84, RD_URI]
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_DECIMALS = {CRS84: 7, RD_URI: 3}


def parse_crs_uri(value: str | None, parameter: str) -> str:
    """The canonical URI of ``value`` (CRS84 when None); 400 for anything not supported."""
    if value is None or value == "":
        return CRS84
    v = value.strip()
    for uri, names in CRS_ALIASES.items():
        if any(v.lower() == n.lower() for n in names):
            return uri
    raise ServiceError(400, "invalid_crs", f"{parameter} {value!r} is not supported; use one of "
                       f"{', '.join(SUPPORTED_CRS)}", field=parameter)


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``minx,miny,maxx,maxy`` as four finite floats with min <= max; 400 otherwise."""
    if value is None or value == "":
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) == 6:
        raise ServiceError(400, "invalid_parameter", "bbox: 3D boxes (6 numbers) are not supported; "
                           "give minx,miny,maxx,maxy", field="bbox")
    if len(parts) != 4:
        raise ServiceError(400, "invalid_parameter",
                           f"bbox: expected 4 comma-separated numbers minx,miny,maxx,maxy, got {value!r}",
                           field="bbox")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise ServiceError(400, "invalid_parameter", f"bbox: not numbers: {value!r}", field="bbox") from None
    if not all(math.isfinite(n) for n in nums):
        raise ServiceError(400, "invalid_parameter", f"bbox: numbers must be finite: {value!r}", field="bbox")
    minx, miny, maxx, maxy = nums
    if minx > maxx or miny > maxy:
        raise ServiceError(400, "invalid_parameter", "bbox: min must not exceed max (minx,miny,maxx,maxy)",
                           field="bbox")
    return minx, miny, maxx, maxy


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _plain(value.item())
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _in_netherlands(geoms: np.ndarray) -> np.ndarray:
    """Per geometry: finite coordinates inside :data:`~omgevingskaart.crs.RD_DATA_BOUNDS` (the bounds
    the readers accept; False for None/empty).
    Geometries outside are served with ``geometry: null``, never as JSON-breaking infinities or
    as the nonsense a transformation makes of them."""

    if not len(geoms):
        return np.zeros(0, dtype=bool)
    b = shapely.bounds(geoms)
    minx, miny, maxx, maxy = RD_DATA_BOUNDS
    with np.errstate(invalid="ignore"):
        inside: np.ndarray = (np.isfinite(b).all(axis=1) & (b[:, 0] >= minx) & (b[:, 1] >= miny)
                              & (b[:, 2] <= maxx) & (b[:, 3] <= maxy))
    return inside


class LayerFeatures:
    """The pages of :func:`items`, each asked of the dataset's store for its window and page
    only (thread-safe: the store is); nothing is kept per layer, so a worker's memory does not
    grow with the dataset."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    def items(self, layer: str, *, bbox: tuple[float, float, float, float] | None, bbox_crs: str,
              crs: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """The features of one page and the number matched."""
        return self._items_from_store(layer, bbox=bbox, bbox_crs=bbox_crs, crs=crs, limit=limit,
                                      offset=offset)

    def _items_from_store(self, layer: str, *, bbox: tuple[float, float, float, float] | None,
                          bbox_crs: str, crs: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        store = self.dataset.store
        if bbox is None or bbox_crs == RD_URI:
            matched = store.count(layer, bbox=bbox)
            frame = store.features(layer, bbox=bbox, limit=limit, offset=offset)
            sane = _in_netherlands(np.asarray(frame.geometry.to_numpy()))
            if not sane.all():  # impossible coordinates (imported before the readers checked them)
                frame = frame.set_geometry(frame.geometry.where(sane, None))
            wgs = gdf_to_wgs84(frame, what=layer) if crs == CRS84 and len(frame) else frame
        else:
            window = _rd_window(bbox)
            if window is None:
                return [], 0
            frame = store.features(layer, bbox=window)
            wgs_all = gdf_to_wgs84(frame, what=layer) if len(frame) else frame
            keep = np.asarray(shapely.intersects(wgs_all.geometry.to_numpy(), shapely.box(*bbox)), dtype=bool)
            matched = int(keep.sum())
            frame = frame[keep].iloc[offset: offset + limit]
            wgs = wgs_all[keep].iloc[offset: offset + limit]
        geoms = (wgs if crs == CRS84 else frame).geometry.to_numpy()
        geoms = shapely.transform(geoms, lambda c: np.round(c, _DECIMALS[crs])) if len(geoms) else geoms
        props = [{k: _plain(v) for k, v in rec.items()} for rec in records(frame)]
        features = []
        seen: set[str] = set()
        for i, (rec, geom) in enumerate(zip(props, geoms, strict=True)):
            ident = rec.get("identificatie")
            # tidy layers (maatvoering: one row per value) repeat an identificatie: those rows
            # are told apart by their position among the matches
            fid: str | int = str(ident) if ident is not None and str(ident) not in seen else offset + i
            seen.add(str(ident))
            features.append({
                "type": "Feature", "id": fid,
                "geometry": None if geom is None or shapely.is_empty(geom) else mapping(geom),
                "properties": rec,
            })
        return features, matched

    def count(self, layer: str) -> int:
        """The number of features in ``layer`` (counted by the store, not read)."""
        return self.dataset.store.count(layer)

    def extent_wgs84(self, layer: str) -> list[float] | None:
        store = self.dataset.store
        b = store.bounds(layer)
        if b is None:
            return None
        if not _box_in_netherlands(b):
            # impossible coordinates (imported before the readers checked them): the extent of
            # the geometries that can be shown, computed once (a rare, broken dataset)
            b = store.cache.get(("service.geojson", "extent", layer), lambda: _sane_bounds(store, layer))
            if b is None:
                return None
        lon, lat = _outline_wgs84(b)
        return [round(float(v), 7) for v in (lon.min(), lat.min(), lon.max(), lat.max())]


def _box_in_netherlands(b: tuple[float, float, float, float]) -> bool:
    return bool(_in_netherlands(np.array([shapely.box(*b)], dtype=object))[0])


def _sane_bounds(store: Any, layer: str) -> tuple[float, float, float, float] | None:
    """The RD extent of the layer's geometries inside :data:`RD_DATA_BOUNDS`."""
    frame = store.features(layer, bbox=RD_DATA_BOUNDS, columns=[])
    geoms = frame.geometry.to_numpy()
    geoms = geoms[_in_netherlands(geoms)]
    if not len(geoms):
        return None
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    return (float(x0), float(y0), float(x1), float(y1))


def _outline(b: tuple[float, float, float, float], n: int = 16) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 1.0, n + 1)
    xs = np.concatenate([b[0] + (b[2] - b[0]) * t, np.full(n + 1, b[2]), b[2] - (b[2] - b[0]) * t, np.full(n + 1, b[0])])
    ys = np.concatenate([np.full(n + 1, b[1]), b[1] + (b[3] - b[1]) * t, np.full(n + 1, b[3]), b[3] - (b[3] - b[1]) * t])
    return xs, ys


def _outline_wgs84(b: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The densified outline of an RD box in WGS84 (lon, lat)."""
    from ..crs import rd_to_wgs84

    lon, lat = rd_to_wgs84(*_outline(b))
    return np.asarray(lon), np.asarray(lat)


#: EPSG:28992's area of use (CRS84) with a margin: RD data lies inside it.
RD_AREA_CRS84 = (3.0, 50.5, 7.5, 54.0)


def _rd_window(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    """The RD box covering a CRS84 box (its densified outline, plus 1 m for the curvature), the
    box first clipped to RD's area of use; None when it lies wholly outside."""
    a = RD_AREA_CRS84
    clipped = (max(bbox[0], a[0]), max(bbox[1], a[1]), min(bbox[2], a[2]), min(bbox[3], a[3]))
    if clipped[0] > clipped[2] or clipped[1] > clipped[3]:
        return None
    x, y = wgs84_to_rd(*_outline(clipped))
    x, y = np.asarray(x), np.asarray(y)
    return (float(x.min()) - 1, float(y.min()) - 1, float(x.max()) + 1, float(y.max()) + 1)
