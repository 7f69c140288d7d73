"""Omgevingskaart Winterswijk: the Streamlit app (Dutch UI).

    streamlit run streamlit_app.py                        # the embedded demo
    streamlit run streamlit_app.py -- --dataset PAD.gpkg  # another dataset file
    OMGEVINGSKAART_DATASET=PAD.gpkg streamlit run streamlit_app.py

The pages live in omgevingskaart/app/; this file only arranges them. Every page has its own title
and URL (``/`` and ``/kaart`` both open the map).
"""

from __future__ import annotations

import streamlit as st

from omgevingskaart.app import bouwen, drie_d, kaart, lagen, over
from omgevingskaart.app.common import dutch_page, safe_page
from omgevingskaart.viz.assets import install_class_defaults

install_class_defaults()  # any folium map built in this process loads Leaflet from this server

SITE = "Omgevingskaart Winterswijk"
PAGES = [  # (page, title, icon, url path)
    (kaart.page, "Kaart", "🗺️", "kaart"),
    (drie_d.page, "3D binnenstad", "🏙️", "3d"),
    (bouwen.page, "Mag ik bouwen?", "🏗️", "bouwen"),
    (lagen.page, "Lagen", "📚", "lagen"),
    (over.page, "Over", "ℹ️", "over"),
]

pages = [st.Page(dutch_page(safe_page(func), f"{title} · {SITE}", icon), title=title, icon=icon,
                 url_path="start" if i == 0 else path, default=i == 0)
         for i, (func, title, icon, path) in enumerate(PAGES)]
# the start page lives at "/" (Streamlit reserves its url_path, here "start"); its documented
# address /kaart opens the same page, unlisted in the navigation
pages.append(st.Page(dutch_page(safe_page(kaart.page), f"Kaart · {SITE}", "🗺️"), title="Kaart",
                     icon="🗺️", url_path="kaart", visibility="hidden"))
st.navigation(pages).run()
