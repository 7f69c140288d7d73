"""API keys (hashing, files, environment) and the report's withholding of restricted sections.

Fast unit tests (no server); the HTTP behaviour is tested against the real server in
test_service_http.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from service_data import write_catalogue, write_street_dataset

from omgevingskaart.service.auth import (
    ApiKeyForbiddenError,
    ApiKeyRequiredError,
    KeysFileError,
    KeyStore,
    new_key,
    read_keys_file,
    write_keys_file,
)


def test_new_key_stores_only_a_salted_hash(tmp_path: Path) -> None:
    key, record = new_key("waterschap", ["omgevingsnorm", "monument"])
    secret = key.split(".", 1)[1]
    assert secret not in json.dumps(record) and len(bytes.fromhex(record["salt"])) == 16
    key2, record2 = new_key("waterschap", ["omgevingsnorm"])
    assert key2 != key and record2["salt"] != record["salt"]
    write_keys_file(tmp_path / "k.toml", {"waterschap": record})
    store = KeyStore.from_file(tmp_path / "k.toml")
    assert store.authorise(key, "monument").key_id == "waterschap"
    with pytest.raises(ApiKeyForbiddenError):
        store.authorise(key, "pand")
    for bad in (None, "", "waterschap", "waterschap.", "waterschap.nope", "other." + secret, key + "x"):
        with pytest.raises(ApiKeyRequiredError):
            store.authorise(bad, "monument")


def test_wildcard_and_inline_json_environment(tmp_path: Path) -> None:
    key, record = new_key("brandweer", ["*"])
    store = KeyStore.from_env({"OMGEVINGSKAART_API_KEYS": json.dumps({"keys": {"brandweer": record}})})
    assert store.authorise(key, "anything").key_id == "brandweer"
    assert len(KeyStore.from_env({})) == 0
    write_keys_file(tmp_path / "k.json", {"brandweer": record})
    assert read_keys_file(tmp_path / "k.json") == {"brandweer": record}
    assert len(KeyStore.from_env({"OMGEVINGSKAART_API_KEYS": str(tmp_path / "k.json")})) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("not = [toml", "not valid TOML"),
    ("keys = 3", "expected a table 'keys'"),
    ("[keys.a]\nsalt = '00'\nhash = '00'\n", "salt must be >= 16 bytes"),
    ("[keys.a]\nsalt = 'xyz'\nhash = '00'\n", "must be hex"),
    ("[keys.a]\nhash = '00'\n", "missing 'salt'"),
    ("[keys.'Bad Id']\nsalt = '00'\n", "key id"),
])
def test_broken_keys_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "keys.toml"
    p.write_text(text)
    with pytest.raises(KeysFileError, match=message):
        KeyStore.from_file(p)


def test_missing_keys_file(tmp_path: Path) -> None:
    with pytest.raises(KeysFileError, match="keys file not found"):
        KeyStore.from_file(tmp_path / "nope.toml")


def test_report_withholds_sections_of_restricted_layers(tmp_path: Path) -> None:
    """With monument marked 'ketenpartner', the report leaves monuments out unless the key opens them."""
    from fastapi.testclient import TestClient

    from omgevingskaart.service import create_app

    dataset = write_street_dataset(tmp_path / "s.gpkg")
    catalogue = write_catalogue(tmp_path / "cat")
    text = (catalogue / "monument.toml").read_text().replace('audience = "public"', 'audience = "ketenpartner"')
    (catalogue / "monument.toml").write_text(text)
    key, record = new_key("rce", ["monument"])
    other, other_record = new_key("brandweer", ["omgevingsnorm"])
    store = KeyStore.from_env({"OMGEVINGSKAART_API_KEYS": json.dumps({"keys": {"rce": record, "brandweer": other_record}})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(create_app(dataset, catalogue, keys=store))
    params = {"address": "Teststraat 6"}
    anonymous = client.get("/v1/report", params=params).json()
    assert anonymous["monumenten"] == [] and anonymous["beperkt"] == ["monumenten", "omgevingsnormen"]
    # the summary then neither names the monument nor calls the perceel free of one
    assert not any("Woonhuis" in line or "Geen monument" in line for line in anonymous["samenvatting"]["beschermd"])
    brandweer = client.get("/v1/report", params=params, headers={"X-API-Key": other}).json()
    assert brandweer["beperkt"] == ["monumenten"]
    assert [(n["naam"], n["waarde"]) for n in brandweer["omgevingsnormen"]] == [("Geluidzone 0", 50.0)]
    opened = client.get("/v1/report", params=params, headers={"X-API-Key": key}).json()
    assert opened["beperkt"] == ["omgevingsnormen"] and opened["monumenten"][0]["monumenttype"] == "rijksmonument"
    # the address form of the check reads the monument layer too
    proposal = {"footprint": {"type": "Polygon", "coordinates": [[[246433, 443422], [246439, 443422],
                                                                  [246439, 443425], [246433, 443425],
                                                                  [246433, 443422]]]}, "height": 3.0}
    assert client.post("/v1/check", json={"address": "Teststraat 6", "proposal": proposal}).status_code == 401
    assert client.post("/v1/check", json={"address": "Teststraat 6", "proposal": proposal},
                       headers={"X-API-Key": other}).status_code == 403
    assert client.post("/v1/check", json={"address": "Teststraat 6", "proposal": proposal},
                       headers={"X-API-Key": key}).json()["verdict"] == "vergunningplicht"
    layers = {x["id"]: x for x in client.get("/v1/layers").json()["layers"]}
    assert layers["monument"]["restricted"] is True and layers["pand"]["restricted"] is False
