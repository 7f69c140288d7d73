"""The national batch job: "vergunningvrije ruimte" for every perceel, on Dask.

For every perceel of a GeoParquet dataset (:mod:`omgevingskaart.store.geoparquet`) this computes
what the permit check needs and what a resident asks first, and writes it as the dataset layer
``vergunningvrije_ruimte`` (its own Hilbert-ordered GeoParquet parts, one per perceel part):

* ``achtererfgebied_m2`` and ``bebouwingsgebied_m2``: derived with the permit check's own
  construction (:func:`omgevingskaart.permit.geometry.derive`: the line 1 m behind the voorkant,
  corner plots, later extensions) from the perceel, its panden (BAG + 3D BAG heights; the largest
  is taken as the hoofdgebouw) and the public road (BGT wegdeel) within 30 m;
* ``max_bijbehorend_m2``: the bruidsschat 22.36 area limit for that bebouwingsgebied
  (:func:`omgevingskaart.permit.rules.max_oppervlakte_m2`: 50 % up to 100 m2, ..., at most 150 m2);
  ``bestaand_bijbehorend_m2``: the other panden on the perceel inside the bebouwingsgebied;
  ``vrij_bijbehorend_m2``: what is left (never below 0);
* ``max_bouwhoogte_m`` (the plan's maatvoering at the hoofdgebouw), ``hoogte_hoofdgebouw_m`` (3D BAG
  ``b3_h_dak_max - b3_h_maaiveld``) and ``hoogteruimte_m``, their difference;
* ``monument`` (the monumenttype of a monument on the perceel, or empty) and ``beschermd_gezicht``
  (null when the dataset has no ``beschermd_gezicht`` layer: unknown, not "no").

The geometry is the achtererfgebied minus the existing bijbehorende bouwwerken: where a
bijbehorend bouwwerk could go. A perceel that cannot be computed (no pand with a 3D BAG height, no
road nearby) gets ``status = "onbekend"`` with the ``reden``, its own outline as geometry and no
numbers: never a guess. Sheds too small for the BAG are not known and not counted.

It runs on any Dask cluster: ``run_batch(..., scheduler="tcp://host:8786")``, or a
:class:`~distributed.LocalCluster` made here by default. Each task reads one perceel part and the
other layers in that part's window from the dataset folder (which the workers must see at the same
path, e.g. on a shared disk), so a worker's memory is bounded by the part size, not the country.

Command line: ``omgevingskaart batch DATASET.parquet [--scheduler ADDRESS] [--workers N]``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from .errors import DatasetError, GeometryError, ScenarioError
from .schema import RD_NEW, SCHEMAS, conform
from .store.geoparquet import ROW_GROUP_SIZE, GeoParquetStore
from .store.memory import LayerIndex, build_index, records

LAYER = "vergunningvrije_ruimte"
ROAD_LAYERS = ("bgt_wegdeel", "bgt_ondersteunendwegdeel")
ROAD_SEARCH_M = 30.0
BOUWHOOGTE = "maximum bouwhoogte (m)"
BRON = "omgevingskaart batch (afgeleid uit BRK, BAG, 3D BAG, BGT en het bestemmingsplan)"


@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` did: percelen, how many were computed, seconds, workers' cores."""

    percelen: int
    berekend: int
    seconds: float
    cores: int
    parts: int

    @property
    def per_second_per_core(self) -> float:
        return self.percelen / self.seconds / max(1, self.cores) if self.seconds > 0 else math.inf


