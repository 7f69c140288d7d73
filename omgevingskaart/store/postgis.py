"""PostGIS backend: one table per layer in a schema, GiST-indexed, queried in the database.

``postgresql://user:password@host:port/database?schema=NAME`` (``schema`` defaults to ``public``;
the other URI parameters are libpq's). Each layer is a table ``"layer"`` with a ``fid bigint``
primary key (the row order), the layer's columns and ``geometry geometry(Geometry, 28992)`` with a
GiST index (and a B-tree on ``identificatie``); the metadata is the table
``omgevingskaart_meta(key, value)``.

* :meth:`PostGISStore.features` is one SQL statement: ``geometry && box`` (the GiST index) and the
  exact predicate (``ST_Intersects``, ``ST_Within``, ...), attribute filters as bound parameters,
  ``ORDER BY fid LIMIT/OFFSET``. Only the matching rows leave the database.
* :meth:`PostGISStore.tile` renders a Mapbox Vector Tile with ``ST_AsMVT`` per request.
* :meth:`PostGISStore.write_many` writes every layer of an import in **one transaction** (new
  tables filled with ``COPY``, indexed, then swapped for the old ones): readers see the previous
  dataset until the commit, and a failed import leaves it untouched.

Needs the ``postgis`` extra (``pip install omgevingskaart[postgis]``: psycopg 3) and a server with
the PostGIS extension (``CREATE EXTENSION postgis``, done on first write when the user may).
"""

from __future__ import annotations

import functools
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import DatasetError, QueryError
from ..schema import RD_NEW, conform
from .base import (
    META_TABLE,
    Bounds,
    Overlay,
    OverlayAsk,
    Query,
    Row,
    Store,
    StoreCache,
    Where,
    WriteMode,
    check_columns,
    conform_read,
    distinct_tuples,
    is_known_layer,
    key_indexes,
)

SRID = 28992
T = TypeVar("T")
_PREDICATE_SQL = {
    "intersects": "ST_Intersects", "within": "ST_Within", "contains": "ST_Contains",
    "covers": "ST_Covers", "covered_by": "ST_CoveredBy", "touches": "ST_Touches",
    "overlaps": "ST_Overlaps", "crosses": "ST_Crosses", "disjoint": "ST_Disjoint",
}
_PG_ARRAY = {"text": "text[]", "bigint": "bigint[]", "integer": "bigint[]", "double precision": "float8[]",
             "boolean": "boolean[]"}


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise DatasetError(None, "PostGIS datasets need psycopg: pip install 'omgevingskaart[postgis]'") from exc
    return psycopg


def split_uri(uri: str) -> tuple[str, str, str]:
    """``(libpq conninfo URI, schema, URI without password)`` of a dataset URI.

    >>> split_uri("postgresql://ok:geheim@127.0.0.1:5433/kaart?schema=wwk")
    ('postgresql://ok:geheim@127.0.0.1:5433/kaart', 'wwk', 'postgresql://ok@127.0.0.1:5433/kaart?schema=wwk')
    """
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), "public")
    rest = urllib.parse.urlencode([(k, v) for k, v in query if k != "schema"])
    conninfo = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, rest, ""))
    netloc = parts.netloc.rsplit("@", 1)
    safe_netloc = netloc[-1] if len(netloc) == 1 else f"{netloc[0].split(':', 1)[0]}@{netloc[1]}"
    safe = urllib.parse.urlunsplit((parts.scheme, safe_netloc, parts.path, parts.query, ""))
    return conninfo, schema, safe


