"""Readers for the national registers and plans, one module per format (as in geopandas' ``io``).

Each format module exposes:

* ``FORMAT: str`` - the format's name as ``inspect`` reports it (e.g. ``"BAG 2.0 extract"``);
* ``sniff(path: Path, head: bytes) -> bool`` - cheap detection from the path (a file, a folder or a
  zip) and its first 64 KiB (``b""`` for a folder); for a zip the module looks inside itself;
* ``read(path: Path, **options) -> dict[str, GeoDataFrame]`` - the layers, each passed through
  :func:`omgevingskaart.schema.conform` (EPSG:28992, normalised columns).

:func:`read` detects the format by asking each module in :data:`FORMATS` order and calls the first
that claims the file.

Every reader stays within the resource limits of :mod:`omgevingskaart.io.limits` (decompressed
size and ratio of zip members, XML nodes, arc chords, vertices: ``ResourceLimitError``), refuses
XML with a DTD (``HostileXMLError``), truncated files (``DataFileError``) and coordinates that
cannot be RD New (``CoordinateError``); see docs/loaders.md, "Bad and hostile input".
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd

from ..errors import DataFileError, UnsupportedFormatError

#: format modules, most specific first.
FORMATS: list[str] = [
    "bag",
    "bag_light",
    "cityjson",
    "bgt",
    "brk",
    "imro",
    "tpod",
]


def _modules() -> list[ModuleType]:
    mods = []
    for name in FORMATS:
        try:
            mods.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:  # a format module not written yet
            if exc.name != f"{__name__}.{name}":
                raise
    return mods


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with path.open("rb") as fh:
        return fh.read(65536)


def detect(path: str | Path) -> ModuleType:
    """The format module that reads ``path``; :class:`UnsupportedFormatError` when none does."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "no such file or folder")
    head = _head(path)
    if not path.is_dir() and not head:
        raise DataFileError(path, "the file is empty")
    for mod in _modules():
        if mod.sniff(path, head):
            return mod
    known = ", ".join(getattr(m, "FORMAT", m.__name__) for m in _modules())
    raise UnsupportedFormatError(path, f"not a format omgevingskaart reads (reads: {known})")


def read(path: str | Path, **options: Any) -> dict[str, gpd.GeoDataFrame]:
    """Read a register or plan file into ``{layer_name: GeoDataFrame}`` (EPSG:28992).

    The format is detected from the file; ``options`` go to the format's reader (for example
    ``history=True`` for a BAG extract).
    """
    path = Path(path)
    layers: dict[str, gpd.GeoDataFrame] = detect(path).read(path, **options)
    return layers