class _Context:
    """The other layers in one part's window, as in-memory indexes (geometries, STRtree, rows)."""

    def __init__(self, store: GeoParquetStore, window: tuple[float, float, float, float]):
        layers = set(store.layers())

        def index(name: str, **kw: Any) -> LayerIndex | None:
            return build_index(store.features(name, bbox=window, **kw)) if name in layers else None

        self.pand = index("pand")
        roads = [f for f in (index(n) for n in ROAD_LAYERS) if f is not None and len(f.records)]
        if not roads and "openbare_ruimte" in layers:
            roads = [i for i in [index("openbare_ruimte")] if i is not None]
        self.roads = np.concatenate([i.geometries for i in roads]) if roads else np.empty(0, object)
        self.road_tree = shapely.STRtree(self.roads)
        self.maat = index("maatvoering", where={"waarde_type": BOUWHOOGTE})
        self.monument = index("monument")
        self.gezicht = index("beschermd_gezicht")

    @staticmethod
    def hits(idx: LayerIndex | None, geom: BaseGeometry) -> np.ndarray:
        if idx is None:
            return np.empty(0, dtype=np.int64)
        return np.sort(idx.tree.query(geom, predicate="intersects"))


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _panden(ctx: _Context, parcel: BaseGeometry) -> list[dict[str, Any]]:
    """The panden on the perceel with a 3D BAG height (as the permit check reads them)."""
    assert ctx.pand is not None
    out = []
    for j in ctx.hits(ctx.pand, parcel):
        rec = ctx.pand.records[int(j)]
        ground, top = _num(rec["b3_h_maaiveld"]), _num(rec["b3_h_dak_max"])
        if ground is None or top is None or top <= ground:
            continue
        out.append({"footprint": ctx.pand.geometries[int(j)], "height": round(top - ground, 2),
                    "id": rec["identificatie"], "original": True})
    return out


def _plan_height(ctx: _Context, main: BaseGeometry) -> float | None:
    """The lowest maximum bouwhoogte of the maatvoering covering the hoofdgebouw's point."""
    if ctx.maat is None:
        return None
    point = main.representative_point()
    found = [_num(ctx.maat.records[int(j)]["waarde"]) for j in ctx.hits(ctx.maat, point)]
    values = [v for v in found if v is not None]
    return min(values) if values else None


def _monument(ctx: _Context, parcel: BaseGeometry) -> str | None:
    """The monumenttype of a monument on the perceel (half of it, or 25 m2 of it, lies on the
    perceel: a neighbour's monument touching the boundary does not count), ``"geen"``, or None
    (the dataset has no monument layer: unknown)."""
    if ctx.monument is None:
        return None
    for j in ctx.hits(ctx.monument, parcel):
        geom = ctx.monument.geometries[int(j)]
        if geom.area > 0:
            on_parcel = geom.intersection(parcel).area >= min(25.0, 0.5 * geom.area)
        else:
            on_parcel = parcel.covers(geom)
        if on_parcel:
            return str(ctx.monument.records[int(j)].get("monumenttype") or "monument")
    return "geen"


