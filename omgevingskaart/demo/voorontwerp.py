"""A voorontwerp in the demo: plan objects shared with ketenpartners before publication.

Before a bestemmingsplan (now: an omgevingsplan change) is published as ontwerp, the gemeente
shares a voorontwerp with its chain partners in vooroverleg (Besluit ruimtelijke ordening art.
3.1.1; under the Omgevingswet the participation of bestuursorganen, Omgevingsbesluit art. 10.2).
It is not public yet, so its layers have audience ``ketenpartner`` in the catalogue: the HTTP
service serves them only with an API key and the public app does not show them.

The demo's voorontwerp redevelops its largest Maatschappelijk block (the school terrain, not the
church) into housing: plangebied, an enkelbestemming Wonen, a bouwvlak 6 m inside the block and
maatvoering. It is derived deterministically from the finished plan layers (no random numbers),
so the rest of the demo is unchanged by it.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from ..schema import RD_NEW

PLAN_ID = "NL.IMRO.0294.BPHERONTW2027-VO01"
PLAN_NAAM = "Herontwikkeling schoolterrein (voorontwerp, demo)"
BRON = "demo (synthetisch) — IMRO2012-vorm, voorontwerp"
DATUM = "2026-10-01"


def _ref(artikel: str, naam: str) -> str:
    return f"r_{PLAN_ID}.html#_{artikel}_{naam.replace(' ', '')}"


def make_voorontwerp(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The ``*_voorontwerp`` layers, derived from the demo's enkelbestemmingen and monuments."""
    eb = layers["enkelbestemming"]
    monuments = shapely.union_all(layers["monument"].geometry.to_numpy())
    candidates = eb[(eb["naam"] == "Maatschappelijk") & ~eb.geometry.intersects(monuments)]
    if candidates.empty:
        return {}
    area = candidates.geometry.area
    block = candidates.geometry.loc[area.idxmax()]
    block = shapely.set_precision(block, 0.001)
    bouwvlak = shapely.set_precision(block.buffer(-6.0, join_style="mitre"), 0.001)

    def frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=RD_NEW)

    common = {"plan_id": PLAN_ID, "bron": BRON}
    out = {
        "bestemmingsplangebied_voorontwerp": frame([{
            "identificatie": PLAN_ID, "naam": PLAN_NAAM, "type_plan": "bestemmingsplan",
            "planstatus": "voorontwerp", "datum": DATUM, "overheid": "0294",
            "tekst_ref": f"r_{PLAN_ID}.html", **common}], [block]),
        "enkelbestemming_voorontwerp": frame([{
            "identificatie": f"{PLAN_ID}.eb1", "naam": "Wonen", "hoofdgroep": "wonen",
            "artikelnummer": "3", "tekst_ref": _ref("3", "Wonen"), **common}], [block]),
    }
    maat_rows, maat_geoms = [], []
    if not bouwvlak.is_empty:
        out["bouwvlak_voorontwerp"] = frame([{
            "identificatie": f"{PLAN_ID}.bv1", "naam": "bouwvlak", "artikelnummer": "3",
            "tekst_ref": _ref("3", "Wonen"), **common}], [bouwvlak])
        for waarde_type, waarde in (("maximum goothoogte (m)", 10.0), ("maximum bouwhoogte (m)", 14.0)):
            maat_rows.append({"identificatie": f"{PLAN_ID}.mv1", "naam": "maatvoering",
                              "artikelnummer": "3", "tekst_ref": _ref("3", "Wonen"),
                              "waarde_type": waarde_type, "waarde": waarde,
                              "waarde_tekst": f"{waarde:g}", "eenheid": "m", **common})
            maat_geoms.append(bouwvlak)
    maat_rows.append({"identificatie": f"{PLAN_ID}.mv2", "naam": "maatvoering", "artikelnummer": "3",
                      "tekst_ref": _ref("3", "Wonen"),
                      "waarde_type": "maximum bebouwingspercentage (%)", "waarde": 60.0,
                      "waarde_tekst": "60", "eenheid": "%", **common})
    maat_geoms.append(block)
    out["maatvoering_voorontwerp"] = frame(maat_rows, maat_geoms)
    return out
