"""Triangle meshes of buildings: LoD 1.2 blocks extruded from footprints, LoD 2.2 from CityJSON.

:func:`extrude` turns footprints (RD New) with a base and a top height (m NAP) into closed blocks:
walls, an earcut-triangulated roof at the top height and the same polygon reversed as the floor.
Everything but the earcut call is vectorised over all buildings at once (shapely 2 ``get_parts`` /
``get_rings`` / ``get_coordinates`` with their indexes, numpy for walls and index remapping); the
earcut call (mapbox_earcut) runs once per polygon part, the unit it triangulates.

Winding: polygons are oriented first (``shapely.orient_polygons``: exterior counter-clockwise,
holes clockwise, seen from above), so a wall triangle ``(a_bottom, b_bottom, b_top)`` faces outward
(into the hole for holes), roofs face up and floors face down: a closed, consistently wound solid,
as glTF viewers and VR engines expect for back-face culling.

:func:`from_building_meshes` packs :class:`~omgevingskaart.io.cityjson.BuildingMesh` objects
(LoD 2.2 roofs from the 3D BAG, via ``read_cityjson_surfaces``) into the same :class:`MeshSet`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mapbox_earcut
import numpy as np
import shapely

if TYPE_CHECKING:
    from ..io.cityjson import BuildingMesh


@dataclass
class MeshSet:
    """Triangle meshes of several buildings in one set of arrays, grouped per building.

    Building ``i`` owns vertices ``vertex_offsets[i]:vertex_offsets[i+1]`` and triangles
    ``triangle_offsets[i]:triangle_offsets[i+1]`` (global vertex indices). Coordinates are RD New x,
    y and NAP z (EPSG:7415), in metres.
    """

    ids: list[str]
    vertices: np.ndarray  # (n, 3) float64
    triangles: np.ndarray  # (m, 3) int64, global vertex indices
    vertex_offsets: np.ndarray  # (k + 1,) int64
    triangle_offsets: np.ndarray  # (k + 1,) int64
    lod: str = "1.2"
    semantics: np.ndarray | None = field(default=None)  # (m,) surface type per triangle

    def __len__(self) -> int:
        return len(self.ids)

    def building(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Vertices (local copy) and triangles (indices into them) of building ``i``."""
        v0, v1 = int(self.vertex_offsets[i]), int(self.vertex_offsets[i + 1])
        t0, t1 = int(self.triangle_offsets[i]), int(self.triangle_offsets[i + 1])
        return self.vertices[v0:v1], self.triangles[t0:t1] - v0

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(min xyz, max xyz) over all vertices."""
        return self.vertices.min(axis=0), self.vertices.max(axis=0)

    def subset(self, keep: Sequence[int] | np.ndarray) -> MeshSet:
        """The buildings ``keep`` (indices, in that order) as a new set."""
        keep = np.asarray(keep, dtype=np.int64)
        vs, ts, sems, voff, toff = [], [], [], [0], [0]
        for i in keep.tolist():
            v, t = self.building(i)
            ts.append(t + voff[-1])
            vs.append(v)
            if self.semantics is not None:
                sems.append(self.semantics[self.triangle_offsets[i]:self.triangle_offsets[i + 1]])
            voff.append(voff[-1] + len(v))
            toff.append(toff[-1] + len(t))
        return MeshSet(
            [self.ids[i] for i in keep.tolist()],
            np.concatenate(vs) if vs else np.empty((0, 3)),
            np.concatenate(ts) if ts else np.empty((0, 3), dtype=np.int64),
            np.asarray(voff, dtype=np.int64), np.asarray(toff, dtype=np.int64), self.lod,
            np.concatenate(sems) if sems else None,
        )


def _group(bld_v: np.ndarray, verts: np.ndarray, tris: np.ndarray, n: int) -> tuple[
        np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reorder vertices and triangles so that each building's are contiguous."""
    order = np.argsort(bld_v, kind="stable")
    new_index = np.empty_like(order)
    new_index[order] = np.arange(len(order))
    verts = verts[order]
    tris = new_index[tris]
    bld_t = bld_v[order][tris[:, 0]] if len(tris) else np.empty(0, dtype=np.int64)
    torder = np.argsort(bld_t, kind="stable")
    tris = tris[torder]
    voff = np.r_[0, np.cumsum(np.bincount(bld_v, minlength=n))].astype(np.int64)
    toff = np.r_[0, np.cumsum(np.bincount(bld_t, minlength=n))].astype(np.int64)
    return verts, tris, voff, toff


