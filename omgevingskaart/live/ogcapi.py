"""An OGC API - Features client: collections, items with bbox/crs, paging, retries, cache.

Request shapes follow *OGC API - Features - Part 1: Core* (OGC 17-069r4: ``/collections``,
``/collections/{collectionId}/items`` with ``bbox`` and ``limit``, paging through the ``links``
entry with ``rel: next``) and *Part 2: Coordinate Reference Systems by Reference* (OGC 18-058:
``crs`` and ``bbox-crs`` as CRS URIs, the ``Content-Crs`` response header, each collection's
``crs`` list). PDOK's OGC APIs implement both (https://api.pdok.nl/lv/bgt/ogc/v1,
https://www.pdok.nl/faq-ogc-api); RD New is ``http://www.opengis.net/def/crs/EPSG/0/28992`` (the
``http`` form: servers compare the URI as a string).

The client

* asks for RD New output (``crs``) when the collection offers it, and sends ``bbox-crs`` with an RD
  bounding box, so no coordinate leaves RD on the way;
* follows ``next`` links until the server gives none (or ``max_features`` is reached);
* retries 429 and 5xx answers, timeouts and dropped connections with exponential backoff, honouring
  ``Retry-After`` (seconds or an HTTP date);
* keeps answers in an on-disk cache (one JSON file per URL, written atomically) for ``max_age``
  seconds, so a repeated fetch makes no requests;
* shows a tqdm progress bar on stderr (only on a terminal unless asked otherwise);
* returns GeoDataFrames in EPSG:28992, reading the ``Content-Crs`` header to know what it got.

>>> client = OGCAPIFeaturesClient("https://api.pdok.nl/lv/bgt/ogc/v1", cache=False)
>>> client.items_url("wegdeel")
'https://api.pdok.nl/lv/bgt/ogc/v1/collections/wegdeel/items'
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import httpx
import numpy as np
import shapely
from pyproj import CRS
from tqdm import tqdm

from .. import __version__
from .._files import write_atomic
from ..errors import RemoteSourceError
from ..schema import RD_NEW

#: RD New as an OGC CRS URI (OGC API - Features Part 2 uses URIs, in the http form).
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
#: the default CRS of OGC API - Features (longitude, latitude).
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: statuses worth another try: rate limiting and server-side trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"omgevingskaart/{__version__} (+https://github.com/omgevingskaart)"
_GEOJSON_ACCEPT = "application/geo+json, application/json;q=0.9"


def default_cache_dir() -> Path:
    """The per-user cache folder for HTTP answers (``platformdirs`` user cache)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("omgevingskaart")) / "http"


def crs_from_uri(uri: str) -> CRS:
    """A pyproj CRS from an OGC CRS URI (``.../EPSG/0/28992``, ``.../OGC/1.3/CRS84``) or code."""
    text = uri.strip().strip("<>")
    parts = [p for p in urlsplit(text).path.split("/") if p]
    try:
        if len(parts) >= 3 and parts[-3] == "EPSG":
            return CRS.from_epsg(int(parts[-1]))
        if len(parts) >= 3 and parts[-3] == "OGC" and parts[-1] in ("CRS84", "CRS84h"):
            return CRS.from_user_input("OGC:CRS84")
        return CRS.from_user_input(text)
    except Exception as exc:  # pyproj raises CRSError and ValueError
        raise RemoteSourceError(None, f"unknown CRS {uri!r} in the answer") from exc


def _north_first(crs: CRS) -> bool:
    axes = crs.axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


@dataclass
class Page:
    """One page of an items answer: the parsed JSON and the response headers that matter."""

    url: str
    body: dict[str, Any]
    content_crs: str | None
    from_cache: bool


