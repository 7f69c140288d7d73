"""``omgevingskaart report``: what applies at an address, perceel or point."""

from __future__ import annotations

import argparse
import sys

from ..errors import AmbiguousAddressError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="what applies at an address, kadastraal perceel or point",
        description=(
            "The answer for a location: a plain-Dutch summary (what may be done, what is protected, "
            "where the limits are), every rule of the omgevingsplan that applies (tijdelijk deel: "
            "the bestemmingsplan; nieuwe deel and bruidsschat: STOP/TPOD rules) with its text or "
            "link, then the details (perceel, BAG ids, RD coordinates). Examples: "
            "omgevingskaart report \"Markt 12, Winterswijk\" --json; "
            "omgevingskaart report --point 246580 443380 --crs EPSG:28992; "
            "omgevingskaart report --perceel \"WWK00 L 3839\"; "
            "omgevingskaart report \"Markt 12\" --geldig-op 2025-01-01"
        ),
    )
    p.add_argument("query", nargs="?", help="an address ('Markt 12, Winterswijk', '7101AK 12') "
                   "or a kadastrale aanduiding ('WWK00 L 3839')")
    p.add_argument("--point", nargs=2, type=float, metavar=("X", "Y"),
                   help="a point: RD x y (default CRS) or lon lat with --crs EPSG:4326")
    p.add_argument("--crs", default=None,
                   help="CRS of --point (default EPSG:28992; EPSG:4326 for lon/lat)")
    p.add_argument("--perceel", help="a kadastrale aanduiding, e.g. 'WWK00 L 3839'")
    p.add_argument("--dataset", help="dataset GeoPackage (default: the embedded demo, or "
                   "$OMGEVINGSKAART_DATASET)")
    p.add_argument("--geldig-op", metavar="YYYY-MM-DD", default=None,
                   help="the date the answer is for (default today): plans and rules dated later "
                        "are listed apart, as are ontwerp plans")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--geometry", action="store_true", help="with --json: include the perceel polygon")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..dataset import open_dataset
    from ..errors import QueryError
    from ..report import report_at

    given = sum(x is not None for x in (args.query, args.point, args.perceel))
    if given != 1:
        raise QueryError("give exactly one of: an address or aanduiding, --point X Y, --perceel")
    if args.crs is not None and args.point is None:
        raise QueryError("--crs goes with --point")
    ds = open_dataset(args.dataset)
    try:
        on = args.geldig_op
        if args.point is not None:
            rep = report_at(ds, point=tuple(args.point), crs=args.crs or "EPSG:28992", geldig_op=on)
        elif args.perceel is not None:
            rep = report_at(ds, perceel=args.perceel, geldig_op=on)
        else:
            rep = report_at(ds, args.query, geldig_op=on)
    except AmbiguousAddressError as exc:
        print(f"omgevingskaart report: address {exc.query!r} is ambiguous; candidates:", file=sys.stderr)
        for c in exc.candidates:
            print(f"  {c}", file=sys.stderr)
        return 2
    if args.json:
        print(rep.to_json(geometry=args.geometry))
    else:
        print(rep.summary())
    return 0
