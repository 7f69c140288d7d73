"""PDOK bag-light GeoPackage reader (``bag-light.gpkg``): the current BAG with addresses joined.

What is read
------------
PDOK publishes the current BAG as one GeoPackage with layers ``pand``, ``verblijfsobject``,
``ligplaats``, ``standplaats`` and ``woonplaats`` (EPSG:28992), the same tables that back PDOK's
BAG OGC API. The column names used here are PDOK's published ones, taken from the collection
schemas of that API (https://api.pdok.nl/lv/bag/ogc/v1-demo/collections/verblijfsobject/schema,
.../standplaats/schema, and https://api.pdok.nl/kadaster/bag/ogc/v2/collections/pand/schema):

* verblijfsobject: ``identificatie, oppervlakte, status, gebruiksdoel, hoofdadres_identificatie,
  huisnummer, huisletter, toevoeging, postcode, hoofdadres_status, openbare_ruimte_identificatie,
  openbare_ruimte_naam, openbare_ruimte_naam_kort, openbare_ruimte_status,
  woonplaats_identificatie, woonplaats_naam, woonplaats_status, bronhouder_identificatie,
  bronhouder_naam, pand_identificatie, bouwjaar, pandstatus, nevenadressen, rdf_seealso``;
* ligplaats / standplaats: the address columns above (no oppervlakte, gebruiksdoel, pand);
* pand: ``identificatie, bouwjaar, status, gebruiksdoel, aantal_verblijfsobjecten,
  documentdatum, documentnummer, geconstateerd, rdf_seealso``;
* woonplaats: ``identificatie, naam, status`` (+ bronhouder columns).

Mapping to the normalised schema: ``hoofdadres_identificatie`` -> ``nummeraanduiding_identificatie``,
``toevoeging`` -> ``huisnummertoevoeging``, ``openbare_ruimte_naam`` -> ``openbare_ruimte``,
``woonplaats_naam`` -> ``woonplaats``; PDOK's comma-separated multi-values (gebruiksdoel,
pand_identificatie) become ``;``-separated like the BAG extract reader's. Extra columns kept:
``bronhouder_naam``, ``aantal_verblijfsobjecten`` (pand), ``nevenadressen``.

No real bag-light sample is available to this project; the tests build a GeoPackage with exactly
these column names. Only the current state exists in bag-light (no voorkomens, no history).
Reading is GDAL's GPKG driver via pyogrio (Arrow), restricted to the columns used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..errors import CRSError, DataFileError, SchemaError
from ..schema import conform
from . import _coords

FORMAT = "PDOK bag-light GeoPackage"

LAYERS = ("pand", "verblijfsobject", "ligplaats", "standplaats", "woonplaats")

_ADDRESS = {
    "hoofdadres_identificatie": "nummeraanduiding_identificatie",
    "huisnummer": "huisnummer",
    "huisletter": "huisletter",
    "toevoeging": "huisnummertoevoeging",
    "postcode": "postcode",
    "openbare_ruimte_naam": "openbare_ruimte",
    "woonplaats_naam": "woonplaats",
}
#: layer -> {PDOK column: normalised column}
COLUMNS: dict[str, dict[str, str]] = {
    "pand": {"identificatie": "identificatie", "status": "status", "bouwjaar": "bouwjaar",
             "aantal_verblijfsobjecten": "aantal_verblijfsobjecten"},
    "verblijfsobject": {"identificatie": "identificatie", "status": "status", **_ADDRESS,
                        "pand_identificatie": "pand_identificatie",
                        "gebruiksdoel": "gebruiksdoel", "oppervlakte": "oppervlakte",
                        "nevenadressen": "nevenadressen", "bronhouder_naam": "bronhouder_naam"},
    "ligplaats": {"identificatie": "identificatie", "status": "status", **_ADDRESS,
                  "nevenadressen": "nevenadressen", "bronhouder_naam": "bronhouder_naam"},
    "standplaats": {"identificatie": "identificatie", "status": "status", **_ADDRESS,
                    "nevenadressen": "nevenadressen", "bronhouder_naam": "bronhouder_naam"},
    "woonplaats": {"identificatie": "identificatie", "naam": "naam", "status": "status"},
}
#: a column only bag-light's verblijfsobject has (not this project's own dataset GeoPackage).
_MARKERS = {"hoofdadres_identificatie", "openbare_ruimte_naam", "woonplaats_naam"}
_LISTS = ("pand_identificatie", "gebruiksdoel", "nevenadressen")


def _layers(path: Path) -> list[str]:
    try:
        return [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception:
        return []


def sniff(path: Path, head: bytes) -> bool:
    """A GeoPackage with bag-light's layers and PDOK's address column names."""
    if path.is_dir() or not head.startswith(b"SQLite format 3"):
        return False
    layers = set(_layers(path))
    if not layers & {"verblijfsobject", "ligplaats", "standplaats"}:
        return False
    for name in ("verblijfsobject", "ligplaats", "standplaats"):
        if name in layers:
            try:
                fields = set(pyogrio.read_info(path, layer=name)["fields"])
            except Exception:
                return False
            return bool(fields & _MARKERS)
    return False


def _split_list(values: pd.Series) -> np.ndarray:
    s = values.astype("string")
    return np.asarray(s.str.replace(r"\s*[,;]\s*", ";", regex=True).to_numpy())


def read(path: Path, **options: Any) -> dict[str, gpd.GeoDataFrame]:
    """Read bag-light's layers (those present) into the normalised BAG layers."""
    if options:
        raise TypeError(f"unknown option(s) for the bag-light reader: {', '.join(options)}")
    path = Path(path)
    present = _layers(path)
    if not present:
        raise DataFileError(path, "not a readable GeoPackage")
    out: dict[str, gpd.GeoDataFrame] = {}
    for layer in LAYERS:
        if layer not in present:
            continue
        mapping = COLUMNS[layer]
        try:
            info = pyogrio.read_info(path, layer=layer)
        except Exception as exc:
            raise DataFileError(path, f"GDAL cannot read the layer: {exc}", element=layer) from exc
        fields = set(info["fields"])
        if "identificatie" not in fields:
            raise SchemaError(f"{path} ({layer}): no column 'identificatie' (bag-light layer "
                              f"columns expected: {', '.join(mapping)})")
        cols = [c for c in mapping if c in fields]
        try:
            df = pyogrio.read_dataframe(path, layer=layer, columns=cols, use_arrow=True)
        except Exception as exc:
            raise DataFileError(path, f"GDAL cannot read the layer: {exc}", element=layer) from exc
        if df.crs is None:
            raise CRSError(f"{path} ({layer}): no CRS; expected EPSG:28992")
        data: dict[str, Any] = {}
        for src in cols:
            dst = mapping[src]
            data[dst] = _split_list(df[src]) if dst in _LISTS else df[src].to_numpy()
        if "identificatie" in data:
            data["identificatie"] = pd.Series(data["identificatie"]).astype("string").str.zfill(
                4 if layer == "woonplaats" else 16).to_numpy()
        data["bron"] = "BAG (PDOK bag-light)"
        geom = df.geometry.to_numpy()
        if layer == "verblijfsobject":
            poly = np.isin(shapely.get_type_id(geom), [3, 6])
            if poly.any():
                geom = geom.copy()
                geom[poly] = shapely.point_on_surface(geom[poly])
        _coords.check_rd(geom, path, data.get("identificatie"), layer=layer)
        gdf = gpd.GeoDataFrame(pd.DataFrame(data), geometry=shapely.force_2d(geom), crs=df.crs)
        out[layer] = conform(gdf, layer, what=f"{path} ({layer})", keep_extra=True)
    if not out:
        raise DataFileError(path, f"no bag-light layers ({', '.join(LAYERS)})")
    return out
