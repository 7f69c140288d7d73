"""Shared fixtures: where the real samples are, and the demo dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/data/real`` (see its SOURCES.md); skips when this checkout has no such folder."""
    if not REAL.is_dir():
        pytest.skip(f"real sample data not found at {REAL} (../shared/data/real beside the checkout)")
    return REAL


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return ROOT / "data" / "demo" / "winterswijk-centrum.gpkg"


@pytest.fixture(autouse=True)
def _restore_environ():
    """Undo environment changes a test makes in-process (e.g. ``serve`` exporting the dataset
    path for its workers), so that later tests and doctests see a clean environment."""
    import os

    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


# --- headless Chromium (the browser tests; tests/apphelpers.py starts it) ------------------------


@pytest.fixture(scope="module")
def requests_log():
    """Every request the module's pages make (checked: none may leave 127.0.0.1)."""
    from apphelpers import RequestLog

    return RequestLog()


@pytest.fixture(scope="module")
def ctx():
    """A headless Chromium browser context, one per test module."""
    from apphelpers import browser

    with browser() as c:
        yield c


@pytest.fixture()
def page(ctx, requests_log):
    """A fresh page whose requests go into ``requests_log``."""
    from apphelpers import attach_log

    p = ctx.new_page()
    attach_log(p, requests_log)
    yield p
    p.close()


# --- a real PostgreSQL + PostGIS on 127.0.0.1 (tests/postgres_server.py) ---------------------------


@pytest.fixture(scope="session")
def demo_in_parquet(tmp_path_factory):
    """The demo as a GeoParquet folder, in small parts (1,000 rows) and row groups (128 rows) to
    exercise the pruning; read only."""
    from omgevingskaart.dataset import DEMO_PATH, open_dataset
    from omgevingskaart.store.geoparquet import GeoParquetStore

    ds = open_dataset(DEMO_PATH)
    store = GeoParquetStore(tmp_path_factory.mktemp("pq") / "demo.parquet", create=True)
    store.write_many({n: ds[n] for n in ds.layers}, ds.meta, rows_per_part=1000, row_group_size=128)
    return store.path


@pytest.fixture(scope="session")
def postgis_uri():
    """The URI of a throw-away PostGIS database; skips with the reason when it cannot run here."""
    from postgres_server import missing_reason, postgres_server

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with postgres_server() as uri:
        yield uri
