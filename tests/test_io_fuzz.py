"""Fuzzing every reader with mutated real samples: only typed errors may come out.

Each reader's entry point (``omgevingskaart.io.<format>.read``) gets a small real sample with
one to four edits (bit flips, truncations, inserted snippets such as ``<x/>``, ``&xxe;``, ``NaN``,
``1e308`` or a gml:Circle of radius 1e15, deleted and duplicated ranges; see
``tests/hostile.py``). Whatever it makes of them, it must return layers or raise an
:class:`omgevingskaart.errors.OmgevingskaartError`: never a KeyError, TypeError, RecursionError,
MemoryError or a GEOS traceback. Hypothesis runs derandomized (a fixed sequence of examples, no
example database), a few seconds per reader, so CI is stable.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
import hostile  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from omgevingskaart import io as okio  # noqa: E402
from omgevingskaart.errors import OmgevingskaartError  # noqa: E402

if not hostile.REAL.is_dir():
    pytest.skip(f"real sample data not found at {hostile.REAL}", allow_module_level=True)

SEEDS = {s.reader: s for s in hostile.seeds()}
#: examples per reader: 1-3 s each on the shared 2-core machine.
EXAMPLES = {"bag": 200, "brk": 300, "imro": 150, "cityjson": 300, "bgt": 300, "tpod": 150}

OPS = st.lists(st.tuples(st.integers(0, 6), st.floats(0, 1), st.integers(0, 99),
                         st.integers(1, 200), st.integers(0, 7)), min_size=1, max_size=4)


def _read_mutated(reader: str, ops: list[hostile.Op]) -> None:
    seed = SEEDS[reader]
    data = hostile.apply_ops(seed.data, ops)
    module = getattr(__import__("omgevingskaart.io", fromlist=[reader]), reader)
    with tempfile.TemporaryDirectory() as tmp:
        path = hostile.write_seed(seed, data, Path(tmp), "fuzz")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.suppress(OmgevingskaartError):
                module.read(path)
            with contextlib.suppress(OmgevingskaartError):  # detection, as import/inspect do
                okio.detect(path)


@pytest.mark.parametrize("reader", list(EXAMPLES))
def test_mutated_samples_give_typed_errors_only(reader: str) -> None:
    @settings(max_examples=EXAMPLES[reader], derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(ops=OPS)
    def check(ops: list[hostile.Op]) -> None:
        _read_mutated(reader, ops)

    check()


def test_unmutated_seeds_read() -> None:
    """The seeds themselves are valid inputs of their readers (so the mutations start from
    something that reads)."""
    for reader in EXAMPLES:
        seed = SEEDS[reader]
        module = getattr(__import__("omgevingskaart.io", fromlist=[reader]), reader)
        with tempfile.TemporaryDirectory() as tmp:
            layers = module.read(hostile.write_seed(seed, seed.data, Path(tmp), "seed"))
        assert any(len(v) for v in layers.values()), reader