class PostGISStore(Store):
    """A dataset in a PostGIS schema (see the module docstring)."""

    def __init__(self, uri: str, *, create: bool = False):
        self._psycopg = _psycopg()
        self.uri = uri
        self._conninfo, self.schema, self.location = split_uri(uri)
        self.cache = StoreCache()
        self._local = threading.local()
        try:
            with self._connect() as con:
                con.execute("SELECT 1")
        except self._psycopg.Error as exc:
            raise DatasetError(self.location, f"cannot connect: {str(exc).strip()}") from exc
        if create:
            self._ensure_schema()
        self._scan()

    # --- connections ---------------------------------------------------------------------------
    def _connect(self) -> Any:
        return self._psycopg.connect(self._conninfo, autocommit=True)

    def _con(self) -> Any:
        """This thread's reading connection (autocommit; reopened when closed)."""
        con = getattr(self._local, "con", None)
        if con is None or con.closed:
            con = self._connect()
            self._local.con = con
        return con

    def _sql(self) -> Any:
        return self._psycopg.sql

    def _table(self, name: str) -> Any:
        return self._sql().Identifier(self.schema, name)

    def _ensure_schema(self) -> None:
        sql = self._sql()
        with self._connect() as con:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            con.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))

    def _scan(self) -> None:
        rows = self._con().execute(
            "SELECT c.table_name, c.column_name, c.data_type, c.udt_name FROM information_schema.columns c "
            "WHERE c.table_schema = %s ORDER BY c.table_name, c.ordinal_position", (self.schema,),
        ).fetchall()
        columns: dict[str, dict[str, str]] = {}
        for table, column, data_type, udt in rows:
            columns.setdefault(table, {})[column] = "geometry" if udt == "geometry" else data_type
        self._columns = {t: c for t, c in columns.items()
                         if is_known_layer(t) and c.get("geometry") == "geometry" and "fid" in c}
        self._layers = sorted(self._columns)
        meta: dict[str, str] = {}
        if META_TABLE in columns:
            meta = dict(self._con().execute(
                self._sql().SQL("SELECT key, value FROM {}").format(self._table(META_TABLE))).fetchall())
        self._meta = meta

    # --- protocol: reading -------------------------------------------------------------------
    def layers(self) -> list[str]:
        return list(self._layers)

    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self._meta.items() if not k.startswith("_")}

    def fingerprint(self) -> str:
        return f"postgis:{self.location}:{self._meta.get('_versie', '')}"

    def _check(self, layer: str) -> None:
        if layer not in self._columns:
            raise DatasetError(self.location, f"no layer {layer!r}; layers: {', '.join(self._layers)}")

    def _filters(self, layer: str, query: Query) -> tuple[Any, list[Any]]:
        """The WHERE clause (composed SQL) and its parameters."""
        sql = self._sql()
        shape, predicate = query.shape, query.predicate
        clauses: list[Any] = []
        params: list[Any] = []
        if shape is not None:
            wkb = shapely.to_wkb(shape)
            if predicate != "disjoint":
                clauses.append(sql.SQL("geometry && ST_MakeEnvelope(%s, %s, %s, %s, {})").format(
                    sql.Literal(SRID)))
                params.extend(float(v) for v in shape.bounds)
            clauses.append(sql.SQL("{}(geometry, ST_GeomFromWKB(%s, {}))").format(
                sql.SQL(_PREDICATE_SQL[predicate]), sql.Literal(SRID)))
            params.append(wkb)
        cols = self._columns[layer]
        for column, values in query.where:
            if column not in cols or column == "geometry":
                raise QueryError(f"{self.location}:{layer}: no column {column!r} to filter on")
            array = _PG_ARRAY.get(cols[column], "text[]")
            plain = [v for v in values if v is not None]
            if array == "text[]":
                plain = [str(v) for v in plain]
            parts = [sql.SQL("{} = ANY(%s::" + array + ")").format(sql.Identifier(column))]
            params.append(plain)
            if len(plain) < len(values):
                parts.append(sql.SQL("{} IS NULL").format(sql.Identifier(column)))
            clauses.append(sql.SQL("({})").format(sql.SQL(" OR ").join(parts)))
        if not clauses:
            return sql.SQL(""), params
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses), params

    def _attrs(self, layer: str, columns: Sequence[str] | None) -> list[str]:
        """The attribute columns to return: ``columns`` without ``geometry`` (each checked), or
        all but ``fid`` and ``geometry``."""
        attrs = [c for c in self._columns[layer] if c not in ("fid", "geometry")]
        if columns is None:
            return attrs
        unknown = [c for c in columns if c not in attrs and c != "geometry"]
        if unknown:
            raise QueryError(f"{self.location}:{layer}: unknown column(s) {unknown}")
        return [c for c in columns if c != "geometry"]

    def _select_sql(self, layer: str, query: Query) -> tuple[Any, list[Any], list[str]]:
        """The SELECT statement, its parameters and the attribute columns it returns."""
        self._check(layer)
        sql = self._sql()
        attrs = self._attrs(layer, query.columns)
        clause, params = self._filters(layer, query)
        select = sql.SQL(", ").join([*(sql.Identifier(c) for c in attrs),
                                     sql.SQL("ST_AsBinary(geometry)")])
        statement = sql.SQL("SELECT {} FROM {}{} ORDER BY fid").format(select, self._table(layer), clause)
        if query.limit is not None:
            statement += sql.SQL(" LIMIT {}").format(sql.Literal(int(query.limit)))
        if query.offset:
            statement += sql.SQL(" OFFSET {}").format(sql.Literal(int(query.offset)))
        return statement, params, attrs

    def select_rows(self, layer: str, query: Query) -> tuple[list[dict[str, Any]], np.ndarray]:
        statement, params, attrs = self._select_sql(layer, query)
        rows = self._con().execute(statement, params).fetchall()
        geoms = shapely.from_wkb(np.array([r[-1] for r in rows], dtype=object)) if rows else np.empty(0, object)
        return [dict(zip(attrs, r[:-1], strict=True)) for r in rows], geoms

    def select(self, layer: str, query: Query) -> gpd.GeoDataFrame:
        records, geoms = self.select_rows(layer, query)
        attrs = self._select_sql(layer, query)[2] if not records else list(records[0])
        frame = gpd.GeoDataFrame(pd.DataFrame(records, columns=attrs),
                                 geometry=gpd.GeoSeries(geoms, crs=RD_NEW), crs=RD_NEW)
        if query.columns is not None:
            return frame
        return conform_read(frame, layer, self.location)

    def count_query(self, layer: str, query: Query) -> int:
        self._check(layer)
        clause, params = self._filters(layer, query)
        sql = self._sql().SQL("SELECT count(*) FROM {}{}").format(self._table(layer), clause)
        return int(self._con().execute(sql, params).fetchone()[0])

    def bounds(self, layer: str) -> Bounds | None:
        self._check(layer)
        row = self._con().execute(self._sql().SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
            "(SELECT ST_Extent(geometry) AS e FROM {}) s").format(self._table(layer))).fetchone()
        if row is None or row[0] is None:
            return None
        return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))

    def tile(self, layer: str, z: int, x: int, y: int, *, columns: Sequence[str] = ("identificatie",),
             extent: int = 4096, buffer: int = 64) -> bytes:
        """The Mapbox Vector Tile ``z/x/y`` (Web Mercator tiling) of ``layer``, by ``ST_AsMVT``;
        the tile's layer is named ``layer`` and carries ``columns``. Empty bytes when nothing
        falls in the tile."""
        self._check(layer)
        if not (0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z):
            raise QueryError(f"no tile {z}/{x}/{y}: z must be 0..24 and x, y 0..2^z-1")
        sql = self._sql()
        cols = [c for c in columns if c in self._columns[layer] and c not in ("fid", "geometry")]
        attrs = sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(c)) for c in cols)
        query = sql.SQL(
            "WITH b AS (SELECT ST_TileEnvelope(%s, %s, %s) AS env), "
            # the window is the tile grown by its buffer: features that reach only into the
            # buffer are drawn too, so the edges of neighbouring tiles meet
            "e AS (SELECT env, ST_Expand(env, (ST_XMax(env) - ST_XMin(env)) * %s / %s) AS big FROM b), "
            "w AS (SELECT env, ST_Transform(ST_Segmentize(big, (ST_XMax(big) - ST_XMin(big)) / 8), {srid}) AS rd "
            "FROM e), "
            "q AS (SELECT {attrs}ST_AsMVTGeom(ST_Transform(t.geometry, 3857), w.env, %s, %s, true) AS geom "
            "FROM {table} t, w WHERE t.geometry && w.rd) "
            "SELECT ST_AsMVT(q, %s, %s, 'geom') FROM q WHERE geom IS NOT NULL"
        ).format(srid=sql.Literal(SRID), attrs=attrs, table=self._table(layer))
        row = self._con().execute(query, (z, x, y, buffer, extent, extent, buffer, layer, extent)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""

    # --- protocol: writing -------------------------------------------------------------------
    def write(self, layer: str, gdf: gpd.GeoDataFrame, mode: WriteMode = "replace") -> None:
        if mode not in ("replace", "append"):
            raise ValueError(f"mode must be replace or append, not {mode!r}")
        if mode == "append" and layer in self._columns:
            self._append(layer, conform(gdf, layer, what=layer))
            return
        self.write_many({layer: gdf})

    def _append(self, layer: str, frame: gpd.GeoDataFrame) -> None:
        """Add rows to a layer in one transaction (COPY; fids continue after the last)."""
        sql = self._sql()
        unknown = [c for c in frame.columns if c != "geometry" and c not in self._columns[layer]]
        if unknown:
            raise QueryError(f"{self.location}:{layer}: cannot append columns the table lacks: {unknown}")
        with self._psycopg.connect(self._conninfo) as con, con.transaction():
            con.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(self._table(layer)))
            first = con.execute(sql.SQL("SELECT coalesce(max(fid), 0) FROM {}").format(
                self._table(layer))).fetchone()[0]
            self._copy_rows(con, layer, frame, int(first))
            self._write_meta_rows(con, None)
        self.cache.clear()
        self._scan()

    def write_meta(self, meta: Mapping[str, str]) -> None:
        self.write_many({}, meta)

    def write_many(self, layers: Mapping[str, gpd.GeoDataFrame], meta: Mapping[str, str] | None = None,
                   *, replace_all: bool = False) -> None:
        """Write ``layers`` (and ``meta``) in one transaction; ``replace_all`` also drops the
        layers not named (a fresh import). Readers see the old tables until the commit."""
        frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
        sql = self._sql()
        self._ensure_schema()
        token = secrets.token_hex(4)
        with self._psycopg.connect(self._conninfo) as con, con.transaction():
            for name in sorted(frames):
                self._load_table(con, name, frames[name], token)
            if replace_all:
                for name in self._layers:
                    if name not in frames:
                        con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table(name)))
            self._write_meta_rows(con, meta)
        self._analyze(frames)

    def _write_meta_rows(self, con: Any, meta: Mapping[str, str] | None) -> None:
        """In ``con``'s transaction: replace the metadata (when given) and bump ``_versie``."""
        sql = self._sql()
        con.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text)")
                    .format(self._table(META_TABLE)))
        if meta is not None:
            con.execute(sql.SQL("DELETE FROM {} WHERE key NOT LIKE '\\_%%'").format(self._table(META_TABLE)))
            with con.cursor() as cur:
                cur.executemany(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s)").format(
                    self._table(META_TABLE)), [(str(k), str(v)) for k, v in meta.items()])
        con.execute(sql.SQL("INSERT INTO {} (key, value) VALUES ('_versie', %s) ON CONFLICT (key) "
                            "DO UPDATE SET value = EXCLUDED.value").format(self._table(META_TABLE)),
                    (secrets.token_hex(8),))

    def _analyze(self, layers: Iterable[str]) -> None:
        """Refresh the planner's statistics of ``layers`` after a write; drop the caches."""
        with self._connect() as con:
            for name in layers:
                con.execute(self._sql().SQL("ANALYZE {}").format(self._table(name)))
        self.cache.clear()
        self._scan()

    def _copy_rows(self, con: Any, table: str, frame: gpd.GeoDataFrame, first_fid: int) -> None:
        """COPY ``frame``'s rows into ``table`` with fids ``first_fid + 1``, ``+ 2``, ..."""
        sql = self._sql()
        attrs = [c for c in frame.columns if c != frame.geometry.name]
        values = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in attrs}
        hexes = shapely.to_wkb(shapely.set_srid(frame.geometry.to_numpy(), SRID), hex=True, include_srid=True)
        columns = sql.SQL(", ").join([sql.Identifier("fid"), *(sql.Identifier(c) for c in attrs),
                                      sql.Identifier("geometry")])
        with con.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                self._table(table), columns)) as copy:
            for i in range(len(frame)):
                copy.write_row([first_fid + i + 1, *(values[c][i] for c in attrs), hexes[i]])

    def _load_table(self, con: Any, name: str, frame: gpd.GeoDataFrame, token: str) -> None:
        sql = self._sql()
        tmp = f"{name}__new_{token}"
        attrs = [c for c in frame.columns if c != frame.geometry.name]
        defs = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_pg_type(frame[c]))) for c in attrs]
        con.execute(sql.SQL("CREATE TABLE {} (fid bigint PRIMARY KEY, {}geometry geometry(Geometry, {}))").format(
            self._table(tmp), sql.SQL("").join(d + sql.SQL(", ") for d in defs), sql.Literal(SRID)))
        # Large geometries (a 1,100-vertex bestemming, a road perceel) go to TOAST: stored
        # uncompressed, a query reads them without pglz. Decompressing was 15 % of the server's
        # CPU in the report's overlay (perf over bench_scale.py's points at 30 copies); external
        # storage took the statement from 1.55 to 1.30 ms of server CPU on average, at some 40 %
        # more disk for those geometries only (smaller ones stay in the row).
        con.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN geometry SET STORAGE EXTERNAL").format(self._table(tmp)))
        self._copy_rows(con, tmp, frame, 0)
        con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table(name)))
        con.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(self._table(tmp), sql.Identifier(name)))
        con.execute(sql.SQL("CREATE INDEX {} ON {} USING gist (geometry)").format(
            sql.Identifier(f"{name}_gist_{token}"), self._table(name)))
        if "identificatie" in attrs:
            con.execute(sql.SQL("CREATE INDEX {} ON {} (identificatie)").format(
                sql.Identifier(f"{name}_id_{token}"), self._table(name)))
        for k, cols in enumerate(key_indexes(name, attrs)):  # the address search's look-ups
            con.execute(sql.SQL("CREATE INDEX {} ON {} ({})").format(
                sql.Identifier(f"{name}_k{k}_{token}"), self._table(name),
                sql.SQL(", ").join(sql.Identifier(c) for c in cols)))

    # --- distinct ------------------------------------------------------------------------------
    def distinct(self, layer: str, columns: Sequence[str], *, where: Where | None = None) -> list[tuple[Any, ...]]:
        """``SELECT DISTINCT`` in the database (no geometry leaves it)."""
        self._check(layer)
        cols = check_columns(columns)
        unknown = [c for c in cols if c not in self._columns[layer] or c == "fid"]
        if unknown:
            raise QueryError(f"{self.location}:{layer}: unknown column(s) {unknown}")
        sql = self._sql()
        clause, params = self._filters(layer, Query.build(where=where))
        not_null = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in cols)
        clause = clause + sql.SQL(" AND ") + not_null if params else sql.SQL(" WHERE ") + not_null
        statement = sql.SQL("SELECT DISTINCT {} FROM {}{}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in cols), self._table(layer), clause)
        return distinct_tuples(tuple(r) for r in self._con().execute(statement, params).fetchall())

    # --- overlay ----------------------------------------------------------------------------------
    def overlay(self, layer: str, geometry: BaseGeometry, *, columns: Sequence[str] | None = None,
                where: Where | None = None, point: BaseGeometry | None = None,
                tolerance: float = 0.0, areas: bool = True) -> Overlay:
        """:meth:`Store.overlay` in one SQL statement: the rows found by the GiST index and
        ``ST_Intersects``, their ``ST_Area``, the shared area by ``ST_Covers`` /
        ``ST_Intersects`` against ``ST_Buffer(shape, -tolerance, 'join=mitre')`` and
        ``ST_Area(ST_Intersection(...))``, and ``ST_Intersects`` with the point. Every value is
        a bound parameter; only the attributes and three numbers per row leave the database."""
        self._check(layer)
        sql = self._sql()
        query = Query.build(geometry=geometry, where=where, columns=columns)
        attrs = self._attrs(layer, query.columns)
        clause, filter_params = self._filters(layer, query)
        select = sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier("t", c)) for c in attrs)
        cte, measures = _overlay_sql()
        statement = sql.SQL("{cte} SELECT {select}{measures} FROM {table} t, r{clause} ORDER BY t.fid").format(
            cte=cte, select=select, measures=measures, table=self._table(layer), clause=clause)
        rows = self._con().execute(statement, [*_overlay_params(geometry, point, tolerance, areas),
                                               *filter_params]).fetchall()
        k = len(attrs)
        return _overlay_of([dict(zip(attrs, r[:k], strict=True)) for r in rows], [r[k:] for r in rows], geometry)

    def overlay_many(self, layers: Sequence[str], geometry: BaseGeometry, *,
                     point: BaseGeometry | None = None, tolerance: float = 0.0,
                     areas: bool = True) -> dict[str, Overlay]:
        """:meth:`Store.overlay_many` in one statement: the layers' overlays joined by
        ``UNION ALL`` (each row's attributes as a JSON array, typed back by the table's columns)."""
        for layer in layers:
            self._check(layer)
        if not layers:
            return {}
        return self._rescanning(lambda: self._overlay_many(layers, geometry, point, tolerance, areas))

    def _overlay_many(self, layers: Sequence[str], geometry: BaseGeometry, point: BaseGeometry | None,
                      tolerance: float, areas: bool) -> dict[str, Overlay]:
        sql = self._sql()
        cte, measures = _overlay_sql()
        records = [self._record_sql(layer) for layer in layers]
        parts = [sql.SQL("SELECT {i} AS q_i, t.fid AS q_fid, {rec} AS q_rec, {measures} "
                         "FROM {table} t, r WHERE t.geometry && r.q_shape AND ST_Intersects(t.geometry, r.q_shape)")
                 .format(i=sql.Literal(i), rec=rec, measures=measures, table=self._table(layer))
                 for i, (layer, (rec, _spec)) in enumerate(zip(layers, records, strict=True))]
        statement = sql.SQL("{cte} SELECT * FROM ({parts}) u ORDER BY q_i, q_fid").format(
            cte=cte, parts=sql.SQL(" UNION ALL ").join(parts))
        rows = self._con().execute(statement, _overlay_params(geometry, point, tolerance, areas)).fetchall()
        overlays = _split_overlays(rows, [spec for _rec, spec in records], [geometry] * len(layers))
        return dict(zip(layers, overlays, strict=True))

    # --- overlay_at -------------------------------------------------------------------------------
    def overlay_at(self, point: BaseGeometry, asks: Sequence[OverlayAsk], *, base: str | None = "perceel",
                   base_row: Row | None = None) -> tuple[Row | None, list[Overlay]]:
        """:meth:`Store.overlay_at` in **one** SQL statement: a CTE finds the base row at the
        point (GiST window, ``ST_Intersects``, ``ORDER BY fid LIMIT 1``), one CTE per distinct
        (shape, tolerance, areas) holds the shape, its area and its shrunk inner shape, and the
        asks' rows follow with ``UNION ALL`` (attributes as a JSON array, the overlay's measures as
        in :meth:`overlay`). Every value is a bound parameter; the statement text depends only
        on the asks, so it is composed once (kept in the store's cache) and prepared by the
        server once per connection."""
        if not isinstance(point, BaseGeometry) or (base_row is not None and not isinstance(base_row[1], BaseGeometry)):
            raise QueryError("overlay_at: point and the base row's geometry must be shapely geometries")
        for ask in asks:
            self._check(ask.layer)
            if ask.tolerance < 0 or not np.isfinite(ask.tolerance):
                raise QueryError(f"tolerance must be a finite number >= 0, got {ask.tolerance!r}")
            if ask.columns is not None:
                unknown = [c for c in ask.columns if c not in self._columns[ask.layer] or c in ("fid", "geometry")]
                if unknown:
                    raise QueryError(f"{self.location}:{ask.layer}: unknown column(s) {unknown}")
        lookup = base_row is None and base is not None
        if lookup:
            assert base is not None
            self._check(base)
        key = ("postgis", "overlay_at", base if lookup else None, base_row is not None, tuple(asks))

        def run() -> tuple[list[Any], list[RecordSpec]]:
            statement, shapes, specs = self.cache.get(key, lambda: self._overlay_at_sql(
                base if lookup else None, base_row is not None, asks))
            params: list[Any] = [shapely.to_wkb(point)]
            if base_row is not None:
                params.append(shapely.to_wkb(base_row[1]))
            params += [float(tol) for _on, tol, _areas in shapes]
            return list(self._generic_con().execute(statement, params, prepare=True).fetchall()), specs

        rows, specs = self._rescanning(run)
        row: Row | None = base_row
        if rows and rows[0][0] < 0:  # the base row found comes first (ORDER BY q_i)
            assert base is not None
            row = (specs[-1].typed(rows[0][2]), shapely.from_wkb(rows[0][7]))
            rows = rows[1:]
        shape = point if row is None else row[1]
        return row, _split_overlays(rows, specs[:len(asks)], [shape if ask.on == "shape" else point for ask in asks])

    def _rescanning(self, run: Callable[[], T]) -> T:
        """``run()``; when a table or column it names has gone (another process re-imported
        the dataset with other columns since this store scanned it), scan the tables again,
        drop the composed statements and run once more."""
        errors = self._psycopg.errors
        try:
            return run()
        except (errors.UndefinedColumn, errors.UndefinedTable):
            self._scan()
            self.cache.clear()
            return run()

    def _generic_con(self) -> Any:
        """This thread's connection for :meth:`overlay_at`: its statement is prepared once and
        always run with the generic plan (``plan_cache_mode = force_generic_plan``: GiST index
        scans whatever the point; planning the 20-part statement anew costs more than running
        it). A connection of its own, so the other queries keep PostgreSQL's choice."""
        con = getattr(self._local, "generic", None)
        if con is None or con.closed:
            con = self._connect()
            con.execute("SET plan_cache_mode = force_generic_plan")
            self._local.generic = con
        return con

    def _overlay_at_sql(self, base: str | None, given: bool, asks: Sequence[OverlayAsk]
                        ) -> tuple[str, list[tuple[str, float, str]], list[RecordSpec]]:
        """The statement of :meth:`overlay_at` (as text), its shape CTEs (on, tolerance, areas),
        whose tolerances are its last parameters, and the records' specs: one per ask, then the
        base layer's (when it is looked up)."""
        sql = self._sql()
        srid = sql.Literal(SRID)
        ctes = [sql.SQL("pt AS (SELECT ST_GeomFromWKB(%s, {}) AS q_point)").format(srid)]
        if given:
            ctes.append(sql.SQL("p AS (SELECT NULL::json AS rec, ST_GeomFromWKB(%s, {}) AS geometry)").format(srid))
        elif base is not None:
            base_rec, base_spec = self._record_sql(base)
            # ST_SetSRID (a no-op here) copies the base row's geometry out of TOAST once: the
            # shape is then read by every overlay below without being fetched again
            ctes.append(sql.SQL(
                "p AS (SELECT {} AS rec, ST_SetSRID(t.geometry, {}) AS geometry FROM {} t, pt "
                "WHERE t.geometry && pt.q_point AND ST_Intersects(t.geometry, pt.q_point) ORDER BY t.fid LIMIT 1)"
            ).format(base_rec, srid, self._table(base)))
        found = sql.SQL("EXISTS (SELECT 1 FROM p)" if given or base is not None else "false")
        shape = sql.SQL("coalesce((SELECT geometry FROM p), pt.q_point)" if given or base is not None
                        else "pt.q_point")
        ctes.append(sql.SQL("sh AS (SELECT {} AS q_shape, pt.q_point, {} AS q_found FROM pt)").format(shape, found))
        shapes: list[tuple[str, float, str]] = []
        specs: list[RecordSpec] = []
        parts = []
        if base is not None and not given:
            parts.append(sql.SQL("SELECT -1 AS q_i, 0::bigint AS q_fid, rec AS q_rec, NULL::float8, NULL::float8, "
                                 "NULL::boolean, NULL::float8, ST_AsBinary(geometry) AS q_geom FROM p"))
        for i, ask in enumerate(asks):
            areas = "yes" if ask.areas == "yes" else "no" if ask.areas == "no" or ask.on == "point" else "shape"
            spec = (ask.on, float(ask.tolerance), areas)
            if spec not in shapes:
                shapes.append(spec)
            k = shapes.index(spec)
            rec, rec_spec = self._record_sql(ask.layer, ask.columns)
            specs.append(rec_spec)
            predicate = sql.SQL("ST_Within" if ask.predicate == "within" else "ST_Intersects")
            parts.append(sql.SQL(
                "SELECT {i}, t.fid, {rec}, {measures}, NULL::bytea FROM {table} t, r{k} r "
                "WHERE t.geometry && r.q_shape AND {predicate}(t.geometry, r.q_shape)"
            ).format(i=sql.Literal(i), rec=rec, measures=_overlay_sql()[1], table=self._table(ask.layer),
                     k=sql.SQL(str(k)), predicate=predicate))
        for k, (on, _tol, areas) in enumerate(shapes):
            ctes.append(sql.SQL(
                "r{k} AS (SELECT *, CASE WHEN ST_IsEmpty(q_buf) THEN q_shape ELSE q_buf END AS q_inner FROM "
                "(SELECT *, ST_Area(q_shape) AS q_area, CASE WHEN q_tol > 0 "
                "THEN ST_Buffer(q_shape, -q_tol, 'join=mitre') ELSE q_shape END AS q_buf FROM "
                "(SELECT {shape} AS q_shape, q_point, {areas} AS q_areas, %s::float8 AS q_tol FROM sh) a) b)"
            ).format(k=sql.SQL(str(k)), shape=sql.SQL("q_shape" if on == "shape" else "q_point"),
                     areas=sql.SQL({"yes": "true", "no": "false", "shape": "q_found"}[areas])))
        if not parts:
            parts.append(sql.SQL("SELECT NULL::int, NULL::bigint, NULL::json, NULL::float8, NULL::float8, "
                                 "NULL::boolean, NULL::float8, NULL::bytea WHERE false"))
        statement = sql.SQL("WITH {} SELECT * FROM ({}) u ORDER BY 1, 2").format(
            sql.SQL(", ").join(ctes), sql.SQL(" UNION ALL ").join(parts))
        if base is not None and not given:
            specs.append(base_spec)
        return statement.as_string(self._con()), shapes, specs

    def _record_sql(self, layer: str, columns: Sequence[str] | None = None) -> tuple[Any, RecordSpec]:
        """A row's attributes (``columns``, default all but ``fid`` and ``geometry``) as one
        ``json`` array, ``json_build_array`` over the named columns (an array of such arrays
        past 100 columns: a function takes at most 100 arguments), and the :class:`RecordSpec`
        that turns it back into a record. The two are made together and kept together (with the
        composed statement), so the values always meet the names they were selected with.

        Not ``to_jsonb(t) - 'geometry' - 'fid'``: that writes the whole row first, its geometry
        as GeoJSON, and throws the geometry away; at the report's 20 overlays it took 40 % of
        the statement's time (``benchmarks/bench_scale.py``: report p50 2.3 ms against 1.4 ms
        with named columns, 300 copies). Nor ``jsonb_build_object``: an array needs no keys, no
        sorted jsonb object and less to parse; the report's statement went from p50 0.82-0.90 to
        0.78 ms (client wall time over bench_scale's points, 30 copies). The statement names the
        columns, so it is composed from the columns scanned at open; :meth:`overlay_at`
        re-scans once if they changed."""
        sql = self._sql()
        cols = self._columns[layer]
        names = [c for c in cols if c not in ("fid", "geometry")] if columns is None else list(columns)
        spec = RecordSpec(names, [c for c in names if cols.get(c) == "double precision"], len(names) > 100)
        if not names:
            return sql.SQL("'[]'::json"), spec
        chunks = [sql.SQL("json_build_array({})").format(sql.SQL(", ").join(sql.Identifier("t", c) for c in names[i:i + 100]))
                  for i in range(0, len(names), 100)]
        if len(chunks) == 1:
            return chunks[0], spec
        return sql.SQL("json_build_array({})").format(sql.SQL(", ").join(chunks)), spec


    # upsert_many
    def upsert_many(self, layers: Mapping[str, gpd.GeoDataFrame], meta: Mapping[str, str] | None = None,
                    *, key: str = "identificatie") -> dict[str, int]:
        """Merge ``layers`` into the dataset as
        :meth:`GeoPackageStore.upsert_many <omgevingskaart.store.geopackage.GeoPackageStore.upsert_many>`
        does: per layer, the stored rows whose ``key`` the new rows deliver again are deleted and
        the new rows appended after the rest (``COPY``; fids continue after the last, so the row
        order is the kept rows, then the new ones). The stored rows never leave the database (the
        delete goes through the ``key`` index); layers not named are not touched. Everything,
        metadata included, is one transaction: readers see the previous dataset until the commit
        and a failure leaves it as it was. A concurrent upsert into the same layer waits for this
        one (table lock). Returns the rows per layer afterwards."""
        frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
        sql = self._sql()
        self._ensure_schema()
        token = secrets.token_hex(4)
        counts: dict[str, int] = {}
        with self._psycopg.connect(self._conninfo) as con, con.transaction():
            for name in sorted(frames):
                new = frames[name]
                table = self._table(name)
                stored = dict(con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = %s AND table_name = %s", (self.schema, name)).fetchall())
                if not stored:
                    self._load_table(con, name, new, token)
                    counts[name] = len(new)
                    continue
                con.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(table))
                for column in new.columns:
                    if column != new.geometry.name and column not in stored:
                        con.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                            table, sql.Identifier(column), sql.SQL(_pg_type(new[column]))))
                ids = sorted(set(new[key].dropna().astype(str))) if key in new.columns else []
                if ids and key in stored:  # text = text[] uses the key's B-tree index
                    cast = "" if stored[key] in ("text", "character varying") else "::text"
                    con.execute(sql.SQL("DELETE FROM {} WHERE {}" + cast + " = ANY(%s::text[])").format(
                        table, sql.Identifier(key)), (ids,))
                first = con.execute(sql.SQL("SELECT coalesce(max(fid), 0) FROM {}").format(table)).fetchone()[0]
                self._copy_rows(con, name, new, int(first))
                counts[name] = int(con.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0])
            self._write_meta_rows(con, meta)
        self._analyze(frames)
        return counts


