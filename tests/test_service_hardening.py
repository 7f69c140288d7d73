"""Service hardening (issue 13): junk API keys, failed-key rate limiting, refused large bodies under
concurrent load, the access rule per stored layer, impossible coordinates, non-finite values, and
the OpenAPI examples. The HTTP behaviour is tested on the real server (uvicorn on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import pytest
from service_data import serve, write_catalogue, write_keys, write_street_dataset
from shapely.geometry import Polygon, box

from omgevingskaart import report_at
from omgevingskaart.dataset import open_dataset, write_dataset
from omgevingskaart.errors import CoordinateRangeError
from omgevingskaart.service.auth import KeyStore, hash_secret, new_key, write_keys_file

ROOT = Path(__file__).resolve().parents[1]
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"


# --- key checks: only a key that can be right costs a scrypt hash ------------------------------------


def test_junk_keys_cost_no_scrypt_and_valid_keys_still_work(tmp_path: Path) -> None:
    key, record = new_key("omgevingsdienst", ["omgevingsnorm"])
    write_keys_file(tmp_path / "k.toml", {"omgevingsdienst": record})
    store = KeyStore.from_file(tmp_path / "k.toml")
    junk = ["", "x" * 5000, "no-dot-at-all", "onbekend." + secrets.token_urlsafe(32),
            "omgevingsdienst.", "omgevingsdienst.kort", "omgevingsdienst.<script>" + "a" * 40]
    junk += ["omgevingsdienst." + secrets.token_urlsafe(32) for _ in range(200)]  # known id, wrong secret
    for k in junk:
        assert store.identify(k) is None
    assert store.scrypt_calls == 0  # the tag refused every wrong secret with one HMAC
    assert store.identify(key) is not None and store.scrypt_calls == 1
    assert store.identify(key) is not None and store.scrypt_calls == 1  # verified-key cache
    assert store.untagged == []


def test_keys_from_before_the_tag_keep_working_and_repeated_junk_is_cached(tmp_path: Path) -> None:
    key, record = new_key("waterschap", ["*"])
    del record["tag"]  # a record written before tags existed
    write_keys_file(tmp_path / "oud.toml", {"waterschap": record})
    store = KeyStore.from_file(tmp_path / "oud.toml")
    assert store.untagged == ["waterschap"]
    assert store.identify(key) is not None and store.scrypt_calls == 1
    wrong = "waterschap." + secrets.token_urlsafe(32)
    for _ in range(50):
        assert store.identify(wrong) is None
    assert store.scrypt_calls == 2  # once for the wrong key, then the failure cache answers
    out = subprocess.run([sys.executable, "-m", "omgevingskaart", "apikey", "--keys-file", str(tmp_path / "oud.toml"),
                          "list"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "waterschap" in out.stdout and "--replace" in out.stdout


def test_keys_file_tag_is_checked(tmp_path: Path) -> None:
    key, record = new_key("brandweer", ["monument"])
    assert len(bytes.fromhex(record["tag"])) == 4
    secret = key.split(".", 1)[1]
    assert record["hash"] == hash_secret(secret, bytes.fromhex(record["salt"])).hex()
    write_keys_file(tmp_path / "k.json", {"brandweer": {**record, "tag": "zz"}})
    with pytest.raises(Exception, match=r"\[keys.brandweer\]: tag must be hex"):
        KeyStore.from_file(tmp_path / "k.json")


# --- the live server -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("hardening")
    dataset = write_street_dataset(tmp / "teststraat.gpkg")
    catalogue = write_catalogue(tmp / "catalogue")
    # a public entry over the same stored layer as the ketenpartner entry 'omgevingsnorm'
    (catalogue / "omgevingsnorm_openbaar.toml").write_text(
        (catalogue / "omgevingsnorm.toml").read_text(encoding="utf-8")
        .replace('id = "omgevingsnorm"', 'id = "omgevingsnorm_openbaar"\nlayer = "omgevingsnorm"')
        .replace('audience = "ketenpartner"', 'audience = "public"'), encoding="utf-8")
    keys = write_keys(tmp / "keys.toml")
    return {"tmp": tmp, "dataset": dataset, "catalogue": catalogue, "keys_file": tmp / "keys.toml", "keys": keys}


@pytest.fixture(scope="module")
def base(files: dict, monkeypatch_module: pytest.MonkeyPatch) -> str:  # type: ignore[misc]
    monkeypatch_module.setenv("OMGEVINGSKAART_AUTH_FAILURES", "5")
    args = ["--dataset", str(files["dataset"]), "--catalogue", str(files["catalogue"]),
            "--keys-file", str(files["keys_file"]), "--max-body-bytes", "20000",
            "--no-access-log", "--log-level", "warning"]
    with serve(args, log=files["tmp"] / "server.log") as url:
        yield url
    log = (files["tmp"] / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def monkeypatch_module():  # type: ignore[no-untyped-def]
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_a_public_entry_over_a_restricted_stored_layer_needs_the_key(base: str, files: dict) -> None:
    keys = files["keys"]
    with httpx.Client(base_url=base, timeout=30) as c:
        info = c.get("/v1/layers/omgevingsnorm_openbaar").json()
        assert info["audience"] == "public" and info["restricted"] is True
        r = c.get("/v1/layers/omgevingsnorm_openbaar/items")
        assert r.status_code == 401, r.text
        assert c.get("/v1/layers/omgevingsnorm_openbaar/items",
                     headers={"X-API-Key": keys["brandweer"]}).status_code == 403
        ok = c.get("/v1/layers/omgevingsnorm_openbaar/items", headers={"X-API-Key": keys["omgevingsdienst"]})
        assert ok.status_code == 200 and ok.json()["numberMatched"] == 2


def test_impossible_coordinates_are_400_naming_the_input(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as c:
        cases = [({"x": "1e308", "y": "1e308", "crs": "EPSG:28992"}, "x", "outside the Netherlands"),
                 ({"x": "6.7", "y": "51.9", "crs": "EPSG:28992"}, "y", "look like degrees"),
                 ({"x": "nan", "y": "443400", "crs": "EPSG:28992"}, "x", "finite"),
                 ({"x": "246400", "y": "-inf", "crs": "EPSG:28992"}, "y", "finite"),
                 ({"x": "200", "y": "52", "crs": "EPSG:4326"}, "x", "-180..180")]
        for params, field, text in cases:
            r = c.get("/v1/report", params=params)
            assert r.status_code == 400, (params, r.text)
            err = r.json()["error"]
            assert err["code"] == "invalid_coordinates" and err["field"] == field and text in err["message"], err
        body = {"x": 6.7, "y": 51.9, "crs": "EPSG:28992",
                "proposal": {"footprint": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
                             "height": 3}}
        r = c.post("/v1/check", json=body)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_coordinates", r.text


def test_cli_report_refuses_degrees_labelled_as_rd_with_exit_2() -> None:
    r = subprocess.run([sys.executable, "-m", "omgevingskaart", "report", "--point", "6.7", "51.9",
                        "--crs", "EPSG:28992"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    assert "(6.7, 51.9)" in r.stderr and "crs=EPSG:4326" in r.stderr and "Traceback" not in r.stderr


async def _big_and_small(base: str, n_big: int, rounds: int, n_small: int) -> Counter:
    big = b"{" + b" " * (20 * 1024 * 1024) + b"}"
    stats: Counter = Counter()
    done = asyncio.Event()

    async def big_client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            for _ in range(rounds):
                try:
                    r = await c.post("/v1/check", content=big, headers={"content-type": "application/json"})
                    stats["big", r.status_code] += 1
                    if r.status_code == 413:
                        assert r.json()["error"]["code"] == "payload_too_large"
                except httpx.HTTPError as exc:
                    stats["big", type(exc).__name__] += 1

    async def small_client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            while not done.is_set():
                try:
                    r = await c.get("/v1/health")
                    stats["small", r.status_code] += 1
                except httpx.HTTPError as exc:
                    stats["small", type(exc).__name__] += 1

    smalls = [asyncio.create_task(small_client()) for _ in range(n_small)]
    await asyncio.gather(*(big_client() for _ in range(n_big)))
    done.set()
    await asyncio.gather(*smalls)
    return stats


def test_refused_large_bodies_get_their_413_and_reset_nobody(base: str) -> None:
    stats = asyncio.run(_big_and_small(base, n_big=3, rounds=4, n_small=6))
    assert stats["big", 413] == 12, stats  # before the drain: every one a connection reset
    assert {k for k in stats if k[0] == "small"} == {("small", 200)}, stats
    with httpx.Client(base_url=base, timeout=30) as c:  # the refused connection stays usable
        r = c.post("/v1/check", content=b"[" + b"0," * 20000 + b"0]", headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.headers.get("connection") != "close"
        assert c.get("/v1/health").status_code == 200


def test_a_client_that_expects_100_continue_gets_the_413_before_sending(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]  # no "100 Continue": the body is never sent
    assert b"connection: close" in answer.lower()


def test_repeated_invalid_keys_get_429_with_retry_after(base: str, files: dict) -> None:
    # from its own loopback address (127.0.0.2), so that it spends only its own failed-key budget
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=base, timeout=30, transport=transport) as c:
        statuses = [c.get("/v1/layers/pand/items?limit=1",
                          headers={"X-API-Key": "omgevingsdienst." + secrets.token_urlsafe(32)}).status_code
                    for _ in range(8)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 3, statuses
        r = c.get("/v1/layers/omgevingsnorm/items", headers={"X-API-Key": files["keys"]["omgevingsdienst"]})
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_requests"
        assert 1 <= int(r.headers["retry-after"]) <= 13
        assert c.get("/v1/layers/pand/items?limit=1").status_code == 200  # without a key: served
        r = c.post("/v1/check", json={"address": "Teststraat 6"}, headers={"X-API-Key": "x.y"})
        assert r.status_code == 429
    with httpx.Client(base_url=base, timeout=30) as c:  # another client (127.0.0.1) is not affected
        r = c.get("/v1/layers/omgevingsnorm/items", headers={"X-API-Key": files["keys"]["omgevingsdienst"]})
        assert r.status_code == 200, r.text


# --- the OpenAPI examples and non-finite data ---------------------------------------------------------


def _examples(spec: dict) -> list[tuple[str, str, dict]]:
    out = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, ex in content.get("examples", {}).items():
                out.append((f"{method.upper()} {path} [{name}]", path, ex["value"]))
    return out


def test_every_openapi_example_is_answered_200_on_the_demo(demo_path: Path) -> None:
    if not demo_path.exists():
        pytest.skip(f"the embedded demo dataset is absent: {demo_path}")
    with serve(["--dataset", str(demo_path), "--no-access-log", "--log-level", "warning"],
               log=Path(__import__("tempfile").mkdtemp()) / "server.log") as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        examples = _examples(c.get("/openapi.json").json())
        assert examples
        for name, path, value in examples:
            r = c.post(path, json=value)
            assert r.status_code == 200, (name, r.text)


def test_layer_items_never_send_non_finite_json(tmp_path: Path, demo_path: Path) -> None:
    """A dataset written before the readers checked coordinates: infinite attributes, a polygon at
    1e308. Items answer 200 with null for what cannot be shown."""
    from fastapi.testclient import TestClient

    from omgevingskaart.service.app import create_app

    per = open_dataset(demo_path)["perceel"].iloc[:3].copy()
    geoms = list(per.geometry)
    geoms[1] = Polygon([(1e308, 1e308), (1e308, 1e307), (1e307, 1e307)])
    geoms[2] = box(246500, 443300, 246510, 443310)
    per = per.set_geometry(gpd.GeoSeries(geoms, crs=per.crs))
    per["kadastrale_grootte"] = [np.inf, np.nan, -np.inf]
    path = write_dataset({"perceel": per}, tmp_path / "vreemd.gpkg")
    client = TestClient(create_app(path, warm=False))
    for crs in ("", f"?crs={RD_URI}"):
        r = client.get("/v1/layers/perceel/items" + crs)
        assert r.status_code == 200, r.text
        feats = r.json()["features"]
        assert [f["geometry"] is None for f in feats] == [False, True, False]
        assert [f["properties"]["kadastrale_grootte"] for f in feats] == [None, None, None]
    bbox = client.get("/v1/layers/perceel").json()["bbox"]
    assert all(math.isfinite(v) for v in bbox) and 6.7 < bbox[0] < bbox[2] < 6.8


def test_coordinate_errors_are_typed() -> None:
    ds = open_dataset()
    with pytest.raises(CoordinateRangeError, match="look like degrees"):
        report_at(ds, point=(6.7, 51.9), crs="EPSG:28992")
    with pytest.raises(CoordinateRangeError, match="from \\(1e\\+308, 5\\) in EPSG:3857"):
        report_at(ds, point=(1e308, 5), crs="EPSG:3857")
