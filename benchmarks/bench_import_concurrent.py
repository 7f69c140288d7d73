"""Measure: concurrent imports into one dataset lose nothing; killed imports leave nothing behind.

1. ``--runs`` rounds (default 10) of 3 concurrent ``omgevingskaart import`` processes into a fresh
   dataset, each with another real sample (BRK percelen, an IMRO plan, a BAG extract). A round
   counts as lossless when every process exits 0 and the dataset holds the layers of all three
   and all three files in its ``bron`` metadata. Printed: lossless rounds and the wall time of a
   round against one import alone (the price of waiting for the lock).
2. ``--kills`` rounds (default 15): an import of the BGT sample is killed with SIGKILL at a random
   moment between 40 % and 105 % of its duration alone; then one more import follows. Counted: temporary files left right after the
   kill, temporary files left after the next import (must be 0), and datasets that no longer open
   (must be 0).

Needs ``../shared/data/real``. Run: ``.venv/bin/python benchmarks/bench_import_concurrent.py``
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
SAMPLES = [
    ("brk/kadastralekaart_perceel.gml", {"perceel"}),
    ("imro/NL.IMRO.0664.BPBS03-ON99.gml", {"enkelbestemming", "bouwvlak"}),
    ("bag/lv-small", {"pand", "verblijfsobject"}),
]


def _import(paths: list[Path], into: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "omgevingskaart", "import", *map(str, paths), "--into",
                             str(into), "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".tmp" in p.name]


def concurrent_rounds(runs: int, tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from omgevingskaart.dataset import open_dataset

    t = time.perf_counter()
    proc = _import([REAL / SAMPLES[0][0]], tmp / "alleen.gpkg")
    proc.communicate()
    alone = time.perf_counter() - t
    lossless, walls = 0, []
    for i in range(runs):
        into = tmp / f"ronde{i}.gpkg"
        t = time.perf_counter()
        procs = [_import([REAL / s], into) for s, _ in SAMPLES]
        codes = [p.wait() for p in procs]
        walls.append(time.perf_counter() - t)
        ds = open_dataset(into)
        ok = codes == [0, 0, 0] and all(layers <= set(ds.layers) for _, layers in SAMPLES) and all(
            f"{Path(s).name} (" in ds.meta.get("bron", "") for s, _ in SAMPLES)
        lossless += ok
        if not ok:
            print(f"  round {i}: exit codes {codes}, layers {ds.layers}, bron {ds.meta.get('bron')!r}")
    print(f"concurrent imports: {lossless} of {runs} rounds of 3 concurrent imports lost nothing; "
          f"a round took {sum(walls) / len(walls):.2f} s on average, one import alone {alone:.2f} s")


def kill_rounds(kills: int, tmp: Path, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    from omgevingskaart.dataset import open_dataset

    rng = random.Random(seed)
    t = time.perf_counter()
    _import([REAL / "bgt" / "otterlo.zip"], tmp / "bgt-alleen.gpkg").wait()
    full = time.perf_counter() - t
    left_after_kill = left_after_next = broken = 0
    for i in range(kills):
        folder = tmp / f"kill{i}"
        folder.mkdir()
        into = folder / "ds.gpkg"
        _import([REAL / SAMPLES[0][0]], into).wait()
        proc = _import([REAL / "bgt" / "otterlo.zip"], into)
        time.sleep(rng.uniform(0.4 * full, 1.05 * full))  # mostly in the reading, some in the writing
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left_after_kill += bool(_temps(folder))
        _import([REAL / SAMPLES[1][0]], into).wait()
        left_after_next += len(_temps(folder))
        try:
            open_dataset(into)["perceel"]
        except Exception:
            broken += 1
    print(f"kill -9: {kills} imports (alone {full:.1f} s) killed at a random moment; "
          f"{left_after_kill} left temporary files; "
          f"after the next import {left_after_next} temporary files remain; {broken} datasets broken")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--kills", type=int, default=15)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not REAL.is_dir():
        print(f"real sample data not found at {REAL}")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench_import_concurrent."))
    concurrent_rounds(a.runs, tmp)
    kill_rounds(a.kills, tmp, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
