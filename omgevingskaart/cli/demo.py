"""``omgevingskaart demo build [--output PATH] [--seed N]``: (re)build the embedded demo dataset."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..dataset import DEMO_PATH


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="de synthetische demodataset (Winterswijk centrum)",
        description="Bouw de synthetische demodataset: deterministisch, zelfde seed = zelfde bestand.",
    )
    sub = parser.add_subparsers(dest="demo_command", metavar="ACTION")
    build = sub.add_parser("build", help="schrijf de demo-GeoPackage")
    build.add_argument("--output", "-o", type=Path, default=DEMO_PATH,
                       help=f"doelbestand (standaard {DEMO_PATH})")
    build.add_argument("--seed", type=int, default=None, help="seed van de generator")
    build.set_defaults(func=_build)

    def usage(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(func=usage)


def _build(args: argparse.Namespace) -> int:
    from ..demo import SEED, build_demo

    t0 = time.perf_counter()
    path = build_demo(args.output, seed=SEED if args.seed is None else args.seed)
    size = path.stat().st_size / 1e6
    print(f"{path}: {size:.2f} MB, {time.perf_counter() - t0:.1f} s (synthetisch)")
    return 0
