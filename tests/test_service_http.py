"""The HTTP service, tested against the real server (``omgevingskaart serve`` under uvicorn) on
127.0.0.1: reports, errors, layers, GeoJSON paging and bbox, access rules, 413, CORS, OpenAPI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import shapely
from service_data import (
    X0,
    house_box,
    serve,
    street_layers,
    write_catalogue,
    write_keys,
    write_street_dataset,
)
from shapely.geometry import box

from omgevingskaart.catalogue import load_catalogue
from omgevingskaart.cli import main as cli_main
from omgevingskaart.crs import rd_to_wgs84
from omgevingskaart.service.auth import KeyStore, read_keys_file

ORIGIN = "https://kaart.waterschaprijnenijssel.example"
MAX_BODY = 20_000
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("service")
    dataset = write_street_dataset(tmp / "teststraat.gpkg")
    catalogue = write_catalogue(tmp / "catalogue")
    keys = write_keys(tmp / "keys.toml")
    return {"tmp": tmp, "dataset": dataset, "catalogue": catalogue, "keys_file": tmp / "keys.toml", "keys": keys}


@pytest.fixture(scope="module")
def base(files: dict) -> Iterator[str]:
    args = ["--dataset", str(files["dataset"]), "--catalogue", str(files["catalogue"]),
            "--keys-file", str(files["keys_file"]), "--cors-origin", ORIGIN,
            "--max-body-bytes", str(MAX_BODY), "--no-access-log", "--log-level", "warning"]
    with serve(args, log=files["tmp"] / "server.log") as url:
        yield url
    log = (files["tmp"] / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


def _error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body["error"]


# --- service basics ---------------------------------------------------------------------------------


def test_health_docs_openapi(client: httpx.Client) -> None:
    h = client.get("/v1/health").json()
    assert h == {"status": "ok", "dataset": "Teststraat (synthetisch)", "layers": 10, "synthetic": True}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower() and "/openapi.json" in docs.text
    # Swagger UI comes from this server, not from a CDN
    import re

    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", docs.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in urls:
        assert client.get(u).status_code == 200, u
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/report", "/v1/check", "/v1/layers", "/v1/layers/{layer_id}",
            "/v1/layers/{layer_id}/items"} <= set(spec["paths"])
    items = spec["paths"]["/v1/layers/{layer_id}/items"]["get"]
    assert {"400", "401", "403", "404"} <= set(items["responses"])
    assert "422" not in items["responses"]  # parameter errors are 400 here
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert client.get("/v1/health").headers["x-content-type-options"] == "nosniff"


# --- the report ---------------------------------------------------------------------------------------


def test_report_by_point_rd_and_wgs84(client: httpx.Client) -> None:
    r = client.get("/v1/report", params={"x": 246437, "y": 443420, "crs": "EPSG:28992"})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["perceel"]["kadastrale_aanduiding"] == "WWK00 T 103"
    assert [a["weergave"] for a in rep["adressen"]] == ["Teststraat 6, 7101AA Winterswijk"]
    assert rep["enkelbestemmingen"][0]["naam"] == "Wonen"
    assert rep["maatvoeringen"][0]["waarde"] == 10.0
    assert rep["monumenten"][0]["monumenttype"] == "rijksmonument"
    # the restricted concept geluidnormen (omgevingsnorm) are withheld without a key
    assert rep["beperkt"] == ["omgevingsnormen"] and rep["omgevingsnormen"] == []
    assert rep["locatie"]["crs"] == "EPSG:28992"
    assert not any("Geluidzone" in line for part in rep["samenvatting"].values() for line in part)
    assert rep["samenvatting"]["gebruik"][0].startswith("Bestemming hier: Wonen")
    assert rep["regels"] == [] or rep["regels"][0]["deel"] == "tijdelijk deel"
    dated = client.get("/v1/report", params={"x": 246437, "y": 443420, "crs": "EPSG:28992",
                                              "geldig_op": "2020-01-01"}).json()
    assert dated["geldig_op"] == "2020-01-01"
    lon, lat = rd_to_wgs84(246437.0, 443420.0)
    assert rep["locatie_wgs84"] == pytest.approx({"lon": lon, "lat": lat}, abs=1e-6)
    for crs in ("EPSG:4326", CRS84):
        w = client.get("/v1/report", params={"x": lon, "y": lat, "crs": crs}).json()
        assert w["perceel"]["kadastrale_aanduiding"] == "WWK00 T 103"
        assert w["x"] == pytest.approx(246437.0, abs=0.01) and w["y"] == pytest.approx(443420.0, abs=0.01)
    rd_uri = client.get("/v1/report", params={"x": 246437, "y": 443420, "crs": RD_URI}).json()
    assert rd_uri["perceel"] == rep["perceel"]


def test_report_by_address_postcode_perceel(client: httpx.Client) -> None:
    a = client.get("/v1/report", params={"address": "Teststraat 6, Winterswijk"}).json()
    assert a["perceel"]["kadastrale_aanduiding"] == "WWK00 T 103" and a["query"]["type"] == "adres"
    p = client.get("/v1/report", params={"postcode": "7101 AA", "huisnummer": "6"}).json()
    assert p["perceel"] == a["perceel"]
    k = client.get("/v1/report", params={"perceel": "WWK00 T 103", "geometry": "true"}).json()
    assert k["adressen"][0]["weergave"].startswith("Teststraat 6")
    geom = shapely.geometry.shape(k["perceel"]["geometry"])
    assert geom.equals(box(X0 + 30, 443405, X0 + 45, 443440))
    assert "geometry" not in a["perceel"]
    south = client.get("/v1/report", params={"address": "Teststraat 1"}).json()
    assert south["enkelbestemmingen"][0]["naam"] == "Gemengd" and south["maatvoeringen"] == []


def test_report_errors(client: httpx.Client) -> None:
    amb = _error(client.get("/v1/report", params={"address": "Teststraat 20"}), 409, "ambiguous_address")
    assert amb["candidates"] == ["Teststraat 20A, 7101AA Winterswijk", "Teststraat 20B, 7101AA Winterswijk"]
    _error(client.get("/v1/report", params={"address": "Teststraat 99"}), 404, "address_not_found")
    _error(client.get("/v1/report", params={"address": "Kerkstraat 1"}), 404, "address_not_found")
    out = _error(client.get("/v1/report", params={"x": 155000, "y": 463000, "crs": "EPSG:28992"}), 404, "outside_data")
    assert "outside the data" in out["message"]
    _error(client.get("/v1/report", params={"perceel": "WWK00 T 9999"}), 404, "perceel_not_found")
    assert _error(client.get("/v1/report", params={"x": 246437, "y": 443420}), 400, "invalid_crs")["field"] == "crs"
    assert _error(client.get("/v1/report", params={"x": 246437}), 400, "invalid_parameter")["field"] == "y"
    assert _error(client.get("/v1/report", params={"x": "abc", "y": 1, "crs": "EPSG:28992"}), 400,
                  "invalid_parameter")["field"] == "x"
    _error(client.get("/v1/report", params={"x": "nan", "y": 1, "crs": "EPSG:28992"}), 400, "invalid_coordinates")
    _error(client.get("/v1/report", params={"x": 1, "y": 1, "crs": "EPSG:3857"}), 400, "invalid_crs")
    _error(client.get("/v1/report", params={"x": 400, "y": 52, "crs": "EPSG:4326"}), 400, "invalid_coordinates")
    _error(client.get("/v1/report"), 400, "invalid_query")
    _error(client.get("/v1/report", params={"address": "Teststraat 6", "perceel": "WWK00 T 103"}), 400, "invalid_query")
    _error(client.get("/v1/report", params={"address": "x" * 500}), 400, "invalid_parameter")
    _error(client.get("/v1/report", params={"huisnummer": "6"}), 400, "invalid_query")
    assert _error(client.get("/v1/report", params={"address": "Teststraat 6", "geldig_op": "morgen"}), 400,
                  "invalid_parameter")["field"] == "geldig_op"
    _error(client.get("/v1/report", params={"address": "Teststraat 6", "geldig_op": "2026-13-45"}), 400, "invalid_query")
    _error(client.get("/v1/nothing-here"), 404, "not_found")
    _error(client.delete("/v1/report"), 405, "method_not_allowed")


# --- layers and items ---------------------------------------------------------------------------------


def test_layers_list_and_metadata(client: httpx.Client, files: dict) -> None:
    body = client.get("/v1/layers").json()
    layers = {x["id"]: x for x in body["layers"]}
    expected = {s.id for s in load_catalogue(files["catalogue"]) if s.layer in street_layers()}
    assert set(layers) == expected and "omgevingsnorm" in layers
    counts = {name: len(frame) for name, frame in street_layers().items()}
    for lid, info in layers.items():
        assert info["count"] == counts[lid]
        assert info["restricted"] == (lid == "omgevingsnorm")
        minlon, minlat, maxlon, maxlat = info["bbox"]
        assert 6.71 < minlon <= maxlon < 6.73 and 51.96 < minlat <= maxlat < 51.98
        assert info["links"][1]["href"].endswith(f"/v1/layers/{lid}/items")
    assert layers["omgevingsnorm"]["audience"] == "ketenpartner"
    one = client.get("/v1/layers/pand").json()
    assert one == layers["pand"]
    _error(client.get("/v1/layers/kasteel"), 404, "not_found")
    _error(client.get("/v1/layers/kasteel/items"), 404, "not_found")


def test_items_paging_follows_next_links_to_the_end(client: httpx.Client) -> None:
    url: str | None = "/v1/layers/pand/items?limit=7"
    ids: list[str] = []
    pages = 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        assert r.headers["content-crs"] == f"<{CRS84}>"
        fc = r.json()
        assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == 40
        assert fc["numberReturned"] == len(fc["features"]) <= 7
        rels = {link["rel"]: link["href"] for link in fc["links"]}
        assert "self" in rels and "collection" in rels
        assert ("prev" in rels) == (pages > 0)
        ids += [f["id"] for f in fc["features"]]
        url = rels.get("next")
        pages += 1
    assert pages == 6 and len(ids) == 40 and len(set(ids)) == 40
    assert ids == list(street_layers()["pand"]["identificatie"])
    f = client.get("/v1/layers/pand/items?limit=1").json()["features"][0]
    ring = f["geometry"]["coordinates"][0]
    assert all(6.71 < lon < 6.73 and 51.96 < lat < 51.98 for lon, lat in ring)  # RFC 7946 lon, lat
    assert f["properties"]["bouwjaar"] == 1950 and f["properties"]["b3_h_dak_50p"] is None


def test_items_bbox_rd_and_crs84(client: httpx.Client) -> None:
    rd_box = (X0, 443400.0, X0 + 44, 443430.0)  # houses 0, 1, 2 on the north side
    frame = street_layers()["pand"]
    expected = list(frame[frame.intersects(box(*rd_box))]["identificatie"])
    assert len(expected) == 3
    r = client.get("/v1/layers/pand/items", params={"bbox": ",".join(map(str, rd_box)), "bbox-crs": RD_URI,
                                                    "crs": RD_URI})
    fc = r.json()
    assert [f["id"] for f in fc["features"]] == expected and fc["numberMatched"] == 3
    assert r.headers["content-crs"] == f"<{RD_URI}>"
    assert shapely.geometry.shape(fc["features"][0]["geometry"]).equals(box(*house_box(0)))
    lon0, lat0 = rd_to_wgs84(rd_box[0], rd_box[1])
    lon1, lat1 = rd_to_wgs84(rd_box[2], rd_box[3])
    w = client.get("/v1/layers/pand/items", params={"bbox": f"{lon0},{lat0},{lon1},{lat1}"}).json()
    assert [f["id"] for f in w["features"]] == expected
    empty = client.get("/v1/layers/pand/items", params={"bbox": "5.0,52.0,5.1,52.1"}).json()
    assert empty["numberMatched"] == 0 and empty["features"] == []
    nxt = client.get("/v1/layers/pand/items", params={"bbox": f"{lon0},{lat0},{lon1},{lat1}", "limit": 2}).json()
    href = next(x["href"] for x in nxt["links"] if x["rel"] == "next")
    assert "bbox=" in href and "offset=2" in href
    assert [f["id"] for f in client.get(href).json()["features"]] == expected[2:]


def test_items_bad_parameters(client: httpx.Client) -> None:
    assert _error(client.get("/v1/layers/pand/items?limit=1001"), 400, "invalid_parameter")["field"] == "limit"
    _error(client.get("/v1/layers/pand/items?limit=0"), 400, "invalid_parameter")
    _error(client.get("/v1/layers/pand/items?offset=-1"), 400, "invalid_parameter")
    assert client.get("/v1/layers/pand/items?limit=1000").status_code == 200
    for bad in ("1,2,3", "a,b,c,d", "3,1,2,2", "1,2,3,4,5,6", "nan,1,2,3"):
        assert _error(client.get("/v1/layers/pand/items", params={"bbox": bad}), 400,
                      "invalid_parameter")["field"] == "bbox"
    _error(client.get("/v1/layers/pand/items", params={"bbox-crs": "EPSG:3857"}), 400, "invalid_crs")
    _error(client.get("/v1/layers/pand/items", params={"crs": "urn:nope"}), 400, "invalid_crs")
    beyond = client.get("/v1/layers/pand/items?offset=500").json()
    assert beyond["features"] == [] and beyond["numberMatched"] == 40


# --- access rules ---------------------------------------------------------------------------------------


def test_restricted_layer_needs_a_key_that_opens_it(client: httpx.Client, files: dict) -> None:
    keys = files["keys"]
    url = "/v1/layers/omgevingsnorm/items"
    e = _error(client.get(url), 401, "api_key_required")
    assert "X-API-Key" in e["message"]
    assert client.get(url).headers["www-authenticate"].startswith("ApiKey")
    _error(client.get(url, headers={"X-API-Key": "omgevingsdienst.wrong"}), 401, "api_key_required")
    _error(client.get(url, headers={"X-API-Key": "nobody.xyz"}), 401, "api_key_required")
    _error(client.get(url, headers={"X-API-Key": keys["omgevingsdienst"] + "x"}), 401, "api_key_required")
    _error(client.get(url, headers={"X-API-Key": keys["brandweer"]}), 403, "forbidden")
    for _ in range(2):  # the second time comes from the verified-key cache
        ok = client.get(url, headers={"X-API-Key": keys["omgevingsdienst"]})
        assert ok.status_code == 200, ok.text
        assert [f["properties"]["naam"] for f in ok.json()["features"]] == ["Geluidzone 0", "Geluidzone 1"]
    # public layers need no key; a key on them is fine; a bad key anywhere is refused
    assert client.get("/v1/layers/pand/items?limit=1", headers={"X-API-Key": keys["brandweer"]}).status_code == 200
    _error(client.get("/v1/report", params={"address": "Teststraat 6"}, headers={"X-API-Key": "x.y"}),
           401, "api_key_required")
    # the metadata of a restricted layer is listed (marked), its features are not
    assert client.get("/v1/layers/omgevingsnorm").json()["restricted"] is True
    # the keys file holds hashes only
    text = Path(files["keys_file"]).read_text()
    for key in keys.values():
        assert key.split(".", 1)[1] not in text


# --- limits and CORS --------------------------------------------------------------------------------


def test_oversized_bodies_get_413(client: httpx.Client) -> None:
    big = {"address": "Teststraat 6", "proposal": {"note": "x" * (MAX_BODY + 10)}}
    e = _error(client.post("/v1/check", json=big), 413, "payload_too_large")
    assert str(MAX_BODY) in e["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"address": "Teststraat 6", "proposal": {"note": "'
        for _ in range(30):
            yield b"y" * 1000
        yield b'"}}'

    r = client.post("/v1/check", content=chunks(), headers={"content-type": "application/json"})
    _error(r, 413, "payload_too_large")
    assert client.get("/v1/health").status_code == 200  # the server is fine afterwards


def test_cors_only_for_configured_origins(client: httpx.Client) -> None:
    r = client.get("/v1/health", headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN
    other = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    pre = client.options("/v1/check", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "x-api-key,content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ORIGIN
    bad = client.options("/v1/check", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in bad.headers


def test_cors_off_by_default(files: dict) -> None:
    from fastapi.testclient import TestClient

    from omgevingskaart.service import create_app

    app = create_app(files["dataset"], files["catalogue"], files["keys_file"])
    with TestClient(app) as c:
        r = c.get("/v1/health", headers={"Origin": ORIGIN})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


# --- the permit check ---------------------------------------------------------------------------------

PROPOSAL = {"footprint": {"type": "Polygon", "coordinates": [[[X0 + 3, 443422], [X0 + 9, 443422], [X0 + 9, 443425],
                                                                [X0 + 3, 443425], [X0 + 3, 443422]]]},
            "height": 3.0}


def test_check_at_address_and_as_scenario(client: httpx.Client) -> None:
    r = client.post("/v1/check", json={"address": "Teststraat 2", "proposal": PROPOSAL})
    assert r.status_code == 200, r.text
    unstated = r.json()
    # the BAG cannot tell whether the hoofdgebouw is the original: never "geen vergunning nodig" then
    assert unstated["verdict"] == "hangt af van ontbrekende gegevens", unstated
    assert "oppervlakte" in unstated["unknown_conditions"] and unstated["missing"]
    assert unstated["summary"].startswith("Dit hangt af van gegevens die ontbreken.")
    r = client.post("/v1/check", json={"address": "Teststraat 2", "proposal": PROPOSAL, "original": True, "second_storey_floor": 3.0,
                                       "protected_townscape": False})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["verdict"] == "geen vergunning nodig", res
    assert res["summary"].startswith("Geen vergunning nodig.") and res["decisive_condition"] is None
    assert res["input"]["perceel"] == "WWK00 T 101"
    sc = res["input"]["scenario"]
    assert sc["plan"]["bestemming"] == "Wonen" and sc["plan"]["max_bouwhoogte"] == 10.0
    # the hoofdgebouw's height is its highest point (b3_h_dak_max - b3_h_maaiveld), as the Bbl
    # measures a building's height; the test data has its 70th-percentile roof 2 m lower
    assert sc["main_building"]["height"] == 10.0 and sc["monument"] is False
    assert shapely.geometry.shape(sc["road_side"]).length == pytest.approx(15.0)
    again = client.post("/v1/check", json=sc).json()
    assert again["verdict"] == res["verdict"] and again["input"] == {"type": "scenario"}
    by_perceel = client.post("/v1/check", json={"perceel": "WWK00 T 101", "proposal": PROPOSAL, "original": True,
                                                "second_storey_floor": 3.0, "protected_townscape": False}).json()
    assert by_perceel["verdict"] == res["verdict"]


def test_check_on_a_monument_needs_a_permit(client: httpx.Client) -> None:
    prop = json.loads(json.dumps(PROPOSAL).replace(str(X0 + 3), str(X0 + 33)).replace(str(X0 + 9), str(X0 + 39)))
    res = client.post("/v1/check", json={"address": "Teststraat 6", "proposal": prop}).json()
    assert res["input"]["scenario"]["monument"] == "rijksmonument"
    assert res["verdict"] == "vergunningplicht"
    assert "monumentenactiviteit" in [a["activity"] for a in res["activities"]]


def test_check_errors(client: httpx.Client) -> None:
    e = _error(client.post("/v1/check", json={"parcel": {"type": "Polygon"}, "crs": "EPSG:28992"}), 422,
               "invalid_scenario")
    assert e["field"]
    bad_prop = {"footprint": PROPOSAL["footprint"], "height": -1}
    e = _error(client.post("/v1/check", json={"address": "Teststraat 2", "proposal": bad_prop}), 422,
               "invalid_scenario")
    assert e["field"].startswith("proposal")
    _error(client.post("/v1/check", json={"address": "Teststraat 20", "proposal": PROPOSAL}), 409, "ambiguous_address")
    _error(client.post("/v1/check", json={"address": "Teststraat 2"}), 400, "invalid_parameter")
    _error(client.post("/v1/check", json={"adres": "Teststraat 2", "proposal": PROPOSAL}), 400, "invalid_parameter")
    _error(client.post("/v1/check", json=[1, 2]), 400, "invalid_parameter")
    for bad in (1e308, -2.0, "hoog"):
        e = _error(client.post("/v1/check", json={"address": "Teststraat 2",
                                                  "proposal": {**PROPOSAL, "height": bad}}), 422, "invalid_scenario")
        assert e["field"] == "proposal.height" and "Traceback" not in json.dumps(e)
    e = _error(client.post("/v1/check", json={"address": "Teststraat 2",
                                              "proposal": {**PROPOSAL, "footprint": "een schuur"}}), 422,
               "invalid_scenario")
    assert e["field"] == "proposal.footprint"
    e = _error(client.post("/v1/check", json={"address": "Teststraat 2", "proposal": {
        **PROPOSAL, "footprint": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}}), 422, "invalid_scenario")
    assert e["field"] == "proposal.footprint"
    _error(client.post("/v1/check", content=b"{not json", headers={"content-type": "application/json"}), 400,
           "invalid_json")


# --- command line ---------------------------------------------------------------------------------------


def test_apikey_cli_add_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys_file = tmp_path / "keys.json"
    assert cli_main(["apikey", "--keys-file", str(keys_file), "add", "gemeente-aalten", "--layers",
                     "omgevingsnorm,monument"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("gemeente-aalten.") and len(key) > 40
    raw = read_keys_file(keys_file)
    assert raw["gemeente-aalten"]["layers"] == ["monument", "omgevingsnorm"]
    assert key.split(".", 1)[1] not in keys_file.read_text()
    assert keys_file.stat().st_mode & 0o077 == 0
    store = KeyStore.from_file(keys_file)
    assert store.authorise(key, "omgevingsnorm").key_id == "gemeente-aalten"
    assert cli_main(["apikey", "--keys-file", str(keys_file), "add", "gemeente-aalten", "--layers", "x"]) == 2
    assert cli_main(["apikey", "--keys-file", str(keys_file), "list"]) == 0
    assert "gemeente-aalten\tmonument,omgevingsnorm" in capsys.readouterr().out
    assert cli_main(["apikey", "--keys-file", str(keys_file), "remove", "gemeente-aalten"]) == 0
    assert read_keys_file(keys_file) == {}
    assert cli_main(["apikey", "--keys-file", str(keys_file), "add", "Bad Name!", "--layers", "x"]) == 2


def test_serve_refuses_bad_configuration(tmp_path: Path, files: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["serve", "--dataset", str(tmp_path / "nope.gpkg")]) == 2
    assert "dataset file not found" in capsys.readouterr().err
    broken = tmp_path / "keys.toml"
    broken.write_text("[keys.a]\nsalt = '0011'\n")
    assert cli_main(["serve", "--keys-file", str(broken), "--dataset", str(files["dataset"])]) == 2
    assert "missing 'hash'" in capsys.readouterr().err
