"""BRK-shaped percelen: every lot, block interior, special parcel and street piece is a perceel.

As in the real Kadastrale Kaart every square metre lies in some perceel, public space included
(street percelen are the street pieces, dissolved per street name and split where they fall apart).
Kadastrale aanduiding: gemeente ``WWK00`` (Winterswijk, synthetic code), sectie by area, a
perceelnummer unique per sectie, ``kadastrale_grootte`` the rounded area in m2 as the BRK gives it,
and a 14-digit KadastraalObject identificatie (synthetic).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ..schema import RD_NEW
from .geom import to_polygon, union_pieces
from .parcels import Layout
from .special import Special
from .streets import MARKT, Network

BRON_BRK = "demo (synthetisch) — BRK-vorm"
KAD_GEMEENTE_CODE = "WWK00"
SECTIES = ("K", "L", "M")


def street_pieces(net: Network) -> list[tuple[str, tuple, shapely.Geometry]]:
    """(street name, key, polygon) for every street segment and crossing, in a stable order."""
    out: list[tuple[str, tuple, shapely.Geometry]] = []
    for key in sorted(net.segments):
        out.append((net.names[key], key, to_polygon(net.segments[key])))
    for i, j in sorted(net.crossings):
        for cand in (("h", j, i), ("h", j, i - 1), ("v", i, j), ("v", i, j - 1)):
            if cand in net.names and net.names[cand] != "Markt":
                name = net.names[cand]
                break
        else:
            name = "Markt"
        out.append((name, ("x", i, j), to_polygon(net.crossings[(i, j)])))
    return out


def lot_geometries(lay: Layout, sp: Special) -> list[shapely.Geometry]:
    """The polygon of every lot of the layout (Markt plein and church perceel included)."""
    geoms = []
    for lot in lay.lots:
        if lot.style == "plein":
            geoms.append(sp.markt_plein)
        elif lot.style == "kerk":
            geoms.append(sp.kerk_perceel)
        else:
            geoms.append(to_polygon(lot.ring))
    return geoms


def make_percelen(net: Network, lay: Layout, sp: Special,
                  rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, list[int]]:
    """The perceel layer, and for each layout lot its row in that layer."""
    geoms = lot_geometries(lay, sp)
    lot_rows = list(range(len(geoms)))
    by_name: dict[str, list[shapely.Geometry]] = {}
    for name, _key, poly in street_pieces(net):
        by_name.setdefault(name, []).append(poly)
    for name in sorted(by_name):
        merged = union_pieces(by_name[name])
        parts = list(getattr(merged, "geoms", [merged]))
        geoms.extend(p for p in parts if p.area > 1e-6)
    arr = np.asarray(geoms, dtype=object)
    rep = shapely.point_on_surface(arr)
    x, y = shapely.get_x(rep), shapely.get_y(rep)
    sectie = np.where(x < MARKT[0] - 200.0, "K", np.where(x < MARKT[0] + 200.0, "L", "M"))
    nummer = np.zeros(len(arr), dtype=np.int64)
    for si, s in enumerate(SECTIES):
        idx = np.flatnonzero(sectie == s)
        order = idx[np.lexsort((x[idx], -np.floor(y[idx] / 60.0)))]
        steps = rng.integers(1, 4, len(order))
        nummer[order] = 1000 + 1500 * si + np.cumsum(steps)
    sec_no = np.array([SECTIES.index(s) + 11 for s in sectie])
    ident = [f"29400{a:02d}{n:05d}00" for a, n in zip(sec_no, nummer, strict=True)]
    frame = gpd.GeoDataFrame(
        {
            "identificatie": ident,
            "kadastrale_gemeente_code": KAD_GEMEENTE_CODE,
            "kadastrale_gemeente": "Winterswijk",
            "sectie": sectie,
            "perceelnummer": nummer,
            "kadastrale_aanduiding": [f"{KAD_GEMEENTE_CODE} {s} {n}" for s, n in
                                      zip(sectie, nummer, strict=True)],
            "kadastrale_grootte": np.rint(shapely.area(arr)),
            "bron": BRON_BRK,
        },
        geometry=list(arr),
        crs=RD_NEW,
    )
    return frame, lot_rows
