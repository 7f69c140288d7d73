"""A gemeente's boundary for the Ambtsgebied of a STOP/TPOD package (``import --gemeentegrens``).

An omgevingsplan's rules for the whole gemeente point at an *Ambtsgebied*, which the delivery
package only references (``bestuurlijkeGrenzenID``, e.g. ``GM0307``): the boundary itself lives in
the Bestuurlijke Grenzen register. Without it, such rules are reported as "geldt als deze plek in
gemeente 0307 ligt". :func:`read_gemeentegrens` reads the boundary from a polygon file so the
import can store it on the Ambtsgebied's row of the ``locatie`` layer (and on the rules that apply
there), which makes those rules certain inside the gemeente and absent outside it.

The official source is **PDOK Bestuurlijke Gebieden** (Kadaster; layer ``gemeentegebied``,
attributes ``code`` = ``"0307"``, ``identificatie`` = ``"GM0307"``, ``naam``), e.g. its OGC API
``https://api.pdok.nl/kadaster/bestuurlijkegebieden/ogc/v1/collections/gemeentegebied/items?f=json``
or the GeoPackage download of the same dataset. Any file GDAL reads works (GeoPackage, GeoJSON,
shapefile with .prj, GML) when it has

* a CRS: it is converted to EPSG:28992 (RDNAPTRANS2018 from ETRS89/WGS84,
  :func:`omgevingskaart.crs.gdf_to_rd`); a file without one is refused, as is one whose converted
  boundary does not lie in the Netherlands (a wrongly labelled CRS);
* (Multi)Polygon geometries, valid;
* a gemeentecode per feature in a column ``code``, ``gemeentecode``, ``identificatie`` or
  ``statcode`` (``"307"``, ``"0307"`` and ``"GM0307"`` all mean 0307). A file with a single
  feature may leave it out: that boundary is then used for every Ambtsgebied.

>>> normalise_code("GM0307"), normalise_code(307), normalise_code("0307")
('0307', '0307', '0307')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from ..errors import CRSError, DataFileError

#: columns that may hold the gemeentecode, in order of preference (lower-case)
CODE_COLUMNS = ("code", "gemeentecode", "identificatie", "statcode")
#: the Netherlands in RD New, with margin (EPSG:28992's area of use is about x -7 000 .. 300 000,
#: y 289 000 .. 629 000)
RD_EXTENT = (-10000.0, 280000.0, 310000.0, 640000.0)
#: key of the boundary of a one-feature file without a code: used for every Ambtsgebied
ANY_GEMEENTE = "*"

_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)


def normalise_code(value: Any) -> str | None:
    """``"GM0307"``, ``"307"``, ``307`` -> ``"0307"``; anything else -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    m = _CODE.match(str(value).strip())
    return m.group(1).zfill(4) if m else None


def read_gemeentegrens(path: str | Path) -> dict[str, shapely.Geometry]:
    """The boundaries in ``path`` by gemeentecode (``"0307"``), as (Multi)Polygons in EPSG:28992.

    Raises :class:`~omgevingskaart.errors.CRSError` for a missing or wrong CRS and
    :class:`~omgevingskaart.errors.DataFileError` for a file that cannot be read, is empty, holds
    other geometry than polygons, an invalid polygon or features without a gemeentecode; each
    message names the file (and the feature).
    """
    import pyogrio

    from ..crs import gdf_to_rd

    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "gemeentegrens: no such file")
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL's messages vary by driver; name the file
        raise DataFileError(path, f"gemeentegrens: cannot read the file: {exc}") from exc
    if len(frame) == 0:
        raise DataFileError(path, "gemeentegrens: the file has no features")
    if frame.crs is None:
        raise CRSError(f"{path}: gemeentegrens: the file has no CRS (coordinate reference system); "
                       "give it one, e.g. EPSG:28992 (a .prj beside a shapefile)")
    geoms = np.asarray(frame.geometry.array, dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise DataFileError(path, "gemeentegrens: a feature without geometry", element=f"feature {i}")
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise DataFileError(path, f"gemeentegrens: expected a Polygon or MultiPolygon, got {g.geom_type}",
                                element=f"feature {i}")
        if not g.is_valid:
            raise DataFileError(path, f"gemeentegrens: invalid polygon ({shapely.is_valid_reason(g)})",
                                element=f"feature {i}")
    source_crs = frame.crs.to_string()
    rd = gdf_to_rd(frame, what=str(path))
    xmin, ymin, xmax, ymax = rd.total_bounds
    if not (np.isfinite([xmin, ymin, xmax, ymax]).all() and xmin >= RD_EXTENT[0] and ymin >= RD_EXTENT[1]
            and xmax <= RD_EXTENT[2] and ymax <= RD_EXTENT[3]):
        raise CRSError(f"{path}: gemeentegrens: converted from {source_crs} the boundary lies outside the "
                       f"Netherlands (RD bounds {xmin:.0f} {ymin:.0f} {xmax:.0f} {ymax:.0f}); is the "
                       "file's CRS right?")
    columns = {c.lower(): c for c in frame.columns if c != frame.geometry.name}
    column = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    if column is None:
        if len(rd) > 1:
            raise DataFileError(path, f"gemeentegrens: {len(rd)} features but no gemeentecode column "
                                      f"(one of {', '.join(CODE_COLUMNS)})")
        return {ANY_GEMEENTE: rd.geometry.iloc[0]}
    parts: dict[str, list[shapely.Geometry]] = {}
    for i, (value, g) in enumerate(zip(frame[column], rd.geometry, strict=True)):
        code = normalise_code(value)
        if code is None:
            raise DataFileError(path, f"gemeentegrens: {column} {value!r} is not a gemeentecode "
                                      "(e.g. 0307 or GM0307)", element=f"feature {i}")
        parts.setdefault(code, []).append(g)
    return {code: (gs[0] if len(gs) == 1 else shapely.union_all(gs)) for code, gs in parts.items()}
