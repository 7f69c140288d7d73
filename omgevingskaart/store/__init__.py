"""Storage backends of a dataset, chosen by URI (see :mod:`omgevingskaart.store.base`).

* ``x.gpkg`` (or any file path): :class:`~omgevingskaart.store.geopackage.GeoPackageStore`;
* ``postgresql://user@host:port/db`` (``postgres://`` too):
  :class:`~omgevingskaart.store.postgis.PostGISStore` (needs the ``postgis`` extra: psycopg);
* a folder ending in ``.parquet`` (or holding ``_omgevingskaart.json``):
  :class:`~omgevingskaart.store.geoparquet.GeoParquetStore`.

>>> from omgevingskaart.store import open_store
>>> type(open_store("data/demo/winterswijk-centrum.gpkg")).__name__
'GeoPackageStore'
"""

from __future__ import annotations

from pathlib import Path

from .base import PREDICATES, Store, StoreCache
from .memory import LayerIndex, build_index

__all__ = ["PREDICATES", "LayerIndex", "Store", "StoreCache", "build_index", "is_postgres_uri",
           "open_store"]


def is_postgres_uri(uri: str | Path) -> bool:
    return isinstance(uri, str) and uri.startswith(("postgresql://", "postgres://"))


def open_store(uri: str | Path, *, create: bool = False) -> Store:
    """The store at ``uri``; ``create=True`` makes an empty GeoParquet folder / PostGIS schema."""
    if is_postgres_uri(uri):
        from .postgis import PostGISStore

        return PostGISStore(str(uri), create=create)
    path = Path(uri)
    if path.suffix == ".parquet" or (path.is_dir() and (path / "_omgevingskaart.json").exists()):
        from .geoparquet import GeoParquetStore

        return GeoParquetStore(path, create=create)
    from .geopackage import GeoPackageStore

    return GeoPackageStore(path)
