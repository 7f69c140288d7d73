"""Real HTTP servers on 127.0.0.1 for the live-source tests (no mocks).

* :func:`start_pygeoapi` runs pygeoapi 0.21 (its Starlette app under uvicorn, in a subprocess)
  serving GeoJSON files made from the real samples in ``../shared/data/real``; pygeoapi's GeoJSON
  provider does bbox filtering, ``bbox-crs`` and ``crs`` (Part 2) and ``next`` links.
* :class:`CountingServer` is a small ``http.server`` in a thread whose handler answers from a
  script (e.g. 503, 503, then the real page) and counts the requests it saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from processes import free_port, stop, wait_until_up

RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write ``frame`` (RD New coordinates kept, as pygeoapi's storage CRS) as GeoJSON."""
    frame = frame.copy()
    for col in frame.columns:
        if col == frame.geometry.name:
            continue
        series = frame[col]
        if series.dtype.kind in "mM" or str(series.dtype) in ("string", "object"):
            frame[col] = [None if v is None or v != v or v is pd.NA else str(v)
                          for v in series.astype(object)]
        elif str(series.dtype) in ("Int64", "boolean"):
            frame[col] = series.astype(object).where(series.notna(), None)
    path.write_text(frame.to_json(na="null", drop_id=True), encoding="utf-8")
    return path


def sample_perceel(real: Path) -> gpd.GeoDataFrame:
    """The 11 BRK perceel polygons of the Otterlo sample, through the project's BRK reader."""
    import omgevingskaart

    layers = omgevingskaart.read(real / "brk" / "kadastralekaart_perceel.gml")
    return layers["perceel"]


def sample_wegdeel(real: Path) -> gpd.GeoDataFrame:
    """The BGT wegdeel objects of the Otterlo sample (GDAL's GML reader, layer TrafficArea)."""
    import pyogrio

    frame = pyogrio.read_dataframe(f"/vsizip/{real}/bgt/otterlo.zip/bgt_wegdeel.gml",
                                   layer="TrafficArea")
    keep = [c for c in ("gml_id", "function", "surfaceMaterial", "bgt-status",
                        "relatieveHoogteligging", "creationDate") if c in frame.columns]
    out = frame[keep].copy()
    out["lokaal_id"] = frame["gml_id"].astype(str) if "gml_id" in frame else range(len(frame))
    out = gpd.GeoDataFrame(out, geometry=frame.geometry, crs="EPSG:28992")
    out = out[~out.geometry.is_empty & out.geometry.notna()].reset_index(drop=True)
    return out


@contextmanager
def start_pygeoapi(
    workdir: Path, collections: Mapping[str, tuple[Path, str]], *, max_items: int = 1000
) -> Iterator[str]:
    """Run pygeoapi serving ``collections`` (id -> (GeoJSON file, id field)); yields its URL."""
    pytest.importorskip("pygeoapi", reason="pygeoapi is not installed (pip install pygeoapi)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    resources = {}
    for cid, (path, id_field) in collections.items():
        resources[cid] = {
            "type": "collection",
            "title": cid,
            "description": f"{cid} from the real samples",
            "keywords": [cid],
            "extents": {"spatial": {"bbox": [3.2, 50.7, 7.3, 53.6], "crs": CRS84_URI}},
            "providers": [{
                "type": "feature",
                "name": "GeoJSON",
                "data": str(path),
                "id_field": id_field,
                "storage_crs": RD_URI,
                "crs": [RD_URI, CRS84_URI],
            }],
        }
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "limits": {"default_items": 10, "max_items": max_items},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "omgevingskaart test", "description": "real samples",
                               "keywords": ["test"], "keywords_type": "theme",
                               "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                               "url": url},
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "omgevingskaart", "url": url},
            "contact": {"name": "test", "position": "test", "address": "x", "city": "x",
                        "stateorprovince": "x", "postalcode": "x", "country": "NL",
                        "email": "x@example.org", "url": url, "role": "pointOfContact"},
        },
        "resources": resources,
    }
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = workdir / "pygeoapi-config.yml"
    cfg.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    oas = workdir / "pygeoapi-openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(oas)}
    from pygeoapi.openapi import generate_openapi_document

    oas.write_text(generate_openapi_document(cfg, "yaml"), encoding="utf-8")
    log = (workdir / "pygeoapi.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "pygeoapi.starlette_app:APP", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(proc, f"{url}/collections?f=json", name="pygeoapi",
                      log=workdir / "pygeoapi.log", timeout=90)
        yield url
    finally:
        stop(proc)
        log.close()


class CountingServer:
    """A real HTTP server on 127.0.0.1 answering from ``respond(handler) -> (status, headers,
    body)``; ``hits`` counts the requests it received."""

    def __init__(self, respond: Callable[[BaseHTTPRequestHandler], tuple[int, dict, bytes]]):
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                status, headers, body = respond(self)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
