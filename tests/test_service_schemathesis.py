"""Property-based tests of the live service against its own OpenAPI document (schemathesis 4).

The real server (uvicorn on 127.0.0.1) serves the Teststraat dataset; schemathesis reads
``/openapi.json`` from it and sends generated requests (valid and invalid parameters and bodies)
to every operation. Checks: no 5xx (``not_a_server_error``), responses match their documented
schema (``response_schema_conformance``), documented status codes and content types.
The number of examples per operation is bounded to keep the run short.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from service_data import serve, write_catalogue, write_keys, write_street_dataset

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
MAX_EXAMPLES = 40


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    dataset = write_street_dataset(tmp / "teststraat.gpkg")
    catalogue = write_catalogue(tmp / "catalogue")
    write_keys(tmp / "keys.toml")
    args = ["--dataset", str(dataset), "--catalogue", str(catalogue), "--keys-file", str(tmp / "keys.toml"),
            "--no-access-log", "--log-level", "warning"]
    log = tmp / "server.log"
    with serve(args, log=log) as url:
        yield url
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text


@pytest.fixture(scope="module")
def api_schema(live: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live}/openapi.json")


OPERATIONS = [("GET", "/v1/health"), ("GET", "/v1/report"), ("POST", "/v1/check"), ("GET", "/v1/layers"),
              ("GET", "/v1/layers/{layer_id}"), ("GET", "/v1/layers/{layer_id}/items"),
              ("GET", "/v1/geocode"), ("GET", "/v1/suggest"), ("GET", "/v1/tiles/{layer_id}/{z}/{x}/{y}.mvt")]


# schemathesis.pytest.from_fixture + @schema.parametrize() fails under pytest 9.2 (it reads the
# removed ``Function._nodeid``), so each operation's hypothesis strategy is driven directly.
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_conforms_to_its_openapi(api_schema: schemathesis.BaseSchema, live: str, method: str, path: str) -> None:
    operations = {(op.method.upper(), op.path): op for op in (r.ok() for r in api_schema.get_all_operations())}
    assert set(operations) == set(OPERATIONS), "every operation of the document is tested"
    operation = operations[(method, path)]

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=live, checks=CHECKS, timeout=30)
        assert "Traceback" not in response.text

    run()
