"""A generated town of (by default) 25,000 buildings in the demo's schema, for tests and benchmarks.

The demo generator (:func:`omgevingskaart.demo.build.build_layers`) makes one deterministic
Winterswijk-centre-shaped district of about 3,500 panden on a 1.2 x 1.0 km extent. A town is a
grid of such districts, each generated with its own seed (``seed + tile``) and translated by whole
extents, so the streets, lots, panden with 3D BAG heights, verblijfsobjecten, bestemmingsplan,
bouwvlakken and maatvoering (including the few panden that exceed their maximum bouwhoogte) keep
every property the demo's tests check. Ids stay 16-digit BAG ids and unique: the tile number
replaces the first of the 10 serial digits (always 0 in the demo); IMRO ids get a ``t<tile>.``
prefix in their local part. The last tile is trimmed to give exactly ``n`` panden (their
verblijfsobjecten go with them).

Only the layers a 3D view, the exceedance check and the exports use are kept (pand,
verblijfsobject, openbare_ruimte, bestemmingsplangebied, enkelbestemming, bouwvlak, maatvoering):
the BGT and BRK layers would only add minutes of generation. Generation takes roughly 10-15 s of
CPU per tile (8 tiles for 25,000), so :func:`town_path` caches the GeoPackage, keyed by ``n``,
``seed`` and the generator's source, in ``town/`` of ``$OMGEVINGSKAART_CACHE_DIR`` or the user
cache (never in the repository).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import crs
from ..dataset import write_dataset
from .build import SEED, build_layers
from .streets import EXTENT

#: layers kept in a town (see the module docstring).
TOWN_LAYERS = ("pand", "verblijfsobject", "openbare_ruimte", "bestemmingsplangebied",
               "enkelbestemming", "bouwvlak", "maatvoering")
TILE_W = EXTENT[2] - EXTENT[0]
TILE_H = EXTENT[3] - EXTENT[1]
_BAG_ID_COLS = {"pand": ("identificatie",),
                "verblijfsobject": ("identificatie", "nummeraanduiding_identificatie",
                                    "pand_identificatie")}


def _bag_id(ids: pd.Series, tile: int) -> pd.Series:
    s = ids.astype("string")
    if not s.dropna().str[6].eq("0").all():  # pragma: no cover - guards the id scheme
        raise ValueError("demo BAG ids no longer start their serial with 0")
    return s.str[:6] + str(tile) + s.str[7:]


def _tile(layers: dict[str, gpd.GeoDataFrame], tile: int, dx: float, dy: float) -> dict[
        str, gpd.GeoDataFrame]:
    out: dict[str, gpd.GeoDataFrame] = {}
    for name in TOWN_LAYERS:
        frame = layers[name].copy()
        frame["geometry"] = shapely.transform(frame.geometry.to_numpy(),
                                              lambda c: c + np.array([dx, dy]))
        for col in _BAG_ID_COLS.get(name, ()):
            frame[col] = _bag_id(frame[col], tile)
        if name == "openbare_ruimte":
            # street names repeat per district: keep the name, make the id unique per tile
            frame["identificatie"] = _bag_id(frame["identificatie"], tile)
        elif name not in _BAG_ID_COLS and "identificatie" in frame:
            frame["identificatie"] = frame["identificatie"].astype("string").str.replace(
                "NL.IMRO.PT.", f"NL.IMRO.PT.t{tile}.", regex=False)
        out[name] = frame
    return out


def build_town_layers(n: int = 25_000, seed: int = SEED) -> dict[str, gpd.GeoDataFrame]:
    """The town's layers with exactly ``n`` panden (deterministic in ``n`` and ``seed``)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    tiles: list[dict[str, gpd.GeoDataFrame]] = []
    count = 0
    k = 0
    per_row = None
    while count < n:
        layers = build_layers(seed + k)
        if per_row is None:  # a roughly square town: columns from the first tile's yield
            per_row = max(1, math.ceil(math.sqrt(n / max(len(layers["pand"]), 1))))
        col, row = k % per_row, k // per_row
        tiles.append(_tile(layers, k, col * TILE_W, row * TILE_H))
        count += len(layers["pand"])
        k += 1
        if k > 9:
            raise ValueError("at most 10 tiles (the tile number is one id digit)")
    out: dict[str, gpd.GeoDataFrame] = {}
    for name in TOWN_LAYERS:
        frames = [t[name] for t in tiles]
        out[name] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    excess = len(out["pand"]) - n
    if excess > 0:
        drop = set(out["pand"]["identificatie"].iloc[-excess:].astype(str))
        out["pand"] = out["pand"].iloc[:-excess].reset_index(drop=True)
        vbo = out["verblijfsobject"]
        out["verblijfsobject"] = vbo[~vbo["pand_identificatie"].astype(str).isin(drop)
                                     ].reset_index(drop=True)
    plan = out["bestemmingsplangebied"]
    if len(plan) > 1:  # one plan area over the whole town
        union = shapely.union_all(plan.geometry.to_numpy())
        out["bestemmingsplangebied"] = gpd.GeoDataFrame(plan.iloc[:1].drop(columns="geometry"),
                                                        geometry=[union], crs=plan.crs)
    return out


def build_town(path: str | Path, n: int = 25_000, seed: int = SEED) -> Path:
    """Write the town to the GeoPackage ``path``; returns the path."""
    layers = build_town_layers(n, seed)
    minx, miny, maxx, maxy = shapely.total_bounds(layers["pand"].geometry.to_numpy())
    meta = {"titel": f"Gegenereerde stad ({n} panden)", "gemeentecode": "0294",
            "synthetisch": "ja", "generator": "omgevingskaart.demo.town", "seed": str(seed),
            "panden": str(n), "extent": f"{minx:.0f},{miny:.0f},{maxx:.0f},{maxy:.0f}",
            "bron": "Synthetische gegevens (tegels van de demo-generator); geen echte registratie."}
    return Path(write_dataset(layers, path, meta=meta))


def cache_dir() -> Path:
    """``town/`` in the project's cache (:func:`omgevingskaart.crs.cache_dir`:
    ``$OMGEVINGSKAART_CACHE_DIR`` or the user cache)."""
    return crs.cache_dir() / "town"


def generator_version() -> str:
    """The first 12 hex digits of the SHA-256 of the demo generator's source files: a changed
    generator never reuses a town built by the old one."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def town_path(n: int = 25_000, seed: int = SEED, *, build: bool = True) -> Path:
    """The cached town GeoPackage for ``(n, seed)``, built on first use."""
    path = cache_dir() / f"town-{n}-{seed}-{generator_version()}.gpkg"
    if build and not path.exists():
        build_town(path, n, seed)
    return path
