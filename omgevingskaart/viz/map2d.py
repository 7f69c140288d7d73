"""The 2D map: catalogue layers as Leaflet vector layers, only what the current view needs.

Two halves, kept apart:

* **serialisation** (:func:`layer_features`, :func:`view_geojson`): pick a layer's features in the
  view (STRtree query on the view's RD box, padded), clip them to it, drop what is smaller than a
  pixel, simplify with a tolerance of half a pixel at the view's zoom, cap the count (largest
  first) and write compact GeoJSON in WGS84 (RDNAPTRANS2018 via :mod:`omgevingskaart.crs`,
  coordinates rounded to 1e-6 degree, about 0.1 m) with only the tooltip fields and a colour index;
* **presentation** (:func:`build_map`, :func:`layer_groups`, :class:`VectorLayer`,
  :class:`Legend`): a :class:`folium.Map` without any third-party tiles (the BGT terrain is the
  ground; PDOK's BRT-Achtergrondkaart is an opt-in basemap), one feature group per catalogue layer,
  a layer control that remembers what the user switched off across Streamlit reruns, a legend from
  the catalogue styles, and the selected perceel highlighted.

A plain folium page of 20,000 buildings is about 10 MB; a view here is bounded by
``max_features`` per layer and by the simplification, whatever the dataset's size.

>>> import omgevingskaart
>>> from omgevingskaart.viz.map2d import build_map, default_view
>>> ds = omgevingskaart.open_dataset()
>>> m = build_map(ds, view=default_view(ds))           # a folium.Map, local assets only
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template

from ..crs import cache_dir, rd_to_wgs84, wgs84_to_rd
from ..layerinfo import layer_columns
from .assets import use_local_assets

if TYPE_CHECKING:
    from ..catalogue import Catalogue, LayerSpec
    from ..dataset import Dataset

#: the Markt in Winterswijk (RD), where the map opens when the dataset covers it.
MARKT_RD = (246580.0, 443380.0)
DEFAULT_ZOOM = 17
MIN_ZOOM = 12
MAX_ZOOM = 21
#: at most this many features per layer go to the browser for one view (largest first).
MAX_FEATURES = 1500
#: below these zoom levels a layer of that kind is left out (too dense to read; zoom in to see it).
MIN_ZOOM_BY_KIND = {"verblijfsobject": 17, "pand": 15, "perceel": 15}
#: the clip box extends this fraction of the view's size beyond each side (smooth small pans).
PAD = 0.25
#: PDOK BRT-Achtergrondkaart, WMTS in Web Mercator (no key). Only loaded when the user asks.
PDOK_BRT_URL = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/{layer}/EPSG:3857/{z}/{x}/{y}.png"
PDOK_BRT_ATTRIBUTION = (
    'Achtergrond: <a href="https://www.pdok.nl/">PDOK</a> BRT-Achtergrondkaart, © Kadaster (CC BY 4.0)'
)
HIGHLIGHT_COLOUR = "#00bfff"
_EARTH_CIRCUMFERENCE = 40075016.686


# --- views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What the browser shows: a box in RD metres and a Leaflet zoom level."""

    bbox: tuple[float, float, float, float]
    zoom: int

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2)

    def padded(self, pad: float = PAD) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = self.bbox
        dx, dy = (maxx - minx) * pad, (maxy - miny) * pad
        return (minx - dx, miny - dy, maxx + dx, maxy + dy)

    def key(self, grid: float = 10.0) -> tuple[int, int, int, int, int]:
        """A hashable, slightly coarsened form for caching (RD rounded to ``grid`` metres)."""
        return (*(round(v / grid) for v in self.bbox), int(self.zoom))  # type: ignore[return-value]


def metres_per_pixel(zoom: float, lat: float = 52.0) -> float:
    """Ground size of one Web-Mercator pixel (256-pixel tiles) at ``zoom`` and latitude ``lat``."""
    return _EARTH_CIRCUMFERENCE * math.cos(math.radians(lat)) / (256 * 2 ** zoom)


def view_around(x: float, y: float, zoom: int = DEFAULT_ZOOM, size_px: tuple[int, int] = (1000, 700)) -> View:
    """The view of a ``size_px`` map centred on RD ``(x, y)`` at ``zoom``."""
    mpp = metres_per_pixel(zoom)
    hw, hh = size_px[0] * mpp / 2, size_px[1] * mpp / 2
    return View((x - hw, y - hh, x + hw, y + hh), int(zoom))


def default_view(dataset: Dataset, zoom: int = DEFAULT_ZOOM) -> View:
    """The opening view: the Markt when the dataset covers it, else the dataset's centre."""
    minx, miny, maxx, maxy = dataset.bounds
    x, y = MARKT_RD
    if not (minx <= x <= maxx and miny <= y <= maxy):
        x, y = (minx + maxx) / 2, (miny + maxy) / 2
    return view_around(x, y, zoom)


def view_from_leaflet(bounds: Mapping[str, Any] | None, zoom: Any) -> View | None:
    """The view of Leaflet's ``getBounds()`` (``_southWest`` / ``_northEast``) and zoom; None if
    the browser has not reported one yet."""
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
        lats = [float(sw["lat"]), float(ne["lat"])]
        lons = [float(sw["lng"]), float(ne["lng"])]
        z = round(float(zoom))
    except (TypeError, KeyError, ValueError):
        return None
    if not all(math.isfinite(v) for v in lats + lons) or not -90 < lats[0] < lats[1] < 90:
        return None
    if lons[0] >= lons[1]:
        return None
    xs, ys = wgs84_to_rd(np.array([lons[0], lons[1], lons[0], lons[1]]),
                         np.array([lats[0], lats[0], lats[1], lats[1]]))
    return View((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())), z)


def rd_point_to_latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = rd_to_wgs84(x, y)
    return float(lat), float(lon)


# --- serialisation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerFeatures:
    """One layer's features for one view, ready for the browser."""

    layer_id: str
    geojson: str          # a GeoJSON FeatureCollection (WGS84), compact
    palette: list[str]    # colour index ``c`` in the properties -> fill colour
    n_in_view: int        # features intersecting the (padded) view
    n_shown: int          # features written (after the pixel filter and the cap)
    capped: bool          # the cap left some out

    @property
    def nbytes(self) -> int:
        return len(self.geojson.encode("utf-8"))


