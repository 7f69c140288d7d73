"""The store protocol on every backend: the same questions give the same answers.

The GeoPackage backend in its two modes (in memory, through the file's R-tree) is compared on the
demo; the PostGIS and GeoParquet backends join through the ``store`` fixture below.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely

from omgevingskaart import report_at
from omgevingskaart.dataset import DEMO_PATH, open_dataset, write_dataset
from omgevingskaart.errors import DatasetError, QueryError
from omgevingskaart.store import Store, open_store
from omgevingskaart.store.geopackage import GeoPackageStore

BOX = (246514, 443300, 246614, 443400)
LAYERS = ("pand", "perceel", "verblijfsobject", "maatvoering", "bgt_wegdeel", "monument")


def small_copy(tmp_path: Path) -> Path:
    ds = open_dataset(DEMO_PATH)
    layers = {n: ds.features(n, bbox=(246300, 443100, 246800, 443600)) for n in LAYERS}
    return write_dataset(layers, tmp_path / "klein.gpkg", meta={"titel": "klein", "synthetisch": "ja"})


@pytest.fixture(scope="module")
def demo_in_postgis(postgis_uri: str) -> str:
    """The demo imported into the test server's schema ``demo`` (once per module)."""
    uri = f"{postgis_uri}?schema=demo"
    ds = open_dataset(DEMO_PATH)
    write_dataset({n: ds[n] for n in ds.layers}, uri, meta=ds.meta)
    return uri


@pytest.fixture(params=["memory", "rtree", "postgis", "geoparquet"])
def gpkg(request: pytest.FixtureRequest) -> Store:
    """The demo in every backend (the name is historical: the GeoPackage came first)."""
    if request.param == "postgis":
        return open_store(request.getfixturevalue("demo_in_postgis"))
    if request.param == "geoparquet":
        return open_store(request.getfixturevalue("demo_in_parquet"))
    return GeoPackageStore(DEMO_PATH, mode=request.param)


def test_protocol_is_implemented(gpkg: GeoPackageStore) -> None:
    assert isinstance(gpkg, Store)
    assert "pand" in gpkg.layers() and gpkg.meta()["synthetisch"] == "ja"


def test_window_predicates_and_paging(gpkg: GeoPackageStore) -> None:
    sel = gpkg.features("pand", bbox=BOX)
    assert len(sel) == 23 and sel.crs.to_epsg() == 28992
    within = gpkg.features("pand", bbox=BOX, predicate="within")
    assert 0 < len(within) < 23
    assert shapely.within(within.geometry.to_numpy(), shapely.box(*BOX)).all()
    page2 = gpkg.features("pand", bbox=BOX, offset=10, limit=5)
    assert list(page2["identificatie"]) == list(sel["identificatie"].iloc[10:15])
    cols = gpkg.features("pand", bbox=BOX, columns=["identificatie"], limit=2)
    assert list(cols.columns) == ["identificatie", "geometry"]
    point = shapely.Point(246564, 443350)
    assert gpkg.count("perceel", geometry=point) == 1


def test_where_and_get_by(gpkg: GeoPackageStore) -> None:
    sel = gpkg.features("maatvoering", where={"waarde_type": "maximum bouwhoogte (m)"})
    assert len(sel) == 458 and set(sel["waarde_type"]) == {"maximum bouwhoogte (m)"}
    ids = list(gpkg.features("pand", bbox=BOX)["identificatie"].iloc[:3])
    got = gpkg.get_by("pand", "identificatie", ids)
    assert sorted(got["identificatie"]) == sorted(ids)
    hostile = gpkg.get_by("pand", "identificatie", ["x' OR '1'='1"])
    assert len(hostile) == 0
    with pytest.raises(QueryError, match="no column"):
        gpkg.features("pand", where={"1=1; --": 1})
    with pytest.raises(QueryError, match="predicate"):
        gpkg.features("pand", bbox=BOX, predicate="near")
    with pytest.raises(DatasetError, match="no layer 'nope'"):
        gpkg.features("nope")


def test_every_backend_agrees_with_the_in_memory_index(gpkg: Store) -> None:
    mem = GeoPackageStore(DEMO_PATH, mode="memory")
    for layer in LAYERS:
        a, b = mem.features(layer, bbox=BOX), gpkg.features(layer, bbox=BOX)
        assert list(a["identificatie"]) == list(b["identificatie"]), layer
        assert list(a.columns) == list(b.columns), layer
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry")), layer
        assert shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), 1e-9).all(), layer
        assert gpkg.bounds(layer) == pytest.approx(mem.bounds(layer)), layer
    assert ("frame", "pand") in mem.cache
    if getattr(gpkg, "mode", "") != "memory":
        assert ("frame", "pand") not in gpkg.cache  # windows are read, not whole layers


