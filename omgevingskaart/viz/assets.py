"""Local browser assets: vendored Leaflet and Leaflet.draw, served by the app itself.

folium's classes list their JavaScript and CSS as CDN URLs (``default_js`` / ``default_css``);
streamlit-folium copies those lists into its component iframe, so a stock map makes every visitor's
browser fetch Leaflet from jsdelivr and cdnjs (a privacy leak, and a blank map offline).
:func:`use_local_assets` replaces those URLs with files vendored under
``omgevingskaart/static/vendor/`` (licences beside them), which Streamlit serves from the
project-root ``static/`` folder (a symlink to ``omgevingskaart/static``) at ``/app/static/``
(``.streamlit/config.toml``: ``[server] enableStaticServing = true``).

Elements whose assets are not vendored (jQuery, Bootstrap, awesome-markers: folium's map does not
need them to draw vector layers) are dropped rather than fetched. :func:`remote_urls` lists what a
map would still load from elsewhere, for tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import folium
import folium.plugins

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: URL prefix under which Streamlit serves the project-root ``static/`` folder.
STATIC_URL = "/app/static"

#: vendored asset name -> path below ``static/`` (see ``static/vendor/README.md``).
ASSETS: dict[str, str] = {
    "leaflet_js": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "leaflet_draw_js": "vendor/leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "vendor/leaflet-draw/leaflet.draw.css",
}
VERSIONS = {"leaflet": "1.9.4", "leaflet-draw": "1.0.4"}


def asset_url(name: str, prefix: str = STATIC_URL) -> str:
    """The URL of a vendored asset, e.g. ``/app/static/vendor/leaflet/leaflet.js``."""
    return f"{prefix.rstrip('/')}/{ASSETS[name]}"


def asset_path(name: str) -> Path:
    """The file of a vendored asset (raises FileNotFoundError when the checkout lacks it)."""
    path = STATIC_DIR / ASSETS[name]
    if not path.is_file():
        raise FileNotFoundError(f"vendored asset {name!r} missing: {path}")
    return path


def local_assets(prefix: str = STATIC_URL) -> dict[str, list[tuple[str, str]]]:
    """The ``default_js`` / ``default_css`` lists for folium.Map and Draw, all local."""
    return {
        "map_js": [("leaflet", asset_url("leaflet_js", prefix))],
        "map_css": [("leaflet_css", asset_url("leaflet_css", prefix))],
        "draw_js": [("leaflet_draw_js", asset_url("leaflet_draw_js", prefix))],
        "draw_css": [("leaflet_draw_css", asset_url("leaflet_draw_css", prefix))],
    }


def use_local_assets(fmap: folium.Map, prefix: str = STATIC_URL) -> folium.Map:
    """Point ``fmap`` and every element on it at the vendored assets (in place; returns it).

    The map and Draw controls get the local Leaflet / Leaflet.draw; any other element that
    declares remote assets has them removed (its JS would be fetched from a third party), so add
    elements before calling this. Call it last, right before rendering. A map without
    :class:`~omgevingskaart.viz.map2d.DutchMapChrome` gets one (Dutch control titles, no scroll
    trap).
    """
    from .map2d import DutchMapChrome

    if not any(isinstance(e, DutchMapChrome) for e in _walk(fmap)):
        DutchMapChrome().add_to(fmap)  # every map the app shows: Dutch controls, no scroll trap
    assets = local_assets(prefix)
    for elem in _walk(fmap):
        if isinstance(elem, folium.Map):
            elem.default_js = assets["map_js"]
            elem.default_css = assets["map_css"]
        elif isinstance(elem, folium.plugins.Draw):
            elem.default_js = assets["draw_js"]
            elem.default_css = assets["draw_css"]
        else:
            js = getattr(elem, "default_js", None)
            css = getattr(elem, "default_css", None)
            if js:
                elem.default_js = [(n, u) for n, u in js if _is_local(u)]
            if css:
                elem.default_css = [(n, u) for n, u in css if _is_local(u)]
    return fmap


def install_class_defaults(prefix: str = STATIC_URL) -> None:
    """Make folium.Map and folium.plugins.Draw default to the local assets, process-wide.

    For code that builds maps itself (e.g. the permit page's Draw control): after this call even a
    freshly constructed ``folium.Map()`` loads nothing from a CDN.
    """
    assets = local_assets(prefix)
    folium.Map.default_js = assets["map_js"]
    folium.Map.default_css = assets["map_css"]
    folium.plugins.Draw.default_js = assets["draw_js"]
    folium.plugins.Draw.default_css = assets["draw_css"]


def remote_urls(fmap: folium.Map) -> list[str]:
    """Every JS/CSS URL of ``fmap``'s elements that is not served by the app itself."""
    out: list[str] = []
    for elem in _walk(fmap):
        for _, url in list(getattr(elem, "default_js", []) or []) + list(
            getattr(elem, "default_css", []) or []
        ):
            if not _is_local(url):
                out.append(url)
    return out


def _is_local(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def _walk(elem: Any) -> Iterator[Any]:
    yield elem
    children: Iterable[Any] = getattr(elem, "_children", {}).values()
    for child in children:
        yield from _walk(child)