def _to_wgs84(geoms: np.ndarray, decimals: int = 6) -> np.ndarray:
    """Geometries in RD -> WGS84 (RDNAPTRANS2018), coordinates rounded to ``decimals``."""
    if len(geoms) == 0:
        return geoms
    coords = shapely.get_coordinates(geoms)
    lon, lat = rd_to_wgs84(coords[:, 0], coords[:, 1])
    out = np.column_stack([np.round(lon, decimals), np.round(lat, decimals)])
    return shapely.set_coordinates(geoms.copy(), out)


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 2)
    return value


def layer_features(
    dataset: Dataset,
    spec: LayerSpec,
    view: View,
    *,
    max_features: int = MAX_FEATURES,
    pad: float = PAD,
    fields: Sequence[str] | None = None,
) -> LayerFeatures:
    """The features of ``spec``'s layer that the browser needs for ``view``.

    Selected by a store query on the padded view box (the window only), clipped to it, filtered (polygons smaller
    than one pixel are dropped), simplified (half a pixel), capped at ``max_features`` (largest
    area first; ``capped`` says so), in WGS84. Properties: ``fields`` (default the catalogue's
    tooltip fields) and ``c``, the index into ``palette`` of the feature's fill colour.
    """
    box = view.padded(pad)
    names = layer_columns(dataset, spec.layer)
    cols = [c for c in (fields if fields is not None else spec.popup.tooltip) if c in names]
    wanted = list(dict.fromkeys(cols + ([spec.style.field] if spec.style.field in names else [])))
    records, geoms = dataset.store.rows(spec.layer, bbox=box, columns=wanted)
    hits = np.arange(len(geoms))
    n_in_view = len(hits)
    mpp = metres_per_pixel(view.zoom)
    if view.zoom < MIN_ZOOM_BY_KIND.get(spec.kind, 0):
        max_features = 0
    keep = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)
    hits, geoms = hits[keep], geoms[keep]

    dims = shapely.get_dimensions(geoms)
    polys = dims == 2
    if polys.any():
        # big polygons (plan areas, roads) are cut at the padded view; small ones kept whole
        big = polys & ~shapely.within(geoms, shapely.box(*box))
        if big.any():
            geoms = geoms.copy()
            geoms[big] = _clip(geoms[big], box)
        area = shapely.area(geoms)
        visible = ~polys | (area >= mpp * mpp)
        hits, geoms, area = hits[visible], geoms[visible], area[visible]
    else:
        area = np.zeros(len(geoms))
    capped = len(hits) > max_features
    if capped:
        order = np.argsort(-area, kind="stable")[:max_features]
        order.sort()
        hits, geoms = hits[order], geoms[order]
    tol = mpp * 0.5
    geoms = shapely.simplify(geoms, tol, preserve_topology=True)
    ok = ~shapely.is_empty(geoms)
    hits, geoms = hits[ok], geoms[ok]

    palette, colour_idx = _palette(spec, records, hits)
    wgs = _to_wgs84(geoms, decimals=6 if mpp < 2 else 5)
    texts = shapely.to_geojson(wgs) if len(wgs) else []
    parts = []
    for k, (row, gj) in enumerate(zip(hits.tolist(), texts, strict=True)):
        rec = records[row]
        props: dict[str, Any] = {c: _json_value(rec.get(c)) for c in cols}
        if len(palette) > 1:
            props["c"] = int(colour_idx[k])
        parts.append('{"type":"Feature","geometry":' + gj + ',"properties":'
                     + json.dumps(props, ensure_ascii=False, separators=(",", ":")) + "}")
    geojson = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    return LayerFeatures(spec.id, geojson, palette, n_in_view, len(parts), capped)


