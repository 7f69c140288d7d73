"""Map builders for the app and notebooks: 2D (folium/Leaflet) and 3D (pydeck/deck.gl).

Everything here is a plain library function: ``build_map(dataset, ...)`` returns a
:class:`folium.Map`, ``build_deck(dataset, ...)`` a :class:`pydeck.Deck`; the Streamlit app only
arranges them. Every browser asset (Leaflet, Leaflet.draw) is served by the app itself, see
:mod:`omgevingskaart.viz.assets`.

Importing this package imports neither folium nor pydeck (the ``app`` extra): the 3D scene and
mesh code here also serves the core's glTF and HTML export.
"""

from __future__ import annotations

from typing import Any

__all__ = ["local_assets", "use_local_assets"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import assets

        return getattr(assets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
