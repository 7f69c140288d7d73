"""The 3D view of the centre: panden extruded from ground to roof, on the bestemmingsvlakken.

One function per layer kind, so that other views (LoD 2.2 roofs, colour modes, envelopes) can add
or swap layers: :func:`pand_records` / :func:`pand_layer` (LoD 1.x blocks from the 3D BAG
heights), :func:`plan_records` / :func:`plan_layer` (translucent bestemmingsvlakken on the ground),
:func:`view_state_markt` (the camera), :func:`build_deck` (arranges them).

Heights: the 3D BAG gives ground (``b3_h_maaiveld``) and roof (``b3_h_dak_70p``) in m NAP. deck.gl
has no terrain here, so the scene uses a local datum: the median ground level of the panden shown
is placed at z = 0, each pand stands on its own ground level relative to it and is extruded by
``roof - ground``. The bestemmingsvlakken lie at z = 0.

No basemap unless asked: ``map_provider=None`` makes the page request no tiles (Streamlit ships
deck.gl itself). With ``basemap=True`` the CARTO "light" basemap is used, which is a third-party
request the user must opt into.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from .._extras import require
from ..crs import rd_to_wgs84
from ..store.memory import records

if TYPE_CHECKING:
    import pydeck as pdk

    from ..catalogue import Catalogue
    from ..dataset import Dataset

MARKT_RD = (246580.0, 443380.0)
#: panden within this distance (m) of the centre are shown.
DEFAULT_RADIUS = 450.0
#: height classes (m above ground) and their colours (light to dark, colour-blind safe ramp).
HEIGHT_CLASSES: list[tuple[float, float, tuple[int, int, int]]] = [
    (0.0, 4.0, (255, 255, 204)),
    (4.0, 7.0, (199, 233, 180)),
    (7.0, 10.0, (127, 205, 187)),
    (10.0, 14.0, (65, 182, 196)),
    (14.0, 20.0, (44, 127, 184)),
    (20.0, math.inf, (37, 52, 148)),
]
NO_HEIGHT_COLOUR = (190, 190, 190)


@dataclass(frozen=True)
class Scene:
    """Where the 3D view looks: a centre in RD, a radius and the local datum (m NAP)."""

    x: float
    y: float
    radius: float
    datum: float


def height_colour(height: float | None) -> tuple[int, int, int]:
    """The colour of a building of ``height`` m above ground (grey when unknown)."""
    if height is None or not math.isfinite(height):
        return NO_HEIGHT_COLOUR
    for lo, hi, rgb in HEIGHT_CLASSES:
        if lo <= height < hi:
            return rgb
    return HEIGHT_CLASSES[-1][2] if height >= 0 else HEIGHT_CLASSES[0][2]


def height_legend() -> list[tuple[str, str]]:
    """``(label, '#rrggbb')`` rows for the height legend, in Dutch."""
    rows = []
    for lo, hi, rgb in HEIGHT_CLASSES:
        label = f"{lo:.0f} m of hoger" if math.isinf(hi) else f"{lo:.0f} tot {hi:.0f} m"
        rows.append((label, "#{:02x}{:02x}{:02x}".format(*rgb)))
    rows.append(("hoogte onbekend", "#{:02x}{:02x}{:02x}".format(*NO_HEIGHT_COLOUR)))
    return rows


def _rings_wgs84(geoms: np.ndarray) -> list[list[list[list[float]]]]:
    """Each polygon's rings (exterior first, holes after) in lon/lat; multipolygons give their
    largest part (a pand is one footprint)."""
    polys = []
    for g in geoms:
        if g.geom_type == "MultiPolygon":
            g = max(g.geoms, key=lambda p: p.area)
        polys.append(g)
    if not polys:
        return []
    arr = np.array(polys, dtype=object)
    coords = shapely.get_coordinates(arr)
    lon, lat = rd_to_wgs84(coords[:, 0], coords[:, 1])
    ll = np.column_stack([np.round(lon, 6), np.round(lat, 6)])
    out = []
    k = 0
    for p in polys:
        rings = []
        for ring in [p.exterior, *p.interiors]:
            n = len(ring.coords)
            rings.append(ll[k:k + n].tolist())
            k += n
        out.append(rings)
    return out


def scene_for(dataset: Dataset, centre: tuple[float, float] | None = None,
              radius: float = DEFAULT_RADIUS) -> Scene:
    """The scene around ``centre`` (default the Markt, or the dataset's centre when it lies
    outside), with its datum: the median ground level of the panden there."""
    minx, miny, maxx, maxy = dataset.bounds
    x, y = centre or MARKT_RD
    if not (minx <= x <= maxx and miny <= y <= maxy):
        x, y = (minx + maxx) / 2, (miny + maxy) / 2
    datum = 0.0
    if "pand" in dataset:
        frame = _near(dataset, "pand", x, y, radius)
        if len(frame) and "b3_h_maaiveld" in frame.columns:
            ground = frame["b3_h_maaiveld"].to_numpy(dtype=float, na_value=np.nan)
            ground = ground[np.isfinite(ground)]
            if len(ground):
                datum = float(np.median(ground))
    return Scene(float(x), float(y), float(radius), datum)


def _near(dataset: Dataset, layer: str, x: float, y: float, radius: float) -> Any:
    """The rows of ``layer`` within ``radius`` of ``(x, y)`` (a store query, in layer order)."""
    return dataset.features(layer, geometry=shapely.Point(x, y).buffer(radius, quad_segs=8))


def pand_records(dataset: Dataset, scene: Scene, *, base: str = "b3_h_maaiveld",
                 top: str = "b3_h_dak_70p") -> list[dict[str, Any]]:
    """One record per pand near the scene centre: ``polygon`` (lon/lat/z rings at its ground
    level relative to the datum), ``hoogte`` (roof - ground, m), ``kleur``, and the tooltip fields
    ``adres``, ``bouwjaar``, ``hoogte_tekst``."""
    from .panden import addresses_by_pand

    if "pand" not in dataset:
        return []
    frame = _near(dataset, "pand", scene.x, scene.y, scene.radius)
    if not len(frame):
        return []
    geoms = frame.geometry.to_numpy()
    ok = np.array([g is not None and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon")
                   for g in geoms], dtype=bool)
    frame = frame[ok].reset_index(drop=True)
    geoms = geoms[ok]
    rows = np.arange(len(frame))
    ground = _column(frame, base, rows)
    roof = _column(frame, top, rows)
    addresses = addresses_by_pand(dataset, frame)
    rings = _rings_wgs84(geoms)
    recs = records(frame)
    out = []
    for k in rows.tolist():
        rec = recs[k]
        g = ground[k] if math.isfinite(ground[k]) else scene.datum
        h = roof[k] - g if math.isfinite(roof[k]) else math.nan
        known = math.isfinite(h) and h > 0
        z = round(g - scene.datum, 2)
        polygon = [[[c[0], c[1], z] for c in ring] for ring in rings[k]]
        adr = addresses.get(str(rec.get("identificatie")), [])
        adres = adr[0] if adr else "geen adres"
        if len(adr) > 1:
            adres += f" (+{len(adr) - 1} adressen)"
        out.append({
            "polygon": polygon,
            "hoogte": round(h, 2) if known else 3.0,
            "kleur": list(height_colour(h if known else None)),
            "adres": adres,
            "bouwjaar": rec.get("bouwjaar") if rec.get("bouwjaar") is not None else "onbekend",
            "hoogte_tekst": f"{h:.1f} m" if known else "onbekend",
        })
    return out


def _column(frame: Any, name: str, rows: np.ndarray) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(rows), np.nan)
    return frame[name].to_numpy(dtype=float, na_value=np.nan)[rows]


def pand_layer(records: list[dict[str, Any]], *, layer_id: str = "panden") -> pdk.Layer:
    """Panden as extruded polygons coloured by height (LoD 1.x blocks)."""
    pydeck = require("pydeck", "app")
    return pydeck.Layer(
        "PolygonLayer",
        data=records,
        id=layer_id,
        get_polygon="polygon",
        get_elevation="hoogte",
        get_fill_color="kleur",
        get_line_color=[80, 80, 80],
        extruded=True,
        wireframe=True,
        pickable=True,
        auto_highlight=True,
        highlight_color=[255, 140, 0, 200],
        material={"ambient": 0.45, "diffuse": 0.6, "shininess": 20, "specularColor": [60, 64, 70]},
    )


def plan_records(dataset: Dataset, scene: Scene, catalogue: Catalogue | None = None,
                 layer: str = "enkelbestemming") -> list[dict[str, Any]]:
    """The bestemmingsvlakken near the scene: ``polygon`` (lon/lat), ``kleur`` (catalogue colour,
    translucent), ``naam``."""
    if layer not in dataset:
        return []
    cat = catalogue if catalogue is not None else dataset.catalogue
    spec = cat[layer] if layer in cat.ids else None
    frame = _near(dataset, layer, scene.x, scene.y, scene.radius * 1.2)
    if not len(frame):
        return []
    recs = records(frame)
    clip = shapely.Point(scene.x, scene.y).buffer(scene.radius * 1.2, quad_segs=16)
    geoms = shapely.intersection(frame.geometry.to_numpy(), clip)
    parts = shapely.get_parts(geoms, return_index=True)
    polys, which = parts
    keep = np.array([p.geom_type == "Polygon" and not p.is_empty for p in polys], dtype=bool)
    polys, which = polys[keep], which[keep]
    rings = _rings_wgs84(polys)
    out = []
    for k, w in enumerate(which.tolist()):
        rec = recs[w]
        colour = spec.style.colour_for(rec.get(spec.style.field)) if spec and spec.style.field else (
            spec.style.fill if spec else "#cccccc")
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        out.append({"polygon": rings[k], "kleur": [*rgb, 110], "naam": rec.get("naam")})
    return out


def plan_layer(records: list[dict[str, Any]], *, layer_id: str = "bestemmingen") -> pdk.Layer:
    """Bestemmingsvlakken as a translucent ground layer."""
    pydeck = require("pydeck", "app")
    return pydeck.Layer(
        "PolygonLayer",
        data=records,
        id=layer_id,
        get_polygon="polygon",
        get_fill_color="kleur",
        get_line_color=[90, 90, 90, 160],
        line_width_min_pixels=1,
        extruded=False,
        stroked=True,
        pickable=False,
    )


def view_state_markt(scene: Scene, *, zoom: float = 16.6, pitch: float = 55.0,
                     bearing: float = -25.0) -> pdk.ViewState:
    """A camera over the scene centre (the Markt), tilted so that heights read."""
    pydeck = require("pydeck", "app")
    lon, lat = rd_to_wgs84(scene.x, scene.y)
    return pydeck.ViewState(longitude=float(lon), latitude=float(lat), zoom=zoom, pitch=pitch,
                            bearing=bearing, max_pitch=85, min_zoom=13, max_zoom=20)


EMPTY_STYLE = 'data:application/json,{"version":8,"sources":{},"layers":[]}'


TOOLTIP = {
    "html": "<b>{adres}</b><br/>Bouwjaar: {bouwjaar}<br/>Hoogte: {hoogte_tekst}",
    "style": {"backgroundColor": "#263238", "color": "white", "fontSize": "12px"},
}


def build_deck(
    dataset: Dataset,
    *,
    centre: tuple[float, float] | None = None,
    radius: float = DEFAULT_RADIUS,
    catalogue: Catalogue | None = None,
    plans: bool = True,
    basemap: bool = False,
) -> pdk.Deck:
    """The 3D view: panden extruded and coloured by height, bestemmingsvlakken on the ground,
    the camera on the Markt; no basemap (no third-party request) unless ``basemap``."""
    from .compact_deck import CompactDeck

    scene = scene_for(dataset, centre, radius)
    layers = []
    if plans:
        layers.append(plan_layer(plan_records(dataset, scene, catalogue)))
    layers.append(pand_layer(pand_records(dataset, scene)))
    if basemap:
        deck = CompactDeck(layers=layers, initial_view_state=view_state_markt(scene),
                        map_provider="carto", map_style="light", tooltip=TOOLTIP)
    else:
        deck = CompactDeck(layers=layers, initial_view_state=view_state_markt(scene),
                        map_provider=None, map_style=None, tooltip=TOOLTIP)
        # Streamlit substitutes CARTO's basemap for a missing map style; an empty inline style
        # (a data: URL, no host) keeps the page from fetching anything
        deck.map_style = EMPTY_STYLE
    return deck
