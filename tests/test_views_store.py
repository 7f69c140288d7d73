"""The views, exports and the service on stores that are not held in memory: the demo read through
its GeoPackage R-tree and imported into a real PostGIS on 127.0.0.1 give the same export-3d, the
same ``/items`` pages and the same Kaart map and tiles as the in-memory demo, and none of them reads
a whole layer: afterwards the store's cache holds no ``("index", ...)`` nor ``("frame", ...)``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omgevingskaart.dataset import DEMO_PATH, Dataset, open_dataset, write_dataset
from omgevingskaart.export.area import area_meshes
from omgevingskaart.export.gltf import write_glb
from omgevingskaart.service.geojson import CRS84, RD_URI, LayerFeatures
from omgevingskaart.store import open_store
from omgevingskaart.store.geopackage import GeoPackageStore
from omgevingskaart.viz import town3d
from omgevingskaart.viz.exceedance import exceedances
from omgevingskaart.viz.map2d import (
    default_view,
    ensure_view_tiles,
    layer_groups,
    tile_set,
    view_around,
)

#: a fixed 400 x 300 m area around the Markt (as export-3d is benchmarked)
AREA = (246380.0, 443230.0, 246780.0, 443530.0)
LON, LAT = 6.7195685, 51.97190784


@pytest.fixture(scope="module")
def reference() -> Dataset:
    return Dataset(GeoPackageStore(DEMO_PATH, mode="memory"))


@pytest.fixture(scope="module")
def demo_in_postgis(postgis_uri: str) -> str:
    uri = f"{postgis_uri}?schema=views"
    ds = open_dataset(DEMO_PATH)
    write_dataset({n: ds.features(n) for n in ds.layers}, uri, meta=ds.meta)
    return uri


@pytest.fixture(params=["rtree", "postgis"])
def ds(request: pytest.FixtureRequest) -> Dataset:
    """A fresh dataset (empty store cache) on a store that reads per request."""
    if request.param == "postgis":
        return Dataset(open_store(request.getfixturevalue("demo_in_postgis")))
    return Dataset(GeoPackageStore(DEMO_PATH, mode="rtree"))


def whole_layer_entries(ds: Dataset) -> list[object]:
    """The store-cache keys that hold a whole layer (a frame or an in-memory index)."""
    return [k for k in ds.store.cache._values
            if isinstance(k, tuple) and k and k[0] in ("index", "frame")]


def test_export_3d_of_an_area_is_the_in_memory_one(ds: Dataset, reference: Dataset, tmp_path: Path) -> None:
    got, want = area_meshes(ds, AREA), area_meshes(reference, AREA)
    assert len(got.mesh) == len(want.mesh) > 300 and got.skipped == want.skipped
    assert json.dumps(got.attributes, sort_keys=True, default=str) == json.dumps(
        want.attributes, sort_keys=True, default=str)  # NaN (no maximum) as NaN on both sides
    assert write_glb(got.mesh, attributes=got.attributes) == write_glb(want.mesh, attributes=want.attributes)
    # the HTML export's scene, colour modes that need the plan and the addresses
    for mode in ("overschrijding", "gebruiksdoel", "bestemming"):
        a = town3d.scene_data(ds, town3d.select_panden(ds, bbox=AREA), mode=mode, envelopes=True)
        b = town3d.scene_data(reference, town3d.select_panden(reference, bbox=AREA), mode=mode,
                              envelopes=True)
        assert (a.blocks, a.envelopes, a.legend, a.ids, a.exceeding) == (
            b.blocks, b.envelopes, b.legend, b.ids, b.exceeding)
    assert town3d.camera_presets(ds) == town3d.camera_presets(reference)
    assert exceedances(ds, town3d.select_panden(ds, bbox=AREA)).equals(
        exceedances(reference, town3d.select_panden(reference, bbox=AREA)))
    assert whole_layer_entries(ds) == []


@pytest.mark.parametrize("layer", ["pand", "maatvoering"])
def test_items_pages_are_the_in_memory_ones(ds: Dataset, reference: Dataset, layer: str) -> None:
    got, want = LayerFeatures(ds), LayerFeatures(reference)
    cases = [
        {"bbox": None, "bbox_crs": CRS84, "crs": CRS84, "limit": 50, "offset": 3000},
        {"bbox": (LON - 0.002, LAT - 0.002, LON + 0.002, LAT + 0.002), "bbox_crs": CRS84, "crs": CRS84,
         "limit": 1000, "offset": 0},
        {"bbox": (246500, 443400, 246600, 443500), "bbox_crs": RD_URI, "crs": RD_URI, "limit": 7,
         "offset": 5},
    ]
    for case in cases:
        assert got.items(layer, **case) == want.items(layer, **case)  # type: ignore[arg-type]
    assert got.count(layer) == want.count(layer)
    assert got.extent_wgs84(layer) == pytest.approx(want.extent_wgs84(layer), abs=2e-5)
    assert whole_layer_entries(ds) == []


def test_kaart_map_and_tiles_are_the_in_memory_ones(ds: Dataset, reference: Dataset, tmp_path: Path) -> None:
    for view in (default_view(ds), view_around(246580.0, 443380.0, 15)):
        got = layer_groups(ds, view)
        want = layer_groups(reference, view)
        assert {k: f.geojson for k, f in got.features.items()} == {
            k: f.geojson for k, f in want.features.items()}
        assert got.notices == want.notices
        a = ensure_view_tiles(ds, tile_set(ds, root=tmp_path / "a"), view)
        b = ensure_view_tiles(reference, tile_set(reference, root=tmp_path / "b"), view)
        files_a = sorted(p.relative_to(a.path) for p in Path(a.path).rglob("*.json"))
        files_b = sorted(p.relative_to(b.path) for p in Path(b.path).rglob("*.json"))
        assert files_a == files_b and len(files_a) > 10 and a.ready == b.ready
        for rel in files_a:
            assert json.loads((Path(a.path) / rel).read_text()) == json.loads((Path(b.path) / rel).read_text()), rel
    assert whole_layer_entries(ds) == []


def test_layer_info_from_the_store(ds: Dataset, reference: Dataset) -> None:
    from omgevingskaart.layerinfo import layer_columns, layer_date

    assert ds.store.distinct("pand", ["status"]) == reference.store.distinct("pand", ["status"]) != []
    assert ds.store.distinct("bestemmingsplangebied", ["plan_id"]) == reference.store.distinct(
        "bestemmingsplangebied", ["plan_id"])
    for spec in reference.catalogue:
        assert layer_columns(ds, spec.layer) == layer_columns(reference, spec.layer)
        got, want = layer_date(ds, spec), layer_date(reference, spec)
        if want is not None and want.origin == "bestand" and not isinstance(ds.store, GeoPackageStore):
            continue  # the GeoPackage's own table dates: a database has none
        assert (got.date, got.origin) == (want.date, want.origin) if want else got is None, spec.id
    assert whole_layer_entries(ds) == []
