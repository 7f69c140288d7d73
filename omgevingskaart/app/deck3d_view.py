"""The app's 3D view: the scene drawn with the vendored deck.gl, the camera reported back.

``st.pydeck_chart`` never tells Python where the user moved the camera, so a dragged view could not
go into the page URL. This view is a ``st.components.v2`` component (it runs in the app page, no
iframe): its JavaScript (``deck3d_view.js``) loads deck.gl and the layer code it shares with the
standalone export (``static/js/ok3d-layers.js``) from the app's own static folder, draws the scene
and, 0.6 s after the camera stops, sends it as the state value ``view``.

The scene travels as a file, not in the element: :func:`scene_url` writes the scene JSON once,
content-addressed and atomically, into the user's cache folder (``$OMGEVINGSKAART_CACHE_DIR/3d`` or
the platform's user cache; never into the installed package), which Streamlit serves read-only as
the asset folder of a never-rendered component (``/component/<name>/<sha256>.json``, as the Kaart's
tiles). A rerun after a camera move sends a few hundred bytes instead of the scene again, and the
browser caches the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from .._files import write_atomic
from ..crs import cache_dir
from ..viz.assets import STATIC_URL

DECK_JS = f"{STATIC_URL}/vendor/deck.gl/dist.min.js"
LAYERS_JS = f"{STATIC_URL}/js/ok3d-layers.js"
#: CARTO's light raster basemap, only requested while the user has the basemap switched on
CARTO_TILES = "https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png"
_COMPONENT_JS = (Path(__file__).resolve().parent / "deck3d_view.js").read_text(encoding="utf-8")
_component = st.components.v2.component("omgevingskaart_deck3d", js=_COMPONENT_JS)


@st.cache_resource(show_spinner=False)
def scene_route() -> tuple[Path, str]:
    """The folder the scenes are written to and the URL prefix at which Streamlit serves it."""
    import streamlit.components.v1 as components

    root = cache_dir() / "3d"
    root.mkdir(parents=True, exist_ok=True)
    served = components.declare_component("scenes3d", path=str(root))
    return root, f"/component/{served.name}"


def scene_url(payload: Mapping[str, Any], *, root: Path | None = None, url: str | None = None) -> str:
    """The URL of ``payload`` as a content-addressed JSON file in the scene folder, written
    (atomically) if new. ``root``/``url`` default to :func:`scene_route`."""
    if root is None or url is None:
        root, url = scene_route()
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(text).hexdigest()[:32]
    path = root / f"{digest}.json"
    if not path.is_file():
        root.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text, mode=0o644)
    return f"{url.rstrip('/')}/{digest}.json"


def scene_file(url: str, *, root: Path | None = None) -> Path:
    """The file behind a :func:`scene_url` URL (to check it is still there)."""
    if root is None:
        root = scene_route()[0]
    return root / url.rsplit("/", 1)[-1]


def deck3d_view(*, scene: str, view: Mapping[str, float], view_key: str, envelopes: bool,
                basemap: str | None, key: str, on_view_change: Callable[[], None],
                height: int = 640) -> Any:
    """Mount the 3D view; the camera the user settles on arrives as ``st.session_state[key]
    ["view"]`` (``longitude``, ``latitude``, ``zoom``, ``pitch``, ``bearing``), after which
    ``on_view_change`` runs. A new ``view_key`` moves the camera to ``view``. ``basemap`` is a
    raster tile URL template (e.g. :data:`CARTO_TILES`) or None for none."""
    data = {"scripts": [DECK_JS, LAYERS_JS], "sceneUrl": scene, "view": dict(view),
            "viewKey": view_key, "envelopes": envelopes, "basemap": basemap, "height": height}
    return _component(data=data, key=key, on_view_change=on_view_change)