class OGCAPIFeaturesClient:
    """A client for one OGC API - Features endpoint (its landing page URL).

    ``cache`` is ``True`` (the user cache folder), ``False`` (no cache) or a folder. ``progress``
    is ``None`` (a bar only when stderr is a terminal), ``True`` or ``False``. ``sleep`` is the
    function used to wait between retries (``time.sleep``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        cache: bool | str | Path = True,
        max_age: float = 7 * 24 * 3600,
        progress: bool | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_age = max_age
        self.progress = progress
        self._sleep = sleep
        if cache is True:
            self.cache_dir: Path | None = default_cache_dir()
        elif cache is False or cache is None:
            self.cache_dir = None
        else:
            self.cache_dir = Path(cache)
        self._http = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            transport=transport,
        )
        #: requests actually sent over the network (cache hits excluded); for reporting.
        self.requests_sent = 0
        self._collections: dict[str, dict[str, Any]] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # --- plumbing --------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> OGCAPIFeaturesClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def items_url(self, collection: str) -> str:
        return f"{self.base_url}/collections/{collection}/items"

    def _cache_path(self, url: str, accept: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cache_get(self, path: Path | None) -> dict[str, Any] | None:
        if path is None or not path.is_file():
            return None
        try:
            entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged cache entry is refetched
        if time.time() - float(entry.get("fetched", 0)) > self.max_age:
            return None
        return entry

    @staticmethod
    def _cache_put(path: Path | None, entry: dict[str, Any]) -> None:
        if path is None:
            return
        write_atomic(path, json.dumps(entry))

    def _wait_time(self, attempt: int, response: httpx.Response | None) -> float:
        delay: float = min(self.max_backoff, self.backoff * (2**attempt))
        if response is not None:
            retry_after = response.headers.get("Retry-After")
            if retry_after:
                try:
                    delay = float(retry_after)
                except ValueError:
                    when = email.utils.parsedate_to_datetime(retry_after)
                    if when is not None:
                        delay = when.timestamp() - time.time()
                delay = max(0.0, min(self.max_backoff, delay))
        return delay

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` with retries and backoff; an answer of 400 or more is an error."""
        full_url = str(request.url)
        response: httpx.Response | None = None
        for attempt in range(self.retries + 1):
            last_error: str
            try:
                self.requests_sent += 1
                response = self._http.send(request)
            except httpx.ConnectError as exc:
                response = None
                last_error = f"cannot connect to {request.url.host}: {exc}"
                if _is_name_error(exc):  # offline or a wrong host name: retrying will not help
                    raise RemoteSourceError(
                        full_url, f"cannot resolve host {request.url.host!r} (offline?): {exc}"
                    ) from exc
            except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                response = None
                last_error = f"{type(exc).__name__} from {request.url.host}: {exc}"
            else:
                if response.status_code not in RETRY_STATUSES:
                    break
                last_error = f"HTTP {response.status_code} from {request.url.host}"
            if attempt < self.retries:
                self._sleep(self._wait_time(attempt, response))
        else:
            raise RemoteSourceError(
                full_url, f"{last_error} (gave up after {self.retries + 1} attempts)"
            )
        assert response is not None
        if response.status_code >= 400:
            detail = response.text[:300].strip()
            raise RemoteSourceError(full_url, f"HTTP {response.status_code}: {detail}")
        return response

    def download(self, url: str, *, accept: str = "*/*", suffix: str = "",
                 extra_headers: Mapping[str, str] | None = None) -> Path:
        """The body of ``GET url`` as a file: in the cache (kept ``max_age``), or, without a
        cache, in a temporary folder that lives as long as this client. Written atomically."""
        request = self._http.build_request("GET", url, headers={"Accept": accept,
                                                                **(extra_headers or {})})
        if self.cache_dir is not None:
            key = hashlib.sha256(f"{accept}\nGET {request.url}".encode()).hexdigest()
            path = self.cache_dir / key[:2] / f"{key}{suffix}"
            if path.is_file() and time.time() - path.stat().st_mtime <= self.max_age:
                return path
        else:
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="omgevingskaart-download-")
            key = hashlib.sha256(str(request.url).encode()).hexdigest()
            path = Path(self._tmp.name) / f"{key}{suffix}"
        return write_atomic(path, self._send(request).content)

    def request_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        method: str = "GET",
        json_body: Any = None,
        accept: str = _GEOJSON_ACCEPT,
        extra_headers: Mapping[str, str] | None = None,
        use_cache: bool = True,
    ) -> tuple[dict[str, Any], dict[str, str], bool]:
        """``(json, headers, from_cache)`` for a request, with retries and the disk cache.

        The cache key is the full URL (with its query), the method and body, and ``Accept``.
        """
        request = self._http.build_request(
            method, url, params=params, json=json_body,
            headers={"Accept": accept, **(extra_headers or {})},
        )
        full_url = str(request.url)
        body_key = "" if json_body is None else json.dumps(json_body, sort_keys=True)
        cache_path = (
            self._cache_path(f"{method} {full_url} {body_key}", accept) if use_cache else None
        )
        cached = self._cache_get(cache_path)
        if cached is not None:
            return cached["body"], cached.get("headers", {}), True
        response = self._send(request)
        try:
            body = response.json()
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "?")
            raise RemoteSourceError(full_url, f"the answer is not JSON ({kind})") from exc
        headers = {
            k: response.headers[k] for k in ("Content-Crs", "Content-Type") if k in response.headers
        }
        self._cache_put(
            cache_path, {"url": full_url, "fetched": time.time(), "headers": headers, "body": body}
        )
        return body, headers, False

    # --- OGC API - Features ----------------------------------------------------------------------
    def collections(self) -> dict[str, dict[str, Any]]:
        """The collections the server offers, by id (``/collections``)."""
        if self._collections is None:
            body, _, _ = self.request_json(f"{self.base_url}/collections", {"f": "json"},
                                           accept="application/json")
            if not isinstance(body, dict) or "collections" not in body:
                raise RemoteSourceError(f"{self.base_url}/collections",
                                        "not an OGC API collections document")
            self._collections = {c["id"]: c for c in body["collections"] if "id" in c}
        return self._collections

    def supports_crs(self, collection: str, crs_uri: str) -> bool:
        """Whether the collection lists ``crs_uri`` in its ``crs`` (OGC API Features Part 2)."""
        info = self.collections().get(collection, {})
        return crs_uri in (info.get("crs") or [])

    def pages(
        self,
        collection: str,
        *,
        bbox: Sequence[float] | None = None,
        bbox_crs: str | None = RD_URI,
        crs: str | None = RD_URI,
        limit: int = 1000,
        params: Mapping[str, Any] | None = None,
        accept: str = _GEOJSON_ACCEPT,
    ) -> Iterator[Page]:
        """The pages of ``/collections/{collection}/items``, following ``next`` links."""
        query: dict[str, Any] = {"f": "json", "limit": int(limit)}
        if bbox is not None:
            if len(bbox) != 4:
                raise ValueError(f"bbox needs 4 numbers, got {list(bbox)}")
            query["bbox"] = ",".join(_num(v) for v in bbox)
            if bbox_crs:
                query["bbox-crs"] = bbox_crs
        if crs:
            query["crs"] = crs
        query.update(params or {})
        url: str | None = self.items_url(collection)
        first_params: Mapping[str, Any] | None = query
        seen: set[str] = set()
        while url:
            body, headers, from_cache = self.request_json(url, first_params, accept=accept)
            if not isinstance(body, dict) or not isinstance(body.get("features"), list):
                raise RemoteSourceError(url, "not a feature collection (no 'features' list)")
            yield Page(url, body, headers.get("Content-Crs"), from_cache)
            nxt = next_link(body)
            if nxt is None or nxt in seen or not body["features"]:
                break  # no next page, a loop, or an empty page
            seen.add(nxt)
            url, first_params = nxt, None

    def items(
        self,
        collection: str,
        *,
        bbox: Sequence[float] | None = None,
        bbox_crs: str | None = RD_URI,
        crs: str | None = None,
        limit: int = 1000,
        max_features: int | None = None,
        params: Mapping[str, Any] | None = None,
        desc: str | None = None,
    ) -> gpd.GeoDataFrame:
        """All features of ``collection`` (within ``bbox``) as a GeoDataFrame in EPSG:28992.

        ``crs=None`` asks for RD New when the collection lists it and otherwise takes the server's
        default (CRS84), transformed to RD New here. Properties become columns; the feature ``id``
        becomes the column ``id`` (unless a property of that name exists).
        """
        if crs is None:
            crs = RD_URI if self.supports_crs(collection, RD_URI) else ""
        features: list[dict[str, Any]] = []
        content_crs: str | None = None
        bar = tqdm(
            desc=desc or collection, unit=" obj", file=sys.stderr, leave=False,
            disable=not (self.progress if self.progress is not None else sys.stderr.isatty()),
        )
        try:
            for page in self.pages(collection, bbox=bbox, bbox_crs=bbox_crs, crs=crs or None,
                                   limit=limit, params=params):
                matched = page.body.get("numberMatched")
                if isinstance(matched, int) and bar.total is None:
                    bar.total = matched if max_features is None else min(matched, max_features)
                got = page.body["features"]
                page_crs = page.content_crs or crs or CRS84_URI
                if content_crs is not None and page_crs.strip("<>") != content_crs.strip("<>"):
                    raise RemoteSourceError(page.url, "pages came back in different CRSs")
                content_crs = page_crs
                features.extend(got)
                bar.update(len(got))
                if max_features is not None and len(features) >= max_features:
                    features = features[:max_features]
                    break
        finally:
            bar.close()
        return features_to_frame(features, content_crs or crs or CRS84_URI, what=collection)


