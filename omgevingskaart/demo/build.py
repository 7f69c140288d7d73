"""Build the embedded demo dataset ``data/demo/winterswijk-centrum.gpkg``.

Everything comes from one seeded :class:`numpy.random.Generator`, in a fixed order, computed with
CPU-independent arithmetic (:mod:`.geom`), put on the millimetre grid (:mod:`.grid`) and written
through :func:`omgevingskaart.dataset.write_dataset` (fixed GeoPackage timestamps), so every build
with the same seed and the same library versions gives the same bytes, on any machine.

>>> from omgevingskaart.demo import build_demo
>>> path = build_demo("/tmp/demo.gpkg")          # doctest: +SKIP
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..dataset import DEMO_PATH, write_dataset
from ..schema import RD_NEW
from .bag import Pand, Vbo, make_panden, make_vbos, street_lines
from .bgt import finish_bgt, make_bgt
from .brk import make_percelen
from .grid import on_grid, snap_partitions
from .monumenten import make_monumenten, select_monuments
from .parcels import layout
from .plan import make_plan
from .special import build_special
from .streets import EXTENT, Network, build_network
from .voorontwerp import make_voorontwerp

#: the default seed (the gemeentecode).
SEED = 294
BRON_BAG = "demo (synthetisch) — BAG-vorm"
BRON_3DBAG = "demo (synthetisch) — BAG/3D BAG-vorm"
NOTICE = ("Synthetische demonstratiegegevens voor het centrum van Winterswijk, in de vorm van "
          "BAG, 3D BAG, BRK, BGT en IMRO2012; de straatnamen zijn echt, de ligging, percelen, "
          "panden, adressen, het bestemmingsplan en de monumenten zijn verzonnen. Geen echte "
          "registratie: niet gebruiken voor besluiten of vergunningaanvragen.")
#: synthetic 4-digit woonplaatscode (not the real one from the BAG woonplaatsentabel).
WOONPLAATS_CODE = "3090"


def build_layers(seed: int = SEED) -> dict[str, gpd.GeoDataFrame]:
    """All demo layers, by layer name, not yet conformed."""
    rng = np.random.default_rng(seed)
    net = build_network(rng)
    lay = layout(net, rng)
    sp = build_special(net, lay, rng)
    panden = make_panden(net, lay, sp, rng)
    vbos = make_vbos(net, panden, rng)
    rijks, gemeentelijk = select_monuments(panden, rng)
    plan = make_plan(net, lay, sp, panden, gemeentelijk, rng)
    percelen, _ = make_percelen(net, lay, sp, rng)
    layers: dict[str, gpd.GeoDataFrame] = {
        "pand": _pand_frame(panden),
        "verblijfsobject": _vbo_frame(vbos, panden),
        **_openbare_ruimte(net),
        "perceel": percelen,
        **plan.layers,
        "monument": make_monumenten(panden, vbos, rijks, gemeentelijk, rng),
        **make_bgt(net, lay, sp, panden),
    }
    layers = _on_grid(layers)
    layers.update(finish_bgt(layers, rng))
    layers.update(make_voorontwerp(layers))  # ketenpartner-only layers, derived without rng
    return layers


#: the partitions of the extent, each snapped to the grid as a whole (see :mod:`.grid`).
PARTITIONS = (("perceel",), ("enkelbestemming",),
              ("bgt_wegdeel", "bgt_waterdeel", "bgt_begroeidterreindeel", "bgt_onbegroeidterreindeel",
               "pand"))


def _on_grid(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Every layer on the millimetre grid: the partitions snapped as a whole, other layers that
    reuse a partition's polygon (monuments, bouwaanduidingen: panden; functieaanduidingen:
    percelen) get the snapped polygon, everything else is rounded vertex by vertex."""
    snapped: dict[bytes, shapely.Geometry] = {}
    out = dict(layers)
    olds = [np.concatenate([layers[n].geometry.to_numpy() for n in names]) for names in PARTITIONS]
    for names, old, new in zip(PARTITIONS, olds, snap_partitions(olds), strict=True):
        snapped.update(zip(shapely.to_wkb(old), new, strict=True))
        start = 0
        for name in names:
            frame = layers[name].copy()
            part = new[start:start + len(frame)]
            start += len(frame)
            frame["geometry"] = gpd.GeoSeries(part, index=frame.index, crs=frame.crs)
            out[name] = frame[~shapely.is_empty(part)]
    for name in PARTITIONS[-1][:-1]:  # the BGT pieces of one row, joined (exactly noded now)
        frame = out[name]
        groups = frame.groupby("_order", sort=True).indices
        first = [int(idx[0]) for idx in groups.values()]
        geoms = frame.geometry.to_numpy()
        joined = [geoms[idx[0]] if len(idx) == 1 else shapely.coverage_union_all(geoms[idx])
                  for idx in groups.values()]
        out[name] = gpd.GeoDataFrame(frame.iloc[first].drop(columns="geometry"),
                                     geometry=shapely.normalize(np.asarray(joined, dtype=object)),
                                     crs=frame.crs)
    out["perceel"]["kadastrale_grootte"] = np.rint(out["perceel"].area)
    done = {n for names in PARTITIONS for n in names}
    for name, frame in layers.items():
        if name in done:
            continue
        old = frame.geometry.to_numpy()
        new = on_grid(old)
        keys = shapely.to_wkb(old)
        new = np.array([snapped.get(k, g) for k, g in zip(keys, new, strict=True)], dtype=object)
        frame = frame.copy()
        frame["geometry"] = gpd.GeoSeries(new, index=frame.index, crs=frame.crs)
        out[name] = frame
    return out


