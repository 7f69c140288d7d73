"""Convex-polygon helpers of the demo generator: half-plane clipping on vertex arrays.

Every block, face, lot and building of the demo is the intersection of a convex quadrilateral with
half-planes, so it is kept as a counter-clockwise vertex array (``(n, 2)`` float array, ring not
closed) and clipped with Sutherland-Hodgman. Neighbouring pieces cut by the same line get the same
vertices on it, which keeps the partitions (percelen, BGT) free of gaps and slivers.
"""

from __future__ import annotations

import numpy as np
import shapely

Ring = np.ndarray  # (n, 2) float, counter-clockwise, not closed

_EPS = 1e-9


def clip(poly: Ring, a: np.ndarray, b: float) -> Ring:
    """The part of ``poly`` where ``a . p <= b`` (Sutherland-Hodgman, one half-plane)."""
    n = len(poly)
    if n == 0:
        return poly
    vals = poly @ a - b
    inside = vals <= _EPS
    if inside.all():
        return poly
    if not inside.any():
        return np.empty((0, 2))
    out: list[np.ndarray] = []
    for k in range(n):
        p, q = poly[k], poly[(k + 1) % n]
        vp, vq = vals[k], vals[(k + 1) % n]
        ip, iq = vp <= _EPS, vq <= _EPS
        if ip:
            out.append(p)
        if ip != iq:
            t = vp / (vp - vq)
            out.append(p + t * (q - p))
    if len(out) < 3:
        return np.empty((0, 2))
    return _dedupe(np.asarray(out))


def clip_all(poly: Ring, planes: list[tuple[np.ndarray, float]]) -> Ring:
    """``poly`` clipped by every half-plane ``a . p <= b`` of ``planes``."""
    for a, b in planes:
        poly = clip(poly, a, b)
        if len(poly) == 0:
            break
    return poly


def _dedupe(poly: Ring) -> Ring:
    keep = np.ones(len(poly), dtype=bool)
    nxt = np.roll(poly, -1, axis=0)
    keep &= np.hypot(*(nxt - poly).T) > 1e-7
    poly = poly[keep]
    return poly if len(poly) >= 3 else np.empty((0, 2))


def area(poly: Ring) -> float:
    """Signed shoelace area (positive for counter-clockwise)."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def to_polygon(poly: Ring) -> shapely.Polygon:
    """A shapely polygon from a vertex array (not rounded: neighbours must share vertices)."""
    return shapely.polygons(poly)


def line_intersection(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """The intersection of the lines ``p1 + s d1`` and ``p2 + t d2``."""
    m = np.array([d1, -d2]).T
    s, _ = np.linalg.solve(m, p2 - p1)
    return p1 + s * d1


def inward_normal(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit direction of the edge ``p -> q`` and its left (inward, for a CCW ring) normal."""
    d = q - p
    u = d / np.hypot(*d)
    return u, np.array([-u[1], u[0]])


def box_planes(xmin: float, ymin: float, xmax: float, ymax: float) -> list[tuple[np.ndarray, float]]:
    """The four half-planes of an axis-aligned box."""
    return [
        (np.array([-1.0, 0.0]), -xmin),
        (np.array([1.0, 0.0]), xmax),
        (np.array([0.0, -1.0]), -ymin),
        (np.array([0.0, 1.0]), ymax),
    ]
