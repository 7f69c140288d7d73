"""A synthetic grid dataset around the Winterswijk Markt for the map tests (no network, fast).

Blocks of percelen along streets, one pand and one address per perceel, an enkelbestemming per
block (alternating wonen / centrum), bouwvlakken, a maatvoering, BGT roads and green. Used by the
viz unit tests, and by the browser tests when the embedded demo has not been built.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Point, box

from omgevingskaart.dataset import write_dataset

RD = "EPSG:28992"
X0, Y0 = 246580.0 - 400, 443380.0 - 300


def grid_layers(nx: int = 20, ny: int = 15) -> dict[str, gpd.GeoDataFrame]:
    """``nx`` x ``ny`` blocks of 2 x 4 percelen (20 m x 30 m) separated by 10 m streets."""
    per, pnd, vbo, enk, bv = [], [], [], [], []
    roads, green = [], []
    n = 0
    for bx in range(nx):
        for by in range(ny):
            x0, y0 = X0 + bx * 90, Y0 + by * 70
            street = f"Straat {by + 1}"
            block = box(x0, y0, x0 + 80, y0 + 60)
            hoofdgroep = "centrum" if (bx + by) % 3 == 0 else ("groen" if (bx + by) % 7 == 0 else "wonen")
            enk.append({"identificatie": f"e{bx}_{by}", "plan_id": "NL.IMRO.0294.TEST-1",
                        "naam": hoofdgroep.capitalize(), "hoofdgroep": hoofdgroep,
                        "artikelnummer": "3" if hoofdgroep == "centrum" else "5", "geometry": block})
            bv.append({"identificatie": f"bv{bx}_{by}", "plan_id": "NL.IMRO.0294.TEST-1",
                       "geometry": box(x0 + 2, y0 + 2, x0 + 78, y0 + 20)})
            for i in range(4):
                for j in range(2):
                    n += 1
                    px, py = x0 + i * 20, y0 + j * 30
                    per.append({"identificatie": f"p{n}", "kadastrale_gemeente_code": "WWK00",
                                "kadastrale_gemeente": "Winterswijk", "sectie": "K",
                                "perceelnummer": n, "kadastrale_aanduiding": f"WWK00 K {n}",
                                "kadastrale_grootte": 600.0, "geometry": box(px, py, px + 20, py + 30)})
                    pid = f"0294100000{n:06d}"
                    h0 = 35.0 + (n % 7) * 0.3
                    pnd.append({"identificatie": pid, "bouwjaar": 1900 + (n * 7) % 120,
                                "status": "Pand in gebruik", "b3_h_maaiveld": h0,
                                "b3_h_dak_70p": h0 + 4 + (n % 9) * 2.0, "b3_h_dak_max": h0 + 6 + (n % 9) * 2.0,
                                "geometry": box(px + 3, py + 3 if j == 0 else py + 17,
                                                px + 17, py + 13 if j == 0 else py + 27)})
                    vbo.append({"identificatie": f"0294010000{n:06d}", "openbare_ruimte": street,
                                "huisnummer": n, "postcode": f"71{bx % 10}{by % 10}AB",
                                "woonplaats": "Winterswijk", "gebruiksdoel": "woonfunctie",
                                "pand_identificatie": pid, "geometry": Point(px + 10, py + 8 if j == 0 else py + 22)})
            roads.append({"identificatie": f"w{bx}_{by}", "bgt_klasse": "wegdeel", "functie": "rijbaan lokale weg",
                          "fysiek_voorkomen": "gesloten verharding", "geometry": box(x0 - 10, y0 - 10, x0 + 80, y0)})
            green.append({"identificatie": f"g{bx}_{by}", "bgt_klasse": "begroeidterreindeel",
                          "fysiek_voorkomen": "grasland overig", "geometry": box(x0 + 80, y0, x0 + 90, y0 + 60)})
    total = box(X0 - 10, Y0 - 10, X0 + nx * 90, Y0 + ny * 70)
    plan = gpd.GeoDataFrame(
        {"identificatie": ["NL.IMRO.0294.TEST-1"], "plan_id": ["NL.IMRO.0294.TEST-1"],
         "naam": ["Testplan centrum"], "planstatus": ["onherroepelijk"], "datum": ["2020-01-01"]},
        geometry=[total], crs=RD)
    maat = gpd.GeoDataFrame(
        {"identificatie": ["m1"], "plan_id": ["NL.IMRO.0294.TEST-1"],
         "waarde_type": ["maximum bouwhoogte (m)"], "waarde": [10.0], "waarde_tekst": ["10"], "eenheid": ["m"]},
        geometry=[total], crs=RD)

    def gdf(rows: list[dict]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(rows, geometry="geometry", crs=RD)

    return {"perceel": gdf(per), "pand": gdf(pnd), "verblijfsobject": gdf(vbo),
            "bestemmingsplangebied": plan, "enkelbestemming": gdf(enk), "bouwvlak": gdf(bv),
            "maatvoering": maat, "bgt_wegdeel": gdf(roads), "bgt_begroeidterreindeel": gdf(green)}


def write_grid(path: Path, nx: int = 20, ny: int = 15) -> Path:
    return write_dataset(grid_layers(nx, ny), path,
                         meta={"titel": "Testraster Winterswijk", "synthetisch": "ja",
                               "bron": "synthetisch testraster (tests/viz_data.py)"})


if __name__ == "__main__":  # python tests/viz_data.py /tmp/grid.gpkg
    import sys

    out = write_grid(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/grid.gpkg"),
                     *(int(a) for a in sys.argv[2:4]))
    print(out, np.round(out.stat().st_size / 1e6, 2), "MB")
