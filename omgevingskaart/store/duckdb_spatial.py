"""DuckDB with its spatial extension, loaded offline from the installed wheel.

DuckDB normally downloads extensions at run time from its own host (``INSTALL spatial``), which
the project's machines cannot reach and which would make a run depend on a third-party server.
The extension is published on PyPI as ``duckdb-ext-spatial`` (pinned to the matching ``duckdb``
release); :func:`connect` loads it from that wheel's file with ``LOAD '<path>'`` and turns
DuckDB's automatic install/load of extensions off, so nothing is ever fetched.

Both come with the ``duckdb`` extra (``pip install 'omgevingskaart[duckdb]'``); without them
:func:`connect` raises :class:`~omgevingskaart.errors.MissingExtraError` naming the extra.

Used by :class:`~omgevingskaart.store.geoparquet.GeoParquetStore` for vector tiles
(:func:`tile`, ``ST_AsMVT``). Reprojection RD New -> Web Mercator is DuckDB spatial's
``ST_Transform`` from :data:`RD_PROJ` (RD New with the 7-parameter datum shift to WGS 84 of
PostGIS' ``spatial_ref_sys``) to ``EPSG:3857``: within 0.3 mm of PROJ's own EPSG:28992 ->
EPSG:3857 operation (what PostGIS and pyproj use) across the Netherlands, and about a metre from
RDNAPTRANS2018 (below a tile's pixel size up to zoom 17). Naming the source ``EPSG:28992``
instead gives the same coordinates but makes DuckDB look the operation up in its PROJ database
per row (the 131 panden of a z17 tile reprojected in 190 ms instead of 4 ms).

>>> con = connect()
>>> con.execute("SELECT ST_AsText(ST_Point(1, 2))").fetchone()[0]
'POINT (1 2)'
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._extras import require
from ..errors import DatasetError, MissingExtraError, QueryError

EXTRA = "duckdb"
#: RD New (EPSG:28992) as a PROJ string with its datum shift to WGS 84 (PostGIS' proj4text)
RD_PROJ = ("+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 "
           "+y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 "
           "+units=m +no_defs")
_LOCAL = threading.local()
_DATABASE: Any = None
_DATABASE_LOCK = threading.Lock()


def extension_path() -> Path:
    """The ``spatial.duckdb_extension`` file of the installed ``duckdb-ext-spatial`` wheel,
    for the running DuckDB version and platform (MissingExtraError when not installed)."""
    duckdb = require("duckdb", EXTRA)
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("duckdb-ext-spatial", EXTRA)
    version = "v" + str(duckdb.__version__)
    for root in spec.submodule_search_locations:
        folder = Path(root) / "extensions" / version
        found = sorted(folder.glob("*/spatial.duckdb_extension"))
        if found:
            return found[0]
    raise MissingExtraError(f"duckdb-ext-spatial for duckdb {duckdb.__version__}", EXTRA)


def connect() -> Any:
    """A new in-memory DuckDB connection with the spatial extension loaded from its wheel
    (extensions are never downloaded: autoinstall/autoload off)."""
    duckdb = require("duckdb", EXTRA)
    path = extension_path()
    con = duckdb.connect(config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    try:
        con.execute(f"LOAD '{_quote(str(path))}'")
        # GeoParquet geometry stays WKB (a BLOB): what the other readers of the folder see
        con.execute("SET GLOBAL enable_geoparquet_conversion = false")
        con.execute("SET GLOBAL parquet_metadata_cache = true")
    except duckdb.Error as exc:
        con.close()
        raise DatasetError(path, f"cannot load DuckDB's spatial extension: {exc}") from exc
    return con


def thread_connection() -> Any:
    """This thread's cursor on the process' one DuckDB database (a connection is not shared
    between threads; its cursors share the loaded extension and the Parquet metadata cache)."""
    global _DATABASE
    con = getattr(_LOCAL, "con", None)
    if con is None:
        with _DATABASE_LOCK:
            if _DATABASE is None:
                _DATABASE = connect()
            con = _LOCAL.con = _DATABASE.cursor()
    return con


def _quote(text: str) -> str:
    return text.replace("'", "''")


def sql_string(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + _quote(text) + "'"


def sql_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def file_list(files: Sequence[Path]) -> str:
    """The SQL list literal of parquet files for ``read_parquet``."""
    return "[" + ", ".join(sql_string(str(f)) for f in files) + "]"


# --- window reads ------------------------------------------------------------------------------


def read_window(files: Sequence[Path], columns: Sequence[str] | None,
                window: tuple[float, float, float, float] | None) -> Any:
    """The arrow table of the rows of GeoParquet ``files`` whose ``bbox`` column meets ``window``
    (all rows when None), ``columns`` (None: all), ordered by ``fid``; DuckDB reads the files in
    parallel and skips row groups by their bbox statistics."""
    select = "*" if columns is None else ", ".join(sql_ident(c) for c in columns)
    query = f"SELECT {select} FROM read_parquet({file_list(files)})"
    params: list[float] = []
    if window is not None:
        x0, y0, x1, y1 = window
        query += ' WHERE "bbox".xmin <= ? AND "bbox".xmax >= ? AND "bbox".ymin <= ? AND "bbox".ymax >= ?'
        params = [x1, x0, y1, y0]
    query += " ORDER BY fid"
    return thread_connection().execute(query, params).fetch_arrow_table()


# --- vector tiles ------------------------------------------------------------------------------

#: half the Web Mercator world width (EPSG:3857 metres)
_HALF = math.pi * 6378137.0


def check_tile(z: int, x: int, y: int) -> None:
    if not (0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise QueryError(f"no tile {z}/{x}/{y}: z must be 0..24 and x, y 0..2^z-1")


def tile_envelope(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The Web Mercator bounds (EPSG:3857) of XYZ tile ``z/x/y``, as ``ST_TileEnvelope``.

    >>> [round(v) for v in tile_envelope(0, 0, 0)]
    [-20037508, -20037508, 20037508, 20037508]
    """
    size = 2 * _HALF / 2**z
    return (-_HALF + x * size, _HALF - (y + 1) * size, -_HALF + (x + 1) * size, _HALF - y * size)


