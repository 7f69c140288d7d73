"""Shared by the pages: which dataset, opening it once per process, Dutch error display."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from ..dataset import DEMO_PATH, Dataset, open_dataset
from ..errors import OmgevingskaartError
from ..viz.map2d import TileSet, View, default_view, ensure_tiles
from ..viz.report_view import dutch_error

_log = logging.getLogger("omgevingskaart.app")


def dataset_path(argv: list[str] | None = None) -> Path:
    """``--dataset PATH`` (``streamlit run streamlit_app.py -- --dataset PATH``), else the
    environment variable ``OMGEVINGSKAART_DATASET``, else the embedded demo."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--dataset", default=None)
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.dataset:
        return Path(args.dataset)
    env = os.environ.get("OMGEVINGSKAART_DATASET")
    return Path(env) if env else DEMO_PATH


@st.cache_resource(show_spinner="Gegevens openen…")
def _open(path: str, mtime: float) -> Dataset:
    del mtime  # part of the cache key: a rebuilt file is reopened
    return open_dataset(path)


def get_dataset() -> Dataset:
    """The dataset, opened once per process; a Dutch message and a stop when it cannot be opened."""
    path = dataset_path()
    try:
        mtime = path.stat().st_mtime if path.exists() else 0.0
        return _open(str(path), mtime)
    except OmgevingskaartError as exc:
        st.error(f"{dutch_error(exc)}\n\nBestand: `{path}`")
    except Exception:  # a broken file can make GDAL raise anything; never show a traceback
        st.error(f"De dataset kon niet worden geopend: `{path}`.")
    st.stop()
    raise RuntimeError("unreachable")  # st.stop() raises


@st.cache_resource(show_spinner="Kaartlagen voorbereiden…")
def _tiles(path: str, mtime: float, _ds: Dataset) -> TileSet:
    del path, mtime  # the cache key; ensure_tiles keys its folder on the file itself
    tiles = ensure_tiles(_ds)
    # build the report's indexes now (about 0.6 s for the demo) rather than on the first click
    try:
        _ds.report(point=default_view(_ds).centre, crs="EPSG:28992")
    except Exception:  # a point without a perceel or a broken layer: the click will say so
        _log.info("report warm-up failed", exc_info=True)
    return tiles


def get_tiles(ds: Dataset) -> TileSet:
    """The dataset's map tiles (static GeoJSON served at /app/static/cache/kaart/), written once."""
    mtime = ds.path.stat().st_mtime if ds.path.exists() else 0.0
    return _tiles(str(ds.path), mtime, ds)


@st.cache_resource(show_spinner=False)
def _start(path: str, mtime: float, _ds: Dataset) -> View:
    del path, mtime
    return default_view(_ds)


def get_start_view(ds: Dataset) -> View:
    """Where the map opens (:func:`default_view`), computed once per dataset file: the dataset's
    bounds are read from the file on every call."""
    mtime = ds.path.stat().st_mtime if ds.path.exists() else 0.0
    return _start(str(ds.path), mtime, ds)


def demo_banner(ds: Dataset) -> None:
    if ds.is_synthetic:
        from ..report import DEMO_NOTICE

        st.info(DEMO_NOTICE, icon="ℹ️")


def safe_page(func: Callable[[], None]) -> Callable[[], None]:
    """``func`` with every unexpected error shown as a Dutch message (logged for the operator)."""

    @functools.wraps(func)
    def run() -> None:
        try:
            func()
        except OmgevingskaartError as exc:
            _log.warning("page %s: %s", func.__module__, exc)
            st.error(dutch_error(exc))
        except Exception as exc:  # st.stop()/st.rerun() are BaseException and pass through
            _log.exception("page %s failed", func.__module__)
            st.error(dutch_error(exc))

    return run


def pdok_basemap_toggle(key: str, *, fallback: str = "") -> bool:
    """The sidebar switch for PDOK's basemap (off by default: then no third-party requests)."""
    with st.sidebar:
        on = st.toggle(
            "Achtergrondkaart van PDOK tonen", key=key, value=False,
            help="Haalt kaarttegels op bij PDOK (Kadaster). Zonder deze kaart maakt uw browser "
                 f"alleen verbinding met deze server{fallback}.",
        )
        if on:
            st.caption("Uw browser haalt nu kaarttegels op bij service.pdok.nl.")
    return on


def search_form(prefix: str, label: str, placeholder: str, *, on_search: Callable[[], None],
                on_candidate: Callable[[], None], candidates: list[str]) -> None:
    """The address / kadastrale aanduiding search box (keys ``<prefix>_query`` and, when the
    search was ambiguous, ``<prefix>_candidate`` for the choice among ``candidates``)."""
    with st.form(f"{prefix}_zoek", clear_on_submit=False, border=False):
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        c1.text_input(label, key=f"{prefix}_query", placeholder=placeholder)
        c2.form_submit_button("Zoeken", on_click=on_search, use_container_width=True)
    if candidates:
        st.selectbox("Welk adres bedoelt u?", candidates, index=None, key=f"{prefix}_candidate",
                     placeholder="Kies een adres", on_change=on_candidate)