def _clip(geoms: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """``geoms`` cut at ``box``; invalid geometries are repaired first when GEOS objects."""
    rect = shapely.box(*box)
    try:
        return shapely.intersection(geoms, rect)
    except shapely.errors.GEOSException:
        return shapely.intersection(shapely.make_valid(geoms), rect)


def _palette(spec: LayerSpec, records: Sequence[Mapping[str, Any]], rows: np.ndarray) -> tuple[
        list[str], np.ndarray]:
    style = spec.style
    if style.field is None or not records or style.field not in records[0]:
        return [style.fill], np.zeros(len(rows), dtype=int)
    values = [records[int(r)].get(style.field) for r in rows]
    colours = [style.colour_for(v if v is None or v == v else None) for v in values]
    palette = list(dict.fromkeys(colours)) or [style.fill]
    lookup = {c: i for i, c in enumerate(palette)}
    return palette, np.array([lookup[c] for c in colours], dtype=int)


def view_geojson(dataset: Dataset, view: View, catalogue: Catalogue | None = None,
                 **kwargs: Any) -> dict[str, LayerFeatures]:
    """:func:`layer_features` for every public catalogue layer of ``dataset``."""
    cat = catalogue if catalogue is not None else dataset.catalogue
    return {spec.id: layer_features(dataset, spec, view, **kwargs)
            for spec in cat if spec.public and spec.layer in dataset}


# --- presentation --------------------------------------------------------------------------------


class VectorLayer(MacroElement):
    """A Leaflet ``L.geoJSON`` layer styled from the catalogue, with a tooltip from its labels.

    Lighter than :class:`folium.GeoJson`: the style is one JavaScript function with a palette, not
    a style per feature, and the data is embedded once.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
    style: function (f) {
        var pal = {{ this.palette }};
        var c = pal[(f.properties && f.properties.c) || 0];
        return {color: {{ this.line|tojson }}, weight: {{ this.weight }}, opacity: 0.9,
                fillColor: c, fillOpacity: {{ this.opacity }}, fill: {{ this.fill|tojson }}};
    },
    pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {radius: 4});
    },
    interactive: {{ this.interactive|tojson }},
    onEachFeature: function (f, l) {
        var labels = {{ this.labels }};
        var rows = [];
        for (var i = 0; i < labels.length; i++) {
            var v = f.properties ? f.properties[labels[i][0]] : null;
            if (v === null || v === undefined || v === "") continue;
            var s = String(v).replace(/[&<>"']/g, function (ch) {
                return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
            });
            rows.push(labels[i][1] + ": " + s);
        }
        if (rows.length) {
            l.bindTooltip({{ this.title|tojson }} + "<br>" + rows.join("<br>"), {sticky: true});
        }
    }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, features: LayerFeatures, spec: LayerSpec, *, interactive: bool = True,
                 line: str | None = None, weight: float | None = None, fill: bool = True):
        super().__init__()
        self._name = "VectorLayer"
        self.data = features.geojson
        self.palette = json.dumps(features.palette)
        self.line = line or spec.style.line
        self.weight = weight if weight is not None else max(spec.style.line_width, 0.3)
        self.opacity = spec.style.opacity
        self.fill = fill
        self.interactive = interactive
        self.title = html.escape(spec.title)
        self.labels = json.dumps(
            [[c, html.escape(spec.popup.label(c))] for c in spec.popup.tooltip], ensure_ascii=False,
        )


class RememberingLayerControl(folium.LayerControl):
    """A layer control that keeps what the user switched off when the layers are re-sent.

    streamlit-folium replaces the feature groups and the control on every rerun (each pan sends
    the layers of the new view); without this, a layer the user switched off would come back.
    The browser keeps the names of the switched-off overlays in ``window.__okHidden`` (only clicks
    on the control count, not the removals streamlit-folium does), and the control hides those
    layers again when it is rebuilt; layers never touched follow their group's ``show`` (which
    streamlit-folium itself ignores for dynamically added groups).
    """

    def __init__(self, hidden_by_default: Iterable[str] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.hidden_by_default = list(hidden_by_default)

    _template = Template("""
{% macro script(this,kwargs) %}
    var {{ this.get_name() }}_layers = {
        base_layers : {
            {%- for key, val in this.base_layers.items() %}
            {{ key|tojson }} : {{val}},
            {%- endfor %}
        },
        overlays :  {
            {%- for key, val in this.overlays.items() %}
            {{ key|tojson }} : {{val}},
            {%- endfor %}
        },
    };
    window.__okHidden = window.__okHidden || {};
    (function (map, overlays) {
        var hiddenByDefault = {{ this.hidden_by_default|tojson }};
        for (var name in overlays) {
            var hidden = window.__okHidden[name];
            if (hidden === undefined) { hidden = hiddenByDefault.indexOf(name) >= 0; }
            if (hidden) { map.removeLayer(overlays[name]); } else { map.addLayer(overlays[name]); }
        }
    })({{ this._parent.get_name() }}, {{ this.get_name() }}_layers.overlays);
    let {{ this.get_name() }} = L.control.layers(
        {{ this.get_name() }}_layers.base_layers,
        {{ this.get_name() }}_layers.overlays,
        {{ this.options|tojavascript }}
    ).addTo({{this._parent.get_name()}});
    (function (toggle) {
        if (toggle) { toggle.title = "Kaartlagen"; toggle.setAttribute("aria-label", "Kaartlagen"); }
    })({{ this.get_name() }}.getContainer().querySelector(".leaflet-control-layers-toggle"));
    if (!window.__okListening) {
        window.__okListening = true;
        {{ this._parent.get_name() }}.on("overlayadd overlayremove", function (e) {
            var c = window.layer_control || {{ this.get_name() }};
            if (c && c._handlingClick) { window.__okHidden[e.name] = (e.type === "overlayremove"); }
        });
    }
{% endmacro %}
""")


class Legend(MacroElement):
    """A collapsible legend (bottom left) with the catalogue's colours, grouped as in the control."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.ok-legend {position: absolute; z-index: 1000; left: 10px; bottom: 24px; background: rgba(255,255,255,0.92);
  padding: 6px 10px; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.35);
  font: 12px/1.35 "Helvetica Neue", Arial, sans-serif; max-height: 60%; overflow-y: auto; max-width: 260px;}
