"""A small street of Winterswijk-shaped test data, a catalogue with a ketenpartner layer, keys,
and the real service started on 127.0.0.1 (uvicorn in a subprocess) for the HTTP tests.

The street ("Teststraat", RD y = 443400) has 20 percelen on each side, each with a house (BAG pand
with 3D BAG heights) and an address; the road is a BGT wegdeel strip; one plan gives "Wonen" to the
north side (with a bouwvlak per perceel and a maximum bouwhoogte) and "Gemengd" to the south; one
house is a rijksmonument; Teststraat 20 has two addresses (20A, 20B) to make "Teststraat 20"
ambiguous. The restricted layer is ``omgevingsnorm`` (concept geluidnormen of an ontwerp
omgevingsplan shared with ketenpartners before publication): the shipped catalogue has no
ketenpartner layer, so the tests write their own catalogue folder (the shipped files plus this one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
from processes import free_port, stop, wait_until_up
from shapely.geometry import Point, box

from omgevingskaart.catalogue import CATALOGUE_DIR
from omgevingskaart.dataset import write_dataset
from omgevingskaart.service.auth import new_key, write_keys_file

RD = "EPSG:28992"
ROOT = Path(__file__).resolve().parents[1]
X0, ROAD_Y = 246400.0, 443400.0
WIDTH, DEPTH, N_SIDE = 15.0, 35.0, 20
PLAN_ID = "NL.IMRO.0294.BPTeststraat-VA01"

RESTRICTED_TOML = '''id = "omgevingsnorm"
title = "Concept-geluidnormen (ontwerp omgevingsplan)"
kind = "omgevingsnorm"
source = "Gemeente Winterswijk, ontwerp omgevingsplan (nog niet gepubliceerd)"
audience = "ketenpartner"
attribution = "Gemeente Winterswijk"
licence = "Alleen voor ketenpartners, niet openbaar"
group = "Ketenpartners"
order = 90
visible = false
description = "Ontwerp-geluidnormen per gebied, gedeeld met omgevingsdienst en waterschap voor vooroverleg."

[style]
fill = "#7f3fbf"
line = "#4b2470"
opacity = 0.4

[popup]
fields = ["naam", "waarde", "eenheid"]
tooltip = ["naam"]
'''


def perceel_box(i: int, north: bool = True) -> tuple[float, float, float, float]:
    x = X0 + WIDTH * i
    return (x, ROAD_Y + 5, x + WIDTH, ROAD_Y + 5 + DEPTH) if north else (x, ROAD_Y - 5 - DEPTH, x + WIDTH, ROAD_Y - 5)


def house_box(i: int, north: bool = True) -> tuple[float, float, float, float]:
    x = X0 + WIDTH * i
    return (x + 2, ROAD_Y + 10, x + 12, ROAD_Y + 19) if north else (x + 2, ROAD_Y - 19, x + 12, ROAD_Y - 10)


def street_layers() -> dict[str, gpd.GeoDataFrame]:
    percelen, panden, vbos = [], [], []
    nr = 0
    for north in (True, False):
        for i in range(N_SIDE):
            nr += 1
            huisnummer = 2 * i + (2 if north else 1)
            pid = f"0294100000{nr:06d}"
            percelen.append({"identificatie": f"NL.IMKAD.KadastraalObject.{nr:08d}", "kadastrale_gemeente_code": "WWK00",
                             "kadastrale_gemeente": "Winterswijk", "sectie": "T", "perceelnummer": 100 + nr,
                             "kadastrale_aanduiding": f"WWK00 T {100 + nr}",
                             "kadastrale_grootte": WIDTH * DEPTH, "geometry": box(*perceel_box(i, north))})
            panden.append({"identificatie": pid, "bouwjaar": 1950 + i, "status": "Pand in gebruik",
                           "b3_h_maaiveld": 36.0, "b3_h_dak_70p": 44.0, "b3_h_dak_max": 46.0,
                           "geometry": box(*house_box(i, north))})
            hb = house_box(i, north)
            centre = Point((hb[0] + hb[2]) / 2, (hb[1] + hb[3]) / 2)
            letters = ["A", "B"] if huisnummer == 20 else [None]
            for k, letter in enumerate(letters):
                vbos.append({"identificatie": f"0294010000{nr:05d}" + str(k), "openbare_ruimte": "Teststraat",
                             "huisnummer": huisnummer, "huisletter": letter, "postcode": "7101AA",
                             "woonplaats": "Winterswijk", "gebruiksdoel": "woonfunctie", "pand_identificatie": pid,
                             "oppervlakte": 120, "status": "Verblijfsobject in gebruik",
                             "geometry": Point(centre.x + k, centre.y)})
    east = X0 + WIDTH * N_SIDE
    perceel = gpd.GeoDataFrame(percelen, crs=RD)
    pand = gpd.GeoDataFrame(panden, crs=RD)
    vbo = gpd.GeoDataFrame(vbos, crs=RD)
    plan = gpd.GeoDataFrame(
        [{"identificatie": PLAN_ID, "plan_id": PLAN_ID, "naam": "Teststraat", "type_plan": "bestemmingsplan",
          "planstatus": "onherroepelijk", "datum": "2019-03-01",
          "geometry": box(X0, ROAD_Y - 45, east, ROAD_Y + 45)}], crs=RD)
    enkel = gpd.GeoDataFrame(
        [{"identificatie": "NL.IMRO.e1", "plan_id": PLAN_ID, "naam": "Wonen", "hoofdgroep": "wonen",
          "artikelnummer": "5", "geometry": box(X0, ROAD_Y + 5, east, ROAD_Y + 40)},
         {"identificatie": "NL.IMRO.e2", "plan_id": PLAN_ID, "naam": "Gemengd", "hoofdgroep": "gemengd",
          "artikelnummer": "3", "geometry": box(X0, ROAD_Y - 40, east, ROAD_Y - 5)},
         {"identificatie": "NL.IMRO.e3", "plan_id": PLAN_ID, "naam": "Verkeer", "hoofdgroep": "verkeer",
          "artikelnummer": "7", "geometry": box(X0, ROAD_Y - 5, east, ROAD_Y + 5)}], crs=RD)
    bouwvlak = gpd.GeoDataFrame(
        [{"identificatie": f"NL.IMRO.bv{i}", "plan_id": PLAN_ID, "naam": "bouwvlak",
          "geometry": box(X0 + WIDTH * i + 1, ROAD_Y + 9, X0 + WIDTH * i + 14, ROAD_Y + 22)} for i in range(N_SIDE)],
        crs=RD)
    maat = gpd.GeoDataFrame(
        [{"identificatie": "NL.IMRO.m1", "plan_id": PLAN_ID, "naam": "maximum bouwhoogte",
          "waarde_type": "maximum bouwhoogte (m)", "waarde": 10.0, "waarde_tekst": "10", "eenheid": "m",
          "geometry": box(X0, ROAD_Y + 5, east, ROAD_Y + 40)}], crs=RD)
    wegdeel = gpd.GeoDataFrame(
        [{"identificatie": f"G0294.wd{k}", "bgt_klasse": "wegdeel", "bgt_status": "bestaand",
          "functie": "rijbaan lokale weg", "fysiek_voorkomen": "gesloten verharding",
          "geometry": box(X0 + 75 * k, ROAD_Y - 5, X0 + 75 * (k + 1), ROAD_Y + 5)} for k in range(4)], crs=RD)
    monument = gpd.GeoDataFrame(
        [{"identificatie": "527001", "naam": "Woonhuis Teststraat 6", "monumenttype": "rijksmonument",
          "status": "beschermd", "pand_identificatie": panden[2]["identificatie"], "adres": "Teststraat 6",
          "geometry": box(*house_box(2))}], crs=RD)
    norm = gpd.GeoDataFrame(
        [{"identificatie": f"nl.imgeo.norm{k}", "naam": f"Geluidzone {k}", "type": "geluid",
          "waarde": 50.0 + 5 * k, "waarde_tekst": f"{50 + 5 * k} dB Lden", "eenheid": "dB",
          "geometry": box(X0 + 150 * k, ROAD_Y - 45, X0 + 150 * (k + 1), ROAD_Y + 45)} for k in range(2)], crs=RD)
    return {"perceel": perceel, "pand": pand, "verblijfsobject": vbo, "bestemmingsplangebied": plan,
            "enkelbestemming": enkel, "bouwvlak": bouwvlak, "maatvoering": maat, "bgt_wegdeel": wegdeel,
            "monument": monument, "omgevingsnorm": norm}


def write_street_dataset(path: Path) -> Path:
    return write_dataset(street_layers(), path, meta={"titel": "Teststraat (synthetisch)", "synthetisch": "ja"})


def write_catalogue(directory: Path) -> Path:
    """The shipped catalogue plus the restricted ``omgevingsnorm`` layer."""
    directory.mkdir(parents=True, exist_ok=True)
    for p in CATALOGUE_DIR.glob("*.toml"):
        shutil.copy(p, directory / p.name)
    (directory / "omgevingsnorm.toml").write_text(RESTRICTED_TOML, encoding="utf-8")
    return directory


def write_keys(path: Path) -> dict[str, str]:
    """Two keys: 'omgevingsdienst' opens the restricted layer, 'brandweer' does not."""
    keys, records = {}, {}
    for name, layers in (("omgevingsdienst", ["omgevingsnorm"]), ("brandweer", ["monument"])):
        keys[name], records[name] = new_key(name, layers)
    write_keys_file(path, records)
    return keys


@contextmanager
def serve(args: Sequence[str], *, log: Path, timeout: float = 90.0) -> Iterator[str]:
    """Run ``omgevingskaart serve ARGS --port <free>`` on 127.0.0.1; yield the base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("OMGEVINGSKAART_API_KEYS", None)
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "omgevingskaart", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base + "/v1/health", name="server", log=log, timeout=timeout)
        yield base
    finally:
        stop(proc)
