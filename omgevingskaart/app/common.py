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
from ..errors import AmbiguousAddressError, OmgevingskaartError
from ..geocode import geocoder_for
from ..report import report_at
from ..viz.map2d import TileSet, View, cache_dir, default_view, drop_stale_tiles, tile_set
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


@st.cache_resource(show_spinner=False)
def _tile_route() -> tuple[str, str]:
    """The tile cache folder (outside the package, :func:`~omgevingskaart.viz.map2d.cache_dir`)
    and the URL at which Streamlit serves it: the folder is registered as the asset folder of a
    (never rendered) component, which Streamlit serves read-only at ``/component/<name>/``."""
    import streamlit.components.v1 as components

    root = cache_dir() / "kaart"
    root.mkdir(parents=True, exist_ok=True)
    served = components.declare_component("kaarttegels", path=str(root))
    return str(root), f"/component/{served.name}"


@st.cache_resource(show_spinner="Kaartlagen voorbereiden…")
def _tiles(path: str, mtime: float, _ds: Dataset) -> TileSet:
    del path, mtime  # the cache key; tile_set keys its folder on the store's fingerprint
    root, url = _tile_route()
    tiles = tile_set(_ds, root=root, url=url)
    drop_stale_tiles(Path(root), keep=Path(tiles.path).name)
    # build the report's indexes now rather than on the first click
    try:
        report_at(_ds, point=default_view(_ds).centre, crs="EPSG:28992")
    except Exception:  # a point without a perceel or a broken layer: the click will say so
        _log.info("report warm-up failed", exc_info=True)
    return tiles


def get_tiles(ds: Dataset) -> TileSet:
    """The dataset's map tile set (GeoJSON tiles in the cache folder, written per view by the
    Kaart page with :func:`~omgevingskaart.viz.map2d.ensure_view_tiles`)."""
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


def md_link(text: str, url: str) -> str:
    """``[text](url)`` for Markdown, or the plain text when there is no URL."""
    return f"[{text}]({url})" if url else text


def demo_banner(ds: Dataset) -> None:
    if ds.is_synthetic:
        from ..report import DEMO_NOTICE

        st.info(DEMO_NOTICE, icon="ℹ️")


_CHROME_JS = (Path(__file__).resolve().parent / "chrome.js").read_text(encoding="utf-8")
_chrome = st.components.v2.component("omgevingskaart_chrome", js=_CHROME_JS, isolate_styles=False)

#: app-wide CSS: no English form hint (the button says "Zoeken"), the answer before the map on
#: narrow screens, no empty gap for the invisible chrome component
APP_CSS = """
[data-testid="InputInstructions"] { display: none; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5c5f66 !important; opacity: 1 !important; }
.st-key-ok_chrome { display: none; }
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(iframe[title^="streamlit_folium"]) {
    flex-direction: column-reverse;
  }
  /* the report scrolls with the page on a phone, not in a box of its own */
  .st-key-ok_rapport { height: auto !important; max-height: none !important; overflow: visible !important; }
}
"""


def dutch_page(func: Callable[[], None], title: str, icon: str) -> Callable[[], None]:
    """``func`` as a page with its own browser title, ``<html lang="nl">`` and Dutch chrome."""

    @functools.wraps(func)
    def run() -> None:
        st.set_page_config(page_title=title, page_icon=icon, layout="wide",
                           menu_items={"Get help": None, "Report a bug": None,
                                       "About": "Omgevingskaart: de Omgevingswet op de kaart voor "
                                                "Winterswijk."})
        st.html(f"<style>{APP_CSS}</style>")
        _chrome(key="ok_chrome")
        func()

    return run


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


_SEARCHBOX_JS = (Path(__file__).resolve().parent / "searchbox.js").read_text(encoding="utf-8")
_searchbox = st.components.v2.component(
    "omgevingskaart_zoekveld", js=_SEARCHBOX_JS, isolate_styles=False,
    css=(Path(__file__).resolve().parent / "searchbox.css").read_text(encoding="utf-8"),
)

#: how many suggestions the search box lists while typing
SUGGESTIONS = 8


@st.cache_resource(show_spinner=False)
def _examples(path: str, mtime: float, _ds: Dataset) -> str:
    del path, mtime
    return search_examples(_ds)


