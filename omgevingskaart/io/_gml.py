"""GML 3.1 / 3.2 geometry to shapely, for the IMRO, BGT and GIO loaders.

Why a hand-written reader: the loaders stream features with lxml (one element at a time) and
need the geometry of *one chosen property* per feature (the BGT ``geometrie2d*``, not the
``kruinlijn``; the IMRO ``geometrie``, not the label points). GDAL's GML driver reads whole
files and picks geometry fields itself (see the BGT and IMRO module docstrings for measured
comparisons; ``benchmarks/bench_loaders_b.py``: on the 36.6 MB BGT sample the loader reads
the files in 0.55-0.6 of GDAL's CPU time, about 0.25 s of it in this module). Coordinates are
parsed with numpy; :class:`GeometryBatch` collects the rings of a whole layer and builds its
polygons, multipolygons and points with one ``shapely.from_ragged_array`` / ``shapely.points``
call each (per feature, one shapely call per ring and polygon, the BGT sample's geometry took
0.64 s, batched ~0.25 s); arcs are linearised on Python floats (arcs of up to 24 chords
entirely, half the time of numpy at that size, same points), and the BGT's rings of
LineStringSegments and Arcs are read in one pass.

Supported: Point (pos / coordinates), LineString, LinearRing (posList / pos / coordinates),
Ring (curveMember -> Curve / LineString / OrientableCurve / CompositeCurve), Curve with
LineStringSegment, Arc, ArcString, Circle segments, Polygon, PolygonPatch, Surface,
CompositeSurface, OrientableSurface, MultiSurface (surfaceMember / surfaceMembers),
MultiPolygon, MultiCurve, MultiLineString, MultiPoint. 3D coordinates keep x and y.

Arcs are linearised: a circular arc through three points is replaced by a polyline whose chord
error (sagitta, the largest distance between the arc and a chord) is at most
``max_chord_error`` metres (default :data:`MAX_CHORD_ERROR` = 0.01 m, a tenth of the BGT's
best positional accuracy class). End points are kept exactly, so rings stay closed.

CRS: a geometry must be in RD New (EPSG:28992, or 7415 = RD New + NAP, whose x/y are RD New).
``srsName`` is looked up on the geometry and its ancestors; when absent the caller decides
(``default_rd=True`` for formats that are RD by specification, such as the BGT, whose PDOK
files leave it out on pand geometries). Any other CRS raises :class:`CRSError`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from lxml import etree

from ..errors import CoordinateError, CRSError, GeometryError, ResourceLimitError
from . import limits

GML_NAMESPACES = ("http://www.opengis.net/gml", "http://www.opengis.net/gml/3.2")
GML_ID = ("{http://www.opengis.net/gml}id", "{http://www.opengis.net/gml/3.2}id")

#: default maximum chord error when linearising arcs, in metres.
MAX_CHORD_ERROR = 0.01

_RD_SRS = re.compile(r"(?<![0-9])(28992|7415)$")


def gml_id(elem: etree._Element) -> str | None:
    """The element's gml:id (GML 3.1 or 3.2), if any."""
    for key in GML_ID:
        v: str | None = elem.get(key)
        if v is not None:
            return v
    return None


def is_rd(srs_name: str) -> bool:
    """True when ``srs_name`` denotes EPSG:28992 (or 7415, RD New + NAP) in any common spelling.

    >>> is_rd("urn:ogc:def:crs:EPSG::28992"), is_rd("EPSG:28992"), is_rd("EPSG:4326")
    (True, True, False)
    """
    s = srs_name.strip()
    return bool(_RD_SRS.search(s)) and "epsg" in s.lower()


