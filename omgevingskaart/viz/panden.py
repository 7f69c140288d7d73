"""The panden of an area and what the 3D views and exports show about them, read per window.

Every 3D view and export works on a *selection* of panden: a GeoDataFrame of the ``pand`` layer's
rows in an area, in the layer's row order (:func:`select_panden`). What they need besides the
panden themselves (their addresses and gebruiksdoelen from the verblijfsobjecten) is read through
the store for that area only (:func:`verblijfsobjecten_of`), so the time and memory of a view or an
export of a fixed area do not grow with the dataset: a 400 x 300 m export reads the same rows from
a municipality's GeoPackage as from a national PostGIS database.

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> panden = select_panden(ds, bbox=(246514, 443300, 246614, 443400))
>>> len(panden), addresses_by_pand(ds, panden)[panden["identificatie"].iloc[0]][:1] != []
(23, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geocode import display_address

if TYPE_CHECKING:
    from ..dataset import Dataset

Bounds = tuple[float, float, float, float]
#: the verblijfsobject window reaches this far (m) beyond the panden's bounds: a BAG address point
#: lies in its pand; the margin covers points drawn on the pand's outline.
VBO_MARGIN = 1.0
#: a verblijfsobject that names one of the panden but lies outside their window is looked up by key
#: within this distance (m): a window keeps the look-up on the spatial index (no scan of the layer)
VBO_KEY_MARGIN = 250.0


def select_panden(dataset: Dataset, *, centre: tuple[float, float] | None = None,
                  radius: float | None = None, bbox: Bounds | None = None) -> gpd.GeoDataFrame:
    """The panden within ``radius`` of ``centre`` (RD), or intersecting ``bbox``, or (neither
    given) all of them, in the layer's row order with a fresh index. An empty frame when the
    dataset has no pand layer."""
    if "pand" not in dataset:
        return gpd.GeoDataFrame({"identificatie": []}, geometry=gpd.GeoSeries([], crs="EPSG:28992"))
    if bbox is not None:
        frame = dataset.features("pand", bbox=bbox)
    elif radius is not None:
        from .deck3d import MARKT_RD

        x, y = centre or MARKT_RD
        frame = dataset.features("pand", geometry=shapely.Point(x, y).buffer(radius, quad_segs=16))
    else:
        frame = dataset.features("pand")
    return frame.reset_index(drop=True)


def panden_bounds(panden: gpd.GeoDataFrame) -> Bounds | None:
    """The RD box of the panden's footprints (None for no footprint)."""
    geoms = panden.geometry.to_numpy() if len(panden) else np.empty(0, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))] if len(geoms) else geoms
    if not len(geoms):
        return None
    b = shapely.total_bounds(geoms)
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def pand_ids(panden: gpd.GeoDataFrame) -> np.ndarray:
    """The panden's identificaties as an object array (None where missing)."""
    if "identificatie" not in panden.columns:
        return np.full(len(panden), None, dtype=object)
    col = panden["identificatie"]
    return col.astype(object).where(col.notna(), None).to_numpy()


def verblijfsobjecten_of(dataset: Dataset, panden: gpd.GeoDataFrame) -> pd.DataFrame:
    """The verblijfsobjecten that lie in ``panden``: those listing one of their ids in
    ``pand_identificatie`` (``"a;b"`` for one in several panden), found in the panden's window
    (plus :data:`VBO_MARGIN`), and by key within :data:`VBO_KEY_MARGIN` of it, without geometry."""
    empty = pd.DataFrame({"identificatie": [], "pand_identificatie": []})
    if "verblijfsobject" not in dataset or not len(panden):
        return empty
    ids = {str(i) for i in pand_ids(panden) if i is not None}
    box = panden_bounds(panden)
    if not ids or box is None:
        return empty
    m = VBO_MARGIN
    frames = [dataset.features("verblijfsobject", bbox=(box[0] - m, box[1] - m, box[2] + m, box[3] + m))]
    # a verblijfsobject drawn outside its pand's window is still found by its key
    k = VBO_KEY_MARGIN
    frames.append(dataset.features("verblijfsobject", bbox=(box[0] - k, box[1] - k, box[2] + k, box[3] + k),
                                   where={"pand_identificatie": sorted(ids)}))
    frame = pd.DataFrame(pd.concat([f.drop(columns=f.geometry.name) for f in frames], ignore_index=True))
    if "pand_identificatie" not in frame.columns or not len(frame):
        return empty
    key = "identificatie" if "identificatie" in frame.columns else None
    if key is not None:
        frame = frame.drop_duplicates(subset=[key], keep="first")
    owners = frame["pand_identificatie"].astype(object).where(frame["pand_identificatie"].notna(), "")
    mine = np.array([any(p.strip() in ids for p in str(o).split(";")) for o in owners], dtype=bool)
    frame = frame[mine]
    if key is not None:  # the layer's row order does not matter below; a stable order does
        frame = frame.sort_values(key, kind="stable")
    return frame.reset_index(drop=True)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Row dicts with plain Python values (None for nulls), as the store's records."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records") if len(frame) else []


def addresses_by_pand(dataset: Dataset, panden: gpd.GeoDataFrame,
                      vbo: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """BAG pand id -> the sorted display addresses of the verblijfsobjecten in it, for
    ``panden``: :func:`omgevingskaart.geocode.addresses_by_pand`'s answer, built from the
    verblijfsobjecten already read for the area (``vbo``), which the 3D views also need for the
    gebruiksdoel, so the area costs one window query."""
    vbo = verblijfsobjecten_of(dataset, panden) if vbo is None else vbo
    ids = {str(i) for i in pand_ids(panden) if i is not None}
    out: dict[str, list[str]] = {}
    for rec in _records(vbo):
        for pid in (rec.get("pand_identificatie") or "").split(";"):
            pid = pid.strip()
            if pid in ids:
                out.setdefault(pid, []).append(display_address(rec))
    for v in out.values():
        v.sort()
    return out


def gebruiksdoel_by_pand(dataset: Dataset, panden: gpd.GeoDataFrame,
                         vbo: pd.DataFrame | None = None) -> dict[str, str]:
    """BAG pand id -> its gebruiksdoel: the one of its verblijfsobjecten, "meerdere
    gebruiksdoelen" when they differ (a shop with flats above), for ``panden``."""
    vbo = verblijfsobjecten_of(dataset, panden) if vbo is None else vbo
    out: dict[str, str] = {}
    if "gebruiksdoel" not in vbo.columns or "pand_identificatie" not in vbo.columns:
        return out
    ids = {str(i) for i in pand_ids(panden) if i is not None}
    frame = pd.DataFrame({"p": vbo["pand_identificatie"].astype(object),
                          "g": vbo["gebruiksdoel"].astype(object)}).dropna()
    # a verblijfsobject in several panden counts for each (as its addresses do)
    frame["p"] = frame["p"].astype(str).str.split(";")
    frame = frame.explode("p")
    frame["p"] = frame["p"].str.strip()
    frame = frame[frame["p"].isin(ids)]
    # a BAG verblijfsobject may list several gebruiksdoelen, comma-separated
    frame["g"] = frame["g"].astype(str).str.split(",")
    frame = frame.explode("g")
    frame["g"] = frame["g"].str.strip().str.lower()
    for pid, uses in frame.groupby("p")["g"]:
        distinct = sorted(set(uses))
        out[str(pid)] = distinct[0] if len(distinct) == 1 else "meerdere gebruiksdoelen"
    return out
