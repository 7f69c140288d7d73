"""The 3D town centre as a compact deck.gl scene: colour modes, zoning envelopes, LoD 2.2 roofs.

:func:`scene_data` computes everything once (positions, heights, colour classes, tooltip texts)
into a :class:`SceneData`; :func:`build_town_deck` turns it into a pydeck deck for Streamlit and
:mod:`omgevingskaart.export.html3d` into a standalone page. The Streamlit page and the notebook
only call these.

Compact by construction (what the browser receives is what costs time):

* positions are *metre offsets* from one origin (deck.gl ``COORDINATE_SYSTEM.METER_OFFSETS``),
  rounded to 0.1 m, as flat ``[x0, y0, x1, y1, ...]`` arrays (``positionFormat: 'XY'``) without
  the closing vertex, instead of GeoJSON's nested ``[lon, lat]`` pairs with 15 digits;
* colours are not sent per building: buildings are split into one layer per colour class, each
  with a constant ``getFillColor``;
* each building carries its extrusion height and one short tooltip text, nothing else.

The offsets are the exact inverse of deck.gl's own ``addMetersToLngLat`` (first and second order
terms of its ``getDistanceScales(highPrecision)``, Web Mercator with its 40.03e6 m circumference),
so a vertex lands where its RD coordinate, transformed with RDNAPTRANS2018
(:func:`omgevingskaart.crs.rd_to_wgs84`), says.

Heights: there is no terrain, the ground is the plane z = 0; every building stands on it and is
extruded by its own height above ground (``b3_h_dak_70p - b3_h_maaiveld``, the 3D BAG's LoD 1.2
convention). LoD 2.2 surfaces (from 3D BAG CityJSON) are shifted the same way: z minus the
building's ``b3_h_maaiveld``. Zoning envelopes (bouwvlakken) are extruded from the ground to their
maximum bouwhoogte (m above peil). So what is compared on screen is height above ground, as in the
plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mapbox_earcut
import numpy as np
import pandas as pd
import shapely

from .._extras import require
from ..crs import rd_to_wgs84
from .deck3d import EMPTY_STYLE, HEIGHT_CLASSES, MARKT_RD, NO_HEIGHT_COLOUR
from .exceedance import exceeds_mask, first_address, max_heights
from .panden import addresses_by_pand, gebruiksdoel_by_pand, pand_ids, panden_bounds, select_panden

__all__ = ["COLOUR_MODES", "SceneData", "View", "build_town_deck", "camera_presets", "classify",
           "gebruiksdoel_by_pand", "overview_view", "scene_data", "select_panden", "tooltips"]

if TYPE_CHECKING:
    import geopandas as gpd
    import pydeck as pdk

    from ..dataset import Dataset
    from .mesh import MeshSet

#: colour mode key -> Dutch label (the keys go into the page URL as ``mode``).
COLOUR_MODES: dict[str, str] = {
    "hoogte": "Hoogte boven maaiveld",
    "bouwjaar": "Bouwjaar",
    "gebruiksdoel": "Gebruiksdoel",
    "bestemming": "Bestemming",
    "overschrijding": "Overschrijding maximum bouwhoogte",
}
BOUWJAAR_CLASSES: list[tuple[int, int, str, tuple[int, int, int]]] = [
    (0, 1900, "voor 1900", (103, 0, 13)),
    (1900, 1945, "1900–1944", (203, 24, 29)),
    (1945, 1970, "1945–1969", (251, 106, 74)),
    (1970, 1990, "1970–1989", (252, 187, 161)),
    (1990, 2010, "1990–2009", (158, 202, 225)),
    (2010, 10000, "2010 of later", (33, 113, 181)),
]
#: gebruiksdoelen (BAG) -> colour (categorical, distinguishable for colour-blind viewers).
GEBRUIKSDOEL_COLOURS: dict[str, tuple[int, int, int]] = {
    "woonfunctie": (240, 228, 66),
    "winkelfunctie": (213, 94, 0),
    "kantoorfunctie": (0, 114, 178),
    "bijeenkomstfunctie": (204, 121, 167),
    "gezondheidszorgfunctie": (0, 158, 115),
    "onderwijsfunctie": (86, 180, 233),
    "logiesfunctie": (230, 159, 0),
    "industriefunctie": (120, 94, 60),
    "sportfunctie": (150, 200, 80),
    "celfunctie": (60, 60, 60),
    "overige gebruiksfunctie": (170, 170, 170),
    "meerdere gebruiksdoelen": (140, 80, 200),
    "geen verblijfsobject": (215, 215, 215),
}
EXCEED_COLOUR = (215, 25, 28)
FIT_COLOUR = (205, 205, 200)
NO_MAX_COLOUR = (150, 150, 150)
ENVELOPE_COLOUR = (255, 170, 0, 55)
UNKNOWN_HEIGHT = 3.0  # m: drawn height of a pand without 3D BAG heights (grey, "onbekend")

# deck.gl's Web Mercator constants (@math.gl/web-mercator): world size 512, circumference 40.03e6.
_TILE = 512.0
_EARTH = 40.03e6


@dataclass(frozen=True)
class View:
    """A camera: centre (WGS84), zoom, pitch and bearing (degrees)."""

    lon: float
    lat: float
    zoom: float = 16.6
    pitch: float = 55.0
    bearing: float = -25.0

    def view_state(self) -> pdk.ViewState:
        pydeck = require("pydeck", "app")
        return pydeck.ViewState(longitude=self.lon, latitude=self.lat, zoom=self.zoom,
                                pitch=self.pitch, bearing=self.bearing, max_pitch=85, min_zoom=12,
                                max_zoom=21)

    def as_dict(self) -> dict[str, float]:
        return {"longitude": self.lon, "latitude": self.lat, "zoom": self.zoom,
                "pitch": self.pitch, "bearing": self.bearing}


@dataclass
class SceneData:
    """Everything a 3D view shows, computed once; see the module docstring for the encoding."""

    origin: tuple[float, float]  # lon, lat of the offsets' origin
    origin_rd: tuple[float, float]
    mode: str
    legend: list[tuple[str, tuple[int, int, int]]]
    #: LoD 1.2 blocks, ordered by colour class: rows {"p": flat xy offsets (or {positions,
    #: holeIndices} for a polygon with holes), "h": height above ground, "t": tooltip text,
    #: "k": colour class (index into ``legend``), and "r": roof triangles (vertex indices) only
    #: for a footprint that is not convex or has holes}
    blocks: list[dict[str, Any]]
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    #: LoD 2.2 triangles: rows {"p": flat xyz (9 numbers), "c": shaded rgb, "t": tooltip}
    lod22: list[dict[str, Any]] | None = None
    #: the identificaties of the panden shown (LoD 1.2 or 2.2), in the layer's order
    ids: list[str] = field(default_factory=list)
    exceeding: int = 0

    @property
    def buildings(self) -> int:
        return len(self.ids)

    @property
    def classes(self) -> list[list[dict[str, Any]]]:
        """The blocks grouped per colour class (one list per legend entry)."""
        out: list[list[dict[str, Any]]] = [[] for _ in self.legend]
        for row in self.blocks:
            out[row["k"]].append(row)
        return out


# --- geometry encoding ---------------------------------------------------------------------------


def _world(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = _TILE * (np.radians(lon) + math.pi) / (2 * math.pi)
    y = _TILE * (math.pi + np.log(np.tan(math.pi / 4 + np.radians(lat) / 2))) / (2 * math.pi)
    return x, y


def meter_offsets(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> tuple[
        np.ndarray, np.ndarray]:
    """Metre offsets (dx, dy) that deck.gl's METER_OFFSETS projection maps back to (lon, lat)
    exactly, for the origin (lon0, lat0): the inverse of deck.gl's ``addMetersToLngLat``."""
    cos0 = math.cos(math.radians(lat0))
    upm = _TILE / _EARTH / cos0
    f = math.radians(1) * math.tan(math.radians(lat0)) / cos0
    d = _TILE / _EARTH * f
    upd_y = _TILE / 360.0 / cos0
    upm2 = d / upd_y * upm
    x0, y0 = _world(np.array([lon0]), np.array([lat0]))
    wx, wy = _world(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    dy = (wy - y0[0]) / upm
    dx = (wx - x0[0]) / (upm + upm2 * dy)
    return dx, dy


def _polygon_rows(geoms: np.ndarray, origin: tuple[float, float]) -> tuple[
        list[list[float]], list[list[int] | None], np.ndarray, list[list[int] | None]]:
    """Per polygon part: flat xy offsets (0.1 m, no closing vertex), flat hole start indices (or
    None), the input index each part came from, and the roof triangles (vertex indices, earcut on
    the rounded offsets) for parts that are not convex or have holes (None for a convex part,
    which the browser fans from its first vertex: most footprints, and no bytes spent on them)."""
    parts, which = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == 3
    parts, which = parts[keep], which[keep]
    if not len(parts):
        return [], [], which, []
    parts = shapely.orient_polygons(parts)
    hull = shapely.area(shapely.convex_hull(parts))
    convex = (shapely.get_num_interior_rings(parts) == 0) & (
        shapely.area(parts) >= 0.999 * hull)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    last = np.r_[coord_ring[1:] != coord_ring[:-1], True]
    coords, coord_ring = coords[~last], coord_ring[~last]
    lon, lat = rd_to_wgs84(coords[:, 0], coords[:, 1])
    dx, dy = meter_offsets(lon, lat, *origin)
    flat = _compact(np.round(np.column_stack([dx, dy]), 1).ravel())
    ring_len = np.bincount(coord_ring, minlength=len(rings))
    ring_start = np.r_[0, np.cumsum(ring_len)]
    part_ring0 = np.searchsorted(ring_part, np.arange(len(parts) + 1))
    rounded = np.round(np.column_stack([dx, dy]), 1)
    polys: list[list[float]] = []
    holes: list[list[int] | None] = []
    roofs: list[list[int] | None] = []
    for p in range(len(parts)):
        r0, r1 = part_ring0[p], part_ring0[p + 1]
        s, e = ring_start[r0], ring_start[r1]
        polys.append(flat[2 * s:2 * e])
        holes.append([int(2 * (ring_start[r] - s)) for r in range(r0 + 1, r1)] or None)
        if convex[p]:
            roofs.append(None)
        else:
            ends = np.asarray(ring_start[r0 + 1:r1 + 1] - s, dtype=np.uint32)
            roofs.append(mapbox_earcut.triangulate_float64(rounded[s:e], ends).tolist())
    return polys, holes, which, roofs


def _compact(values: np.ndarray) -> list[float | int]:
    """A list of numbers with whole values as ints ("12" rather than "12.0" in the JSON)."""
    whole = values == np.round(values)
    out: list[float | int] = values.tolist()
    for i in np.flatnonzero(whole).tolist():
        out[i] = int(values[i])
    return out


# --- colour classes ------------------------------------------------------------------------------


def _col(frame: Any, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=float, na_value=np.nan)


def building_heights(panden: gpd.GeoDataFrame) -> np.ndarray:
    """Height above ground (m) of LoD 1.2 blocks: ``b3_h_dak_70p - b3_h_maaiveld`` (NaN unknown)."""
    h = _col(panden, "b3_h_dak_70p") - _col(panden, "b3_h_maaiveld")
    h[~(h > 0)] = np.nan
    return h


class _Area:
    """What the colour modes and tooltips of one selection of panden need, each read once."""

    def __init__(self, dataset: Dataset, panden: gpd.GeoDataFrame):
        self.dataset, self.panden = dataset, panden.reset_index(drop=True)
        self._heights: pd.DataFrame | None = None
        self._vbo: pd.DataFrame | None = None

    @property
    def heights(self) -> pd.DataFrame:
        if self._heights is None:
            self._heights = max_heights(self.dataset, self.panden)
        return self._heights

    @property
    def vbo(self) -> pd.DataFrame:
        if self._vbo is None:
            from .panden import verblijfsobjecten_of

            self._vbo = verblijfsobjecten_of(self.dataset, self.panden)
        return self._vbo

    def uses(self) -> dict[str, str]:
        return gebruiksdoel_by_pand(self.dataset, self.panden, self.vbo)

    def addresses(self) -> dict[str, list[str]]:
        return addresses_by_pand(self.dataset, self.panden, self.vbo)


def _area(dataset: Dataset, panden: gpd.GeoDataFrame | _Area) -> _Area:
    return panden if isinstance(panden, _Area) else _Area(dataset, panden)


def classify(dataset: Dataset, panden: gpd.GeoDataFrame | _Area, mode: str) -> tuple[
        np.ndarray, list[tuple[str, tuple[int, int, int]]]]:
    """Colour class index per pand of ``panden`` and the legend ``[(label, rgb), ...]`` for
    ``mode``."""
    if mode not in COLOUR_MODES:
        raise ValueError(f"unknown colour mode {mode!r}; choose from {', '.join(COLOUR_MODES)}")
    area = _area(dataset, panden)
    pand = area.panden
    if mode == "hoogte":
        h = building_heights(pand)
        legend = [(f"{lo:.0f} m of hoger" if math.isinf(hi) else f"{lo:.0f} tot {hi:.0f} m", rgb)
                  for lo, hi, rgb in HEIGHT_CLASSES]
        legend.append(("hoogte onbekend", NO_HEIGHT_COLOUR))
        edges = np.array([hi for _, hi, _ in HEIGHT_CLASSES[:-1]])
        idx = np.searchsorted(edges, np.nan_to_num(h, nan=0.0), side="right")
        idx[np.isnan(h)] = len(HEIGHT_CLASSES)
        return idx, legend
    if mode == "bouwjaar":
        year = _col(pand, "bouwjaar")
        legend = [(label, rgb) for _, _, label, rgb in BOUWJAAR_CLASSES]
        legend.append(("bouwjaar onbekend", NO_HEIGHT_COLOUR))
        edges = np.array([hi for _, hi, _, _ in BOUWJAAR_CLASSES[:-1]])
        idx = np.searchsorted(edges, np.nan_to_num(year, nan=0.0), side="right")
        idx[np.isnan(year)] = len(BOUWJAAR_CLASSES)
        return idx, legend
    if mode == "gebruiksdoel":
        uses = area.uses()
        ids = pand_ids(pand)
        names = list(GEBRUIKSDOEL_COLOURS)
        lookup = {k: i for i, k in enumerate(names)}
        other = lookup["overige gebruiksfunctie"]
        idx = np.array([lookup.get(uses.get(str(pid), "geen verblijfsobject"), other)
                        for pid in ids], dtype=np.int64)
        return idx, [(k, GEBRUIKSDOEL_COLOURS[k]) for k in names]
    if mode == "bestemming":
        names_arr = area.heights["bestemming"].to_numpy()
        labels = sorted({str(v) for v in names_arr if v is not None and v is not pd.NA})
        spec = dataset.catalogue["enkelbestemming"] if "enkelbestemming" in dataset.catalogue.ids \
            else None
        legend = []
        for lab in labels:
            hexc = spec.style.colour_for(lab) if spec else "#bbbbbb"
            legend.append((lab, (int(hexc[1:3], 16), int(hexc[3:5], 16), int(hexc[5:7], 16))))
        legend.append(("geen bestemming", NO_HEIGHT_COLOUR))
        lookup = {lab: i for i, lab in enumerate(labels)}
        idx = np.array([lookup.get(str(v), len(labels)) if v is not None else len(labels)
                        for v in names_arr], dtype=np.int64)
        return idx, legend  # type: ignore[return-value]
    heights = area.heights
    exc = exceeds_mask(heights)
    known = heights["max_bouwhoogte_m"].notna().to_numpy() & heights["hoogte_m"].notna().to_numpy()
    idx = np.where(exc, 0, np.where(known, 1, 2))
    legend = [("hoger dan de maximum bouwhoogte", EXCEED_COLOUR),
              ("binnen de maximum bouwhoogte", FIT_COLOUR),
              ("geen maximum of hoogte bekend", NO_MAX_COLOUR)]
    return idx.astype(np.int64), legend


def _fmt(v: float, digits: int = 1) -> str:
    return f"{v:.{digits}f}".replace(".", ",")


def tooltips(dataset: Dataset, panden: gpd.GeoDataFrame | _Area, mode: str) -> list[str]:
    """One short Dutch tooltip per pand; in exceedance mode with the maximum and the excess."""
    area = _area(dataset, panden)
    pand = area.panden
    rows = np.arange(len(pand))
    ids = pand_ids(pand)
    years = _col(pand, "bouwjaar")
    h = building_heights(pand)
    addresses = area.addresses()
    heights = area.heights
    hmax = heights["hoogte_m"].to_numpy(dtype=float, na_value=np.nan)
    allowed = heights["max_bouwhoogte_m"].to_numpy(dtype=float, na_value=np.nan)
    excess = heights["overschrijding_m"].to_numpy(dtype=float, na_value=np.nan)
    extra: list[str] = [""] * len(rows)
    if mode == "gebruiksdoel":
        uses = area.uses()
        extra = [f"\n{uses.get(str(pid), 'geen verblijfsobject')}" for pid in ids]
    elif mode == "bestemming":
        extra = [f"\nbestemming: {b}" if b is not None else "" for b in heights["bestemming"]]
    elif mode == "overschrijding":
        mask = exceeds_mask(heights)
        extra = []
        for k in range(len(rows)):
            if not math.isfinite(allowed[k]):
                extra.append("\ngeen maximum bouwhoogte bekend")
                continue
            line = f"\nhoogste punt {_fmt(hmax[k])} m, maximum {_fmt(allowed[k])} m"
            if mask[k]:
                line += f"\nOVERSCHRIJDING: {_fmt(excess[k], 2)} m"
            extra.append(line)
    out = []
    for k, pid in enumerate(ids):
        year = f"{int(years[k])}" if math.isfinite(years[k]) else "onbekend"
        height = f"{_fmt(h[k])} m" if math.isfinite(h[k]) else "onbekend"
        adres = first_address(addresses, pid)
        street, _, rest = adres.partition(", ")  # the postcode and place add bytes, not meaning
        if "(+" in rest:
            street += rest[rest.index(" (+"):]
        out.append(f"{street}\nbouwjaar {year} · hoogte {height}{extra[k]}")
    return out


# --- selection and scene -------------------------------------------------------------------------


def _origin_for(dataset: Dataset, panden: gpd.GeoDataFrame) -> tuple[tuple[float, float],
                                                                       tuple[float, float]]:
    b = panden_bounds(panden) or dataset.bounds
    x0, y0 = round((b[0] + b[2]) / 2), round((b[1] + b[3]) / 2)
    lon, lat = rd_to_wgs84(float(x0), float(y0))
    return (round(float(lon), 7), round(float(lat), 7)), (float(x0), float(y0))


def envelope_rows(dataset: Dataset, panden: gpd.GeoDataFrame, origin: tuple[float, float]) -> list[
        dict[str, Any]]:
    """Bouwvlakken near the shown panden, extruded to their maximum bouwhoogte (m above peil)."""
    box = panden_bounds(panden)
    if "bouwvlak" not in dataset or "maatvoering" not in dataset or box is None:
        return []
    bv = dataset.features("bouwvlak", bbox=box)
    if not len(bv):
        return []
    bv_geoms = bv.geometry.to_numpy()
    # the maximum of a bouwvlak: the smallest bouwhoogte maatvoering covering its inner point
    pts = shapely.point_on_surface(bv_geoms)
    b = shapely.total_bounds(pts)
    mv = dataset.features("maatvoering", bbox=(float(b[0]), float(b[1]), float(b[2]), float(b[3])))
    mv = mv[(mv["waarde_type"].astype(str) == "maximum bouwhoogte (m)").to_numpy()]
    if not len(mv):
        return []
    sel = np.arange(len(bv))
    mv_geoms = mv.geometry.to_numpy()
    pi, mi = shapely.STRtree(mv_geoms).query(pts, predicate="within")
    order = np.lexsort((mi, shapely.area(mv_geoms)[mi], pi))
    pi, mi = pi[order], mi[order]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, dtype=bool)
    value = np.full(len(sel), np.nan)
    value[pi[first]] = mv["waarde"].to_numpy(dtype=float, na_value=np.nan)[mi[first]]
    ok = np.isfinite(value) & (value > 0)
    polys, holes, which, _ = _polygon_rows(bv_geoms[ok], origin)
    vals = value[ok]
    names = bv["identificatie"].astype(object).to_numpy()[sel][ok]
    out = []
    for p, hl, w in zip(polys, holes, which.tolist(), strict=True):
        out.append({"p": {"positions": p, "holeIndices": hl} if hl else p, "h": float(vals[w]),
                    "t": f"Bouwvlak {names[w]}\nmaximum bouwhoogte {_fmt(vals[w])} m"})
    return out


