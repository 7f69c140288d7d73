"""Blocks -> percelen and panden: the faces of each block side, cut into lots, with houses on them.

Each convex block is split into the *faces* of its four sides (the points closest to that side:
the block intersected with ``d_i <= d_j`` for the inward distances ``d`` to the side lines). A face
is cut by lines perpendicular to its side at frontage widths that grow from the centre outwards,
and capped at a lot depth; what lies deeper than the cap in every face is the block's
*binnenterrein*, a perceel of its own, so the percelen partition the block. A hoofdgebouw stands at
the front of each lot (shared walls in the centre, side gaps outside), some lots get a bijbehorend
bouwwerk behind the house. Everything is a half-plane clip of the block, so every pand lies in its
lot exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .geom import Ring, area, box_planes, clip_all, dot, inward_normal, norm, uniform
from .streets import EXTENT, MARKT, Network

#: blocks with a special use, by offset from the Markt cell.
SPECIAL_BLOCKS: dict[tuple[int, int], str] = {
    (3, 2): "park",
    (-3, -2): "school",
    (2, -3): "zorg",
    (-2, 3): "kerk2",
}


@dataclass
class Lot:
    """One perceel-to-be along a street, or a block's interior or special-use parcel."""

    ring: Ring
    cell: tuple[int, int]
    side: int  # 0 S, 1 E, 2 N, 3 W; -1 for binnenterrein / whole-block parcels
    zone: str  # centrum, gemengd, wonen, park, school, zorg, kerk2, markt, kerk
    style: str = ""  # rij, twee-onder-een-kap, vrijstaand, binnenterrein, blok
    position: float = 0.0  # along the side, for numbering
    setback: float = 0.0
    face: int = -1  # index of the face (block side) this lot belongs to


@dataclass
class Building:
    ring: Ring
    lot: int
    hoofd: bool
    depth: float = 0.0
    #: the half-planes that cut this building out of its lot ring (lot ring ∩ planes == ring)
    planes: list[tuple[np.ndarray, float]] = field(default_factory=list)


@dataclass
class Face:
    """A block side: the street it fronts and the depth band its houses stand in."""

    cell: tuple[int, int]
    side: int
    zone: str
    planes: list[tuple[np.ndarray, float]]  # the face's own half-planes
    normal: np.ndarray
    offset: float  # c: d(p) = normal . p - offset
    setback: float
    max_depth: float = 0.0
    lots: list[int] = field(default_factory=list)


@dataclass
class Layout:
    lots: list[Lot] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    faces: list[Face] = field(default_factory=list)


def zone_of(centre: np.ndarray) -> str:
    r = norm(centre - MARKT)
    if r < 230.0:
        return "centrum"
    if r < 400.0:
        return "gemengd"
    return "wonen"


def layout(net: Network, rng: np.random.Generator) -> Layout:
    """Lots and buildings of every block except the Markt square (done in :mod:`.special`)."""
    out = Layout()
    box = box_planes(*EXTENT)
    mi, mj = net.markt_cell
    for cell in sorted(net.blocks):
        if cell == (mi, mj):
            continue
        block = net.blocks[cell]
        clipped = clip_all(block, box)
        if area(clipped) <= 0.0:
            continue
        if area(clipped) < 200.0:  # a sliver of a block at the edge of the extent
            out.lots.append(Lot(clipped, cell, -1, zone_of(block.mean(axis=0)), "binnenterrein"))
            continue
        special = SPECIAL_BLOCKS.get((cell[0] - mi, cell[1] - mj))
        if special:
            out.lots.append(Lot(clipped, cell, -1, special, "blok"))
            continue
        fronts = [net.block_edge(cell, k) in net.segments for k in range(4)]
        _street_block(out, block, cell, zone_of(block.mean(axis=0)), rng, box, fronts)
    return out


def _widths(zone: str, style: str, rng: np.random.Generator) -> tuple[float, float]:
    if zone == "centrum":
        return 5.0, 8.0
    if zone == "gemengd":
        return 6.0, 10.0
    return {"rij": (5.5, 7.0), "twee-onder-een-kap": (8.0, 11.0)}.get(style, (12.0, 17.0))


