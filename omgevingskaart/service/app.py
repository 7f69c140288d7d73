"""The HTTP service for chain partners (ketenpartners): FastAPI app factory.

Endpoints (OpenAPI document at ``/openapi.json``, Swagger UI at ``/docs``)::

    GET  /v1/health                          liveness and the dataset's name
    GET  /v1/report?x=&y=&crs=               parcel report at a point (crs required with x, y)
    GET  /v1/report?address=                 ... at an address ("Markt 12, Winterswijk", "7101AK 12")
    GET  /v1/report?postcode=&huisnummer=    ... at postcode + huisnummer
    GET  /v1/report?perceel=                 ... for a kadastrale aanduiding ("WWK00 L 3839")
                                             (each with optional geldig_op=YYYY-MM-DD)
    POST /v1/check                           "Mag ik bouwen?": a scenario, or {address|perceel|x,y,crs, proposal}
    GET  /v1/layers                          the catalogue entries of the dataset (restricted ones marked)
    GET  /v1/layers/{id}                     one entry
    GET  /v1/layers/{id}/items               GeoJSON FeatureCollection, OGC API - Features paging
    GET  /v1/tiles/{id}/{z}/{x}/{y}.mvt      Mapbox Vector Tile of a layer (PostGIS, GeoParquet)

Access rule: a catalogue layer with ``audience = "ketenpartner"`` needs an API key (header
``X-API-Key``) whose record lists the layer: 401 without a (valid) key, 403 with a key that lacks
it. The rule follows the stored data: when a dataset layer is behind any ketenpartner entry, every
entry over that dataset layer (also a public one) needs a key that opens all of them. A key that is
not valid is refused (401) on every endpoint, and a client that keeps sending such keys gets 429. The parcel report withholds the sections drawn from such layers (listed in ``beperkt``) unless
the key opens them; the address form of the check needs access to every layer it reads.

Configuration comes from :func:`create_app`'s arguments, or for :func:`app_from_env` (what
``omgevingskaart serve`` runs, also with several workers) from the environment:
``OMGEVINGSKAART_DATASET``, ``OMGEVINGSKAART_CATALOGUE``, ``OMGEVINGSKAART_API_KEYS``,
``OMGEVINGSKAART_CORS_ORIGINS`` (comma-separated; default none), ``OMGEVINGSKAART_MAX_BODY_BYTES``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import pydantic
from fastapi import Body, FastAPI, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.middleware.cors import CORSMiddleware

from .. import __version__
from ..catalogue import Catalogue, LayerSpec, load_catalogue
from ..crs import rd_to_wgs84
from ..dataset import Dataset, open_dataset
from ..errors import QueryError
from ..geocode import geocoder_for, parse_aanduiding
from ..permit import check_build
from ..report import report_at
from . import errors as service_errors
from .auth import HEADER, KeyRecord, KeyStore
from .check import CHECK_LAYERS, check_at
from .errors import ServiceError
from .geojson import (
    CRS84,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    LayerFeatures,
    parse_bbox,
    parse_crs_uri,
)
from .limits import (
    DEFAULT_MAX_BODY_BYTES,
    AuthFailureLimiter,
    AuthRateLimitMiddleware,
    BodyLimitMiddleware,
)
from .models import (
    AddressCheck,
    CandidateList,
    CheckResponse,
    ErrorResponse,
    FeatureCollection,
    Health,
    LayerInfo,
    LayerList,
    ReportResponse,
)
from .tiles import MEDIA_TYPE as TILE_MEDIA_TYPE
from .tiles import tile_bytes

#: accepted ``crs`` values for points in /v1/report and /v1/check, mapped to what pyproj reads.
#: Geographic CRSs take (x, y) = (lon, lat), like the library.
POINT_CRS = {
    "epsg:28992": "EPSG:28992",
    "http://www.opengis.net/def/crs/epsg/0/28992": "EPSG:28992",
    "urn:ogc:def:crs:epsg::28992": "EPSG:28992",
    "epsg:4326": "EPSG:4326",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84": "EPSG:4326",
    "ogc:crs84": "EPSG:4326",
    "crs84": "EPSG:4326",
    "epsg:4258": "EPSG:4258",
    "http://www.opengis.net/def/crs/epsg/0/4258": "EPSG:4258",
}

#: report sections and the dataset layers they are drawn from (for the access rule).
REPORT_SECTIONS: dict[str, tuple[str, ...]] = {
    "perceel": ("perceel",),
    "panden": ("pand",),
    "adressen": ("verblijfsobject", "ligplaats", "standplaats"),
    "plannen": ("bestemmingsplangebied",),
    "enkelbestemmingen": ("enkelbestemming",),
    "dubbelbestemmingen": ("dubbelbestemming",),
    "bouwvlakken": ("bouwvlak",),
    "maatvoeringen": ("maatvoering",),
    "functieaanduidingen": ("functieaanduiding",),
    "bouwaanduidingen": ("bouwaanduiding",),
    "gebiedsaanduidingen": ("gebiedsaanduiding",),
    "monumenten": ("monument",),
    "beschermde_gezichten": ("beschermd_gezicht",),
    "activiteiten": ("activiteit",),
    "omgevingsnormen": ("omgevingsnorm",),
    "gebiedsaanwijzingen": ("gebiedsaanwijzing",),
}
#: report sections whose entries name their own dataset layer (``laag``): filtered entry by entry
REPORT_SECTIONS_BY_ENTRY = ("toekomstig", "ontwerpen")

_ERR: dict[str, Any] = {"model": ErrorResponse}
_COMMON: dict[int | str, dict[str, Any]] = {400: {**_ERR, "description": "invalid parameter"}, 401: {**_ERR, "description": "API key required"},
           500: {**_ERR, "description": "internal error"}}

api_key_header = APIKeyHeader(name=HEADER, auto_error=False,
                              description="API key of a ketenpartner (for layers with audience 'ketenpartner')")

ApiKey = Annotated[str | None, Security(api_key_header)]
SearchText = Annotated[str, Query(min_length=1, max_length=200, description="what was typed: an address "
                                  "('markt 12 winterswijk', '7101 ak 12') or a kadastrale aanduiding ('wwk00 k 2997')")]
LayerId = Annotated[str, PathParam(max_length=64, description="catalogue id, see /v1/layers")]


class ServiceState:
    """What the endpoints share: the dataset, its catalogue, the keys and the layer caches."""

    def __init__(self, dataset: Dataset, catalogue: Catalogue, keys: KeyStore):
        self.dataset = dataset
        self.catalogue = catalogue.for_dataset(dataset)
        self.keys = keys
        self.features = LayerFeatures(dataset)
        self.restricted: dict[str, list[LayerSpec]] = {}
        for spec in self.catalogue:
            if not spec.public:
                self.restricted.setdefault(spec.layer, []).append(spec)

    def warm(self) -> None:
        """Ask the store one small question per layer now (opening connections and files, and
        letting a small in-memory GeoPackage build its indexes), not on the first request. Never
        reads a whole layer into the service: a worker's memory does not grow with the dataset."""
        for name in self.dataset.layers:
            self.dataset.store.warm(name)
        if "verblijfsobject" in self.dataset:  # the search vocabulary (small at any size)
            _ = geocoder_for(self.dataset)

    def spec(self, layer_id: str) -> LayerSpec:
        if layer_id not in self.catalogue:
            raise ServiceError(404, "not_found", f"no layer {layer_id!r}; see /v1/layers", field="id")
        return self.catalogue[layer_id]

    def caller(self, key: str | None) -> KeyRecord | None:
        """The caller's key record; None without a key; 401 for a key that is not valid."""
        if not key:
            return None
        record = self.keys.identify(key)
        if record is None:
            from .auth import ApiKeyRequiredError

            raise ApiKeyRequiredError(f"the API key is not valid; send a valid key in the {HEADER} header",
                                      invalid_key=True)
        return record

    def restricted_layer(self, dataset_layer: str) -> bool:
        """Whether any catalogue entry over ``dataset_layer`` is for ketenpartners only."""
        return bool(self.restricted.get(dataset_layer))

    def may_read(self, record: KeyRecord | None, dataset_layer: str) -> bool:
        specs = self.restricted.get(dataset_layer, [])
        return all(record is not None and record.allows(s.id) for s in specs)

    def authorise_layers(self, key: str | None, dataset_layers: Iterable[str]) -> None:
        for layer in dataset_layers:
            for spec in self.restricted.get(layer, []):
                self.keys.authorise(key, spec.id)