def test_auto_mode_uses_the_rtree_above_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMGEVINGSKAART_MEMORY_MAX_MB", "1")
    ds = open_dataset(DEMO_PATH)
    assert ds.store.mode == "rtree"
    r = report_at(ds, point=(246564, 443350), crs="EPSG:28992")  # the query modules still work
    assert r.perceel is not None


def test_incremental_write_touches_only_its_layer(tmp_path: Path) -> None:
    path = small_copy(tmp_path)
    store = open_store(path)
    assert isinstance(store, GeoPackageStore)
    before_ino = path.stat().st_ino
    n_pand, n_perceel = store.count("pand"), store.count("perceel")
    extra = store.features("pand", limit=2)
    store.write("pand", extra, mode="append")
    assert store.count("pand") == n_pand + 2 and store.count("perceel") == n_perceel
    store.write("pand", extra)  # replace
    assert store.count("pand") == 2
    assert path.stat().st_ino == before_ino  # written in place, not a new file
    ds = open_dataset(path)
    assert len(ds["pand"]) == 2 and ds.meta["titel"] == "klein"
    assert len(ds.features("pand", bbox=tuple(extra.total_bounds))) == 2  # the R-tree is there


def test_batches_stream_a_layer() -> None:
    store = GeoPackageStore(DEMO_PATH, mode="rtree")
    sizes = [len(b) for b in store.batches("pand", batch_size=1000)]
    assert sizes == [1000, 1000, 1000, 628]


def test_geoparquet_is_hilbert_sorted_in_parts_with_a_bbox_column(demo_in_parquet: Path) -> None:
    import pyarrow.parquet as pq

    store = open_store(demo_in_parquet)
    folder = store.layer_path("pand")
    parts = sorted(folder.glob("part-*.parquet"))
    assert len(parts) == 4  # 3628 panden in parts of 1000
    meta = pq.ParquetFile(parts[0])
    assert meta.metadata.num_row_groups == 8 and "bbox" in meta.schema_arrow.names
    geo = json.loads(meta.schema_arrow.metadata[b"geo"])
    assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    # Hilbert order: each row group of 128 panden covers a small part of the layer's extent
    rows = pq.read_table(parts[0], columns=["bbox"]).column("bbox").to_pylist()
    x0, y0, x1, y1 = store.bounds("pand")
    shares = []
    for i in range(0, len(rows), 128):
        g = rows[i:i + 128]
        w = max(r["xmax"] for r in g) - min(r["xmin"] for r in g)
        h = max(r["ymax"] for r in g) - min(r["ymin"] for r in g)
        shares.append(w * h / ((x1 - x0) * (y1 - y0)))
    assert max(shares) < 0.1, shares
    assert f"pand={folder.name}" in store.fingerprint()
    # a window read opens only the parts whose bounds (kept in the manifest) meet the window (the
    # centre of the extent, where the Hilbert quadrants meet, needs all four; a corner one)
    corner = (246000, 442900, 246100, 443000)
    assert len(store._parts("pand", corner).files) == 1 < len(store._parts("pand", None).files) == 4
    assert store.count("pand", bbox=corner) == GeoPackageStore(DEMO_PATH).count("pand", bbox=corner)
    # and the footers (row-group statistics) are read only for those parts, once
    fresh = open_store(demo_in_parquet)
    assert fresh.count("pand", bbox=corner) == store.count("pand", bbox=corner)
    groups = fresh._row_groups("pand")
    assert len(groups._boxes) == 1
    fresh.count("pand", bbox=store.bounds("pand"))
    assert [groups.names[p] for p in sorted(groups._boxes)] == [p.name for p in parts]


