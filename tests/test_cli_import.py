"""``omgevingskaart import``: real sample files in, a dataset out that opens like the demo; atomic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import omgevingskaart.cli as cli
from omgevingskaart.dataset import open_dataset
from omgevingskaart.errors import DiskFullError
from omgevingskaart.schema import SCHEMAS, kind_of
from omgevingskaart.store import geopackage as gpkg_store


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(cli, "COMMANDS", ["import_"])  # only this command's parser
    return cli.main(argv)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary files left beside a dataset (its lock file ``.NAME.lock`` stays by design)."""
    return sorted(p.name for p in folder.iterdir()
                  if (p.name.startswith(".") or "tmp" in p.name) and not p.name.endswith(".lock"))


@pytest.fixture
def brk(real_data: Path) -> Path:
    return real_data / "brk" / "kadastralekaart_perceel.gml"


@pytest.fixture
def imro(real_data: Path) -> Path:
    return real_data / "imro" / "NL.IMRO.0664.BPBS03-ON99.gml"


def test_import_builds_a_dataset_that_opens_like_the_demo(
    brk: Path, imro: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), str(imro), "--into", str(out), "--title", "Proef"],
               monkeypatch) == 0
    ds = open_dataset(out)
    assert "perceel" in ds.layers and "enkelbestemming" in ds.layers
    assert len(ds["perceel"]) == 11
    assert len(ds["bouwvlak"]) == 9
    for name in ds.layers:
        schema = SCHEMAS[kind_of(name)]
        assert list(ds[name].columns[: len(schema.columns)]) == list(schema.columns)
        assert ds[name].crs.to_epsg() == 28992
    meta = ds.meta
    assert meta["titel"] == "Proef"
    assert meta["synthetisch"] == "nee"
    assert brk.name in meta["bron"] and imro.name in meta["bron"]
    assert meta["geimporteerd"].endswith("+00:00")
    printed = capsys.readouterr().out
    assert "perceel: 11" in printed


def test_import_extends_and_deduplicates_on_identificatie(
    brk: Path, imro: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), "--into", str(out), "-q"], monkeypatch) == 0
    assert run(["import", str(imro), "--into", str(out), "-q"], monkeypatch) == 0
    ds = open_dataset(out)
    assert len(ds["perceel"]) == 11  # kept: not part of the second import
    n_mv = len(ds["maatvoering"])
    # the same files again (twice in one call, and into the existing layers): no duplicates
    assert run(["import", str(brk), str(brk), str(imro), "--into", str(out), "-q"],
               monkeypatch) == 0
    ds = open_dataset(out)
    assert len(ds["perceel"]) == 11
    assert ds["perceel"]["identificatie"].is_unique
    assert len(ds["maatvoering"]) == n_mv
    assert ds.meta["titel"]  # default title kept
    assert ds.meta["bron"].count(brk.name) >= 2


def test_replace_starts_from_an_empty_dataset(
    brk: Path, imro: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), "--into", str(out), "-q"], monkeypatch) == 0
    assert run(["import", str(imro), "--into", str(out), "--replace", "-q"], monkeypatch) == 0
    assert "perceel" not in open_dataset(out).layers


def test_a_bad_input_after_a_good_one_leaves_the_dataset_intact(
    brk: Path, imro: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), "--into", str(out), "-q"], monkeypatch) == 0
    before = digest(out)
    broken = tmp_path / "afgebroken.gml"
    data = imro.read_bytes()
    broken.write_bytes(data[: len(data) // 3])  # a truncated download
    code = run(["import", str(imro), str(broken), "--into", str(out), "-q"], monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert "afgebroken.gml" in err and "Traceback" not in err
    assert digest(out) == before
    assert leftovers(tmp_path) == []


def test_an_unreadable_input_exits_2_naming_the_file(
    brk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), "--into", str(out), "-q"], monkeypatch) == 0
    before = digest(out)
    junk = tmp_path / "notities.txt"
    junk.write_text("geen register\n")
    missing = tmp_path / "bestaat-niet.gml"
    for bad in (junk, missing):
        assert run(["import", str(bad), "--into", str(out), "-q"], monkeypatch) == 2
        assert bad.name in capsys.readouterr().err
    assert digest(out) == before


@pytest.mark.parametrize("step", ["write_layer", "_move_one"])
def test_a_write_failing_midway_leaves_the_previous_file_and_no_temp_files(
    brk: Path, imro: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """A failure after two layers, while writing the temporary GeoPackage (``write_layer``) or
    while moving its layers into the dataset in one SQLite transaction (``_move_one``): the
    dataset stays byte for byte as it was and no temporary file is left."""
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), "--into", str(out), "-q"], monkeypatch) == 0
    before = digest(out)
    real = getattr(gpkg_store, step)
    done: list[object] = []

    def then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        done.append(args[-1])
        if len(done) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(gpkg_store, step, then_fail)
    from omgevingskaart.cli.import_ import import_paths

    with pytest.raises(DiskFullError, match=r"no space left on device.*unchanged"):
        import_paths([imro], out)
    assert len(done) == 2  # part of the new layers had been written
    assert digest(out) == before
    assert leftovers(tmp_path) == []
    ds = open_dataset(out)
    assert ds.layers == ["perceel"] and len(ds["perceel"]) == 11


