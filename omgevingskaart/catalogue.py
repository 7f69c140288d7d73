"""The layer catalogue: one TOML file per layer in ``layers/``, read by the library and the app.

A layer file says what a layer is and how to show it; adding a layer is adding a file::

    id = "pand"                       # unique; also the dataset layer name unless `layer` is set
    title = "Panden"                  # Dutch title shown in the app
    kind = "pand"                     # its schema kind (omgevingskaart.schema.SCHEMAS)
    source = "BAG, 3D BAG"            # where the data comes from
    source_url = "https://3dbag.nl"   # optional: a page where the source can be consulted
    audience = "public"               # or "ketenpartner" (needs an API key in the service)
    attribution = "Kadaster, 3DGI"
    licence = "CC BY 4.0"
    licence_url = "https://..."       # optional: only for a licence omgevingskaart.layerinfo lacks
    date = "2024-01-31"               # optional: the data's date when the dataset does not carry it
    group = "Registers"               # heading in the layer control
    order = 40                        # drawing order: higher is on top
    visible = true                    # shown when the map opens
    description = "..."               # Dutch, for the Lagen page

    [style]                           # fill, line (hex colours), opacity, line_width
    fill = "#d9b38c"
    line = "#8c6a4a"
    opacity = 0.7
    line_width = 0.5
    field = "hoofdgroep"              # optional: colour by this column ...
    [style.categories]                # ... with these colours (IMRO colour conventions)
    wonen = "#ffff00"

    [popup]
    fields = ["identificatie", "bouwjaar"]
    tooltip = ["identificatie"]
    [popup.labels]
    bouwjaar = "Bouwjaar"

    [three_d]                         # optional
    base = "b3_h_maaiveld"
    top = "b3_h_dak_70p"

A broken file raises :class:`~omgevingskaart.errors.CatalogueError` naming the file and the key.

>>> cat = load_catalogue()
>>> cat["pand"].kind
'pand'
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._resources import package_path
from .errors import CatalogueError, SchemaError
from .schema import SCHEMAS, kind_of

if TYPE_CHECKING:
    from .dataset import Dataset

#: the project's catalogue: shipped in the package, ``layers/`` at the top of the repository.
CATALOGUE_DIR = package_path("layers")
AUDIENCES = ("public", "ketenpartner")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Style:
    fill: str
    line: str
    opacity: float = 0.6
    line_width: float = 1.0
    field: str | None = None
    categories: dict[str, str] = dc_field(default_factory=dict)
    default_category: str = "#bbbbbb"

    def colour_for(self, value: object) -> str:
        """The fill colour for a value of ``field`` (case-insensitive), else ``fill``."""
        if self.field is None:
            return self.fill
        key = str(value).lower() if value is not None else ""
        return self.categories.get(key, self.default_category)


@dataclass(frozen=True)
class Popup:
    fields: list[str]
    tooltip: list[str]
    labels: dict[str, str]

    def label(self, column: str) -> str:
        return self.labels.get(column, column.replace("_", " ").capitalize())


@dataclass(frozen=True)
class ThreeD:
    base: str | None = None
    top: str | None = None
    height: float | None = None  # a fixed height in m when there are no height columns


@dataclass(frozen=True)
class LayerSpec:
    """One catalogue entry (one ``layers/*.toml`` file)."""

    id: str
    title: str
    kind: str
    layer: str
    source: str
    audience: str
    attribution: str
    licence: str
    group: str
    order: int
    visible: bool
    description: str
    style: Style
    popup: Popup
    three_d: ThreeD | None
    path: Path
    #: where the source can be consulted or downloaded (a web page)
    source_url: str = ""
    #: the licence text (when the licence is not one :mod:`omgevingskaart.layerinfo` knows)
    licence_url: str = ""
    #: the data's date (ISO ``YYYY-MM-DD``) when the catalogue knows it and the dataset does not
    date: str = ""

    @property
    def public(self) -> bool:
        return self.audience == "public"


class Catalogue:
    """The layer catalogue: an ordered collection of :class:`LayerSpec` by id."""

    def __init__(self, specs: list[LayerSpec]):
        self._specs = sorted(specs, key=lambda s: (s.order, s.id))
        self._by_id = {s.id: s for s in self._specs}

    def __getitem__(self, layer_id: str) -> LayerSpec:
        try:
            return self._by_id[layer_id]
        except KeyError:
            raise KeyError(f"no layer {layer_id!r} in the catalogue") from None

    def __contains__(self, layer_id: object) -> bool:
        return layer_id in self._by_id

    def __iter__(self) -> Iterator[LayerSpec]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self._specs]

    def for_dataset(self, dataset: Dataset) -> Catalogue:
        """The entries whose layer the dataset holds."""
        present = set(dataset.layers)
        return Catalogue([s for s in self._specs if s.layer in present])

    def for_audience(self, audiences: set[str] | frozenset[str]) -> Catalogue:
        return Catalogue([s for s in self._specs if s.audience in audiences])


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Read every ``*.toml`` in ``directory`` (default: the project's ``layers/``)."""
    directory = Path(directory) if directory is not None else CATALOGUE_DIR
    if not directory.is_dir():
        raise CatalogueError(directory, "catalogue folder not found")
    specs = [load_layer_file(p) for p in sorted(directory.glob("*.toml"))]
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.id in seen:
            raise CatalogueError(spec.path, f"id {spec.id!r} also used by {seen[spec.id].name}", key="id")
        seen[spec.id] = spec.path
    return Catalogue(specs)


_TOP_KEYS = {
    "id": str, "title": str, "kind": str, "layer": str, "source": str, "audience": str,
    "attribution": str, "licence": str, "group": str, "order": int, "visible": bool,
    "description": str, "style": dict, "popup": dict, "three_d": dict,
    "source_url": str, "licence_url": str, "date": str,
}
_URL = re.compile(r"^https?://[^\s]+$")
_REQUIRED = ("id", "title", "kind", "source", "audience", "attribution", "licence", "style", "popup")


def _get(data: dict[str, Any], key: str, typ: type | tuple[type, ...], path: Path,
         prefix: str = "", default: Any = ...) -> Any:
    full = f"{prefix}{key}"
    if key not in data:
        if default is ...:
            raise CatalogueError(path, "required key missing", key=full)
        return default
    value = data[key]
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        tname = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
        raise CatalogueError(path, f"expected {tname}, got {type(value).__name__} {value!r}", key=full)
    return value


def _colour(value: str, path: Path, key: str) -> str:
    if not _HEX.match(value):
        raise CatalogueError(path, f"not a colour like '#a1b2c3': {value!r}", key=key)
    return value.lower()


def load_layer_file(path: str | Path) -> LayerSpec:
    """Read and validate one catalogue file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(path, f"not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(path, f"not valid TOML: {exc}") from exc
    for key in data:
        if key not in _TOP_KEYS:
            raise CatalogueError(path, f"unknown key (known: {', '.join(_TOP_KEYS)})", key=key)
    for key in _REQUIRED:
        if key not in data:
            raise CatalogueError(path, "required key missing", key=key)
    layer_id = _get(data, "id", str, path)
    if not _ID.match(layer_id):
        raise CatalogueError(path, f"id must be lower-case letters, digits and _: {layer_id!r}", key="id")
    kind = _get(data, "kind", str, path)
    layer = _get(data, "layer", str, path, default=layer_id)
    try:
        schema_kind = kind_of(kind)
    except SchemaError:
        raise CatalogueError(path, f"unknown kind {kind!r}; known: {', '.join(SCHEMAS)}", key="kind") from None
    audience = _get(data, "audience", str, path)
    if audience not in AUDIENCES:
        raise CatalogueError(path, f"must be one of {AUDIENCES}, got {audience!r}", key="audience")

    s = _get(data, "style", dict, path)
    for key in s:
        if key not in {"fill", "line", "opacity", "line_width", "field", "categories", "default_category"}:
            raise CatalogueError(path, "unknown style key", key=f"style.{key}")
    opacity = _get(s, "opacity", float, path, "style.", 0.6)
    if not 0.0 <= opacity <= 1.0:
        raise CatalogueError(path, f"must be between 0 and 1, got {opacity}", key="style.opacity")
    columns = set(SCHEMAS[schema_kind].columns)
    style_field = _get(s, "field", str, path, "style.", None)
    if style_field is not None and style_field not in columns:
        raise CatalogueError(path, f"column {style_field!r} not in kind {kind!r}", key="style.field")
    categories = _get(s, "categories", dict, path, "style.", {})
    cats = {}
    for name, colour in categories.items():
        if not isinstance(colour, str):
            raise CatalogueError(path, "expected a colour string", key=f"style.categories.{name}")
        cats[str(name).lower()] = _colour(colour, path, f"style.categories.{name}")
    style = Style(
        fill=_colour(_get(s, "fill", str, path, "style."), path, "style.fill"),
        line=_colour(_get(s, "line", str, path, "style."), path, "style.line"),
        opacity=opacity,
        line_width=_get(s, "line_width", float, path, "style.", 1.0),
        field=style_field,
        categories=cats,
        default_category=_colour(_get(s, "default_category", str, path, "style.", "#bbbbbb"),
                                 path, "style.default_category"),
    )

    p = _get(data, "popup", dict, path)
    for key in p:
        if key not in {"fields", "tooltip", "labels"}:
            raise CatalogueError(path, "unknown popup key", key=f"popup.{key}")
    fields = _get(p, "fields", list, path, "popup.")
    tooltip = _get(p, "tooltip", list, path, "popup.", [])
    for key, cols in (("popup.fields", fields), ("popup.tooltip", tooltip)):
        for col in cols:
            if not isinstance(col, str) or col not in columns:
                raise CatalogueError(path, f"column {col!r} not in kind {kind!r}", key=key)
    labels = _get(p, "labels", dict, path, "popup.", {})
    popup = Popup(fields=list(fields), tooltip=list(tooltip), labels={str(k): str(v) for k, v in labels.items()})

    three_d = None
    if "three_d" in data:
        t = _get(data, "three_d", dict, path)
        for key in t:
            if key not in {"base", "top", "height"}:
                raise CatalogueError(path, "unknown three_d key", key=f"three_d.{key}")
        for key in ("base", "top"):
            col = t.get(key)
            if col is not None and col not in columns:
                raise CatalogueError(path, f"column {col!r} not in kind {kind!r}", key=f"three_d.{key}")
        three_d = ThreeD(base=t.get("base"), top=t.get("top"),
                         height=_get(t, "height", float, path, "three_d.", None))

    return LayerSpec(
        id=layer_id,
        title=_get(data, "title", str, path),
        kind=kind,
        layer=layer,
        source=_get(data, "source", str, path),
        audience=audience,
        attribution=_get(data, "attribution", str, path),
        licence=_get(data, "licence", str, path),
        group=_get(data, "group", str, path, default="Overig"),
        order=_get(data, "order", int, path, default=50),
        visible=_get(data, "visible", bool, path, default=True),
        description=_get(data, "description", str, path, default=""),
        style=style,
        popup=popup,
        three_d=three_d,
        path=path,
        source_url=_url(data, "source_url", path),
        licence_url=_url(data, "licence_url", path),
        date=_date(data, path),
    )


def _url(data: dict[str, Any], key: str, path: Path) -> str:
    value: str = _get(data, key, str, path, default="")
    if value and not _URL.match(value):
        raise CatalogueError(path, f"not an http(s) URL: {value!r}", key=key)
    return value


def _date(data: dict[str, Any], path: Path) -> str:
    value: str = _get(data, "date", str, path, default="")
    if value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise CatalogueError(path, f"not a date like 2024-01-31: {value!r}", key="date") from None
    return value
