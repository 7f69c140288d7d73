"""3D town centre: meshes, GLB export, LoD 2.2 from real CityJSON, exceedance, compact scenes,
standalone HTML, the export-3d CLI and the generated town."""

from __future__ import annotations

import json
import math
import re
import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import omgevingskaart
from omgevingskaart.dataset import write_dataset
from omgevingskaart.errors import DataFileError
from omgevingskaart.export.area import area_meshes
from omgevingskaart.export.gltf import (
    CHUNK_BIN,
    CHUNK_JSON,
    GLB_MAGIC,
    accessor_array,
    read_glb,
    to_local,
    to_rd,
    write_glb,
)
from omgevingskaart.export.html3d import DECK_SHA256, render_page, vendored_deck_js
from omgevingskaart.io.cityjson import read, read_cityjson_surfaces
from omgevingskaart.viz import town3d
from omgevingskaart.viz.exceedance import exceedances, max_heights, to_csv
from omgevingskaart.viz.mesh import extrude, from_building_meshes, signed_volume

MARKT_BBOX = (246400.0, 443250.0, 246750.0, 443550.0)


@pytest.fixture(scope="module")
def ds(demo_path: Path) -> omgevingskaart.Dataset:
    if not demo_path.exists():
        pytest.skip("demo dataset not built")
    return omgevingskaart.open_dataset(demo_path)


# --- meshes --------------------------------------------------------------------------------------


def test_extrude_closed_outward_solids() -> None:
    court = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (2, 4), (4, 4), (4, 2)]])
    cw = shapely.Polygon([(20, 0), (20, 5), (25, 5), (25, 0)])  # clockwise input is reoriented
    multi = shapely.MultiPolygon([shapely.box(30, 0, 31, 1), shapely.box(33, 0, 35, 2)])
    m = extrude([court, cw, multi], np.array([1.0, 0.0, 5.0]), np.array([11.0, 3.0, 6.0]),
                ["a", "b", "c"])
    assert m.ids == ["a", "b", "c"]
    assert [signed_volume(*m.building(i)) for i in range(3)] == pytest.approx([960.0, 75.0, 5.0])
    lo, hi = m.bounds
    assert lo.tolist() == [0, 0, 0] and hi.tolist() == [35, 10, 11]
    with pytest.raises(ValueError):
        extrude([court], np.array([2.0]), np.array([1.0]))


def test_extrude_demo_volumes_equal_area_times_height(ds: omgevingskaart.Dataset) -> None:
    pand = ds["pand"]
    g, r = pand["b3_h_maaiveld"].to_numpy(float, na_value=np.nan), pand["b3_h_dak_70p"].to_numpy(
        float, na_value=np.nan)
    ok = np.isfinite(g) & np.isfinite(r)
    m = extrude(pand.geometry.to_numpy()[ok], g[ok], r[ok], list(pand["identificatie"][ok]))
    vol = np.array([signed_volume(*m.building(i)) for i in range(len(m))])
    expected = shapely.area(pand.geometry.to_numpy()[ok]) * (r[ok] - g[ok])
    np.testing.assert_allclose(vol, expected, rtol=1e-9, atol=1e-6)


def test_lod22_from_real_3dbag(real_data: Path) -> None:
    src = real_data / "3dbag" / "small.city.jsonl"
    frame = read(src)["pand"]
    meshes = read_cityjson_surfaces(src, lod="2.2")
    assert set(meshes) == set(frame["identificatie"])
    ms = from_building_meshes(meshes.values())
    for _, row in frame.iterrows():
        v, t = ms.building(ms.ids.index(row["identificatie"]))
        assert len(t) and {"RoofSurface", "WallSurface"} <= set(meshes[row["identificatie"]].semantics)
        np.testing.assert_allclose(v[:, :2].min(0), row.geometry.bounds[:2], atol=1e-6)
        np.testing.assert_allclose(v[:, :2].max(0), row.geometry.bounds[2:], atol=1e-6)
        assert abs(v[:, 2].min() - row["b3_h_maaiveld"]) < 0.05
        assert abs(v[:, 2].max() - row["b3_h_dak_max"]) < 0.5  # point-cloud max vs. fitted roof
        assert signed_volume(v, t) == pytest.approx(row["b3_volume_lod22"], rel=0.02)


