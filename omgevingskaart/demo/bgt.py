"""BGT-shaped ground cover: wegdeel, waterdeel, begroeid- and onbegroeidterreindeel.

Like the real BGT, the ground layers and the panden together partition the extent without
overlaps: streets and the Markt square are wegdelen, the park pond a waterdeel, the park, church
yard and gardens of block interiors begroeid terrein, and every lot minus its panden onbegroeid
terrein ("erf"). Functie and fysiek voorkomen values are taken from the IMGeo code lists.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..schema import RD_NEW
from .bag import Pand
from .brk import lot_geometries, street_pieces
from .geom import Ring, area, clip_all, minus_inner, to_polygon
from .parcels import Layout
from .special import Special
from .streets import MARKT, Network

BRON_BGT = "demo (synthetisch) — BGT-vorm"
KLASSEN = ("wegdeel", "waterdeel", "begroeidterreindeel", "onbegroeidterreindeel")


def _row(klasse: str, rng: np.random.Generator, functie: str | None, fysiek: str | None,
         type_: str | None = None) -> dict:
    day = int(rng.integers(0, 3650))
    stamp = (np.datetime64("2015-01-01T08:00:00") + np.timedelta64(day, "D")
             + np.timedelta64(int(rng.integers(0, 36000)), "s"))
    return {"identificatie": "G0294." + rng.bytes(16).hex(), "bgt_klasse": klasse,
            "bgt_status": "bestaand", "functie": functie, "fysiek_voorkomen": fysiek,
            "type": type_, "relatieve_hoogteligging": 0, "identificatie_bag_pnd": None,
            "tijdstip_registratie": str(stamp), "bron": BRON_BGT}


def finish_bgt(layers: dict[str, gpd.GeoDataFrame],
               rng: np.random.Generator) -> dict[str, gpd.GeoDataFrame]:
    """The BGT layers of :func:`make_bgt`, once on the grid: one row per polygon, with ids.

    Rows are made only now, from the geometries on the grid, so that the number of pieces (and
    with it every random draw after them) cannot depend on how an overlay split a piece in floats.
    """
    names = [f"bgt_{k}" for k in KLASSEN]
    todo = pd.concat([layers[n] for n in names], ignore_index=True).sort_values("_order",
                                                                              kind="stable")
    rows: dict[str, list[dict]] = {k: [] for k in KLASSEN}
    geoms: dict[str, list[shapely.Geometry]] = {k: [] for k in KLASSEN}
    for klasse, functie, fysiek, type_, geom in zip(
            todo["_klasse"], todo["_functie"], todo["_fysiek"], todo["_type"], todo.geometry,
            strict=True):
        for g in shapely.get_parts(geom):
            if g.geom_type == "Polygon" and g.area > 1e-6:
                rows[klasse].append(_row(klasse, rng, functie, fysiek, type_))
                geoms[klasse].append(g)
    return {f"bgt_{k}": gpd.GeoDataFrame(rows[k], geometry=geoms[k], crs=RD_NEW) for k in KLASSEN}


def _minus_convex(ring: Ring, cutters: list[list[tuple[np.ndarray, float]]]) -> shapely.Geometry:
    """A convex lot ring minus buildings given as half-plane sets, without a polygon overlay, as a
    collection of convex pieces (joined on the grid by :func:`.build._on_grid`).

    ``Q \\ (Q ∩ P1 ∩ ... ∩ Pk)`` is the disjoint union of ``Q ∩ P1 ∩ ... ∩ P(i-1) ∩ ¬Pi``; each
    piece is a half-plane clip, so the pieces share their vertices with the buildings exactly
    (an overlay of polygons whose edges coincide only up to rounding can go badly wrong).
    """
    pieces = [ring]
    for planes in cutters:
        nxt = []
        for q in pieces:
            for i, (a, b) in enumerate(planes):
                piece = clip_all(q, [*planes[:i], (-a, -b)])
                if area(piece) > 1e-6:
                    nxt.append(piece)
        pieces = nxt
    return shapely.GeometryCollection([to_polygon(p) for p in pieces])


def make_bgt(net: Network, lay: Layout, sp: Special, panden: list[Pand]) -> dict[str, gpd.GeoDataFrame]:
    """The BGT ground, in floats, as convex pieces with the number (``_order``) of the row they
    belong to and without ids: the pieces are put on the grid and joined per row first, then
    :func:`finish_bgt` makes the rows."""
    rows: dict[str, list[dict]] = {k: [] for k in KLASSEN}
    geoms: dict[str, list[shapely.Geometry]] = {k: [] for k in rows}
    order = iter(range(1 << 30))

    def add(klasse: str, geom: shapely.Geometry, functie: str | None, fysiek: str | None,
            type_: str | None = None) -> None:
        row = next(order)
        for g in shapely.get_parts(geom):  # pieces of one row are joined once on the grid
            if not g.is_empty:
                rows[klasse].append({"_order": row, "_klasse": klasse, "_functie": functie,
                                     "_fysiek": fysiek, "_type": type_})
                geoms[klasse].append(g)

    for _name, key, poly in street_pieces(net):
        c = shapely.centroid(poly)
        r = ((c.x - MARKT[0]) ** 2 + (c.y - MARKT[1]) ** 2) ** 0.5
        if key[0] == "x":
            main = ("v", key[1]) in net.main_lines or ("h", key[2]) in net.main_lines
        else:
            main = (key[0], key[1]) in net.main_lines
        if r < 160.0 and not main:
            add("wegdeel", poly, "voetgangersgebied", "open verharding")
        elif main:
            add("wegdeel", poly, "rijbaan regionale weg", "gesloten verharding")
        else:
            add("wegdeel", poly, "rijbaan lokale weg", "gesloten verharding")
    on_lot: dict[int, list[Pand]] = {}
    for p in panden:
        on_lot.setdefault(p.lot, []).append(p)
    for li, (lot, geom) in enumerate(zip(lay.lots, lot_geometries(lay, sp), strict=True)):
        built = on_lot.get(li, [])
        if built and all(p.planes for p in built):
            rest = _minus_convex(lot.ring, [p.planes for p in built])
        elif built:  # the church: well inside its perceel, a plain overlay is robust
            rest = geom
            for p in built:
                rest = minus_inner(rest, p.geom)
        else:
            rest = geom
        if lot.style == "plein":
            add("wegdeel", rest, "voetgangersgebied", "open verharding")
        elif lot.zone == "park":
            if sp.pond is not None:
                add("waterdeel", sp.pond, None, None, "watervlakte")
                rest = minus_inner(rest, sp.pond)
            add("begroeidterreindeel", rest, None, "groenvoorziening")
        elif lot.zone in ("kerk", "kerk2"):
            add("begroeidterreindeel", rest, None, "groenvoorziening")
        elif lot.zone in ("school", "zorg"):
            add("onbegroeidterreindeel", rest, None, "gesloten verharding")
        elif lot.style == "binnenterrein":
            if lot.zone == "centrum":
                add("onbegroeidterreindeel", rest, None, "gesloten verharding")
            else:
                add("begroeidterreindeel", rest, None, "groenvoorziening")
        else:
            add("onbegroeidterreindeel", rest, None, "erf")
    return {f"bgt_{k}": gpd.GeoDataFrame(rows[k], geometry=geoms[k], crs=RD_NEW) for k in rows}
