"""Presets for the live sources and the mapping of their properties onto the normalised schemas.

Base URLs and collection ids, as the providers publish them (checked against their pages):

* **PDOK BGT OGC API** ``https://api.pdok.nl/lv/bgt/ogc/v1`` - one collection per BGT class
  (``pand``, ``wegdeel``, ``waterdeel``, ``begroeidterreindeel``, ...; 49 in all), CC0. Properties
  include ``lokaal_id``, ``functie``, ``fysiek_voorkomen``, ``eind_registratie``
  (https://www.pdok.nl/ogc-apis, https://api.pdok.nl/lv/bgt/ogc/v1/collections).
* **PDOK BAG OGC API** ``https://api.pdok.nl/kadaster/bag/ogc/v2`` - collections ``pand``
  (``identificatie``, ``bouwjaar``, ``status``, ``gebruiksdoel``, ``aantal_verblijfsobjecten``),
  ``verblijfsobject``, ``ligplaats``, ``standplaats``
  (https://www.pdok.nl/ogc-apis/-/article/basisregistratie-adressen-en-gebouwen-ba-1; schema at
  ``.../collections/pand/schema``).
* **PDOK Kadastrale Kaart OGC API** ``https://api.pdok.nl/kadaster/brk-kadastrale-kaart/ogc/v1``
  - collection ``perceel`` (``identificatie_lokaal_id``, ``akr_kadastrale_gemeente_code_waarde``,
  ``kadastrale_gemeente_waarde``, ``sectie``, ``perceelnummer``, ``kadastrale_grootte_waarde``);
  PDOK's OGC API page for the Kadastrale Kaart
  (https://www.pdok.nl/ogc-apis/-/article/kadastrale-kaart) lists this URL; the
  ``kadaster/kadastralekaart/ogc/v5`` path could not be confirmed as a Features endpoint (only a
  pre-production tiles path), so it is not the default. The Kadastrale Kaart holds no owners;
  only the whitelisted columns below are kept anyway (AVG).
* **3D BAG API** ``https://api.3dbag.nl`` - OGC API Features with CityJSON: ``/collections/pand/
  items?bbox=...`` (RD New / EPSG:7415 coordinates) answers a ``FeatureCollection`` whose
  ``features`` are CityJSONFeatures, with the vertex ``transform`` in ``metadata`` and paging
  through ``links`` (rel ``next``) (3DBAG/3dbag-api: ``schemas/featureCollection.yaml``,
  ``app/views.py``; https://docs.3dbag.nl). Attributes as in the 3D BAG (``b3_h_maaiveld``,
  ``b3_h_dak_50p`` ..., older ``h_dak_70p``).

Every mapping takes candidate property names in order, so the same preset also reads a server that
already serves normalised columns (an omgevingskaart dataset behind pygeoapi, as in the tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import RemoteSourceError
from ..schema import RD_NEW, conform
from .ogcapi import OGCAPIFeaturesClient, next_link

BGT_URL = "https://api.pdok.nl/lv/bgt/ogc/v1"
BAG_URL = "https://api.pdok.nl/kadaster/bag/ogc/v2"
BRK_URL = "https://api.pdok.nl/kadaster/brk-kadastrale-kaart/ogc/v1"
DBAG_URL = "https://api.3dbag.nl"

#: BGT classes fetched by default (polygon classes that the report and maps use).
BGT_CLASSES = (
    "pand", "wegdeel", "ondersteunendwegdeel", "waterdeel", "ondersteunendwaterdeel",
    "begroeidterreindeel", "onbegroeidterreindeel", "overbruggingsdeel",
)

#: target column -> candidate property names, per layer kind.
_BGT_MAP = {
    "identificatie": ("lokaal_id", "identificatie", "gml_id", "id"),
    "bgt_status": ("bgt_status", "status", "bgt-status"),
    "functie": ("functie", "bgt_functie", "function"),
    "fysiek_voorkomen": ("fysiek_voorkomen", "bgt_fysiek_voorkomen", "surfaceMaterial"),
    "type": ("type", "bgt_type"),
    "relatieve_hoogteligging": ("relatieve_hoogteligging", "relatieveHoogteligging"),
    "identificatie_bag_pnd": ("identificatie_bag_pnd", "identificatiebagpnd",
                              "identificatieBAGPND"),
    "tijdstip_registratie": ("tijdstip_registratie", "creationDate"),
}
_PAND_MAP = {
    "identificatie": ("identificatie", "id"),
    "status": ("status",),
    "bouwjaar": ("bouwjaar", "oorspronkelijkbouwjaar", "oorspronkelijk_bouwjaar"),
}
_VBO_MAP = {
    "identificatie": ("identificatie", "id"),
    "nummeraanduiding_identificatie": ("nummeraanduiding_identificatie",
                                       "nummeraanduiding_hoofdadres_identificatie"),
    "openbare_ruimte": ("openbare_ruimte", "openbare_ruimte_naam", "openbareruimte"),
    "huisnummer": ("huisnummer",),
    "huisletter": ("huisletter",),
    "huisnummertoevoeging": ("huisnummertoevoeging", "toevoeging"),
    "postcode": ("postcode",),
    "woonplaats": ("woonplaats", "woonplaats_naam", "woonplaatsnaam"),
    "status": ("status",),
    "pand_identificatie": ("pand_identificatie",),
    "gebruiksdoel": ("gebruiksdoel",),
    "oppervlakte": ("oppervlakte",),
}
_PERCEEL_MAP = {
    "identificatie": ("identificatie", "identificatie_lokaal_id", "id"),
    "kadastrale_gemeente_code": ("kadastrale_gemeente_code", "akr_kadastrale_gemeente_code_waarde",
                                 "akr_kadastrale_gemeente_code"),
    "kadastrale_gemeente": ("kadastrale_gemeente", "kadastrale_gemeente_waarde"),
    "sectie": ("sectie",),
    "perceelnummer": ("perceelnummer",),
    "kadastrale_aanduiding": ("kadastrale_aanduiding",),
    "kadastrale_grootte": ("kadastrale_grootte", "kadastrale_grootte_waarde"),
}


def map_properties(
    frame: gpd.GeoDataFrame, mapping: Mapping[str, Sequence[str]], *, bron: str
) -> gpd.GeoDataFrame:
    """Only the mapped columns (first candidate present wins), plus ``bron`` and the geometry."""
    out: dict[str, Any] = {}
    for target, candidates in mapping.items():
        for name in candidates:
            if name in frame.columns:
                out[target] = frame[name].to_numpy()
                break
    data = pd.DataFrame(out, index=frame.index)
    data["bron"] = bron
    return gpd.GeoDataFrame(data, geometry=frame.geometry, crs=frame.crs or RD_NEW)


def _join_list(value: object) -> object:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def _current_bgt(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop BGT objects whose registration has ended (``eind_registratie`` set)."""
    for col in ("eind_registratie", "eindRegistratie", "terminationDate"):
        if col in frame.columns:
            frame = frame[frame[col].isna()]
    return frame


