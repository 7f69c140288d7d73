"""Safe XML for every format loader: no DTDs, no entities, no network, bounded memory.

The one module every XML file goes through, whether lxml or GDAL parses it afterwards (BAG, BRK,
BGT, IMRO, STOP/IMOW, GIO). The decisions are taken from the parsed document, never from a text
scan (a comment or processing instruction holding ``<a`` fooled the former prolog scan):

* Every document is first fed to an lxml pull parser with :data:`SAFE_OPTIONS` (entity
  resolution, DTD loading and network access off) up to its root start tag; a document whose
  parsed prolog has a DOCTYPE (internal or external subset, hence any entity declaration) is
  refused with :class:`HostileXMLError` naming the file and zip member. GDAL's expat-based
  drivers would expand internal entities, so for them the check comes before GDAL sees the file.
  Without a DTD an entity reference (``&xxe;``) is a well-formedness error.
* :func:`iterparse` streams a document and frees every element once it is complete: the
  wanted elements after the caller has used them, every other element too (the elements
  between and around the features: 2 GiB of ``<x/>`` outside the features stay a handful of
  nodes). Inside an open wanted element the nodes are counted, so one giant feature stops at
  :attr:`~omgevingskaart.io.limits.Limits.max_nodes` (:class:`ResourceLimitError`).
* :func:`parse` builds a whole (small) document with the same checks plus a byte limit
  (``max_document_bytes``) and a node limit for the whole tree; :func:`check_stream` parses a
  document to its end without keeping anything (a well-formedness and truncation check before
  GDAL reads a BAG file).
* libxml2 itself refuses text nodes over 10 MB, names over 50,000 characters, a nesting deeper
  than 256 and look-ahead over 10 MB (``huge_tree=False``).

A truncated or otherwise broken document raises :class:`DataFileError` ("not well-formed XML
(truncated?)") naming the file and member, also when the break is in its last byte.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from lxml import etree

from ..errors import DataFileError, HostileXMLError, ResourceLimitError, UnsupportedFormatError
from . import limits as _limits

#: the lxml options every parser here uses.
SAFE_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}

_BLOCK = 65536
_FEED = 1 << 16  # bytes fed to the parser at a time (measured: 64 KiB ~10% faster than 1 MiB)
_MAX_PROLOG = 1 << 20  # a prolog longer than 1 MiB is itself suspicious
_COUNT_EVERY = 2 << 20  # count the nodes of an open feature every 2 MiB
_CHECK_TREE_EVERY = 1 << 20  # and those of a document parsed whole every MiB


def safe_parser() -> etree.XMLParser:
    """A new lxml parser with entity resolution, DTD loading and network access off."""
    return etree.XMLParser(remove_comments=True, remove_pis=True, **SAFE_OPTIONS)


def _pull_parser(events: tuple[str, ...], tags: list[str] | None = None) -> etree.XMLPullParser:
    return etree.XMLPullParser(events=events, tag=tags, remove_comments=True, remove_pis=True,
                               **SAFE_OPTIONS)


def _syntax_error(path: str | Path | None, member: str | None, exc: Exception) -> DataFileError:
    if "Resource limit exceeded" in str(exc) or "Huge input lookup" in str(exc):
        detail = str(exc).replace(", try XML_PARSE_HUGE", "")
        return DataFileError(path, f"refused: {detail} (libxml2's fixed limits: a text node of at "
                             "most 10 MB, nesting of at most 256 levels; padding?)",
                             element=member)
    return DataFileError(path, f"not well-formed XML (truncated?): {exc}", element=member)


def _refuse_dtd(root: etree._Element, path: str | Path | None, member: str | None) -> None:
    """:class:`HostileXMLError` when the parsed document declares a DTD (and so maybe entities)."""
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise HostileXMLError(
            path, "refused: the XML declares a DTD (<!DOCTYPE ...>, with or without entities); "
            "DTDs and entity declarations are not accepted (external-entity reads and entity "
            "expansion are known attacks)", element=member)


def _root_start(parser: etree.XMLPullParser, data: bytes, path: str | Path | None,
                member: str | None, *, final: bool) -> etree._Element | None:
    """Feed ``data``; the root element once its start tag is parsed (checked for a DTD).

    Fed in 4 KiB pieces, stopping at the root start tag: the rest of a 64 KiB head need not be
    parsed (and its events not built) twice.
    """
    try:
        for i in range(0, len(data), 4096):
            parser.feed(data[i:i + 4096])
            for event, elem in parser.read_events():
                if event == "start":
                    _refuse_dtd(elem, path, member)
                    return elem
        if final:
            parser.close()
        for event, elem in parser.read_events():
            if event == "start":
                _refuse_dtd(elem, path, member)
                return elem
    except etree.XMLSyntaxError as exc:
        for event, elem in parser.read_events():  # the error came after the root start tag:
            if event == "start":                  # a broken document, found by the full parse
                _refuse_dtd(elem, path, member)
                return elem
        # before the root start tag: not XML at all (JSON, binary) rather than a broken document
        raise UnsupportedFormatError(path, f"not XML: {exc}", element=member) from exc
    return None


def _checked_head(fh: BinaryReader, path: str | Path | None, member: str | None, size: int
                  ) -> tuple[bytes, etree._Element | None]:
    """Read at least ``size`` bytes and up to the root start tag; refuse a DTD."""
    parser = _pull_parser(("start",))
    head = fh.read(size)
    root = _root_start(parser, head, path, member, final=False)
    while root is None:
        block = fh.read(_BLOCK)
        if not block:
            if not head.strip():
                raise DataFileError(path, "the file is empty", element=member)
            root = _root_start(parser, b"", path, member, final=True)
            if root is None:
                raise DataFileError(path, "not XML: no root element", element=member)
            break
        head += block
        root = _root_start(parser, block, path, member, final=False)
        if root is None and len(head) > _MAX_PROLOG:
            raise HostileXMLError(path, "refused: no root element within the first MiB of the "
                                  "XML prolog", element=member)
    return head, root


def _tag_filter(root: etree._Element, path: str | Path | None, member: str | None) -> str:
    """The root's tag as an lxml tag filter; an undeclared prefix (``ow-dc:owBestand``, which
    libxml2 only warns about) is refused as not namespace-well-formed XML."""
    tag = str(root.tag)
    if ":" in tag.rpartition("}")[2]:
        raise DataFileError(path, f"not namespace-well-formed XML: the root element {tag!r} "
                            "uses an undeclared namespace prefix", element=member)
    return tag


def check_prolog(head: bytes, path: str | Path | None, *, member: str | None = None) -> None:
    """Refuse a document whose prolog declares a DTD (:class:`HostileXMLError`), judged by
    parsing ``head`` (the start of the document) with a safe parser, not by a text scan.

    A head that ends before the root start tag is accepted when nothing hostile was parsed yet
    (:func:`read_checked_head` reads on until the root start tag for streams); a head that is not
    XML raises :class:`UnsupportedFormatError`.
    """
    _root_start(_pull_parser(("start",)), head, path, member, final=False)


class BinaryReader(Protocol):
    """What the parsers read from: a binary file object (or :class:`Prepend`)."""

    def read(self, size: int = -1, /) -> bytes: ...


def read_checked_head(fh: BinaryReader, path: str | Path | None, *, member: str | None = None,
                      size: int = _BLOCK) -> bytes:
    """Read at least ``size`` bytes (or the whole stream) and up to the root start tag from
    ``fh``, refuse a DTD in the parsed prolog, and return the bytes read.
    """
    return _checked_head(fh, path, member, size)[0]


def check_file(path: str | Path, *, member: str | None = None) -> None:
    """Refuse ``path`` if its parsed XML prolog declares a DTD (before GDAL or lxml reads it)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            read_checked_head(fh, path, member=member, size=4096)
    except OSError as exc:
        raise DataFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc


def root_of(head: bytes, path: str | Path | None, *, member: str | None = None) -> tuple[str, str]:
    """``(namespace, local name)`` of the root element, read from the first bytes of a document.

    Refuses a DTD first. Raises :class:`UnsupportedFormatError` when ``head`` holds no XML start
    tag.
    """
    elem = _root_start(_pull_parser(("start",)), head, path, member, final=False)
    if elem is None:
        raise UnsupportedFormatError(path, "not XML: no root element found", element=member)
    q = etree.QName(_tag_filter(elem, path, member))
    return q.namespace or "", q.localname


def _too_many_nodes(elem: etree._Element, what: str, path: str | Path | None,
                    member: str | None, limit: int) -> None:
    n = int(elem.xpath("count(descendant-or-self::node())"))
    if n > limit:
        raise ResourceLimitError(path, f"{what} holds more than {limit:,} XML nodes ({n:,} so "
                                 "far)", limit="max_nodes", element=member)


def parse(source: bytes | BinaryReader, path: str | Path | None, *,
          member: str | None = None) -> etree._Element:
    """Parse a whole document safely and return its root element.

    ``source`` is the document's bytes or a binary file object. A DTD is refused
    (:class:`HostileXMLError`); more than ``max_document_bytes`` bytes or ``max_nodes`` nodes
    raise :class:`ResourceLimitError`; syntax errors (a truncated file, binary junk) become
    :class:`DataFileError`; all name the file and member.
    """
    lim = _limits.current()
    stream: BinaryReader = io.BytesIO(bytes(source)) if isinstance(source, bytes | bytearray) else source
    head, root = _checked_head(stream, path, member, _BLOCK)
    assert root is not None
    parser = _pull_parser(("start",), [_tag_filter(root, path, member)])
    fed = 0
    next_count = _CHECK_TREE_EVERY
    block = head
    try:
        while block:
            fed += len(block)
            if fed > lim.max_document_bytes:
                raise ResourceLimitError(path, f"the document is larger than "
                                         f"{lim.max_document_bytes:,} bytes and is parsed whole",
                                         limit="max_document_bytes", element=member)
            parser.feed(block)
            for _event, elem in parser.read_events():
                if elem.getparent() is None:
                    root = elem
            if fed >= next_count:
                next_count = fed + _CHECK_TREE_EVERY
                _check_tree(root, fed, path, member, lim)
            block = stream.read(_FEED)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, member, exc) from exc
    _check_tree(root, fed, path, member, lim)
    return root