def _derive(parcel: Polygon, panden: list[dict[str, Any]], roads: np.ndarray) -> tuple[Any, Any, str | None]:
    """``(Scenario, Derived, hoofdgebouw id)`` with the permit check's own construction."""
    from .permit.from_parcel import scenario_from_parcel
    from .permit.geometry import derive
    from .permit.scenario import Annex, Scenario

    # scenario_from_parcel picks the hoofdgebouw and lays the road sides; it wants a proposal,
    # which the derivation below does not read: the empty polygon says "none".
    raw = scenario_from_parcel(perceel=parcel, panden=panden, roads=list(roads),
                               proposal={"footprint": Polygon(), "height": 1.0})
    road = shape(raw["road_side"])
    sides = tuple(road.geoms) if hasattr(road, "geoms") else (road,)
    sides = tuple(s for s in sides if s.length > 0)
    if not sides:
        raise ScenarioError("road_side", "no stretch of the perceel boundary faces the public road")
    main = shape(raw["main_building"]["footprint"])
    scenario = Scenario(
        parcel=shape(raw["parcel"]), road_sides=sides, main_footprint=main,
        main_height=float(raw["main_building"]["height"]), second_storey_floor=None,
        original_footprint=main, annexes=tuple(Annex(shape(a["footprint"]), float(a["height"] or 0.0))
                                               for a in raw["existing_annexes"]),
        proposal=Polygon(), proposal_height=1.0, eaves_height=1.0, roof_pitch_deg=None, ridge=None,
        monument=None, protected_townscape=False,
    )
    return scenario, derive(scenario), (raw.get("source") or {}).get("main_pand_id")


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of ``geom`` (slivers of a difference can add lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else MultiPolygon()


def perceel_row(perceel: dict[str, Any], parcel: BaseGeometry, ctx: _Context) -> dict[str, Any]:
    """The ``vergunningvrije_ruimte`` row of one perceel (its record and geometry)."""
    from .permit.rules import max_oppervlakte_m2

    row: dict[str, Any] = {"identificatie": perceel["identificatie"],
                           "kadastrale_aanduiding": perceel.get("kadastrale_aanduiding"),
                           "status": "onbekend", "bron": BRON, "geometry": parcel,
                           "beschermd_gezicht": (None if ctx.gezicht is None
                                                 else bool(len(ctx.hits(ctx.gezicht, parcel))))}
    panden = _panden(ctx, parcel) if ctx.pand is not None else []
    row["monument"] = _monument(ctx, parcel)
    if not panden:
        row["reden"] = "geen pand met bekende hoogte (3D BAG) op het perceel"
        return row
    roads = ctx.roads[np.sort(ctx.road_tree.query(parcel.buffer(ROAD_SEARCH_M), predicate="intersects"))]
    if not len(roads):
        row["reden"] = f"geen openbare weg (BGT wegdeel) binnen {ROAD_SEARCH_M:g} m van het perceel"
        return row
    try:
        scenario, derived, main_id = _derive(parcel, panden, roads)
    except ScenarioError as exc:
        row["reden"] = ("geen hoofdgebouw op het perceel (alleen randen van panden van buren)"
                        if exc.field == "panden" else f"niet af te leiden: {exc}")
        return row
    except (GeometryError, shapely.errors.GEOSException) as exc:
        row["reden"] = f"niet af te leiden: {exc}"
        return row
    beb = derived.bebouwingsgebied
    annexes = [a.footprint for a in scenario.annexes]
    existing = float(sum(a.intersection(beb).area for a in annexes))
    limit = max_oppervlakte_m2(beb.area)
    plan_height = _plan_height(ctx, scenario.main_footprint)
    free = _polygonal(derived.achtererfgebied.difference(shapely.union_all(annexes))
                      if annexes else derived.achtererfgebied)
    row.update({
        "status": "berekend", "reden": None, "hoofdgebouw": main_id,
        "achtererfgebied_m2": round(derived.achtererfgebied.area, 2), "bebouwingsgebied_m2": round(beb.area, 2),
        "max_bijbehorend_m2": round(limit, 2), "bestaand_bijbehorend_m2": round(existing, 2),
        "vrij_bijbehorend_m2": round(max(0.0, limit - existing), 2),
        "max_bouwhoogte_m": plan_height, "hoogte_hoofdgebouw_m": scenario.main_height,
        "hoogteruimte_m": None if plan_height is None else round(plan_height - scenario.main_height, 2),
        "geometry": free,
    })
    return row


def compute_part(percelen: gpd.GeoDataFrame, dataset: str | Path) -> gpd.GeoDataFrame:
    """The ``vergunningvrije_ruimte`` rows of a set of percelen (one Dask partition)."""
    store = GeoParquetStore(dataset)
    if percelen.empty:
        return conform(gpd.GeoDataFrame({"identificatie": pd.Series([], dtype="string")},
                                        geometry=gpd.GeoSeries([], crs=RD_NEW)), LAYER)
    x0, y0, x1, y1 = percelen.total_bounds
    margin = ROAD_SEARCH_M + 5.0
    ctx = _Context(store, (x0 - margin, y0 - margin, x1 + margin, y1 + margin))
    rows = [perceel_row(rec, geom, ctx)
            for rec, geom in zip(records(percelen), percelen.geometry.to_numpy(), strict=True)]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=RD_NEW)
    return conform(frame, LAYER)


