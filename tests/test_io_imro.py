"""IMRO2008/IMRO2012 bestemmingsplan loader on the real plans in ../shared/data/real/imro/."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import omgevingskaart.io as okio
from omgevingskaart.errors import (
    CRSError,
    DataFileError,
    HostileXMLError,
    UnsupportedFormatError,
)
from omgevingskaart.io import imro

ON99 = "NL.IMRO.0664.BPBS03-ON99.gml"
VG99 = "NL.IMRO.0664.BPBS02-VG99_stationspleinzuidoost.gml"
DURP = "NL.IMRO.0999.BP2012000001-0005.gml"

#: objects per layer (SOURCES.md) and, for maatvoering, tidy rows (one per WaardeEnType).
EXPECTED = {
    ON99: {"bestemmingsplangebied": 1, "enkelbestemming": 13, "dubbelbestemming": 1,
           "bouwvlak": 9, "functieaanduiding": 9, "bouwaanduiding": 0, "maatvoering": 14,
           "gebiedsaanduiding": 0, "figuur": 0},
    VG99: {"bestemmingsplangebied": 1, "enkelbestemming": 11, "dubbelbestemming": 4,
           "bouwvlak": 25, "functieaanduiding": 11, "bouwaanduiding": 3, "maatvoering": 39,
           "gebiedsaanduiding": 0, "figuur": 0},
    DURP: {"bestemmingsplangebied": 1, "enkelbestemming": 84, "dubbelbestemming": 2,
           "bouwvlak": 34, "functieaanduiding": 7, "bouwaanduiding": 25, "maatvoering": 54,
           "gebiedsaanduiding": 2, "figuur": 3},
}
MAATVOERING_OBJECTS = {ON99: 14, VG99: 26, DURP: 28}


@pytest.fixture(scope="module")
def plans(real_data: Path) -> dict[str, dict]:
    return {name: imro.read(real_data / "imro" / name) for name in EXPECTED}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_exact_counts(plans: dict, name: str) -> None:
    layers = plans[name]
    assert {k: len(v) for k, v in layers.items()} == EXPECTED[name]
    assert layers["maatvoering"]["identificatie"].nunique() == MAATVOERING_OBJECTS[name]
    plan_id = layers["bestemmingsplangebied"]["identificatie"].iloc[0]
    for layer, gdf in layers.items():
        assert str(gdf.crs) == "EPSG:28992", layer
        assert (gdf["plan_id"] == plan_id).all(), layer
        assert gdf.is_valid.all(), layer


def test_plan_status_and_date(plans: dict) -> None:
    g = plans[ON99]["bestemmingsplangebied"].iloc[0]
    assert g["identificatie"] == "NL.IMRO.0664.BPBS03-ON99"
    assert (g["naam"], g["planstatus"], g["datum"]) == ("Stationsomgeving Zuid-West", "ontwerp",
                                                        "2015-02-25")
    assert (g["type_plan"], g["overheid"], g["bron"]) == ("bestemmingsplan", "Goes", "IMRO2012")
    assert g["tekst_ref"] == "r_NL.IMRO.0664.BPBS03-ON99.html"
    v = plans[VG99]["bestemmingsplangebied"].iloc[0]
    assert (v["planstatus"], v["datum"]) == ("vastgesteld", "2014-02-13")


def test_bestemming_values(plans: dict) -> None:
    eb = plans[ON99]["enkelbestemming"]
    row = eb[eb["identificatie"] == "NL.IMRO.0664.EP5302177522-00"].iloc[0]
    assert (row["naam"], row["hoofdgroep"], row["artikelnummer"]) == ("Kantoor", "kantoor", "4")
    assert row["tekst_ref"] == ("r_NL.IMRO.0664.BPBS03-ON99.html#"
                                "0369b6ec-bc08-452f-b548-6d335008d259")
    # this bestemmingsvlak has an arc in its ring: linearised, so more vertices than the posLists
    assert row.geometry.geom_type == "Polygon"
    ga = plans[DURP]["gebiedsaanduiding"]
    assert ga["naam"].tolist()[0] == "vrijwaringszone - molenbiotoop"
    assert ga["hoofdgroep"].tolist()[0] == "vrijwaringszone"
    assert ga["artikelnummer"].tolist()[0] == "25"
    fig = plans[DURP]["figuur"]
    assert sorted(fig["naam"]) == ["dwarsprofiel", "dwarsprofiel", "hartlijn leiding - gas"]
    assert fig.geom_type.tolist() == ["LineString"] * 3


def test_maatvoering_tidy(plans: dict) -> None:
    mv = plans[VG99]["maatvoering"]
    assert mv["waarde_type"].notna().all()
    hoogte = mv[mv["waarde_type"] == "maximum bouwhoogte (m)"]
    assert len(hoogte) == 26  # = grep -c "maximum bouwhoogte (m)</imro:waardeType" on the file
    first = mv.iloc[1]
    assert (first["waarde_type"], first["waarde"], first["waarde_tekst"], first["eenheid"]) == (
        "maximum bouwhoogte (m)", 7.0, "7", "m")
    pct = mv[mv["eenheid"] == "%"]
    assert len(pct) > 0 and pct["waarde_type"].str.contains("percentage").all()
    lagen = plans[ON99]["maatvoering"]
    lagen = lagen[lagen["waarde_type"] == "maximum aantal bouwlagen"]
    assert lagen["eenheid"].isna().all() and lagen["waarde"].iloc[0] == 8.0


def _to_imro2008(text: str) -> str:
    """An IMRO2008 rendering of a real IMRO2012 plan, for the 2008 code path.

    There is no real IMRO2008 sample in ../shared/data/real; the differences applied follow
    published IMRO2008 files (Geonovum validator test data): namespace
    http://www.geonovum.nl/imro/2008/1, GML 3.1, identificatie as a plain string,
    PlanstatusEnDatum_BP, verwijzingNaarTekst as a direct string property.
    """
    text = text.replace("http://www.geonovum.nl/imro/2012/1.1", "http://www.geonovum.nl/imro/2008/1")
    text = text.replace("http://www.opengis.net/gml/3.2", "http://www.opengis.net/gml")
    text = re.sub(
        r"<imro:identificatie>\s*<imro:NEN3610ID>\s*<imro:namespace>(.*?)</imro:namespace>\s*"
        r"<imro:lokaalID>(.*?)</imro:lokaalID>\s*(?:<imro:versie>(.*?)</imro:versie>\s*)?"
        r"</imro:NEN3610ID>\s*</imro:identificatie>",
        lambda m: f"<imro:identificatie>{m[1]}.{m[2]}{'-' + m[3] if m[3] else ''}"
                  "</imro:identificatie>", text)
    text = text.replace("PlanstatusEnDatum>", "PlanstatusEnDatum_BP>")

    def ref(m: re.Match) -> str:
        if m[2] != "regels":
            return ""
        return f"<imro:verwijzingNaarTekst>{m[1]}</imro:verwijzingNaarTekst>"

    return re.sub(
        r"<imro:verwijzingNaarTekstInfo>\s*<imro:TekstReferentie\w*>\s*<imro:verwijzingNaarTekst>"
        r"(.*?)</imro:verwijzingNaarTekst>\s*<imro:typeTekst>(.*?)</imro:typeTekst>\s*"
        r"</imro:TekstReferentie\w*>\s*</imro:verwijzingNaarTekstInfo>", ref, text, flags=re.S)


def test_imro2008_conversion(real_data: Path, plans: dict, tmp_path: Path) -> None:
    src = (real_data / "imro" / DURP).read_text(encoding="utf-8")
    f = tmp_path / "NL.IMRO.0999.BP2008-derived.gml"
    f.write_text(_to_imro2008(src), encoding="utf-8")
    assert "NEN3610ID" not in f.read_text() and "gml/3.2" not in f.read_text()
    got = okio.read(f)
    want = plans[DURP]
    assert {k: len(v) for k, v in got.items()} == EXPECTED[DURP]
    for layer in want:
        assert got[layer]["identificatie"].tolist() == want[layer]["identificatie"].tolist()
        assert got[layer]["tekst_ref"].tolist() == want[layer]["tekst_ref"].tolist()
        assert (got[layer]["bron"] == "IMRO2008").all()
        assert got[layer].geometry.geom_equals_exact(want[layer].geometry, 1e-9).all()
    g = got["bestemmingsplangebied"].iloc[0]
    assert (g["planstatus"], g["datum"]) == ("vastgesteld", "2008-08-13")


def test_detection(real_data: Path) -> None:
    assert okio.detect(real_data / "imro" / ON99) is imro


def _plan(body: str, srs: str = 'srsName="urn:ogc:def:crs:EPSG::28992"') -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<imro:FeatureCollectionIMRO '
        'xmlns:imro="http://www.geonovum.nl/imro/2012/1.1" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<imro:featureMember><imro:Bouwvlak gml:id="NL.IMRO.bv1">'
        "<imro:identificatie><imro:NEN3610ID><imro:namespace>NL.IMRO</imro:namespace>"
        "<imro:lokaalID>bv1</imro:lokaalID></imro:NEN3610ID></imro:identificatie>"
        '<imro:plangebied xlink:href="#NL.IMRO.x"/><imro:naam>bouwvlak</imro:naam>'
        f'<imro:geometrie><gml:Polygon gml:id="g1" {srs}><gml:exterior><gml:LinearRing>'
        f"<gml:posList>{_in_rd(body)}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
        "</imro:geometrie></imro:Bouwvlak></imro:featureMember></imro:FeatureCollectionIMRO>"
    )


def _in_rd(body: str) -> str:
    """Shift local test coordinates into the RD New area (x + 200 km, y + 450 km): coordinates
    outside the Netherlands are refused."""
    return " ".join(str(float(v) + (200000 if i % 2 == 0 else 450000))
                    for i, v in enumerate(body.split()))


SQUARE = "0 0 10 0 10 10 0 10 0 0"


def test_minimal_plan_reads(tmp_path: Path) -> None:
    f = tmp_path / "p.gml"
    f.write_text(_plan(SQUARE))
    got = imro.read(f)
    assert got["bouwvlak"].geometry.iloc[0].area == 100.0
    assert got["bouwvlak"]["plan_id"].iloc[0] == "NL.IMRO.x"


def test_hostile_xml(tmp_path: Path) -> None:
    f = tmp_path / "p.gml"
    doc = _plan(SQUARE).replace(
        "<imro:FeatureCollectionIMRO",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><imro:FeatureCollectionIMRO', 1)
    f.write_text(doc.replace("<imro:naam>bouwvlak", "<imro:naam>&e;"))
    with pytest.raises(HostileXMLError, match=r"p\.gml"):
        imro.read(f)
    with pytest.raises(HostileXMLError):
        okio.read(f)


def test_empty_truncated_other(real_data: Path, tmp_path: Path) -> None:
    e = tmp_path / "e.gml"
    e.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        imro.read(e)
    t = tmp_path / "t.gml"
    t.write_bytes((real_data / "imro" / ON99).read_bytes()[:100_000])
    with pytest.raises(DataFileError, match=r"t\.gml.*not well-formed"):
        imro.read(t)
    with pytest.raises(UnsupportedFormatError, match="FeatureCollectionIMRO"):
        imro.read(real_data / "brk" / next(p.name for p in (real_data / "brk").glob("*.gml")))


def test_wrong_version(tmp_path: Path) -> None:
    f = tmp_path / "p.gml"
    f.write_text(_plan(SQUARE).replace("imro/2012/1.1", "imro/2006/1.0"))
    with pytest.raises(UnsupportedFormatError, match="IMRO2006"):
        imro.read(f)


def test_crs_missing_or_unexpected(tmp_path: Path) -> None:
    f = tmp_path / "p.gml"
    f.write_text(_plan(SQUARE, srs=""))
    with pytest.raises(CRSError, match=r"NL\.IMRO\.bv1.*no srsName"):
        imro.read(f)
    f.write_text(_plan(SQUARE, srs='srsName="EPSG:4258"'))
    with pytest.raises(CRSError, match="4258"):
        imro.read(f)


def test_broken_and_invalid_geometry(tmp_path: Path) -> None:
    f = tmp_path / "p.gml"
    f.write_text(_plan("0 0 10 10 10 0 0 10 0 0"))  # bow tie
    with pytest.warns(UserWarning, match="repaired 1 invalid geometry"):
        got = imro.read(f)
    assert got["bouwvlak"].is_valid.all()
    assert math.isclose(got["bouwvlak"].area.iloc[0], 50.0)
    f.write_text(_plan("0 0 10 0 10"))  # odd number of ordinates
    with pytest.raises(Exception, match=r"p\.gml.*(NL\.IMRO\.bv1|g1)") as exc:
        imro.read(f)
    assert "GeometryError" in type(exc.value).__name__