def _street_block(out: Layout, block: Ring, cell: tuple[int, int], zone: str,
                  rng: np.random.Generator, box: list[tuple[np.ndarray, float]],
                  fronts: list[bool]) -> None:
    normals = []
    offsets = []
    us = []
    for k in range(4):
        u, n = inward_normal(block[k], block[(k + 1) % 4])
        us.append(u)
        normals.append(n)
        offsets.append(dot(n, block[k]))
    lot_depth = uniform(rng, 30.0, 40.0)
    for side in range(4):
        n_i, c_i, u = normals[side], offsets[side], us[side]
        planes = [(n_i - normals[j], c_i - offsets[j]) for j in range(4) if j != side]
        face_ring = clip_all(block, planes)
        if area(face_ring) <= 1e-6:
            continue
        if zone == "wonen":
            style = str(rng.choice(["rij", "twee-onder-een-kap", "vrijstaand"], p=[0.4, 0.35, 0.25]))
            setback = uniform(rng, 3.0, 6.0)
        elif zone == "gemengd":
            style = "rij"
            setback = float(rng.choice([0.0, 0.0, 2.0, 3.0]))
        else:
            style = "rij"
            setback = 0.0
        face = Face(cell, side, zone, planes, n_i, c_i, setback)
        fi = len(out.faces)
        out.faces.append(face)
        s0 = dot(u, block[side])
        length = norm(block[(side + 1) % 4] - block[side])
        lo, hi = _widths(zone, style, rng)
        cuts = [0.0]
        corner = 0.55 * lot_depth
        while True:
            w = uniform(rng, lo, hi)
            if len(cuts) == 1:
                w += corner
            if cuts[-1] + w > length - (lo + corner):
                break
            cuts.append(cuts[-1] + w)
        cuts.append(length)
        band = (n_i, c_i + lot_depth)
        slabs: list[tuple[float, float]] = []
        for k in range(len(cuts) - 1):
            t0, t1 = cuts[k], cuts[k + 1]
            ring = clip_all(face_ring, [(-u, -(s0 + t0)), (u, s0 + t1), band, *box])
            if area(ring) <= 1e-6:
                continue
            if slabs and area(ring) < 20.0:  # too small to be a lot: join the previous one
                slabs[-1] = (slabs[-1][0], t1)
            else:
                slabs.append((t0, t1))
        if len(slabs) > 1 and area(clip_all(face_ring, [(-u, -(s0 + slabs[0][0])),
                                                        (u, s0 + slabs[0][1]), band, *box])) < 20.0:
            slabs[1] = (slabs[0][0], slabs[1][1])
            slabs.pop(0)
        for k, (t0, t1) in enumerate(slabs):
            slab = [(-u, -(s0 + t0)), (u, s0 + t1)]
            ring = clip_all(face_ring, [*slab, band, *box])
            li = len(out.lots)
            lot = Lot(ring, cell, side, zone, style, 0.5 * (t0 + t1), setback, fi)
            out.lots.append(lot)
            face.lots.append(li)
            if not fronts[side]:  # the street it would face lies outside the extent
                continue
            # the hoofdgebouw
            if style == "vrijstaand":
                gl = gr = uniform(rng, 2.0, 3.5)
            elif style == "twee-onder-een-kap":
                gl, gr = (uniform(rng, 2.5, 3.5), 0.0) if k % 2 == 0 else (0.0, uniform(rng, 2.5, 3.5))
            else:
                gl = gr = 0.0
            depth = uniform(rng, 12.0, 20.0) if zone == "centrum" else uniform(rng, 9.0, 15.0)
            bplanes = [(-u, -(s0 + t0 + gl)), (u, s0 + t1 - gr),
                       (-n_i, -(c_i + setback)), (n_i, c_i + setback + depth)]
            full = clip_all(clip_all(face_ring, [*slab, band]), bplanes)
            house = clip_all(full, box)
            if area(house) < 25.0 or area(house) < 0.6 * area(full):
                continue
            out.buildings.append(Building(house, li, True, depth, bplanes))
            face.max_depth = max(face.max_depth, depth)
            # a bijbehorend bouwwerk behind the house on some residential lots
            if zone != "centrum" and rng.random() < 0.45:
                width = min(uniform(rng, 3.0, 5.0), (t1 - t0) - 2.0)
                adepth = uniform(rng, 3.0, 4.5)
                d0 = setback + depth + uniform(rng, 1.5, 4.0)
                if width < 2.5 or d0 + adepth > lot_depth - 1.0:
                    continue
                mid = s0 + 0.5 * (t0 + t1) + uniform(rng, -0.2, 0.2) * (t1 - t0 - width)
                aplanes = [(-u, -(mid - width / 2)), (u, mid + width / 2),
                           (-n_i, -(c_i + d0)), (n_i, c_i + d0 + adepth)]
                annex = clip_all(ring, aplanes)
                if area(annex) > 6.0:
                    out.buildings.append(Building(annex, li, False, adepth, aplanes))
    inner = clip_all(block, [(-normals[k], -(offsets[k] + lot_depth)) for k in range(4)])
    inner = clip_all(inner, box)
    if area(inner) > 1e-6:
        out.lots.append(Lot(inner, cell, -1, zone, "binnenterrein"))