#: bytes of memory per XML node held (measured: 1,000,000 ``<x/>`` took 252 MB) and per byte
#: of text (libxml2 grows text buffers by doubling: 128 MiB of text took ~230 MB)
_NODE_BYTES = 250
_TEXT_FACTOR = 2


def _check_tree(root: etree._Element, fed: int, path: str | Path | None,
                member: str | None, lim: _limits.Limits) -> None:
    """A document parsed whole: at most ``max_nodes`` nodes, and its estimated memory (text and
    nodes together) at most twice ``max_document_bytes``, so a mix of long texts and many
    elements cannot add up beyond either limit alone."""
    n = int(root.xpath("count(descendant-or-self::node())"))
    if n > lim.max_nodes:
        raise ResourceLimitError(path, f"the document holds more than {lim.max_nodes:,} XML "
                                 f"nodes ({n:,} so far)", limit="max_nodes", element=member)
    estimate = _TEXT_FACTOR * fed + _NODE_BYTES * n
    if estimate > _TEXT_FACTOR * lim.max_document_bytes:
        raise ResourceLimitError(path, f"the document would take about {estimate >> 20:,} MiB "
                                 f"in memory ({fed:,} bytes, {n:,} nodes so far) and is parsed "
                                 "whole", limit="max_document_bytes", element=member)


