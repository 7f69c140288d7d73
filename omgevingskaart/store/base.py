"""The store protocol: how a dataset's layers are read and written, whatever holds them.

A *store* is the storage backend of a :class:`~omgevingskaart.dataset.Dataset` (in the style of
pygeoapi's provider base class and geopandas' io modules): it lists its layers and answers
window, predicate, attribute and key queries with GeoDataFrames in EPSG:28992 in the layers'
normalised schemas (:mod:`omgevingskaart.schema`). Three backends implement it:

* :class:`~omgevingskaart.store.geopackage.GeoPackageStore` (``x.gpkg``): small files are read
  whole and indexed in memory (today's fast path); large files are read per request through the
  file's own R-tree, so open time and memory do not grow with the file.
* :class:`~omgevingskaart.store.postgis.PostGISStore` (``postgresql://...``): GiST-indexed tables,
  windows and predicates computed in the database.
* :class:`~omgevingskaart.store.geoparquet.GeoParquetStore` (``x.parquet/``): a folder of
  Hilbert-sorted GeoParquet files with a bbox covering column, read by row-group statistics.

``where`` is a mapping ``{column: value}`` or ``{column: [values]}`` (equality / membership, AND
over the columns), never SQL text: every backend turns it into its own parameterised filter, so a
value from a URL cannot inject anything.

>>> from omgevingskaart.store import open_store
>>> store = open_store("data/demo/winterswijk-centrum.gpkg")
>>> sel = store.features("perceel", bbox=(246514, 443300, 246614, 443400), limit=3)
>>> len(sel), sel.crs.to_epsg()
(3, 28992)
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import DatasetError, QueryError, SchemaError
from ..schema import RD_NEW, conform, kind_of

#: the spatial predicates every backend answers (shapely / PostGIS names).
PREDICATES = ("intersects", "within", "contains", "covers", "covered_by", "touches", "overlaps",
              "crosses", "disjoint")
META_TABLE = "omgevingskaart_meta"
Bounds = tuple[float, float, float, float]
WriteMode = Literal["replace", "append"]
Where = Mapping[str, Any]
T = TypeVar("T")


@runtime_checkable
class Store(Protocol):
    """What a dataset needs from its storage (every method is thread-safe)."""

    #: where the data lives, for messages (a path, or a URI with the password removed).
    location: str

    def layers(self) -> list[str]:
        """The layer names held, in a stable order."""
        ...

    def meta(self) -> dict[str, str]:
        """The dataset's metadata (``titel``, ``bron``, ``synthetisch``, ...)."""
        ...

    def features(
        self,
        layer: str,
        *,
        bbox: Bounds | None = None,
        geometry: BaseGeometry | None = None,
        predicate: str = "intersects",
        columns: Sequence[str] | None = None,
        where: Where | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> gpd.GeoDataFrame:
        """The rows of ``layer`` matching the window/predicate and ``where``, in the layer's
        stable row order, paged by ``offset``/``limit``; ``columns`` None gives all columns.
        (Checks the arguments once for every backend; the backend's :meth:`select` answers.)"""
        return self.select(layer, Query.build(bbox=bbox, geometry=geometry, predicate=predicate,
                                              columns=columns, where=where, limit=limit, offset=offset))

    def count(self, layer: str, *, bbox: Bounds | None = None,
              geometry: BaseGeometry | None = None, predicate: str = "intersects",
              where: Where | None = None) -> int:
        """How many rows :meth:`features` would return without ``limit``/``offset``."""
        return self.count_query(layer, Query.build(bbox=bbox, geometry=geometry, predicate=predicate,
                                                   where=where))

    def get_by(self, layer: str, column: str, keys: Iterable[Any]) -> gpd.GeoDataFrame:
        """The rows whose ``column`` is one of ``keys`` (e.g. identificatie), in row order."""
        return self.features(layer, where={column: list(keys)})

    def rows(self, layer: str, **query: Any) -> tuple[list[dict[str, Any]], np.ndarray]:
        """:meth:`features` as plain records and a geometry array, without building a
        GeoDataFrame: the light answer for the many small questions of a report (the values
        as stored; ``columns`` as in :meth:`features`). Without ``columns`` the records may be
        the store's own (the in-memory index's, GeoParquet's kept rows): read them, and copy one
        before changing it."""
        return self.select_rows(layer, Query.build(**query))

    def select_rows(self, layer: str, query: Query) -> tuple[list[dict[str, Any]], np.ndarray]:
        """The backend's :meth:`rows` (default: from :meth:`select`)."""
        from .memory import records

        frame = self.select(layer, query)
        return records(frame), frame.geometry.to_numpy()

    def select(self, layer: str, query: Query) -> gpd.GeoDataFrame:
        """The backend's answer to a checked :class:`Query`."""
        ...

    def count_query(self, layer: str, query: Query) -> int:
        """The backend's count for a checked :class:`Query` (default: the length of the rows)."""
        return len(self.select(layer, query))

    def bounds(self, layer: str) -> Bounds | None:
        """The layer's extent in RD (None when it holds no geometry)."""
        ...

    def warm(self, layer: str) -> None:
        """Open what answering about ``layer`` needs (a connection, the file, an index) now, not
        on the first request, without keeping its rows (default: a count at one corner of its
        bounds)."""
        box = self.bounds(layer)
        if box is not None:
            self.count(layer, bbox=(box[0], box[1], box[0], box[1]))

    def fingerprint(self) -> str:
        """Changes whenever the stored data changes (for caches keyed by content)."""
        ...

    def write(self, layer: str, gdf: gpd.GeoDataFrame, mode: WriteMode = "replace") -> None:
        """Store ``gdf`` (conformed to the layer's schema) as ``layer``, atomically."""
        ...

    def write_meta(self, meta: Mapping[str, str]) -> None:
        """Replace the dataset's metadata."""
        ...

    #: the one locked cache of everything derived from this store's data.
    cache: StoreCache

    # --- overlay ----------------------------------------------------------------------------------
    def overlay(self, layer: str, geometry: BaseGeometry, *, columns: Sequence[str] | None = None,
                where: Where | None = None, point: BaseGeometry | None = None,
                tolerance: float = 0.0, areas: bool = True) -> Overlay:
        """The rows of ``layer`` intersecting ``geometry`` (in row order) with, per row, its own
        area, the area of its intersection with ``geometry`` and whether it intersects ``point``:
        the parcel report's question ("which plan objects lie on this perceel, on how much of it,
        and which at the point?") answered where the data lives. See :class:`Overlay` for the
        exact definition (``tolerance`` decides "covers it" / "only touches its edge" against
        ``geometry`` shrunk by that many metres; ``areas=False`` skips the areas).

        The default computes it with shapely from :meth:`rows` (the GeoPackage and GeoParquet
        backends); PostGIS computes it in SQL.

        >>> from shapely.geometry import Point, box
        >>> from omgevingskaart.store import open_store
        >>> store = open_store("data/demo/winterswijk-centrum.gpkg")
        >>> ov = store.overlay("pand", box(246514, 443300, 246524, 443310), columns=["identificatie"])
        >>> len(ov.records) == len(ov.shared) and bool((ov.shared <= ov.area + 1e-9).all())
        True
        """
        recs, geoms = self.rows(layer, geometry=geometry, columns=columns, where=where)
        return overlay_geometries(recs, geoms, geometry, point=point, tolerance=tolerance, areas=areas)

    def overlay_many(self, layers: Sequence[str], geometry: BaseGeometry, *,
                     point: BaseGeometry | None = None, tolerance: float = 0.0,
                     areas: bool = True) -> dict[str, Overlay]:
        """:meth:`overlay` of several layers with the same shape (all columns): the report's plan
        layers in one question. PostGIS answers it with one statement; the default asks per layer.
        """
        return {layer: self.overlay(layer, geometry, point=point, tolerance=tolerance, areas=areas)
                for layer in layers}
    # --- distinct ------------------------------------------------------------------------------
    def distinct(self, layer: str, columns: Sequence[str], *, where: Where | None = None) -> list[tuple[Any, ...]]:
        """The distinct value combinations of ``columns`` over the rows matching ``where``,
        sorted; rows with a null in any of the columns are left out. No geometry is read: the
        compact answer for a vocabulary (the street names, woonplaatsen and kadastrale
        gemeenten of the address search). Backends compute it where the data lives
        (``SELECT DISTINCT``, an arrow group-by); this default reads the matching rows.

        >>> from omgevingskaart.store import open_store
        >>> open_store("data/demo/winterswijk-centrum.gpkg").distinct("perceel", ["kadastrale_gemeente_code"])
        [('WWK00',)]
        """
        cols = check_columns(columns)
        recs, _ = self.rows(layer, where=where, columns=list(cols))
        return distinct_tuples(tuple(r.get(c) for c in cols) for r in recs)

    # --- overlay_at -------------------------------------------------------------------------------
    def overlay_at(self, point: BaseGeometry, asks: Sequence[OverlayAsk], *, base: str | None = "perceel",
                   base_row: Row | None = None) -> tuple[Row | None, list[Overlay]]:
        """The parcel report's whole question at ``point`` in one call: the first row (in row
        order) of layer ``base`` at the point (``base_row`` when the caller has it already, None
        when there is none), and per :class:`OverlayAsk` the overlay of its layer with that row's
        geometry (``on="shape"``; the point itself when there is no row) or with the point
        (``on="point"``), ``at_point`` always against ``point``.

        The default asks :meth:`rows` and :meth:`overlay` one by one; PostGIS answers it all in
        one SQL statement.

        >>> from shapely.geometry import Point
        >>> from omgevingskaart.store import open_store
        >>> store = open_store("data/demo/winterswijk-centrum.gpkg")
        >>> row, (panden, plaats) = store.overlay_at(Point(246580, 443380), [
        ...     OverlayAsk("pand"), OverlayAsk("woonplaats", on="point", columns=("naam",), areas="no")])
        >>> row[0]["kadastrale_aanduiding"], plaats.records
        ('WWK00 L 3685', [{'naam': 'Winterswijk'}])
        """
        row = base_row
        if row is None and base is not None:
            recs, geoms = self.rows(base, geometry=point, limit=1)
            row = (recs[0], geoms[0]) if recs else None
        shape = point if row is None else row[1]
        out = []
        for ask in asks:
            target = shape if ask.on == "shape" else point
            areas = ask.areas == "yes" or (ask.areas == "shape" and row is not None and ask.on == "shape")
            if ask.predicate == "intersects":
                out.append(self.overlay(ask.layer, target, columns=ask.columns, point=point,
                                        tolerance=ask.tolerance, areas=areas))
            else:
                recs, geoms = self.rows(ask.layer, geometry=target, predicate=ask.predicate, columns=ask.columns)
                out.append(overlay_geometries(recs, geoms, target, point=point, tolerance=ask.tolerance,
                                              areas=areas))
        return row, out


@dataclass(frozen=True)
class Query:
    """A checked :meth:`Store.features` request: the query shape (the box or geometry), the
    predicate, the columns, ``where`` as ``[(column, [values])]`` and the page."""

    shape: BaseGeometry | None = None
    predicate: str = "intersects"
    columns: tuple[str, ...] | None = None
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    limit: int | None = None
    offset: int = 0

    @classmethod
    def build(cls, *, bbox: Bounds | None = None, geometry: BaseGeometry | None = None,
              predicate: str = "intersects", columns: Sequence[str] | None = None,
              where: Where | None = None, limit: int | None = None, offset: int = 0) -> Query:
        if offset < 0 or (limit is not None and limit < 0):
            raise QueryError(f"limit/offset must not be negative (limit={limit}, offset={offset})")
        return cls(shape=query_geometry(bbox, geometry), predicate=check_predicate(predicate),
                   columns=None if columns is None else tuple(columns),
                   where=tuple((c, tuple(v)) for c, v in where_items(where)), limit=limit,
                   offset=int(offset))

    @functools.cached_property
    def window(self) -> Bounds | None:
        """The box to pre-filter with an index (None: no window; ``disjoint`` has none); worked
        out once per query."""
        if self.shape is None or self.predicate == "disjoint":
            return None
        b = self.shape.bounds
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


class StoreCache:
    """The caches derived from one store's data, behind one re-entrant lock.

    ``get(key, build)`` returns the cached value or builds it once (other threads asking for the
    same key wait for it); ``clear()`` drops everything (after a write). Keys are tuples such as
    ``("frame", "pand")`` or ``("index", "perceel")``.

    >>> c = StoreCache()
    >>> c.get(("answer",), lambda: 42), c.get(("answer",), lambda: 0)
    (42, 42)
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self.lock:
            if key in self._values:
                return self._values[key]
            value = build()
            self._values[key] = value
            return value

    def peek(self, key: Hashable) -> Any:
        with self.lock:
            return self._values.get(key)

    def clear(self) -> None:
        with self.lock:
            self._values.clear()

    def __contains__(self, key: object) -> bool:
        with self.lock:
            return key in self._values

    def keys(self) -> list[Hashable]:
        """The keys cached now (e.g. to check that no whole layer was read)."""
        with self.lock:
            return list(self._values)


# --- helpers the backends share -----------------------------------------------------------------


def is_known_layer(name: str) -> bool:
    """Whether ``name`` is a layer of :mod:`omgevingskaart.schema` (other tables are ignored)."""
    try:
        kind_of(name)
    except SchemaError:
        return False
    return True


def check_predicate(predicate: str) -> str:
    if predicate not in PREDICATES:
        raise QueryError(f"unknown spatial predicate {predicate!r}; use one of {', '.join(PREDICATES)}")
    return predicate


def query_geometry(bbox: Bounds | None, geometry: BaseGeometry | None) -> BaseGeometry | None:
    """The query shape: ``geometry``, else the box ``bbox``, else None (no window)."""
    if geometry is not None and bbox is not None:
        raise QueryError("give either bbox or geometry, not both")
    if geometry is not None:
        if not isinstance(geometry, BaseGeometry):
            raise QueryError(f"geometry: expected a shapely geometry, got {type(geometry).__name__}")
        return geometry
    if bbox is not None:
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        if not all(np.isfinite([minx, miny, maxx, maxy])) or minx > maxx or miny > maxy:
            raise QueryError(f"bbox: expected finite minx,miny,maxx,maxy with min <= max, got {bbox!r}")
        return shapely.box(minx, miny, maxx, maxy)
    return None


def where_items(where: Where | None) -> list[tuple[str, list[Any]]]:
    """``where`` as ``[(column, [values])]``; a scalar becomes a one-value list."""
    out: list[tuple[str, list[Any]]] = []
    for column, value in (where or {}).items():
        if not isinstance(column, str) or not column:
            raise QueryError(f"where: column names must be non-empty strings, got {column!r}")
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            values = [value]
        else:
            values = list(value)
        out.append((column, values))
    return out


def refine(frame: gpd.GeoDataFrame, shape: BaseGeometry | None, predicate: str) -> gpd.GeoDataFrame:
    """Keep the rows of ``frame`` (already window-filtered) for which ``predicate`` holds.

    ``predicate`` is read as *feature* ``predicate`` *shape* (``within`` = the feature lies within
    the query shape), as in OGC filters and PostGIS' ``ST_Within(geometry, shape)``.
    """
    if shape is None or frame.empty:
        return frame
    geoms = frame.geometry.to_numpy()
    mask = getattr(shapely, predicate)(geoms, shape)
    return frame[np.asarray(mask, dtype=bool)]


def apply_where(frame: gpd.GeoDataFrame, where: Iterable[tuple[str, Sequence[Any]]],
                label: str) -> gpd.GeoDataFrame:
    """Filter an in-memory frame by ``where`` items (equality / membership on each column)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, values in where:
        if column not in frame.columns:
            raise QueryError(f"{label}: no column {column!r} to filter on")
        col = frame[column]
        mask &= col.isin(list(values)).fillna(False).to_numpy(dtype=bool)
    return frame if mask.all() else frame[mask]


def page(frame: gpd.GeoDataFrame, limit: int | None, offset: int) -> gpd.GeoDataFrame:
    if offset == 0 and limit is None:
        return frame
    end = None if limit is None else offset + limit
    return frame.iloc[offset:end]


def select_columns(frame: gpd.GeoDataFrame, columns: Sequence[str] | None, label: str) -> gpd.GeoDataFrame:
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise QueryError(f"{label}: unknown column(s) {missing}")
    keep = [c for c in columns if c != frame.geometry.name] + [frame.geometry.name]
    return frame[keep]


def conform_read(raw: Any, layer: str, location: str) -> gpd.GeoDataFrame:
    """A frame as read from a backend, conformed to its layer's schema (extra columns kept)."""
    if not isinstance(raw, gpd.GeoDataFrame):
        raw = gpd.GeoDataFrame(raw, geometry=gpd.GeoSeries([None] * len(raw), index=raw.index),
                               crs=RD_NEW)
    if raw.crs is None and raw.geometry.notna().any():
        raise DatasetError(location, "layer has no CRS", element=layer)
    if raw.crs is None:
        raw = raw.set_crs(RD_NEW)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return conform(raw, layer, what=f"{location}:{layer}", keep_extra=True)
    except SchemaError as exc:
        raise DatasetError(location, str(exc), element=layer) from exc


def check_layer(store: Store, layer: str) -> None:
    if layer not in store.layers():
        raise DatasetError(store.location, f"no layer {layer!r}; layers: {', '.join(store.layers())}")


def union_bounds(boxes: Iterable[Bounds | None]) -> Bounds | None:
    arr = [b for b in boxes if b is not None and np.all(np.isfinite(b))]
    if not arr:
        return None
    a = np.asarray(arr, dtype=float)
    return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max()))