class RecordSpec:
    """How a record selected by :meth:`PostGISStore._record_sql` comes back: its column names in
    order, its float columns (JSON writes 16.0 as 16) and whether the array is split in chunks."""

    __slots__ = ("chunked", "floats", "names")

    def __init__(self, names: list[str], floats: list[str], chunked: bool) -> None:
        self.names = names
        self.floats = floats
        self.chunked = chunked

    def typed(self, values: Sequence[Any] | None) -> dict[str, Any]:
        """The record of one row's JSON array (None, a row given by the caller: all None)."""
        if values is None:
            values = [None] * len(self.names)
        elif self.chunked:
            values = [v for chunk in values for v in chunk]
        out = dict(zip(self.names, values, strict=True))
        for c in self.floats:
            value = out[c]
            if value is not None:
                out[c] = float(value)
        return out


@functools.cache
def _overlay_sql() -> tuple[Any, Any]:
    """The overlay's common table expression ``r`` (the query shape, point, shape area and the
    shape shrunk by the tolerance, from 4 parameters: shape WKB, point WKB or NULL, tolerance,
    areas) and its measures per row ``t`` (its area, the area it shares with the shape by
    :class:`Overlay`'s rules, whether it is at the point, the shape's area).

    The shared area tests "does not meet the shrunk shape" before "covers it": the same answer
    (a row that covers the shrunk shape meets it), and a neighbour that only touches the
    perceel's edge is settled by one ``ST_Intersects`` instead of two full relates. With the
    server's GEOS 3.11 a relate of a 1,100-vertex bestemming costs about 125 µs; the
    enkelbestemming part of a report went from p50 0.50 to 0.37 ms at the points of
    ``benchmarks/bench_scale.py``."""
    sql = _psycopg().sql
    cte = sql.SQL(
        "WITH s AS (SELECT ST_GeomFromWKB(%s, {srid}) AS q_shape, ST_GeomFromWKB(%s, {srid}) AS q_point, "
        "%s::float8 AS q_tol, %s::boolean AS q_areas), "
        "b AS (SELECT *, ST_Area(q_shape) AS q_area, CASE WHEN q_tol > 0 "
        "THEN ST_Buffer(q_shape, -q_tol, 'join=mitre') ELSE q_shape END AS q_buf FROM s), "
        "r AS (SELECT *, CASE WHEN ST_IsEmpty(q_buf) THEN q_shape ELSE q_buf END AS q_inner FROM b)"
    ).format(srid=sql.Literal(SRID))
    measures = sql.SQL(
        "CASE WHEN r.q_areas THEN ST_Area(t.geometry) END, "
        "CASE WHEN NOT r.q_areas OR ST_GeometryType(t.geometry) NOT IN ('ST_Polygon', 'ST_MultiPolygon') THEN NULL "
        "WHEN NOT ST_Intersects(r.q_inner, t.geometry) THEN 0 "
        "WHEN ST_Covers(t.geometry, r.q_inner) THEN r.q_area "
        "WHEN ST_Covers(r.q_shape, t.geometry) THEN ST_Area(t.geometry) "
        "ELSE ST_Area(ST_Intersection(t.geometry, r.q_shape)) END, "
        "coalesce(ST_Intersects(t.geometry, r.q_point), false), r.q_area")
    return cte, measures


