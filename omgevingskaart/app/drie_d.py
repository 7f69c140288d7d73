"""3D binnenstad: panden extruded from ground to roof, coloured by height, on the bestemmingen."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ..viz.deck3d import DEFAULT_RADIUS, build_deck, height_legend
from .common import demo_banner, get_dataset


@st.cache_resource(show_spinner="3D-model opbouwen…", max_entries=8)
def _deck(path: str, mtime: float, radius: float, plans: bool, basemap: bool) -> Any:
    """The deck for these settings, built once per process (the dataset is read-only)."""
    from .common import _open

    return build_deck(_open(path, mtime), radius=radius, plans=plans, basemap=basemap)


def page() -> None:
    ds = get_dataset()
    st.title("3D binnenstad")
    demo_banner(ds)
    with st.sidebar:
        plans = st.toggle("Bestemmingen op de grond tonen", value=True, key="ok3d_plans")
        radius = st.slider("Straal rond de Markt (m)", 200, 1200, int(DEFAULT_RADIUS), step=100,
                           key="ok3d_radius")
        basemap = st.toggle(
            "Achtergrondkaart (CARTO) tonen", value=False, key="ok3d_basemap",
            help="Haalt kaarttegels op bij CARTO (basemaps.cartocdn.com). Standaard uit: dan maakt "
                 "uw browser alleen verbinding met deze server.",
        )
    if "pand" not in ds:
        st.warning("Deze dataset bevat geen panden; er is geen 3D-beeld te maken.")
        return
    deck = _deck(str(ds.path), ds.path.stat().st_mtime, float(radius), plans, basemap)
    col, legend = st.columns([5, 1])
    with col:
        st.pydeck_chart(deck, height=640, key="ok3d_deck")
        st.caption("Slepen: verschuiven · rechts slepen of Ctrl + slepen: draaien en kantelen · "
                   "scrollen: in- en uitzoomen. Beweeg over een pand voor adres, bouwjaar en hoogte.")
    with legend:
        st.markdown("**Hoogte boven maaiveld**")
        rows = "".join(
            f'<div style="margin:2px 0"><span style="display:inline-block;width:14px;height:14px;'
            f'background:{colour};border:1px solid #555;vertical-align:middle;margin-right:6px">'
            f"</span>{label}</div>"
            for label, colour in height_legend()
        )
        st.html(f'<div style="font-size:0.85rem">{rows}</div>')
        st.caption("Hoogtes: 3D BAG (dak 70e percentiel min maaiveld).")