def test_geoparquet_write_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    ds = open_dataset(DEMO_PATH)
    write_dataset({"pand": ds.features("pand", bbox=BOX)}, path, meta={"titel": "x"})
    store = open_store(path)
    first = store.layer_path("pand")
    write_dataset({"perceel": ds.features("perceel", bbox=BOX)}, path, extend=True)
    store = open_store(path)
    assert store.layers() == ["pand", "perceel"] and store.layer_path("pand") == first
    assert store.meta() == {"titel": "x"} and store.count("pand") == 23
    # a writer killed before its manifest switch left a layer folder: the next writer removes it
    orphan = path / "pand-0badf00d"
    orphan.mkdir()
    (orphan / "part-00000.parquet").write_bytes(b"half")
    os.utime(orphan, (1, 1))
    write_dataset({"pand": ds.features("pand", bbox=BOX, limit=3)}, path, extend=True)
    store = open_store(path)
    assert store.count("pand") == 3 and not first.exists() and not orphan.exists()
    assert store.layer_path("perceel").exists()
    assert sorted(p.name for p in path.iterdir() if p.name.startswith(".")) == []
    with pytest.raises(DatasetError, match="not a GeoParquet dataset"):
        open_store(tmp_path / "leeg.parquet")


def test_postgis_append_and_replace(postgis_uri: str) -> None:
    uri = f"{postgis_uri}?schema=schrijven"
    ds = open_dataset(DEMO_PATH)
    pand = ds.features("pand", bbox=BOX)
    write_dataset({"pand": pand.iloc[:10]}, uri, meta={"titel": "t"})
    store = open_store(uri)
    before = store.fingerprint()
    store.write("pand", pand.iloc[10:], mode="append")
    assert store.count("pand") == 23 and store.fingerprint() != before
    assert list(store.features("pand")["identificatie"]) == list(pand["identificatie"])  # row order kept
    store.write("pand", pand.iloc[:2])
    assert store.count("pand") == 2 and store.meta() == {"titel": "t"}
    with pytest.raises(QueryError, match="predicate"):
        store.features("pand", bbox=BOX, predicate="near")


def test_postgis_stores_geometries_uncompressed(demo_in_postgis: str, postgis_uri: str) -> None:
    """Every layer's geometry column has external storage (TOAST without pglz): a report reads
    the large bestemmingen and percelen several times, decompressing them cost 15 % of its CPU."""
    import psycopg

    with psycopg.connect(postgis_uri) as con:
        storage = dict(con.execute(
            "SELECT c.relname, a.attstorage FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'demo' AND a.attname = 'geometry' "
            "AND c.relkind = 'r'").fetchall())
        compressed = con.execute("SELECT count(*) FROM demo.enkelbestemming "
                                 "WHERE pg_column_size(geometry) < octet_length(geometry::bytea)").fetchone()[0]
    assert "enkelbestemming" in storage and set(storage.values()) == {"e"}
    assert compressed == 0


def test_postgis_overlays_follow_a_schema_change(postgis_uri: str) -> None:
    """The overlay statements name the layer's columns; another process dropping one of them
    makes the store scan the tables again (once) instead of failing."""
    from omgevingskaart.store.base import OverlayAsk

    uri = f"{postgis_uri}?schema=kolommen"
    ds = open_dataset(DEMO_PATH)
    pand = ds.features("pand", bbox=BOX)
    write_dataset({"pand": pand}, uri, meta={"titel": "t"})
    store = open_store(uri)
    point = pand.geometry.iloc[0].representative_point()
    ask = OverlayAsk("pand", on="point")
    _row, (before,) = store.overlay_at(point, [ask], base=None)
    assert "bouwjaar" in before.records[0]
    import psycopg

    with psycopg.connect(postgis_uri, autocommit=True) as con:  # (an import always writes the schema's columns)
        con.execute("ALTER TABLE kolommen.pand DROP COLUMN bouwjaar")
    _row, (after,) = store.overlay_at(point, [ask], base=None)
    assert "bouwjaar" not in after.records[0]
    assert after.records[0]["identificatie"] == before.records[0]["identificatie"]
    many = store.overlay_many(["pand"], point.buffer(1))
    assert "bouwjaar" not in many["pand"].records[0]


def test_postgis_overlays_read_rows_past_100_columns(postgis_uri: str) -> None:
    """Records come back as JSON arrays; past 100 columns (a function's argument limit) as an
    array of arrays, typed back in the table's column order."""
    import psycopg

    from omgevingskaart.store.base import OverlayAsk

    uri = f"{postgis_uri}?schema=breed"
    pand = open_dataset(DEMO_PATH).features("pand", bbox=BOX)
    write_dataset({"pand": pand}, uri, meta={"titel": "t"})
    extra = [f"x{i:03d}" for i in range(120)]
    with psycopg.connect(postgis_uri, autocommit=True) as con:
        con.execute("ALTER TABLE breed.pand " + ", ".join(
            f"ADD COLUMN {c} " + ("double precision DEFAULT 16" if i % 2 else "text DEFAULT 'w" + str(i) + "'")
            for i, c in enumerate(extra)))
    store = open_store(uri)
    point = pand.geometry.iloc[0].representative_point()
    _row, (ov,) = store.overlay_at(point, [OverlayAsk("pand", on="point")], base=None)
    rec = ov.records[0]
    assert rec["identificatie"] == pand["identificatie"].iloc[0] and list(rec)[-120:] == extra
    assert rec["x001"] == 16.0 and isinstance(rec["x001"], float) and rec["x118"] == "w118"
    many = store.overlay_many(["pand"], point.buffer(1))["pand"].records[0]
    assert many == rec


