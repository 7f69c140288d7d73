"""Put the finished demo layers on the millimetre grid, partitions without gaps or slivers.

The generator computes in plain floats (:mod:`.geom`); its overlays already work on the grid
(``grid_size=GRID``). Before writing, every coordinate is put on the millimetre grid:

* a partition (percelen; enkelbestemmingen; BGT ground with the panden) is snapped *as a whole*:
  the boundaries of all its polygons are noded together on the grid (GEOS snap-rounding,
  ``union_all(..., grid_size)``), polygonized, and each face goes back to the polygon its interior
  point lies in. Rounding each polygon on its own would open or overlap slivers wherever one
  polygon's vertex lies on another's edge; this way neighbours share every vertex;
* every other geometry is rounded vertex by vertex (``set_precision(..., mode="pointwise")``);
* every geometry is normalised (``shapely.normalize``: a fixed ring start and orientation), so the
  written bytes do not depend on the order in which an overlay happened to return its vertices.

>>> import shapely
>>> a = shapely.box(0, 0, 1.00004, 1)
>>> b = shapely.box(1.00004, 0, 2, 0.5)
>>> [g.wkt for g in snap_partition(np.array([a, b]))]
['POLYGON ((0 0, 0 1, 1 1, 1 0.5, 1 0, 0 0))', 'POLYGON ((1 0, 1 0.5, 2 0.5, 2 0, 1 0))']
"""

from __future__ import annotations

import numpy as np
import shapely

from .geom import GRID


def snap_partitions(partitions: list[np.ndarray], grid: float = GRID) -> list[np.ndarray]:
    """Several partitions of the same area put on the grid *together*, normalised.

    The boundaries of all their polygons are noded on the grid at once and polygonized into faces;
    each polygon of each partition becomes the union of the faces whose interior point lies in it,
    so polygons of different partitions that share an edge (a perceel and the BGT pieces in it)
    share it exactly too. A face that lies in no polygon of a partition (a gap of float rounding
    between two neighbours) goes to the polygon of the neighbouring face it shares the longest
    edge with. A polygon that collapses on the grid comes back empty.
    """
    arrays = [np.asarray(g, dtype=object) for g in partitions]
    lines = shapely.union_all(shapely.boundary(np.concatenate(arrays)), grid_size=grid)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    faces = faces[shapely.area(faces) > 0]
    inner = shapely.point_on_surface(faces)
    face_tree = shapely.STRtree(faces)
    return [_assemble(faces, _owners(faces, inner, face_tree, geoms, grid), len(geoms), grid)
            for geoms in arrays]


def snap_partition(geoms: np.ndarray, grid: float = GRID) -> np.ndarray:
    """One partition on the grid (see :func:`snap_partitions`)."""
    return snap_partitions([geoms], grid)[0]


def _owners(faces: np.ndarray, inner: np.ndarray, face_tree: shapely.STRtree, geoms: np.ndarray,
            grid: float) -> np.ndarray:
    face_idx, geom_idx = shapely.STRtree(geoms).query(inner, predicate="within")
    owner = np.full(len(faces), -1)
    owner[face_idx[::-1]] = geom_idx[::-1]  # a face inside two (overlapping) polygons: the first
    lost = np.flatnonzero(owner < 0)
    while len(lost):
        f_idx, n_idx, shared = _shared_edges(faces, face_tree, lost, owner, grid)
        if len(f_idx) == 0:
            break  # faces outside every polygon (none in a partition of one area)
        order = np.lexsort((owner[n_idx], -shared, f_idx))[::-1]  # per face: longest, then first
        for k in order:
            owner[lost[f_idx[k]]] = owner[n_idx[k]]
        lost = np.flatnonzero(owner < 0)
    # a small face that shares no edge with the rest of its polygon (it touches it in a point,
    # left over from a sliver between two neighbours): to the neighbour it shares the longest edge
    # with, so that every polygon stays in one piece
    small = np.flatnonzero(shapely.area(faces) < 1.0)
    f_idx, n_idx, shared = _shared_edges(faces, face_tree, small, owner, grid)
    same = owner[small[f_idx]] == owner[n_idx]
    connected = np.zeros(len(small), dtype=bool)
    connected[f_idx[same & (shared > 0)]] = True
    several = np.bincount(owner[owner >= 0], minlength=len(geoms))[owner[small]] > 1
    for k in np.lexsort((owner[n_idx], -shared, f_idx))[::-1]:
        f = f_idx[k]
        if several[f] and not connected[f] and shared[k] > 0:
            owner[small[f]] = owner[n_idx[k]]
    return owner


def _shared_edges(faces: np.ndarray, face_tree: shapely.STRtree, which: np.ndarray,
                  owner: np.ndarray, grid: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index into ``which``, neighbouring owned face, length of their common boundary)."""
    f_idx, n_idx = face_tree.query(faces[which], predicate="touches")
    keep = (owner[n_idx] >= 0) & (n_idx != which[f_idx])
    f_idx, n_idx = f_idx[keep], n_idx[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(faces[which][f_idx]),
                                                 shapely.boundary(faces[n_idx]), grid_size=grid))
    return f_idx, n_idx, shared


def _assemble(faces: np.ndarray, owner: np.ndarray, n: int, grid: float) -> np.ndarray:
    out = np.empty(n, dtype=object)
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(n + 1))
    for g in range(n):
        mine = faces[order[bounds[g]:bounds[g + 1]]]
        if len(mine) == 0:
            out[g] = shapely.Polygon()
        elif len(mine) == 1:
            out[g] = mine[0]
        else:
            out[g] = shapely.coverage_union_all(mine)
    return shapely.normalize(out)


def on_grid(geoms: np.ndarray, grid: float = GRID) -> np.ndarray:
    """``geoms`` with every vertex rounded to the grid, normalised."""
    geoms = np.asarray(geoms, dtype=object)
    return shapely.normalize(shapely.set_precision(geoms, grid, mode="pointwise"))
