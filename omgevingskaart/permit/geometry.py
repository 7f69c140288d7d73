"""Derived geometries of the permit check: voorkant, the 1 m line, achtererfgebied, bebouwingsgebied.

The construction follows the Bbl bijlage I definition of *achtererfgebied* (version in force from
1 January 2024): "gebouwerf achter de lijn die het hoofdgebouw doorkruist op 1 m achter de
voorkant en van daaruit evenwijdig loopt met het aangrenzend openbaar toegankelijk gebied, zonder
het hoofdgebouw opnieuw te doorkruisen of in het gebouwerf achter het hoofdgebouw te komen", and
IPLO's explanation of laying that line (voorkant = the facade of the hoofdgebouw nearest to the
openbaar toegankelijk gebied; on a corner plot the line runs along the zijgevel facing the side
street and its extension backwards).

Construction, as half-planes (every road side is a straight reference: the line from its first to
its last vertex):

1. For each road side, the inward normal ``n`` points from the road into the parcel (towards the
   hoofdgebouw); the depth of a point is its distance behind the road side along ``n``.
2. The road side whose nearest facade point of the hoofdgebouw has the smallest depth ``f`` is the
   front (its facade is the *voorkant*).  The 1 m line is the line parallel to that road side at
   depth ``f + 1 m``; the achtererfgebied lies behind it (depth >= f + 1).
3. Every other road side that is not opposite the front (a corner plot: its normal is not within
   60 degrees of the reverse of the front normal) adds the half-plane behind the hoofdgebouw's
   facade facing it (depth >= that facade's depth; offset 0: the zijgevel and its extension).
   A road side opposite the front (a plot between two roads) adds no line; the check says so.
4. achtererfgebied = parcel ∩ half-planes − hoofdgebouw; voorerfgebied = parcel − hoofdgebouw −
   achtererfgebied.
5. bebouwingsgebied (Bbl bijlage I) = achtererfgebied + the ground under the hoofdgebouw except
   the ground under the oorspronkelijk hoofdgebouw (i.e. plus later extensions of the hoofdgebouw).
6. The 4 m zone is the oorspronkelijk hoofdgebouw buffered by 4 m; the part of the proposal in it
   is "near", the rest "far".

The gebouwerf is taken to be the whole parcel outside the hoofdgebouw (the plan's erf limits are
applied by the check through the bestemming).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from .rules import NABIJ_ZONE_M, TOL_M, VOORKANT_AFSTAND_M
from .scenario import Scenario

EMPTY = Polygon()


@dataclass(frozen=True)
class RoadFrame:
    """A road side as a reference line with the inward normal and the hoofdgebouw's facade depth."""

    line: LineString
    origin: np.ndarray
    direction: np.ndarray
    normal: np.ndarray
    facade_depth: float
    role: str
    """"voorkant", "zijkant" (corner plot) or "achterkant" (road opposite the front; adds no line)."""

    def depth(self, xy: np.ndarray) -> np.ndarray:
        return np.asarray((xy - self.origin) @ self.normal)

    def parallel_line(self, depth: float, extent: float) -> LineString:
        p0 = self.origin + self.normal * depth
        return LineString([p0 - self.direction * extent, p0 + self.direction * extent])

    def half_plane(self, depth: float, extent: float) -> Polygon:
        """The region at depth >= ``depth`` behind the road side, as a large rectangle."""
        p0 = self.origin + self.normal * depth
        a = p0 - self.direction * extent
        b = p0 + self.direction * extent
        return Polygon([a, b, b + self.normal * extent, a + self.normal * extent])


@dataclass(frozen=True)
class Derived:
    frames: tuple[RoadFrame, ...]
    one_metre_line: BaseGeometry
    """The line 1 m behind the voorkant, clipped to the parcel (plus the corner lines, if any)."""
    achtererfgebied: BaseGeometry
    voorerfgebied: BaseGeometry
    bebouwingsgebied: BaseGeometry
    extension: BaseGeometry
    """The hoofdgebouw minus the oorspronkelijk hoofdgebouw (later extensions)."""
    near_zone: BaseGeometry
    proposal_near: BaseGeometry
    proposal_far: BaseGeometry
    ridge: LineString | None
    ridge_assumed: bool
    roof_pitch_deg: float | None
    notes: tuple[str, ...]
    original_known: bool = True
    """False: ``near_zone`` is the zone where the 4 m zone *may* lie, ``extension`` is unknown."""


def _unit(v: np.ndarray) -> np.ndarray:
    return v / float(np.hypot(v[0], v[1]))


def road_frames(scenario: Scenario) -> tuple[RoadFrame, ...]:
    """Classify the road sides into voorkant / zijkant / achterkant (see the module docstring)."""
    inside = np.asarray(scenario.main_footprint.representative_point().coords[0])
    facade = shapely.get_coordinates(scenario.main_footprint.exterior)
    raw: list[tuple[LineString, np.ndarray, np.ndarray, np.ndarray, float]] = []
    for line in scenario.road_sides:
        xy = shapely.get_coordinates(line)
        origin = xy[0]
        chord = xy[-1] - xy[0]
        if float(np.hypot(*chord)) <= TOL_M:  # a closed or folded line: use its longest segment
            seg = np.diff(xy, axis=0)
            i = int(np.argmax(np.hypot(seg[:, 0], seg[:, 1])))
            origin, chord = xy[i], seg[i]
        direction = _unit(chord)
        normal = np.array([-direction[1], direction[0]])
        if float((inside - origin) @ normal) < 0:
            normal = -normal
        depth = float(((facade - origin) @ normal).min())
        raw.append((line, origin, direction, normal, depth))
    front = min(range(len(raw)), key=lambda i: raw[i][4])
    front_normal = raw[front][3]
    frames = []
    for i, (line, origin, direction, normal, depth) in enumerate(raw):
        if i == front:
            role = "voorkant"
        elif float(normal @ front_normal) < -0.5:
            role = "achterkant"
        else:
            role = "zijkant"
        frames.append(RoadFrame(line, origin, direction, normal, depth, role))
    return tuple(frames)