#: direction towards the light for the LoD 2.2 faces (from the south-west, high): deck.gl lights
#: non-extruded polygons as if they all faced up, so walls and roof planes would look the same.
LIGHT = np.array([-0.45, -0.55, 0.70]) / np.linalg.norm([-0.45, -0.55, 0.70])


def shade(rgb: tuple[int, int, int], normals: np.ndarray) -> np.ndarray:
    """Flat (Lambert) shading of a colour per face normal: 55 % ambient + 45 % diffuse."""
    lit = 0.55 + 0.45 * np.clip(normals @ LIGHT, 0.0, 1.0)
    return np.clip(np.round(np.outer(lit, rgb)), 0, 255).astype(np.int64)


def lod22_rows(panden: gpd.GeoDataFrame, meshes: MeshSet, class_idx: np.ndarray,
               texts: list[str], origin: tuple[float, float],
               legend: list[tuple[str, tuple[int, int, int]]]) -> tuple[
        list[dict[str, Any]], np.ndarray]:
    """LoD 2.2 triangles (z above the pand's own ground) with their shaded class colour
    (``"c"``, computed here from the face normal, see :data:`LIGHT`), and a mask of the ``panden``
    that have a mesh (the others stay LoD 1.2 blocks)."""
    ids = pand_ids(panden)
    ground = _col(panden, "b3_h_maaiveld")
    where = {bid: i for i, bid in enumerate(meshes.ids)}
    have = np.array([str(pid) in where for pid in ids], dtype=bool)
    out: list[dict[str, Any]] = []
    for k in np.flatnonzero(have).tolist():
        b = where[str(ids[k])]
        verts, tris = meshes.building(b)
        if meshes.semantics is not None:  # the ground surface is never seen from above
            sem = meshes.semantics[meshes.triangle_offsets[b]:meshes.triangle_offsets[b + 1]]
            tris = tris[sem != "GroundSurface"]
        if not len(tris):
            continue
        p0, p1, p2 = verts[tris[:, 0]], verts[tris[:, 1]], verts[tris[:, 2]]
        normals = np.cross(p1 - p0, p2 - p0)
        length = np.linalg.norm(normals, axis=1)
        normals = normals / np.where(length > 0, length, 1.0)[:, None]
        colours = shade(legend[int(class_idx[k])][1], normals).tolist()
        lon, lat = rd_to_wgs84(verts[:, 0], verts[:, 1])
        dx, dy = meter_offsets(lon, lat, *origin)
        g = ground[k] if math.isfinite(ground[k]) else float(verts[:, 2].min())
        xyz = np.round(np.column_stack([dx, dy, verts[:, 2] - g]), 2)
        flat = xyz[tris].reshape(len(tris), 9).tolist()
        out.extend({"p": t, "c": c, "t": texts[k]} for t, c in zip(flat, colours, strict=True))
    return out, have


