"""The buildings of an area as meshes with their attributes: what ``export-3d`` writes.

:func:`area_meshes` selects the panden whose footprint intersects a bounding box (whole buildings,
not clipped: a building on the edge is exported entirely), builds LoD 1.2 blocks from their 3D BAG
heights (``b3_h_maaiveld`` to ``b3_h_dak_70p``) and, when a 3D BAG CityJSON is given and ``lod``
is ``"2.2"``, uses its LoD 2.2 surfaces for the buildings it holds. Panden without heights are
left out (counted in :attr:`AreaExport.skipped`): a block of invented height would mislead in VR.

Only the area is read: the panden in the box, and the plan objects and verblijfsobjecten in the
window of those panden (:mod:`omgevingskaart.viz.panden`), so an export of a fixed area costs the
same time and memory whatever the dataset's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..viz.exceedance import first_address, max_heights
from ..viz.mesh import MeshSet, extrude, from_building_meshes
from ..viz.panden import (
    addresses_by_pand,
    gebruiksdoel_by_pand,
    pand_ids,
    select_panden,
    verblijfsobjecten_of,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from ..dataset import Dataset


@dataclass
class AreaExport:
    mesh: MeshSet
    attributes: dict[str, dict[str, Any]]
    #: the exported panden (rows of the pand layer, in its order), in the order of ``mesh``
    panden: gpd.GeoDataFrame
    skipped: list[str] = field(default_factory=list)
    lod_counts: dict[str, int] = field(default_factory=dict)


def _num(frame: Any, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return np.asarray(frame[name].to_numpy(dtype=float, na_value=np.nan))


def building_attributes(dataset: Dataset, panden: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    """Per pand id the attributes for a glTF node's extras (plan and addresses read for the
    panden's window only)."""
    pand = panden.reset_index(drop=True)
    ids = pand_ids(pand)
    ground = _num(pand, "b3_h_maaiveld")
    r70 = _num(pand, "b3_h_dak_70p")
    rmax = _num(pand, "b3_h_dak_max")
    year = _num(pand, "bouwjaar")
    status = pand["status"].astype(object).to_numpy() if "status" in pand else [None] * len(pand)
    heights = max_heights(dataset, pand)
    vbo = verblijfsobjecten_of(dataset, pand)
    addresses = addresses_by_pand(dataset, pand, vbo)
    uses = gebruiksdoel_by_pand(dataset, pand, vbo)
    out: dict[str, dict[str, Any]] = {}
    for k, pid in enumerate(ids):
        pid = str(pid)
        out[pid] = {
            "identificatie": pid,
            "adres": first_address(addresses, pid),
            "bouwjaar": int(year[k]) if math.isfinite(year[k]) else None,
            "status": status[k],
            "gebruiksdoel": uses.get(pid),
            "hoogte": round(float(r70[k] - ground[k]), 2) if math.isfinite(r70[k] - ground[k])
            else None,
            "b3_h_maaiveld": ground[k],
            "b3_h_dak_70p": r70[k],
            "b3_h_dak_max": rmax[k],
            "max_bouwhoogte": heights["max_bouwhoogte_m"].iloc[k],
            "overschrijding": heights["overschrijding_m"].iloc[k],
            "bestemming": heights["bestemming"].iloc[k],
        }
    return out


def area_meshes(dataset: Dataset, bbox: tuple[float, float, float, float] | None = None, *,
                lod: str = "1.2", cityjson: str | Path | None = None) -> AreaExport:
    """Meshes (RD/NAP) and attributes of the panden intersecting ``bbox`` (all when None)."""
    pand = select_panden(dataset, bbox=bbox)
    ids = pand_ids(pand).astype(str)
    ground = _num(pand, "b3_h_maaiveld")
    roof = _num(pand, "b3_h_dak_70p")
    lod22: dict[str, Any] = {}
    if lod == "2.2" and cityjson is not None:
        from ..io.cityjson import read_cityjson_surfaces

        lod22 = read_cityjson_surfaces(cityjson, lod="2.2")
    has22 = np.array([i in lod22 for i in ids], dtype=bool)
    ok = np.isfinite(ground) & np.isfinite(roof) & (roof > ground)
    block = ok & ~has22
    geoms = pand.geometry.to_numpy()
    blocks = extrude(geoms[block], ground[block], roof[block], list(ids[block]))
    sets = [blocks]
    if has22.any():
        sets.append(from_building_meshes(lod22[i] for i in ids[has22]))
    mesh = _concat(sets, order=list(ids[block | has22]))
    keep = pand[block | has22].reset_index(drop=True)
    return AreaExport(mesh, building_attributes(dataset, keep), keep,
                      skipped=list(ids[~(block | has22)]),
                      lod_counts={"1.2": int(block.sum()), "2.2": int(has22.sum())})


def _concat(sets: list[MeshSet], order: list[str]) -> MeshSet:
    """Merge mesh sets and put the buildings in ``order`` (ids)."""
    if len(sets) == 1:
        merged = sets[0]
    else:
        vs, ts, voff, toff, ids = [], [], [0], [0], []
        for m in sets:
            ids += m.ids
            ts.append(m.triangles + voff[-1])
            vs.append(m.vertices)
            voff += (m.vertex_offsets[1:] + voff[-1]).tolist()
            toff += (m.triangle_offsets[1:] + toff[-1]).tolist()
        merged = MeshSet(ids, np.concatenate(vs), np.concatenate(ts),
                         np.asarray(voff, dtype=np.int64), np.asarray(toff, dtype=np.int64),
                         "+".join(sorted({m.lod for m in sets})))
    where = {b: i for i, b in enumerate(merged.ids)}
    sub = merged.subset([where[b] for b in order])
    sub.lod = merged.lod
    return sub
