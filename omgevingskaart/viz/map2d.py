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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template

from ..crs import rd_to_wgs84, wgs84_to_rd
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

    Selected by an STRtree query on the padded view box, clipped to it, filtered (polygons smaller
    than one pixel are dropped), simplified (half a pixel), capped at ``max_features`` (largest
    area first; ``capped`` says so), in WGS84. Properties: ``fields`` (default the catalogue's
    tooltip fields) and ``c``, the index into ``palette`` of the feature's fill colour.
    """
    frame = dataset[spec.layer]
    idx = dataset.index(spec.layer)
    box = view.padded(pad)
    hits = idx.tree.query(shapely.box(*box), predicate="intersects")
    hits = np.sort(hits)
    n_in_view = len(hits)
    mpp = metres_per_pixel(view.zoom)
    if view.zoom < MIN_ZOOM_BY_KIND.get(spec.kind, 0):
        max_features = 0
    geoms = idx.geometries[hits]
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

    palette, colour_idx = _palette(spec, frame, hits)
    cols = [c for c in (fields if fields is not None else spec.popup.tooltip) if c in frame.columns]
    records = idx.records
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


def _palette(spec: LayerSpec, frame: Any, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    style = spec.style
    if style.field is None or style.field not in frame.columns:
        return [style.fill], np.zeros(len(rows), dtype=int)
    values = frame[style.field].to_numpy(dtype=object)[rows]
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


# --- layers as static tiles (the app) -----------------------------------------------------------
#
# The app does not send layer data through Streamlit's websocket: every public layer is written once
# per dataset as GeoJSON files under the served static folder (``static/cache/kaart/<key>/``), and
# the browser fetches the ones its view needs (:class:`TiledLayer`), so a rerun sends only a few
# kilobytes of JavaScript and the browser caches the tiles (HTTP, gzip; and in memory across
# reruns). Features are not clipped (no seams along tile edges): a feature goes to the tile of
# Web-Mercator zoom ``tile_zoom`` holding the centre of its bounding box when it is at most half a
# tile wide, else to the band's ``groot`` file, which is always loaded. The browser loads the tiles
# touching its view padded by a third of a tile.

#: bump when the tile format or the selection rules change (old caches are then ignored)
TILE_FORMAT = 3
#: ``(first zoom, last zoom, tile zoom, zoom whose half pixel is the simplification tolerance)``
TILE_BANDS: tuple[tuple[int, int, int, int], ...] = ((MIN_ZOOM, 14, 10, 13), (15, 16, 12, 16), (17, MAX_ZOOM, 14, 19))
TILE_PAD = 0.34  # tiles; a tiled feature reaches at most a quarter tile beyond its own
#: layers that are drawn, never queried (no tooltip, clicks go through to the map): their features
#: are merged per tile and colour into one MultiPolygon each
MERGED_KINDS = frozenset({"bgt"})


@dataclass(frozen=True)
class TileSet:
    """The tiles of one dataset: where they are served and which exist, per layer and band."""

    url: str                                   # e.g. /app/static/cache/kaart/<key>
    path: str                                  # the folder on disk
    layers: dict[str, dict[str, Any]]          # layer id -> {"palette": [...], "bands": [...]}


def _tile_xy(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Fractional Web-Mercator tile coordinates at zoom ``z``."""
    n = 2.0 ** z
    x = (lon + 180.0) / 360.0 * n
    rad = np.radians(lat)
    y = (1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / math.pi) / 2.0 * n
    return x, y


