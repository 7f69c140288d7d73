"""The Ruimtelijke Plannen Opvragen API v4: bestemmingsplannen (IMRO) at a location.

Base URL ``https://ruimte.omgevingswet.overheid.nl/ruimtelijke-plannen/api/opvragen/v4`` (DSO
API register, https://developer.omgevingswet.overheid.nl/api-register/api/rp-opvragen/). Every
request needs the user's own key in the ``x-api-key`` header; here it comes from the environment
variable ``RUIMTELIJKEPLANNEN_API_KEY``.

What the client does
--------------------
1. ``POST /plannen/_zoek?regelStatus=geldend`` (plans with rules in force; ``in ontwikkeling``
   added with ``drafts``) with a JSON body ``{"_geo": {"intersects": <GeoJSON polygon>}}`` (the
   bounding box; a user reports a Point refused as "geobody is invalid"), ``Content-Crs:
   epsg:28992`` for the geometry and ``Accept-Crs: epsg:28992`` for RD New answers; answers are
   HAL (``application/hal+json``: ``_embedded.plannen``, paging through ``_links.next.href``,
   ``pageSize`` up to 100).
2. Keeps the plans that rule the area: plan types that carry bestemmingen (bestemmingsplan,
   inpassingsplan, wijzigingsplan, uitwerkingsplan, beheersverordening, ...), not the drafts
   (``planstatusInfo.planstatus`` ontwerp / voorontwerp, unless ``drafts=True``) and not the plans
   whose legal force ended: since 1-1-2024 plans without transitional law carry
   ``eindeRechtsgeldigheid`` (e.g. ``01-01-2024``; DSO documentation) and are left out.
3. For each plan, its IMRO GML (``verwijzingNaarGml``, the file on ruimtelijkeplannen.nl) is
   downloaded once (disk cache) and read by :func:`omgevingskaart.io.imro.read`, the same reader
   the real IMRO samples test: all nine plan layers with the full maatvoering, text references
   and plan status. Only the objects that intersect the bounding box are kept. The API key is
   sent only to the API's own host, never to the GML's.
4. A plan without ``verwijzingNaarGml`` falls back to the plan-object endpoints ``POST
   /plannen/{planId}/{bestemmingsvlakken|bouwvlakken|functieaanduidingen|maatvoeringen}/_zoek``
   with the same ``_geo`` body: objects with ``id``, ``naam``, ``geometrie`` (GeoJSON), for
   bestemmingsvlakken ``type`` (enkelbestemming / dubbelbestemming), ``bestemmingshoofdgroep``,
   ``artikelnummer``; a maatvoering's ``omvang[]`` (``naam``/``waarde`` pairs) becomes tidy
   ``maatvoering`` rows.

Sources and what is not verified
--------------------------------
Base URL, the ``x-api-key`` header, the HAL answers, the endpoint list, ``/plannen/_zoek`` as a
POST with a GeoJSON geometry, ``verwijzingNaarGml`` and ``eindeRechtsgeldigheid`` come from the
DSO developer documentation (the API register and the DSO developers' quick start). The
``_geo.intersects`` body with ``Content-Type: application/json`` and ``Content-Crs``, and
``regelStatus`` come from answers on the Geoforum, the Dutch geo community forum (threads
"zoeken op coordinaten url", "ophalen van perceel bestemming volgens bestemmingsplan"; who
answered could not be checked), and agree with public clients of the API; the plan-object field names follow
those public clients. The provider's OpenAPI document (``<base>/``) could not be read where this
was written (no network). The tests run this client against a
server on 127.0.0.1 that answers in these shapes and serves the real IMRO sample GML: they check
the client (key, CRS headers, paging, filtering, GML download and reading, the fallback, errors),
not the provider's contract. Check it once against the live API with your key:
``omgevingskaart fetch --sources plannen --bbox ...``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import OmgevingskaartError, RemoteSourceError
from ..schema import conform, conform_columns, parse_number, unit_of
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
                 cache: bool | str | Path = True, retries: int = 5, progress: bool | None = None):
        self.base_url = (base_url or BASE_URL).rstrip("/")
        key = key or api_key()
        self._http = OGCAPIFeaturesClient(self.base_url, cache=cache, retries=retries,
                                          progress=progress)
        self._headers = {"x-api-key": key, "Content-Crs": "epsg:28992",
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

    def plannen(self, geometry: Mapping[str, Any], *, drafts: bool = False
                ) -> list[dict[str, Any]]:
        """The plans whose area intersects ``geometry`` (GeoJSON in RD New) with rules in force
        (``regelStatus=geldend``; with ``drafts`` also ``in ontwikkeling``)."""
        status = "geldend,in ontwikkeling" if drafts else "geldend"
        return list(self._search("/plannen/_zoek", "plannen", geometry,
                                 {"regelStatus": status}))

    def planobjecten(self, plan_id: str, kind: str,
                     geometry: Mapping[str, Any]) -> list[dict[str, Any]]:
        return list(self._search(f"/plannen/{quote(plan_id, safe='')}/{kind}/_zoek", kind,
                                 geometry))

    def fetch_bbox(self, bbox: Sequence[float], *, drafts: bool = False
                   ) -> dict[str, gpd.GeoDataFrame]:
        """The plan layers (bestemmingsplangebied, enkel/dubbelbestemming, bouwvlak,
        functieaanduiding, bouwaanduiding, maatvoering, ...) of the plans ruling the RD ``bbox``,
        clipped to the objects that intersect it. ``drafts`` keeps ontwerp/voorontwerp plans."""
        area = shapely.box(*bbox)
        geometry = shapely.geometry.mapping(area)
        plans = [p for p in self.plannen(geometry, drafts=drafts)
                 if rules_the_area(p, drafts=drafts)]
        parts: dict[str, list[gpd.GeoDataFrame]] = {}
        for plan in plans:
            pid = str(plan.get("id"))
            gml = plan.get("verwijzingNaarGml")
            got = (self._plan_from_gml(pid, str(gml), area) if gml
                   else self._plan_from_objects(plan, pid, geometry))
            for layer, frame in got.items():
                if len(frame):
                    parts.setdefault(layer, []).append(frame)
        return {layer: _concat(frames, layer) for layer, frames in parts.items()}

    def _plan_from_gml(self, plan_id: str, url: str, area: shapely.Geometry
                       ) -> dict[str, gpd.GeoDataFrame]:
        from ..io import imro

        same_host = urlsplit(url).netloc == urlsplit(self.base_url).netloc
        path = self._http.download(url, accept="application/gml+xml, application/xml, */*",
                                   suffix=".gml",
                                   extra_headers=self._headers if same_host else None)
        try:
            layers = imro.read(path)
        except OmgevingskaartError as exc:
            raise RemoteSourceError(url, f"the GML of plan {plan_id} is not readable IMRO: "
                                    f"{exc}") from exc
        out = {}
        for layer, frame in layers.items():
            keep = frame.intersects(area).to_numpy() if len(frame) else np.zeros(0, bool)
            out[layer] = frame[keep].reset_index(drop=True)
        return out

    def _plan_from_objects(self, plan: Mapping[str, Any], pid: str,
                           geometry: Mapping[str, Any]) -> dict[str, gpd.GeoDataFrame]:
        rows: dict[str, list[tuple[dict[str, Any], Any]]] = {}
        status = plan.get("planstatusInfo") or {}
        overheid = plan.get("beleidsmatigVerantwoordelijkeOverheid") or {}
        if plan.get("geometrie"):
            rows.setdefault("bestemmingsplangebied", []).append(({
                "identificatie": pid, "plan_id": pid, "naam": plan.get("naam"),
                "type_plan": plan.get("type"), "planstatus": status.get("planstatus"),
                "datum": status.get("datum"), "overheid": overheid.get("naam"), "bron": BRON,
            }, plan["geometrie"]))
        for kind in PLANOBJECTS:
            for obj in self.planobjecten(pid, kind, geometry):
                for layer, row in planobject_rows(kind, obj, pid):
                    rows.setdefault(layer, []).append((row, obj.get("geometrie")))
        layers = {}
        for layer, items in rows.items():
            items = [(r, g) for r, g in items if g]
            if not items:
                continue
            names = dict.fromkeys(k for r, _ in items for k in r)
            columns = {k: [r.get(k) for r, _ in items] for k in names}
            geoms = [shapely.geometry.shape(g) for _, g in items]
            layers[layer] = conform_columns(columns, geoms, layer,
                                            what=f"{self.base_url} plan {pid} ({layer})")
        return layers

    # regelteksten
    def regelteksten(self, plan_id: str, geometry: Mapping[str, Any]) -> list[PlanTekst]:
        """The regels text of the bestemmingen of plan ``plan_id`` that intersect ``geometry``
        (GeoJSON, RD New): ``POST /plannen/{planId}/bestemmingsvlakken/_zoek``, then for each
        bestemmingsvlak the texts its ``_links.teksten`` point at (``GET
        /plannen/{planId}/teksten/{id}``: ``titel`` and ``inhoud`` in XHTML), each fetched once
        (disk cache). The key is sent only to the API's own host."""
        out: list[PlanTekst] = []
        seen: set[str] = set()
        api_host = urlsplit(self.base_url).netloc
        for vlak in self.planobjecten(plan_id, "bestemmingsvlakken", geometry):
            artikel = vlak.get("artikelnummer") or vlak.get("artikelNummer")
            links = (vlak.get("_links") or {}).get("teksten") or []
            for link in links if isinstance(links, list) else [links]:
                href = str((link or {}).get("href") or "")
                if not href:
                    continue
                url = href if urlsplit(href).scheme else f"{self.base_url}{href}"
                if url in seen:
                    continue
                seen.add(url)
                doc, _, _ = self._http.request_json(
                    url, accept=_HAL,
                    extra_headers=self._headers if urlsplit(url).netloc == api_host else None)
                out.append(PlanTekst(plan_id=plan_id, artikel=None if artikel is None else str(artikel),
                                     bestemming=vlak.get("naam"), titel=doc.get("titel"),
                                     tekst=xhtml_text(doc.get("inhoud")), url=url))
        return out