def test_plan_records_are_looked_up_near_the_perceel_then_everywhere(gpkg: Store) -> None:
    """The report looks a plan's record up where its objects are (a window read) and only for
    an id found there in no plan layer in the whole layer: the same record either way."""
    from omgevingskaart.report import _plan_records

    recs, geoms = gpkg.rows("bestemmingsplangebied")
    pid = str(recs[-1]["plan_id"])
    inside = geoms[-1].representative_point()
    far = shapely.Point(100000, 400000)  # no plan there
    geen = "NL.IMRO.0294.geen"
    for near in (inside, far, None):
        fresh = open_store(gpkg.location) if not isinstance(gpkg, GeoPackageStore) else GeoPackageStore(
            DEMO_PATH, mode=gpkg.mode)
        got = _plan_records(fresh, ["bestemmingsplangebied"], [pid, geen], near)
        assert got == {"bestemmingsplangebied": {pid: recs[-1], geen: None}}, near
        assert ("report", "plan", "bestemmingsplangebied", geen) in fresh.cache  # a miss is kept too
    # an id found near the perceel in one plan layer is not looked for in the whole of the other
    layers = ["bestemmingsplangebied", "bestemmingsplangebied_voorontwerp"]
    fresh = open_store(gpkg.location) if not isinstance(gpkg, GeoPackageStore) else GeoPackageStore(
        DEMO_PATH, mode=gpkg.mode)
    asked: list[tuple[str, tuple[str, ...], bool]] = []
    rows = fresh.rows

    def spy(layer: str, **query: object) -> object:
        where = query.get("where")
        assert isinstance(where, dict)
        asked.append((layer, tuple(next(iter(where.values()))), "geometry" in query))
        return rows(layer, **query)
    fresh.rows = spy  # type: ignore[method-assign]
    got = _plan_records(fresh, layers, [pid, geen], inside)
    assert got["bestemmingsplangebied"][pid] == recs[-1] and got["bestemmingsplangebied_voorontwerp"][pid] is None
    everywhere = [(layer, ids) for layer, ids, near in asked if not near]
    assert everywhere and all(ids == (geen,) for _layer, ids in everywhere), asked


def test_rows_are_the_features_as_records(gpkg: Store) -> None:
    recs, geoms = gpkg.rows("pand", bbox=BOX, columns=["identificatie", "bouwjaar"])
    frame = gpkg.features("pand", bbox=BOX)
    assert [r["identificatie"] for r in recs] == list(frame["identificatie"])
    assert [r["bouwjaar"] for r in recs] == [None if v is pd.NA else int(v) for v in frame["bouwjaar"]]
    assert shapely.equals_exact(geoms, frame.geometry.to_numpy(), 1e-9).all()


def test_distinct_values(gpkg: Store) -> None:
    """``distinct``: sorted value combinations without geometry, nulls left out, ``where`` applied."""
    assert gpkg.distinct("perceel", ["kadastrale_gemeente_code"]) == [("WWK00",)]
    assert gpkg.distinct("verblijfsobject", ["huisnummer"], where={"openbare_ruimte": "Markt"}) == [
        (n,) for n in range(1, 31)]
    pairs = gpkg.distinct("verblijfsobject", ["openbare_ruimte", "huisnummer"])
    assert len(pairs) == 2839 and pairs == sorted(pairs) and len({n for n, _ in pairs}) == 36
    assert gpkg.distinct("perceel", ["sectie"], where={"sectie": []}) == []
    assert gpkg.rows("verblijfsobject", where={"openbare_ruimte": [None]})[0] == []
    with pytest.raises(QueryError):
        gpkg.distinct("perceel", ["geen_kolom"])
    with pytest.raises(QueryError):
        gpkg.distinct("perceel", ["geometry"])