def test_delft_cityjson_has_lod1_only(real_data: Path, tmp_path: Path) -> None:
    src = real_data / "cityjson" / "delft.city.json"
    with pytest.raises(DataFileError, match="LoDs present: 1"):
        read_cityjson_surfaces(src, lod="2.2")
    meshes = read_cityjson_surfaces(src, lod="1")
    ms = from_building_meshes(meshes.values())
    assert len(ms) == len(read(src)["pand"]) == 160
    gltf, _ = read_glb(write_glb(ms, tmp_path / "delft.glb"))
    assert len(gltf["nodes"]) == len(gltf["meshes"]) == 160


# --- GLB -----------------------------------------------------------------------------------------


def _parse_glb(data: bytes) -> tuple[dict, bytes]:
    """Independent of read_glb: the header and the two chunks by hand."""
    magic, version, length = struct.unpack_from("<III", data, 0)
    assert (magic, version, length) == (GLB_MAGIC, 2, len(data))
    jlen, jtype = struct.unpack_from("<II", data, 12)
    assert jtype == CHUNK_JSON and jlen % 4 == 0
    blen, btype = struct.unpack_from("<II", data, 20 + jlen)
    assert btype == CHUNK_BIN and blen % 4 == 0
    assert 20 + jlen + 8 + blen == length
    return json.loads(data[20:20 + jlen]), data[28 + jlen:28 + jlen + blen]


def test_glb_structure_counts_bounds_extras(ds: omgevingskaart.Dataset, tmp_path: Path) -> None:
    area = area_meshes(ds, MARKT_BBOX)
    data = write_glb(area.mesh, tmp_path / "markt.glb", attributes=area.attributes)
    assert (tmp_path / "markt.glb").read_bytes() == data
    gltf, binary = _parse_glb(data)
    assert read_glb(data)[0] == gltf
    n = len(area.mesh)
    pand = area.panden
    assert n == len(pand) > 300 and len(area.skipped) + n == len(town3d.select_panden(ds, bbox=MARKT_BBOX))
    assert len(gltf["nodes"]) == len(gltf["meshes"]) == len(gltf["scenes"][0]["nodes"]) == n
    assert gltf["buffers"][0]["byteLength"] <= len(binary)
    ids = pand["identificatie"].astype(str).to_numpy()
    assert [nd["name"] for nd in gltf["nodes"]] == list(ids)
    ex = gltf["nodes"][0]["extras"]
    assert ex["identificatie"] == ids[0] and {"bouwjaar", "hoogte", "adres", "b3_h_maaiveld",
                                              "max_bouwhoogte", "overschrijding"} <= set(ex)
    frame = gltf["asset"]["extras"]["omgevingskaart"]
    assert frame == gltf["scenes"][0]["extras"]["omgevingskaart"] and frame["crs"] == "EPSG:7415"
    origin = tuple(frame["origin_rd_nap"])
    # every accessor's min/max is the data's, and the union of positions is the input's bounds
    allpos = []
    for mesh in gltf["meshes"]:
        prim = mesh["primitives"][0]
        pos = accessor_array(gltf, binary, prim["attributes"]["POSITION"])
        idx = accessor_array(gltf, binary, prim["indices"])
        acc = gltf["accessors"][prim["attributes"]["POSITION"]]
        assert acc["min"] == pos.min(0).tolist() and acc["max"] == pos.max(0).tolist()
        assert idx.max() < len(pos) and len(idx) % 3 == 0
        allpos.append(pos)
    rd = to_rd(np.concatenate(allpos).astype(np.float64), origin)
    geoms = pand.geometry.to_numpy()
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    ground = pand["b3_h_maaiveld"].to_numpy(float)
    roof = pand["b3_h_dak_70p"].to_numpy(float)
    np.testing.assert_allclose(rd.min(0), [minx, miny, ground.min()], atol=2e-3)
    np.testing.assert_allclose(rd.max(0), [maxx, maxy, roof.max()], atol=2e-3)
    # y-up: NAP height is glTF y; north (RD y up) is glTF -z
    local = to_local(np.array([[origin[0], origin[1] + 10, origin[2] + 5]]), origin)
    assert local.tolist() == [[0.0, 5.0, -10.0]]
    # each building is a closed outward solid: volume = area x height
    v, t = area.mesh.building(0)
    assert signed_volume(v, t) == pytest.approx(shapely.area(geoms[0]) * (roof[0] - ground[0]))