class GMLReader:
    """Turns GML geometry elements into shapely geometries; one per file being read.

    ``path`` names the file in errors; ``default_rd`` says whether a missing srsName means
    RD New; ``max_chord_error`` bounds the arc linearisation error (metres).
    """

    def __init__(self, path: str | Path | None, *, default_rd: bool,
                 max_chord_error: float = MAX_CHORD_ERROR):
        if not max_chord_error > 0:
            raise ValueError("max_chord_error must be > 0")
        self.path = path
        self.default_rd = default_rd
        self.max_chord_error = float(max_chord_error)
        self.arcs = 0  # number of arcs linearised (for reporting)
        self._feature: str | None = None  # the feature being read, for messages
        self.limits = limits.current()
        self._spent = 0  # vertices of the current feature so far (max_vertices)

    def _start(self, elem: etree._Element, feature: str | None) -> None:
        self._feature = feature or gml_id(elem)
        self._spent = 0

    def _spend(self, n: int) -> None:
        self._spent += n
        if self._spent > self.limits.max_vertices:
            raise _ArcLimit(f"one feature has more than {self.limits.max_vertices:,} vertices "
                            "(its arcs linearised)", "max_vertices")

    def _limit_error(self, exc: _ArcLimit, elem: etree._Element,
                     feature: str | None) -> ResourceLimitError:
        return ResourceLimitError(
            self.path, f"{exc.args[0]} at a chord error of {self.max_chord_error:g} m "
            "(a radius far beyond any real object?)", limit=exc.args[1],
            element=self._what(elem, feature))

    # --- entry point -----------------------------------------------------------------------

    def geometry(self, elem: etree._Element, *, feature: str | None = None) -> shapely.Geometry:
        """The shapely geometry of GML geometry element ``elem`` (checked to be in RD New).

        ``feature`` (e.g. the feature's gml:id) names the feature in errors.
        """
        self._start(elem, feature)
        self._check_srs(elem, feature)
        try:
            geom = self._any(elem)
        except GeometryError:
            raise
        except _ArcLimit as exc:
            raise self._limit_error(exc, elem, feature) from exc
        except (ValueError, IndexError, ArithmeticError, shapely.errors.GEOSException) as exc:
            raise GeometryError(self._where(elem, feature) + f": broken geometry: {exc}") from exc
        return geom

    # --- helpers ---------------------------------------------------------------------------

    def _what(self, elem: etree._Element, feature: str | None) -> str:
        own = gml_id(elem) or f"gml:{str(elem.tag).rpartition('}')[2]}"
        what = feature or self._feature
        what = f"{what}: {own}" if what and what != own else own
        return f"{what}, line {elem.sourceline}"

    def _where(self, elem: etree._Element, feature: str | None) -> str:
        return f"{self.path} ({self._what(elem, feature)})"

    def _check_srs(self, elem: etree._Element, feature: str | None) -> None:
        node: etree._Element | None = elem
        srs = None
        while node is not None:
            srs = node.get("srsName")
            if srs:
                break
            node = node.getparent()
        if not srs:
            # look below too: a MultiSurface may carry it on its members only
            for sub in elem.iter():
                srs = sub.get("srsName") if isinstance(sub.tag, str) else None
                if srs:
                    break
        if not srs:
            if self.default_rd:
                return
            raise CRSError(f"{self._where(elem, feature)}: geometry has no srsName; "
                           "expected urn:ogc:def:crs:EPSG::28992 (RD New)")
        if not is_rd(srs):
            raise CRSError(f"{self._where(elem, feature)}: srsName {srs!r} is not RD New "
                           "(EPSG:28992); only RD New is accepted for this format")

    def _coords(self, elem: etree._Element, dim_hint: int | None = None) -> np.ndarray:
        """(n, 2) coordinates of a posList / pos sequence / coordinates under ``elem``."""
        parts: list[np.ndarray] = []
        for child in elem:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = tag.rpartition("}")[2]
            if name == "posList":
                dim = int(child.get("srsDimension") or child.get("dimension") or dim_hint
                          or self._dim_of(elem) or 2)
                vals = np.array((child.text or "").split(), dtype=float)
                if vals.size % dim:
                    raise GeometryError(
                        f"{self._where(elem, None)}: posList has {vals.size} numbers, "
                        f"not a multiple of srsDimension {dim}")
                parts.append(vals.reshape(-1, dim)[:, :2])
            elif name == "pos":
                vals = np.array((child.text or "").split(), dtype=float)
                if vals.size < 2:
                    raise GeometryError(f"{self._where(elem, None)}: gml:pos with {vals.size} numbers")
                parts.append(vals[:2].reshape(1, 2))
            elif name == "coordinates":
                cs = child.get("cs", ",")
                ts = child.get("ts", " ")
                rows = [t.split(cs) for t in (child.text or "").strip().split(ts) if t]
                parts.append(np.array([[float(r[0]), float(r[1])] for r in rows], dtype=float))
            elif name == "pointProperty" or name == "pointRep":
                p = self._first_child(child)
                parts.append(self._coords(p))
        if not parts:
            raise GeometryError(f"{self._where(elem, None)}: no coordinates")
        out = parts[0] if len(parts) == 1 else np.vstack(parts)
        self._spend(len(out))
        return out

    @staticmethod
    def _dim_of(elem: etree._Element) -> int | None:
        node: etree._Element | None = elem
        while node is not None:
            d = node.get("srsDimension")
            if d:
                return int(d)
            node = node.getparent()
        return None

    def _first_child(self, elem: etree._Element) -> etree._Element:
        for child in elem:
            if isinstance(child.tag, str):
                return child
        href = elem.get("{http://www.w3.org/1999/xlink}href")
        if href:
            raise GeometryError(f"{self._where(elem, None)}: xlink:href geometry references "
                                f"({href}) are not supported")
        raise GeometryError(f"{self._where(elem, None)}: empty geometry property")

    # --- dispatch --------------------------------------------------------------------------

    def _any(self, elem: etree._Element) -> shapely.Geometry:
        name = elem.tag.rpartition("}")[2]
        if name == "Point":
            c = self._coords(elem)
            return shapely.points(c[0])
        if name in ("LineString", "Curve", "CompositeCurve", "OrientableCurve", "LineStringSegment",
                    "Arc", "ArcString", "Circle"):
            return shapely.linestrings(self._curve(elem))
        if name in ("Polygon", "PolygonPatch", "Rectangle"):
            return self._polygon(elem)
        if name == "Surface":
            return self._surface(elem)
        if name in ("MultiSurface", "MultiPolygon", "CompositeSurface", "Shell"):
            polys: list[shapely.Geometry] = []
            for member in self._members(elem, ("surfaceMember", "surfaceMembers", "polygonMember",
                                               "polygonMembers")):
                g = self._any(member)
                polys.extend(g.geoms if g.geom_type == "MultiPolygon" else [g])
            if name in ("CompositeSurface", "Shell") and len(polys) > 1:
                return shapely.union_all(polys)
            return polys[0] if name == "CompositeSurface" and len(polys) == 1 else \
                shapely.multipolygons(polys)
        if name == "OrientableSurface":
            return self._any(self._first_child(self._child(elem, "baseSurface")))
        if name in ("MultiCurve", "MultiLineString"):
            lines = [shapely.linestrings(self._curve(m)) for m in
                     self._members(elem, ("curveMember", "curveMembers", "lineStringMember"))]
            return shapely.multilinestrings(lines)
        if name == "MultiPoint":
            pts = [shapely.points(self._coords(m)[0]) for m in
                   self._members(elem, ("pointMember", "pointMembers"))]
            return shapely.multipoints(pts)
        raise GeometryError(f"{self._where(elem, None)}: unsupported GML geometry gml:{name}")

    def _child(self, elem: etree._Element, local: str) -> etree._Element:
        for child in elem:
            if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == local:
                return child
        raise GeometryError(f"{self._where(elem, None)}: gml:{local} missing")

    def _members(self, elem: etree._Element, names: tuple[str, ...]) -> list[etree._Element]:
        out: list[etree._Element] = []
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            local = child.tag.rpartition("}")[2]
            if local in names:
                if local.endswith("s"):  # surfaceMembers etc.: several geometries inside
                    out.extend(c for c in child if isinstance(c.tag, str))
                else:
                    out.append(self._first_child(child))
        if not out:
            raise GeometryError(f"{self._where(elem, None)}: no members")
        return out

    def _surface(self, elem: etree._Element) -> shapely.Geometry:
        patches = self._child(elem, "patches")
        polys = [self._polygon(p) for p in patches if isinstance(p.tag, str)]
        if not polys:
            raise GeometryError(f"{self._where(elem, None)}: gml:Surface without patches")
        return polys[0] if len(polys) == 1 else shapely.multipolygons(polys)

    def _polygon(self, elem: etree._Element) -> shapely.Geometry:
        shell: np.ndarray | None = None
        holes: list[np.ndarray] = []
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            local = child.tag.rpartition("}")[2]
            if local in ("exterior", "outerBoundaryIs"):
                shell = self._ring(self._first_child(child))
            elif local in ("interior", "innerBoundaryIs"):
                holes.append(self._ring(self._first_child(child)))
        if shell is None:
            raise GeometryError(f"{self._where(elem, None)}: polygon without exterior ring")
        return shapely.Polygon(shell, holes) if holes else shapely.polygons(shell)

    def _ring(self, elem: etree._Element) -> np.ndarray:
        local = elem.tag.rpartition("}")[2]
        if local == "LinearRing":
            c = self._coords(elem)
        elif local == "Ring":
            pieces = [self._curve(self._first_child(m)) for m in elem
                      if isinstance(m.tag, str) and m.tag.rpartition("}")[2] == "curveMember"]
            if not pieces:
                raise GeometryError(f"{self._where(elem, None)}: gml:Ring without curveMember")
            c = _join(pieces)
        else:
            raise GeometryError(f"{self._where(elem, None)}: unsupported ring gml:{local}")
        if not np.isfinite(c).all():
            raise CoordinateError(self.path, "a coordinate is not a finite number (NaN or "
                                  "infinity)", element=self._what(elem, None))
        if len(c) < 4:
            raise GeometryError(f"{self._where(elem, None)}: ring with {len(c)} points (needs 4)")
        if c[0, 0] != c[-1, 0] or c[0, 1] != c[-1, 1]:
            if np.allclose(c[0], c[-1], atol=1e-6):
                c = c.copy()
                c[-1] = c[0]
            else:
                raise GeometryError(f"{self._where(elem, None)}: ring is not closed")
        return c

    def _curve(self, elem: etree._Element) -> np.ndarray:
        """Coordinates of any curve-like element, arcs linearised."""
        local = elem.tag.rpartition("}")[2]
        if local in ("LineString", "LineStringSegment", "LinearRing"):
            return self._coords(elem)
        if local in ("Arc", "ArcString"):
            return self._arcstring(self._coords(elem), elem)
        if local == "Circle":
            c = self._coords(elem)
            if len(c) != 3:
                raise GeometryError(f"{self._where(elem, None)}: gml:Circle needs 3 points")
            return self._circle(c)
        if local == "Curve":
            segs = self._child(elem, "segments")
            pieces = [self._curve(s) for s in segs if isinstance(s.tag, str)]
            if not pieces:
                raise GeometryError(f"{self._where(elem, None)}: gml:Curve without segments")
            return _join(pieces)
        if local == "CompositeCurve":
            pieces = [self._curve(self._first_child(m)) for m in elem
                      if isinstance(m.tag, str) and m.tag.rpartition("}")[2] == "curveMember"]
            return _join(pieces)
        if local == "OrientableCurve":
            c = self._curve(self._first_child(self._child(elem, "baseCurve")))
            return c[::-1] if elem.get("orientation", "+") == "-" else c
        raise GeometryError(f"{self._where(elem, None)}: unsupported curve gml:{local}")

    def _arcstring(self, c: np.ndarray, elem: etree._Element) -> np.ndarray:
        if len(c) < 3 or len(c) % 2 == 0:
            raise GeometryError(f"{self._where(elem, None)}: arc needs an odd number (>= 3) of "
                                f"points, got {len(c)}")
        pts = c.tolist()  # Python floats: scalar arithmetic is faster than on numpy scalars
        pieces = []
        for i in range(0, len(pts) - 2, 2):
            pieces.append(_linearise(pts[i], pts[i + 1], pts[i + 2], self.max_chord_error,
                                     self.limits.max_arc_segments))
            self._spend(len(pieces[-1]))
        self.arcs += len(pieces)
        return _join(pieces)

    def _circle(self, c: np.ndarray) -> np.ndarray:
        self.arcs += 1
        centre, r = _circumcircle(c[0], c[1], c[2])
        if centre is None:
            raise GeometryError(f"{self.path}: gml:Circle through collinear points")
        n = _segments_for(2 * math.pi, r, self.max_chord_error, self.limits.max_arc_segments)
        self._spend(n + 1)
        a0 = math.atan2(c[0][1] - centre[1], c[0][0] - centre[0])
        ang = a0 + np.linspace(0.0, 2 * math.pi, n + 1)
        out = np.column_stack([centre[0] + r * np.cos(ang), centre[1] + r * np.sin(ang)])
        out[0] = c[0]
        out[-1] = c[0]
        return out