def cityjson_for(dataset: Dataset) -> Path | None:
    """The 3D BAG CityJSON that goes with a dataset: the file named by the dataset's meta key
    ``cityjson`` (relative to the GeoPackage's folder), else ``<stem>.city.jsonl`` /
    ``<stem>.city.json`` beside the GeoPackage; None when there is none."""
    base = Path(dataset.path)
    named = dataset.meta.get("cityjson") if hasattr(dataset, "meta") else None
    candidates = [base.parent / named] if named else []
    candidates += [base.with_name(base.stem + ".city.jsonl"), base.with_name(base.stem + ".city.json")]
    return next((c for c in candidates if c.is_file()), None)


def scene_data(dataset: Dataset, panden: gpd.GeoDataFrame | None = None, *, mode: str = "hoogte",
               envelopes: bool = False, lod22: MeshSet | None = None) -> SceneData:
    """Compute a scene for ``panden`` (:func:`select_panden`; default every pand) in colour
    ``mode``; the plan layers and addresses are read for the panden's window only."""
    panden = select_panden(dataset) if panden is None else panden
    origin, origin_rd = _origin_for(dataset, panden)
    geoms = panden.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    panden = panden[valid].reset_index(drop=True)
    geoms = geoms[valid]
    area = _Area(dataset, panden)
    cls, legend = classify(dataset, area, mode)
    texts = tooltips(dataset, area, mode)
    h = building_heights(panden)
    data22 = None
    block = np.ones(len(panden), dtype=bool)
    if lod22 is not None and len(lod22):
        data22, have = lod22_rows(panden, lod22, cls, texts, origin, legend)
        block = ~have
    polys, holes, which, roofs = _polygon_rows(geoms[block], origin)
    sub = np.flatnonzero(block)
    blocks: list[dict[str, Any]] = []
    for p, hl, w, roof in zip(polys, holes, which.tolist(), roofs, strict=True):
        k = int(sub[w])
        row: dict[str, Any] = {
            "p": {"positions": p, "holeIndices": hl} if hl else p,
            "h": round(float(h[k]), 1) if math.isfinite(h[k]) else UNKNOWN_HEIGHT,
            "t": texts[k], "k": int(cls[k])}
        if roof is not None:
            row["r"] = roof
        blocks.append(row)
    blocks.sort(key=lambda r: r["k"])  # stable: grouped per class, input order within
    exceeding = int(exceeds_mask(area.heights).sum())
    return SceneData(origin, origin_rd, mode, legend, blocks,
                     envelope_rows(dataset, panden, origin) if envelopes else [], data22,
                     [str(i) for i in pand_ids(panden)], exceeding)


