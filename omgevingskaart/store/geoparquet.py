"""GeoParquet backend: a folder of spatially sorted GeoParquet files, one sub-folder per layer.

Layout of ``x.parquet/``::

    _omgevingskaart.json          the manifest: metadata, and per layer its folder, rows, bounds
    pand-3f9c1a2b/part-00000.parquet, part-00001.parquet, ...
    perceel-77d0e4aa/part-00000.parquet

Every layer is written in **Hilbert order** (``GeoSeries.hilbert_distance`` over the layer's
extent), so rows that lie close together sit in the same row group and the same part, with a
GeoParquet 1.1 **bbox covering column** (``bbox.xmin`` ... ``bbox.ymax``). A window read
(:meth:`GeoParquetStore.select`) is a pyarrow dataset filter on that column, so the row-group
statistics skip everything outside the window; the exact predicate is then tested with shapely.
The column ``fid`` keeps the layer's original row order, in which results are returned (the same
order as the other backends).

Parts (``rows_per_part``, default 250,000 rows) are the partitions of the Dask batch job
(:mod:`omgevingskaart.batch`), which reads the same folders with ``dask_geopandas.read_parquet``.

Writes are atomic per call: new layer folders get a fresh name, the manifest is replaced with
:func:`omgevingskaart._files.write_atomic` (the commit point), and the old folders are removed
after it. A reader sees the old manifest or the new one.

Vector tiles (:meth:`GeoParquetStore.tile`) are rendered by DuckDB spatial's ``ST_AsMVT``
(:mod:`omgevingskaart.store.duckdb_spatial`, the ``duckdb`` extra, loaded offline from the
``duckdb-ext-spatial`` wheel). Window reads and scans stay on pyarrow: measured against DuckDB
reading the same parts (:meth:`GeoParquetStore.duckdb_table`), pyarrow is faster for windows
and neither wins whole-layer scans (figures in docs/storage.md).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import shapely

from .._files import write_atomic
from ..errors import DatasetError, QueryError
from ..schema import RD_NEW, conform
from .base import (
    Bounds,
    Query,
    Store,
    StoreCache,
    Where,
    WriteMode,
    check_columns,
    conform_read,
    distinct_tuples,
    page,
    refine,
    select_columns,
    union_bounds,
)

MANIFEST = "_omgevingskaart.json"
#: rows per row group: the unit a window read decodes. 2,048, not 8,192: a report at a new
#: point decodes a quarter as much, and the row groups kept around one town's reports take half
#: the memory (300 demo copies written like an import: 72 against 135 MB, p50 1.45 against
#: 1.64 ms, mean of the first 100 reports 3.3 against 5.7 ms), for files 10 % larger and footers
#: of 300 KB per part of 250,000 rows (1,024: 57 MB, 1.41 ms, but +17 % and 580 KB)
ROW_GROUP_SIZE = 2048
#: a kept row group converts the rows a read finds together with the rest of their block of this
#: many rows (Hilbert order: their neighbours on the ground), which the next reports nearby need
ROW_BLOCK = 512
ROWS_PER_PART = 250_000
FID = "fid"


class GeoParquetStore(Store):
    """A GeoParquet dataset folder (see the module docstring)."""

    def __init__(self, path: str | Path, *, create: bool = False):
        self.path = Path(path)
        self.location = str(self.path)
        self.cache = StoreCache()
        manifest = self.path / MANIFEST
        if not manifest.exists():
            if not create:
                raise DatasetError(self.path, "not a GeoParquet dataset (no _omgevingskaart.json); "
                                   "create one with omgevingskaart import ... --into x.parquet")
            self.path.mkdir(parents=True, exist_ok=True)
            self._write_manifest({"meta": {}, "layers": {}})
        self._scan()

    def _scan(self) -> None:
        try:
            self._manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
            self._layers_info: dict[str, dict[str, Any]] = dict(self._manifest["layers"])
            self._folders: dict[str, Path] = {}
        except (OSError, ValueError, KeyError) as exc:
            raise DatasetError(self.path / MANIFEST, f"cannot read the manifest: {exc}") from exc

    def _write_manifest(self, manifest: Mapping[str, Any]) -> None:
        write_atomic(self.path / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True))

    # --- protocol: reading -------------------------------------------------------------------
    def layers(self) -> list[str]:
        return sorted(self._layers_info)

    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._manifest.get("meta", {}).items()}

    def fingerprint(self) -> str:
        return "geoparquet:" + ",".join(f"{n}={i['folder']}" for n, i in sorted(self._layers_info.items()))

    def layer_path(self, layer: str) -> Path:
        """The folder of ``layer``'s parts (what ``dask_geopandas.read_parquet`` reads)."""
        folder = self._folders.get(layer)
        if folder is None:
            if layer not in self._layers_info:
                raise DatasetError(self.path, f"no layer {layer!r}; layers: {', '.join(self.layers())}")
            folder = self._folders.setdefault(layer, self.path / self._layers_info[layer]["folder"])
        return folder

    def bounds(self, layer: str) -> Bounds | None:
        self.layer_path(layer)
        b = self._layers_info[layer].get("bounds")
        return None if b is None else (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def _check_columns(self, layer: str, columns: Sequence[str] | None) -> None:
        """Raise for an unknown layer, or a column the layer does not have (``fid`` and ``bbox``
        are the store's own)."""
        self.layer_path(layer)
        if columns is not None:
            names = self._layers_info[layer]["columns"]
            unknown = [c for c in columns if c not in names or c in (FID, "bbox")]
            if unknown:
                raise QueryError(f"{self.path.name}:{layer}: unknown column(s) {unknown}")

    def _table(self, layer: str, query: Query, columns: list[str] | None = None) -> Any:
        """The arrow table of the rows in the query's window and ``where`` (row groups pruned by
        their bbox statistics), in the layer's row order."""
        self._check_columns(layer, columns)
        if columns is not None:
            columns = [FID, *columns, "geometry"]
        table = self._filtered(layer, query, columns)
        fid = table.column(FID).to_numpy()
        order = np.argsort(fid, kind="stable")
        return table if np.array_equal(order, np.arange(len(fid))) else table.take(pa.array(order))

    def _filtered(self, layer: str, query: Query, columns: list[str] | None) -> Any:
        """The arrow table of ``columns`` (None: all) of the rows in the query's window and
        ``where``, in no particular order."""
        folder = self.layer_path(layer)
        label = f"{self.path.name}:{layer}"
        names = self._layers_info[layer]["columns"]
        expr = None
        for column, values in query.where:
            if column not in names or column in (FID, "geometry", "bbox"):
                raise QueryError(f"{label}: no column {column!r} to filter on")
            plain = [v for v in values if v is not None]
            terms = [pc.field(column).isin(plain)] if plain else []  # (isin of nothing has no type)
            if len(plain) < len(values):
                terms.append(pc.field(column).is_null())
            term = terms[0] if len(terms) == 1 else terms[0] | terms[1] if terms else pc.scalar(False)
            expr = term if expr is None else expr & term
        if query.window is not None and query.where:  # (a window alone is a numpy mask per row group)
            x0, y0, x1, y1 = query.window
            box = ((pc.field("bbox", "xmin") <= x1) & (pc.field("bbox", "xmax") >= x0)
                   & (pc.field("bbox", "ymin") <= y1) & (pc.field("bbox", "ymax") >= y0))
            expr = box if expr is None else expr & box
        try:
            if query.window is not None:  # only the row groups that meet the window
                return self._row_groups_table(layer, query.window, expr, columns, [c for c, _ in query.where])
            if expr is not None:
                return self._where_table(layer, expr, columns, query.where)
            return self._parts(layer, None).to_table(columns=columns)
        except Exception as exc:
            raise DatasetError(folder, f"cannot read: {exc}", element=layer) from exc

    def _where_table(self, layer: str, expr: Any, columns: list[str] | None,
                     where: Sequence[tuple[str, Sequence[Any]]]) -> Any:
        """The rows matching ``where`` (``expr``, without a window) of ``columns`` (None: all),
        in two passes per part: the ``where`` columns of the row groups whose statistics allow a
        match (:func:`may_hold`), then whole only the row groups that hold one. A part has no
        index on its values, and in Hilbert order the statistics exclude few row groups for a
        street name (more for a postcode, which is clustered on the ground): a dataset scan that
        filters after reading every column took 3.4 s for one address (street + huisnummer) at
        3,000 demo copies (9.6 million verblijfsobjecten); the two passes 0.46 s plus the row
        groups that match (1.3 s when each of its 3,000 copies holds one)."""
        keys = list(dict.fromkeys(c for c, _ in where))
        wanted = None if columns is None else list(dict.fromkeys([*columns, *keys]))
        schema = self._schema(layer)

        def kind(column: str) -> Any:
            return schema.field(column).type if column in schema.names else pa.null()
        tables = []
        for path in self._parts(layer, None).files:
            parquet = pq.ParquetFile(path)
            metadata = parquet.metadata
            names = set(parquet.schema_arrow.names)  # (a part written before a column was added lacks it)
            chunks = {metadata.schema.column(j).path: j for j in range(metadata.num_columns)}
            candidates = [i for i in range(metadata.num_row_groups) if may_hold(metadata.row_group(i), chunks, where)]
            if not candidates:
                continue
            values = parquet.read_row_groups(candidates, columns=[k for k in keys if k in names], use_threads=False)
            n = len(values)
            for k in keys:
                if k not in names:
                    values = values.append_column(k, pa.nulls(n, kind(k)))
            values = values.append_column("__row", pa.array(np.arange(n, dtype=np.int64)))
            rows = values.filter(expr).column("__row").to_numpy()
            if not len(rows):
                continue
            starts = np.cumsum([0] + [metadata.row_group(i).num_rows for i in candidates])
            groups = [candidates[j] for j in np.unique(np.searchsorted(starts, rows, side="right") - 1).tolist()]
            part = parquet.read_row_groups(groups, columns=None if wanted is None else [c for c in wanted if c in names],
                                           use_threads=False)
            for k in keys:
                if k not in names:
                    part = part.append_column(k, pa.nulls(len(part), kind(k)))
            tables.append(part.filter(expr))
        return self._joined(layer, tables, columns)

    def _joined(self, layer: str, tables: list[Any], columns: list[str] | None) -> Any:
        """``tables`` (parts of one layer's rows) as one table of ``columns`` (None: all)."""
        if not tables:
            schema = self._schema(layer)
            return schema.empty_table().select(columns) if columns is not None else schema.empty_table()
        table = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
        return table.select(columns) if columns is not None else table

    def warm(self, layer: str) -> None:
        """List the layer's parts and read its schema, decoding no row group: the one a count
        at a corner decodes would sit in the cache unread (up to 7 MB per layer; 165 MB of a
        service worker at 3,000 demo copies). Footers are read by the first window that meets
        their part."""
        try:
            self._parts(layer, None)
        except (OSError, pa.ArrowException) as exc:
            raise DatasetError(self.layer_path(layer), f"cannot read: {exc}", element=layer) from exc

    def _parts(self, layer: str, window: Bounds | None) -> Any:
        """The pyarrow dataset of the layer's parts whose bounds (in the manifest) meet
        ``window``: a window read opens only the files that can hold matches."""
        folder = self.layer_path(layer)
        dataset = self.cache.get(("pads", folder.name), lambda: pads.dataset(folder, format="parquet"))
        bounds = self._layers_info[layer].get("part_bounds")
        if window is None or not bounds:
            return dataset
        fragments = self.cache.get(("fragments", folder.name),
                                   lambda: {Path(f.path).name: f for f in dataset.get_fragments()})
        x0, y0, x1, y1 = window
        keep = [fragments[name] for name, b in sorted(bounds.items())
                if name in fragments and b is not None and b[0] <= x1 and b[2] >= x0 and b[1] <= y1 and b[3] >= y0]
        return pads.FileSystemDataset(keep, dataset.schema, dataset.format, filesystem=dataset.filesystem)

    def select_rows(self, layer: str, query: Query) -> tuple[list[dict[str, Any]], np.ndarray]:
        cols = None if query.columns is None else [c for c in query.columns if c != "geometry"]
        project = None
        if query.window is not None and not query.where:
            # the kept records themselves (read-only, as the in-memory index gives its own),
            # projected on ``columns`` only after the exact predicate: most window rows fail it
            self._check_columns(layer, cols)
            recs, geoms = self._window_rows(layer, query.window)
            project = cols
        else:
            table = self._table(layer, query, cols)
            geoms = shapely.from_wkb(np.array(table.column("geometry").to_pylist(), dtype=object))
            attrs = table.drop_columns([c for c in (FID, "bbox", "geometry") if c in table.column_names])
            recs = attrs.to_pylist()
        if query.shape is not None and len(geoms):
            keep = np.asarray(getattr(shapely, query.predicate)(geoms, query.shape), dtype=bool)
            geoms = geoms[keep]
            recs = [r for r, k in zip(recs, keep, strict=True) if k]
        end = None if query.limit is None else query.offset + query.limit
        recs, geoms = recs[query.offset:end], geoms[query.offset:end]
        if project is not None:
            recs = [{c: r.get(c) for c in project} for r in recs]
        return recs, geoms

    def select(self, layer: str, query: Query) -> gpd.GeoDataFrame:
        label = f"{self.path.name}:{layer}"
        df = self._table(layer, query).to_pandas()
        df = df.drop(columns=[FID, "bbox"]).reset_index(drop=True)
        geoms = gpd.GeoSeries.from_wkb(df.pop("geometry"), crs=RD_NEW)
        frame = conform_read(gpd.GeoDataFrame(df, geometry=geoms, crs=RD_NEW), layer, self.path.name)
        frame = refine(frame, query.shape, query.predicate).reset_index(drop=True)
        return select_columns(page(frame, query.limit, query.offset), query.columns, label)

    # --- row groups ---------------------------------------------------------------------------
    def _window_rows(self, layer: str, window: Bounds) -> tuple[list[dict[str, Any]], np.ndarray]:
        """The records (every column but fid, bbox and geometry; the kept dicts themselves, not
        to be changed) and geometries of the rows whose bbox meets ``window``, in the layer's row
        order, straight from the decoded row groups (:meth:`DecodedRowGroup.rows`): the
        report's many small questions make no arrow call once the rows around them are kept."""
        folder = self.layer_path(layer)
        decoded = self.cache.get(("geoparquet", "decoded"), DecodedRowGroups)
        recs: list[dict[str, Any]] = []
        geoms: list[np.ndarray] = []
        fids: list[np.ndarray] = []
        try:
            for path, indexes in self._row_groups(layer).meeting(window):
                for i in indexes:
                    group = decoded.get(path, i)
                    hit = group.meeting(window)
                    if len(hit):
                        r, g = group.rows(hit)
                        recs += r
                        geoms.append(g)
                        fids.append(group.fids[hit])
        except (OSError, pa.ArrowException, shapely.errors.ShapelyError) as exc:
            raise DatasetError(folder, f"cannot read: {exc}", element=layer) from exc
        if not geoms:
            return [], np.empty(0, dtype=object)
        geom = np.concatenate(geoms) if len(geoms) > 1 else geoms[0]
        fid = np.concatenate(fids) if len(fids) > 1 else fids[0]
        if len(fid) > 1 and np.any(fid[1:] < fid[:-1]):  # in the layer's row order
            order = np.argsort(fid, kind="stable")
            return [recs[int(j)] for j in order], geom[order]
        return recs, geom

    def _row_groups(self, layer: str) -> RowGroups:
        """The layer's parts and their row groups' bbox ranges (:class:`RowGroups`: footers read
        lazily, per part a window meets), kept in the store's cache per layer folder."""
        folder = self.layer_path(layer)
        decoded = self.cache.get(("geoparquet", "decoded"), DecodedRowGroups)
        return self.cache.get(("geoparquet", "row_groups", folder.name),
                              lambda: RowGroups(folder, self._layers_info[layer].get("part_bounds"), decoded.footer))

    def _schema(self, layer: str) -> Any:
        """The layer's arrow schema, from one part's footer (not a listing of the folder)."""
        folder = self.layer_path(layer)
        names = sorted(self._layers_info[layer].get("part_bounds") or {})

        def read() -> Any:
            return pq.read_schema(folder / names[0]) if names else self._parts(layer, None).schema
        return self.cache.get(("geoparquet", "schema", folder.name), read)

    def _row_groups_table(self, layer: str, window: Bounds, expr: Any, columns: list[str] | None,
                          where_columns: list[str]) -> Any:
        """The rows in ``window`` (and ``expr``: the window's and ``where``'s filter, on
        ``where_columns``) of ``columns``: only the row groups whose bbox statistics meet the
        window are read (``ParquetFile.read_row_groups`` with the kept footer: no file listing
        nor footer parsing per query)."""
        groups = self._row_groups(layer)
        wanted = None if columns is None else list(dict.fromkeys([*columns, "bbox", *where_columns]))
        decoded = self.cache.get(("geoparquet", "decoded"), DecodedRowGroups)
        tables = []
        for path, indexes in groups.meeting(window):
            for i in indexes:
                group = decoded.get(path, i)
                table = group.table if wanted is None else group.table.select(wanted)
                if where_columns:  # filtered below, with the window, by the query's expression
                    tables.append(table)
                    continue
                hit = group.meeting(window)  # the window alone: a numpy mask on the bbox column
                if len(hit):
                    tables.append(table.take(pa.array(hit)))
        if where_columns and tables:
            tables = [(pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]).filter(expr)]
        return self._joined(layer, tables, columns)

    # --- protocol: writing -------------------------------------------------------------------
    def write(self, layer: str, gdf: gpd.GeoDataFrame, mode: WriteMode = "replace") -> None:
        if mode not in ("replace", "append"):
            raise ValueError(f"mode must be replace or append, not {mode!r}")
        frame = conform(gdf, layer, what=layer)
        if mode == "append" and layer in self._layers_info:
            frame = gpd.GeoDataFrame(pd.concat([self.features(layer), frame], ignore_index=True),
                                     geometry="geometry", crs=RD_NEW)
        self.write_many({layer: frame})

    def write_meta(self, meta: Mapping[str, str]) -> None:
        self.write_many({}, meta)

    def commit_layer(self, name: str, entry: Mapping[str, Any]) -> None:
        """Make the already written folder ``entry["folder"]`` the layer ``name`` (one atomic
        manifest replace; the previous folder of that layer is removed after it). For writers
        that produce the parts themselves, such as the Dask batch job."""
        if not (self.path / entry["folder"]).is_dir():
            raise DatasetError(self.path / entry["folder"], "layer folder not found")
        old = self._layers_info.get(name)
        self._write_manifest({"meta": self._manifest.get("meta", {}),
                              "layers": {**self._layers_info, name: dict(entry)}})
        if old is not None and old["folder"] != entry["folder"]:
            shutil.rmtree(self.path / old["folder"], ignore_errors=True)
        self.cache.clear()
        self._scan()

    def write_many(self, layers: Mapping[str, gpd.GeoDataFrame], meta: Mapping[str, str] | None = None,
                   *, replace_all: bool = False, rows_per_part: int = ROWS_PER_PART,
                   row_group_size: int = ROW_GROUP_SIZE) -> None:
        """Write ``layers`` as new folders, then switch the manifest to them in one atomic replace."""
        frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
        new_info: dict[str, dict[str, Any]] = {}
        try:
            for name in sorted(frames):
                new_info[name] = write_layer_parts(frames[name], self.path, name,
                                                   rows_per_part=rows_per_part, row_group_size=row_group_size)
        except BaseException:
            for info in new_info.values():
                shutil.rmtree(self.path / info["folder"], ignore_errors=True)
            raise
        self._commit(new_info, meta, replace_all=replace_all)

    def _commit(self, new_info: Mapping[str, dict[str, Any]], meta: Mapping[str, str] | None, *,
                replace_all: bool = False) -> None:
        """Switch the manifest to the layer folders ``new_info`` (the commit point: one atomic
        replace), then remove the folders no layer uses any more."""
        old = dict(self._layers_info)
        info = {} if replace_all else dict(old)
        info.update(new_info)
        manifest = {"meta": dict(meta) if meta is not None else self._manifest.get("meta", {}),
                    "layers": info}
        self._write_manifest(manifest)
        for name, entry in old.items():
            if info.get(name, {}).get("folder") != entry["folder"]:
                shutil.rmtree(self.path / entry["folder"], ignore_errors=True)
        self.cache.clear()
        self._scan()

    # --- distinct ------------------------------------------------------------------------------
    def distinct(self, layer: str, columns: Sequence[str], *, where: Where | None = None) -> list[tuple[Any, ...]]:
        """Distinct values by an arrow group-by over only ``columns`` (and the ``where``
        columns): row groups whose statistics exclude the ``where`` values are skipped."""
        cols = list(check_columns(columns))
        self._check_columns(layer, cols)
        query = Query.build(where=where)
        if query.where:
            return distinct_tuples(_distinct_rows(self._filtered(layer, query, cols), cols))
        # the whole layer: streamed part by part, a group-by per batch, so memory holds one batch
        # and the distinct values. The address search's vocabulary of 9.6 million
        # verblijfsobjecten at 3,000 demo copies took a service worker to 1.2 GB as one table, and
        # to a 924 MB peak through the dataset scanner (its read-ahead: arrow pool 365 MB, kept
        # by the allocator afterwards); ParquetFile.iter_batches peaks at an 11 MB pool.
        seen: set[tuple[Any, ...]] = set()
        try:
            for part in self._parts(layer, None).files:
                with pq.ParquetFile(part) as parquet:
                    for batch in parquet.iter_batches(batch_size=262_144, columns=cols, use_threads=False):
                        if len(batch):
                            seen.update(_distinct_rows(pa.Table.from_batches([batch]), cols))
        except (OSError, pa.ArrowException) as exc:
            raise DatasetError(self.layer_path(layer), f"cannot read: {exc}", element=layer) from exc
        return distinct_tuples(seen)
    # upsert_many
    def upsert_many(self, layers: Mapping[str, gpd.GeoDataFrame], meta: Mapping[str, str] | None = None,
                    *, key: str = "identificatie", rows_per_part: int = ROWS_PER_PART,
                    row_group_size: int = ROW_GROUP_SIZE) -> dict[str, int]:
        """Merge ``layers`` into the dataset as
        :meth:`GeoPackageStore.upsert_many <omgevingskaart.store.geopackage.GeoPackageStore.upsert_many>`
        does: per layer, the stored rows whose ``key`` the new rows deliver again are dropped and
        the new rows come after the rest (their fids continue after the layer's last, so the
        row order is the kept rows, then the new ones).

        Each touched layer gets a new folder: a stored part without a delivered key is
        hard-linked into it unchanged (copied where links are not possible), a part with one is
        rewritten without those rows, streamed row group by row group, and the new rows become
        new Hilbert-sorted parts. Memory holds one row group and the new rows, never the old
        layer; layers not named are not read nor written. The manifest switch is the commit
        point, and the old folders are removed only after it: a failed or killed upsert leaves
        the dataset as it was (at most an unreferenced folder). The caller holds the dataset's
        write lock (:func:`omgevingskaart._lock.dataset_lock`, as ``omgevingskaart import``
        does). Returns the rows per layer afterwards."""
        frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
        new_info: dict[str, dict[str, Any]] = {}
        try:
            for name in sorted(frames):
                new_info[name] = self._upsert_layer(name, frames[name], key, rows_per_part, row_group_size)
        except BaseException:
            for entry in new_info.values():
                shutil.rmtree(self.path / entry["folder"], ignore_errors=True)
            raise
        self._commit(new_info, meta)
        return {name: int(entry["rows"]) for name, entry in new_info.items()}

    def _upsert_layer(self, name: str, new: gpd.GeoDataFrame, key: str, rows_per_part: int,
                      row_group_size: int) -> dict[str, Any]:
        """The manifest entry of ``name`` with ``new`` merged in, written into a fresh folder."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        old = self._layers_info.get(name)
        if old is None:
            return write_layer_parts(new, self.path, name, rows_per_part=rows_per_part,
                                     row_group_size=row_group_size)
        old_dir = self.path / old["folder"]
        parts = sorted(old_dir.glob("*.parquet"))
        ids = pa.array(sorted(set(new[key].dropna().astype(str))) if key in new.columns else [], pa.string())
        # pass 1: per stored part, whether it holds a delivered key, and the layer's last fid
        last_fid, touched = -1, {}
        try:
            for part in parts:
                names = pq.read_schema(part).names
                table = pq.read_table(part, columns=[c for c in (FID, key) if c in names])
                if len(table) and FID in names:
                    last_fid = max(last_fid, int(pc.max(table[FID]).as_py()))
                touched[part.name] = bool(len(ids) and key in names and pc.any(
                    pc.is_in(table[key].cast(pa.string()), value_set=ids)).as_py())
        except (OSError, pa.ArrowException) as exc:
            raise DatasetError(old_dir, f"cannot read: {exc}", element=name) from exc
        numbers = [int(p.stem.split("-")[-1]) for p in parts if p.stem.split("-")[-1].isdigit()]
        entry = write_layer_parts(new, self.path, name, rows_per_part=rows_per_part,
                                  row_group_size=row_group_size, first_fid=last_fid + 1,
                                  first_part=max(numbers, default=-1) + 1,
                                  folder=f"{name}-{secrets.token_hex(4)}")
        target = self.path / entry["folder"]
        schema = pq.read_schema(target / sorted(entry["part_bounds"])[0])
        # pass 2: carry the stored parts over (linked when untouched, else filtered)
        rows = int(entry["rows"])
        old_bounds = old.get("part_bounds") or {}
        for part in parts:
            same_schema = pq.read_schema(part).remove_metadata().equals(schema.remove_metadata())
            if not touched[part.name] and same_schema and part.name in old_bounds:
                _link(part, target / part.name)
                kept, bounds = pq.ParquetFile(part).metadata.num_rows, old_bounds[part.name]
            else:
                kept, bounds = _filter_part(part, target / part.name, schema, key, ids, row_group_size, name)
            if kept:
                rows += kept
                entry["part_bounds"][part.name] = bounds
        entry["rows"] = rows
        entry["parts"] = len(entry["part_bounds"])
        boxes = [tuple(b) for b in entry["part_bounds"].values() if b is not None]
        union = union_bounds(boxes)  # type: ignore[arg-type]
        entry["bounds"] = None if union is None else list(union)
        return entry
    # --- tile ---------------------------------------------------------------------------------
    def tile(self, layer: str, z: int, x: int, y: int, *, columns: Sequence[str] = ("identificatie",),
             extent: int = 4096, buffer: int = 64) -> bytes:
        """The Mapbox Vector Tile ``z/x/y`` (Web Mercator tiling) of ``layer``, rendered by DuckDB
        spatial's ``ST_AsMVT`` from the parts that meet the tile (as
        :meth:`PostGISStore.tile <omgevingskaart.store.postgis.PostGISStore.tile>`; needs the
        ``duckdb`` extra). Empty bytes when nothing falls in the tile."""
        from . import duckdb_spatial

        duckdb_spatial.check_tile(z, x, y)
        names = self._layers_info[layer]["columns"] if layer in self._layers_info else []
        cols = [c for c in columns if c in names and c not in (FID, "bbox", "geometry")]
        window = duckdb_spatial.tile_window_rd(z, x, y, buffer / extent)
        files = [Path(f.path) for f in self._parts(layer, window).get_fragments()]
        try:
            return duckdb_spatial.tile(files, layer, z, x, y, columns=cols, extent=extent, buffer=buffer,
                                       window=window)
        except QueryError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("duckdb"):
                raise DatasetError(self.layer_path(layer), f"cannot render tile {z}/{x}/{y}: {exc}",
                                   element=layer) from exc
            raise


    # --- duckdb_table ---------------------------------------------------------------------------
    def duckdb_table(self, layer: str, query: Query, columns: list[str] | None = None) -> Any:
        """:meth:`_table` read by DuckDB (the ``duckdb`` extra) instead of pyarrow: the same rows,
        order and arrow types (cast to the parts' schema). ``where`` is not handled here."""
        from . import duckdb_spatial

        if query.where:
            raise QueryError("duckdb_table reads windows only; use the pyarrow path for where")
        dataset = self._parts(layer, query.window)
        files = [Path(f.path) for f in dataset.get_fragments()]
        names = None if columns is None else [FID, *columns, "geometry"]
        schema = dataset.schema if names is None else pa.schema([dataset.schema.field(n) for n in names])
        if not files:
            return schema.empty_table()
        try:
            table = duckdb_spatial.read_window(files, names, query.window)
        except Exception as exc:
            raise DatasetError(self.layer_path(layer), f"cannot read: {exc}", element=layer) from exc
        return table.cast(schema)


class RowGroups:
    """A layer's row groups, read lazily: per part (a parquet file of the layer's folder) its
    footer and, per row group, the bbox range ``(xmin, ymin, xmax, ymax)`` from the statistics
    of the bbox covering column (infinite where the statistics are missing: such a row group is
    always read).

    A part's footer is read (with ``footer``, :meth:`DecodedRowGroups.footer`) the first time a
    window meets the part's bounds in the manifest (``part_bounds``), and its row groups' bbox
    ranges are kept: a report at one point reads the footers of the few parts around it, not of
    all of them. (Reading every footer at the first query cost 0.9 s and 300 MB at 300 demo
    copies, about 300 parts per layer: ``benchmarks/bench_scale.py``.) The parsed footer itself
    is not kept here: 2.5 MB in memory for a part of 250,000 rows, it would grow a service
    worker by every part ever asked about. Without ``part_bounds`` (a layer written before they
    were kept) every part counts as meeting every window."""

    def __init__(self, folder: Path, part_bounds: Mapping[str, Sequence[float] | None] | None,
                 footer: Callable[[str], Any]):
        self.folder = folder
        self.footer = footer
        if part_bounds:
            named = sorted((name, b) for name, b in part_bounds.items() if b is not None)
            self.names = [name for name, _b in named]
            self.bounds = np.ascontiguousarray(np.asarray([list(b) for _n, b in named], dtype=float).reshape(-1, 4).T)
        else:
            self.names = sorted(p.name for p in folder.glob("*.parquet"))
            self.bounds = np.repeat(np.array([[-np.inf], [-np.inf], [np.inf], [np.inf]]), len(self.names), axis=1)
        self.paths = [str(folder / name) for name in self.names]
        self._boxes: dict[int, np.ndarray] = {}

    def boxes(self, p: int) -> np.ndarray:
        """Part ``p``'s row groups' bbox ranges, ``(4, row groups)`` (read once)."""
        got = self._boxes.get(p)
        if got is None:
            metadata = self.footer(self.paths[p])
            names = {metadata.schema.column(j).path: j for j in range(metadata.num_columns)}
            cols = [names.get(f"bbox.{k}") for k in ("xmin", "ymin", "xmax", "ymax")]
            boxes = np.empty((4, metadata.num_row_groups), dtype=float)  # (for boxes_meeting)
            for i in range(metadata.num_row_groups):
                rg = metadata.row_group(i)
                for k, j in enumerate(cols):
                    stats = rg.column(j).statistics if j is not None else None
                    if stats is None or not stats.has_min_max:
                        boxes[k, i] = -np.inf if k < 2 else np.inf
                    else:  # the smallest xmin/ymin and the largest xmax/ymax of the group's rows
                        boxes[k, i] = float(stats.min if k < 2 else stats.max)
            got = self._boxes.setdefault(p, boxes)  # (two threads: the first wins)
        return got

    def meeting(self, window: Bounds) -> list[tuple[str, list[int]]]:
        """Per part that has any, ``(path, row group indexes)`` of the row groups whose bbox
        range meets ``window``."""
        out: list[tuple[str, list[int]]] = []
        for p in boxes_meeting(self.bounds, window).tolist():
            hit = boxes_meeting(self.boxes(p), window)
            if len(hit):
                out.append((self.paths[p], hit.tolist()))
        return out


class DecodedRowGroups:
    """The row groups read last, decoded, up to a budget of bytes
    (``OMGEVINGSKAART_PARQUET_CACHE_MB``, default 160; 0 turns it off), least recently used
    first out. Reports at nearby points read the same few row groups per layer: decoding them
    (decompressing every column of a row group) was 70 % of a GeoParquet report's time, and
    converting the rows found from arrow to Python most of the rest
    (``benchmarks/bench_scale.py``). A kept row group also keeps the rows it converted, block by
    block (:meth:`DecodedRowGroup.rows`); they count against the budget as they are made. The
    parsed footers of the parts read from are kept in the same budget (:class:`KeptFooter`).
    Keyed by the part's path: a write makes new folders, so a cached row group never outlives
    its file's content. Thread-safe."""

    def __init__(self, budget_mb: float | None = None) -> None:
        if budget_mb is None:
            # 160: the row groups (of 2,048 rows) and footers around one town's reports on 3,000
            # demo copies written like an import take 124 MB (too small a budget reads them again
            # at every report: p50 18 against 1.6 ms with 8,192-row groups). A process holds about
            # 1.8 times the budget when it is full (allocator overhead; reports spread over 20
            # towns at 3,000 copies: RSS 499 MB with 160, 641 MB with 256)
            raw = os.environ.get("OMGEVINGSKAART_PARQUET_CACHE_MB", "160")
            try:
                budget_mb = float(raw)
            except ValueError:
                raise DatasetError(None, f"OMGEVINGSKAART_PARQUET_CACHE_MB must be a number of MB, got {raw!r}") from None
        self.budget = max(0.0, budget_mb) * 1024 * 1024
        self.used = 0
        self._tables: OrderedDict[tuple[str, int], DecodedRowGroup | KeptFooter] = OrderedDict()
        self._lock = threading.Lock()

    def _kept(self, key: tuple[str, int]) -> DecodedRowGroup | KeptFooter | None:
        with self._lock:
            got = self._tables.get(key)
            if got is not None:
                self._tables.move_to_end(key)
            return got

    def _keep(self, key: tuple[str, int], entry: DecodedRowGroup | KeptFooter) -> None:
        if entry.nbytes > self.budget:
            return
        with self._lock:
            if key not in self._tables:
                self._tables[key] = entry
                entry.owner = (self, key)
                self.used += entry.nbytes
                self._evict()

    def footer(self, path: str) -> Any:
        """The parsed footer (``FileMetaData``) of part ``path``: kept while it is read from."""
        got = self._kept((path, -1))
        if isinstance(got, KeptFooter):
            return got.metadata
        entry = KeptFooter(pq.read_metadata(path))
        self._keep((path, -1), entry)
        return entry.metadata

    def get(self, path: str, index: int) -> DecodedRowGroup:
        """Row group ``index`` of part ``path``, decoded (kept, or read now)."""
        got = self._kept((path, index))
        if isinstance(got, DecodedRowGroup):
            return got
        table = DecodedRowGroup(pq.ParquetFile(path, metadata=self.footer(path)).read_row_groups(
            [index], use_threads=False))
        self._keep((path, index), table)
        return table

    def grew(self, key: tuple[str, int], nbytes: int) -> None:
        """Row group ``key`` keeps ``nbytes`` more (decoded values): count them, evict the
        oldest while over budget."""
        with self._lock:
            if key in self._tables:
                self.used += nbytes
                self._evict()

    def _evict(self) -> None:
        while self.used > self.budget and self._tables:
            _k, old = self._tables.popitem(last=False)
            old.owner = None
            self.used -= old.nbytes


class KeptFooter:
    """A part's parsed footer as :class:`DecodedRowGroups` keeps it, with its estimated size:
    1,200 bytes per column chunk (measured: 2.5 MB in memory for 121 row groups of 17 columns,
    296 KB in the file)."""

    __slots__ = ("metadata", "nbytes", "owner")

    def __init__(self, metadata: Any) -> None:
        self.metadata = metadata
        self.nbytes = 1200 * metadata.num_row_groups * metadata.num_columns + metadata.serialized_size
        self.owner: tuple[DecodedRowGroups, tuple[str, int]] | None = None


class DecodedRowGroup:
    """One row group read whole (``table``), its rows' bbox as a numpy ``(4, n)`` array (NaN
    for a row without geometry), so a window is a numpy mask, not an arrow expression, and its
    rows' fids. While it is kept (``owner`` set by :class:`DecodedRowGroups`) each row that a
    read finds is converted once (its record and its geometry), with the rest of its block of
    :data:`ROW_BLOCK` rows, and kept: only the blocks around the places asked about, not all
    its rows (keeping every value and geometry of the row groups a report meets was 6.7 MB per
    row group of 8,192 rows, more than the default budget holds on a dataset written in parts of 250,000 rows:
    every report decoded them again, p50 100 ms; converting only the rows found left every
    report at a new point converting its own, p50 1.9 ms)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        n = len(table)
        if "bbox" in table.column_names:
            bbox = table.column("bbox")
            self.boxes = np.stack([pc.struct_field(bbox, k).to_numpy(zero_copy_only=False).astype(float)
                                   for k in ("xmin", "ymin", "xmax", "ymax")]).reshape(4, -1)
        else:  # no covering column: every row is a candidate (the exact test follows)
            self.boxes = np.repeat(np.array([[-np.inf], [-np.inf], [np.inf], [np.inf]]), n, axis=1)
        self.fids = (table.column(FID).to_numpy(zero_copy_only=False).astype(np.int64) if FID in table.column_names
                     else np.arange(n, dtype=np.int64))
        self.nbytes = int(table.nbytes + self.boxes.nbytes + self.fids.nbytes)
        self.owner: tuple[DecodedRowGroups, tuple[str, int]] | None = None
        self._names = [c for c in table.column_names if c not in (FID, "bbox", "geometry")]
        self._rows: dict[int, tuple[dict[str, Any], Any]] = {}

    def __len__(self) -> int:
        return len(self.table)

    def meeting(self, window: Bounds) -> np.ndarray:
        """The indexes (ascending) of the rows whose bbox meets ``window``."""
        return boxes_meeting(self.boxes, window)

    def rows(self, hit: np.ndarray) -> tuple[list[dict[str, Any]], np.ndarray]:
        """The records (all columns but fid, bbox and geometry) and geometries of rows ``hit``.
        The rows not converted yet are taken and converted with one arrow call; kept, they are
        remembered, so a read of rows seen before makes no arrow call. The records are the kept
        dicts themselves (copying every record a window meets, most of which the exact
        predicate then drops, was a third of a warm read): read them, do not change them."""
        index = hit.tolist()
        kept = self._rows
        new = [j for j in index if j not in kept]
        if new and self.owner is not None:  # with the rest of their blocks: rows stored together lie together
            blocks = sorted({j // ROW_BLOCK for j in new})
            new = [j for b in blocks for j in range(b * ROW_BLOCK, min(len(self.table), (b + 1) * ROW_BLOCK))
                   if j not in kept]
        if new:
            part = self.table.take(pa.array(new, type=pa.int64()))
            wkb = part.column("geometry").to_pylist()
            geoms = shapely.from_wkb(np.array(wkb, dtype=object))
            records = part.select(self._names).to_pylist()
            got = dict(zip(new, zip(records, geoms, strict=True), strict=True))
            if self.owner is None:
                kept = got
            else:
                kept.update(got)
                # a record (a Python object per value), a GEOS geometry (about 1.5 times its WKB)
                self._grew(sum(int(1.5 * len(w or b"")) + 300 + 60 * len(self._names) for w in wkb))
        found = [kept[j] for j in index]
        geoms_out = np.empty(len(found), dtype=object)
        geoms_out[:] = [g for _r, g in found]
        return [r for r, _g in found], geoms_out

    def _grew(self, nbytes: int) -> None:
        self.nbytes += nbytes
        owner = self.owner
        if owner is not None:
            owner[0].grew(owner[1], nbytes)


def _distinct_rows(table: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    """The distinct value combinations of ``columns`` in an arrow table (a group-by)."""
    grouped = table.group_by(columns).aggregate([])
    return list(zip(*(grouped.column(c).to_pylist() for c in columns), strict=True))


def may_hold(row_group: Any, chunks: Mapping[str, int], where: Sequence[tuple[str, Sequence[Any]]]) -> bool:
    """Whether a row group's statistics (``row_group``: its ``RowGroupMetaData``; ``chunks``:
    column name -> column chunk index) allow a row that matches every ``where`` term: a value
    between the column's min and max, or None and nulls in the column. A column the part lacks
    holds only nulls; a column without statistics, or with values they do not compare with,
    may hold anything.

    >>> import io, pyarrow as pa, pyarrow.parquet as pq
    >>> buf = io.BytesIO(); pq.write_table(pa.table({"pc": ["7101AA", "7109ZZ"]}), buf)
    >>> rg = pq.ParquetFile(buf).metadata.row_group(0)
    >>> [may_hold(rg, {"pc": 0}, [("pc", v)]) for v in (["7101AK"], ["1011AB"], [None], [3])]
    [True, False, False, True]
    """
    for column, values in where:
        j = chunks.get(column)
        if j is None:
            if None in values:
                continue
            return False
        stats = row_group.column(j).statistics
        if stats is None:
            continue
        ok = None in values and not (stats.has_null_count and stats.null_count == 0)
        plain = [v for v in values if v is not None]
        if not ok and plain and not stats.has_min_max:
            ok = True
        for v in plain if not ok and stats.has_min_max else []:
            try:
                if stats.min <= v <= stats.max:
                    ok = True
                    break
            except TypeError:  # (a value of another type: the filter decides)
                ok = True
                break
        if not ok:
            return False
    return True


def boxes_meeting(boxes: np.ndarray, window: Bounds) -> np.ndarray:
    """The indexes of the boxes that meet ``window``: ``boxes`` is ``(4, n)``, one contiguous
    row per side (xmin, ymin, xmax, ymax), and the mask is built in place (5.5 µs for 2,048
    boxes, against 10.6 µs for the columns of an ``(n, 4)`` array). A NaN box, a row without
    geometry, meets nothing; an infinite one everything.

    >>> boxes_meeting(np.array([[0.0, 5.0, np.nan], [0.0, 5.0, 0.0], [1.0, 6.0, 1.0], [1.0, 6.0, 1.0]]),
    ...               (0.5, 0.5, 2.0, 2.0)).tolist()
    [0]
    """
    x0, y0, x1, y1 = window
    mask = boxes[0] <= x1  # (a comparison with NaN is False, without a warning)
    mask &= boxes[2] >= x0
    mask &= boxes[1] <= y1
    mask &= boxes[3] >= y0
    return np.flatnonzero(mask)


_LAYER_FOLDER = re.compile(r"^[a-z0-9_]+-[0-9a-f]{8}$")


def remove_orphan_folders(path: str | Path, *, older_than: float) -> list[Path]:
    """Remove the layer folders of the GeoParquet dataset ``path`` that its manifest does not name
    and that last changed before ``older_than`` (a ``time.time()`` value); returns them.

    A writer killed before its manifest switch leaves its new layer folder behind. Call this under
    the dataset's write lock with the time the lock was acquired: no other writer runs then, so an
    unnamed folder older than that belongs to a writer that is gone. Without a readable manifest
    nothing is removed.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "x.parquet"
    >>> (d / "pand-0000beef").mkdir(parents=True); (d / "pand-1234abcd").mkdir()
    >>> _ = (d / MANIFEST).write_text('{"meta": {}, "layers": {"pand": {"folder": "pand-1234abcd"}}}')
    >>> [p.name for p in remove_orphan_folders(d, older_than=float("inf"))], sorted(p.name for p in d.iterdir())
    (['pand-0000beef'], ['_omgevingskaart.json', 'pand-1234abcd'])
    """
    path = Path(path)
    try:
        used = {entry["folder"] for entry in json.loads((path / MANIFEST).read_text())["layers"].values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    removed = []
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if (entry.is_dir(follow_symlinks=False) and _LAYER_FOLDER.match(entry.name) and entry.name not in used
                and entry.stat(follow_symlinks=False).st_mtime < older_than):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def hilbert_order(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The row order that sorts ``frame`` along a Hilbert curve over its extent (level 16);
    rows without geometry go last."""
    geoms = frame.geometry
    ok = (geoms.notna() & ~geoms.is_empty).to_numpy()
    dist = np.full(len(frame), np.iinfo(np.int64).max, dtype=np.int64)
    if ok.any():
        sub = geoms[ok]
        dist[ok] = sub.hilbert_distance(total_bounds=sub.total_bounds, level=16).to_numpy()
    return np.argsort(dist, kind="stable")


