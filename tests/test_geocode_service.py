"""``GET /v1/geocode`` and ``GET /v1/suggest`` of the real service (uvicorn on 127.0.0.1, the demo)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_data import serve


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    tmp: Path = tmp_path_factory.mktemp("geocode_service")
    with serve(["--no-access-log", "--log-level", "warning"], log=tmp / "server.log") as base, \
            httpx.Client(base_url=base, timeout=30) as c:
        yield c
    assert "Traceback" not in (tmp / "server.log").read_text(errors="replace")


def test_geocode_forgives_spelling_but_not_typos(client: httpx.Client) -> None:
    body = client.get("/v1/geocode", params={"q": "markt 12 winterswijk"}).json()
    assert [c["weergave"] for c in body["candidates"]] == ["Markt 12, 7101AK Winterswijk"]
    c = body["candidates"][0]
    assert c["soort"] == "adres" and 6.7 < c["lon"] < 6.8 and 51.9 < c["lat"] < 52.0
    report = client.get(c["rapport"]).json()  # the candidate's link opens its report
    assert report["query"]["gevonden"] == "Markt 12, 7101AK Winterswijk"
    assert client.get("/v1/geocode", params={"q": "Mrkt 12"}).json()["candidates"] == []
    street = client.get("/v1/geocode", params={"q": "Markt"}).json()["candidates"]
    assert len(street) > 10 and street[0]["weergave"] == "Markt 1, 7101AK Winterswijk"
    perceel = client.get("/v1/geocode", params={"q": "wwk00k2997"}).json()["candidates"]
    assert [(p["soort"], p["weergave"]) for p in perceel] == [("perceel", "WWK00 K 2997")]


def test_suggest_for_typos_and_typing(client: httpx.Client) -> None:
    first = client.get("/v1/suggest", params={"q": "Mrkt 12"}).json()["candidates"][0]
    assert first["weergave"] == "Markt 12, 7101AK Winterswijk"
    typing = client.get("/v1/suggest", params={"q": "markt 1", "limit": 3}).json()["candidates"]
    assert [c["weergave"] for c in typing] == [
        "Markt 1, 7101AK Winterswijk", "Markt 10, 7101AK Winterswijk", "Markt 10-1, 7101AK Winterswijk"]


def test_bad_queries_are_400(client: httpx.Client) -> None:
    assert client.get("/v1/suggest", params={"q": ""}).status_code == 400
    assert client.get("/v1/geocode").status_code == 400
    assert client.get("/v1/geocode", params={"q": "!!!"}).json()["candidates"] == []
    r = client.get("/v1/geocode", params={"q": "   "})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_query"
