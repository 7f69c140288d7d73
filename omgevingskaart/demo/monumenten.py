"""Rijks- and gemeentelijke monumenten on the oldest panden of the core (synthetic register).

The church on the Markt and the oldest houses of the centre are rijksmonumenten (5-6 digit
monumentnummer, status "beschermd"); somewhat younger characteristic houses are gemeentelijke
monumenten, two of them still in voorbescherming. Geometry is the pand footprint.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from ..schema import RD_NEW
from .bag import Pand, Vbo

BRON_MONUMENT = "demo (synthetisch) — monumentenregister-vorm"


def select_monuments(panden: list[Pand], rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """(rijksmonument pand indices, gemeentelijk monument pand indices)."""
    houses = [i for i, p in enumerate(panden) if p.role == "hoofdgebouw" and p.status ==
              "Pand in gebruik"]
    core = sorted((i for i in houses if panden[i].zone == "centrum" and panden[i].bouwjaar < 1800),
                  key=lambda i: (panden[i].bouwjaar, panden[i].identificatie))
    kerk = [i for i, p in enumerate(panden) if p.role == "kerk"]
    rijks = kerk + core[:16]
    rest = [i for i in houses if i not in set(rijks) and panden[i].zone in ("centrum", "gemengd")
            and panden[i].bouwjaar < 1930]
    pick = rng.choice(len(rest), size=min(24, len(rest)), replace=False)
    gemeentelijk = sorted(rest[int(k)] for k in pick)
    return rijks, gemeentelijk


def make_monumenten(panden: list[Pand], vbos: list[Vbo], rijks: list[int], gemeentelijk: list[int],
                    rng: np.random.Generator) -> gpd.GeoDataFrame:
    adres: dict[int, str] = {}
    for v in vbos:
        if v.pand not in adres:
            extra = (v.huisletter or "") + (f"-{v.toevoeging}" if v.toevoeging else "")
            adres[v.pand] = f"{v.street} {v.huisnummer}{extra}"
    numbers = rng.choice(np.arange(38600, 38800), size=len(rijks), replace=False)
    rows, geoms = [], []
    for pi, num in zip(rijks, numbers, strict=True):
        p = panden[pi]
        naam = "Jacobskerk (demo)" if p.role == "kerk" else (
            "Winkel-woonhuis" if "winkelfunctie" in p.uses else "Woonhuis")
        rows.append({"identificatie": str(int(num)), "naam": naam, "monumenttype": "rijksmonument",
                     "status": "beschermd", "pand_identificatie": p.identificatie,
                     "adres": adres.get(pi), "bron": BRON_MONUMENT})
        geoms.append(p.geom)
    for n, pi in enumerate(gemeentelijk, start=1):
        p = panden[pi]
        naam = "Winkel-woonhuis" if "winkelfunctie" in p.uses else "Woonhuis"
        rows.append({"identificatie": f"GM0294-{n:03d}", "naam": naam,
                     "monumenttype": "gemeentelijk monument",
                     "status": "voorbescherming" if n in (3, 11) else "beschermd",
                     "pand_identificatie": p.identificatie, "adres": adres.get(pi),
                     "bron": BRON_MONUMENT})
        geoms.append(p.geom)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=RD_NEW)