# --- deck ----------------------------------------------------------------------------------------


TOOLTIP = {"text": "{t}", "style": {"backgroundColor": "#263238", "color": "white",
                                   "fontSize": "12px", "whiteSpace": "pre-line"}}
MATERIAL = {"ambient": 0.45, "diffuse": 0.6, "shininess": 20, "specularColor": [60, 64, 70]}


def palette_expression(legend: list[tuple[str, tuple[int, int, int]]]) -> str:
    """A deck.gl JSON accessor expression mapping a row's class ``k`` to its legend colour
    (``k == 0 ? [r,g,b] : k == 1 ? ... : [r,g,b]``): the colour table travels once, not per row."""
    colours = [f"[{r},{g},{b}]" for _, (r, g, b) in legend]
    expr = colours[-1]
    for k in range(len(colours) - 2, -1, -1):
        expr = f"k == {k} ? {colours[k]} : {expr}"
    return expr


def layers_for(scene: SceneData, *, envelopes: bool = True) -> list[pdk.Layer]:
    """The deck.gl layers of a scene: the LoD 1.2 blocks in one SolidPolygonLayer (one layer, not
    one per class: every layer costs shader programs and buffers, measured ~2x slower to the
    first frame with 7 layers), LoD 2.2 triangles (``_full3d`` tessellation of 3D polygons) and
    the envelopes."""
    common = {"coordinate_system": "'meter-offsets'", "coordinate_origin": list(scene.origin),
              "position_format": "'XY'"}
    pydeck = require("pydeck", "app")
    layers: list[pdk.Layer] = []
    if scene.blocks:
        layers.append(pydeck.Layer(
            "SolidPolygonLayer", data=scene.blocks, id="panden", get_polygon="p",
            get_elevation="h", get_fill_color=palette_expression(scene.legend), extruded=True,
            wireframe=False, pickable=True, auto_highlight=True,
            highlight_color=[255, 140, 0, 220], material=MATERIAL, **common))
    if scene.lod22:
        layers.append(pydeck.Layer(
            "SolidPolygonLayer", data=scene.lod22, id="lod22", get_polygon="p",
            get_fill_color="c", extruded=False, _full3d=True, pickable=True, auto_highlight=True,
            highlight_color=[255, 140, 0, 220], coordinate_system="'meter-offsets'",
            coordinate_origin=list(scene.origin), position_format="'XYZ'", material=False))
    if envelopes and scene.envelopes:
        layers.append(pydeck.Layer(
            "SolidPolygonLayer", data=scene.envelopes, id="bouwvlak-envelop",
            get_polygon="p", get_elevation="h",
            get_fill_color=list(ENVELOPE_COLOUR), extruded=True, wireframe=True,
            get_line_color=[200, 120, 0, 160], pickable=True,
            parameters={"depthWriteEnabled": False}, **common))
    return layers


