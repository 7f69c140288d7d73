"""BAG-shaped panden (with 3D BAG heights), verblijfsobjecten with addresses, openbare ruimten.

Panden get a bouwjaar by zone (old in the core, new outward, one era per street side), a status
(mostly "Pand in gebruik") and 3D BAG roof heights in m NAP (``b3_h_maaiveld`` 35-37 m on a smooth
gradient; ``min <= 50p <= 70p <= max``). Verblijfsobjecten stand in their hoofdgebouw and take their
address from the street the lot fronts: huisnummers rise along the street, odd on one side and even
on the other (the Markt is numbered round the square), postcodes ``7101AB`` per street-side stretch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from .geom import GRID, dot, mm, norm, to_polygon, uniform
from .parcels import Layout
from .special import Special
from .streets import MARKT, Network

PAND_IN_GEBRUIK = "Pand in gebruik"


@dataclass
class Pand:
    geom: shapely.Geometry
    lot: int
    role: str  # hoofdgebouw, bijgebouw, kerk, school, gymzaal, ...
    zone: str
    face: int = -1
    street: tuple[str, int, int] | None = None  # the street stretch the lot fronts
    position: float = 0.0  # along the street line
    identificatie: str = ""
    bouwjaar: int = 0
    status: str = PAND_IN_GEBRUIK
    heights: tuple[float, float, float, float, float] = (np.nan,) * 5  # mv, min, 50p, 70p, max
    dak_type: str | None = None
    bouwlagen: int | None = None
    uses: list[str] = field(default_factory=list)
    #: half-planes that cut the pand out of its (convex) lot ring; empty for the church
    planes: list[tuple[np.ndarray, float]] = field(default_factory=list)


@dataclass
class Vbo:
    point: shapely.Point
    pand: int
    gebruiksdoel: str
    oppervlakte: int
    street: str = ""
    huisnummer: int = 0
    huisletter: str | None = None
    toevoeging: str | None = None
    postcode: str = ""
    identificatie: str = ""
    nummeraanduiding: str = ""


def _along(net: Network, key: tuple[str, int, int], side: int, s_mid: float) -> float:
    """Position of a lot front along its street line (west->east, south->north)."""
    k = key[2]
    a, b = net.centre_line(key)
    length = norm(b - a)
    s = s_mid if side in (0, 1) else length - s_mid
    return k * 1000.0 + s


def make_panden(net: Network, lay: Layout, sp: Special, rng: np.random.Generator) -> list[Pand]:
    """All panden with bouwjaar, status and heights; their ids are assigned here."""
    panden: list[Pand] = []
    era: dict[int, float] = {}
    for b in lay.buildings:
        lot = lay.lots[b.lot]
        key = net.block_edge(lot.cell, lot.side)
        p = Pand(to_polygon(b.ring), b.lot, "hoofdgebouw" if b.hoofd else "bijgebouw", lot.zone,
                 lot.face, key, _along(net, key, lot.side, lot.position), planes=b.planes)
        panden.append(p)
    for li, ring, role, planes in sp.campus:
        lot = lay.lots[li]
        key = net.block_edge(lot.cell, 0)
        blk = net.blocks[lot.cell]
        u = (blk[1] - blk[0]) / norm(blk[1] - blk[0])
        s_mid = dot(u, ring.mean(axis=0) - blk[0])
        panden.append(Pand(to_polygon(ring), li, role, lot.zone, -1, key,
                           _along(net, key, 0, s_mid), planes=planes))
    kerk_lot = next(i for i, lot in enumerate(lay.lots) if lot.style == "kerk")
    panden.append(Pand(sp.kerk, kerk_lot, "kerk", "kerk"))
    _years(panden, era, rng)
    _heights(panden, rng)
    serials = rng.choice(900_000, size=len(panden), replace=False) + 100_000
    for p, s in zip(panden, serials, strict=True):
        p.identificatie = f"0294100000{int(s):06d}"
    return panden


def _years(panden: list[Pand], era: dict[int, float], rng: np.random.Generator) -> None:
    fixed = {"kerk": 1500, "school": 1974, "gymzaal": 1981, "gezondheidscentrum": 2009,
             "apotheek": 2009, "kerkgebouw": 1911}
    house_year: dict[int, int] = {}
    for p in panden:
        if p.role in fixed:
            p.bouwjaar = fixed[p.role] if p.zone != "kerk2" else 1911
            continue
        if p.role == "bijgebouw":
            continue
        if p.face not in era:
            lo, hi = {"centrum": (1640, 1935), "gemengd": (1880, 1975)}.get(p.zone, (1950, 2020))
            era[p.face] = uniform(rng, lo, hi)
        spread = 30.0 if p.zone == "centrum" else 6.0
        y = int(np.rint(era[p.face] + rng.normal(0.0, spread)))
        p.bouwjaar = int(np.clip(y, 1600, 2023))
        house_year[p.lot] = p.bouwjaar
    for p in panden:
        if p.role == "bijgebouw":
            base = max(house_year.get(p.lot, 1960), 1950)
            p.bouwjaar = min(2024, base + int(rng.integers(0, 40)))
    status = rng.random(len(panden))
    for p, r in zip(panden, status, strict=True):
        if p.role == "kerk":
            continue
        if r < 0.004:
            p.status = "Bouw gestart"
            p.bouwjaar = 2026
        elif r < 0.02:
            p.status = "Verbouwing pand"


def _heights(panden: list[Pand], rng: np.random.Generator) -> None:
    for p in panden:
        c = shapely.centroid(p.geom)
        dx, dy = (c.x - MARKT[0]) / 600.0, (c.y - MARKT[1]) / 500.0
        mv = float(np.clip(36.0 + 0.6 * dx - 0.4 * dy + 0.15 * math.sin(3 * dx) + rng.normal(0, 0.08),
                           35.0, 37.0))
        if p.status == "Bouw gestart":  # not yet in the 3D BAG's point cloud
            continue
        if p.role == "bijgebouw":
            h70 = mv + uniform(rng, 2.5, 3.0)
            p.heights = (mv, h70 - 0.2, h70 - 0.05, h70, h70 + uniform(rng, 0.0, 0.2))
            p.dak_type, p.bouwlagen = "horizontal", 1
            continue
        if p.role == "kerk":
            p.heights = (mv, mv + 9.5, mv + 17.0, mv + 19.5, mv + 48.0)
            p.dak_type, p.bouwlagen = "multiple horizontal", 4
            continue
        if p.role in ("school", "gymzaal", "gezondheidscentrum", "apotheek", "kerkgebouw"):
            lagen = 2 if p.role in ("school", "gezondheidscentrum") else 1
            h70 = mv + 3.6 * lagen + uniform(rng, 0.5, 2.5)
            dak = "horizontal" if p.zone != "kerk2" else "slanted"
            extra = uniform(rng, 0.2, 1.0) if dak == "horizontal" else uniform(rng, 3.0, 6.0)
            p.heights = (mv, h70 - 1.0, h70 - 0.3, h70, h70 + extra)
            p.dak_type, p.bouwlagen = dak, lagen
            continue
        if p.zone == "centrum":
            lagen = int(rng.choice([2, 3, 4], p=[0.3, 0.5, 0.2]))
            dak = str(rng.choice(["slanted", "horizontal", "multiple horizontal"], p=[0.5, 0.35, 0.15]))
        elif p.zone == "gemengd":
            lagen = int(rng.choice([2, 3], p=[0.7, 0.3]))
            dak = str(rng.choice(["slanted", "horizontal", "multiple horizontal"], p=[0.65, 0.25, 0.1]))
        else:
            lagen = int(rng.choice([1, 2], p=[0.3, 0.7]))
            dak = str(rng.choice(["slanted", "horizontal"], p=[0.85, 0.15]))
        base = mv + 2.9 * lagen
        if dak == "slanted":
            h70 = base + uniform(rng, 1.5, 3.0)
            hmax = h70 + uniform(rng, 1.0, 3.0)
            h50 = h70 - uniform(rng, 0.4, 1.2)
            hmin = h50 - uniform(rng, 1.5, 3.5)
        else:
            h70 = base + uniform(rng, 0.3, 0.8)
            hmax = h70 + (uniform(rng, 0.0, 0.6) if dak == "horizontal" else uniform(rng, 0.5, 2.5))
            h50 = h70 - uniform(rng, 0.0, 0.2)
            hmin = h50 - (uniform(rng, 0.0, 0.4) if dak == "horizontal" else uniform(rng, 0.5, 2.0))
        hmin = max(hmin, mv + 2.2)
        p.heights = (mv, hmin, h50, h70, hmax)
        p.dak_type, p.bouwlagen = dak, lagen
    for p in panden:  # to the centimetre, as written: a last bit of math.sin cannot show
        mv, hmin, h50, h70, hmax = (round(float(h), 2) for h in p.heights)
        p.heights = (mv, hmin, h50, h70, hmax)


# --- verblijfsobjecten and addresses -------------------------------------------------------------

_CAMPUS_USE = {"school": "onderwijsfunctie", "gymzaal": "sportfunctie",
               "gezondheidscentrum": "gezondheidszorgfunctie", "apotheek": "winkelfunctie",
               "kerk": "bijeenkomstfunctie", "kerkgebouw": "bijeenkomstfunctie"}


def _uses(p: Pand, rng: np.random.Generator) -> list[str]:
    if p.role in _CAMPUS_USE:
        return [_CAMPUS_USE[p.role]]
    c = shapely.centroid(p.geom)
    near = math.sqrt((c.x - MARKT[0]) ** 2 + (c.y - MARKT[1]) ** 2) < 200.0
    lagen = p.bouwlagen or 2
    if p.zone == "centrum":
        opts = ["winkelfunctie", "bijeenkomstfunctie", "kantoorfunctie", "woonfunctie",
                "logiesfunctie"]
        probs = [0.55, 0.16 if near else 0.06, 0.1, 0.17 if near else 0.27, 0.02]
        ground = str(rng.choice(opts, p=np.asarray(probs) / sum(probs)))
        upper = ground != "woonfunctie" and lagen >= 2 and rng.random() < 0.7
    elif p.zone == "gemengd":
        opts = ["woonfunctie", "winkelfunctie", "kantoorfunctie", "gezondheidszorgfunctie",
                "overige gebruiksfunctie", "industriefunctie"]
        ground = str(rng.choice(opts, p=[0.7, 0.1, 0.1, 0.04, 0.04, 0.02]))
        upper = ground != "woonfunctie" and lagen >= 2 and rng.random() < 0.5
    else:
        ground = "woonfunctie" if rng.random() > 0.02 else "kantoorfunctie"
        upper = False
    return [ground, "woonfunctie"] if upper else [ground]


def make_vbos(net: Network, panden: list[Pand], rng: np.random.Generator) -> list[Vbo]:
    """Verblijfsobjecten in every hoofdgebouw and non-residential building, with addresses."""
    vbos: list[Vbo] = []
    addressed: list[int] = []
    for pi, p in enumerate(panden):
        if p.role == "bijgebouw":
            continue
        p.uses = _uses(p, rng)
        addressed.append(pi)
        footprint = float(shapely.area(p.geom))
        lagen = p.bouwlagen or 1
        centre = shapely.set_precision(shapely.point_on_surface(p.geom), GRID)
        if len(p.uses) == 1:
            vbos.append(Vbo(centre, pi, p.uses[0], max(15, int(np.rint(footprint * lagen * 0.8)))))
        else:
            ring = np.asarray(p.geom.exterior.coords)[:-1]
            c = shapely.centroid(p.geom)
            second = shapely.Point(mm(0.6 * c.x + 0.4 * ring[0][0]), mm(0.6 * c.y + 0.4 * ring[0][1]))
            vbos.append(Vbo(centre, pi, p.uses[0], max(15, int(np.rint(footprint * 0.85)))))
            vbos.append(Vbo(second, pi, p.uses[1],
                            max(25, int(np.rint(footprint * (lagen - 1) * 0.8)))))
    _number(net, panden, vbos, rng)
    serials = rng.choice(900_000, size=len(vbos), replace=False) + 100_000
    nserials = rng.choice(900_000, size=len(vbos), replace=False) + 100_000
    for v, s, ns in zip(vbos, serials, nserials, strict=True):
        v.identificatie = f"0294010000{int(s):06d}"
        v.nummeraanduiding = f"0294200000{int(ns):06d}"
    return vbos


def _number(net: Network, panden: list[Pand], vbos: list[Vbo], rng: np.random.Generator) -> None:
    by_pand: dict[int, list[int]] = {}
    for vi, v in enumerate(vbos):
        by_pand.setdefault(v.pand, []).append(vi)
    groups: dict[tuple[str, int], list[tuple[float, int]]] = {}
    for pi in sorted(by_pand):
        p = panden[pi]
        if p.role == "kerk":
            name, parity, pos = "Markt", 0, -1.0
        else:
            assert p.street is not None
            name = net.names.get(p.street, "")
            if not name:
                continue
            if name == "Markt":
                c = shapely.centroid(p.geom)
                ang = float(np.arctan2(c.y - MARKT[1], c.x - MARKT[0]))
                parity, pos = 0, (np.pi / 2 - ang) % (2 * np.pi)  # clockwise from the north
            else:
                a, b = net.centre_line(p.street)
                c = np.asarray(shapely.centroid(p.geom).coords[0])
                cross = (b - a)[0] * (c - a)[1] - (b - a)[1] * (c - a)[0]
                parity, pos = (1 if cross > 0 else 2), p.position
        groups.setdefault((name, parity), []).append((pos, pi))
    letters = _letter_pairs()
    used: dict[str, int] = {}
    for (name, parity), members in sorted(groups.items()):
        members.sort()
        start = 1 if parity in (0, 1) else 2
        step = 1 if parity == 0 else 2
        chunk_size = int(rng.integers(14, 26))
        for n, (_, pi) in enumerate(members):
            number = start + n * step
            if n % chunk_size == 0:
                c = shapely.centroid(panden[pi].geom)
                r = math.sqrt((c.x - MARKT[0]) ** 2 + (c.y - MARKT[1]) ** 2)
                digits = "7101" if r < 300.0 else ("7102" if c.x < MARKT[0] else "7103")
                postcode = digits + letters[used.get(digits, 0)]
                used[digits] = used.get(digits, 0) + 1
            vis = by_pand[pi]
            toevoeging_style = rng.random() < 0.4
            for m, vi in enumerate(vis):
                v = vbos[vi]
                v.street, v.huisnummer, v.postcode = name, number, postcode
                if m > 0:
                    if toevoeging_style:
                        v.toevoeging = str(m)
                    else:
                        v.huisletter = "ABCDEFGH"[m - 1]


def _letter_pairs() -> list[str]:
    """Postcode letter pairs in order, without the combinations PostNL does not issue."""
    abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [a + b for a in abc for b in abc if a + b not in ("SA", "SD", "SS")]


def street_lines(net: Network) -> dict[str, shapely.Geometry]:
    """Each street name's centre line (its stretches merged)."""
    parts: dict[str, list[shapely.LineString]] = {}
    for key in sorted(net.names):
        a, b = net.centre_line(key)
        parts.setdefault(net.names[key], []).append(shapely.LineString(np.round([a, b], 3)))
    # not clipped to the extent: a street along its edge keeps its centre line just outside
    out = {}
    for name in sorted(parts):
        out[name] = shapely.line_merge(shapely.multilinestrings(parts[name]))
    return out
