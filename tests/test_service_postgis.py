"""The service on a PostGIS dataset (the demo imported into a real PostgreSQL on 127.0.0.1):
``/items`` pages come from the database and match the in-memory GeoPackage's exactly; vector
tiles come from ``ST_AsMVT``; restricted layers keep their access rule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mvt import LAT, LON, tile_of
from service_data import serve

from omgevingskaart.dataset import DEMO_PATH, open_dataset, write_dataset

RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"


@pytest.fixture(scope="module")
def servers(postgis_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp: Path = tmp_path_factory.mktemp("pgservice")
    uri = f"{postgis_uri}?schema=service"
    ds = open_dataset(DEMO_PATH)
    write_dataset({n: ds[n] for n in ds.layers}, uri, meta=ds.meta)
    common = ["--no-access-log", "--log-level", "warning"]
    with serve(["--dataset", uri, *common], log=tmp / "pg.log") as pg, \
            serve(["--dataset", str(DEMO_PATH), *common], log=tmp / "gpkg.log") as gpkg:
        yield {"pg": pg, "gpkg": gpkg}
    for name in ("pg.log", "gpkg.log"):
        log = (tmp / name).read_text(errors="replace")
        assert "Traceback" not in log, log


@pytest.mark.parametrize("params", [
    {"limit": "50", "offset": "3000"},
    {"bbox": f"{LON - 0.001},{LAT - 0.001},{LON + 0.001},{LAT + 0.001}", "limit": "1000"},
    {"bbox": "246500,443400,246600,443500", "bbox-crs": RD_URI, "crs": RD_URI, "limit": "7", "offset": "5"},
    {"bbox": "-10,40,0,45"},  # far outside the Netherlands: nothing, no error
])
def test_items_from_postgis_match_the_in_memory_pages(servers: dict[str, str], params: dict[str, str]) -> None:
    got = httpx.get(servers["pg"] + "/v1/layers/pand/items", params=params, timeout=30)
    want = httpx.get(servers["gpkg"] + "/v1/layers/pand/items", params=params, timeout=30)
    assert got.status_code == want.status_code == 200
    g, w = got.json(), want.json()
    assert g["numberMatched"] == w["numberMatched"] and g["numberReturned"] == w["numberReturned"]
    assert [f["id"] for f in g["features"]] == [f["id"] for f in w["features"]]
    assert [f["properties"] for f in g["features"]] == [f["properties"] for f in w["features"]]
    assert [f["geometry"] for f in g["features"]] == [f["geometry"] for f in w["features"]]
    assert got.headers["content-crs"] == want.headers["content-crs"]


def test_layer_info_counts_without_reading_the_layer(servers: dict[str, str]) -> None:
    got = httpx.get(servers["pg"] + "/v1/layers/pand").json()
    want = httpx.get(servers["gpkg"] + "/v1/layers/pand").json()
    assert got["count"] == want["count"] == 3628
    assert got["bbox"] == pytest.approx(want["bbox"], abs=2e-5)


def test_vector_tiles_from_postgis(servers: dict[str, str]) -> None:
    x, y = tile_of(LON, LAT, 17)
    r = httpx.get(servers["pg"] + f"/v1/tiles/pand/17/{x}/{y}.mvt")
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert len(r.content) > 1000 and b"pand" in r.content and b"identificatie" in r.content
    assert b"02941000" in r.content  # the pand identificaties travel with the features
    empty = httpx.get(servers["pg"] + "/v1/tiles/pand/17/0/0.mvt")
    assert empty.status_code == 204 and empty.content == b""
    bad = httpx.get(servers["pg"] + "/v1/tiles/pand/3/9/0.mvt")
    assert bad.status_code == 400 and "no tile" in bad.json()["error"]["message"]
    locked = httpx.get(servers["pg"] + f"/v1/tiles/bouwvlak_voorontwerp/17/{x}/{y}.mvt")
    assert locked.status_code == 401
    gpkg = httpx.get(servers["gpkg"] + f"/v1/tiles/pand/17/{x}/{y}.mvt")
    assert gpkg.status_code == 404 and gpkg.json()["error"]["code"] == "no_tiles"


def test_report_on_postgis_matches_the_geopackage(servers: dict[str, str]) -> None:
    q = {"x": "246550", "y": "443450", "crs": "EPSG:28992"}
    got = httpx.get(servers["pg"] + "/v1/report", params=q, timeout=30).json()
    want = httpx.get(servers["gpkg"] + "/v1/report", params=q, timeout=30).json()
    assert got["perceel"] == want["perceel"] and got["panden"] == want["panden"]
