"""The Dask batch job on the demo, as GeoParquet in 4 perceel parts, on a LocalCluster of one
worker (threads, to keep the shared machine's CPU low): every perceel gets a row; the numbers
follow the bruidsschat formula; unknowns say why; the layer opens on the map like any other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

pytest.importorskip("dask_geopandas", reason="the batch job needs the 'scale' extra (dask-geopandas)")

from omgevingskaart.batch import LAYER, run_batch, summary
from omgevingskaart.dataset import DEMO_PATH, open_dataset
from omgevingskaart.permit.rules import max_oppervlakte_m2
from omgevingskaart.store.geoparquet import GeoParquetStore


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    ds = open_dataset(DEMO_PATH)
    store = GeoParquetStore(tmp_path_factory.mktemp("batch") / "demo.parquet", create=True)
    store.write_many({n: ds[n] for n in ds.layers}, ds.meta, rows_per_part=1000)
    return store.path, run_batch(store.path, workers=1, processes=False)


@pytest.mark.slow
def test_every_perceel_gets_a_row(result: tuple[Path, object]) -> None:
    path, res = result
    assert res.percelen == 3230 and res.parts == 4 and res.cores == 1
    assert res.berekend == 2823  # the rest: 273 without a 3D BAG pand, 134 with only a neighbour's edge
    out = open_dataset(path)[LAYER]
    assert len(out) == 3230 and out.crs.to_epsg() == 28992
    assert list(out["identificatie"]) == list(open_dataset(path)["perceel"]["identificatie"])
    assert out["reden"].value_counts().to_dict() == {
        "geen pand met bekende hoogte (3D BAG) op het perceel": 273,
        "geen hoofdgebouw op het perceel (alleen randen van panden van buren)": 134,
    }
    lines = summary(res)
    assert lines[0] == "percelen: 3230 (2823 berekend, 407 onbekend) in 4 delen"
    assert lines[2].startswith("Nederland (~9 miljoen percelen) op 2 kernen")


@pytest.mark.slow
def test_numbers_follow_the_rules(result: tuple[Path, object]) -> None:
    path, _ = result
    out = open_dataset(path)[LAYER]
    done = out[out["status"] == "berekend"]
    want = np.array([max_oppervlakte_m2(b) for b in done["bebouwingsgebied_m2"]])
    assert np.allclose(done["max_bijbehorend_m2"], want, atol=0.01)
    assert np.allclose(done["vrij_bijbehorend_m2"],
                       np.maximum(0, done["max_bijbehorend_m2"] - done["bestaand_bijbehorend_m2"]), atol=0.011)
    known = done[done["max_bouwhoogte_m"].notna()]
    assert len(known) == 2820
    assert np.allclose(known["hoogteruimte_m"], known["max_bouwhoogte_m"] - known["hoogte_hoofdgebouw_m"],
                       atol=0.011)
    percelen = open_dataset(path)["perceel"].set_index("identificatie").geometry
    inside = [g.is_empty or percelen[i].buffer(0.01).covers(g)
              for i, g in zip(done["identificatie"], done.geometry, strict=True)]
    assert all(inside)  # the free area lies on the perceel (empty: no achtererfgebied left)
    assert (out["monument"] != "geen").sum() == 41  # every demo monument on exactly one perceel
    assert out["beschermd_gezicht"].isna().all()  # the demo has no beschermd_gezicht layer: unknown
    unknown = out[out["status"] == "onbekend"]
    assert unknown["vrij_bijbehorend_m2"].isna().all() and unknown["hoofdgebouw"].isna().all()


@pytest.mark.slow
def test_layer_reads_by_window_and_shows_in_the_catalogue(result: tuple[Path, object]) -> None:
    path, _ = result
    ds = open_dataset(path)
    assert LAYER in ds.layers and "vergunningvrije_ruimte" in [s.id for s in ds.catalogue]
    sel = ds.features(LAYER, geometry=shapely.Point(246564, 443350))
    assert len(sel) <= 1
    assert ds.store.bounds(LAYER) is not None


def test_batch_refuses_a_dataset_without_percelen(tmp_path: Path) -> None:
    from omgevingskaart.errors import DatasetError

    ds = open_dataset(DEMO_PATH)
    store = GeoParquetStore(tmp_path / "x.parquet", create=True)
    store.write_many({"pand": ds.features("pand", limit=5)})
    with pytest.raises(DatasetError, match="no layer 'perceel'"):
        run_batch(store.path)


@pytest.mark.slow
def test_cli_runs_on_a_local_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from omgevingskaart.cli import main

    ds = open_dataset(DEMO_PATH)
    box = (246514, 443300, 246614, 443400)
    layers = {n: ds.features(n, bbox=box) for n in ("perceel", "pand", "bgt_wegdeel", "maatvoering", "monument")}
    store = GeoParquetStore(tmp_path / "klein.parquet", create=True)
    store.write_many(layers, {"titel": "klein"})
    capsys.readouterr()
    assert main(["batch", str(store.path), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("percelen: 29 (23 berekend, 6 onbekend) in 1 delen")
    assert "percelen/s per kern" in out and "op 64 kernen" in out
    assert main(["batch", str(tmp_path / "nope.parquet")]) == 2