def test_glb_lod22_real_3dbag(real_data: Path, tmp_path: Path) -> None:
    src = real_data / "3dbag" / "small.city.jsonl"
    frame = read(src)["pand"]
    path = write_dataset({"pand": frame}, tmp_path / "bag.gpkg")
    area = area_meshes(omgevingskaart.open_dataset(path), None, lod="2.2", cityjson=src)
    assert area.lod_counts == {"1.2": 0, "2.2": 3}
    gltf, _ = _parse_glb(write_glb(area.mesh, attributes=area.attributes))
    assert len(gltf["nodes"]) == len(gltf["meshes"]) == 3
    assert {n["extras"]["identificatie"] for n in gltf["nodes"]} == set(frame["identificatie"])


# --- exceedance ----------------------------------------------------------------------------------


def _plan_case(tmp_path: Path) -> omgevingskaart.Dataset:
    """Three panden in one Wonen vlak (max 15 m) with one bouwvlak (max 10 m): A in the bouwvlak
    at 12 m (exceeds by 2), B outside it at 16 m (exceeds the vlak by 1), C inside at 9 m."""
    crs = "EPSG:28992"
    x0, y0 = 246000.0, 443000.0
    pand = gpd.GeoDataFrame({
        "identificatie": ["0294100000000001", "0294100000000002", "0294100000000003"],
        "bouwjaar": [1930, 2001, 1965],
        "b3_h_maaiveld": [36.0, 36.5, 35.0],
        "b3_h_dak_70p": [46.0, 50.0, 42.0],
        "b3_h_dak_max": [48.0, 52.5, 44.0],
    }, geometry=[shapely.box(x0 + 2, y0 + 2, x0 + 10, y0 + 10),
                 shapely.box(x0 + 40, y0 + 2, x0 + 48, y0 + 10),
                 shapely.box(x0 + 12, y0 + 2, x0 + 18, y0 + 10)], crs=crs)
    vlak = shapely.box(x0, y0, x0 + 60, y0 + 30)
    bv = shapely.box(x0, y0, x0 + 20, y0 + 12)
    eb = gpd.GeoDataFrame({"identificatie": ["NL.IMRO.PT.eb1"], "plan_id": ["NL.IMRO.0294.T"],
                           "naam": ["Wonen"], "artikelnummer": ["10"],
                           "tekst_ref": ["r_NL.IMRO.0294.T.html#_10_Wonen"]}, geometry=[vlak], crs=crs)
    bvf = gpd.GeoDataFrame({"identificatie": ["NL.IMRO.PT.bv1"], "plan_id": ["NL.IMRO.0294.T"]},
                           geometry=[bv], crs=crs)
    mv = gpd.GeoDataFrame({
        "identificatie": ["NL.IMRO.PT.mv1", "NL.IMRO.PT.mv1", "NL.IMRO.PT.mv2"],
        "plan_id": ["NL.IMRO.0294.T"] * 3,
        "waarde_type": ["maximum bouwhoogte (m)", "maximum goothoogte (m)",
                        "maximum bouwhoogte (m)"],
        "waarde": [10.0, 6.0, 15.0], "waarde_tekst": ["10", "6", "15"], "eenheid": ["m"] * 3,
    }, geometry=[bv, bv, vlak], crs=crs)
    vbo = gpd.GeoDataFrame({
        "identificatie": ["0294010000000001"], "openbare_ruimte": ["Teststraat"],
        "huisnummer": [1], "postcode": ["7101AA"], "woonplaats": ["Winterswijk"],
        "pand_identificatie": ["0294100000000001"], "gebruiksdoel": ["woonfunctie"],
    }, geometry=[shapely.Point(x0 + 5, y0 + 5)], crs=crs)
    path = write_dataset({"pand": pand, "enkelbestemming": eb, "bouwvlak": bvf, "maatvoering": mv,
                          "verblijfsobject": vbo}, tmp_path / "case.gpkg")
    return omgevingskaart.open_dataset(path)


