"""Lagen: the catalogue for chain partners: per layer its source and licence (with links), the
data's date and where that date comes from, the object count, the API address, the demo notice on
synthetic layers, and downloads (GeoPackage, GeoJSON) with the data's date in the file name."""

from __future__ import annotations

import io
import os
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import pyogrio
import streamlit as st

from ..crs import gdf_to_wgs84
from ..layerinfo import api_items_path, download_name, layer_columns, layer_date, licence_url
from .common import get_dataset, md_link


@st.cache_data(show_spinner="Bestand maken…", max_entries=32)
def layer_geopackage(path: str, layer: str) -> bytes:
    """One layer of the dataset as a GeoPackage (EPSG:28992): the whole layer, read from the
    store for this download only (not kept)."""
    from ..dataset import open_dataset

    frame = open_dataset(path).features(layer)
    fd, tmp = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    Path(tmp).unlink()
    try:
        pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG")
        return Path(tmp).read_bytes()
    finally:
        Path(tmp).unlink(missing_ok=True)


@st.cache_data(show_spinner="Bestand maken…", max_entries=32)
def layer_geojson(path: str, layer: str) -> bytes:
    """One layer as GeoJSON (RFC 7946: WGS84 lon/lat, via RDNAPTRANS2018)."""
    from ..dataset import open_dataset

    frame = gdf_to_wgs84(open_dataset(path).features(layer))
    buf = io.BytesIO()
    buf.write(frame.to_json(drop_id=True, ensure_ascii=False, na="null").encode("utf-8"))
    return buf.getvalue()


def _nl_int(n: int) -> str:
    """``12.345``: Dutch thousands separator (only in the number, never in the text around it)."""
    return f"{n:,}".replace(",", ".")


def is_synthetic_layer(ds: Any, layer: str) -> bool:
    """A demo layer: the dataset says it is synthetic, or the layer's ``bron`` column does."""
    if ds.is_synthetic:
        return True
    if "bron" not in layer_columns(ds, layer):
        return False
    return any("synthetisch" in str(v).lower() for (v,) in ds.store.distinct(layer, ["bron"]))


def api_base() -> str:
    """The HTTP service's public address (``OMGEVINGSKAART_API_URL``), '' when not configured."""
    return os.environ.get("OMGEVINGSKAART_API_URL", "").rstrip("/")


def page() -> None:
    ds = get_dataset()
    st.title("Lagen")
    st.markdown(
        "Alle kaartlagen van deze kaart: wat ze zijn, waar ze vandaan komen, onder welke licentie "
        "ze vallen en hoe actueel ze zijn. Ketenpartners kunnen de openbare lagen downloaden als "
        "GeoPackage (Rijksdriehoekscoördinaten, EPSG:28992) of als GeoJSON (WGS84), of ophalen "
        "via de HTTP-dienst (`omgevingskaart serve`, zie de API-documentatie op `/docs` van die "
        "dienst)."
    )
    base = api_base()
    for spec in ds.catalogue:
        with st.container(border=True):
            st.header(spec.title, anchor=f"laag-{spec.id}")
            if is_synthetic_layer(ds, spec.layer):
                st.warning("Demogegevens: deze laag is synthetisch (verzonnen in de vorm van de "
                           "echte registratie). Niet gebruiken voor besluiten of aanvragen.",
                           icon="⚠️")
            if spec.description:
                st.markdown(spec.description)
            found = layer_date(ds, spec)
            api_path = api_items_path(spec)
            api = md_link(f"`{api_path}`", base + api_path) if base else f"`{api_path}`"
            c1, c2 = st.columns([3, 2])
            c1.markdown(
                f"**Bron:** {md_link(spec.source, spec.source_url)}  \n"
                f"**Licentie:** {md_link(spec.licence, licence_url(spec.licence, spec.licence_url))}  \n"
                f"**Naamsvermelding:** {spec.attribution}  \n"
                f"**Datum:** {found.uitleg if found else 'onbekend: de dataset en de catalogus noemen geen datum'}  \n"
                f"**Objecten:** {_nl_int(ds.store.count(spec.layer))}  \n"
                f"**Groep:** {spec.group}  \n"
                f"**API:** {api}"
                + ("" if spec.public else " (met een API-sleutel voor deze laag)")
            )
            with c2:
                if spec.public:
                    st.download_button(
                        "Download GeoPackage", data=partial(layer_geopackage, ds.uri, spec.layer),
                        file_name=download_name(ds, spec, "gpkg"), mime="application/geopackage+sqlite3",
                        key=f"dl_gpkg_{spec.id}", on_click="ignore",
                    )
                    st.download_button(
                        "Download GeoJSON", data=partial(layer_geojson, ds.uri, spec.layer),
                        file_name=download_name(ds, spec, "geojson"), mime="application/geo+json",
                        key=f"dl_json_{spec.id}", on_click="ignore",
                    )
                else:
                    st.info(
                        "Deze laag is alleen voor ketenpartners. Downloaden kan niet in de openbare "
                        "app; ketenpartners halen de laag op via de HTTP-dienst met hun eigen "
                        "API-sleutel."
                    )
