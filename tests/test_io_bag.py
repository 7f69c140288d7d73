"""BAG 2.0 extract (real Doesburg sample) and PDOK bag-light (GeoPackage built here) loaders."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

import omgevingskaart.io as okio
from omgevingskaart.errors import (
    CRSError,
    DataFileError,
    HostileXMLError,
    UnsupportedFormatError,
)
from omgevingskaart.io import bag, bag_light
from omgevingskaart.schema import SCHEMAS

PND = "0221PND15092020-000001.xml"


@pytest.fixture(scope="module")
def lv(real_data: Path) -> Path:
    return real_data / "bag" / "lv-small"


@pytest.fixture(scope="module")
def layers(lv: Path) -> dict[str, gpd.GeoDataFrame]:
    return okio.read(lv)


def _copy(lv: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "lv"
    shutil.copytree(lv, dst)
    for p in dst.iterdir():
        p.chmod(0o644)
    return dst


def test_detects_bag_folder(lv: Path) -> None:
    assert okio.detect(lv) is bag
    assert okio.detect(lv / PND) is bag


def test_current_voorkomen_counts(layers: dict[str, gpd.GeoDataFrame]) -> None:
    counts = {k: len(v) for k, v in layers.items()}
    # distinct objects in the sample (voorkomens: Pand 6, Verblijfsobject 5, OpenbareRuimte 201)
    assert counts == {"pand": 2, "verblijfsobject": 2, "openbare_ruimte": 198, "woonplaats": 1,
                      "ligplaats": 2, "standplaats": 2}
    for name, gdf in layers.items():
        assert list(gdf.columns[: len(SCHEMAS[name].columns)]) == list(SCHEMAS[name].columns)
        assert gdf.crs == "EPSG:28992"
        assert (gdf["bron"] == "BAG").all()
        if name != "openbare_ruimte":
            assert not gdf.geometry.has_z.any()


def test_history_counts(lv: Path) -> None:
    h = okio.read(lv, history=True)
    assert {k: len(v) for k, v in h.items()} == {
        "pand": 6, "verblijfsobject": 5, "openbare_ruimte": 201, "woonplaats": 1,
        "ligplaats": 2, "standplaats": 2}
    p = h["pand"][h["pand"]["identificatie"] == "0221100000312938"].sort_values("voorkomen")
    assert p["voorkomen"].tolist() == [1, 2, 3, 4]
    assert p["begin_geldigheid"].tolist() == ["1995-01-18", "2011-06-30", "2011-09-06",
                                              "2015-11-23"]
    assert p["eind_geldigheid"].tolist()[:3] == ["2011-06-30", "2011-09-06", "2015-11-23"]
    assert pd.isna(p["eind_geldigheid"].iloc[3])
    assert p["bouwjaar"].tolist() == [9999, 1585, 1585, 1585]


def test_pand_values(layers: dict[str, gpd.GeoDataFrame]) -> None:
    p = layers["pand"].set_index("identificatie")
    assert p.loc["0221100000311191", "bouwjaar"] == 1992
    assert p.loc["0221100000312938", "bouwjaar"] == 1585
    assert p.loc["0221100000312938", "status"] == "Pand in gebruik"
    assert round(p.loc["0221100000311191"].geometry.area, 2) == 20.39


def test_verblijfsobject_address(layers: dict[str, gpd.GeoDataFrame]) -> None:
    v = layers["verblijfsobject"].set_index("identificatie")
    a = v.loc["0221010000330226"]
    assert (a["openbare_ruimte"], a["huisnummer"], a["postcode"], a["woonplaats"]) == (
        "Kosterstraat", 4, "6981CH", "Doesburg")
    assert a["nummeraanduiding_identificatie"] == "0221200000330227"
    assert a["oppervlakte"] == 223  # current voorkomen 4 (earlier: 306, 315, 223)
    assert a["status"] == "Verbouwing verblijfsobject"
    assert a["pand_identificatie"] == "0221100000312938"
    assert a["gebruiksdoel"] == "woonfunctie"
    assert (a.geometry.x, a.geometry.y) == (206335.699, 447529.842)
    b = v.loc["0221010000330999"]
    assert (b["openbare_ruimte"], b["huisnummer"], b["huisletter"]) == (
        "Schout bij Nacht Doormansingel", 9, "l")
    assert pd.isna(b["postcode"])  # the current nummeraanduiding voorkomen has no postcode
    assert b["gebruiksdoel"] == "overige gebruiksfunctie"
    assert b["nevenadressen"] == "0221200000330998;0221200000330999"


def test_ligplaats_standplaats_openbare_ruimte(layers: dict[str, gpd.GeoDataFrame]) -> None:
    lig = layers["ligplaats"].set_index("identificatie")
    assert lig.loc["0221020000330154", ["openbare_ruimte", "huisnummer", "postcode"]].tolist() == [
        "Koppenberch", 20, "6982CZ"]
    sta = layers["standplaats"].set_index("identificatie")
    assert sta.loc["0221030000330172", ["openbare_ruimte", "huisnummer", "postcode",
                                        "woonplaats"]].tolist() == [
        "Het Hoornwerck", 1, "6981ED", "Doesburg"]
    opr = layers["openbare_ruimte"].set_index("identificatie")
    assert opr.loc["0221300000311195", ["naam", "type", "woonplaats"]].tolist() == [
        "Schout bij Nacht Doormansingel", "Weg", "Doesburg"]
    w = layers["woonplaats"].iloc[0]
    assert (w["identificatie"], w["naam"], w["status"]) == ("2142", "Doesburg",
                                                            "Woonplaats aangewezen")


def test_zip_of_extract(lv: Path, tmp_path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    z = tmp_path / "lvbag-extract-0221.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(lv.iterdir()):
            zf.write(p, f"extract/{p.name}")
    assert okio.detect(z) is bag
    out = okio.read(z)
    assert {k: len(v) for k, v in out.items()} == {k: len(v) for k, v in layers.items()}
    pd.testing.assert_frame_equal(
        out["verblijfsobject"].drop(columns="geometry"),
        layers["verblijfsobject"].drop(columns="geometry"))


def test_nested_zip(lv: Path, tmp_path: Path) -> None:
    """The national extract holds one zip per object type."""
    inner = tmp_path / "0221PND15092020.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(lv / PND, PND)
    outer = tmp_path / "lvbag-extract-nl.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, inner.name)
    assert len(okio.read(outer)["pand"]) == 2


@pytest.mark.parametrize("decl", [
    '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
])
def test_hostile_xml_refused_before_gdal(lv: Path, tmp_path: Path, decl: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    d = _copy(lv, tmp_path)
    text = (d / PND).read_text(encoding="utf-8")
    (d / PND).write_text(text.replace("?>\n", f"?>\n{decl}\n", 1), encoding="utf-8")

    def no_gdal(*a: object, **k: object) -> None:
        raise AssertionError("the hostile file reached GDAL")

    for name in ("read_dataframe", "read_arrow", "read_info", "list_layers"):
        monkeypatch.setattr(bag.pyogrio, name, no_gdal)
    with pytest.raises(HostileXMLError, match=PND):
        okio.read(d)
    with pytest.raises(HostileXMLError, match="DOCTYPE"):
        okio.read(d / PND)


def test_truncated_zip(lv: Path, tmp_path: Path) -> None:
    z = tmp_path / "extract.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(lv.iterdir()):
            zf.write(p, p.name)
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match=r"extract\.zip"):
        okio.read(z)
    with pytest.raises(DataFileError, match="not a readable zip"):
        bag.read(z)


def test_other_format_and_empty(real_data: Path, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"kadastralekaart_perceel\.gml"):
        bag.read(real_data / "brk" / "kadastralekaart_perceel.gml")
    empty = tmp_path / "0221PND15092020-000001.xml"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        okio.read(empty)
    with pytest.raises(DataFileError):
        bag.read(empty)


def test_wrong_namespace_version(lv: Path, tmp_path: Path) -> None:
    d = _copy(lv, tmp_path)
    p = d / PND
    p.write_text(p.read_text(encoding="utf-8").replace("extract-deelbestand-lvc/v20200601",
                                                       "extract-deelbestand-lvc/v20990101"),
                 encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"v20990101.*not supported"):
        bag.read(d)


def test_unexpected_crs(lv: Path, tmp_path: Path) -> None:
    d = _copy(lv, tmp_path)
    p = d / PND
    p.write_text(p.read_text(encoding="utf-8").replace("EPSG::28992", "EPSG::4326"),
                 encoding="utf-8")
    with pytest.raises(CRSError, match=r"EPSG::4326.*expected EPSG:28992"):
        bag.read(d)


def test_invalid_geometry_repaired_with_warning(lv: Path, tmp_path: Path) -> None:
    d = _copy(lv, tmp_path)
    p = d / "0221LIG15092020-000001.xml"
    text = p.read_text(encoding="utf-8")
    # ligplaats 0221020000330152: swap two corners -> a self-intersecting bow tie
    old = "207447.071 446257.633 207449.613 446262.37"
    assert text.count(old) == 1
    text = text.replace(old, "207449.613 446262.37 207447.071 446257.633")
    p.write_text(text, encoding="utf-8")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = bag.read(d)
    msgs = [str(w.message) for w in rec if "repaired" in str(w.message)]
    assert msgs == [f"{d} (Ligplaats): repaired 1 invalid geometry with make_valid"]
    assert out["ligplaats"].geometry.is_valid.all()


def test_unknown_option(lv: Path) -> None:
    with pytest.raises(TypeError, match="peildatum"):
        bag.read(lv, peildatum="2020-01-01")


# --- bag-light ------------------------------------------------------------------------------------


def _write_bag_light(path: Path) -> None:
    """A GeoPackage with PDOK's bag-light layer and column names (no real sample is available;
    the names are those of PDOK's BAG OGC API collection schemas, which serve bag-light)."""
    vbo = gpd.GeoDataFrame({
        "rdf_seealso": ["http://bag.basisregistraties.overheid.nl/bag/id/verblijfsobject/"
                        "0294010000012345"],
        "identificatie": ["0294010000012345"], "oppervlakte": [142],
        "status": ["Verblijfsobject in gebruik"], "gebruiksdoel": ["woonfunctie,kantoorfunctie"],
        "hoofdadres_identificatie": ["0294200000012346"], "huisnummer": [12],
        "huisletter": ["a"], "toevoeging": [None], "postcode": ["7101BH"],
        "hoofdadres_status": ["Naamgeving uitgegeven"],
        "openbare_ruimte_identificatie": ["0294300000000123"], "openbare_ruimte_naam": ["Markt"],
        "openbare_ruimte_naam_kort": ["Markt"], "openbare_ruimte_status": ["Naamgeving uitgegeven"],
        "woonplaats_identificatie": ["1076"], "woonplaats_naam": ["Winterswijk"],
        "woonplaats_status": ["Woonplaats aangewezen"], "bronhouder_identificatie": ["0294"],
        "bronhouder_naam": ["Winterswijk"], "pand_identificatie": ["0294100000001111"],
        "bouwjaar": [1910], "pandstatus": ["Pand in gebruik"], "nevenadressen": [None],
    }, geometry=[Point(246580, 443380)], crs="EPSG:28992")
    pand = gpd.GeoDataFrame({
        "rdf_seealso": ["x"], "identificatie": ["0294100000001111"], "bouwjaar": [1910],
        "status": ["Pand in gebruik"], "gebruiksdoel": ["woonfunctie"],
        "aantal_verblijfsobjecten": [1], "documentdatum": ["1990-01-01"],
        "documentnummer": ["A1"], "geconstateerd": ["N"],
    }, geometry=[box(246570, 443370, 246590, 443390)], crs="EPSG:28992")
    addr_cols = ["identificatie", "status", "hoofdadres_identificatie", "huisnummer",
                 "huisletter", "toevoeging", "postcode", "openbare_ruimte_naam",
                 "woonplaats_naam", "nevenadressen"]
    lig = gpd.GeoDataFrame({c: [None] for c in addr_cols}, geometry=[box(246600, 443400, 246601, 443401)],
                           crs="EPSG:28992")
    lig["identificatie"] = ["0294020000000001"]
    lig["huisnummer"] = [3]
    wpl = gpd.GeoDataFrame({"identificatie": ["1076"], "naam": ["Winterswijk"],
                            "status": ["Woonplaats aangewezen"]},
                           geometry=[box(240000, 438000, 252000, 448000)], crs="EPSG:28992")
    for name, gdf in (("pand", pand), ("verblijfsobject", vbo), ("ligplaats", lig),
                      ("standplaats", lig.iloc[:0]), ("woonplaats", wpl)):
        gdf.to_file(path, layer=name, driver="GPKG")


