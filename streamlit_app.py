"""Omgevingskaart Winterswijk: the Streamlit app (Dutch UI).

    streamlit run streamlit_app.py                        # the embedded demo
    streamlit run streamlit_app.py -- --dataset PAD.gpkg  # another dataset file
    OMGEVINGSKAART_DATASET=PAD.gpkg streamlit run streamlit_app.py

The pages live in omgevingskaart/app/; this file only arranges them.
"""

from __future__ import annotations

import streamlit as st

from omgevingskaart.app import bouwen, drie_d, kaart, lagen, over
from omgevingskaart.app.common import safe_page
from omgevingskaart.viz.assets import install_class_defaults

st.set_page_config(page_title="Omgevingskaart Winterswijk", page_icon="🗺️", layout="wide",
                   menu_items={"Get help": None, "Report a bug": None,
                               "About": "Omgevingskaart: de Omgevingswet op de kaart voor Winterswijk."})
install_class_defaults()  # any folium map built in this process loads Leaflet from this server

pages = [
    st.Page(safe_page(kaart.page), title="Kaart", icon="🗺️", url_path="kaart", default=True),
    st.Page(safe_page(drie_d.page), title="3D binnenstad", icon="🏙️", url_path="3d"),
    st.Page(safe_page(bouwen.page), title="Mag ik bouwen?", icon="🏗️", url_path="bouwen"),
    st.Page(safe_page(lagen.page), title="Lagen", icon="📚", url_path="lagen"),
    st.Page(safe_page(over.page), title="Over", icon="ℹ️", url_path="over"),
]
st.navigation(pages).run()