def _perceel(frame: gpd.GeoDataFrame, bron: str) -> gpd.GeoDataFrame:
    out = map_properties(frame, _PERCEEL_MAP, bron=bron)
    if "kadastrale_aanduiding" not in out.columns or out["kadastrale_aanduiding"].isna().all():
        parts = [out.get(c) for c in ("kadastrale_gemeente_code", "sectie", "perceelnummer")]
        if all(p is not None for p in parts):
            out["kadastrale_aanduiding"] = [
                " ".join(str(x) for x in row) if all(pd.notna(x) for x in row) else None
                for row in zip(*parts, strict=True)
            ]
    return out


@dataclass(frozen=True)
class Collection:
    """One collection of a source: its id, the layer it fills and how properties map."""

    id: str
    layer: str
    convert: Callable[[gpd.GeoDataFrame, str], gpd.GeoDataFrame]


@dataclass(frozen=True)
class Source:
    """A live source preset: name, default base URL, attribution, collections."""

    name: str
    base_url: str
    title: str
    collections: tuple[Collection, ...] = field(default_factory=tuple)


def _bgt_convert(frame: gpd.GeoDataFrame, bron: str) -> gpd.GeoDataFrame:
    return map_properties(_current_bgt(frame), _BGT_MAP, bron=bron)


def _vbo_convert(frame: gpd.GeoDataFrame, bron: str) -> gpd.GeoDataFrame:
    frame = frame.copy()
    for col in ("pand_identificatie", "gebruiksdoel"):
        if col in frame.columns:
            frame[col] = frame[col].map(_join_list)
    return map_properties(frame, _VBO_MAP, bron=bron)


SOURCES: dict[str, Source] = {
    "bgt": Source("bgt", BGT_URL, "BGT (PDOK OGC API, CC0)", tuple(
        Collection(c, f"bgt_{c}", _bgt_convert) for c in BGT_CLASSES
    )),
    "bag": Source("bag", BAG_URL, "BAG (PDOK OGC API)", (
        Collection("pand", "pand", lambda f, b: map_properties(f, _PAND_MAP, bron=b)),
        Collection("verblijfsobject", "verblijfsobject", _vbo_convert),
    )),
    "brk": Source("brk", BRK_URL, "BRK Kadastrale Kaart (PDOK OGC API, CC BY 4.0)", (
        Collection("perceel", "perceel", _perceel),
    )),
    "3dbag": Source("3dbag", DBAG_URL, "3D BAG (3DBAG API, CC BY 4.0)", ()),
}