def derive(scenario: Scenario) -> Derived:
    """Derive the achtererfgebied, bebouwingsgebied, the 4 m zone and the roof facts."""
    parcel = scenario.parcel
    minx, miny, maxx, maxy = parcel.bounds
    extent = 4.0 * math.hypot(maxx - minx, maxy - miny) + 100.0
    frames = road_frames(scenario)
    notes: list[str] = []

    region: BaseGeometry = parcel
    lines: list[BaseGeometry] = []
    for frame in frames:
        if frame.role == "achterkant":
            notes.append(
                "Het perceel grenst ook aan de achterkant aan openbaar gebied; daar is geen extra lijn "
                "gelegd (alleen de voorkant en zijkanten op een hoekperceel bepalen het achtererfgebied)."
            )
            continue
        depth = frame.facade_depth + (VOORKANT_AFSTAND_M if frame.role == "voorkant" else 0.0)
        region = region.intersection(frame.half_plane(depth, extent))
        lines.append(frame.parallel_line(depth, extent).intersection(parcel))
    achtererf = _polygonal(region.difference(scenario.main_footprint))
    voorerf = _polygonal(parcel.difference(scenario.main_footprint).difference(achtererf))

    if scenario.original_footprint is not None:
        extension = _polygonal(scenario.main_footprint.difference(scenario.original_footprint))
        near_zone = scenario.original_footprint.buffer(NABIJ_ZONE_M).intersection(parcel)
    else:
        # not known: the oorspronkelijk hoofdgebouw lies within the current one, so the 4 m zone lies
        # within 4 m of the current hoofdgebouw (the part of the proposal there is only *possibly*
        # near) and later extensions (unknown) may add to the bebouwingsgebied and the built area.
        extension = EMPTY
        near_zone = scenario.main_footprint.buffer(NABIJ_ZONE_M).intersection(parcel)
        notes.append(
            "Het oorspronkelijke hoofdgebouw is niet bekend (de BAG legt dat niet vast). Daarom is niet "
            "bekend welk deel van het bouwwerk binnen 4 m ervan ligt en of latere uitbreidingen van het "
            "hoofdgebouw meetellen; de eisen die daarvan afhangen staan op 'onbekend'. Geef aan of het "
            "huidige hoofdgebouw het oorspronkelijke is."
        )
    bebouwingsgebied = _polygonal(achtererf.union(extension))

    proposal = scenario.proposal
    near = _polygonal(proposal.intersection(near_zone)) if not near_zone.is_empty else EMPTY
    far = _polygonal(proposal.difference(near_zone)) if not near_zone.is_empty else proposal

    ridge, assumed, pitch = _roof(scenario)
    return Derived(
        frames=frames,
        one_metre_line=shapely.union_all(lines) if lines else LineString(),
        achtererfgebied=achtererf,
        voorerfgebied=voorerf,
        bebouwingsgebied=bebouwingsgebied,
        extension=extension,
        near_zone=near_zone,
        proposal_near=near,
        proposal_far=far,
        ridge=ridge,
        ridge_assumed=assumed,
        roof_pitch_deg=pitch,
        notes=tuple(notes),
        original_known=scenario.original_footprint is not None,
    )


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop the slivers of lines and points an overlay may leave; keep (Multi)Polygons."""
    if geom.is_empty:
        return EMPTY
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return EMPTY
    return shapely.union_all(parts)


def _roof(scenario: Scenario) -> tuple[LineString | None, bool, float | None]:
    """The daknok and roof pitch of a schuin dak: given, or those of a zadeldak along the long axis.

    A flat roof (height equal to the dakvoet) has no daknok: ``(None, False, None)``.
    """
    rise = scenario.proposal_height - scenario.eaves_height
    if rise <= TOL_M:
        return None, False, None
    rect = scenario.proposal.minimum_rotated_rectangle
    xy = shapely.get_coordinates(rect)[:4]
    e1, e2 = xy[1] - xy[0], xy[2] - xy[1]
    long_edge, short_edge = (e1, e2) if np.hypot(*e1) >= np.hypot(*e2) else (e2, e1)
    half_span = float(np.hypot(*short_edge)) / 2.0
    if scenario.ridge is not None:
        ridge, assumed = scenario.ridge, False
    else:
        centre = xy.mean(axis=0)
        ridge = LineString([centre - long_edge / 2.0, centre + long_edge / 2.0])
        assumed = True
    pitch = scenario.roof_pitch_deg
    if pitch is None and half_span > TOL_M:
        pitch = math.degrees(math.atan2(rise, half_span))
    return ridge, assumed, pitch
