"""The Ruimtelijke Plannen Opvragen API v4: bestemmingsplannen (IMRO) at a location.

Base URL ``https://ruimte.omgevingswet.overheid.nl/ruimtelijke-plannen/api/opvragen/v4`` (DSO
API register, https://developer.omgevingswet.overheid.nl/api-register/api/rp-opvragen/; the
OpenAPI document is at ``<base>/openapi.json`` without a key). Every data request needs the user's
own key in the ``X-Api-Key`` header; here it comes from the environment variable
``RUIMTELIJKEPLANNEN_API_KEY``. Request shapes used (from that OpenAPI document and the DSO
developer documentation):

* ``POST /plannen/_zoek`` with a JSON body ``{"_geo": {"intersects": <GeoJSON geometry>}}``; the
  geometry's CRS is given with the ``Content-Crs: epsg:28992`` header and ``Accept-Crs:
  epsg:28992`` asks for RD New output; answers are HAL (``_embedded.plannen``, paging through
  ``_links.next.href``, ``pageSize`` up to 100);
* ``POST /plannen/{planId}/bestemmingsvlakken/_zoek`` (and ``bouwvlakken``,
  ``functieaanduidingen``, ``maatvoeringen``) with the same ``_geo`` body; each object has ``id``,
  ``naam``, ``geometrie`` (GeoJSON) and for bestemmingsvlakken ``type`` (enkelbestemming /
  dubbelbestemming), ``bestemmingshoofdgroep``, ``artikelnummer``; a maatvoering carries
  ``omvang[]`` with ``naam`` (e.g. "maximum bouwhoogte (m)") and ``waarde`` pairs, which become
  tidy ``maatvoering`` rows (one per omvang entry).

Not tested against the live service (that needs a key and the network); the parsing follows the
documented shapes above.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
import shapely

from ..errors import RemoteSourceError
from ..schema import RD_NEW, conform, parse_number, unit_of
from .ogcapi import OGCAPIFeaturesClient, next_link

BASE_URL = "https://ruimte.omgevingswet.overheid.nl/ruimtelijke-plannen/api/opvragen/v4"
API_KEY_ENV = "RUIMTELIJKEPLANNEN_API_KEY"
BRON = "Ruimtelijke Plannen API v4"
_HAL = "application/hal+json, application/json;q=0.9"

#: planobject endpoint -> embedded key (the same word, as the API names both).
PLANOBJECTS = ("bestemmingsvlakken", "bouwvlakken", "functieaanduidingen", "maatvoeringen")


def api_key() -> str:
    """The key from ``RUIMTELIJKEPLANNEN_API_KEY``, or a clear error saying how to set it."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise RemoteSourceError(
            None,
            f"the Ruimtelijke Plannen API needs an API key: set the environment variable "
            f"{API_KEY_ENV} (request a free key at https://developer.omgevingswet.overheid.nl)",
        )
    return key