def _url(request: Request, path: str, params: dict[str, Any] | None = None) -> str:
    base = str(request.base_url).rstrip("/") + path
    query = {k: v for k, v in (params or {}).items() if v is not None}
    return base + ("?" + urlencode(query) if query else "")


def _point_crs(crs: str | None) -> str | None:
    if crs is None:
        return None
    mapped = POINT_CRS.get(crs.strip().lower())
    if mapped is None:
        raise ServiceError(400, "invalid_crs", f"crs {crs!r} is not supported; use EPSG:28992 (RD New, x/y in m), "
                           "EPSG:4326 or CRS84 (lon/lat in degrees) or EPSG:4258", field="crs")
    return mapped


def _withhold(state: ServiceState, record: KeyRecord | None, rep: Any) -> tuple[Any, list[str]]:
    """The report without what the caller may not read, its summary and rules rebuilt from the
    rest (so neither names a withheld object), and the withheld section names."""
    from dataclasses import replace

    from ..report import summarise

    changes: dict[str, Any] = {}
    withheld = []
    for section, layers in REPORT_SECTIONS.items():
        present = [layer for layer in layers if layer in state.dataset]
        if not all(state.may_read(record, layer) for layer in present):
            withheld.append(section)
            changes[section] = None if section == "perceel" else []
    for section in REPORT_SECTIONS_BY_ENTRY:
        entries = getattr(rep, section)
        kept = [o for o in entries if state.may_read(record, o.laag)]
        if len(kept) != len(entries):
            withheld.append(section)
            changes[section] = kept
    if not changes and not withheld:
        return rep, withheld
    changes["lagen_hier"] = [n for n in rep.lagen_hier if state.may_read(record, n)]
    if "bouwvlakken" in withheld:
        changes["bouwvlak_op_locatie"] = False
    if any(s in withheld for s in ("enkelbestemmingen", "dubbelbestemmingen", "bouwvlakken", "maatvoeringen",
                                   "functieaanduidingen", "bouwaanduidingen", "gebiedsaanduidingen")):
        changes["regels"] = [r for r in rep.regels if r.bron != "IMRO"]
    if "regeltekst" in state.dataset and not state.may_read(record, "regeltekst"):
        withheld.append("regels (STOP)")
    if any(s in withheld for s in ("activiteiten", "omgevingsnormen", "gebiedsaanwijzingen", "regels (STOP)")):
        changes["regels"] = [r for r in changes.get("regels", rep.regels) if r.bron == "IMRO"]
    out = replace(rep, **changes)
    out.samenvatting = summarise(out, withheld)
    return out, withheld


