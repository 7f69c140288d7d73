"""GeoPackage backend: one file, one table per layer, each with its R-tree.

Two reading modes, chosen per file at open time (``mode="auto"``):

* ``memory`` (files up to ``OMGEVINGSKAART_MEMORY_MAX_MB``, default 256 MB): a layer is read whole
  on first use and kept with its STRtree in the store's cache; repeated point queries cost
  microseconds. This is how every dataset was read before the store layer existed.
* ``rtree`` (larger files): every :meth:`~GeoPackageStore.features` call reads only the window
  through the file's own R-tree (``pyogrio`` with ``bbox`` and an attribute filter), so opening
  the file and the process' memory do not grow with the file.

:meth:`~GeoPackageStore.write` replaces or appends one layer *without rewriting the file*: the
layer is written to a temporary GeoPackage next to the dataset and then moved into the dataset in
one SQLite transaction (table, R-tree, GeoPackage metadata rows): a reader sees the old layer or the
new one, and an interrupted write leaves the dataset as it was.

>>> from omgevingskaart.store.geopackage import GeoPackageStore
>>> s = GeoPackageStore("data/demo/winterswijk-centrum.gpkg", mode="rtree")
>>> s.mode, s.count("pand", bbox=(246514, 443300, 246614, 443400))
('rtree', 23)
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .._files import disk_nearly_full, temp_prefix
from ..errors import DatasetError, QueryError
from ..schema import conform
from .base import (
    META_TABLE,
    Bounds,
    Query,
    Store,
    StoreCache,
    WriteMode,
    apply_where,
    conform_read,
    is_known_layer,
    page,
    refine,
    select_columns,
)
from .memory import LayerIndex, build_index

#: files up to this size (MB) are read whole and indexed in memory; override with the environment.
DEFAULT_MEMORY_MAX_MB = 256.0
_FIXED_DATE = "2026-01-01T00:00:00Z"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Mode = Literal["auto", "memory", "rtree"]


def memory_max_bytes() -> float:
    """The size up to which a GeoPackage is held in memory (``OMGEVINGSKAART_MEMORY_MAX_MB``)."""
    raw = os.environ.get("OMGEVINGSKAART_MEMORY_MAX_MB")
    try:
        mb = float(raw) if raw else DEFAULT_MEMORY_MAX_MB
    except ValueError:
        mb = DEFAULT_MEMORY_MAX_MB
    return mb * 1024 * 1024


class GeoPackageStore(Store):
    """A dataset GeoPackage (see the module docstring for the two reading modes)."""

    def __init__(self, path: str | Path, *, mode: Mode = "auto"):
        self.path = Path(path)
        self.location = str(self.path)
        if not self.path.exists():
            raise DatasetError(self.path, "dataset file not found")
        if not self.path.is_file():
            raise DatasetError(self.path, "not a file (a dataset is one GeoPackage file)")
        if mode not in ("auto", "memory", "rtree"):
            raise ValueError(f"mode must be auto, memory or rtree, not {mode!r}")
        if mode == "auto":
            mode = "memory" if self.path.stat().st_size <= memory_max_bytes() else "rtree"
        self.mode: Literal["memory", "rtree"] = mode
        self.cache = StoreCache()
        self._scan()

    def _scan(self) -> None:
        try:
            info = pyogrio.list_layers(self.path)
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            raise DatasetError(self.path, f"cannot open as GeoPackage: {exc}") from exc
        names = [str(n) for n, _ in info]
        self._layers = [n for n in names if n != META_TABLE and is_known_layer(n)]
        self._meta = self._read_meta() if META_TABLE in names else {}
        self._fields: dict[str, list[str]] = {}

    def _read_meta(self) -> dict[str, str]:
        try:
            df = pyogrio.read_dataframe(self.path, layer=META_TABLE, read_geometry=False)
        except Exception as exc:
            raise DatasetError(self.path, f"cannot read metadata: {exc}", element=META_TABLE) from exc
        return {str(k): str(v) for k, v in zip(df["key"], df["value"], strict=True)}

    # --- protocol: reading -------------------------------------------------------------------
    def layers(self) -> list[str]:
        return list(self._layers)

    def meta(self) -> dict[str, str]:
        return dict(self._meta)

    def _check(self, layer: str) -> None:
        if layer not in self._layers:
            raise DatasetError(self.path, f"no layer {layer!r}; layers: {', '.join(self._layers)}")

    def layer_frame(self, layer: str) -> gpd.GeoDataFrame:
        """The whole layer (cached in memory mode)."""
        self._check(layer)
        if self.mode == "memory":
            return self.cache.get(("frame", layer), lambda: self._read(layer))
        return self._read(layer)

    def index(self, layer: str) -> LayerIndex:
        """The layer's in-memory STRtree and row records (built once, kept in the cache)."""
        return self.cache.get(("index", layer), lambda: build_index(self.layer_frame(layer)))

    def _read(self, layer: str, **kwargs: Any) -> gpd.GeoDataFrame:
        try:
            raw = pyogrio.read_dataframe(self.path, layer=layer, use_arrow=True, **kwargs)
        except Exception as exc:
            raise DatasetError(self.path, f"cannot read: {exc}", element=layer) from exc
        if kwargs.get("fid_as_index"):  # an R-tree read comes in R-tree order: back to row order
            raw = raw.sort_index()
        return conform_read(raw, layer, self.path.name)

    def fields(self, layer: str) -> list[str]:
        self._check(layer)
        with self.cache.lock:
            if layer not in self._fields:
                self._fields[layer] = [str(f) for f in pyogrio.read_info(self.path, layer=layer)["fields"]]
            return self._fields[layer]

    def select(self, layer: str, query: Query) -> gpd.GeoDataFrame:
        label = f"{self.path.name}:{layer}"
        if self.mode == "memory":
            frame = self.layer_frame(layer)
            if query.window is not None:
                frame = frame.iloc[np.sort(self.index(layer).tree.query(query.shape))]
            filtered = refine(apply_where(frame, query.where, label), query.shape, query.predicate)
            frame = frame if filtered is frame else filtered.reset_index(drop=True)
        else:
            self._check(layer)
            sql = self._where_sql(layer, query.where)
            frame = self._read(layer, bbox=query.window, where=sql, fid_as_index=True)
            frame = refine(frame, query.shape, query.predicate).reset_index(drop=True)
        return select_columns(page(frame, query.limit, query.offset), query.columns, label)

    def select_rows(self, layer: str, query: Query) -> tuple[list[dict[str, Any]], np.ndarray]:
        """Records and geometries: from the in-memory index, or (R-tree mode) straight from SQLite
        through the layer's R-tree table, decoding the GeoPackage geometry blobs with shapely, with
        no GDAL dataset opened and no GeoDataFrame built."""
        label = f"{self.path.name}:{layer}"
        if self.mode == "memory":
            idx = self.index(layer)
            rows = (np.arange(len(idx.records)) if query.window is None
                    else np.sort(idx.tree.query(query.shape)))
            for column, values in query.where:
                if idx.records and column not in idx.records[0]:
                    raise QueryError(f"{label}: no column {column!r} to filter on")
                wanted = list(values)
                rows = rows[[idx.records[int(i)][column] in wanted for i in rows]] if len(rows) else rows
            geoms = idx.geometries[rows]
            recs = [idx.records[int(i)] for i in rows]
        else:
            recs, geoms = self._sqlite_rows(layer, query)
        if query.shape is not None and len(geoms):
            keep = np.asarray(getattr(shapely, query.predicate)(geoms, query.shape), dtype=bool)
            geoms = geoms[keep]
            recs = [r for r, k in zip(recs, keep, strict=True) if k]
        end = None if query.limit is None else query.offset + query.limit
        recs, geoms = recs[query.offset:end], geoms[query.offset:end]
        if query.columns is not None:
            cols = [c for c in query.columns if c != "geometry"]
            unknown = [c for c in cols if recs and c not in recs[0]]
            if unknown:
                raise QueryError(f"{label}: unknown column(s) {unknown}")
            recs = [{c: r.get(c) for c in cols} for r in recs]
        return recs, geoms

    def _sqlite(self) -> sqlite3.Connection:
        """A read-only SQLite connection of this thread (the cache holds one per thread)."""
        import threading

        key = ("sqlite", threading.get_ident())
        return self.cache.get(key, lambda: sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                                           check_same_thread=False))

    def _sqlite_rows(self, layer: str, query: Query) -> tuple[list[dict[str, Any]], np.ndarray]:
        fields = self.fields(layer)
        con = self._sqlite()
        geom_col = self.cache.get(("geomcol", layer), lambda: con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()[0])
        clauses, params = [], []
        for column, values in query.where:
            if column not in fields or not _IDENT.match(column):
                raise QueryError(f"{self.path.name}:{layer}: no column {column!r} to filter on")
            plain = [v for v in values if v is not None]
            part = [f'"{column}" IN ({", ".join("?" * len(plain))})'] if plain else []
            params += plain
            if len(plain) < len(values):
                part.append(f'"{column}" IS NULL')
            clauses.append("(" + (" OR ".join(part) or "0") + ")")
        join = ""
        if query.window is not None:
            join = f' JOIN "rtree_{layer}_{geom_col}" r ON r.id = t.fid'
            clauses.insert(0, "r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?")
            x0, y0, x1, y1 = query.window
            params = [x1, x0, y1, y0, *params]
        cols = ", ".join(f't."{c}"' for c in fields)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = con.execute(f'SELECT {cols}, t."{geom_col}" FROM "{layer}" t{join}{where} ORDER BY t.fid',
                           params).fetchall()
        recs = [dict(zip(fields, r[:-1], strict=True)) for r in rows]
        return recs, _gpkg_geometries([r[-1] for r in rows])

    def _where_sql(self, layer: str, where: Iterable[tuple[str, Sequence[Any]]]) -> str | None:
        """``where`` items as an OGR SQL expression with quoted literals; columns must exist."""
        parts = []
        fields = self.fields(layer)
        for column, values in where:
            if column not in fields or not _IDENT.match(column):
                raise QueryError(f"{self.path.name}:{layer}: no column {column!r} to filter on")
            lits = [_sql_literal(v) for v in values if v is not None]
            clause = []
            if lits:
                clause.append(f'"{column}" IN ({", ".join(lits)})')
            if any(v is None for v in values):
                clause.append(f'"{column}" IS NULL')
            parts.append("(" + (" OR ".join(clause) or "0") + ")")
        return " AND ".join(parts) or None

    def bounds(self, layer: str) -> Bounds | None:
        self._check(layer)
        try:
            b = pyogrio.read_info(self.path, layer=layer).get("total_bounds")
        except Exception:
            return None
        if b is None or not np.all(np.isfinite(b)):
            return None
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def fingerprint(self) -> str:
        st = self.path.stat()
        return f"gpkg:{st.st_size}:{st.st_mtime_ns}"

    def batches(self, layer: str, batch_size: int = 65536) -> Iterable[gpd.GeoDataFrame]:
        """The layer in conformed batches of ``batch_size`` rows (streaming, constant memory)."""
        self._check(layer)
        with pyogrio.open_arrow(self.path, layer=layer, batch_size=batch_size, use_pyarrow=True) as (meta, reader):
            geom_col = meta.get("geometry_name") or "wkb_geometry"
            crs = meta.get("crs")
            for batch in reader:
                df = batch.to_pandas()
                geoms = shapely.from_wkb(df.pop(geom_col).to_numpy()) if geom_col in df else None
                frame = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
                yield conform_read(frame, layer, self.path.name)

    # --- protocol: writing -------------------------------------------------------------------
    def write(self, layer: str, gdf: gpd.GeoDataFrame, mode: WriteMode = "replace") -> None:
        """Replace (or append to) ``layer`` in place, in one transaction (see the module doc)."""
        if mode not in ("replace", "append"):
            raise ValueError(f"mode must be replace or append, not {mode!r}")
        frame = conform(gdf, layer, what=layer)
        if mode == "append" and layer in self._layers:
            frame = gpd.GeoDataFrame(pd.concat([self._read(layer), frame], ignore_index=True),
                                     geometry="geometry", crs=frame.crs)
        self.write_many({layer: frame})

    def write_many(self, layers: Mapping[str, gpd.GeoDataFrame],
                   meta: Mapping[str, str] | None = None) -> None:
        """Replace ``layers`` (and the metadata, when given) in one SQLite transaction; the other
        layers' pages are not touched, so adding a small file to a large dataset is cheap."""
        frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
        with _temp_gpkg(self.path) as tmp:
            for name in sorted(frames):
                write_layer(frames[name], tmp, name)
            _move_layers(tmp, self.path, sorted(frames), meta)
        self.cache.clear()
        self._scan()

    def write_meta(self, meta: Mapping[str, str]) -> None:
        self.write_many({}, meta)

    def upsert_many(self, layers: Mapping[str, gpd.GeoDataFrame], meta: Mapping[str, str] | None = None,
                    *, key: str = "identificatie", batch_size: int = 65536) -> dict[str, int]:
        """Merge ``layers`` into the dataset: per layer, the stored rows whose ``key`` the new
        rows deliver again are dropped and the new rows appended (an import of a newer extract).
        The stored rows are streamed in batches of ``batch_size`` into a temporary GeoPackage, so
        memory holds one batch and the new rows, never the old layer; layers not named are not
        read nor rewritten. Committed with one SQLite transaction. Returns the rows per layer."""
        frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
        counts: dict[str, int] = {}
        with _temp_gpkg(self.path) as tmp:
            for name in sorted(frames):
                new = frames[name]
                gtypes = set(new.geometry.dropna().geom_type)
                if name in self._layers:
                    old_type = str(pyogrio.read_info(self.path, layer=name).get("geometry_type") or "")
                    gtypes |= {old_type.removesuffix(" Z")} - {"", "Unknown"}
                gtype = geometry_type_of(gtypes)
                ids = set(new[key].dropna().astype(str)) if key in new.columns else set()
                written = 0
                if name in self._layers:
                    for batch in self.batches(name, batch_size):
                        if ids and key in batch.columns:
                            batch = batch[~batch[key].astype("string").isin(ids).fillna(False).to_numpy(dtype=bool)]
                        if len(batch):
                            write_layer(batch, tmp, name, append=written > 0, geometry_type=gtype)
                            written += len(batch)
                write_layer(new, tmp, name, append=written > 0, geometry_type=gtype)
                counts[name] = written + len(new)
            _move_layers(tmp, self.path, sorted(frames), meta)
        self.cache.clear()
        self._scan()
        return counts

    # distinct
    def distinct(self, layer: str, column: str) -> list[Any]:
        """The distinct non-null values of ``column``: from the in-memory index, or (R-tree
        mode) ``SELECT DISTINCT`` in SQLite, sorted as text."""
        if self.mode == "memory":
            return Store.distinct(self, layer, column)
        if column not in self.fields(layer) or not _IDENT.match(column):
            raise QueryError(f"{self.path.name}:{layer}: unknown column(s) {[column]}")
        rows = self._sqlite().execute(
            f'SELECT DISTINCT "{column}" FROM "{layer}" WHERE "{column}" IS NOT NULL').fetchall()
        return sorted((r[0] for r in rows), key=str)


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _gpkg_geometries(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Shapely geometries of GeoPackage geometry blobs (``GP`` header + envelope + WKB)."""
    wkb: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkb.append(None)
            continue
        flags = blob[3]
        if flags & 0x10:  # the empty-geometry flag
            wkb.append(None)
            continue
        wkb.append(bytes(blob[8 + _ENVELOPE_BYTES[(flags >> 1) & 0x07]:]))
    return shapely.from_wkb(np.array(wkb, dtype=object)) if wkb else np.empty(0, dtype=object)


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            raise QueryError(f"where: not a finite number: {value!r}")
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


@contextlib.contextmanager
def _temp_gpkg(target: Path):
    # the pid in the name lets the next writer remove the files of a killed one
    # (omgevingskaart._files.remove_orphan_temp_files)
    fd, name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp.gpkg", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
    except BaseException as exc:
        # GDAL reports a full disk as "Failed to commit transaction": look before unlink frees it
        exc.disk_full = disk_nearly_full(tmp.parent)  # type: ignore[attr-defined]
        raise
    finally:
        tmp.unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)


def write_layer(frame: gpd.GeoDataFrame, path: Path, name: str, *, append: bool = False,
                geometry_type: str | None = None) -> None:
    """Write one conformed layer into the GeoPackage ``path`` with its R-tree (``append``: add
    the rows to the layer written before, of ``geometry_type``)."""
    geoms = frame.geometry
    if geoms.isna().all() and geometry_type is None:
        df = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        pyogrio.write_dataframe(df, path, layer=name, driver="GPKG", append=append)
        return
    pyogrio.write_dataframe(
        frame, path, layer=name, driver="GPKG", geometry_type=geometry_type or geometry_type_of(
            set(geoms.dropna().geom_type)), spatial_index=True, append=append,
    )


def geometry_type_of(gtypes: set[str]) -> str:
    """The GeoPackage geometry type for a layer holding ``gtypes``."""
    if not gtypes:
        return "Unknown"
    if gtypes <= {"Polygon", "MultiPolygon"}:
        return "MultiPolygon" if "MultiPolygon" in gtypes else "Polygon"
    if gtypes <= {"Point"}:
        return "Point"
    if gtypes <= {"LineString", "MultiLineString"}:
        return "MultiLineString" if "MultiLineString" in gtypes else "LineString"
    return "Unknown"


_GPKG_ROWS = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents")


def _move_layers(src: Path, dst: Path, layers: Sequence[str], meta: Mapping[str, str] | None) -> None:
    """Move ``layers`` (tables, R-trees, metadata rows) from GeoPackage ``src`` into ``dst``,
    replacing layers of those names, and replace the metadata table's rows by ``meta`` (when
    given), all in one SQLite transaction. Only these layers' pages are written."""
    con = sqlite3.connect(dst, isolation_level=None)
    try:
        con.execute("ATTACH DATABASE ? AS src", (str(src),))
        con.execute("BEGIN IMMEDIATE")
        for layer in layers:
            _move_one(con, layer)
        if meta is not None:
            if not _has_table(con, "main", META_TABLE):
                con.execute(f'CREATE TABLE main."{META_TABLE}" (fid INTEGER PRIMARY KEY AUTOINCREMENT '
                            "NOT NULL, key TEXT, value TEXT)")
                con.execute("INSERT INTO main.gpkg_contents (table_name, data_type, identifier, "
                            "last_change) VALUES (?, 'attributes', ?, ?)",
                            (META_TABLE, META_TABLE, _FIXED_DATE))
            con.execute(f'DELETE FROM main."{META_TABLE}"')
            con.executemany(f'INSERT INTO main."{META_TABLE}" (key, value) VALUES (?, ?)',
                            [(str(k), str(v)) for k, v in meta.items()])
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        with contextlib.suppress(sqlite3.Error):
            con.execute("DETACH DATABASE src")
        con.close()