.ok-legend summary {font-weight: bold; cursor: pointer;}
.ok-legend h4 {margin: 6px 0 2px; font-size: 12px;}
.leaflet-control-layers, .leaflet-control-layers label {font: 12px/1.4 "Helvetica Neue", Arial, sans-serif;}
.leaflet-control-attribution {font-size: 10px !important; max-width: 60%;}
.ok-legend i {display: inline-block; width: 14px; height: 10px; margin-right: 6px; vertical-align: middle;
  border: 1px solid #555;}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
    var div = L.DomUtil.create("div", "ok-legend");
    div.innerHTML = {{ this.content|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    {{ this._parent.get_name() }}.getContainer().appendChild(div);
})();
{% endmacro %}
""")

    def __init__(self, catalogue: Iterable[LayerSpec], *, title: str = "Legenda", open_: bool = False):
        super().__init__()
        self._name = "Legend"
        self.content = legend_html(catalogue, title=title, open_=open_)


def legend_entries(spec: LayerSpec) -> list[tuple[str, str, str, float]]:
    """``(label, fill, line, opacity)`` rows for one layer: one per category, else one."""
    s = spec.style
    if s.field and s.categories:
        seen: dict[str, str] = {}
        for name, colour in s.categories.items():
            seen.setdefault(colour, name)
        return [(name.capitalize(), colour, s.line, max(s.opacity, 0.35)) for colour, name in seen.items()]
    return [(spec.title, s.fill, s.line, s.opacity)]


def legend_html(catalogue: Iterable[LayerSpec], *, title: str = "Legenda", open_: bool = False) -> str:
    specs = sorted((s for s in catalogue if s.public), key=lambda s: (s.group, -s.order, s.id))
    parts = [f"<details{' open' if open_ else ''}><summary>{html.escape(title)}</summary>"]
    group = None
    for spec in specs:
        if spec.group != group:
            group = spec.group
            parts.append(f"<h4>{html.escape(group)}</h4>")
        entries = legend_entries(spec)
        if len(entries) > 1:
            parts.append(f"<div><b>{html.escape(spec.title)}</b></div>")
        for label, fill, line, opacity in entries:
            bg = "transparent" if opacity <= 0.01 else fill
            parts.append(
                f'<div><i style="background:{bg};opacity:{max(opacity, 0.4):.2f};border-color:{line}"></i>'
                f"{html.escape(label)}</div>"
            )
    parts.append("</details>")
    return "".join(parts)


def base_map(dataset: Dataset, *, basemap: bool = False, catalogue: Catalogue | None = None,
             start: View | None = None, height: str | int = "100%") -> folium.Map:
    """The static part of the map: no data layers, only the frame (and the basemap when asked).

    It does not change between reruns (so streamlit-folium keeps the same map in the browser);
    the data goes in separately, see :func:`layer_groups`.
    """
    cat = catalogue if catalogue is not None else dataset.catalogue
    view = start or default_view(dataset)
    m = folium.Map(
        location=list(rd_point_to_latlon(*view.centre)), zoom_start=view.zoom, tiles=None,
        prefer_canvas=True, control_scale=True, min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM,
        height=height,
    )
    if basemap:
        folium.TileLayer(
            tiles=PDOK_BRT_URL.format(layer="standaard", z="{z}", x="{x}", y="{y}"),
            attr=PDOK_BRT_ATTRIBUTION, name="Achtergrondkaart (PDOK)", max_zoom=MAX_ZOOM,
            max_native_zoom=19, overlay=False, control=False,
        ).add_to(m)
    attribution = "; ".join(dict.fromkeys(
        part.strip() for s in cat if s.public for part in s.attribution.split(";") if part.strip()))
    Legend(cat).add_to(m)
    DutchMapChrome(data_bounds_latlon(dataset), min_zoom=MIN_ZOOM).add_to(m)
    TiledLayerLibrary().add_to(m)
    m.options["attributionControl"] = True
    _Attribution(f"Gegevens: {attribution}" if attribution else "").add_to(m)
    return use_local_assets(m)


class DutchMapChrome(MacroElement):
    """The map's controls in Dutch, and a map that does not trap the page's scrolling.

    * the zoom buttons say "Inzoomen"/"Uitzoomen", the layer button "Kaartlagen" (title and
      aria-label), the map container is labelled "Kaart" for screen readers;
    * desktop: the scroll wheel scrolls the page until the map is clicked or focused (then it
      zooms), and again after the pointer leaves the map;
    * touch screens: one finger scrolls the page; a tap on the map activates dragging (two-finger
      pinch always zooms);
    * with ``bounds`` (south, west, north, east in WGS84): the map cannot be panned away from the
      data, nor zoomed out further than the data (no grey void).
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map, bounds) {
  var c = map.getContainer();
  document.querySelectorAll('meta[name="viewport"]').forEach(function (vp) {  // no pinch-zoom ban
    vp.setAttribute('content', 'width=device-width, initial-scale=1.0');
  });
  c.setAttribute('aria-label', 'Kaart');
  c.setAttribute('role', 'region');
  if (map.zoomControl) {
    [[map.zoomControl._zoomInButton, 'Inzoomen'], [map.zoomControl._zoomOutButton, 'Uitzoomen']]
      .forEach(function (b) { if (b[0]) { b[0].title = b[1]; b[0].setAttribute('aria-label', b[1]); } });
  }
  map.scrollWheelZoom.disable();
  var touch = L.Browser.mobile && L.Browser.touch;
  if (touch && map.dragging) { map.dragging.disable(); }
  if (map.tap) { map.tap.disable(); }
  var activate = function () { map.scrollWheelZoom.enable(); if (map.dragging) { map.dragging.enable(); } };
  map.on('click focus', activate);
  c.addEventListener('focus', activate);
  c.addEventListener('touchend', function (e) { if (e.touches.length === 0 && e.changedTouches.length === 1) { activate(); } });
  map.on('mouseout blur', function () { map.scrollWheelZoom.disable(); });
  if (bounds) {
    var b = L.latLngBounds([bounds[0], bounds[1]], [bounds[2], bounds[3]]);
    map.setMaxBounds(b.pad(0.2));
    map.options.maxBoundsViscosity = 1.0;
    var fit = function () { map.setMinZoom(Math.max({{ this.min_zoom }}, map.getBoundsZoom(b.pad(0.2), false))); };
    map.whenReady(fit);
    map.on('resize', fit);
  }
})({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
{% endmacro %}
""")

    def __init__(self, bounds: tuple[float, float, float, float] | None = None, min_zoom: int = 0):
        super().__init__()
        self._name = "DutchMapChrome"
        self.bounds = list(bounds) if bounds is not None else None
        self.min_zoom = int(min_zoom)


def data_bounds_latlon(dataset: Dataset) -> tuple[float, float, float, float]:
    """The dataset's extent as (south, west, north, east) in WGS84."""
    minx, miny, maxx, maxy = dataset.bounds
    s, w = rd_point_to_latlon(minx, miny)
    n, e = rd_point_to_latlon(maxx, maxy)
    return (min(s, n), min(w, e), max(s, n), max(w, e))


class _Attribution(MacroElement):
    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.setPrefix(false);
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
{% endmacro %}
""")

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text = html.escape(text)


@dataclass
class MapLayers:
    """The dynamic part of the map for one view: feature groups, their control, notices."""

    groups: list[folium.FeatureGroup]
    control: folium.LayerControl
    features: dict[str, LayerFeatures]
    notices: list[str]

    @property
    def nbytes(self) -> int:
        return sum(f.nbytes for f in self.features.values())


def layer_groups(
    dataset: Dataset,
    view: View,
    *,
    catalogue: Catalogue | None = None,
    selected: Any = None,
    basemap: bool = False,
    max_features: int = MAX_FEATURES,
) -> MapLayers:
    """One feature group per public catalogue layer for ``view`` (drawing order from the
    catalogue), plus the selected perceel (RD geometry or GeoJSON mapping) as a highlight."""
    cat = catalogue if catalogue is not None else dataset.catalogue
    groups: list[folium.FeatureGroup] = []
    feats: dict[str, LayerFeatures] = {}
    notices: list[str] = []
    for spec in cat:  # sorted by order: later is drawn on top
        if not spec.public or spec.layer not in dataset:
            continue
        lf = layer_features(dataset, spec, view, max_features=max_features)
        feats[spec.id] = lf
        ground = spec.kind == "bgt"
        show = spec.visible and not (ground and basemap)
        fg = folium.FeatureGroup(name=spec.title, show=show, overlay=True, control=True)
        # percelen are outlines: click through their (transparent) fill to the map
        VectorLayer(lf, spec, interactive=not ground, fill=spec.style.opacity > 0).add_to(fg)
        groups.append(fg)
        if lf.capped and lf.n_shown == 0:
            notices.append(f"{spec.title}: zoom verder in om deze laag te zien.")
        elif lf.capped:
            notices.append(
                f"{spec.title}: {lf.n_shown} van de {lf.n_in_view} objecten in beeld getoond "
                "(de grootste). Zoom in om alles te zien."
            )
    if selected is not None:
        groups.append(highlight_group(selected))
    hidden = [g.layer_name for g in groups if not g.show]
    control = RememberingLayerControl(hidden_by_default=hidden, collapsed=True, position="topright")
    return MapLayers(groups, control, feats, notices)


class Highlight(MacroElement):
    """The selected perceel as a thick outline in its own pane above the layers (tiles that arrive
    later are drawn below it), letting clicks through."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
    if (!map.getPane("okSelected")) {
        var pane = map.createPane("okSelected");
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
    }
})({{ this._parent._parent.get_name() }});
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
    pane: "okSelected", interactive: false,
    style: function () {
        return {color: {{ this.colour|tojson }}, weight: 4, fillColor: {{ this.colour|tojson }},
                fillOpacity: 0.15};
    }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, geojson: str, colour: str = HIGHLIGHT_COLOUR):
        super().__init__()
        self._name = "Highlight"
        self.data = geojson
        self.colour = colour


