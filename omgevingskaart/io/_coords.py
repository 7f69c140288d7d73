"""Coordinate sanity per CRS: every reader's geometries checked before they are used.

All readers deliver EPSG:28992 (RD New). A coordinate that is NaN or infinite, or lies far
outside the Netherlands, cannot be right: 1e308, longitude/latitude degrees labelled as RD, a
wrong axis order. Such input raises :class:`~omgevingskaart.errors.CoordinateError` naming the
file and the feature, instead of an untyped GEOS error later, a broken bbox or an API answer
that is not valid JSON.

Bounds: EPSG's area of use of RD New (3.2-7.22 E, 50.75-53.7 N: onshore Netherlands, the
Waddenzee and the 12-mile zone) is, in RD, x 646 .. 284,347 m and y 308,289 .. 637,111 m
(the corners transformed with pyproj). :data:`RD_BOUNDS` adds a margin of about 50 km on every
side (cross-border data near Winterswijk, plan areas that reach into the sea).

>>> import shapely
>>> check_rd([shapely.Point(245000, 443000)], "ok.gml", ["a"], layer="pand")
>>> check_rd([shapely.Point(6.7, 51.97)], "wgs.gml", ["b"], layer="pand")
Traceback (most recent call last):
...
omgevingskaart.errors.CoordinateError: wgs.gml (pand b): coordinate (6.7, 51.97) lies outside RD New (EPSG:28992): x -50000..335000, y 255000..690000 m; these look like longitude/latitude degrees labelled as RD
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from ..crs import RD_DATA_BOUNDS
from ..errors import CoordinateError

#: (minx, miny, maxx, maxy) accepted for EPSG:28992, metres: the EPSG area of use + ~50 km.
RD_BOUNDS = RD_DATA_BOUNDS


def _describe(x: float, y: float) -> str:
    if not (np.isfinite(x) and np.isfinite(y)):
        return f"coordinate ({x}, {y}) is not a finite number"
    minx, miny, maxx, maxy = RD_BOUNDS
    msg = (f"coordinate ({x:.10g}, {y:.10g}) lies outside RD New (EPSG:28992): "
           f"x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f} m")
    if abs(x) <= 180 and abs(y) <= 90:
        msg += "; these look like longitude/latitude degrees labelled as RD"
    elif minx <= y <= maxx and miny <= x <= maxy:
        msg += "; x and y look swapped"
    return msg


def check_xy(xy: np.ndarray, path: str | Path | None, element: str | None) -> None:
    """Refuse an (n, 2+) coordinate array with a non-finite or non-RD x/y."""
    if not len(xy):
        return
    x, y = xy[:, 0], xy[:, 1]
    minx, miny, maxx, maxy = RD_BOUNDS
    ok = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)  # False for NaN
    if not ok.all():
        i = int(np.argmin(ok))
        raise CoordinateError(path, _describe(float(x[i]), float(y[i])), element=element)
    if xy.shape[1] > 2 and not np.isfinite(xy[:, 2:]).all():
        i = int(np.argmin(np.isfinite(xy[:, 2:]).all(axis=1)))
        raise CoordinateError(path, f"height {xy[i, 2]} is not a finite number",
                              element=element)


def check_rd(geoms: Any, path: str | Path | None, ids: Sequence[Any] | np.ndarray | None, *,
             layer: str) -> None:
    """Refuse geometries with a non-finite or non-RD coordinate; the error names ``path`` and
    the feature (``ids[i]``, else its row number) of ``layer``."""
    arr = np.asarray(geoms, dtype=object)
    if not arr.size:
        return
    coords, index = shapely.get_coordinates(arr, return_index=True)
    if not len(coords):
        return
    minx, miny, maxx, maxy = RD_BOUNDS
    x, y = coords[:, 0], coords[:, 1]
    ok = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    if ok.all():
        return
    j = int(np.argmin(ok))
    row = int(index[j])
    ident = ids[row] if ids is not None and row < len(ids) else None
    feature = f"{layer} {ident}" if ident not in (None, "") else f"{layer} row {row}"
    raise CoordinateError(path, _describe(float(x[j]), float(y[j])), element=feature)