def test_exceedance_built_case(tmp_path: Path) -> None:
    case = _plan_case(tmp_path)
    table = exceedances(case)
    # largest excess first
    assert table["identificatie"].tolist() == ["0294100000000001", "0294100000000002"]
    a, b = table.iloc[0], table.iloc[1]
    assert a["hoogte_m"] == 12.0 and a["max_bouwhoogte_m"] == 10.0 and a["overschrijding_m"] == 2.0
    assert a["bron"] == "bouwvlak" and a["bouwvlak_id"] == "NL.IMRO.PT.bv1"
    assert a["maatvoering_id"] == "NL.IMRO.PT.mv1" and a["artikel"] == "10"
    assert a["adres"].startswith("Teststraat 1")
    assert b["overschrijding_m"] == 1.0 and b["bron"] == "bestemmingsvlak"
    assert pd.isna(b["bouwvlak_id"]) and b["bestemming"] == "Wonen"
    heights = max_heights(case)
    assert heights["overschrijding_m"].tolist() == [2.0, 1.0, -1.0]
    csv = to_csv(table).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("pand-id;adres;bouwjaar;hoogte boven maaiveld (m)")
    assert ";2,0;" in csv or ";2;" in csv
    # the colour mode marks the same two in the warning colour
    idx, legend = town3d.classify(case, town3d.select_panden(case), "overschrijding")
    assert idx.tolist() == [0, 0, 1] and legend[0][1] == town3d.EXCEED_COLOUR


def test_exceedance_demo(ds: omgevingskaart.Dataset) -> None:
    table = exceedances(ds)
    assert len(table) == 9  # docs/demo-dataset.md: 9 panden exceed their bouwvlak
    assert (table["overschrijding_m"] > 0).all() and (table["bron"] == "bouwvlak").all()
    top = table.iloc[0]
    assert top["adres"].startswith("Markt 1") and top["overschrijding_m"] == pytest.approx(28.0)


# --- compact scenes, views, HTML -----------------------------------------------------------------


