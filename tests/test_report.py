"""The parcel report on the embedded demo, and its bad input (library and CLI)."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

import omgevingskaart
from omgevingskaart import report_at
from omgevingskaart.cli import main
from omgevingskaart.dataset import write_dataset
from omgevingskaart.errors import (
    AddressNotFoundError,
    AmbiguousAddressError,
    CoordinateRangeError,
    CRSError,
    OutsideDataError,
    QueryError,
)


@pytest.fixture(scope="module")
def ds():
    return omgevingskaart.open_dataset()


def test_report_for_an_address(ds) -> None:
    r = report_at(ds, "Markt 12, Winterswijk")
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
    r = report_at(ds, "Markt 12, Winterswijk")
    by_point = report_at(ds, point=(r.x, r.y), crs="EPSG:28992")
    lon, lat = omgevingskaart.rd_to_wgs84(r.x, r.y)
    by_wgs84 = report_at(ds, point=(lon, lat), crs="EPSG:4326")
    by_postcode = report_at(ds, postcode="7101 AK", huisnummer=12)
    by_perceel = report_at(ds, perceel="WWK00 L 3839")
    by_text = report_at(ds, "WWK00 L 3839")
    for other in (by_point, by_wgs84, by_postcode, by_perceel, by_text):
        assert other.perceel.kadastrale_aanduiding == "WWK00 L 3839"
        assert other.enkelbestemming.naam == "Centrum"
    assert math.isclose(by_wgs84.x, r.x, abs_tol=0.001) and math.isclose(by_wgs84.y, r.y, abs_tol=0.001)


def test_monument_on_the_markt(ds) -> None:
    r = report_at(ds, "Markt 1")
    assert [(m.naam, m.monumenttype) for m in r.monumenten] == [("Jacobskerk (demo)", "rijksmonument")]


def test_huisletter_and_toevoeging(ds) -> None:
    assert report_at(ds, "Gasthuisstraat 1A").adressen
    assert report_at(ds, "Gasthuisstraat 1A").query["gevonden"] == "Gasthuisstraat 1A, 7101AA Winterswijk"
    assert report_at(ds, "gasthuisstraat 1 a").query["gevonden"] == "Gasthuisstraat 1A, 7101AA Winterswijk"
    assert report_at(ds, "Gasthuisstraat 1").query["gevonden"] == "Gasthuisstraat 1, 7101AA Winterswijk"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"point": (246580, 443380)}, CRSError, "no CRS given"),
        ({"point": (float("nan"), 443380), "crs": "EPSG:28992"}, QueryError, "finite"),
        ({"point": (math.inf, 443380), "crs": "EPSG:28992"}, QueryError, "finite"),
        ({"point": (246580, 443380), "crs": "EPSG:999999"}, CRSError, "unknown CRS"),
        ({"point": (246580, 443380), "crs": "EPSG:4326"}, QueryError, "not a lon/lat"),
        ({"point": (0, 0), "crs": "EPSG:28992"}, CoordinateRangeError, "outside the Netherlands"),
        ({"point": (6.7, 51.9), "crs": "EPSG:28992"}, CoordinateRangeError, "look like degrees"),
        ({"point": (1e308, 443380), "crs": "EPSG:28992"}, CoordinateRangeError, "outside the Netherlands"),
        ({"point": (150000, 450000), "crs": "EPSG:28992"}, OutsideDataError, "outside the data"),
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
        report_at(ds, **kwargs)


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
        report_at(ds, "Markt 1")
    assert err.value.candidates == ["Markt 1A, 7101BH Winterswijk", "Markt 1B, 7101BH Winterswijk"]
    assert report_at(ds, "Markt 1B").perceel.kadastrale_aanduiding == "WWK00 K 2"


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
    assert "outside the Netherlands" in capsys.readouterr().err
    assert main(["report", "--point", "150000", "450000"]) == 2
    assert "outside the data" in capsys.readouterr().err
    assert main(["report", "--point", "nan", "443380"]) == 2
    assert main(["report", "--dataset", "/nonexistent/x.gpkg", "Markt 1"]) == 2
    assert "dataset file not found" in capsys.readouterr().err


def test_road_perceel_lists_its_bestemming_once(ds) -> None:
    r = report_at(ds, perceel="WWK00 K 1838")
    verkeer = [o for o in r.enkelbestemmingen if o.naam == "Verkeer - Verblijfsgebied"]
    assert len(verkeer) == 1 and verkeer[0].aantal == 3 and verkeer[0].aandeel_perceel == 97.8
    assert sum("Verkeer - Verblijfsgebied" in line for line in r.samenvatting.gebruik) == 1
    assert [g.titel for g in r.regels].count("Verkeer - Verblijfsgebied") == 1


def test_the_answer_comes_first_with_rule_links(ds) -> None:
    r = report_at(ds, "Markt 12, Winterswijk")
    sv = r.samenvatting
    assert sv.gebruik[0].startswith("Bestemming hier: Centrum (artikel 3")
    assert sv.grenzen[:2] == ["Maximum goothoogte: 13 m.", "Maximum bouwhoogte: 16 m."]
    assert any(line.startswith("Bouwvlak: deze plek ligt in een bouwvlak") for line in sv.grenzen)
    assert any("Waarde - Archeologie 1" in line for line in sv.beschermd)
    assert [(g.artikel, g.titel, g.deel) for g in r.regels] == [
        ("3", "Centrum", "tijdelijk deel"), ("11", "Waarde - Archeologie 1", "tijdelijk deel")]
    assert r.regels[0].url == ("https://www.ruimtelijkeplannen.nl/documents/NL.IMRO.0294.BPCENTRUM2026-DM01/"
                               "r_NL.IMRO.0294.BPCENTRUM2026-DM01.html#_3_Centrum")
    text = r.summary()
    # codes and coordinates only in the details, after the answer
    assert text.index("Wat mag hier?") < text.index("Details") < text.index("Pand 0294100000488685")
    from omgevingskaart.viz.report_view import bouwen_link, details_markdown, report_markdown

    assert bouwen_link(r) == "bouwen?adres=Markt+12%2C+7101AK+Winterswijk"
    assert "0294100000488685" not in report_markdown(r) and "0294100000488685" in details_markdown(r)


def test_voorontwerp_is_shown_apart(ds) -> None:
    plan = ds["bestemmingsplangebied_voorontwerp"].geometry.iloc[0].representative_point()
    r = report_at(ds, point=(plan.x, plan.y), crs="EPSG:28992")
    assert r.ontwerpen and {o.status for o in r.ontwerpen} == {"voorontwerp"}
    assert all(o.plan_id != "NL.IMRO.0294.BPHERONTW2027-VO01" for o in r.enkelbestemmingen)
    assert any("Er ligt een voorontwerp" in line for line in r.samenvatting.let_op)
    from omgevingskaart.viz.report_view import apart_markdown

    assert "Voorontwerp: Wonen" in apart_markdown(r) and "BPHERONTW2027-VO01" in apart_markdown(r)


def test_tijdelijk_and_nieuwe_deel_in_one_answer(tmp_path) -> None:
    """The demo's bestemmingsplan (tijdelijk deel) plus a STOP/TPOD package with a GIO (the
    loader's fixture in the real IMOW/GIO structure) over the Markt: one report, both parts."""
    import shutil

    from test_io_tpod import _gio, _package

    from omgevingskaart.dataset import DEMO_PATH
    from omgevingskaart.io import tpod
    from omgevingskaart.viz.map2d import layer_features, view_around

    path = tmp_path / "demo-tpod.gpkg"
    shutil.copy(DEMO_PATH, path)
    write_dataset(tpod.read(_package(tmp_path, gio=_gio())), path, extend=True)
    ds = omgevingskaart.open_dataset(path)
    r = report_at(ds, point=(246580, 443380), crs="EPSG:28992")
    assert r.enkelbestemming.naam and r.enkelbestemming.deel == "tijdelijk deel"
    assert [(a.naam, a.kwalificatie, a.op_locatie, a.werkingsgebied, a.deel) for a in r.activiteiten] == [
        ("Bouwen in het centrum", "Vergunningplicht", True, "hier", "nieuwe deel")]
    assert [(n.naam, n.waarde, n.eenheid) for n in r.omgevingsnormen] == [("maximum bouwhoogte", 9.5, "Meter")]
    assert [(g.naam, g.type) for g in r.gebiedsaanwijzingen] == [("Beschermd dorpsgezicht", "Erfgoed")]
    stop = [g for g in r.regels if g.bron == "STOP/TPOD"]
    assert [(g.artikel, g.titel, g.tekst, g.deel) for g in stop] == [
        ("1", "Bouwhoogte Markt", "De bouwhoogte bedraagt ten hoogste 9,5 m.", "nieuwe deel")]
    assert {g.deel for g in r.regels} == {"tijdelijk deel", "nieuwe deel"}
    sv = r.samenvatting
    assert "Vergunningplicht: Bouwen in het centrum" in sv.gebruik
    from omgevingskaart.viz.report_view import activities_markdown

    assert activities_markdown(r) == ("- **Vergunningplicht**: Bouwen in het centrum (artikel 1, nieuwe deel)")
    assert "Maximum bouwhoogte (omgevingsplan, nieuwe deel): 9,5 Meter." in sv.grenzen
    assert any("Beschermd dorpsgezicht" in line for line in sv.beschermd)
    # outside the GIO's square the nieuwe deel has nothing
    assert report_at(ds, point=(246520, 443300), crs="EPSG:28992").activiteiten == []
    # the map: the TPOD layers are catalogue layers of this dataset
    assert {"activiteit", "omgevingsnorm", "gebiedsaanwijzing", "regeltekst"} <= {s.id for s in ds.catalogue}
    feats = layer_features(ds, ds.catalogue["activiteit"], view_around(246580, 443380, 18))
    assert feats.n_shown == 1


def test_geldig_op_before_the_plan(ds) -> None:
    r = report_at(ds, point=(246580, 443380), crs="EPSG:28992", geldig_op="2026-01-01")
    assert r.enkelbestemmingen == [] and not r.bouwvlak_op_locatie and r.maatvoering("maximum bouwhoogte (m)") is None
    assert {o.status for o in r.toekomstig} == {"nog niet geldend"}
    assert r.samenvatting.gebruik[0].startswith("Op 1-1-2026 geldt hier nog geen bestemmingsplan")
    assert any("Nog niet geldend op 1-1-2026: Centrum Winterswijk (demo) (vanaf 12-3-2026)" in line
               for line in r.samenvatting.let_op)
    assert report_at(ds, point=(246580, 443380), crs="EPSG:28992", geldig_op="2026-03-12").enkelbestemmingen
