"""Height exceedance: panden taller than the maximum bouwhoogte the plan allows where they stand.

Which roof height is compared
-----------------------------
The plan's "maximum bouwhoogte (m)" is, in the SVBP/IMRO meetvoorschriften, measured from the peil
(ground level) to the *highest point* of the building (the ridge), not to an average roof height.
The 3D BAG's counterpart of the highest point is ``b3_h_dak_max`` (the highest roof point, m NAP),
so the height compared is ``b3_h_dak_max - b3_h_maaiveld`` (m above ground). ``b3_h_dak_70p``
(what LoD 1.2 blocks are extruded to) would understate a pitched roof by metres and hide real
exceedances. Chimneys and antennas are excluded from the plan height by most regels but are not
in the 3D BAG roof heights either (they are filtered out of the point cloud), so no allowance is
made; the result is a screening, not a legal finding.

Which maximum applies
---------------------
Maatvoering objects (``maatvoering`` layer, tidy: one row per ``waarde_type``) carry
``maximum bouwhoogte (m)`` with their own geometry, which in IMRO coincides with the bouwvlak or
with the bestemmingsvlak (or a part) it belongs to. For every pand the maatvoering polygons that
contain its representative point (``shapely.point_on_surface``, a point inside the footprint) are
found with an STRtree over the plan objects in the panden's window; of several, the *smallest* one is the most specific (a bouwvlak's maximum
refines the bestemmingsvlak's), and its source level is ``"bouwvlak"`` when that polygon lies
within a bouwvlak containing the point, else ``"bestemmingsvlak"``. The article is the
enkelbestemming's ``artikelnummer`` / ``naam`` at the same point.

>>> from omgevingskaart import open_dataset
>>> table = exceedances(open_dataset())      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from .panden import addresses_by_pand, pand_ids, select_panden

if TYPE_CHECKING:
    import geopandas as gpd

    from ..dataset import Dataset

BOUWHOOGTE = "maximum bouwhoogte (m)"
#: heights within this margin (m) count as fitting (the 3D BAG heights are given to 1 cm).
TOLERANCE = 0.005
#: CSV / table column -> Dutch header (the download is for Dutch users).
COLUMNS_NL = {
    "identificatie": "pand-id",
    "adres": "adres",
    "bouwjaar": "bouwjaar",
    "hoogte_m": "hoogte boven maaiveld (m)",
    "max_bouwhoogte_m": "maximum bouwhoogte (m)",
    "overschrijding_m": "overschrijding (m)",
    "bron": "bron maximum",
    "maatvoering_id": "maatvoering",
    "bouwvlak_id": "bouwvlak",
    "bestemming": "bestemming",
    "artikel": "artikel",
    "plan_id": "plan",
    "tekst_ref": "regels",
}


def _col(frame: Any, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=float, na_value=np.nan)


def _str(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def first_address(addresses: dict[str, list[str]], pid: str | None) -> str:
    adr = addresses.get(pid or "", [])
    if not adr:
        return "geen adres"
    return adr[0] + (f" (+{len(adr) - 1})" if len(adr) > 1 else "")


def max_heights(dataset: Dataset, panden: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Per pand (rows aligned with ``panden``, default every pand: see
    :func:`~omgevingskaart.viz.panden.select_panden`): height above ground, the applicable
    maximum bouwhoogte and its sources. Columns: ``hoogte_m``, ``max_bouwhoogte_m`` (NaN where no
    maatvoering applies), ``overschrijding_m`` (height - max, NaN when either is unknown),
    ``bron``, ``maatvoering_id``, ``bouwvlak_id``, ``bestemming``, ``artikel``, ``plan_id``,
    ``tekst_ref``. The plan layers are read in the window of the panden only."""
    pand = select_panden(dataset) if panden is None else panden.reset_index(drop=True)
    n = len(pand)
    height = _col(pand, "b3_h_dak_max") - _col(pand, "b3_h_maaiveld")
    out = pd.DataFrame({
        "hoogte_m": np.round(height, 2),
        "max_bouwhoogte_m": np.full(n, np.nan),
        "bron": pd.array([None] * n, dtype="object"),
        "maatvoering_id": pd.array([None] * n, dtype="object"),
        "bouwvlak_id": pd.array([None] * n, dtype="object"),
        "bestemming": pd.array([None] * n, dtype="object"),
        "artikel": pd.array([None] * n, dtype="object"),
        "plan_id": pd.array([None] * n, dtype="object"),
        "tekst_ref": pd.array([None] * n, dtype="object"),
    })
    geoms = pand.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if n else np.zeros(0, dtype=bool)
    points = np.full(n, None, dtype=object)
    points[valid] = shapely.point_on_surface(geoms[valid])
    rows = np.flatnonzero(valid)
    # every plan object that can contain a pand's inner point intersects the points' box
    window = tuple(float(v) for v in shapely.total_bounds(points[rows])) if len(rows) else None
    if "maatvoering" in dataset and window is not None:
        mv = dataset.features("maatvoering", bbox=window)
        mask = (mv["waarde_type"].astype(str) == BOUWHOOGTE).to_numpy() if "waarde_type" in mv else (
            np.zeros(len(mv), dtype=bool))
        mv = mv[mask]
        if len(mv):
            mv_geoms = mv.geometry.to_numpy()
            tree = shapely.STRtree(mv_geoms)
            p_idx, m_idx = tree.query(points[rows], predicate="within")
            areas = shapely.area(mv_geoms)
            # per pand the smallest containing maatvoering: sort by (pand, area), keep the first
            order = np.lexsort((m_idx, areas[m_idx], p_idx))
            p_idx, m_idx = p_idx[order], m_idx[order]
            first = np.r_[True, p_idx[1:] != p_idx[:-1]] if len(p_idx) else np.zeros(0, bool)
            p_sel, m_sel = rows[p_idx[first]], m_idx[first]
            values = mv["waarde"].to_numpy(dtype=float, na_value=np.nan)
            ids = mv["identificatie"].astype(object).to_numpy()
            out.loc[p_sel, "max_bouwhoogte_m"] = values[m_sel]
            out.loc[p_sel, "maatvoering_id"] = ids[m_sel]
            if "plan_id" in mv:
                out.loc[p_sel, "plan_id"] = mv["plan_id"].astype(object).to_numpy()[m_sel]
            out.loc[p_sel, "bron"] = "bestemmingsvlak"
            if "bouwvlak" in dataset and len(p_sel):
                bv = dataset.features("bouwvlak", bbox=window)
                bv_geoms = bv.geometry.to_numpy()
                bv_tree = shapely.STRtree(bv_geoms)
                bp, bb = bv_tree.query(points[p_sel], predicate="within")
                # the maatvoering belongs to the bouwvlak when it lies within it (1 cm slack)
                inside = shapely.covers(shapely.buffer(bv_geoms[bb], 0.01), mv_geoms[m_sel[bp]])
                bp, bb = bp[inside], bb[inside]
                if len(bp):
                    out.loc[p_sel[bp], "bron"] = "bouwvlak"
                    out.loc[p_sel[bp], "bouwvlak_id"] = bv["identificatie"].astype(
                        object).to_numpy()[bb]
    if "enkelbestemming" in dataset and window is not None:
        eb = dataset.features("enkelbestemming", bbox=window)
        e_tree = shapely.STRtree(eb.geometry.to_numpy())
        ep, ee = e_tree.query(points[rows], predicate="within")
        order = np.lexsort((ee, ep))  # of several, the first in the layer's order
        ep, ee = ep[order], ee[order]
        _, first = np.unique(ep, return_index=True)
        ep, ee = rows[ep[first]], ee[first]
        for col, src in (("bestemming", "naam"), ("artikel", "artikelnummer"),
                         ("tekst_ref", "tekst_ref")):
            if src in eb:
                out.loc[ep, col] = [_str(v) for v in eb[src].to_numpy()[ee]]
        if "plan_id" in eb:
            missing = out.loc[ep, "plan_id"].isna().to_numpy()
            out.loc[ep[missing], "plan_id"] = eb["plan_id"].astype(object).to_numpy()[ee][missing]
    out["overschrijding_m"] = np.round(out["hoogte_m"] - out["max_bouwhoogte_m"], 2)
    return out


