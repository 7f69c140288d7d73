"""``omgevingskaart fetch`` end to end against real servers on 127.0.0.1 (pygeoapi serving the real
samples; a small HTTP server serving the real 3D BAG CityJSONFeatures in the API's page shape)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from live_servers import (
    CountingServer,
    free_port,
    sample_perceel,
    sample_wegdeel,
    start_pygeoapi,
    write_geojson,
)

import omgevingskaart.cli as cli
from omgevingskaart.dataset import open_dataset
from omgevingskaart.schema import SCHEMAS, kind_of

BBOX = (180900.0, 456300.0, 181500.0, 456900.0)


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(cli, "COMMANDS", ["fetch"])
    return cli.main(argv)


@pytest.fixture(scope="module")
def served(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    d = tmp_path_factory.mktemp("fetch-samples")
    perceel = sample_perceel(real_data)
    wegdeel = sample_wegdeel(real_data)
    with start_pygeoapi(d, {
        "perceel": (write_geojson(perceel, d / "perceel.geojson"), "identificatie"),
        "wegdeel": (write_geojson(wegdeel, d / "wegdeel.geojson"), "lokaal_id"),
    }) as url:
        yield {"url": url, "perceel": perceel, "wegdeel": wegdeel}


def test_fetch_end_to_end_into_a_dataset_with_the_normalised_schema(
    served: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "live.gpkg"
    url = served["url"]
    code = run(["fetch", "--bbox", *map(str, BBOX), "--into", str(out), "--sources", "bgt,brk",
                "--base-url-bgt", url, "--base-url-brk", url, "--no-cache", "-q"], monkeypatch)
    assert code == 0, capsys.readouterr().err
    ds = open_dataset(out)
    assert set(ds.layers) == {"perceel", "bgt_wegdeel"}
    box = shapely.box(*BBOX)
    assert len(ds["perceel"]) == int(served["perceel"].intersects(box).sum()) > 0
    assert len(ds["bgt_wegdeel"]) == int(served["wegdeel"].intersects(box).sum()) > 0
    for name in ds.layers:
        schema = SCHEMAS[kind_of(name)]
        assert list(ds[name].columns[: len(schema.columns)]) == list(schema.columns)
        assert ds[name].crs.to_epsg() == 28992
    perceel = ds["perceel"].set_index("identificatie")
    src = served["perceel"].set_index("identificatie")
    for ident in perceel.index:
        assert perceel.loc[ident, "kadastrale_aanduiding"] == src.loc[ident, "kadastrale_aanduiding"]
    assert set(ds["bgt_wegdeel"]["functie"].dropna()) <= set(served["wegdeel"]["function"].dropna())
    assert ds.meta["synthetisch"] == "nee"
    err = capsys.readouterr().err
    assert "not offered" in err  # the BGT classes this server lacks are reported, not fatal


def _dbag_server(real_data: Path) -> CountingServer:
    lines = (real_data / "3dbag" / "small.city.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    feats = [json.loads(x) for x in lines[1:]]

    def respond(handler) -> tuple[int, dict, bytes]:  # type: ignore[no-untyped-def]
        q = parse_qs(urlsplit(handler.path).query)
        offset = int(q.get("offset", ["0"])[0])
        page = feats[offset: offset + 2]
        links = []
        if offset + 2 < len(feats):
            links.append({"rel": "next", "href": f"{srv.url}/collections/pand/items?"
                                                  f"offset={offset + 2}&limit=2"})
        body = {"type": "FeatureCollection", "metadata": {"transform": header["transform"]},
                "features": page, "links": links, "numberMatched": len(feats),
                "numberReturned": len(page)}
        return 200, {"Content-Type": "application/city+json"}, json.dumps(body).encode()

    srv = CountingServer(respond)
    return srv


def test_fetch_3dbag_pages_cityjson_features_into_pand(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "3d.gpkg"
    with _dbag_server(real_data) as srv:
        code = run(["fetch", "--bbox", "84000", "445000", "86000", "448000", "--into", str(out),
                    "--sources", "3dbag", "--base-url-3dbag", srv.url, "--no-cache", "-q"],
                   monkeypatch)
        assert code == 0
        assert srv.hits == 2  # two pages through the next link
    pand = open_dataset(out)["pand"]
    assert len(pand) == 3
    assert pand["b3_h_dak_70p"].notna().all()
    assert set(pand["identificatie"]) == {"0503100000012869", "0503100000016459",
                                          "0503100000005156"}


def test_unknown_gemeente_lists_the_presets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["fetch", "--gemeente", "0363", "--into", str(tmp_path / "x.gpkg")], monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert "0294" in err and "Winterswijk" in err
    assert not (tmp_path / "x.gpkg").exists()


def test_offline_host_is_a_clear_error_naming_the_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    out = tmp_path / "x.gpkg"
    code = run(["fetch", "--gemeente", "0294", "--into", str(out), "--sources", "brk",
                "--base-url-brk", f"http://127.0.0.1:{port}", "--no-cache", "--retries", "0"],
               monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and "Traceback" not in err
    assert not out.exists()


def test_plannen_without_key_names_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RUIMTELIJKEPLANNEN_API_KEY", raising=False)
    code = run(["fetch", "--gemeente", "0294", "--into", str(tmp_path / "x.gpkg"),
                "--sources", "plannen"], monkeypatch)
    assert code == 2
    assert "RUIMTELIJKEPLANNEN_API_KEY" in capsys.readouterr().err