def _locate(state: ServiceState, *, x: float | None, y: float | None, crs: str | None,
            address: str | None = None, postcode: str | None = None, huisnummer: str | None = None,
            perceel: str | None = None, geldig_op: str | None = None) -> Any:
    """The parcel report for exactly one of: point, address, postcode+huisnummer, perceel."""
    if (x is None) != (y is None):
        missing = "y" if y is None else "x"
        raise ServiceError(400, "invalid_parameter", f"{missing}: x and y go together", field=missing)
    point = (x, y) if x is not None else None
    if point is None and crs is not None:
        raise ServiceError(400, "invalid_parameter", "crs: only meaningful with x and y", field="crs")
    kwargs: dict[str, Any] = {"point": point, "crs": _point_crs(crs), "address": address,
                              "postcode": postcode, "huisnummer": huisnummer, "perceel": perceel,
                              "geldig_op": geldig_op}
    if point is None:
        kwargs.pop("crs")
    try:
        return report_at(state.dataset, **kwargs)
    except QueryError as exc:
        only_perceel = point is None and address is None and postcode is None and huisnummer is None
        if (perceel is not None and only_perceel and type(exc) is QueryError
                and parse_aanduiding(perceel) is not None):
            raise ServiceError(404, "perceel_not_found", str(exc), field="perceel") from None
        raise


