"""The parcel report gives the same answer on every store backend.

The in-memory demo (the GeoPackage read whole, STRtrees in memory) is the reference; the same demo
read through the GeoPackage's own R-tree, as a GeoParquet folder and in PostGIS (overlays and
areas computed in SQL) must give the same ``to_dict()`` at random points, for the demo's
addresses and kadastrale aanduidingen, and on real samples (BRK + BGT, a plan and its ontwerp, an
omgevingsplan in STOP/TPOD with BAG). On the R-tree and PostGIS stores no whole layer is read:
their caches (and the GeoParquet store's) hold no ``("frame", ...)`` or ``("index", ...)`` entries
after the reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from omgevingskaart.dataset import DEMO_PATH, Dataset, open_dataset, write_dataset
from omgevingskaart.errors import OmgevingskaartError
from omgevingskaart.report import report
from omgevingskaart.store import Store, open_store
from omgevingskaart.store.geopackage import GeoPackageStore

BACKENDS = ("rtree", "geoparquet", "postgis")
ON = "2026-06-01"
#: the demo's addresses and kadastrale aanduidingen asked by text
QUERIES = ("Markt 12, Winterswijk", "WWK00 L 3839", "Markt 1", "Gasthuisstraat 1A")


def copy_to(ds: Dataset, backend: str, where: Path | str) -> Store:
    """``ds`` written into a fresh store of ``backend`` (a GeoPackage opened in R-tree mode, a
    GeoParquet folder in small parts, a PostGIS schema)."""
    layers = {n: ds.features(n) for n in ds.layers}
    if backend == "rtree":
        path = write_dataset(layers, Path(where) / "copy.gpkg", meta=ds.meta)
        return GeoPackageStore(path, mode="rtree")
    if backend == "geoparquet":
        from omgevingskaart.store.geoparquet import GeoParquetStore

        store = GeoParquetStore(Path(where) / "copy.parquet", create=True)
        store.write_many(layers, ds.meta, rows_per_part=1000, row_group_size=128)
        return store
    write_dataset(layers, str(where), meta=ds.meta)
    return open_store(str(where))


def answers(ds: Dataset, points: list[tuple[float, float]], queries: tuple[str, ...] = (),
            geldig_op: str = ON) -> dict[str, Any]:
    """The reports' ``to_dict()`` (or the error's type and message) per point and query."""
    out: dict[str, Any] = {}
    for p in points:
        try:
            out[f"{p[0]:.3f},{p[1]:.3f}"] = report(ds, point=p, crs="EPSG:28992", geldig_op=geldig_op).to_dict()
        except OmgevingskaartError as exc:
            out[f"{p[0]:.3f},{p[1]:.3f}"] = f"{type(exc).__name__}: {exc}"
    for q in queries:
        out[q] = report(ds, q, geldig_op=geldig_op).to_dict()
    return out


def assert_same(expected: dict[str, Any], got: dict[str, Any]) -> None:
    assert list(got) == list(expected)
    for key, want in expected.items():
        if isinstance(want, dict):
            for field, value in want.items():
                assert got[key][field] == value, (key, field)
        assert got[key] == want, key


def whole_layer_reads(store: Store) -> list[Any]:
    keys = store.cache.keys()
    return [k for k in keys if isinstance(k, tuple) and k and k[0] in ("frame", "index")]


def demo_points(n: int = 60, seed: int = 12) -> list[tuple[float, float]]:
    """``n`` seeded random points in the demo's plan area, and ten just outside the data."""
    ds = open_dataset(DEMO_PATH)
    plan = ds.features("bestemmingsplangebied").geometry.iloc[0]
    minx, miny, maxx, maxy = plan.bounds
    rng = np.random.default_rng(seed)
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        x, y = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
        if shapely.contains_xy(plan, x, y):
            pts.append((x, y))
    return pts + [(maxx + 50 + 20 * i, maxy + 50) for i in range(10)]


@pytest.fixture(scope="module")
def demo_reference() -> dict[str, Any]:
    return answers(open_dataset(DEMO_PATH), demo_points(), QUERIES)