def _deck_add_meters(lon0: float, lat0: float, dx: np.ndarray, dy: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """deck.gl's addMetersToLngLat (9.3, web-mercator getDistanceScales highPrecision)."""
    tile, earth = 512.0, 40.03e6
    cos0 = math.cos(math.radians(lat0))
    upm = tile / earth / cos0
    upm2 = (tile / earth * math.radians(1) * math.tan(math.radians(lat0)) / cos0) / (
        tile / 360 / cos0) * upm
    x0 = tile * (math.radians(lon0) + math.pi) / (2 * math.pi)
    y0 = tile * (math.pi + math.log(math.tan(math.pi / 4 + math.radians(lat0) / 2))) / (2 * math.pi)
    x = x0 + dx * (upm + upm2 * dy)
    y = y0 + dy * upm
    lon = np.degrees(x / tile * 2 * math.pi - math.pi)
    lat = np.degrees(2 * (np.arctan(np.exp(y / tile * 2 * math.pi - math.pi)) - math.pi / 4))
    return lon, lat


def test_meter_offsets_invert_deck() -> None:
    lon0, lat0 = 6.72, 51.97
    lon = lon0 + np.array([-0.02, 0.0, 0.013, 0.02])
    lat = lat0 + np.array([0.01, -0.012, 0.0, 0.011])
    dx, dy = town3d.meter_offsets(lon, lat, lon0, lat0)
    back = _deck_add_meters(lon0, lat0, dx, dy)
    np.testing.assert_allclose(back[0], lon, atol=1e-9)
    np.testing.assert_allclose(back[1], lat, atol=1e-9)


@pytest.mark.parametrize("mode", list(town3d.COLOUR_MODES))
def test_scene_modes(ds: omgevingskaart.Dataset, mode: str) -> None:
    panden = town3d.select_panden(ds, radius=300.0)
    scene = town3d.scene_data(ds, panden, mode=mode, envelopes=True)
    assert sum(len(c) for c in scene.classes) >= scene.buildings == len(panden) > 500
    assert len(scene.classes) == len(scene.legend)
    assert scene.envelopes and all(e["h"] > 0 for e in scene.envelopes)
    spec = json.loads(town3d.build_town_deck(scene, town3d.camera_presets(ds)["markt"][1]).to_json())
    assert not re.search(r"https?://", json.dumps(spec))
    assert spec["mapStyle"].startswith("data:")
    panden = [la for la in spec["layers"] if la["id"] == "panden"]
    assert len(panden) == 1 and panden[0]["coordinateSystem"] == "meter-offsets"
    assert panden[0]["getFillColor"].startswith("@@=k == 0 ? [")
    row = panden[0]["data"][0]
    assert set(row) == {"p", "h", "t", "k"}  # no per-row colour or properties
    if mode == "overschrijding":
        assert "OVERSCHRIJDING" in " ".join(r["t"] for r in scene.classes[0])


def test_scene_bytes_vs_geojson(ds: omgevingskaart.Dataset) -> None:
    import pydeck as pdk

    scene = town3d.scene_data(ds, mode="hoogte")
    ours = town3d.payload_bytes(town3d.build_town_deck(scene, town3d.camera_presets(ds)["markt"][1]))
    gj = json.loads(ds["pand"].to_crs(4326).to_json())
    base = pdk.Deck(layers=[pdk.Layer("GeoJsonLayer", data=gj, extruded=True, pickable=True)],
                    map_provider=None)
    assert ours * 3 < len(base.to_json().encode())


def test_view_query_roundtrip_and_clamping() -> None:
    default = town3d.View(6.72, 51.97)
    v = town3d.view_from_query({"lat": "51.9716", "lon": "6.7195", "zoom": "18.2", "pitch": "99",
                                "bearing": "abc"}, default)
    assert (v.lat, v.lon, v.zoom, v.pitch, v.bearing) == (51.9716, 6.7195, 18.2, 85.0, -25.0)
    q = town3d.view_to_query(v, "bouwjaar")
    assert town3d.view_from_query(q, default) == v and q["mode"] == "bouwjaar"


def test_camera_presets(ds: omgevingskaart.Dataset) -> None:
    presets = town3d.camera_presets(ds)
    assert {"markt", "station", "hoogste", "overzicht", "boven"} <= set(presets)
    minx, miny, maxx, maxy = ds.bounds
    from omgevingskaart.crs import wgs84_to_rd

    for _, view in presets.values():
        x, y = wgs84_to_rd(view.lon, view.lat)
        assert minx - 200 <= x <= maxx + 200 and miny - 200 <= y <= maxy + 200


def test_html_page_has_no_external_urls(ds: omgevingskaart.Dataset) -> None:
    lib = vendored_deck_js()
    import hashlib

    assert hashlib.sha256(lib.encode()).hexdigest() == DECK_SHA256
    scene = town3d.scene_data(ds, town3d.select_panden(ds, radius=200.0), mode="bestemming",
                              envelopes=True)
    presets = town3d.camera_presets(ds)
    html = render_page(scene, presets["markt"][1], presets=presets)
    assert html.count(lib) == 1  # the vendored bundle, byte for byte
    rest = html.replace(lib, "")
    assert not re.search(r"https?://", rest), re.findall(r"https?://\S{0,40}", rest)
    assert "<script src" not in rest and "<link" not in rest
    data = json.loads(re.search(r'<script id="ok3d-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1).replace("<\\/", "</"))
    assert data["mode"] == "bestemming" and len(data["blocks"]) == len(scene.blocks)
    assert {r["k"] for r in data["blocks"]} <= set(range(len(scene.legend)))


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_export_3d(ds: omgevingskaart.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from omgevingskaart.cli import main

    glb = tmp_path / "markt.glb"
    assert main(["export-3d", "--dataset", str(ds.path), "--bbox", *map(str, MARKT_BBOX),
                 "--format", "glb", "-o", str(glb)]) == 0
    gltf, _ = read_glb(glb.read_bytes())
    assert len(gltf["nodes"]) == len(area_meshes(ds, MARKT_BBOX).mesh)
    html = tmp_path / "markt.html"
    assert main(["export-3d", "--dataset", str(ds.path), "--bbox", *map(str, MARKT_BBOX),
                 "-o", str(html), "--mode", "overschrijding"]) == 0
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert "glb" in capsys.readouterr().out
    assert main(["export-3d", "--bbox", "1", "1", "0", "0", "-o", str(glb)]) == 2
    assert main(["export-3d", "--bbox", "0", "0", "1", "1", "-o", str(tmp_path / "x.obj")]) == 2
    assert main(["export-3d", "--dataset", str(ds.path), "--bbox", "0", "0", "1", "1",
                 "-o", str(glb)]) == 2  # no building there


# --- the generated town --------------------------------------------------------------------------


def test_town_cache_is_keyed_by_the_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from omgevingskaart.demo import town

    monkeypatch.setenv("OMGEVINGSKAART_CACHE_DIR", str(tmp_path))
    path = town.town_path(25_000, build=False)
    version = town.generator_version()
    assert path == tmp_path / "town" / f"town-25000-{town.SEED}-{version}.gpkg"
    assert len(version) == 12 and version == town.generator_version()


def test_town_layers_exact_count_unique_ids() -> None:
    from omgevingskaart.demo.town import build_town_layers

    layers = build_town_layers(n=4000)
    pand, vbo = layers["pand"], layers["verblijfsobject"]
    assert len(pand) == 4000 and pand["identificatie"].is_unique
    assert pand["identificatie"].str.len().eq(16).all()
    assert vbo["identificatie"].is_unique
    assert set(vbo["pand_identificatie"]) <= set(pand["identificatie"])
    assert layers["bouwvlak"]["identificatie"].is_unique
    # two districts side by side, not on top of each other
    cx = shapely.centroid(pand.geometry.to_numpy())
    assert shapely.get_x(cx).max() - shapely.get_x(cx).min() > 1500


def test_block_roofs_fan_convex_and_earcut_the_rest(tmp_path: Path) -> None:
    """Convex footprints carry no roof triangles (the browser fans them); an L-shaped one and one
    with a courtyard carry earcut triangles that cover exactly the footprint."""
    square = shapely.box(246500, 443300, 246510, 443310)
    ell = shapely.Polygon([(246520, 443300), (246540, 443300), (246540, 443305), (246525, 443305),
                           (246525, 443320), (246520, 443320)])
    court = shapely.box(246550, 443300, 246580, 443330).difference(
        shapely.box(246560, 443310, 246570, 443320))
    pand = gpd.GeoDataFrame({"identificatie": ["0294100000000001", "0294100000000002",
                                               "0294100000000003"],
                             "b3_h_maaiveld": [30.0] * 3, "b3_h_dak_70p": [36.0, 39.0, 42.0]},
                            geometry=[square, ell, court], crs="EPSG:28992")
    path = write_dataset({"pand": pand}, tmp_path / "roofs.gpkg")
    ds = omgevingskaart.open_dataset(path)
    scene = town3d.scene_data(ds, mode="hoogte")
    by_height = {b["h"]: b for b in scene.blocks}
    assert "r" not in by_height[6.0]
    for h, shape in ((9.0, ell), (12.0, court)):
        block = by_height[h]
        p = block["p"]["positions"] if isinstance(block["p"], dict) else block["p"]
        xy = np.asarray(p, dtype=float).reshape(-1, 2)
        tris = np.asarray(block["r"]).reshape(-1, 3)
        area = sum(abs(shapely.Polygon(xy[t]).area) for t in tris)
        assert area == pytest.approx(shape.area, rel=0.02)  # offsets are rounded to 0.1 m
    assert isinstance(by_height[12.0]["p"], dict)  # the courtyard is a hole


def test_scene_url_is_content_addressed_and_atomic(tmp_path: Path) -> None:
    from omgevingskaart.app.deck3d_view import scene_file, scene_url

    payload = {"blocks": [{"p": [0, 0, 1, 0, 1, 1], "h": 3.5, "t": "Markt 1", "k": 0}]}
    served = "/component/omgevingskaart.app.deck3d_view.scenes3d"
    url = scene_url(payload, root=tmp_path, url=served)
    assert url.startswith(served + "/") and url.endswith(".json")
    path = scene_file(url, root=tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == payload
    assert scene_url(dict(payload), root=tmp_path, url=served) == url  # same scene, same file
    other = scene_url({**payload, "mode": "bouwjaar"}, root=tmp_path, url=served)
    assert other != url
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, scene_file(other, root=tmp_path).name])  # no temporary files left


def test_scenes_are_written_outside_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app writes its scene files to the cache folder, never into the installed package."""
    import omgevingskaart
    from omgevingskaart.app import deck3d_view

    monkeypatch.setenv("OMGEVINGSKAART_CACHE_DIR", str(tmp_path))
    deck3d_view.scene_route.clear()
    try:
        url = deck3d_view.scene_url({"blocks": []})
        path = deck3d_view.scene_file(url)
        assert path.is_file() and path.parent == tmp_path / "3d"
        assert url.startswith("/component/") and url.endswith(path.name)
        assert Path(omgevingskaart.__file__).parent not in path.parents
    finally:
        deck3d_view.scene_route.clear()