def _tags(local: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{local}" for ns in GML_NAMESPACES)


_LINEAR_RING = _tags("LinearRing")
_POS_LIST = _tags("posList")
_POS = _tags("pos")
_RING = _tags("Ring")
_CURVE_MEMBER = _tags("curveMember")
_CURVE = _tags("Curve")
_SEGMENTS = _tags("segments")
_LINE_SEGMENT = _tags("LineStringSegment")
_ARC = _tags("Arc")
_POLY_MEMBERS = ("surfaceMember", "surfaceMembers", "polygonMember", "polygonMembers")


class GeometryBatch:
    """The geometries of one layer, collected feature by feature and built at the end with one
    ``shapely.from_ragged_array`` call per geometry type (:meth:`build`).

    Same geometries as :meth:`GMLReader.geometry` (same coordinates, same types: a gml:Polygon
    gives a Polygon, a MultiSurface of Polygons a MultiPolygon, a Point a Point), but building
    them per feature cost one shapely call per ring and polygon: on the BGT sample this path
    takes the geometry work from 0.64 to ~0.3 s CPU. Rings that are a single ``posList`` are
    read here; any other ring (gml:Ring with arcs, ``pos`` lists, an unclosed ring) goes through
    the reader's own ring code, and geometries other than Point, Polygon and MultiSurface /
    MultiPolygon of Polygons are built per feature by :meth:`GMLReader.geometry`.
    """

    def __init__(self) -> None:
        self.n = 0
        self._other: list[tuple[int, shapely.Geometry]] = []
        self._points: list[Any] = []
        self._point_rows: list[int] = []
        # polygons and multipolygons: ring coordinates, points per ring, rings per polygon,
        # (multi) polygons per multipolygon, output rows
        self._rings: list[np.ndarray] = []
        self._ring_len: list[int] = []
        self._poly_rings: list[int] = []
        self._poly_rows: list[int] = []
        self._mrings: list[np.ndarray] = []
        self._mring_len: list[int] = []
        self._mpoly_rings: list[int] = []
        self._multi_polys: list[int] = []
        self._multi_rows: list[int] = []

    def add(self, reader: GMLReader, elem: etree._Element, *, feature: str | None = None
            ) -> None:
        """Add the geometry of GML element ``elem`` as the next row (checked to be RD New)."""
        reader._start(elem, feature)
        reader._check_srs(elem, feature)
        row = self.n
        try:
            name = elem.tag.rpartition("}")[2]
            if name == "Polygon":
                self._polygon(reader, elem, self._rings, self._ring_len, self._poly_rings)
                self._poly_rows.append(row)
            elif name == "Point":
                self._points.append(_point(reader, elem))
                self._point_rows.append(row)
            elif name in ("MultiSurface", "MultiPolygon") and self._multi(reader, elem):
                self._multi_rows.append(row)
            else:
                self._other.append((row, reader._any(elem)))
        except GeometryError:
            raise
        except _ArcLimit as exc:
            raise reader._limit_error(exc, elem, feature) from exc
        except (ValueError, IndexError, ArithmeticError, shapely.errors.GEOSException) as exc:
            raise GeometryError(reader._where(elem, feature) + f": broken geometry: {exc}"
                                ) from exc
        self.n = row + 1

    def _multi(self, reader: GMLReader, elem: etree._Element) -> bool:
        """Add a multi-surface whose members are all gml:Polygon; False for any other."""
        members = reader._members(elem, _POLY_MEMBERS)
        if not all(m.tag.rpartition("}")[2] == "Polygon" for m in members):
            return False
        for m in members:
            self._polygon(reader, m, self._mrings, self._mring_len, self._mpoly_rings)
        self._multi_polys.append(len(members))
        return True

    @staticmethod
    def _polygon(reader: GMLReader, elem: etree._Element, rings: list[np.ndarray],
                 ring_len: list[int], poly_rings: list[int]) -> None:
        shell: np.ndarray | None = None
        holes: list[np.ndarray] = []
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            local = child.tag.rpartition("}")[2]
            if local in ("exterior", "outerBoundaryIs"):
                shell = _fast_ring(reader, reader._first_child(child))
            elif local in ("interior", "innerBoundaryIs"):
                holes.append(_fast_ring(reader, reader._first_child(child)))
        if shell is None:
            raise GeometryError(f"{reader._where(elem, None)}: polygon without exterior ring")
        rings.append(shell)
        ring_len.append(len(shell))
        for h in holes:
            rings.append(h)
            ring_len.append(len(h))
        poly_rings.append(1 + len(holes))

    def build(self) -> np.ndarray:
        """The geometries, one per :meth:`add`, as an object array."""
        out = np.empty(self.n, dtype=object)
        if self._point_rows:
            out[self._point_rows] = shapely.points(np.array(self._points))
        if self._poly_rows:
            out[self._poly_rows] = shapely.from_ragged_array(
                shapely.GeometryType.POLYGON, np.concatenate(self._rings),
                (_offsets(self._ring_len), _offsets(self._poly_rings)))
        if self._multi_rows:
            out[self._multi_rows] = shapely.from_ragged_array(
                shapely.GeometryType.MULTIPOLYGON, np.concatenate(self._mrings),
                (_offsets(self._mring_len), _offsets(self._mpoly_rings),
                 _offsets(self._multi_polys)))
        for row, geom in self._other:
            out[row] = geom
        return out


def _offsets(counts: list[int]) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _point(reader: GMLReader, elem: etree._Element) -> Any:
    """``(x, y)`` of a gml:Point; one ``gml:pos`` is read here, anything else by the reader."""
    if len(elem) == 1:
        pos = elem[0]
        if pos.tag in _POS and pos.text:
            vals = pos.text.split()
            if len(vals) >= 2:
                return float(vals[0]), float(vals[1])
    return reader._coords(elem)[0]


def _fast_ring(reader: GMLReader, elem: etree._Element) -> np.ndarray:
    """(n, 2) coordinates of a ring: a LinearRing holding one 2D posList is read here (the BGT's
    usual ring); anything else, or a ring the checks of :meth:`GMLReader._ring` would touch (fewer
    than 4 points, not closed), goes to that method."""
    tag = elem.tag
    if tag in _LINEAR_RING and len(elem) == 1:
        pos_list = elem[0]
        if pos_list.tag in _POS_LIST and pos_list.get("srsDimension") == "2" and pos_list.text:
            vals = np.array(pos_list.text.split(), dtype=float)
            n = vals.size
            if n >= 8 and not n % 2 and vals[0] == vals[n - 2] and vals[1] == vals[n - 1]:
                reader._spend(n // 2)
                return vals.reshape(-1, 2)
    elif tag in _RING:
        c = _curve_ring(reader, elem)
        if c is not None and len(c) >= 4 and c[0, 0] == c[-1, 0] and c[0, 1] == c[-1, 1]:
            return c
    return reader._ring(elem)


def _curve_ring(reader: GMLReader, ring: etree._Element) -> np.ndarray | None:
    """The points of a gml:Ring made of Curves of LineStringSegments and Arcs with 2D posLists
    (the BGT's rings with arcs), read in one pass; None for any other make-up. Same points as
    :meth:`GMLReader._ring` (the same linearisation, the same joins)."""
    pieces: list[np.ndarray] = []
    for member in ring:
        if member.tag not in _CURVE_MEMBER or len(member) != 1:
            return None
        curve = member[0]
        if curve.tag not in _CURVE or len(curve) != 1 or curve[0].tag not in _SEGMENTS:
            return None
        for seg in curve[0]:
            if len(seg) != 1:
                return None
            pos_list = seg[0]
            text = pos_list.text
            if pos_list.tag not in _POS_LIST or pos_list.get("srsDimension") != "2" or not text:
                return None
            if seg.tag in _LINE_SEGMENT:
                vals = np.array(text.split(), dtype=float)
                if vals.size % 2:
                    return None
                pieces.append(vals.reshape(-1, 2))
                reader._spend(len(pieces[-1]))
            elif seg.tag in _ARC:
                nums = [float(v) for v in text.split()]
                k = len(nums) // 2
                if len(nums) % 2 or k < 3 or k % 2 == 0:
                    return None
                pts = [nums[i:i + 2] for i in range(0, 2 * k, 2)]
                for i in range(0, k - 2, 2):
                    pieces.append(_linearise(pts[i], pts[i + 1], pts[i + 2],
                                             reader.max_chord_error,
                                             reader.limits.max_arc_segments))
                    reader._spend(len(pieces[-1]))
                reader.arcs += (k - 1) // 2
            else:
                return None
    return _join(pieces) if pieces else None


def _join(pieces: list[np.ndarray]) -> np.ndarray:
    """Concatenate curve pieces, dropping the repeated point where one ends and the next starts."""
    if len(pieces) == 1:
        return pieces[0]
    out = [pieces[0]]
    for p in pieces[1:]:
        last = out[-1][-1]
        out.append(p[1:] if last[0] == p[0, 0] and last[1] == p[0, 1] else p)
    return np.vstack(out)


def _circumcircle(p0: Any, p1: Any, p2: Any) -> tuple[tuple[float, float] | None, float]:
    ax, ay = p0
    bx, by = p1
    cx, cy = p2
    d = 2.0 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    scale = max(abs(bx - ax), abs(by - ay), abs(cx - ax), abs(cy - ay), 1e-12)
    if abs(d) < 1e-12 * scale * scale:
        return None, math.inf
    # translate to p0 for numerical stability with RD coordinates (10^5 m)
    bx2, by2, cx2, cy2 = bx - ax, by - ay, cx - ax, cy - ay
    d2 = 2.0 * (bx2 * cy2 - by2 * cx2)
    if d2 == 0:
        return None, math.inf
    ux = (cy2 * (bx2 * bx2 + by2 * by2) - by2 * (cx2 * cx2 + cy2 * cy2)) / d2
    uy = (bx2 * (cx2 * cx2 + cy2 * cy2) - cx2 * (bx2 * bx2 + by2 * by2)) / d2
    return (ax + ux, ay + uy), math.hypot(ux, uy)


class _ArcLimit(ValueError):
    """An arc or a feature's arcs need more chords than the limits allow: (message, limit)."""


def _segments_for(sweep: float, r: float, max_err: float, cap: int | None = None) -> int:
    """Number of chords for an arc of ``sweep`` radians and radius ``r`` with sagitta <= max_err.

    More than ``cap`` (default: the ``max_arc_segments`` limit) raises :class:`_ArcLimit`; so
    does a radius so large that no chord is short enough in floating point (1e15 m at 1 cm).
    """
    if cap is None:
        cap = limits.current().max_arc_segments
    if not (math.isfinite(sweep) and math.isfinite(r)):
        raise ValueError(f"arc with a non-finite radius or sweep ({r}, {sweep})")
    step = math.pi / 2 if max_err >= r else 2.0 * math.acos(1.0 - max_err / r)
    needed = abs(sweep) / step if step > 0 else math.inf
    if needed > cap:
        shown = "an unbounded number of" if math.isinf(needed) else f"{math.ceil(needed):,}"
        raise _ArcLimit(f"an arc of radius {r:.4g} m needs {shown} chords (more than {cap:,})",
                        "max_arc_segments")
    return max(2, math.ceil(needed))


def linearise_arc(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray,
                  max_chord_error: float = MAX_CHORD_ERROR) -> np.ndarray:
    """Points along the circular arc from ``p0`` through ``p1`` to ``p2``, chord error bounded.

    Collinear points give the straight line ``[p0, p1, p2]``. End points are exact.

    >>> import numpy as np
    >>> pts = linearise_arc(np.array([1.0, 0]), np.array([0.0, 1]), np.array([-1.0, 0]), 0.001)
    >>> bool(np.allclose(np.hypot(pts[:, 0], pts[:, 1]), 1.0)), len(pts) > 10
    (True, True)
    """
    return _linearise([float(p0[0]), float(p0[1])], [float(p1[0]), float(p1[1])],
                      [float(p2[0]), float(p2[1])], max_chord_error)


#: arcs with at most this many chords are linearised in plain Python (measured: 7 chords 6.8
#: vs 13.6 us, 23 chords 11.9 vs 13.0 us; numpy wins above ~25).
_SMALL_ARC = 24


def _linearise(p0: list[float], p1: list[float], p2: list[float], max_chord_error: float,
               cap: int | None = None) -> np.ndarray:
    """:func:`linearise_arc` on points given as ``[x, y]`` lists of Python floats (the per-arc
    scalar work is then plain float arithmetic, identical in value, about twice as fast)."""
    centre, r = _circumcircle(p0, p1, p2)
    if centre is None:
        return np.array([p0, p1, p2], dtype=float)
    cx, cy = centre
    a0 = math.atan2(p0[1] - cy, p0[0] - cx)
    a2 = math.atan2(p2[1] - cy, p2[0] - cx)
    cross = (p1[0] - p0[0]) * (p2[1] - p1[1]) - (p1[1] - p0[1]) * (p2[0] - p1[0])
    ccw = cross > 0
    sweep = (a2 - a0) % (2 * math.pi) if ccw else -((a0 - a2) % (2 * math.pi))
    n = _segments_for(sweep, r, max_chord_error, cap)
    if n <= _SMALL_ARC:
        # the same arithmetic as below on Python floats: half the time for the BGT's arcs
        # (mostly under 24 chords), identical points for all 6,897 arcs of the Otterlo sample
        cos, sin = math.cos, math.sin
        pts = [p0]
        for k in range(1, n):
            a = a0 + sweep * k / n
            pts.append([cx + r * cos(a), cy + r * sin(a)])
        pts.append(p2)
        return np.array(pts, dtype=float)
    ang = a0 + sweep * np.arange(n + 1) / n
    out = np.empty((n + 1, 2))
    out[:, 0] = cx + r * np.cos(ang)
    out[:, 1] = cy + r * np.sin(ang)
    out[0] = p0
    out[-1] = p2
    return out
