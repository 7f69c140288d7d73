"""Kaart: the 2D map with search, layer control, legend and the parcel report beside it.

The layers do not travel through Streamlit: they are GeoJSON tiles in a cache folder outside the
package that the browser fetches for its view and caches. Only the tiles of the views people look
at are made: the map reports its view (bounds, zoom) and its last click (``returned_objects``);
each rerun writes the missing tiles of the view (``ensure_view_tiles``: one store window query per
layer and tile, so the first visit costs the same on a national dataset as on the demo). A rerun's
map arguments change only by the highlighted perceel and a short hash of the view's tiles (a few
kilobytes; Streamlit sends an unchanged element as a reference to its hash).

The report is in the URL, so it can be shared: ``?adres=Markt 12`` (an address search),
``?perceel=WWK00 L 3839``, ``?x=246580&y=443380`` (RD; ``&crs=EPSG:4326`` for lon/lat), each with
an optional ``&geldig_op=YYYY-MM-DD``. Opening such a URL shows the report and the map there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from ..errors import AmbiguousAddressError, OmgevingskaartError
from ..report import report_at
from ..viz.map2d import (
    base_map,
    ensure_view_tiles,
    rd_point_to_latlon,
    tiled_layer_groups,
    view_around,
    view_from_leaflet,
)
from ..viz.report_view import (
    activities_markdown,
    apart_markdown,
    details_markdown,
    dutch_error,
    report_markdown,
    rule_groups,
    rules_markdown,
)
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
#: a click, and a pan or zoom (whose new tiles the rerun writes), rerun the script
RETURNED = ["last_clicked", "bounds", "zoom"]


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
        ss.ok_view = view_around(rep.x, rep.y, zoom)  # the tiles are ready where the map goes


def _geldig_op() -> date | None:
    return _state().get("ok_geldig_op")


def _set_url(params: dict[str, str]) -> None:
    """Put the location of the report in the URL (shareable); remember it as applied."""
    on = _geldig_op()
    if on is not None and on != date.today():
        params = {**params, "geldig_op": on.isoformat()}
    st.query_params.from_dict(params)
    _state().ok_url_seen = _canonical(params)


def _canonical(params: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in dict(params).items()))


def _fail(message: str) -> None:
    ss = _state()
    ss.ok_error = message
    ss.ok_report = None  # never leave the previous place's answer under a new question
    ss.ok_selected = None


def _search(ds: Any, text: str, *, url: bool = True) -> None:
    ss = _state()
    ss.ok_candidates = []
    text = (text or "").strip()
    if not text:
        _fail("Vul een adres of een kadastrale aanduiding in.")
        return
    try:
        rep = report_at(ds, text, geldig_op=_geldig_op())
    except OmgevingskaartError as exc:
        # a failed search never leaves the previous place's report on screen (_fail clears it)
        _fail(dutch_error(exc))
        ss.ok_candidates = candidates_for(ds, text, exc)
        if ss.ok_candidates and not isinstance(exc, AmbiguousAddressError):
            ss.ok_error += " Bedoelt u een van de adressen hieronder?"
        return
    ss.ok_where = {"adres": text}
    if url:
        _set_url({"perceel": text} if rep.query.get("type") == "perceel" else {"adres": text})
    _select_report(ds, rep, zoom_to=True)


def _on_search() -> None:
    _search(get_dataset(), _state().get("ok_query", ""))


def _on_candidate() -> None:
    choice = _state().get("ok_candidate")
    if choice:
        set_search_text("ok", choice)
        _search(get_dataset(), choice)


def _report_at(ds: Any, where: dict[str, str], *, zoom_to: bool) -> None:
    """The report for a location as the URL gives it (adres, perceel, or x/y with crs)."""
    try:
        if "adres" in where:
            rep = report_at(ds, where["adres"], geldig_op=_geldig_op())
        elif "perceel" in where:
            rep = report_at(ds, perceel=where["perceel"], geldig_op=_geldig_op())
        else:
            # the URL's text goes in as it is: report() checks it and names a bad x or y
            xy: Any = (where["x"], where["y"])
            rep = report_at(ds, point=xy, crs=where.get("crs", "EPSG:28992"), geldig_op=_geldig_op())
    except OmgevingskaartError as exc:
        _fail(dutch_error(exc))
        return
    _state().ok_where = where
    _select_report(ds, rep, zoom_to=zoom_to)


def _apply_url(ds: Any) -> None:
    """Open the report the URL asks for (once per URL: our own updates are remembered)."""
    ss = _state()
    params = {k: st.query_params.get(k) for k in ("adres", "perceel", "x", "y", "crs", "geldig_op")
              if st.query_params.get(k)}
    key = _canonical(params)
    if key == ss.get("ok_url_seen"):
        return
    ss.ok_url_seen = key
    geldig_op = params.get("geldig_op")
    if geldig_op:
        try:
            ss.ok_geldig_op = date.fromisoformat(geldig_op)
        except ValueError:
            _fail("De datum in de link is geen datum (schrijf JJJJ-MM-DD).")
            return
    where = {k: v for k, v in params.items() if k in ("adres", "perceel", "x", "y", "crs") and v is not None}
    if "adres" in where or "perceel" in where or ("x" in where and "y" in where):
        ss.ok_query = where.get("adres") or where.get("perceel") or ""
        _report_at(ds, where, zoom_to=True)
    elif where:
        _fail("De link mist een deel van de plek: geef adres, perceel, of x en y.")


def _on_date() -> None:
    where = _state().get("ok_where")
    if where:
        _set_url(where)
        _report_at(get_dataset(), where, zoom_to=False)


def _read_map_state(ds: Any) -> None:
    """Take the browser's view and last click (stored by streamlit-folium under MAP_KEY)."""
    ss = _state()
    value = ss.get(MAP_KEY) or {}
    if not isinstance(value, dict):
        return
    view = view_from_leaflet(value.get("bounds"), value.get("zoom"))
    if view is not None:
        ss.ok_view = view
    click = value.get("last_clicked")
    if click and click != ss.get("ok_last_click"):
        ss.ok_last_click = click
        try:
            rep = report_at(ds, point=(float(click["lng"]), float(click["lat"])), crs="EPSG:4326",
                            geldig_op=_geldig_op())
        except OmgevingskaartError as exc:
            _fail(dutch_error(exc))
        else:
            if rep.perceel is not None and rep.perceel.kadastrale_aanduiding:
                where = {"perceel": rep.perceel.kadastrale_aanduiding}
            else:
                where = {"x": f"{rep.x:.2f}", "y": f"{rep.y:.2f}"}
            ss.ok_where = where
            _set_url(where)
            _select_report(ds, rep, zoom_to=False)


