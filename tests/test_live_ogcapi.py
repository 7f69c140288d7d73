"""OGCAPIFeaturesClient against real servers on 127.0.0.1: pygeoapi serving the real samples, and
a small counting HTTP server for retries and the cache. No network beyond 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from live_servers import (
    CRS84_URI,
    RD_URI,
    CountingServer,
    free_port,
    sample_perceel,
    sample_wegdeel,
    start_pygeoapi,
    write_geojson,
)

from omgevingskaart.errors import RemoteSourceError
from omgevingskaart.live.ogcapi import OGCAPIFeaturesClient, next_link


@pytest.fixture(scope="module")
def samples(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("ogcapi-samples")
    perceel = sample_perceel(real_data)
    wegdeel = sample_wegdeel(real_data)
    return {
        "dir": d,
        "perceel": perceel,
        "wegdeel": wegdeel,
        "perceel_path": write_geojson(perceel, d / "perceel.geojson"),
        "wegdeel_path": write_geojson(wegdeel, d / "wegdeel.geojson"),
    }


@pytest.fixture(scope="module")
def server(samples: dict) -> Iterator[str]:
    with start_pygeoapi(samples["dir"], {
        "perceel": (samples["perceel_path"], "identificatie"),
        "wegdeel": (samples["wegdeel_path"], "lokaal_id"),
    }) as url:
        yield url


def client(url: str, **kw: object) -> OGCAPIFeaturesClient:
    kw.setdefault("cache", False)
    kw.setdefault("progress", False)
    return OGCAPIFeaturesClient(url, **kw)  # type: ignore[arg-type]


def test_collections_lists_the_served_samples(server: str) -> None:
    with client(server) as c:
        cols = c.collections()
        assert set(cols) == {"perceel", "wegdeel"}
        assert c.supports_crs("perceel", RD_URI)


def test_paging_follows_next_links_until_every_feature_is_read(server: str, samples: dict) -> None:
    source: gpd.GeoDataFrame = samples["wegdeel"]
    assert len(source) > 1000  # more than one page at any limit used here
    with client(server) as c:
        got = c.items("wegdeel", limit=500)
        pages = c.requests_sent - 1  # minus /collections
    assert len(got) == len(source)
    assert pages == -(-len(source) // 500)
    assert sorted(got["lokaal_id"]) == sorted(source["lokaal_id"])
    assert got.crs.to_epsg() == 28992


def test_bbox_filter_matches_a_shapely_filter_of_the_same_data(server: str, samples: dict) -> None:
    source: gpd.GeoDataFrame = samples["wegdeel"]
    bbox = (180500.0, 456500.0, 181500.0, 457500.0)
    expected = source[source.intersects(shapely.box(*bbox))]
    assert 0 < len(expected) < len(source)
    with client(server) as c:
        got = c.items("wegdeel", bbox=bbox, bbox_crs=RD_URI, limit=100)
    assert len(got) == len(expected)
    assert set(got["lokaal_id"]) == set(expected["lokaal_id"])


def test_rd_output_is_taken_as_is_and_crs84_output_is_transformed(
    server: str, samples: dict
) -> None:
    source: gpd.GeoDataFrame = samples["perceel"].set_index("identificatie")
    with client(server) as c:
        page = next(c.pages("perceel", crs=RD_URI))
        assert page.content_crs == f"<{RD_URI}>"
        rd = c.items("perceel", crs=RD_URI).set_index("identificatie")
        page84 = next(c.pages("perceel", crs=None))
        assert page84.content_crs == f"<{CRS84_URI}>"
        lon, lat = page84.body["features"][0]["geometry"]["coordinates"][0][0]
        assert 5.5 < lon < 6.0 and 52.0 < lat < 52.2  # longitude first, as CRS84 says
        from84 = c.items("perceel", crs=CRS84_URI).set_index("identificatie")
    assert rd.crs.to_epsg() == 28992 and from84.crs.to_epsg() == 28992
    for ident in source.index:
        assert rd.geometry[ident].equals_exact(source.geometry[ident], 1e-6)
        # through WGS84 and back: within the ~1 m of PROJ's default transformation
        assert from84.geometry[ident].centroid.distance(source.geometry[ident].centroid) < 2.0


def _page_server(features: list[dict], script: list[int], retry_after: str | None = None
                 ) -> CountingServer:
    """A real server: answers ``script`` statuses first, then the features as one page."""
    state = {"i": 0}

    def respond(handler: object) -> tuple[int, dict, bytes]:
        i = state["i"]
        state["i"] += 1
        if i < len(script):
            headers = {"Content-Type": "text/plain"}
            if retry_after is not None:
                headers["Retry-After"] = retry_after
            return script[i], headers, b"busy"
        body = {"type": "FeatureCollection", "features": features, "links": [],
                "numberMatched": len(features), "numberReturned": len(features)}
        return 200, {"Content-Type": "application/geo+json",
                     "Content-Crs": f"<{RD_URI}>"}, json.dumps(body).encode()

    return CountingServer(respond)


def _features(samples: dict) -> list[dict]:
    return json.loads(Path(samples["perceel_path"]).read_text())["features"]


def test_retries_503_twice_then_succeeds_and_honours_retry_after(samples: dict) -> None:
    slept: list[float] = []
    with _page_server(_features(samples), [503, 503], retry_after="3") as srv, client(
        srv.url, sleep=slept.append, retries=4, backoff=0.01
    ) as c:
        got = c.items("perceel", crs=RD_URI)
        assert srv.hits == 3
    assert len(got) == len(samples["perceel"])
    assert slept == [3.0, 3.0]


def test_exponential_backoff_without_retry_after(samples: dict) -> None:
    slept: list[float] = []
    with _page_server(_features(samples), [502, 429, 500]) as srv, client(
        srv.url, sleep=slept.append, retries=4, backoff=0.5
    ) as c:
        c.items("perceel", crs=RD_URI)
        assert srv.hits == 4
    assert slept == [0.5, 1.0, 2.0]


def test_gives_up_with_a_typed_error_naming_the_url(samples: dict) -> None:
    slept: list[float] = []
    with _page_server([], [503] * 10) as srv, client(
        srv.url, sleep=slept.append, retries=2, backoff=0.01
    ) as c:
        with pytest.raises(RemoteSourceError, match=r"HTTP 503 .*gave up after 3 attempts"):
            c.items("perceel", crs=RD_URI)
        assert srv.hits == 3


def test_client_errors_are_not_retried(samples: dict) -> None:
    with _page_server([], [404] * 5) as srv, client(srv.url, sleep=lambda s: None) as c:
        with pytest.raises(RemoteSourceError, match="HTTP 404"):
            c.items("perceel", crs=RD_URI)
        assert srv.hits == 1


def test_cache_second_run_makes_no_request(samples: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with _page_server(_features(samples), []) as srv:
        with client(srv.url, cache=cache) as c:
            first = c.items("perceel", crs=RD_URI)
        hits = srv.hits
        with client(srv.url, cache=cache) as c:
            second = c.items("perceel", crs=RD_URI)
            assert c.requests_sent == 0
        assert srv.hits == hits
        assert second.geometry.geom_equals(first.geometry).all()
        with client(srv.url, cache=cache, max_age=0) as c:  # expired: fetched again
            c.items("perceel", crs=RD_URI)
        assert srv.hits == hits + 1
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".json" and not p.name.startswith(".") for p in files)


def test_unreachable_host_is_a_typed_error_naming_the_host() -> None:
    port = free_port()  # nothing listens here
    with client(f"http://127.0.0.1:{port}", retries=1, sleep=lambda s: None) as c, \
            pytest.raises(RemoteSourceError, match=r"cannot connect to 127\.0\.0\.1"):
        c.items("perceel", crs=RD_URI)


def test_unresolvable_host_fails_at_once() -> None:
    with client("http://omgevingskaart-test.invalid", retries=5, sleep=lambda s: None) as c:
        with pytest.raises(RemoteSourceError, match=r"omgevingskaart-test\.invalid"):
            c.items("perceel", crs=RD_URI)
        assert c.requests_sent == 1


def test_next_link_reads_ogc_and_hal_documents() -> None:
    assert next_link({"links": [{"rel": "self", "href": "a"}, {"rel": "next", "href": "b"}]}) == "b"
    assert next_link({"_links": {"next": {"href": "c"}}}) == "c"
    assert next_link({"links": []}) is None
