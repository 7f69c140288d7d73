"""BRK Kadastrale Kaart v5 loader on the real Otterlo sample (11 percelen)."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

import omgevingskaart.io as okio
from omgevingskaart.errors import (
    CRSError,
    DataFileError,
    HostileXMLError,
    UnsupportedFormatError,
)
from omgevingskaart.io import brk


@pytest.fixture(scope="module")
def perceel_gml(real_data: Path) -> Path:
    return real_data / "brk" / "kadastralekaart_perceel.gml"


def _edit(src: Path, tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text
    dst = tmp_path / src.name
    dst.write_text(text.replace(old, new, count), encoding="utf-8")
    return dst


def test_perceel_counts_and_values(perceel_gml: Path) -> None:
    assert okio.detect(perceel_gml) is brk
    out = okio.read(perceel_gml)
    assert list(out) == ["perceel"]
    p = out["perceel"]
    assert len(p) == 11
    assert p.crs == "EPSG:28992"
    assert set(p.geometry.geom_type) == {"Polygon"}  # begrenzingPerceel, not the label point
    first = p.iloc[0]
    assert first["identificatie"] == "84920229870000"
    assert first["kadastrale_aanduiding"] == "OTL02 B 2298"
    assert (first["kadastrale_gemeente_code"], first["kadastrale_gemeente"], first["sectie"],
            first["perceelnummer"]) == ("OTL02", "Otterlo", "B", 2298)
    assert first["kadastrale_grootte"] == 222.0
    assert first["kadastrale_gemeente_nummer"] == "761"
    assert first["soort_grootte"] == "Vastgesteld"
    assert first["begin_geldigheid"] == "2000-11-20"
    assert first["bron"] == "BRK"
    assert round(first.geometry.area, 1) == 221.3
    assert p["perceelnummer"].tolist() == [2298, 2299, 2300, 2318, 2320, 2351, 2352, 2353, 2354,
                                           2625, 2626]
    assert p["kadastrale_grootte"].sum() == 9616.0
    assert [round(v, 1) for v in p.total_bounds] == [181149.6, 456442.6, 181250.7, 456750.2]


def test_other_kadastrale_kaart_files(real_data: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match="KadastraleGrens"):
        okio.read(real_data / "brk" / "kadastralekaart_kadastralegrens.gml")


def test_zip_of_all_files(real_data: Path, tmp_path: Path) -> None:
    z = tmp_path / "kadastralekaart.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted((real_data / "brk").glob("*.gml")):
            zf.write(p, p.name)
    assert okio.detect(z) is brk
    assert len(okio.read(z)["perceel"]) == 11


@pytest.mark.parametrize("decl", [
    '<!DOCTYPE kk:DKK [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE lolz [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
])
def test_hostile_xml(perceel_gml: Path, tmp_path: Path, decl: str) -> None:
    bad = _edit(perceel_gml, tmp_path, "?>\n", f"?>\n{decl}\n")
    with pytest.raises(HostileXMLError, match=r"kadastralekaart_perceel\.gml.*DOCTYPE"):
        okio.read(bad)


def test_wrong_version(perceel_gml: Path, tmp_path: Path) -> None:
    bad = tmp_path / "kk.gml"
    text = perceel_gml.read_text(encoding="utf-8").replace(
        "schemas/brkkadastralekaart/v5/", "schemas/brkkadastralekaart/v4/")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match="v4 is not supported"):
        brk.read(bad)


def test_crs(perceel_gml: Path, tmp_path: Path) -> None:
    bad = _edit(perceel_gml, tmp_path,
                'srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior>',
                'srsName="urn:ogc:def:crs:EPSG::4258"><gml:exterior>')
    with pytest.raises(CRSError, match=r"Perceel 84920229870000.*EPSG::4258"):
        brk.read(bad)
    bad = _edit(perceel_gml, tmp_path,
                ' srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior>', "><gml:exterior>")
    with pytest.raises(CRSError, match=r"Perceel 84920229870000.*no srsName"):
        brk.read(bad)


def test_broken_and_empty(real_data: Path, perceel_gml: Path, tmp_path: Path) -> None:
    trunc = tmp_path / "trunc.gml"
    data = perceel_gml.read_bytes()
    trunc.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match=r"trunc\.gml: broken XML"):
        brk.read(trunc)
    empty = tmp_path / "empty.gml"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        brk.read(empty)
    with pytest.raises(UnsupportedFormatError):
        brk.read(shutil.copy(real_data / "3dbag" / "small.city.jsonl", tmp_path / "x.gml"))


def test_invalid_polygon_repaired(perceel_gml: Path, tmp_path: Path) -> None:
    bad = _edit(perceel_gml, tmp_path,
                "181182.346 456712.174 181196.546 456703.704 181203.710 456699.711",
                "181182.346 456712.174 181203.710 456699.711 181196.546 456703.704")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = brk.read(bad)["perceel"]
    assert [str(w.message) for w in rec if "repaired" in str(w.message)] == [
        f"{bad} (Perceel): repaired 1 invalid geometry with make_valid"]
    assert out.geometry.is_valid.all() and len(out) == 11