def highlight_group(geometry: Any, name: str = "Geselecteerd perceel") -> folium.FeatureGroup:
    """A feature group with ``geometry`` (shapely or GeoJSON mapping, RD) as a thick outline."""
    geom = geometry if isinstance(geometry, shapely.Geometry) else shapely.geometry.shape(geometry)
    wgs = _to_wgs84(np.array([geom], dtype=object))[0]
    fg = folium.FeatureGroup(name=name, show=True, control=False)
    Highlight(shapely.to_geojson(wgs)).add_to(fg)
    return fg


def build_map(
    dataset: Dataset,
    catalogue: Catalogue | None = None,
    *,
    view: View | None = None,
    selected: Any = None,
    basemap: bool = False,
    max_features: int = MAX_FEATURES,
) -> folium.Map:
    """A complete :class:`folium.Map` of ``view`` (default: :func:`default_view`): the base map,
    every public catalogue layer clipped and simplified for the view, the layer control, the
    legend and the ``selected`` perceel highlighted. For notebooks and standalone HTML; the app
    sends :func:`base_map` once and :func:`layer_groups` per view."""
    cat = catalogue if catalogue is not None else dataset.catalogue
    view = view or default_view(dataset)
    m = base_map(dataset, basemap=basemap, catalogue=cat, start=view)
    layers = layer_groups(dataset, view, catalogue=cat, selected=selected, basemap=basemap,
                          max_features=max_features)
    for g in layers.groups:
        g.add_to(m)
    layers.control.add_to(m)
    return use_local_assets(m)


# --- layers as tiles per view (the app) ---------------------------------------------------------
#
# The app does not send layer data through Streamlit's websocket: the layers are cut into GeoJSON
# tiles (Web Mercator, one tile zoom per band of map zooms) that the browser fetches for its view
# (:class:`TiledLayer`), so a rerun sends only a few kilobytes of JavaScript and the browser
# caches the tiles. Only the tiles of the views people look at are made: every rerun of the page
# knows the map's view (bounds and zoom), and :func:`ensure_view_tiles` writes the missing tiles
# of that view, one store window query per layer and tile, so a first visit costs the same on a
# national dataset as on the demo. Tiles are files in a cache folder outside the package
# (:func:`cache_dir`, written atomically), keyed by the store's fingerprint and the catalogue.
#
# Features are not clipped (no seams along tile edges): a feature at most half a tile wide goes to
# the tile holding the centre of its bounding box; a wider one goes to every tile it touches,
# carrying a key (``_k``) by which the browser draws it once. The browser loads the tiles touching
# its view padded by a third of a tile (the same set the page writes).

#: bump when the tile format or the selection rules change (old caches are then ignored)
TILE_FORMAT = 4
#: ``(first zoom, last zoom, tile zoom, zoom whose half pixel is the simplification tolerance)``
TILE_BANDS: tuple[tuple[int, int, int, int], ...] = ((MIN_ZOOM, 14, 10, 13), (15, 16, 12, 16), (17, MAX_ZOOM, 14, 19))
TILE_PAD = 0.34  # tiles; a small feature reaches at most a quarter tile beyond its own
#: layers that are drawn, never queried (no tooltip, clicks go through to the map): their small
#: features are merged per tile and colour into one MultiPolygon each
MERGED_KINDS = frozenset({"bgt"})


@dataclass(frozen=True)
class TileSet:
    """The tiles of one dataset and catalogue: where they are served and stored, per layer its
    palette and zoom bands, and ``ready``: a short hash of the tiles written for the current view
    (when it changes, the browser fetches again what it could not get before)."""

    url: str                                   # URL prefix of the tiles
    path: str                                  # the folder on disk
    layers: dict[str, dict[str, Any]]          # layer id -> {"palette": [...], "bands": [...]}
    ready: str = ""


def _tile_xy(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Fractional Web-Mercator tile coordinates at zoom ``z``."""
    n = 2.0 ** z
    x = (lon + 180.0) / 360.0 * n
    rad = np.radians(lat)
    y = (1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / math.pi) / 2.0 * n
    return x, y


def _tile_lonlat(x: np.ndarray, y: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of fractional tile coordinates at zoom ``z``."""
    n = 2.0 ** z
    lon = np.asarray(x, dtype=float) / n * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * np.asarray(y, dtype=float) / n))))
    return lon, lat