# --- overlay ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlay:
    """The answer of :meth:`Store.overlay`: the rows intersecting a query shape, with areas.

    ``shared[i]`` is the area of row ``i``'s intersection with the shape, for polygonal rows
    (Polygon, MultiPolygon; NaN for others), decided in this order:

    1. the row covers the shape shrunk by ``tolerance`` m: the shape's area (``shape_area``);
    2. it does not intersect the shrunk shape (it only shares the shape's edge): 0;
    3. the shape covers the row: the row's own area;
    4. otherwise the exact intersection's area.

    With ``tolerance=0`` every step is exact; a tolerance (the report uses 1 mm) treats edges
    that are equal only up to rounding as equal. ``area`` is each row's own area, ``at_point``
    whether it intersects the ``point`` given (all False without one). With ``areas=False``,
    ``area`` and ``shared`` are NaN.
    """

    records: list[dict[str, Any]]
    area: np.ndarray
    shared: np.ndarray
    at_point: np.ndarray
    shape_area: float


#: a row as :meth:`Store.overlay_at` returns it: its record and its geometry
Row = tuple[dict[str, Any], Any]


@dataclass(frozen=True)
class OverlayAsk:
    """One layer's question in :meth:`Store.overlay_at`.

    ``on``: overlay with the base row's geometry (``"shape"``; the point when there is none) or
    with the point; ``predicate``: the rows that intersect it, or lie ``within`` it; ``columns``
    as in :meth:`Store.rows` (``()``: none, for "is anything there?"); ``tolerance`` as in
    :meth:`Store.overlay`; ``areas``: compute the areas always (``"yes"``), never (``"no"``), or
    only when overlaying a base row found (``"shape"``).
    """

    layer: str
    on: Literal["shape", "point"] = "shape"
    predicate: Literal["intersects", "within"] = "intersects"
    columns: tuple[str, ...] | None = None
    tolerance: float = 0.0
    areas: Literal["yes", "no", "shape"] = "shape"


