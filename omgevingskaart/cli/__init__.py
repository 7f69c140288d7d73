"""The ``omgevingskaart`` command line.

Each subcommand lives in its own module of this package and exposes
``register(subparsers) -> None``, which adds an ``argparse`` parser whose ``func`` takes the parsed
arguments and returns an exit code. :func:`main` turns every expected error into a one-line message
on stderr and exit code 2: the errors of :mod:`omgevingskaart.errors`, an ``OSError`` such as a
full disk (``ENOSPC``) or a permission problem (``EACCES``) on a file, and Ctrl-C. An
unexpected internal error gives a short message with a request to report it and exit code 1;
``OMGEVINGSKAART_DEBUG=1`` shows its traceback instead.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Sequence

from ..errors import OmgevingskaartError

DEBUG_ENV = "OMGEVINGSKAART_DEBUG"

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
        return _fail(args.command, str(exc))
    except KeyboardInterrupt:
        return _fail(args.command, "afgebroken / interrupted (Ctrl-C); files being written are left as they were")
    except OSError as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        return _fail(args.command, _os_message(exc))
    except Exception as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        print(f"omgevingskaart {args.command}: interne fout / internal error: {type(exc).__name__}: "
              f"{_short(str(exc))}\nDit is een fout in omgevingskaart, niet in uw invoer: meld hem graag aan de "
              f"ontwikkelaars met de opdracht en de uitvoer van {DEBUG_ENV}=1 omgevingskaart {args.command} ... "
              "(this is a bug; please report it with the traceback that setting the variable shows)",
              file=sys.stderr)
        return 1


def _fail(command: str, message: str) -> int:
    print(f"omgevingskaart {command}: {message}", file=sys.stderr)
    return 2


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


_OS_TEXT = {
    errno.ENOSPC: "schijf vol / no space left on device",
    errno.EDQUOT: "schijfquotum bereikt / disk quota exceeded",
    errno.EFBIG: "bestand te groot / file too large",
    errno.EACCES: "geen toegang / permission denied",
    errno.EPERM: "niet toegestaan / operation not permitted",
    errno.EROFS: "alleen-lezen bestandssysteem / read-only file system",
    errno.ENOENT: "bestand of map bestaat niet / no such file or directory",
    errno.EISDIR: "is een map / is a directory",
    errno.ENOTDIR: "geen map / not a directory",
    errno.EEXIST: "bestaat al (als bestand?) / already exists",
}


def _os_message(exc: OSError) -> str:
    """``OSError`` as one clear line naming the file, e.g. ``out.gpkg: schijf vol / no space left
    on device``."""
    what = _OS_TEXT.get(exc.errno or -1, exc.strerror or str(exc))
    name = exc.filename if exc.filename is not None else None
    return f"{name}: {what}" if name else f"{what} ({_short(str(exc))})"

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