def _overlay_params(geometry: BaseGeometry, point: BaseGeometry | None, tolerance: float,
                    areas: bool) -> list[Any]:
    if tolerance < 0 or not np.isfinite(tolerance):
        raise QueryError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    if not isinstance(geometry, BaseGeometry) or (point is not None and not isinstance(point, BaseGeometry)):
        raise QueryError("overlay: geometry and point must be shapely geometries")
    return [shapely.to_wkb(geometry), None if point is None else shapely.to_wkb(point), float(tolerance),
            bool(areas)]


def _split_overlays(rows: Sequence[Any], specs: Sequence[RecordSpec], shapes: Sequence[BaseGeometry]
                    ) -> list[Overlay]:
    """One :class:`Overlay` per part of an overlay statement from its rows ``(q_i, fid, record,
    four measures, ...)`` ordered by ``q_i``: one array of every row's measures, sliced per part
    (``shapes``: each part's query shape, whose area an empty part reports)."""
    measures = np.array([r[3:7] for r in rows], dtype=float).reshape(-1, 4)  # (None: NaN)
    ends = np.searchsorted(np.array([r[0] for r in rows], dtype=np.int64), np.arange(len(specs) + 1))
    out = []
    for i, (spec, shape) in enumerate(zip(specs, shapes, strict=True)):
        a, b = int(ends[i]), int(ends[i + 1])
        m = measures[a:b]
        out.append(Overlay(records=[spec.typed(r[2]) for r in rows[a:b]], area=m[:, 0], shared=m[:, 1],
                           at_point=m[:, 2] > 0, shape_area=float(m[0, 3]) if b > a else float(shape.area)))
    return out


def _overlay_of(records: list[dict[str, Any]], measures: Sequence[Sequence[Any]],
                geometry: BaseGeometry) -> Overlay:
    """An :class:`Overlay` from the records and the rows' four measures."""
    return Overlay(
        records=records,
        area=np.array([np.nan if m[0] is None else m[0] for m in measures], dtype=float),
        shared=np.array([np.nan if m[1] is None else m[1] for m in measures], dtype=float),
        at_point=np.array([bool(m[2]) for m in measures], dtype=bool),
        shape_area=float(measures[0][3]) if measures else float(geometry.area),
    )


def _pg_type(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamptz"
    return "text"