def test_bag_light(tmp_path: Path) -> None:
    """Synthetic GeoPackage with exactly PDOK's bag-light column names (no real sample here)."""
    g = tmp_path / "bag-light.gpkg"
    _write_bag_light(g)
    assert okio.detect(g) is bag_light
    out = okio.read(g)
    assert {k: len(v) for k, v in out.items()} == {"pand": 1, "verblijfsobject": 1,
                                                   "ligplaats": 1, "standplaats": 0,
                                                   "woonplaats": 1}
    v = out["verblijfsobject"].iloc[0]
    assert (v["openbare_ruimte"], v["huisnummer"], v["huisletter"], v["postcode"],
            v["woonplaats"], v["nummeraanduiding_identificatie"]) == (
        "Markt", 12, "a", "7101BH", "Winterswijk", "0294200000012346")
    assert v["gebruiksdoel"] == "woonfunctie;kantoorfunctie"
    assert v["oppervlakte"] == 142 and v["pand_identificatie"] == "0294100000001111"
    p = out["pand"].iloc[0]
    assert (p["identificatie"], p["bouwjaar"], p["aantal_verblijfsobjecten"]) == (
        "0294100000001111", 1910, 1)
    assert out["woonplaats"].iloc[0]["naam"] == "Winterswijk"


def test_bag_light_not_claimed_for_other_gpkg(tmp_path: Path) -> None:
    g = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"identificatie": ["1"]}, geometry=[Point(0, 0)],
                     crs="EPSG:28992").to_file(g, layer="verblijfsobject", driver="GPKG")
    assert not bag_light.sniff(g, g.read_bytes()[:65536])