def fetch_source(
    source: Source,
    client: OGCAPIFeaturesClient,
    bbox: Sequence[float],
    *,
    limit: int = 1000,
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """The source's layers within the RD ``bbox``, conformed; and notes (skipped collections)."""
    notes: list[str] = []
    offered = client.collections()
    layers: dict[str, gpd.GeoDataFrame] = {}
    for col in source.collections:
        if col.id not in offered:
            notes.append(f"{source.name}: collection {col.id!r} not offered by {client.base_url}")
            continue
        raw = client.items(col.id, bbox=bbox, limit=limit, desc=f"{source.name}/{col.id}")
        frame = col.convert(raw, source.title)
        if len(frame):
            frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        layers[col.layer] = conform(frame, col.layer, what=f"{client.base_url} {col.id}")
    return layers, notes


# --- 3D BAG -----------------------------------------------------------------------------------

def cityjson_features_to_pand(
    features: Sequence[Mapping[str, Any]], transform: Mapping[str, Any] | None, *, bron: str
) -> gpd.GeoDataFrame:
    """3D BAG CityJSONFeatures to ``pand`` rows, parsed exactly as a ``.city.jsonl`` file is
    (:func:`omgevingskaart.io.cityjson.features_to_pand`: footprint, normalised 3D BAG heights)."""
    from ..io.cityjson import features_to_pand

    return features_to_pand([dict(f) for f in features], dict(transform) if transform else None,
                            source="3D BAG API", bron=bron)


def fetch_3dbag(
    client: OGCAPIFeaturesClient, bbox: Sequence[float], *, limit: int = 100,
    bron: str = "3D BAG (3DBAG API, CC BY 4.0)",
) -> gpd.GeoDataFrame:
    """3D BAG panden in the RD ``bbox`` from ``/collections/pand/items`` (CityJSONFeatures).

    The bbox is sent in RD (the API's EPSG:7415 horizontal part) without ``bbox-crs``.
    """
    url: str | None = client.items_url("pand")
    params: dict[str, Any] | None = {
        "bbox": ",".join(str(float(v)) for v in bbox), "limit": int(limit)}
    frames = []
    seen: set[str] = set()
    while url:
        body, _, _ = client.request_json(url, params, accept="application/city+json, "
                                                             "application/json;q=0.9")
        feats = body.get("features") if isinstance(body, dict) else None
        if not isinstance(feats, list):
            raise RemoteSourceError(url, "not a 3D BAG feature collection (no 'features')")
        meta = body.get("metadata") or {}
        transform = body.get("transform") or meta.get("transform")
        frames.append(cityjson_features_to_pand(feats, transform, bron=bron))
        nxt = next_link(body)
        if not nxt or nxt in seen or not feats:
            break
        seen.add(nxt)
        url, params = nxt, None
    frame = pd.concat(frames, ignore_index=True) if frames else cityjson_features_to_pand([], None,
                                                                                          bron=bron)
    return conform(gpd.GeoDataFrame(frame, geometry="geometry", crs=RD_NEW), "pand",
                   what=f"{client.base_url} pand")


def combine_pand(bag: gpd.GeoDataFrame | None, dbag: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """BAG panden with the 3D BAG heights joined on identificatie (the BAG footprint wins);
    3D BAG panden missing from the BAG answer are added as they are."""
    if bag is None:
        assert dbag is not None
        return dbag
    if dbag is None or not len(dbag):
        return bag
    b3_cols = ["b3_h_maaiveld", "b3_h_dak_50p", "b3_h_dak_70p", "b3_h_dak_max", "b3_h_dak_min",
               "b3_dak_type", "b3_bouwlagen"]
    heights = dbag.drop_duplicates("identificatie").set_index("identificatie")[b3_cols]
    out = bag.copy()
    ids = out["identificatie"].astype("string")
    for col in b3_cols:
        mapped = ids.map(heights[col]).to_numpy()
        have = pd.isna(out[col].to_numpy(dtype=object))
        vals = out[col].astype(object).to_numpy()
        vals[have] = mapped[have]
        out[col] = vals
    extra = dbag[~dbag["identificatie"].isin(set(ids.dropna()))]
    both = pd.concat([out, extra], ignore_index=True)
    return conform(gpd.GeoDataFrame(both, geometry="geometry", crs=RD_NEW), "pand")
