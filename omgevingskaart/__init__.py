"""omgevingskaart: the Dutch Omgevingswet on the map for a municipality.

The public API is small and re-exported here (modules load lazily, so ``import omgevingskaart``
stays fast):

* :func:`open_dataset` opens a dataset (``None`` opens the embedded Winterswijk-centre demo): a
  :class:`Dataset` holds the store, the layer catalogue and the metadata, and answers window and
  key queries (``ds.features(...)``); it knows no query module.
* :func:`report_at` answers what applies at a point, address or perceel;
  :func:`check_build_at` checks a proposal at an address or perceel; :func:`geocoder_for` gives
  the dataset's address search (``search``, ``resolve``, ``suggest``).
* :func:`read` reads a register or plan file (BAG, 3D BAG, BGT, BRK, IMRO, Omgevingsplan) into
  ``{layer_name: GeoDataFrame}`` in the normalised schemas of :mod:`omgevingskaart.schema`.
* :func:`check_build` checks whether a bijbehorend bouwwerk needs an omgevingsvergunning (for a
  scenario given in full).
* :func:`wgs84_to_rd` / :func:`rd_to_wgs84` convert coordinates with RDNAPTRANS2018.

>>> import omgevingskaart
>>> ds = omgevingskaart.open_dataset()
>>> "pand" in ds.layers
True
>>> omgevingskaart.report_at(ds, "7101AK 12").perceel.kadastrale_aanduiding
'WWK00 L 3839'
>>> omgevingskaart.geocoder_for(ds).suggest("Mrkt 12", limit=1)[0]["weergave"]
'Markt 12, 7101AK Winterswijk'

"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "open_dataset": "omgevingskaart.dataset",
    "Dataset": "omgevingskaart.dataset",
    "DEMO_PATH": "omgevingskaart.dataset",
    "ParcelReport": "omgevingskaart.report",
    "report_at": "omgevingskaart.report",
    "check_build_at": "omgevingskaart.permit.from_dataset",
    "geocoder_for": "omgevingskaart.geocode",
    "read": "omgevingskaart.io",
    "check_build": "omgevingskaart.permit",
    "wgs84_to_rd": "omgevingskaart.crs",
    "rd_to_wgs84": "omgevingskaart.crs",
    "load_catalogue": "omgevingskaart.catalogue",
    "conform": "omgevingskaart.schema",
    "SCHEMAS": "omgevingskaart.schema",
    "errors": "omgevingskaart.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'omgevingskaart' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if name == "errors" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
