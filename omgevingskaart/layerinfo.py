"""Where a layer comes from, for chain partners: source and licence links, the data's date, the API
address, the download file name. Read from the catalogue (``layers/*.toml``) and the dataset.

The date is the data's own when it has one, never "unknown" when it is knowable; its origin is
named, so nobody takes a file date for a registration date:

1. the dataset's metadata for the layer (``datum_<layer>``) or for the whole dataset (``peildatum``,
   ``datum``);
2. the newest date in the layer's own date column (a plan's ``datum``, the BGT's
   ``tijdstip_registratie``);
3. the catalogue's ``date``;
4. when the layer was written to the dataset file (GeoPackage ``gpkg_contents.last_change``);
5. when the dataset was imported (``geimporteerd``).

>>> from omgevingskaart import open_dataset
>>> ds = open_dataset()
>>> layer_date(ds, ds.catalogue["pand"])
LayerDate(date='2026-01-01', origin='bestand')
>>> download_name(ds, ds.catalogue["pand"], "gpkg")
'omgevingskaart-pand-2026-01-01.gpkg'
>>> licence_url("CC BY 4.0")
'https://creativecommons.org/licenses/by/4.0/deed.nl'
"""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .catalogue import LayerSpec
    from .dataset import Dataset

#: licences the catalogue names, and their text (Dutch deed where there is one)
LICENCES = {
    "cc0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.nl",
    "cc-by 4.0": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "cc by 4.0": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "pddl": "https://opendatacommons.org/licenses/pddl/1-0/",
}
#: the columns that carry a layer's own date, by preference
DATE_COLUMNS = ("datum", "tijdstip_registratie", "begin_geldigheid", "documentdatum")
#: what each origin is called in the app (Dutch)
ORIGINS = {
    "dataset": "volgens de dataset",
    "gegevens": "de nieuwste datum in de gegevens",
    "catalogus": "volgens de catalogus",
    "bestand": "opgeslagen in dit gegevensbestand",
    "import": "geïmporteerd",
}


@dataclass(frozen=True)
class LayerDate:
    """The data's date (ISO ``YYYY-MM-DD``) and where it was read (a key of :data:`ORIGINS`)."""

    date: str
    origin: str

    @property
    def uitleg(self) -> str:
        """``"2026-01-01 (opgeslagen in dit gegevensbestand)"``."""
        return f"{self.date} ({ORIGINS.get(self.origin, self.origin)})"


def licence_url(licence: str, spec_url: str = "") -> str:
    """The licence's text on the web ('' when unknown, e.g. a confidential layer)."""
    return spec_url or LICENCES.get(" ".join(licence.lower().split()), "")


def _iso(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return pd.Timestamp(str(value)).date().isoformat()
    except (ValueError, TypeError):
        return None


def _file_dates(dataset: Dataset) -> dict[str, str]:
    """Per table the GeoPackage's ``last_change`` (read once, kept in the store's cache; empty
    for a store that is not a GeoPackage file)."""
    def read() -> dict[str, str]:
        out: dict[str, str] = {}
        if not dataset.path.is_file():
            return out
        try:
            con = sqlite3.connect(f"file:{dataset.path}?mode=ro", uri=True)
            try:
                for table, changed in con.execute("SELECT table_name, last_change FROM gpkg_contents"):
                    if (d := _iso(changed)) is not None:
                        out[str(table)] = d
            finally:
                con.close()
        except sqlite3.Error:
            return {}
        return out

    return dataset.store.cache.get(("layerinfo", "file_dates"), read)


def layer_columns(dataset: Dataset, layer: str) -> list[str]:
    """The attribute columns of ``layer`` (asked of the store once, with an empty window, and
    kept in the store's cache)."""
    def read() -> list[str]:
        frame = dataset.features(layer, bbox=(0.0, 0.0, 0.0, 0.0), limit=0)
        return [str(c) for c in frame.columns if c != frame.geometry.name]

    return dataset.store.cache.get(("layerinfo", "columns", layer), read)


def _data_date(dataset: Dataset, layer: str) -> str | None:
    """The latest date in the layer's first date column that has one (the store's distinct
    values of that column: no rows read into this process), kept in the store's cache."""
    def read() -> str | None:
        names = layer_columns(dataset, layer)
        for col in DATE_COLUMNS:
            if col in names:
                dates = [d for d in (_iso(v) for (v,) in dataset.store.distinct(layer, [col])) if d]
                if dates:
                    return max(dates)
        return None

    return dataset.store.cache.get(("layerinfo", "data_date", layer), read)


def layer_date(dataset: Dataset, spec: LayerSpec) -> LayerDate | None:
    """The data's date of one catalogue layer, see the module's list; None when nothing says."""
    meta = dataset.meta
    for key in (f"datum_{spec.layer}", "peildatum", "datum"):
        if (d := _iso(meta.get(key))) is not None:
            return LayerDate(d, "dataset")
    if spec.layer in dataset and (d := _data_date(dataset, spec.layer)) is not None:
        return LayerDate(d, "gegevens")
    if spec.date:
        return LayerDate(spec.date, "catalogus")
    if (d := _file_dates(dataset).get(spec.layer)) is not None:
        return LayerDate(d, "bestand")
    if (d := _iso(meta.get("geimporteerd"))) is not None:
        return LayerDate(d, "import")
    return None


def download_name(dataset: Dataset, spec: LayerSpec, extension: str) -> str:
    """``omgevingskaart-<id>-<date>.<ext>``: the data's date, else today's (the download's)."""
    found = layer_date(dataset, spec)
    date = found.date if found else datetime.date.today().isoformat()
    return f"omgevingskaart-{spec.id}-{date}.{extension.lstrip('.')}"


def api_items_path(spec: LayerSpec) -> str:
    """The layer's features in the HTTP service (GeoJSON, paged): ``/v1/layers/<id>/items``."""
    return f"/v1/layers/{spec.id}/items"