def extrude(geoms: Iterable[Any] | np.ndarray, base: np.ndarray, top: np.ndarray,
            ids: Sequence[str] | None = None, *, floor: bool = True) -> MeshSet:
    """Closed LoD 1.2 blocks: each footprint (Polygon / MultiPolygon, RD New) from ``base`` to
    ``top`` (m NAP, one value per footprint, finite, ``top > base``).

    Returns a :class:`MeshSet` with one entry per footprint, in input order. Floors are left out
    with ``floor=False`` (for on-screen views that never look from below).
    """
    geoms = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)
    base = np.asarray(base, dtype=np.float64)
    top = np.asarray(top, dtype=np.float64)
    n = len(geoms)
    if not (len(base) == len(top) == n):
        raise ValueError("geoms, base and top must have the same length")
    if n and not (np.all(np.isfinite(base)) and np.all(np.isfinite(top)) and np.all(top > base)):
        raise ValueError("base and top must be finite with top > base")
    ids = [str(i) for i in (ids if ids is not None else range(n))]
    if n == 0:
        return MeshSet([], np.empty((0, 3)), np.empty((0, 3), dtype=np.int64),
                       np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64), "1.2")
    parts, part_bld = shapely.get_parts(geoms, return_index=True)
    polys = shapely.get_type_id(parts) == 3
    parts, part_bld = parts[polys], part_bld[polys]
    parts = shapely.orient_polygons(shapely.force_2d(parts))
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    coord_bld = part_bld[ring_part[coord_ring]]
    # walls: one quad per ring edge (consecutive coordinates of the same closed ring)
    same = coord_ring[1:] == coord_ring[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    wb = coord_bld[:-1][same]
    zb, zt = base[wb], top[wb]
    ne = len(a)
    wall_v = np.empty((ne, 4, 3))
    wall_v[:, 0, :2], wall_v[:, 0, 2] = a, zb
    wall_v[:, 1, :2], wall_v[:, 1, 2] = b, zb
    wall_v[:, 2, :2], wall_v[:, 2, 2] = b, zt
    wall_v[:, 3, :2], wall_v[:, 3, 2] = a, zt
    q = (np.arange(ne, dtype=np.int64) * 4)[:, None]
    wall_t = np.concatenate([q + np.array([0, 1, 2]), q + np.array([0, 2, 3])])
    wall_bld = np.repeat(wb, 4)
    # roof (and floor): earcut per polygon part on its open rings (closing point dropped)
    last = np.r_[coord_ring[1:] != coord_ring[:-1], True]
    oc = coords[~last]
    o_ring = coord_ring[~last]
    ring_len = np.bincount(o_ring, minlength=len(rings))
    ring_end = np.cumsum(ring_len)
    ring_start = ring_end - ring_len
    part_first_ring = np.searchsorted(ring_part, np.arange(len(parts) + 1))
    tri_chunks = []
    for p in range(len(parts)):
        r0, r1 = part_first_ring[p], part_first_ring[p + 1]
        s = ring_start[r0]
        ends = (ring_end[r0:r1] - s).astype(np.uint32)
        local = np.asarray(mapbox_earcut.triangulate_float64(oc[s:ring_end[r1 - 1]], ends),
                           dtype=np.int64).reshape(-1, 3)
        tri_chunks.append(local + s)
    roof_t = np.concatenate(tri_chunks) if tri_chunks else np.empty((0, 3), dtype=np.int64)
    if len(roof_t):  # make every roof triangle counter-clockwise seen from above
        p0, p1, p2 = oc[roof_t[:, 0]], oc[roof_t[:, 1]], oc[roof_t[:, 2]]
        cross = (p1[:, 0] - p0[:, 0]) * (p2[:, 1] - p0[:, 1]) - (
            p1[:, 1] - p0[:, 1]) * (p2[:, 0] - p0[:, 0])
        flip = cross < 0
        roof_t[flip] = roof_t[flip][:, [0, 2, 1]]
    o_bld = part_bld[ring_part[o_ring]]
    roof_v = np.column_stack([oc, top[o_bld]])
    blocks_v = [wall_v.reshape(-1, 3), roof_v]
    blocks_t = [wall_t, roof_t + len(wall_bld)]
    blocks_b = [wall_bld, o_bld]
    if floor:
        floor_v = np.column_stack([oc, base[o_bld]])
        blocks_v.append(floor_v)
        blocks_t.append(roof_t[:, [0, 2, 1]] + len(wall_bld) + len(oc))
        blocks_b.append(o_bld)
    verts = np.concatenate(blocks_v)
    tris = np.concatenate(blocks_t)
    bld_v = np.concatenate(blocks_b).astype(np.int64)
    verts, tris, voff, toff = _group(bld_v, verts, tris, n)
    return MeshSet(ids, verts, tris, voff, toff, "1.2")


def from_building_meshes(meshes: Iterable[BuildingMesh]) -> MeshSet:
    """Pack CityJSON building meshes (e.g. LoD 2.2 from ``read_cityjson_surfaces``) into a set."""
    ids, vs, ts, sems, voff, toff = [], [], [], [], [0], [0]
    lod = "2.2"
    for m in meshes:
        ids.append(m.identificatie)
        lod = m.lod
        vs.append(np.asarray(m.vertices, dtype=np.float64))
        ts.append(np.asarray(m.triangles, dtype=np.int64) + voff[-1])
        sems.append(np.asarray(m.semantics, dtype=object))
        voff.append(voff[-1] + len(m.vertices))
        toff.append(toff[-1] + len(m.triangles))
    return MeshSet(
        ids,
        np.concatenate(vs) if vs else np.empty((0, 3)),
        np.concatenate(ts) if ts else np.empty((0, 3), dtype=np.int64),
        np.asarray(voff, dtype=np.int64), np.asarray(toff, dtype=np.int64), lod,
        np.concatenate(sems) if sems else None,
    )


def signed_volume(vertices: np.ndarray, triangles: np.ndarray) -> float:
    """Volume enclosed by a closed, outward-wound triangle mesh (divergence theorem); negative
    when the winding is inward. Used to check solids."""
    if not len(triangles):
        return 0.0
    c = vertices.mean(axis=0)
    a, b, d = (vertices[triangles[:, k]] - c for k in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, d)).sum() / 6.0)
