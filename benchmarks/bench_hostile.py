"""The hostile-input campaign of issue 13 (readers): outcome and peak memory per input.

Run alone: ``.venv/bin/python benchmarks/bench_hostile.py [MUTATIONS_PER_READER]`` (about a
minute with the default 500 mutations per reader; the inputs are generated into a temporary
folder from ``../shared/data/real``, see ``tests/hostile.py``).

Three tables:

1. the hostile archives and files (decompression bombs of 2-3 MB that expand to 2-3 GiB,
   element floods, huge circles, the DOCTYPE bypass, truncation, impossible coordinates), each
   read in a child process with its address space limited to 1.5 GB: the typed error it gave,
   the child's peak RSS (``VmHWM``; the bound is 500 MB) and CPU time. The baseline row reads the real
   BAG sample the same way (the memory of the imports alone);
2. the malformed CityJSON inputs: typed errors / inputs;
3. the mutation campaign: N mutated real samples per reader (bit flips, truncations, inserted
   snippets and elements, numbers replaced by NaN/1e308/-1/..., a fixed seed), read in this
   process: inputs tried, results, typed errors, untyped errors (must be 0).
"""

from __future__ import annotations

import collections
import importlib
import random
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import hostile  # noqa: E402

from omgevingskaart.errors import OmgevingskaartError  # noqa: E402

MAX_RSS_MB = 500


def archives(tmp: Path) -> int:
    print("1. hostile archives and files (child process, RLIMIT_AS 1.5 GB)")
    print(f"{'input':47s} {'on disk':>9s} {'outcome':20s} {'peak RSS':>9s} {'CPU s':>6s}")
    base = hostile.run_isolated("bag", hostile.BAG_DIR)
    print(f"{'baseline: the real BAG sample (imports only)':47s} {'':>9s} {base['outcome']:20s} "
          f"{base['maxrss_mb']:7.0f}MB {base['cpu_s']:6.2f}")
    bad = 0
    for case in hostile.cases():
        path = case.build(tmp)
        size = path.stat().st_size if path.is_file() else sum(
            f.stat().st_size for f in path.iterdir())
        got = hostile.run_isolated(case.reader, path)
        ok = got["outcome"] in case.expect and got["maxrss_mb"] < MAX_RSS_MB
        bad += not ok
        print(f"{case.name:47s} {size / 1e6:7.2f}MB {got['outcome']:20s} "
              f"{got['maxrss_mb']:7.0f}MB {got['cpu_s']:6.2f}{'' if ok else '  <-- NOT OK'}")
    return bad


def cityjson(tmp: Path) -> int:
    from omgevingskaart.io import cityjson as cj

    counts: collections.Counter[str] = collections.Counter()
    cases = hostile.cityjson_cases(tmp)
    for _name, path in cases:
        try:
            cj.read(path)
            counts["read without error"] += 1
        except OmgevingskaartError as exc:
            counts[type(exc).__name__] += 1
        except Exception as exc:
            counts[f"UNTYPED {type(exc).__name__}"] += 1
    typed = sum(v for k, v in counts.items() if not k.startswith(("UNTYPED", "read")))
    print(f"\n2. malformed CityJSON: {len(cases)} inputs, {typed} typed errors: {dict(counts)}")
    return len(cases) - typed


def mutations(tmp: Path, n: int) -> int:
    print(f"\n3. mutation campaign: {n} mutated real samples per reader (seed 13)")
    print(f"{'reader':9s} {'inputs':>7s} {'read':>6s} {'typed':>6s} {'untyped':>8s} {'s':>6s}  "
          "typed errors")
    untyped_total = 0
    for seed in hostile.seeds():
        mod = importlib.import_module(f"omgevingskaart.io.{seed.reader}")
        rnd = random.Random(13)
        counts: collections.Counter[str] = collections.Counter()
        untyped: list[str] = []
        t = time.perf_counter()
        for i in range(n):
            data = hostile.mutate(seed.data, rnd, rnd.randint(1, 4))
            path = hostile.write_seed(seed, data, tmp, f"m{i}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    mod.read(path)
                    counts["read"] += 1
                except OmgevingskaartError as exc:
                    counts[type(exc).__name__] += 1
                except Exception as exc:
                    where = traceback.extract_tb(exc.__traceback__)[-1]
                    untyped.append(f"{type(exc).__name__}: {exc} "
                                   f"({Path(where.filename).name}:{where.lineno})")
        read = counts.pop("read", 0)
        typed = sum(counts.values())
        untyped_total += len(untyped)
        print(f"{seed.reader:9s} {n:7d} {read:6d} {typed:6d} {len(untyped):8d} "
              f"{time.perf_counter() - t:6.1f}  {dict(counts.most_common())}")
        for u in untyped[:5]:
            print(f"    untyped: {u[:200]}")
    return untyped_total


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        bad = archives(Path(tmp))
        bad_cj = cityjson(Path(tmp))
        untyped = mutations(Path(tmp), n)
    print(f"\nhostile inputs not ending in their typed error under {MAX_RSS_MB} MB: {bad}; "
          f"malformed CityJSON without a typed error: {bad_cj}; untyped errors in the mutation "
          f"campaign: {untyped}")
    return 1 if bad or bad_cj or untyped else 0


if __name__ == "__main__":
    sys.exit(main())
