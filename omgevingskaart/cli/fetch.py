"""``omgevingskaart fetch``: registers for an area from their live web APIs into a dataset.

``omgevingskaart fetch (--bbox MINX MINY MAXX MAXY [--bbox-crs EPSG:28992] | --gemeente 0294)
--into DATASET.gpkg [--sources bgt,bag,brk,3dbag,plannen] [--base-url-<source> URL] [--no-cache]``

Sources: PDOK BGT, BAG and Kadastrale Kaart (OGC API Features), the 3D BAG API and the Ruimtelijke
Plannen Opvragen API v4 (``plannen``; needs ``RUIMTELIJKEPLANNEN_API_KEY``). See
:mod:`omgevingskaart.live.sources` for the URLs and mappings. The dataset is written atomically
with :func:`omgevingskaart.dataset.write_dataset` (``extend=True``: other layers stay).
A host that cannot be reached is a clear one-line error (exit 2), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
from pyproj import CRS, Transformer

from ..errors import QueryError

#: preset areas by gemeentecode: an RD New bbox (minx, miny, maxx, maxy).
GEMEENTE_PRESETS: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    "0294": ("Winterswijk centrum", (245950.0, 442880.0, 247150.0, 443880.0)),
}
ALL_SOURCES = ("bgt", "bag", "brk", "3dbag", "plannen")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fetch",
        help="fetch BGT, BAG, BRK, 3D BAG and bestemmingsplannen for an area from the live APIs",
        description=(
            "Fetch the registers for an area from PDOK (BGT, BAG, Kadastrale Kaart), the 3D BAG "
            "API and (with RUIMTELIJKEPLANNEN_API_KEY) the Ruimtelijke Plannen API into a dataset. "
            "Answers are cached on disk (--no-cache to bypass). Example: omgevingskaart fetch "
            "--gemeente 0294 --into winterswijk.gpkg"
        ),
    )
    area = p.add_mutually_exclusive_group(required=True)
    area.add_argument("--bbox", nargs=4, type=float, metavar=("MINX", "MINY", "MAXX", "MAXY"),
                      help="the area, in --bbox-crs (default EPSG:28992, RD New)")
    area.add_argument("--gemeente", metavar="CODE",
                      help=f"a preset area by gemeentecode ({', '.join(GEMEENTE_PRESETS)})")
    p.add_argument("--bbox-crs", default="EPSG:28992", help="CRS of --bbox (default EPSG:28992)")
    p.add_argument("--into", required=True, type=Path, metavar="DATASET.gpkg")
    p.add_argument("--sources", default=None,
                   help="comma-separated: bgt,bag,brk,3dbag,plannen (default: all; plannen only "
                        "when RUIMTELIJKEPLANNEN_API_KEY is set)")
    for name in ALL_SOURCES:
        p.add_argument(f"--base-url-{name}", dest=f"base_url_{name}", metavar="URL",
                       help=f"override the {name} API base URL (testing, mirrors)")
    p.add_argument("--title", help="the dataset's title (metadata 'titel')")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the HTTP cache")
    p.add_argument("--retries", type=int, default=5, help="retries per request (default 5)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=run)


def resolve_bbox(args: argparse.Namespace) -> tuple[tuple[float, float, float, float], str]:
    """The RD New bbox and a label for the area."""
    if args.gemeente is not None:
        code = str(args.gemeente).strip().zfill(4)
        if code not in GEMEENTE_PRESETS:
            listed = ", ".join(f"{c} ({n})" for c, (n, _) in GEMEENTE_PRESETS.items())
            raise QueryError(f"--gemeente {args.gemeente}: no preset area for this gemeentecode; "
                             f"presets: {listed}. Use --bbox for other areas.")
        name, bbox = GEMEENTE_PRESETS[code]
        return bbox, f"{name} (gemeente {code})"
    minx, miny, maxx, maxy = args.bbox
    if not (minx < maxx and miny < maxy):
        raise QueryError(f"--bbox {minx} {miny} {maxx} {maxy}: needs MINX < MAXX and MINY < MAXY")
    try:
        src = CRS.from_user_input(args.bbox_crs)
    except Exception as exc:
        raise QueryError(f"--bbox-crs {args.bbox_crs!r}: unknown CRS") from exc
    if not src.equals(CRS.from_epsg(28992), ignore_axis_order=True):
        t = Transformer.from_crs(src, 28992, always_xy=True)
        minx, miny, maxx, maxy = t.transform_bounds(minx, miny, maxx, maxy)
    return (minx, miny, maxx, maxy), f"bbox {minx:.0f},{miny:.0f},{maxx:.0f},{maxy:.0f}"


def _sources(spec: str | None) -> list[str]:
    if spec is None:
        chosen = [s for s in ALL_SOURCES if s != "plannen"]
        if os.environ.get("RUIMTELIJKEPLANNEN_API_KEY"):
            chosen.append("plannen")
        return chosen
    chosen = [s.strip().lower() for s in spec.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in ALL_SOURCES]
    if unknown or not chosen:
        raise QueryError(f"--sources {spec!r}: unknown source(s) {unknown}; "
                         f"choose from {','.join(ALL_SOURCES)}")
    return chosen


def fetch_layers(
    sources: Sequence[str],
    bbox: Sequence[float],
    *,
    base_urls: dict[str, str | None] | None = None,
    cache: bool = True,
    retries: int = 5,
    progress: bool | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """The layers of ``sources`` within the RD ``bbox``, conformed; and notes for the user."""
    from ..live.ogcapi import OGCAPIFeaturesClient
    from ..live.sources import SOURCES, combine_pand, fetch_3dbag, fetch_source

    base_urls = base_urls or {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    notes: list[str] = []
    dbag = None
    for name in sources:
        if name == "plannen":
            from ..live.ruimtelijkeplannen import RuimtelijkePlannenClient

            with RuimtelijkePlannenClient(base_url=base_urls.get(name), cache=cache,
                                          retries=retries, progress=progress) as rp:
                layers.update(rp.fetch_bbox(bbox))
            continue
        preset = SOURCES[name]
        url = base_urls.get(name) or preset.base_url
        with OGCAPIFeaturesClient(url, cache=cache, retries=retries, progress=progress) as client:
            if name == "3dbag":
                dbag = fetch_3dbag(client, bbox)
                continue
            got, more = fetch_source(preset, client, bbox)
            layers.update(got)
            notes.extend(more)
    if dbag is not None:
        layers["pand"] = combine_pand(layers.get("pand"), dbag)
    return layers, notes


def run(args: argparse.Namespace) -> int:
    from ..dataset import write_dataset

    bbox, label = resolve_bbox(args)
    sources = _sources(args.sources)
    base_urls = {s: getattr(args, f"base_url_{s}") for s in ALL_SOURCES}
    progress = None if not args.quiet else False
    layers, notes = fetch_layers(sources, bbox, base_urls=base_urls, cache=not args.no_cache,
                                 retries=args.retries, progress=progress)
    for note in notes:
        print(f"let op: {note}", file=sys.stderr)
    meta = {
        "titel": args.title or f"Live opgehaald: {label}",
        "bron": "; ".join(f"{s} ({base_urls.get(s) or 'standaard'})" for s in sources),
        "synthetisch": "nee",
        "gebied_bbox": ",".join(f"{v:.3f}" for v in bbox),
        "opgehaald": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    write_dataset(layers, args.into, meta=meta, extend=True)
    if not args.quiet:
        for name, frame in sorted(layers.items()):
            print(f"{name}: {len(frame)}")
        print(f"-> {args.into}")
    return 0
