"""3D binnenstad: panden in 3D (LoD 1.2 blokken, LoD 2.2 daken), kleurmodi, bouwvlak-enveloppen,
standpunten, de weergave in de URL, overschrijdingen als tabel, export naar glTF en HTML.

All logic lives in :mod:`omgevingskaart.viz.town3d` (scene, deck, views), :mod:`.exceedance`
and :mod:`omgevingskaart.export`; this page only arranges widgets and calls them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from ..viz.deck3d import DEFAULT_RADIUS, plan_records, scene_for
from ..viz.town3d import (
    COLOUR_MODES,
    View,
    camera_presets,
    cityjson_for,
    scene_data,
    select_panden,
    view_from_query,
    view_to_query,
)
from .common import _open, demo_banner, get_dataset
from .deck3d_view import CARTO_TILES, deck3d_view, scene_file, scene_url

SHARED = "gedeeld"


def _key(ds: Any) -> tuple[str, float]:
    return str(ds.path), ds.path.stat().st_mtime


@st.cache_resource(show_spinner="3D-model opbouwen…", max_entries=24)
def _scene(path: str, mtime: float, radius: float, mode: str, envelopes: bool, lod22: bool) -> Any:
    ds = _open(path, mtime)
    meshes = _meshes(path, mtime) if lod22 else None
    return scene_data(ds, _panden(ds, radius), mode=mode, envelopes=envelopes, lod22=meshes)


def _panden(ds: Any, radius: float) -> Any:
    """The panden within ``radius`` of the scene centre (a window query)."""
    centre = scene_for(ds)
    return select_panden(ds, radius=radius, centre=(centre.x, centre.y))


@st.cache_resource(show_spinner=False, max_entries=4)
def _presets(path: str, mtime: float) -> dict[str, tuple[str, View]]:
    return camera_presets(_open(path, mtime))


@st.cache_resource(show_spinner="LoD 2.2 inlezen…", max_entries=2)
def _meshes(path: str, mtime: float) -> Any:
    from ..io.cityjson import read_cityjson_surfaces
    from ..viz.mesh import from_building_meshes

    src = cityjson_for(_open(path, mtime))
    return from_building_meshes(read_cityjson_surfaces(src, lod="2.2").values()) if src else None


@st.cache_resource(show_spinner=False, max_entries=8)
def _plans(path: str, mtime: float, radius: float) -> list[dict[str, Any]]:
    ds = _open(path, mtime)
    return plan_records(ds, scene_for(ds, None, radius))


@st.cache_data(show_spinner=False, max_entries=24)
def _scene_file(path: str, mtime: float, radius: float, mode: str, lod22: bool,
                plans: bool) -> str:
    """The URL of the scene file the 3D view draws (envelopes always in; shown on request)."""
    from ..export.html3d import page_data

    scene = _scene(path, mtime, radius, mode, True, lod22)
    payload = page_data(scene, _presets(path, mtime)["markt"][1])
    payload["plans"] = _plans(path, mtime, radius) if plans else []
    return scene_url(payload)


def _camera_moved() -> None:
    """The user settled the camera: it becomes the shared view and goes into the URL."""
    state = st.session_state.get("ok3d_deck")
    v = state.get("view") if state is not None and hasattr(state, "get") else None
    if not v:
        return
    try:
        view = View(float(v["longitude"]), float(v["latitude"]), float(v["zoom"]),
                    float(v["pitch"]), float(v["bearing"]))
    except (KeyError, TypeError, ValueError):
        return
    st.session_state["ok3d_view"] = SHARED
    st.query_params.update(view_to_query(view, st.session_state.get("ok3d_mode", "hoogte")))


def _preset_chosen() -> None:
    st.session_state["ok3d_view_seq"] = st.session_state.get("ok3d_view_seq", 0) + 1


@st.cache_data(show_spinner="glTF maken…", max_entries=4)
def _glb(path: str, mtime: float, radius: float, lod22: bool) -> bytes:
    from ..export.area import area_meshes
    from ..export.gltf import write_glb

    ds = _open(path, mtime)
    s = scene_for(ds, None, radius)
    area = area_meshes(ds, (s.x - radius, s.y - radius, s.x + radius, s.y + radius),
                       lod="2.2" if lod22 else "1.2", cityjson=cityjson_for(ds) if lod22 else None)
    return write_glb(area.mesh, attributes=area.attributes,
                     title=f"{ds.meta.get('titel', 'omgevingskaart')} 3D")


@st.cache_data(show_spinner="HTML-pagina maken…", max_entries=4)
def _html(path: str, mtime: float, radius: float, mode: str, envelopes: bool, lod22: bool,
          view: tuple[float, ...]) -> bytes:
    from ..export.html3d import render_page

    ds = _open(path, mtime)
    scene = _scene(path, mtime, radius, mode, envelopes, lod22)
    notice = "Synthetische demogegevens." if ds.is_synthetic else ""
    return render_page(scene, View(*view), presets=_presets(path, mtime), notice=notice,
                       title=str(ds.meta.get("titel", "3D binnenstad"))).encode("utf-8")


def _initial_from_url(presets: dict[str, tuple[str, View]]) -> None:
    """On the first run of a session: colour mode and camera from the page URL."""
    if st.session_state.get("ok3d_url_read"):
        return
    st.session_state["ok3d_url_read"] = True
    params = st.query_params
    mode = params.get("mode")
    if mode in COLOUR_MODES:
        st.session_state["ok3d_mode"] = mode
    if params.get("lat") and params.get("lon"):
        st.session_state["ok3d_view"] = SHARED
    elif params.get("view") in presets:
        st.session_state["ok3d_view"] = params.get("view")


def page() -> None:
    ds = get_dataset()
    st.title("3D binnenstad")
    demo_banner(ds)
    if "pand" not in ds:
        st.warning("Deze dataset bevat geen panden; er is geen 3D-beeld te maken.")
        return
    path, mtime = _key(ds)
    presets = _presets(path, mtime)
    _initial_from_url(presets)
    has22 = cityjson_for(ds) is not None
    view_keys = ([SHARED] if st.session_state.get("ok3d_view") == SHARED else []) + list(presets)
    with st.sidebar:
        mode = st.selectbox("Kleur", list(COLOUR_MODES), format_func=COLOUR_MODES.__getitem__,
                            key="ok3d_mode")
        choice = st.selectbox(
            "Standpunt", view_keys, key="ok3d_view", on_change=_preset_chosen,
            format_func=lambda k: "Gedeelde weergave (uit de link of gesleept)" if k == SHARED
            else presets[k][0])
        envelopes = st.toggle("Bouwvlakken tot maximum bouwhoogte", value=False, key="ok3d_env",
                              help="Doorzichtige volumes: de bouwvlakken uit het bestemmingsplan, "
                                   "opgetrokken tot hun maximum bouwhoogte.")
        plans = st.toggle("Bestemmingen op de grond tonen", value=True, key="ok3d_plans")
        lod22 = st.toggle("Dakvormen (LoD 2.2, 3D BAG)", value=has22, key="ok3d_lod22",
                          disabled=not has22,
                          help=None if has22 else "Deze dataset heeft geen 3D BAG CityJSON met "
                          "LoD 2.2; de panden zijn blokken (LoD 1.2).")
        radius = st.slider("Straal rond de Markt (m)", 200, 1200, int(DEFAULT_RADIUS), step=50,
                           key="ok3d_radius")
        basemap = st.toggle(
            "Achtergrondkaart (CARTO) tonen", value=False, key="ok3d_basemap",
            help="Haalt kaarttegels op bij CARTO (basemaps.cartocdn.com). Standaard uit: dan maakt "
                 "uw browser alleen verbinding met deze server.",
        )
    default = presets["markt"][1]
    view = view_from_query(st.query_params, default) if choice == SHARED else presets[choice][1]
    wanted = view_to_query(view, mode)
    if {k: st.query_params.get(k) for k in wanted} != wanted:
        st.query_params.from_dict(wanted)
    scene = _scene(path, mtime, float(radius), mode, True, lod22 and has22)
    url = _scene_file(path, mtime, float(radius), mode, lod22 and has22, plans)
    if not scene_file(url).is_file():  # the cache folder was cleared under a running app
        _scene_file.clear()
        url = _scene_file(path, mtime, float(radius), mode, lod22 and has22, plans)
    col, legend = st.columns([5, 1])
    with col:
        deck3d_view(scene=url, view=view.as_dict(),
                    view_key=f"{choice}-{st.session_state.get('ok3d_view_seq', 0)}",
                    envelopes=envelopes, basemap=CARTO_TILES if basemap else None,
                    key="ok3d_deck",
                    on_view_change=_camera_moved)
        st.caption("Slepen: verschuiven · rechts slepen of Ctrl + slepen: draaien en kantelen · "
                   "scrollen: in- en uitzoomen. Beweeg over een pand voor adres, bouwjaar en "
                   "hoogte. De adresbalk volgt het standpunt en de kleur: kopieer de link om "
                   "precies deze weergave te delen.")
        if basemap:
            st.caption("Achtergrondkaart © OpenStreetMap-bijdragers © CARTO")
    with legend:
        st.markdown(f"**{COLOUR_MODES[mode]}**")
        rows = "".join(
            f'<div style="margin:2px 0"><span style="display:inline-block;width:14px;height:14px;'
            f"background:rgb({r},{g},{b});border:1px solid #555;vertical-align:middle;"
            f'margin-right:6px"></span>{label}</div>'
            for label, (r, g, b) in scene.legend
        )
        st.html(f'<div style="font-size:0.85rem">{rows}</div>')
        st.caption("Hoogtes: 3D BAG (dak 70e percentiel min maaiveld); overschrijding: hoogste "
                   "punt (b3_h_dak_max) min maaiveld tegen de maximum bouwhoogte.")
    _exceedance_section(ds, float(radius), mode)
    with st.expander("Exporteren voor VR, Blender of Unity"):
        st.write("Het gebied binnen de straal als binaire glTF (.glb): één knoop per pand met "
                 "pand-id en kenmerken, in een lokaal metrisch stelsel waarvan de RD-oorsprong in "
                 "het bestand staat. Of als losse HTML-pagina die zonder internet werkt.")
        # download buttons that build their file when clicked (and stay: no "make" step whose
        # button vanished on the next click)
        c1, c2 = st.columns(2)
        v = (view.lon, view.lat, view.zoom, view.pitch, view.bearing)
        rad, l22 = float(radius), lod22 and has22
        with c1:
            st.download_button("Download glTF (.glb)",
                               data=lambda: _glb(path, mtime, rad, l22),
                               file_name="binnenstad-3d.glb", mime="model/gltf-binary",
                               key="ok3d_glb", on_click="ignore")
        with c2:
            st.download_button("Download HTML-pagina",
                               data=lambda: _html(path, mtime, rad, mode, envelopes, l22, v),
                               file_name="binnenstad-3d.html", mime="text/html",
                               key="ok3d_html", on_click="ignore")


def metres(value: Any) -> str:
    """``12,22 m``: metres with a Dutch decimal comma; '' for a missing value.

    >>> metres(12.2249), metres(3), metres(None)
    ('12,22 m', '3,00 m', '')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{float(value):.2f}".replace(".", ",") + " m"


