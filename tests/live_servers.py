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

        def answer(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict, bytes]:
            self.hits += 1
            return respond(handler)

        self._server = _Server(answer)
        self.url = self._server.url

    def __enter__(self) -> CountingServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()


class RuimtelijkePlannenServer:
    """A stand-in for the Ruimtelijke Plannen Opvragen API v4 on 127.0.0.1, answering in the
    shapes the client documents (no open implementation of this API exists to run instead).

    Its content is the real IMRO sample GMLs, read with GDAL (independently of the project's IMRO
    reader): each plan's ``Bestemmingsplangebied`` becomes a plan object of ``POST
    /plannen/_zoek``; ``with_gml`` plans get a ``verwijzingNaarGml`` pointing at a *second* server
    (another host:port, like ruimtelijkeplannen.nl) that serves the real file; the other plans
    answer the plan-object endpoints (``bestemmingsvlakken``, ``bouwvlakken``,
    ``functieaanduidingen``, ``maatvoeringen``). ``extra`` plan objects are added as they are
    (e.g. an expired plan). Pages hold at most ``page_size`` items. ``requests`` and
    ``gml_requests`` record (method, path, headers, body) of what each server received.
    ``teksten`` (plan id -> artikelnummer -> ``{"titel", "inhoud"}``) gives those plans'
    bestemmingsvlakken ``_links.teksten`` and answers ``GET /plannen/{planId}/teksten/{id}``.
    """

    KEY = "test-key-0294"

    def __init__(self, gml_files: Mapping[str, Path], *, with_gml: set[str], extra=(),
                 page_size: int = 2, broken_gml: set[str] = frozenset(),
                 teksten: Mapping[str, Mapping[str, dict]] | None = None):
        import warnings

        import pyogrio
        import shapely

        self.requests: list[tuple[str, str, dict, dict | None]] = []
        self.gml_requests: list[tuple[str, str, dict]] = []
        self.page_size = page_size
        self.plans: list[dict] = []
        self.objects: dict[str, dict[str, list[dict]]] = {}
        self.files: dict[str, bytes] = {}
        gml_server = _Server(self._gml_answer)
        self._api = _Server(self._api_answer)
        self._servers = [gml_server, self._api]
        self.teksten: dict[str, dict] = {}  # tekst id -> tekst document
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for plan_id, path in gml_files.items():
                gebied = pyogrio.read_dataframe(path, layer="Bestemmingsplangebied").iloc[0]
                plan = {
                    "id": plan_id, "naam": gebied["naam"], "type": gebied["typePlan"],
                    "planstatusInfo": {"planstatus": gebied["planstatus"],
                                       "datum": str(gebied["datum"])[:10]},
                    "geometrie": shapely.geometry.mapping(gebied.geometry),
                    "_links": {"self": {"href": f"/plannen/{plan_id}"}},
                }
                if plan_id in with_gml:
                    name = f"{plan_id}.gml"
                    data = path.read_bytes()
                    self.files[name] = data[: len(data) // 3] if plan_id in broken_gml else data
                    plan["verwijzingNaarGml"] = f"{gml_server.url}/documents/{name}"
                if plan_id not in with_gml or plan_id in (teksten or {}):
                    self.objects[plan_id] = _planobjects(path)
                for vlak in self.objects.get(plan_id, {}).get("bestemmingsvlakken", []):
                    artikel = str(vlak.get("artikelnummer"))
                    tekst = (teksten or {}).get(plan_id, {}).get(artikel)
                    if tekst is not None:
                        tid = f"{plan_id}.artikel.{artikel}"
                        self.teksten[tid] = {"id": tid, **tekst}
                        vlak["_links"] = {"teksten": [
                            {"href": f"{self._api.url}/v4/plannen/{plan_id}/teksten/{tid}"}]}
                self.plans.append(plan)
        self.plans.extend(extra)
        self.gml_url = gml_server.url
        self.url = f"{self._api.url}/v4"

    def __enter__(self) -> RuimtelijkePlannenServer:
        for s in self._servers:
            s.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for s in self._servers:
            s.stop()

    def _gml_answer(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict, bytes]:
        self.gml_requests.append((h.command, h.path, dict(h.headers)))
        name = h.path.rsplit("/", 1)[-1]
        if h.command != "GET" or name not in self.files:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return 200, {"Content-Type": "application/gml+xml"}, self.files[name]

    def _api_answer(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict, bytes]:
        from urllib.parse import parse_qs, unquote, urlsplit

        import shapely

        doc = json.loads(body) if body else None
        self.requests.append((h.command, h.path, dict(h.headers), doc))

        def problem(status: int, title: str) -> tuple[int, dict, bytes]:
            return status, {"Content-Type": "application/problem+json"}, json.dumps(
                {"status": status, "title": title}).encode()

        if h.headers.get("x-api-key") != self.KEY:
            return problem(401, "Geen geldige API-key")
        if "application/hal+json" not in (h.headers.get("Accept") or ""):
            return problem(406, "Not Acceptable: application/hal+json")
        if h.command == "GET":
            segments = unquote(urlsplit(h.path).path).removeprefix("/v4").strip("/").split("/")
            if len(segments) == 4 and segments[0] == "plannen" and segments[2] == "teksten" \
                    and segments[3] in self.teksten:
                return 200, {"Content-Type": "application/hal+json"}, json.dumps(
                    self.teksten[segments[3]]).encode()
            return problem(404, f"Niet gevonden: {h.path}")
        if h.command != "POST":
            return problem(405, "Method Not Allowed")
        if (h.headers.get("Content-Crs") or "").lower() != "epsg:28992":
            return problem(400, "Content-Crs ontbreekt of wordt niet ondersteund")
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        path = unquote(parts.path).removeprefix("/v4")
        try:
            area = shapely.geometry.shape(doc["_geo"]["intersects"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return problem(400, "_geo.intersects ontbreekt of is geen GeoJSON-geometrie")
        if path == "/plannen/_zoek":
            key, items = "plannen", self.plans
        else:
            segments = path.strip("/").split("/")
            if (len(segments) != 4 or segments[0] != "plannen" or segments[3] != "_zoek"
                    or segments[1] not in self.objects
                    or segments[2] not in self.objects[segments[1]]):
                return problem(404, f"Niet gevonden: {path}")
            key, items = segments[2], self.objects[segments[1]][segments[2]]
        hits = [i for i in items
                if i.get("geometrie") and shapely.geometry.shape(i["geometrie"]).intersects(area)]
        size = min(int(query.get("pageSize", ["10"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        chunk = hits[(page - 1) * size: page * size]
        links = {"self": {"href": f"{self._api.url}{h.path}"}}
        if page * size < len(hits):
            links["next"] = {"href": f"{self._api.url}{parts.path}?page={page + 1}&pageSize={size}"}
        answer = {"_embedded": {key: chunk}, "_links": links, "page": {
            "size": size, "totalElements": len(hits), "number": page}}
        return 200, {"Content-Type": "application/hal+json", "Content-Crs": "epsg:28992"}, \
            json.dumps(answer).encode()


def _planobjects(path: Path) -> dict[str, list[dict]]:
    """The plan objects of an IMRO GML as the API's plan-object endpoints give them (GDAL)."""
    import pyogrio
    import shapely

    present = {name for name, _ in pyogrio.list_layers(path)}

    def layer(name: str) -> gpd.GeoDataFrame:
        if name not in present:  # a plan without this object type
            return gpd.GeoDataFrame({"geometry": []}, geometry="geometry")
        return pyogrio.read_dataframe(path, layer=name)

    def base(row: pd.Series) -> dict:
        return {"id": row["gml_id"], "naam": row.get("naam"),
                "geometrie": shapely.geometry.mapping(row.geometry)}

    out: dict[str, list[dict]] = {"bestemmingsvlakken": [], "bouwvlakken": [],
                                  "functieaanduidingen": [], "maatvoeringen": []}
    for kind in ("Enkelbestemming", "Dubbelbestemming"):
        for _, row in layer(kind).iterrows():
            out["bestemmingsvlakken"].append({
                **base(row), "type": kind.lower(),
                "bestemmingshoofdgroep": row.get("bestemmingshoofdgroep"),
                "artikelnummer": row.get("artikelnummer")})
    for kind, key in (("Bouwvlak", "bouwvlakken"), ("Functieaanduiding", "functieaanduidingen")):
        out[key] = [base(row) for _, row in layer(kind).iterrows()]
    for _, row in layer("Maatvoering").iterrows():
        types = [str(t) for t in list(row["waardeType"])]
        values = [str(v) for v in list(row["waarde"])]
        out["maatvoeringen"].append({**base(row), "omvang": [
            {"naam": t, "waarde": v} for t, v in zip(types, values, strict=True)]})
    return out


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 whose GET/POST answers come from
    ``respond(handler, body) -> (status, headers, body)``."""

    def __init__(self, respond: Callable[[BaseHTTPRequestHandler, bytes], tuple[int, dict, bytes]]):
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = respond(self, body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