@dataclass
class PlanTekst:
    """One text of a plan's regels, as the API gives it for a bestemming."""

    plan_id: str
    artikel: str | None
    bestemming: str | None
    titel: str | None
    tekst: str | None
    url: str


#: the longest rule text kept, in characters (the report shows the text, the link has the rest)
MAX_TEKST = 4000
_BLOCKS = ("p", "li", "br", "tr", "div", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt")


def xhtml_text(inhoud: Any, *, limit: int = MAX_TEKST) -> str | None:
    r"""The plain text of an XHTML fragment (the API's ``inhoud``): one line per paragraph or list
    item, whitespace collapsed, at most ``limit`` characters (cut at a word, then " …").

    >>> xhtml_text("<p>De voor <b>Wonen</b> aangewezen gronden</p><ul><li>a. wonen;</li></ul>")
    'De voor Wonen aangewezen gronden\na. wonen;'
    """
    if not inhoud or not str(inhoud).strip():
        return None
    import lxml.html

    root = lxml.html.fragment_fromstring(str(inhoud), create_parent="div")
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    text = "\n".join(line for line in lines if line)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text or None


#: plan types that hold bestemmingen (IMRO TypePlan values, as the API spells them).
PLAN_TYPES = frozenset({
    "bestemmingsplan", "inpassingsplan", "wijzigingsplan", "uitwerkingsplan",
    "beheersverordening", "omgevingsvergunning", "projectbesluit", "voorbereidingsbesluit",
    "aanwijzingsbesluit", "reactieve aanwijzing", "tijdelijke ontheffing buitenplans",
})
_DRAFT = ("ontwerp", "voorontwerp", "concept")


def rules_the_area(plan: Mapping[str, Any], *, drafts: bool = False,
                   today: dt.date | None = None) -> bool:
    """Whether an API plan object counts: a plan type with bestemmingen, not a draft (unless
    ``drafts``), legal force not ended (``eindeRechtsgeldigheid`` on or before ``today``).

    >>> rules_the_area({"type": "bestemmingsplan", "planstatusInfo": {"planstatus": "vastgesteld"}})
    True
    >>> rules_the_area({"type": "structuurvisie"})
    False
    >>> rules_the_area({"type": "bestemmingsplan", "planstatusInfo": {"planstatus": "ontwerp"}})
    False
    >>> rules_the_area({"type": "bestemmingsplan", "eindeRechtsgeldigheid": "01-01-2024"},
    ...                today=dt.date(2026, 11, 29))
    False
    """
    kind = str(plan.get("type") or "").strip().lower()
    if kind not in PLAN_TYPES:
        return False
    status = str((plan.get("planstatusInfo") or {}).get("planstatus") or "").strip().lower()
    if not drafts and status.startswith(_DRAFT):
        return False
    end = _date(plan.get("eindeRechtsgeldigheid"))
    return end is None or end > (today or dt.date.today())


def _date(value: Any) -> dt.date | None:
    """A date from ``2024-01-01``, ``2024-01-01T00:00:00``, ``01-01-2024`` or a mapping with
    ``datum``; None for nothing or an unreadable value."""
    if isinstance(value, Mapping):
        value = value.get("datum")
    if not value:
        return None
    text = str(value).strip()[:10]
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _concat(frames: list[gpd.GeoDataFrame], layer: str) -> gpd.GeoDataFrame:
    """One layer from the plans' frames (all already in the layer's schema)."""
    if len(frames) == 1:
        return frames[0]
    return conform(pd.concat(frames, ignore_index=True), layer,
                   what=f"Ruimtelijke Plannen ({layer})", keep_extra=True)


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
