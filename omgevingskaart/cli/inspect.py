"""``omgevingskaart inspect PATH``: the detected format and, per layer, count, CRS and bbox."""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

from ..errors import SkippedInputWarning


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "inspect",
        help="detect a register/plan file's format and list its layers",
        description=(
            "Read a register or plan file (BAG extract, bag-light, 3D BAG / CityJSON, BGT, BRK, "
            "IMRO, STOP/TPOD) with omgevingskaart's loaders and print the detected format and, "
            "per layer, the feature count, CRS and bounding box. Example: "
            "omgevingskaart inspect lvbag-extract.zip --json"
        ),
    )
    p.add_argument("path", help="a file, folder or zip")
    p.add_argument("--json", action="store_true",
                   help='print {"format", "layers": {name: {"count", "crs", "bbox"}}} as JSON '
                        '(plus "skipped": [reasons] when parts of the input were skipped)')
    p.set_defaults(func=run)


def summary(path: str | Path) -> dict[str, Any]:
    """The inspect result for ``path`` (what ``--json`` prints)."""
    from ..io import detect

    path = Path(path)
    module = detect(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkippedInputWarning)
        layers = module.read(path)
    skipped = []
    for w in caught:
        if issubclass(w.category, SkippedInputWarning):
            skipped.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    out: dict[str, Any] = {"format": str(getattr(module, "FORMAT", module.__name__)), "layers": {},
                           "skipped": skipped}
    for name, gdf in layers.items():
        crs = gdf.crs.to_string() if gdf.crs is not None else ""
        geoms = gdf.geometry
        present = geoms[~(geoms.isna() | geoms.is_empty)] if len(gdf) else geoms
        bbox = [float(v) for v in present.total_bounds] if len(present) else [math.nan] * 4
        out["layers"][name] = {"count": len(gdf), "crs": crs, "bbox": bbox}
    return out


def _fmt(v: float) -> str:
    return "-" if math.isnan(v) else f"{v:.2f}"


def run(args: argparse.Namespace) -> int:
    info = summary(args.path)
    if args.json:
        # NaN (no geometry) becomes null, so the output is strict JSON
        clean = {
            "format": info["format"],
            "layers": {
                k: {**v, "bbox": [None if math.isnan(b) else b for b in v["bbox"]]}
                for k, v in info["layers"].items()
            },
        }
        if info["skipped"]:
            clean["skipped"] = info["skipped"]
        print(json.dumps(clean, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.path}: {info['format']}")
    rows = [("laag", "aantal", "CRS", "bbox (minx miny maxx maxy)")]
    for name, v in info["layers"].items():
        rows.append((name, str(v["count"]), v["crs"], " ".join(_fmt(b) for b in v["bbox"])))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, r in enumerate(rows):
        print("  ".join(c.rjust(w) if j == 1 else c.ljust(w) for j, (c, w) in
                        enumerate(zip(r, widths, strict=True))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for message in info["skipped"]:
        print(f"overgeslagen: {message}", file=sys.stderr)
    return 0
