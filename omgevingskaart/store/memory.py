"""The in-memory index of a layer: its geometries, an STRtree and plain row records.

Built from a whole layer (the GeoPackage backend's small-file mode, and :meth:`Dataset.index` on
any backend for the query modules that still use it), kept in the store's :class:`StoreCache`.

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> idx = build_index(gpd.GeoDataFrame({"identificatie": ["a"]}, geometry=[box(0, 0, 1, 1)]))
>>> idx.records, len(idx.tree.query(box(0.5, 0.5, 2, 2)))
([{'identificatie': 'a'}], 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely


@dataclass(frozen=True)
class LayerIndex:
    """A layer's geometries, STRtree and row records, for fast repeated point queries."""

    geometries: np.ndarray
    tree: shapely.STRtree
    records: list[dict[str, Any]]


def records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Row dicts with plain Python values (None for nulls), geometry excluded."""
    cols = [c for c in frame.columns if c != frame.geometry.name]
    data = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in cols}
    return [{c: data[c][i] for c in cols} for i in range(len(frame))]


def build_index(frame: gpd.GeoDataFrame) -> LayerIndex:
    """Geometries (prepared for fast repeated predicates), their STRtree and the row records."""
    geoms = frame.geometry.to_numpy()
    shapely.prepare(geoms)
    return LayerIndex(geoms, shapely.STRtree(geoms), records(frame))