def tile_rd_box(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The RD box covering tile ``z/x/y`` (its densified outline through RDNAPTRANS2018, plus
    1 m for the curvature)."""
    t = np.linspace(0.0, 1.0, 9)
    xs = np.concatenate([x + t, np.full(9, x + 1.0), x + 1.0 - t, np.full(9, float(x))])
    ys = np.concatenate([np.full(9, float(y)), y + t, np.full(9, y + 1.0), y + 1.0 - t])
    lon, lat = _tile_lonlat(xs, ys, z)
    rx, ry = wgs84_to_rd(lon, lat)
    rx, ry = np.asarray(rx), np.asarray(ry)
    return (float(rx.min()) - 1, float(ry.min()) - 1, float(rx.max()) + 1, float(ry.max()) + 1)


def tile_palette(spec: LayerSpec) -> list[str]:
    """The fill colours a layer's features can get (the catalogue style's, fixed per layer, so
    every tile indexes the same palette)."""
    style = spec.style
    if style.field is None:
        return [style.fill]
    return list(dict.fromkeys([style.default_category, *style.categories.values()]))


def tile_bands(spec: LayerSpec) -> list[dict[str, int]]:
    """The zoom bands in which ``spec``'s layer is drawn: ``{id, min, max, tz}``."""
    floor = MIN_ZOOM_BY_KIND.get(spec.kind, 0)
    return [{"id": b, "min": max(z0, floor), "max": z1, "tz": tz}
            for b, (z0, z1, tz, _tolz) in enumerate(TILE_BANDS) if z1 >= floor]


def tile_key(dataset: Dataset, catalogue: Catalogue | None = None) -> str:
    """A short hash of the dataset (its store's location and fingerprint), the catalogue and the
    tile format: a changed dataset gets new tile URLs (no stale browser caches)."""
    import hashlib

    cat = catalogue if catalogue is not None else dataset.catalogue
    text = repr((dataset.store.location, dataset.store.fingerprint(), TILE_FORMAT, TILE_BANDS,
                 MIN_ZOOM_BY_KIND, [(s.id, s.layer, s.kind, s.public, s.style, s.popup) for s in cat]))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def tile_set(dataset: Dataset, catalogue: Catalogue | None = None, *, root: str | Path | None = None,
             url: str = "") -> TileSet:
    """The tile set of ``dataset`` below ``root/<tile_key>`` (default :func:`cache_dir`
    ``/kaart``: ``$OMGEVINGSKAART_CACHE_DIR`` or the user cache, never the package), served at ``url/<tile_key>``. Reads no data: tiles are written per view by
    :func:`ensure_view_tiles`."""
    cat = catalogue if catalogue is not None else dataset.catalogue
    key = tile_key(dataset, cat)
    folder = Path(root if root is not None else cache_dir() / "kaart") / key
    layers = {spec.id: {"palette": tile_palette(spec), "bands": tile_bands(spec)}
              for spec in cat if spec.public and spec.layer in dataset}
    return TileSet(f"{url.rstrip('/')}/{key}", str(folder), layers)


def view_tile_keys(view: View, tz: int, pad: float = TILE_PAD) -> list[tuple[int, int]]:
    """The tiles at zoom ``tz`` that the browser loads for ``view`` (those touching the view
    padded by ``pad`` tiles, as :class:`TiledLayerLibrary` computes them)."""
    minx, miny, maxx, maxy = view.bbox
    lon, lat = rd_to_wgs84(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]))
    tx, ty = _tile_xy(np.asarray(lon), np.asarray(lat), tz)
    n = 2 ** tz
    xs = range(max(math.floor(tx.min() - pad), 0), min(math.floor(tx.max() + pad), n - 1) + 1)
    ys = range(max(math.floor(ty.min() - pad), 0), min(math.floor(ty.max() + pad), n - 1) + 1)
    return [(x, y) for x in xs for y in ys]


def tile_features(dataset: Dataset, spec: LayerSpec, band: int, x: int, y: int) -> list[str]:
    """The GeoJSON Feature texts of tile ``x/y`` of ``band`` for ``spec``'s layer: one store
    window query, polygons under a pixel (at the band's tolerance zoom) dropped, simplified by half
    a pixel, in WGS84; small features whose box centre lies in the tile, wide ones touching it
    (with their key ``_k``)."""
    import hashlib

    _z0, _z1, tz, tolz = TILE_BANDS[band]
    names = layer_columns(dataset, spec.layer)
    cols = [c for c in spec.popup.tooltip if c in names]
    field = spec.style.field if spec.style.field in names else None
    wanted = list(dict.fromkeys(cols + ([field] if field else [])))
    recs, geoms = dataset.store.rows(spec.layer, bbox=tile_rd_box(tz, x, y), columns=wanted)
    rows = np.arange(len(geoms))
    if not len(rows):
        return []
    keep = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)
    rows, geoms = rows[keep], geoms[keep]
    mpp = metres_per_pixel(tolz)
    polys = shapely.get_dimensions(geoms) == 2
    visible = ~polys | (shapely.area(geoms) >= mpp * mpp)
    rows, geoms = rows[visible], geoms[visible]
    geoms = shapely.simplify(geoms, mpp * 0.5, preserve_topology=True)
    ok = ~shapely.is_empty(geoms)
    rows, geoms = rows[ok], geoms[ok]
    wgs = _to_wgs84(geoms, decimals=6 if mpp < 2 else 5)
    if not len(wgs):
        return []
    b = shapely.bounds(wgs)
    x0, y1 = _tile_xy(b[:, 0], b[:, 1], tz)
    x1, y0 = _tile_xy(b[:, 2], b[:, 3], tz)
    big = np.maximum(x1 - x0, y1 - y0) > 0.5
    centre_here = (np.floor((x0 + x1) / 2) == x) & (np.floor((y0 + y1) / 2) == y)
    touches = (x0 <= x + 1) & (x1 >= x) & (y0 <= y + 1) & (y1 >= y)
    mine = np.where(big, touches, centre_here)
    rows, wgs, big = rows[mine], wgs[mine], big[mine]
    palette = tile_palette(spec)
    lookup = {c: i for i, c in enumerate(palette)}
    colour_idx = np.array([lookup.get(spec.style.colour_for(_plain_value(recs[int(r)].get(field))), 0)
                           if field else 0 for r in rows], dtype=int)
    texts = shapely.to_geojson(wgs).tolist() if len(wgs) else []
    out: list[str] = []
    small = ~big
    merged = (_merged_texts(wgs[small], colour_idx[small], len(palette) > 1)
              if spec.kind in MERGED_KINDS else None)
    if merged is not None:
        out += merged
    for k, (row, gj) in enumerate(zip(rows.tolist(), texts, strict=True)):
        if merged is not None and not big[k]:
            continue
        rec = recs[row]
        props: dict[str, Any] = {c: _json_value(rec.get(c)) for c in cols}
        if len(palette) > 1:
            props["c"] = int(colour_idx[k])
        if big[k]:
            props["_k"] = hashlib.sha1((gj + json.dumps(props, sort_keys=True, default=str)).encode()
                                       ).hexdigest()[:12]
        out.append('{"type":"Feature","geometry":' + gj + ',"properties":'
                   + json.dumps(props, ensure_ascii=False, separators=(",", ":")) + "}")
    return out