_SHADOW = re.compile(r"_(node|parent|rowid)$")


def _move_one(con: sqlite3.Connection, layer: str) -> None:
    rtree = f"rtree_{layer}_"
    objs = con.execute(
        "SELECT type, name, sql FROM src.sqlite_master WHERE (tbl_name = ? OR tbl_name LIKE ?) "
        "AND sql IS NOT NULL", (layer, rtree + "%"),
    ).fetchall()
    old = con.execute(
        "SELECT type, name FROM main.sqlite_master WHERE (tbl_name = ? OR tbl_name LIKE ?)",
        (layer, rtree + "%"),
    ).fetchall()
    for typ, name in old:
        if typ == "trigger":
            con.execute(f'DROP TRIGGER IF EXISTS main."{name}"')
    for typ, name in old:
        if typ == "table" and name.startswith(rtree) and not _SHADOW.search(name):
            con.execute(f'DROP TABLE IF EXISTS main."{name}"')
    con.execute(f'DROP TABLE IF EXISTS main."{layer}"')
    for table in _GPKG_ROWS:
        if _has_table(con, "main", table):
            con.execute(f'DELETE FROM main."{table}" WHERE lower(table_name) = lower(?)', (layer,))
    con.execute("INSERT OR IGNORE INTO main.gpkg_spatial_ref_sys SELECT * FROM src.gpkg_spatial_ref_sys")
    tables = [(n, s) for t, n, s in objs if t == "table" and not (n.startswith(rtree) and _SHADOW.search(n))]
    for _name, sql in tables:
        con.execute(sql)
    for name, _ in tables:
        con.execute(f'INSERT INTO main."{name}" SELECT * FROM src."{name}"')
    for typ, _name, sql in objs:
        if typ in ("index", "trigger"):  # triggers last: they call GDAL's SQL functions
            con.execute(sql)
    for table in _GPKG_ROWS:
        if _has_table(con, "src", table):
            if not _has_table(con, "main", table):
                ddl = con.execute("SELECT sql FROM src.sqlite_master WHERE name = ?", (table,)).fetchone()[0]
                con.execute(ddl)  # unqualified CREATE goes to main
            con.execute(f'INSERT INTO main."{table}" SELECT * FROM src."{table}" '
                        "WHERE lower(table_name) = lower(?)", (layer,))
    con.execute("UPDATE main.gpkg_contents SET last_change = ? WHERE table_name = ?", (_FIXED_DATE, layer))


def _has_table(con: sqlite3.Connection, schema: str, table: str) -> bool:
    return con.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE name = ?", (table,)).fetchone() is not None


def write_gpkg(frames: Mapping[str, gpd.GeoDataFrame], path: Path, *, meta: Mapping[str, str]) -> None:
    """Write a whole new GeoPackage (conformed ``frames`` + metadata) to ``path`` atomically:
    to a temporary file next to it, moved into place when complete; fixed timestamps make the
    same layers give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old_date = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = _FIXED_DATE
    try:
        with _temp_gpkg(path) as tmp:
            for name in sorted(frames):
                write_layer(frames[name], tmp, name)
            meta_df = pd.DataFrame({"key": list(meta), "value": [str(v) for v in meta.values()]})
            pyogrio.write_dataframe(meta_df, tmp, layer=META_TABLE, driver="GPKG")
            con = sqlite3.connect(tmp)
            try:
                con.execute("UPDATE gpkg_contents SET last_change = ?", (_FIXED_DATE,))
                con.commit()
                con.execute("VACUUM")
            finally:
                con.close()
            os.replace(tmp, path)
    finally:
        if old_date is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = old_date