def overlay_geometries(records: list[dict[str, Any]], geoms: np.ndarray, shape: BaseGeometry, *,
                       point: BaseGeometry | None = None, tolerance: float = 0.0,
                       areas: bool = True) -> Overlay:
    """:class:`Overlay` of rows already known to intersect ``shape``, computed with shapely."""
    if tolerance < 0 or not np.isfinite(tolerance):
        raise QueryError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    n = len(geoms)
    at_point = (np.asarray(shapely.intersects(geoms, point), dtype=bool) if point is not None and n
                else np.zeros(n, dtype=bool))
    area = np.full(n, np.nan)
    shared = np.full(n, np.nan)
    shape_area = float(shape.area)
    if areas and n:
        area = np.asarray(shapely.area(geoms), dtype=float)
        types = shapely.get_type_id(geoms)
        todo = (types == 3) | (types == 6)
        shapely.prepare(shape)  # tested against every row below
        inner = _shrunk(shape, tolerance)
        whole = todo & np.asarray(shapely.covers(geoms, inner), dtype=bool)
        shared[whole] = shape_area
        todo &= ~whole
        if todo.any():
            edge = np.zeros(n, dtype=bool)
            edge[todo] = ~np.asarray(shapely.intersects(inner, geoms[todo]), dtype=bool)
            shared[edge] = 0.0
            todo &= ~edge
        if todo.any():
            inside = np.zeros(n, dtype=bool)
            inside[todo] = np.asarray(shapely.covers(shape, geoms[todo]), dtype=bool)
            shared[inside] = area[inside]
            todo &= ~inside
        if todo.any():
            shared[todo] = shapely.area(shapely.intersection(geoms[todo], shape))
    return Overlay(records, area, shared, at_point, shape_area)


