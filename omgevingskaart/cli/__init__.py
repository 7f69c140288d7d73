"""The ``omgevingskaart`` command line.

Each subcommand lives in its own module of this package and exposes
``register(subparsers) -> None``, which adds an ``argparse`` parser whose ``func`` takes the parsed
arguments and returns an exit code. Errors of :mod:`omgevingskaart.errors` become a one-line message
on stderr and exit code 2; nothing prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..errors import OmgevingskaartError

#: subcommand modules, in the order ``--help`` lists them.
COMMANDS: list[str] = [
    "report",
    "demo",
    "inspect",
    "import_",
    "fetch",
    "check",
    "serve",
    "apikey",
    "export3d",
    "batch",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omgevingskaart",
        description="De Omgevingswet op de kaart: registers, plannen en vergunningvragen.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"omgevingskaart {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except OmgevingskaartError as exc:
        print(f"omgevingskaart {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
