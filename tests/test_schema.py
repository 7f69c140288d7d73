"""Normalised schemas: conform() casts, orders, checks CRS and repairs geometry."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from omgevingskaart.errors import CRSError, GeometryError, SchemaError
from omgevingskaart.schema import (
    SCHEMAS,
    conform,
    conform_columns,
    empty_frame,
    kind_of,
    parse_number,
    unit_of,
)


def test_every_kind_has_identificatie_and_bron() -> None:
    for kind, schema in SCHEMAS.items():
        assert "identificatie" in schema.columns, kind
        assert "bron" in schema.columns, kind
        assert set(schema.columns.values()) <= {"string", "Int64", "float64", "boolean"}


def test_conform_adds_missing_columns_with_dtypes() -> None:
    raw = gpd.GeoDataFrame({"identificatie": ["0294100000000001"], "bouwjaar": [1923.0]},
                           geometry=[box(0, 0, 10, 10)], crs="EPSG:28992")
    out = conform(raw, "pand")
    assert list(out.columns) == SCHEMAS["pand"].column_names
    assert str(out["bouwjaar"].dtype) == "Int64" and out["bouwjaar"][0] == 1923
    assert np.isnan(out["b3_h_dak_70p"][0])
    assert out["status"].isna().all()
    assert out.crs.to_epsg() == 28992


def test_conform_rejects_fractional_int() -> None:
    raw = gpd.GeoDataFrame({"identificatie": ["x"], "bouwjaar": [1923.5]},
                           geometry=[box(0, 0, 1, 1)], crs="EPSG:28992")
    with pytest.raises(SchemaError, match="bouwjaar"):
        conform(raw, "pand")


def test_missing_crs_is_an_error() -> None:
    raw = gpd.GeoDataFrame({"identificatie": ["x"]}, geometry=[box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="no CRS"):
        conform(raw, "pand", what="panden.gpkg")


def test_other_projected_crs_is_transformed() -> None:
    raw = gpd.GeoDataFrame({"identificatie": ["x"]}, geometry=[Point(343000, 5761000).buffer(5)],
                           crs="EPSG:32632")
    out = conform(raw, "monument")
    assert out.crs.to_epsg() == 28992
    assert 200000 < out.geometry[0].centroid.x < 300000


def test_compound_rd_nap_becomes_rd() -> None:
    raw = gpd.GeoDataFrame({"identificatie": ["x"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:7415")
    assert conform(raw, "pand").crs.to_epsg() == 28992


def test_invalid_polygon_repaired_with_warning() -> None:
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    raw = gpd.GeoDataFrame({"identificatie": ["a", "b"]}, geometry=[bowtie, box(0, 0, 1, 1)],
                           crs="EPSG:28992")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = conform(raw, "perceel", what="percelen.gml")
    assert any("percelen.gml: repaired 1 invalid geometry" in str(w.message) for w in rec)
    assert out.geometry.is_valid.all()
    assert out.geometry[0].geom_type in ("Polygon", "MultiPolygon")
    assert out.geometry[0].area == pytest.approx(50.0)


def test_invalid_polygon_refused_without_repair() -> None:
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    raw = gpd.GeoDataFrame({"identificatie": ["a"]}, geometry=[bowtie], crs="EPSG:28992")
    with pytest.raises(GeometryError, match="feature 0 has an invalid geometry"):
        conform(raw, "perceel", repair=False)


def test_wrong_geometry_type() -> None:
    raw = gpd.GeoDataFrame({"identificatie": ["a"]}, geometry=[LineString([(0, 0), (1, 1)])],
                           crs="EPSG:28992")
    with pytest.raises(GeometryError, match="feature 0 is a LineString; kind 'pand'"):
        conform(raw, "pand")


def test_missing_required_column() -> None:
    raw = gpd.GeoDataFrame({"naam": ["a"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:28992")
    with pytest.raises(SchemaError, match="identificatie"):
        conform(raw, "pand")


def test_conform_columns_equals_conform_of_a_frame() -> None:
    """The loaders' path (column lists + geometries) gives exactly what conform() of a frame does:
    strings with "" as NA, numeric text as floats, extra columns kept on request."""
    columns = {"identificatie": ["a", "b", ""], "kadastrale_grootte": ["120", None, "7.5"],
               "sectie": ["B", None, "C"], "soort_grootte": ["Vastgesteld", "", None]}
    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)]
    fast = conform_columns(columns, geoms, "perceel", keep_extra=True)
    slow = conform(gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:28992"), "perceel",
                   keep_extra=True)
    assert list(fast.columns) == list(slow.columns)
    assert (fast.dtypes == slow.dtypes).all()
    assert fast.drop(columns="geometry").equals(slow.drop(columns="geometry"))
    assert fast.geometry.geom_equals(slow.geometry).all() and fast.crs == slow.crs
    assert fast["identificatie"].isna().tolist() == [False, False, True]
    assert fast["kadastrale_grootte"].tolist()[0] == 120.0


def test_conform_columns_errors_name_the_column() -> None:
    with pytest.raises(SchemaError, match=r"perceel\.gml: column 'kadastrale_grootte' is not float64"):
        conform_columns({"identificatie": ["a"], "kadastrale_grootte": ["12,5 m2"]},
                        [box(0, 0, 1, 1)], "perceel", what="perceel.gml")
    with pytest.raises(SchemaError, match="'sectie' has 2 values for 1 geometries"):
        conform_columns({"identificatie": ["a"], "sectie": ["A", "B"]}, [box(0, 0, 1, 1)],
                        "perceel")
    with pytest.raises(SchemaError, match="required column"):
        conform_columns({"sectie": ["A"]}, [box(0, 0, 1, 1)], "perceel")


def test_helpers() -> None:
    assert kind_of("bgt_wegdeel") == "bgt"
    with pytest.raises(SchemaError):
        kind_of("kasteel")
    assert unit_of("maximum bebouwingspercentage (%)") == "%"
    assert unit_of("maximum inhoud (m3)") == "m3"
    assert unit_of(None) == ""
    assert parse_number("12,5") == 12.5
    assert np.isnan(parse_number(""))
    assert len(empty_frame("maatvoering")) == 0