def _show_report(rep: Any) -> None:
    """The answer first, the rules per part of the omgevingsplan, the codes behind a fold."""
    from ..plantekst import add_plan_texts_online

    st.markdown(report_markdown(rep))
    note = add_plan_texts_online(rep)  # the plan regels text, with an API key only (else links)
    if note:
        st.caption(note)
    for title, rules in rule_groups(rep):
        with st.expander(f"{title} ({len(rules)})", expanded=len(rules) <= 6):
            st.markdown(rules_markdown(rules, limit=60))
    if rep.activiteiten:
        with st.expander(f"Activiteiten in het omgevingsplan ({len(rep.activiteiten)})"):
            st.markdown(activities_markdown(rep))
    apart = rep.toekomstig + rep.ontwerpen
    if apart:
        with st.expander(f"Ontwerpen en plannen die later ingaan ({len(apart)})"):
            st.markdown(apart_markdown(rep))
    with st.expander("Details: codes en coördinaten"):
        st.markdown(details_markdown(rep))


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
    _apply_url(ds)
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
        st.header("Wat geldt hier?")  # h2 under the page's h1 (axe heading-order)
        if "ok_geldig_op" not in ss:
            ss.ok_geldig_op = date.today()
        st.date_input("Geldig op", key="ok_geldig_op", format="DD-MM-YYYY",
                      on_change=_on_date,
                      help="De regels die op deze datum gelden; latere plannen en ontwerpen staan apart.")
        if ss.get("ok_error"):
            st.warning(ss.ok_error)
        rep = ss.get("ok_report")
        if rep is not None:
            with st.container(height=MAP_HEIGHT - 60, border=False, key="ok_rapport"):
                _show_report(rep)
        elif not ss.get("ok_error"):
            st.markdown("Klik op een perceel op de kaart, of zoek een adres of kadastrale "
                        "aanduiding. Hier verschijnt dan het perceelrapport: perceel, adressen, "
                        "bestemming, bouwvlak, maatvoering, monumenten en het plan.")
    with col_map:
        start = get_start_view(ds)
        fmap = base_map(ds, basemap=basemap, start=start)
        tiles = ensure_view_tiles(ds, get_tiles(ds), ss.get("ok_view") or start)
        layers = tiled_layer_groups(ds, tiles, selected=ss.get("ok_selected"), basemap=basemap)
        st_folium(
            fmap, key=MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
            returned_objects=RETURNED, center=ss.ok_center, zoom=ss.ok_zoom,
            feature_group_to_add=layers.groups, layer_control=layers.control,
        )
        st.caption("Klik op de kaart voor wat er op die plek geldt. Lagen aan- en uitzetten "
                   "kan rechtsboven in de kaart. " + " ".join(layers.notices))