def _plain_value(value: Any) -> Any:
    """None for a missing value (None or NaN), else the value."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def _merged_texts(geoms: np.ndarray, colour_idx: np.ndarray, with_colour: bool) -> list[str] | None:
    """Polygons as one MultiPolygon Feature per colour (Leaflet then builds a handful of layers,
    not thousands); None when there is anything else than polygons."""
    if len(geoms) == 0:
        return []
    if not np.all(shapely.get_dimensions(geoms) == 2):
        return None
    out = []
    for c in np.unique(colour_idx):
        parts = shapely.get_parts(geoms[colour_idx == c])
        props = {"c": int(c)} if with_colour else {}
        out.append('{"type":"Feature","geometry":' + shapely.to_geojson(shapely.multipolygons(parts))
                   + ',"properties":' + json.dumps(props) + "}")
    return out


def band_for(bands: Sequence[Mapping[str, int]], zoom: int) -> Mapping[str, int] | None:
    """The band drawn at ``zoom`` (the last one covering it), None when none does."""
    found = None
    for b in bands:
        if b["min"] <= zoom <= b["max"]:
            found = b
    return found


def ensure_view_tiles(dataset: Dataset, tiles: TileSet, view: View,
                      catalogue: Catalogue | None = None) -> TileSet:
    """Write the missing tiles of ``view`` (every layer of ``tiles``, the band of the view's zoom,
    the tiles the browser loads for it), each atomically; returns ``tiles`` with ``ready`` set to
    a hash of the view's tiles (all present now). Tiles written before are not read again."""
    import hashlib

    from .._files import write_atomic

    cat = catalogue if catalogue is not None else dataset.catalogue
    root = Path(tiles.path)
    present: list[str] = []
    for spec in cat:
        entry = tiles.layers.get(spec.id)
        band = band_for(entry["bands"], view.zoom) if entry else None
        if band is None:
            continue
        for x, y in view_tile_keys(view, band["tz"]):
            path = root / spec.id / str(band["id"]) / f"{x}_{y}.json"
            if not path.is_file():
                feats = tile_features(dataset, spec, band["id"], x, y)
                write_atomic(path, '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}",
                             mode=0o644)
            present.append(f"{spec.id}/{band['id']}/{x}_{y}")
    ready = hashlib.sha1("|".join(sorted(present)).encode()).hexdigest()[:12]
    return replace(tiles, ready=ready)


def drop_stale_tiles(root: Path, keep: str, days: float = 7.0) -> None:
    """Remove tile folders of other keys untouched for ``days`` (old versions of a dataset)."""
    import shutil
    import time

    limit = time.time() - days * 86400
    if not root.is_dir():
        return
    for folder in root.iterdir():
        try:
            if folder.name != keep and folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


