"""Datasets: a GeoPackage of normalised layers, opened lazily, queried through spatial indexes.

A dataset is one GeoPackage file holding one table per layer (``pand``, ``verblijfsobject``,
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
import sqlite3
import tempfile
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ._files import disk_nearly_full, temp_prefix
from ._resources import package_path
from .errors import DatasetError, SchemaError
from .schema import RD_NEW, SCHEMAS, conform, kind_of

if TYPE_CHECKING:
    from .catalogue import Catalogue
    from .geocode import Geocoder
    from .report import ParcelReport

#: the embedded demo dataset (synthetic, shaped like the real registers); shipped in the package,
#: ``data/demo/`` at the top of the repository.
DEMO_PATH = package_path("data", "demo", "winterswijk-centrum.gpkg")
META_TABLE = "omgevingskaart_meta"
#: fixed GeoPackage timestamp so that writing the same layers twice gives identical bytes.
_FIXED_DATE = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class LayerIndex:
    """A layer's geometries, STRtree and row records, for fast repeated point queries."""

    geometries: np.ndarray
    tree: shapely.STRtree
    records: list[dict[str, Any]]


class Dataset(Mapping[str, gpd.GeoDataFrame]):
    """A dataset file: lists its layers and gives each as a GeoDataFrame (EPSG:28992).

    Layers are read on first access and kept; ``ds.index(name)`` gives a cached STRtree and row
    records for fast queries (used by :meth:`report`). The object is a read-only mapping from layer
    name to GeoDataFrame, safe to share between threads (Streamlit reruns, the HTTP service).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise DatasetError(self.path, "dataset file not found")
        if not self.path.is_file():
            raise DatasetError(self.path, "not a file (a dataset is one GeoPackage file)")
        try:
            info = pyogrio.list_layers(self.path)
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            raise DatasetError(self.path, f"cannot open as GeoPackage: {exc}") from exc
        names = [str(n) for n, _ in info]
        self._layer_names = [n for n in names if n != META_TABLE and _is_known(n)]
        self._meta = _read_meta(self.path) if META_TABLE in names else {}
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        self._indexes: dict[str, LayerIndex] = {}
        self._lock = threading.RLock()
        self._catalogue: Catalogue | None = None
        self._geocoder: Geocoder | None = None

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
        return f"<Dataset {title!r}: {len(self)} layers from {self.path}>"

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
        """The layer ``name`` as a GeoDataFrame in EPSG:28992 (read once, then cached)."""
        with self._lock:
            frame = self._frames.get(name)
            if frame is not None:
                return frame
            if name not in self._layer_names:
                raise DatasetError(
                    self.path, f"no layer {name!r}; layers: {', '.join(self._layer_names)}",
                )
            try:
                raw = pyogrio.read_dataframe(self.path, layer=name, use_arrow=_HAS_ARROW)
            except Exception as exc:
                raise DatasetError(self.path, f"cannot read: {exc}", element=name) from exc
            if not isinstance(raw, gpd.GeoDataFrame):
                raw = gpd.GeoDataFrame(raw, geometry=gpd.GeoSeries([None] * len(raw)), crs=RD_NEW)
            if raw.crs is None and raw.geometry.notna().any():
                raise DatasetError(self.path, "layer has no CRS", element=name)
            if raw.crs is None:
                raw = raw.set_crs(RD_NEW)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    frame = conform(raw, name, what=f"{self.path.name}:{name}", keep_extra=True)
            except SchemaError as exc:
                raise DatasetError(self.path, str(exc), element=name) from exc
            self._frames[name] = frame
            return frame

    def index(self, name: str) -> LayerIndex:
        """A cached spatial index (STRtree) with the layer's rows as plain records."""
        with self._lock:
            idx = self._indexes.get(name)
            if idx is None:
                frame = self.layer(name)
                geoms = frame.geometry.to_numpy()
                shapely.prepare(geoms)  # fast repeated predicates (covers, contains)
                records = _records(frame)
                idx = LayerIndex(geoms, shapely.STRtree(geoms), records)
                self._indexes[name] = idx
            return idx

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The dataset's extent in RD: the union of its layers' bounds, from the file header."""
        boxes = []
        for name in self._layer_names:
            try:
                b = pyogrio.read_info(self.path, layer=name).get("total_bounds")
            except Exception:
                continue
            if b is not None and np.all(np.isfinite(b)):
                boxes.append(b)
        if not boxes:
            raise DatasetError(self.path, "dataset holds no geometry")
        arr = np.asarray(boxes, dtype=float)
        return (float(arr[:, 0].min()), float(arr[:, 1].min()),
                float(arr[:, 2].max()), float(arr[:, 3].max()))

    @property
    def catalogue(self) -> Catalogue:
        """The layer catalogue (``layers/*.toml``) restricted to the layers this dataset holds."""
        if self._catalogue is None:
            from .catalogue import load_catalogue

            self._catalogue = load_catalogue().for_dataset(self)
        return self._catalogue

    # --- queries -------------------------------------------------------------------------------
    def report(self, *args: Any, **kwargs: Any) -> ParcelReport:
        """What applies at a point, address or perceel: see :func:`omgevingskaart.report.report`."""
        from .report import report

        return report(self, *args, **kwargs)

    def check_build(self, address_or_parcel: str, proposal: Mapping[str, Any], **kwargs: Any) -> Any:
        """"Mag ik bouwen?" for a proposal at an address or kadastrale aanduiding.

        See :func:`omgevingskaart.permit.from_dataset.check_build_at`; returns a
        :class:`~omgevingskaart.permit.CheckResult`.
        """
        from .permit.from_dataset import check_build_at

        return check_build_at(self, address_or_parcel, proposal, **kwargs)

    @property
    def geocoder(self) -> Geocoder:
        """The address index of this dataset (built on first use)."""
        from .geocode import Geocoder

        with self._lock:
            if self._geocoder is None:
                self._geocoder = Geocoder(self)
            return self._geocoder

    def geocode(self, query: str) -> list[dict[str, Any]]:
        """Addresses matching ``query`` (free text, or postcode + huisnummer): a list of records."""
        return self.geocoder.search(query)


_HAS_ARROW = True
try:  # pyarrow makes reads several times faster; it is optional
    import pyarrow  # noqa: F401
except ImportError:  # pragma: no cover
    _HAS_ARROW = False


def _is_known(name: str) -> bool:
    try:
        kind_of(name)
    except SchemaError:
        return False
    return True


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Row dicts with plain Python values (None for nulls), geometry excluded."""
    cols = [c for c in frame.columns if c != frame.geometry.name]
    out = []
    data = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in cols}
    for i in range(len(frame)):
        out.append({c: data[c][i] for c in cols})
    return out


def _read_meta(path: Path) -> dict[str, str]:
    try:
        df = pyogrio.read_dataframe(path, layer=META_TABLE, read_geometry=False)
    except Exception as exc:
        raise DatasetError(path, f"cannot read metadata: {exc}", element=META_TABLE) from exc
    return {str(k): str(v) for k, v in zip(df["key"], df["value"], strict=True)}


def open_dataset(path: str | Path | None = None) -> Dataset:
    """Open a dataset file; ``None`` opens the embedded Winterswijk-centre demo.

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
) -> Path:
    """Write ``layers`` (name -> GeoDataFrame) to the GeoPackage ``path``, atomically and under the
    dataset's write lock (:func:`omgevingskaart._lock.dataset_lock`: a concurrent writer waits, so
    no writer's layers or metadata get lost). Temporary files of killed writers are removed first.
    A full disk raises :class:`~omgevingskaart.errors.DiskFullError`; the dataset stays unchanged.
    See :func:`_write_dataset_locked` for the rest.
    """
    from ._files import output_errors, remove_orphan_temp_files
    from ._lock import dataset_lock

    path = Path(path)
    with dataset_lock(path) as since, output_errors(path):
        remove_orphan_temp_files(path, ".tmp.gpkg", older_than=since)
        return _write_dataset_locked(layers, path, meta=meta, extend=extend)


def _write_dataset_locked(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    meta: Mapping[str, str] | None = None,
    extend: bool = False,
) -> Path:
    """Write ``layers`` (name -> GeoDataFrame) to the GeoPackage ``path``, atomically.

    Each layer is conformed to its schema first. With ``extend=True`` an existing dataset keeps
    the layers not named in ``layers`` (and its metadata, updated by ``meta``); otherwise the file
    is replaced. The new file is written next to the target and moved into place with
    ``os.replace``: an interrupted or failed write leaves the previous dataset intact. Writing the
    same layers twice gives byte-identical files (fixed GeoPackage timestamps).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames: dict[str, gpd.GeoDataFrame] = {}
    old_meta: dict[str, str] = {}
    if extend and path.exists():
        old = Dataset(path)
        old_meta = old.meta
        for name in old.layers:
            if name not in layers:
                frames[name] = old.layer(name)
    for name, frame in layers.items():
        frames[name] = conform(frame, name, what=name)
    all_meta = {**old_meta, **(meta or {})}
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    old_date = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = _FIXED_DATE
    try:
        for name in sorted(frames):
            frame = frames[name]
            _write_layer(frame, tmp, name)
        meta_df = pd.DataFrame({"key": list(all_meta), "value": [str(v) for v in all_meta.values()]})
        pyogrio.write_dataframe(meta_df, tmp, layer=META_TABLE, driver="GPKG")
        _normalise_gpkg(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        exc.disk_full = disk_nearly_full(tmp.parent)  # type: ignore[attr-defined]  # before unlink frees it
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if old_date is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = old_date
    return path


def _write_layer(frame: gpd.GeoDataFrame, path: Path, name: str) -> None:
    geoms = frame.geometry
    if geoms.isna().all():
        df = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")
        return
    gtypes = set(geoms.dropna().geom_type)
    if gtypes <= {"Polygon", "MultiPolygon"}:
        geometry_type = "MultiPolygon" if "MultiPolygon" in gtypes else "Polygon"
    elif gtypes <= {"Point"}:
        geometry_type = "Point"
    elif gtypes <= {"LineString", "MultiLineString"}:
        geometry_type = "MultiLineString" if "MultiLineString" in gtypes else "LineString"
    else:
        geometry_type = "Unknown"
    kind = SCHEMAS[kind_of(name)]
    del kind
    pyogrio.write_dataframe(
        frame, path, layer=name, driver="GPKG", geometry_type=geometry_type, spatial_index=True,
    )


def _normalise_gpkg(path: Path) -> None:
    """Make the file deterministic: fixed timestamps everywhere GDAL stamps one."""
    con = sqlite3.connect(path)
    try:
        con.execute("UPDATE gpkg_contents SET last_change = ?", (_FIXED_DATE,))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