def build_town_deck(scene: SceneData, view: View, *, basemap: bool = False,
                    envelopes: bool = True) -> pdk.Deck:
    """The pydeck deck for a scene; no basemap (no third-party request) unless ``basemap``."""
    from .compact_deck import CompactDeck

    layers = layers_for(scene, envelopes=envelopes)
    if basemap:
        return CompactDeck(layers=layers, initial_view_state=view.view_state(),
                           map_provider="carto", map_style="light", tooltip=TOOLTIP)
    deck = CompactDeck(layers=layers, initial_view_state=view.view_state(), map_provider=None,
                       map_style=None, tooltip=TOOLTIP)
    # Streamlit substitutes CARTO's basemap for a missing style; an empty inline style (a data:
    # URL) keeps the browser from contacting any host
    deck.map_style = EMPTY_STYLE
    return deck


# --- views and the page URL ----------------------------------------------------------------------


def _street_point(dataset: Dataset, names: tuple[str, ...]) -> tuple[float, float] | None:
    if "openbare_ruimte" not in dataset:
        return None
    ors = dataset.features("openbare_ruimte", where={"naam": list(names)})
    for name in names:
        hit = ors[ors["naam"].astype(str) == name]
        geoms = hit.geometry.to_numpy() if len(hit) else []
        geoms = [g for g in geoms if g is not None and not g.is_empty]
        if geoms:
            parts = shapely.get_parts(np.array(geoms, dtype=object))
            longest = parts[int(np.argmax(shapely.length(parts)))]
            p = (shapely.line_interpolate_point(longest, 0.5, normalized=True)
                 if longest.geom_type == "LineString" else shapely.point_on_surface(longest))
            return float(p.x), float(p.y)
    return None


