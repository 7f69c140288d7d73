"""The parcel report on the embedded demo, and its bad input (library and CLI)."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

import omgevingskaart
from omgevingskaart.cli import main
from omgevingskaart.dataset import write_dataset
from omgevingskaart.errors import (
    AddressNotFoundError,
    AmbiguousAddressError,
    CRSError,
    OutsideDataError,
    QueryError,
)


@pytest.fixture(scope="module")
def ds():
    return omgevingskaart.open_dataset()


def test_report_for_an_address(ds) -> None:
    r = ds.report("Markt 12, Winterswijk")
    assert r.query["gevonden"] == "Markt 12, 7101AK Winterswijk"
    assert r.perceel.kadastrale_aanduiding == "WWK00 L 3839"
    assert [a.weergave for a in r.adressen] == ["Markt 12, 7101AK Winterswijk"]
    assert [p.identificatie for p in r.panden] == ["0294100000488685"]
    assert r.enkelbestemming.naam == "Centrum" and r.enkelbestemming.hoofdgroep == "centrum"
    assert r.enkelbestemming.artikelnummer == "3"
    assert r.enkelbestemming.planstatus == "vastgesteld"
    assert r.enkelbestemming.tekst_ref.startswith("r_NL.IMRO.0294.BPCENTRUM2026-DM01.html#")
    assert [d.naam for d in r.dubbelbestemmingen] == ["Waarde - Archeologie 1"]
    assert r.bouwvlak_op_locatie
    assert r.maatvoering("maximum bouwhoogte (m)") == 16.0
    assert r.maatvoering("maximum goothoogte (m)") == 13.0
    assert all(m.eenheid == "m" for m in r.maatvoeringen if "hoogte" in (m.waarde_type or ""))
    assert r.plannen[0].plan_id == "NL.IMRO.0294.BPCENTRUM2026-DM01"
    assert r.notice and "synthetische" in r.notice
    d = json.loads(r.to_json(geometry=True))
    assert d["perceel"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert d["locatie"]["crs"] == "EPSG:28992"


def test_same_answer_by_point_postcode_and_aanduiding(ds) -> None:
    r = ds.report("Markt 12, Winterswijk")
    by_point = ds.report(point=(r.x, r.y), crs="EPSG:28992")
    lon, lat = omgevingskaart.rd_to_wgs84(r.x, r.y)
    by_wgs84 = ds.report(point=(lon, lat), crs="EPSG:4326")
    by_postcode = ds.report(postcode="7101 AK", huisnummer=12)
    by_perceel = ds.report(perceel="WWK00 L 3839")
    by_text = ds.report("WWK00 L 3839")
    for other in (by_point, by_wgs84, by_postcode, by_perceel, by_text):
        assert other.perceel.kadastrale_aanduiding == "WWK00 L 3839"
        assert other.enkelbestemming.naam == "Centrum"
    assert math.isclose(by_wgs84.x, r.x, abs_tol=0.001) and math.isclose(by_wgs84.y, r.y, abs_tol=0.001)


def test_monument_on_the_markt(ds) -> None:
    r = ds.report("Markt 1")
    assert [(m.naam, m.monumenttype) for m in r.monumenten] == [("Jacobskerk (demo)", "rijksmonument")]


def test_huisletter_and_toevoeging(ds) -> None:
    assert ds.report("Gasthuisstraat 1A").adressen
    assert ds.report("Gasthuisstraat 1A").query["gevonden"] == "Gasthuisstraat 1A, 7101AA Winterswijk"
    assert ds.report("gasthuisstraat 1 a").query["gevonden"] == "Gasthuisstraat 1A, 7101AA Winterswijk"
    assert ds.report("Gasthuisstraat 1").query["gevonden"] == "Gasthuisstraat 1, 7101AA Winterswijk"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"point": (246580, 443380)}, CRSError, "no CRS given"),
        ({"point": (float("nan"), 443380), "crs": "EPSG:28992"}, QueryError, "finite"),
        ({"point": (math.inf, 443380), "crs": "EPSG:28992"}, QueryError, "finite"),
        ({"point": (246580, 443380), "crs": "EPSG:999999"}, CRSError, "unknown CRS"),
        ({"point": (246580, 443380), "crs": "EPSG:4326"}, QueryError, "not a lon/lat"),
        ({"point": (0, 0), "crs": "EPSG:28992"}, OutsideDataError, "outside the data"),
        ({"point": (6.0, 53.4), "crs": "EPSG:4326"}, OutsideDataError, "outside the data"),
        ({"address": "Markt 999, Winterswijk"}, AddressNotFoundError, "huisnummers 1-30"),
        ({"address": "Marktt 12"}, AddressNotFoundError, "did you mean Markt"),
        ({"address": "Markt 12, Amsterdam"}, AddressNotFoundError, "not found"),
        ({"address": "Markt"}, AmbiguousAddressError, "candidates: Markt 1, 7101AK"),
        ({"address": "Mrkt 12"}, AddressNotFoundError, "did you mean Markt"),
        ({"perceel": "WWK00 Z 99999"}, QueryError, "not found"),
        ({"postcode": "7101AK"}, QueryError, "huisnummer"),
        ({}, QueryError, "exactly one"),
    ],
)
def test_bad_input(ds, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        ds.report(**kwargs)


def test_ambiguous_address_lists_candidates(tmp_path) -> None:
    from test_dataset import small_layers

    layers = small_layers()
    vbo = layers["verblijfsobject"]
    layers["verblijfsobject"] = gpd.GeoDataFrame(
        {**{c: list(vbo[c]) for c in vbo.columns if c != "geometry"},
         "huisletter": ["A", "B"], "huisnummer": [1, 1]},
        geometry=[Point(246510, 443307), Point(246530, 443307)], crs="EPSG:28992")
    ds = omgevingskaart.open_dataset(write_dataset(layers, tmp_path / "a.gpkg"))
    with pytest.raises(AmbiguousAddressError) as err:
        ds.report("Markt 1")
    assert err.value.candidates == ["Markt 1A, 7101BH Winterswijk", "Markt 1B, 7101BH Winterswijk"]
    assert ds.report("Markt 1B").perceel.kadastrale_aanduiding == "WWK00 K 2"


def test_cli_report_json_and_errors(capsys) -> None:
    assert main(["report", "Markt 12, Winterswijk", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["perceel"]["kadastrale_aanduiding"] == "WWK00 L 3839"
    assert main(["report", "--point", "246580", "443380", "--crs", "EPSG:28992", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["monumenten"][0]["monumenttype"] == "rijksmonument"
    assert main(["report", "--perceel", "WWK00 L 3839"]) == 0
    assert "Perceel: WWK00 L 3839" in capsys.readouterr().out
    assert main(["report", "Markt 999, Winterswijk"]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["report", "--point", "0", "0"]) == 2
    assert "outside the data" in capsys.readouterr().err
    assert main(["report", "--point", "nan", "443380"]) == 2
    assert main(["report", "--dataset", "/nonexistent/x.gpkg", "Markt 1"]) == 2
    assert "dataset file not found" in capsys.readouterr().err
