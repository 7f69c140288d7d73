"""Lagen: the catalogue, with downloads (GeoPackage, GeoJSON) of the public layers."""

from __future__ import annotations

import io
import os
import tempfile
from functools import partial
from pathlib import Path

import pyogrio
import streamlit as st

from ..crs import gdf_to_wgs84
from .common import get_dataset


@st.cache_data(show_spinner="Bestand maken…", max_entries=32)
def layer_geopackage(path: str, layer: str) -> bytes:
    """One layer of the dataset as a GeoPackage (EPSG:28992)."""
    from ..dataset import open_dataset

    frame = open_dataset(path)[layer]
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

    frame = gdf_to_wgs84(open_dataset(path)[layer])
    buf = io.BytesIO()
    buf.write(frame.to_json(drop_id=True, ensure_ascii=False, na="null").encode("utf-8"))
    return buf.getvalue()


def page() -> None:
    ds = get_dataset()
    st.title("Lagen")
    st.markdown(
        "Alle kaartlagen van deze kaart: wat ze zijn, waar ze vandaan komen, onder welke licentie "
        "ze vallen en hoe actueel ze zijn. Ketenpartners kunnen de openbare lagen downloaden als "
        "GeoPackage (Rijksdriehoekscoördinaten, EPSG:28992) of als GeoJSON (WGS84)."
    )
    meta = ds.meta
    datum = meta.get("datum") or meta.get("peildatum") or meta.get("aangemaakt")
    for spec in ds.catalogue:
        frame = ds[spec.layer]
        with st.container(border=True):
            st.subheader(spec.title)
            if spec.description:
                st.markdown(spec.description)
            c1, c2 = st.columns([3, 2])
            c1.markdown(
                f"**Bron:** {spec.source}  \n**Licentie:** {spec.licence}  \n"
                f"**Naamsvermelding:** {spec.attribution}  \n"
                f"**Datum:** {datum or 'zie de bron (niet vastgelegd in deze dataset)'}  \n"
                f"**Objecten:** {len(frame):,}".replace(",", ".")
                + f"  \n**Groep:** {spec.group}"
            )
            with c2:
                if spec.public:
                    st.download_button(
                        "Download GeoPackage", data=partial(layer_geopackage, str(ds.path), spec.layer),
                        file_name=f"{spec.id}.gpkg", mime="application/geopackage+sqlite3",
                        key=f"dl_gpkg_{spec.id}", on_click="ignore",
                    )
                    st.download_button(
                        "Download GeoJSON", data=partial(layer_geojson, str(ds.path), spec.layer),
                        file_name=f"{spec.id}.geojson", mime="application/geo+json",
                        key=f"dl_json_{spec.id}", on_click="ignore",
                    )
                else:
                    st.info(
                        "Deze laag is alleen voor ketenpartners. Downloaden kan niet in de openbare "
                        "app; ketenpartners halen de laag op via de HTTP-dienst met hun eigen "
                        "API-sleutel."
                    )