def exceedance_display(table: Any) -> Any:
    """The exceedance table as people read it: tallest overshoot first, metres with a unit and a
    decimal comma, the plan ids left to the CSV download."""
    import pandas as pd

    show = table.sort_values("overschrijding_m", ascending=False, kind="stable")
    return pd.DataFrame({
        "Adres": show["adres"].fillna("").to_numpy(),
        "Bouwjaar": [str(int(b)) if pd.notna(b) else "" for b in show["bouwjaar"]],
        "Hoogte (hoogste punt)": [metres(x) for x in show["hoogte_m"]],
        "Maximum bouwhoogte": [metres(x) for x in show["max_bouwhoogte_m"]],
        "Overschrijding": [metres(x) for x in show["overschrijding_m"]],
        "Maximum uit": show["bron"].fillna("").to_numpy(),
        "Bestemming": show["bestemming"].fillna("").to_numpy(),
        "Artikel": show["artikel"].fillna("").astype(str).to_numpy(),
    }, index=pd.Index(show["identificatie"].to_numpy(), name="Pand"))


@st.cache_data(show_spinner=False, max_entries=8)
def _exceedances(path: str, mtime: float, radius: float) -> Any:
    """The exceedance table of the panden within ``radius`` (computed once per dataset and
    radius: it reads the plan and the addresses of that area)."""
    from ..viz.exceedance import exceedances

    ds = _open(path, mtime)
    return exceedances(ds, _panden(ds, radius))


def _exceedance_section(ds: Any, radius: float, mode: str) -> None:
    from ..viz.exceedance import to_csv

    table = _exceedances(*_key(ds), radius)
    title = f"Panden hoger dan de maximum bouwhoogte: {len(table)}"
    with st.expander(title, expanded=mode == "overschrijding"):
        if not len(table):
            st.write("Geen enkel pand in dit gebied is hoger dan de maximum bouwhoogte van zijn "
                     "bouwvlak of bestemmingsvlak (voor zover bekend).")
            return
        st.table(exceedance_display(table))
        st.download_button("Download als CSV (alle kolommen)", to_csv(table),
                           file_name="overschrijdingen.csv",
                           mime="text/csv", key="ok3d_csv")
        st.caption("Vergeleken: het hoogste punt van het dak (3D BAG b3_h_dak_max) min het "
                   "maaiveld, met de maximum bouwhoogte uit de maatvoering van het bouwvlak, of "
                   "anders van het bestemmingsvlak. Een signalering, geen juridisch oordeel.")
