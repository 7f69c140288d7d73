"""Unit tests of the map builders (no browser, no network): synthetic grid of tests/viz_data.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from viz_data import write_grid

import omgevingskaart
from omgevingskaart import report_at
from omgevingskaart.errors import AddressNotFoundError, OutsideDataError
from omgevingskaart.viz.assets import remote_urls
from omgevingskaart.viz.deck3d import build_deck, height_colour
from omgevingskaart.viz.map2d import build_map, default_view, layer_features, view_around
from omgevingskaart.viz.report_view import dutch_error, report_markdown


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> omgevingskaart.Dataset:
    return omgevingskaart.open_dataset(write_grid(tmp_path_factory.mktemp("viz") / "g.gpkg", 12, 10))


def test_features_are_clipped_to_the_view_and_in_wgs84(ds: omgevingskaart.Dataset) -> None:
    spec = ds.catalogue["pand"]
    v = view_around(246580.0, 443380.0, 18, (400, 300))
    lf = layer_features(ds, spec, v)
    fc = json.loads(lf.geojson)
    assert 0 < lf.n_shown < len(ds["pand"])
    lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert 6.6 < lon < 6.8 and 51.9 < lat < 52.0
    assert set(fc["features"][0]["properties"]) <= {"identificatie", "bouwjaar", "c"}


def test_cap_keeps_largest_and_says_so(ds: omgevingskaart.Dataset) -> None:
    lf = layer_features(ds, ds.catalogue["perceel"], default_view(ds), max_features=10)
    assert lf.capped and lf.n_shown == 10 and lf.n_in_view > 10


def test_low_zoom_leaves_dense_layers_out(ds: omgevingskaart.Dataset) -> None:
    lf = layer_features(ds, ds.catalogue["pand"], view_around(246580.0, 443380.0, 13))
    assert lf.n_shown == 0 and lf.capped


def test_build_map_loads_nothing_remote(ds: omgevingskaart.Dataset) -> None:
    m = build_map(ds)
    assert remote_urls(m) == []
    html = m.get_root().render()
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html
    assert "service.pdok.nl" not in html
    assert "service.pdok.nl" in build_map(ds, basemap=True).get_root().render()


def test_deck_has_no_basemap_and_heights(ds: omgevingskaart.Dataset) -> None:
    deck = build_deck(ds)
    spec = json.loads(deck.to_json())
    assert str(spec.get("mapStyle") or "").startswith(("data:", "None")) or not spec.get("mapStyle")
    panden = deck.layers[-1].data
    assert panden and all(r["hoogte"] > 0 for r in panden)
    assert height_colour(None) != height_colour(5.0)


def test_report_markdown_and_dutch_errors(ds: omgevingskaart.Dataset) -> None:
    md = report_markdown(report_at(ds, point=(246580.0 - 390, 443380.0 - 290), crs="EPSG:28992"))
    assert "### Perceel" in md and "Bestemming" in md
    assert "staat niet in de gegevens" in dutch_error(AddressNotFoundError("x"))
    assert "geen gegevens" in dutch_error(OutsideDataError("x"))


def test_vendored_licences_present() -> None:
    root = Path(__file__).resolve().parents[1] / "static" / "vendor"
    assert (root / "leaflet" / "LICENSE").is_file() and (root / "leaflet-draw" / "LICENSE").is_file()


def test_view_tiles_written_once_and_complete(ds: omgevingskaart.Dataset, tmp_path: Path) -> None:
    from omgevingskaart.viz.map2d import TILE_BANDS, ensure_view_tiles, tile_set, view_tile_keys

    tiles = tile_set(ds, root=tmp_path, url="/component/x")
    assert tiles.url.startswith("/component/x/") and not any(tmp_path.iterdir())  # nothing read yet
    view = default_view(ds)  # zoom 17: the finest band
    ready = ensure_view_tiles(ds, tiles, view)
    assert ready.ready and ready.path == tiles.path
    root = Path(tiles.path)
    band = tiles.layers["pand"]["bands"][-1]
    assert band["max"] == TILE_BANDS[-1][1]
    keys = view_tile_keys(view, band["tz"])
    written = sorted(p.stem for p in (root / "pand" / str(band["id"])).glob("*.json"))
    assert written == sorted(f"{x}_{y}" for x, y in keys)  # only the view's tiles
    # every pand is in exactly one tile of the band, whole (not clipped), in WGS84
    ids = []
    for key in written:
        fc = json.loads((root / "pand" / str(band["id"]) / f"{key}.json").read_text())
        ids += [f["properties"]["identificatie"] for f in fc["features"]]
        if fc["features"]:
            lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0]
            assert 6.6 < lon < 6.8 and 51.9 < lat < 52.0
    assert sorted(ids) == sorted(ds["pand"]["identificatie"].tolist())
    # dense layers have no coarse band: nothing to write when zoomed out
    assert all(b["min"] >= 15 for b in tiles.layers["pand"]["bands"])
    stamp = (root / "pand" / str(band["id"]) / f"{written[0]}.json").stat().st_mtime_ns
    assert ensure_view_tiles(ds, tiles, view).ready == ready.ready
    assert (root / "pand" / str(band["id"]) / f"{written[0]}.json").stat().st_mtime_ns == stamp


def test_tiled_groups_carry_no_data(ds: omgevingskaart.Dataset, tmp_path: Path) -> None:
    from streamlit_folium import _get_feature_group_string

    from omgevingskaart.viz.map2d import base_map, ensure_view_tiles, tile_set, tiled_layer_groups

    tiles = ensure_view_tiles(ds, tile_set(ds, root=tmp_path, url="/component/x"), default_view(ds))
    m = base_map(ds)
    layers = tiled_layer_groups(ds, tiles, selected=ds["perceel"].geometry.iloc[0])
    js = "".join(_get_feature_group_string(g, map=m, idx=k) for k, g in enumerate(layers.groups))
    assert len(js) < 60_000  # styles, labels and bands; the features come as files
    assert "identificatie" in js and tiles.url in js and "okSelected" in js and tiles.ready in js
    assert layers.control.hidden_by_default  # Adressen and the plan details start hidden
