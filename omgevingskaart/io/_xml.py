"""Safe XML for every format loader: no DTDs, no entities, no network, bounded memory.

The one module every XML file goes through, whether lxml or GDAL parses it afterwards (BAG, BRK,
BGT, IMRO, STOP/IMOW, GIO; it replaces the former ``_safexml`` and ``_xml`` pair). Two layers of
defence:

* The prolog (the bytes before the root element's start tag, the only place a DOCTYPE can
  stand) is scanned for ``<!DOCTYPE`` and ``<!ENTITY`` before any parser sees the file: GDAL's
  expat-based drivers would expand internal entities (the "billion laughs"), so the check has
  to come first. A declaration raises :class:`HostileXMLError` naming the file (and the zip
  member). :func:`read_checked_head` keeps reading in 64 KiB blocks until it has seen the root
  start tag (at most 1 MiB: a longer prolog is itself refused), so a DOCTYPE cannot hide behind
  a long comment. UTF-16 files are transcoded for the scan; a UTF-8 BOM is skipped.
* lxml runs with ``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``
  (:data:`SAFE_OPTIONS`), and :func:`parse` also refuses a parsed document with a doctype.

Register and plan files never declare a DTD, so refusing one costs nothing and closes the doors
to external-entity (XXE) reads and entity-expansion attacks.

:func:`iterparse` streams a document element by element (``end`` events on the given tags) and
frees each element and its processed siblings after use, so memory stays bounded by the largest
single feature rather than the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

from lxml import etree

from ..errors import DataFileError, HostileXMLError, UnsupportedFormatError

#: the lxml options every parser here uses.
SAFE_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}

_ROOT_START = re.compile(rb"<[A-Za-z_]")
_HOSTILE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_BLOCK = 65536
_MAX_PROLOG = 1 << 20  # a prolog longer than 1 MiB is itself suspicious
_WHAT = {"DOCTYPE": "a DTD (<!DOCTYPE ...>)", "ENTITY": "an entity (<!ENTITY ...>)"}


def safe_parser() -> etree.XMLParser:
    """A new lxml parser with entity resolution, DTD loading and network access off."""
    return etree.XMLParser(remove_comments=True, remove_pis=True, **SAFE_OPTIONS)


def _ascii_view(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes (UTF-16 files are transcoded) for prolog checks."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    if head[:3] == b"\xef\xbb\xbf":
        return head[3:]
    if head[:1] == b"\x00" or head[1:2] == b"\x00":  # UTF-16 without a byte order mark
        return head.replace(b"\x00", b"")
    return head


def check_prolog(head: bytes, path: str | Path | None, *, member: str | None = None) -> None:
    """Refuse a document whose prolog declares a DTD or entities (:class:`HostileXMLError`).

    ``head`` is the start of the document (at least up to the root start tag when there is one;
    :func:`read_checked_head` sees to that for streams); ``member`` names the file inside a zip.
    """
    data = _ascii_view(head)
    m = _ROOT_START.search(data)
    prolog = data if m is None else data[: m.start()]
    found = _HOSTILE.search(prolog)
    if found:
        decl = found.group(1).decode().upper()
        raise HostileXMLError(
            path,
            f"refused: the XML declares {_WHAT[decl]}; DTDs and entity declarations are not "
            "accepted (external-entity reads and entity expansion are known attacks)",
            element=member,
        )


class BinaryReader(Protocol):
    """What the parsers read from: a binary file object (or :class:`Prepend`)."""

    def read(self, size: int = -1, /) -> bytes: ...


def read_checked_head(fh: BinaryReader, path: str | Path | None, *, member: str | None = None,
                      size: int = _BLOCK) -> bytes:
    """Read at least ``size`` bytes (or the whole stream) and up to the root start tag from
    ``fh``, refuse a hostile prolog, and return the bytes read.
    """
    head = fh.read(size)
    block = head
    while block and not _ROOT_START.search(_ascii_view(head)):
        if len(head) > _MAX_PROLOG:
            check_prolog(head, path, member=member)
            raise HostileXMLError(path, "refused: no root element within the first MiB of the "
                                  "XML prolog", element=member)
        block = fh.read(_BLOCK)
        head += block
    check_prolog(head, path, member=member)
    return head


def check_file(path: str | Path, *, member: str | None = None) -> None:
    """Refuse ``path`` if its XML prolog declares a DOCTYPE or ENTITY (before GDAL or lxml)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            read_checked_head(fh, path, member=member, size=4096)
    except OSError as exc:
        raise DataFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc


def root_of(head: bytes, path: str | Path | None, *, member: str | None = None) -> tuple[str, str]:
    """``(namespace, local name)`` of the root element, read from the first bytes of a document.

    Refuses a hostile prolog first. Raises :class:`UnsupportedFormatError` when ``head`` holds
    no XML start tag.
    """
    check_prolog(head, path, member=member)
    parser = etree.XMLPullParser(events=("start",), **SAFE_OPTIONS)
    try:
        parser.feed(head)
        for _event, elem in parser.read_events():
            q = etree.QName(elem)
            return q.namespace or "", q.localname
    except etree.XMLSyntaxError as exc:
        raise UnsupportedFormatError(path, f"not XML: {exc}", element=member) from exc
    raise UnsupportedFormatError(path, "not XML: no root element found", element=member)


def parse(source: bytes | IO[bytes], path: str | Path | None, *,
          member: str | None = None) -> etree._Element:
    """Parse a whole (small) document safely and return its root element.

    ``source`` is the document's bytes or a binary file object. Syntax errors (a truncated
    file, binary junk) become :class:`DataFileError` naming the file and member.
    """
    data = source if isinstance(source, bytes) else source.read()
    if not data.strip():
        raise DataFileError(path, "the file is empty", element=member)
    check_prolog(data[:_MAX_PROLOG], path, member=member)
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DataFileError(path, f"not well-formed XML: {exc}", element=member) from exc
    if root.getroottree().docinfo.doctype:
        raise HostileXMLError(path, "refused: the XML declares a DTD (<!DOCTYPE ...>)",
                              element=member)
    return root


def iterparse(
    source: BinaryReader,
    path: str | Path | None,
    tags: str | Iterable[str],
    *,
    member: str | None = None,
) -> Iterator[etree._Element]:
    """Stream the elements with the given Clark-notation ``tags`` (``{ns}local``), bounded memory.

    The caller must finish with each yielded element before asking for the next one: it is
    cleared (and its already-processed preceding siblings deleted) as soon as the loop moves on.
    ``source`` is a binary file object positioned at the document's start: its prolog is checked
    for DTD/entity declarations first.
    """
    head = read_checked_head(source, path, member=member)
    chained = Prepend(head, source)
    tag_arg = tags if isinstance(tags, str) else list(tags)
    context = etree.iterparse(
        chained, events=("end",), tag=tag_arg, remove_comments=True, **SAFE_OPTIONS
    )
    try:
        for _event, elem in context:
            yield elem
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise DataFileError(path, f"not well-formed XML (truncated?): {exc}", element=member) from exc
    finally:
        del context


class Prepend:
    """A read-only file object: ``head`` followed by the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryReader):
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                out, self._head = self._head + self._rest.read(), b""
                return out
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)


def localname(tag: object) -> str:
    """The local part of a Clark-notation tag (``"{ns}name"`` -> ``"name"``); ``""`` for comments."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def text_of(elem: etree._Element | None) -> str | None:
    """The element's own stripped text, or None when absent or empty."""
    if elem is None or elem.text is None:
        return None
    t = elem.text.strip()
    return t or None


def plain_text(elem: etree._Element) -> str:
    """All text inside ``elem`` with whitespace collapsed to single spaces."""
    return " ".join("".join(elem.itertext()).split())