def _pand_frame(panden: list[Pand]) -> gpd.GeoDataFrame:
    h = np.array([p.heights for p in panden], dtype=float).round(2)
    return gpd.GeoDataFrame(
        {
            "identificatie": [p.identificatie for p in panden],
            "status": [p.status for p in panden],
            "bouwjaar": [p.bouwjaar for p in panden],
            "b3_h_maaiveld": h[:, 0],
            "b3_h_dak_50p": h[:, 2],
            "b3_h_dak_70p": h[:, 3],
            "b3_h_dak_max": h[:, 4],
            "b3_h_dak_min": h[:, 1],
            "b3_dak_type": [p.dak_type for p in panden],
            "b3_bouwlagen": [p.bouwlagen for p in panden],
            "bron": [BRON_BAG if np.isnan(p.heights[0]) else BRON_3DBAG for p in panden],
        },
        geometry=[p.geom for p in panden],
        crs=RD_NEW,
    ).sort_values("identificatie", kind="stable")


def _vbo_frame(vbos: list[Vbo], panden: list[Pand]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "identificatie": [v.identificatie for v in vbos],
            "nummeraanduiding_identificatie": [v.nummeraanduiding for v in vbos],
            "openbare_ruimte": [v.street for v in vbos],
            "huisnummer": [v.huisnummer for v in vbos],
            "huisletter": [v.huisletter for v in vbos],
            "huisnummertoevoeging": [v.toevoeging for v in vbos],
            "postcode": [v.postcode for v in vbos],
            "woonplaats": "Winterswijk",
            "status": ["Verblijfsobject in gebruik" if panden[v.pand].status != "Bouw gestart"
                       else "Verblijfsobject gevormd" for v in vbos],
            "pand_identificatie": [panden[v.pand].identificatie for v in vbos],
            "gebruiksdoel": [v.gebruiksdoel for v in vbos],
            "oppervlakte": [v.oppervlakte for v in vbos],
            "bron": BRON_BAG,
        },
        geometry=[v.point for v in vbos],
        crs=RD_NEW,
    ).sort_values("identificatie", kind="stable")


def _openbare_ruimte(net: Network) -> dict[str, gpd.GeoDataFrame]:
    lines = street_lines(net)
    names = sorted(lines)
    ors = gpd.GeoDataFrame(
        {"identificatie": [f"0294300000000{i + 1:03d}" for i in range(len(names))],
         "naam": names, "type": "Weg", "woonplaats": "Winterswijk",
         "status": "Naamgeving uitgegeven", "bron": BRON_BAG},
        geometry=[lines[n] for n in names], crs=RD_NEW,
    )
    wp = gpd.GeoDataFrame(
        {"identificatie": [WOONPLAATS_CODE], "naam": ["Winterswijk"],
         "status": ["Woonplaats aangewezen"], "bron": [BRON_BAG]},
        geometry=[shapely.box(*EXTENT)], crs=RD_NEW,
    )
    return {"openbare_ruimte": ors, "woonplaats": wp}


def build_demo(path: str | Path = DEMO_PATH, seed: int = SEED) -> Path:
    """Build the demo dataset and write it to ``path`` (a GeoPackage); returns the path."""
    layers = build_layers(seed)
    meta = {
        "titel": "Winterswijk centrum (demo)",
        "gemeentecode": "0294",
        "synthetisch": "ja",
        "bron": NOTICE,
        "generator": "omgevingskaart demo build",
        "seed": str(seed),
        "extent": ",".join(f"{v:.0f}" for v in EXTENT),
    }
    return Path(write_dataset(layers, path, meta=meta))


def main() -> None:  # pragma: no cover - convenience for benchmarks
    t0 = time.perf_counter()
    path = build_demo()
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - t0:.1f} s")
