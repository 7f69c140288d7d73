"""3D BAG / CityJSON loaders on the real samples (3D BAG CityJSONSeq, cjio's Delft CityJSON)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

import omgevingskaart.io as okio
from omgevingskaart.errors import CRSError, DataFileError, UnsupportedFormatError
from omgevingskaart.io import cityjson
from omgevingskaart.io.cityjson import read_cityjson_surfaces, triangulate_surface


@pytest.fixture(scope="module")
def seq(real_data: Path) -> Path:
    return real_data / "3dbag" / "small.city.jsonl"


@pytest.fixture(scope="module")
def delft(real_data: Path) -> Path:
    return real_data / "cityjson" / "delft.city.json"


def test_3dbag_seq(seq: Path) -> None:
    assert okio.detect(seq) is cityjson
    p = okio.read(seq)["pand"]
    assert p["identificatie"].tolist() == ["0503100000012869", "0503100000016459",
                                           "0503100000005156"]
    r = p.set_index("identificatie").loc["0503100000005156"]
    assert (r["b3_h_maaiveld"], r["b3_h_dak_50p"], r["b3_h_dak_70p"], r["b3_h_dak_max"],
            r["b3_h_dak_min"]) == pytest.approx((0.692, 8.61, 9.24, 10.97, 3.89), abs=1e-6)
    assert (r["b3_dak_type"], r["b3_bouwlagen"], r["bouwjaar"], r["status"]) == (
        "slanted", 3, 2000, "Pand in gebruik")
    assert r["bron"] == "3D BAG" and r["lods"] == "0;1.2;1.3;2.2"
    assert pd_isna(p.set_index("identificatie").loc["0503100000012869", "b3_bouwlagen"])
    # footprint = LoD 0 surface; b3_opp_grond (3D BAG's own ground area) is 7.21 m2
    assert round(p.geometry.iloc[0].area, 2) == 7.21
    assert [round(a, 2) for a in p.area] == [7.21, 10.34, 99.25]
    assert not p.geometry.has_z.any() and p.crs == "EPSG:28992"


def pd_isna(v: object) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_delft_cityjson(delft: Path) -> None:
    assert okio.detect(delft) is cityjson
    p = okio.read(delft)["pand"]
    assert len(p) == 160 and p["identificatie"].nunique() == 160
    assert p["identificatie"].str.len().eq(16).all()
    r = p.set_index("identificatie").loc["0503100000000035"]
    # no 3D BAG attributes: heights from the geometry (lowest / highest vertex, m NAP)
    assert (r["b3_h_maaiveld"], r["b3_h_dak_max"]) == pytest.approx((-0.1, 6.0))
    assert r["hoogte_bron"] == "geometrie" and r["bron"] == "CityJSON"
    assert (p["lods"] == "1").all()
    assert set(p.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert round(p.area.sum(), 1) == 8654.0


def test_attribute_aliases_2021(tmp_path: Path, seq: Path) -> None:
    """A 2021-style release (no b3_ prefix) and the newest names land in the same columns."""
    lines = seq.read_text().splitlines()
    feat = json.loads(lines[3])
    attrs = feat["CityObjects"][feat["id"]]["attributes"]
    old = {k.removeprefix("b3_"): v for k, v in attrs.items()}
    feat["CityObjects"][feat["id"]]["attributes"] = old
    f = tmp_path / "old.city.jsonl"
    f.write_text("\n".join([lines[0], json.dumps(feat)]) + "\n")
    r = okio.read(f)["pand"].iloc[0]
    assert (r["b3_h_dak_70p"], r["b3_dak_type"], r["b3_h_maaiveld"]) == (
        pytest.approx(9.24), "slanted", pytest.approx(0.692))
    new = dict(attrs)
    new["b3_h_70p"] = new.pop("b3_h_dak_70p")
    feat["CityObjects"][feat["id"]]["attributes"] = new
    f.write_text("\n".join([lines[0], json.dumps(feat)]) + "\n")
    assert okio.read(f)["pand"].iloc[0]["b3_h_dak_70p"] == pytest.approx(9.24)


def test_surfaces_lod22(seq: Path) -> None:
    meshes = read_cityjson_surfaces(seq, lod="2.2")
    assert list(meshes) == ["0503100000012869", "0503100000016459", "0503100000005156"]
    m = meshes["0503100000005156"]
    assert m.vertices.shape == (32, 3) and m.triangles.shape == (60, 3)
    assert m.triangles.dtype == np.int32 and m.triangles.max() == 31
    kinds, counts = np.unique(m.semantics.astype(str), return_counts=True)
    assert dict(zip(kinds, counts, strict=True)) == {"GroundSurface": 9, "RoofSurface": 19,
                                                     "WallSurface": 32}
    # ground triangles face down, roof triangles face up (winding along the surface normal)
    a, b, c = (m.vertices[m.triangles[:, i]] for i in range(3))
    nz = np.cross(b - a, c - a)[:, 2]
    assert (nz[m.semantics == "GroundSurface"] < 0).all()
    assert (nz[m.semantics == "RoofSurface"] > 0).all()
    # the LoD 2.2 ground triangles cover the LoD 0 footprint (99.25 m2) up to 0.04 m2
    area = 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)
    foot = okio.read(seq)["pand"].set_index("identificatie").geometry["0503100000005156"].area
    assert area[m.semantics == "GroundSurface"].sum() == pytest.approx(99.2082, abs=1e-4)
    assert abs(area[m.semantics == "GroundSurface"].sum() - foot) < 0.04
    assert m.vertices[:, 2].max() == pytest.approx(11.119, abs=1e-3)  # model ridge, m NAP


def test_surfaces_other_lods(seq: Path, delft: Path) -> None:
    assert read_cityjson_surfaces(seq, lod="1.2")["0503100000012869"].triangles.shape == (12, 3)
    assert len(read_cityjson_surfaces(delft, lod="1")) == 160
    with pytest.raises(DataFileError, match=r"no building has LoD 2\.2; LoDs present: 1"):
        read_cityjson_surfaces(delft, lod="2.2")


def test_triangulate_square_with_hole() -> None:
    outer = np.array([[0, 0, 0], [10, 0, 0], [10, 0, 10], [0, 0, 10]], dtype=float)  # wall x-z
    hole = np.array([[4, 0, 4], [4, 0, 6], [6, 0, 6], [6, 0, 4]], dtype=float)
    tri = triangulate_surface([outer, hole])
    pts = np.concatenate([outer, hole])
    a, b, c = (pts[tri[:, i]] for i in range(3))
    assert 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1).sum() == pytest.approx(96.0)


def _header(seq: Path) -> dict:
    return json.loads(seq.read_text().splitlines()[0])


@pytest.mark.parametrize(("meta", "err", "msg"), [
    ({"title": "x"}, CRSError, "without metadata.referenceSystem"),
    ({"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/4979"}, CRSError, "EPSG/0/4979"),
])
def test_crs_errors(seq: Path, tmp_path: Path, meta: dict, err: type, msg: str) -> None:
    lines = seq.read_text().splitlines()
    h = _header(seq)
    h["metadata"] = meta
    f = tmp_path / "x.city.jsonl"
    f.write_text("\n".join([json.dumps(h), *lines[1:]]) + "\n")
    with pytest.raises(err, match=msg):
        okio.read(f)


def test_bad_files(seq: Path, tmp_path: Path) -> None:
    lines = seq.read_text().splitlines()
    h = _header(seq)
    h["version"] = "3.0"
    f = tmp_path / "v.city.jsonl"
    f.write_text("\n".join([json.dumps(h), *lines[1:]]) + "\n")
    with pytest.raises(UnsupportedFormatError, match=r"version 3\.0"):
        okio.read(f)
    t = tmp_path / "t.city.jsonl"
    t.write_text("\n".join([lines[0], lines[1][: len(lines[1]) // 2]]) + "\n")
    with pytest.raises(DataFileError, match="line 2 is not valid JSON"):
        okio.read(t)
    feat = json.loads(lines[1])
    feat["vertices"] = feat["vertices"][:3]
    o = tmp_path / "o.city.jsonl"
    o.write_text("\n".join([lines[0], json.dumps(feat)]) + "\n")
    with pytest.raises(DataFileError, match=r"NL\.IMBAG\.Pand\.0503100000012869.*out of range"):
        okio.read(o)
    e = tmp_path / "e.city.json"
    e.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        okio.read(e)
    with pytest.raises(DataFileError, match="empty"):
        cityjson.read(e)


def test_3dbag_geopackage(tmp_path: Path) -> None:
    """A GeoPackage with the 3D BAG's layer and column names (no real 3D BAG GPKG sample here)."""
    g = tmp_path / "3dbag.gpkg"
    pand = gpd.GeoDataFrame({
        "identificatie": ["NL.IMBAG.Pand.0294100000001111"], "b3_h_maaiveld": [35.2],
        "b3_h_dak_70p": [43.1], "b3_h_dak_max": [45.0], "b3_dak_type": ["slanted"],
        "b3_bouwlagen": [2], "oorspronkelijkbouwjaar": [1910], "status": ["Pand in gebruik"],
    }, geometry=[box(246570, 443370, 246590, 443390)], crs="EPSG:7415")
    pand.to_file(g, layer="pand", driver="GPKG")
    pand.to_file(g, layer="lod12_2d", driver="GPKG")
    assert okio.detect(g) is cityjson
    r = okio.read(g)["pand"].iloc[0]
    assert (r["identificatie"], r["b3_h_dak_70p"], r["b3_bouwlagen"], r["bouwjaar"]) == (
        "0294100000001111", 43.1, 2, 1910)
    assert r.geometry.area == 400.0
