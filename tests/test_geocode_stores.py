"""The address search and the permit check give the same answers on every store backend.

The demo is stored in a GeoPackage read through its R-tree (``mode="rtree"``: nothing held in
memory), a GeoParquet folder and PostGIS (a real server on 127.0.0.1), and compared with the demo
in memory: search, resolve, lookup and suggest for varied spellings (typos, case, spacing, postcode
forms, kadastrale aanduidingen, autocomplete prefixes), the address nearest a point, the addresses
of given panden, and ``check_build_at`` for demo addresses. On the R-tree and PostGIS stores the
geocoder and the permit check's data gathering must not read or index whole layers: the store's
cache holds no ``("index", ...)`` or ``("frame", ...)`` entry afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from search_spellings import address_records, spellings
from shapely.geometry import box
from test_store import demo_in_postgis  # noqa: F401  (module fixtures)

from omgevingskaart.dataset import DEMO_PATH, Dataset, open_dataset, write_dataset
from omgevingskaart.geocode import addresses_by_pand, geocoder_for
from omgevingskaart.permit.from_dataset import check_build_at
from omgevingskaart.report import report
from omgevingskaart.store import open_store
from omgevingskaart.store.geopackage import GeoPackageStore

TYPED = [
    "Markt 12, Winterswijk", "markt 12 winterswijk", "MARKT 12", "  markt   12  ", "Markt12",
    "Markt 12, 7101AK Winterswijk", "markt 12 7101 ak", "7101AK 12", "7101 ak 12", "7101ak, 12",
    "Markt 12, Winterswyk", "Markt, 12, Winterswijk", "12 Markt", "Markt 2-1", "markt 2 1 winterswijk",
    "Markt 2/1", "lappenbrink 80 a", "Lappenbrink80a Winterswijk", "Markt", "markt winterswijk",
    "Mrkt 12", "Wooldstrat 2", "Markt 12, Amsterdam", "Markt 999", "qqqqqq 1", "markt 1", "Kerkstr",
    "Kerkstr. 5", "7101 b", "7101", "7101AK", "7101 AK 999", "Markt 12 7101AJ", "Burg. Bosmastraat 1",
    "Laan v. Hilbelink 3", "WWK00 K 2997", "wwk00k2997", "WWK00K 2997", "wwk00 k2997",
    "Winterswijk K 2997", "winterswijk k2997", "WWK00-K-2997", "wwk00 k 29", "wwk00 k", "wwk00",
    "wwk00 l 38", "WWK00 Z 1", "Winterswijk", "ma", "mar", "lappenb", "7", "",
]


def _outcome(geocoder: Any, query: str) -> list[Any]:
    """What each public call answers (the value, or the error's type and message)."""
    out: list[Any] = []
    calls = {
        "resolve": lambda: (lambda r: (r[0]["weergave"], r[0]["identificatie"],
                                       round(r[1].x, 3), round(r[1].y, 3)))(geocoder.resolve(query)),
        "search": lambda: [c["weergave"] for c in geocoder.search(query)],
        "lookup": lambda: [(c["weergave"], c["x"], c["y"]) for c in geocoder.lookup(query)],
        "suggest": lambda: [(c["weergave"], c["soort"], c["x"], c["y"]) for c in geocoder.suggest(query, limit=8)],
        "suggest1": lambda: [c["weergave"] for c in geocoder.suggest(query, limit=1)],
    }
    for name, call in calls.items():
        try:
            out.append((name, call()))
        except Exception as exc:  # the same error with the same message on every backend
            out.append((name, type(exc).__name__, str(exc)))
    return out


@pytest.fixture(scope="module")
def memory() -> Dataset:
    return open_dataset(DEMO_PATH)


@pytest.fixture(scope="module")
def queries(memory: Dataset) -> list[str]:
    typed = [q for q, _ in spellings(address_records(memory), count=60)]
    return TYPED + typed + [q[:n] for q in typed[:10] for n in (3, 7)]


@pytest.fixture(scope="module")
def demo_rtree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ds = open_dataset(DEMO_PATH)
    path = tmp_path_factory.mktemp("rtree") / "demo.gpkg"
    write_dataset({n: ds[n] for n in ds.layers}, path, meta=ds.meta)
    return Path(path)


@pytest.fixture(params=["rtree", "geoparquet", "postgis"])
def store_ds(request: pytest.FixtureRequest) -> Dataset:
    """The demo in a fresh store of each large-data backend (a cold cache every test)."""
    if request.param == "rtree":
        return Dataset(GeoPackageStore(request.getfixturevalue("demo_rtree"), mode="rtree"))
    if request.param == "geoparquet":
        return Dataset(open_store(request.getfixturevalue("demo_in_parquet")))
    return Dataset(open_store(request.getfixturevalue("demo_in_postgis")))


def _whole_layer_entries(ds: Dataset) -> list[Any]:
    return [k for k in ds.store.cache._values if isinstance(k, tuple) and k[:1] in (("index",), ("frame",))]


def test_same_search_answers_on_every_backend(memory: Dataset, store_ds: Dataset, queries: list[str]) -> None:
    assert len(queries) >= 40
    want, got = geocoder_for(memory), geocoder_for(store_ds)
    differ = [(q, a, b) for q in queries if (a := _outcome(want, q)) != (b := _outcome(got, q))]
    assert not differ, differ[:3]
    assert got.nearest(246611, 443321) is not None
    assert got.nearest(246611, 443321)[0]["weergave"] == want.nearest(246611, 443321)[0]["weergave"]
    pand_ids = [r["identificatie"] for r in memory.store.rows("pand", bbox=(246400, 443200, 246800, 443500),
                                                               columns=["identificatie"])[0]]
    assert addresses_by_pand(store_ds, pand_ids) == addresses_by_pand(memory, pand_ids)
    assert _whole_layer_entries(store_ds) == []


def test_vocabulary_is_compact(store_ds: Dataset) -> None:
    """The cached geocoder knows names, not addresses: nothing in it is as long as the address
    list (3,208 in the demo; 36 street names, 1 woonplaats, 185 postcodes)."""
    g = geocoder_for(store_ds)
    assert store_ds.store.cache.peek(("geocode", "geocoder")) is g
    assert g._street_names["markt"] == ("Markt",) and g._places["winterswyk"] == ("Winterswijk",)
    addresses = len(address_records(store_ds))
    sizes = {name: len(v) for name, v in vars(g).items() if hasattr(v, "__len__") and not isinstance(v, str)}
    assert addresses == 3208 and max(sizes.values()) < addresses / 10, sizes


def _free_spot(ds: Dataset, address: str) -> shapely.Polygon:
    rep = report(ds, address)
    built = shapely.union_all(ds.store.rows("pand", geometry=rep.perceel.geometry, columns=[])[1])
    c = rep.perceel.geometry.difference(built.buffer(0.3)).representative_point()
    return box(c.x - 0.5, c.y - 0.5, c.x + 0.5, c.y + 0.5)


ADDRESSES = ["Markt 12, Winterswijk", "Misterstraat 20", "Markt 1, Winterswijk", "Lappenbrink 80A"]


def test_same_permit_check_on_every_backend(memory: Dataset, store_ds: Dataset) -> None:
    for address in ADDRESSES:
        proposal = {"footprint": _free_spot(memory, address), "height": 3.0, "eaves_height": 3.0}
        want = check_build_at(memory, address, proposal).to_dict()
        assert check_build_at(store_ds, address, proposal).to_dict() == want, address
        # the check's own reads (given the report) are window queries, never whole layers
        fresh = Dataset(store_ds.store)
        fresh.store.cache.clear()
        got = check_build_at(fresh, report(memory, address), proposal).to_dict()
        assert got == want, address
        assert _whole_layer_entries(fresh) == [], address


@pytest.mark.parametrize("mode", ["memory", "rtree"])
def test_addresses_of_a_verblijfsobject_in_two_panden(tmp_path: Path, mode: str) -> None:
    """A verblijfsobject in panden a and b (``pand_identificatie`` "a;b", its point in a) is an
    address of b too, also when only b is asked (found by the window around b)."""
    import geopandas as gpd

    panden = gpd.GeoDataFrame({"identificatie": ["a", "b", "c"]},
                              geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(500, 0, 510, 10)],
                              crs="EPSG:28992")
    vbo = gpd.GeoDataFrame({"identificatie": ["v1", "v2"], "openbare_ruimte": ["Markt", "Markt"],
                            "huisnummer": [1, 2], "postcode": ["7101AK", "7101AK"],
                            "woonplaats": ["Winterswijk", "Winterswijk"], "pand_identificatie": ["a;b", "c"]},
                           geometry=[shapely.Point(5, 5), shapely.Point(505, 5)], crs="EPSG:28992")
    path = write_dataset({"pand": panden, "verblijfsobject": vbo}, tmp_path / "twee.gpkg")
    ds = Dataset(GeoPackageStore(path, mode=mode))  # type: ignore[arg-type]
    assert addresses_by_pand(ds, ["b"]) == {"b": ["Markt 1, 7101AK Winterswijk"]}
    assert addresses_by_pand(ds, ["a", "c"]) == {"a": ["Markt 1, 7101AK Winterswijk"],
                                                 "c": ["Markt 2, 7101AK Winterswijk"]}
    assert addresses_by_pand(ds, ["x"]) == {}