def tile_window_rd(z: int, x: int, y: int, buffer_fraction: float) -> tuple[float, float, float, float]:
    """The RD New box that holds tile ``z/x/y`` grown by ``buffer_fraction`` of its size on every
    side (its outline densified before the transformation, so the curved edges fit)."""
    x0, y0, x1, y1 = tile_envelope(z, x, y)
    pad = (x1 - x0) * buffer_fraction
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    to_rd = getattr(_LOCAL, "to_rd", None)
    if to_rd is None:  # building one costs 30 ms; pyproj transformers are not shared by threads
        from pyproj import Transformer

        to_rd = _LOCAL.to_rd = Transformer.from_crs("EPSG:3857", "EPSG:28992", always_xy=True)
    bx0, by0, bx1, by1 = to_rd.transform_bounds(x0, y0, x1, y1, densify_pts=21)
    return (float(bx0), float(by0), float(bx1), float(by1))


def tile(files: Sequence[Path], layer: str, z: int, x: int, y: int, *, columns: Sequence[str],
         extent: int = 4096, buffer: int = 64,
         window: tuple[float, float, float, float] | None = None) -> bytes:
    """The Mapbox Vector Tile ``z/x/y`` of the GeoParquet ``files`` (one layer's parts, with a
    ``bbox`` covering column and WKB ``geometry`` in RD New): the rows whose bbox meets the
    tile's RD window (DuckDB skips the other row groups by their statistics), reprojected to
    Web Mercator, clipped by ``ST_AsMVTGeom`` and encoded by ``ST_AsMVT`` as one tile layer
    named ``layer`` carrying ``columns``. Empty bytes when nothing falls in the tile.
    ``window``: :func:`tile_window_rd` of the tile and buffer, when the caller has it."""
    check_tile(z, x, y)
    if not files:
        return b""
    bx0, by0, bx1, by1 = window or tile_window_rd(z, x, y, buffer / extent)
    attrs = "".join(f"{sql_ident(c)}, " for c in columns)
    query = (
        f"WITH q AS (SELECT {attrs}ST_AsMVTGeom("
        f"ST_Transform(ST_GeomFromWKB(geometry), {sql_string(RD_PROJ)}, 'EPSG:3857', always_xy := true), "
        "ST_Extent(ST_TileEnvelope(?, ?, ?)), ?, ?, true) AS geom "
        f"FROM read_parquet({file_list(files)}) "
        'WHERE "bbox".xmin <= ? AND "bbox".xmax >= ? AND "bbox".ymin <= ? AND "bbox".ymax >= ? '
        "ORDER BY fid) "
        "SELECT ST_AsMVT(q, ?, ?, 'geom') FROM q WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)"
    )
    params = [z, x, y, extent, buffer, bx1, bx0, by1, by0, layer, extent]
    row = thread_connection().execute(query, params).fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


__all__ = ["EXTRA", "RD_PROJ", "connect", "extension_path", "tile", "tile_envelope", "tile_window_rd"]
