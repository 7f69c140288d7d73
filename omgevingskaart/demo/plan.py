"""An IMRO2012-shaped bestemmingsplan over the demo extent.

* enkelbestemmingen partition the plan area: one vlak per block (its zone's bestemming), the
  Markt square and the streets as Verkeer - Verblijfsgebied (main roads Verkeer), the church
  Maatschappelijk, the park Groen with its pond as Water;
* a dubbelbestemming "Waarde - Archeologie 1" over the old core;
* one bouwvlak per built block side: the front strip from the building line to the deepest
  hoofdgebouw, so every hoofdgebouw lies in a bouwvlak; campus buildings and the church get their
  own;
* maatvoering, tidy: per bouwvlak "maximum goothoogte (m)" and "maximum bouwhoogte (m)", on some
  Wonen vlakken "maximum bebouwingspercentage (%)". Most buildings fit; a few exceed the maximum
  bouwhoogte, as in real towns (the church tower among them);
* functieaanduidingen (horeca, detailhandel, kantoor) and bouwaanduiding "karakteristiek".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..schema import RD_NEW
from .bag import Pand
from .brk import lot_geometries, street_pieces
from .geom import (
    GRID,
    area,
    box_planes,
    clip_all,
    minus_inner,
    mm,
    to_polygon,
    uniform,
    union_pieces,
)
from .parcels import Layout
from .special import Special
from .streets import EXTENT, MARKT, Network

PLAN_ID = "NL.IMRO.0294.BPCENTRUM2026-DM01"
PLAN_NAAM = "Centrum Winterswijk (demo)"
PLAN_DATUM = "2026-03-12"
BRON_IMRO = "demo (synthetisch) — IMRO2012-vorm"

#: bestemming naam -> (hoofdgroep, artikelnummer); articles in IMRO's alphabetical order.
BESTEMMINGEN: dict[str, tuple[str, str]] = {
    "Centrum": ("centrum", "3"),
    "Gemengd - 1": ("gemengd", "4"),
    "Groen": ("groen", "5"),
    "Maatschappelijk": ("maatschappelijk", "6"),
    "Verkeer": ("verkeer", "7"),
    "Verkeer - Verblijfsgebied": ("verkeer", "8"),
    "Water": ("water", "9"),
    "Wonen": ("wonen", "10"),
    "Waarde - Archeologie 1": ("waarde", "11"),
}
ZONE_BESTEMMING = {"centrum": "Centrum", "gemengd": "Gemengd - 1", "wonen": "Wonen",
                   "park": "Groen", "school": "Maatschappelijk", "zorg": "Maatschappelijk",
                   "kerk2": "Maatschappelijk", "kerk": "Maatschappelijk",
                   "markt": "Verkeer - Verblijfsgebied"}
#: heights (m) plans use for maximum bouwhoogte.
PLAN_HEIGHTS = (6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 25)


def tekst_ref(naam: str) -> str:
    art = BESTEMMINGEN[naam][1]
    return f"r_{PLAN_ID}.html#_{art}_{naam.replace(' ', '')}"


@dataclass
class PlanLayers:
    layers: dict[str, gpd.GeoDataFrame]
    exceeding: list[int]  # pand indices higher than their bouwvlak's maximum bouwhoogte


def _frame(rows: list[dict], geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=RD_NEW)


def _obj(prefix: str, n: int, naam: str, hoofdgroep: str | None, ref: str | None) -> dict[str, Any]:
    return {"identificatie": f"NL.IMRO.PT.{prefix}{n:05d}", "plan_id": PLAN_ID, "naam": naam,
            "hoofdgroep": hoofdgroep, "artikelnummer": BESTEMMINGEN[naam][1] if naam in
            BESTEMMINGEN else None, "tekst_ref": ref, "bron": BRON_IMRO}


def _explode(geom: shapely.Geometry) -> list[shapely.Geometry]:
    return [g for g in getattr(geom, "geoms", [geom]) if g.area > 1e-6]


def make_plan(net: Network, lay: Layout, sp: Special, panden: list[Pand],
              karakteristiek: list[int], rng: np.random.Generator) -> PlanLayers:
    box = box_planes(*EXTENT)
    lots = lot_geometries(lay, sp)
    # --- enkelbestemmingen ------------------------------------------------------------------
    pieces: dict[str, list[shapely.Geometry]] = {}
    block_vlakken: list[tuple[str, shapely.Geometry, str]] = []
    for cell in sorted(net.blocks):
        lot_members = [i for i, lot in enumerate(lay.lots) if lot.cell == cell]
        if not lot_members:
            continue
        zones = {lay.lots[i].zone for i in lot_members}
        if cell == net.markt_cell:
            pieces.setdefault("Verkeer - Verblijfsgebied", []).append(sp.markt_plein)
            block_vlakken.append(("Maatschappelijk", sp.kerk_perceel, "kerk"))
            continue
        ring = clip_all(net.blocks[cell], box)
        geom = to_polygon(ring)
        zone = sorted(zones)[0]
        if zone == "park" and sp.pond is not None:
            block_vlakken.append(("Groen", minus_inner(geom, sp.pond), zone))
            block_vlakken.append(("Water", sp.pond, zone))
            continue
        block_vlakken.append((ZONE_BESTEMMING[zone], geom, zone))
    for _name, key, poly in street_pieces(net):
        if key[0] == "x":
            main = ("v", key[1]) in net.main_lines or ("h", key[2]) in net.main_lines
        else:
            main = (key[0], key[1]) in net.main_lines
        pieces.setdefault("Verkeer" if main else "Verkeer - Verblijfsgebied", []).append(poly)
    eb_rows: list[dict[str, Any]] = []
    eb_geoms: list[shapely.Geometry] = []
    vlakken = list(block_vlakken)
    for naam in sorted(pieces):
        merged = union_pieces(pieces[naam])
        vlakken.extend((naam, g, "straat") for g in _explode(merged))
    for naam, geom, _zone in vlakken:
        for g in _explode(geom):
            eb_rows.append(_obj("eb", len(eb_rows) + 1, naam, BESTEMMINGEN[naam][0], tekst_ref(naam)))
            eb_geoms.append(g)
    # --- dubbelbestemming over the old core -----------------------------------------------------
    ph = [uniform(rng, 0.0, 2 * math.pi) for _ in range(2)]
    core_ring: list[tuple[float, float]] = []
    for k in range(72):  # each vertex rounded to the millimetre right after the trigonometry
        t = 2 * math.pi * k / 72
        r = 290.0 * (1 + 0.08 * math.sin(2 * t + ph[0]) + 0.05 * math.sin(5 * t + ph[1]))
        core_ring.append((mm(MARKT[0] + r * math.cos(t)), mm(MARKT[1] + r * math.sin(t))))
    core = shapely.intersection(shapely.polygons(core_ring), shapely.box(*EXTENT), grid_size=GRID)
    db_naam = "Waarde - Archeologie 1"
    db = _frame([_obj("db", 1, db_naam, "waarde", tekst_ref(db_naam))], [core])
    # --- bouwvlakken ------------------------------------------------------------------------------
    bv_geoms: list[shapely.Geometry] = []
    bv_zone: list[str] = []
    pand_bv: dict[int, int] = {}
    face_bv: dict[int, int] = {}
    for fi, face in enumerate(lay.faces):
        if face.max_depth <= 0:
            continue
        depth = math.ceil(face.max_depth)
        ring = clip_all(net.blocks[face.cell], [
            *face.planes, (-face.normal, -(face.offset + face.setback)),
            (face.normal, face.offset + face.setback + depth), *box])
        if area(ring) < 1.0:
            continue
        face_bv[fi] = len(bv_geoms)
        bv_geoms.append(to_polygon(ring))
        bv_zone.append(face.zone)
    for pi, p in enumerate(panden):
        if p.role == "hoofdgebouw" and p.face in face_bv:
            pand_bv[pi] = face_bv[p.face]
        elif p.role not in ("hoofdgebouw", "bijgebouw"):
            lot_geom = lots[p.lot]
            g = shapely.intersection(shapely.buffer(p.geom, 2.0, join_style="mitre"), lot_geom,
                                     grid_size=GRID)
            pand_bv[pi] = len(bv_geoms)
            bv_geoms.append(g)
            bv_zone.append(p.zone)
    # --- maatvoering ------------------------------------------------------------------------------
    members: dict[int, list[int]] = {}
    for pi, b in sorted(pand_bv.items()):
        members.setdefault(b, []).append(pi)
    rel = {pi: panden[pi].heights[4] - panden[pi].heights[0] for pi in pand_bv}
    allowed: dict[int, int] = {}
    for b in range(len(bv_geoms)):
        hs = [rel[pi] for pi in members.get(b, []) if np.isfinite(rel[pi])]
        need = max(hs) if hs else 9.0
        allowed[b] = next((h for h in PLAN_HEIGHTS if h >= need), PLAN_HEIGHTS[-1])
    kerk_b = next(pand_bv[pi] for pi, p in enumerate(panden) if p.role == "kerk")
    allowed[kerk_b] = 20
    eligible = []
    for b in sorted(members):
        hs = sorted((rel[pi] for pi in members[b] if np.isfinite(rel[pi])), reverse=True)
        if b != kerk_b and bv_zone[b] in ("centrum", "gemengd") and len(hs) >= 3:
            lower = next((h for h in PLAN_HEIGHTS if h >= hs[1]), None)
            if lower is not None and lower < hs[0]:
                eligible.append((b, lower))
    for k in rng.choice(len(eligible), size=min(8, len(eligible)), replace=False):
        b, lower = eligible[int(k)]
        allowed[b] = lower
    exceeding = sorted(pi for pi, b in pand_bv.items()
                       if np.isfinite(rel[pi]) and rel[pi] > allowed[b])
    bv_rows, mv_rows, mv_geoms = [], [], []
    for b, g in enumerate(bv_geoms):
        bv_rows.append({**_obj("bv", b + 1, "bouwvlak", None, None)})
        bh = allowed[b]
        goot = max(3, bh - (3 if bv_zone[b] == "centrum" else 4))
        ident = f"NL.IMRO.PT.mv{b + 1:05d}"
        for wt, val in (("maximum goothoogte (m)", goot), ("maximum bouwhoogte (m)", bh)):
            mv_rows.append({**_obj("mv", b + 1, "maatvoering", None, None), "identificatie": ident,
                            "waarde_type": wt, "waarde": float(val), "waarde_tekst": str(val),
                            "eenheid": "m"})
            mv_geoms.append(g)
    n_mv = len(bv_geoms)
    for naam, geom, zone in block_vlakken:
        if zone == "wonen" and rng.random() < 0.5:
            n_mv += 1
            pct = int(rng.choice([50, 60, 70]))
            mv_rows.append({**_obj("mv", n_mv, "maatvoering", None, None),
                            "waarde_type": "maximum bebouwingspercentage (%)", "waarde": float(pct),
                            "waarde_tekst": str(pct), "eenheid": "%"})
            mv_geoms.append(geom)
            del naam
    # --- functieaanduidingen and bouwaanduidingen -------------------------------------------------
    fa_rows: list[dict[str, Any]] = []
    fa_geoms: list[shapely.Geometry] = []
    for p in panden:
        if not p.uses or p.role != "hoofdgebouw":
            continue
        use = p.uses[0]
        fa = None
        if use == "bijeenkomstfunctie" and p.zone == "centrum":
            fa = "horeca"
        elif use == "winkelfunctie" and p.zone == "gemengd":
            fa = "detailhandel"
        elif use == "kantoorfunctie" and p.zone == "gemengd":
            fa = "kantoor"
        if fa:
            fa_rows.append(_obj("fa", len(fa_rows) + 1, fa, fa, None))
            fa_geoms.append(lots[p.lot])
    ba_rows: list[dict[str, Any]] = []
    ba_geoms: list[shapely.Geometry] = []
    for pi in karakteristiek:
        ba_rows.append(_obj("ba", len(ba_rows) + 1, "karakteristiek", None, None))
        ba_geoms.append(panden[pi].geom)
    extent = shapely.box(*EXTENT)
    gebied = _frame([{"identificatie": PLAN_ID, "plan_id": PLAN_ID, "naam": PLAN_NAAM,
                      "type_plan": "bestemmingsplan", "planstatus": "vastgesteld",
                      "datum": PLAN_DATUM, "overheid": "0294",
                      "tekst_ref": f"r_{PLAN_ID}.html", "bron": BRON_IMRO}], [extent])
    layers = {
        "bestemmingsplangebied": gebied,
        "enkelbestemming": _frame(eb_rows, eb_geoms),
        "dubbelbestemming": db,
        "bouwvlak": _frame(bv_rows, bv_geoms),
        "maatvoering": _frame(mv_rows, mv_geoms),
        "functieaanduiding": _frame(fa_rows, fa_geoms),
        "bouwaanduiding": _frame(ba_rows, ba_geoms),
    }
    return PlanLayers(layers, exceeding)