def test_geoparquet_keeps_decoded_row_groups_within_a_budget(demo_in_parquet: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from omgevingskaart.store.geoparquet import DecodedRowGroups, KeptFooter

    store = open_store(demo_in_parquet)
    path, indexes = store._row_groups("pand").meeting(store.bounds("pand"))[0]
    one = DecodedRowGroups(1).get(path, indexes[0])
    footer = DecodedRowGroups(1).footer(path)
    kept_footer = KeptFooter(footer)
    assert kept_footer.nbytes == 1200 * footer.num_row_groups * footer.num_columns + footer.serialized_size
    # room for the part's footer and two row groups of 128 panden
    cache = DecodedRowGroups((kept_footer.nbytes + 2.5 * one.nbytes) / 1024 / 1024)
    tables = [cache.get(path, i) for i in indexes[:2]]
    assert [len(t) for t in tables] == [128, 128] and tables[0].table.equals(one.table)
    # the footer is used again by each row group decoded from its part
    assert list(cache._tables) == [(path, indexes[0]), (path, -1), (path, indexes[1])]
    tables += [cache.get(path, i) for i in indexes[2:4]]  # the oldest row groups go out
    assert list(cache._tables) == [(path, indexes[2]), (path, -1), (path, indexes[3])]
    assert cache.used == sum(e.nbytes for e in cache._tables.values()) <= cache.budget
    assert cache.get(path, indexes[3]) is tables[3]  # a hit is the same table
    assert DecodedRowGroups(0).get(path, indexes[0]).table.equals(one.table)  # 0: nothing kept
    assert DecodedRowGroups(0)._tables == {}
    monkeypatch.setenv("OMGEVINGSKAART_PARQUET_CACHE_MB", "veel")
    with pytest.raises(DatasetError, match="OMGEVINGSKAART_PARQUET_CACHE_MB must be a number"):
        DecodedRowGroups()
    # the same answers as the GeoPackage, whatever the budget
    monkeypatch.setenv("OMGEVINGSKAART_PARQUET_CACHE_MB", "0")
    assert open_store(demo_in_parquet).count("pand", bbox=BOX) == GeoPackageStore(DEMO_PATH).count("pand", bbox=BOX)


def test_geoparquet_warm_decodes_nothing_and_distinct_reads_every_part(demo_in_parquet: Path,
                                                                      tmp_path: Path) -> None:
    """``warm`` opens a GeoParquet layer without decoding a row group (a service worker keeps
    nothing it was not asked about), and ``distinct`` over the whole layer, streamed part by part
    (4 parts of verblijfsobject), gives what the file holds; a part that cannot be read is named."""
    store = open_store(demo_in_parquet)
    for name in store.layers():
        store.warm(name)
    decoded = store.cache.peek(("geoparquet", "decoded"))
    assert decoded is None or decoded.used == 0
    assert len(list(store.layer_path("verblijfsobject").glob("*.parquet"))) == 4
    want = GeoPackageStore(DEMO_PATH).distinct("verblijfsobject", ["openbare_ruimte", "huisnummer"])
    assert store.distinct("verblijfsobject", ["openbare_ruimte", "huisnummer"]) == want
    assert len(want) == 2839
    broken = tmp_path / "broken.parquet"
    shutil.copytree(demo_in_parquet, broken)
    part = sorted(open_store(broken).layer_path("verblijfsobject").glob("*.parquet"))[-1]
    part.write_bytes(part.read_bytes()[:-100])  # a truncated footer
    with pytest.raises(DatasetError, match=r"verblijfsobject.*cannot read"):
        open_store(broken).distinct("verblijfsobject", ["openbare_ruimte"])


def test_geoparquet_where_reads_only_the_row_groups_that_match(demo_in_parquet: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``where`` without a window reads the ``where`` columns of the row groups whose
    statistics allow a match, then whole only the row groups holding one: the same rows as the
    GeoPackage. A part that lacks a column (written by another tool) reads it as nulls."""
    import pyarrow.parquet as pq

    read: list[int] = []  # row groups read whole
    scanned: list[int] = []  # row groups whose where columns were read
    original = pq.ParquetFile.read_row_groups

    def spy(self: pq.ParquetFile, row_groups: list[int], *args: object, **kwargs: object) -> object:
        (read if kwargs.get("columns") is None else scanned).extend(row_groups)
        return original(self, row_groups, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", spy)
    store, gpkg = open_store(demo_in_parquet), GeoPackageStore(DEMO_PATH)
    parts = sorted(store.layer_path("verblijfsobject").glob("*.parquet"))
    assert sum(pq.ParquetFile(p).metadata.num_row_groups for p in parts) == 26  # of 128 rows
    # (where, rows, row groups scanned, read whole): 51 Markt addresses in 4 row groups of 26;
    # the statistics leave 12 row groups for a postcode, 16 without a null huisletter
    for where, rows, scan, groups in (({"openbare_ruimte": "Markt"}, 51, 25, 4),
                                      ({"openbare_ruimte": "Markt", "huisnummer": [12, 14]}, 3, 21, 1),
                                      ({"postcode": "7101AK"}, 39, 12, 4),
                                      ({"huisletter": [None], "huisnummer": 3}, 35, 16, 16),
                                      ({"identificatie": []}, 0, 0, 0)):
        read.clear()
        scanned.clear()
        got = [r["identificatie"] for r in store.rows("verblijfsobject", where=where)[0]]
        assert got == [r["identificatie"] for r in gpkg.rows("verblijfsobject", where=where)[0]], where
        assert (len(got), len(scanned), len(read)) == (rows, scan, groups), where
    # a part without the column huisletter: its rows have none
    copy = tmp_path / "copy.parquet"
    shutil.copytree(demo_in_parquet, copy)
    part = copy / parts[0].relative_to(demo_in_parquet)
    first = pq.read_table(part)
    pq.write_table(first.drop_columns(["huisletter"]), part, row_group_size=128)
    nulls = open_store(copy).rows("verblijfsobject", where={"huisletter": [None]}, columns=["identificatie"])[0]
    elsewhere = {r["identificatie"] for r in gpkg.rows("verblijfsobject", where={"huisletter": [None]})[0]}
    assert len(nulls) == len(first) + len(elsewhere - set(first.column("identificatie").to_pylist()))


def test_geoparquet_kept_row_groups_answer_as_the_file(demo_in_parquet: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from omgevingskaart.store.geoparquet import DecodedRowGroup, KeptFooter

    """A kept row group answers from the rows it converted before (block by block): the same
    rows, values and order as reading the file each time (cache off), and what it keeps counts
    against the budget."""
    monkeypatch.setattr("omgevingskaart.store.geoparquet.ROW_BLOCK", 32)  # 4 blocks per row group of 128
    monkeypatch.setenv("OMGEVINGSKAART_PARQUET_CACHE_MB", "0")
    off = open_store(demo_in_parquet)
    monkeypatch.setenv("OMGEVINGSKAART_PARQUET_CACHE_MB", "64")
    on = open_store(demo_in_parquet)
    whole = on.bounds("pand")
    assert whole is not None
    point = shapely.Point(246580, 443380)
    for _round in range(2):  # the first decodes, the second answers from what is kept
        for query in ({"bbox": BOX}, {"bbox": whole}, {"geometry": point}, {"geometry": point.buffer(40)},
                      {"geometry": shapely.box(*BOX), "predicate": "within"}):
            for columns in (None, ["bouwjaar", "identificatie"], []):
                recs, geoms = on.rows("pand", columns=columns, **query)
                want_recs, want_geoms = off.rows("pand", columns=columns, **query)
                assert recs == want_recs and bool(shapely.equals_exact(geoms, want_geoms).all()), (query, columns)
    assert len(on.rows("pand", bbox=whole)[0]) == 3628
    decoded = on.cache.peek(("geoparquet", "decoded"))
    groups = [g for g in decoded._tables.values() if isinstance(g, DecodedRowGroup)]
    footers = [f for f in decoded._tables.values() if isinstance(f, KeptFooter)]
    assert len(groups) == 29 and all(g.owner is not None for g in groups)  # 3,628 panden in groups of 128
    assert len(footers) == 4 and len(decoded._tables) == 33  # and the footers of its 4 parts
    assert decoded.used == sum(g.nbytes for g in [*groups, *footers]) > sum(g.table.nbytes for g in groups)
    # a small budget: what is decoded later pushes the oldest groups out, the answers stay the same
    small = open_store(demo_in_parquet)
    small.cache.get(("geoparquet", "decoded"), lambda: type(decoded)(3 * groups[0].nbytes / 1024 / 1024))
    for _round in range(2):
        recs, geoms = small.rows("pand", bbox=whole)
        want_recs, want_geoms = off.rows("pand", bbox=whole)
        assert recs == want_recs and bool(shapely.equals_exact(geoms, want_geoms).all())
    tight = small.cache.peek(("geoparquet", "decoded"))
    assert 0 < len(tight._tables) < 29 and tight.used <= tight.budget
    with pytest.raises(QueryError, match="unknown column"):
        on.rows("pand", bbox=BOX, columns=["geen_kolom"])
