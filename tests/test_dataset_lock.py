"""Concurrent writers, killed writers and a full disk: a dataset never loses data (issue 13).

Real ``omgevingskaart import`` processes on real sample files: several at once into one dataset
(the dataset lock serialises their read-modify-write), one killed with SIGKILL while writing (its
temporary file is removed by the next writer), one on a full file system (a small tmpfs: a clear
"schijf vol" message, exit 2, the old dataset unchanged).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from omgevingskaart._files import remove_orphan_temp_files
from omgevingskaart._lock import dataset_lock, lock_path
from omgevingskaart.dataset import open_dataset

ROOT = Path(__file__).resolve().parents[1]

#: (sample, layers it must add, the name it gives in ``bron``)
SAMPLES = [
    ("brk/kadastralekaart_perceel.gml", {"perceel"}),
    ("imro/NL.IMRO.0664.BPBS03-ON99.gml", {"enkelbestemming", "bouwvlak", "maatvoering"}),
    ("bag/lv-small", {"pand", "verblijfsobject", "ligplaats"}),
    ("tpod/1_Amersfoort.zip", {"omgevingsnorm", "regeltekst"}),
]


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("OMGEVINGSKAART_DEBUG", None)
    return env


def _import(paths: list[Path], into: Path, **env: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "omgevingskaart", "import", *map(str, paths), "--into", str(into), "-q"]
    return subprocess.Popen(cmd, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_concurrent_imports_into_one_dataset_lose_nothing(real_data: Path, tmp_path: Path) -> None:
    into = tmp_path / "samen.gpkg"
    procs = [_import([real_data / sample], into) for sample, _ in SAMPLES]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    ds = open_dataset(into)
    for sample, layers in SAMPLES:
        assert layers <= set(ds.layers), (sample, ds.layers)
        assert f"{Path(sample).name} (" in ds.meta["bron"], ds.meta["bron"]
    assert ds.meta["bron"].count(";") == len(SAMPLES) - 1
    assert len(ds["perceel"]) == 11
    assert len(ds["bouwvlak"]) == 9
    assert _temp_files(tmp_path) == []


def test_a_second_writer_gives_up_after_the_timeout_with_a_clear_message(
    real_data: Path, tmp_path: Path
) -> None:
    into = tmp_path / "bezet.gpkg"
    first = _import([real_data / SAMPLES[0][0]], into)
    assert first.communicate(timeout=300)[1] == "" and first.returncode == 0
    before = _digest(into)
    with dataset_lock(into):  # this test process is the writer that holds the lock
        proc = _import([real_data / SAMPLES[1][0]], into, OMGEVINGSKAART_LOCK_TIMEOUT="0.5")
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    assert "bezet.gpkg" in err and "another process is writing this dataset" in err
    assert f"(process {os.getpid()})" in err and "unchanged" in err
    assert "Traceback" not in err
    assert _digest(into) == before
    with dataset_lock(into):  # the same with --wait 0: no waiting at all
        cmd = [sys.executable, "-m", "omgevingskaart", "import", str(real_data / SAMPLES[1][0]), "--into",
               str(into), "-q", "--wait", "0"]
        res = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "waited 0 s" in res.stderr, res.stderr
    assert _digest(into) == before


def test_a_writer_killed_mid_write_leaves_a_temp_file_the_next_writer_removes(
    real_data: Path, tmp_path: Path
) -> None:
    into = tmp_path / "gekild.gpkg"
    first = _import([real_data / SAMPLES[0][0]], into)
    assert first.communicate(timeout=300)[1] == "" and first.returncode == 0
    before = _digest(into)
    bgt = real_data / "bgt" / "otterlo.zip"
    killed = False
    for _ in range(5):  # the write takes a fraction of a second: poll for its temp file, then kill
        proc = _import([bgt], into)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(name.endswith(".tmp.gpkg") for name in _temp_files(tmp_path)):
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        proc.communicate(timeout=60)
        if killed:
            break
    if not killed:
        pytest.skip("the import finished before its temporary file could be seen 5 times")
    orphans = _temp_files(tmp_path)
    assert orphans and all(f".gekild.gpkg.{proc.pid}." in n for n in orphans), orphans
    assert _digest(into) == before  # the dataset itself is untouched
    assert len(open_dataset(into)["perceel"]) == 11
    # the next writer, holding the lock, removes the dead writer's files and completes
    nxt = _import([real_data / SAMPLES[1][0]], into)
    assert nxt.communicate(timeout=300)[1] == "" and nxt.returncode == 0
    assert _temp_files(tmp_path) == []
    ds = open_dataset(into)
    assert {"perceel", "enkelbestemming"} <= set(ds.layers)


def test_orphan_rule_keeps_files_of_live_writers(tmp_path: Path) -> None:
    target = tmp_path / "ds.gpkg"
    live = tmp_path / f".ds.gpkg.{os.getpid()}.abc.tmp.gpkg"
    parent = tmp_path / f".ds.gpkg.{os.getppid()}.abc.tmp.gpkg"
    legacy = tmp_path / ".ds.gpkg.k3x9q2.tmp.gpkg"
    journal = tmp_path / ".ds.gpkg.999999999.zz.tmp.gpkg-journal"
    other = tmp_path / ".ander.gpkg.999999999.zz.tmp.gpkg"
    for p in (live, parent, legacy, journal, other):
        p.write_bytes(b"x")
    os.utime(legacy, (time.time() - 10, time.time() - 10))
    removed = remove_orphan_temp_files(target, ".tmp.gpkg", older_than=time.time())
    assert sorted(p.name for p in removed) == sorted([legacy.name, journal.name])
    assert live.exists() and parent.exists() and other.exists()


def test_lock_file_sits_beside_the_dataset(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "ds.gpkg"
    assert lock_path(target) == tmp_path / "sub" / ".ds.gpkg.lock"
    with dataset_lock(target, timeout=0):
        assert lock_path(target).read_text() == str(os.getpid())


@pytest.fixture
def small_tmpfs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 600 KiB tmpfs (root only; skipped elsewhere)."""
    mnt = tmp_path / "klein"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_is_a_clear_error_and_the_dataset_stays(
    real_data: Path, small_tmpfs: Path
) -> None:
    into = small_tmpfs / "vol.gpkg"
    first = _import([real_data / SAMPLES[0][0]], into)
    assert first.communicate(timeout=300)[1] == "" and first.returncode == 0
    before = _digest(into)
    proc = _import([real_data / "bgt" / "otterlo.zip"], into)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    assert "vol.gpkg" in err and "schijf vol / no space left on device" in err
    assert "unchanged" in err and "Traceback" not in err
    assert _digest(into) == before
    assert _temp_files(small_tmpfs) == []
