"""Incremental import into PostGIS and GeoParquet: only the imported layers are written, merged with
the stored rows exactly as the GeoPackage path merges them (``upsert_many``), never reading an old
layer whole; a failing import leaves the dataset as it was.

The same sequence of real sample files (BAG, then BRK, then two overlapping IMRO plans, then the BRK
again) goes into a GeoPackage (the reference), a PostGIS schema on a real server and a GeoParquet
folder; after each step the counts are exact and every layer equals the GeoPackage's, row for row.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pandas as pd
import pytest
import shapely

from omgevingskaart.cli.import_ import import_paths
from omgevingskaart.dataset import open_dataset
from omgevingskaart.errors import OmgevingskaartError
from omgevingskaart.store.geoparquet import MANIFEST, GeoParquetStore
from omgevingskaart.store.postgis import PostGISStore

BAG = {"pand": 2, "verblijfsobject": 2, "openbare_ruimte": 198, "woonplaats": 1, "ligplaats": 2,
       "standplaats": 2}
PLAN_03 = {"bestemmingsplangebied": 1, "enkelbestemming": 13, "dubbelbestemming": 1, "bouwvlak": 9,
           "functieaanduiding": 9, "bouwaanduiding": 0, "maatvoering": 14, "gebiedsaanduiding": 0,
           "figuur": 0}
# the vastgesteld plan next to it: other objects, so its rows come after the first plan's
PLAN_03_02 = {"bestemmingsplangebied": 2, "enkelbestemming": 24, "dubbelbestemming": 5, "bouwvlak": 34,
              "functieaanduiding": 20, "bouwaanduiding": 3, "maatvoering": 53, "gebiedsaanduiding": 0,
              "figuur": 0}


@pytest.fixture
def files(real_data: Path) -> dict[str, Path]:
    return {"bag": real_data / "bag" / "lv-small", "brk": real_data / "brk" / "kadastralekaart_perceel.gml",
            "plan03": real_data / "imro" / "NL.IMRO.0664.BPBS03-ON99.gml",
            "plan02": real_data / "imro" / "NL.IMRO.0664.BPBS02-VG99_stationspleinzuidoost.gml"}


@pytest.fixture(params=["postgis", "geoparquet"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "postgis":
        return f"{request.getfixturevalue('postgis_uri')}?schema=incr_{secrets.token_hex(4)}"
    return tmp_path / "ds.parquet"


def single(geometry: object) -> str | None:
    """WKB hex of a geometry, a one-part multi-geometry as its part (a GeoPackage layer of mixed
    polygons and multipolygons stores them all as multipolygons)."""
    if geometry is None:
        return None
    if shapely.get_type_id(geometry) in (4, 5, 6) and shapely.get_num_geometries(geometry) == 1:
        geometry = shapely.get_geometry(geometry, 0)
    return str(shapely.to_wkb(geometry, hex=True))


def frames(into: str | Path) -> dict[str, list[dict[str, object]]]:
    """Every layer in row order: attributes and geometry as WKB hex (comparable across stores)."""
    ds = open_dataset(into)
    out = {}
    for name in ds.layers:
        frame = ds.features(name)
        df = pd.DataFrame(frame.drop(columns="geometry")).reset_index(drop=True)
        df["wkb"] = [single(g) for g in frame.geometry.to_numpy()]
        out[name] = df.astype(object).where(df.notna(), None).to_dict("records")
    return out


def counts(into: str | Path) -> dict[str, int]:
    ds = open_dataset(into)
    return {name: ds.store.count(name) for name in ds.layers}


def folder_digests(path: Path) -> dict[str, str]:
    """sha256 of every file under a GeoParquet folder, by relative path."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def layer_files(into: Path, layer: str) -> dict[str, str]:
    store = GeoParquetStore(into)
    folder = store.layer_path(layer)
    return {str(p.relative_to(into)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def no_whole_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import must not read a stored layer through the store's query path (whole or not)."""

    def refuse(self, layer, query):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{layer} read through select during an import")

    for cls in (PostGISStore, GeoParquetStore):
        monkeypatch.setattr(cls, "select", refuse)
        monkeypatch.setattr(cls, "select_rows", refuse)


def test_bag_then_brk_then_imro_writes_only_their_layers(
    files: dict[str, Path], target: str | Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = tmp_path / "referentie.gpkg"
    parquet = isinstance(target, Path)

    def step(name: str) -> dict[str, int]:
        expected = import_paths([files[name]], reference)
        with monkeypatch.context() as m:
            no_whole_reads(m)
            got = import_paths([files[name]], target)
        assert got == expected
        assert frames(target) == frames(reference)
        return got

    assert step("bag") == BAG
    bag_files = {n: layer_files(target, n) for n in BAG} if parquet else {}
    bag_frames = {n: f for n, f in frames(target).items() if n in BAG}

    assert step("brk") == {"perceel": 11}
    assert counts(target) == {**BAG, "perceel": 11}
    assert {n: f for n, f in frames(target).items() if n in BAG} == bag_frames
    if parquet:
        assert {n: layer_files(target, n) for n in BAG} == bag_files  # byte for byte, same folders

    assert step("plan03") == PLAN_03
    brk_frame = frames(target)["perceel"]
    first_plan = frames(target)["maatvoering"]
    assert step("plan02") == PLAN_03_02
    assert counts(target) == {**BAG, "perceel": 11, **PLAN_03_02}
    after = frames(target)
    assert after["perceel"] == brk_frame
    assert after["maatvoering"][:14] == first_plan  # the stored rows first, as they were
    if parquet:
        assert {n: layer_files(target, n) for n in BAG} == bag_files
        # the second plan delivered no object of the first: its parts are carried over as they
        # were (hard links), the new rows are parts of their own
        store = GeoParquetStore(target)
        folder = store.layer_path("bouwvlak")
        assert sorted(p.name for p in folder.iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
        assert (folder / "part-00000.parquet").stat().st_nlink == 1  # the old folder is gone

    # the BRK again: the same 11 percelen replace theirs; nothing else is touched
    before = frames(target)
    assert step("brk") == {"perceel": 11}
    again = frames(target)
    assert again["perceel"] == before["perceel"]
    assert {n: f for n, f in again.items() if n != "perceel"} == {n: f for n, f in before.items() if n != "perceel"}
    ds = open_dataset(target)
    assert ds.meta["synthetisch"] == "nee" and ds.meta["bron"].count(files["brk"].name) == 2
    fourth = before["perceel"][3]
    row = ds.get_by("perceel", "identificatie", [fourth["identificatie"]])
    assert len(row) == 1 and row.iloc[0]["kadastrale_aanduiding"] == fourth["kadastrale_aanduiding"]
    if parquet:
        assert {n: layer_files(target, n) for n in BAG} == bag_files
        assert (GeoParquetStore(target).layer_path("perceel") / "part-00000.parquet").exists() is False


def snapshot(target: str | Path) -> object:
    """What must not change when an import fails: the stored bytes (GeoParquet) or the version and
    every row (PostGIS)."""
    if isinstance(target, Path):
        return folder_digests(target)
    return open_dataset(target).store.fingerprint(), frames(target)


def test_a_failing_import_leaves_the_dataset_as_it_was(
    files: dict[str, Path], target: str | Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_paths([files["bag"], files["brk"], files["plan03"]], target)
    before = snapshot(target)

    # a truncated file: nothing is written
    broken = tmp_path / "afgebroken.gml"
    data = files["plan02"].read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    with pytest.raises(OmgevingskaartError, match=r"afgebroken\.gml"):
        import_paths([files["plan02"], broken], target)
    assert snapshot(target) == before

    # a failure while writing, after the first layers are written (a full disk)
    written: list[str] = []
    if isinstance(target, Path):
        from omgevingskaart.store import geoparquet

        real = geoparquet.write_layer_parts

        def write_then_fail(frame, root, name, **kw):  # type: ignore[no-untyped-def]
            written.append(name)
            if len(written) == 3:
                raise OSError(28, "No space left on device")
            return real(frame, root, name, **kw)

        monkeypatch.setattr(geoparquet, "write_layer_parts", write_then_fail)
    else:
        real_copy = PostGISStore._copy_rows

        def copy_then_fail(self, con, table, frame, first_fid):  # type: ignore[no-untyped-def]
            written.append(table)
            if len(written) == 3:
                raise OSError(28, "No space left on device")
            real_copy(self, con, table, frame, first_fid)

        monkeypatch.setattr(PostGISStore, "_copy_rows", copy_then_fail)
    with pytest.raises((OSError, OmgevingskaartError), match=r"(?i)no space left"):  # DiskFullError for files
        import_paths([files["plan02"], files["brk"]], target)
    assert len(written) == 3
    monkeypatch.undo()
    assert snapshot(target) == before
    if isinstance(target, Path):  # no folder of the failed import is left behind
        layers = GeoParquetStore(target)._layers_info
        assert sorted(p.name for p in target.iterdir()) == sorted(
            [MANIFEST, *(e["folder"] for e in layers.values())])


def test_a_part_holding_objects_delivered_again_is_rewritten_without_them(
    files: dict[str, Path], target: str | Path, tmp_path: Path,
) -> None:
    """Both plans in one import share parts; the second plan again replaces its objects only."""
    reference = tmp_path / "referentie.gpkg"
    for into in (reference, target):
        import_paths([files["plan03"], files["plan02"]], into)
        assert import_paths([files["plan02"]], into)["maatvoering"] == 53
    assert frames(target) == frames(reference)
    assert counts(target) == PLAN_03_02
    if isinstance(target, Path):  # part 0 (both plans) rewritten with the first plan's rows only
        folder = GeoParquetStore(target).layer_path("maatvoering")
        assert sorted(p.name for p in folder.iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
        import pyarrow.parquet as pq

        assert pq.read_metadata(folder / "part-00000.parquet").num_rows == 14
        # its bounds in the manifest (what window reads prune parts by) are those of its rows
        import geopandas as gpd

        kept = gpd.read_parquet(folder / "part-00000.parquet")
        bounds = GeoParquetStore(target)._layers_info["maatvoering"]["part_bounds"]["part-00000.parquet"]
        assert bounds == pytest.approx(list(kept.total_bounds))
        store = GeoParquetStore(target)
        every = store.features("maatvoering").geometry.to_numpy()
        inside = int(shapely.intersects(every, shapely.box(*bounds)).sum())
        assert inside >= 14 and len(store.features("maatvoering", bbox=tuple(bounds))) == inside
