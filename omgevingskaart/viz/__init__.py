"""Map builders for the app and notebooks: 2D (folium/Leaflet) and 3D (pydeck/deck.gl).

Everything here is a plain library function: ``build_map(dataset, ...)`` returns a
:class:`folium.Map`, ``build_deck(dataset, ...)`` a :class:`pydeck.Deck`; the Streamlit app only
arranges them. Every browser asset (Leaflet, Leaflet.draw) is served by the app itself, see
:mod:`omgevingskaart.viz.assets`.
"""

from __future__ import annotations

from .assets import local_assets, use_local_assets

__all__ = ["local_assets", "use_local_assets"]
