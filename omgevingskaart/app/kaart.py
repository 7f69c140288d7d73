"""Kaart: the 2D map with search, layer control, legend and the parcel report beside it.

The layers do not travel through Streamlit: they are written once per dataset as static GeoJSON
tiles (``ensure_tiles``) that the browser fetches for its view and caches. The map reports only
its last click (``returned_objects``), so panning and zooming cause no rerun at all; a click causes
one rerun, whose map arguments differ from the previous ones only by the highlighted perceel (a few
kilobytes; Streamlit sends an unchanged element as a reference to its hash).
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from ..errors import AmbiguousAddressError, OmgevingskaartError
from ..viz.map2d import base_map, rd_point_to_latlon, tiled_layer_groups
from ..viz.report_view import dutch_error, report_markdown
from .common import (
    candidates_for,
    demo_banner,
    get_dataset,
    get_start_view,
    get_tiles,
    pdok_basemap_toggle,
    search_form,
    set_search_text,
)

MAP_KEY = "kaart"
MAP_HEIGHT = 640
#: only a click reruns the script (a pan or zoom is handled in the browser, tiles included)
RETURNED = ["last_clicked"]


def _state() -> Any:
    return st.session_state


def _select_report(ds: Any, rep: Any, *, zoom_to: bool, zoom: int = 18) -> None:
    ss = _state()
    ss.ok_report = rep
    ss.ok_error = None
    geom = rep.perceel.geometry if rep.perceel is not None else None
    ss.ok_selected = geom
    if zoom_to:
        centre = list(rd_point_to_latlon(rep.x, rep.y))
        if centre == ss.get("ok_center"):
            # streamlit-folium moves the map only when the centre argument changes: the user may
            # have panned away since the same search, so nudge it by a millimetre
            centre[0] += 1e-8 * (1 if ss.get("ok_nudge") else -1)
            ss.ok_nudge = not ss.get("ok_nudge")
        ss.ok_center = centre
        ss.ok_zoom = zoom


def _search(ds: Any, text: str) -> None:
    ss = _state()
    ss.ok_candidates = []
    text = (text or "").strip()
    if not text:
        ss.ok_error = "Vul een adres of een kadastrale aanduiding in."
        return
    try:
        rep = ds.report(text)
    except OmgevingskaartError as exc:
        # a failed search never leaves the previous place's report on screen
        ss.ok_report = None
        ss.ok_selected = None
        ss.ok_candidates = candidates_for(ds, text, exc)
        ss.ok_error = dutch_error(exc)
        if ss.ok_candidates and not isinstance(exc, AmbiguousAddressError):
            ss.ok_error += " Bedoelt u een van de adressen hieronder?"
        return
    _select_report(ds, rep, zoom_to=True)


def _on_search() -> None:
    _search(get_dataset(), _state().get("ok_query", ""))


def _on_candidate() -> None:
    choice = _state().get("ok_candidate")
    if choice:
        set_search_text("ok", choice)
        _search(get_dataset(), choice)


def _read_map_state(ds: Any) -> None:
    """Take the browser's last click (stored by streamlit-folium under MAP_KEY)."""
    ss = _state()
    value = ss.get(MAP_KEY) or {}
    if not isinstance(value, dict):
        return
    click = value.get("last_clicked")
    if click and click != ss.get("ok_last_click"):
        ss.ok_last_click = click
        try:
            rep = ds.report(point=(float(click["lng"]), float(click["lat"])), crs="EPSG:4326")
        except OmgevingskaartError as exc:
            ss.ok_report = None
            ss.ok_selected = None
            ss.ok_error = dutch_error(exc)
        else:
            _select_report(ds, rep, zoom_to=False)


def page() -> None:
    ds = get_dataset()
    ss = _state()
    if "ok_center" not in ss:
        v = get_start_view(ds)
        ss.ok_center = list(rd_point_to_latlon(*v.centre))
        ss.ok_zoom = v.zoom
        ss.ok_report = None
        ss.ok_selected = None
        ss.ok_error = None
        ss.ok_candidates = []
    _read_map_state(ds)

    st.title("Kaart")
    demo_banner(ds)
    basemap = pdok_basemap_toggle("ok_basemap", fallback="; de ondergrond komt dan uit de BGT")
    search_form("ok", "Zoek een adres of kadastrale aanduiding", on_search=_on_search,
                on_candidate=_on_candidate, candidates=ss.get("ok_candidates") or [])

    col_map, col_report = st.columns([3, 2], gap="medium")
    # the report first: Streamlit sends the elements in script order, so after a click the
    # report shows before the map has re-applied its layers
    with col_report:
        st.subheader("Wat geldt hier?")
        if ss.get("ok_error"):
            st.warning(ss.ok_error)
        rep = ss.get("ok_report")
        if rep is not None:
            with st.container(height=MAP_HEIGHT - 60, border=False, key="ok_rapport"):
                st.markdown(report_markdown(rep))
        elif not ss.get("ok_error"):
            st.markdown("Klik op een perceel op de kaart, of zoek een adres of kadastrale "
                        "aanduiding. Hier verschijnt dan het perceelrapport: perceel, adressen, "
                        "bestemming, bouwvlak, maatvoering, monumenten en het plan.")
    with col_map:
        fmap = base_map(ds, basemap=basemap, start=get_start_view(ds))
        layers = tiled_layer_groups(ds, get_tiles(ds), selected=ss.get("ok_selected"),
                                    basemap=basemap)
        st_folium(
            fmap, key=MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
            returned_objects=RETURNED, center=ss.ok_center, zoom=ss.ok_zoom,
            feature_group_to_add=layers.groups, layer_control=layers.control,
        )
        st.caption("Klik op de kaart voor wat er op die plek geldt. Lagen aan- en uitzetten "
                   "kan rechtsboven in de kaart. " + " ".join(layers.notices))