def write_layer_parts(frame: gpd.GeoDataFrame, root: Path, name: str, *, rows_per_part: int = ROWS_PER_PART,
                      row_group_size: int = ROW_GROUP_SIZE, folder: str | None = None, first_fid: int = 0,
                      first_part: int = 0) -> dict[str, Any]:
    """Write one layer (Hilbert-sorted parts) into a fresh folder under ``root``, or add parts to
    ``folder`` (rows numbered from ``first_fid``, parts from ``first_part``: a layer written in
    pieces, each its own spatially compact set of parts); returns its manifest entry (for
    :meth:`GeoParquetStore.commit_layer`, which makes it visible)."""
    folder = folder or f"{name}-{secrets.token_hex(4)}"
    target = root / folder
    target.mkdir(parents=True, exist_ok=first_part > 0)
    out = frame.copy()
    out.insert(0, FID, np.arange(first_fid, first_fid + len(out), dtype=np.int64))
    out = out.iloc[hilbert_order(out)].reset_index(drop=True)
    parts = max(1, -(-len(out) // rows_per_part))
    part_bounds: dict[str, list[float] | None] = {}
    for i in range(parts):
        chunk = out.iloc[i * rows_per_part:(i + 1) * rows_per_part]
        name_i = f"part-{first_part + i:05d}.parquet"
        chunk.to_parquet(target / name_i, index=False, write_covering_bbox=True,
                         schema_version="1.1.0", row_group_size=row_group_size)
        part_bounds[name_i] = _bounds(chunk)
    return {"folder": folder, "rows": len(frame), "parts": parts, "bounds": _bounds(frame),
            "part_bounds": part_bounds,
            "columns": [c for c in out.columns if c != out.geometry.name] + ["geometry"]}


def _link(src: Path, dst: Path) -> None:
    """``dst`` the same file as ``src`` (a hard link; a copy where links are not possible)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _filter_part(src: Path, dst: Path, schema: Any, key: str, ids: Any, row_group_size: int,
                 layer: str) -> tuple[int, list[float] | None]:
    """Copy the stored part ``src`` to ``dst`` without the rows whose ``key`` is in ``ids``, cast
    to ``schema`` (a column the part lacks becomes nulls), streamed row group by row group.
    Returns the rows kept and their bounds (no file when none is kept)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pq.ParquetFile(src)
    out_schema = schema.with_metadata(source.schema_arrow.metadata)
    writer = None
    pending: list[Any] = []
    kept, box = 0, [np.inf, np.inf, -np.inf, -np.inf]

    def flush() -> None:
        nonlocal writer
        if not pending:
            return
        table = pa.Table.from_batches(pending, schema=out_schema)
        pending.clear()
        if writer is None:
            writer = pq.ParquetWriter(dst, out_schema)
        writer.write_table(table, row_group_size=row_group_size)
        if "bbox" in table.column_names:
            xmin, ymin, xmax, ymax = table.column("bbox").flatten()[:4]
            for i, (arr, pick) in enumerate(((xmin, "min"), (ymin, "min"), (xmax, "max"), (ymax, "max"))):
                value = pc.min_max(arr)[pick].as_py()
                if value is not None:
                    box[i] = min(box[i], value) if pick == "min" else max(box[i], value)

    try:
        for batch in source.iter_batches(batch_size=row_group_size):
            if len(ids) and key in batch.schema.names:
                batch = batch.filter(pc.invert(pc.is_in(batch.column(key).cast(pa.string()), value_set=ids)))
            if not len(batch):
                continue
            columns = [batch.column(f.name).cast(f.type) if f.name in batch.schema.names
                       else pa.nulls(len(batch), f.type) for f in out_schema]
            pending.append(pa.RecordBatch.from_arrays(columns, schema=out_schema))
            kept += len(batch)
            if sum(len(b) for b in pending) >= row_group_size:
                flush()
        flush()
    except (OSError, pa.ArrowException) as exc:
        raise DatasetError(src, f"cannot carry over to the new layer folder: {exc}", element=layer) from exc
    finally:
        if writer is not None:
            writer.close()
    bounds = [float(v) for v in box] if np.all(np.isfinite(box)) else None
    return kept, bounds


def _bounds(frame: gpd.GeoDataFrame) -> list[float] | None:
    b = frame.total_bounds if len(frame) and frame.geometry.notna().any() else None
    return None if b is None or not np.all(np.isfinite(b)) else [float(v) for v in b]


__all__ = ["MANIFEST", "GeoParquetStore", "hilbert_order", "write_layer_parts"]