def _write_part(percelen: gpd.GeoDataFrame, dataset: str, folder: str, index: int) -> dict[str, Any]:
    """One task: compute a perceel part and write it as ``folder/part-NNNNN.parquet``."""
    frame = compute_part(percelen, dataset)
    fid = percelen["fid"].to_numpy() if "fid" in percelen else np.arange(len(frame))
    frame.insert(0, "fid", np.asarray(fid, dtype=np.int64))
    path = Path(dataset) / folder / f"part-{index:05d}.parquet"
    frame.to_parquet(path, index=False, write_covering_bbox=True, schema_version="1.1.0",
                     row_group_size=ROW_GROUP_SIZE)
    b = frame.total_bounds if len(frame) else None
    return {"rows": len(frame), "berekend": int((frame["status"] == "berekend").sum()), "file": path.name,
            "bounds": None if b is None or not np.all(np.isfinite(b)) else [float(v) for v in b]}


def run_batch(dataset: str | Path, *, scheduler: str | None = None, workers: int = 1,
              processes: bool = True) -> BatchResult:
    """Compute ``vergunningvrije_ruimte`` for every perceel of the GeoParquet ``dataset`` on Dask
    and add it to the dataset as a layer (one part per perceel part; committed atomically)."""
    import dask
    import dask_geopandas
    from dask.distributed import Client, LocalCluster

    store = GeoParquetStore(dataset)
    if "perceel" not in store.layers():
        raise DatasetError(store.path, "no layer 'perceel': the batch job computes per perceel")
    folder = f"{LAYER}-{time.strftime('%Y%m%d%H%M%S')}"
    (store.path / folder).mkdir()
    start = time.perf_counter()
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        cores = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        ddf = dask_geopandas.read_parquet(store.layer_path("perceel"))
        parts = ddf.to_delayed()
        tasks = [dask.delayed(_write_part)(p, str(store.path), folder, i) for i, p in enumerate(parts)]
        stats = client.compute(tasks, sync=True)
    except BaseException:
        import shutil

        shutil.rmtree(store.path / folder, ignore_errors=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    seconds = time.perf_counter() - start
    boxes = [s["bounds"] for s in stats if s["bounds"] is not None]
    bounds = ([min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes)] if boxes else None)
    columns = ["fid", *SCHEMAS[LAYER].columns, "bbox", "geometry"]
    store.commit_layer(LAYER, {"folder": folder, "rows": sum(s["rows"] for s in stats),
                               "parts": len(stats), "bounds": bounds, "columns": columns,
                               "part_bounds": {s["file"]: s["bounds"] for s in stats}})
    return BatchResult(percelen=sum(s["rows"] for s in stats), berekend=sum(s["berekend"] for s in stats),
                       seconds=seconds, cores=cores, parts=len(stats))


def summary(result: BatchResult, national_percelen: int = 9_000_000,
            cores: Sequence[int] = (2, 64)) -> list[str]:
    """Lines for the command line: throughput and the extrapolated time for the Netherlands."""
    rate = result.per_second_per_core
    lines = [f"percelen: {result.percelen} ({result.berekend} berekend, "
             f"{result.percelen - result.berekend} onbekend) in {result.parts} delen",
             f"tijd: {result.seconds:.1f} s op {result.cores} kern(en): {rate:.1f} percelen/s per kern"]
    for n in cores:
        seconds = national_percelen / (rate * n) if rate > 0 else math.inf
        took = f"~{seconds / 3600:.1f} uur" if seconds >= 3600 else f"~{seconds / 60:.0f} minuten"
        lines.append(f"Nederland (~{national_percelen / 1e6:.0f} miljoen percelen) op {n} kernen: {took}")
    return lines


__all__ = ["LAYER", "BatchResult", "compute_part", "perceel_row", "run_batch", "summary"]