def _view_at(x: float, y: float, **kw: float) -> View:
    lon, lat = rd_to_wgs84(float(x), float(y))
    return View(round(float(lon), 6), round(float(lat), 6), **kw)


#: without a selection, the tallest pand is looked for within this distance (m) of the Markt
PRESET_RADIUS = 600.0


def camera_presets(dataset: Dataset, panden: gpd.GeoDataFrame | None = None) -> dict[
        str, tuple[str, View]]:
    """Named cameras (key -> (Dutch label, view)) that exist in this dataset: the Markt, the
    station square (where an openbare ruimte ``Stationsplein`` / ``Stationsstraat`` has a
    geometry), the tallest pand of ``panden`` (default: within :data:`PRESET_RADIUS` of the
    Markt), an overview of the whole dataset from the south, and a plan view. Reads the dataset's
    bounds, the named streets and the panden near the Markt, never a whole layer."""
    minx, miny, maxx, maxy = dataset.bounds
    out: dict[str, tuple[str, View]] = {}
    mx, my = MARKT_RD
    if not (minx <= mx <= maxx and miny <= my <= maxy):
        mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    out["markt"] = ("Markt", _view_at(mx, my, zoom=17.2, pitch=55.0, bearing=-25.0))
    station = _street_point(dataset, ("Stationsplein", "Stationsstraat"))
    if station:
        out["station"] = ("Station", _view_at(*station, zoom=17.0, pitch=50.0, bearing=30.0))
    if "pand" in dataset:
        pand = select_panden(dataset, centre=(mx, my), radius=PRESET_RADIUS) if panden is None \
            else panden
        h = (pand["b3_h_dak_max"].to_numpy(dtype=float, na_value=np.nan)
             - pand["b3_h_maaiveld"].to_numpy(dtype=float, na_value=np.nan)) if {
            "b3_h_dak_max", "b3_h_maaiveld"} <= set(pand.columns) else np.array([np.nan])
        if len(pand) and np.isfinite(h).any():
            g = pand.geometry.iloc[int(np.nanargmax(h))]
            c = g.centroid
            out["hoogste"] = ("Hoogste gebouw", _view_at(c.x, c.y - 20, zoom=17.8, pitch=65.0,
                                                         bearing=0.0))
    span = max(maxx - minx, maxy - miny, 100.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    lat = rd_to_wgs84(cx, cy)[1]
    zoom = math.log2(156543.03 * math.cos(math.radians(lat)) * 900 / span)
    out["overzicht"] = ("Overzicht", _view_at(cx, cy - span * 0.1, zoom=round(zoom, 2),
                                              pitch=50.0, bearing=0.0))
    out["boven"] = ("Van boven", _view_at(cx, cy, zoom=round(zoom, 2), pitch=0.0, bearing=0.0))
    return out


def overview_view(dataset: Dataset, panden: gpd.GeoDataFrame, *, pitch: float = 50.0) -> View:
    """A camera that shows ``panden`` whole, tilted, looking north."""
    minx, miny, maxx, maxy = panden_bounds(panden) or dataset.bounds
    span = max(maxx - minx, maxy - miny, 60.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    lat = rd_to_wgs84(cx, cy)[1]
    zoom = math.log2(156543.03 * math.cos(math.radians(lat)) * 900 / span)
    return _view_at(cx, cy - span * 0.1 * pitch / 50.0, zoom=round(min(zoom, 20.5), 2),
                    pitch=pitch, bearing=0.0)


_LIMITS = {"lat": (-85.0, 85.0), "lon": (-180.0, 180.0), "zoom": (10.0, 22.0),
           "pitch": (0.0, 85.0), "bearing": (-360.0, 360.0)}


def view_from_query(params: Mapping[str, Any], default: View) -> View:
    """The view in the page URL (``lat``, ``lon``, ``zoom``, ``pitch``, ``bearing``); missing or
    unreadable values fall back to ``default``, out-of-range values are clamped."""
    vals = {"lat": default.lat, "lon": default.lon, "zoom": default.zoom,
            "pitch": default.pitch, "bearing": default.bearing}
    for key, (lo, hi) in _LIMITS.items():
        raw = params.get(key)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        try:
            v = float(str(raw).replace(",", "."))
        except ValueError:
            continue
        if math.isfinite(v):
            vals[key] = min(max(v, lo), hi)
    return View(vals["lon"], vals["lat"], vals["zoom"], vals["pitch"], vals["bearing"])


def view_to_query(view: View, mode: str) -> dict[str, str]:
    """URL query parameters for a view and colour mode (6 decimals ~ 0.1 m)."""
    return {"lat": f"{view.lat:.6f}", "lon": f"{view.lon:.6f}", "zoom": f"{view.zoom:.2f}",
            "pitch": f"{view.pitch:.0f}", "bearing": f"{view.bearing:.0f}", "mode": mode}


def payload_bytes(deck: pdk.Deck) -> int:
    """UTF-8 size of a deck's JSON (what ``st.pydeck_chart`` sends)."""
    return len(deck.to_json().encode("utf-8"))
