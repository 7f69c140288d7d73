"""Convex-polygon helpers of the demo generator: half-plane clipping on vertex arrays.

Every block, face, lot and building of the demo is the intersection of a convex quadrilateral with
half-planes, so it is kept as a counter-clockwise vertex array (``(n, 2)`` float array, ring not
closed) and clipped with Sutherland-Hodgman. Neighbouring pieces cut by the same line get the same
vertices on it, which keeps the partitions (percelen, BGT) free of gaps and slivers.

The arithmetic is CPU-independent: every value is computed one IEEE-754 operation at a time in
plain Python floats (``+ - * /`` and ``math.sqrt`` are correctly rounded everywhere and Python never
fuses a multiply and an add), never with numpy's BLAS-backed ``dot``/``@``/``linalg`` or its
vectorised transcendental functions, whose last bits depend on the CPU's vector instructions.
Random draws go through :func:`uniform` for the same reason. Transcendental functions
(``math.sin``) are only used right before a value is rounded to the millimetre grid (:func:`mm`).

>>> ring = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 3.0], [0.0, 3.0]])
>>> clip(ring, np.array([1.0, 0.0]), 2.5).tolist()          # x <= 2.5
[[0.0, 0.0], [2.5, 0.0], [2.5, 3.0], [0.0, 3.0]]
>>> area(ring), dot((0.6, 0.8), (3.0, 4.0)), mm(1.23456)
(12.0, 5.0, 1.235)
"""

from __future__ import annotations

import math

import numpy as np
import shapely

Ring = np.ndarray  # (n, 2) float, counter-clockwise, not closed

_EPS = 1e-9
#: the coordinate grid of every overlay and of the written file: one millimetre.
GRID = 0.001


def mm(value: float) -> float:
    """``value`` (metres) rounded to the millimetre grid."""
    return round(float(value) * 1000.0) / 1000.0


def uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """The draw ``rng.uniform(lo, hi)`` would give, computed in plain Python floats.

    numpy's C code may fuse ``lo + (hi - lo) * u`` into one multiply-add on some CPUs (a different
    last bit); here each operation is rounded on its own, the same on every machine.
    """
    return lo + (hi - lo) * float(rng.random())


def dot(a: np.ndarray | tuple[float, float], b: np.ndarray | tuple[float, float]) -> float:
    """``a . b`` of two 2-vectors, in plain Python floats (no BLAS)."""
    return float(a[0]) * float(b[0]) + float(a[1]) * float(b[1])


def norm(d: np.ndarray | tuple[float, float]) -> float:
    """The length of a 2-vector (``math.sqrt`` is correctly rounded everywhere)."""
    return math.sqrt(dot(d, d))


def clip(poly: Ring, a: np.ndarray, b: float) -> Ring:
    """The part of ``poly`` where ``a . p <= b`` (Sutherland-Hodgman, one half-plane)."""
    n = len(poly)
    if n == 0:
        return poly
    ax, ay, b = float(a[0]), float(a[1]), float(b)
    pts = poly.tolist()
    vals = [ax * x + ay * y - b for x, y in pts]
    inside = [v <= _EPS for v in vals]
    if all(inside):
        return poly
    if not any(inside):
        return np.empty((0, 2))
    out: list[tuple[float, float]] = []
    for k in range(n):
        k1 = (k + 1) % n
        (px, py), (qx, qy) = pts[k], pts[k1]
        vp, vq = vals[k], vals[k1]
        if inside[k]:
            out.append((px, py))
        if inside[k] != inside[k1]:
            # from the lexicographically smaller end, so that the two rings sharing this edge
            # (traversing it in opposite directions) get the very same point
            if (px, py) <= (qx, qy):
                t = vp / (vp - vq)
                out.append((px + t * (qx - px), py + t * (qy - py)))
            else:
                t = vq / (vq - vp)
                out.append((qx + t * (px - qx), qy + t * (py - qy)))
    if len(out) < 3:
        return np.empty((0, 2))
    return _dedupe(out)


def clip_all(poly: Ring, planes: list[tuple[np.ndarray, float]]) -> Ring:
    """``poly`` clipped by every half-plane ``a . p <= b`` of ``planes``."""
    for a, b in planes:
        poly = clip(poly, a, b)
        if len(poly) == 0:
            break
    return poly


def _dedupe(pts: list[tuple[float, float]]) -> Ring:
    n = len(pts)
    keep = []
    for k in range(n):
        (px, py), (qx, qy) = pts[k], pts[(k + 1) % n]
        if math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py)) > 1e-7:
            keep.append(pts[k])
    return np.array(keep) if len(keep) >= 3 else np.empty((0, 2))


def area(poly: Ring) -> float:
    """Signed shoelace area (positive for counter-clockwise)."""
    n = len(poly)
    if n < 3:
        return 0.0
    pts = poly.tolist()
    twice = 0.0
    for k in range(n):
        (x0, y0), (x1, y1) = pts[k], pts[(k + 1) % n]
        twice += x0 * y1 - x1 * y0
    return 0.5 * twice


def to_polygon(poly: Ring) -> shapely.Polygon:
    """A shapely polygon from a vertex array (not rounded: neighbours must share vertices)."""
    return shapely.polygons(poly)


def union_pieces(pieces: list[shapely.Geometry]) -> shapely.Geometry:
    """The union of polygons that meet along exactly shared edges (a coverage).

    GEOS's coverage union only joins the shared edges: it computes no intersection points, so the
    result's vertices are the inputs' vertices, the same on every CPU.
    """
    if len(pieces) == 1:
        return pieces[0]
    return shapely.coverage_union_all(np.asarray(pieces, dtype=object))


def minus_inner(outer: shapely.Geometry, inner: shapely.Geometry) -> shapely.Geometry:
    """``outer`` minus ``inner``; without an overlay (a polygon with a hole) when ``inner`` lies
    strictly inside ``outer``, else an overlay on the millimetre grid."""
    if (isinstance(outer, shapely.Polygon) and isinstance(inner, shapely.Polygon)
            and shapely.contains_properly(outer, inner)):
        return shapely.Polygon(outer.exterior, [*outer.interiors, inner.exterior])
    return shapely.difference(outer, inner, grid_size=GRID)


def line_intersection(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """The intersection of the lines ``p1 + s d1`` and ``p2 + t d2`` (Cramer's rule)."""
    a, b, c, d = float(d1[0]), -float(d2[0]), float(d1[1]), -float(d2[1])
    rx, ry = float(p2[0]) - float(p1[0]), float(p2[1]) - float(p1[1])
    s = (rx * d - b * ry) / (a * d - b * c)
    return np.array([float(p1[0]) + s * a, float(p1[1]) + s * c])


def inward_normal(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit direction of the edge ``p -> q`` and its left (inward, for a CCW ring) normal."""
    dx, dy = float(q[0]) - float(p[0]), float(q[1]) - float(p[1])
    length = math.sqrt(dx * dx + dy * dy)
    ux, uy = dx / length, dy / length
    return np.array([ux, uy]), np.array([-uy, ux])


def box_planes(xmin: float, ymin: float, xmax: float, ymax: float) -> list[tuple[np.ndarray, float]]:
    """The four half-planes of an axis-aligned box."""
    return [
        (np.array([-1.0, 0.0]), -xmin),
        (np.array([1.0, 0.0]), xmax),
        (np.array([0.0, -1.0]), -ymin),
        (np.array([0.0, 1.0]), ymax),
    ]