def _layer_info(state: ServiceState, request: Request, spec: LayerSpec) -> dict[str, Any]:
    path = f"/v1/layers/{spec.id}"
    return {
        "id": spec.id, "title": spec.title, "description": spec.description, "kind": spec.kind,
        "audience": spec.audience, "restricted": state.restricted_layer(spec.layer), "source": spec.source,
        "licence": spec.licence, "attribution": spec.attribution,
        "count": state.features.count(spec.layer),
        "bbox": state.features.extent_wgs84(spec.layer),
        "links": [
            {"href": _url(request, path), "rel": "self", "type": "application/json", "title": spec.title},
            {"href": _url(request, path + "/items"), "rel": "items", "type": "application/geo+json",
             "title": f"{spec.title} (GeoJSON)"},
        ],
    }


def _install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle package's files, not FastAPI's default CDN:
    a partner's browser talks to this server only."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} - documentatie",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def create_app(
    dataset_path: str | Path | None = None,
    catalogue_dir: str | Path | None = None,
    keys_file: str | Path | None = None,
    cors_origins: Sequence[str] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    *,
    dataset: Dataset | None = None,
    keys: KeyStore | None = None,
    warm: bool = True,
) -> FastAPI:
    """The service as a FastAPI app.

    ``dataset_path`` None opens the default dataset (``OMGEVINGSKAART_DATASET`` or the embedded
    demo); ``catalogue_dir`` None reads the project's ``layers/``; ``keys_file`` None reads
    ``OMGEVINGSKAART_API_KEYS`` (no keys when unset: restricted layers are then closed to all).
    CORS is off unless ``cors_origins`` lists origins (``"*"`` allows any, without credentials).
    """
    ds = dataset if dataset is not None else open_dataset(dataset_path)
    catalogue = load_catalogue(catalogue_dir)
    if keys is None:
        keys = KeyStore.from_file(keys_file) if keys_file is not None else KeyStore.from_env()
    state = ServiceState(ds, catalogue, keys)
    if warm:
        state.warm()

    app = FastAPI(
        title="omgevingskaart ketenpartner-API",
        version=__version__,
        description=(
            "De Omgevingswet op de kaart voor gemeente Winterswijk (0294): perceelrapport, "
            "vergunningcheck (\"Mag ik bouwen?\") en kaartlagen als GeoJSON (OGC API - Features-stijl). "
            f"Dataset: {ds.meta.get('titel', ds.path.name)}. Lagen met audience 'ketenpartner' "
            f"vragen een API-sleutel in de header {HEADER}. Fouten: {{\"error\": {{\"code\", \"message\", ...}}}}."
        ),
        docs_url=None,  # served below from local assets: no CDN (privacy, offline)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.service = state
    service_errors.install(app)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)
    app.state.auth_limiter = AuthFailureLimiter()
    app.add_middleware(AuthRateLimitMiddleware, limiter=app.state.auth_limiter, header=HEADER)
    origins = [o.strip() for o in cors_origins if o and o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_credentials=False,
            allow_methods=["GET", "POST", "OPTIONS"], allow_headers=[HEADER, "Content-Type"],
            expose_headers=["Content-Crs"], max_age=600,
        )

    _install_docs(app)

    @app.get("/v1/health", response_model=Health, tags=["service"], summary="Liveness")
    def health() -> dict[str, Any]:
        return {"status": "ok", "dataset": ds.meta.get("titel", ds.path.name), "layers": len(ds.layers),
                "synthetic": ds.is_synthetic}

    @app.get(
        "/v1/report", tags=["rapport"], summary="Perceelrapport at a point, address or perceel",
        response_model=ReportResponse,
        responses={**_COMMON, 404: {**_ERR, "description": "address, perceel or point not in the data"},
                   409: {**_ERR, "description": "ambiguous address (with candidates)"}},
    )
    def get_report(
        key: ApiKey = None,
        x: Annotated[float | None, Query(description="x (RD, m) or longitude; needs crs")] = None,
        y: Annotated[float | None, Query(description="y (RD, m) or latitude; needs crs")] = None,
        crs: Annotated[str | None, Query(max_length=80, description="EPSG:28992, EPSG:4326, CRS84 or EPSG:4258 (or the OGC URI)")] = None,
        address: Annotated[str | None, Query(max_length=200, description="address text")] = None,
        postcode: Annotated[str | None, Query(max_length=10)] = None,
        huisnummer: Annotated[str | None, Query(max_length=12)] = None,
        perceel: Annotated[str | None, Query(max_length=60, description="kadastrale aanduiding, e.g. 'WWK00 L 3839'")] = None,
        geometry: Annotated[bool, Query(description="include the perceel polygon (GeoJSON, RD metres)")] = False,
        geldig_op: Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$", description="the date the answer is for (YYYY-MM-DD, default today): later plans and rules are listed apart (toekomstig), as are ontwerpen")] = None,
    ) -> JSONResponse:
        record = state.caller(key)
        rep = _locate(state, x=x, y=y, crs=crs, address=address, postcode=postcode,
                      huisnummer=huisnummer, perceel=perceel, geldig_op=geldig_op)
        rep, withheld = _withhold(state, record, rep)
        out = rep.to_dict(geometry=geometry)
        lon, lat = rd_to_wgs84(rep.x, rep.y)
        out["locatie_wgs84"] = {"lon": round(lon, 7), "lat": round(lat, 7)}
        out["beperkt"] = withheld
        return JSONResponse(out)

    def _candidates(request: Request, key: str | None, q: str, found: list[dict[str, Any]]) -> dict[str, Any]:
        record = state.caller(key)
        out = []
        for c in found:
            layer = "perceel" if c["soort"] == "perceel" else c.get("laag") or "verblijfsobject"
            if not state.may_read(record, layer):
                continue  # a restricted address or perceel layer stays behind its key
            lon, lat = rd_to_wgs84(c["x"], c["y"])
            param = {"perceel": c["weergave"]} if c["soort"] == "perceel" else {"address": c["weergave"]}
            out.append({**c, "lon": round(lon, 7), "lat": round(lat, 7),
                        "rapport": _url(request, "/v1/report", param)})
        return {"query": q, "candidates": out}

    @app.get("/v1/geocode", tags=["zoeken"], summary="Addresses or perceel that a text names",
             response_model=CandidateList, responses=_COMMON)
    def geocode(request: Request, q: SearchText, key: ApiKey = None) -> dict[str, Any]:
        """Forgiving of case, spacing, commas and postcode form, not of typos (see /v1/suggest);
        a street or postcode alone lists its addresses."""
        return _candidates(request, key, q, geocoder_for(ds).lookup(q))

    @app.get("/v1/suggest", tags=["zoeken"], summary="Autocomplete and did-you-mean candidates",
             response_model=CandidateList, responses=_COMMON)
    def suggest(request: Request, q: SearchText, key: ApiKey = None,
                limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
        """The addresses and percelen the text probably means, best first: exact matches, then
        similar streets (typos), then what starts with the text (typing)."""
        return _candidates(request, key, q, geocoder_for(ds).suggest(q, limit=limit))

    @app.post(
        "/v1/check", tags=["vergunningcheck"], summary="Mag ik bouwen? (bijbehorend bouwwerk)",
        response_model=CheckResponse,
        responses={**_COMMON, 403: {**_ERR, "description": "the key lacks a layer the check reads"},
                   404: {**_ERR, "description": "address, perceel or point not in the data"},
                   409: {**_ERR, "description": "ambiguous address (with candidates)"},
                   413: {**_ERR, "description": "request body too large"},
                   422: {**_ERR, "description": "inconsistent scenario (field names the culprit)"}},
    )
    def post_check(
        body: Annotated[dict[str, Any], Body(
            description=(
                "Either a full scenario (the permit-check format, RD metres; see docs/permit-check.md), "
                "recognised by its 'parcel' key, or {address | perceel | x, y, crs; proposal}: the "
                "perceel, panden, road and plan values are then read from the dataset."
            ),
            openapi_examples={
                "adres": {"summary": "a proposal at an address",
                          "description": "a 4 x 3 m shed in the back yard of Markt 12 in the demo dataset "
                                         "(RD metres; tests/test_service_examples.py sends every example)",
                          "value": {"address": "Markt 12, Winterswijk",
                                    "proposal": {"footprint": {"type": "Polygon", "coordinates": [[[246602.3, 443308.5], [246606.3, 443308.5], [246606.3, 443311.5], [246602.3, 443311.5], [246602.3, 443308.5]]]},
                                                 "height": 3.0}}},
            },
        )],
        key: ApiKey = None,
    ) -> JSONResponse:
        record = state.caller(key)
        if "parcel" in body:
            result = check_build(body).to_dict()
            result["input"] = {"type": "scenario"}
            return JSONResponse(result)
        try:
            req = AddressCheck.model_validate(body)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise ServiceError(400, "invalid_parameter",
                               f"{loc}: {first.get('msg')} (a scenario needs 'parcel'; the address form needs "
                               "'proposal' and one of address, perceel, x/y/crs)", field=loc) from None
        layers = [layer for layer in CHECK_LAYERS if layer in ds]
        state.authorise_layers(key if record is not None else None, layers)
        rep = _locate(state, x=req.x, y=req.y, crs=req.crs, address=req.address, perceel=req.perceel)
        return JSONResponse(check_at(ds, rep, req.proposal, main_pand_id=req.main_pand_id, original=req.original,
                                     second_storey_floor=req.second_storey_floor,
                                     protected_townscape=req.protected_townscape))

    @app.get("/v1/layers", response_model=LayerList, tags=["lagen"], summary="The layers of the dataset",
             responses={401: _COMMON[401], 500: _COMMON[500]})
    def list_layers(request: Request) -> dict[str, Any]:
        return {"layers": [_layer_info(state, request, s) for s in state.catalogue],
                "links": [{"href": _url(request, "/v1/layers"), "rel": "self", "type": "application/json"}]}

    @app.get("/v1/layers/{layer_id}", response_model=LayerInfo, tags=["lagen"], summary="One layer",
             responses={404: {**_ERR, "description": "no such layer"}, 500: _COMMON[500]})
    def get_layer(request: Request, layer_id: LayerId) -> dict[str, Any]:
        return _layer_info(state, request, state.spec(layer_id))

    @app.get(
        "/v1/layers/{layer_id}/items", tags=["lagen"], summary="Features of a layer (GeoJSON, paged)",
        response_model=FeatureCollection, response_class=JSONResponse,
        responses={**_COMMON, 200: {"content": {"application/geo+json": {}}},
                   403: {**_ERR, "description": "the key does not open this layer"},
                   404: {**_ERR, "description": "no such layer"}},
    )
    def layer_items(
        request: Request,
        layer_id: LayerId,
        key: ApiKey = None,
        bbox: Annotated[str | None, Query(max_length=200, description="minx,miny,maxx,maxy in bbox-crs")] = None,
        bbox_crs: Annotated[str | None, Query(alias="bbox-crs", max_length=100, description=f"default {CRS84}")] = None,
        crs: Annotated[str | None, Query(max_length=100, description=f"output CRS; default {CRS84}")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> JSONResponse:
        spec = state.spec(layer_id)
        state.caller(key)  # a key that is not valid is a 401 here too, as everywhere
        state.authorise_layers(key, [spec.layer])  # every ketenpartner entry over the stored layer
        box = parse_bbox(bbox)
        box_crs = parse_crs_uri(bbox_crs, "bbox-crs")
        out_crs = parse_crs_uri(crs, "crs")
        features, matched = state.features.items(spec.layer, bbox=box, bbox_crs=box_crs, crs=out_crs,
                                                 limit=limit, offset=offset)
        path = f"/v1/layers/{spec.id}/items"
        params = {"bbox": bbox, "bbox-crs": bbox_crs, "crs": crs, "limit": limit}
        links = [{"href": _url(request, path, {**params, "offset": offset}), "rel": "self",
                  "type": "application/geo+json"},
                 {"href": _url(request, f"/v1/layers/{spec.id}"), "rel": "collection", "type": "application/json"}]
        if offset + limit < matched:
            links.append({"href": _url(request, path, {**params, "offset": offset + limit}), "rel": "next",
                          "type": "application/geo+json"})
        if offset > 0:
            links.append({"href": _url(request, path, {**params, "offset": max(0, offset - limit)}),
                          "rel": "prev", "type": "application/geo+json"})
        body = {"type": "FeatureCollection", "features": features, "numberMatched": matched,
                "numberReturned": len(features),
                "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "links": links}
        return JSONResponse(body, media_type="application/geo+json",
                            headers={"Content-Crs": f"<{out_crs}>"})

    @app.get(
        "/v1/tiles/{layer_id}/{z}/{x}/{y}.mvt", tags=["lagen"], summary="A vector tile of a layer (PostGIS, GeoParquet)",
        response_class=Response,
        responses={**_COMMON, 200: {"content": {TILE_MEDIA_TYPE: {}}},
                   204: {"description": "nothing of the layer falls in the tile"},
                   403: {**_ERR, "description": "the key does not open this layer"},
                   404: {**_ERR, "description": "no such layer, or the dataset serves no tiles"}},
    )
    def layer_tile(
        layer_id: LayerId,
        z: Annotated[int, PathParam(ge=0, le=24)],
        x: Annotated[int, PathParam(ge=0)],
        y: Annotated[int, PathParam(ge=0)],
        key: ApiKey = None,
    ) -> Response:
        spec = state.spec(layer_id)
        if not spec.public:
            state.keys.authorise(key, spec.id)
        data = tile_bytes(ds, spec.layer, z, x, y, list(spec.popup.fields))
        return Response(data, media_type=TILE_MEDIA_TYPE, status_code=200 if data else 204)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            _errors_not_422(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _errors_not_422(schema: dict[str, Any]) -> None:
    """Request validation errors are 400 here (OGC API style), not FastAPI's default 422."""
    ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for methods in schema.get("paths", {}).values():
        for op in methods.values():
            responses = op.get("responses", {})
            default = responses.pop("422", None)
            if default is not None and "ErrorResponse" in str(default):
                responses["422"] = default
            if any(p.get("in") == "header" for p in op.get("parameters", [])) or op.get("security"):
                responses.setdefault("429", {"description": "too many invalid API keys from this client; "
                                                            "see the Retry-After header",
                                             "content": {"application/json": {"schema": ref}}})
            if op.get("parameters") or op.get("requestBody"):
                responses.setdefault("400", {"description": "invalid parameter",
                                             "content": {"application/json": {"schema": ref}}})
    comps = schema.get("components", {}).get("schemas", {})
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)


def app_from_env() -> FastAPI:
    """The app configured from the environment (``omgevingskaart serve`` uses this factory)."""
    origins = os.environ.get("OMGEVINGSKAART_CORS_ORIGINS", "")
    max_body = os.environ.get("OMGEVINGSKAART_MAX_BODY_BYTES")
    return create_app(
        dataset_path=os.environ.get("OMGEVINGSKAART_DATASET") or None,
        catalogue_dir=os.environ.get("OMGEVINGSKAART_CATALOGUE") or None,
        keys_file=None,
        cors_origins=[o for o in origins.split(",") if o.strip()],
        max_body_bytes=int(max_body) if max_body else DEFAULT_MAX_BODY_BYTES,
    )
