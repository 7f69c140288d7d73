"""Special-use blocks: the Markt square with its church, and campus blocks (school, zorg, kerk).

The Markt cell is left unbuilt: a public square (Verkeer - Verblijfsgebied) with a Jacobskerk-like
church (nave plus a tall west tower) on its own perceel in the middle. Campus blocks are one perceel
each with one or two large buildings at the front of their south side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from .geom import (
    GRID,
    Ring,
    area,
    box_planes,
    clip_all,
    dot,
    inward_normal,
    minus_inner,
    mm,
    norm,
    to_polygon,
    uniform,
)
from .parcels import Layout, Lot
from .streets import EXTENT, Network


@dataclass
class Special:
    """Shapely pieces of the Markt and campus blocks, beside the ring-based layout."""

    markt_plein: shapely.Geometry
    kerk_perceel: shapely.Geometry
    kerk: shapely.Geometry
    #: (lot index in layout, footprint ring, role, half-planes cutting it from the lot ring)
    campus: list[tuple[int, Ring, str, list[tuple[np.ndarray, float]]]]
    pond: shapely.Geometry | None


def _frame(ring: Ring) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u, n = inward_normal(ring[0], ring[1])
    c = shapely.centroid(to_polygon(ring))
    return np.array([mm(c.x), mm(c.y)]), u, n


def _rect(c: np.ndarray, u: np.ndarray, n: np.ndarray, s0: float, s1: float,
          t0: float, t1: float) -> Ring:
    return np.array([c + u * s0 + n * t0, c + u * s1 + n * t0, c + u * s1 + n * t1,
                     c + u * s0 + n * t1])


def build_special(net: Network, lay: Layout, rng: np.random.Generator) -> Special:
    """The Markt square, the church, campus buildings and the park pond."""
    mi, mj = net.markt_cell
    block = net.blocks[(mi, mj)]
    c, u, n = _frame(block)
    # nave (-14..21 x -7.5..7.5) with a west tower (-23..-13.5 x -4.5..4.5): their outline,
    # written down rather than overlaid
    outline = [(-23.0, -4.5), (-14.0, -4.5), (-14.0, -7.5), (21.0, -7.5), (21.0, 7.5),
               (-14.0, 7.5), (-14.0, 4.5), (-23.0, 4.5)]
    kerk = to_polygon(np.array([c + u * a + n * b for a, b in outline]))
    kerk_perceel = to_polygon(_rect(c, u, n, -29.0, 27.0, -13.0, 13.0))
    plein = minus_inner(to_polygon(block), kerk_perceel)
    campus: list[tuple[int, Ring, str, list[tuple[np.ndarray, float]]]] = []
    pond = None
    box = box_planes(*EXTENT)
    for li, lot in enumerate(lay.lots):
        if lot.style != "blok":
            continue
        blk = net.blocks[lot.cell]
        u0, n0 = inward_normal(blk[0], blk[1])
        s_base = dot(u0, blk[0])
        c0 = dot(n0, blk[0])
        length = norm(blk[1] - blk[0])

        def band(s0: float, s1: float, d0: float, d1: float, blk: Ring = blk,
                 u0: np.ndarray = u0, n0: np.ndarray = n0, s_base: float = s_base,
                 c0: float = c0) -> tuple[Ring, list[tuple[np.ndarray, float]]]:
            planes = [(-u0, -(s_base + s0)), (u0, s_base + s1), (-n0, -(c0 + d0)), (n0, c0 + d1)]
            return clip_all(blk, [*planes, *box]), planes

        if lot.zone == "park":
            pc = shapely.centroid(to_polygon(lot.ring))
            a, b = uniform(rng, 18.0, 26.0), uniform(rng, 10.0, 15.0)
            ang = uniform(rng, 0.0, math.pi)
            ca, sa = math.cos(ang), math.sin(ang)
            pts = []
            for k in range(48):  # an ellipse with a wobble, each vertex rounded to the mm at once
                t = 2 * math.pi * k / 48
                w = 1.0 + 0.08 * math.sin(3 * t + ang)
                ex, ey = a * w * math.cos(t), b * w * math.sin(t)
                pts.append((mm(pc.x + ca * ex - sa * ey), mm(pc.y + sa * ex + ca * ey)))
            pond = shapely.polygons(pts)
            if not shapely.contains_properly(to_polygon(lot.ring), pond):
                pond = shapely.intersection(pond, to_polygon(lot.ring), grid_size=GRID)
            continue
        front = min(70.0, length - 24.0)
        if lot.zone == "school":
            parts = [(band(12.0, 12.0 + front, 8.0, 24.0), "school"),
                     (band(14.0, 44.0, 32.0, 52.0), "gymzaal")]
        elif lot.zone == "zorg":
            parts = [(band(14.0, 14.0 + min(front, 45.0), 6.0, 20.0), "gezondheidscentrum"),
                     (band(20.0, 40.0, 28.0, 40.0), "apotheek")]
        else:
            parts = [(band(20.0, 50.0, 8.0, 22.0), "kerkgebouw")]
        for (ring, planes), role in parts:
            if area(ring) > 50.0:
                campus.append((li, ring, role, planes))
    lay.lots.append(Lot(np.empty((0, 2)), (mi, mj), -1, "markt", "plein"))
    lay.lots.append(Lot(np.empty((0, 2)), (mi, mj), -1, "kerk", "kerk"))
    return Special(plein, kerk_perceel, kerk, campus, pond)