def search_examples(ds: Dataset) -> str:
    """``"bijv. Markt 12, 7101 AK 12 of WWK00 K 2997"``: examples that exist in this dataset (the
    address nearest the opening view, its postcode form, and the perceel it lies on)."""
    cx, cy = default_view(ds).centre
    near = geocoder_for(ds).nearest(cx, cy)
    if near is None:
        return "bijv. een kadastrale aanduiding" if "perceel" not in ds else _first_aanduiding(ds)
    rec, pt = near
    nr = f"{rec['huisnummer']}{rec.get('huisletter') or ''}"
    parts = [f"{rec['openbare_ruimte']} {nr}"]
    if rec.get("postcode"):
        pc = rec["postcode"]
        parts.append(f"{pc[:4]} {pc[4:]} {nr}")
    if "perceel" in ds:
        hits, _ = ds.store.rows("perceel", geometry=pt, columns=["kadastrale_aanduiding"], limit=1)
        if hits and hits[0].get("kadastrale_aanduiding"):
            parts.append(str(hits[0]["kadastrale_aanduiding"]))
    return "bijv. " + (", ".join(parts[:-1]) + " of " + parts[-1] if len(parts) > 1 else parts[0])


def _first_aanduiding(ds: Dataset) -> str:
    """``"bijv. <aanduiding>"`` with the first perceel near the opening view that has one."""
    recs, _ = ds.store.rows("perceel", bbox=default_view(ds).bbox, columns=["kadastrale_aanduiding"])
    found = next((r["kadastrale_aanduiding"] for r in recs if r.get("kadastrale_aanduiding")), None)
    return f"bijv. {found}" if found else "bijv. een kadastrale aanduiding"


def candidates_for(ds: Dataset, text: str, exc: Exception) -> list[str]:
    """What to offer after a search that did not find exactly one place: the candidates of an
    ambiguous address, else the geocoder's suggestions ("Mrkt 12" -> "Markt 12, ...")."""
    if isinstance(exc, AmbiguousAddressError):
        return list(exc.candidates)
    try:
        return [c["weergave"] for c in geocoder_for(ds).suggest(text, limit=SUGGESTIONS)]
    except OmgevingskaartError:
        return []


def search_form(prefix: str, label: str, placeholder: str | None = None, *,
                on_search: Callable[[], None], on_candidate: Callable[[], None],
                candidates: list[str]) -> None:
    """The address / kadastrale aanduiding search box, with suggestions while typing.

    A search (Enter, the "Zoeken" button or a chosen suggestion) stores the text under
    ``<prefix>_query`` and calls ``on_search``. When the search found several places or none,
    ``candidates`` are offered in a choice (key ``<prefix>_candidate``, then ``on_candidate``).
    The placeholder's examples are taken from the loaded data (``placeholder`` is ignored when the
    dataset has addresses or percelen: hard-coded examples may not exist in it)."""
    ds = get_dataset()
    mtime = ds.path.stat().st_mtime if ds.path.exists() else 0.0
    examples = _examples(str(ds.path), mtime, ds) or placeholder or ""
    _search_box(ds, prefix, label, examples, on_search)
    if candidates:
        st.selectbox("Bedoelt u een van deze adressen of percelen?", candidates, index=None,
                     key=f"{prefix}_candidate", placeholder="Kies een adres of perceel",
                     on_change=on_candidate)


@st.fragment
def _search_box(ds: Dataset, prefix: str, label: str, examples: str,
                on_search: Callable[[], None]) -> None:
    """Typing reruns only this fragment (suggestions); a search reruns the whole page."""
    ss = st.session_state
    key = f"{prefix}_zoekveld"
    state = ss.get(key)
    get = getattr(state, "get", None)
    typed = get("typed") if get is not None else None
    suggestions: list[str] = []
    if typed and len(typed.strip()) >= 2:
        suggestions = [c["weergave"] for c in geocoder_for(ds).suggest(typed, limit=SUGGESTIONS)]

    def submitted() -> None:
        value = ss.get(key)
        get_value = getattr(value, "get", None)
        text = get_value("submit") if get_value is not None else None
        if text is None:
            return
        ss[f"{prefix}_query"] = text
        ss[f"{prefix}_rerun"] = True
        on_search()

    _searchbox(data={"id": f"{prefix}-zoek", "label": label, "placeholder": examples,
                     "button": "Zoeken", "value": ss.get(f"{prefix}_query", ""),
                     "valueSeq": ss.get(f"{prefix}_query_seq", 0), "forText": typed or "",
                     "suggestions": suggestions},
               key=key, on_typed_change=lambda: None, on_submit_change=submitted)
    if ss.pop(f"{prefix}_rerun", False):
        st.rerun()


def set_search_text(prefix: str, text: str) -> None:
    """Put ``text`` in the search box (e.g. the address carried over from another page)."""
    st.session_state[f"{prefix}_query"] = text
    st.session_state[f"{prefix}_query_seq"] = st.session_state.get(f"{prefix}_query_seq", 0) + 1
