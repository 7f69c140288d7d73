"""The shipped catalogue's ketenpartner layers (the demo's voorontwerp) behind their access rule,
on the real server with the embedded demo: 401 without a key, 403 with a key that lacks the layer,
200 with one that has it; the public report never shows the voorontwerp."""

from __future__ import annotations

import httpx
import pytest
from service_data import serve

from omgevingskaart.catalogue import load_catalogue
from omgevingskaart.service.auth import new_key, write_keys_file

RESTRICTED = ["enkelbestemming_voorontwerp", "bouwvlak_voorontwerp", "maatvoering_voorontwerp"]


def test_shipped_catalogue_has_ketenpartner_layers() -> None:
    cat = load_catalogue()
    assert [s.id for s in cat if s.audience == "ketenpartner"] == RESTRICTED


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("demo-service")
    keys, records = {}, {}
    for name, layers in (("waterschap", RESTRICTED), ("brandweer", ["monument"])):
        keys[name], records[name] = new_key(name, layers)
    write_keys_file(tmp / "keys.toml", records)
    with serve(["--keys-file", str(tmp / "keys.toml")], log=tmp / "server.log") as base:
        yield base, keys


@pytest.mark.parametrize("layer", RESTRICTED)
def test_access_rule(server, layer: str) -> None:
    base, keys = server
    url = f"{base}/v1/layers/{layer}/items"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"X-API-Key": keys["brandweer"]}).status_code == 403
    assert httpx.get(url, headers={"X-API-Key": "waterschap.verkeerd"}).status_code == 401
    ok = httpx.get(url, headers={"X-API-Key": keys["waterschap"]})
    assert ok.status_code == 200
    features = ok.json()["features"]
    assert features and all(f["properties"]["plan_id"] == "NL.IMRO.0294.BPHERONTW2027-VO01"
                            for f in features)


def test_public_layers_and_report_do_not_leak_the_voorontwerp(server) -> None:
    base, _ = server
    listing = httpx.get(f"{base}/v1/layers").json()
    entries = listing["layers"] if isinstance(listing, dict) else listing
    restricted = {e["id"]: e for e in entries if e["id"] in RESTRICTED}
    assert set(restricted) == set(RESTRICTED)
    assert all(e["restricted"] for e in restricted.values())
    assert httpx.get(f"{base}/v1/layers/pand/items?limit=1").status_code == 200
    body = httpx.get(f"{base}/v1/report", params={"address": "Markt 12, Winterswijk"}).text
    assert "VO01" not in body and "voorontwerp" not in body


def test_report_in_the_voorontwerp_area_withholds_it_entry_by_entry(server) -> None:
    """Inside the voorontwerp's area: anonymous callers get the public answer with the ontwerpen
    withheld (and no summary line naming them); the waterschap's key sees them apart."""
    import omgevingskaart

    base, keys = server
    ds = omgevingskaart.open_dataset()
    p = ds["enkelbestemming_voorontwerp"].geometry.iloc[0].representative_point()
    params = {"x": round(p.x, 2), "y": round(p.y, 2), "crs": "EPSG:28992"}
    anonymous = httpx.get(f"{base}/v1/report", params=params)
    assert anonymous.status_code == 200
    assert "VO01" not in anonymous.text and "voorontwerp" not in anonymous.text
    assert anonymous.json()["beperkt"] == ["ontwerpen"] and anonymous.json()["ontwerpen"] == []
    opened = httpx.get(f"{base}/v1/report", params=params, headers={"X-API-Key": keys["waterschap"]}).json()
    assert opened["beperkt"] == [] and {o["status"] for o in opened["ontwerpen"]} == {"voorontwerp"}
    assert any("Er ligt een voorontwerp" in line for line in opened["samenvatting"]["let_op"])