def _layer_texts(dataset: Dataset, spec: LayerSpec, tol_zoom: int
                 ) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Every feature of ``spec``'s layer as a GeoJSON Feature text, simplified for ``tol_zoom``
    (polygons under one pixel dropped), with the layer's palette, the WGS84 bounds per feature,
    the WGS84 geometries and each feature's colour index."""
    frame = dataset[spec.layer]
    idx = dataset.index(spec.layer)
    geoms = idx.geometries
    rows = np.arange(len(geoms))
    keep = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)
    rows, geoms = rows[keep], geoms[keep]
    mpp = metres_per_pixel(tol_zoom)
    polys = shapely.get_dimensions(geoms) == 2
    visible = ~polys | (shapely.area(geoms) >= mpp * mpp)
    rows, geoms = rows[visible], geoms[visible]
    geoms = shapely.simplify(geoms, mpp * 0.5, preserve_topology=True)
    ok = ~shapely.is_empty(geoms)
    rows, geoms = rows[ok], geoms[ok]
    palette, colour_idx = _palette(spec, frame, rows)
    cols = [c for c in spec.popup.tooltip if c in frame.columns]
    wgs = _to_wgs84(geoms, decimals=6 if mpp < 2 else 5)
    texts = shapely.to_geojson(wgs).tolist() if len(wgs) else []
    records = idx.records
    out = []
    for k, (row, gj) in enumerate(zip(rows.tolist(), texts, strict=True)):
        rec = records[row]
        props: dict[str, Any] = {c: _json_value(rec.get(c)) for c in cols}
        if len(palette) > 1:
            props["c"] = int(colour_idx[k])
        out.append('{"type":"Feature","geometry":' + gj + ',"properties":'
                   + json.dumps(props, ensure_ascii=False, separators=(",", ":")) + "}")
    bounds = shapely.bounds(wgs) if len(wgs) else np.zeros((0, 4))
    return out, palette, bounds, wgs, colour_idx


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


def _write_fc(path: Any, features: Iterable[str]) -> None:
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}",
                    encoding="utf-8")


