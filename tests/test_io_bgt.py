"""BGT IMGeo CityGML loader on the real Otterlo download (../shared/data/real/bgt/otterlo.zip)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import shapely

import omgevingskaart.io as okio
from omgevingskaart.errors import (
    CRSError,
    DataFileError,
    HostileXMLError,
    UnsupportedFormatError,
)
from omgevingskaart.io import bgt

#: current objects (eindRegistratie not set) per class, measured with this loader and checked
#: against the independent byte count in test_counts_match_independent_count.
CURRENT = {
    "bak": 2, "begroeidterreindeel": 638, "bord": 53, "gebouwinstallatie": 153, "kast": 12,
    "kunstwerkdeel": 65, "onbegroeidterreindeel": 427, "ondersteunendwaterdeel": 87,
    "ondersteunendwegdeel": 627, "openbareruimtelabel": 58, "overbruggingsdeel": 1,
    "overigbouwwerk": 24, "paal": 398, "pand": 1711, "put": 1009, "scheiding": 303,
    "sensor": 2, "straatmeubilair": 16, "vegetatieobject": 2104, "waterdeel": 296,
    "wegdeel": 1252, "weginrichtingselement": 51,
}


@pytest.fixture(scope="module")
def otterlo(real_data: Path) -> Path:
    return real_data / "bgt" / "otterlo.zip"


@pytest.fixture(scope="module")
def layers(otterlo: Path) -> dict:
    return bgt.read(otterlo)


def test_layers_and_exact_counts(layers: dict) -> None:
    assert {k: len(v) for k, v in layers.items()} == {f"bgt_{k}": n for k, n in CURRENT.items()}
    assert sum(len(v) for v in layers.values()) == 9289  # of 14,184 objects; 4,895 ended


def test_counts_match_independent_count(otterlo: Path) -> None:
    """Cross-check: count members and eindRegistratie elements in the raw bytes."""
    total = ended = 0
    per_class = {}
    with zipfile.ZipFile(otterlo) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            members = data.split(b"<cityObjectMember>")[1:]
            cur = sum(1 for m in members if b"<imgeo:eindRegistratie>" not in m)
            total += len(members)
            ended += len(members) - cur
            if cur:
                per_class[re.match(r"bgt_(\w+)\.gml", name).group(1)] = cur
    assert total == 14184
    assert ended == 4895
    assert per_class == CURRENT


def test_include_ended_keeps_all(otterlo: Path) -> None:
    got = bgt.read(otterlo, classes=["pand", "wegdeel"], include_ended=True)
    assert len(got["bgt_pand"]) == 2273 and len(got["bgt_wegdeel"]) == 2444
    assert got["bgt_pand"]["eind_registratie"].notna().sum() == 562


def test_pand_values_and_bag_link(layers: dict) -> None:
    pand = layers["bgt_pand"]
    row = pand[pand["identificatie"] == "G0228.fe246f2e4755d6d6e0400a0a35020533"].iloc[0]
    assert row["identificatie_bag_pnd"] == "0228100000031255"
    assert row["bgt_status"] == "bestaand"
    assert row["relatieve_hoogteligging"] == 0
    assert row["tijdstip_registratie"] == "2015-07-02T12:05:26.000"
    assert row.geometry.geom_type == "MultiPolygon"
    assert row.geometry.bounds == pytest.approx((180081.171, 457063.050, 180086.033, 457067.236))
    assert pand["identificatie_bag_pnd"].notna().sum() == 1711
    assert str(pand.crs) == "EPSG:28992"


def test_attribute_mapping(layers: dict) -> None:
    weg = layers["bgt_wegdeel"]
    assert set(weg.geom_type) == {"Polygon"}  # geometrie2dWegdeel, not the kruinlijn
    assert weg["functie"].notna().all() and weg["fysiek_voorkomen"].notna().all()
    paal = layers["bgt_paal"]
    assert set(paal.geom_type) == {"Point"}
    assert paal["type"].unique().tolist() == ["niet-bgt"]
    assert paal["plus_type"].value_counts().to_dict() == {"lichtmast": 388, "haltepaal": 10}
    assert layers["bgt_waterdeel"]["type"].value_counts().to_dict() == {
        "waterloop": 252, "watervlakte": 30, "greppel, droge sloot": 14}
    assert layers["bgt_scheiding"].geom_type.value_counts().to_dict() == {"LineString": 298,
                                                                          "Polygon": 5}


def test_arcs_linearised_within_tolerance(otterlo: Path, tmp_path: Path) -> None:
    """A wegdeel with arcs: polygon valid, no curve left, tighter tolerance gives more points."""
    coarse = bgt.read(otterlo, classes=["wegdeel"])["bgt_wegdeel"]
    fine = bgt.read(otterlo, classes=["wegdeel"], max_chord_error=0.001)["bgt_wegdeel"]
    n_coarse = coarse.geometry.count_coordinates().sum()
    n_fine = fine.geometry.count_coordinates().sum()
    assert n_fine > n_coarse
    # the boundaries are never farther apart than the chord-error bound (0.01 m) allows
    dist = shapely.hausdorff_distance(coarse.geometry.to_numpy(), fine.geometry.to_numpy())
    assert 0.005 < dist.max() <= 0.0101
    assert coarse.is_valid.all()


def test_read_via_detection(otterlo: Path) -> None:
    assert okio.detect(otterlo) is bgt


def _zip_with(tmp_path: Path, name: str, text: str) -> Path:
    z = tmp_path / "bgt.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(name, text)
    return z


_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<CityModel xmlns:gml="http://www.opengis.net/gml" '
         'xmlns:imgeo="http://www.geostandaarden.nl/imgeo/2.1" '
         'xmlns="http://www.opengis.net/citygml/2.0">')


def _member(srs: str) -> str:
    return (
        '<cityObjectMember><imgeo:Put gml:id="p1">'
        "<imgeo:identificatie><imgeo:NEN3610ID><imgeo:lokaalID>X.1</imgeo:lokaalID>"
        "</imgeo:NEN3610ID></imgeo:identificatie>"
        f'<imgeo:geometrie2dPut><gml:Point srsName="{srs}"><gml:pos>200001 450002</gml:pos></gml:Point>'
        "</imgeo:geometrie2dPut></imgeo:Put></cityObjectMember>"
    )


def test_hostile_xml_refused(tmp_path: Path) -> None:
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           + _HEAD[_HEAD.index("<CityModel"):] + "&x;</CityModel>")
    with pytest.raises(HostileXMLError, match=r"bgt_put\.gml"):
        bgt.read(_zip_with(tmp_path, "bgt_put.gml", xxe))
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              "<CityModel>&lol2;</CityModel>")
    f = tmp_path / "bgt_put.gml"
    f.write_text(laughs)
    with pytest.raises(HostileXMLError):
        bgt.read(f)


def test_truncated_zip(otterlo: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(otterlo.read_bytes()[:1_000_000])
    with pytest.raises(DataFileError, match=r"cut\.zip"):
        bgt.read(cut)
    with pytest.raises(DataFileError):
        okio.read(cut)


def test_truncated_gml(otterlo: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(otterlo) as zf:
        data = zf.read("bgt_paal.gml")
    f = tmp_path / "bgt_paal.gml"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match=r"bgt_paal\.gml.*not well-formed"):
        bgt.read(f)


def test_other_format_and_empty(real_data: Path, tmp_path: Path) -> None:
    imro = real_data / "imro" / "NL.IMRO.0664.BPBS03-ON99.gml"
    with pytest.raises(UnsupportedFormatError, match="CityModel"):
        bgt.read(imro)
    empty = tmp_path / "bgt_pand.gml"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        okio.read(empty)
    with pytest.raises(UnsupportedFormatError):
        bgt.read(_zip_with(tmp_path, "readme.txt", "hello"))


def test_wrong_namespace(tmp_path: Path) -> None:
    old = _HEAD.replace("imgeo/2.1", "imgeo/1.0") + _member("EPSG:28992") + "</CityModel>"
    with pytest.raises(UnsupportedFormatError, match="IMGeo 2"):
        bgt.read(_zip_with(tmp_path, "bgt_put.gml", old))


def test_crs(tmp_path: Path) -> None:
    ok = bgt.read(_zip_with(tmp_path, "bgt_put.gml", _HEAD + _member("urn:ogc:def:crs:EPSG::28992")
                            + "</CityModel>"))
    assert ok["bgt_put"].iloc[0]["identificatie"] == "X.1"
    bad = _HEAD + _member("urn:ogc:def:crs:EPSG::4326") + "</CityModel>"
    with pytest.raises(CRSError, match=r"p1.*4326"):
        bgt.read(_zip_with(tmp_path, "bgt_put.gml", bad))


def test_invalid_geometry_repaired_with_warning(tmp_path: Path) -> None:
    bowtie = (
        '<cityObjectMember><imgeo:Waterdeel gml:id="w1">'
        "<imgeo:identificatie><imgeo:NEN3610ID><imgeo:lokaalID>W.1</imgeo:lokaalID>"
        "</imgeo:NEN3610ID></imgeo:identificatie><imgeo:geometrie2dWaterdeel>"
        '<gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior><gml:LinearRing>'
        "<gml:posList>200000 450000 200010 450010 200010 450000 200000 450010 200000 450000</gml:posList></gml:LinearRing></gml:exterior>"
        "</gml:Polygon></imgeo:geometrie2dWaterdeel></imgeo:Waterdeel></cityObjectMember>"
    )
    with pytest.warns(UserWarning, match="repaired 1 invalid geometry"):
        got = bgt.read(_zip_with(tmp_path, "bgt_waterdeel.gml", _HEAD + bowtie + "</CityModel>"))
    g = got["bgt_waterdeel"].geometry.iloc[0]
    assert g.is_valid and g.area == pytest.approx(50.0)