class _Stream:
    """Feeds a document to a pull parser block by block and keeps the tree small.

    ``wanted`` are Clark-notation tags (``{ns}local`` or ``{*}local``) whose end events are
    handed out; every other complete element is deleted as the parse goes on (along the path of
    open elements, all but the last child at each level), and the nodes of an open wanted
    element are counted every 2 MiB against ``max_nodes``.
    """

    def __init__(self, source: BinaryReader, path: str | Path | None, member: str | None,
                 wanted: list[str]):
        self.source = source
        self.path = path
        self.member = member
        self.limits = _limits.current()
        self.wanted = wanted
        self.exact = {t for t in wanted if not t.startswith("{*}")}
        self.local = {t[3:] for t in wanted if t.startswith("{*}")}
        head, root = _checked_head(source, path, member, _BLOCK)
        self.root = root
        tags = [*wanted, _tag_filter(root, path, member)] if root is not None else wanted
        self.parser = _pull_parser(("start", "end"), tags)
        self.head = head

    def _wanted(self, tag: str) -> bool:
        return tag in self.exact or (bool(self.local) and tag.rpartition("}")[2] in self.local)

    def _prune(self, open_el: etree._Element | None) -> int:
        """Delete the complete elements outside the open wanted element; how many."""
        node = self.root
        pruned = 0
        while node is not None and node is not open_el:
            n = len(node)
            if n > 1:
                pruned += n - 1
                del node[:-1]
            node = node[-1] if n else None
        return pruned

    def events(self) -> Iterator[etree._Element]:
        """The complete wanted elements in document order (cleared after the caller is done)."""
        depth = 0
        open_el: etree._Element | None = None
        open_at = 0
        fed = 0
        next_count = 0
        block = self.head
        root_tag = self.root.tag if self.root is not None else None
        seen_root = False
        outside = yielded = 0
        while True:
            try:
                if block:
                    self.parser.feed(block)
                    fed += len(block)
                else:
                    self.parser.close()
                events = self.parser.read_events()
                for event, elem in events:
                    if not seen_root and elem.tag == root_tag:
                        seen_root = True
                        self.root = elem
                    if not self._wanted(elem.tag):
                        continue
                    if event == "start":
                        depth += 1
                        if depth == 1:
                            open_el, open_at, next_count = elem, fed, fed + _COUNT_EVERY
                        continue
                    depth -= 1
                    if depth <= 0:
                        depth, open_el = 0, None
                    yielded += 1
                    yield elem
                    elem.clear(keep_tail=False)
                    parent = elem.getparent()
                    if parent is not None:
                        while elem.getprevious() is not None:
                            del parent[0]
            except etree.XMLSyntaxError as exc:
                raise _syntax_error(self.path, self.member, exc) from exc
            if not block:
                return
            outside += self._prune(open_el)
            if self.wanted and outside > self.limits.max_nodes + 16 * yielded:
                # real files wrap each feature in an element or two; millions of elements
                # between the features are junk (a flood of <x/>), stop before parsing them all
                raise ResourceLimitError(
                    self.path, f"{outside:,} XML elements outside the "
                    f"{'/'.join(sorted({localname(t) for t in self.wanted}))} features "
                    f"({yielded:,} features so far)", limit="max_nodes", element=self.member)
            if open_el is not None and fed >= next_count and fed - open_at >= _COUNT_EVERY:
                next_count = fed + _COUNT_EVERY
                _too_many_nodes(open_el, f"one <{localname(open_el.tag)}> element", self.path,
                                self.member, self.limits.max_nodes)
            block = self.source.read(_FEED)


def iterparse(
    source: BinaryReader,
    path: str | Path | None,
    tags: str | Iterable[str],
    *,
    member: str | None = None,
) -> Iterator[etree._Element]:
    """Stream the elements with the given Clark-notation ``tags`` (``{ns}local`` or
    ``{*}local``), bounded memory.

    The caller must finish with each yielded element before asking for the next one: it is
    cleared (and its already-processed preceding siblings deleted) as soon as the loop moves on,
    and every other complete element is deleted as the parse goes on. ``source`` is a binary file
    object positioned at the document's start: its parsed prolog is checked for a DTD first.
    """
    wanted = [tags] if isinstance(tags, str) else list(tags)
    yield from _Stream(source, path, member, wanted).events()


def check_stream(source: BinaryReader, path: str | Path | None, *, member: str | None = None
                 ) -> None:
    """Parse ``source`` to its end without keeping it: a DTD, a truncation or any other
    well-formedness error raises (naming the file and member), in bounded memory."""
    for _ in _Stream(source, path, member, []).events():
        pass


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