def exceeds_mask(heights: pd.DataFrame) -> np.ndarray:
    """True where a pand is higher than its maximum bouwhoogte (beyond :data:`TOLERANCE`)."""
    exc = heights["overschrijding_m"].to_numpy(dtype=float, na_value=np.nan)
    return np.nan_to_num(exc, nan=-np.inf) > TOLERANCE


def exceedances(dataset: Dataset, panden: gpd.GeoDataFrame | None = None,
                heights: pd.DataFrame | None = None) -> pd.DataFrame:
    """The panden (``panden``, default every pand) that exceed their maximum bouwhoogte, largest
    excess first: pand id, address, bouwjaar, height, maximum, excess (m), source level,
    maatvoering / bouwvlak ids, bestemming and article, plan id and rules anchor. ``heights``:
    :func:`max_heights` of the same panden, when already computed."""
    pand = select_panden(dataset) if panden is None else panden.reset_index(drop=True)
    heights = max_heights(dataset, pand) if heights is None else heights
    sel = np.flatnonzero(exceeds_mask(heights))
    ids = pand_ids(pand)[sel]
    addresses = addresses_by_pand(dataset, pand.iloc[sel])
    table = pd.DataFrame({
        "identificatie": ids,
        "adres": [first_address(addresses, pid) for pid in ids],
        "bouwjaar": (pand["bouwjaar"].astype("Int64").to_numpy()[sel] if "bouwjaar" in pand
                     else pd.array([pd.NA] * len(sel), dtype="Int64")),
    })
    cols = ["hoogte_m", "max_bouwhoogte_m", "overschrijding_m", "bron", "maatvoering_id",
            "bouwvlak_id", "bestemming", "artikel", "plan_id", "tekst_ref"]
    part = heights.iloc[sel][cols].reset_index(drop=True)
    table = pd.concat([table, part], axis=1)
    return table.sort_values(["overschrijding_m", "identificatie"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def to_csv(table: pd.DataFrame) -> bytes:
    """The exceedance table as CSV (UTF-8 with BOM so Excel reads the accents; ``;`` separated
    and decimal comma, the Dutch Excel default), headers in Dutch."""
    return table.rename(columns=COLUMNS_NL).to_csv(
        index=False, sep=";", decimal=",").encode("utf-8-sig")