@pytest.fixture(params=BACKENDS)
def demo_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A fresh copy of the demo in each backend (a fresh store: an empty cache)."""
    if request.param == "postgis":
        uri = request.getfixturevalue("postgis_uri")
        return copy_to(open_dataset(DEMO_PATH), "postgis", f"{uri}?schema=report_demo")
    if request.param == "rtree":
        return GeoPackageStore(DEMO_PATH, mode="rtree")
    return copy_to(open_dataset(DEMO_PATH), request.param, tmp_path)


def test_the_demo_report_is_the_same_on_every_backend(demo_store: Store, demo_reference: dict[str, Any]) -> None:
    ds = Dataset(demo_store)
    points = demo_points()
    got = answers(ds, points)
    assert sum(isinstance(v, dict) for v in got.values()) >= 50
    assert_same({k: v for k, v in demo_reference.items() if k in got}, got)
    # point and perceel reports read windows and keys only, never a whole layer
    report(ds, perceel="WWK00 L 3839", geldig_op=ON)
    assert whole_layer_reads(demo_store) == []
    # addresses go through the geocoder (its own module)
    assert_same({q: demo_reference[q] for q in QUERIES}, answers(ds, [], QUERIES))


def test_overlay_is_the_same_on_every_backend(demo_store: Store) -> None:
    """The store's overlay of a perceel: the same rows, areas and point flags (to 1e-6 m²)."""
    mem = GeoPackageStore(DEMO_PATH, mode="memory")
    for p in demo_points(12, seed=3):
        pt = shapely.Point(p)
        recs, geoms = mem.rows("perceel", geometry=pt, limit=1)
        if not recs:
            continue
        for layer in ("enkelbestemming", "maatvoering", "pand", "bouwvlak"):
            for tol in (0.0, 0.001):
                a = mem.overlay(layer, geoms[0], point=pt, tolerance=tol)
                b = demo_store.overlay(layer, geoms[0], point=pt, tolerance=tol)
                assert [r["identificatie"] for r in b.records] == [r["identificatie"] for r in a.records]
                assert b.area == pytest.approx(a.area, abs=1e-6)
                assert b.shared == pytest.approx(a.shared, abs=1e-6)
                assert (b.at_point == a.at_point).all()
                assert b.shape_area == pytest.approx(a.shape_area, abs=1e-6)
        # several layers in one question (one SQL statement in PostGIS): the same as one by one
        layers = ["enkelbestemming", "maatvoering", "bouwvlak_voorontwerp", "monument"]
        many = demo_store.overlay_many(layers, geoms[0], point=pt, tolerance=0.001)
        assert list(many) == layers
        for layer in layers:
            one = demo_store.overlay(layer, geoms[0], point=pt, tolerance=0.001)
            assert many[layer].records == one.records
            assert ([[(k, type(v)) for k, v in r.items()] for r in many[layer].records]
                    == [[(k, type(v)) for k, v in r.items()] for r in one.records])
            assert many[layer].shared == pytest.approx(one.shared, abs=1e-9, nan_ok=True)
            assert many[layer].area == pytest.approx(one.area, abs=1e-9)
            assert (many[layer].at_point == one.at_point).all()


# --- real samples --------------------------------------------------------------------------------

REAL_PARTS = {
    "otterlo": ["bgt/otterlo.zip", "brk/kadastralekaart_perceel.gml"],
    "goes": ["imro/NL.IMRO.0664.BPBS02-VG99_stationspleinzuidoost.gml", "imro/NL.IMRO.0664.BPBS03-ON99.gml"],
    "tpod_bag": ["tpod/1_Amersfoort.zip", "bag/lv-small"],
}


@pytest.fixture(scope="module")
def real_sets(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dataset]:
    from omgevingskaart.cli.import_ import import_paths

    tmp = tmp_path_factory.mktemp("real_stores")
    out = {}
    for name, parts in REAL_PARTS.items():
        import_paths([real_data / p for p in parts], tmp / f"{name}.gpkg", replace=True)
        out[name] = open_dataset(tmp / f"{name}.gpkg")
    return out


def real_points(ds: Dataset) -> list[tuple[float, float]]:
    """A point inside a few rows of each layer with geometry, and the Amersfoort origin."""
    pts: list[tuple[float, float]] = [(155000.0, 463000.0)]
    for layer in ds.layers:
        geoms = ds.features(layer, limit=40).geometry
        for g in geoms.iloc[::8]:
            if g is not None and not g.is_empty:
                rp = g.representative_point()
                pts.append((round(float(rp.x), 3), round(float(rp.y), 3)))
    return pts


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_samples_report_the_same_on_every_backend(real_sets: dict[str, Dataset], backend: str,
                                                      tmp_path: Path, request: pytest.FixtureRequest) -> None:
    for name, ds in real_sets.items():
        points = real_points(ds)
        for geldig_op in ("2024-01-01", "2021-01-01") if name == "tpod_bag" else (ON,):
            want = answers(ds, points, geldig_op=geldig_op)
            assert sum(isinstance(v, dict) for v in want.values()) >= 5, name
            if name == "tpod_bag":  # the ambtsgebied's rules, by a where query on locatie_id
                assert len(want["155000.000,463000.000"]["activiteiten"]) == 91
            if backend == "postgis":
                where: Path | str = f"{request.getfixturevalue('postgis_uri')}?schema=report_{name}"
            else:
                where = tmp_path / f"{name}-{geldig_op}"
                where.mkdir()
            store = copy_to(ds, backend, where)
            assert_same(want, answers(Dataset(store), points, geldig_op=geldig_op))
            assert whole_layer_reads(store) == [], name


