"""Datasets: normalised layers in a store, opened lazily, queried through spatial indexes.

A dataset holds a *store* (:mod:`omgevingskaart.store`), chosen by the URI given to
:func:`open_dataset`: a GeoPackage file (``x.gpkg``), a PostGIS database (``postgresql://...``) or
a folder of spatially sorted GeoParquet files (``x.parquet/``). The Dataset adds the catalogue and
the metadata; windows, predicates and key look-ups go through :meth:`Dataset.features` and
:meth:`Dataset.get_by` to the store, which computes them where the data lives.

The classic form is one GeoPackage file holding one table per layer (``pand``, ``verblijfsobject``,
``perceel``, ``enkelbestemming``, ``bgt_wegdeel``, ...; the names and kinds of
:mod:`omgevingskaart.schema`) plus a small attribute table ``omgevingskaart_meta`` (key/value: the
dataset's title, its source notice, whether it is synthetic). The embedded demo
(``data/demo/winterswijk-centrum.gpkg``) is such a file; ``omgevingskaart import`` builds one from
real registers, and every code path treats both alike.

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()          # the embedded Winterswijk-centre demo
>>> pand = ds["pand"]                            # GeoDataFrame, EPSG:28992, loaded once
>>> pand.crs.to_epsg()
28992
>>> ds.meta["synthetisch"]
'ja'
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from ._resources import package_path
from .errors import DatasetError
from .schema import conform
from .store import Store, is_postgres_uri, open_store
from .store.base import META_TABLE, union_bounds
from .store.geopackage import GeoPackageStore, write_gpkg

__all__ = ["DEMO_PATH", "META_TABLE", "Dataset", "open_dataset", "write_dataset"]

if TYPE_CHECKING:
    from .catalogue import Catalogue

#: the embedded demo dataset (synthetic, shaped like the real registers); shipped in the package,
#: ``data/demo/`` at the top of the repository.
DEMO_PATH = package_path("data", "demo", "winterswijk-centrum.gpkg")


class Dataset(Mapping[str, gpd.GeoDataFrame]):
    """A dataset in a store: lists its layers and gives each as a GeoDataFrame (EPSG:28992).

    :meth:`features` / :meth:`get_by` ask the store for a window, predicate or keys (computed where
    the data lives: SQL in PostGIS, the R-tree of a large GeoPackage, row-group statistics in
    GeoParquet); every query module asks through them. ``ds[name]`` reads a whole layer (once,
    then cached in the store's cache): for analysts and downloads, not for answering questions on a
    large store. The object is a read-only mapping from layer name to GeoDataFrame, safe to share
    between threads (Streamlit reruns, the HTTP service).
    """

    def __init__(self, path: str | Path | Store):
        if isinstance(path, Store) and not isinstance(path, str | Path):
            self.store: Store = path
        else:
            self.store = open_store(path)
        #: the file or folder of a file-based store; for PostGIS the URI without password.
        self.path = Path(getattr(self.store, "path", self.store.location))
        self._catalogue: Catalogue | None = None

    @property
    def uri(self) -> str:
        """What opens this dataset again (another process, a service worker): the absolute path
        of a file-based store, the full ``postgresql://`` URI (with its credentials) otherwise."""
        return str(getattr(self.store, "uri", None) or self.path.resolve())

    @property
    def _layer_names(self) -> list[str]:
        return self.store.layers()

    @property
    def _meta(self) -> dict[str, str]:
        return self.store.meta()

    # --- mapping protocol ----------------------------------------------------------------------
    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        return self.layer(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layer_names)

    def __len__(self) -> int:
        return len(self._layer_names)

    def __contains__(self, name: object) -> bool:
        return name in self._layer_names

    def __repr__(self) -> str:
        title = self._meta.get("titel", self.path.name)
        return f"<Dataset {title!r}: {len(self)} layers from {self.store.location}>"

    # --- layers --------------------------------------------------------------------------------
    @property
    def layers(self) -> list[str]:
        """The layer names this dataset holds."""
        return list(self._layer_names)

    @property
    def meta(self) -> dict[str, str]:
        """The dataset's metadata (title, source notice, ``synthetisch``: ``ja``/``nee``)."""
        return dict(self._meta)

    @property
    def is_synthetic(self) -> bool:
        return self._meta.get("synthetisch", "nee") == "ja"

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """The layer ``name`` as a GeoDataFrame in EPSG:28992 (read once, then cached).

        On a large store this reads the whole layer: prefer :meth:`features` for a window.
        """
        layer_frame = getattr(self.store, "layer_frame", None)
        if layer_frame is not None and getattr(self.store, "mode", "") == "memory":
            return layer_frame(name)
        if name not in self._layer_names:
            raise DatasetError(self.path, f"no layer {name!r}; layers: {', '.join(self._layer_names)}")
        return self.store.cache.get(("frame", name), lambda: self.store.features(name))

    def features(self, layer: str, **query: Any) -> gpd.GeoDataFrame:
        """Rows of ``layer`` in a window / by predicate / attribute, paged: see
        :meth:`omgevingskaart.store.base.Store.features`.

        >>> ds = open_dataset()
        >>> len(ds.features("pand", bbox=(246514, 443300, 246614, 443400)))
        23
        """
        return self.store.features(layer, **query)

    def get_by(self, layer: str, column: str, keys: Any) -> gpd.GeoDataFrame:
        """Rows of ``layer`` whose ``column`` is one of ``keys``."""
        return self.store.get_by(layer, column, keys)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The dataset's extent in RD: the union of its layers' bounds."""
        b = union_bounds(self.store.bounds(name) for name in self._layer_names)
        if b is None:
            raise DatasetError(self.path, "dataset holds no geometry")
        return b

    @property
    def catalogue(self) -> Catalogue:
        """The layer catalogue (``layers/*.toml``) restricted to the layers this dataset holds."""
        if self._catalogue is None:
            from .catalogue import load_catalogue

            self._catalogue = load_catalogue().for_dataset(self)
        return self._catalogue


def open_dataset(path: str | Path | None = None) -> Dataset:
    """Open a dataset by path or URI; ``None`` opens the embedded Winterswijk-centre demo.

    ``path`` is a GeoPackage file, a ``postgresql://`` URI or a GeoParquet folder (``x.parquet``);
    see :func:`omgevingskaart.store.open_store`.

    The environment variable ``OMGEVINGSKAART_DATASET`` overrides the default when ``path`` is None.

    >>> ds = open_dataset()
    >>> [name for name in ("pand", "perceel", "enkelbestemming", "bgt_wegdeel") if name in ds]
    ['pand', 'perceel', 'enkelbestemming', 'bgt_wegdeel']
    """
    if path is None:
        path = os.environ.get("OMGEVINGSKAART_DATASET") or DEMO_PATH
    return Dataset(path)


def write_dataset(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    meta: Mapping[str, str] | None = None,
    extend: bool = False,
) -> Path | str:
    """Write ``layers`` (name -> GeoDataFrame) to the dataset at ``path``, atomically and, for a
    GeoPackage or GeoParquet folder, under the dataset's write lock
    (:func:`omgevingskaart._lock.dataset_lock`: a concurrent writer waits, so no writer's layers or
    metadata get lost; PostGIS writes in one transaction). Temporary files of killed writers are
    removed first. A full disk raises :class:`~omgevingskaart.errors.DiskFullError`; the dataset
    stays unchanged. See :func:`_write_dataset_locked` for the rest.
    """
    from ._files import output_errors
    from ._lock import dataset_lock

    if is_postgres_uri(path):
        return _write_dataset_locked(layers, path, meta=meta, extend=extend)
    path = Path(path)
    with dataset_lock(path) as since, output_errors(path):
        remove_orphans(path, older_than=since)
        return _write_dataset_locked(layers, path, meta=meta, extend=extend)


def remove_orphans(path: Path, *, older_than: float) -> None:
    """Remove what killed writers of the dataset ``path`` left behind: a GeoPackage's temporary
    files, a GeoParquet folder's unnamed layer folders. Only under the dataset's write lock,
    ``older_than`` the time it was acquired."""
    from ._files import remove_orphan_temp_files
    from .store.geoparquet import remove_orphan_folders

    remove_orphan_temp_files(path, ".tmp.gpkg", older_than=older_than)
    if path.suffix == ".parquet" and path.is_dir():
        remove_orphan_folders(path, older_than=older_than)


def _write_dataset_locked(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    meta: Mapping[str, str] | None = None,
    extend: bool = False,
) -> Path | str:
    """Write ``layers`` (name -> GeoDataFrame) to the dataset at ``path``, atomically.

    The one write entry point of every backend (a GeoPackage file, ``postgresql://...``, a
    ``.parquet`` folder). Each layer is conformed to its schema first. With ``extend=True`` an
    existing dataset keeps the layers not named in ``layers`` (and its metadata, updated by
    ``meta``) and only the named layers are written (a GeoPackage is not rewritten: the layers move
    in with one SQLite transaction); otherwise the dataset is replaced: a GeoPackage is written next
    to the target and moved into place with ``os.replace``. Either way an interrupted or failed
    write leaves the previous dataset intact. Writing the same layers twice gives byte-identical
    GeoPackages (fixed timestamps). Returns the path (for PostGIS: the URI as a Path-like string).
    """
    if is_postgres_uri(path) or Path(path).suffix == ".parquet":
        store = open_store(path, create=True)
        all_meta = {**(store.meta() if extend else {}), **(meta or {})}
        store.write_many(layers, all_meta, replace_all=not extend)  # type: ignore[attr-defined]
        return path
    path = Path(path)
    frames = {name: conform(frame, name, what=name) for name, frame in layers.items()}
    if extend and path.exists():
        store = GeoPackageStore(path, mode="rtree")
        store.write_many(frames, {**store.meta(), **(meta or {})})
        return path
    write_gpkg(frames, path, meta=dict(meta or {}))
    return path