def test_import_into_postgis_extends_and_rolls_back_a_failed_import(
    brk: Path, imro: Path, postgis_uri: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--into postgresql://...``: the same layers and counts as into a GeoPackage; a second
    import extends; an import failing after its first layer changes nothing (one transaction)."""
    from omgevingskaart.store.postgis import PostGISStore

    uri = postgis_uri.replace("ok@", "ok:geheim@") + "?schema=proef"  # trust auth ignores it
    assert run(["import", str(brk), "--into", uri, "--title", "Proef"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "perceel: 11" in out and "geheim" not in out and "schema=proef" in out
    assert run(["import", str(imro), "--into", uri, "-q"], monkeypatch) == 0
    ds = open_dataset(uri)
    assert len(ds["perceel"]) == 11 and len(ds["bouwvlak"]) == 9
    assert ds.meta["titel"] == "Proef" and brk.name in ds.meta["bron"] and imro.name in ds.meta["bron"]
    before = {name: ds.store.count(name) for name in ds.layers}
    fingerprint = ds.store.fingerprint()

    real = PostGISStore._load_table
    loaded: list[str] = []

    def load_then_fail(self, con, name, frame, token):  # type: ignore[no-untyped-def]
        real(self, con, name, frame, token)
        loaded.append(name)
        if len(loaded) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(PostGISStore, "_load_table", load_then_fail)
    from omgevingskaart.cli.import_ import import_paths

    with pytest.raises(OSError, match="No space left"):
        import_paths([brk, imro], uri, replace=True)
    assert len(loaded) == 2
    monkeypatch.undo()
    after = open_dataset(uri)
    assert {name: after.store.count(name) for name in after.layers} == before
    assert after.store.fingerprint() == fingerprint


def test_reimport_streams_the_old_layer_and_replaces_delivered_objects(
    brk: Path, imro: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing into an existing GeoPackage never reads an old layer whole: its rows stream in
    batches (here of 4) and objects delivered again replace theirs; other layers stay as written."""
    out = tmp_path / "ds.gpkg"
    assert run(["import", str(brk), str(imro), "--into", str(out), "-q"], monkeypatch) == 0
    before = open_dataset(out)
    bouwvlak = before["bouwvlak"]

    def no_whole_reads(self, layer):  # type: ignore[no-untyped-def]
        raise AssertionError(f"layer {layer} read whole")

    real_batches = gpkg_store.GeoPackageStore.batches
    sizes: list[int] = []

    def small_batches(self, layer, batch_size=65536):  # type: ignore[no-untyped-def]
        for b in real_batches(self, layer, 4):
            sizes.append(len(b))
            yield b

    monkeypatch.setattr(gpkg_store.GeoPackageStore, "layer_frame", no_whole_reads)
    monkeypatch.setattr(gpkg_store.GeoPackageStore, "batches", small_batches)
    from omgevingskaart.cli.import_ import import_paths

    counts = import_paths([brk], out)
    assert counts == {"perceel": 11} and sizes == [4, 4, 3]
    monkeypatch.undo()
    after = open_dataset(out)
    assert len(after["perceel"]) == 11 and after["perceel"]["identificatie"].is_unique
    assert after["bouwvlak"].equals(bouwvlak)
    assert sorted(after["perceel"]["identificatie"]) == sorted(before["perceel"]["identificatie"])