class TiledLayerLibrary(MacroElement):
    """Defines ``L.OkTiles`` once in the map's page: a feature group that fetches the tiles of its
    layer that the view needs (see :func:`ensure_view_tiles`) and keeps the built Leaflet layers in
    ``window.__okTiles``, so a group re-created by a Streamlit rerun reuses them without a request.
    A tile not written yet (the page writes it on the rerun the map's move causes) is asked again
    by the group the rerun sends; wide features that several tiles carry are drawn once.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
if (!L.OkTiles) {
L.OkTiles = L.FeatureGroup.extend({
    initialize: function (o, geo) {
        L.FeatureGroup.prototype.initialize.call(this);
        this._o = o; this._geo = geo; this._band = null; this._want = {}; this._seen = {};
        // one tooltip for the whole layer (not one per feature: thousands of objects to build)
        if (o.tip) { this.bindTooltip(function (l) { return o.tip(l.feature); }, {sticky: true}); }
    },
    onAdd: function (map) {
        L.FeatureGroup.prototype.onAdd.call(this, map);
        L.OkTiles.onMap.push(this);
        map.on("moveend", this._update, this);
        // later: a layer control rebuilt in the same script may take a hidden layer off again
        var self = this;
        setTimeout(function () { self._update(); }, 0);
    },
    onRemove: function (map) {
        map.off("moveend", this._update, this);
        var i = L.OkTiles.onMap.indexOf(this);
        if (i >= 0) { L.OkTiles.onMap.splice(i, 1); }
        this._band = null; this._want = {}; this._seen = {};
        L.FeatureGroup.prototype.onRemove.call(this, map);
    },
    _update: function () {
        var map = this._map, o = this._o;
        if (!map) { return; }
        var z = map.getZoom(), band = null;
        for (var i = 0; i < o.bands.length; i++) {
            if (z >= o.bands[i].min && z <= o.bands[i].max) { band = o.bands[i]; }
        }
        if (band !== this._band) { this.clearLayers(); this._want = {}; this._seen = {}; this._band = band; }
        if (!band) { return; }
        var b = map.getBounds(), pad = {{ this.pad }};
        var nw = map.project(b.getNorthWest(), band.tz).divideBy(256);
        var se = map.project(b.getSouthEast(), band.tz).divideBy(256);
        var keys = [];
        for (var x = Math.floor(nw.x - pad); x <= Math.floor(se.x + pad); x++) {
            for (var y = Math.floor(nw.y - pad); y <= Math.floor(se.y + pad); y++) { keys.push(x + "_" + y); }
        }
        for (var k = 0; k < keys.length; k++) {
            if (!this._want[keys[k]]) {
                this._want[keys[k]] = true;
                this._load(band, keys[k]);
            }
        }
    },
    _load: function (band, key) {
        var self = this, url = this._o.url + "/" + band.id + "/" + key + ".json";
        var cache = window.__okTiles = window.__okTiles || {};
        if (!cache[url]) {
            cache[url] = fetch(url).then(function (r) { return r.ok ? r.json() : null; })
                .then(function (data) {
                    if (!data) { return null; }
                    var small = [], wide = [];
                    data.features.forEach(function (f) { (f.properties && f.properties._k ? wide : small).push(f); });
                    return {layer: L.geoJSON({type: "FeatureCollection", features: small}, self._geo), wide: wide};
                })
                .catch(function () { return null; })
                .then(function (tile) { if (!tile) { delete cache[url]; } return tile; });
        }
        cache[url].then(function (tile) {
            if (!tile) { self._want[key] = false; return; }  // not written yet: the next rerun asks again
            if (self._map && self._band === band && self._want[key]) {
                self.addLayer(tile.layer);
                tile.wide.forEach(function (f) {
                    if (!self._seen[f.properties._k]) { self._seen[f.properties._k] = true; self.addLayer(L.geoJSON(f, self._geo)); }
                });
                L.OkTiles.restack(self);
            }
        });
    }
});
L.OkTiles.onMap = [];
// one canvas draws in the order of adding: tiles arrive in any order, so after a tile of layer
// ``z`` the layers above it are brought to the front again, in catalogue order
L.OkTiles.restack = function (tiles) {
    var above = L.OkTiles.onMap.filter(function (g) { return g._o.z > tiles._o.z; });
    above.sort(function (a, b) { return a._o.z - b._o.z; });
    above.forEach(function (g) { g.eachLayer(function (l) { l.bringToFront(); }); });
};
}
{% endmacro %}
""")

    def __init__(self, pad: float = TILE_PAD):
        super().__init__()
        self._name = "TiledLayerLibrary"
        self.pad = pad


class TiledLayer(MacroElement):
    """One catalogue layer from the tiles of :func:`tile_set`, styled as :class:`VectorLayer`
    (palette, tooltip from the catalogue labels); needs :class:`TiledLayerLibrary` in the map."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_options = {{ this.options }};
{{ this.get_name() }}_options.tip = function (f) {
    var labels = {{ this.labels }};
    var rows = [{{ this.title|tojson }}];
    for (var i = 0; i < labels.length; i++) {
        var v = f && f.properties ? f.properties[labels[i][0]] : null;
        if (v === null || v === undefined || v === "") continue;
        var s = String(v).replace(/[&<>"']/g, function (ch) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
        });
        rows.push(labels[i][1] + ": " + s);
    }
    return rows.join("<br>");
};
var {{ this.get_name() }} = new L.OkTiles({{ this.get_name() }}_options, {
    style: function (f) {
        var pal = {{ this.palette }};
        var c = pal[(f.properties && f.properties.c) || 0];
        return {color: {{ this.line|tojson }}, weight: {{ this.weight }}, opacity: 0.9,
                fillColor: c, fillOpacity: {{ this.opacity }}, fill: {{ this.fill|tojson }}};
    },
    pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 4}); },
    interactive: {{ this.interactive|tojson }}
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, tiles: TileSet, spec: LayerSpec, *, interactive: bool = True,
                 fill: bool = True, z: int = 0):
        super().__init__()
        self._name = "TiledLayer"
        entry = tiles.layers[spec.id]
        self.options = json.dumps({"url": f"{tiles.url}/{spec.id}", "bands": entry["bands"], "z": z,
                                   "ready": tiles.ready}, separators=(",", ":"))
        self.palette = json.dumps(entry["palette"])
        self.line = spec.style.line
        self.weight = max(spec.style.line_width, 0.3)
        self.opacity = spec.style.opacity
        self.fill = fill
        self.interactive = interactive
        self.title = html.escape(spec.title)
        self.labels = json.dumps(
            [[c, html.escape(spec.popup.label(c))] for c in spec.popup.tooltip], ensure_ascii=False,
        )


def tiled_layer_groups(
    dataset: Dataset,
    tiles: TileSet,
    *,
    catalogue: Catalogue | None = None,
    selected: Any = None,
    basemap: bool = False,
) -> MapLayers:
    """:func:`layer_groups` for the app: the same groups, control and highlight, but each layer
    loads its tiles in the browser, so the groups depend on the view only through
    ``tiles.ready`` (a rerun re-sends a few kilobytes, and nothing when the view's tiles are the
    ones sent before)."""
    cat = catalogue if catalogue is not None else dataset.catalogue
    groups: list[folium.FeatureGroup] = []
    for spec in cat:  # sorted by order: later is drawn on top
        if not spec.public or spec.id not in tiles.layers:
            continue
        ground = spec.kind == "bgt"
        show = spec.visible and not (ground and basemap)
        fg = folium.FeatureGroup(name=spec.title, show=show, overlay=True, control=True)
        TiledLayer(tiles, spec, interactive=not ground, fill=spec.style.opacity > 0,
                   z=len(groups)).add_to(fg)
        groups.append(fg)
    if selected is not None:
        groups.append(highlight_group(selected))
    hidden = [g.layer_name for g in groups if not g.show]
    control = RememberingLayerControl(hidden_by_default=hidden, collapsed=True, position="topright")
    notices = [f"{spec.title}: zichtbaar vanaf zoomniveau {MIN_ZOOM_BY_KIND[spec.kind]}."
               for spec in cat if spec.public and spec.id in tiles.layers and spec.visible
               and spec.kind in MIN_ZOOM_BY_KIND]
    return MapLayers(groups, control, {}, notices)
