"""GeoParquet read with DuckDB spatial (loaded offline from the ``duckdb-ext-spatial`` wheel):
vector tiles by ``ST_AsMVT`` with the same features as PostGIS gives for the same tile of the
demo, and the service's tile endpoint on a GeoParquet dataset."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mvt import LAT, LON, area, decode, tile_of, vertices
from service_data import serve

from omgevingskaart.dataset import DEMO_PATH, open_dataset, write_dataset
from omgevingskaart.errors import MissingExtraError, QueryError
from omgevingskaart.store import duckdb_spatial, open_store
from omgevingskaart.store.geoparquet import GeoParquetStore

pytest.importorskip("duckdb", reason="needs the duckdb extra: pip install 'omgevingskaart[duckdb]'")
pytest.importorskip("duckdb_ext", reason="needs the duckdb extra (duckdb-ext-spatial): pip install 'omgevingskaart[duckdb]'")

# zoom 14 holds the whole demo centre, 17 a street, 19 a few panden
TILES = [(z, *tile_of(LON, LAT, z)) for z in (14, 17, 19)]


def test_spatial_extension_loads_from_the_wheel_file() -> None:
    path = duckdb_spatial.extension_path()
    assert path.name == "spatial.duckdb_extension" and path.is_file()
    con = duckdb_spatial.connect()
    loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'spatial'").fetchone()
    assert loaded == (True,)
    assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone() == (False,)


def test_a_missing_extension_wheel_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "duckdb_ext" else find_spec(name, *a))
    with pytest.raises(MissingExtraError, match="duckdb"):
        duckdb_spatial.connect()


def test_tiles_from_geoparquet_carry_the_layer_and_columns(demo_in_parquet: Path) -> None:
    store = open_store(demo_in_parquet)
    z, x, y = TILES[1]
    layers = decode(store.tile("pand", z, x, y, columns=["identificatie", "bouwjaar", "geen_kolom"]))
    assert list(layers) == ["pand"] and layers["pand"]["extent"] == 4096
    features = layers["pand"]["features"]
    assert len(features) > 20
    assert all(f["type"] == 3 and set(f["properties"]) == {"identificatie", "bouwjaar"} for f in features)
    assert store.tile("pand", 17, 0, 0) == b""
    with pytest.raises(QueryError, match="no tile"):
        store.tile("pand", 3, 9, 0)


@pytest.mark.parametrize("tile", TILES, ids=[f"z{t[0]}" for t in TILES])
def test_tiles_from_geoparquet_hold_the_features_postgis_gives(
        tile: tuple[int, int, int], demo_in_parquet: Path, postgis_uri: str) -> None:
    uri = f"{postgis_uri}?schema=tiles"
    if not getattr(test_tiles_from_geoparquet_hold_the_features_postgis_gives, "loaded", False):
        ds = open_dataset(DEMO_PATH)
        write_dataset({n: ds[n] for n in ("pand", "perceel")}, uri, meta=ds.meta)
        test_tiles_from_geoparquet_hold_the_features_postgis_gives.loaded = True  # type: ignore[attr-defined]
    z, x, y = tile
    for layer in ("pand", "perceel"):
        got = decode(open_store(demo_in_parquet).tile(layer, z, x, y))[layer]["features"]
        want = decode(open_store(uri).tile(layer, z, x, y))[layer]["features"]
        # the same features inside the tile; in its buffer (64 units around it) a sliver clipped
        # off a feature that lies outside may be dropped by one and kept by the other
        ids = sorted(f["properties"]["identificatie"] for f in got if inside(f))
        assert ids == sorted(f["properties"]["identificatie"] for f in want if inside(f)) and ids
        assert abs(len(got) - len(want)) <= max(1, len(want) // 200)
        # both clip to the tile plus its buffer and snap to the 4096 grid; the vertex order, the
        # removal of collinear vertices and the snapping differ, the drawn area by less than
        # half a unit along the outline (about 2 sqrt(area) for a compact shape)
        by_id = {f["properties"]["identificatie"]: f for f in want}
        for f in got:
            if f["properties"]["identificatie"] not in by_id:
                continue
            a, b = area(f["geometry"]), area(by_id[f["properties"]["identificatie"]]["geometry"])
            assert abs(a - b) <= 2 * b**0.5 + 2, (layer, z, f["properties"], a, b)


def inside(feature: dict[str, Any]) -> bool:
    return any(0 <= x <= 4096 and 0 <= y <= 4096 for x, y in vertices(feature["geometry"]))


@pytest.fixture(scope="module")
def parquet_service(demo_in_parquet: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("pqservice") / "pq.log"
    with serve(["--dataset", str(demo_in_parquet), "--no-access-log", "--log-level", "warning"], log=log) as url:
        yield url
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text


def test_the_tile_endpoint_serves_geoparquet_datasets(parquet_service: str, demo_in_parquet: Path) -> None:
    z, x, y = TILES[1]
    r = httpx.get(parquet_service + f"/v1/tiles/pand/{z}/{x}/{y}.mvt", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    got = decode(r.content)["pand"]["features"]
    want = decode(open_store(demo_in_parquet).tile("pand", z, x, y))["pand"]["features"]
    assert [f["properties"]["identificatie"] for f in got] == [f["properties"]["identificatie"] for f in want]
    empty = httpx.get(parquet_service + "/v1/tiles/pand/17/0/0.mvt", timeout=30)
    assert empty.status_code == 204 and empty.content == b""
    bad = httpx.get(parquet_service + "/v1/tiles/pand/3/9/0.mvt", timeout=30)
    assert bad.status_code == 400 and "no tile" in bad.json()["error"]["message"]
    locked = httpx.get(parquet_service + f"/v1/tiles/bouwvlak_voorontwerp/{z}/{x}/{y}.mvt", timeout=30)
    assert locked.status_code == 401


def test_duckdb_reprojects_rd_as_proj_does_for_epsg_28992() -> None:
    """RD_PROJ (fast in DuckDB) gives PROJ's EPSG:28992 -> EPSG:3857 coordinates to a millimetre
    over the whole of the Netherlands."""
    import numpy as np
    from pyproj import Transformer

    rng = np.random.default_rng(12)
    xs, ys = rng.uniform(7000, 280000, 200), rng.uniform(300000, 620000, 200)
    want = np.array(Transformer.from_crs(28992, 3857, always_xy=True).transform(xs, ys)).T
    con = duckdb_spatial.connect()
    got = np.array(con.execute(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_Point(x, y), ?, 'EPSG:3857', always_xy := true) AS p, i "
        "FROM (SELECT unnest(?) AS x, unnest(?) AS y, unnest(range(200)) AS i)) ORDER BY i",
        [duckdb_spatial.RD_PROJ, xs.tolist(), ys.tolist()]).fetchall())
    assert np.abs(got - want).max() < 0.001


@pytest.mark.parametrize("bbox", [(246350, 443300, 246750, 443600), None, (0, 0, 1, 1)])
def test_duckdb_reads_the_same_table_as_pyarrow(demo_in_parquet: Path, bbox: tuple[float, ...] | None) -> None:
    """The reader the benchmark compares (bench_duckdb_reads.py) returns pyarrow's table exactly:
    rows, fid order, columns and arrow types."""
    from omgevingskaart.store.base import Query

    store = GeoParquetStore(demo_in_parquet)
    query = Query.build(bbox=bbox)
    for layer in store.layers():
        assert store.duckdb_table(layer, query).equals(store._table(layer, query)), layer
        cols = ["identificatie"]
        assert store.duckdb_table(layer, query, cols).equals(store._table(layer, query, cols)), layer
    with pytest.raises(QueryError, match="windows only"):
        store.duckdb_table("pand", Query.build(where={"identificatie": "x"}))


def test_tiles_from_many_threads_are_the_serial_tiles(demo_in_parquet: Path) -> None:
    """Each thread reads through its own cursor of the one DuckDB database (the service's
    worker threads)."""
    from concurrent.futures import ThreadPoolExecutor

    store = open_store(demo_in_parquet)
    z, x, y = TILES[1]
    want = {dx: store.tile("pand", z, x + dx, y) for dx in range(-2, 3)}
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: (i % 5 - 2, store.tile("pand", z, x + i % 5 - 2, y)), range(20)))
    assert all(tile == want[dx] for dx, tile in got) and len(set(want.values())) == 5
