"""``omgevingskaart batch DATASET.parquet``: vergunningvrije ruimte for every perceel, on Dask.

Runs :func:`omgevingskaart.batch.run_batch` on a LocalCluster (``--workers``, one thread each) or
on any running Dask cluster (``--scheduler tcp://host:8786``; the workers must see the dataset
folder at the same path). The result is the layer ``vergunningvrije_ruimte`` of the dataset (map
layer "Vergunningvrije ruimte"); the summary gives percelen per second per core and the
extrapolated time for the Netherlands. A GeoPackage or PostGIS dataset is first imported into a
GeoParquet folder: ``omgevingskaart import ... --into x.parquet``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import OmgevingskaartError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "batch",
        help="vergunningvrije ruimte voor elk perceel (Dask, GeoParquet-dataset)",
        description=(
            "Compute for every perceel of a GeoParquet dataset the achtererfgebied, the "
            "bebouwingsgebied, the area still free for bijbehorende bouwwerken (bruidsschat 22.36), "
            "the plan's height headroom and monument / beschermd-gezicht flags, on a Dask cluster; "
            "written as the dataset layer 'vergunningvrije_ruimte'. Example: omgevingskaart batch "
            "nederland.parquet --scheduler tcp://dask.example:8786"
        ),
    )
    p.add_argument("dataset", type=Path, metavar="DATASET.parquet", help="a GeoParquet dataset folder")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler (default: a LocalCluster on this machine)")
    p.add_argument("--workers", type=int, default=1, help="LocalCluster worker processes (default 1)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise OmgevingskaartError("--workers must be at least 1")
    try:
        from ..batch import run_batch, summary
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise OmgevingskaartError(f"the batch job needs Dask: pip install 'omgevingskaart[scale]' ({exc})") from None
    result = run_batch(args.dataset, scheduler=args.scheduler, workers=args.workers)
    if not args.quiet:
        for line in summary(result):
            print(line)
        print(f"-> {args.dataset} (laag vergunningvrije_ruimte)")
    return 0
