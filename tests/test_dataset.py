"""Dataset files: opening, lazy layers, atomic deterministic writes, and bad files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from omgevingskaart import report_at
from omgevingskaart.dataset import Dataset, open_dataset, write_dataset
from omgevingskaart.errors import DatasetError, GeometryError

RD = "EPSG:28992"


def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """Two percelen side by side with a house each, one plan with two bestemmingen."""
    x0, y0 = 246500.0, 443300.0
    perceel = gpd.GeoDataFrame(
        {"identificatie": ["p1", "p2"], "kadastrale_gemeente_code": ["WWK00"] * 2,
         "kadastrale_gemeente": ["Winterswijk"] * 2, "sectie": ["K", "K"], "perceelnummer": [1, 2],
         "kadastrale_aanduiding": ["WWK00 K 1", "WWK00 K 2"], "kadastrale_grootte": [600.0, 600.0]},
        geometry=[box(x0, y0, x0 + 20, y0 + 30), box(x0 + 20, y0, x0 + 40, y0 + 30)], crs=RD)
    pand = gpd.GeoDataFrame(
        {"identificatie": ["0294100000000001", "0294100000000002"], "bouwjaar": [1930, 1975],
         "status": ["Pand in gebruik"] * 2, "b3_h_maaiveld": [36.0, 36.2], "b3_h_dak_70p": [44.0, 42.0],
         "b3_h_dak_max": [46.0, 43.0]},
        geometry=[box(x0 + 2, y0 + 2, x0 + 18, y0 + 12), box(x0 + 22, y0 + 2, x0 + 38, y0 + 12)], crs=RD)
    vbo = gpd.GeoDataFrame(
        {"identificatie": ["0294010000000001", "0294010000000002"], "openbare_ruimte": ["Markt"] * 2,
         "huisnummer": [1, 3], "postcode": ["7101BH"] * 2, "woonplaats": ["Winterswijk"] * 2,
         "gebruiksdoel": ["woonfunctie", "winkelfunctie"], "pand_identificatie": list(pand["identificatie"])},
        geometry=[Point(x0 + 10, y0 + 7), Point(x0 + 30, y0 + 7)], crs=RD)
    plan = gpd.GeoDataFrame(
        {"identificatie": ["NL.IMRO.0294.T-1"], "plan_id": ["NL.IMRO.0294.T-1"], "naam": ["Test"],
         "planstatus": ["vastgesteld"], "datum": ["2020-01-01"]},
        geometry=[box(x0, y0, x0 + 40, y0 + 30)], crs=RD)
    enkel = gpd.GeoDataFrame(
        {"identificatie": ["e1", "e2"], "plan_id": ["NL.IMRO.0294.T-1"] * 2, "naam": ["Wonen", "Centrum"],
         "hoofdgroep": ["wonen", "centrum"], "artikelnummer": ["4", "3"]},
        geometry=[box(x0, y0, x0 + 20, y0 + 30), box(x0 + 20, y0, x0 + 40, y0 + 30)], crs=RD)
    maat = gpd.GeoDataFrame(
        {"identificatie": ["m1"], "plan_id": ["NL.IMRO.0294.T-1"], "waarde_type": ["maximum bouwhoogte (m)"],
         "waarde": [10.0], "waarde_tekst": ["10"], "eenheid": ["m"]},
        geometry=[box(x0, y0, x0 + 20, y0 + 15)], crs=RD)
    return {"perceel": perceel, "pand": pand, "verblijfsobject": vbo, "bestemmingsplangebied": plan,
            "enkelbestemming": enkel, "maatvoering": maat}


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    return write_dataset(small_layers(), tmp_path / "klein.gpkg", meta={"titel": "klein", "synthetisch": "ja"})


def test_open_lists_layers_and_reads_lazily(small: Path) -> None:
    ds = open_dataset(small)
    assert sorted(ds.layers) == sorted(small_layers())
    assert ("frame", "pand") not in ds.store.cache
    pand = ds["pand"]
    assert pand.crs.to_epsg() == 28992 and len(pand) == 2
    assert ds["pand"] is pand  # loaded once
    assert ds.meta["titel"] == "klein" and ds.is_synthetic
    assert ds.bounds == pytest.approx((246500.0, 443300.0, 246540.0, 443330.0))


def test_report_on_small_dataset(small: Path) -> None:
    ds = open_dataset(small)
    r = report_at(ds, point=(246510, 443305), crs="EPSG:28992")
    assert r.perceel.kadastrale_aanduiding == "WWK00 K 1"
    assert [p.identificatie for p in r.panden] == ["0294100000000001"]
    assert [a.weergave for a in r.adressen] == ["Markt 1, 7101BH Winterswijk"]
    assert r.enkelbestemming.naam == "Wonen" and r.enkelbestemming.artikelnummer == "4"
    assert r.enkelbestemmingen[0].planstatus == "vastgesteld"
    assert r.maatvoering("maximum bouwhoogte (m)") == 10.0
    assert r.plannen[0].plan_id == "NL.IMRO.0294.T-1"
    assert report_at(ds, "Markt 3").perceel.kadastrale_aanduiding == "WWK00 K 2"
    assert report_at(ds, perceel="WWK00 K 2").adressen[0].gebruiksdoel == "winkelfunctie"


def test_write_is_deterministic(tmp_path: Path) -> None:
    a = write_dataset(small_layers(), tmp_path / "a.gpkg", meta={"titel": "x"})
    b = write_dataset(small_layers(), tmp_path / "b.gpkg", meta={"titel": "x"})
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_failed_write_leaves_previous_file_intact(small: Path) -> None:
    before = small.read_bytes()
    bad = small_layers()
    bad["pand"] = bad["pand"].set_geometry([Point(0, 0), Point(1, 1)])  # points are not panden
    with pytest.raises(GeometryError):
        write_dataset(bad, small)
    assert small.read_bytes() == before
    assert [p.name for p in small.parent.iterdir() if not p.name.endswith(".lock")] == [small.name]


def test_extend_keeps_other_layers(small: Path) -> None:
    layers = small_layers()
    write_dataset({"pand": layers["pand"].iloc[:1]}, small, extend=True, meta={"bron": "test"})
    ds = open_dataset(small)
    assert len(ds["pand"]) == 1 and len(ds["perceel"]) == 2
    assert ds.meta == {"titel": "klein", "synthetisch": "ja", "bron": "test"}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"nope\.gpkg: dataset file not found"):
        open_dataset(tmp_path / "nope.gpkg")


def test_corrupt_file(tmp_path: Path) -> None:
    p = tmp_path / "kapot.gpkg"
    p.write_bytes(b"this is not a geopackage at all" * 100)
    with pytest.raises(DatasetError, match=r"kapot\.gpkg: cannot open as GeoPackage"):
        Dataset(p)


def test_truncated_file(small: Path) -> None:
    data = small.read_bytes()
    small.write_bytes(data[: len(data) // 3])
    with pytest.raises(DatasetError, match=r"klein\.gpkg"):
        ds = Dataset(small)
        for name in ds.layers:
            ds[name]


def test_unknown_layer(small: Path) -> None:
    with pytest.raises(DatasetError, match="no layer 'kasteel'"):
        open_dataset(small)["kasteel"]