def tile_key(dataset: Dataset, catalogue: Catalogue | None = None) -> str:
    """A short hash of the dataset file (path, size, time), the catalogue and the tile format."""
    import hashlib

    cat = catalogue if catalogue is not None else dataset.catalogue
    st = dataset.path.stat()
    text = repr((str(dataset.path.resolve()), st.st_size, st.st_mtime_ns, TILE_FORMAT, TILE_BANDS,
                 MIN_ZOOM_BY_KIND, [(s.id, s.layer, s.kind, s.public, s.style, s.popup) for s in cat]))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def write_tiles(dataset: Dataset, folder: Any, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Write every public layer of ``dataset`` as tiles below ``folder``; returns the manifest
    (also written as ``manifest.json``): per layer its palette and per band which tiles exist."""
    from pathlib import Path

    cat = catalogue if catalogue is not None else dataset.catalogue
    root = Path(folder)
    manifest: dict[str, Any] = {}
    for spec in cat:
        if not spec.public or spec.layer not in dataset:
            continue
        bands = []
        palette: list[str] = [spec.style.fill]
        for b, (z0, z1, tz, tolz) in enumerate(TILE_BANDS):
            if z1 < MIN_ZOOM_BY_KIND.get(spec.kind, 0):
                continue
            texts, palette_b, bounds, wgs, colour_idx = _layer_texts(dataset, spec, tolz)
            if b == len(TILE_BANDS) - 1 or len(palette_b) > len(palette):
                palette = palette_b
            bdir = root / spec.id / str(b)
            bdir.mkdir(parents=True, exist_ok=True)
            tiles: dict[str, list[str]] = {}
            if len(texts):
                x0, y1 = _tile_xy(bounds[:, 0], bounds[:, 1], tz)
                x1, y0 = _tile_xy(bounds[:, 2], bounds[:, 3], tz)
                big = np.maximum(x1 - x0, y1 - y0) > 0.5
                tx = np.floor((x0 + x1) / 2).astype(int)
                ty = np.floor((y0 + y1) / 2).astype(int)
                keys = np.where(big, "groot", np.char.add(np.char.add(tx.astype(str), "_"),
                                                          ty.astype(str)))
                for key in dict.fromkeys(keys.tolist()):
                    sel = np.flatnonzero(keys == key)
                    merged = (_merged_texts(wgs[sel], colour_idx[sel], len(palette_b) > 1)
                              if spec.kind in MERGED_KINDS else None)
                    tiles[key] = merged if merged is not None else [texts[k] for k in sel.tolist()]
            for key, feats in tiles.items():
                _write_fc(bdir / f"{key}.json", feats)
            bands.append({"id": b, "min": max(z0, MIN_ZOOM_BY_KIND.get(spec.kind, 0)), "max": z1,
                          "tz": tz, "tiles": sorted(tiles)})
        manifest[spec.id] = {"palette": palette, "bands": bands}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


#: where the app's tiles go: below the served static folder (Streamlit serves only that folder)
TILE_CACHE = "cache/kaart"


def ensure_tiles(dataset: Dataset, catalogue: Catalogue | None = None, *,
                 static_dir: Any = None, static_url: str | None = None) -> TileSet:
    """The dataset's tiles below ``static_dir/cache/kaart/<key>/``, written when missing.

    ``key`` (:func:`tile_key`) changes with the file, the catalogue and the format, so a rebuilt
    dataset gets new URLs (no stale browser caches). Written to a temporary folder and renamed, so
    a second process never serves half a cache.
    """
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from .assets import STATIC_DIR, STATIC_URL

    root = Path(static_dir if static_dir is not None else STATIC_DIR) / TILE_CACHE
    url_root = f"{(static_url or STATIC_URL).rstrip('/')}/{TILE_CACHE}"
    key = tile_key(dataset, catalogue)
    final = root / key
    manifest_file = final / "manifest.json"
    if not manifest_file.is_file():
        root.mkdir(parents=True, exist_ok=True)
        ignore = root.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# tiles written by the app (omgevingskaart.viz.map2d.ensure_tiles)\n*\n")
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
        try:
            write_tiles(dataset, tmp, catalogue)
            os.chmod(tmp, 0o755)
            try:
                tmp.rename(final)
            except OSError:  # another process was first
                if not manifest_file.is_file():
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        _drop_stale(root, keep=final)
    layers = json.loads(manifest_file.read_text(encoding="utf-8"))
    return TileSet(f"{url_root}/{key}", str(final), layers)


def _drop_stale(root: Any, keep: Any, days: float = 7.0) -> None:
    """Remove tile folders of other keys untouched for ``days`` (old versions of a dataset)."""
    import shutil
    import time

    limit = time.time() - days * 86400
    for folder in root.iterdir():
        try:
            if folder != keep and folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


class TiledLayerLibrary(MacroElement):
    """Defines ``L.OkTiles`` once in the map's page: a feature group that fetches the tiles of its
    layer that the view needs (see :func:`write_tiles`) and keeps the built Leaflet layers in
    ``window.__okTiles``, so a group re-created by a Streamlit rerun reuses them without a request.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
if (!L.OkTiles) {
L.OkTiles = L.FeatureGroup.extend({
    initialize: function (o, geo) {
        L.FeatureGroup.prototype.initialize.call(this);
        this._o = o; this._geo = geo; this._band = null; this._want = {};
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
        this._band = null; this._want = {};
        L.FeatureGroup.prototype.onRemove.call(this, map);
    },
    _update: function () {
        var map = this._map, o = this._o;
        if (!map) { return; }
        var z = map.getZoom(), band = null;
        for (var i = 0; i < o.bands.length; i++) {
            if (z >= o.bands[i].min && z <= o.bands[i].max) { band = o.bands[i]; }
        }
        if (band !== this._band) { this.clearLayers(); this._want = {}; this._band = band; }
        if (!band) { return; }
        var b = map.getBounds(), pad = {{ this.pad }};
        var nw = map.project(b.getNorthWest(), band.tz).divideBy(256);
        var se = map.project(b.getSouthEast(), band.tz).divideBy(256);
        var keys = ["groot"];
        for (var x = Math.floor(nw.x - pad); x <= Math.floor(se.x + pad); x++) {
            for (var y = Math.floor(nw.y - pad); y <= Math.floor(se.y + pad); y++) { keys.push(x + "_" + y); }
        }
        for (var k = 0; k < keys.length; k++) {
            if (band.tiles.indexOf(keys[k]) >= 0 && !this._want[keys[k]]) {
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
                .then(function (data) { return data ? L.geoJSON(data, self._geo) : null; })
                .catch(function () { delete cache[url]; return null; });
        }
        cache[url].then(function (layer) {
            if (layer && self._map && self._band === band && self._want[key]) {
                self.addLayer(layer);
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
    """One catalogue layer from the tiles of :func:`ensure_tiles`, styled as :class:`VectorLayer`
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
        self.options = json.dumps({"url": f"{tiles.url}/{spec.id}", "bands": entry["bands"], "z": z},
                                  separators=(",", ":"))
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
    loads its tiles in the browser, so the groups do not depend on the view (a pan needs no
    rerun, and a rerun re-sends a few kilobytes)."""
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