_last_shrunk: tuple[BaseGeometry, float, BaseGeometry] | None = None


def _shrunk(shape: BaseGeometry, tolerance: float) -> BaseGeometry:
    """``shape`` shrunk by ``tolerance`` m (mitred corners; ``shape`` itself when that leaves
    nothing), prepared. The last one is kept: a report asks for the same perceel per layer."""
    global _last_shrunk
    if tolerance <= 0:
        return shape
    last = _last_shrunk
    if last is not None and last[0] is shape and last[1] == tolerance:
        return last[2]
    inner = shapely.buffer(shape, -tolerance, join_style="mitre")
    if inner.is_empty:
        inner = shape
    shapely.prepare(inner)
    _last_shrunk = (shape, tolerance, inner)
    return inner
def check_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """``columns`` for :meth:`Store.distinct`: a non-empty list of names, no geometry."""
    if isinstance(columns, str) or not columns:
        raise QueryError(f"distinct: expected a non-empty list of column names, got {columns!r}")
    cols = tuple(columns)
    if any(not isinstance(c, str) or not c or c == "geometry" for c in cols):
        raise QueryError(f"distinct: column names must be non-empty strings other than geometry, got {cols!r}")
    return cols


def distinct_tuples(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The sorted set of ``rows`` without those holding a null (None / NaN / pandas NA)."""
    out = set()
    for row in rows:
        if any(v is None or v is pd.NA or (isinstance(v, float) and v != v) for v in row):
            continue
        out.add(tuple(v.item() if isinstance(v, np.generic) else v for v in row))
    return sorted(out)


#: per layer, the attribute look-ups worth an index (beside the geometry and ``identificatie``):
#: the address search's postcode, street + huisnummer and kadastrale aanduiding queries and the
#: addresses of given panden. Backends with attribute indexes (PostGIS, GeoPackage) create them.
KEY_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    **{layer: (("postcode", "huisnummer"), ("openbare_ruimte", "huisnummer"))
       for layer in ("verblijfsobject", "ligplaats", "standplaats")},
    "perceel": (("kadastrale_gemeente_code", "sectie", "perceelnummer"), ("kadastrale_aanduiding",)),
}


def key_indexes(layer: str, columns: Iterable[str]) -> list[tuple[str, ...]]:
    """The :data:`KEY_INDEXES` of ``layer`` whose columns the layer has (and
    ``pand_identificatie`` for verblijfsobjecten)."""
    have = set(columns)
    wanted = list(KEY_INDEXES.get(layer, ()))
    if layer == "verblijfsobject":
        wanted.append(("pand_identificatie",))
    return [cols for cols in wanted if set(cols) <= have]