class RuimtelijkePlannenClient:
    """Bestemmingsplannen and their planobjecten in an area, as normalised layers."""

    def __init__(self, *, base_url: str | None = None, key: str | None = None,
                 cache: bool = True, retries: int = 5, progress: bool | None = None):
        self.base_url = (base_url or BASE_URL).rstrip("/")
        key = key or api_key()
        self._http = OGCAPIFeaturesClient(self.base_url, cache=cache, retries=retries,
                                          progress=progress)
        self._headers = {"X-Api-Key": key, "Content-Crs": "epsg:28992",
                         "Accept-Crs": "epsg:28992"}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RuimtelijkePlannenClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _search(self, path: str, key: str, geometry: Mapping[str, Any],
                params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        url: str | None = f"{self.base_url}{path}"
        query: Mapping[str, Any] | None = {"pageSize": 100, **(params or {})}
        body = {"_geo": {"intersects": dict(geometry)}}
        seen: set[str] = set()
        while url:
            doc, _, _ = self._http.request_json(url, query, method="POST", json_body=body,
                                                accept=_HAL, extra_headers=self._headers)
            items = (doc.get("_embedded") or {}).get(key) or []
            yield from items
            nxt = next_link(doc)
            if not nxt or nxt in seen or not items:
                break
            seen.add(nxt)
            url, query = nxt, None

    def plannen(self, geometry: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The plans whose area intersects ``geometry`` (GeoJSON in RD New)."""
        return list(self._search("/plannen/_zoek", "plannen", geometry))

    def planobjecten(self, plan_id: str, kind: str,
                     geometry: Mapping[str, Any]) -> list[dict[str, Any]]:
        return list(self._search(f"/plannen/{quote(plan_id, safe='')}/{kind}/_zoek", kind,
                                 geometry))

    def fetch_bbox(self, bbox: Sequence[float]) -> dict[str, gpd.GeoDataFrame]:
        """Normalised layers (bestemmingsplangebied, enkel/dubbelbestemming, bouwvlak,
        functieaanduiding, maatvoering) for the plans intersecting the RD ``bbox``."""
        geometry = shapely.geometry.mapping(shapely.box(*bbox))
        plans = self.plannen(geometry)
        rows: dict[str, list[tuple[dict[str, Any], Any]]] = {}
        for plan in plans:
            pid = str(plan.get("id"))
            status = plan.get("planstatusInfo") or {}
            overheid = plan.get("beleidsmatigVerantwoordelijkeOverheid") or {}
            if plan.get("geometrie"):
                rows.setdefault("bestemmingsplangebied", []).append(({
                    "identificatie": pid, "plan_id": pid, "naam": plan.get("naam"),
                    "type_plan": plan.get("type"), "planstatus": status.get("planstatus"),
                    "datum": status.get("datum"), "overheid": overheid.get("naam"),
                    "bron": BRON,
                }, plan["geometrie"]))
            for kind in PLANOBJECTS:
                for obj in self.planobjecten(pid, kind, geometry):
                    for layer, row in planobject_rows(kind, obj, pid):
                        rows.setdefault(layer, []).append((row, obj.get("geometrie")))
        layers = {}
        for layer, items in rows.items():
            items = [(r, g) for r, g in items if g]
            frame = gpd.GeoDataFrame(
                pd.DataFrame([r for r, _ in items]),
                geometry=gpd.GeoSeries([shapely.geometry.shape(g) for _, g in items],
                                       crs=RD_NEW), crs=RD_NEW)
            layers[layer] = conform(frame, layer, what=f"{self.base_url} {layer}")
        return layers


def _tekst_ref(obj: Mapping[str, Any]) -> str | None:
    refs = obj.get("verwijzingNaarTekst") or obj.get("verwijzingNaarTekstInfo")
    if isinstance(refs, list) and refs:
        first = refs[0]
        return str(first.get("href") or first.get("referentie") or first) \
            if isinstance(first, dict) else str(first)
    return str(refs) if refs else None


def planobject_rows(kind: str, obj: Mapping[str, Any],
                    plan_id: str) -> list[tuple[str, dict[str, Any]]]:
    """``(layer, row)`` pairs for one API planobject; a maatvoering gives one row per omvang."""
    base = {
        "identificatie": obj.get("id"), "plan_id": plan_id, "naam": obj.get("naam"),
        "hoofdgroep": obj.get("bestemmingshoofdgroep"),
        "artikelnummer": obj.get("artikelnummer") or obj.get("artikelNummer"),
        "tekst_ref": _tekst_ref(obj), "bron": BRON,
    }
    if kind == "bestemmingsvlakken":
        layer = "dubbelbestemming" if str(obj.get("type", "")).lower().startswith(
            "dubbel") else "enkelbestemming"
        return [(layer, base)]
    if kind == "bouwvlakken":
        return [("bouwvlak", base)]
    if kind == "functieaanduidingen":
        return [("functieaanduiding", base)]
    if kind == "maatvoeringen":
        out = []
        for omvang in obj.get("omvang") or []:
            naam = omvang.get("naam")
            waarde = omvang.get("waarde")
            out.append(("maatvoering", {
                **base, "waarde_type": naam, "waarde": parse_number(waarde),
                "waarde_tekst": None if waarde is None else str(waarde),
                "eenheid": unit_of(naam),
            }))
        return out
    raise ValueError(f"unknown planobject kind {kind!r}")
