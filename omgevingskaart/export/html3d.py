"""A standalone 3D page: one HTML file with deck.gl and the data inlined, which works offline.

pydeck's ``to_html`` loads deck.gl from cdn.jsdelivr.net (a blank page offline, and every viewer's
IP sent to a third party). This page instead inlines the deck.gl bundle vendored in the project
(``omgevingskaart/static/vendor/deck.gl/dist.min.js``, deck.gl 9.3.11 from the npm registry, MIT
licence beside it) and the scene of :func:`omgevingskaart.viz.town3d.scene_data` as compact JSON.
It requests nothing: no tiles (there is no basemap), no fonts, no scripts.

The page shows the LoD 1.2 blocks (and LoD 2.2 triangles when the scene has them) in one colour
mode with its legend, the bouwvlak envelopes behind a checkbox, camera buttons for the presets,
and a tooltip. ``window.__ok3d`` exposes the deck and, after the first frame with every layer
loaded, ``firstFrameMs`` (``performance.now()`` at that frame, i.e. ms since navigation start) for
tests and benchmarks.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any

from ..viz.town3d import ENVELOPE_COLOUR, SceneData, View

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "deck.gl"
DECK_JS = VENDOR_DIR / "dist.min.js"
DECK_VERSION = "9.3.11"
#: sha256 of the vendored dist.min.js (npm pack deck.gl@9.3.11), checked before inlining.
DECK_SHA256 = "91cebf7d9595c50fac694c4ec622d651a1ac07601390ac1315a5e486fc90ec41"

_CSS = """
html,body{margin:0;height:100%;font-family:system-ui,sans-serif;background:#eef0f2}
#app{position:absolute;inset:0}
#panel{position:absolute;top:10px;left:10px;background:rgba(255,255,255,.93);padding:10px 12px;
border-radius:6px;font-size:13px;max-width:300px;box-shadow:0 1px 4px rgba(0,0,0,.25);z-index:2}
#panel h1{font-size:15px;margin:0 0 6px}
#panel button{margin:2px 2px 2px 0;font-size:12px}
.sw{display:inline-block;width:12px;height:12px;border:1px solid #555;margin-right:6px;
vertical-align:middle}
#note{color:#555;font-size:11px;margin-top:6px}
"""

_JS = """
(function () {
  const D = JSON.parse(document.getElementById('ok3d-data').textContent);
  const state = {envelopes: D.envelopesOn, firstFrameMs: null, deck: null};
  window.__ok3d = state;
  const layers = () => ok3dLayers(D, {envelopes: state.envelopes, basemap: null});
  const d = new deck.Deck({
    parent: document.getElementById('app'),
    initialViewState: Object.assign({maxPitch: 85, minZoom: 12, maxZoom: 21}, D.view),
    controller: true,
    layers: layers(),
    getTooltip: ok3dTooltip,
    onAfterRender: () => {
      if (state.firstFrameMs === null && d.props.layers.every(l => l.isLoaded)) {
        state.firstFrameMs = performance.now();
      }
    }
  });
  state.deck = d;
  const box = document.getElementById('envelopes');
  if (box) box.addEventListener('change', () => {
    state.envelopes = box.checked; d.setProps({layers: layers()});
  });
  document.querySelectorAll('button[data-view]').forEach(b => b.addEventListener('click', () => {
    const v = D.presets[b.dataset.view];
    d.setProps({initialViewState: Object.assign({transitionDuration: 800,
      maxPitch: 85, minZoom: 12, maxZoom: 21}, v)});
  }));
})();
"""

#: the layer code shared with the app's 3D view (served there at /app/static/js/ok3d-layers.js)
LAYERS_JS = Path(__file__).resolve().parent.parent / "static" / "js" / "ok3d-layers.js"



def vendored_deck_js() -> str:
    """The vendored deck.gl bundle, checked against :data:`DECK_SHA256`."""
    data = DECK_JS.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != DECK_SHA256:
        raise RuntimeError(f"{DECK_JS} is not the vendored deck.gl {DECK_VERSION} "
                           f"(sha256 {digest})")
    return data.decode("utf-8")


def _script_json(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</`` can close it)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def page_data(scene: SceneData, view: View, presets: dict[str, tuple[str, View]] | None = None,
              *, envelopes_on: bool = True) -> dict[str, Any]:
    """The JSON the page embeds (also what the benchmarks count as data bytes)."""
    return {
        "origin": list(scene.origin),
        "mode": scene.mode,
        "legend": [[label, list(rgb)] for label, rgb in scene.legend],
        "blocks": scene.blocks,
        "lod22": scene.lod22,
        "envelopes": scene.envelopes,
        "envelopeColour": list(ENVELOPE_COLOUR),
        "envelopesOn": envelopes_on,
        "view": view.as_dict(),
        "presets": {k: v.as_dict() for k, (_, v) in (presets or {}).items()},
    }


def render_page(scene: SceneData, view: View, *, title: str = "3D binnenstad",
                presets: dict[str, tuple[str, View]] | None = None, notice: str = "",
                envelopes_on: bool = True, deck_js: str | None = None) -> str:
    """The standalone HTML page (a string). ``deck_js`` overrides the inlined library (tests)."""
    data = page_data(scene, view, presets, envelopes_on=envelopes_on)
    legend = "".join(
        f'<div><span class="sw" style="background:rgb({r},{g},{b})"></span>{html.escape(label)}'
        f"</div>" for label, (r, g, b) in scene.legend)
    buttons = "".join(f'<button data-view="{html.escape(k)}">{html.escape(label)}</button>'
                      for k, (label, _) in (presets or {}).items())
    env = ('<label><input type="checkbox" id="envelopes"'
           f'{" checked" if envelopes_on else ""}> bouwvlakken tot maximum bouwhoogte</label>'
           if scene.envelopes else "")
    from ..viz.town3d import COLOUR_MODES

    lib = deck_js if deck_js is not None else vendored_deck_js()
    lib = lib.replace("</script", "<\\/script")
    shared = LAYERS_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return (
        "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>\n"
        f"<!-- deck.gl {DECK_VERSION} (MIT licence, Copyright vis.gl contributors), inlined from "
        "the project's vendored copy: omgevingskaart/static/vendor/deck.gl -->\n"
        f"<script>{lib}</script>\n</head><body>"
        "<div id=\"app\"></div><div id=\"panel\">"
        f"<h1>{html.escape(title)}</h1>"
        f"<div><b>{html.escape(COLOUR_MODES.get(scene.mode, scene.mode))}</b></div>{legend}"
        f"<div style=\"margin-top:6px\">{env}</div><div>{buttons}</div>"
        f"<div id=\"note\">{scene.buildings} panden"
        f"{f', {scene.exceeding} hoger dan toegestaan' if scene.exceeding else ''}. "
        "Slepen: verschuiven; rechts slepen of Ctrl + slepen: draaien en kantelen; scrollen: zoomen."
        f" {html.escape(notice)}</div></div>\n"
        f"<script id=\"ok3d-data\" type=\"application/json\">{_script_json(data)}</script>\n"
        f"<script>{shared}</script>\n<script>{_JS}</script></body></html>\n"
    )


def write_page(path: str | Path, scene: SceneData, view: View, **kwargs: Any) -> Path:
    """Write :func:`render_page` to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    path.write_text(render_page(scene, view, **kwargs), encoding="utf-8")
    return path