def test_overlay_at_is_the_same_on_every_backend(demo_store: Store) -> None:
    """Store.overlay_at (the report's whole question; one SQL statement in PostGIS) gives the
    perceel and the overlays the in-memory store gives, and the same as asking one by one."""
    from omgevingskaart.store.base import OverlayAsk

    mem = GeoPackageStore(DEMO_PATH, mode="memory")
    asks = [OverlayAsk("enkelbestemming", tolerance=0.001), OverlayAsk("maatvoering_voorontwerp", tolerance=0.001),
            OverlayAsk("pand", areas="yes"), OverlayAsk("verblijfsobject", predicate="within", areas="no"),
            OverlayAsk("monument"), OverlayAsk("woonplaats", on="point", columns=("naam",), areas="no"),
            OverlayAsk("bestemmingsplangebied", on="point", columns=("plan_id", "identificatie"), areas="no"),
            OverlayAsk("verblijfsobject", columns=(), areas="no")]
    # points on percelen, and ten just outside the data (no perceel: the overlays are at the point)
    seen_perceel = seen_none = 0
    for p in demo_points(10, seed=5)[:20]:
        pt = shapely.Point(p)
        want_row, want = mem.overlay_at(pt, asks)
        got_row, got = demo_store.overlay_at(pt, asks)
        assert (got_row is None) == (want_row is None)
        if want_row is not None:
            seen_perceel += 1
            assert got_row is not None and got_row[0] == want_row[0]
            assert shapely.equals_exact(got_row[1], want_row[1], 1e-9)
            # the same as the perceel's overlays asked one by one
            one = demo_store.overlay("pand", want_row[1], point=pt)
            assert got[2].records == one.records
            assert got[2].shared == pytest.approx(one.shared, abs=1e-9, nan_ok=True)
        else:
            seen_none += 1
        for ask, a, b in zip(asks, want, got, strict=True):
            assert b.records == a.records, ask
            assert ([[(k, type(v)) for k, v in r.items()] for r in b.records]
                    == [[(k, type(v)) for k, v in r.items()] for r in a.records]), ask
            assert b.area == pytest.approx(a.area, abs=1e-6, nan_ok=True), ask
            assert b.shared == pytest.approx(a.shared, abs=1e-6, nan_ok=True), ask
            assert (b.at_point == a.at_point).all(), ask
            assert b.shape_area == pytest.approx(a.shape_area, abs=1e-6), ask
    assert seen_perceel >= 5 and seen_none >= 5
    # a perceel given by the caller (a report by kadastrale aanduiding): no lookup, its overlays
    recs, geoms = mem.rows("perceel", where={"sectie": "L", "perceelnummer": 3839})
    given = (recs[0], geoms[0])
    pt = shapely.point_on_surface(geoms[0])
    (row, want), (row2, got) = mem.overlay_at(pt, asks, base_row=given), demo_store.overlay_at(pt, asks, base_row=given)
    assert row is given and row2 is given
    assert [b.records for b in got] == [a.records for a in want]
    assert got[0].shared == pytest.approx(want[0].shared, abs=1e-6)
    # no base layer: everything at the point
    _none, at = demo_store.overlay_at(pt, asks[:1], base=None)
    assert _none is None and at[0].records == mem.overlay("enkelbestemming", pt, point=pt, areas=False).records


def test_overlay_at_says_what_is_wrong(demo_store: Store) -> None:
    from omgevingskaart.errors import DatasetError, QueryError
    from omgevingskaart.store.base import OverlayAsk

    pt = shapely.Point(246580, 443380)
    with pytest.raises(QueryError, match="geen_kolom"):
        demo_store.overlay_at(pt, [OverlayAsk("pand", columns=("geen_kolom",))])
    with pytest.raises(DatasetError, match="geen_laag"):
        demo_store.overlay_at(pt, [OverlayAsk("geen_laag")])
    with pytest.raises(QueryError, match="tolerance"):
        demo_store.overlay_at(pt, [OverlayAsk("pand", tolerance=-1.0)])