def next_link(body: Mapping[str, Any]) -> str | None:
    """The ``href`` of the ``rel: next`` link of an OGC API (or HAL ``_links``) document."""
    for link in body.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    hal = (body.get("_links") or {}).get("next")
    if isinstance(hal, dict) and hal.get("href"):
        return str(hal["href"])
    return None


def features_to_frame(
    features: Sequence[Mapping[str, Any]], crs_uri: str, *, what: str
) -> gpd.GeoDataFrame:
    """GeoJSON features (in ``crs_uri``, axis order as that CRS defines) to EPSG:28992."""
    crs = crs_from_uri(crs_uri)
    rows = []
    for f in features:
        props = dict(f.get("properties") or {})
        if "id" in f and "id" not in props:
            props["id"] = f["id"]
        rows.append(props)
    geoms = np.array(
        [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in features],
        dtype=object,
    )
    if _north_first(crs) and len(geoms):
        # OGC API Part 2: coordinates follow the CRS's axis order (EPSG:4326 is lat, lon).
        geoms = shapely.transform(geoms, lambda xy: xy[:, ::-1])
    import pandas as pd

    frame = gpd.GeoDataFrame(pd.DataFrame(rows, index=range(len(rows))),
                             geometry=gpd.GeoSeries(geoms), crs=crs)
    if crs.equals(CRS.from_epsg(28992), ignore_axis_order=True):
        return frame.set_crs(RD_NEW, allow_override=True)
    try:
        from ..schema import ensure_rd

        return ensure_rd(frame, what)
    except ImportError:  # omgevingskaart.crs (RDNAPTRANS2018) not available
        return frame.to_crs(RD_NEW)


def _num(v: float) -> str:
    return repr(float(v)).rstrip("0").rstrip(".") if float(v) != int(v) else str(int(v))


def _is_name_error(exc: BaseException) -> bool:
    import socket

    cur: BaseException | None = exc
    while cur is not None:
        if isinstance(cur, socket.gaierror):
            return True
        text = str(cur).lower()
        if "name or service not known" in text or "nodename nor servname" in text or (
            "temporary failure in name resolution" in text
        ):
            return True
        cur = cur.__cause__ or cur.__context__
    return False
