"""XML safety for the loaders of part A (BAG, BRK): refuse DTDs and entities before parsing.

Two layers of defence:

* :func:`check_prolog` scans the bytes before the root element (the prolog) for ``<!DOCTYPE`` and
  ``<!ENTITY``. It runs on every XML file *before* the file reaches GDAL (whose expat-based drivers
  would expand internal entities: the "billion laughs") or lxml. A hostile file raises
  :class:`~omgevingskaart.errors.HostileXMLError` naming the file and the declaration found.
* :func:`safe_parser` / :func:`iterparse` give lxml parsers with entity resolution, DTD loading and
  network access switched off and ``huge_tree`` off, as the project guide requires.

The prolog of a well-formed XML document ends at the first start tag that is not ``<?`` or ``<!``;
a DOCTYPE can only appear there, so scanning up to that point is sufficient. The scan reads in
64 KiB blocks and stops at the root element, so it costs one small read per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from ..errors import DataFileError, HostileXMLError

_DECL_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_RE = re.compile(rb"<[A-Za-z_]")
_MAX_PROLOG = 1 << 20  # a prolog longer than 1 MiB is itself suspicious


def check_prolog_bytes(head: bytes, name: str | Path) -> None:
    """Raise :class:`HostileXMLError` when ``head`` (the start of an XML file) declares a DTD.

    ``head`` must reach at least up to the root element's start tag for the check to be complete;
    :func:`check_prolog` takes care of that for files.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            head = head.replace(b"\x00", b"")
    root = _ROOT_RE.search(head)
    prolog = head if root is None else head[: root.start()]
    m = _DECL_RE.search(prolog)
    if m:
        decl = m.group(1).decode().upper()
        raise HostileXMLError(
            name,
            f"the XML declares a {decl}; DTDs and entity declarations are refused "
            "(external entities and entity expansion are a known attack)",
            element=f"<!{decl}",
        )


def check_stream(fh: IO[bytes], name: str | Path) -> None:
    """Scan an open binary stream's prolog (reads from its current position, then stops)."""
    buf = b""
    while True:
        block = fh.read(65536)
        buf += block
        if _ROOT_RE.search(buf.replace(b"\x00", b"")) or not block:
            check_prolog_bytes(buf, name)
            return
        if len(buf) > _MAX_PROLOG:
            check_prolog_bytes(buf, name)
            raise HostileXMLError(name, "no root element within the first MiB of the XML prolog")


def check_prolog(path: str | Path) -> None:
    """Refuse ``path`` if its XML prolog declares a DOCTYPE or ENTITY (before GDAL or lxml see it)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            check_stream(fh, path)
    except OSError as exc:
        raise DataFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


def iterparse(source: Any, tags: tuple[str, ...] | str | None = None) -> Iterator[tuple[str, Any]]:
    """``lxml.etree.iterparse`` with the same safety settings as :func:`safe_parser`."""
    return etree.iterparse(
        source,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
